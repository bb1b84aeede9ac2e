// SPDX-License-Identifier: BSD-2-Clause
/*
 * Monitor ports (spec section 17): a registration with NR_MONITOR_TX,
 * NR_MONITOR_RX or NR_ZCOPY_MON creates a port named
 * <parent>/<z?><r?><t?>#<n> whose receive ring i shows the traffic of
 * ring i of the parent, transmit and/or receive, host rings included.
 *
 * The hooks work on krings, not on port kinds: a monitored kring has a
 * list of links (kring->mon) to the monitor rings it feeds, and
 *  - nm_kring_sync() sends a monitored ring's syncs through
 *    nm_monitor_sync(): a copy monitor sees a transmit ring's frames
 *    before the port processes them, a zero-copy monitor gets the buffers
 *    of the slots the owner released (receive);
 *  - nm_sync_finalize() calls nm_monitor_tx_published() when it hands
 *    completed transmit slots back: a zero-copy monitor gets their
 *    buffers;
 *  - nm_kring_notify() calls nm_monitor_published() when a receive ring
 *    gets frames (a VALE sender, a pipe peer, a NIC), so a copy monitor
 *    sees them even if the ring's owner never reads them; the owner's
 *    receive sync catches up first, before it can release anything.
 * So any port whose rings are synced and notified through the core, NICs
 * included, can be monitored, and an unmonitored ring pays one
 * predictable branch per sync and per notification.
 *
 * A monitor never slows the port it watches: what does not fit in its
 * ring is dropped (the oldest frames of the batch) and counted in the
 * monitor ring's stat_drops.  Frames are moved whole: a multi-slot frame
 * is copied or dropped as a unit.
 *
 * Locks: a hook holds the watched kring's mon_lock while it walks the
 * list, and a monitor ring's q_lock while it fills that ring (several
 * watched rings feed one monitor ring: transmit ring i and receive ring
 * i).  Both are short locks and nothing under them touches memory that
 * may fault: indirect transmit payloads are read without faulting.  The
 * list is changed under the control lock and mon_lock.
 */
#include "nm_core.h"

#define NM_MON_KINDS (NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON)

static uint32_t nm_mon_clamp(uint32_t v, uint32_t dflt)
{
	if (!v)
		v = dflt;
	return v > 4096 ? 4096 : v ? v : 1;
}

/* ---------------------------------------------------------------- */
/* Which monitor ring a watched ring feeds                          */
/* ---------------------------------------------------------------- */

/*
 * Monitor receive ring fed by parent ring i of direction t: the same
 * index for hardware rings, after the monitor's hardware rings for host
 * rings.  Returns NULL for a fake host ring.
 */
static struct nm_kring *nm_mon_target(struct nm_adapter *mon,
				      struct nm_adapter *parent,
				      enum nm_txrx t, uint32_t i)
{
	uint32_t n = parent->num_rings[t];

	if (i < n)
		return &mon->rings[NR_RX][i];
	if (i - n >= parent->num_host_rings[t])
		return NULL;
	return &mon->rings[NR_RX][mon->num_rings[NR_RX] + (i - n)];
}

/* ---------------------------------------------------------------- */
/* Filling a monitor ring                                           */
/* ---------------------------------------------------------------- */

/* Free slots of monitor ring mk (its q_lock held). */
static uint32_t nm_mon_room(struct nm_kring *mk)
{
	uint32_t n = mk->nkr_num_slots;

	return n - 1 - nm_dist(nm_load_acquire(&mk->nr_hwcur), mk->nr_hwtail,
			       n);
}

/*
 * Of the slots [from, to) of ring k (whole frames), the first one to
 * deliver so that the rest fits in room slots: older frames are skipped
 * (17.2).  *skipped counts the frames left out.
 */
