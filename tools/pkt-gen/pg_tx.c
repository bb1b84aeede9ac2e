// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's transmit side (tools.md 3.3, 3.4, 3.6, 8.3, 8.4): frame sizes
 * (fixed, random range, smooth mix), filling TX rings with built or -P
 * frames, the -R schedule, and the final flush.  A slot's buffer is
 * rewritten only when it does not already hold the frame, so the common
 * case writes nothing but lengths.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "nt_log.h"
#include "pg_run.h"

/* The next frame size: fixed, uniform in a range, or the smooth mix of 8.4. */
static uint32_t pick_size(struct pg_thread *t, unsigned *idx)
{
	unsigned i, best = 0;

	switch (cfg.frame_sizes.kind) {
	case NT_SIZE_RANGE:
		*idx = 0;
		return cfg.range_lo + (uint32_t)(pg_rand(&t->rng) %
						 (cfg.range_hi - cfg.range_lo + 1));
	case NT_SIZE_MIX:
		for (i = 0; i < cfg.frame_sizes.count; i++) {
			t->credit[i] += cfg.frame_sizes.entry[i].weight;
			if (t->credit[i] > t->credit[best])
				best = i;
		}
		t->credit[best] -= (int64_t)run.weight_total;
		*idx = best;
		return cfg.frame_sizes.entry[best].size;
	default:
		*idx = 0;
		return cfg.frame_sizes.entry[0].size;
	}
}

static const struct pg_split *size_split(uint32_t size, unsigned idx, struct pg_split *tmp)
{
	if (cfg.frame_sizes.kind != NT_SIZE_RANGE)
		return &run.split_cache[idx];
	pg_split_frame(size, run.frags, run.max_frag, tmp);
	return tmp;
}

/* Bytes [0, len) of a frame into the slots holding it. */
static void write_frags(uint8_t **bufs, const struct pg_split *sp, const uint8_t *src,
			unsigned len)
{
	unsigned off = 0;

	while (off < len) {
		unsigned i = off / sp->frag_len, start, end, n;

		if (i >= sp->nfrags)
			i = sp->nfrags - 1;
		start = i * sp->frag_len;
		end = start + (i == sp->nfrags - 1 ? sp->last_len : sp->frag_len);
		n = (end < len ? end : len) - off;
		memcpy(bufs[i] + (off - start), src + off, n);
		off += n;
	}
}

/* A frame of `size` bytes was placed: the -R bit schedule, -B, per-size counts. */
static void count_frame(struct pg_thread *t, uint32_t size)
{
	if (run.rate_mode == RATE_BITS)
		t->units += 8 * (cfg.framing ? nt_wire_bytes(size) : size);
	if (cfg.framing)
		t->wire_bytes += nt_wire_bytes(size);
	if (run.count_sizes)
		pg_size_count(t, size);
}

/* The probe of the next packet: txseq's sequence number, or seq + send time. */
static unsigned next_probe(struct pg_thread *t, uint8_t *probe, uint64_t now_real)
{
	uint32_t seq = t->seq++;

	if (run.probe_len == PG_SEQ_LEN) {
		probe[0] = (uint8_t)(seq >> 24);
		probe[1] = (uint8_t)(seq >> 16);
		probe[2] = (uint8_t)(seq >> 8);
		probe[3] = (uint8_t)seq;
	} else {
		pg_probe_write(probe, seq, now_real / NT_NSEC_PER_SEC,
			       (uint32_t)(now_real % NT_NSEC_PER_SEC));
	}
	return run.probe_len;
}

/*
 * -H 10 or 12: the zeroed virtio-net header goes in a slot of its own in
 * front of each packet (a first slot exactly as long as the header, with
 * NS_MOREFRAG: spec 15.5), so frames are built as without it.  Returns the
 * next slot index.
 */
