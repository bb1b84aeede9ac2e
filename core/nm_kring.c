// SPDX-License-Identifier: BSD-2-Clause
/*
 * Krings and rings: creation, the validation of everything user space
 * writes into a ring (spec 6.3), the sync ioctls and the poll processing
 * (12.1).  Port kinds only provide txsync/rxsync; the rules around them
 * are here, once.
 */
#include "nm_core.h"

void nma_get(struct nm_adapter *na)
{
	na->refcount++;
}

/* Drop a reference; the last one destroys the adapter. */
void nma_put(struct nm_adapter *na)
{
	if (--na->refcount > 0)
		return;
	/* The dtor owns the krings: pipe ends share theirs with the peer. */
	nma_ops(na)->dtor(na);
}

/* The common end of a port's dtor: krings, region reference, memory. */
void nma_free(struct nm_adapter *na)
{
	nma_krings_delete(na);
	nm_mem_put(na->mem);
	nmh_free(na);
}

/* ---------------------------------------------------------------- */
/* Krings                                                           */
/* ---------------------------------------------------------------- */

/* Allocate the krings of both directions (no shared memory yet). */
int nma_krings_create(struct nm_adapter *na)
{
	enum nm_txrx t;
	uint32_t i, n;

	NM_FOR_RX_TX(t) {
		n = nma_all_rings(na, t);
		na->rings[t] = nmh_zalloc(n * sizeof(struct nm_kring));
		if (!na->rings[t])
			goto err;
		for (i = 0; i < n; i++) {
			struct nm_kring *k = &na->rings[t][i];

			k->na = na;
			k->tx = t;
			k->ring_id = i;
			k->nkr_num_slots = na->num_slots[t];
			if (i >= na->num_rings[t] && !na->num_host_rings[t])
				k->flags |= NKR_FAKE;
			k->offset_mask = 0;
			k->last_dhash = 0xffff;
			nmh_lock_init(&k->q_lock);
			nmh_lock_init(&k->mon_lock);
			nmh_kring_wait_init(&k->wait);
		}
	}
	nmh_port_wait_init(&na->wait);
	if (nma_ops(na)->krings_create && nma_ops(na)->krings_create(na))
		goto err;
	return 0;
err:
	NM_FOR_RX_TX(t) {
		nmh_free(na->rings[t]);
		na->rings[t] = NULL;
	}
	return -ENOMEM;
}

void nma_krings_delete(struct nm_adapter *na)
{
	enum nm_txrx t;

	if (!na->rings[NR_TX] && !na->rings[NR_RX])
		return;
	if (nma_ops(na)->krings_delete)
		nma_ops(na)->krings_delete(na);
	NM_FOR_RX_TX(t) {
		nmh_free(na->rings[t]);
		na->rings[t] = NULL;
	}
}

/* The header of kring's ring as the kernel defines it (3.4). */
static void nm_ring_header(const struct nm_kring *k,
			   const struct netmap_ring *ring,
			   struct netmap_ring *h)
{
	struct nm_mem *m = k->na->mem;
	struct netmap_ring init = {
		.buf_ofs = (int64_t)m->pools[NM_BUF_POOL].offset -
			   (int64_t)nm_mem_ofs(m, ring),
		.num_slots = k->nkr_num_slots,
		.nr_buf_size = nm_mem_bufsize(m),
		.ringid = (uint16_t)k->ring_id,
		.dir = k->tx == NR_TX ? 1 : 0,	/* actual upstream values */
	};

	memcpy(h, &init, sizeof(init));
}

