// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb: spread the packets of one input port over groups of netmap pipes by
 * a symmetric flow hash (tools.md 7).
 *
 * One forwarding thread moves packets; the main thread prints the -o and
 * -s statistics on schedule and handles signals and --duration.
 *
 * A packet goes to the pipe hash % n of each group in turn.  Into a pipe
 * that shares the input's memory region its buffers are swapped (zero
 * copy), so it can be in one group at a time: it goes on to the next
 * group when the consumer releases it, and its buffers come back to the
 * input ring after the last group.  Into a pipe of another region it is
 * copied and goes on at once.  A pipe whose ring is full keeps packets in
 * its overflow queue (extra buffers, -B), in order, or drops them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <libnetmap.h>

#include "lb_hash.h"
#include "lb_options.h"
#include "lb_queue.h"
#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_port.h"
#include "nt_run.h"
#include "nt_stats.h"

#define TOOL			"lb"
#define LB_FRAGS_MAX		64	/* slots of one packet (NETMAP_MAX_FRAGS) */
#define LB_PREFETCH		4	/* slots ahead whose buffer is fetched early */

/* Counters of one pipe; written by the forwarding thread only. */
struct lb_counters {
	_Atomic uint64_t pkts, bytes;		/* delivered into the pipe's ring */
	_Atomic uint64_t drops, drop_bytes;
};

/* What a chained pipe remembers of a packet it sent, at its first slot. */
struct lb_sent {
	uint32_t hash;
	uint32_t nslots;
};

struct lb_pipe {
	struct nt_port port;		/* name as opened: netmap:g{k/xT@M */
	char consumer[NT_PORT_NAME_MAX];	/* the consumer's end: g}k */
	struct netmap_ring *ring;	/* its one TX ring */
	unsigned group;
	int zerocopy;			/* shares the input's region: buffers are swapped */
	int chained;			/* zero copy before the last group */
	uint32_t unsynced;		/* slots put since the last sync */
	uint32_t sync_at;		/* unsynced slots that make a sync due */
	uint32_t done;			/* chained: oldest slot sent and not passed on */
	uint32_t tail_seen;		/* the tail before the last sync ahead of a sleep */
	struct lb_sent *sent;		/* chained: per slot */
	struct lb_counters c;
};

struct lb_group {
	const char *name;
	unsigned first, n;		/* pipes [first, first + n) */
};

/* One set of statistics lines (-o or -s) and the counts it last showed. */
struct lb_output {
	uint64_t every_ns, next_ns;
	uint64_t prev_ns;
	uint64_t *prev;			/* per pipe: pkts, bytes, drops, drop_bytes */
	uint64_t prev_total[4];
};

/*
 * The counters as of one moment between two rounds of the forwarding
 * thread, so that a set of statistics lines adds up: the pipes' lines sum
 * to the totals line, and every packet received is forwarded, queued or
 * dropped in it.  Reading them live while the thread moves packets could
 * catch a packet received and not yet placed, or between its queue and
 * its ring.
 */
struct lb_snapshot {
	uint64_t *pipe;			/* per pipe: LB_SNAP_PER_PIPE values */
	uint64_t received, non_ip, pool_free;
};

#define LB_SNAP_PER_PIPE	5	/* pkts, bytes, drops, drop_bytes, queued */

static struct {
	struct lb_config cfg;
	struct nt_port in;
	struct netmap_ring **rx;	/* the input's bound RX rings */
	unsigned nrx;
	uint32_t in_buf_size;
	uint32_t in_nbufs;		/* buffers of the input's region: indices below */
	struct lb_pipe *pipes;
	struct lb_queue *queues;	/* per pipe, one array for lb_reclaim() */
	unsigned npipes;
	struct lb_group *groups;
	unsigned ngroups;
	struct lb_pool pool;
	uint32_t extra_granted;
	_Atomic uint64_t received, received_bytes, non_ip;
	/*
	 * Consistent counters for the main thread: while the forwarding
	 * thread sleeps (rest_seq even) they are read live; while it works
	 * (odd), the main thread bumps snap_req and the thread copies them
	 * into snap between two rounds, then sets snap_done to it.
	 */
	_Atomic unsigned rest_seq, snap_req, snap_done;
	unsigned snap_served;		/* forwarding thread's copy of snap_done */
	struct lb_snapshot snap;
	struct lb_snapshot shown;	/* main thread: what a set of lines shows */

	FILE *json;
	struct lb_output out[2];	/* stdout (-o), syslog (-s) */
	uint64_t ready_ns;
} run;

#define OUT_STDOUT	0
#define OUT_SYSLOG	1

/* ================================================================ buffers */

static inline char *in_buf(uint32_t idx)
{
	return NETMAP_BUF(run.rx[0], idx);
}

static void *pool_buf(void *ctx, uint32_t idx)
{
	(void)ctx;
	return in_buf(idx);
}

/* A buffer index a consumer gave back that lies in the input's region. */
static inline int in_buf_ok(uint32_t idx)
{
	return idx >= 2 && idx < run.in_nbufs;
}

static inline uint32_t slot_len(const struct netmap_slot *s)
{
	return s->len <= run.in_buf_size ? s->len : run.in_buf_size;
}

/* ================================================================ placing */

enum place_result {
	PLACE_KEPT,		/* the source still holds the packet: on to the next group */
	PLACE_MOVED,		/* its buffers went into the pipe or its queue */
};

static void count_drop(struct lb_pipe *p, uint64_t bytes)
{
	nt_counter_bump(&p->c.drops, 1);
	nt_counter_bump(&p->c.drop_bytes, bytes);
}

