// SPDX-License-Identifier: BSD-2-Clause
/*
 * NIC ports (spec sections 21 and 22) and their attachment to VALE
 * switches (15.3 step 5, 15.9).
 *
 * A NIC adapter is a system interface seen through the host's device
 * interface (host.h, nmh_nic_*): the host opens the device, diverts its
 * traffic while the adapter is in netmap mode, transmits frames, counts
 * their completions and queues what it received.  What the rings mean
 * is decided here, once for every host:
 *
 *  - hardware TX ring q: each slot released by the user is one frame on
 *    device queue q; tail only advances as the device frees frames, so a
 *    sender never overruns the device and loses nothing silently;
 *  - hardware RX ring q: frames of device queue q, split over several
 *    slots (NS_MOREFRAG) when larger than a buffer;
 *  - host RX rings: what the host stack transmits through the device;
 *    host TX rings: frames handed to the stack as if received (21);
 *  - NS_FORWARD / NR_FORWARD / the fwd parameter: transparent mode.
 *
 * An attached NIC (vale-ctl -a/-h) is wrapped in switch ports of kind
 * NM_KIND_BWRAP: the device's received frames are written into the
 * wrapper's TX rings and forwarded by the switch, and what the switch
 * delivers into the wrapper's RX rings is transmitted by the device (or
 * handed to the host stack for the "^" port).  That work runs in the
 * host's deferred context (nm_nic_work) or in polling threads
 * (nm_nic_poll), and in the sender's own TX sync when a switch delivers.
 *
 * A persistent VALE port already on a switch is wrapped the same way on
 * a second one (15.3 step 5): its own rings join the two, and what
 * either switch delivers into one side is relayed, in the sender's
 * sync, into the other side's TX ring and forwarded on that switch
 * (nm_bwrap_relay).
 *
 * Control paths run under the control lock; the data paths under the
 * kring's busy ownership; nm_nic_event and nm_nic_state may run in any
 * host context (interrupts included) and only flag and wake.
 */
#include "nm_core.h"

/* Frames moved per host call. */
#define NM_NIC_BATCH 64
/* Most rings a NIC port is given per direction, host rings included. */
#define NM_NIC_MAX_RINGS 64

/* ---------------------------------------------------------------- */
/* The host's events                                                */
/* ---------------------------------------------------------------- */

/*
 * Does a frame the host stack sends through device TX queue txq go to
 * host RX ring *hq (21: only while that TX queue is in netmap mode)?
 */
int nm_nic_host_wanted(struct nm_adapter *na, uint32_t txq, uint32_t *hq)
{
	uint32_t n = na->num_rings[NR_TX], h = na->num_host_rings[NR_RX];

	if (!h || !n)
		return 0;
	txq %= n;
	if (!(NM_READ_ONCE(na->flags) & NAF_KERNEL_OWNED) &&
	    !NM_READ_ONCE(na->rings[NR_TX][txq].users))
		return 0;
	*hq = txq % h;
	return 1;
}

/*
 * Frames arrived on queue q (t = NR_RX; host: a host stack queue) or the
 * device freed frames of TX queue q (t = NR_TX).
 */
void nm_nic_event(struct nm_adapter *na, enum nm_txrx t, uint32_t q,
		  int host)
{
	uint32_t idx;

	if (NM_READ_ONCE(na->flags) & NAF_KERNEL_OWNED) {
		/* Polling threads read the device RX queues themselves. */
		if (t == NR_RX && !host && NM_READ_ONCE(na->polling))
			return;
		nmh_nic_kick(na->nic);
		return;
	}
	idx = host ? na->num_rings[t] + q : q;
	if (na->rings[t] && idx < nma_all_rings(na, t))
		nmh_kring_notify(&na->rings[t][idx]);
}

/* Device down (rings stopped), up again, or gone (zombie, 22). */
void nm_nic_state(struct nm_adapter *na, uint32_t state)
{
	if (NM_READ_ONCE(na->nic_state) == NM_NIC_GONE)
		return;
	NM_WRITE_ONCE(na->nic_state, state);
	if (na->rings[NR_TX])
		nma_notify_all(na);
}

/* ---------------------------------------------------------------- */
/* Data path of a NIC port bound by users                           */
/* ---------------------------------------------------------------- */

/* Clear the flags the kernel consumes, storing only when they change. */
static inline void nm_slot_done(struct netmap_slot *s, uint16_t keep)
{
	uint16_t f = s->flags & ~(NS_BUF_CHANGED | NS_REPORT | NS_FORWARD);

	f |= keep;
	if (s->flags != f)
		s->flags = f;
}

/* Where slot s's data starts and how long it is (offsets, 10.7). */
static inline const uint8_t *nm_slot_data(const struct nm_kring *k,
					  const struct nm_bufs *bb,
					  const struct netmap_slot *s,
					  uint32_t *len)
{
	uint64_t off = nm_slot_offset(k, s);
	uint32_t max = bb->size - (uint32_t)off;
	uint32_t l = NM_READ_ONCE(s->len);	/* user space may change it */

	*len = l > max ? max : l;
	return nm_bufs_addr(bb, NM_READ_ONCE(s->buf_idx)) + off;
}

