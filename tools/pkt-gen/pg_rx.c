// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's receive side (tools.md 3.3, 3.7, 8.4, 8.5, 8.8): reading RX
 * rings (a packet spanning several slots counts once), the shared -n
 * budget of several receivers, sequence checks, one-way latency, sizes,
 * -X dumps and --pcap-out records.  A receiver that only counts reads
 * single-slot packets in a tight loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <string.h>

#include "nt_log.h"
#include "pg_run.h"

static void seq_check(struct pg_thread *t, struct pg_ring *r, uint32_t seq, uint32_t frags)
{
	if (!r->seq_started) {
		r->seq_started = 1;
		r->seq_frags = frags;
		r->seq_expect = seq + 1;
		return;
	}
	if (seq != r->seq_expect) {
		uint64_t now = nt_now_ns();

		if ((int32_t)(seq - r->seq_expect) > 0) {
			t->gaps++;
			if (now - t->last_gap_log_ns >= NT_SEC(1)) {
				t->last_gap_log_ns = now;
				nt_diag_named("rx_body", "Sequence GAP: exp %u found %u",
					      r->seq_expect, seq);
			}
		} else {
			t->out_of_order++;
			if (now - t->last_ooo_log_ns >= NT_SEC(1)) {
				t->last_ooo_log_ns = now;
				nt_diag_named("rx_body", "Sequence OUT OF ORDER: exp %u found %u",
					      r->seq_expect, seq);
			}
		}
	}
	if (frags != r->seq_frags)
		t->frag_mismatch++;
	r->seq_expect = seq + 1;
}

/* The payload offset of a received frame, from its EtherType. */
static unsigned frame_payload_off(const uint8_t *h, unsigned len)
{
	return len >= PG_ETH_HLEN && h[12] == 0x86 && h[13] == 0xdd ? PG_OFF6 : PG_OFF4;
}

/* A complete packet arrived on ring r: sizes, sequence, latency, ping replies. */
static void rx_packet(struct pg_thread *t, struct pg_ring *r, struct pg_lat_interval *iv,
		      uint64_t now_real)
{
	const uint8_t *h = r->chain_head;
	unsigned hl = r->chain_head_len, off = frame_payload_off(h, hl);
	uint32_t seq;
	uint64_t sec;
	uint32_t nsec;

	if (run.count_sizes)
		pg_size_count(t, r->chain_bytes);
	if (cfg.framing)
		t->wire_bytes += nt_wire_bytes(r->chain_bytes);
	if (cfg.fn == F_RXSEQ && hl >= off + PG_SEQ_LEN) {
		seq = (uint32_t)h[off] << 24 | (uint32_t)h[off + 1] << 16 |
		      (uint32_t)h[off + 2] << 8 | h[off + 3];
		seq_check(t, r, seq, r->chain_frags);
	}
	if (!run.track_latency || hl < off + PG_PROBE_LEN)
		return;
	pg_probe_read(h + off, &seq, &sec, &nsec);
	if (cfg.fn == F_PING) {
		if (!pg_ping_reply(t, seq))
			return;	/* late, duplicate or foreign */
	} else {
		seq_check(t, r, seq, r->chain_frags);
	}
	{
		uint64_t stamp = sec * NT_NSEC_PER_SEC + nsec;
		uint64_t ns = now_real > stamp ? now_real - stamp : 0;

		pg_hist_add(t->hist, ns);
		pg_lat_interval_add(iv, ns);
	}
}

/*
 * --pcap-out: one slot of a received packet.  A packet in one slot is
 * written from its buffer; the slots of a longer one are gathered (up to
 * the snap length) and written as one record at the last slot (8.8).
 */