static inline struct lb_pipe *pipe_of(unsigned g, uint32_t hash)
{
	const struct lb_group *gr = &run.groups[g];

	return &run.pipes[gr->first + hash % gr->n];
}

/* Slots a copy of total bytes takes in buffers of size bufsize. */
static inline unsigned copy_slots(uint64_t total, uint32_t bufsize)
{
	return total ? (unsigned)((total + bufsize - 1) / bufsize) : 1;
}

/* Swap the packet's buffers into the ring at head (zero copy). */
static void swap_into(struct lb_pipe *p, struct netmap_slot **frag, unsigned nf, uint32_t hash)
{
	struct netmap_ring *ring = p->ring;
	uint32_t i = ring->head;
	unsigned k;

	if (p->chained) {
		p->sent[i].hash = hash;
		p->sent[i].nslots = nf;
	}
	for (k = 0; k < nf; k++) {
		struct netmap_slot *ts = &ring->slot[i];
		uint32_t mine = ts->buf_idx;

		ts->buf_idx = frag[k]->buf_idx;
		ts->len = frag[k]->len;
		ts->flags = NS_BUF_CHANGED | (k + 1 < nf ? NS_MOREFRAG : 0);
		frag[k]->buf_idx = mine;
		frag[k]->flags |= NS_BUF_CHANGED;
		i = nm_ring_next(ring, i);
	}
	/* the slots that come next, last written by the consumer's syncs */
	__builtin_prefetch(&ring->slot[(i + 2 * LB_PREFETCH) % ring->num_slots], 1);
	ring->head = ring->cur = i;
	p->unsynced += nf;
}

/* Copy the packet into the ring at head, filling the ring's buffers. */
static void copy_into(struct lb_pipe *p, struct netmap_slot **frag, unsigned nf)
{
	struct netmap_ring *ring = p->ring;
	uint32_t i = ring->head, size = ring->nr_buf_size, fill = 0;
	char *dst = NETMAP_BUF(ring, ring->slot[i].buf_idx);
	unsigned k;

	for (k = 0; k < nf; k++) {
		const char *src = in_buf(frag[k]->buf_idx);
		uint32_t left = slot_len(frag[k]);

		while (left) {
			uint32_t n = size - fill < left ? size - fill : left;

			if (n == 0) {
				ring->slot[i].len = (uint16_t)fill;
				ring->slot[i].flags = NS_MOREFRAG;
				i = nm_ring_next(ring, i);
				dst = NETMAP_BUF(ring, ring->slot[i].buf_idx);
				fill = 0;
				continue;
			}
			nm_pkt_copy(src, dst + fill, (int)n);
			src += n;
			fill += n;
			left -= n;
		}
	}
	ring->slot[i].len = (uint16_t)fill;
	ring->slot[i].flags = 0;
	i = nm_ring_next(ring, i);
	p->unsynced += (i + ring->num_slots - ring->head) % ring->num_slots;
	ring->head = ring->cur = i;
}

/* Put a packet (in the input's region) into the pipe's ring if it fits now. */
static int ring_put(struct lb_pipe *p, struct netmap_slot **frag, unsigned nf, uint32_t hash,
		    uint64_t bytes)
{
	unsigned need = p->zerocopy ? nf : copy_slots(bytes, p->ring->nr_buf_size);

	if (nm_ring_space(p->ring) < need && !p->chained) {
		/* a sync here is safe: no released slot waits to be passed on */
		if (nmport_txsync(p->port.d) == 0)
			p->unsynced = 0;
	}
	if (nm_ring_space(p->ring) < need)
		return -1;
	if (p->zerocopy)
		swap_into(p, frag, nf, hash);
	else
		copy_into(p, frag, nf);
	nt_counter_bump(&p->c.pkts, 1);
	nt_counter_bump(&p->c.bytes, bytes);
	return 0;
}

static void deliver(struct netmap_slot **frag, unsigned nf, uint32_t hash, uint64_t bytes,
		    unsigned g);

/* A reclaim dropped a queued packet: it is lost to the later groups too. */
static void reclaimed(void *ctx, uint32_t queue, const struct lb_qnode *first, uint64_t bytes)
{
	struct lb_pipe *p = &run.pipes[queue];
	unsigned g;

	(void)ctx;
	count_drop(p, bytes);
	if (p->zerocopy)	/* a copied packet already went on */
		for (g = p->group + 1; g < run.ngroups; g++)
			count_drop(pipe_of(g, first->hash), bytes);
	if (run.cfg.verbose)
		nt_diag("reclaimed a packet of %s's overflow queue", p->consumer);
}

/* Queue a packet behind a full ring; PLACE_MOVED if its buffers went in. */
static enum place_result enqueue(struct lb_pipe *p, struct netmap_slot **frag, unsigned nf,
				 uint32_t hash, uint64_t bytes)
{
	struct lb_queue *q = &run.queues[p - run.pipes];
	uint32_t nodes[LB_FRAGS_MAX];
	unsigned k;

	if (nf > run.pool.count)
		goto drop;
	while (lb_pool_free(&run.pool) < nf)
		if (lb_reclaim(run.queues, run.npipes, &run.pool, reclaimed, NULL) == LB_QNIL)
			break;
	if (lb_pool_take(&run.pool, nodes, nf))
		goto drop;
	for (k = 0; k < nf; k++) {
		struct lb_qnode *n = &run.pool.node[nodes[k]];

		if (p->zerocopy) {
			uint32_t spare = n->slot.buf_idx;

			n->slot.buf_idx = frag[k]->buf_idx;
			frag[k]->buf_idx = spare;
			frag[k]->flags |= NS_BUF_CHANGED;
		} else {
			nm_pkt_copy(in_buf(frag[k]->buf_idx), in_buf(n->slot.buf_idx),
				    (int)slot_len(frag[k]));
		}
		n->slot.len = (uint16_t)slot_len(frag[k]);
		n->slot.flags = k + 1 < nf ? NS_MOREFRAG : 0;
		n->hash = hash;
	}
	lb_queue_push(q, &run.pool, nodes, nf);
	return p->zerocopy ? PLACE_MOVED : PLACE_KEPT;
drop:
	count_drop(p, bytes);
	return PLACE_KEPT;
}

