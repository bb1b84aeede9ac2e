// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's latency functions (tools.md 3.3, 3.7, 8.5): ping sends probes
 * (sequence number and send time after the UDP header) and matches their
 * echoes within a window of PG_PING_WINDOW probes, declaring lost those
 * unanswered after a second; pong echoes every frame with its addresses
 * swapped.  The RTTs themselves are recorded by pg_rx.c, which reads the
 * replies.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"
#include "pg_run.h"

/* ping's memory of the probes in flight */
static struct ping_state {
	struct ping_probe {
		uint32_t seq;
		uint8_t pending;
		uint64_t sent_ns;	/* CLOCK_MONOTONIC, for the 1 s timeout */
	} *win;
	uint64_t oldest;		/* lowest sequence number that may be pending */
	uint64_t outstanding;
} ping;

/* Forget probes that are answered, and declare lost those older than 1 s. */
static void ping_expire(uint64_t sent, uint64_t now)
{
	while (ping.oldest < sent) {
		struct ping_probe *p = &ping.win[ping.oldest % PG_PING_WINDOW];

		if (p->seq == (uint32_t)ping.oldest && p->pending) {
			if (now - p->sent_ns < PG_PING_TIMEOUT_NS)
				break;
			p->pending = 0;		/* lost */
			ping.outstanding--;
		}
		ping.oldest++;
	}
}

int pg_ping_setup(void)
{
	ping.win = calloc(PG_PING_WINDOW, sizeof(*ping.win));
	return ping.win ? 0 : -1;
}

int pg_ping_reply(struct pg_thread *t, uint32_t seq)
{
	struct ping_probe *p = &ping.win[seq % PG_PING_WINDOW];

	if (p->seq != seq || !p->pending)
		return 0;
	p->pending = 0;
	ping.outstanding--;
	t->received++;
	return 1;
}

void pg_ping_thread(struct nt_worker *w)
{
	struct pg_thread *t = w->arg;
	uint64_t sent = 0, last_send = 0;
	int draining = 0;

	t->start_ns = nt_now_ns();
	if (run.rate_mode != RATE_NONE)
		nt_pace_start(&t->pace, run.rate_per_thread, t->start_ns);
	for (;;) {
		uint64_t now = nt_now_ns(), quota = 0, due = 0;
		int timeout = NT_POLL_MS;

		if (pg_failed(t))
			break;
		if (!draining && (nt_stopping() || (t->limit && sent >= t->limit))) {
			draining = 1;
			last_send = last_send ? last_send : now;
		}
		if (draining && (!ping.outstanding || now - last_send >= PG_PING_TIMEOUT_NS))
			break;
		if (!draining) {
			if (run.rate_mode != RATE_NONE) {
				uint64_t k = nt_pace_units_due(&t->pace, now);

				quota = k > sent ? k - sent : 0;
				if (quota > run.rate_cap)
					quota = run.rate_cap;
				due = nt_pace_due(&t->pace, (double)sent);
			} else if (ping.outstanding < run.burst) {
				quota = run.burst - ping.outstanding;
			}
			if (t->limit && quota > t->limit - sent)
				quota = t->limit - sent;
			/* the window must not wrap over probes still in flight */
			if (quota > PG_PING_WINDOW - (sent - ping.oldest))
				quota = PG_PING_WINDOW - (sent - ping.oldest);
		}
		if (quota) {
			struct pg_ring *r = &t->tx[0];
			uint64_t bytes, s;
			uint32_t seq0 = t->seq, n;

			n = pg_tx_fill(t, r, (unsigned)quota, now, nt_realtime_ns(), &bytes);
			for (s = 0; s < n; s++) {
				struct ping_probe *p = &ping.win[(seq0 + s) % PG_PING_WINDOW];

				p->seq = seq0 + (uint32_t)s;
				p->pending = 1;
				p->sent_ns = now;
			}
			if (n) {
				sent += n;
				t->sent = sent;
				last_send = now;
				ping.outstanding += n;
				nt_counters_add(t->ctr, n, bytes, 1);
				nt_counters_add_ring(t->ctr, r->id, n, bytes);
				if (pg_sync_tx(t))
					break;
			}
		}
		if (pg_rx_round(t, 0, 0)) {
			if (pg_sync_rx(t))
				break;
			continue;
		}
		ping_expire(sent, now);
		if (cfg.busy) {
			pg_sync_rx(t);
			continue;
		}
		if (run.rate_mode != RATE_NONE && !draining && due > now) {
			uint64_t ms = (due - now) / 1000000;

			timeout = ms < NT_POLL_MS ? (int)ms : NT_POLL_MS;
		}
		if (!draining && !quota && run.rate_mode == RATE_NONE && ping.outstanding < run.burst &&
		    !(t->limit && sent >= t->limit))
			timeout = 0;	/* room to send: do not sleep */
		if (pg_wait_ports(t, POLLIN, timeout))
			break;
	}
	ping_expire(sent, UINT64_MAX / 2);
	pg_sync_rx(t);
	t->end_ns = nt_now_ns();
}

/* pong: swap Ethernet and IP addresses, which keeps every checksum valid. */
static void swap_bytes(uint8_t *a, uint8_t *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t c = a[i];

		a[i] = b[i];
		b[i] = c;
	}
}

