// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sleeping in poll on netmap ports, on either backend (issue 13).
 *
 * Semantics (spec 12.1): POLLIN and POLLOUT after the syncs poll
 * performs, readiness judged on cur, timeouts, a sleeper woken by its
 * peer in both directions, several threads of one process each
 * polling its own ring of one port, and several threads sleeping on one
 * descriptor, each of which must see a packet that makes it readable.
 * Through nm_poll(), poll, ppoll, select and epoll (level and edge
 * triggered) on the descriptor itself: on the module its poll
 * operation, on the user runtime libnetmap's wrappers of those calls
 * (lib/interpose.c, linked in).
 *
 * Stress: a sender and a receiver (processes) through a pipe and
 * through VALE, alternating tiny and full batches with random pauses
 * on both sides, so that each side goes to sleep and is woken at every
 * possible moment, with and without the spin, sleeping on the futex
 * (one descriptor), on the futexes of two ports at once (futex_waitv:
 * an idle second port in the set) and in poll() (a pipe(2) end in the
 * set).
 * Every wait is without a timeout: a lost wake-up stops the flow for
 * good, which the parent sees (no progress while one side sleeps with
 * work published for it) and reports.  Every packet carries a sequence
 * number: the receiver checks them all.  By default the stress part
 * takes a few seconds; NETMAP_STRESS_SECONDS=600 runs it for ten minutes
 * (docs/ARCHITECTURE.md).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libnetmap.h>

#include "tap.h"

static double timescale = 1;
static int kernel;		/* NETMAP_BACKEND=kernel */
static char tag[32];		/* unique names: this test's pid */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static struct nmport_d *port(const char *fmt, const char *a)
{
	char spec[128];
	struct nmport_d *d;

	snprintf(spec, sizeof(spec), fmt, a);
	d = nmport_open(spec);
	if (!d)
		printf("# cannot open %s: %s\n", spec, strerror(errno));
	return d;
}

/* ---------------------------------------------------------------- */
/* Ways to wait                                                     */
/* ---------------------------------------------------------------- */

enum mech { M_NMPOLL, M_POLL, M_PPOLL, M_SELECT, M_EPOLL_LT, M_EPOLL_ET,
	    M_COUNT };
static const char *mech_name[M_COUNT] = {
	"nm_poll", "poll", "ppoll", "select", "epoll", "epoll (edge)",
};

struct waiter {
	enum mech m;
	int fd, epfd;
	short events;
};

static int waiter_init(struct waiter *w, enum mech m, int fd, short events)
{
	w->m = m;
	w->fd = fd;
	w->events = events;
	w->epfd = -1;
	if (m == M_EPOLL_LT || m == M_EPOLL_ET) {
		struct epoll_event ev = { 0 };

		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		ev.events = (uint32_t)events | (m == M_EPOLL_ET ? EPOLLET : 0);
		ev.data.fd = fd;
		if (w->epfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -1;
	}
	return 0;
}

static void waiter_fini(struct waiter *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	w->epfd = -1;
}

/* The events reported (0 after a timeout), or -1. */
static int waiter_wait(struct waiter *w, int timeout_ms)
{
	struct pollfd p = { .fd = w->fd, .events = w->events };
	struct timespec ts, *tp = NULL;
	struct timeval tv, *tvp = NULL;
	struct epoll_event ev;
	fd_set rd, wr;
	int r;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		tvp = &tv;
	}
	switch (w->m) {
	case M_NMPOLL:
		r = nm_poll(&p, 1, timeout_ms);
		return r < 0 ? -1 : r ? p.revents : 0;
	case M_POLL:
		r = poll(&p, 1, timeout_ms);
		return r < 0 ? -1 : r ? p.revents : 0;
	case M_PPOLL:
		r = ppoll(&p, 1, tp, NULL);
		return r < 0 ? -1 : r ? p.revents : 0;
	case M_SELECT:
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		if (w->events & POLLIN)
			FD_SET(w->fd, &rd);
		if (w->events & POLLOUT)
			FD_SET(w->fd, &wr);
		r = select(w->fd + 1, &rd, &wr, NULL, tvp);
		if (r <= 0)
			return r;
		return (FD_ISSET(w->fd, &rd) ? POLLIN : 0) |
		       (FD_ISSET(w->fd, &wr) ? POLLOUT : 0);
	default:
		r = epoll_wait(w->epfd, &ev, 1, timeout_ms);
		return r <= 0 ? r : (int)(ev.events & (EPOLLIN | EPOLLOUT |
						       EPOLLERR));
	}
}

