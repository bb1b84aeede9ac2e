// SPDX-License-Identifier: BSD-2-Clause
/*
 * VALE software switches (spec section 15): switches created on demand,
 * ephemeral and persistent ports, the learning bridge and the forwarding
 * engine.
 *
 * Forwarding runs in the sender's TX sync.  The sender holds the switch's
 * forwarding lock shared, so several senders forward at once; for each
 * destination ring it reserves ("leases") free slots under the ring's
 * short q_lock, copies without any lock, and publishes.  A receive ring's
 * hwtail only moves over completed leases, in order, so a receiver never
 * sees a slot still being written.  The switch never blocks a sender:
 * what does not fit is dropped.
 */
#include "nm_core.h"

/* ---------------------------------------------------------------- */
/* Names (14.1)                                                     */
/* ---------------------------------------------------------------- */

int nm_vale_is_name(const char *name)
{
	return !strncmp(name, "val", 3);
}

static int nm_is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Split a VALE name into the switch part length and the port part.
 * Returns 0, or -EINVAL when the syntax is not a valid VALE name.
 */
static int nm_vale_parse(const char *name, uint32_t *swlen, const char **port)
{
	const char *colon = strchr(name, ':');
	uint32_t i;

	if (!colon || colon - name > 15)
		return -EINVAL;
	for (i = 0; name + i < colon; i++)
		if (!nm_is_ident_char(name[i]))
			return -EINVAL;
	if (strlen(colon + 1) > 15)
		return -EINVAL;
	*swlen = (uint32_t)(colon - name);
	*port = colon + 1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Switches                                                         */
/* ---------------------------------------------------------------- */

static struct nm_bdg *nm_bdg_find(const char *name, uint32_t len, int *idx)
{
	uint32_t i;

	for (i = 0; i < nm_g->params.max_bridges; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		if (b && b->namelen == len && !strncmp(b->name, name, len)) {
			if (idx)
				*idx = (int)i;
			return b;
		}
	}
	return NULL;
}

static struct nm_bdg *nm_bdg_create(const char *name, uint32_t len, int *err)
{
	uint32_t i;
	struct nm_bdg *b;

	for (i = 0; i < nm_g->params.max_bridges; i++)
		if (!nm_g->bridges[i])
			break;
	if (i == nm_g->params.max_bridges) {
		*err = -ENOMEM;
		return NULL;
	}
	b = nmh_zalloc(sizeof(*b));
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(b->name, name, len);
	b->name[len] = '\0';
	b->namelen = len;
	nmh_bdg_lock_init(&b->fwd_lock);
	nm_g->bridges[i] = b;
	return b;
}

/*
 * Is na the port called name on switch b?  A persistent port joins a
 * switch as valeX:ifname and keeps that switch-port name while attached,
 * while its own name (ni_name, netmap:ifname) stays ifname (15.3).
 */
static int nm_bdg_port_is(const struct nm_bdg *b, const struct nm_adapter *na,
			  const char *name)
{
	if (na->kind != NM_KIND_PERSIST)
		return !strcmp(na->name, name);
	return !strncmp(name, b->name, b->namelen) &&
	       name[b->namelen] == ':' &&
	       !strcmp(name + b->namelen + 1, na->name);
}

static void nm_bdg_port_name(const struct nm_bdg *b,
			     const struct nm_adapter *na, char *buf,
			     size_t len)
{
	if (na->kind != NM_KIND_PERSIST)
		nm_strlcpy(buf, na->name, len);
	else
		snprintf(buf, len, "%s:%.15s", b->name, na->name);
}

/* Is name an interface of the system (a persistent port or a NIC)? */
static int nm_is_sysif(const char *name)
{
	return nm_named_find(name) ||
	       (nm_g->host_has_netdevs && nmh_netdev_exists(name));
}

static void nm_bdg_free_if_empty(struct nm_bdg *b)
{
	uint32_t i;

	if (b->active_ports)
		return;
	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++)
		if (nm_g->bridges[i] == b)
			nm_g->bridges[i] = NULL;
	nmh_free(b);
}

static int nm_bdg_attach(struct nm_bdg *b, struct nm_adapter *na)
{
	uint32_t i;

	/* At most 252 ports created one by one (15.1). */
	if (b->active_ports + 2 >= NM_BDG_MAXPORTS)
		return -ENOMEM;
	for (i = 0; i < NM_BDG_MAXSLOTS; i++)
		if (!b->ports[i])
			break;
	if (i == NM_BDG_MAXSLOTS)
		return -ENOMEM;
	memset(na->last_smac, 0xff, sizeof(na->last_smac));
	nmh_bdg_wlock(&b->fwd_lock);
	b->ports[i] = na;
	b->active_ports++;
	na->bdg = b;
	na->bdg_port = i;
	nmh_bdg_wunlock(&b->fwd_lock);
	nma_get(na);	/* the switch's reference */
	return 0;
}