/*
 * Place a packet into pipe p: into the ring if nothing waits before it
 * and it fits, else into the overflow queue, else drop it.
 */
static enum place_result place(struct lb_pipe *p, struct netmap_slot **frag, unsigned nf,
			       uint32_t hash, uint64_t bytes)
{
	unsigned need = p->zerocopy ? nf : copy_slots(bytes, p->ring->nr_buf_size);

	if (need >= p->ring->num_slots) {	/* can never fit */
		count_drop(p, bytes);
		return PLACE_KEPT;
	}
	if (!lb_queue_pkts(&run.queues[p - run.pipes]) &&
	    ring_put(p, frag, nf, hash, bytes) == 0)
		return p->zerocopy ? PLACE_MOVED : PLACE_KEPT;
	return enqueue(p, frag, nf, hash, bytes);
}

/* Deliver a packet held by lb to groups g, g + 1, ... until its buffers move. */
static void deliver(struct netmap_slot **frag, unsigned nf, uint32_t hash, uint64_t bytes,
		    unsigned g)
{
	for (; g < run.ngroups; g++)
		if (place(pipe_of(g, hash), frag, nf, hash, bytes) == PLACE_MOVED)
			return;
}

/* ================================================================ rounds */

/* Released packets of chained pipes go on to the next group. */
static unsigned pass_released(void)
{
	struct netmap_slot *frag[LB_FRAGS_MAX];
	unsigned moved = 0, g, i, k;

	/* last groups first: a pass writes into the next group's rings */
	for (g = run.ngroups; g-- > 0;) {
		for (i = run.groups[g].first; i < run.groups[g].first + run.groups[g].n; i++) {
			struct lb_pipe *p = &run.pipes[i];
			struct netmap_ring *ring = p->ring;
			uint32_t end = nm_ring_next(ring, ring->tail), n = ring->num_slots;

			if (!p->chained)
				continue;
			while (p->done != end) {
				uint32_t first = p->done, nslots = p->sent[first].nslots;
				uint32_t hash = p->sent[first].hash, s = first;
				uint64_t bytes = 0;
				int bad = 0;

				/* a consumer releases whole packets, but do not trust it */
				if ((end + n - first) % n < nslots)
					break;
				for (k = 0; k < nslots; k++, s = nm_ring_next(ring, s)) {
					frag[k] = &ring->slot[s];
					bad |= !in_buf_ok(frag[k]->buf_idx);
					bytes += slot_len(frag[k]);
				}
				p->done = s;
				moved++;
				if (bad) {	/* a buffer the consumer made up */
					for (k = g + 1; k < run.ngroups; k++)
						count_drop(pipe_of(k, hash), bytes);
					continue;
				}
				deliver(frag, nslots, hash, bytes, g + 1);
			}
		}
	}
	return moved;
}

/* Queued packets go into their rings as room appears, oldest first. */
static void drain_queues(void)
{
	struct netmap_slot *frag[LB_FRAGS_MAX];
	unsigned i, k;

	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];
		struct lb_queue *q = &run.queues[i];
		unsigned n;
		uint32_t first;

		while ((first = lb_queue_peek(q, &run.pool, &n)) != LB_QNIL) {
			uint32_t node = first;
			uint64_t bytes = 0;

			for (k = 0; k < n; k++, node = run.pool.node[node].next) {
				frag[k] = &run.pool.node[node].slot;
				bytes += frag[k]->len;
			}
			if (ring_put(p, frag, n, run.pool.node[first].hash, bytes))
				break;
			lb_queue_pop(q, &run.pool, n);
		}
	}
}

/* Read up to budget packets from one input ring; returns how many. */
static unsigned read_ring(struct netmap_ring *rx, unsigned budget)
{
	struct netmap_slot *frag[LB_FRAGS_MAX];
	uint32_t head = rx->head, tail = rx->tail;
	unsigned count = 0, g;

	while (head != tail && count < budget) {
		uint32_t i = head, hash;
		unsigned nf = 0, over = 0, incomplete = 0;
		uint64_t bytes = 0;
		enum lb_hash_kind kind;

		/*
		 * The slots and headers a few packets on, written by the
		 * sender's CPU, are fetched while this one is handled.
		 */
		if ((tail + rx->num_slots - head) % rx->num_slots > 2 * LB_PREFETCH) {
			__builtin_prefetch(&rx->slot[(head + 2 * LB_PREFETCH) % rx->num_slots]);
			__builtin_prefetch(in_buf(rx->slot[(head + LB_PREFETCH) %
							   rx->num_slots].buf_idx));
		}
		for (;;) {
			struct netmap_slot *s = &rx->slot[i];

			if (nf < LB_FRAGS_MAX)
				frag[nf++] = s;
			else
				over = 1;
			bytes += slot_len(s);
			i = nm_ring_next(rx, i);
			if (!(s->flags & NS_MOREFRAG))
				break;
			if (i == tail) {
				incomplete = 1;	/* the rest of the packet is not here yet */
				break;
			}
		}
		if (incomplete)
			break;
		hash = lb_hash_frame((const uint8_t *)in_buf(frag[0]->buf_idx), slot_len(frag[0]),
				     &kind);
		nt_counter_bump(&run.received, 1);
		nt_counter_bump(&run.received_bytes, bytes);
		if (kind == LB_HASH_NON_IP)
			nt_counter_bump(&run.non_ip, 1);
		if (over)	/* longer than any packet netmap carries */
			for (g = 0; g < run.ngroups; g++)
				count_drop(pipe_of(g, hash), bytes);
		else
			deliver(frag, nf, hash, bytes, 0);
		head = i;
		count++;
	}
	rx->head = rx->cur = head;
	return count;
}

