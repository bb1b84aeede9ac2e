// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ring-corruption fuzzer (issue 8, section 4).  A corrupter writes random
 * head, cur, tail and slot contents (buf_idx, len, flags, ptr) into its
 * TX and RX rings and syncs them, on a VALE switch and on a pipe; honest
 * peers on the same switch and on another pipe of the same parent (same
 * region) exchange numbered frames meanwhile and check, every round:
 *
 *  - every buffer index they are handed (received slots, and the slots
 *    of their own rings after a sync) lies inside their region;
 *  - the honest frames arrive exactly: each one once, in order, with its
 *    payload intact (a buffer two rings own would show another's bytes);
 *  - frames the corrupter sends through the switch are whole (length at
 *    most the buffer size).
 * Then the corrupter's process is killed with its rings full of garbage,
 * and a fresh end registered on its pipe must start from a sane ring.
 *
 * The corrupter also writes frames into its own buffers (to the peer, to
 * everybody, to nobody known), so the switch forwards its garbage; a
 * frame it received earlier (flooded to it) and sends again is told from
 * an honest one by the round's nonce (struct stats).
 *
 * One program for both backends: the user runtime in make check, and
 * the kernel module in the vm-check guest (NETMAP_BACKEND=kernel, group
 * "ringfuzz"), where vm-check also fails on any kernel log complaint.
 *   test_ring_fuzz [ROUNDS [SEED [vale|pipe|both [SECONDS]]]]
 * Defaults: 1,000,000 rounds or 5 seconds, whichever ends first, seed 1
 * (every run repeats the same rounds; "-" takes the time), both the
 * switch and the pipes.  One process drives every port, so a run is
 * repeated exactly by its seed and the count of rounds it printed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdint.h>
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
	char *mem;
	struct netmap_if *nifp;
	uint32_t nbufs;		/* buffers of the region */
	char name[64];
};

static uint64_t seed;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int ctrl(int fd, uint16_t type, const char *name, void *body)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = type;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)body;
	return nmb_ioctl(fd, NIOCCTRL, &h);
}

static int port_open(struct port *p, const char *name, uint32_t slots)
{
	struct netmap_ring *r;
	int err;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->fd = nmb_open();
	if (p->fd < 0)
		return p->fd;
	p->reg.nr_mode = NR_REG_ALL_NIC;
	p->reg.nr_tx_slots = p->reg.nr_rx_slots = slots;
	err = ctrl(p->fd, NETMAP_REQ_REGISTER, name, &p->reg);
	if (!err) {
		p->mem = nmb_mmap(p->fd, p->reg.nr_memsize, &err);
		if (!p->mem && !err)
			err = -ENOMEM;
	}
	if (err) {
		nmb_close(p->fd);
		p->fd = -1;
		return err;
	}
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
	/*
	 * The buffer pool is the last pool and every pool is a whole number
	 * of pages (3.1): it ends where the region does.
	 */
	r = NETMAP_TXRING(p->nifp, 0);
	p->nbufs = (uint32_t)((p->reg.nr_memsize - ((char *)r - p->mem) -
			       (uint64_t)r->buf_ofs) / r->nr_buf_size);
	return 0;
}

static void port_close(struct port *p)
{
	if (p->fd >= 0) {
		nmb_munmap(p->fd, p->mem, p->reg.nr_memsize);
		nmb_close(p->fd);
	}
	p->fd = -1;
}

/* ---------------------------------------------------------------- */
/* The corrupter                                                    */
/* ---------------------------------------------------------------- */