static void nm_bdg_detach(struct nm_adapter *na)
{
	struct nm_bdg *b = na->bdg;

	nmh_bdg_wlock(&b->fwd_lock);
	b->ports[na->bdg_port] = NULL;
	b->active_ports--;
	na->bdg = NULL;
	nmh_bdg_wunlock(&b->fwd_lock);
	nm_bdg_free_if_empty(b);
}

/* ---------------------------------------------------------------- */
/* Learning bridge (15.6)                                           */
/* ---------------------------------------------------------------- */

#define NM_MIX(a, b, c)                                                 \
	do {                                                            \
		a -= b; a -= c; a ^= (c >> 13);                         \
		b -= c; b -= a; b ^= (a << 8);                          \
		c -= a; c -= b; c ^= (b >> 13);                         \
		a -= b; a -= c; a ^= (c >> 12);                         \
		b -= c; b -= a; b ^= (a << 16);                         \
		c -= a; c -= b; c ^= (b >> 5);                          \
		a -= b; a -= c; a ^= (c >> 3);                          \
		b -= c; b -= a; b ^= (a << 10);                         \
		c -= a; c -= b; c ^= (b >> 15);                         \
	} while (0)

/* Bob Jenkins' 1997 mix on the 6 address bytes, 10 bits (15.6). */
uint32_t nm_bdg_hash(const uint8_t *m)
{
	uint32_t a = 0x9e3779b9, b = 0x9e3779b9, c = 0;

	b += (uint32_t)m[5] << 8 | m[4];
	a += (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 |
	     (uint32_t)m[1] << 8 | m[0];
	NM_MIX(a, b, c);
	return c & (NM_BDG_HASH - 1);
}

/* 6-byte MAC comparison without a call to memcmp. */
static inline int nm_mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/*
 * The learning bridge (15.6).  kring is the sender's TX ring: it caches
 * the hash of the last destination it looked up.  The hash is a pure
 * function of the address, so a cached index is always right; only the
 * table entry behind it is read again for every packet.
 */
static uint8_t nm_bdg_lookup(struct nm_bdg *b, struct nm_adapter *src,
			     struct nm_kring *kring, const uint8_t *frame)
{
	const uint8_t *dmac = frame, *smac = frame + 6;
	struct nm_fwd_entry *e;

	if (!(smac[0] & 1) && !nm_mac_eq(smac, src->last_smac)) {
		memcpy(src->last_smac, smac, 6);
		e = &b->ht[nm_bdg_hash(smac)];
		memcpy(e->mac, smac, 6);
		e->port = (uint8_t)src->bdg_port;
		e->valid = 1;
	}
	if (!(dmac[0] & 1)) {
		if (kring->last_dhash >= NM_BDG_HASH ||
		    !nm_mac_eq(dmac, kring->last_dmac)) {
			memcpy(kring->last_dmac, dmac, 6);
			kring->last_dhash = (uint16_t)nm_bdg_hash(dmac);
		}
		e = &b->ht[kring->last_dhash];
		if (nm_mac_eq(e->mac, dmac))
			return e->port;
	}
	return NM_BDG_BROADCAST;
}

/* ---------------------------------------------------------------- */
/* Delivery into one destination ring                               */
/* ---------------------------------------------------------------- */

/* Complete leases in order: hwtail moves over every finished one. */
static void nm_lease_advance(struct nm_kring *dk)
{
	int moved;

	do {
		uint32_t i;

		moved = 0;
		for (i = 0; i < NM_MAX_LEASES; i++) {
			struct nm_lease *l = &dk->leases[i];

			if (l->owner && l->done && l->start == dk->nr_hwtail) {
				nm_store_release(&dk->nr_hwtail, l->end);
				l->owner = 0;
				moved = 1;
			}
		}
	} while (moved);
}

/*
 * A sender killed while filling a lease would block the ring forever;
 * publish its slots as empty ones.  Called under q_lock.
 */
static void nm_lease_reap_dead(struct nm_kring *dk)
{
	uint32_t i, j, n = dk->nkr_num_slots;

	for (i = 0; i < NM_MAX_LEASES; i++) {
		struct nm_lease *l = &dk->leases[i];

		if (!l->owner || l->done || nmh_owner_alive(l->owner))
			continue;
		for (j = l->start; j != l->end; j = nm_next(j, n)) {
			dk->ring->slot[j].len = 0;
			dk->ring->slot[j].flags = 0;
		}
		l->done = 1;
	}
	nm_lease_advance(dk);
}

/* Is the lease at hwtail pending with a dead owner?  Under q_lock. */
static int nm_lease_blocker_dead(struct nm_kring *dk)
{
	uint32_t i;

	for (i = 0; i < NM_MAX_LEASES; i++) {
		struct nm_lease *l = &dk->leases[i];

		if (l->owner && !l->done && l->start == dk->nr_hwtail)
			return !nmh_owner_alive(l->owner);
	}
	return 0;
}

static int nm_copy_frag(uint8_t *dst, const struct nm_bdg_fwd *f)
{
	if (f->flags & NS_INDIRECT)
		return nmh_copy_from_user(dst, f->buf, f->len);
	memcpy(dst, f->buf, f->len);
	return 0;
}

static void nm_vale_deliver(struct nm_adapter *dna, uint32_t r,
			    const struct nm_bdg_fwd *ft, uint32_t list_a,
			    uint32_t list_b, const uint32_t *bnext)
{
	struct nm_kring *dk;
	struct nm_lease *lease = NULL;
	uint32_t it_a = list_a, it_b = list_b;
	uint32_t needed = 0, npkts = 0, n, busy, avail, howmany, i, j, p;
	uint32_t used = 0, delivered = 0;
	uint64_t bytes = 0;
	uint32_t self = nmh_owner_self();

	/* Count what this destination should get. */
	for (p = list_a; p != NM_FT_NONE; p = ft[p].next) {
		needed += ft[p].nfrags;
		npkts++;
	}
	for (p = list_b; p != NM_FT_NONE; p = bnext[p]) {
		needed += ft[p].nfrags;
		npkts++;
	}
	if (!npkts)
		return;
	dk = &dna->rings[NR_RX][r];
	if (!(dna->flags & NAF_NETMAP_ON) || !dk->ring || !dk->users) {
		nmh_lock(&dk->q_lock);
		dk->stat_drops += npkts;
		nmh_unlock(&dk->q_lock);
		return;
	}
	n = dk->nkr_num_slots;

	nmh_lock(&dk->q_lock);
	busy = nm_dist(nm_load_acquire(&dk->nr_hwcur), dk->nkr_hwlease, n);
	avail = n - 1 - busy;
	if (avail < needed) {
		nm_lease_reap_dead(dk);
		busy = nm_dist(nm_load_acquire(&dk->nr_hwcur), dk->nkr_hwlease,
			       n);
		avail = n - 1 - busy;
	}
	howmany = needed < avail ? needed : avail;
	if (howmany) {
		for (i = 0; i < NM_MAX_LEASES; i++) {
			if (!dk->leases[i].owner) {
				lease = &dk->leases[i];
				break;
			}
		}
	}
	if (!lease) {
		dk->stat_drops += npkts;
		nmh_unlock(&dk->q_lock);
		return;
	}
	lease->start = dk->nkr_hwlease;
	lease->end = (lease->start + howmany) % n;
	lease->done = 0;
	lease->owner = self;
	dk->nkr_hwlease = lease->end;
	nmh_unlock(&dk->q_lock);

	/*
	 * Copy whole packets while they fit, without holding any lock.  The
	 * unicast list is linked through ft[].next, the broadcast list
	 * through bnext[]; both are in batch order and merged here.
	 */
	j = lease->start;
	while (it_a != NM_FT_NONE || it_b != NM_FT_NONE) {
		uint32_t nf, f;

		if (it_b == NM_FT_NONE || (it_a != NM_FT_NONE && it_a < it_b)) {
			p = it_a;
			it_a = ft[p].next;
		} else {
			p = it_b;
			it_b = bnext[p];
		}
		nf = ft[p].nfrags;
		if (used + nf > howmany)
			break;
		for (f = 0; f < nf; f++) {
			const struct nm_bdg_fwd *src = &ft[p + f];
			struct netmap_slot *ds = &dk->ring->slot[j];
			uint64_t off = nm_slot_offset(dk, ds);
			uint8_t *dst = nm_mem_buf(dna->mem, ds->buf_idx) + off;
			uint16_t len = src->len;

			if (len > dk->buf_usable || nm_copy_frag(dst, src))
				len = 0;
			ds->len = len;
			ds->flags = (uint16_t)(nf << 8) |
				    (f + 1 < nf ? NS_MOREFRAG : 0);
			bytes += len;
			j = nm_next(j, n);
		}
		used += nf;
		delivered++;
	}

	/* Publish: shrink or pad the lease, then advance hwtail in order. */
	nmh_lock(&dk->q_lock);
	if (used < howmany) {
		if (dk->nkr_hwlease == lease->end) {
			dk->nkr_hwlease = j;
			lease->end = j;
		} else {
			for (; j != lease->end; j = nm_next(j, n)) {
				dk->ring->slot[j].len = 0;
				dk->ring->slot[j].flags = 0;
			}
		}
	}
	lease->done = 1;
	if (lease->start == lease->end)
		lease->owner = 0;
	nm_lease_advance(dk);
	/*
	 * Still waiting behind an older lease: if its sender died, nobody
	 * would ever complete it.  Checking the one blocking lease costs an
	 * owner check only when senders actually overlap.
	 */
	if (lease->owner && nm_lease_blocker_dead(dk))
		nm_lease_reap_dead(dk);
	dk->stat_pkts += delivered;
	dk->stat_bytes += bytes;
	dk->stat_drops += npkts - delivered;
	nmh_unlock(&dk->q_lock);
	if (delivered)
		nmh_kring_notify(dk);
}

/* ---------------------------------------------------------------- */
/* Forwarding a batch (15.5)                                        */
/* ---------------------------------------------------------------- */

/* Work area: a full batch plus the rest of one packet (15.5). */
#define NM_FT_ENTRIES (NM_BDG_BATCH_MAX + NETMAP_MAX_FRAGS + 2)

/*
 * Work area of one VALE transmit ring, used only by the ring's busy
 * owner; kring->ft points to its first member.  The per-destination
 * lists live here rather than on the stack (kernel stacks are small).
 */
struct nm_bdg_work {
	struct nm_bdg_fwd ft[NM_FT_ENTRIES];
	uint32_t uhead[NM_BDG_MAXSLOTS], utail[NM_BDG_MAXSLOTS];
	uint32_t bnext[NM_BDG_BATCH_MAX + NETMAP_MAX_FRAGS];
};

static void nm_vale_forward(struct nm_kring *kring, struct nm_bdg_fwd *ft,
			    uint32_t count)
{
	struct nm_adapter *na = kring->na;
	struct nm_bdg *b = na->bdg;
	struct nm_bdg_work *w = (struct nm_bdg_work *)kring->ft;
	uint32_t *uhead = w->uhead, *utail = w->utail, *bnext = w->bnext;
	uint32_t bhead = NM_FT_NONE, btail = NM_FT_NONE;
	uint32_t i, nf, d, h = na->virt_hdr_len, src = na->bdg_port;
	uint8_t hdrbuf[14];

	for (i = 0; i < NM_BDG_MAXSLOTS; i++)
		uhead[i] = NM_FT_NONE;
	for (i = 0; i < count; i += nf) {
		const uint8_t *frame;
		uint32_t flen;
		struct nm_bdg_fwd *f = &ft[i];
		uint8_t dst;

		/* A packet ends at a slot without NS_MOREFRAG or at the end. */
		nf = 1;
		if (f->flags & NS_MOREFRAG) {
			while (i + nf - 1 < count - 1 &&
			       (ft[i + nf - 1].flags & NS_MOREFRAG))
				nf++;
			for (d = 1; d < nf; d++)
				kring->stat_bytes += ft[i + d].len;
		}
		f->nfrags = (uint16_t)nf;
		f->next = NM_FT_NONE;
		kring->stat_pkts++;
		kring->stat_bytes += f->len;
		f->dst = NM_BDG_NOPORT;
		if (nf > NETMAP_MAX_FRAGS)
			continue;	/* upstream overran memory here */
		/* Skip the virtio-net header, if any. */
		if (f->len > h) {
			frame = f->buf + h;
			flen = f->len - h;
		} else if (h && f->len == h && nf > 1) {
			frame = ft[i + 1].buf;
			flen = ft[i + 1].len;
			if (ft[i + 1].flags & NS_INDIRECT)
				f->flags |= NS_INDIRECT;
		} else {
			continue;
		}
		if (flen < 14)
			continue;
		if (f->flags & NS_INDIRECT) {
			if (nmh_copy_from_user(hdrbuf, frame, sizeof(hdrbuf)))
				continue;
			frame = hdrbuf;
		}
		dst = nm_bdg_lookup(b, na, kring, frame);
		if (dst == NM_BDG_BROADCAST) {
			f->dst = dst;
			if (btail == NM_FT_NONE)
				bhead = i;
			else
				bnext[btail] = i;
			btail = i;
			bnext[i] = NM_FT_NONE;
			continue;
		}
		if (dst == src || dst >= NM_BDG_MAXSLOTS || !b->ports[dst])
			continue;
		f->dst = dst;
		if (uhead[dst] == NM_FT_NONE)
			uhead[dst] = i;
		else
			ft[utail[dst]].next = i;
		utail[dst] = i;
	}

	for (d = 0; d < NM_BDG_MAXSLOTS; d++) {
		struct nm_adapter *dna = b->ports[d];
		uint32_t ur;

		if (!dna || d == src)
			continue;
		if (uhead[d] == NM_FT_NONE && bhead == NM_FT_NONE)
			continue;
		if (!dna->num_rings[NR_RX])
			continue;
		ur = kring->ring_id % dna->num_rings[NR_RX];
		if (ur == 0) {
			nm_vale_deliver(dna, 0, ft, uhead[d], bhead, bnext);
		} else {
			nm_vale_deliver(dna, ur, ft, uhead[d], NM_FT_NONE, bnext);
			nm_vale_deliver(dna, 0, ft, NM_FT_NONE, bhead, bnext);
		}
	}
}

/* TX sync of a VALE port: forward everything in [hwcur, head). */
static int nm_vale_txsync(struct nm_kring *kring, int flags)
{
	struct nm_adapter *na = kring->na;
	struct netmap_ring *ring = kring->ring;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t j = kring->nr_hwcur, batch = nm_g->params.bridge_batch;
	uint32_t bufsize = nm_mem_bufsize(na->mem);
	int skip_chain = 0;
	struct nm_bdg *b;

	(void)flags;
	if (batch == 0 || batch > NM_BDG_BATCH_MAX)
		batch = NM_BDG_BATCH_MAX;
	while (j != head) {
		uint32_t count = 0;

		/* The rest of a chain cut for being too long is dropped. */
		while (skip_chain && j != head) {
			skip_chain = !!(ring->slot[j].flags & NS_MOREFRAG);
			ring->slot[j].flags &= ~NS_BUF_CHANGED;
			j = nm_next(j, n);
		}
		/* Collect a batch, closed only at a packet boundary. */
		while (j != head) {
			struct netmap_slot *s = &ring->slot[j];
			struct nm_bdg_fwd *f = &kring->ft[count];
			uint64_t off = nm_slot_offset(kring, s);
			uint16_t sflags = s->flags;

			if (sflags & NS_INDIRECT)
				f->buf = (const uint8_t *)(uintptr_t)s->ptr;
			else
				f->buf = nm_mem_buf(na->mem, s->buf_idx) + off;
			f->len = s->len;
			if (f->len > bufsize - off)
				f->len = 0;
			f->flags = sflags & (NS_MOREFRAG | NS_INDIRECT);
			if (sflags & NS_BUF_CHANGED)
				s->flags = sflags & ~NS_BUF_CHANGED;
			count++;
			j = nm_next(j, n);
			if (!(sflags & NS_MOREFRAG) && count >= batch)
				break;
			if (count > batch + NETMAP_MAX_FRAGS) {
				/* Longer than any valid packet: drop it all. */
				skip_chain = !!(sflags & NS_MOREFRAG);
				break;
			}
		}
		if (!count)
			continue;
		b = na->bdg;
		if (b) {
			nmh_bdg_rlock(&b->fwd_lock);
			nm_vale_forward(kring, kring->ft, count);
			nmh_bdg_runlock(&b->fwd_lock);
		}
	}
	kring->nr_hwcur = head;
	nm_store_release(&kring->nr_hwtail, nm_prev(head, n));
	return 0;
}

/* RX sync: release slots [hwcur, head) back to the senders. */
static int nm_vale_rxsync(struct nm_kring *kring, int flags)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead, j;

	(void)flags;
	for (j = kring->nr_hwcur; j != head; j = nm_next(j, n)) {
		struct netmap_slot *s = &ring->slot[j];

		if (s->flags & NS_BUF_CHANGED)
			s->flags &= ~NS_BUF_CHANGED;
	}
	nm_store_release(&kring->nr_hwcur, head);
	return 0;
}
/* ---------------------------------------------------------------- */
/* Port life cycle                                                  */
/* ---------------------------------------------------------------- */

