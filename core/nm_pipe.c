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
 * A slot is 16 bytes, four to a cache line, and its copies are read on
 * two cores.  Storing a value that is already there, or reading a line
 * the other core keeps writing, moves the line between the cores, and
 * that, not the instruction count, bounds a pipe's rate.  So:
 *
 *  - the TX sync stores a descriptor into the peer's slot only when the
 *    contents differ: most descriptors cross the pipe unchanged (same
 *    buffer, same length), and a line that is only read on both sides
 *    stays shared in both caches;
 *  - the RX sync does not read the sender's slots, which the sending
 *    application rewrites on every lap.  It copies a released slot back
 *    when the receiver gave it another buffer: the buffer differs from
 *    the one handed over (kept by the TX sync in pipe_bufs, 4 bytes a
 *    slot, rewritten only when it changes) or the receiver set
 *    NS_BUF_CHANGED, as it must when it swaps one.  Each slot index thus
 *    keeps holding one buffer of the pair.  A length or offset the
 *    receiver changed in a slot that keeps its buffer stays on its side,
 *    as in netmap: the sender sets both before it sends again.
 *
 * The loops run over linear ranges of slot indices (a wrapping range is
 * two calls), which keeps them about a dozen instructions per slot.
 */
static inline void nm_slot_update(struct netmap_slot *dst,
				  const struct netmap_slot *src)
{
	uint64_t d[2], v[2];

	memcpy(d, dst, sizeof(d));
	memcpy(v, src, sizeof(v));
	if (d[0] != v[0] || d[1] != v[1])
		memcpy(dst, v, sizeof(v));
}

/*
 * TX slots [from, to) to the peer's RX ring.  Returns the index after
 * the last slot that ends a packet, or `limit` when none does.
 */
static uint32_t nm_pipe_tx_range(struct netmap_slot *ts, struct netmap_slot *rs,
				 uint32_t *bufs, uint32_t from, uint32_t to,
				 uint32_t limit, uint64_t mask)
{
	uint32_t j;

	for (j = from; j < to; j++) {
		struct netmap_slot s = ts[j];

		if (mask) {
			uint64_t theirs = rs[j].ptr & mask;

			/* The receiver keeps the larger offset (16). */
			if (theirs > (s.ptr & mask))
				s.ptr = (s.ptr & ~mask) | theirs;
		}
		nm_slot_update(&rs[j], &s);
		if (bufs[j] != s.buf_idx)
			bufs[j] = s.buf_idx;
		if (s.flags & NS_BUF_CHANGED)
			ts[j].flags = s.flags & ~NS_BUF_CHANGED;
		if (!(s.flags & NS_MOREFRAG))
			limit = j + 1;
	}
	return limit;
}

static int nm_pipe_txsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	struct netmap_slot *ts = kring->ring->slot, *rs = peer->ring->slot;
	uint32_t *bufs = peer->pipe_bufs;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t cur = kring->nr_hwcur, limit = cur;
	uint64_t mask = peer->offset_mask;

	(void)flags;
	/*
	 * Copy every new descriptor and publish up to the end of the last
	 * complete packet.  The slots of a trailing incomplete packet are
	 * copied now and again at the next sync: the peer does not own them
	 * until they are published.
	 */
	if (head < cur) {
		limit = nm_pipe_tx_range(ts, rs, bufs, cur, n, limit, mask);
		limit = nm_pipe_tx_range(ts, rs, bufs, 0, head, limit, mask);
	} else {
		limit = nm_pipe_tx_range(ts, rs, bufs, cur, head, limit, mask);
	}
	if (limit == n)
		limit = 0;
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

/* Released RX slots [from, to) that got another buffer, back to the TX ring. */
static void nm_pipe_rx_range(struct netmap_slot *rs, struct netmap_slot *ts,
			     const uint32_t *bufs, uint32_t from, uint32_t to)
{
	uint32_t j;

	for (j = from; j < to; j++) {
		if (rs[j].buf_idx == bufs[j] && !(rs[j].flags & NS_BUF_CHANGED))
			continue;
		/* the sender learns of the swap through NS_BUF_CHANGED (16) */
		ts[j] = rs[j];
		ts[j].flags |= NS_BUF_CHANGED;
		rs[j].flags &= ~NS_BUF_CHANGED;
	}
}

static int nm_pipe_rxsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	struct netmap_slot *rs = kring->ring->slot, *ts = peer->ring->slot;
	uint32_t *bufs = kring->pipe_bufs;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t cur = kring->nr_hwcur;

	(void)flags;
	if (head == cur)
		return 0;
	if (head < cur) {
		nm_pipe_rx_range(rs, ts, bufs, cur, n);
		nm_pipe_rx_range(rs, ts, bufs, 0, head);
	} else {
		nm_pipe_rx_range(rs, ts, bufs, cur, head);
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
 * Delete the rings of the pair.  The pair was given one buffer per slot
 * of each TX ring (a connected RX ring holds the same ones); it frees
 * that many, among those its slots name, that no live ring of the
 * region holds (nm_buf_release): pipes of one parent share its region.
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
			for (j = 0; j < tk->nkr_num_slots; j++) {
				nm_buf_release(&r, tk->ring->slot[j].buf_idx);
				if (rk->ring)
					nm_buf_release(&r, rk->ring->slot[j].buf_idx);
			}
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
				err = nm_ring_fill_buffers(tk);
			if (!err)
				err = nm_kring_ring_alloc(rk);
			if (!err) {
				rk->pipe_bufs = nmh_zalloc(tk->nkr_num_slots *
							   sizeof(uint32_t));
				if (!rk->pipe_bufs)
					err = -ENOMEM;
			}
			if (err) {
				if (tk->ring && !rk->ring)
					nm_kring_ring_free(tk, 1);
				nm_pipe_rings_delete(p);
				return err;
			}
			memcpy(rk->ring->slot, tk->ring->slot, len);
			for (j = 0; j < tk->nkr_num_slots; j++)
				rk->pipe_bufs[j] = tk->ring->slot[j].buf_idx;
		}
	}
	return 0;
}

static int nm_pipe_reg(struct nm_adapter *na, int onoff)
{
	struct nm_adapter *peer = nm_pipe_peer(na);

	if (peer->users)	/* the other end keeps the rings alive */
		return 0;
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