/* Initialise a fresh ring header and kring positions (3.4). */
static void nm_ring_init(struct nm_kring *k, struct netmap_ring *ring)
{
	struct nm_mem *m = k->na->mem;
	uint32_t n = k->nkr_num_slots;

	nm_ring_header(k, ring, ring);
	ring->tail = k->tx == NR_TX ? n - 1 : 0;
	k->nr_hwcur = 0;
	k->nr_hwtail = ring->tail;
	k->rhead = k->rcur = 0;
	k->rtail = ring->tail;
	k->nkr_hwlease = 0;
	memset(k->leases, 0, sizeof(k->leases));
	k->offset_mask = k->offset_max = k->offset_gap = 0;
	k->buf_usable = nm_mem_bufsize(m);
	/*
	 * No binding selects a ring being created, so nobody syncs it: a
	 * busy owner left from its previous life (a process killed while
	 * syncing, whose pid may since have been reused) is forgotten.
	 */
	k->nr_busy = 0;
	nm_store_release(&k->ring, ring);	/* linked once complete */
}

/*
 * A ring that a new user inherits from a previous one (a pipe end
 * registered again while its peer kept the rings): the header is
 * rewritten from the kring and head, cur and tail from the kernel's
 * positions, so nothing the previous user left there (it may have died
 * at any instant) reaches the new one.  Nobody syncs the ring meanwhile.
 */
void nm_ring_reset_header(struct nm_kring *k)
{
	struct netmap_ring *ring = k->ring;
	struct netmap_ring h;
	uint32_t hwcur = k->nr_hwcur;
	uint32_t hwtail = nm_load_acquire(&k->nr_hwtail);

	nm_ring_header(k, ring, &h);
	h.offset_mask = k->offset_mask;
	h.head = h.cur = hwcur;
	h.tail = hwtail;
	memcpy(ring, &h, offsetof(struct netmap_ring, ts));
	*(uint64_t *)&ring->offset_mask = k->offset_mask;
	*(uint64_t *)&ring->buf_align = 0;
	k->rhead = k->rcur = hwcur;
	k->rtail = hwtail;
	k->nr_busy = 0;
}

/* Give every slot of a ring a fresh buffer; 0 on success. */
int nm_ring_fill_buffers(struct nm_kring *k)
{
	struct nm_mem *m = k->na->mem;
	uint32_t i, idx;

	for (i = 0; i < k->nkr_num_slots; i++) {
		struct netmap_slot *s = &k->ring->slot[i];

		idx = nm_mem_buf_alloc(m);
		if (!idx) {
			nm_mem_pool_full(m, NM_BUF_POOL, k->na, 0);
			return -ENOMEM;
		}
		s->buf_idx = idx;
		s->len = (uint16_t)nm_mem_bufsize(m);
		s->flags = 0;
		s->ptr = 0;
	}
	return 0;
}

/* Allocate the ring object of one kring (no buffers). */
int nm_kring_ring_alloc(struct nm_kring *k)
{
	struct netmap_ring *ring;

	ring = nm_mem_ring_alloc(k->na->mem, k->nkr_num_slots);
	if (!ring) {
		nm_mem_pool_full(k->na->mem, NM_RING_POOL, k->na,
				 sizeof(*ring) + (uint64_t)k->nkr_num_slots *
				 sizeof(struct netmap_slot));
		return -ENOMEM;
	}
	/*
	 * Slots cleared before k->ring links the ring: the object may hold
	 * an old ring's buffer indices, which nma_rings_delete() would free
	 * if the registration stopped here (nm_recover).
	 */
	memset(ring->slot, 0, k->nkr_num_slots * sizeof(struct netmap_slot));
	nm_ring_init(k, ring);
	return 0;
}

/*
 * Release a ring and its slots, and with free_bufs the buffers it owns:
 * its port's other rings live on (nma_rings_delete frees them together).
 */
void nm_kring_ring_free(struct nm_kring *k, int free_bufs)
{
	struct nm_mem *m = k->na->mem;
	struct nm_buf_release r;
	uint32_t i;

	if (!k->ring)
		return;
	if (free_bufs) {
		nm_buf_release_begin(&r, m, k->nkr_num_slots, NULL, 0, NULL);
		for (i = 0; i < k->nkr_num_slots; i++)
			nm_buf_release(&r, k->ring->slot[i].buf_idx);
		nm_buf_release_end(&r);
	}
	nm_mem_ring_free(m, k->ring);
	k->ring = NULL;
}