static int nm_vale_krings_create(struct nm_adapter *na)
{
	uint32_t i;

	for (i = 0; i < na->num_rings[NR_TX]; i++) {
		struct nm_kring *k = &na->rings[NR_TX][i];

		k->ft = nmh_zalloc(sizeof(struct nm_bdg_work));
		if (!k->ft)
			return -ENOMEM;
	}
	return 0;
}

static void nm_vale_krings_delete(struct nm_adapter *na)
{
	uint32_t i;

	for (i = 0; i < na->num_rings[NR_TX]; i++) {
		nmh_free(na->rings[NR_TX][i].ft);
		na->rings[NR_TX][i].ft = NULL;
	}
}

/*
 * First binding: create the rings.  Last binding: delete them, with the
 * switch locked exclusively so that no sender is copying into them.
 */
static int nm_vale_reg(struct nm_adapter *na, int onoff)
{
	struct nm_bdg *b = na->bdg;
	int err = 0;

	if (onoff)
		return nma_rings_create(na, NULL);
	if (b)
		nmh_bdg_wlock(&b->fwd_lock);
	nma_rings_delete(na);
	if (b)
		nmh_bdg_wunlock(&b->fwd_lock);
	return err;
}

static void nm_vale_dtor(struct nm_adapter *na)
{
	nma_krings_delete(na);
	nm_mem_put(na->mem);
	nmh_free(na);
}