static void scribble_ring(struct netmap_ring *r)
{
	uint32_t n = r->num_slots, i, k = below(8);

	for (i = 0; i < k; i++) {
		struct netmap_slot *s = &r->slot[below(n)];

		switch (below(4)) {
		case 0:
			s->buf_idx = (uint32_t)rnd();
			break;
		case 1:
			s->buf_idx = below(3);
			break;
		default:
			s->buf_idx = below(100000);
			break;
		}
		s->len = below(2) ? (uint16_t)rnd() : (uint16_t)(14 + below(100));
		s->flags = below(2) ? (uint16_t)rnd() :
				      (uint16_t)(below(2) * NS_BUF_CHANGED |
						 below(4) * NS_MOREFRAG);
		s->ptr = below(3) ? 0 : rnd();
	}
	switch (below(6)) {
	case 0:		/* anything */
		*(uint32_t *)&r->head = (uint32_t)rnd();
		*(uint32_t *)&r->cur = (uint32_t)rnd();
		break;
	case 1:		/* just out of range */
		*(uint32_t *)&r->head = n + below(3);
		*(uint32_t *)&r->cur = r->head;
		break;
	case 2:		/* cur before head */
		*(uint32_t *)&r->cur = r->head;
		*(uint32_t *)&r->head = (r->head + 1 + below(n)) % n;
		break;
	default:	/* plausible: up to tail */
		*(uint32_t *)&r->head = (r->head + below(n)) % n;
		*(uint32_t *)&r->cur = r->head;
		break;
	}
	if (!below(5))
		*(uint32_t *)&r->tail = below(2) ? (uint32_t)rnd() : below(n);
}

/* The honest sender and the peer. */
static const uint8_t mac_h[6] = { 2, 0, 0, 0, 0x48, 1 };
static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x50, 1 };

/*
 * Frames worth forwarding in some of the corrupter's own buffers: to the
 * peer, to everybody or to nobody known (a buffer of zeros would go back
 * to its sender and be dropped).
 */
static void scribble_frames(struct port *c, struct netmap_ring *r)
{
	uint32_t i, k = below(8);

	for (i = 0; i < k; i++) {
		uint32_t idx = r->slot[below(r->num_slots)].buf_idx;
		uint8_t *buf;

		if (idx < 2 || idx >= c->nbufs)
			continue;
		buf = (uint8_t *)NETMAP_BUF(r, idx);
		switch (below(3)) {
		case 0:
			memcpy(buf, mac_p, 6);
			break;
		case 1:
			memset(buf, 0xff, 6);
			break;
		default:
			memcpy(buf, (uint64_t[1]){ rnd() & ~1ull }, 6);
			break;
		}
		memcpy(buf + 6, (uint64_t[1]){ (rnd() & ~1ull) | 2 }, 6);
		memcpy(buf + 12, (uint16_t[1]){ (uint16_t)rnd() }, 2);
	}
}

static void corrupt(struct port *c)
{
	struct netmap_ring *r = below(2) ? NETMAP_TXRING(c->nifp, 0) :
					   NETMAP_RXRING(c->nifp, 0);

	if (r == NETMAP_TXRING(c->nifp, 0))
		scribble_frames(c, r);
	scribble_ring(r);
	nmb_ioctl(c->fd, r == NETMAP_TXRING(c->nifp, 0) ? NIOCTXSYNC :
						    NIOCRXSYNC, NULL);
}

/* ---------------------------------------------------------------- */
/* Honest traffic                                                   */
/* ---------------------------------------------------------------- */


/*
 * The corrupter may receive honest frames (flooded when its random source
 * addresses evict the peer from the learning table) and send their bytes
 * again from its own buffers.  So each round's honest frames carry a new
 * nonce: the corrupter acts before the round's frames exist, so a frame
 * with this round's nonce can only be the honest sender's.
 */
struct stats {
	uint32_t sent, got, bad_idx, bad_order, bad_payload, bad_len, other;
	uint32_t first_bad_idx, nonce, replays;
};

