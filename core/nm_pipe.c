// SPDX-License-Identifier: BSD-2-Clause
/*
 * netmap pipes (spec section 16): two end points, parent{id (master) and
 * parent}id (slave), in the parent's region.  Master TX ring i feeds slave
 * RX ring i and the other way round.  Connected rings have the same size
 * and each slot index holds one buffer shared by the pair, so a transfer
 * moves 16-byte descriptors and never copies packet data.
 *
 * The TX sync publishes whole packets only (a trailing NS_MOREFRAG chain
 * waits for its end); the sender's tail advances when the receiver
 * releases slots, so a pipe never drops: a full pipe makes the sender
 * wait.
 */
#include "nm_core.h"

static struct nm_pipe *nm_pipe_of(struct nm_adapter *na)
{
	return na->pipe;
}

static struct nm_adapter *nm_pipe_peer(struct nm_adapter *na)
{
	struct nm_pipe *p = nm_pipe_of(na);

	return na == &p->master ? &p->slave : &p->master;
}

/* ---------------------------------------------------------------- */
/* Data path                                                        */
/* ---------------------------------------------------------------- */

/*
 * Each slot index j of a connected pair (TX ring i of one end, RX ring i
 * of the other) owns one buffer, recorded in the RX kring's pipe_bufs[j]
 * ("own"), which user space cannot write.  Both rings' slot j name that
 * buffer.  User space may swap another buffer of the region in (setting
 * NS_BUF_CHANGED, spec 7.1): the slot then owns that one.  An index
 * outside the region is never accepted: the slot keeps its buffer, and a
 * ring that held such an index is repaired (defect 2.2 of issue 8: a
 * writer's garbage crashed its peer and the next users of its end).
 *
 * What bounds a pipe's rate is cache lines moving between the two cores
 * and, after that, instructions: the loops below cost a few per slot.
 *
 *  - The TX sync compares each new descriptor with the one in the
 *    peer's slot, which the pipe stored there itself, checked: equal
 *    (the same buffer and length, lap after lap), there is nothing to
 *    check or store, and a line only read on both sides stays in both
 *    caches.  A descriptor that differs is checked against own[j] and
 *    the region and then stored (nm_pipe_tx_slot).
 *  - The RX sync does not read the sender's slots, which the sending
 *    application rewrites every lap: it folds the released slots'
 *    buf_idx (against own[j]) and NS_BUF_CHANGED into one word, and
 *    only when that says a buffer was swapped does it look at each slot
 *    (nm_pipe_rx_swaps), copying a valid swap back to the sender with
 *    NS_BUF_CHANGED.  A length or offset changed in a slot that keeps
 *    its buffer stays on the receiver's side, as in netmap: the sender
 *    sets both before it sends again.
 *  - Packets are published whole: the end of the last complete packet is
 *    found by looking back from head (one slot, unless a chain is cut).
 *
 * The loops run over linear ranges of slot indices (a wrapping range is
 * two calls).
 */

/* The first 8 bytes of a slot (buf_idx, len, flags) as one word. */
static inline uint64_t nm_slot_word(uint32_t buf_idx, uint16_t len,
				    uint16_t flags)
{
	struct netmap_slot s = { .buf_idx = buf_idx, .len = len,
				 .flags = flags };
	uint64_t w;

	memcpy(&w, &s, sizeof(w));
	return w;
}

static inline int nm_slot_same(const struct netmap_slot *a,
			       const struct netmap_slot *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]));
}

/*
 * Can a slot take buffer idx of region m as its own?  Not one outside
 * the region, and not one of the two reserved buffers (0 and 1), which
 * every port of the region may name: a slot that owned one would share
 * it with whoever else names it.
 */
static inline int nm_pipe_buf_ok(const struct nm_mem *m, uint32_t idx)
{
	return idx >= 2 && idx < nm_mem_nbufs(m);
}

/*
 * A new descriptor in TX slot j that differs from the peer's copy: check
 * it, store it, and clear NS_BUF_CHANGED on the sender's side (16).
 */