/*
 * Publish a new tail.  Another binding of the ring may sleep waiting for
 * it (two threads, one syncing, one in poll): wake it as a peer would.
 */
static void nm_nic_set_tail(struct nm_kring *k, uint32_t tail)
{
	if (tail == k->nr_hwtail)
		return;
	nm_store_release(&k->nr_hwtail, tail);
	nmh_kring_notify(k);
}

/* Host TX ring: every released slot goes to the host stack (21). */
static int nm_nic_host_txsync(struct nm_kring *k)
{
	struct nm_adapter *na = k->na;
	uint32_t n = k->nkr_num_slots, head = k->rhead, cur = k->nr_hwcur;
	struct netmap_slot *slot = k->ring->slot;
	struct nm_bufs bb;

	nm_bufs_init(&bb, na->mem);
	for (; cur != head; cur = nm_next(cur, n)) {
		struct netmap_slot *s = &slot[cur];
		const uint8_t *buf;
		uint32_t len;

		buf = nm_slot_data(k, &bb, s, &len);
		if (len >= 14 && len == s->len)
			nmh_nic_host_send(na->nic, buf, len);
		nm_slot_done(s, 0);
	}
	k->nr_hwcur = head;
	nm_store_release(&k->nr_hwtail, nm_prev(head, n));
	return 0;
}

/*
 * Hardware TX ring: transmit [hwcur, head) while the device takes
 * frames.  Slots whose frames the device has not freed yet stay the
 * kernel's: tail = hwcur - 1 - in flight.
 */
static int nm_nic_txsync(struct nm_kring *k, int flags)
{
	struct nm_adapter *na = k->na;
	uint32_t n = k->nkr_num_slots, head = k->rhead, cur = k->nr_hwcur;
	uint32_t q = k->ring_id, done, inflight;
	struct netmap_slot *slot = k->ring->slot;
	struct nm_bufs bb;

	(void)flags;
	if (q >= na->num_rings[NR_TX])
		return nm_nic_host_txsync(k);
	nm_bufs_init(&bb, na->mem);
	done = nmh_nic_tx_done(na->nic, q);
	inflight = k->nic_inflight;
	inflight = done >= inflight ? 0 : inflight - done;
	for (; cur != head; cur = nm_next(cur, n)) {
		struct netmap_slot *s = &slot[cur];
		const uint8_t *buf;
		uint32_t len;
		int err;

		buf = nm_slot_data(k, &bb, s, &len);
		err = nmh_nic_xmit(na->nic, q, buf, len);
		if (err == -EBUSY)
			break;
		if (!err)
			inflight++;
		nm_slot_done(s, 0);
	}
	if (cur != k->nr_hwcur || inflight) {
		/*
		 * Out they go; what completed meanwhile is free at once.  Also
		 * with nothing new: a host that batches may have left frames a
		 * busy device refused, and only a flush sends them (a program
		 * draining its ring syncs until they complete).
		 */
		nmh_nic_xmit_flush(na->nic, q);
		done = nmh_nic_tx_done(na->nic, q);
		inflight = done >= inflight ? 0 : inflight - done;
	}
	k->nic_inflight = inflight;
	k->nr_hwcur = cur;
	nm_nic_set_tail(k, (cur + 2 * n - 1 - inflight) % n);
	return 0;
}

/*
 * Move a released host RX slot into a free slot of a hardware TX ring
 * by swapping buffers (21); the TX ring's head and cur advance.  0 when
 * every TX ring is full.
 */
static int nm_nic_fwd_to_tx(struct nm_adapter *na, struct netmap_slot *s)
{
	uint32_t t;

	for (t = 0; t < na->num_rings[NR_TX]; t++) {
		struct nm_kring *tk = &na->rings[NR_TX][t];
		struct netmap_ring *ring = tk->ring;
		uint32_t h, tail, idx;
		struct netmap_slot *ts;

		if (!ring)
			continue;
		h = NM_READ_ONCE(ring->head);
		tail = tk->rtail;
		if (h >= tk->nkr_num_slots || h == tail)
			continue;
		ts = &ring->slot[h];
		idx = ts->buf_idx;
		ts->buf_idx = s->buf_idx;
		ts->len = s->len;
		ts->ptr = s->ptr;
		ts->flags = NS_BUF_CHANGED;
		s->buf_idx = idx;
		h = nm_next(h, tk->nkr_num_slots);
		NM_WRITE_ONCE(ring->head, h);
		NM_WRITE_ONCE(ring->cur, h);
		return 1;
	}
	return 0;
}

/*
 * Fill the free slots of RX kring k (from hwtail up to hwcur - 1) with
 * frames of device queue q (host: host stack queue q).
 */
