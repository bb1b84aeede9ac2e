// SPDX-License-Identifier: BSD-2-Clause
/*
 * Null ports (spec section 18): rings in an existing region and no data
 * path.  Each registration creates a new one; it disappears with its
 * binding.
 */
#include "nm_core.h"

static int nm_null_sync(struct nm_kring *kring, int flags)
{
	(void)kring;
	(void)flags;
	return 0;
}

static int nm_null_reg(struct nm_adapter *na, int onoff)
{
	if (onoff)
		return nma_rings_create(na, NULL);
	nma_rings_delete(na);
	return 0;
}

static void nm_null_dtor(struct nm_adapter *na)
{
	nma_free(na);
}

const struct nm_adapter_ops nm_null_ops = {
	.reg = nm_null_reg,
	.txsync = nm_null_sync,
	.rxsync = nm_null_sync,
	.dtor = nm_null_dtor,
};

/*
 * Spec 18 takes the counts as given, but a region holds rings of at most
 * (ring_objsize - 256) / 16 slots and a netmap_if of at most
 * (if_objsize - 56) / 8 ring offsets, fake host rings included (3.1):
 * nothing larger could ever be registered.  Clamp to those limits before
 * any kring is allocated, so that a request for 65535 rings costs what
 * the region can hold, not tens of megabytes; the reply shows the
 * counts honoured.
 */
static void nm_null_clamp(const struct nm_mem *m, struct nmreq_register *req)
{
	uint32_t max_slots = (m->pools[NM_RING_POOL].objsize -
			      sizeof(struct netmap_ring)) /
			     sizeof(struct netmap_slot);
	uint32_t entries = (m->pools[NM_IF_POOL].objsize -
			    sizeof(struct netmap_if)) / sizeof(ssize_t);
	uint32_t avail = entries > 2 ? entries - 2 : 0, half = avail / 2;
	uint32_t tx = req->nr_tx_rings, rx = req->nr_rx_rings;

	if (tx + rx > avail) {
		if (tx <= half)
			rx = avail - tx;
		else if (rx <= half)
			tx = avail - rx;
		else {
			tx = half;
			rx = avail - half;
		}
	}
	req->nr_tx_rings = (uint16_t)tx;
	req->nr_rx_rings = (uint16_t)rx;
	if (req->nr_tx_slots > max_slots)
		req->nr_tx_slots = max_slots;
	if (req->nr_rx_slots > max_slots)
		req->nr_rx_slots = max_slots;
}

int nm_null_get(const char *name, struct nmreq_register *req,
		struct nm_adapter **out)
{
	struct nm_adapter *na;
	struct nm_mem *m;
	int err;

	if (!req->nr_mem_id)
		return -EINVAL;
	m = nm_mem_find(req->nr_mem_id);
	if (!m)
		return -EINVAL;
	/* Rings without slots are unusable: refuse them (18 allows it). */
	if ((req->nr_tx_rings && !req->nr_tx_slots) ||
	    (req->nr_rx_rings && !req->nr_rx_slots))
		return -EINVAL;
	err = nm_mem_finalize(m);
	if (err)
		return err;
	nm_null_clamp(m, req);
	na = nmh_zalloc(sizeof(*na));
	if (!na)
		return -ENOMEM;
	snprintf(na->name, sizeof(na->name), "null:%s", name);
	na->kind = NM_KIND_NULL;
	na->flags = NAF_OFFSETS;
	na->num_rings[NR_TX] = req->nr_tx_rings;
	na->num_rings[NR_RX] = req->nr_rx_rings;
	na->num_slots[NR_TX] = req->nr_tx_slots;
	na->num_slots[NR_RX] = req->nr_rx_slots;
	na->mem = m;
	nm_mem_get(m);
	na->refcount = 1;
	err = nma_krings_create(na);
	if (err) {
		nm_null_dtor(na);
		return err;
	}
	*out = na;
	return 0;
}