static noinline void nm_pipe_tx_slot(struct nm_kring *tk, struct nm_kring *rk,
				     uint32_t j)
{
	struct netmap_slot *ts = &tk->ring->slot[j], *rs = &rk->ring->slot[j];
	struct netmap_slot s = *ts;
	const struct nm_mem *m = rk->na->mem;
	uint32_t *own = &rk->pipe_bufs[j];
	uint64_t mask = rk->offset_mask, off = 0;

	if (s.buf_idx != *own) {
		if (nm_pipe_buf_ok(m, s.buf_idx)) {
			*own = s.buf_idx;	/* a buffer swapped in */
		} else {
			s.buf_idx = *own;	/* garbage: keep the slot's buffer */
			ts->buf_idx = *own;
		}
	}
	if (mask) {
		uint64_t theirs = rs->ptr & mask;

		/* The receiver keeps the larger offset (16). */
		if (theirs > (s.ptr & mask))
			s.ptr = (s.ptr & ~mask) | theirs;
		off = s.ptr & mask;
		if (off > rk->offset_max)
			off = rk->offset_max;
	}
	if (s.len > nm_mem_bufsize(m) - off)
		s.len = 0;	/* as VALE forwards an overlong fragment (6.4) */
	if (s.flags & NS_BUF_CHANGED)
		ts->flags = s.flags & ~NS_BUF_CHANGED;
	*rs = s;
}

static void nm_pipe_tx_range(struct nm_kring *tk, struct nm_kring *rk,
			     uint32_t from, uint32_t to)
{
	const struct netmap_slot *ts = tk->ring->slot, *rs = rk->ring->slot;
	uint32_t j;

	for (j = from; j < to; j++)
		if (__builtin_expect(!nm_slot_same(&ts[j], &rs[j]), 0))
			nm_pipe_tx_slot(tk, rk, j);
}

/* Where the last complete packet of [cur, head) ends; cur if none does. */
static uint32_t nm_pipe_complete(const struct netmap_slot *rs, uint32_t cur,
				 uint32_t head, uint32_t n)
{
	uint32_t j = head;

	while (j != cur) {
		uint32_t prev = nm_prev(j, n);

		if (!(rs[prev].flags & NS_MOREFRAG))
			return j;
		j = prev;
	}
	return cur;
}

static int nm_pipe_txsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t cur = kring->nr_hwcur, limit;

	(void)flags;
	/*
	 * Check and copy every new descriptor, then publish up to the end
	 * of the last complete packet.  The slots of a trailing incomplete
	 * packet are looked at again at the next sync: the peer does not
	 * own them until they are published.
	 */
	if (head < cur) {
		nm_pipe_tx_range(kring, peer, cur, n);
		nm_pipe_tx_range(kring, peer, 0, head);
	} else {
		nm_pipe_tx_range(kring, peer, cur, head);
	}
	limit = nm_pipe_complete(peer->ring->slot, cur, head, n);
	if (limit != cur) {
		kring->nr_hwcur = limit;
		nm_store_release(&peer->nr_hwtail, limit);
		nm_kring_notify(peer);
	}
	/*
	 * Free TX slots are those the receiver has released: its RX sync
	 * moves our nr_hwtail, as a VALE sender moves a receiver's, so that
	 * a poller's spin sees free space appear on the ring it waits on
	 * (nm_poll_peek).
	 */
	return 0;
}

/*
 * Released RX slots [from, to) of which some got another buffer (or
 * NS_BUF_CHANGED): a valid swap becomes the slot's buffer and goes back
 * to the sender, flagged (16); an index outside the region is undone.
 */
static noinline void nm_pipe_rx_swaps(struct nm_kring *rk, struct nm_kring *tk,
				      uint32_t from, uint32_t to)
{
	struct netmap_slot *rs = rk->ring->slot, *ts = tk->ring->slot;
	const struct nm_mem *m = rk->na->mem;
	uint32_t *own = rk->pipe_bufs, bufsize = nm_mem_bufsize(m), j;

	for (j = from; j < to; j++) {
		struct netmap_slot *r = &rs[j];
		uint32_t b = r->buf_idx;

		if (b == own[j] && !(r->flags & NS_BUF_CHANGED))
			continue;
		if (b != own[j]) {
			if (!nm_pipe_buf_ok(m, b)) {
				r->buf_idx = own[j];
				r->flags &= ~NS_BUF_CHANGED;
				continue;
			}
			own[j] = b;
		}
		ts[j] = *r;
		if (ts[j].len > bufsize)
			ts[j].len = 0;
		ts[j].flags |= NS_BUF_CHANGED;
		r->flags &= ~NS_BUF_CHANGED;
	}
}

