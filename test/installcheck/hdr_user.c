// SPDX-License-Identifier: BSD-2-Clause
/*
 * Built by "make installcheck" against the installed headers with -Wall
 * -Werror: what a program written for netmap's net/netmap_user.h uses
 * without including it itself.  Run: prints "hdr_user ok".
 */
#include <net/netmap_user.h>
#include <unistd.h>	/* close(): netmap_user.h needs it only with NETMAP_WITH_LIBS */

int main(int argc, char **argv)
{
	struct netmap_ring ring;
	char name[IFNAMSIZ];	/* <net/if.h> */
	int s;

	(void)argv;
	memset(&ring, 0, sizeof(ring));
	if (unlikely(!nm_ring_empty(&ring)))		/* likely/unlikely */
		return 1;
	nm_ldld_barrier();
	nm_stst_barrier();
	if (!likely(isdigit('7')))			/* <ctype.h> */
		return 1;
	s = socket(AF_INET, SOCK_DGRAM, 0);		/* <sys/socket.h> */
	if (s >= 0)
		close(s);
	if (if_nametoindex("lo") == 0 && argc > 5)	/* <net/if.h> */
		return 1;
	snprintf(name, sizeof(name), "lo");
	printf("hdr_user ok %s\n", name);
	return 0;
}
