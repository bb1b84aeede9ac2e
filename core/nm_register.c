// SPDX-License-Identifier: BSD-2-Clause
/*
 * Binding a descriptor to a port (spec section 11): name resolution
 * (14.1), ring selection (11.3), exclusive access (11.5), the netmap_if
 * (3.3), offsets (10.7), extra buffers (20) and the reverse on release.
 * Also the two requests that resolve a name without binding it,
 * PORT_INFO_GET and POOLS_INFO_GET.
 *
 * Every function here runs under the host's control lock.
 */
#include "nm_core.h"

/* Persistent ports of the caller's network namespace, by name. */
struct nm_adapter *nm_named_find(const char *name)
{
	uint64_t ns = nmh_netns_self();
	struct nm_adapter *na;

	for (na = nm_g->named_ports; na; na = na->next)
		if (na->ns == ns && !strcmp(na->name, name))
			return na;
	return NULL;
}

/*
 * Resolve a kernel port name to an adapter, creating it where the spec
 * says a registration creates it.  On success the caller owns one
 * reference.
 */
int nm_get_adapter(const char *name, struct nmreq_register *req,
		   enum nm_lookup how, struct nm_adapter **out)
{
	struct nm_adapter *na;

	*out = NULL;
	if (req && req->nr_mode == NR_REG_NULL) {
		if (how != NM_LOOKUP_CREATE)
			return -EINVAL;
		return nm_null_get(name, req, out);
	}
	if (req && (req->nr_flags &
		    (NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON)))
		return nm_monitor_get(name, req, how, out);
	if (strchr(name, '{') || strchr(name, '}'))
		return nm_pipe_get(name, req, how, out);
	if (!strncmp(name, "val", 3))
		return nm_vale_get(name, req, how, out);
	na = nm_named_find(name);
	if (!na) {
		if (nm_g->host_has_nics)
			return nm_nic_get(name, req, out);
		return -ENXIO;
	}
	nma_get(na);
	*out = na;
	return 0;
}

/* na, then the end points of its pipes, and theirs (a pipe's parent). */
static void nm_visit_tree(struct nm_adapter *na,
			  void (*fn)(struct nm_adapter *na, void *arg),
			  void *arg, int depth)
{
	struct nm_pipe *p;

	fn(na, arg);
	if (depth > 8)
		return;	/* pipes of pipes of ...: deeper is absurd */
	for (p = na->pipes; p; p = p->next) {
		nm_visit_tree(&p->master, fn, arg, depth + 1);
		nm_visit_tree(&p->slave, fn, arg, depth + 1);
	}
}

/*
 * Every port something links to: the ports of the switches and the
 * persistent ones, with their pipes.  (A port on a switch that is also
 * persistent is visited twice.)  Control lock held.
 */
void nm_for_each_adapter(void (*fn)(struct nm_adapter *na, void *arg),
			 void *arg)
{
	struct nm_adapter *na;
	uint32_t i, j;

	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		for (j = 0; b && j < NM_BDG_MAXSLOTS; j++)
			if (b->ports[j])
				nm_visit_tree(b->ports[j], fn, arg, 0);
	}
	for (na = nm_g->named_ports; na; na = na->next)
		nm_visit_tree(na, fn, arg, 0);
}

/* Called when an adapter may have lost its last user. */
void nma_check_unused(struct nm_adapter *na)
{
	if (na->users || na->num_pipes)
		return;
	if (na->kind == NM_KIND_NIC)
		nm_nic_release_unused(na);
	else
		nm_vale_release_unused(na);
}

/* ---------------------------------------------------------------- */
/* Ring selection (11.3)                                            */
/* ---------------------------------------------------------------- */

/*
 * Host rings asked of a port that has none: VALE ports and pipes have no
 * host stack (EINVAL); a NIC port has none when its host cannot take the
 * stack's frames (the user runtime), and says so.
 */
static int nm_no_host_rings(const struct nm_adapter *na)
{
	if (na->kind != NM_KIND_NIC)
		return -EINVAL;
	nmh_error_detail("%s has no host rings (^, *) without the kernel "
			 "module: the user runtime cannot take the host "
			 "stack's frames", na->name);
	return -EOPNOTSUPP;
}