static void nm_pipe_rx_range(struct nm_kring *rk, struct nm_kring *tk,
			     uint32_t from, uint32_t to)
{
	const struct netmap_slot *rs = rk->ring->slot;
	const uint32_t *own = rk->pipe_bufs;
	uint64_t diff = 0, w;
	uint32_t j;

	for (j = from; j < to; j++) {
		memcpy(&w, &rs[j], sizeof(w));
		diff |= w ^ nm_slot_word(own[j], 0, 0);
	}
	if (diff & nm_slot_word(~0u, 0, NS_BUF_CHANGED))
		nm_pipe_rx_swaps(rk, tk, from, to);
}

static int nm_pipe_rxsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t cur = kring->nr_hwcur;

	(void)flags;
	if (head == cur)
		return 0;
	if (head < cur) {
		nm_pipe_rx_range(kring, peer, cur, n);
		nm_pipe_rx_range(kring, peer, 0, head);
	} else {
		nm_pipe_rx_range(kring, peer, cur, head);
	}
	nm_store_release(&kring->nr_hwcur, head);
	nm_store_release(&peer->nr_hwtail, nm_prev(head, n));
	nm_kring_notify(peer);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Rings of the pair                                                */
/* ---------------------------------------------------------------- */

/*
 * Delete the rings of the pair.  Each slot index of a connected pair
 * owns one buffer, own[j] in the RX kring (user space cannot write it);
 * the pair frees those that no live ring of the region holds
 * (nm_buf_release): pipes of one parent share its region, and a swap
 * can make another port's buffer a slot's own.
 */
static void nm_pipe_rings_delete(struct nm_pipe *p)
{
	struct nm_adapter *ends[2] = { &p->master, &p->slave };
	struct nm_buf_release r;
	uint32_t e, i, j, owned = 0;

	for (e = 0; e < 2; e++)
		for (i = 0; i < ends[e]->num_rings[NR_TX]; i++)
			if (ends[e]->rings[NR_TX][i].ring)
				owned += ends[e]->rings[NR_TX][i].nkr_num_slots;
	nm_buf_release_begin(&r, p->master.mem, owned, ends, 2, NULL);
	for (e = 0; e < 2; e++) {
		for (i = 0; i < ends[e]->num_rings[NR_TX]; i++) {
			struct nm_kring *tk = &ends[e]->rings[NR_TX][i];
			struct nm_kring *rk = tk->pipe;

			if (!tk->ring)
				continue;
			/*
			 * own[], never what user space left in the slots; a
			 * buffer swapped in (NS_BUF_CHANGED) may be another
			 * live port's, which nm_buf_release keeps.
			 */
			for (j = 0; rk->pipe_bufs && j < tk->nkr_num_slots; j++)
				nm_buf_release(&r, rk->pipe_bufs[j]);
			nm_kring_ring_free(tk, 0);
			nm_kring_ring_free(rk, 0);
			nmh_free(rk->pipe_bufs);
			rk->pipe_bufs = NULL;
		}
	}
	nm_buf_release_end(&r);
}

static int nm_pipe_rings_create(struct nm_pipe *p)
{
	struct nm_adapter *ends[2] = { &p->master, &p->slave };
	uint32_t e, i, j;
	int err;

	for (e = 0; e < 2; e++) {
		for (i = 0; i < ends[e]->num_rings[NR_TX]; i++) {
			struct nm_kring *tk = &ends[e]->rings[NR_TX][i];
			struct nm_kring *rk = tk->pipe;
			size_t len = tk->nkr_num_slots *
				     sizeof(struct netmap_slot);

			err = nm_kring_ring_alloc(tk);
			if (!err)
				err = nm_kring_ring_alloc(rk);
			if (!err) {
				rk->pipe_bufs = nmh_zalloc(2 * tk->nkr_num_slots *
							   sizeof(uint32_t));
				if (!rk->pipe_bufs)
					err = -ENOMEM;
			}
			if (!err) {
				uint32_t n = tk->nkr_num_slots;

				err = nm_ring_fill_buffers(tk);
				/* what it got (0s after a failure) is owned */
				for (j = 0; j < n; j++)
					rk->pipe_bufs[j] = rk->pipe_bufs[n + j] =
						tk->ring->slot[j].buf_idx;
			}
			if (err) {
				nm_pipe_rings_delete(p);
				return err;
			}
			memcpy(rk->ring->slot, tk->ring->slot, len);
		}
	}
	return 0;
}

/* Bytes of nm_pipe_tx_dedup()'s map: a bit per buffer and per slot. */
static size_t nm_pipe_dedup_map_size(const struct nm_kring *k)
{
	return (nm_mem_nbufs(k->na->mem) + 7) / 8 + (k->nkr_num_slots + 7) / 8;
}