static uint32_t nm_mon_fit(const struct nm_kring *k, uint32_t from,
			   uint32_t to, uint32_t room, uint32_t *skipped)
{
	const struct netmap_slot *slot = k->ring->slot;
	uint32_t n = k->nkr_num_slots;

	*skipped = 0;
	while (nm_dist(from, to, n) > room) {
		while (from != to && (slot[from].flags & NS_MOREFRAG))
			from = nm_next(from, n);
		if (from != to)
			from = nm_next(from, n);
		(*skipped)++;
	}
	return from;
}

/*
 * Fill monitor ring mk from the slots [from, to) of ring k: take its
 * producer lock and skip what does not fit.  Returns the first slot of k
 * to deliver; nm_mon_end() publishes up to slot j of mk.
 */
static uint32_t nm_mon_begin(struct nm_kring *k, uint32_t from, uint32_t to,
			     struct nm_kring *mk)
{
	uint32_t skipped;

	nmh_lock(&mk->q_lock);
	from = nm_mon_fit(k, from, to, nm_mon_room(mk), &skipped);
	mk->stat_drops += skipped;
	return from;
}

static void nm_mon_end(struct nm_kring *mk, uint32_t j)
{
	int moved = j != mk->nr_hwtail;

	if (moved)
		nm_store_release(&mk->nr_hwtail, j);
	nmh_unlock(&mk->q_lock);
	if (moved)
		nmh_kring_notify(mk);
}

static uint16_t nm_mon_flags(uint16_t flags, uint32_t lflags)
{
	if (lflags & NM_MON_CHAIN)
		return flags;
	return (uint16_t)((flags & ~NS_TXMON) |
			  ((lflags & NM_MON_TX) ? NS_TXMON : 0));
}

/* Copy the slots [from, to) of ring k (whole frames) into monitor mk. */
static void nm_mon_copy(struct nm_kring *k, uint32_t from, uint32_t to,
			struct nm_mon_link *l)
{
	struct nm_kring *mk = l->mk;
	struct nm_mem *sm = k->na->mem, *dm = mk->na->mem;
	uint32_t n = k->nkr_num_slots, mn = mk->nkr_num_slots, j;
	struct netmap_slot *ms = mk->ring->slot;
	uint32_t bufsize = nm_mem_bufsize(sm);
	struct nm_bufs src, dst;

	nm_bufs_init(&src, sm);
	nm_bufs_init(&dst, dm);
	from = nm_mon_begin(k, from, to, mk);
	j = mk->nr_hwtail;
	for (; from != to; from = nm_next(from, n)) {
		const struct netmap_slot *s = &k->ring->slot[from];
		struct netmap_slot *d = &ms[j];
		uint64_t soff = nm_slot_offset(k, s), doff = nm_slot_offset(mk, d);
		uint32_t len = s->len, room = mk->buf_usable;
		uint8_t *to_buf = nm_bufs_addr(&dst, d->buf_idx) + doff;

		if (len > room)
			len = room;	/* truncated to the monitor's buffers */
		if (k->tx == NR_TX && (s->flags & NS_INDIRECT)) {
			if (nmh_copy_from_user_nofault(to_buf, (const void *)
						       (uintptr_t)s->ptr, len))
				len = 0;
		} else {
			if (len > bufsize - soff)
				len = soff < bufsize ? (uint32_t)(bufsize - soff) : 0;
			memcpy(to_buf, nm_bufs_addr(&src, s->buf_idx) + soff, len);
		}
		d->len = (uint16_t)len;
		d->flags = nm_mon_flags(s->flags, l->flags);
		j = nm_next(j, mn);
	}
	nm_mon_end(mk, j);
}

/*
 * Zero copy: the slots [from, to) of ring k (whole frames, owned by the
 * kernel at this moment) swap buffer and length with free slots of
 * monitor mk (17.2).  The watched slot gets NS_BUF_CHANGED.  A pipe's
 * transmit slot shares its buffer with the peer's receive slot of the
 * same index, which follows the swap.
 */