static int nm_select_rings(const struct nm_adapter *na,
			   const struct nmreq_register *req,
			   uint32_t first[2], uint32_t last[2])
{
	uint64_t flags = req->nr_flags;
	uint32_t r = req->nr_ringid;
	enum nm_txrx t;

	if ((flags & NR_TX_RINGS_ONLY) && (flags & NR_RX_RINGS_ONLY)) {
		first[NR_TX] = last[NR_TX] = first[NR_RX] = last[NR_RX] = 0;
		return 0;
	}
	NM_FOR_RX_TX(t) {
		uint32_t n = na->num_rings[t], h = na->num_host_rings[t];
		enum nm_txrx o = nm_txrx_swap(t);

		if ((t == NR_TX && (flags & NR_RX_RINGS_ONLY)) ||
		    (t == NR_RX && (flags & NR_TX_RINGS_ONLY))) {
			first[t] = last[t] = 0;
			continue;
		}
		switch (req->nr_mode) {
		case NR_REG_ALL_NIC:
		case NR_REG_NULL:
			first[t] = 0;
			last[t] = n;
			break;
		case NR_REG_SW:
			if (!h)
				return nm_no_host_rings(na);
			first[t] = n;
			last[t] = n + h;
			break;
		case NR_REG_NIC_SW:
			if (!h)
				return nm_no_host_rings(na);
			first[t] = 0;
			last[t] = n + h;
			break;
		case NR_REG_ONE_NIC:
			if (r >= n) {
				if (r >= na->num_rings[o])
					return -EINVAL;
				first[t] = 0;
			} else {
				first[t] = r;
			}
			last[t] = first[t] + 1;
			break;
		case NR_REG_ONE_SW:
			if (!h)
				return nm_no_host_rings(na);
			if (r >= h) {
				if (r >= na->num_host_rings[o])
					return -EINVAL;
				first[t] = n;
			} else {
				first[t] = n + r;
			}
			last[t] = first[t] + 1;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* netmap_if (3.3)                                                  */
/* ---------------------------------------------------------------- */

static struct netmap_if *nm_if_new(struct nm_adapter *na,
				   struct nm_priv *priv)
{
	uint32_t ntx = nma_all_rings(na, NR_TX), nrx = nma_all_rings(na, NR_RX);
	size_t size = sizeof(struct netmap_if) + (ntx + nrx) * sizeof(ssize_t);
	struct netmap_if *nifp;
	uint32_t i;

	nifp = nm_mem_if_alloc(na->mem, size);
	if (!nifp) {
		nm_mem_pool_full(na->mem, NM_IF_POOL, na, size);
		return NULL;
	}
	/* Port name truncated to 15 characters (ni_name is 16 bytes). */
	nm_strlcpy((char *)nifp->ni_name, na->name, sizeof(nifp->ni_name));
	*(uint32_t *)&nifp->ni_flags = na->mem->global ? 0 : NI_PRIV_MEM;
	*(uint32_t *)&nifp->ni_tx_rings = na->num_rings[NR_TX];
	*(uint32_t *)&nifp->ni_rx_rings = na->num_rings[NR_RX];
	*(uint32_t *)&nifp->ni_host_tx_rings = ntx - na->num_rings[NR_TX];
	*(uint32_t *)&nifp->ni_host_rx_rings = nrx - na->num_rings[NR_RX];
	for (i = 0; i < ntx; i++) {
		struct nm_kring *k = &na->rings[NR_TX][i];
		ssize_t ofs = 0;

		if (k->ring && i >= priv->qfirst[NR_TX] && i < priv->qlast[NR_TX])
			ofs = (char *)k->ring - (char *)nifp;
		*(ssize_t *)&nifp->ring_ofs[i] = ofs;
	}
	for (i = 0; i < nrx; i++) {
		struct nm_kring *k = &na->rings[NR_RX][i];
		ssize_t ofs = 0;

		if (k->ring && i >= priv->qfirst[NR_RX] && i < priv->qlast[NR_RX])
			ofs = (char *)k->ring - (char *)nifp;
		*(ssize_t *)&nifp->ring_ofs[ntx + i] = ofs;
	}
	return nifp;
}

/* ---------------------------------------------------------------- */
/* Offsets (10.7)                                                   */
/* ---------------------------------------------------------------- */

static int nm_offsets_check(struct nm_adapter *na,
			    const struct nmreq_opt_offsets *o, uint64_t *mask)
{
	uint32_t bufsize = nm_mem_bufsize(na->mem);

	if (!(na->flags & NAF_OFFSETS))
		return -EOPNOTSUPP;
	if (o->nro_offset_bits > 64)
		return -EINVAL;
	if (o->nro_offset_bits == 0 || o->nro_offset_bits == 64)
		*mask = ~(uint64_t)0;
	else
		*mask = ((uint64_t)1 << o->nro_offset_bits) - 1;
	if (o->nro_max_offset > bufsize || (o->nro_max_offset & ~*mask) ||
	    o->nro_initial_offset > o->nro_max_offset)
		return -EINVAL;
	return 0;
}

static int nm_offsets_apply(struct nm_adapter *na, struct nm_priv *priv,
			    struct nmreq_opt_offsets *o, uint64_t mask)
{
	uint32_t bufsize = nm_mem_bufsize(na->mem), i;
	uint64_t effective = o->nro_max_offset;
	enum nm_txrx t;

	/* First pass: compatibility with rings that already use offsets. */
	NM_FOR_RX_TX(t) {
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];

			if (!k->offset_mask)
				continue;
			if ((mask & ~k->offset_mask) ||
			    o->nro_max_offset > k->offset_max)
				return -EBUSY;
			effective = k->offset_max;
		}
	}
	NM_FOR_RX_TX(t) {
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];
			uint64_t usable;
			uint32_t j;

			if (k->offset_mask)
				continue;
			k->offset_mask = mask;
			k->offset_max = o->nro_max_offset;
			k->offset_gap = o->nro_min_gap;
			*(uint64_t *)&k->ring->offset_mask = mask;
			*(uint64_t *)&k->ring->buf_align = 0;
			usable = bufsize - k->offset_max;
			if (k->offset_gap && k->offset_gap < usable)
				usable = k->offset_gap;
			k->buf_usable = (uint32_t)usable;
			if (o->nro_initial_offset && k->users == 0)
				for (j = 0; j < k->nkr_num_slots; j++)
					k->ring->slot[j].ptr =
						(k->ring->slot[j].ptr & ~mask) |
						o->nro_initial_offset;
		}
	}
	o->nro_max_offset = effective;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Registration (11.4)                                              */