/* ---------------------------------------------------------------- */
/* Semantics                                                        */
/* ---------------------------------------------------------------- */

static void send_n(struct nmport_d *d, uint32_t n)
{
	struct netmap_ring *r = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	uint32_t i;

	for (i = 0; i < n; i++) {
		r->slot[r->head].len = 60;
		r->head = r->cur = nm_ring_next(r, r->head);
	}
	nmport_txsync(d);
}

struct bg_wait {
	struct waiter *w;
	int timeout_ms;
	int result;
	volatile int started;
};

static void *bg_wait_main(void *arg)
{
	struct bg_wait *b = arg;

	b->started = 1;
	b->result = waiter_wait(b->w, b->timeout_ms);
	return NULL;
}

/*
 * Wait in a thread while the main thread acts after a pause: the waiter
 * must be asleep when act runs, and return with events once it did.
 */
static int wait_while(struct waiter *w, void (*act)(void *), void *arg)
{
	struct bg_wait b = { w, (int)(10000 * timescale), -2, 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, bg_wait_main, &b))
		return -2;
	while (!b.started)
		sleep_us(100);
	sleep_us((unsigned)(20000 * timescale));	/* asleep by now */
	act(arg);
	pthread_join(t, NULL);
	return b.result;
}

struct pair {
	struct nmport_d *tx, *rx;
	struct netmap_ring *txr, *rxr;
};

static void act_send1(void *arg)
{
	struct pair *p = arg;

	send_n(p->tx, 1);
}

static void act_release(void *arg)
{
	struct pair *p = arg;

	nmport_rxsync(p->rx);
	p->rxr->head = p->rxr->cur = p->rxr->tail;
	nmport_rxsync(p->rx);
}

static void semantics(enum mech m)
{
	const char *mn = mech_name[m];
	struct waiter win, wout;
	struct pair p;
	char name[64];
	uint32_t k;
	int r;

	snprintf(name, sizeof(name), "sem%s%d", tag, (int)m);
	p.tx = port("netmap:%s{0", name);
	p.rx = port("netmap:%s}0", name);
	if (!p.tx || !p.rx) {
		ok(0, "%s: open the pipe %s", mn, name);
		nmport_close(p.tx);
		nmport_close(p.rx);
		return;
	}
	p.txr = NETMAP_TXRING(p.tx->nifp, p.tx->first_tx_ring);
	p.rxr = NETMAP_RXRING(p.rx->nifp, p.rx->first_rx_ring);
	if (waiter_init(&win, m, p.rx->fd, POLLIN) ||
	    waiter_init(&wout, m, p.tx->fd, POLLOUT)) {
		ok(0, "%s: set up the waiters: %s", mn, strerror(errno));
		goto out;
	}

	is_int(waiter_wait(&win, 0), 0, "%s: an empty receive ring is not readable", mn);
	is_int(waiter_wait(&wout, 0), POLLOUT, "%s: a transmit ring with room is writable", mn);
	is_int(waiter_wait(&win, (int)(30 * timescale)), 0,
	       "%s: the timeout expires on an empty ring", mn);
	send_n(p.tx, 3);
	is_int(waiter_wait(&win, 0), POLLIN, "%s: three packets make the receiver readable", mn);
	is_int(nm_ring_space(p.rxr), 3, "%s: ... and the poll synced them in", mn);
	if (m == M_EPOLL_ET)
		is_int(waiter_wait(&win, 0), 0,
		       "%s: no second event without new packets", mn);
	else
		is_int(waiter_wait(&win, 0), POLLIN,
		       "%s: still readable while unread", mn);
	/* cur at tail: wake me only for more (6.1) */
	p.rxr->cur = p.rxr->tail;
	is_int(waiter_wait(&win, 0), 0, "%s: cur at tail: not readable", mn);
	r = wait_while(&win, act_send1, &p);
	is_int(r, POLLIN, "%s: a sleeping receiver is woken by one more packet", mn);
	is_int(nm_ring_space(p.rxr), 4, "%s: ... which it sees", mn);
	p.rxr->head = p.rxr->cur = p.rxr->tail;
	nmport_rxsync(p.rx);

	/* Fill the pipe: the sender is not writable until the receiver releases. */
	k = nm_ring_space(p.txr);
	send_n(p.tx, k);
	p.txr->cur = p.txr->tail;
	is_int(waiter_wait(&wout, 0), 0, "%s: a full pipe is not writable", mn);
	r = wait_while(&wout, act_release, &p);
	is_int(r, POLLOUT, "%s: a sleeping sender is woken when the receiver releases", mn);
	is_int(nm_ring_space(p.txr), p.txr->num_slots - 1,
	       "%s: ... and gets back every slot", mn);
out:
	waiter_fini(&win);
	waiter_fini(&wout);
	nmport_close(p.rx);
	nmport_close(p.tx);
}

