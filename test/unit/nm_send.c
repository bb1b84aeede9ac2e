// SPDX-License-Identifier: BSD-2-Clause
/*
 * nm-send: a test helper that sends the records of a pcap file, byte for
 * byte, as packets on a netmap port (either backend).  The bats tests use
 * it where pkt-gen cannot build the packet: frames that start with a
 * virtio-net header asking for segmentation or checksum completion (spec
 * 15.8), which pkt-gen -H always sends zeroed.
 *
 *   nm-send [-H len] [-w] [-p] PORT FILE
 *
 * -H len   set the port's virtio-net header length (PORT_HDR_SET) after
 *          opening it; the records then carry that header first
 * -w       wait for a line on stdin before sending (after opening), so
 *          that a test can open receivers in between
 * -p       after sending, keep the port open without ever syncing it
 *          until SIGTERM or SIGINT: a user of the port that reads nothing
 *          (a monitor, or the owner of a ring that fills up)
 *
 * Each record becomes one packet, split over as many slots as it needs
 * (NS_MOREFRAG).  Prints "sent N packets" and exits 0, or one error line
 * and exits 1 (2 for usage errors).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnetmap.h>

static int usage(void)
{
	fprintf(stderr, "usage: nm-send [-H 0|10|12] [-w] [-p] PORT FILE\n");
	return 2;
}

static int set_hdr_len(const char *name, uint32_t len)
{
	struct nmreq_header hdr;
	struct nmreq_port_hdr body;
	int fd = nm_control_open(), err = 0;

	if (fd < 0)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	memset(&body, 0, sizeof(body));
	hdr.nr_version = NETMAP_API;
	hdr.nr_reqtype = NETMAP_REQ_PORT_HDR_SET;
	snprintf(hdr.nr_name, sizeof(hdr.nr_name), "%s", name);
	hdr.nr_body = (uintptr_t)&body;
	body.nr_hdr_len = len;
	if (nm_ioctl(fd, NIOCCTRL, &hdr) < 0)
		err = errno;
	nm_control_close(fd);
	errno = err;
	return err ? -1 : 0;
}

/* Send one packet, waiting for room; 0 or -1. */
static int send_one(struct nmport_d *d, const uint8_t *buf, size_t len)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLOUT };
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (nmport_inject(d, buf, len))
			return nmport_txsync(d) < 0 ? -1 : 0;
		if (nm_poll(&pfd, 1, 100) < 0)
			return -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

int main(int argc, char **argv)
{
	uint32_t hdr_len = 0, magic, rec[4];
	int c, set_hdr = 0, wait_line = 0, hold = 0, swap;
	unsigned long sent = 0;
	struct nmport_d *d;
	uint8_t *buf;
	char line[16];
	FILE *f;

	while ((c = getopt(argc, argv, "H:wp")) != -1) {
		switch (c) {
		case 'H':
			hdr_len = (uint32_t)strtoul(optarg, NULL, 10);
			set_hdr = 1;
			break;
		case 'w':
			wait_line = 1;
			break;
		case 'p':
			hold = 1;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2)
		return usage();
	f = fopen(argv[optind + 1], "rb");
	if (!f || fread(&magic, 4, 1, f) != 1 || fseek(f, 24, SEEK_SET)) {
		fprintf(stderr, "nm-send: cannot read %s\n", argv[optind + 1]);
		return 1;
	}
	if (magic != 0xa1b2c3d4 && magic != 0xd4c3b2a1 &&
	    magic != 0xa1b23c4d && magic != 0x4d3cb2a1) {
		fprintf(stderr, "nm-send: %s is not a pcap file\n", argv[optind + 1]);
		return 1;
	}
	swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;

	d = nmport_prepare(argv[optind]);
	if (!d) {
		fprintf(stderr, "nm-send: %s\n", nmport_last_error(NULL));
		return 1;
	}
	d->reg.nr_flags |= NR_ACCEPT_VNET_HDR;
	if (nmport_open_desc(d)) {
		fprintf(stderr, "nm-send: %s\n", nmport_last_error(NULL));
		return 1;
	}
	if (set_hdr && set_hdr_len(d->hdr.nr_name, hdr_len)) {
		fprintf(stderr, "nm-send: cannot set the header length of %s: %s\n",
			d->hdr.nr_name, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	if (wait_line && !fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "nm-send: no go-ahead line on stdin\n");
		return 1;
	}
	buf = malloc(1 << 20);
	while (buf && fread(rec, sizeof(rec), 1, f) == 1) {
		uint32_t caplen = swap ? __builtin_bswap32(rec[2]) : rec[2];

		if (caplen > (1 << 20) || fread(buf, 1, caplen, f) != caplen) {
			fprintf(stderr, "nm-send: truncated record %lu\n", sent);
			return 1;
		}
		if (send_one(d, buf, caplen)) {
			fprintf(stderr, "nm-send: cannot send record %lu: %s\n",
				sent, strerror(errno));
			return 1;
		}
		sent++;
	}
	printf("sent %lu packets\n", sent);
	fflush(stdout);
	if (hold) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	}
	nmport_close(d);
	free(buf);
	fclose(f);
	return 0;
}