/* ---------------------------------------------------------------- */

/*
 * How many extra buffers (20) one binding may take.  The spec grants "as
 * many as it can", which in a region other ports use too (the global
 * region, one chosen with nr_mem_id or @N, the parent's region of pipes)
 * would let one binding take every free buffer and leave the others'
 * rings unable to be created.  So: at most NM_EXTRA_BUFS_MAX (the
 * private-region clamp of 15.2), and in a shared region at most half of
 * the buffers free at that moment.  The reply's nr_extra_bufs says what
 * was granted; the kernel log says why it is fewer.
 */
static uint32_t nm_extra_bufs_cap(const struct nm_adapter *na, uint32_t want)
{
	const struct nm_mem *m = na->mem;
	uint32_t cap = NM_EXTRA_BUFS_MAX;
	const char *why = "the per-binding limit";

	if (m->global || m->refcount > 1) {
		uint32_t half = m->pools[NM_BUF_POOL].objfree / 2;

		if (half < cap) {
			cap = half;
			why = "half of the free buffers of a shared region";
		}
	}
	if (want <= cap)
		return want;
	nmh_log("netmap: %s: %u extra buffers asked, at most %u granted "
		"(%s, region %u)\n", na->name, want, cap, why, m->id);
	return cap;
}

static int nm_binding_slot(struct nm_adapter *na, struct nm_priv *priv)
{
	uint32_t i;

	for (i = 0; i < NM_MAX_BINDINGS; i++) {
		if (!na->bindings[i]) {
			na->bindings[i] = priv;
			priv->binding_idx = i;
			return 0;
		}
	}
	return -EBUSY;
}

/*
 * Register priv on the port named name.  off is the OFFSETS option body
 * or NULL.  On success req holds the output fields of 9.1.
 */
int nm_register(struct nm_priv *priv, const char *name,
		struct nmreq_register *req, struct nm_reg_opts *o)
{
	struct nmreq_opt_offsets *off = o->off;
	struct nm_mem *ext = NULL;
	struct nm_adapter *na;
	uint32_t first[2], last[2], i, granted = 0, head = 0;
	uint64_t mask = 0;
	enum nm_txrx t;
	int err, new_user;