static void nm_mon_swap(struct nm_kring *k, uint32_t from, uint32_t to,
			struct nm_mon_link *l)
{
	struct nm_kring *mk = l->mk;
	uint32_t n = k->nkr_num_slots, mn = mk->nkr_num_slots, j;
	uint32_t nbufs = nm_mem_nbufs(k->na->mem);
	struct netmap_slot *ms = mk->ring->slot;
	struct nm_kring *peer = k->tx == NR_TX ? k->pipe : NULL;

	from = nm_mon_begin(k, from, to, mk);
	j = mk->nr_hwtail;
	for (; from != to; from = nm_next(from, n)) {
		struct netmap_slot *s = &k->ring->slot[from], *d = &ms[j];
		uint32_t idx = d->buf_idx;
		uint16_t len = d->len;

		/* The monitor's application may have left anything there. */
		if (idx < 2 || idx >= nbufs)
			continue;
		d->buf_idx = s->buf_idx;
		d->len = s->len;
		d->flags = nm_mon_flags(s->flags, l->flags);
		s->buf_idx = idx;
		s->len = len;
		s->flags |= NS_BUF_CHANGED;
		if (peer && peer->ring) {
			peer->ring->slot[from].buf_idx = idx;
			if (peer->pipe_bufs)
				peer->pipe_bufs[from] = idx;
		}
		j = nm_next(j, mn);
	}
	nm_mon_end(mk, j);
}

/* Feed [from, to) of ring k to its links of one kind (zcopy or not). */
static void nm_mon_feed(struct nm_kring *k, uint32_t from, uint32_t to,
			int zcopy)
{
	struct nm_mon_link *l;

	if (from == to)
		return;
	for (l = k->mon; l; l = l->next) {
		if (!!(l->flags & NM_MON_ZCOPY) != zcopy)
			continue;
		if (zcopy)
			nm_mon_swap(k, from, to, l);
		else
			nm_mon_copy(k, from, to, l);
	}
}

/* End of the last whole frame in [from, to), or from when there is none. */
static uint32_t nm_mon_whole(const struct nm_kring *k, uint32_t from,
			     uint32_t to)
{
	const struct netmap_slot *slot = k->ring->slot;
	uint32_t n = k->nkr_num_slots, end = from, j;

	for (j = from; j != to; j = nm_next(j, n))
		if (!(slot[j].flags & NS_MOREFRAG))
			end = nm_next(j, n);
	return end;
}

/* Copy monitors of receive ring k see what was published since last time. */
static void nm_mon_rx_catch_up(struct nm_kring *k)
{
	uint32_t tail = nm_load_acquire(&k->nr_hwtail);

	if (k->mon_seen == tail)
		return;
	nm_mon_feed(k, k->mon_seen, tail, 0);
	k->mon_seen = tail;
}

/* ---------------------------------------------------------------- */
/* The hooks                                                        */
/* ---------------------------------------------------------------- */

/*
 * The sync of a watched ring (kring->rhead already validated): the
 * port's own sync with the monitors around it.
 */
int nm_monitor_sync(struct nm_kring *kring, int flags)
{
	const struct nm_adapter_ops *ops = nma_ops(kring->na);
	uint32_t n = kring->nkr_num_slots, from, end;
	int err;

	nmh_lock(&kring->mon_lock);
	if (kring->tx == NR_TX) {
		/*
		 * Copy: what the application submits, before the port sends.
		 * A port may leave submitted slots pending (a NIC whose
		 * queue stopped): copy monitors saw them already, up to
		 * mon_seen, and must not see them twice.
		 */
		from = kring->nr_hwcur;
		if (nm_dist(from, kring->mon_seen, n) <=
		    nm_dist(from, kring->rhead, n))
			from = kring->mon_seen;
		end = nm_mon_whole(kring, from, kring->rhead);
		nm_mon_feed(kring, from, end, 0);
		kring->mon_seen = end;
		nmh_unlock(&kring->mon_lock);
		/* Zero copy: when completed slots are published (below). */
		return ops->txsync(kring, flags);
	}
	/*
	 * Copy monitors first see every frame published, then zero-copy
	 * monitors get the buffers of the slots the owner releases now.
	 */
	nm_mon_rx_catch_up(kring);
	nm_mon_feed(kring, kring->nr_hwcur, kring->rhead, 1);
	nmh_unlock(&kring->mon_lock);
	err = ops->rxsync(kring, flags);
	/*
	 * A port that publishes frames in its own receive sync (a NIC
	 * moves what its device queued) shows them to copy monitors now:
	 * the owner may take them and never sync again (17.2).
	 */
	nmh_lock(&kring->mon_lock);
	nm_mon_rx_catch_up(kring);
	nmh_unlock(&kring->mon_lock);
	return err;
}