/*
 * Create the shared rings of every real kring of na, each slot with its
 * own buffer.  Used by ports whose rings own their buffers (VALE, null).
 */
int nma_rings_create(struct nm_adapter *na, struct nm_priv *priv)
{
	enum nm_txrx t;
	uint32_t i;
	int err;

	(void)priv;
	NM_FOR_RX_TX(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct nm_kring *k = &na->rings[t][i];

			if (k->ring || (k->flags & NKR_FAKE))
				continue;
			err = nm_kring_ring_alloc(k);
			if (!err)
				err = nm_ring_fill_buffers(k);
			if (err) {
				nma_rings_delete(na);
				return err;
			}
		}
	}
	return 0;
}

/*
 * Delete the rings of na and free the buffers it owns: one per slot of
 * each ring it has, among those its slots name (see nm_buf_release).
 */
void nma_rings_delete(struct nm_adapter *na)
{
	struct nm_buf_release r;
	uint32_t i, j, owned = 0;
	enum nm_txrx t;

	NM_FOR_RX_TX(t) {
		for (i = 0; na->rings[t] && i < nma_all_rings(na, t); i++)
			if (na->rings[t][i].ring)
				owned += na->rings[t][i].nkr_num_slots;
	}
	if (!owned)
		return;
	nm_buf_release_begin(&r, na->mem, owned, &na, 1, NULL);
	NM_FOR_RX_TX(t) {
		for (i = 0; na->rings[t] && i < nma_all_rings(na, t); i++) {
			struct nm_kring *k = &na->rings[t][i];

			if (!k->ring)
				continue;
			for (j = 0; j < k->nkr_num_slots; j++)
				nm_buf_release(&r, k->ring->slot[j].buf_idx);
			nm_kring_ring_free(k, 0);
		}
	}
	nm_buf_release_end(&r);
}

/* Wake every waiter of every ring of the port (zombie, shutdown). */
void nma_notify_all(struct nm_adapter *na)
{
	enum nm_txrx t;
	uint32_t i;

	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++)
			nmh_kring_notify(&na->rings[t][i]);
	}
}

/* ---------------------------------------------------------------- */
/* Ownership of a sync                                              */
/* ---------------------------------------------------------------- */

/*
 * Try to become the only context syncing kring.  A ring busy in another
 * context is skipped by the caller (12.2); an owner that died while
 * syncing (user runtime) is replaced.
 */
int nm_kring_try_busy(struct nm_kring *kring)
{
	uint32_t self = nmh_owner_self(), cur;

	if (nm_cas32(&kring->nr_busy, 0, self))
		return 1;
	cur = NM_READ_ONCE(kring->nr_busy);
	if (cur && cur != self && !nmh_owner_alive(cur))
		return nm_cas32(&kring->nr_busy, cur, self);
	return 0;
}

void nm_kring_unbusy(struct nm_kring *kring)
{
	nm_store_release(&kring->nr_busy, 0);
}

/* ---------------------------------------------------------------- */
/* Validation (6.3)                                                 */
/* ---------------------------------------------------------------- */

/* Is [lo, hi] (on the circle) holding head and cur as 6.3 requires? */
static int nm_indices_ok(uint32_t lo, uint32_t hi, uint32_t head,
			 uint32_t cur)
{
	if (lo <= hi)
		return lo <= head && head <= hi && head <= cur && cur <= hi;
	if (head > hi && head < lo)
		return 0;
	if (head <= hi)
		return head <= cur && cur <= hi;
	return !(cur > hi && cur < head);
}

/*
 * Repair a ring after a violation: invalid slots are neutralised and the
 * user indices are reset to the kernel's.  The spec allows keeping
 * in-range inconsistent values; we always reset (hardening, 6.3), so the
 * core never acts on slots the user does not own.
 */