	if (priv->na)
		return -EBUSY;
	if (o->ext) {
		/* 11.4 step 2: the user's memory, the region to use */
		err = nm_mem_ext_get(o->ext, &ext);
		if (err) {
			o->ext_err = err;
			return err;
		}
		req->nr_mem_id = ext->id;
	} else if (req->nr_mem_id) {
		struct nm_mem *m = nm_mem_find(req->nr_mem_id);

		if (!m)
			return -EINVAL;
		if (!nm_mem_may_use(m))
			return -EPERM;
	}
	err = nm_get_adapter(name, req, NM_LOOKUP_CREATE, &na);
	if (err)
		goto out_ext;
	err = -EPERM;
	if (!nm_mem_may_use(na->mem))
		goto err_put;
	/* A port that exists already in another region cannot move. */
	err = -EINVAL;
	if (ext && na->mem != ext) {
		o->ext_err = err;
		goto err_put;
	}
	err = -EBUSY;
	if (na->flags & NAF_KERNEL_OWNED)
		goto err_put;
	err = -EIO;
	if (na->virt_hdr_len && !(req->nr_flags & NR_ACCEPT_VNET_HDR))
		goto err_put;
	err = nm_mem_finalize(na->mem);
	if (err)
		goto err_put;
	err = nm_select_rings(na, req, first, last);
	if (err)
		goto err_put;
	NM_FOR_RX_TX(t) {
		for (i = first[t]; i < last[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];

			if ((k->flags & NKR_EXCLUSIVE) ||
			    (k->users && (req->nr_flags & NR_EXCLUSIVE))) {
				err = -EBUSY;
				goto err_put;
			}
		}
	}
	if (off) {
		err = nm_offsets_check(na, off, &mask);
		if (err) {
			o->off_err = err;
			goto err_put;
		}
	}
	err = nm_binding_slot(na, priv);
	if (err)
		goto err_put;
	new_user = na->users == 0;
	if (new_user) {
		err = nma_ops(na)->reg(na, 1);
		if (err)
			goto err_slot;
		na->flags |= NAF_NETMAP_ON;
	}
	memcpy(priv->qfirst, first, sizeof(first));
	memcpy(priv->qlast, last, sizeof(last));
	err = nm_nic_bind(na, priv, 1);
	if (err)
		goto err_reg;
	if (off) {
		err = nm_offsets_apply(na, priv, off, mask);
		if (err) {
			o->off_err = err;
			goto err_bind;
		}
	}
	priv->nifp = nm_if_new(na, priv);
	err = -ENOMEM;
	if (!priv->nifp)
		goto err_bind;
	if (na->kind == NM_KIND_MONITOR) {
		err = nm_monitor_bind(na, priv);
		if (err) {
			nm_mem_if_free(na->mem, priv->nifp);
			priv->nifp = NULL;
			goto err_bind;
		}
	}
	NM_FOR_RX_TX(t) {
		for (i = first[t]; i < last[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];

			k->users++;
			if (req->nr_flags & NR_EXCLUSIVE)
				k->flags |= NKR_EXCLUSIVE;
		}
	}
	na->users++;
	na->mem->active++;
	priv->na = na;
	priv->flags = req->nr_flags;
	priv->mode = req->nr_mode;

	if (req->nr_extra_bufs)
		granted = nm_mem_extra_bufs_alloc(na->mem, &head,
						  nm_extra_bufs_cap(na,
							req->nr_extra_bufs));
	*(uint32_t *)&priv->nifp->ni_bufs_head = head;
	priv->extra_bufs = granted;

	req->nr_offset = nm_mem_ofs(na->mem, priv->nifp);
	req->nr_memsize = na->mem->memsize;
	req->nr_tx_rings = (uint16_t)na->num_rings[NR_TX];
	req->nr_rx_rings = (uint16_t)na->num_rings[NR_RX];
	req->nr_tx_slots = na->num_slots[NR_TX];
	req->nr_rx_slots = na->num_slots[NR_RX];
	req->nr_host_tx_rings = (uint16_t)na->num_host_rings[NR_TX];
	req->nr_host_rx_rings = (uint16_t)na->num_host_rings[NR_RX];
	req->nr_mem_id = na->mem->id;
	req->nr_extra_bufs = granted;
	if (ext) {
		o->ext->nro_info.nr_mem_id = ext->id;
		nm_mem_put(ext);	/* the port holds the region now */
	}
	return 0;

err_bind:
	nm_nic_bind(na, priv, 0);
err_reg:
	if (new_user) {
		na->flags &= ~NAF_NETMAP_ON;
		nma_ops(na)->reg(na, 0);
	}
err_slot:
	na->bindings[priv->binding_idx] = NULL;
err_put:
	nma_check_unused(na);
	nma_put(na);
out_ext:
	if (ext)
		nm_mem_put(ext);
	return err;
}