/*
 * Zero copy on a transmit ring: the slots the port completed, (rtail,
 * tail], get the monitor's buffers as they are handed back to the
 * application (nm_sync_finalize), not at the end of the port's sync: a
 * pipe's sender gains slots when its receiver releases them (the
 * receiver's sync moves its nr_hwtail), at any moment, and only what is
 * published is the application's.  Called with the ring busy.
 */
void nm_monitor_tx_published(struct nm_kring *kring, uint32_t tail)
{
	uint32_t n = kring->nkr_num_slots;

	nmh_lock(&kring->mon_lock);
	nm_mon_feed(kring, nm_next(kring->rtail, n), nm_next(tail, n), 1);
	nmh_unlock(&kring->mon_lock);
}

/* Frames were published on a watched receive ring (nm_kring_notify). */
void nm_monitor_published(struct nm_kring *kring)
{
	if (kring->tx != NR_RX)
		return;
	nmh_lock(&kring->mon_lock);
	nm_mon_rx_catch_up(kring);
	nmh_unlock(&kring->mon_lock);
}

/* ---------------------------------------------------------------- */
/* Links                                                            */
/* ---------------------------------------------------------------- */

static int nm_mon_link_add(struct nm_kring *k, struct nm_kring *mk,
			   uint32_t flags)
{
	struct nm_mon_link *l = nmh_zalloc(sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->mk = mk;
	l->flags = flags;
	nmh_lock(&k->mon_lock);
	/*
	 * A first copy monitor starts from now: on a receive ring after
	 * what was published, on a transmit ring after what was submitted
	 * (anything mon_seen still holds is from an earlier session).
	 */
	if (!(flags & NM_MON_ZCOPY)) {
		struct nm_mon_link *o;
		int copying = 0;

		for (o = k->mon; o; o = o->next)
			copying |= !(o->flags & NM_MON_ZCOPY);
		if (k->tx == NR_TX) {
			if (!copying)
				k->mon_seen = NM_READ_ONCE(k->nr_hwcur);
		} else if (copying) {
			nm_mon_rx_catch_up(k);
		} else {
			k->mon_seen = nm_load_acquire(&k->nr_hwtail);
		}
	}
	l->next = k->mon;
	nm_store_release(&k->mon, l);
	nmh_unlock(&k->mon_lock);
	return 0;
}

static struct nm_mon_link *nm_mon_zlink(const struct nm_kring *k)
{
	struct nm_mon_link *l;

	for (l = k->mon; l; l = l->next)
		if (l->flags & NM_MON_ZCOPY)
			return l;
	return NULL;
}

/*
 * The end of the zero-copy chain that starts at ring k (17.2): the ring
 * whose released buffers nobody takes yet.  *linked is set when the
 * chain already reaches a ring of mon (the other direction linked it).
 */
static struct nm_kring *nm_mon_chain_tail(struct nm_kring *k,
					  const struct nm_adapter *mon,
					  int *linked)
{
	struct nm_mon_link *l;

	*linked = 0;
	while ((l = nm_mon_zlink(k)) != NULL) {
		if (l->mk->na == mon) {
			*linked = 1;
			break;
		}
		k = l->mk;
	}
	return k;
}

/*
 * Unlink every link of ring k that feeds a ring of monitor mon.  A
 * zero-copy link is handed to the next monitor of the chain, if any, so
 * that the chain stays whole.
 */
static void nm_mon_unlink_ring(struct nm_kring *k, struct nm_adapter *mon)
{
	struct nm_mon_link **pp, *l, *succ;

	nmh_lock(&k->mon_lock);
	pp = &k->mon;
	while ((l = *pp) != NULL) {
		if (l->mk->na != mon) {
			pp = &l->next;
			continue;
		}
		succ = (l->flags & NM_MON_ZCOPY) ? nm_mon_zlink(l->mk) : NULL;
		if (succ) {
			/* the next monitor takes this monitor's place */
			l->mk = succ->mk;
			pp = &l->next;
			continue;
		}
		nm_store_release(pp, l->next);
		nmh_free(l);
	}
	nmh_unlock(&k->mon_lock);
}

/* Every ring of adapter na: the watched ones of a parent. */
static void nm_mon_unlink_all(struct nm_adapter *na, struct nm_adapter *mon)
{
	enum nm_txrx t;
	uint32_t i;

	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++)
			if (na->rings[t][i].mon)
				nm_mon_unlink_ring(&na->rings[t][i], mon);
	}
}