/* Several threads of one process, each polling its own ring of one port. */
#define MT_RINGS 2
#define MT_PKTS 2000

struct mt_thread {
	struct nmport_d *d;
	enum mech m;
	uint32_t ring;
	uint32_t got, bad;
	int err;
};

static void *mt_main(void *arg)
{
	struct mt_thread *t = arg;
	struct netmap_ring *r = NETMAP_RXRING(t->d->nifp, t->d->first_rx_ring);
	struct waiter w;

	if (waiter_init(&w, t->m, t->d->fd, POLLIN)) {
		t->err = errno;
		return NULL;
	}
	while (t->got < MT_PKTS) {
		int ev = waiter_wait(&w, (int)(20000 * timescale));

		if (ev <= 0) {
			t->err = ev < 0 ? errno : ETIMEDOUT;
			break;
		}
		while (!nm_ring_empty(r)) {
			struct netmap_slot *s = &r->slot[r->head];
			uint32_t v;

			memcpy(&v, NETMAP_BUF(r, s->buf_idx), sizeof(v));
			if (v != (t->ring << 24 | t->got))
				t->bad++;
			t->got++;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		if (t->m != M_EPOLL_ET && t->m != M_EPOLL_LT)
			continue;
		nmport_rxsync(t->d);	/* epoll: release without a poll */
	}
	waiter_fini(&w);
	return NULL;
}

static void threads_rings(enum mech m)
{
	struct mt_thread th[MT_RINGS];
	pthread_t tid[MT_RINGS];
	struct nmport_d *tx;
	char name[64], spec[96];
	uint32_t sent[MT_RINGS] = { 0 }, i, ring, total = 0;
	uint64_t seed = 12345 + m;
	int err = 0;

	snprintf(name, sizeof(name), "mt%s%d", tag, (int)m);
	snprintf(spec, sizeof(spec), "netmap:%s{0@conf:rings=%d", name, MT_RINGS);
	tx = nmport_open(spec);
	if (!tx) {
		ok(0, "%s: open %s: %s", mech_name[m], spec, strerror(errno));
		return;
	}
	for (i = 0; i < MT_RINGS; i++) {
		snprintf(spec, sizeof(spec), "netmap:%s}0-%u", name, i);
		memset(&th[i], 0, sizeof(th[i]));
		th[i].d = nmport_open(spec);
		th[i].m = m;
		th[i].ring = i;
		if (!th[i].d || pthread_create(&tid[i], NULL, mt_main, &th[i])) {
			ok(0, "%s: open %s and start its thread", mech_name[m], spec);
			err = 1;
			th[i].d = NULL;
		}
	}
	/* Small batches to one ring or the other, with pauses. */
	while (!err && total < MT_RINGS * MT_PKTS) {
		struct netmap_ring *r;
		uint32_t n;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		ring = (uint32_t)(seed >> 40) % MT_RINGS;
		if (sent[ring] == MT_PKTS)
			ring = !ring;
		r = NETMAP_TXRING(tx->nifp, ring);
		n = 1 + (uint32_t)(seed >> 20) % 8;
		if (n > MT_PKTS - sent[ring])
			n = MT_PKTS - sent[ring];
		if (n > nm_ring_space(r))
			n = nm_ring_space(r);
		for (i = 0; i < n; i++) {
			struct netmap_slot *s = &r->slot[r->head];
			uint32_t v = ring << 24 | sent[ring]++;

			memcpy(NETMAP_BUF(r, s->buf_idx), &v, sizeof(v));
			s->len = 60;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		total += n;
		nmport_txsync(tx);
		if ((seed >> 8) % 4 == 0)
			sleep_us((unsigned)(seed >> 12) % 300);
	}
	for (i = 0; i < MT_RINGS; i++) {
		if (!th[i].d)
			continue;
		pthread_join(tid[i], NULL);
		ok(th[i].got == MT_PKTS && !th[i].bad && !th[i].err,
		   "%s: thread %u, polling ring %u alone, got its %u packets in order",
		   mech_name[m], i, i, MT_PKTS);
		if (th[i].got != MT_PKTS || th[i].bad || th[i].err)
			printf("#   got %u, %u out of order, error %s\n", th[i].got,
			       th[i].bad, strerror(th[i].err));
		nmport_close(th[i].d);
	}
	nmport_close(tx);
}

/*
 * Several threads of one process sleeping on one descriptor: a packet
 * makes it readable for all of them, so each must return with POLLIN
 * (level-triggered readiness).  On the user runtime a poll with a second
 * descriptor in its set, and epoll, sleep on the descriptor's socket,
 * which a peer's wake-up makes readable with one byte: a thread that
 * reads it must not leave the others asleep.  The waits have a timeout,
 * so a lost wake-up shows as a thread that returned nothing.  Rounds
 * send after a pause (everybody asleep) or at once (threads between
 * arming and sleeping).
 */
#define SH_THREADS 4
#define SH_ROUNDS 40

struct sh_shared {
	struct nmport_d *rx;
	enum mech m;
	int extra;		/* a descriptor that never gets ready */
	pthread_barrier_t go, done;
	volatile int stop;
	int got[SH_THREADS], err[SH_THREADS];
};

struct sh_thread {
	struct sh_shared *sh;
	int i;
};

static void *sh_main(void *arg)
{
	struct sh_thread *t = arg;
	struct sh_shared *sh = t->sh;
	struct waiter w;
	int ev;

	if (waiter_init(&w, sh->m, sh->rx->fd, POLLIN))
		sh->err[t->i] = errno ? errno : EINVAL;
	for (;;) {
		pthread_barrier_wait(&sh->go);
		if (sh->stop)
			break;
		if (sh->err[t->i]) {
			ev = -1;
		} else if (sh->m == M_POLL) {
			struct pollfd p[2] = {
				{ .fd = sh->rx->fd, .events = POLLIN },
				{ .fd = sh->extra, .events = POLLIN },
			};

			ev = poll(p, 2, (int)(3000 * timescale));
			ev = ev < 0 ? -1 : p[0].revents;
		} else {
			ev = waiter_wait(&w, (int)(3000 * timescale));
		}
		sh->got[t->i] = ev;
		pthread_barrier_wait(&sh->done);
	}
	waiter_fini(&w);
	return NULL;
}

static void threads_one_fd(enum mech m)
{
	struct sh_shared sh = { .m = m, .extra = -1 };
	struct sh_thread th[SH_THREADS];
	pthread_t tid[SH_THREADS];
	struct nmport_d *tx;
	struct netmap_ring *rxr;
	char name[64], spec[96];
	int idle[2] = { -1, -1 }, i, round, lost = 0, started = 0;
	uint64_t seed = 777 + m;

	snprintf(name, sizeof(name), "sh%s%d", tag, (int)m);
	snprintf(spec, sizeof(spec), "netmap:%s{0", name);
	tx = nmport_open(spec);
	snprintf(spec, sizeof(spec), "netmap:%s}0", name);
	sh.rx = tx ? nmport_open(spec) : NULL;
	if (!tx || !sh.rx || pipe(idle)) {
		ok(0, "%s: a pipe for threads sharing a descriptor", mech_name[m]);
		goto out;
	}
	rxr = NETMAP_RXRING(sh.rx->nifp, sh.rx->first_rx_ring);
	sh.extra = idle[0];
	pthread_barrier_init(&sh.go, NULL, SH_THREADS + 1);
	pthread_barrier_init(&sh.done, NULL, SH_THREADS + 1);
	for (i = 0; i < SH_THREADS; i++) {
		th[i].sh = &sh;
		th[i].i = i;
		if (pthread_create(&tid[i], NULL, sh_main, &th[i]))
			break;
		started++;
	}
	if (started < SH_THREADS) {
		/* those started wait at a barrier for ever: stop here */
		ok(0, "%s: start %d threads", mech_name[m], SH_THREADS);
		exit(1);
	}
	for (round = 0; round < SH_ROUNDS; round++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		pthread_barrier_wait(&sh.go);
		if (round % 2)
			sleep_us((unsigned)(20000 * timescale)); /* all asleep */
		else
			sleep_us((unsigned)(seed >> 33) % 200);
		send_n(tx, 1);
		pthread_barrier_wait(&sh.done);
		for (i = 0; i < SH_THREADS; i++)
			if (!(sh.got[i] > 0 && (sh.got[i] & POLLIN)))
				lost++;
		/* empty the ring again: the next round starts unreadable */
		nmport_rxsync(sh.rx);
		rxr->head = rxr->cur = rxr->tail;
		nmport_rxsync(sh.rx);
	}
	sh.stop = 1;
	pthread_barrier_wait(&sh.go);
	for (i = 0; i < SH_THREADS; i++)
		pthread_join(tid[i], NULL);
	ok(!lost, "%s: %d threads sleeping on one descriptor all see each packet "
	   "(%d rounds, %d waits without POLLIN)", mech_name[m], SH_THREADS,
	   SH_ROUNDS, lost);
	pthread_barrier_destroy(&sh.go);
	pthread_barrier_destroy(&sh.done);
out:
	if (idle[0] >= 0) {
		close(idle[0]);
		close(idle[1]);
	}
	if (sh.rx)
		nmport_close(sh.rx);
	if (tx)
		nmport_close(tx);
}

/* ---------------------------------------------------------------- */
/* Stress                                                           */
/* ---------------------------------------------------------------- */

struct stress_shared {
	volatile uint64_t sent, received, released, bad;
	volatile int rx_ready;
	volatile int tx_waiting, rx_waiting;
	volatile int stop, tx_done, rx_done;
	volatile uint64_t tx_waits, rx_waits;	/* waits that slept */
};

enum {
	EXTRA_NONE,
	EXTRA_PIPE,	/* a pipe(2) end: the runtime sleeps in poll() */
	EXTRA_PORT,	/* an idle netmap port: on the runtime, futex_waitv */
};

struct stress_cfg {
	const char *what;
	int vale;		/* else a pipe */
	int extra_fd;		/* a second descriptor in the poll set: EXTRA_* */
	const char *spin_us;	/* NETMAP_POLL_SPIN_US */
	uint32_t slots;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random pause: none mostly, else a spin or a sleep of up to 300 us. */
static void pause_maybe(uint64_t *s)
{
	uint64_t v = rnd(s);

	switch (v % 8) {
	case 0: {
		uint64_t t = now_ns() + (v >> 8) % 50000;

		while (now_ns() < t)
			;
		break;
	}
	case 1:
		sleep_us((unsigned)((v >> 8) % 300));
		break;
	default:
		break;
	}
}

/* Wait on d (and the idle extra descriptor); counts waits that slept. */
static int stress_wait(struct nmport_d *d, short events, int extra,
		       volatile int *flag, volatile uint64_t *slept)
{
	struct pollfd p[2] = {
		{ .fd = d->fd, .events = events },
		{ .fd = extra, .events = POLLIN },
	};
	uint64_t t0 = now_ns();
	int r;

	*flag = 1;
	__sync_synchronize();
	r = nm_poll(p, extra >= 0 ? 2 : 1, -1);
	__sync_synchronize();
	*flag = 0;
	if (now_ns() - t0 > 200000)
		(*slept)++;
	return r < 0 && errno != EINTR ? -1 : 0;
}

static void frame(uint8_t *buf, uint64_t seq)
{
	memset(buf, 0xff, 6);			/* broadcast */
	buf[6] = 2;
	memset(buf + 7, 0, 5);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	memcpy(buf + 14, &seq, sizeof(seq));
}

#define STRESS_END (~(uint64_t)0)

/*
 * The second descriptor of a side's poll set: the pipe(2) end it was
 * given, or (EXTRA_PORT) the master end of a pipe of its own that
 * nobody else opens, so never readable (kept open until the side exits).
 */
static int stress_extra(const struct stress_cfg *c, int pipefd, const char *spec,
			char side)
{
	char name[128];
	struct nmport_d *d;

	if (c->extra_fd != EXTRA_PORT)
		return pipefd;
	/* netmap:NAME{0... or valeNAME:a...: a name of the same test */
	snprintf(name, sizeof(name), "netmap:ix%c%.*s{0", side,
		 (int)strcspn(spec + (c->vale ? 0 : 7), ":{}@"), spec + (c->vale ? 0 : 7));
	d = nmport_open(name);
	if (!d)
		_exit(2);
	return d->fd;
}

static void stress_sender(const struct stress_cfg *c, const char *spec,
			  struct stress_shared *sh, int extra, uint64_t seed)
{
	struct nmport_d *d = nmport_open(spec);
	struct netmap_ring *r;
	uint64_t seq = 0;
	int last = 0;

	if (!d)
		_exit(2);
	extra = stress_extra(c, extra, spec, 't');
	r = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	for (;;) {
		uint32_t space, want, n, i;

		if (sh->stop && !last)
			last = 1;
		pause_maybe(&seed);
		space = nm_ring_space(r);
		if (c->vale) {
			/* VALE drops what does not fit: stay within the receive ring. */
			uint64_t inflight = seq - sh->released;

			while (inflight + 1 >= c->slots - 1) {
				sleep_us(20);
				inflight = seq - sh->released;
			}
			if (space > c->slots - 2 - inflight)
				space = (uint32_t)(c->slots - 2 - inflight);
		}
		if (!space) {
			r->cur = r->tail;
			if (stress_wait(d, POLLOUT, extra, &sh->tx_waiting,
					&sh->tx_waits))
				_exit(3);
			continue;
		}
		want = rnd(&seed) % 2 ? 1 + (uint32_t)(rnd(&seed) % 3) : space;
		n = want < space ? want : space;
		if (last)
			n = 1;
		for (i = 0; i < n; i++) {
			struct netmap_slot *s = &r->slot[r->head];

			frame((uint8_t *)NETMAP_BUF(r, s->buf_idx),
			      last ? STRESS_END : seq++);
			s->len = 60;
			s->flags = 0;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		nmport_txsync(d);
		sh->sent = seq;
		if (last)
			break;
	}
	/* A pipe completes only when the receiver reads: wait for it. */
	while (!sh->rx_done && !c->vale)
		sleep_us(1000);
	sh->tx_done = 1;
	nmport_close(d);
	exit(0);	/* not _exit: NETMAP_POLL_STATS is written at exit */
}

static void stress_receiver(const struct stress_cfg *c, const char *spec,
			    struct stress_shared *sh, int extra, uint64_t seed)
{
	struct nmport_d *d = nmport_open(spec);
	struct netmap_ring *r;
	uint64_t expect = 0;

	if (!d)
		_exit(2);
	extra = stress_extra(c, extra, spec, 'r');
	r = NETMAP_RXRING(d->nifp, d->first_rx_ring);
	sh->rx_ready = 1;
	for (;;) {
		if (nm_ring_empty(r)) {
			r->cur = r->tail;
			if (stress_wait(d, POLLIN, extra, &sh->rx_waiting,
					&sh->rx_waits))
				_exit(3);
			continue;
		}
		while (!nm_ring_empty(r)) {
			struct netmap_slot *s = &r->slot[r->head];
			uint64_t v;

			memcpy(&v, (uint8_t *)NETMAP_BUF(r, s->buf_idx) + 14,
			       sizeof(v));
			if (v == STRESS_END) {
				sh->received = expect;
				r->head = r->cur = nm_ring_next(r, r->head);
				nmport_rxsync(d);
				sh->rx_done = 1;
				nmport_close(d);
				exit(0);
			}
			if (v != expect)
				sh->bad++;
			expect = v + 1;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		sh->received = expect;
		/* Sometimes hold the slots a while: the sender fills up and sleeps. */
		pause_maybe(&seed);
		/* else the next poll releases them (VALE: the sender must know) */
		if (c->vale || rnd(&seed) % 2) {
			nmport_rxsync(d);
			sh->released = expect;
		}
	}
}

/* Counters of NETMAP_POLL_STATS lines: the sum of key= over the file. */
static uint64_t stats_sum(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[1024], k[64];
	uint64_t sum = 0;

	if (!f)
		return 0;
	snprintf(k, sizeof(k), " %s=", key);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, k);

		if (p)
			sum += strtoull(p + strlen(k), NULL, 10);
	}
	fclose(f);
	return sum;
}

static void stress(const struct stress_cfg *c, unsigned seconds, int idx)
{
	struct stress_shared *sh;
	char name[64], txs[96], rxs[96], stats[128];
	pid_t tx, rx;
	int fds[2] = { -1, -1 }, st, lost = 0, who;
	uint64_t seed = now_ns() ^ (uint64_t)getpid() << 20, t0, last_t;
	uint64_t last_sent = 0, last_recv = 0, wd;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || pipe(fds)) {
		ok(0, "stress %s: set up", c->what);
		return;
	}
	memset(sh, 0, sizeof(*sh));
	if (c->vale) {
		snprintf(name, sizeof(name), "vale%s%d", tag, idx);
		snprintf(txs, sizeof(txs), "%s:a@conf:slots=%u", name, c->slots);
		snprintf(rxs, sizeof(rxs), "%s:b@conf:slots=%u", name, c->slots);
	} else {
		snprintf(name, sizeof(name), "st%s%d", tag, idx);
		snprintf(txs, sizeof(txs), "netmap:%s{0@conf:slots=%u", name, c->slots);
		snprintf(rxs, sizeof(rxs), "netmap:%s}0@conf:slots=%u", name, c->slots);
	}
	snprintf(stats, sizeof(stats), "/tmp/netmap-test-poll.%d.%d", (int)getpid(), idx);
	unlink(stats);
	setenv("NETMAP_POLL_SPIN_US", c->spin_us, 1);
	setenv("NETMAP_POLL_STATS", stats, 1);
	/* The receiver first: VALE drops frames for a port not there yet. */
	fflush(stdout);
	rx = fork();
	if (rx == 0)
		stress_receiver(c, rxs, sh, c->extra_fd ? fds[0] : -1, (seed >> 3) | 1);
	for (t0 = now_ns(); !sh->rx_ready && now_ns() - t0 < 20000000000ULL;)
		sleep_us(1000);
	tx = fork();
	if (tx == 0)
		stress_sender(c, txs, sh, c->extra_fd ? fds[0] : -1, seed | 1);
	unsetenv("NETMAP_POLL_SPIN_US");
	unsetenv("NETMAP_POLL_STATS");
	/*
	 * No progress for wd while a side sleeps with work published for
	 * it is a lost wake-up.  wd is long: under load a process can wait
	 * for a CPU for a while, but not for seconds on end.
	 */
	wd = (uint64_t)(10e9 * timescale);
	t0 = last_t = now_ns();
	while (!lost) {
		uint64_t now, s, rcv;

		sleep_us(20000);
		now = now_ns();
		if (now - t0 > (uint64_t)seconds * 1000000000ULL)
			sh->stop = 1;
		if (sh->rx_done && (sh->tx_done || c->vale))
			break;
		s = sh->sent;
		rcv = sh->received;
		if (s != last_sent || rcv != last_recv) {
			last_sent = s;
			last_recv = rcv;
			last_t = now;
		} else if (now - last_t > wd) {
			lost = 1;
			printf("# no progress for %.0f s: sent %llu, received %llu, sender %s, receiver %s\n",
			       (double)(now - last_t) / 1e9,
			       (unsigned long long)s, (unsigned long long)rcv,
			       sh->tx_waiting ? "sleeping" : "running",
			       sh->rx_waiting ? "sleeping" : "running");
		}
	}
	if (lost) {
		kill(tx, SIGKILL);
		kill(rx, SIGKILL);
	}
	waitpid(tx, &st, 0);
	who = WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
	waitpid(rx, &st, 0);
	ok(!lost, "stress %s: no lost wake-up in %u s (%llu packets, sender slept %llu times, receiver %llu)",
	   c->what, seconds, (unsigned long long)sh->received,
	   (unsigned long long)sh->tx_waits, (unsigned long long)sh->rx_waits);
	ok(!lost && who == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "stress %s: sender and receiver finished (status %d, %d)", c->what,
	   who, WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st));
	ok(sh->received == sh->sent && !sh->bad && sh->sent > 0,
	   "stress %s: every packet arrived once, in order (%llu sent, %llu out of order)",
	   c->what, (unsigned long long)sh->sent, (unsigned long long)sh->bad);
	if (!kernel) {
		/* The run must have gone through the sleeping path. */
		uint64_t sleeps = stats_sum(stats, "sleeps");
		uint64_t woken = stats_sum(stats, "woken");

		ok(sleeps > 0 && woken > 0,
		   "stress %s: the runtime slept %llu times and was woken %llu times",
		   c->what, (unsigned long long)sleeps, (unsigned long long)woken);
	}
	unlink(stats);
	close(fds[0]);
	close(fds[1]);
	munmap(sh, sizeof(*sh));
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(path);
}

int main(void)
{
	static const struct stress_cfg cfgs[] = {
		{ "pipe, futex, spin", 0, 0, "50", 64 },
		{ "pipe, futex, no spin", 0, 0, "0", 64 },
		{ "pipe, poll() with a second fd, no spin", 0, EXTRA_PIPE, "0", 64 },
		{ "pipe, poll() with a second fd, spin", 0, EXTRA_PIPE, "50", 64 },
		{ "pipe, futexes of two ports, no spin", 0, EXTRA_PORT, "0", 64 },
		{ "VALE, futex, no spin", 1, 0, "0", 64 },
		{ "VALE, poll() with a second fd, spin", 1, EXTRA_PIPE, "50", 64 },
		{ "VALE, futexes of two ports, spin", 1, EXTRA_PORT, "50", 64 },
	};
	const char *e = getenv("NETMAP_TEST_TIMESCALE");
	const char *be = getenv("NETMAP_BACKEND");
	char dir[] = "/tmp/nmtest-poll.XXXXXX";
	unsigned total = 8, each, i;
	int rc;
	enum mech m;

	if (e && atof(e) > 0)
		timescale = atof(e);
	kernel = be && !strcmp(be, "kernel");
	if (!kernel) {
		/* A private runtime directory: nothing shared with others. */
		if (!mkdtemp(dir))
			return 99;
		setenv("NETMAP_RUNTIME_DIR", dir, 1);
		setenv("NETMAP_BACKEND", "user", 1);
	}
	e = getenv("NETMAP_STRESS_SECONDS");
	if (e && atoi(e) > 0)
		total = (unsigned)atoi(e);
	snprintf(tag, sizeof(tag), "%d", (int)getpid() % 100000);
	signal(SIGPIPE, SIG_IGN);

	/* The stress first, while this process has not polled yet. */
	each = total / (sizeof(cfgs) / sizeof(cfgs[0]));
	if (!each)
		each = 1;
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		stress(&cfgs[i], each, (int)i);

	/*
	 * On the user runtime, poll, ppoll, select and epoll on a runtime
	 * descriptor are libnetmap's wrappers (lib/interpose.c, this
	 * program is linked with it), which wait with nm_poll's code.
	 */
	for (m = 0; m < M_COUNT; m++) {
		semantics(m);
		threads_rings(m);
		threads_one_fd(m);
	}
	rc = tap_done();
	if (!kernel)
		remove_dir(dir);	/* every port is closed; we exit next */
	return rc;
}