/* Unbind (descriptor closed, or its process died). */
void nm_priv_release(struct nm_priv *priv)
{
	struct nm_adapter *na = priv->na;
	struct nm_mem *mem;
	enum nm_txrx t;
	uint32_t i;

	if (!na)
		return;
	mem = na->mem;
	if (priv->nifp) {
		nm_mem_extra_bufs_free(mem, priv);
		nm_mem_if_free(mem, priv->nifp);
		priv->nifp = NULL;
	}
	nm_nic_bind(na, priv, 0);
	NM_FOR_RX_TX(t) {
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];

			k->users--;
			if (priv->flags & NR_EXCLUSIVE)
				k->flags &= ~NKR_EXCLUSIVE;
		}
	}
	na->bindings[priv->binding_idx] = NULL;
	/*
	 * Back to the state of a descriptor that never registered: nothing
	 * may lead from it to the port any more (the kernel's poll used
	 * qfirst/qlast of a released binding).
	 */
	priv->na = NULL;
	memset(priv->qfirst, 0, sizeof(priv->qfirst));
	memset(priv->qlast, 0, sizeof(priv->qlast));
	priv->flags = 0;
	priv->mode = 0;
	priv->binding_idx = 0;
	priv->csb_atok = priv->csb_ktoa = 0;
	mem->active--;
	if (--na->users == 0) {
		na->flags &= ~NAF_NETMAP_ON;
		nm_monitor_orphan_all(na);
		nma_ops(na)->reg(na, 0);
	}
	nm_mem_reset_if_idle(mem);
	nma_check_unused(na);
	nma_put(na);
}

/* ---------------------------------------------------------------- */
/* PORT_INFO_GET (9.2) and POOLS_INFO_GET (9.10)                    */
/* ---------------------------------------------------------------- */

static uint64_t nm_mem_reported_size(struct nm_mem *m)
{
	int err;

	if (m->base)
		return m->memsize;
	return nm_mem_size_of(m->global ? nm_g->params.global : m->params,
			      !m->global, &err);
}

int nm_port_info(const char *name, struct nmreq_port_info_get *info)
{
	struct nmreq_register req;
	struct nm_adapter *na;
	struct nm_mem *m;
	int err;

	if (!name[0]) {
		m = nm_mem_find(info->nr_mem_id ? info->nr_mem_id : 1);
		if (!m && (info->nr_mem_id == 0 || info->nr_mem_id == 1))
			m = nm_mem_global();
		if (!m)
			return -EINVAL;
		info->nr_memsize = nm_mem_reported_size(m);
		info->nr_mem_id = m->id;
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_tx_slots = info->nr_tx_slots;
	req.nr_rx_slots = info->nr_rx_slots;
	req.nr_tx_rings = info->nr_tx_rings;
	req.nr_rx_rings = info->nr_rx_rings;
	req.nr_host_tx_rings = info->nr_host_tx_rings;
	req.nr_host_rx_rings = info->nr_host_rx_rings;
	req.nr_mem_id = info->nr_mem_id;
	if (req.nr_mem_id && !nm_mem_find(req.nr_mem_id))
		return -EINVAL;
	err = nm_get_adapter(name, &req, NM_LOOKUP_CREATE, &na);
	if (err)
		return err;
	info->nr_memsize = nm_mem_reported_size(na->mem);
	info->nr_tx_slots = na->num_slots[NR_TX];
	info->nr_rx_slots = na->num_slots[NR_RX];
	info->nr_tx_rings = (uint16_t)na->num_rings[NR_TX];
	info->nr_rx_rings = (uint16_t)na->num_rings[NR_RX];
	info->nr_host_tx_rings = (uint16_t)na->num_host_rings[NR_TX];
	info->nr_host_rx_rings = (uint16_t)na->num_host_rings[NR_RX];
	info->nr_mem_id = na->mem->id;
	info->nr_port_flags = 0;
	if (na->kind == NM_KIND_NIC)
		info->nr_port_flags = NR_PORT_EMULATED |
				      (na->nic ? nmh_nic_port_flags(na->nic) : 0);
	nma_check_unused(na);
	nma_put(na);
	return 0;
}

int nm_pools_info(const char *name, struct nmreq_pools_info *info)
{
	struct nmreq_register req;
	struct nm_adapter *na;
	struct nm_mem *m;
	int err;

	if (!name[0])
		return -ENXIO;
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_mem_id = info->nr_mem_id;
	if (req.nr_mem_id && !nm_mem_find(req.nr_mem_id))
		return -EINVAL;
	err = nm_get_adapter(name, &req, NM_LOOKUP_CREATE, &na);
	if (err)
		return err;
	m = na->mem;
	err = nm_mem_finalize(m);
	if (!err) {
		info->nr_memsize = m->memsize;
		info->nr_mem_id = m->id;
		info->nr_if_pool_offset = m->pools[NM_IF_POOL].offset;
		info->nr_if_pool_objtotal = m->pools[NM_IF_POOL].objtotal;
		info->nr_if_pool_objsize = m->pools[NM_IF_POOL].objsize;
		info->nr_ring_pool_offset = m->pools[NM_RING_POOL].offset;
		info->nr_ring_pool_objtotal = m->pools[NM_RING_POOL].objtotal;
		info->nr_ring_pool_objsize = m->pools[NM_RING_POOL].objsize;
		info->nr_buf_pool_offset = m->pools[NM_BUF_POOL].offset;
		info->nr_buf_pool_objtotal = m->pools[NM_BUF_POOL].objtotal;
		info->nr_buf_pool_objsize = m->pools[NM_BUF_POOL].objsize;
	}
	nma_check_unused(na);
	nma_put(na);
	return err;
}

/* ---------------------------------------------------------------- */
/* Recovery after a control operation was cut short                 */
/* ---------------------------------------------------------------- */

/*
 * A host whose contexts can vanish at any instant (the user runtime: a
 * process killed with SIGKILL while it holds the control lock) can leave
 * the objects above half updated: a port on a switch whose registrant
 * died before its binding recorded it, a ring user counted by a binding
 * that no longer exists, a reference that nobody holds.  No order of
 * the stores avoids every such state, so the host calls nm_recover()
 * (control lock held) before anything else runs after such a death, and
 * the core rebuilds from the links between objects all that is derived
 * from them:
 *
 *  - the bindings of each port, keeping only those of live privs, the
 *    users of ports and krings and the exclusive flags;
 *  - switch membership (na->bdg, active_ports) and pipe counts;
 *  - the wrapping of persistent ports on a second switch (15.3 step
 *    5): a wrapper on a switch owns its persistent port, whose rings
 *    then have one user each; a wrapped port with no wrapper on a
 *    switch any more is not owned;
 *  - the reference counts of ports and regions, region activity.
 *
 * Then whatever is unused is released as if its last user had just
 * left.  Since all of it is recomputed, a recovery cut short is simply
 * run again.  An object the dead context was building or tearing down
 * and had not linked anywhere is lost: host memory only, never a port,
 * a binding or a lock.  The kernel never needs this: its release()
 * always runs to completion.
 */
struct nm_rec_ent {
	struct nm_adapter *na;
	struct nm_bdg *bdg;	/* the switch whose ports[] holds it */
	uint32_t port;
	uint32_t named;		/* in the registry of persistent ports */
};

struct nm_rec {
	struct nm_rec_ent *e;
	uint32_t n, max;
	int nomem;
};

static struct nm_rec_ent *nm_rec_find(struct nm_rec *r, struct nm_adapter *na)
{
	uint32_t i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].na == na)
			return &r->e[i];
	return NULL;
}