/*
 * TX ring k of an end registered again: the slots its new user owns
 * (all but those published to the peer and not yet released, which the
 * peer's user holds) must each hold a buffer no other slot of the pair
 * names.  A previous user may have swapped one buffer into many slots
 * and died: its successor's frames would then overwrite each other.
 * Such a slot gets back a buffer the pair was given (given[]) that no
 * slot of the pair names any more; there are always enough, since each
 * duplicate leaves one of the n given buffers unnamed.  (A given buffer
 * the previous user swapped away into another ring, and then left its
 * ring corrupt, could be named there: nothing in the pair records it.)
 * named: nm_pipe_dedup_map_size() zeroed bytes.
 */
static void nm_pipe_tx_dedup(struct nm_kring *k, struct nm_kring *rk,
			     uint8_t *named)
{
	uint32_t n = k->nkr_num_slots, *own = rk->pipe_bufs;
	const uint32_t *given = own + n;
	uint32_t nbufs = nm_mem_nbufs(k->na->mem);
	uint32_t from = rk->nr_hwcur, to = rk->nr_hwtail, j, g = 0, left;
	uint8_t *redo = named + (nbufs + 7) / 8;

#define NM_BIT(map, b) ((map)[(b) / 8] & (1u << ((b) % 8)))
#define NM_SET(map, b) ((map)[(b) / 8] |= (uint8_t)(1u << ((b) % 8)))
	/* the peer's slots first: what they name stays theirs */
	for (j = from; j != to; j = nm_next(j, n))
		if (own[j] < nbufs)
			NM_SET(named, own[j]);
	for (j = to, left = n - nm_dist(from, to, n); left; left--,
	     j = nm_next(j, n)) {
		if (own[j] >= nbufs || NM_BIT(named, own[j]))
			NM_SET(redo, j);
		else
			NM_SET(named, own[j]);
	}
	for (j = 0; j < n; j++) {
		if (!NM_BIT(redo, j))
			continue;
		while (g < n && (given[g] >= nbufs || NM_BIT(named, given[g])))
			g++;
		if (g == n)
			break;
		own[j] = given[g];
		NM_SET(named, given[g]);
	}
#undef NM_BIT
#undef NM_SET
}

/*
 * The ring of end na in direction t, number i, was left by a previous
 * user (who may have died at any instant, leaving anything in it): give
 * every slot its own buffer back (first making the TX ring's own
 * buffers distinct, nm_pipe_tx_dedup), drop an overlong length, and
 * rewrite the header.  The peer's connected ring is held busy meanwhile,
 * so that none of its syncs, which write into this ring (a TX sync into
 * an RX ring, an RX sync copying swaps back into a TX ring) or change
 * own[], runs at the same time.
 */
static void nm_pipe_ring_reset(struct nm_adapter *na, enum nm_txrx t,
			       uint32_t i)
{
	struct nm_kring *k = &na->rings[t][i], *peer = k->pipe;
	const uint32_t *own = t == NR_RX ? k->pipe_bufs : peer->pipe_bufs;
	uint32_t bufsize = nm_mem_bufsize(na->mem), j;
	uint8_t *map = NULL;

	if (!k->ring || !own)
		return;
	/* with no memory for the map, the TX slots keep what they have */
	if (t == NR_TX)
		map = nmh_zalloc(nm_pipe_dedup_map_size(k));
	while (!nm_kring_try_busy(peer))
		;
	if (map)
		nm_pipe_tx_dedup(k, peer, map);
	for (j = 0; j < k->nkr_num_slots; j++) {
		struct netmap_slot *s = &k->ring->slot[j];

		s->buf_idx = own[j];
		if (s->len > bufsize)
			s->len = 0;
	}
	nm_ring_reset_header(k);
	nm_kring_unbusy(peer);
	if (map)
		nmh_free(map);
}

static int nm_pipe_reg(struct nm_adapter *na, int onoff)
{
	struct nm_adapter *peer = nm_pipe_peer(na);
	enum nm_txrx t;
	uint32_t i;

	if (peer->users) {
		/* The other end keeps the rings alive: make ours sane. */
		if (onoff)
			NM_FOR_RX_TX(t)
				for (i = 0; i < na->num_rings[t]; i++)
					nm_pipe_ring_reset(na, t, i);
		return 0;
	}
	if (onoff)
		return nm_pipe_rings_create(nm_pipe_of(na));
	nm_pipe_rings_delete(nm_pipe_of(na));
	return 0;
}

