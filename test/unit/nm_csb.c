// SPDX-License-Identifier: BSD-2-Clause
/*
 * nm-csb: a CSB application (spec 25) for the tests.  It opens two ports
 * in CSB mode, runs the sync loop of each in a thread of its own
 * (SYNC_KLOOP_START), and moves an exact number of frames from the first
 * port to the second through the CSB entries alone: the application
 * threads never make a sync system call.  The bats test runs it under
 * strace to count the system calls.
 *
 *   nm-csb [-e] [-s usec] TXPORT RXPORT COUNT
 *
 * -e        event driven: each loop gets eventfds (an ioeventfd the
 *           application kicks when the loop asks, an irqfd it waits on);
 *           without -e the loops sleep usec (default 50) between rounds
 *           and the application polls its CSB entries
 * -s usec   the loops' sleep interval
 *
 * Every frame carries its sequence number; the receiver checks the order.
 * Prints "moved COUNT frames in order" and exits 0, or one error line
 * and exits 1 (2 for usage errors).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libnetmap.h>

struct csb_port {
	struct nmport_d *d;
	struct nmreq_opt_csb opt;
	struct nm_csb_atok atok[2];
	struct nm_csb_ktoa ktoa[2];
	struct netmap_ring *ring;	/* the one ring the port is used through */
	uint32_t entry;			/* its CSB entry: TX 0, RX 1 */
	int io, irq;			/* eventfds of that entry, or -1 */
	pthread_t loop;
	int loop_err;
};

static int events;
static uint32_t sleep_us = 50;

static void die(const char *what, int err)
{
	fprintf(stderr, "nm-csb: %s: %s\n", what, strerror(err));
	exit(1);
}

static int kloop_request(struct csb_port *p, uint16_t type, void *body,
			 struct nmreq_option *opts)
{
	struct nmreq_header hdr;

	nmreq_header_init(&hdr, type, body);
	snprintf(hdr.nr_name, sizeof(hdr.nr_name), "%s", p->d->hdr.nr_name);
	hdr.nr_options = (uintptr_t)opts;
	return nm_ioctl(p->d->fd, NIOCCTRL, &hdr) < 0 ? errno : 0;
}

/* The sync loop of a port: this thread stays in START until STOP. */
static void *loop_main(void *arg)
{
	struct csb_port *p = arg;
	struct nmreq_sync_kloop_start start = { .sleep_us = sleep_us };
	struct {
		struct nmreq_opt_sync_kloop_eventfds o;
		int32_t fds[4];
	} efd;

	memset(&efd, 0, sizeof(efd));
	efd.o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	efd.o.nro_opt.nro_size = sizeof(efd.o) + 2 * 8;
	efd.fds[0] = efd.fds[2] = p->io;
	efd.fds[1] = efd.fds[3] = p->irq;
	p->loop_err = kloop_request(p, NETMAP_REQ_SYNC_KLOOP_START, &start,
				    events ? &efd.o.nro_opt : NULL);
	return NULL;
}

static void open_csb(struct csb_port *p, const char *name, uint32_t entry)
{
	p->d = nmport_prepare(name);
	if (!p->d) {
		fprintf(stderr, "nm-csb: %s\n", nmport_last_error(NULL));
		exit(1);
	}
	/* CSB mode needs an exclusive binding (25.1) */
	p->d->reg.nr_flags |= NR_EXCLUSIVE;
	memset(&p->opt, 0, sizeof(p->opt));
	p->opt.nro_opt.nro_reqtype = NETMAP_REQ_OPT_CSB;
	p->opt.csb_atok = (uintptr_t)p->atok;
	p->opt.csb_ktoa = (uintptr_t)p->ktoa;
	nmreq_push_option(&p->d->hdr, &p->opt.nro_opt);
	if (nmport_open_desc(p->d)) {
		fprintf(stderr, "nm-csb: %s\n", nmport_last_error(NULL));
		exit(1);
	}
	if (p->atok[0].appl_need_kick != 1 || p->ktoa[0].kern_need_kick != 1)
		die("the CSB entries were not initialised", EPROTO);
	p->entry = entry;
	p->ring = entry ? NETMAP_RXRING(p->d->nifp, 0) : NETMAP_TXRING(p->d->nifp, 0);
	p->io = p->irq = -1;
	if (events) {
		p->io = eventfd(0, EFD_CLOEXEC);
		p->irq = eventfd(0, EFD_CLOEXEC);
		if (p->io < 0 || p->irq < 0)
			die("eventfd", errno);
	}
	if (pthread_create(&p->loop, NULL, loop_main, p))
		die("pthread_create", EAGAIN);
}

/* Wait for news from the loop: its irqfd, or a short pause. */
static void wait_loop(struct csb_port *p)
{
	struct pollfd pfd = { .fd = p->irq, .events = POLLIN };
	uint64_t v;

	if (!events) {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
		return;
	}
	if (poll(&pfd, 1, 100) > 0 && read(p->irq, &v, sizeof(v)) < 0)
		die("read irqfd", errno);
}

