/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lb's overflow queues (tools.md 7.3).  The extra buffers granted with the
 * input port (-B) become nodes of one pool; a pipe whose ring is full
 * keeps its packets, in order, in a FIFO of nodes, each node holding one
 * buffer (one slot of a packet; NS_MOREFRAG links a packet's slots).  A
 * node's buffer changes as lb swaps buffers between rings and nodes, but
 * the number of buffers lb holds never does, so they all go back to the
 * port at the end.
 *
 * When the pool is empty, lb reclaims the oldest buffers of the longest
 * queue (whole packets, at least LB_RECLAIM_BUFS buffers), favouring new
 * packets over a stalled consumer.
 *
 * Single-threaded: only lb's forwarding thread touches queues and pool;
 * the reporting thread reads the counts through lb_queue_snapshot_*().
 * Private to lb and its tests; nothing here prints or touches a ring.
 */
#ifndef LB_QUEUE_H
#define LB_QUEUE_H

#include <stdatomic.h>
#include <stdint.h>

#include <net/netmap_user.h>

#define LB_QNIL			UINT32_MAX
#define LB_RECLAIM_BUFS		150	/* buffers one reclaim frees (7.3) */

struct lb_qnode {
	struct netmap_slot slot;	/* buf_idx, len, flags (NS_MOREFRAG) */
	uint32_t hash;			/* first slot of a packet: its flow hash */
	uint32_t next;
};

struct lb_pool {
	struct lb_qnode *node;
	uint32_t count;			/* nodes: the extra buffers granted */
	uint32_t free_head;
	_Atomic uint32_t nfree;
};

struct lb_queue {
	uint32_t head, tail;		/* oldest and newest node, LB_QNIL when empty */
	_Atomic uint32_t bufs;		/* nodes queued */
	_Atomic uint32_t pkts;		/* packets queued */
};

/*
 * Take the extra buffers of a port: the list that starts at head and is
 * linked through the first four bytes of each buffer (netmap-abi: the
 * netmap_if's ni_bufs_head), at most max buffers.  buf(idx) gives a
 * buffer's address.  Returns 0, or -ENOMEM.
 */
int lb_pool_init(struct lb_pool *p, uint32_t head, uint32_t max,
		 void *(*buf)(void *ctx, uint32_t idx), void *ctx);

/*
 * Link every buffer lb holds as extra back into a list for the port to
 * free (ni_bufs_head); returns the list's head (0 when empty) and frees
 * the pool.  The queues' contents are dropped: call after the last use.
 */
uint32_t lb_pool_release(struct lb_pool *p, void *(*buf)(void *ctx, uint32_t idx), void *ctx);

void lb_queue_init(struct lb_queue *q);

/* Nodes free in the pool. */
static inline uint32_t lb_pool_free(const struct lb_pool *p)
{
	return atomic_load_explicit(&p->nfree, memory_order_relaxed);
}

static inline uint32_t lb_queue_pkts(const struct lb_queue *q)
{
	return atomic_load_explicit(&q->pkts, memory_order_relaxed);
}

static inline uint32_t lb_queue_bufs(const struct lb_queue *q)
{
	return atomic_load_explicit(&q->bufs, memory_order_relaxed);
}

/*
 * Take n nodes off the pool into out[] (their buffers are lb's to fill
 * or swap); LB_QNIL-free.  Returns 0, or -1 when fewer than n are free
 * (nothing is taken).
 */
int lb_pool_take(struct lb_pool *p, uint32_t *out, unsigned n);

/* Append a packet of n nodes (taken with lb_pool_take, slots filled). */
void lb_queue_push(struct lb_queue *q, struct lb_pool *p, const uint32_t *nodes, unsigned n);

/*
 * The oldest packet: its first node and slot count (NS_MOREFRAG chain),
 * or LB_QNIL when the queue is empty.
 */
uint32_t lb_queue_peek(const struct lb_queue *q, const struct lb_pool *p, unsigned *n);

/* Remove the oldest packet (n nodes from lb_queue_peek) back into the pool. */
void lb_queue_pop(struct lb_queue *q, struct lb_pool *p, unsigned n);

/* Called for each packet a reclaim drops, before its nodes are reused. */
typedef void lb_drop_fn(void *ctx, uint32_t queue, const struct lb_qnode *first,
			uint64_t bytes);

/*
 * The reclaim of 7.3: drop the oldest packets of the queue holding the
 * most buffers until LB_RECLAIM_BUFS buffers are freed or the queue is
 * empty, calling dropped() for each.  Returns the index of that queue,
 * or LB_QNIL when every queue is empty.
 */
uint32_t lb_reclaim(struct lb_queue *queues, uint32_t nqueues, struct lb_pool *p,
		    lb_drop_fn *dropped, void *ctx);

#endif /* LB_QUEUE_H */