/* Fill a frame numbered seq into the next slot of tx ring r. */
static void put_frame(struct netmap_ring *r, uint32_t seq, uint32_t nonce)
{
	struct netmap_slot *s = &r->slot[r->head];
	uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);
	uint32_t i;

	memcpy(buf, mac_p, 6);
	memcpy(buf + 6, mac_h, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	memcpy(buf + 14, &seq, 4);
	memcpy(buf + 18, &nonce, 4);
	for (i = 22; i < 128; i++)
		buf[i] = (uint8_t)(seq + i);
	s->len = 128;
	s->flags = 0;
	r->head = r->cur = nm_ring_next(r, r->head);
}

/* Check every buffer index of ring r lies in the region of p. */
static void check_ring_idx(struct port *p, struct netmap_ring *r,
			   struct stats *st)
{
	uint32_t i;

	for (i = 0; i < r->num_slots; i++) {
		uint32_t idx = r->slot[i].buf_idx;

		if (idx < 2 || idx >= p->nbufs) {
			if (!st->bad_idx)
				st->first_bad_idx = idx;
			st->bad_idx++;
		}
	}
}

/*
 * Take everything in rx ring 0 of p.  honest: frames from mac_h are
 * checked (in order, intact); else only the buffer indices are (a pipe
 * corrupter can name any buffer of the region, the honest ones too).
 */
static void drain(struct port *p, struct stats *st, uint32_t bufsize,
		  int honest)
{
	struct netmap_ring *r = NETMAP_RXRING(p->nifp, 0);

	nmb_ioctl(p->fd, NIOCRXSYNC, NULL);
	while (!nm_ring_empty(r)) {
		struct netmap_slot *s = &r->slot[r->head];
		uint32_t seq, i, idx = s->buf_idx;
		const uint8_t *buf;

		if (idx < 2 || idx >= p->nbufs) {
			if (!st->bad_idx)
				st->first_bad_idx = idx;
			st->bad_idx++;
		} else if (s->len > bufsize) {
			st->bad_len++;
		} else {
			buf = (const uint8_t *)NETMAP_BUF(r, idx);
			if (honest && s->len >= 22 &&
			    !memcmp(buf + 6, mac_h, 6) &&
			    memcmp(buf + 18, &st->nonce, 4)) {
				st->replays++;
			} else if (honest && s->len >= 22 &&
				   !memcmp(buf + 6, mac_h, 6)) {
				memcpy(&seq, buf + 14, 4);
				if (seq != st->got && !st->bad_order++)
					printf("# frame %u arrived when %u was "
					       "expected (slot %u, buffer %u, "
					       "%u bytes, flags 0x%x)\n", seq, st->got,
					       (unsigned)(s - r->slot), idx,
					       s->len, s->flags);
				for (i = 22; i < 128 && i < s->len; i++)
					if (buf[i] != (uint8_t)(seq + i))
						break;
				if (s->len != 128 || i != 128)
					st->bad_payload++;
				st->got++;
			} else {
				st->other++;
			}
		}
		r->head = r->cur = nm_ring_next(r, r->head);
	}
	nmb_ioctl(p->fd, NIOCRXSYNC, NULL);
}

/* Send k numbered frames from h; the peer p drains them at once. */
static void honest_round(struct port *h, struct port *p, struct stats *st,
			 uint32_t k)
{
	struct netmap_ring *t = NETMAP_TXRING(h->nifp, 0);
	uint32_t bufsize = t->nr_buf_size, i;

	nmb_ioctl(h->fd, NIOCTXSYNC, NULL);
	st->nonce = (uint32_t)rnd();
	for (i = 0; i < k && nm_ring_space(t); i++)
		put_frame(t, st->sent++, st->nonce);
	nmb_ioctl(h->fd, NIOCTXSYNC, NULL);
	drain(p, st, bufsize, 1);
	check_ring_idx(h, t, st);
	check_ring_idx(p, NETMAP_TXRING(p->nifp, 0), st);
}

