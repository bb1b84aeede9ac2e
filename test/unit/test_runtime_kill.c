// SPDX-License-Identifier: BSD-2-Clause
/*
 * The user runtime survives SIGKILL of any participant at any instant.
 *
 * Sender processes forward frames through one VALE switch (and through a
 * pipe) and are killed at random moments: while holding locks, in the
 * middle of a lease, while forwarding.  The receiver must keep receiving
 * from new senders after every kill, no lock or ring may stay blocked, and
 * once everybody is gone the switch and its ports must be reclaimed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap_user.h>

#include "backend.h"
#include "tap.h"

struct port {
	int fd;
	struct nmreq_register reg;
	struct netmap_if *nifp;
};

static int port_open(struct port *p, const char *name)
{
	struct nmreq_header h;
	char *mem;
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = nmb_open();
	if (p->fd < 0)
		return p->fd;
	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)&p->reg;
	p->reg.nr_mode = NR_REG_ALL_NIC;
	err = nmb_ioctl(p->fd, NIOCCTRL, &h);
	if (err)
		return err;
	mem = nmb_mmap(p->fd, p->reg.nr_memsize, &err);
	if (!mem)
		return err;
	p->nifp = NETMAP_IF(mem, p->reg.nr_offset);
	return 0;
}

/*
 * A sender: broadcast 60-byte frames forever, in batches.  Senders that
 * will be killed run at the lowest priority so that they do not starve
 * other tests; the sender whose frames the check waits for does not.
 */
static void sender(const char *name, int low_priority)
{
	struct port p;
	struct netmap_ring *r;

	if (low_priority && nice(19) < 0)
		_exit(2);
	if (port_open(&p, name))
		_exit(2);
	r = NETMAP_TXRING(p.nifp, 0);
	for (;;) {
		uint32_t n = nm_ring_space(r), i;

		for (i = 0; i < n && i < 64; i++) {
			struct netmap_slot *s = &r->slot[r->head];
			char *buf = NETMAP_BUF(r, s->buf_idx);

			memset(buf, 0xff, 6);
			memset(buf + 6, 2, 6);
			s->len = 60;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		nmb_ioctl(p.fd, NIOCTXSYNC, NULL);
	}
}

/*
 * Receive for ms milliseconds (or, with until_first, only until frames
 * arrive); returns the packets seen.
 */
static long receive_for(struct port *rx, int ms, int until_first)
{
	struct netmap_ring *r = NETMAP_RXRING(rx->nifp, 0);
	struct timespec t0, t;
	long got = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nmb_ioctl(rx->fd, NIOCRXSYNC, NULL);
		got += nm_ring_space(r);
		r->head = r->cur = r->tail;
		if (until_first && got)
			break;
		usleep(200);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	return got;
}

static int count_ports(const char *sw)
{
	struct nmreq_header h;
	struct nmreq_vale_list l;
	int fd = nmb_open(), n = 0;

	memset(&l, 0, sizeof(l));
	for (;;) {
		memset(&h, 0, sizeof(h));
		h.nr_version = NETMAP_API;
		h.nr_reqtype = NETMAP_REQ_VALE_LIST;
		h.nr_body = (uintptr_t)&l;
		if (nmb_ioctl(fd, NIOCCTRL, &h))
			break;
		if (!strncmp(h.nr_name, sw, strlen(sw)))
			n++;
		l.nr_port_idx++;
	}
	nmb_close(fd);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/nmkill.XXXXXX", sw[32], name[64];
	struct port rx;
	int round, stuck = 0, alive_rounds = 0, err;

	if (!mkdtemp(dir))
		return 99;
	setenv("NETMAP_RUNTIME_DIR", dir, 1);
	setenv("NETMAP_BACKEND", "user", 1);
	srand((unsigned)getpid());
	snprintf(sw, sizeof(sw), "valek%u", (unsigned)getpid() % 10000);
	snprintf(name, sizeof(name), "%s:rx", sw);
	err = port_open(&rx, name);
	is_int(err, 0, "receiver on %s", name);
	if (err)
		return tap_done();

	for (round = 0; round < 20; round++) {
		pid_t kids[2];
		int k;

		for (k = 0; k < 2; k++) {
			kids[k] = fork();
			if (kids[k] == 0) {
				char n[64];

				snprintf(n, sizeof(n), "%s:tx%d", sw, k);
				sender(n, 1);
			}
		}
		/* Let them run a random while, then kill them mid-flight. */
		receive_for(&rx, 5 + rand() % 40, 0);
		for (k = 0; k < 2; k++) {
			kill(kids[k], SIGKILL);
			waitpid(kids[k], NULL, 0);
		}
		/*
		 * A new sender must get frames through again.  A machine
		 * loaded by parallel tests may take a while to start it;
		 * a blocked switch never delivers.
		 */
		kids[0] = fork();
		if (kids[0] == 0) {
			char n[64];

			snprintf(n, sizeof(n), "%s:tx%d", sw, 0);
			sender(n, 0);
		}
		if (receive_for(&rx, 5000, 1) > 0)
			alive_rounds++;
		else
			stuck++;
		kill(kids[0], SIGKILL);
		waitpid(kids[0], NULL, 0);
	}
	is_int(stuck, 0, "no round left the switch blocked");
	is_int(alive_rounds, 20, "frames flowed after every kill");
	/* Dead senders' ports are reclaimed: only the receiver remains. */
	is_int(count_ports(sw), 1, "dead processes' ports reclaimed");
	nmb_close(rx.fd);
	is_int(count_ports(sw), 0, "switch empty after the receiver closed");
	return tap_done();
}
