// SPDX-License-Identifier: BSD-2-Clause
/*
 * The legacy nm_open() family with NETMAP_WITH_LIBS, as pcap-era netmap
 * programs use it: signal handling from <signal.h> (pulled in by the
 * header), nm_parse() and MAXERRMSG.  Run: checks nm_parse on a good and
 * a bad name, prints "hdr_legacy ok".
 */
#define NETMAP_WITH_LIBS
#include <net/netmap_user.h>

static volatile sig_atomic_t stop;

static void on_int(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct nm_desc d;
	char err[MAXERRMSG];
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	memset(&d, 0, sizeof(d));
	if (nm_parse("netmap:p{3", &d, err) != 0) {
		fprintf(stderr, "nm_parse: %s\n", err);
		return 1;
	}
	if (strcmp(d.req.nr_name, "p") || (d.req.nr_flags & NR_REG_MASK) !=
					       NR_REG_PIPE_MASTER ||
	    (d.req.nr_ringid & NETMAP_RING_MASK) != 3) {
		fprintf(stderr, "nm_parse: got %s mode %u ring %u\n",
			d.req.nr_name, d.req.nr_flags & NR_REG_MASK,
			d.req.nr_ringid & NETMAP_RING_MASK);
		return 1;
	}
	if (nm_parse("netmap:p{", &d, err) != -1 || errno != EINVAL ||
	    !err[0]) {
		fprintf(stderr, "nm_parse accepted 'netmap:p{'\n");
		return 1;
	}
	/* referenced, as such programs do, not called */
	if (stop) {
		struct nm_desc *n = nm_open("netmap:p{0", NULL, 0, NULL);

		nm_inject(n, "x", 1);
		nm_dispatch(n, 1, NULL, NULL);
		nm_close(n);
	}
	printf("hdr_legacy ok (%s)\n", err);
	return 0;
}