/* Take ring k's whole list of links away; the caller frees it. */
static struct nm_mon_link *nm_mon_take_links(struct nm_kring *k)
{
	struct nm_mon_link *l;

	nmh_lock(&k->mon_lock);
	l = k->mon;
	nm_store_release(&k->mon, NULL);
	nmh_unlock(&k->mon_lock);
	return l;
}

static void nm_mon_free_links(struct nm_mon_link *l)
{
	while (l) {
		struct nm_mon_link *next = l->next;

		nmh_free(l);
		l = next;
	}
}

/* Drop the links monitor mon's own rings have (chain successors). */
static void nm_mon_free_own_links(struct nm_adapter *mon)
{
	uint32_t i;

	if (!mon->rings[NR_RX])
		return;
	for (i = 0; i < nma_all_rings(mon, NR_RX); i++)
		nm_mon_free_links(nm_mon_take_links(&mon->rings[NR_RX][i]));
}

/*
 * Detach monitor mon from everything that feeds it: its parent's rings
 * and, in a zero-copy chain, the rings of the monitors before it (which
 * hand their link to the monitor after it).
 */
static void nm_mon_detach(struct nm_adapter *mon)
{
	struct nm_adapter *parent = mon->mon_parent;
	enum nm_txrx t;
	uint32_t i;

	if (!parent)
		return;
	nm_mon_unlink_all(parent, mon);
	/* Chain predecessors hang from the parent's rings. */
	NM_FOR_RX_TX(t) {
		if (!parent->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(parent, t); i++) {
			struct nm_kring *k = &parent->rings[t][i];

			for (;;) {
				struct nm_mon_link *l = nm_mon_zlink(k);

				if (!l || l->mk->na == mon)
					break;
				k = l->mk;
				nm_mon_unlink_ring(k, mon);
			}
		}
	}
	nm_mon_free_own_links(mon);
}

/* ---------------------------------------------------------------- */
/* The parent leaves netmap mode (17.3)                             */
/* ---------------------------------------------------------------- */

/* mon and the rest of its zero-copy chains receive nothing more. */
static void nm_mon_orphan(struct nm_adapter *mon)
{
	uint32_t i;

	mon->mon_flags |= NM_MON_ORPHAN;
	if (!mon->rings[NR_RX])
		return;
	for (i = 0; i < nma_all_rings(mon, NR_RX); i++) {
		struct nm_mon_link *l, *all;

		all = nm_mon_take_links(&mon->rings[NR_RX][i]);
		for (l = all; l; l = l->next)
			if (!(l->mk->na->mon_flags & NM_MON_ORPHAN))
				nm_mon_orphan(l->mk->na);
		nm_mon_free_links(all);
		nmh_kring_notify(&mon->rings[NR_RX][i]);
	}
}

/*
 * The last user of parent leaves: its monitors stay bound but receive
 * nothing more, and their syncs fail until they are reopened.
 */
