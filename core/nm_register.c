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

struct nm_adapter *nm_named_find(const char *name)
{
	struct nm_adapter *na;

	for (na = nm_g->named_ports; na; na = na->next)
		if (!strcmp(na->name, name))
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
		return -EOPNOTSUPP;	/* monitors: not built yet */
	if (strchr(name, '{') || strchr(name, '}'))
		return nm_pipe_get(name, req, how, out);
	if (!strncmp(name, "val", 3))
		return nm_vale_get(name, req, how, out);
	na = nm_named_find(name);
	if (!na)
		return -ENXIO;
	nma_get(na);
	*out = na;
	return 0;
}

/* Called when an adapter may have lost its last user. */
void nma_check_unused(struct nm_adapter *na)
{
	if (na->users == 0 && na->num_pipes == 0)
		nm_vale_release_unused(na);
}

/* ---------------------------------------------------------------- */
/* Ring selection (11.3)                                            */
/* ---------------------------------------------------------------- */

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
				return -EINVAL;
			first[t] = n;
			last[t] = n + h;
			break;
		case NR_REG_NIC_SW:
			if (!h)
				return -EINVAL;
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
				return -EINVAL;
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
	if (!nifp)
		return NULL;
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
		struct nmreq_register *req, struct nmreq_opt_offsets *off,
		int *off_err)
{
	struct nm_adapter *na;
	uint32_t first[2], last[2], i, granted = 0, head = 0;
	uint64_t mask = 0;
	enum nm_txrx t;
	int err, new_user;

	if (priv->na)
		return -EBUSY;
	if (req->nr_mem_id && !nm_mem_find(req->nr_mem_id))
		return -EINVAL;
	err = nm_get_adapter(name, req, NM_LOOKUP_CREATE, &na);
	if (err)
		return err;
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
			*off_err = err;
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
	if (off) {
		err = nm_offsets_apply(na, priv, off, mask);
		if (err) {
			*off_err = err;
			goto err_reg;
		}
	}
	priv->nifp = nm_if_new(na, priv);
	err = -ENOMEM;
	if (!priv->nifp)
		goto err_reg;
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
						  req->nr_extra_bufs);
	*(uint32_t *)&priv->nifp->ni_bufs_head = head;

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
	return 0;

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
		nm_mem_extra_bufs_free(mem, NM_READ_ONCE(priv->nifp->ni_bufs_head));
		nm_mem_if_free(mem, priv->nifp);
		priv->nifp = NULL;
	}
	NM_FOR_RX_TX(t) {
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			struct nm_kring *k = &na->rings[t][i];

			k->users--;
			if (priv->flags & NR_EXCLUSIVE)
				k->flags &= ~NKR_EXCLUSIVE;
		}
	}
	na->bindings[priv->binding_idx] = NULL;
	priv->na = NULL;
	mem->active--;
	if (--na->users == 0) {
		na->flags &= ~NAF_NETMAP_ON;
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