static unsigned read_input(unsigned budget)
{
	static unsigned next;	/* ring to start with: fairness between rings */
	unsigned count = 0, k;

	for (k = 0; k < run.nrx && count < budget; k++)
		count += read_ring(run.rx[(next + k) % run.nrx], budget - count);
	next = (next + 1) % run.nrx;
	return count;
}


/* Does pipe p hold packets that wait for its consumer to release them or make room? */
static inline int waits_for_consumer(const struct lb_pipe *p)
{
	return (p->chained && p->done != p->ring->head) ||
	       lb_queue_pkts(&run.queues[p - run.pipes]);
}

/*
 * Which pipes a sync_pipes() call syncs.  Each sync of a pipe may wake
 * its consumer (a system call and two context switches), so while input
 * keeps coming a pipe is synced only once it holds a good share of its
 * ring (or lb waits for its consumer); everything put is published when
 * the input runs dry and, while it does not, at least every
 * LB_PUBLISH_NS.
 */
enum lb_sync {
	SYNC_DUE,		/* pipes whose consumer lb waits for, or with sync_at slots put */
	SYNC_PUT,		/* those, and every pipe with slots put since its last sync */
	SYNC_ALL,		/* those, and every pipe whose consumer lb waits for */
};

#define LB_PUBLISH_NS	50000	/* 50 us */

static int sync_pipes(struct nt_worker *w, enum lb_sync which)
{
	unsigned i;

	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];
		int err;

		if (p->unsynced < (which == SYNC_DUE ? p->sync_at : 1) &&
		    (which == SYNC_PUT || !waits_for_consumer(p)))
			continue;
		err = nmport_txsync(p->port.d);
		if (err) {
			nt_worker_fail(w, "cannot sync %s: %s", p->port.name, strerror(-err));
			return -1;
		}
		p->unsynced = 0;
	}
	return 0;
}

/*
 * Publish what was put before sleeping, and say whether that sync found
 * room or releases lb waits for.  wait_for_work() asks poll() for a tail
 * beyond the one after this sync: when the sync had picked up the
 * consumer's last release, no more would come, and the packets queued
 * for that pipe (or the slots to pass on) waited for the next input or
 * the poll timeout (the same stall as pkt-gen's sender, ARCHITECTURE.md
 * "Sleeping in poll").
 */
static int publish_before_sleep(struct nt_worker *w, int *room)
{
	unsigned i;

	for (i = 0; i < run.npipes; i++)
		run.pipes[i].tail_seen = run.pipes[i].ring->tail;
	if (sync_pipes(w, SYNC_PUT))
		return -1;
	*room = 0;
	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];

		if (p->ring->tail != p->tail_seen && waits_for_consumer(p))
			*room = 1;
	}
	return 0;
}

/*
 * Sleep until input arrives or a consumer releases slots that lb waits
 * for: moving a TX ring's cur to its tail asks poll() to wake only when
 * the tail moves on (netmap-abi 6.1), that is when the consumer releases.
 */
static int wait_for_work(struct nt_worker *w, struct pollfd *pfd)
{
	unsigned i, n = 1;

	pfd[0].fd = run.in.d->fd;
	pfd[0].events = POLLIN;
	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];

		if (!waits_for_consumer(p))
			continue;
		p->ring->cur = p->ring->tail;
		pfd[n].fd = p->port.d->fd;
		pfd[n].events = POLLOUT;
		n++;
	}
	if (nm_poll(pfd, n, NT_POLL_MS) < 0 && errno != EINTR) {
		nt_worker_fail(w, "cannot poll %s: %s", run.in.name, strerror(errno));
		return -1;
	}
	return 0;
}

static void snap_take(struct lb_snapshot *s);

/* Forwarding thread: copy the counters if the main thread asked for them. */
static inline void serve_snapshot(void)
{
	unsigned req = atomic_load_explicit(&run.snap_req, memory_order_acquire);

	if (req == run.snap_served)
		return;
	snap_take(&run.snap);
	run.snap_served = req;
	atomic_store_explicit(&run.snap_done, req, memory_order_release);
}

/* Forwarding thread: from here the counters change (0) or stay (1). */
static inline void set_resting(int resting)
{
	unsigned seq = atomic_load_explicit(&run.rest_seq, memory_order_relaxed);

	if (resting) {
		atomic_store_explicit(&run.rest_seq, seq + 1, memory_order_release);
	} else {
		atomic_store_explicit(&run.rest_seq, seq + 1, memory_order_relaxed);
		/* the odd value is visible before any counter changes */
		atomic_thread_fence(memory_order_seq_cst);
	}
}

