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

/* Split a VALE name: nm_vale_name_parse() without the explanation. */
static int nm_vale_parse(const char *name, uint32_t *swlen, const char **port)
{
	return nm_vale_name_parse(name, swlen, port, NULL, 0);
}

/* ---------------------------------------------------------------- */
/* Switches                                                         */
/* ---------------------------------------------------------------- */

/*
 * Switches belong to the network namespace that created them (15.1):
 * another namespace neither sees nor reaches them.
 */
static struct nm_bdg *nm_bdg_find(const char *name, uint32_t len, int *idx)
{
	uint64_t ns = nmh_netns_self();
	uint32_t i;

	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		if (b && b->ns == ns && b->namelen == len &&
		    !strncmp(b->name, name, len)) {
			if (idx)
				*idx = (int)i;
			return b;
		}
	}
	return NULL;
}

/* max_bridges switches per namespace, in one table for all (24). */
static struct nm_bdg *nm_bdg_create(const char *name, uint32_t len, int *err)
{
	uint64_t ns = nmh_netns_self();
	uint32_t i, mine = 0, slot = NM_MAX_BRIDGES_LIMIT;
	struct nm_bdg *b;

	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		if (!nm_g->bridges[i]) {
			if (slot == NM_MAX_BRIDGES_LIMIT)
				slot = i;
		} else if (nm_g->bridges[i]->ns == ns) {
			mine++;
		}
	}
	if (mine >= nm_g->params.max_bridges || slot == NM_MAX_BRIDGES_LIMIT) {
		*err = -ENOMEM;
		return NULL;
	}
	i = slot;
	b = nmh_zalloc(sizeof(*b));
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(b->name, name, len);
	b->name[len] = '\0';
	b->namelen = len;
	b->ns = ns;
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

/* The port called name on switch b, or NULL. */
static struct nm_adapter *nm_bdg_port_find(struct nm_bdg *b, const char *name)
{
	uint32_t i;

	for (i = 0; i < NM_BDG_MAXSLOTS; i++)
		if (b->ports[i] && nm_bdg_port_is(b, b->ports[i], name))
			return b->ports[i];
	return NULL;
}

/* A switch port found by its VALE name, whoever owns it; no reference. */
static struct nm_adapter *nm_vale_port_lookup(const char *name)
{
	const char *port;
	uint32_t swlen;
	struct nm_bdg *b;