static void nm_nic_import(struct nm_kring *k, uint32_t q, int host)
{
	struct nm_adapter *na = k->na;
	struct netmap_slot *slot = k->ring->slot;
	uint32_t n = k->nkr_num_slots, tail, room;
	uint32_t nbufs = nm_mem_nbufs(na->mem);
	struct nm_nic_rxbuf rb[NM_NIC_BATCH] NM_UNINIT;
	struct nm_bufs bb;
	int bad = 0;

	/*
	 * Nothing queued: the host's receive path filled what came (or
	 * nothing did); publish it.  Else fill from the queue after what
	 * the host filled, while it holds off.
	 */
	if (!nmh_nic_rx_hold(na->nic, q, host, 1)) {
		nm_nic_set_tail(k, nm_load_acquire(&k->nic_fill));
		return;
	}
	tail = nm_load_acquire(&k->nic_fill);
	room = n - 1 - nm_dist(k->nr_hwcur, tail, n);
	nm_bufs_init(&bb, na->mem);
	while (room && !bad) {
		uint32_t m = room < NM_NIC_BATCH ? room : NM_NIC_BATCH;
		uint32_t j, got, at = tail;

		for (j = 0; j < m; j++, at = nm_next(at, n)) {
			struct netmap_slot *s = &slot[at];
			uint64_t off = nm_slot_offset(k, s);
			uint32_t cap = bb.size - (uint32_t)off;

			/* A buffer the user broke: repair (6.4) and stop. */
			if (s->buf_idx < 2 || s->buf_idx >= nbufs) {
				bad = 1;
				break;
			}
			if (cap > k->buf_usable)
				cap = k->buf_usable;
			rb[j].buf = nm_bufs_addr(&bb, s->buf_idx) + off;
			rb[j].cap = cap;
		}
		m = j;
		got = m ? nmh_nic_rx_pull(na->nic, q, host, rb, m) : 0;
		for (j = 0; j < got; j++) {
			struct netmap_slot *s = &slot[tail];

			s->len = (uint16_t)rb[j].len;
			s->flags = rb[j].more ? NS_MOREFRAG : 0;
			tail = nm_next(tail, n);
		}
		room -= got;
		if (got < m)
			break;
	}
	nm_store_release(&k->nic_fill, tail);
	nmh_nic_rx_hold(na->nic, q, host, 0);
	nm_nic_set_tail(k, nm_load_acquire(&k->nic_fill));
	if (bad)
		nm_ring_repair(k);
}

/*
 * RX sync of a hardware or host ring: the released slots first
 * (transparent mode, 21), then new frames.
 */