void nm_ring_repair(struct nm_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	struct nm_mem *m = kring->na->mem;
	uint32_t i, nbufs = nm_mem_nbufs(m), bufsize = nm_mem_bufsize(m);

	for (i = 0; i < kring->nkr_num_slots; i++) {
		struct netmap_slot *s = &ring->slot[i];

		if (s->buf_idx < 2 || s->buf_idx >= nbufs) {
			s->buf_idx = 0;
			s->len = 0;
		} else if (s->len > bufsize) {
			s->len = 0;
		}
	}
	ring->head = ring->cur = kring->nr_hwcur;
	ring->tail = kring->nr_hwtail;
	kring->rhead = kring->rcur = kring->nr_hwcur;
	kring->rtail = kring->nr_hwtail;
	if (nm_g->params.verbose)
		nmh_log("netmap: %s %s ring %u repaired\n", kring->na->name,
			kring->tx == NR_TX ? "tx" : "rx", kring->ring_id);
}

/*
 * Accept head and cur if [lo, hi] holds them (6.3), else repair the ring
 * and return -1.  The CSB loop passes the values of its CSB entry.
 */
int nm_prologue_values(struct nm_kring *kring, uint32_t lo, uint32_t hi,
		       uint32_t head, uint32_t cur)
{
	uint32_t n = kring->nkr_num_slots;

	if (head >= n || cur >= n || !nm_indices_ok(lo, hi, head, cur)) {
		nm_ring_repair(kring);
		return -1;
	}
	kring->rhead = head;
	kring->rcur = cur;
	return 0;
}

static int nm_prologue(struct nm_kring *kring, uint32_t lo, uint32_t hi,
		       uint32_t *headp)
{
	struct netmap_ring *ring = kring->ring;
	int bad;

	if (NM_READ_ONCE(ring->tail) != kring->rtail)
		NM_WRITE_ONCE(ring->tail, kring->rtail);
	bad = nm_prologue_values(kring, lo, hi, NM_READ_ONCE(ring->head),
				 NM_READ_ONCE(ring->cur));
	*headp = kring->rhead;
	return bad;
}

/* TX: rhead <= head <= cur <= rtail.  Returns 0, or -1 after a repair. */
int nm_txsync_prologue(struct nm_kring *kring, uint32_t *head)
{
	return nm_prologue(kring, kring->rhead, kring->rtail, head);
}

/* RX: hwcur <= head <= cur <= hwtail. */
int nm_rxsync_prologue(struct nm_kring *kring, uint32_t *head)
{
	return nm_prologue(kring, kring->nr_hwcur,
			   nm_load_acquire(&kring->nr_hwtail), head);
}

/* Publish the kernel's tail to user space. */
void nm_sync_finalize(struct nm_kring *kring)
{
	uint32_t tail = nm_load_acquire(&kring->nr_hwtail);

	if (__builtin_expect(NM_READ_ONCE(kring->mon) != NULL, 0) &&
	    kring->tx == NR_TX && tail != kring->rtail)
		nm_monitor_tx_published(kring, tail);
	kring->rtail = tail;
	nm_store_release(&kring->ring->tail, tail);
}


/* ---------------------------------------------------------------- */
/* Sync ioctls and poll                                             */
/* ---------------------------------------------------------------- */

/* Stopped rings and zombie ports, including NICs down or gone (22). */
static int nm_kring_stopped(const struct nm_kring *kring)
{
	return (kring->flags & NKR_STOPPED) ||
	       (kring->na->flags & NAF_ZOMBIE) ||
	       NM_READ_ONCE(kring->na->nic_state) != NM_NIC_UP;
}

/* A NIC down: is it up again?  (Its host may have to look.) */
static int nm_kring_restarted(const struct nm_kring *kring)
{
	struct nm_adapter *na = kring->na;

	if (na->kind != NM_KIND_NIC || !na->nic ||
	    NM_READ_ONCE(na->nic_state) != NM_NIC_DOWN)
		return 0;
	nmh_nic_stopped(na->nic);
	return !nm_kring_stopped(kring);
}