static uint32_t tx_vnet_slot(struct pg_ring *r, uint32_t cur)
{
	struct netmap_ring *ring = r->ring;
	struct netmap_slot *slot = &ring->slot[cur];
	uint8_t *buf = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);

	if (r->tags[cur].key != PG_VNET_KEY || r->tags[cur].buf_idx != slot->buf_idx) {
		memset(buf, 0, run.vnet);
		r->tags[cur].key = PG_VNET_KEY;
		r->tags[cur].buf_idx = slot->buf_idx;
	}
	slot->len = (uint16_t)run.vnet;
	slot->flags = NS_MOREFRAG;
	if (cfg.dump)
		pg_dump_slot(r->id, cur, slot, buf);
	return cur + 1 == ring->num_slots ? 0 : cur + 1;
}

/*
 * -P: place up to `want` frames of the template file on a TX ring, in file
 * order, cycling (8.8).  As in pg_tx_fill(), a slot is rewritten only when its
 * buffer does not already hold that fragment of that record.
 */
static unsigned tx_fill_tpl(struct pg_thread *t, struct pg_ring *r, unsigned want, uint64_t now,
			    uint64_t *bytes_out)
{
	struct netmap_ring *ring = r->ring;
	struct pg_tag *tags = r->tags;
	uint32_t cur = ring->head, space = nm_ring_space(ring), n = 0, lim = ring->num_slots;
	uint64_t bytes = 0;

	while (n < want) {
		uint32_t k = t->tpl_next, size = run.tpl.rec[k].caplen, i;
		const struct pg_split *sp = &run.tpl_split[k];
		const uint8_t *frame = nt_trace_frame(&run.tpl, k);

		if (sp->nfrags + !!run.vnet > space)
			break;
		if (run.rate_mode == RATE_BITS &&
		    nt_pace_due(&t->pace, (double)t->units) > now)
			break;
		if (run.vnet) {
			cur = tx_vnet_slot(r, cur);
			space--;
		}
		for (i = 0; i < sp->nfrags; i++) {
			struct netmap_slot *slot = &ring->slot[cur];
			uint8_t *buf = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			uint32_t len = i == sp->nfrags - 1 ? sp->last_len : sp->frag_len;
			uint32_t key = k < PG_TPL_KEYS ? PG_TPL_KEY(k, i) : 0;

			if (!cfg.rubbish && (cfg.always_copy || !key || tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx)) {
				memcpy(buf, frame + (size_t)i * sp->frag_len, len);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)len;
			slot->flags = i == sp->nfrags - 1 ? 0 : NS_MOREFRAG;
			if (cfg.dump)
				pg_dump_slot(r->id, cur, slot, buf);
			if (++cur == lim)
				cur = 0;
		}
		if (++t->tpl_next == run.tpl.count)
			t->tpl_next = 0;
		space -= sp->nfrags;
		n++;
		bytes += size;
		count_frame(t, size);
	}
	ring->head = ring->cur = cur;
	*bytes_out = bytes;
	return n;
}

/*
 * Place up to `want` packets on a TX ring, from head, without syncing.
 * A slot's buffer is rewritten only when it does not already hold the
 * frame (its tag says which size and fragment it holds); headers are
 * rewritten per packet only when something in them changes.
 */