static void nm_rec_add(struct nm_rec *r, struct nm_adapter *na)
{
	struct nm_rec_ent *e;

	if (!na || nm_rec_find(r, na))
		return;
	if (r->n == r->max) {
		uint32_t max = r->max ? 2 * r->max : 64;

		e = nmh_tmp_alloc(max * sizeof(*e));
		if (!e) {
			r->nomem = 1;
			return;
		}
		if (r->e) {
			memcpy(e, r->e, r->n * sizeof(*e));
			nmh_tmp_free(r->e);
		}
		r->e = e;
		r->max = max;
	}
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->na = na;
}

static int nm_rec_is_live(struct nm_priv *const *live, uint32_t nlive,
			  const struct nm_priv *p)
{
	uint32_t i;

	for (i = 0; i < nlive; i++)
		if (live[i] == p)
			return 1;
	return 0;
}

/*
 * Do na's rings exist for the kernel's own use (a wrapper, a wrapped
 * persistent port), counting as one user of its region?
 */
static int nma_kernel_rings(const struct nm_adapter *na)
{
	return na->kind == NM_KIND_BWRAP ||
	       (na->kind != NM_KIND_NIC && (na->flags & NAF_KERNEL_OWNED));
}

/* Users and exclusive flags of every kring, from na->bindings. */
static void nm_rec_krings(struct nm_adapter *na)
{
	enum nm_txrx t;
	uint32_t i, k;

	if (nma_kernel_rings(na))
		return;	/* one user each, for the wrapping's whole life */
	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct nm_kring *kr = &na->rings[t][i];
			uint32_t users = 0, flags = kr->flags & ~NKR_EXCLUSIVE;

			for (k = 0; k < NM_MAX_BINDINGS; k++) {
				struct nm_priv *p = na->bindings[k];

				if (!p || i < p->qfirst[t] || i >= p->qlast[t])
					continue;
				users++;
				if (p->flags & NR_EXCLUSIVE)
					flags |= NKR_EXCLUSIVE;
			}
			/*
			 * Senders read users without a lock: store final
			 * values only, and only when they change.
			 */
			if (kr->users != users)
				kr->users = users;
			if (kr->flags != flags)
				kr->flags = flags;
		}
	}
}