static void forward(struct nt_worker *w)
{
	struct pollfd *pfd = calloc(run.npipes + 1, sizeof(*pfd));
	uint64_t publish_by = 0;	/* when what was put must be published */
	int err;

	if (!pfd) {
		nt_worker_fail(w, "out of memory");
		return;
	}
	set_resting(0);
	while (!nt_stopping()) {
		unsigned moved, got;
		int room;

		serve_snapshot();
		if (sync_pipes(w, SYNC_DUE))
			break;
		moved = pass_released();
		drain_queues();
		got = read_input(run.cfg.batch);
		if (got) {
			uint64_t now = nt_now_ns();

			if (!publish_by) {
				publish_by = now + LB_PUBLISH_NS;
			} else if (now >= publish_by) {
				if (sync_pipes(w, SYNC_PUT))
					break;
				publish_by = 0;
			}
		}
		if (got || run.cfg.busy) {
			err = nmport_rxsync(run.in.d);
			if (err) {
				nt_worker_fail(w, "cannot sync %s: %s", run.in.name, strerror(-err));
				break;
			}
			if (got || moved)
				continue;
			/* busy and idle: publish what was put, pause */
			if (sync_pipes(w, SYNC_PUT))
				break;
			publish_by = 0;
			nt_busy_backoff();
			continue;
		}
		/* idle: publish what was put, then sleep unless that found room */
		publish_by = 0;
		if (publish_before_sleep(w, &room))
			break;
		if (room)
			continue;
		set_resting(1);
		err = wait_for_work(w, pfd);
		set_resting(0);
		if (err)
			break;
	}
	/* what consumers released and queues can still place goes out */
	if (!atomic_load(&w->failed) && !sync_pipes(w, SYNC_ALL)) {
		pass_released();
		drain_queues();
		sync_pipes(w, SYNC_PUT);
	}
	set_resting(1);
	free(pfd);
}

/* ================================================================ output */

/* The counters of pipe i (or of the totals) now, for a statistics line. */
static void pipe_counts(const struct lb_pipe *p, uint64_t v[4])
{
	v[0] = atomic_load_explicit(&p->c.pkts, memory_order_relaxed);
	v[1] = atomic_load_explicit(&p->c.bytes, memory_order_relaxed);
	v[2] = atomic_load_explicit(&p->c.drops, memory_order_relaxed);
	v[3] = atomic_load_explicit(&p->c.drop_bytes, memory_order_relaxed);
}

/* The counters now, read in the thread that changes them or while it rests. */
static void snap_take(struct lb_snapshot *s)
{
	unsigned i;

	for (i = 0; i < run.npipes; i++) {
		uint64_t *v = &s->pipe[LB_SNAP_PER_PIPE * i];

		pipe_counts(&run.pipes[i], v);
		v[4] = lb_queue_pkts(&run.queues[i]);
	}
	s->received = atomic_load_explicit(&run.received, memory_order_relaxed);
	s->non_ip = atomic_load_explicit(&run.non_ip, memory_order_relaxed);
	s->pool_free = lb_pool_free(&run.pool);
}

#define LB_SNAP_WAIT_NS		NT_MSEC(200)

/*
 * Main thread: the counters as of one moment between two rounds of the
 * forwarding thread (struct lb_snapshot).  Should that thread not answer
 * within LB_SNAP_WAIT_NS (it is stuck in a system call), they are read
 * live: a line that may not add up is better than no line.
 */
static void snap_consistent(struct lb_snapshot *s)
{
	uint64_t give_up = nt_now_ns() + LB_SNAP_WAIT_NS;
	unsigned req = atomic_load_explicit(&run.snap_req, memory_order_relaxed) + 1;

	atomic_store_explicit(&run.snap_req, req, memory_order_release);
	for (;;) {
		unsigned seq = atomic_load_explicit(&run.rest_seq, memory_order_acquire);

		if (!(seq & 1)) {
			snap_take(s);
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&run.rest_seq, memory_order_relaxed) == seq)
				return;
		}
		if (atomic_load_explicit(&run.snap_done, memory_order_acquire) == req) {
			memcpy(s->pipe, run.snap.pipe,
			       LB_SNAP_PER_PIPE * run.npipes * sizeof(*s->pipe));
			s->received = run.snap.received;
			s->non_ip = run.snap.non_ip;
			s->pool_free = run.snap.pool_free;
			return;
		}
		if (nt_now_ns() >= give_up)
			break;
		nt_sleep_until_ns(nt_now_ns() + 20000);
	}
	snap_take(s);
}

static void total_counts(uint64_t v[4])
{
	unsigned i, k;
	uint64_t pv[4];

	memset(v, 0, 4 * sizeof(*v));
	for (i = 0; i < run.npipes; i++) {
		pipe_counts(&run.pipes[i], pv);
		for (k = 0; k < 4; k++)
			v[k] += pv[k];
	}
}

/* The four rates of a statistics line, over usec microseconds. */
static void json_rates(struct nt_json *j, const uint64_t *now, const uint64_t *prev,
		       uint64_t usec)
{
	double us = (double)(usec ? usec : 1);

	/* Mbps: 10^6 bits per second = bits per microsecond (7.6: decimal) */
	nt_json_double(j, "data_forward_rate_Mbps", 8.0 * (double)(now[1] - prev[1]) / us, 4);
	nt_json_double(j, "data_drop_rate_Mbps", 8.0 * (double)(now[3] - prev[3]) / us, 4);
	nt_json_double(j, "packet_forward_rate_kpps", 1e3 * (double)(now[0] - prev[0]) / us, 4);
	nt_json_double(j, "packet_drop_rate_kpps", 1e3 * (double)(now[2] - prev[2]) / us, 4);
}

