// SPDX-License-Identifier: BSD-2-Clause
/*
 * nm_legacy: a program of the legacy nm_open() family, as netmap
 * applications of the pcap era are written: nm_open(), then nm_inject()
 * to send and nm_dispatch() to receive, sleeping in plain poll() on
 * NETMAP_FD(d) in between.  It links -lnetmap and nothing else: its own
 * poll() calls reach the user runtime through the library (no preload).
 *
 *   nm_legacy tx PORTSPEC COUNT     send COUNT 60-byte frames
 *   nm_legacy rx PORTSPEC COUNT     receive COUNT frames
 *
 * Prints one result line; exits 0 on success, 1 on failure, 2 on a
 * usage error.
 */
#define NETMAP_WITH_LIBS
#include <net/netmap_user.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_LIMIT_MS 20000

static unsigned long long received;

static void count_frame(unsigned char *arg, const struct nm_pkthdr *h,
			const unsigned char *buf)
{
	(void)arg;
	(void)buf;
	if (h->len == 60)
		received++;
}

int main(int argc, char **argv)
{
	unsigned char frame[60];
	unsigned long long count, sent = 0;
	struct nm_desc *d;
	struct pollfd pfd;
	int tx;

	if (argc != 4 || (strcmp(argv[1], "tx") && strcmp(argv[1], "rx")) ||
	    !(count = strtoull(argv[3], NULL, 10))) {
		fprintf(stderr, "usage: nm_legacy tx|rx PORTSPEC COUNT\n");
		return 2;
	}
	tx = !strcmp(argv[1], "tx");
	setvbuf(stdout, NULL, _IOLBF, 0);
	d = nm_open(argv[2], NULL, 0, NULL);
	if (!d) {
		fprintf(stderr, "nm_legacy: nm_open %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6);
	frame[6] = 0x02;
	frame[11] = 0x02;
	frame[12] = 0x88;
	frame[13] = 0xb5;
	pfd.fd = NETMAP_FD(d);
	pfd.events = tx ? POLLOUT : POLLIN;
	if (!tx)
		printf("nm_legacy: receiving on %s\n", argv[2]);
	while (tx ? sent < count : received < count) {
		errno = 0;
		if (poll(&pfd, 1, WAIT_LIMIT_MS) <= 0) {
			fprintf(stderr, "nm_legacy: poll: %s\n",
				errno ? strerror(errno) : "timed out");
			break;
		}
		if (tx) {
			while (sent < count &&
			       nm_inject(d, frame, sizeof(frame)))
				sent++;
		} else {
			nm_dispatch(d, -1, count_frame, NULL);
		}
	}
	if (tx) {
		/* nm_inject only queues: a last sync sends the tail. */
		ioctl(NETMAP_FD(d), NIOCTXSYNC, NULL);
		printf("nm_legacy: sent %llu of %llu frames\n", sent, count);
	} else {
		/* Give the slots back: a pipe's sender waits for them. */
		ioctl(NETMAP_FD(d), NIOCRXSYNC, NULL);
		printf("nm_legacy: received %llu of %llu frames\n", received,
		       count);
	}
	nm_close(d);
	return (tx ? sent : received) == count ? 0 : 1;
}