/*
 * Links to monitors nothing links to any more (a context died between
 * creating a monitor and recording its binding) would feed rings nobody
 * reads: they go.
 */
static void nm_rec_monitor_links(struct nm_rec *r, struct nm_adapter *na)
{
	enum nm_txrx t;
	uint32_t i;

	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct nm_mon_link **pp = &na->rings[t][i].mon, *l;

			while ((l = *pp) != NULL) {
				if (nm_rec_find(r, l->mk->na)) {
					pp = &l->next;
					continue;
				}
				*pp = l->next;
				nmh_free(l);
			}
		}
	}
}

static int nma_has_rings(const struct nm_adapter *na)
{
	enum nm_txrx t;
	uint32_t i;

	if (na->flags & NAF_NETMAP_ON)
		return 1;
	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++)
			if (na->rings[t][i].ring)
				return 1;
	}
	return 0;
}

/*
 * live: the bindings whose owners are alive, all consistent (only a
 * dead context can have been in the middle of changing one).  dead: the
 * bindings of dead owners, in any state; their effects are undone and
 * the host frees them afterwards without nm_priv_release().  Returns 0,
 * or -ENOMEM before changing anything.
 */
int nm_recover(struct nm_priv *const *live, uint32_t nlive,
	       struct nm_priv *const *dead, uint32_t ndead)
{
	struct nm_rec r = { NULL, 0, 0, 0 };
	struct nm_mem **mems = NULL, *m;
	uint32_t nmems = 0, i, j;
	struct nm_adapter *na;
	struct nm_pipe *p;
	int err = 0;