/* Write a line to stdout or send it to syslog. */
static void emit(struct nt_json *j, int where)
{
	if (where == OUT_SYSLOG) {
		const char *text = nt_json_text(j);

		if (text)
			syslog(LOG_INFO, "%s", text);
		j->f = NULL;
	}
	nt_json_end(j);
}

/* One set of netmap's statistics lines (7.4): a line per pipe, then the totals. */
static void stats_lines(struct lb_output *o, int where)
{
	struct lb_snapshot *s = &run.shown;
	struct timespec ts;
	uint64_t now, usec, total[4] = { 0 };
	unsigned i, k;
	struct nt_json j;

	snap_consistent(s);
	now = nt_now_ns();
	usec = (now - o->prev_ns + 500) / 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 0; i < run.npipes; i++) {
		const uint64_t *v = &s->pipe[LB_SNAP_PER_PIPE * i];

		nt_json_begin_bare(&j, stdout);
		nt_json_time(&j, "ts", &ts);
		nt_json_string(&j, "interface", run.pipes[i].port.name);
		nt_json_u64(&j, "output_ring", i);
		nt_json_u64(&j, "packets_forwarded", v[0]);
		nt_json_u64(&j, "packets_dropped", v[2]);
		json_rates(&j, v, &o->prev[4 * i], usec);
		nt_json_u64(&j, "overflow_queue_size", v[4]);
		emit(&j, where);
		memcpy(&o->prev[4 * i], v, 4 * sizeof(*v));
		for (k = 0; k < 4; k++)
			total[k] += v[k];
	}
	nt_json_begin_bare(&j, stdout);
	nt_json_time(&j, "ts", &ts);
	nt_json_string(&j, "interface", run.in.name);
	nt_json_null(&j, "output_ring");
	nt_json_u64(&j, "packets_received", s->received);
	nt_json_u64(&j, "packets_forwarded", total[0]);
	nt_json_u64(&j, "packets_dropped", total[2]);
	nt_json_u64(&j, "non_ip_packets", s->non_ip);
	json_rates(&j, total, o->prev_total, usec);
	nt_json_u64(&j, "free_buffer_slots", s->pool_free);
	emit(&j, where);
	memcpy(o->prev_total, total, sizeof(total));
	o->prev_ns = now;
}

static void report(void *arg, int final)
{
	uint64_t now = nt_now_ns();
	int k;

	(void)arg;
	(void)final;
	for (k = 0; k < 2; k++) {
		struct lb_output *o = &run.out[k];

		if (!o->every_ns || now + NT_MSEC(1) < o->next_ns)
			continue;
		stats_lines(o, k);
		while (o->next_ns <= now + NT_MSEC(1))
			o->next_ns += o->every_ns;	/* an absolute schedule */
	}
}

/* The exit lines (7.4) and, with -j, the summary object (8.1). */
static void summary(int status)
{
	FILE *out = nt_out();
	uint64_t v[4], secs_ns = nt_now_ns() - run.ready_ns;
	unsigned i;

	for (i = 0; i < run.npipes; i++) {
		pipe_counts(&run.pipes[i], v);
		fprintf(out, "pipe %s: %llu packets forwarded, %llu dropped\n",
			run.pipes[i].consumer, (unsigned long long)v[0], (unsigned long long)v[2]);
	}
	total_counts(v);
	fprintf(out, "%llu packets forwarded.  %llu packets dropped. Total %llu\n",
		(unsigned long long)v[0], (unsigned long long)v[2],
		(unsigned long long)(v[0] + v[2]));
	fflush(out);
	if (run.json) {
		struct nt_json j;
		uint64_t pv[4];

		nt_json_begin(&j, run.json, TOOL, "summary");
		nt_json_string(&j, "input", run.in.name);
		nt_json_double(&j, "seconds", (double)secs_ns / 1e9, 6);
		nt_json_u64(&j, "packets_received", atomic_load(&run.received));
		nt_json_u64(&j, "packets_forwarded", v[0]);
		nt_json_u64(&j, "packets_dropped", v[2]);
		nt_json_u64(&j, "non_ip_packets", atomic_load(&run.non_ip));
		nt_json_array_begin(&j, "pipes");
		for (i = 0; i < run.npipes; i++) {
			pipe_counts(&run.pipes[i], pv);
			nt_json_object_begin(&j, NULL);
			nt_json_string(&j, "interface", run.pipes[i].port.name);
			nt_json_string(&j, "group", run.groups[run.pipes[i].group].name);
			nt_json_u64(&j, "output_ring", i);
			nt_json_u64(&j, "packets_forwarded", pv[0]);
			nt_json_u64(&j, "packets_dropped", pv[2]);
			nt_json_u64(&j, "bytes_forwarded", pv[1]);
			nt_json_object_end(&j);
		}
		nt_json_array_end(&j);
		nt_json_int(&j, "exit_status", status);
		nt_json_end(&j);
	}
}

/* ================================================================ setup */