/* Why a ring is stopped (a NIC down or removed, 22), for the program. */
static void nm_kring_stopped_detail(const struct nm_kring *kring)
{
	uint32_t state = NM_READ_ONCE(kring->na->nic_state);

	if (state == NM_NIC_GONE)
		nmh_error_detail("%s was removed: close the port", kring->na->name);
	else if (state == NM_NIC_DOWN)
		nmh_error_detail("%s is down: its rings are stopped until it is up",
				 kring->na->name);
	else
		nmh_error_detail("%s is stopped", kring->na->name);
}

/*
 * Sync flags of a binding: host RX NS_FORWARD may fill the hardware TX
 * rings only when it has them all (11.3, 21).
 */
static int nm_priv_sync_flags(const struct nm_priv *priv)
{
	const struct nm_adapter *na = priv->na;

	if (na->kind == NM_KIND_NIC && priv->qfirst[NR_TX] == 0 &&
	    priv->qlast[NR_TX] >= na->num_rings[NR_TX])
		return NAF_FWD_TX;
	return 0;
}

static void nm_rx_timestamp(struct nm_kring *kring)
{
	if (!nm_g->params.no_timestamp ||
	    (NM_READ_ONCE(kring->ring->flags) & NR_TIMESTAMP))
		nmh_ring_timestamp(kring->ring);
}

/*
 * One sync of one ring.  Returns 0, 1 after a repaired violation, or a
 * negative errno from a stopped ring or the port.
 */
/*
 * Sync one ring: 0, 1 (the prologue found bad indices and repaired
 * them), -errno, or NM_SYNC_BUSY: another thread of the binding was
 * syncing it, and this call did nothing.
 */
#define NM_SYNC_BUSY 2
static int nm_sync_one(struct nm_kring *kring, int flags)
{
	uint32_t head;
	int bad, err = 0;

	if (!nm_kring_try_busy(kring))
		return NM_SYNC_BUSY;
	if (nm_kring_stopped(kring) && !nm_kring_restarted(kring)) {
		nm_kring_unbusy(kring);
		nm_kring_stopped_detail(kring);
		return -EIO;
	}
	if (kring->tx == NR_TX) {
		bad = nm_txsync_prologue(kring, &head);
		if (!bad)
			err = nm_kring_sync(kring, flags);
	} else {
		bad = nm_rxsync_prologue(kring, &head);
		err = nm_kring_sync(kring, flags);
		nm_rx_timestamp(kring);
	}
	if (!err)
		nm_sync_finalize(kring);
	nm_kring_unbusy(kring);
	if (err)
		return err;
	return bad ? 1 : 0;
}

/* NIOCTXSYNC / NIOCRXSYNC (12.2). */
int nm_sync(struct nm_priv *priv, enum nm_txrx t)
{
	struct nm_adapter *na = priv->na;
	uint32_t i;
	int err = 0, r;

	if (!na)
		return -ENXIO;
	if (priv->csb_atok)
		return -EBUSY;	/* the rings are the sync loop's (25.1) */
	for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
		r = nm_sync_one(&na->rings[t][i], nm_priv_sync_flags(priv) |
				(t == NR_TX ? NAF_FORCE_RECLAIM : NAF_FORCE_READ));
		if (r == -EIO)
			err = -EIO;
	}
	return err;
}

/*
 * The tail a poll judges readiness on, after nm_sync_one() returned r:
 * the ring's, or, when another thread of the binding was syncing the
 * ring (NM_SYNC_BUSY), the one that thread is publishing.  Judged on the
 * ring's tail, several threads polling one descriptor would each see
 * nothing while one of them synced (the others then slept through the
 * only wake-up the packets brought).
 */
static uint32_t nm_poll_tail(const struct nm_kring *k,
			     const struct netmap_ring *ring, int r)
{
	if (r == NM_SYNC_BUSY)
		return nm_load_acquire(&k->nr_hwtail);
	return NM_READ_ONCE(ring->tail);
}