	if (nm_vale_parse(name, &swlen, &port) || !port[0])
		return NULL;
	b = nm_bdg_find(name, swlen, NULL);
	return b ? nm_bdg_port_find(b, name) : NULL;
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

int nm_bdg_attach(struct nm_bdg *b, struct nm_adapter *na)
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

void nm_bdg_detach(struct nm_adapter *na)
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
/* Work area of a transmit ring                                     */
/* ---------------------------------------------------------------- */

/* Entries of a batch: a full batch plus the rest of one packet (15.5). */
#define NM_FT_ENTRIES (NM_BDG_BATCH_MAX + NETMAP_MAX_FRAGS + 2)

/* The packets of a batch for one destination, in batch order. */
struct nm_bdg_list {
	uint32_t head, tail;	/* first and last packet, or NM_FT_NONE */
	uint32_t slots, pkts;
};

/* A copy the delivery loop leaves for later, because it needs a call. */
struct nm_bdg_copy {
	uint8_t *dst;
	uint32_t k;		/* from ft[k] */
	uint32_t j;		/* into this slot of the destination ring */
};

/*
 * Work area of one VALE transmit ring, used only by the ring's busy
 * owner; kring->ft points to its first member.  It is allocated with
 * the ring rather than on the stack (kernel stacks are small).
 */
struct nm_bdg_work {
	struct nm_bdg_fwd ft[NM_FT_ENTRIES];
	/* Unicast lists, linked through ft[].next, and broadcast. */
	struct nm_bdg_list ucast[NM_BDG_MAXSLOTS];
	struct nm_bdg_list bcast;
	uint32_t bnext[NM_FT_ENTRIES];		/* broadcast links */
	struct nm_bdg_copy later[NM_FT_ENTRIES];
	/*
	 * Switches this sync's frames crossed before (0: a sender's own
	 * sync), so that the relays of wrapped persistent ports (nm_nic.c)
	 * never nest without bound.
	 */
	uint32_t depth;
};

/* ---------------------------------------------------------------- */
/* Delivery into one destination ring                               */
/* ---------------------------------------------------------------- */

/*
 * Leases tile [hwtail, hwlease) whenever q_lock is free.  A sender (user
 * runtime) can be killed holding q_lock, between any two stores; the
 * stores below are ordered so that what it leaves is at worst slots that
 * no lease covers, which nm_lease_fill_gaps() publishes empty, never two
 * leases on one slot or an entry that nothing frees.
 */

/* Complete leases in order: hwtail moves over every finished one. */
static void nm_lease_advance(struct nm_kring *dk)
{
	int moved;

	do {
		uint32_t i;

		moved = 0;
		for (i = 0; i < NM_MAX_LEASES; i++) {
			struct nm_lease *l = &dk->leases[i];
			uint32_t end = l->end;

			if (l->owner && l->done && l->start == dk->nr_hwtail) {
				/*
				 * Entry first: a stale one could match
				 * a later lease's start.
				 */
				nm_store_release(&l->owner, 0);
				nm_store_release(&dk->nr_hwtail, end);
				moved = 1;
			}
		}
	} while (moved);
}

/*
 * Slots from hwtail up to the next lease (or hwlease) with no lease: a
 * sender died between reserving them and recording its lease, or while
 * moving hwtail.  Nobody would ever publish them: publish them empty.
 */
static void nm_lease_fill_gaps(struct nm_kring *dk)
{
	uint32_t n = dk->nkr_num_slots, tail, gap, i, j;

	for (;;) {
		tail = dk->nr_hwtail;
		gap = nm_dist(tail, dk->nkr_hwlease, n);
		for (i = 0; i < NM_MAX_LEASES && gap; i++) {
			const struct nm_lease *l = &dk->leases[i];

			if (l->owner && nm_dist(tail, l->start, n) < gap)
				gap = nm_dist(tail, l->start, n);
		}
		if (!gap)
			return;
		for (j = tail; gap--; j = nm_next(j, n)) {
			dk->ring->slot[j].len = 0;
			dk->ring->slot[j].flags = 0;
		}
		nm_store_release(&dk->nr_hwtail, j);
		nm_lease_advance(dk);
	}
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
	nm_lease_fill_gaps(dk);
}

/*
 * Is hwtail held back by a pending lease whose sender died, or by slots
 * no lease covers?  Called with a lease of ours pending, under q_lock.
 */
static int nm_lease_blocker_dead(struct nm_kring *dk)
{
	uint32_t i;

	for (i = 0; i < NM_MAX_LEASES; i++) {
		struct nm_lease *l = &dk->leases[i];

		if (l->owner && l->start == dk->nr_hwtail)
			return !l->done && !nmh_owner_alive(l->owner);
	}
	return dk->nr_hwtail != dk->nkr_hwlease;
}

/*
 * Minimum-size frames dominate packet rates: from 16 to 64 bytes a copy
 * is two overlapping fixed-size moves that the compiler inlines.
 */
static inline void nm_copy_small(uint8_t *dst, const uint8_t *src,
				 uint32_t len)
{
	if (len >= 32) {
		memcpy(dst, src, 32);
		memcpy(dst + len - 32, src + len - 32, 32);
	} else {
		memcpy(dst, src, 16);
		memcpy(dst + len - 16, src + len - 16, 16);
	}
}

/*
 * A destination ring being filled, its geometry read once per delivery.
 * Only the lease's owner touches it, without any lock.
 */
struct nm_vale_out {
	struct netmap_slot *slot;	/* the ring's slots */
	struct netmap_slot *end;	/* one past its last slot */
	struct netmap_slot *ds;		/* next slot to fill */
	struct nm_bufs bufs;
	uint64_t omask, omax;		/* offsets (10.7) */
	uint32_t usable;		/* bytes usable after the offset */
	uint32_t room;			/* slots left in the lease */
	uint64_t bytes;
	struct nm_bdg_copy *later;	/* copies left for later */
	uint32_t nlater;
};

/*
 * Reserve up to needed free slots of ring dk of dna for npkts packets.
 * Returns the lease, or NULL when nothing fits: then the packets are
 * counted as drops.
 */
static struct nm_lease *nm_lease_reserve(struct nm_adapter *dna,
					 struct nm_kring *dk, uint32_t needed,
					 uint32_t npkts)
{
	struct nm_lease *lease = NULL;
	uint32_t n, busy, avail, howmany, i, self = nmh_owner_self();

	/* A user-memory region may need mapping here first (EXTMEM). */
	if (!(dna->flags & NAF_NETMAP_ON) || !dk->ring || !dk->users ||
	    (dna->mem->ext && nmh_ext_attach(dna->mem))) {
		nmh_lock(&dk->q_lock);
		dk->stat_drops += npkts;
		nmh_unlock(&dk->q_lock);
		return NULL;
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
		return NULL;
	}
	lease->start = dk->nkr_hwlease;
	lease->end = (lease->start + howmany) % n;
	lease->done = 0;
	/*
	 * The slots, then the entry: the other order could start the next
	 * lease on the same slot.
	 */
	nm_store_release(&dk->nkr_hwlease, lease->end);
	nm_store_release(&lease->owner, self);
	nmh_unlock(&dk->q_lock);
	return lease;
}

/*
 * Fill slot o->ds from ft[k] with the given flags.  buf_idx and the
 * offset of a free receive slot belong to the receiver, so both are
 * validated for every slot.  Only small plain copies are made here, so
 * that the delivery loop makes no call and keeps its state in
 * registers; the others are listed for nm_vale_out_later().
 */
static inline void nm_vale_out_slot(struct nm_vale_out *o,
				    const struct nm_bdg_fwd *ft, uint32_t k,
				    uint16_t flags)
{
	struct netmap_slot *ds = o->ds;
	uint8_t *dst = nm_bufs_addr(&o->bufs, ds->buf_idx);
	uint16_t len = ft[k].len;

	if (o->omask) {
		uint64_t off = ds->ptr & o->omask;

		dst += off > o->omax ? o->omax : off;
	}
	if (len > o->usable) {
		len = 0;
	} else if (len >= 16 && len <= 64 && !(ft[k].flags & NS_INDIRECT)) {
		nm_copy_small(dst, ft[k].buf, len);
	} else if (len) {
		struct nm_bdg_copy *c = &o->later[o->nlater++];

		c->dst = dst;
		c->k = k;
		c->j = (uint32_t)(ds - o->slot);
	}
	/*
	 * The receiver reads this line too: storing equal values (the same
	 * length, packet after packet) would move it between the cores for
	 * nothing.
	 */
	if (ds->len != len)
		ds->len = len;
	if (ds->flags != flags)
		ds->flags = flags;
	o->bytes += len;
	o->ds = ds + 1 == o->end ? o->slot : ds + 1;
}

/* The copies nm_vale_out_slot() left; a slot whose copy faults is empty. */
static void nm_vale_out_later(struct nm_vale_out *o,
			      const struct nm_bdg_fwd *ft)
{
	uint32_t i;

	for (i = 0; i < o->nlater; i++) {
		const struct nm_bdg_copy *c = &o->later[i];
		const struct nm_bdg_fwd *f = &ft[c->k];

		if (!(f->flags & NS_INDIRECT)) {
			memcpy(c->dst, f->buf, f->len);
		} else if (nmh_copy_from_user_nofault(c->dst, f->buf, f->len)) {
			o->slot[c->j].len = 0;
			o->bytes -= f->len;
		}
	}
}

/*
 * A completed lease that waits behind an older one (whose sender is
 * slow: preempted in the middle of its copy, say) is merged with the
 * completed leases just before and just after it.  Unmerged, every
 * batch the other senders delivered meanwhile kept an entry, and after
 * NM_MAX_LEASES of them (32 batches, a few tens of milliseconds of one
 * preempted sender on a loaded machine) every further batch was dropped
 * with the ring mostly free (issue 8, 2.10).  Merged, the entries in use
 * are at most about two per sender.  The absorbed entry is freed before
 * the other grows over its slots: a death in between leaves slots no
 * lease covers (published empty later, nm_lease_fill_gaps), never two
 * leases on a slot.  Called under q_lock with lease done.
 */
static void nm_lease_merge(struct nm_kring *dk, struct nm_lease *lease)
{
	uint32_t i;

	for (i = 0; i < NM_MAX_LEASES; i++) {
		struct nm_lease *l = &dk->leases[i];
		uint32_t end;

		if (l == lease || !l->owner || !l->done)
			continue;
		if (l->end == lease->start) {	/* l just before: l grows */
			end = lease->end;
			nm_store_release(&lease->owner, 0);
			NM_WRITE_ONCE(l->end, end);
			lease = l;
			i = (uint32_t)-1;	/* look again, around l */
		} else if (l->start == lease->end) {	/* l just after */
			end = l->end;
			nm_store_release(&l->owner, 0);
			NM_WRITE_ONCE(lease->end, end);
			i = (uint32_t)-1;
		}
	}
}

/*
 * Publish a lease filled up to slot j (delivered frames, dropped
 * packets): shrink it (or pad it with empty
 * slots when a younger lease follows), then advance hwtail in order.
 */
static void nm_lease_publish(struct nm_kring *dk, struct nm_lease *lease,
			     uint32_t j, uint32_t delivered, uint64_t bytes,
			     uint32_t dropped, uint32_t depth)
{
	uint32_t n = dk->nkr_num_slots;

	nmh_lock(&dk->q_lock);
	if (j != lease->end) {
		if (dk->nkr_hwlease == lease->end) {
			lease->end = j;
			nm_store_release(&dk->nkr_hwlease, j);
		} else {
			for (; j != lease->end; j = nm_next(j, n)) {
				dk->ring->slot[j].len = 0;
				dk->ring->slot[j].flags = 0;
			}
		}
	}
	/*
	 * An empty lease is freed, not completed: a younger lease may start
	 * on its slot, and a done entry there would never move.
	 */
	if (lease->start == lease->end)
		nm_store_release(&lease->owner, 0);
	else
		nm_store_release(&lease->done, 1);
	nm_lease_advance(dk);
	/*
	 * Still waiting behind an older lease: if its sender died, nobody
	 * would ever complete it.  Checking the one blocking lease costs an
	 * owner check only when senders actually overlap.
	 */
	if (lease->owner) {
		nm_lease_merge(dk, lease);
		if (nm_lease_blocker_dead(dk))
			nm_lease_reap_dead(dk);
	}
	dk->stat_pkts += delivered;
	dk->stat_bytes += bytes;
	dk->stat_drops += dropped;
	nmh_unlock(&dk->q_lock);
	if (!delivered)
		return;
	if (dk->na->flags & NAF_KERNEL_OWNED)
		nm_bwrap_flush(dk, depth);	/* on to the wrapped interface */
	else
		nm_kring_notify(dk);
}

/* The next packet of two lists merged in batch order, or NM_FT_NONE. */
static inline uint32_t nm_bdg_merge_next(const struct nm_bdg_work *w,
					 uint32_t *a, uint32_t *b)
{
	uint32_t k = *a < *b ? *a : *b;

	if (k == NM_FT_NONE)
		return k;
	if (k == *a)
		*a = w->ft[k].next;
	else
		*b = w->bnext[k];
	return k;
}

/*
 * Deliver to ring r of dna its npkts packets (needed slots) of the batch:
 * the unicast list (linked through ft[].next) and the broadcast list
 * (through bnext[]), both in batch order, merged.  Whole packets are
 * copied while they fit; the rest are dropped.
 */
static void nm_vale_deliver(struct nm_adapter *dna, uint32_t r,
			    struct nm_bdg_work *w, uint32_t list_a,
			    uint32_t list_b, uint32_t needed, uint32_t npkts)
{
	struct nm_kring *dk = &dna->rings[NR_RX][r];
	const struct nm_bdg_fwd *ft = w->ft;
	struct nm_vale_out o;
	struct nm_lease *lease;
	uint32_t delivered = 0, k = 0, left = 0;
	uint16_t hi = 0;

	if (!npkts)
		return;
	lease = nm_lease_reserve(dna, dk, needed, npkts);
	if (!lease)
		return;
	o.slot = dk->ring->slot;
	o.end = o.slot + dk->nkr_num_slots;
	o.ds = o.slot + lease->start;
	nm_bufs_init(&o.bufs, dna->mem);
	o.omask = dk->offset_mask;
	o.omax = dk->offset_max;
	o.usable = dk->buf_usable;
	o.room = nm_dist(lease->start, lease->end, dk->nkr_num_slots);
	o.bytes = 0;
	o.later = w->later;
	o.nlater = 0;
	/*
	 * One slot per round; the next packet starts when left is 0: the
	 * first of the two lists, NM_FT_NONE being above any index.
	 */
	for (;;) {
		if (!left) {
			k = nm_bdg_merge_next(w, &list_a, &list_b);
			if (k == NM_FT_NONE)
				break;
			left = ft[k].nfrags;
			if (left > o.room)
				break;
			o.room -= left;
			delivered++;
			hi = (uint16_t)(left << 8);
		}
		left--;
		nm_vale_out_slot(&o, ft, k, left ? hi | NS_MOREFRAG : hi);
		k++;
	}
	if (o.nlater)
		nm_vale_out_later(&o, ft);
	nm_lease_publish(dk, lease, (uint32_t)(o.ds - o.slot), delivered,
			 o.bytes, npkts - delivered, w->depth);
}

/*
 * nm_vale_deliver() to a port whose virtio-net header length differs
 * from the sender's (shdr): nm_vnet.c converts each packet (15.8), into
 * a number of slots of its own.  The lease covers the whole batch, so
 * every packet is planned once to count its slots, then again to write.
 */
static noinline void nm_vale_deliver_conv(struct nm_adapter *dna, uint32_t r,
					  struct nm_bdg_work *w, uint32_t shdr,
					  uint32_t list_a, uint32_t list_b,
					  uint32_t npkts)
{
	struct nm_kring *dk = &dna->rings[NR_RX][r];
	const struct nm_bdg_fwd *ft = w->ft;
	uint32_t dhdr = dna->virt_hdr_len, mfs = dna->mfs;
	uint32_t usable = dk->buf_usable, needed = 0, delivered = 0;
	uint32_t frames = 0, room, a, b, k, n;
	struct nm_vnet_plan plan;
	struct nm_lease *lease;
	struct nm_vnet_dst d;

	if (!npkts)
		return;
	a = list_a;
	b = list_b;
	while ((k = nm_bdg_merge_next(w, &a, &b)) != NM_FT_NONE)
		needed += nm_vnet_plan(ft + k, ft[k].nfrags, shdr, dhdr, mfs,
				       usable, &plan);
	lease = nm_lease_reserve(dna, dk, needed, npkts);
	if (!lease)
		return;
	n = dk->nkr_num_slots;
	d.slot = dk->ring->slot;
	d.end = d.slot + n;
	d.ds = d.slot + lease->start;
	nm_bufs_init(&d.bufs, dna->mem);
	d.omask = dk->offset_mask;
	d.omax = dk->offset_max;
	d.usable = usable;
	d.bytes = 0;
	room = nm_dist(lease->start, lease->end, n);
	while ((k = nm_bdg_merge_next(w, &list_a, &list_b)) != NM_FT_NONE) {
		uint32_t s = nm_vnet_plan(ft + k, ft[k].nfrags, shdr, dhdr,
					  mfs, usable, &plan);

		if (!s)
			continue;
		if (s > room)
			break;
		room -= s;
		frames += nm_vnet_emit(ft + k, ft[k].nfrags, &plan, &d);
		delivered++;
	}
	nm_lease_publish(dk, lease, (uint32_t)(d.ds - d.slot), frames, d.bytes,
			 npkts - delivered, w->depth);
}

/*
 * Deliver a run (nm_vale_run_scan) to ring r of dna: npkts packets of one
 * plain slot each, the sender's slots from first on, copied straight
 * from them.  Each slot is read and checked again here (buf_idx, len),
 * and each receive slot as nm_vale_out_slot() does.
 */
static void nm_vale_deliver_run(struct nm_adapter *dna, uint32_t r,
				struct nm_kring *skring,
				const struct netmap_slot *first, uint32_t npkts,
				uint32_t depth)
{
	struct nm_kring *dk = &dna->rings[NR_RX][r];
	const struct netmap_slot *ss = skring->ring->slot;
	const struct netmap_slot *send = ss + skring->nkr_num_slots;
	const struct netmap_slot *t = first;
	struct netmap_slot *ds, *dslot, *dend;
	struct nm_bufs sb, db;
	uint32_t room, k, lim;
	uint64_t omask, omax, bytes = 0;
	struct nm_lease *lease;

	lease = nm_lease_reserve(dna, dk, npkts, npkts);
	if (!lease)
		return;
	nm_bufs_init(&sb, skring->na->mem);
	nm_bufs_init(&db, dna->mem);
	/* a length beyond the sender's buffer or the receiver's room: 0 */
	lim = sb.size < dk->buf_usable ? sb.size : dk->buf_usable;
	dslot = dk->ring->slot;
	dend = dslot + dk->nkr_num_slots;
	ds = dslot + lease->start;
	room = nm_dist(lease->start, lease->end, dk->nkr_num_slots);
	omask = dk->offset_mask;
	omax = dk->offset_max;
	for (k = 0; k < room;) {
		/* a stretch that wraps in neither ring */
		uint32_t seg = room - k, i;

		if ((uint32_t)(send - t) < seg)
			seg = (uint32_t)(send - t);
		if ((uint32_t)(dend - ds) < seg)
			seg = (uint32_t)(dend - ds);
		for (i = 0; i < seg; i++) {
			const uint8_t *src = nm_bufs_addr(&sb, t[i].buf_idx);
			uint8_t *dst = nm_bufs_addr(&db, ds[i].buf_idx);
			uint16_t len = t[i].len;

			if (omask) {
				uint64_t off = ds[i].ptr & omask;

				dst += off > omax ? omax : off;
			}
			if (len > lim)
				len = 0;
			else if (len >= 16 && len <= 64)
				nm_copy_small(dst, src, len);
			else
				memcpy(dst, src, len);
			/* as in nm_vale_out_slot(): equal values are not stored */
			if (ds[i].len != len)
				ds[i].len = len;
			if (ds[i].flags != 1 << 8)
				ds[i].flags = 1 << 8;	/* NS_RFRAGS 1 */
			bytes += len;
		}
		k += seg;
		t += seg;
		ds += seg;
		if (t == send)
			t = ss;
		if (ds == dend)
			ds = dslot;
	}
	nm_lease_publish(dk, lease, (uint32_t)(ds - dslot), room, bytes,
			 npkts - room, depth);
}

/* ---------------------------------------------------------------- */
/* Forwarding a batch (15.5)                                        */
/* ---------------------------------------------------------------- */

/*
 * The 12 address bytes of the last frame looked up in this batch and
 * where it went.  A frame with the same addresses goes to the same
 * place: its source is the one just learned, so the table is not
 * written, and the switch's ports cannot change while the batch holds
 * the forwarding lock.  (An entry another sender rewrites meanwhile is
 * seen as if it had been rewritten after this batch.)  Never kept
 * across batches.
 */
struct nm_fwd_cache {
	uint64_t a8;
	uint64_t a4;		/* bytes 8-11; NM_FWD_NOKEY: empty */
	uint8_t dst;
};
/* No zero-extended 4-byte value equals it. */
#define NM_FWD_NOKEY (~(uint64_t)0)

/*
 * A batch being collected.  Each packet is routed as soon as its last
 * slot is read.  While every packet goes to a single port (or nowhere)
 * the batch needs a single list, kept in one; at the first packet for
 * another destination all the lists of the work area are set up and
 * used from there on.
 */
struct nm_fwd_ctx {
	struct nm_kring *kring;
	struct nm_adapter *na;
	struct nm_bdg *b;
	struct nm_bdg_work *w;
	uint32_t src;		/* the sender's switch port */
	uint32_t hdr;		/* its virtio-net header length */
	uint32_t pkts;		/* routed, dropped ones included */
	struct nm_fwd_cache c;
	struct nm_bdg_list one;
	uint8_t odst;		/* one's port; NM_BDG_NOPORT: none yet */
	uint8_t lists;		/* the work area's lists are in use */
	uint8_t fast;		/* see nm_vale_route_fast() */
	/*
	 * The run (nm_vale_run_scan): the batch so far is run packets, one
	 * plain slot each, from run_first on, all for odst; 0: no run.
	 */
	uint32_t run;
	struct netmap_slot *run_first;
};

/*
 * Where the packet in ft[i..i+nf) goes: a port, NM_BDG_BROADCAST, or
 * NM_BDG_NOPORT when it is dropped.
 */
static inline uint8_t nm_vale_dst(struct nm_fwd_ctx *x, uint32_t i,
				  uint32_t nf)
{
	struct nm_bdg_fwd *f = &x->w->ft[i];
	struct nm_fwd_cache *c = &x->c;
	uint32_t h = x->hdr, flen;
	const uint8_t *frame;
	uint8_t hdrbuf[14], dst;
	uint16_t indirect = f->flags & NS_INDIRECT;
	uint64_t a8;
	uint32_t a4;

	if (nf > NETMAP_MAX_FRAGS)
		return NM_BDG_NOPORT;	/* upstream overran memory here */
	/*
	 * Skip the virtio-net header, if any.  A header alone in the first
	 * slot puts the Ethernet header in the second, which may be
	 * indirect when the first is not: only this read follows it, the
	 * first slot is still copied from the region.
	 */
	if (f->len > h) {
		frame = f->buf + h;
		flen = f->len - h;
	} else if (h && f->len == h && nf > 1) {
		frame = f[1].buf;
		flen = f[1].len;
		indirect = f[1].flags & NS_INDIRECT;
	} else {
		return NM_BDG_NOPORT;
	}
	if (flen < 14)
		return NM_BDG_NOPORT;
	if (indirect) {
		if (nmh_copy_from_user_nofault(hdrbuf, frame, sizeof(hdrbuf)))
			return NM_BDG_NOPORT;
		frame = hdrbuf;
	}
	memcpy(&a8, frame, 8);
	memcpy(&a4, frame + 8, 4);
	if (a4 == c->a4 && a8 == c->a8)
		return c->dst;
	dst = nm_bdg_lookup(x->b, x->na, x->kring, frame);
	if (dst != NM_BDG_BROADCAST &&
	    (dst == x->src || dst >= NM_BDG_MAXSLOTS || !x->b->ports[dst]))
		dst = NM_BDG_NOPORT;
	c->a8 = a8;
	c->a4 = a4;
	c->dst = dst;
	return dst;
}

/* Append packet i (nf slots) to the list of its destination. */
static inline void nm_vale_link(struct nm_bdg_work *w, uint32_t i,
				uint32_t nf)
{
	uint8_t dst = w->ft[i].dst;
	struct nm_bdg_list *l;

	if (dst == NM_BDG_NOPORT)
		return;
	if (dst == NM_BDG_BROADCAST) {
		l = &w->bcast;
		if (l->head == NM_FT_NONE)
			l->head = i;
		else
			w->bnext[l->tail] = i;
		w->bnext[i] = NM_FT_NONE;
	} else {
		l = &w->ucast[dst];
		if (l->head == NM_FT_NONE)
			l->head = i;
		else
			w->ft[l->tail].next = i;
		w->ft[i].next = NM_FT_NONE;
	}
	l->tail = i;
	l->slots += nf;
	l->pkts++;
}

/* A second destination: set up every list, one's packets in theirs. */
static void nm_vale_lists_start(struct nm_fwd_ctx *x)
{
	const struct nm_bdg_list none = { NM_FT_NONE, NM_FT_NONE, 0, 0 };
	struct nm_bdg_work *w = x->w;
	uint32_t d;

	for (d = 0; d < NM_BDG_MAXSLOTS; d++)
		w->ucast[d] = none;
	w->bcast = none;
	if (x->odst != NM_BDG_NOPORT) {
		w->ft[x->one.tail].next = NM_FT_NONE;
		w->ucast[x->odst] = x->one;
	}
	x->lists = 1;
}

/* Append packet i (nf slots) to one, the list of odst. */
static inline void nm_vale_one_add(struct nm_fwd_ctx *x, uint32_t i,
				   uint32_t nf)
{
	x->w->ft[x->one.tail].next = i;
	x->one.tail = i;
	x->one.slots += nf;
	x->one.pkts++;
}

/* Route the packet in ft[i..i+nf): find its destination and list it. */
static noinline void nm_vale_route(struct nm_fwd_ctx *x, uint32_t i,
				   uint32_t nf)
{
	struct nm_bdg_fwd *f = &x->w->ft[i];
	uint8_t dst = nm_vale_dst(x, i, nf);

	f->nfrags = (uint16_t)nf;
	f->dst = dst;
	x->pkts++;
	if (x->lists) {
		nm_vale_link(x->w, i, nf);
	} else if (dst == NM_BDG_NOPORT) {
		/* dropped */
	} else if (dst == x->odst) {
		nm_vale_one_add(x, i, nf);
	} else if (x->odst == NM_BDG_NOPORT && dst != NM_BDG_BROADCAST) {
		x->odst = dst;
		x->one.head = x->one.tail = i;
		x->one.slots = nf;
		x->one.pkts = 1;
	} else {
		nm_vale_lists_start(x);
		nm_vale_link(x->w, i, nf);
	}
	x->fast = !x->lists && x->odst != NM_BDG_NOPORT &&
		  x->c.dst == x->odst;
}

/*
 * The common packet, routed without a call: one plain slot (buf, len)
 * with the addresses of the last lookup, while x->fast says that the
 * batch goes to one port alone, the one that lookup found.  The checks
 * are those of nm_vale_dst() for one slot.  Returns 0 for any other
 * packet, which nm_vale_route() takes.
 */
static inline int nm_vale_route_fast(struct nm_fwd_ctx *x, uint32_t i,
				     const uint8_t *buf, uint16_t len)
{
	struct nm_bdg_fwd *f = &x->w->ft[i];
	uint64_t a8;
	uint32_t a4;

	if (!x->fast || len < x->hdr + 14)
		return 0;
	memcpy(&a8, buf + x->hdr, 8);
	memcpy(&a4, buf + x->hdr + 8, 4);
	if (a4 != x->c.a4 || a8 != x->c.a8)
		return 0;
	f->nfrags = 1;
	f->dst = x->odst;
	x->pkts++;
	nm_vale_one_add(x, i, 1);
	return 1;
}

/* Deliver to ring r of dna, converting headers if the lengths differ. */
static inline void nm_vale_deliver_to(const struct nm_fwd_ctx *x,
				      struct nm_adapter *dna, uint32_t r,
				      uint32_t list_a, uint32_t list_b,
				      uint32_t needed, uint32_t npkts)
{
	if (dna->virt_hdr_len != x->hdr)
		nm_vale_deliver_conv(dna, r, x->w, x->hdr, list_a, list_b,
				     npkts);
	else
		nm_vale_deliver(dna, r, x->w, list_a, list_b, needed, npkts);
}

/*
 * The run: the one-flow case taken further.  When the batch's first
 * packet is one plain slot for a port (x->fast), the packets after it
 * with the same 12 address bytes, one plain slot each, only need
 * counting: they go where it goes, and they are consecutive slots of
 * the ring.  No work-area entry and no list link is written for them,
 * and delivery copies them straight from the sender's slots
 * (nm_vale_deliver_run), which it reads and checks again: the sender
 * owns nothing of them meanwhile, and whatever it wrote there is
 * validated as any slot is.  The first other packet ends the run: its
 * packets get their entries and are routed as usual, and the batch goes
 * on the usual way.
 */
static uint32_t nm_vale_run_scan(struct nm_fwd_ctx *x,
				 const struct nm_bufs *bufs, uint32_t bufsize,
				 struct netmap_slot **sp,
				 const struct netmap_slot *hs, uint32_t max,
				 uint64_t *bytes)
{
	struct netmap_slot *slot = x->kring->ring->slot;
	struct netmap_slot *end = slot + x->kring->nkr_num_slots;
	struct netmap_slot *s = *sp;
	const uint8_t *base = bufs->base + x->hdr;
	uint64_t size = bufs->size, a8 = x->c.a8, sum = 0;
	uint32_t num = bufs->num, a4 = (uint32_t)x->c.a4;
	uint32_t minlen = x->hdr + 14, n = 0;

	while (n < max) {
		/* a stretch of slots that does not wrap */
		uint32_t seg = (uint32_t)(end - s), i;

		if (s <= hs && (uint32_t)(hs - s) < seg)
			seg = (uint32_t)(hs - s);
		if (seg > max - n)
			seg = max - n;
		if (!seg)
			break;
		for (i = 0; i < seg; i++) {
			uint32_t idx = s[i].buf_idx;
			uint16_t len = s[i].len, fl = s[i].flags;
			const uint8_t *a;
			uint64_t b8;
			uint32_t b4;

			if ((fl & (NS_MOREFRAG | NS_INDIRECT)) ||
			    len < minlen || len > bufsize)
				break;
			if (idx >= num)
				idx = 0;	/* buffer 0, as everywhere (6.4) */
			a = base + idx * size;
			memcpy(&b8, a, 8);
			memcpy(&b4, a + 8, 4);
			if (b8 != a8 || b4 != a4)
				break;
			if (fl & NS_BUF_CHANGED)
				s[i].flags = fl & ~NS_BUF_CHANGED;
			sum += len;
		}
		n += i;
		s += i;
		if (s == end)
			s = slot;
		if (i < seg)
			break;
	}
	*sp = s;
	*bytes += sum;
	x->run += n;
	return n;
}

/* A packet that does not join the run: route the run's packets after the first. */
static noinline void nm_vale_run_stop(struct nm_fwd_ctx *x,
				      const struct nm_bufs *bufs,
				      uint32_t bufsize)
{
	struct netmap_slot *slot = x->kring->ring->slot;
	struct netmap_slot *end = slot + x->kring->nkr_num_slots;
	struct netmap_slot *s = x->run_first;
	uint32_t k;

	for (k = 1; k < x->run; k++) {
		struct nm_bdg_fwd *f = &x->w->ft[k];
		uint32_t len;

		s = s + 1 == end ? slot : s + 1;
		f->buf = nm_bufs_addr(bufs, NM_READ_ONCE(s->buf_idx));
		len = NM_READ_ONCE(s->len);	/* user space may change it */
		f->len = len > bufsize ? 0 : len;
		f->flags = 0;	/* a plain slot, as it was when counted */
		if (!nm_vale_route_fast(x, k, f->buf, f->len))
			nm_vale_route(x, k, 1);
	}
	x->run = 0;
}

/* Deliver a routed batch to every destination ring. */
static void nm_vale_forward(struct nm_fwd_ctx *x)
{
	struct nm_bdg *b = x->b;
	struct nm_bdg_work *w = x->w;
	const struct nm_bdg_list *bc = &w->bcast;
	uint32_t d, ring_id = x->kring->ring_id;

	if (!x->lists) {
		struct nm_adapter *dna;

		if (x->odst == NM_BDG_NOPORT)
			return;
		dna = b->ports[x->odst];
		if (x->run) {
			x->pkts += x->run - 1;	/* the first was routed */
			if (dna->num_rings[NR_RX])
				nm_vale_deliver_run(dna, ring_id %
						    dna->num_rings[NR_RX],
						    x->kring, x->run_first,
						    x->run, x->w->depth);
			return;
		}
		w->ft[x->one.tail].next = NM_FT_NONE;
		if (dna->num_rings[NR_RX])
			nm_vale_deliver_to(x, dna,
					   ring_id % dna->num_rings[NR_RX],
					   x->one.head, NM_FT_NONE,
					   x->one.slots, x->one.pkts);
		return;
	}
	for (d = 0; d < NM_BDG_MAXSLOTS; d++) {
		struct nm_adapter *dna = b->ports[d];
		const struct nm_bdg_list *u = &w->ucast[d];
		uint32_t ur;

		if (!dna || d == x->src)
			continue;
		if (u->head == NM_FT_NONE && bc->head == NM_FT_NONE)
			continue;
		if (!dna->num_rings[NR_RX])
			continue;
		ur = ring_id % dna->num_rings[NR_RX];
		if (ur == 0) {
			nm_vale_deliver_to(x, dna, 0, u->head, bc->head,
					   u->slots + bc->slots,
					   u->pkts + bc->pkts);
		} else {
			nm_vale_deliver_to(x, dna, ur, u->head, NM_FT_NONE,
					   u->slots, u->pkts);
			nm_vale_deliver_to(x, dna, 0, NM_FT_NONE, bc->head,
					   bc->slots, bc->pkts);
		}
	}
}

/*
 * NS_INDIRECT payloads are user memory, read while the switch lock is
 * held shared.  A sender must never wait for a page there: a port add or
 * remove waits for the lock exclusively, holding the control lock, so a
 * page that never comes (userfaultfd, a FUSE mapping) would block every
 * control operation of the machine.  So the pages of the indirect slots
 * a batch can read (at most batch + NETMAP_MAX_FRAGS + 1 slots from s)
 * are faulted in before the lock is taken, and read under it with page
 * faults disabled (a page gone again in between, or a slot rewritten,
 * gives an empty slot, like any other bad pointer).  Rings that never
 * carried an indirect slot skip this walk (kring->indirect_seen).
 */
static void nm_vale_prefault(struct nm_kring *kring, struct netmap_slot *s,
			     struct netmap_slot *hs, uint32_t batch,
			     uint32_t bufsize)
{
	struct netmap_slot *slot = kring->ring->slot;
	struct netmap_slot *end = slot + kring->nkr_num_slots;
	uint32_t i;

	for (i = 0; s != hs && i <= batch + NETMAP_MAX_FRAGS; i++) {
		if (s->flags & NS_INDIRECT) {
			uint16_t len = s->len;

			nmh_user_prefault((const void *)(uintptr_t)s->ptr,
					  len > bufsize ? bufsize : len);
		}
		s = s + 1 == end ? slot : s + 1;
	}
}

/*
 * TX sync of a VALE port: forward everything in [hwcur, head).  A relay
 * of a wrapped persistent port (nm_nic.c) calls it holding another
 * switch's lock, with the hops so far in flags (NM_SYNC_DEPTH): it
 * never waits for this switch's lock, and a batch that finds it taken
 * exclusively (a port being added or removed) is dropped, as 15.4 says
 * of NIC senders.
 */
static int nm_vale_txsync(struct nm_kring *kring, int flags)
{
	struct nm_adapter *na = kring->na;
	struct nm_bdg_work *w = (struct nm_bdg_work *)kring->ft;
	struct nm_bdg_fwd *ft = w->ft;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	struct netmap_slot *slot = kring->ring->slot, *end = slot + n;
	struct netmap_slot *s = slot + kring->nr_hwcur, *hs = slot + head;
	uint32_t batch = nm_g->params.bridge_batch;
	uint32_t bufsize = nm_mem_bufsize(na->mem);
	uint64_t omask = kring->offset_mask, bytes = 0;
	struct nm_bdg *b = na->bdg;
	int skip_chain = 0;
	struct nm_bufs bufs;
	struct nm_fwd_ctx x;

	w->depth = (uint32_t)flags / NM_SYNC_DEPTH;
	if (!b) {
		/* Not on a switch (any more): the slots are just consumed. */
		for (; s != hs; s = s + 1 == end ? slot : s + 1)
			s->flags &= ~NS_BUF_CHANGED;
		goto done;
	}
	if (batch == 0 || batch > NM_BDG_BATCH_MAX)
		batch = NM_BDG_BATCH_MAX;
	nm_bufs_init(&bufs, na->mem);
	x.kring = kring;
	x.na = na;
	x.b = b;
	x.w = w;
	x.src = na->bdg_port;
	x.hdr = na->virt_hdr_len;
	x.pkts = 0;
	while (s != hs) {
		uint32_t count = 0, start = 0;

		/* The rest of a chain cut for being too long is dropped. */
		while (skip_chain && s != hs) {
			skip_chain = !!(s->flags & NS_MOREFRAG);
			s->flags &= ~NS_BUF_CHANGED;
			s = s + 1 == end ? slot : s + 1;
		}
		if (s == hs)
			break;
		if (kring->indirect_seen)
			nm_vale_prefault(kring, s, hs, batch, bufsize);
		x.c.a8 = 0;
		x.c.a4 = NM_FWD_NOKEY;
		x.c.dst = NM_BDG_NOPORT;
		x.odst = NM_BDG_NOPORT;
		x.lists = 0;
		x.fast = 0;
		x.run = 0;
		x.run_first = s;
		if (!w->depth) {
			nmh_bdg_rlock(&b->fwd_lock);
		} else if (!nmh_bdg_tryrlock(&b->fwd_lock)) {
			for (; s != hs; s = s + 1 == end ? slot : s + 1)
				s->flags &= ~NS_BUF_CHANGED;
			break;
		}
		/*
		 * Collect a batch, closed only at a packet boundary, routing
		 * every packet (ft[start..count)) once its last slot is in.
		 */
		while (s != hs) {
			struct nm_bdg_fwd *f = &ft[count];
			uint64_t off = omask ? nm_slot_offset(kring, s) : 0;
			uint16_t sflags = s->flags, len = s->len;
			const uint8_t *buf;

			if (x.run) {
				count += nm_vale_run_scan(&x, &bufs, bufsize,
							  &s, hs,
							  batch - count,
							  &bytes);
				start = count;
				if (s == hs || count >= batch)
					break;
				/* s does not join the run: on as usual */
				nm_vale_run_stop(&x, &bufs, bufsize);
				off = omask ? nm_slot_offset(kring, s) : 0;
				sflags = s->flags;
				len = s->len;
				f = &ft[count];
			}

			if (sflags & NS_INDIRECT) {
				if (!kring->indirect_seen) {
					/*
					 * Not prefaulted: this batch ends
					 * before the packet, which the next
					 * one (prefaulted) starts with.
					 */
					kring->indirect_seen = 1;
					for (; count > start; count--) {
						bytes -= ft[count - 1].len;
						s = s == slot ? end - 1 : s - 1;
					}
					break;
				}
				buf = (const uint8_t *)(uintptr_t)s->ptr;
			} else {
				buf = nm_bufs_addr(&bufs, s->buf_idx) + off;
			}
			if (len > bufsize - off)
				len = 0;
			f->buf = buf;
			f->len = len;
			f->flags = sflags & (NS_MOREFRAG | NS_INDIRECT);
			bytes += len;
			if (sflags & NS_BUF_CHANGED)
				s->flags = sflags & ~NS_BUF_CHANGED;
			count++;
			s = s + 1 == end ? slot : s + 1;
			/*
			 * A chain cut by head or by the limit ends here too;
			 * the rest of a chain cut by the limit is dropped.
			 */
			if (sflags & NS_MOREFRAG) {
				if (count > batch + NETMAP_MAX_FRAGS)
					skip_chain = 1;
				else if (s != hs)
					continue;
			}
			if (count - start > 1 || (sflags & NS_INDIRECT) ||
			    !nm_vale_route_fast(&x, start, buf, len))
				nm_vale_route(&x, start, count - start);
			/*
			 * The batch's first packet, one plain slot to a port
			 * whose virtio-net header length is the sender's (a
			 * run is copied as it is, never converted).
			 */
			if (count == 1 && x.fast && !omask &&
			    !(sflags & NS_INDIRECT) &&
			    b->ports[x.odst]->virt_hdr_len == x.hdr)
				x.run = 1;
			start = count;
			if (count >= batch || skip_chain)
				break;
		}
		nm_vale_forward(&x);
		nmh_bdg_runlock(&b->fwd_lock);
	}
	kring->stat_pkts += x.pkts;
	kring->stat_bytes += bytes;
done:
	kring->nr_hwcur = head;
	nm_store_release(&kring->nr_hwtail, nm_prev(head, n));
	return 0;
}

/*
 * A kernel-owned port (the wrapper of an attached NIC, a wrapped
 * persistent port) forwards [hwcur, rhead); depth: the switches its
 * frames crossed before, 0 when the caller holds no switch lock.
 */
int nm_vale_txsync_kernel(struct nm_kring *kring, uint32_t depth)
{
	return nm_vale_txsync(kring, (int)(depth * NM_SYNC_DEPTH));
}

/*
 * NS_BUF_CHANGED off in released slots (7.1).  It is rarely set: the
 * flags are folded first, four slots a round, and only a slot that has
 * it is written.
 */
static void nm_slots_clear_changed(struct netmap_slot *s,
				   const struct netmap_slot *end)
{
	struct netmap_slot *p = s;
	uint16_t any = 0;

	for (; end - p >= 4; p += 4)
		any |= p[0].flags | p[1].flags | p[2].flags | p[3].flags;
	for (; p != end; p++)
		any |= p->flags;
	if (!(any & NS_BUF_CHANGED))
		return;
	for (; s != end; s++)
		if (s->flags & NS_BUF_CHANGED)
			s->flags &= ~NS_BUF_CHANGED;
}

/* RX sync: release slots [hwcur, head) back to the senders. */
static int nm_vale_rxsync(struct nm_kring *kring, int flags)
{
	struct netmap_slot *slot = kring->ring->slot;
	uint32_t n = kring->nkr_num_slots, head = kring->rhead;
	uint32_t hwcur = kring->nr_hwcur;

	(void)flags;
	if (head >= hwcur) {
		nm_slots_clear_changed(slot + hwcur, slot + head);
	} else {
		nm_slots_clear_changed(slot + hwcur, slot + n);
		nm_slots_clear_changed(slot, slot + head);
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
	nma_free(na);
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
 * 15.2, in a private region unless nr_mem_id names one.  pipes (or NULL)
 * gives the pipes its region is to hold besides (an auto-created pipe
 * parent).
 */
static int nm_vale_new(const char *name, struct nmreq_register *req,
		       enum nm_kind kind, const struct nm_mem_needs *pipes,
		       struct nm_adapter **out)
{
	struct nm_adapter *na;
	uint32_t extra = req->nr_extra_bufs;
	struct nm_mem_needs needs;
	int err;

	na = nmh_zalloc(sizeof(*na));
	if (!na)
		return -ENOMEM;
	nm_strlcpy(na->name, name, sizeof(na->name));
	na->kind = kind;
	na->ns = nmh_netns_self();
	na->flags = NAF_OFFSETS | NAF_MOREFRAG;
	na->mfs = 1514;
	na->num_rings[NR_TX] = nm_clamp(req->nr_tx_rings, 1, 1, 16);
	na->num_rings[NR_RX] = nm_clamp(req->nr_rx_rings, 1, 1, 16);
	na->num_slots[NR_TX] = nm_clamp(req->nr_tx_slots, 1024, 1, 4096);
	na->num_slots[NR_RX] = nm_clamp(req->nr_rx_slots, 1024, 1, 4096);
	if (extra > NM_EXTRA_BUFS_MAX)
		extra = NM_EXTRA_BUFS_MAX;
	if (req->nr_mem_id) {
		na->mem = nm_mem_find(req->nr_mem_id);
		if (!na->mem) {
			nmh_free(na);
			return -EINVAL;
		}
	} else {
		if (pipes)
			needs = *pipes;
		else
			memset(&needs, 0, sizeof(needs));
		needs.name = name;
		needs.txr = na->num_rings[NR_TX];
		needs.txd = na->num_slots[NR_TX];
		needs.rxr = na->num_rings[NR_RX];
		needs.rxd = na->num_slots[NR_RX];
		needs.extra_bufs = extra;
		na->mem = nm_mem_private_new(&needs, &err);
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
	uint32_t swlen;
	struct nm_bdg *b;
	struct nm_adapter *na;
	int err;

	*out = NULL;
	err = nm_vale_parse(name, &swlen, &port);
	if (err || !port[0])
		return how == NM_LOOKUP_CREATE ? -ENOMEM : -ENXIO;
	b = nm_bdg_find(name, swlen, NULL);
	na = b ? nm_bdg_port_find(b, name) : NULL;
	if (na) {
		/*
		 * A kernel-owned port (a wrapper, a wrapped persistent port)
		 * is found like any other: PORT_INFO_GET, POOLS_INFO_GET and
		 * PORT_HDR_GET report it; registrations refuse it (EBUSY,
		 * nm_register), as do pipes on it.
		 */
		nma_get(na);
		*out = na;
		return 0;
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
	err = nm_vale_new(name, req, NM_KIND_VALE, NULL, &na);
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

/*
 * A persistent VALE port, known by name like a system interface.  An
 * auto-created pipe parent passes the request of the pipe that creates
 * it (pipe_req): its region is sized for the 64 pipes of spec 16 with
 * that pipe's rings and slots.
 */
int nm_vale_persist_create(const char *name, struct nmreq_register *req,
			   uint32_t flags, const struct nmreq_register *pipe_req,
			   struct nm_adapter **out)
{
	struct nm_mem_needs pipes;
	struct nm_adapter *na;
	int err;

	if (!strncmp(name, "vale", 4) || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	/* A name with a brace would be looked up as a pipe: never found. */
	if (strchr(name, '{') || strchr(name, '}'))
		return -EINVAL;
	if (nm_is_sysif(name))
		return -EEXIST;
	/* A system interface (VALE_NEWIF, a pipe's parent) is the admin's. */
	if (nm_g->host_has_netdevs) {
		err = nmh_netdev_admin(NULL);
		if (err)
			return err;
	}
	if (pipe_req) {
		uint32_t slots[2] = { nm_clamp(req->nr_tx_slots, 1024, 1, 4096),
				      nm_clamp(req->nr_rx_slots, 1024, 1, 4096) };
		uint32_t rings[2];

		memset(&pipes, 0, sizeof(pipes));
		nm_pipe_geometry(pipe_req, 0, slots, rings, slots);
		pipes.npipes = nm_g->host_lazy_regions ? NM_MAX_PIPES : 1;
		pipes.pipe_txr = rings[NR_TX];
		pipes.pipe_rxr = rings[NR_RX];
		pipes.pipe_txd = slots[NR_TX];
		pipes.pipe_rxd = slots[NR_RX];
	}
	err = nm_vale_new(name, req, NM_KIND_PERSIST, pipe_req ? &pipes : NULL,
			  &na);
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
	if (nm_g->host_has_netdevs) {
		int err = nmh_netdev_admin(na);

		if (err)
			return err;
	}
	if (na->users || na->bdg || na->num_pipes || na->refcount > 1)
		return -EBUSY;
	nm_vale_persist_remove(na);
	return 0;
}

/*
 * VALE_ATTACH (15.3).  A persistent port not yet on a switch joins it as
 * valeX:ifname (step 4).  A NIC, or a persistent port already on another
 * switch, is wrapped in a switch port (step 5), a NIC with its host
 * stack as a second port for NR_REG_NIC_SW (step 6).
 */
int nm_vale_attach(const char *name, struct nmreq_vale_attach *req)
{
	struct nm_adapter *na;
	const char *port;
	struct nm_bdg *b;
	uint32_t swlen;
	int err = 0, wrap;

	if (strncmp(name, "vale", 4) || nm_vale_parse(name, &swlen, &port) ||
	    !port[0])
		return -EINVAL;
	if (req->reg.nr_mem_id && !nm_mem_find(req->reg.nr_mem_id))
		return -EINVAL;
	if (nm_vale_port_lookup(name))
		return -EBUSY;
	na = nm_named_find(port);
	if (!na) {
		/* Attaching NICs needs netdevs (kernel only). */
		if (!nm_g->host_has_netdevs)
			return -EOPNOTSUPP;
		if (!nmh_netdev_exists(port))
			return -EINVAL;
		if (!nm_g->host_has_nics)
			return -EOPNOTSUPP;
	}
	/* Step 5: a NIC, or a persistent port on another switch, is wrapped. */
	wrap = !na || na->bdg || (na->flags & NAF_KERNEL_OWNED);
	if (wrap && (req->reg.nr_ringid ||
		     (req->reg.nr_mode != NR_REG_ALL_NIC &&
		      req->reg.nr_mode != NR_REG_NIC_SW)))
		return -EINVAL;
	b = nm_bdg_find(name, swlen, NULL);
	if (!b) {
		b = nm_bdg_create(name, swlen, &err);
		if (!b)
			return err;
	}
	if (!wrap) {
		err = nm_bdg_attach(b, na);
		if (!err)
			req->port_index = na->bdg_port;
	} else {
		char sw[IFNAMSIZ];

		memcpy(sw, name, swlen);
		sw[swlen] = '\0';
		if (na)
			nma_get(na);
		else
			err = nm_nic_get(port, &req->reg, &na);
		if (!err) {
			err = nm_nic_attach(b, sw, na, &req->reg,
					    &req->port_index);
			nma_check_unused(na);
			nma_put(na);
		}
	}
	if (err)
		nm_bdg_free_if_empty(b);
	return err;
}

/*
 * VALE_DETACH (15.3) of a persistent port or a wrapper (an attached NIC,
 * a persistent port on a second switch).  Ephemeral ports cannot be
 * detached.  A persistent port bound by a descriptor stays attached
 * (EBUSY): its senders use the switch without the control lock; so does
 * one wrapped on a second switch, which leaves that one first (15.3).
 */
int nm_vale_detach(const char *name, struct nmreq_vale_detach *req)
{
	struct nm_adapter *na;
	struct nm_bdg *b;

	if (strncmp(name, "vale", 4))
		return -EINVAL;
	na = nm_vale_port_lookup(name);
	if (!na)
		return -ENXIO;
	if (na->kind == NM_KIND_BWRAP) {
		b = na->bdg;
		if (!b)
			return -ENXIO;
		return nm_nic_detach(na, &req->port_index);
	}
	if (na->kind != NM_KIND_PERSIST)
		return -EINVAL;
	if (na->users || (na->flags & NAF_KERNEL_OWNED))
		return -EBUSY;
	req->port_index = na->bdg_port;
	nma_get(na);
	nm_bdg_detach(na);
	nma_put(na);	/* the switch's reference */
	nma_check_unused(na);	/* an auto-created pipe parent may go now */
	nma_put(na);
	return 0;
}

/* VALE_POLLING_ENABLE/DISABLE (15.9): only attached NICs poll. */
int nm_vale_polling(const char *name, int enable,
		    const struct nmreq_vale_polling *req)
{
	struct nm_adapter *na;

	if (strncmp(name, "val", 3))
		return -EINVAL;
	na = nm_vale_port_lookup(name);
	if (!na)
		return -ENXIO;
	if (na->kind != NM_KIND_BWRAP)
		return -EOPNOTSUPP;
	return nm_nic_polling(na, enable, req);
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
	for (bi = req->nr_bridge_idx; bi < NM_MAX_BRIDGES_LIMIT; bi++) {
		b = nm_g->bridges[bi];
		if (b && b->ns != nmh_netns_self())
			b = NULL;	/* another namespace's */
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
	if (na->kind == NM_KIND_BWRAP) {
		nma_put(na);	/* an attached interface, not a VALE port */
		return -ENXIO;
	}
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

/*
 * The network namespace ns is being deleted (control lock held): its
 * attached NICs are detached and its persistent ports removed with
 * their devices.  Ephemeral ports still bound by descriptors stay until
 * they are closed; nobody can find their switch any more (namespace
 * identities are never reused).
 */
void nm_vale_netns_gone(uint64_t ns)
{
	struct nm_adapter *na, *next;
	uint32_t i, j;

	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		if (!b || b->ns != ns)
			continue;
		for (j = 0; j < NM_BDG_MAXSLOTS && nm_g->bridges[i] == b; j++) {
			struct nmreq_vale_polling none = { 0 };
			struct nm_adapter *w = b->ports[j];
			uint32_t idx;

			if (!w || w->kind != NM_KIND_BWRAP || w->nic_host)
				continue;
			if (w->nic_parent->polling)
				nm_nic_polling(w, 0, &none);
			nm_nic_detach(w, &idx);
		}
	}
	for (na = nm_g->named_ports; na; na = next) {
		next = na->next;
		if (na->ns != ns)
			continue;
		if (na->bdg && !na->users) {
			nm_bdg_detach(na);
			nma_put(na);
		}
		na->flags &= ~NAF_AUTODELETE;
		nm_vale_persist_remove(na);
	}
}