const struct nm_adapter_ops nm_vale_ops = {
	.krings_create = nm_vale_krings_create,
	.krings_delete = nm_vale_krings_delete,
	.reg = nm_vale_reg,
	.txsync = nm_vale_txsync,
	.rxsync = nm_vale_rxsync,
	.dtor = nm_vale_dtor,
};

static uint32_t nm_clamp(uint32_t v, uint32_t dflt, uint32_t lo, uint32_t hi)
{
	if (v == 0)
		return dflt;
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * A new VALE port adapter (ephemeral or persistent) with the geometry of
 * 15.2, in a private region unless nr_mem_id names one.
 */
static int nm_vale_new(const char *name, struct nmreq_register *req,
		       enum nm_kind kind, struct nm_adapter **out)
{
	struct nm_adapter *na;
	uint32_t extra = req->nr_extra_bufs;
	int err;

	na = nmh_zalloc(sizeof(*na));
	if (!na)
		return -ENOMEM;
	nm_strlcpy(na->name, name, sizeof(na->name));
	na->kind = kind;
	na->flags = NAF_OFFSETS | NAF_MOREFRAG;
	na->mfs = 1514;
	na->num_rings[NR_TX] = nm_clamp(req->nr_tx_rings, 1, 1, 16);
	na->num_rings[NR_RX] = nm_clamp(req->nr_rx_rings, 1, 1, 16);
	na->num_slots[NR_TX] = nm_clamp(req->nr_tx_slots, 1024, 1, 4096);
	na->num_slots[NR_RX] = nm_clamp(req->nr_rx_slots, 1024, 1, 4096);
	if (extra > 128 * 4096)
		extra = 128 * 4096;
	if (req->nr_mem_id) {
		na->mem = nm_mem_find(req->nr_mem_id);
		if (!na->mem) {
			nmh_free(na);
			return -EINVAL;
		}
	} else {
		na->mem = nm_mem_private_new(na->num_rings[NR_TX],
					     na->num_slots[NR_TX],
					     na->num_rings[NR_RX],
					     na->num_slots[NR_RX], extra, 2,
					     &err);
		if (!na->mem) {
			nmh_free(na);
			return err;
		}
	}
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

/*
 * Resolve valeX:Y (14.1).  Registrations create the switch and the port
 * on demand; pure lookups never create anything.
 */
int nm_vale_get(const char *name, struct nmreq_register *req,
		enum nm_lookup how, struct nm_adapter **out)
{
	const char *port;
	uint32_t swlen, i;
	struct nm_bdg *b;
	struct nm_adapter *na;
	int err;

	*out = NULL;
	err = nm_vale_parse(name, &swlen, &port);
	if (err || !port[0])
		return how == NM_LOOKUP_CREATE ? -ENOMEM : -ENXIO;
	b = nm_bdg_find(name, swlen, NULL);
	if (b) {
		for (i = 0; i < NM_BDG_MAXSLOTS; i++) {
			na = b->ports[i];
			if (na && nm_bdg_port_is(b, na, name)) {
				if (na->flags & NAF_KERNEL_OWNED)
					return -EBUSY;
				nma_get(na);
				*out = na;
				return 0;
			}
		}
	}
	/* valeX:ifname where ifname is a system port not on this switch. */
	if (nm_is_sysif(port))
		return how == NM_LOOKUP_CREATE ? -EINVAL : -ENXIO;
	if (how != NM_LOOKUP_CREATE)
		return -ENXIO;
	if (!b) {
		b = nm_bdg_create(name, swlen, &err);
		if (!b)
			return err;
	}
	err = nm_vale_new(name, req, NM_KIND_VALE, &na);
	if (err)
		goto err_bdg;
	err = nm_bdg_attach(b, na);
	if (err) {
		nma_put(na);
		goto err_bdg;
	}
	*out = na;	/* the caller's reference; the switch holds another */
	return 0;
err_bdg:
	nm_bdg_free_if_empty(b);
	return err;
}

/*
 * An ephemeral port leaves its switch when nobody uses it; an
 * auto-created pipe parent disappears with its last pipe.
 */
/*
 * Take a persistent port out of the registry (and the system): drop the
 * registry's reference.
 */
static void nm_vale_persist_remove(struct nm_adapter *na)
{
	struct nm_adapter **pp;

	for (pp = &nm_g->named_ports; *pp; pp = &(*pp)->next) {
		if (*pp == na) {
			*pp = na->next;
			na->flags &= ~NAF_AUTODELETE;
			if (nm_g->host_has_netdevs)
				nmh_persist_netdev_destroy(na);
			nma_put(na);
			break;
		}
	}
}

void nm_vale_release_unused(struct nm_adapter *na)
{
	if (na->kind == NM_KIND_VALE && na->bdg) {
		nm_bdg_detach(na);
		nma_put(na);
	} else if (na->kind == NM_KIND_PERSIST &&
		   (na->flags & NAF_AUTODELETE) && !na->bdg) {
		nm_vale_persist_remove(na);
	}
}

/* A persistent VALE port, known by name like a system interface. */
int nm_vale_persist_create(const char *name, struct nmreq_register *req,
			   uint32_t flags, struct nm_adapter **out)
{
	struct nm_adapter *na;
	int err;

	if (!strncmp(name, "vale", 4) || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	if (nm_is_sysif(name))
		return -EEXIST;
	err = nm_vale_new(name, req, NM_KIND_PERSIST, &na);
	if (err)
		return err;
	if (nm_g->host_has_netdevs) {
		err = nmh_persist_netdev_create(na);
		if (err) {
			nma_put(na);
			return err;
		}
	}
	na->flags |= flags;
	na->next = nm_g->named_ports;
	nm_g->named_ports = na;	/* the registry's reference */
	*out = na;
	return 0;
}

/* VALE_DELIF (15.3): destroy an unused persistent port. */
int nm_vale_persist_delete(const char *name)
{
	struct nm_adapter *na = nm_named_find(name);

	if (!na)
		return nm_is_sysif(name) ? -EINVAL : -ENXIO;
	if (na->kind != NM_KIND_PERSIST || (na->flags & NAF_AUTODELETE))
		return -EINVAL;
	if (na->users || na->bdg || na->num_pipes || na->refcount > 1)
		return -EBUSY;
	nm_vale_persist_remove(na);
	return 0;
}

/*
 * VALE_ATTACH (15.3).  A persistent port not yet on a switch joins it as
 * valeX:ifname (step 4).  Wrapping a NIC, or a persistent port already
 * on another switch (step 5), needs NIC adapters: not built yet.
 */
int nm_vale_attach(const char *name, struct nmreq_vale_attach *req)
{
	struct nm_adapter *na;
	const char *port;
	struct nm_bdg *b;
	uint32_t swlen;
	int err;

	if (strncmp(name, "vale", 4) || nm_vale_parse(name, &swlen, &port) ||
	    !port[0])
		return -EINVAL;
	if (req->reg.nr_mem_id && !nm_mem_find(req->reg.nr_mem_id))
		return -EINVAL;
	err = nm_vale_get(name, NULL, NM_LOOKUP_ONLY, &na);
	if (!err) {
		nma_put(na);
		return -EBUSY;
	}
	if (err == -EBUSY)	/* kernel-owned port of that name */
		return err;
	na = nm_named_find(port);
	if (!na) {
		/* Attaching NICs needs netdevs (kernel only). */
		if (!nm_g->host_has_netdevs)
			return -EOPNOTSUPP;
		return nmh_netdev_exists(port) ? -EOPNOTSUPP : -EINVAL;
	}
	if (na->bdg || (na->flags & NAF_KERNEL_OWNED))
		return -EOPNOTSUPP;
	b = nm_bdg_find(name, swlen, NULL);
	if (!b) {
		b = nm_bdg_create(name, swlen, &err);
		if (!b)
			return err;
	}
	err = nm_bdg_attach(b, na);
	if (err) {
		nm_bdg_free_if_empty(b);
		return err;
	}
	req->port_index = na->bdg_port;
	return 0;
}

/*
 * VALE_DETACH (15.3) of a persistent port.  Ephemeral ports cannot be
 * detached.  A persistent port bound by a descriptor stays attached
 * (EBUSY): its senders use the switch without the control lock.
 */
int nm_vale_detach(const char *name, struct nmreq_vale_detach *req)
{
	struct nm_adapter *na;
	int err;

	if (strncmp(name, "vale", 4))
		return -EINVAL;
	err = nm_vale_get(name, NULL, NM_LOOKUP_ONLY, &na);
	if (err)
		return -ENXIO;
	err = -EINVAL;
	if (na->kind != NM_KIND_PERSIST)
		goto out;
	err = -EBUSY;
	if (na->users)
		goto out;
	req->port_index = na->bdg_port;
	nm_bdg_detach(na);
	nma_put(na);	/* the switch's reference */
	nma_check_unused(na);	/* an auto-created pipe parent may go now */
	err = 0;
out:
	nma_put(na);
	return err;
}

/* ---------------------------------------------------------------- */
/* VALE_LIST (15.7), headers (9.6), counters (8.2)                  */
/* ---------------------------------------------------------------- */

int nm_vale_list(char *name, struct nmreq_vale_list *req)
{
	uint32_t bi, pi, swlen;
	const char *port;
	struct nm_bdg *b;
	int idx;

	if (name[0]) {
		if (strncmp(name, "vale", 4))
			return -EINVAL;
		if (nm_vale_parse(name, &swlen, &port))
			return -EINVAL;
		b = nm_bdg_find(name, swlen, &idx);
		if (!b)
			return -ENOENT;
		req->nr_bridge_idx = (uint16_t)idx;
		req->nr_port_idx = NM_BDG_NOPORT;
		for (pi = 0; pi < NM_BDG_MAXSLOTS; pi++) {
			if (b->ports[pi] && nm_bdg_port_is(b, b->ports[pi], name)) {
				req->nr_port_idx = pi;
				break;
			}
		}
		return 0;
	}
	pi = req->nr_port_idx;
	for (bi = req->nr_bridge_idx; bi < nm_g->params.max_bridges; bi++) {
		b = nm_g->bridges[bi];
		for (; b && pi < NM_BDG_MAXSLOTS; pi++) {
			if (b->ports[pi]) {
				nm_bdg_port_name(b, b->ports[pi], name,
						 NETMAP_REQ_IFNAMSIZ);
				req->nr_bridge_idx = (uint16_t)bi;
				req->nr_port_idx = pi;
				return 0;
			}
		}
		pi = 0;
	}
	return -ENOENT;
}

int nm_vale_hdr_set(const char *name, uint32_t len)
{
	struct nm_adapter *na;
	int err;

	if (len != 0 && len != 10 && len != 12)
		return -EINVAL;
	if (!nm_vale_is_name(name))
		return -ENXIO;
	err = nm_vale_get(name, NULL, NM_LOOKUP_ONLY, &na);
	if (err)
		return -ENXIO;
	na->virt_hdr_len = len;
	if (len && na->mfs < nm_mem_bufsize(na->mem))
		na->mfs = nm_mem_bufsize(na->mem);
	nma_put(na);
	return 0;
}

int nm_vale_hdr_get(const char *name, uint32_t *len)
{
	struct nm_adapter *na;
	int err;

	err = nm_get_adapter(name, NULL, NM_LOOKUP_ONLY, &na);
	if (err)
		return err;
	*len = na->virt_hdr_len;
	nma_check_unused(na);
	nma_put(na);
	return 0;
}

int nm_vale_stats(const char *name, struct nm_vale_stats *st)
{
	struct nm_adapter *na;
	uint32_t i;
	int err;

	err = nm_vale_get(name, NULL, NM_LOOKUP_ONLY, &na);
	if (err)
		return err;
	memset(st, 0, sizeof(*st));
	if (na->rings[NR_TX])
		for (i = 0; i < na->num_rings[NR_TX]; i++) {
			st->tx_pkts += na->rings[NR_TX][i].stat_pkts;
			st->tx_bytes += na->rings[NR_TX][i].stat_bytes;
		}
	if (na->rings[NR_RX])
		for (i = 0; i < nma_all_rings(na, NR_RX); i++) {
			st->rx_pkts += na->rings[NR_RX][i].stat_pkts;
			st->rx_bytes += na->rings[NR_RX][i].stat_bytes;
			st->rx_drops += na->rings[NR_RX][i].stat_drops;
		}
	nma_put(na);
	return 0;
}