void nm_monitor_orphan_all(struct nm_adapter *parent)
{
	enum nm_txrx t;
	uint32_t i;

	/* A monitor's own links (a zero-copy chain) go with nm_mon_detach(). */
	if (parent->kind == NM_KIND_MONITOR)
		return;

	NM_FOR_RX_TX(t) {
		if (!parent->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(parent, t); i++) {
			struct nm_mon_link *l, *all;

			all = nm_mon_take_links(&parent->rings[t][i]);
			for (l = all; l; l = l->next)
				nm_mon_orphan(l->mk->na);
			nm_mon_free_links(all);
		}
	}
}

/* ---------------------------------------------------------------- */
/* The monitor port                                                 */
/* ---------------------------------------------------------------- */

/*
 * The registration is complete (priv selected the monitor's rings): link
 * each selected receive ring to the parent rings it shows.
 */
int nm_monitor_bind(struct nm_adapter *mon, struct nm_priv *priv)
{
	struct nm_adapter *parent = mon->mon_parent;
	uint32_t zc = mon->mon_flags & NM_MON_ZCOPY, i;
	enum nm_txrx t;
	int err;

	if (!(parent->flags & NAF_NETMAP_ON))
		return -EINVAL;
	NM_FOR_RX_TX(t) {
		uint32_t want = t == NR_TX ? NM_MON_TX : NM_MON_RX;

		if (!(mon->mon_flags & want) || !parent->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(parent, t); i++) {
			struct nm_kring *k = &parent->rings[t][i];
			struct nm_kring *mk = nm_mon_target(mon, parent, t, i);
			uint32_t flags = want | zc;

			if (!mk || !mk->ring || !k->ring ||
			    mk->ring_id < priv->qfirst[NR_RX] ||
			    mk->ring_id >= priv->qlast[NR_RX])
				continue;
			if (zc) {
				int linked;
				struct nm_kring *tail = nm_mon_chain_tail(k, mon,
									  &linked);

				/* one chain link feeds both directions */
				if (linked && tail != k)
					continue;
				if (tail != k) {
					k = tail;
					flags |= NM_MON_CHAIN;
				}
			}
			err = nm_mon_link_add(k, mk, flags);
			if (err)
				return err;
		}
	}
	return 0;
}

static int nm_monitor_reg(struct nm_adapter *na, int onoff)
{
	if (onoff)
		return nma_rings_create(na, NULL);
	nm_mon_detach(na);
	nma_rings_delete(na);
	return 0;
}

/* Monitor rings cannot transmit (17.3). */
static int nm_monitor_txsync(struct nm_kring *kring, int flags)
{
	(void)kring;
	(void)flags;
	return -EINVAL;
}

/* Receive sync: give the released slots back; orphans fail (17.3). */
static int nm_monitor_rxsync(struct nm_kring *kring, int flags)
{
	(void)flags;
	if (kring->na->mon_flags & NM_MON_ORPHAN)
		return -ENXIO;
	nm_store_release(&kring->nr_hwcur, kring->rhead);
	return 0;
}

static void nm_monitor_dtor(struct nm_adapter *na)
{
	struct nm_adapter *parent = na->mon_parent;

	nma_krings_delete(na);
	nm_mem_put(na->mem);
	nmh_free(na);
	if (parent) {
		nma_check_unused(parent);
		nma_put(parent);
	}
}

const struct nm_adapter_ops nm_monitor_ops = {
	.reg = nm_monitor_reg,
	.txsync = nm_monitor_txsync,
	.rxsync = nm_monitor_rxsync,
	.dtor = nm_monitor_dtor,
};

/*
 * Registration step 2 of 14.1: a new monitor of the port named name
 * (resolved without the monitor flags), which must be in netmap mode.
 */
int nm_monitor_get(const char *name, struct nmreq_register *req,
		   enum nm_lookup how, struct nm_adapter **out)
{
	struct nmreq_register preq;
	struct nm_adapter *parent, *mon;
	uint32_t hosts, zc = !!(req->nr_flags & NR_ZCOPY_MON), mrx;
	char kinds[4], *p = kinds;
	int err;