static void swap_addresses(uint8_t *p, uint32_t len)
{
	if (len < PG_ETH_HLEN)
		return;
	swap_bytes(p, p + 6, 6);
	if (p[12] == 0x08 && p[13] == 0x00 && len >= 34)
		swap_bytes(p + 26, p + 30, 4);
	else if (p[12] == 0x86 && p[13] == 0xdd && len >= 54)
		swap_bytes(p + 22, p + 38, 16);
}

static struct pg_ring *reply_ring(struct pg_thread *t, const struct pg_ring *rx)
{
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		if (t->tx[i].id == rx->id)
			return &t->tx[i];
	return &t->tx[0];
}

/* --pcap-out for pong: the nf slots of one packet, from slot i, as one record. */
static void pcap_chain(struct pg_ring *r, uint32_t i, uint32_t nf, uint64_t ts)
{
	struct netmap_ring *ring = r->ring;
	uint32_t f, skip = run.vnet;

	for (f = 0; f < nf; f++) {
		const struct netmap_slot *slot = &ring->slot[i];
		uint32_t k = skip < slot->len ? skip : slot->len;

		/* -H: the pcap record is the frame, without its header */
		skip -= k;
		pg_pcap_slot(r, (const uint8_t *)NETMAP_BUF_OFFSET(ring, slot) + k,
			     slot->len - k, f == nf - 1, ts);
		r->chain_bytes += slot->len - k;
		r->chain_frags++;
		i = i + 1 == ring->num_slots ? 0 : i + 1;
	}
	r->chain_bytes = 0;
	r->chain_frags = 0;
}

void pg_pong_thread(struct nt_worker *w)
{
	struct pg_thread *t = w->arg;
	uint64_t replies = 0;

	t->start_ns = nt_now_ns();
	while (!nt_stopping() && !pg_failed(t) && !(t->limit && replies >= t->limit)) {
		uint64_t got = 0, sent_now = 0;
		unsigned k;

		for (k = 0; k < t->nrx; k++) {
			struct pg_ring *r = &t->rx[k];
			struct netmap_ring *ring = r->ring, *txr = reply_ring(t, r)->ring;
			uint32_t i = ring->head, tail = ring->tail, lim = ring->num_slots;
			uint64_t n = 0, bytes = 0, ts = 0;

			if (i == tail)
				continue;
			if (run.pcap_out)
				ts = nt_realtime_ns();
			nt_counters_note_space(t->ctr, lim - 1 - nm_ring_space(ring));
			while (i != tail && !(t->limit && replies >= t->limit)) {
				uint32_t j = i, nf = 1, f, total = 0;

				while (ring->slot[j].flags & NS_MOREFRAG) {
					j = j + 1 == lim ? 0 : j + 1;
					if (j == tail)
						break;
					nf++;
				}
				if (j == tail)
					break;	/* the rest of the packet is not here yet */
				t->received++;
				got++;
				if (__builtin_expect(run.pcap_out != NULL, 0))
					pcap_chain(r, i, nf, ts);
				if (nm_ring_space(txr) >= nf) {
					uint32_t d = txr->head, skip = run.vnet;

					for (f = 0, j = i; f < nf; f++) {
						struct netmap_slot *src = &ring->slot[j];
						struct netmap_slot *dst = &txr->slot[d];
						uint8_t *db;

						db = (uint8_t *)NETMAP_BUF_OFFSET(txr, dst);

						memcpy(db, NETMAP_BUF_OFFSET(ring, src), src->len);
						/* after the -H header, in this slot or the next */
						if (skip < src->len)
							swap_addresses(db + skip,
								       src->len - skip);
						skip = skip < src->len ? (uint32_t)-1 :
						       skip - src->len;
						dst->len = src->len;
						dst->flags = f + 1 < nf ? NS_MOREFRAG : 0;
						total += src->len;
						if (cfg.dump)
							pg_dump_slot(txr->ringid, d, dst, db);
						d = d + 1 == txr->num_slots ? 0 : d + 1;
						j = j + 1 == lim ? 0 : j + 1;
					}
					txr->head = txr->cur = d;
					replies++;
					n++;
					bytes += total;
					if (cfg.framing)
						t->wire_bytes += nt_wire_bytes(total);
				} else {
					j = i;
					for (f = 0; f < nf; f++)
						j = j + 1 == lim ? 0 : j + 1;
				}
				i = j;
			}
			ring->head = ring->cur = i;
			if (n) {
				nt_counters_add(t->ctr, n, bytes, 1);
				nt_counters_add_ring(t->ctr, r->id, n, bytes);
				sent_now += n;
			}
		}
		t->sent = replies;
		if (got && run.pcap_out && pg_pcap_failed(t))
			break;
		if (sent_now && pg_sync_tx(t))
			break;
		if (got || cfg.busy) {
			if (pg_sync_rx(t))
				break;
		} else if (pg_wait_ports(t, POLLIN, NT_POLL_MS)) {
			break;
		}
	}
	pg_tx_flush(t, NT_SEC(1));
	pg_sync_rx(t);
	t->end_ns = nt_now_ns();
}

