// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb's overflow queues: a pool of nodes holding the extra buffers, FIFOs
 * of nodes per pipe, and the reclaim rule of tools.md 7.3.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lb_queue.h"

static inline void set_relaxed(_Atomic uint32_t *v, uint32_t n)
{
	atomic_store_explicit(v, n, memory_order_relaxed);
}

int lb_pool_init(struct lb_pool *p, uint32_t head, uint32_t max,
		 void *(*buf)(void *ctx, uint32_t idx), void *ctx)
{
	uint32_t n = 0, idx;

	memset(p, 0, sizeof(*p));
	p->free_head = LB_QNIL;
	if (max) {
		p->node = calloc(max, sizeof(*p->node));
		if (!p->node)
			return -ENOMEM;
	}
	/* buffer 0 ends the list; never follow more links than were granted */
	for (idx = head; idx != 0 && n < max; n++) {
		p->node[n].slot.buf_idx = idx;
		p->node[n].next = n + 1 < max ? n + 1 : LB_QNIL;
		idx = *(const uint32_t *)buf(ctx, idx);
	}
	if (n)
		p->node[n - 1].next = LB_QNIL;
	p->count = n;
	p->free_head = n ? 0 : LB_QNIL;
	set_relaxed(&p->nfree, n);
	return 0;
}

uint32_t lb_pool_release(struct lb_pool *p, void *(*buf)(void *ctx, uint32_t idx), void *ctx)
{
	uint32_t head = 0, i;

	for (i = 0; i < p->count; i++) {
		uint32_t idx = p->node[i].slot.buf_idx;

		*(uint32_t *)buf(ctx, idx) = head;
		head = idx;
	}
	free(p->node);
	memset(p, 0, sizeof(*p));
	p->free_head = LB_QNIL;
	return head;
}

void lb_queue_init(struct lb_queue *q)
{
	q->head = q->tail = LB_QNIL;
	set_relaxed(&q->bufs, 0);
	set_relaxed(&q->pkts, 0);
}

int lb_pool_take(struct lb_pool *p, uint32_t *out, unsigned n)
{
	unsigned i;

	if (lb_pool_free(p) < n)
		return -1;
	for (i = 0; i < n; i++) {
		out[i] = p->free_head;
		p->free_head = p->node[out[i]].next;
		p->node[out[i]].next = LB_QNIL;
	}
	set_relaxed(&p->nfree, lb_pool_free(p) - n);
	return 0;
}

void lb_queue_push(struct lb_queue *q, struct lb_pool *p, const uint32_t *nodes, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		p->node[nodes[i]].next = LB_QNIL;
		if (q->tail == LB_QNIL)
			q->head = nodes[i];
		else
			p->node[q->tail].next = nodes[i];
		q->tail = nodes[i];
	}
	set_relaxed(&q->bufs, lb_queue_bufs(q) + n);
	set_relaxed(&q->pkts, lb_queue_pkts(q) + 1);
}

uint32_t lb_queue_peek(const struct lb_queue *q, const struct lb_pool *p, unsigned *n)
{
	uint32_t i = q->head;
	unsigned count = 1;

	if (i == LB_QNIL) {
		*n = 0;
		return LB_QNIL;
	}
	/* push() appends whole packets, so the chain ends inside the queue */
	while ((p->node[i].slot.flags & NS_MOREFRAG) && p->node[i].next != LB_QNIL) {
		i = p->node[i].next;
		count++;
	}
	*n = count;
	return q->head;
}

void lb_queue_pop(struct lb_queue *q, struct lb_pool *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && q->head != LB_QNIL; i++) {
		uint32_t node = q->head;

		q->head = p->node[node].next;
		if (q->head == LB_QNIL)
			q->tail = LB_QNIL;
		p->node[node].next = p->free_head;
		p->free_head = node;
	}
	set_relaxed(&p->nfree, lb_pool_free(p) + i);
	set_relaxed(&q->bufs, lb_queue_bufs(q) - i);
	set_relaxed(&q->pkts, lb_queue_pkts(q) - 1);
}

uint32_t lb_reclaim(struct lb_queue *queues, uint32_t nqueues, struct lb_pool *p,
		    lb_drop_fn *dropped, void *ctx)
{
	uint32_t longest = LB_QNIL, most = 0, i, freed = 0;

	for (i = 0; i < nqueues; i++) {
		if (lb_queue_bufs(&queues[i]) > most) {
			most = lb_queue_bufs(&queues[i]);
			longest = i;
		}
	}
	if (longest == LB_QNIL)
		return LB_QNIL;
	while (freed < LB_RECLAIM_BUFS) {
		unsigned n, k;
		uint32_t first = lb_queue_peek(&queues[longest], p, &n), node;
		uint64_t bytes = 0;

		if (first == LB_QNIL)
			break;
		for (k = 0, node = first; k < n; k++, node = p->node[node].next)
			bytes += p->node[node].slot.len;
		if (dropped)
			dropped(ctx, longest, &p->node[first], bytes);
		lb_queue_pop(&queues[longest], p, n);
		freed += n;
	}
	return longest;
}
