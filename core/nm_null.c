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
	nma_krings_delete(na);
	nm_mem_put(na->mem);
	nmh_free(na);
}

const struct nm_adapter_ops nm_null_ops = {
	.reg = nm_null_reg,
	.txsync = nm_null_sync,
	.rxsync = nm_null_sync,
	.dtor = nm_null_dtor,
};

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