static void report(const char *what, const struct stats *st)
{
	printf("# %s: %u sent, %u received, %u others, %u replayed by the "
	       "corrupter\n", what, st->sent, st->got, st->other, st->replays);
	is_int(st->bad_idx, 0, "%s: every buffer index handed over lies in "
	       "the region (first bad: %u)", what, st->first_bad_idx);
	is_int(st->got, st->sent, "%s: every honest frame arrived", what);
	is_int(st->bad_order, 0, "%s: once each, in order", what);
	is_int(st->bad_payload, 0, "%s: payloads intact", what);
	is_int(st->bad_len, 0, "%s: no slot longer than a buffer", what);
}

/* ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	char dir[] = "/tmp/nmtest.XXXXXX", sw[32], n[64], parent[32];
	uint32_t rounds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) :
				     1000000, i;
	struct port c, p1, h1, pc, pp, hc, hp;
	struct stats vs = { 0 }, ps = { 0 };
	const char *only = argc > 3 ? argv[3] : "both";
	long seconds = argc > 4 ? atol(argv[4]) : 5;
	int err, kernel, do_vale = strcmp(only, "pipe") != 0;
	int do_pipe = strcmp(only, "vale") != 0;
	uint64_t seed0;
	time_t end;
	pid_t kid;

	if (rounds < 1 || seconds < 0 || (strcmp(only, "vale") &&
	    strcmp(only, "pipe") && strcmp(only, "both"))) {
		fprintf(stderr, "usage: test_ring_fuzz [ROUNDS [SEED|- "
			"[vale|pipe|both [SECONDS]]]]\n");
		return 2;
	}
	if (argc <= 2)
		seed = 1;
	else if (strcmp(argv[2], "-"))
		seed = strtoull(argv[2], NULL, 0);
	else
		seed = (uint64_t)time(NULL);
	if (!seed)
		seed = 1;
	seed0 = seed;
	kernel = getenv("NETMAP_BACKEND") &&
		 !strcmp(getenv("NETMAP_BACKEND"), "kernel");
	if (!kernel) {
		if (!mkdtemp(dir))
			return 99;
		setenv("NETMAP_RUNTIME_DIR", dir, 1);
		setenv("NETMAP_BACKEND", "user", 1);
	}
	printf("# seed %llu, %u rounds or %ld s, %s, %s\n",
	       (unsigned long long)seed, rounds, seconds, only,
	       kernel ? "kernel module" : "user runtime");
	snprintf(sw, sizeof(sw), "valeRF%u", (unsigned)getpid() % 100000);
	snprintf(parent, sizeof(parent), "rf%u", (unsigned)getpid() % 100000);

	/* The switch: corrupter c, honest sender h1, peer p1. */
	snprintf(n, sizeof(n), "%s:c", sw);
	err = port_open(&c, n, 64);
	snprintf(n, sizeof(n), "%s:h", sw);
	err = err ? err : port_open(&h1, n, 256);
	snprintf(n, sizeof(n), "%s:p", sw);
	err = err ? err : port_open(&p1, n, 256);
	if (!ok(!err, "switch %s: corrupter, sender, peer", sw))
		return tap_done();
	/* The pipes of one parent: {0 corrupter, }0 peer; {1 -> }1 honest. */
	snprintf(n, sizeof(n), "%s{0", parent);
	err = port_open(&pc, n, 64);
	snprintf(n, sizeof(n), "%s}0", parent);
	err = err ? err : port_open(&pp, n, 64);
	snprintf(n, sizeof(n), "%s{1", parent);
	err = err ? err : port_open(&hc, n, 256);
	snprintf(n, sizeof(n), "%s}1", parent);
	err = err ? err : port_open(&hp, n, 256);
	if (!ok(!err, "pipes %s{0 (corrupter) and %s{1 (honest)", parent,
		parent))
		return tap_done();

	/* The learning bridge knows p1 once it has sent a frame. */
	{
		struct netmap_ring *t = NETMAP_TXRING(p1.nifp, 0);
		struct netmap_slot *s = &t->slot[t->head];
		uint8_t *buf = (uint8_t *)NETMAP_BUF(t, s->buf_idx);

		memset(buf, 0xff, 6);
		memcpy(buf + 6, mac_p, 6);
		s->len = 60;
		t->head = t->cur = nm_ring_next(t, t->head);
		nmb_ioctl(p1.fd, NIOCTXSYNC, NULL);
	}

	end = time(NULL) + seconds;
	for (i = 0; i < rounds; i++) {
		/* (a time() call every 64 rounds: the budget, not a rate) */
		if (seconds && !(i & 63) && i && time(NULL) >= end)
			break;
		if (do_vale)
			corrupt(&c);
		if (do_pipe)
			corrupt(&pc);
		honest_round(&h1, &p1, &vs, 1 + below(8));
		honest_round(&hc, &hp, &ps, 1 + below(8));
		/* The pipe peer takes whatever the corrupter published. */
		drain(&pp, &ps, NETMAP_TXRING(pp.nifp, 0)->nr_buf_size, 0);
		check_ring_idx(&pp, NETMAP_TXRING(pp.nifp, 0), &ps);
		if (!below(64)) {	/* and the peers sync garbage-free rings */
			nmb_ioctl(pp.fd, NIOCTXSYNC, NULL);
			nmb_ioctl(p1.fd, NIOCTXSYNC, NULL);
		}
	}
	printf("# %u rounds: repeat with test_ring_fuzz %u %llu %s 0\n", i, i,
	       (unsigned long long)seed0, only);
	report("VALE", &vs);
	report("pipe", &ps);

	/*
	 * The corrupter dies with garbage in its pipe rings: its peer must
	 * never be handed an index outside the region, and an end registered
	 * again starts from a sane ring.
	 */
	port_close(&pc);
	kid = fork();
	if (kid == 0) {
		struct port k;

		snprintf(n, sizeof(n), "%s{0", parent);
		if (port_open(&k, n, 64))
			_exit(1);
		for (i = 0; i < 50; i++)
			corrupt(&k);
		scribble_ring(NETMAP_TXRING(k.nifp, 0));
		nmb_ioctl(k.fd, NIOCTXSYNC, NULL);
		kill(getpid(), SIGKILL);
	}
	{
		int st;

		ok(waitpid(kid, &st, 0) == kid && WIFSIGNALED(st),
		   "a corrupter killed with garbage in its rings");
	}
	memset(&ps, 0, sizeof(ps));
	drain(&pp, &ps, NETMAP_TXRING(pp.nifp, 0)->nr_buf_size, 0);
	check_ring_idx(&pp, NETMAP_TXRING(pp.nifp, 0), &ps);
	is_int(ps.bad_idx, 0, "its peer is handed no index outside the region "
	       "(first bad: %u)", ps.first_bad_idx);
	snprintf(n, sizeof(n), "%s{0", parent);
	err = port_open(&pc, n, 64);
	is_int(err, 0, "the end registered again");
	if (!err) {
		memset(&ps, 0, sizeof(ps));
		check_ring_idx(&pc, NETMAP_TXRING(pc.nifp, 0), &ps);
		check_ring_idx(&pc, NETMAP_RXRING(pc.nifp, 0), &ps);
		is_int(ps.bad_idx, 0, "starts with every slot's buffer in the "
		       "region (first bad: %u)", ps.first_bad_idx);
		memset(&ps, 0, sizeof(ps));
		for (i = 0; i < 20; i++)
			honest_round(&pc, &pp, &ps, 4);
		is_int(ps.got, ps.sent, "and carries frames to its peer again");
		is_int(ps.bad_payload + ps.bad_order + ps.bad_idx, 0,
		       "intact and in order");
		port_close(&pc);
	}
	port_close(&hp);
	port_close(&hc);
	port_close(&pp);
	port_close(&p1);
	port_close(&h1);
	port_close(&c);
	return tap_done();
}