/*
 * The processing half of poll (12.1): syncs as the spec says and returns
 * the ready events.  Sleeping and the retry after a wake-up are the
 * host's job.
 */
unsigned int nm_poll_scan(struct nm_priv *priv, unsigned int events)
{
	struct nm_adapter *na = priv->na;
	unsigned int want_tx = events & (POLLOUT | POLLWRNORM);
	unsigned int want_rx = events & (POLLIN | POLLRDNORM);
	unsigned int revents = 0;
	int found_tx = 0, r;
	uint32_t i;

	if (!na || !(na->flags & NAF_NETMAP_ON) || priv->csb_atok)
		return POLLERR;
	if (want_tx || !(priv->flags & NR_NO_TX_POLL)) {
		for (i = priv->qfirst[NR_TX]; i < priv->qlast[NR_TX]; i++) {
			struct nm_kring *k = &na->rings[NR_TX][i];
			struct netmap_ring *ring = k->ring;

			if ((!want_tx || found_tx) &&
			    NM_READ_ONCE(ring->head) == k->nr_hwcur)
				continue;
			r = nm_sync_one(k, 0);
			if (r && r != NM_SYNC_BUSY)
				revents |= POLLERR;
			if (want_tx && NM_READ_ONCE(ring->cur) !=
					       nm_poll_tail(k, ring, r)) {
				revents |= want_tx;
				found_tx = 1;
			}
		}
	}
	if (want_rx) {
		int fwd = nm_priv_sync_flags(priv);

		for (i = priv->qfirst[NR_RX]; i < priv->qlast[NR_RX]; i++) {
			struct nm_kring *k = &na->rings[NR_RX][i];
			struct netmap_ring *ring = k->ring;

			r = nm_sync_one(k, fwd);
			if (r && r != NM_SYNC_BUSY)
				revents |= POLLERR;
			if (NM_READ_ONCE(ring->cur) != nm_poll_tail(k, ring, r))
				revents |= want_rx;
		}
		/* Frames the host RX ring forwarded leave in this poll (21). */
		for (i = 0; fwd && i < na->num_rings[NR_TX]; i++) {
			struct nm_kring *k = &na->rings[NR_TX][i];

			if (NM_READ_ONCE(k->ring->head) == k->nr_hwcur)
				continue;
			r = nm_sync_one(k, 0);
			if (r && r != NM_SYNC_BUSY)
				revents |= POLLERR;
		}
	}
	return revents;
}

/*
 * Could nm_poll_scan() find more now than when it last ran?  A host that
 * spins for a while before it sleeps calls this in its loop: it only
 * reads, so the lines it looks at stay shared with the context that
 * writes them, and it costs a few loads per selected ring.  A ring gains
 * slots when its nr_hwtail moves away from the tail last published
 * (rtail): VALE senders and a pipe's sender move it on receive rings, a
 * pipe's receiver on its sender's transmit ring.  A port removed
 * meanwhile reports too, so that the scan says POLLERR.
 */
int nm_poll_peek(const struct nm_priv *priv, unsigned int events)
{
	const struct nm_adapter *na = priv->na;
	uint32_t i;
	enum nm_txrx t;

	if (!na || (NM_READ_ONCE(na->flags) & NAF_ZOMBIE))
		return 1;
	NM_FOR_RX_TX(t) {
		unsigned int want = t == NR_TX ? POLLOUT | POLLWRNORM :
						 POLLIN | POLLRDNORM;

		if (!(events & want))
			continue;
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			const struct nm_kring *k = &na->rings[t][i];

			if (NM_READ_ONCE(k->nr_hwtail) != NM_READ_ONCE(k->rtail))
				return 1;
			/* A NIC's receive path filled slots the sync publishes. */
			if (t == NR_RX && na->kind == NM_KIND_NIC &&
			    NM_READ_ONCE(k->nic_fill) != NM_READ_ONCE(k->rtail))
				return 1;
		}
	}
	return 0;
}