	/* Every port something still links to. */
	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		if (!b)
			continue;
		for (j = 0; j < NM_BDG_MAXSLOTS; j++)
			nm_rec_add(&r, b->ports[j]);
	}
	for (na = nm_g->named_ports; na; na = na->next)
		nm_rec_add(&r, na);
	/* A binding's na is set once registered and holds a reference. */
	for (i = 0; i < nlive; i++)
		nm_rec_add(&r, live[i]->na);
	for (i = 0; i < ndead; i++)
		nm_rec_add(&r, dead[i]->na);
	/*
	 * Pipes hang from their parents, which may be pipe ends too;
	 * monitors hold their parents.
	 */
	for (i = 0; i < r.n; i++) {
		na = r.e[i].na;
		if (na->kind == NM_KIND_PIPE)
			nm_rec_add(&r, na->pipe->parent);
		if (na->kind == NM_KIND_MONITOR && na->mon_parent)
			nm_rec_add(&r, na->mon_parent);
		for (p = na->pipes; p; p = p->next) {
			nm_rec_add(&r, &p->master);
			nm_rec_add(&r, &p->slave);
		}
	}
	for (m = nm_g->mem_list; m; m = m->next)
		nmems++;
	mems = nmh_tmp_alloc((nmems + 1) * sizeof(*mems));
	if (r.nomem || !mems) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0, m = nm_g->mem_list; m; m = m->next)
		mems[i++] = m;

	/*
	 * Switch membership is what ports[] says.  A switch's writer is
	 * always the control lock holder, so a writer flag left now is the
	 * dead one's.
	 */
	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];
		uint32_t ports = 0;

		if (!b)
			continue;
		nmh_bdg_wunlock(&b->fwd_lock);
		for (j = 0; j < NM_BDG_MAXSLOTS; j++) {
			struct nm_rec_ent *e;

			if (!b->ports[j])
				continue;
			e = nm_rec_find(&r, b->ports[j]);
			e->bdg = b;
			e->port = j;
			ports++;
		}
		b->active_ports = ports;
	}
	for (na = nm_g->named_ports; na; na = na->next)
		nm_rec_find(&r, na)->named = 1;

	/*
	 * Wrapped persistent ports: owned exactly while their wrapper is
	 * on a switch (an attach or detach cut short is completed or
	 * undone).  Their rings were made before the wrapper joined and
	 * are deleted after it left.
	 */
	for (i = 0; i < r.n; i++) {
		na = r.e[i].na;
		if (na->kind != NM_KIND_PERSIST)
			continue;
		if (na->bwrap[0] && !nm_rec_find(&r, na->bwrap[0]))
			na->bwrap[0] = NULL;
		if (na->flags & NAF_KERNEL_OWNED)
			na->flags &= ~(NAF_KERNEL_OWNED | NAF_NETMAP_ON);
	}
	for (i = 0; i < r.n; i++) {
		struct nm_adapter *p;
		enum nm_txrx t;

		na = r.e[i].na;
		p = na->kind == NM_KIND_BWRAP ? na->nic_parent : NULL;
		if (!p || p->kind != NM_KIND_PERSIST || !r.e[i].bdg ||
		    !p->bdg || !p->rings[NR_TX] || !p->rings[NR_TX][0].ring)
			continue;
		p->bwrap[0] = na;
		p->flags |= NAF_KERNEL_OWNED | NAF_NETMAP_ON;
		NM_FOR_RX_TX(t)
			for (j = 0; j < p->num_rings[t]; j++)
				p->rings[t][j].users = 1;
	}

	/*
	 * A dead binding that got as far as its netmap_if gives it back
	 * with its extra buffers, or a region still used by others would
	 * keep them.  Freeing twice (its release was cut after the free)
	 * is harmless: nothing was allocated since.
	 */
	for (i = 0; i < ndead; i++) {
		struct nm_priv *dp = dead[i];

		if (!dp->na || !dp->nifp)
			continue;
		nm_mem_extra_bufs_free(dp->na->mem, dp);
		nm_mem_if_free(dp->na->mem, dp->nifp);
		dp->nifp = NULL;
	}
	/*
	 * Their references are not counted below: forget their ports now,
	 * before any is freed, or a recovery run again would find them.
	 */
	for (i = 0; i < ndead; i++)
		dead[i]->na = NULL;

	/*
	 * Bindings, users and references.  Each port gets one extra
	 * reference, dropped at the end, so that none is freed while this
	 * function still walks the table.
	 */
	for (i = 0; i < r.n; i++) {
		struct nm_rec_ent *e = &r.e[i];
		uint32_t users = 0, npipes = 0, nmons = 0;

		na = e->na;
		for (j = 0; j < r.n; j++)
			if (r.e[j].na->kind == NM_KIND_MONITOR &&
			    r.e[j].na->mon_parent == na)
				nmons++;
		nm_rec_monitor_links(&r, na);
		for (j = 0; j < NM_MAX_BINDINGS; j++) {
			struct nm_priv *bp = na->bindings[j];

			if (!bp)
				continue;
			if (!nm_rec_is_live(live, nlive, bp) || bp->na != na ||
			    bp->binding_idx != j) {
				na->bindings[j] = NULL;
				continue;
			}
			users++;
		}
		nm_rec_krings(na);
		na->users = users;
		if (na->kind == NM_KIND_VALE || na->kind == NM_KIND_PERSIST) {
			if (na->bdg != e->bdg)
				na->bdg = e->bdg;
			if (e->bdg)
				na->bdg_port = e->port;
		}
		for (p = na->pipes; p; p = p->next)
			npipes++;
		na->num_pipes = npipes;
		/*
		 * A wrapper is held by its parent's bwrap[] slot as well; a
		 * wrapped port by its wrappers; a watched port by its monitors.
		 */
		na->refcount = (int)(users + !!e->bdg + e->named + npipes +
				     nmons + (na->kind == NM_KIND_BWRAP) +
				     !!na->bwrap[0]) + 1;
	}
	/* Regions: one reference per port (per pair of pipe ends). */
	for (i = 0; i < nmems; i++) {
		int refs = 1, active = 0;

		m = mems[i];
		for (j = 0; j < r.n; j++) {
			na = r.e[j].na;
			if (na->mem != m)
				continue;
			active += (int)na->users + nma_kernel_rings(na);
			if (na->kind != NM_KIND_PIPE || na == &na->pipe->master)
				refs++;
		}
		m->refcount = refs;
		m->active = active;
	}

	/* What nobody uses any more goes, as when its last user leaves. */
	for (i = 0; i < r.n; i++) {
		na = r.e[i].na;
		if (na->users || nma_kernel_rings(na) || !nma_has_rings(na))
			continue;
		na->flags &= ~NAF_NETMAP_ON;
		nm_monitor_orphan_all(na);
		nma_ops(na)->reg(na, 0);
	}
	for (i = 0; i < nmems; i++)
		nm_mem_reset_if_idle(mems[i]);
	for (i = 0; i < r.n; i++)
		nma_check_unused(r.e[i].na);
	for (i = 0; i < NM_MAX_BRIDGES_LIMIT; i++) {
		struct nm_bdg *b = nm_g->bridges[i];

		if (b && !b->active_ports) {
			nm_g->bridges[i] = NULL;
			nmh_free(b);
		}
	}
	for (i = 0; i < r.n; i++)
		nma_put(r.e[i].na);
	for (i = 0; i < nmems; i++)
		nm_mem_put(mems[i]);
out:
	nmh_tmp_free(mems);
	nmh_tmp_free(r.e);
	return err;
}