static int nm_nic_rxsync(struct nm_kring *k, int flags)
{
	struct nm_adapter *na = k->na;
	uint32_t n = k->nkr_num_slots, head = k->rhead, cur = k->nr_hwcur;
	uint32_t nhw = na->num_rings[NR_RX];
	int host = k->ring_id >= nhw, all = nm_g->params.fwd != 0;
	int fwd = all || (NM_READ_ONCE(k->ring->flags) & NR_FORWARD);
	struct netmap_slot *slot = k->ring->slot;
	struct nm_bufs bb;

	nm_bufs_init(&bb, na->mem);
	for (; cur != head; cur = nm_next(cur, n)) {
		struct netmap_slot *s = &slot[cur];
		uint16_t keep = 0;

		if (fwd && (all || (s->flags & NS_FORWARD))) {
			if (!host) {
				const uint8_t *buf;
				uint32_t len;

				buf = nm_slot_data(k, &bb, s, &len);
				if (len >= 14)
					nmh_nic_host_send(na->nic, buf, len);
			} else if ((flags & NAF_FWD_TX) &&
				   nm_nic_fwd_to_tx(na, s)) {
				keep = NS_BUF_CHANGED;
			}
		}
		nm_slot_done(s, keep);
	}
	nm_store_release(&k->nr_hwcur, head);
	nm_nic_import(k, host ? k->ring_id - nhw : k->ring_id, host);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                       */
/* ---------------------------------------------------------------- */

static int nm_nic_reg(struct nm_adapter *na, int onoff)
{
	enum nm_txrx t;
	uint32_t i;
	int err;

	if (!onoff) {
		if (na->nic)
			nmh_nic_intercept(na->nic, 0);
		nma_rings_delete(na);
		return 0;
	}
	if (!na->nic)
		return -ENXIO;
	err = nma_rings_create(na, NULL);
	if (err)
		return err;
	NM_FOR_RX_TX(t)
		for (i = 0; i < nma_all_rings(na, t); i++) {
			na->rings[t][i].nic_inflight = 0;
			na->rings[t][i].nic_fill = na->rings[t][i].nr_hwtail;
		}
	for (i = 0; i < na->num_rings[NR_TX]; i++)
		nmh_nic_tx_done(na->nic, i);	/* forget older completions */
	err = nmh_nic_intercept(na->nic, 1);
	if (err)
		nma_rings_delete(na);
	return err;
}

static void nm_nic_dtor(struct nm_adapter *na)
{
	if (na->nic)
		nmh_nic_close(na->nic);
	nma_free(na);
}

const struct nm_adapter_ops nm_nic_ops = {
	.reg = nm_nic_reg,
	.txsync = nm_nic_txsync,
	.rxsync = nm_nic_rxsync,
	.dtor = nm_nic_dtor,
};

/*
 * The hardware rings a binding of a NIC port takes or leaves, told to
 * the host (per-process device I/O in the user runtime).  Other ports:
 * nothing to do.
 */
int nm_nic_bind(struct nm_adapter *na, const struct nm_priv *priv, int on)
{
	uint32_t first[2], last[2];
	enum nm_txrx t;

	if (na->kind != NM_KIND_NIC || !na->nic)
		return 0;
	NM_FOR_RX_TX(t) {
		uint32_t n = na->num_rings[t];

		first[t] = priv->qfirst[t] < n ? priv->qfirst[t] : n;
		last[t] = priv->qlast[t] < n ? priv->qlast[t] : n;
	}
	return nmh_nic_bind(na->nic, first, last, on);
}

/* Nobody uses the port any more: the host forgets the device. */
void nm_nic_release_unused(struct nm_adapter *na)
{
	if (na->kind != NM_KIND_NIC || na->users || na->num_pipes ||
	    na->bwrap[0] || !na->nic)
		return;
	nmh_nic_close(na->nic);
	na->nic = NULL;
}

static uint32_t nm_nic_clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The NIC port of interface name (14.1 step 5, 22): the one already
 * open, or a new one with the device's geometry.  Requested slot counts
 * (@conf) and host ring counts (11.6) apply to a new port only.
 */
int nm_nic_get(const char *name, struct nmreq_register *req,
	       struct nm_adapter **out)
{
	struct nm_nic_geom g;
	struct nm_adapter *na;
	uint32_t slots[2], host[2];
	enum nm_txrx t;
	int err;

	na = nmh_nic_find(name);
	if (na) {
		nma_get(na);
		*out = na;
		return 0;
	}
	host[NR_TX] = req && req->nr_host_tx_rings ? req->nr_host_tx_rings : 1;
	host[NR_RX] = req && req->nr_host_rx_rings ? req->nr_host_rx_rings : 1;
	if (host[NR_TX] > NM_NIC_MAX_RINGS / 2 ||
	    host[NR_RX] > NM_NIC_MAX_RINGS / 2)
		return -EINVAL;
	if (!nm_g->host_nic_host_rings)
		host[NR_TX] = host[NR_RX] = 0;	/* nm_select_rings says why */
	na = nmh_zalloc(sizeof(*na));
	if (!na)
		return -ENOMEM;
	nm_strlcpy(na->name, name, sizeof(na->name));
	na->kind = NM_KIND_NIC;
	na->flags = NAF_OFFSETS | NAF_MOREFRAG;
	if (host[NR_TX])
		na->flags |= NAF_HOST_RINGS;
	na->ns = nmh_netns_self();
	memset(&g, 0, sizeof(g));
	err = nmh_nic_open(name, na, &g, &na->nic);
	if (err) {
		nmh_free(na);
		return err;
	}
	if (nm_g->params.admode == 1) {
		/* Native adapters only: this project has none (22). */
		nmh_nic_close(na->nic);
		nmh_free(na);
		return -EOPNOTSUPP;
	}
	slots[NR_TX] = g.tx_slots >= 3 ? g.tx_slots : nm_g->params.generic_ringsize;
	slots[NR_RX] = g.rx_slots >= 3 ? g.rx_slots : nm_g->params.generic_ringsize;
	if (req && req->nr_tx_slots)
		slots[NR_TX] = req->nr_tx_slots;
	if (req && req->nr_rx_slots)
		slots[NR_RX] = req->nr_rx_slots;
	na->num_rings[NR_TX] = nm_nic_clamp(g.txq, 1, NM_NIC_MAX_RINGS / 2);
	na->num_rings[NR_RX] = nm_nic_clamp(g.rxq, 1, NM_NIC_MAX_RINGS / 2);
	NM_FOR_RX_TX(t) {
		na->num_slots[t] = nm_nic_clamp(slots[t], 64, 16384);
		na->num_host_rings[t] = host[t];
	}
	na->mem = nm_mem_global();
	nm_mem_get(na->mem);
	na->refcount = 1;
	err = nma_krings_create(na);
	if (err) {
		nma_put(na);
		return err;
	}
	*out = na;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Attached NICs: the switch ports wrapping them                    */
/* ---------------------------------------------------------------- */

/*
 * Device (or host stack) -> switch: write the frames queued for ring r
 * into the wrapper's TX ring r and forward them.
 */
static void nm_bwrap_pull(struct nm_adapter *w, uint32_t r)
{
	struct nm_kring *k = &w->rings[NR_TX][r];
	struct nm_adapter *nic = w->nic_parent;
	struct nm_nic_rxbuf rb[NM_NIC_BATCH] NM_UNINIT;
	uint32_t n = k->nkr_num_slots, got, j, at;
	struct nm_bufs bb;

	if (!k->ring || !nm_kring_try_busy(k))
		return;
	nm_bufs_init(&bb, w->mem);
	do {
		uint32_t m = n - 1 < NM_NIC_BATCH ? n - 1 : NM_NIC_BATCH;

		at = k->nr_hwcur;
		for (j = 0; j < m; j++, at = nm_next(at, n)) {
			rb[j].buf = nm_bufs_addr(&bb, k->ring->slot[at].buf_idx);
			rb[j].cap = bb.size;
		}
		got = nmh_nic_rx_pull(nic->nic, r, w->nic_host, rb, m);
		at = k->nr_hwcur;
		for (j = 0; j < got; j++, at = nm_next(at, n)) {
			struct netmap_slot *s = &k->ring->slot[at];

			s->len = (uint16_t)rb[j].len;
			s->flags = rb[j].more ? NS_MOREFRAG : 0;
			s->ptr = 0;
		}
		if (got) {
			k->rhead = k->rcur = at;
			nm_vale_txsync_kernel(k, 0);
		}
	} while (got == NM_NIC_BATCH);
	nm_kring_unbusy(k);
}

/* ---------------------------------------------------------------- */
/* Wrapped persistent ports: relays between two switches            */
/* ---------------------------------------------------------------- */

/* Rounds a relay makes while more frames arrive behind it. */
#define NM_RELAY_ROUNDS 4

/*
 * Copy the frames of [*cur, tail) of RX ring src into TX ring dst from
 * its hwcur on, whole packets only, as many as fit; returns dst's new
 * head, *cur the first slot not taken.  A packet longer than dst's ring
 * is dropped.  Both rings are kernel-owned: their slots hold valid
 * buffers and lengths the switch wrote.
 */
static uint32_t nm_relay_copy(struct nm_kring *src, struct nm_kring *dst,
			      uint32_t *cur, uint32_t tail)
{
	uint32_t ns = src->nkr_num_slots, nd = dst->nkr_num_slots;
	uint32_t c = *cur, start = dst->nr_hwcur, at = start, room = nd - 1;
	uint32_t pkt_c = c, pkt_at = at;	/* where the packet began */
	struct nm_bufs sb, db;

	nm_bufs_init(&sb, src->na->mem);
	nm_bufs_init(&db, dst->na->mem);
	while (c != tail) {
		const struct netmap_slot *ss = &src->ring->slot[c];
		struct netmap_slot *ds = &dst->ring->slot[at];
		uint16_t more = ss->flags & NS_MOREFRAG;
		uint32_t len = ss->len;

		if (!room) {
			if (pkt_at != start) {
				c = pkt_c;	/* the rest in the next round */
				at = pkt_at;
				break;
			}
			/* Longer than the whole ring: dropped. */
			while (c != tail && (src->ring->slot[c].flags & NS_MOREFRAG))
				c = nm_next(c, ns);
			if (c != tail)
				c = nm_next(c, ns);
			pkt_c = c;
			at = start;
			room = nd - 1;
			continue;
		}
		if (len > sb.size || len > db.size)
			len = 0;
		memcpy(nm_bufs_addr(&db, ds->buf_idx),
		       nm_bufs_addr(&sb, ss->buf_idx), len);
		ds->len = (uint16_t)len;
		ds->flags = more;
		ds->ptr = 0;
		c = nm_next(c, ns);
		at = nm_next(at, nd);
		room--;
		if (!more) {
			pkt_c = c;
			pkt_at = at;
		}
	}
	*cur = c;
	return at;
}

/*
 * What a switch delivered into RX ring src of a wrapped persistent port
 * (or of its wrapper) goes on into TX ring dst of the other side, and is
 * forwarded by dst's switch.  Runs in the sender's sync, which holds
 * depth + 1 switch locks: the next switch is entered without waiting
 * (nm_vale_txsync_kernel), and a frame is never relayed across more than
 * NM_BDG_MAX_HOPS of them.  What cannot go on is dropped, as a switch
 * drops what it cannot deliver.  Whoever holds src relays; the others
 * leave it to the holder, which looks again after letting go (a few
 * times: in a loop of switches its own frames come back).
 */
static void nm_bwrap_relay(struct nm_kring *src, struct nm_kring *dst,
			   uint32_t depth)
{
	uint32_t rounds = 0;

	if (!src->ring || !dst->ring)
		return;
	while (nm_kring_try_busy(src)) {
		uint32_t cur = src->nr_hwcur;
		uint32_t tail = nm_load_acquire(&src->nr_hwtail);

		if (depth < NM_BDG_MAX_HOPS && nm_kring_try_busy(dst)) {
			while (cur != tail) {
				uint32_t head = nm_relay_copy(src, dst, &cur,
							      tail);

				if (head == dst->nr_hwcur)
					continue;	/* all dropped */
				dst->rhead = dst->rcur = head;
				nm_vale_txsync_kernel(dst, depth + 1);
			}
			nm_kring_unbusy(dst);
		}
		nm_store_release(&src->nr_hwcur, tail);
		nm_kring_unbusy(src);
		nm_mb();
		if (nm_load_acquire(&src->nr_hwtail) == tail ||
		    ++rounds == NM_RELAY_ROUNDS)
			break;
	}
}

/*
 * Switch -> device (or host stack): what the switch delivered into the
 * wrapper's RX ring dk.  Runs in the sender's TX sync right after a
 * delivery (holding depth + 1 switch locks), and in the host's deferred
 * context after completions.  Whoever holds the ring flushes; the
 * others leave it to the holder, which looks again after letting go.
 * For a wrapped persistent port (dk its own RX ring, or its wrapper's)
 * the frames are relayed to the other switch.
 */
void nm_bwrap_flush(struct nm_kring *dk, uint32_t depth)
{
	struct nm_adapter *w = dk->na, *nic;
	uint32_t n = dk->nkr_num_slots, q = dk->ring_id;
	struct nm_bufs bb;

	if (w->kind != NM_KIND_BWRAP) {
		struct nm_adapter *wp = w->bwrap[0];

		if (wp)
			nm_bwrap_relay(dk, &wp->rings[NR_TX][q], depth);
		return;
	}
	nic = w->nic_parent;
	if (nic->kind != NM_KIND_NIC) {
		nm_bwrap_relay(dk, &nic->rings[NR_TX][q], depth);
		return;
	}
	if (!dk->ring)
		return;
	nm_bufs_init(&bb, w->mem);
	while (nm_kring_try_busy(dk)) {
		uint32_t cur = dk->nr_hwcur, tail = nm_load_acquire(&dk->nr_hwtail);
		int full = 0;

		for (; cur != tail; cur = nm_next(cur, n)) {
			struct netmap_slot *s = &dk->ring->slot[cur];
			const uint8_t *buf = nm_bufs_addr(&bb, NM_READ_ONCE(s->buf_idx));
			uint32_t len = NM_READ_ONCE(s->len);

			if (len > bb.size)
				len = bb.size;

			if (w->nic_host) {
				if (len >= 14)
					nmh_nic_host_send(nic->nic, buf, len);
			} else if (nmh_nic_xmit(nic->nic, q, buf, len) == -EBUSY) {
				full = 1;	/* a completion kicks us again */
				break;
			}
		}
		/* out they go (also what a busy device refused before) */
		if (!w->nic_host)
			nmh_nic_xmit_flush(nic->nic, q);
		nm_store_release(&dk->nr_hwcur, cur);
		nm_kring_unbusy(dk);
		nm_mb();
		if (full || nm_load_acquire(&dk->nr_hwtail) == cur)
			break;
	}
}

/* Host deferred context: forward in both directions, all rings. */
void nm_nic_work(struct nm_adapter *na)
{
	uint32_t i, s;

	if (!(NM_READ_ONCE(na->flags) & NAF_KERNEL_OWNED))
		return;
	for (s = 0; s < 2; s++) {
		struct nm_adapter *w = na->bwrap[s];

		if (!w)
			continue;
		for (i = 0; i < w->num_rings[NR_RX]; i++)
			nm_bwrap_flush(&w->rings[NR_RX][i], 0);
		if (s == 0 && NM_READ_ONCE(na->polling))
			continue;
		for (i = 0; i < w->num_rings[NR_TX]; i++)
			nm_bwrap_pull(w, i);
	}
}

/*
 * Polling thread i (15.9): SINGLE_CPU polls every device RX ring,
 * MULTI_CPU thread i polls ring first + i.
 */
void nm_nic_poll(struct nm_adapter *na, uint32_t i)
{
	struct nm_adapter *w = na->bwrap[0];
	uint32_t r;

	if (!w || !NM_READ_ONCE(na->polling))
		return;
	if (na->polling == NETMAP_POLLING_MODE_SINGLE_CPU) {
		for (r = 0; r < w->num_rings[NR_TX]; r++)
			nm_bwrap_pull(w, r);
	} else {
		nm_bwrap_pull(w, na->poll_first + i);
	}
}

static int nm_bwrap_krings_create(struct nm_adapter *w)
{
	return nm_vale_ops.krings_create(w);
}

static void nm_bwrap_krings_delete(struct nm_adapter *w)
{
	nm_vale_ops.krings_delete(w);
}

/* Users never bind a wrapper (EBUSY): these are never called by them. */
static int nm_bwrap_reg(struct nm_adapter *w, int onoff)
{
	(void)w;
	(void)onoff;
	return -EBUSY;
}

static int nm_bwrap_sync(struct nm_kring *k, int flags)
{
	(void)k;
	(void)flags;
	return -EBUSY;
}

static void nm_bwrap_dtor(struct nm_adapter *w)
{
	/* (rings half made by a failed nm_bwrap_new go too) */
	nma_rings_delete(w);
	if (w->flags & NAF_NETMAP_ON) {
		w->mem->active--;
		nm_mem_reset_if_idle(w->mem);
	}
	nma_free(w);
}

const struct nm_adapter_ops nm_bwrap_ops = {
	.krings_create = nm_bwrap_krings_create,
	.krings_delete = nm_bwrap_krings_delete,
	.reg = nm_bwrap_reg,
	.txsync = nm_bwrap_sync,
	.rxsync = nm_bwrap_sync,
	.dtor = nm_bwrap_dtor,
};

/*
 * A wrapper of side host (0: the device, 1: its host stack) of nic,
 * with the NIC's rings, directions swapped: the device's RX queues feed
 * the wrapper's TX rings, the wrapper's RX rings feed the device's TX
 * queues.  Its rings exist (and count one user) for its whole life.
 */
static int nm_bwrap_new(const char *swname, struct nm_adapter *nic,
			int host, struct nmreq_register *req,
			struct nm_adapter **out)
{
	struct nm_adapter *w;
	enum nm_txrx t;
	uint32_t i;
	int err;

	w = nmh_zalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	snprintf(w->name, sizeof(w->name), "%.15s:%.15s%s", swname, nic->name,
		 host ? "^" : "");
	w->kind = NM_KIND_BWRAP;
	w->flags = NAF_KERNEL_OWNED | NAF_MOREFRAG;
	w->mfs = 1514;
	w->ns = nic->ns;
	w->nic_host = (uint32_t)host;
	NM_FOR_RX_TX(t) {
		enum nm_txrx o = nm_txrx_swap(t);

		w->num_rings[t] = host ? nic->num_host_rings[o] :
					 nic->num_rings[o];
		w->num_slots[t] = nic->num_slots[o] > 4096 ? 4096 :
				  nic->num_slots[o];
	}
	if (req->nr_mem_id) {
		w->mem = nm_mem_find(req->nr_mem_id);
		err = -EINVAL;
		if (!w->mem)
			goto err_free;
	} else {
		struct nm_mem_needs needs;

		memset(&needs, 0, sizeof(needs));
		needs.name = w->name;
		needs.txr = w->num_rings[NR_TX];
		needs.txd = w->num_slots[NR_TX];
		needs.rxr = w->num_rings[NR_RX];
		needs.rxd = w->num_slots[NR_RX];
		w->mem = nm_mem_private_new(&needs, &err);
		if (!w->mem)
			goto err_free;
	}
	nm_mem_get(w->mem);
	w->refcount = 1;
	w->nic_parent = nic;
	err = nma_krings_create(w);
	if (!err)
		err = nm_mem_finalize(w->mem);
	if (!err)
		err = nma_rings_create(w, NULL);
	if (err) {
		nma_put(w);
		return err;
	}
	NM_FOR_RX_TX(t)
		for (i = 0; i < w->num_rings[t]; i++)
			w->rings[t][i].users = 1;
	w->flags |= NAF_NETMAP_ON;
	w->mem->active++;	/* its rings use the region (nr_mem_id) */
	*out = w;
	return 0;
err_free:
	nmh_free(w);
	return err;
}

/* Take a wrapper off its switch and drop it. */
static void nm_bwrap_remove(struct nm_adapter *w)
{
	if (w->bdg) {
		nm_bdg_detach(w);
		nma_put(w);	/* the switch's reference */
	}
	nma_put(w);
}

/*
 * A persistent port wrapped on a second switch (15.3 step 5) has rings
 * of its own, one user each, while wrapped: its first switch delivers
 * into its RX rings and the relays from the wrapper send from its TX
 * rings.  They count as a user of its region (nothing may reclaim
 * their buffers).  They are made before the wrapper joins its switch
 * (a relay may use them at once); the first switch delivers to the
 * port from nm_persist_own on, under that switch's lock.
 */
static int nm_persist_rings(struct nm_adapter *p, int on)
{
	int err = 0;

	if (on) {
		err = nm_mem_finalize(p->mem);
		if (!err)
			err = nm_vale_ops.reg(p, 1);
		if (!err)
			p->mem->active++;
	} else {
		p->mem->active--;
		nm_vale_ops.reg(p, 0);	/* under the first switch's lock */
		nm_mem_reset_if_idle(p->mem);
	}
	return err;
}

/* Wrapper w owns p (NULL: nobody does), as its first switch sees it. */
static void nm_persist_own(struct nm_adapter *p, struct nm_adapter *w)
{
	struct nm_bdg *b = p->bdg;
	uint32_t users = w != NULL, i;
	enum nm_txrx t;

	nmh_bdg_wlock(&b->fwd_lock);
	NM_FOR_RX_TX(t)
		for (i = 0; i < p->num_rings[t]; i++)
			p->rings[t][i].users = users;
	p->bwrap[0] = w;
	if (w)
		p->flags |= NAF_KERNEL_OWNED | NAF_NETMAP_ON;
	else
		p->flags &= ~(NAF_KERNEL_OWNED | NAF_NETMAP_ON);
	nmh_bdg_wunlock(&b->fwd_lock);
}

/*
 * VALE_ATTACH of a NIC or of a persistent port already on a switch
 * (15.3 steps 5 and 6): nic (one reference, the caller's) must be
 * unused; it becomes kernel-owned and its wrappers join switch b.
 */
int nm_nic_attach(struct nm_bdg *b, const char *swname, struct nm_adapter *nic,
		  struct nmreq_register *req, uint32_t *port_index)
{
	struct nm_adapter *w[2] = { NULL, NULL };
	int err, s, sides = req->nr_mode == NR_REG_NIC_SW ? 2 : 1;

	/* Only a NIC has a host stack to attach (26.2: EINVAL). */
	if (sides == 2 && !(nic->flags & NAF_HOST_RINGS))
		return -EINVAL;
	if (nic->users || nic->bwrap[0] || (nic->flags & NAF_KERNEL_OWNED))
		return -EBUSY;
	if (b->active_ports + sides + 2 > NM_BDG_MAXPORTS)
		return -ENOMEM;
	if (nic->kind != NM_KIND_NIC) {
		err = nm_persist_rings(nic, 1);
		if (err)
			return err;
	}
	for (s = 0; s < sides; s++) {
		err = nm_bwrap_new(swname, nic, s, req, &w[s]);
		if (err)
			goto err;
	}
	for (s = 0; s < sides; s++) {
		err = nm_bdg_attach(b, w[s]);
		if (err)
			goto err;
	}
	if (nic->kind != NM_KIND_NIC) {
		nm_persist_own(nic, w[0]);
	} else {
		nic->bwrap[0] = w[0];
		nic->bwrap[1] = w[1];
		nic->flags |= NAF_KERNEL_OWNED | NAF_NETMAP_ON;
		err = nmh_nic_intercept(nic->nic, 1);
		if (err) {
			nic->flags &= ~(NAF_KERNEL_OWNED | NAF_NETMAP_ON);
			nic->bwrap[0] = nic->bwrap[1] = NULL;
			goto err;
		}
	}
	nma_get(nic);	/* the wrappers' reference */
	*port_index = w[0]->bdg_port;
	return 0;
err:
	for (s = 0; s < 2; s++)
		if (w[s])
			nm_bwrap_remove(w[s]);
	if (nic->kind != NM_KIND_NIC)
		nm_persist_rings(nic, 0);
	return err;
}

/*
 * VALE_DETACH of a wrapper: the NIC leaves netmap mode, usable again; a
 * wrapped persistent port is again only on its first switch.
 */
int nm_nic_detach(struct nm_adapter *w, uint32_t *port_index)
{
	struct nm_adapter *nic = w->nic_parent;
	int s;

	if (w->nic_host)
		return -EINVAL;	/* the NIC's own port takes both away */
	if (nic->polling)
		return -EBUSY;
	*port_index = w->bdg_port;
	if (nic->kind != NM_KIND_NIC) {
		/*
		 * Its first switch stops delivering to it; the wrapper's
		 * switch, left next, waits for the relays into its TX rings;
		 * then nobody uses its rings.
		 */
		nm_persist_own(nic, NULL);
		nm_bwrap_remove(w);
		nm_persist_rings(nic, 0);
		nma_put(nic);
		return 0;
	}
	/* No new deferred work from here; the host waits for running work. */
	nic->flags &= ~(NAF_KERNEL_OWNED | NAF_NETMAP_ON);
	if (nic->nic)
		nmh_nic_intercept(nic->nic, 0);
	for (s = 0; s < 2; s++) {
		struct nm_adapter *ws = nic->bwrap[s];

		nic->bwrap[s] = NULL;
		if (ws)
			nm_bwrap_remove(ws);
	}
	nm_nic_release_unused(nic);
	nma_put(nic);
	return 0;
}

/* VALE_POLLING_ENABLE/DISABLE (15.9) on a wrapped NIC. */
int nm_nic_polling(struct nm_adapter *w, int enable,
		   const struct nmreq_vale_polling *req)
{
	struct nm_adapter *nic = w->nic_parent;
	uint32_t cpus[NM_NIC_MAX_RINGS], i, nrx;
	int err;

	/* A host stack port, a persistent port's wrapper: no NIC to poll. */
	if (w->nic_host || nic->kind != NM_KIND_NIC)
		return -EOPNOTSUPP;
	if (!enable) {
		if (!nic->polling)
			return -EFAULT;
		nmh_nic_poll_stop(nic->nic);
		NM_WRITE_ONCE(nic->polling, 0);
		nmh_nic_kick(nic->nic);	/* frames that came meanwhile */
		return 0;
	}
	nrx = nic->num_rings[NR_RX];
	if (req->nr_num_polling_cpus == 0 ||
	    req->nr_num_polling_cpus >= nmh_online_cpus())
		return -EINVAL;
	if (req->nr_mode == NETMAP_POLLING_MODE_MULTI_CPU) {
		if (req->nr_first_cpu_id + req->nr_num_polling_cpus > nrx ||
		    req->nr_first_cpu_id + req->nr_num_polling_cpus < req->nr_first_cpu_id)
			return -EINVAL;
	} else if (req->nr_mode == NETMAP_POLLING_MODE_SINGLE_CPU) {
		if (req->nr_num_polling_cpus != 1)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (nic->polling)
		return -EFAULT;
	if (req->nr_first_cpu_id >= nmh_online_cpus())
		return -EINVAL;
	for (i = 0; i < req->nr_num_polling_cpus; i++)
		cpus[i] = req->nr_first_cpu_id + i;
	nic->poll_first = req->nr_first_cpu_id;
	nic->poll_num = req->nr_num_polling_cpus;
	NM_WRITE_ONCE(nic->polling, req->nr_mode);
	err = nmh_nic_poll_start(nic->nic, req->nr_num_polling_cpus, cpus);
	if (err)
		NM_WRITE_ONCE(nic->polling, 0);
	return err;
}