/* Groups and pipes from the options; pipes are prepared, not opened. */
static int prepare_pipes(void)
{
	unsigned g, k, i = 0, total = 0;

	for (g = 0; g < run.cfg.ngroups; g++)
		total += run.cfg.groups[g].npipes;
	run.groups = calloc(run.cfg.ngroups, sizeof(*run.groups));
	run.pipes = calloc(total, sizeof(*run.pipes));
	run.queues = calloc(total, sizeof(*run.queues));
	run.snap.pipe = calloc(LB_SNAP_PER_PIPE * total, sizeof(*run.snap.pipe));
	run.shown.pipe = calloc(LB_SNAP_PER_PIPE * total, sizeof(*run.shown.pipe));
	if (!run.groups || !run.pipes || !run.queues || !run.snap.pipe || !run.shown.pipe) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	run.ngroups = run.cfg.ngroups;
	run.npipes = total;
	for (g = 0; g < run.ngroups; g++) {
		const struct lb_group_arg *ga = &run.cfg.groups[g];
		const struct nt_opt_seen *seen = &run.cfg.groups_seen[g];
		unsigned base = 0, e;
		char name[NT_PORT_NAME_MAX];
		int st;

		/* a later group with the same name continues the numbering (7.2) */
		for (e = 0; e < g; e++)
			if (!strcmp(run.cfg.groups[e].name, ga->name))
				base += run.cfg.groups[e].npipes;
		run.groups[g].name = ga->name;
		run.groups[g].first = i;
		run.groups[g].n = ga->npipes;
		for (k = 0; k < ga->npipes; k++, i++) {
			struct lb_pipe *p = &run.pipes[i];

			/* lb's end, exclusive, TX rings only */
			snprintf(name, sizeof(name), "%s%s{%u/xT",
				 strncmp(ga->name, "vale", 4) ? "netmap:" : "", ga->name, base + k);
			snprintf(p->consumer, sizeof(p->consumer), "%s}%u", ga->name, base + k);
			p->group = g;
			lb_queue_init(&run.queues[i]);
			st = nt_port_prepare(&p->port, TOOL, seen->value ? seen->opt : "-i",
					     seen->value ? seen->value : run.cfg.iface, name);
			if (st)
				return st;
		}
	}
	return 0;
}

/*
 * Register the prepared pipes of parent `name` (every group of that name)
 * in region mem_id (0: a region of their own).  Returns 0, or -errno with
 * the pipe that failed in *failed; the ones before it stay registered.
 */
static int register_parent(const char *name, uint16_t mem_id, struct lb_pipe **failed)
{
	unsigned i;
	int err;

	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];

		if (strcmp(run.groups[p->group].name, name) || p->port.backend)
			continue;
		p->port.d->reg.nr_mem_id = mem_id;
		err = nt_port_try_register(&p->port);
		if (err) {
			*failed = p;
			return err;
		}
	}
	return 0;
}

/* Close the registered pipes of parent `name`, prepared for another try. */
static void unregister_parent(const char *name)
{
	unsigned i;

	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];

		if (strcmp(run.groups[p->group].name, name) || !p->port.backend)
			continue;
		nmport_undo_open_desc(p->port.d);
		p->port.backend = NULL;
	}
}

/*
 * Register the prepared pipes, each parent in the input's region (@M: a
 * parent created now shares it, 7.3) or, if that region has no room
 * left for them, in a region of their own, with copies; report each pipe.
 */
static int open_pipes(void)
{
	uint16_t mem_id = run.in.d->reg.nr_mem_id;
	char why[512];
	struct lb_pipe *failed;
	unsigned i, g, e;
	int err;

	for (g = 0; g < run.ngroups; g++) {
		const char *name = run.groups[g].name;

		for (e = 0; e < g && strcmp(run.groups[e].name, name); e++)
			;
		if (e < g)
			continue;	/* the parent of an earlier group of the same name */
		err = register_parent(name, mem_id, &failed);
		if (err == -ENOMEM) {
			/* before the next netmap call, which clears the detail */
			nt_open_reason(-err, nm_error_detail(), why, sizeof(why));
			unregister_parent(name);
			/* a parent that exists already keeps its region: then this fails too */
			err = register_parent(name, 0, &failed);
			if (!err)
				nt_warn(TOOL, "the pipes of %s do not fit in the input's memory "
					"region %u: %s; they get copies, in a region of their own",
					name, mem_id, why);
		}
		if (err)
			return nt_port_open_failed(&failed->port, -err);
	}
	for (i = 0; i < run.npipes; i++) {
		struct lb_pipe *p = &run.pipes[i];
		size_t len = strlen(p->port.name);

		if (p->port.d->reg.nr_mem_id == mem_id)
			snprintf(p->port.name + len, sizeof(p->port.name) - len, "@%u", mem_id);
		nt_port_report(&p->port);
		if (p->port.d->first_tx_ring > p->port.d->last_tx_ring) {
			nt_err(TOOL, "cannot use %s: the pipe has no tx rings bound", p->port.name);
			return 1;
		}
		p->ring = NETMAP_TXRING(p->port.d->nifp, p->port.d->first_tx_ring);
		p->zerocopy = nt_port_same_region(&run.in, &p->port);
		p->chained = p->zerocopy && p->group + 1 < run.ngroups;
		p->done = p->ring->head;
		p->sync_at = p->ring->num_slots / 2;
		if (p->chained) {
			p->sent = calloc(p->ring->num_slots, sizeof(*p->sent));
			if (!p->sent) {
				nt_err(TOOL, "out of memory");
				return 1;
			}
		}
		if (p->zerocopy)
			nt_diag("pipe %s: zero copy", p->port.name);
		else
			nt_diag("pipe %s: copy (the pipe is in memory region %u, the input in %u)",
				p->port.name, p->port.d->reg.nr_mem_id, mem_id);
	}
	return 0;
}