unsigned pg_tx_fill(struct pg_thread *t, struct pg_ring *r, unsigned want, uint64_t now,
			uint64_t now_real, uint64_t *bytes_out)
{
	struct netmap_ring *ring = r->ring;
	struct netmap_slot *slots = ring->slot;
	struct pg_tag *tags = r->tags;
	uint32_t cur = ring->head, space = nm_ring_space(ring), n = 0, lim = ring->num_slots;
	uint64_t bytes = 0;

	if (run.tpl.count)
		return tx_fill_tpl(t, r, want, now, bytes_out);
	if (!run.dynamic && cfg.frame_sizes.kind == NT_SIZE_FIXED && run.split_cache[0].nfrags == 1 &&
	    !cfg.dump && !cfg.rubbish && !cfg.always_copy && !run.count_sizes && !run.vnet) {
		/* the common case: one fixed frame, one slot each */
		uint32_t size = cfg.frame_sizes.entry[0].size, key = PG_KEY(size, 0);

		if (want > space)
			want = space;
		for (n = 0; n < want; n++) {
			struct netmap_slot *slot = &slots[cur];

			if (__builtin_expect(tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx, 0)) {
				pg_frame_bytes((uint8_t *)NETMAP_BUF_OFFSET(ring, slot),
					       t->hdr_cache[0], cfg.ep.af, size, 0, size);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)size;
			slot->flags = 0;
			if (++cur == lim)
				cur = 0;
		}
		bytes = (uint64_t)n * size;
		if (cfg.framing)
			t->wire_bytes += n * nt_wire_bytes(size);
		goto out;
	}

	while (n < want) {
		struct pg_split tmp;
		const struct pg_split *sp;
		uint8_t *bufs[NETMAP_MAX_FRAGS], hdr[PG_HDR_MAX], probe[PG_PROBE_LEN];
		const uint8_t *h;
		uint32_t size, i, first = cur;
		unsigned idx, hl = 0;

		if (!t->have_next) {
			t->next_size = pick_size(t, &t->next_idx);
			t->have_next = 1;
		}
		size = t->next_size;
		idx = t->next_idx;
		sp = size_split(size, idx, &tmp);
		if (sp->nfrags + !!run.vnet > space)
			break;
		if (run.rate_mode == RATE_BITS &&
		    nt_pace_due(&t->pace, (double)t->units) > now)
			break;
		t->have_next = 0;
		if (run.vnet) {
			cur = tx_vnet_slot(r, cur);
			first = cur;
			space--;
		}

		if (run.dynamic && !cfg.rubbish) {
			/* random sides are drawn per packet, ranges advance afterwards */
			if (cfg.ep.random[PG_SRC] || cfg.ep.random[PG_DST])
				pg_flow_random(&cfg.ep, &t->flow, &t->rng);
			hl = pg_build_header(hdr, &cfg.ep, &t->flow, size, probe,
					     run.probe_len ? next_probe(t, probe, now_real) : 0);
			pg_flow_next(&cfg.ep, &t->flow);
			h = hdr;
		} else {
			h = t->hdr_cache[idx];
		}
		for (i = 0; i < sp->nfrags; i++) {
			struct netmap_slot *slot = &slots[cur];
			uint32_t len = i == sp->nfrags - 1 ? sp->last_len : sp->frag_len;
			uint32_t key = PG_KEY(size, i);

			bufs[i] = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			if (!cfg.rubbish && (cfg.always_copy || tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx)) {
				pg_frame_bytes(bufs[i], h, cfg.ep.af, size, i * sp->frag_len, len);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)len;
			slot->flags = i == sp->nfrags - 1 ? 0 : NS_MOREFRAG;
			if (++cur == lim)
				cur = 0;
		}
		if (hl)
			write_frags(bufs, sp, hdr, hl);
		if (cfg.dump)
			for (i = 0; i < sp->nfrags; i++, first = first + 1 == lim ? 0 : first + 1)
				pg_dump_slot(r->id, first, &slots[first], bufs[i]);
		space -= sp->nfrags;
		n++;
		bytes += size;
		count_frame(t, size);
	}
out:
	ring->head = ring->cur = cur;
	*bytes_out = bytes;
	return n;
}

/*
 * Wait until every submitted slot has completed (3.3); bounded (bound_ns
 * if non-zero, and after a stop request), since pipes complete only when
 * the peer reads.
 */
void pg_tx_flush(struct pg_thread *t, uint64_t bound_ns)
{
	const char *call = "txsync";
	int err = nt_tx_drain(t->ports, t->nports, cfg.busy, bound_ns, &call);

	if (err)
		nt_worker_fail(t->w, "%s on %s failed: %s", call, run.port.name,
			       err == -EIO ? "the port reported an error" : strerror(-err));
}

/* Count what the port took from a ring (2.3), before its slots are reused. */
static void count_taken(struct pg_thread *t, struct pg_ring *r)
{
	nt_tx_count_taken(&r->taken, r->ring, run.vnet, t->ctr, r->id);
}

/*
 * Did the sync after a round that placed nothing move a ring's tail?
 * Then it found room this thread has not looked at yet, and must not
 * sleep: nt_tx_arm() (cur = tail) asks poll() for room beyond that
 * tail, and when the receiver had released every slot by then, no more
 * room ever comes.  Both sides then slept until NT_POLL_MS ran out: on
 * a pipe, 10-15 times in a 2 s run, half the time idle
 * (docs/ARCHITECTURE.md, "Sleeping in poll").
 */