void pg_pcap_slot(struct pg_ring *r, const uint8_t *buf, uint32_t len, int last,
		      uint64_t ts)
{
	uint32_t snap = cfg.snaplen, k;

	if (last && !r->chain_frags) {
		nt_pcap_out_write(run.pcap_out, ts, buf, len < snap ? len : snap, len);
		return;
	}
	k = snap - r->pcap_len;
	if (k > len)
		k = len;
	memcpy(r->pcap_buf + r->pcap_len, buf, k);
	r->pcap_len += k;
	if (last) {
		nt_pcap_out_write(run.pcap_out, ts, r->pcap_buf, r->pcap_len,
				  r->chain_bytes + len);
		r->pcap_len = 0;
	}
}

/*
 * Read the packets of one RX ring, at most `budget` of them, and release
 * their slots.  A packet spanning several slots counts once; an empty one
 * (length 0: slots of a sender that died while filling them, which the
 * switch publishes empty) does not count at all.
 */
static uint32_t rx_ring(struct pg_thread *t, struct pg_ring *r, uint64_t budget,
			uint64_t *bytes_out, struct pg_lat_interval *iv, uint64_t now_real)
{
	struct netmap_ring *ring = r->ring;
	uint32_t i = ring->head, tail = ring->tail, n = 0, lim = ring->num_slots;
	int per_packet = run.count_sizes || cfg.fn == F_RXSEQ || run.track_latency ||
			 cfg.framing;
	int pcap = run.pcap_out != NULL;
	uint64_t bytes = 0, ts = 0;

	if (__builtin_expect(pcap, 0))
		ts = nt_realtime_ns();	/* the receive time of this batch */
	if (!per_packet && !pcap && !cfg.dump && !cfg.access && !r->chain_frags && !run.vnet) {
		/*
		 * The common case, a plain count: single-slot packets read in
		 * a tight loop; a chain goes to the general loop below.
		 */
		while (i != tail && n < budget) {
			const struct netmap_slot *slot = &ring->slot[i];

			if (__builtin_expect(slot->flags & NS_MOREFRAG, 0))
				break;
			bytes += slot->len;
			n += slot->len != 0;
			if (++i == lim)
				i = 0;
		}
	}
	while (i != tail && n < budget) {
		struct netmap_slot *slot = &ring->slot[i];
		const uint8_t *buf = (const uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
		uint32_t len = slot->len;

		if (cfg.dump)
			pg_dump_slot(r->id, i, slot, buf);
		if (run.vnet) {
			/* -H: the packet starts with the header, in this slot or alone */
			uint32_t skip;

			if (!r->chain_frags)
				r->vnet_left = run.vnet;
			skip = r->vnet_left < len ? r->vnet_left : len;
			r->vnet_left -= skip;
			buf += skip;
			len -= skip;
		}
		if (per_packet && r->chain_head_len < PG_HDR_MAX) {
			uint32_t k = PG_HDR_MAX - r->chain_head_len;

			if (k > len)
				k = len;
			memcpy(r->chain_head + r->chain_head_len, buf, k);
			r->chain_head_len += k;
		}
		if (cfg.access) {
			volatile uint8_t sink = 0;
			uint32_t k;

			for (k = 0; k < len; k++)
				sink ^= buf[k];
			(void)sink;
		}
		if (__builtin_expect(pcap, 0))
			pg_pcap_slot(r, buf, len, !(slot->flags & NS_MOREFRAG), ts);
		r->chain_bytes += len;
		r->chain_frags++;
		if (!(slot->flags & NS_MOREFRAG) && !r->chain_bytes) {
			r->chain_frags = 0;	/* empty: no packet */
			r->chain_head_len = 0;
		} else if (!(slot->flags & NS_MOREFRAG)) {
			bytes += r->chain_bytes;
			n++;
			if (per_packet)
				rx_packet(t, r, iv, now_real);
			r->chain_bytes = 0;
			r->chain_frags = 0;
			r->chain_head_len = 0;
		}
		if (++i == lim)
			i = 0;
	}
	ring->head = ring->cur = i;
	*bytes_out = bytes;
	return n;
}

/* Claim up to `want` packets of the -n total shared by the receivers. */
static uint64_t rx_claim(uint64_t want)
{
	uint_fast64_t cur = atomic_load(&run.rx_remaining), take;

	do {
		if (!cur)
			return 0;
		take = want < cur ? want : cur;
	} while (!atomic_compare_exchange_weak(&run.rx_remaining, &cur, cur - take));
	return take;
}

/* Read every RX ring of the thread once; returns the packets counted. */
uint64_t pg_rx_round(struct pg_thread *t, int limited, int count)
{
	struct pg_lat_interval iv;
	uint64_t got = 0, now_real = 0;
	unsigned i;
	int marked = 0;

	if (run.track_latency) {
		pg_lat_interval_reset(&iv);
		now_real = nt_realtime_ns();
	}
	for (i = 0; i < t->nrx; i++) {
		struct pg_ring *r = &t->rx[i];
		uint64_t avail, budget, bytes;
		uint32_t n;

		if (nm_ring_empty(r->ring))
			continue;
		if (!marked) {	/* -W: a slow batch (-X, pcap) is not idle time */
			atomic_store_explicit(&t->reading, 1, memory_order_relaxed);
			marked = 1;
		}
		avail = nm_ring_space(r->ring);
		budget = avail;
		if (count && budget > run.burst)
			budget = run.burst;	/* -b: most packets per ring per round */
		if (limited) {
			budget = rx_claim(budget);
			if (!budget)
				break;
		}
		if (count)
			nt_counters_note_space(t->ctr, r->ring->num_slots - 1 - avail);
		n = rx_ring(t, r, budget, &bytes, &iv, now_real);
		if (limited && n < budget)
			atomic_fetch_add(&run.rx_remaining, budget - n);
		if (!n)
			continue;
		if (count) {
			nt_counters_add(t->ctr, n, bytes, 1);
			nt_counters_add_ring(t->ctr, r->id, n, bytes);
		}
		got += n;
	}
	if (marked)	/* an empty round, spinning, stores nothing */
		atomic_store_explicit(&t->reading, 0, memory_order_relaxed);
	if (got) {
		uint64_t now = nt_now_ns();

		if (!t->first_ns)
			t->first_ns = now;
		t->last_ns = now;
		if (run.track_latency && iv.count) {
			pthread_mutex_lock(&t->lat_lock);
			pg_lat_interval_merge(&t->lat_iv, &iv);
			pthread_mutex_unlock(&t->lat_lock);
		}
	}
	return got;
}

/* --pcap-out: fail the thread once a write has failed. */
int pg_pcap_failed(struct pg_thread *t)
{
	int err = nt_pcap_out_failed(run.pcap_out);

	if (err)
		nt_worker_fail(t->w, "cannot write %s: %s", cfg.pcap_out, strerror(err));
	return err;
}

void pg_rx_thread(struct nt_worker *w)
{
	struct pg_thread *t = w->arg;
	int limited = cfg.count > 0;

	t->start_ns = nt_now_ns();
	while (!nt_stopping() && !pg_failed(t)) {
		uint64_t got = pg_rx_round(t, limited, 1);

		if (got && run.pcap_out && pg_pcap_failed(t))
			break;
		if (got && limited &&
		    atomic_fetch_add(&run.rx_done, got) + got >= cfg.count) {
			nt_request_stop(NT_END_COUNT);
			break;
		}
		if (cfg.busy && !got)
			nt_busy_backoff();
		if (got || cfg.busy) {
			if (pg_sync_rx(t))
				break;
		} else if (pg_wait_ports(t, POLLIN, NT_POLL_MS)) {
			break;
		}
	}
	/*
	 * Stopped by a signal (1.9, the batch in hand): what had arrived
	 * before it is read and counted, once, so that a script stopping
	 * a receiver after its senders are done gets what they delivered,
	 * however late this thread got to run.
	 */
	if (nt_end_reason() == NT_END_SIGNAL && !pg_failed(t) && !pg_sync_rx(t) &&
	    pg_rx_round(t, limited, 1) && run.pcap_out)
		pg_pcap_failed(t);
	pg_sync_rx(t);	/* release what was read: a pipe peer waits for it */
	t->end_ns = nt_now_ns();
}
