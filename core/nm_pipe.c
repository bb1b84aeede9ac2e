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

#define NM_MAX_PIPES 64

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

static int nm_pipe_txsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	struct netmap_slot *ts = kring->ring->slot, *rs = peer->ring->slot;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t j, limit = kring->nr_hwcur;

	(void)flags;
	/* Publish up to the end of the last complete packet. */
	for (j = kring->nr_hwcur; j != head; j = nm_next(j, n))
		if (!(ts[j].flags & NS_MOREFRAG))
			limit = nm_next(j, n);
	for (j = kring->nr_hwcur; j != limit; j = nm_next(j, n)) {
		uint64_t ptr = ts[j].ptr;

		if (peer->offset_mask) {
			uint64_t mine = ptr & peer->offset_mask;
			uint64_t theirs = rs[j].ptr & peer->offset_mask;

			/* The receiver keeps the larger offset (16). */
			if (theirs > mine)
				ptr = (ptr & ~peer->offset_mask) | theirs;
		}
		rs[j].buf_idx = ts[j].buf_idx;
		rs[j].len = ts[j].len;
		rs[j].flags = ts[j].flags;
		rs[j].ptr = ptr;
		ts[j].flags &= ~NS_BUF_CHANGED;
	}
	if (limit != kring->nr_hwcur) {
		kring->nr_hwcur = limit;
		nm_store_release(&peer->nr_hwtail, limit);
		nmh_kring_notify(peer);
	}
	/* Free TX slots are those the receiver has released. */
	nm_store_release(&kring->nr_hwtail,
			 nm_prev(nm_load_acquire(&peer->nr_hwcur), n));
	return 0;
}

static int nm_pipe_rxsync(struct nm_kring *kring, int flags)
{
	struct nm_kring *peer = kring->pipe;
	struct netmap_slot *rs = kring->ring->slot, *ts = peer->ring->slot;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead, j;

	(void)flags;
	if (head == kring->nr_hwcur)
		return 0;
	/* Give the released descriptors back to the sender. */
	for (j = kring->nr_hwcur; j != head; j = nm_next(j, n)) {
		ts[j] = rs[j];
		rs[j].flags &= ~NS_BUF_CHANGED;
	}
	nm_store_release(&kring->nr_hwcur, head);
	nmh_kring_notify(peer);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Rings of the pair                                                */
/* ---------------------------------------------------------------- */

static void nm_pipe_rings_delete(struct nm_pipe *p)
{
	struct nm_adapter *ends[2] = { &p->master, &p->slave };
	struct nm_mem *m = p->master.mem;
	uint32_t e, i, j;

	/* Each slot index of a connected pair holds one buffer. */
	for (e = 0; e < 2; e++) {
		for (i = 0; i < ends[e]->num_rings[NR_TX]; i++) {
			struct nm_kring *tk = &ends[e]->rings[NR_TX][i];
			struct nm_kring *rk = tk->pipe;

			if (!tk->ring)
				continue;
			for (j = 0; j < tk->nkr_num_slots; j++) {
				uint32_t a = tk->ring->slot[j].buf_idx;

				nm_mem_buf_free(m, a);
				if (rk->ring && rk->ring->slot[j].buf_idx != a)
					nm_mem_buf_free(m, rk->ring->slot[j].buf_idx);
			}
			nm_kring_ring_free(tk, 0);
			nm_kring_ring_free(rk, 0);
		}
	}
}

static int nm_pipe_rings_create(struct nm_pipe *p)
{
	struct nm_adapter *ends[2] = { &p->master, &p->slave };
	uint32_t e, i;
	int err;

	for (e = 0; e < 2; e++) {
		for (i = 0; i < ends[e]->num_rings[NR_TX]; i++) {
			struct nm_kring *tk = &ends[e]->rings[NR_TX][i];
			struct nm_kring *rk = tk->pipe;

			err = nm_kring_ring_alloc(tk);
			if (!err)
				err = nm_ring_fill_buffers(tk);
			if (!err)
				err = nm_kring_ring_alloc(rk);
			if (err) {
				if (tk->ring && !rk->ring)
					nm_kring_ring_free(tk, 1);
				nm_pipe_rings_delete(p);
				return err;
			}
			memcpy(rk->ring->slot, tk->ring->slot,
			       tk->nkr_num_slots * sizeof(struct netmap_slot));
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

static int nm_pipe_new(struct nm_adapter *parent, const char *id, int slave,
		       const struct nmreq_register *req, struct nm_pipe **out)
{
	struct nm_pipe *p;
	struct nm_adapter *m, *s;
	uint32_t mtx, mrx, i;
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
	/* The request describes the end being opened (16). */
	mtx = nm_pipe_clamp(slave ? req->nr_rx_rings : req->nr_tx_rings, 1, 256);
	mrx = nm_pipe_clamp(slave ? req->nr_tx_rings : req->nr_rx_rings, 1, 256);
	m->num_rings[NR_TX] = s->num_rings[NR_RX] = mtx;
	m->num_rings[NR_RX] = s->num_rings[NR_TX] = mrx;
	m->num_slots[NR_TX] = s->num_slots[NR_RX] =
		nm_pipe_clamp(slave ? req->nr_rx_slots : req->nr_tx_slots,
			      parent->num_slots[NR_TX], 4096);
	m->num_slots[NR_RX] = s->num_slots[NR_TX] =
		nm_pipe_clamp(slave ? req->nr_tx_slots : req->nr_rx_slots,
			      parent->num_slots[NR_RX], 4096);
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
		memset(&dflt, 0, sizeof(dflt));
		err = nm_vale_persist_create(pname, &dflt, NAF_AUTODELETE,
					     &parent);
		if (!err)
			err = nm_get_adapter(pname, &preq, how, &parent);
		else
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