static int tx_room_synced(const struct pg_thread *t)
{
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		if (t->tx[i].ring->tail != t->tx[i].tail_seen)
			return 1;
	return 0;
}

void pg_tx_thread(struct nt_worker *w)
{
	struct pg_thread *t = w->arg;
	uint64_t sent = 0;
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		nt_tx_taken_start(&t->tx[i].taken, t->tx[i].ring);
	t->start_ns = nt_now_ns();
	if (run.rate_mode != RATE_NONE)
		nt_pace_start(&t->pace, run.rate_per_thread, t->start_ns);
	while (!nt_stopping() && !pg_failed(t)) {
		uint64_t now = 0, now_real = 0, allow = UINT64_MAX, placed = 0;

		if (t->limit && sent >= t->limit)
			break;
		if (run.rate_mode != RATE_NONE) {
			uint64_t batch = run.rate_cap, due;

			/*
			 * Wait until a whole batch is due (8.3): at most a millisecond
			 * of traffic leaves at once, and the sender sleeps between
			 * batches instead of spinning packet by packet.
			 */
			if (t->limit && batch > t->limit - sent)
				batch = t->limit - sent;
			if (run.rate_mode == RATE_PACKETS)
				due = nt_pace_due(&t->pace, (double)(sent + batch - 1));
			else
				due = nt_pace_due(&t->pace, (double)t->units +
						  (double)(batch - 1) * run.avg_bits);
			if (nt_wait_due(due, cfg.busy))
				continue;	/* stopping */
			now = nt_now_ns();
			if (run.rate_mode == RATE_PACKETS) {
				uint64_t k = nt_pace_units_due(&t->pace, now);

				allow = k > sent ? k - sent : 0;
			}
			if (allow > run.rate_cap)
				allow = run.rate_cap;
		}
		if (run.probe_len)
			now_real = nt_realtime_ns();
		for (i = 0; i < t->ntx; i++) {
			struct pg_ring *r = &t->tx[i];
			uint64_t want = run.burst, bytes;
			unsigned space = nm_ring_space(r->ring), n;

			if (t->limit && want > t->limit - sent)
				want = t->limit - sent;
			if (want > allow - placed)
				want = allow - placed;
			if (!want)
				break;
			count_taken(t, r);
			n = pg_tx_fill(t, r, (unsigned)want, now, now_real, &bytes);
			if (!n)
				continue;
			nt_tx_placed(&r->taken, r->ring, n, bytes);
			placed += n;
			sent += n;
			nt_counters_note_space(t->ctr, space);
			/* an event is a batch placed; its packets count once taken */
			nt_counter_bump(&t->ctr->events, 1);
		}
		/* the tails this thread looked at: see tx_room_synced() */
		if (!placed && !cfg.busy)
			for (i = 0; i < t->ntx; i++)
				t->tx[i].tail_seen = t->tx[i].ring->tail;
		if (pg_sync_tx(t))
			break;
		if (!placed) {
			/* with -R in bits, the schedule rather than the ring may be the limit */
			if (run.rate_mode == RATE_BITS &&
			    nt_pace_due(&t->pace, (double)t->units) > nt_now_ns())
				continue;
			if (cfg.busy) {
				nt_busy_backoff();
				continue;
			}
			if (tx_room_synced(t))
				continue;
			for (i = 0; i < t->nports; i++)
				nt_tx_arm(t->ports[i]);
			if (pg_wait_ports(t, POLLOUT, NT_POLL_MS))
				break;
		}
	}
	pg_tx_flush(t, 0);
	t->end_ns = nt_now_ns();
	/* left on the rings: for the warning, and off the -B wire bytes counted as placed */
	for (i = 0; i < t->ntx; i++) {
		struct nt_tx_sum *u = &t->tx[i].unsent;

		count_taken(t, &t->tx[i]);
		nt_tx_ring_unsent(t->tx[i].ring, run.vnet, u);
		t->wire_bytes -= u->wire_bytes < t->wire_bytes ? u->wire_bytes : t->wire_bytes;
	}
}