/* The input's rings and extra buffers. */
static int setup_input(void)
{
	struct nmport_d *d = run.in.d;
	unsigned i;

	if (d->first_rx_ring > d->last_rx_ring) {
		nt_err(TOOL, "cannot use %s: the port has no rx rings bound", run.in.name);
		return 1;
	}
	run.nrx = d->last_rx_ring - d->first_rx_ring + 1u;
	run.rx = calloc(run.nrx, sizeof(*run.rx));
	if (!run.rx) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	for (i = 0; i < run.nrx; i++)
		run.rx[i] = NETMAP_RXRING(d->nifp, d->first_rx_ring + i);
	run.in_buf_size = run.rx[0]->nr_buf_size;
	run.in_nbufs = (uint32_t)(((char *)d->mem->mem + d->mem->size - in_buf(0)) /
				  run.in_buf_size);
	run.extra_granted = d->reg.nr_extra_bufs;
	if (lb_pool_init(&run.pool, d->nifp->ni_bufs_head, run.extra_granted, pool_buf, NULL)) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	if (run.cfg.extra_bufs)
		nt_diag("obtained %u of %u extra buffers", run.pool.count, run.cfg.extra_bufs);
	return 0;
}

static void close_all(void)
{
	unsigned i;

	if (run.in.d && run.in.d->nifp) {
		/* the extra buffers go back to the port, wherever they are now */
		*(uint32_t *)(void *)&run.in.d->nifp->ni_bufs_head =
			lb_pool_release(&run.pool, pool_buf, NULL);
	}
	for (i = 0; i < run.npipes; i++) {
		nt_port_close(&run.pipes[i].port);
		free(run.pipes[i].sent);
	}
	nt_port_close(&run.in);
	nt_json_close_output(run.json);
	free(run.pipes);
	free(run.queues);
	free(run.snap.pipe);
	free(run.shown.pipe);
	free(run.groups);
	free(run.rx);
	free(run.out[0].prev);
	free(run.out[1].prev);
}

static int setup_outputs(void)
{
	uint32_t secs[2] = { run.cfg.stdout_s, run.cfg.syslog_s };
	int k;

	for (k = 0; k < 2; k++) {
		run.out[k].every_ns = NT_SEC(secs[k]);
		run.out[k].prev = calloc(4 * (size_t)run.npipes, sizeof(uint64_t));
		if (!run.out[k].prev) {
			nt_err(TOOL, "out of memory");
			return 1;
		}
	}
	if (run.cfg.syslog_s)
		openlog(TOOL, LOG_PID, LOG_LOCAL1);
	return 0;
}

int main(int argc, char **argv)
{
	struct nt_worker worker = { .fn = forward, .cpu = -1 };
	struct nt_reporter rep;
	struct nt_loop loop = { 0 };
	uint64_t tick;
	int status, k;

	nt_tool_init();
	status = lb_parse_args(argc, argv, &run.cfg);
	if (status)
		return status == LB_ARGS_DONE ? 0 : status;

	/* everything that is a usage error is found before anything is opened */
	status = nt_port_prepare(&run.in, TOOL, run.cfg.iface_seen.opt, run.cfg.iface_seen.value,
				 run.cfg.iface);
	if (status)
		return status;
	{
		const char *kind = nmport_kind(run.in.d);

		status = lb_name_groups(&run.cfg, run.in.d->hdr.nr_name,
					!strcmp(kind, "pipe master") || !strcmp(kind, "pipe slave"));
	}
	if (!status)
		status = prepare_pipes();
	if (!status)
		status = nt_run_begin(TOOL, run.cfg.json_given, run.cfg.json_file, &run.json);
	if (status)
		goto out;

	run.in.d->reg.nr_extra_bufs = run.cfg.extra_bufs;
	status = nt_port_register(&run.in);
	if (status)
		goto out;
	nt_port_report(&run.in);
	status = setup_input();
	if (!status)
		status = open_pipes();
	if (!status)
		status = setup_outputs();
	if (status)
		goto out;

	nt_wait_link(nt_link_wait_ns(run.cfg.wait_given, run.cfg.wait_ns, run.in.is_nic));
	run.ready_ns = nt_now_ns();
	for (k = 0; k < 2; k++) {
		run.out[k].prev_ns = run.ready_ns;
		run.out[k].next_ns = run.ready_ns + run.out[k].every_ns;
	}
	nt_diag("Ready: %s -> %u pipes in %u groups", run.in.name, run.npipes, run.ngroups);
	if (run.json) {
		struct nt_json j;

		nt_json_begin(&j, run.json, TOOL, "start");
		nt_json_string(&j, "version", PACKAGE_VERSION);
		nt_json_string(&j, "input", run.in.name);
		nt_json_u64(&j, "groups", run.ngroups);
		nt_json_u64(&j, "pipes", run.npipes);
		nt_json_end(&j);
	}

	if (!nt_stopping()) {
		int err = nt_workers_start(&worker, 1);

		if (err) {
			nt_err(TOOL, "cannot start the forwarding thread: %s", strerror(err));
			status = 1;
			goto out;
		}
	}
	/* -o and -s count whole seconds: look every second when either is on */
	tick = run.cfg.stdout_s || run.cfg.syslog_s ? NT_SEC(1) : 0;
	nt_reporter_start(&rep, tick ? tick : NT_SEC(3600), NULL, 0);
	loop.rep = &rep;
	loop.report_ns = tick;
	loop.duration_ns = run.cfg.duration_given ? run.cfg.duration_ns : 0;
	loop.workers = &worker;
	loop.nworkers = 1;
	loop.report = report;
	nt_loop_run(&loop);
	nt_request_stop(NT_END_NONE);
	nt_workers_join(&worker, 1);
	status = nt_workers_report(TOOL, &worker, 1, 0) ? 1 : 0;
	summary(status);
out:
	close_all();
	return status;
}