/* Tell the loop about new head/cur; kick it if it asked for it. */
static void publish(struct csb_port *p, uint32_t head)
{
	uint64_t one = 1;

	nm_sync_kloop_appl_write(&p->atok[p->entry], head, head);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (events && __atomic_load_n(&p->ktoa[p->entry].kern_need_kick,
				      __ATOMIC_RELAXED) &&
	    write(p->io, &one, sizeof(one)) < 0)
		die("kick", errno);
}

static struct csb_port tx, rx;
static unsigned long count;
/*
 * Frames the receiver has read: a VALE switch drops what does not fit in
 * the receiver's ring, so the sender keeps at most a quarter of it in
 * flight (the receiver's last batch may not be released yet).
 */
static unsigned long received;

/* The sending application: fills slots, moves head, never syncs. */
static void *sender(void *arg)
{
	struct netmap_ring *r = tx.ring;
	uint32_t head = r->head, hwtail, hwcur;
	unsigned long seq = 0;

	(void)arg;
	while (seq < count) {
		uint32_t space, k;

		unsigned long ahead = seq - __atomic_load_n(&received, __ATOMIC_ACQUIRE);
		/* in flight, plus read but not yet released: below a ring */
		uint32_t window = rx.ring->num_slots / 4;

		nm_sync_kloop_appl_read(&tx.ktoa[0], &hwtail, &hwcur);
		space = hwtail >= head ? hwtail - head : hwtail + r->num_slots - head;
		if (ahead >= window) {
			/* the receiver is behind: not the loop's business */
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (space > window - ahead)
			space = (uint32_t)(window - ahead);
		if (!space) {
			tx.atok[0].appl_need_kick = 1;
			wait_loop(&tx);
			continue;
		}
		for (k = 0; k < space && seq < count; k++, seq++) {
			struct netmap_slot *s = &r->slot[head];
			uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);

			memset(buf, 0xff, 12);	/* broadcast */
			buf[12] = 0x08;
			buf[13] = 0x00;
			memcpy(buf + 14, &seq, sizeof(seq));
			s->len = 60;
			s->flags = 0;
			head = nm_ring_next(r, head);
		}
		publish(&tx, head);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct netmap_ring *r;
	unsigned long got = 0;
	pthread_t snd;
	uint32_t head;
	int c, err;

	while ((c = getopt(argc, argv, "es:")) != -1) {
		switch (c) {
		case 'e':
			events = 1;
			break;
		case 's':
			sleep_us = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: nm-csb [-e] [-s usec] TXPORT RXPORT COUNT\n");
			return 2;
		}
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: nm-csb [-e] [-s usec] TXPORT RXPORT COUNT\n");
		return 2;
	}
	count = strtoul(argv[optind + 2], NULL, 10);
	open_csb(&rx, argv[optind + 1], 1);
	open_csb(&tx, argv[optind], 0);
	printf("ready\n");
	fflush(stdout);
	if (pthread_create(&snd, NULL, sender, NULL))
		die("pthread_create", EAGAIN);

	/* The receiving application: reads up to hwtail, releases, never syncs. */
	r = rx.ring;
	head = r->head;
	while (got < count) {
		uint32_t hwtail, hwcur;

		nm_sync_kloop_appl_read(&rx.ktoa[1], &hwtail, &hwcur);
		if (head == hwtail) {
			rx.atok[1].appl_need_kick = 1;
			wait_loop(&rx);
			continue;
		}
		while (head != hwtail) {
			struct netmap_slot *s = &r->slot[head];
			unsigned long seq;

			memcpy(&seq, (uint8_t *)NETMAP_BUF(r, s->buf_idx) + 14,
			       sizeof(seq));
			if (seq != got) {
				fprintf(stderr, "nm-csb: frame %lu has sequence number %lu\n",
					got, seq);
				return 1;
			}
			got++;
			head = nm_ring_next(r, head);
		}
		__atomic_store_n(&received, got, __ATOMIC_RELEASE);
		publish(&rx, head);
	}
	pthread_join(snd, NULL);
	/* Stop both loops: START returns 0 in their threads. */
	err = kloop_request(&tx, NETMAP_REQ_SYNC_KLOOP_STOP, NULL, NULL);
	if (!err)
		err = kloop_request(&rx, NETMAP_REQ_SYNC_KLOOP_STOP, NULL, NULL);
	if (err)
		die("SYNC_KLOOP_STOP", err);
	pthread_join(tx.loop, NULL);
	pthread_join(rx.loop, NULL);
	if (tx.loop_err || rx.loop_err)
		die("SYNC_KLOOP_START", tx.loop_err ? tx.loop_err : rx.loop_err);
	printf("moved %lu frames in order\n", got);
	nmport_close(tx.d);
	nmport_close(rx.d);
	return 0;
}