/* Connect master TX i <-> slave RX i and slave TX i <-> master RX i. */
static int nm_pipe_krings_create(struct nm_adapter *na)
{
	(void)na;
	return 0;
}

static void nm_pipe_dtor(struct nm_adapter *na)
{
	struct nm_pipe *p = nm_pipe_of(na), **pp;
	struct nm_adapter *parent = p->parent;

	if (nm_pipe_peer(na)->refcount)
		return;	/* the pair lives while either end is referenced */
	for (pp = &parent->pipes; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	parent->num_pipes--;
	nma_krings_delete(&p->master);
	nma_krings_delete(&p->slave);
	nm_mem_put(p->master.mem);
	nmh_free(p);
	nma_check_unused(parent);
	nma_put(parent);
}

const struct nm_adapter_ops nm_pipe_ops = {
	.krings_create = nm_pipe_krings_create,
	.reg = nm_pipe_reg,
	.txsync = nm_pipe_txsync,
	.rxsync = nm_pipe_rxsync,
	.dtor = nm_pipe_dtor,
};

/* ---------------------------------------------------------------- */
/* Lookup and creation                                              */
/* ---------------------------------------------------------------- */

static uint32_t nm_pipe_clamp(uint32_t v, uint32_t dflt, uint32_t max)
{
	if (v == 0)
		v = dflt;
	return v > max ? max : v;
}

void nm_pipe_geometry(const struct nmreq_register *req, int slave,
		      const uint32_t parent_slots[2], uint32_t rings[2],
		      uint32_t slots[2])
{
	/* The request describes the end being opened (16). */
	uint32_t ptx = parent_slots[NR_TX], prx = parent_slots[NR_RX];

	rings[NR_TX] = nm_pipe_clamp(slave ? req->nr_rx_rings : req->nr_tx_rings,
				     1, 256);
	rings[NR_RX] = nm_pipe_clamp(slave ? req->nr_tx_rings : req->nr_rx_rings,
				     1, 256);
	slots[NR_TX] = nm_pipe_clamp(slave ? req->nr_rx_slots : req->nr_tx_slots,
				     ptx, 4096);
	slots[NR_RX] = nm_pipe_clamp(slave ? req->nr_tx_slots : req->nr_rx_slots,
				     prx, 4096);
}

static int nm_pipe_new(struct nm_adapter *parent, const char *id, int slave,
		       const struct nmreq_register *req, struct nm_pipe **out)
{
	struct nm_pipe *p;
	struct nm_adapter *m, *s;
	uint32_t mtx, mrx, i, rings[2], slots[2];
	int err;

	if (strlen(parent->name) + 1 + strlen(id) >= sizeof(p->master.name))
		return -EINVAL;
	p = nmh_zalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	m = &p->master;
	s = &p->slave;
	nm_strlcpy(p->id, id, sizeof(p->id));
	p->parent = parent;
	nm_pipe_geometry(req, slave, parent->num_slots, rings, slots);
	mtx = rings[NR_TX];
	mrx = rings[NR_RX];
	m->num_rings[NR_TX] = s->num_rings[NR_RX] = mtx;
	m->num_rings[NR_RX] = s->num_rings[NR_TX] = mrx;
	m->num_slots[NR_TX] = s->num_slots[NR_RX] = slots[NR_TX];
	m->num_slots[NR_RX] = s->num_slots[NR_TX] = slots[NR_RX];
	nm_strlcpy(m->name, parent->name, sizeof(m->name));
	nm_strlcpy(s->name, parent->name, sizeof(s->name));
	strcat(m->name, "{");
	strcat(s->name, "}");
	strcat(m->name, id);
	strcat(s->name, id);
	m->kind = s->kind = NM_KIND_PIPE;
	m->flags = s->flags = NAF_OFFSETS | NAF_MOREFRAG;
	m->mem = s->mem = parent->mem;
	m->pipe = s->pipe = p;
	m->mfs = s->mfs = 65535;
	err = nma_krings_create(m);
	if (!err)
		err = nma_krings_create(s);
	if (err) {
		nma_krings_delete(m);
		nma_krings_delete(s);
		nmh_free(p);
		return err;
	}
	for (i = 0; i < mtx; i++) {
		m->rings[NR_TX][i].pipe = &s->rings[NR_RX][i];
		s->rings[NR_RX][i].pipe = &m->rings[NR_TX][i];
	}
	for (i = 0; i < mrx; i++) {
		s->rings[NR_TX][i].pipe = &m->rings[NR_RX][i];
		m->rings[NR_RX][i].pipe = &s->rings[NR_TX][i];
	}
	nm_mem_get(parent->mem);
	nma_get(parent);
	p->next = parent->pipes;
	parent->pipes = p;
	parent->num_pipes++;
	*out = p;
	return 0;
}

/*
 * The request of a parent created on demand for a pipe end registered
 * with req: the region (nr_mem_id), the geometry and the extra buffers
 * the end point asked for, so that the pipe lands where it was asked to
 * (a load balancer checks that its pipes share the NIC's region) and has
 * the slots it asked for.  The slave's TX is the master's RX.
 */
static void nm_pipe_parent_req(const struct nmreq_register *req, int slave,
			       struct nmreq_register *preq)
{
	memset(preq, 0, sizeof(*preq));
	if (!req)
		return;
	preq->nr_mem_id = req->nr_mem_id;
	preq->nr_extra_bufs = req->nr_extra_bufs;
	preq->nr_tx_slots = slave ? req->nr_rx_slots : req->nr_tx_slots;
	preq->nr_rx_slots = slave ? req->nr_tx_slots : req->nr_rx_slots;
	preq->nr_tx_rings = slave ? req->nr_rx_rings : req->nr_tx_rings;
	preq->nr_rx_rings = slave ? req->nr_tx_rings : req->nr_rx_rings;
}

/*
 * Resolve parent{id or parent}id.  The parent is any port; a parent that
 * does not exist is created as an auto-deleting persistent port (14.1).
 */
int nm_pipe_get(const char *name, struct nmreq_register *req,
		enum nm_lookup how, struct nm_adapter **out)
{
	char pname[NETMAP_REQ_IFNAMSIZ];
	struct nmreq_register preq, dflt;
	const char *sep = strrchr(name, '{');
	struct nm_adapter *parent, *na;
	struct nm_pipe *p;
	int err, slave;

	*out = NULL;
	if (!sep)
		sep = strrchr(name, '}');
	if (sep == name || !sep[1])
		return -EINVAL;
	slave = *sep == '}';
	if ((size_t)(sep - name) >= sizeof(pname))
		return -EINVAL;
	memcpy(pname, name, sep - name);
	pname[sep - name] = '\0';
	if (req && how == NM_LOOKUP_CREATE &&
	    req->nr_mode != NR_REG_ALL_NIC && req->nr_mode != NR_REG_ONE_NIC)
		return -EINVAL;

	memset(&preq, 0, sizeof(preq));
	preq.nr_mode = NR_REG_ALL_NIC;
	preq.nr_mem_id = req ? req->nr_mem_id : 0;
	err = nm_get_adapter(pname, &preq, how, &parent);
	if (err == -ENXIO && how == NM_LOOKUP_CREATE &&
	    strncmp(pname, "vale", 4) && strlen(pname) < IFNAMSIZ) {
		nm_pipe_parent_req(req, slave, &dflt);
		/* dflt, the master's view, also sizes the region's pipes */
		err = nm_vale_persist_create(pname, &dflt, NAF_AUTODELETE,
					     &dflt, &parent);
		if (!err)
			err = nm_get_adapter(pname, &preq, how, &parent);
		else if (err != -EPERM)	/* EPERM: no CAP_NET_ADMIN */
			err = -ENXIO;
	}
	if (err)
		return how == NM_LOOKUP_CREATE || err != -ENXIO ? err : -ENODEV;
	if (parent->flags & NAF_KERNEL_OWNED) {
		err = -EBUSY;
		goto out;
	}
	for (p = parent->pipes; p; p = p->next)
		if (!strcmp(p->id, sep + 1))
			break;
	if (!p) {
		err = -ENODEV;
		if (how != NM_LOOKUP_CREATE)
			goto out;
		err = -EINVAL;
		if (parent->num_pipes >= NM_MAX_PIPES)
			goto out;
		memset(&dflt, 0, sizeof(dflt));
		err = nm_pipe_new(parent, sep + 1, slave, req ? req : &dflt, &p);
		if (err)
			goto out;
	}
	na = slave ? &p->slave : &p->master;
	nma_get(na);
	*out = na;
	err = 0;
out:
	nma_check_unused(parent);
	nma_put(parent);	/* the pipe holds its own reference */
	return err;
}