	*out = NULL;
	if (how != NM_LOOKUP_CREATE)
		return -EINVAL;
	memset(&preq, 0, sizeof(preq));
	preq.nr_mode = NR_REG_ALL_NIC;
	preq.nr_flags = req->nr_flags & ~(uint64_t)NM_MON_KINDS;
	err = nm_get_adapter(name, &preq, how, &parent);
	if (err)
		return err;
	err = -EINVAL;
	if (parent->kind == NM_KIND_MONITOR || !(parent->flags & NAF_NETMAP_ON))
		goto out_parent;
	if (zc)
		req->nr_flags |= NR_MONITOR_TX | NR_MONITOR_RX;	/* 9.1 */

	err = -ENOMEM;
	mon = nmh_zalloc(sizeof(*mon));
	if (!mon)
		goto out_parent;
	if (zc)
		*p++ = 'z';
	if (req->nr_flags & NR_MONITOR_RX)
		*p++ = 'r';
	if (req->nr_flags & NR_MONITOR_TX)
		*p++ = 't';
	*p = '\0';
	/* the parent's name is cut to leave room (ni_name keeps 15 anyway) */
	snprintf(mon->name, sizeof(mon->name), "%.48s/%s#%u", parent->name,
		 kinds, parent->mon_next++ % 1000000);
	mon->kind = NM_KIND_MONITOR;
	mon->flags = zc ? NAF_MOREFRAG : NAF_OFFSETS | NAF_MOREFRAG;
	mon->mon_flags = (zc ? NM_MON_ZCOPY : 0) |
			 ((req->nr_flags & NR_MONITOR_TX) ? NM_MON_TX : 0) |
			 ((req->nr_flags & NR_MONITOR_RX) ? NM_MON_RX : 0);
	/* 17.1: one (unusable) TX ring, as many RX rings as either side. */
	mrx = parent->num_rings[NR_TX] > parent->num_rings[NR_RX] ?
	      parent->num_rings[NR_TX] : parent->num_rings[NR_RX];
	hosts = parent->num_host_rings[NR_TX] > parent->num_host_rings[NR_RX] ?
		parent->num_host_rings[NR_TX] : parent->num_host_rings[NR_RX];
	mon->num_rings[NR_TX] = 1;
	mon->num_rings[NR_RX] = mrx;
	mon->num_host_rings[NR_TX] = mon->num_host_rings[NR_RX] = hosts;
	mon->num_slots[NR_TX] = nm_mon_clamp(req->nr_tx_slots,
					     parent->num_slots[NR_TX]);
	mon->num_slots[NR_RX] = nm_mon_clamp(req->nr_rx_slots,
		parent->num_slots[NR_TX] > parent->num_slots[NR_RX] ?
		parent->num_slots[NR_TX] : parent->num_slots[NR_RX]);
	mon->mfs = parent->mfs;
	if (zc) {
		mon->mem = parent->mem;	/* buffers are swapped (23.5) */
	} else {
		/* 17.4: the private defaults, enlarged for its geometry */
		struct nm_mem_needs needs = {
			.name = mon->name,
			.txr = 1 + hosts, .txd = mon->num_slots[NR_TX],
			.rxr = mrx + hosts, .rxd = mon->num_slots[NR_RX],
		};

		mon->mem = nm_mem_private_new(&needs, &err);
		if (!mon->mem) {
			nmh_free(mon);
			goto out_parent;
		}
	}
	nm_mem_get(mon->mem);
	mon->refcount = 1;
	err = nma_krings_create(mon);
	if (err) {
		nma_put(mon);	/* frees the adapter, drops its parent: none yet */
		goto out_parent;
	}
	mon->mon_parent = parent;	/* our reference on the parent */
	*out = mon;
	return 0;

out_parent:
	nma_check_unused(parent);
	nma_put(parent);
	return err;
}
