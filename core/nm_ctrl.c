// SPDX-License-Identifier: BSD-2-Clause
/*
 * Request decoding: NIOCCTRL with its option list (spec sections 8-10),
 * the legacy NIOCREGIF/NIOCGINFO translation (13) and NIOCCONFIG.
 *
 * Every pointer inside a request is user memory: it is only touched
 * through nmh_copy_from_user/nmh_copy_to_user, and sizes are bounded
 * exactly as the spec's accounting says, so that the errno of every
 * malformed request is the one applications were tested against.
 */
#include "nm_core.h"

/* Body sizes of 8.2; 0 for types without a body and unknown types. */
static size_t nm_body_size(uint16_t reqtype)
{
	switch (reqtype) {
	case NETMAP_REQ_REGISTER:
		return sizeof(struct nmreq_register);
	case NETMAP_REQ_PORT_INFO_GET:
		return sizeof(struct nmreq_port_info_get);
	case NETMAP_REQ_VALE_ATTACH:
		return sizeof(struct nmreq_vale_attach);
	case NETMAP_REQ_VALE_DETACH:
		return sizeof(struct nmreq_vale_detach);
	case NETMAP_REQ_VALE_LIST:
		return sizeof(struct nmreq_vale_list);
	case NETMAP_REQ_PORT_HDR_SET:
	case NETMAP_REQ_PORT_HDR_GET:
		return sizeof(struct nmreq_port_hdr);
	case NETMAP_REQ_VALE_NEWIF:
		return sizeof(struct nmreq_vale_newif);
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return sizeof(struct nmreq_vale_polling);
	case NETMAP_REQ_POOLS_INFO_GET:
		return sizeof(struct nmreq_pools_info);
	case NETMAP_REQ_SYNC_KLOOP_START:
		return sizeof(struct nmreq_sync_kloop_start);
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- */
/* The option list (10.8)                                           */
/* ---------------------------------------------------------------- */

#define NM_OPT_BUF_LIMIT 4208
#define NM_OPT_MAX_ENTRIES ((NM_OPT_BUF_LIMIT - 64) / 32 + 1)

struct nm_kopt {
	void *uptr;			/* where the option lives in user memory */
	struct nmreq_option hdr;	/* kernel copy; nro_status is ours */
	uint8_t *body;			/* copy of the option body */
	size_t bodylen;
};

struct nm_req_ctx {
	struct nmreq_header hdr;
	union {
		struct nmreq_register reg;
		struct nmreq_port_info_get info;
		struct nmreq_vale_attach attach;
		struct nmreq_vale_detach detach;
		struct nmreq_vale_list list;
		struct nmreq_port_hdr porthdr;
		struct nmreq_vale_newif newif;
		struct nmreq_vale_polling polling;
		struct nmreq_pools_info pools;
		struct nmreq_sync_kloop_start kloop;
		uint8_t raw[64];
	} body;
	size_t bodylen;
	uint32_t nopts;
	struct nm_kopt opts[NM_OPT_MAX_ENTRIES];
	struct nm_kopt *by_type[NETMAP_REQ_OPT_MAX];
	uint8_t bodies[NETMAP_REQ_MAXSIZE];
	size_t bodies_used;
	/* SYNC_KLOOP_START/STOP: what runs once the control lock is free */
	struct nm_kloop *kloop;
	int kloop_stop;
};

static size_t nm_opt_body_size(const struct nmreq_option *o)
{
	switch (o->nro_reqtype) {
	case NETMAP_REQ_OPT_EXTMEM:
		return sizeof(struct nmreq_opt_extmem) - sizeof(*o);
	case NETMAP_REQ_OPT_CSB:
		return sizeof(struct nmreq_opt_csb) - sizeof(*o);
	case NETMAP_REQ_OPT_SYNC_KLOOP_MODE:
		return sizeof(struct nmreq_opt_sync_kloop_mode) - sizeof(*o);
	case NETMAP_REQ_OPT_OFFSETS:
		return sizeof(struct nmreq_opt_offsets) - sizeof(*o);
	case NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS:
		return o->nro_size >= sizeof(*o) ? o->nro_size - sizeof(*o) : 0;
	default:
		return 0;
	}
}

/* Copy option headers (and bodies, if ok) back to user space (8.3). */
static void nm_opts_copy_back(struct nm_req_ctx *c, uint32_t nopts, int ok)
{
	uint32_t i;

	for (i = 0; i < nopts; i++) {
		struct nm_kopt *k = &c->opts[i];

		nmh_copy_to_user(k->uptr, &k->hdr, sizeof(k->hdr));
		if (ok && k->hdr.nro_status == 0 && k->bodylen)
			nmh_copy_to_user((char *)k->uptr + sizeof(k->hdr),
					 k->body, k->bodylen);
	}
}

/*
 * Copy the user's option list in, with the two budgets of 10.8.
 * Returns 0 or an errno; *copyback says how many headers to write back.
 */
static int nm_opts_copy_in(struct nm_req_ctx *c, uint32_t *copyback)
{
	uint64_t uptr = c->hdr.nr_options;
	size_t used = 16 + c->bodylen + 48, budget = c->bodylen, s;

	*copyback = 0;
	while (uptr) {
		struct nm_kopt *k;

		if (used + 32 > NM_OPT_BUF_LIMIT ||
		    c->nopts >= NM_OPT_MAX_ENTRIES)
			return EMSGSIZE;	/* nothing copied back */
		k = &c->opts[c->nopts];
		k->uptr = (void *)(uintptr_t)uptr;
		if (nmh_copy_from_user(&k->hdr, k->uptr, sizeof(k->hdr))) {
			*copyback = c->nopts;
			return EFAULT;
		}
		c->nopts++;
		used += 32;
		budget += sizeof(k->hdr);
		k->hdr.nro_status = 0;
		uptr = k->hdr.nro_next;
		if (k->hdr.nro_reqtype == 0) {
			k->hdr.nro_status = EINVAL;
			*copyback = c->nopts;
			return EINVAL;
		}
		if (k->hdr.nro_reqtype >= NETMAP_REQ_OPT_MAX)
			continue;	/* unknown: body not read */
		if (c->by_type[k->hdr.nro_reqtype]) {
			c->by_type[k->hdr.nro_reqtype]->hdr.nro_status = EINVAL;
			k->hdr.nro_status = EINVAL;
			*copyback = c->nopts;
			return EINVAL;
		}
		c->by_type[k->hdr.nro_reqtype] = k;
		s = nm_opt_body_size(&k->hdr);
		if (s > NETMAP_REQ_MAXSIZE || k->hdr.nro_size > NETMAP_REQ_MAXSIZE ||
		    budget + s > NETMAP_REQ_MAXSIZE ||
		    used + s > NM_OPT_BUF_LIMIT ||
		    c->bodies_used + s > sizeof(c->bodies)) {
			*copyback = c->nopts;
			return EMSGSIZE;
		}
		k->body = c->bodies + c->bodies_used;
		k->bodylen = s;
		if (s && nmh_copy_from_user(k->body, (char *)k->uptr +
					    sizeof(k->hdr), s)) {
			*copyback = c->nopts;
			return EFAULT;
		}
		c->bodies_used += s;
		budget += s;
		used += s;
	}
	*copyback = c->nopts;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Request execution                                                */
/* ---------------------------------------------------------------- */

/*
 * A known option as its whole structure (header, then body), or NULL
 * when the request has none; nm_opt_put() stores the body back (it is
 * copied out if the request succeeds) and the option's status.
 */
static void *nm_opt_get(struct nm_req_ctx *c, uint32_t type, void *buf,
			size_t size)
{
	struct nm_kopt *k = c->by_type[type];

	if (!k || k->bodylen != size - sizeof(k->hdr))
		return NULL;
	memcpy(buf, &k->hdr, sizeof(k->hdr));
	memcpy((char *)buf + sizeof(k->hdr), k->body, k->bodylen);
	return buf;
}

static void nm_opt_put(struct nm_req_ctx *c, uint32_t type, const void *buf,
		       uint32_t status)
{
	struct nm_kopt *k = c->by_type[type];

	memcpy(k->body, (const char *)buf + sizeof(k->hdr), k->bodylen);
	k->hdr.nro_status = status;
}

static int nm_req_register(struct nm_priv *priv, struct nm_req_ctx *c)
{
	struct nmreq_register *req = &c->body.reg;
	struct nmreq_opt_offsets off;
	struct nmreq_opt_extmem ext;
	struct nmreq_opt_csb csb;
	struct nm_reg_opts o;
	int err;
	uint32_t i;

	if (priv->na)
		return EBUSY;
	switch (req->nr_mode) {
	case NR_REG_ALL_NIC:
	case NR_REG_SW:
	case NR_REG_NIC_SW:
	case NR_REG_ONE_NIC:
	case NR_REG_NULL:
	case NR_REG_ONE_SW:
		break;
	default:
		return EINVAL;
	}
	memset(&o, 0, sizeof(o));
	o.off = nm_opt_get(c, NETMAP_REQ_OPT_OFFSETS, &off, sizeof(off));
	o.ext = nm_opt_get(c, NETMAP_REQ_OPT_EXTMEM, &ext, sizeof(ext));
	err = nm_register(priv, c->hdr.nr_name, req, &o);
	/* OFFSETS: only the effective maximum is written back (10.7). */
	if (o.off)
		nm_opt_put(c, NETMAP_REQ_OPT_OFFSETS, &off,
			   o.off_err ? -o.off_err : (err ? EOPNOTSUPP : 0));
	/* EXTMEM: its outcome, and the pool parameters applied (23.6). */
	if (o.ext)
		nm_opt_put(c, NETMAP_REQ_OPT_EXTMEM, &ext, -o.ext_err);
	if (err)
		return -err;
	/* CSB (11.4 step 11): a failure undoes the registration */
	if (nm_opt_get(c, NETMAP_REQ_OPT_CSB, &csb, sizeof(csb))) {
		err = nm_csb_enable(priv, &csb);
		c->by_type[NETMAP_REQ_OPT_CSB]->hdr.nro_status = (uint32_t)-err;
		if (err) {
			nm_priv_release(priv);
			return -err;
		}
	}
	/* Any option the registration did not consume undoes it (10.8/9). */
	for (i = 0; i < c->nopts; i++) {
		if (c->opts[i].hdr.nro_status == EOPNOTSUPP) {
			nm_priv_release(priv);
			return EOPNOTSUPP;
		}
	}
	return 0;
}

static int nm_req_attach_like(struct nm_req_ctx *c, int attach)
{
	if (attach)
		return -nm_vale_attach(c->hdr.nr_name, &c->body.attach);
	return -nm_vale_detach(c->hdr.nr_name, &c->body.detach);
}


static int nm_req_newif(struct nm_req_ctx *c)
{
	struct nmreq_vale_newif *nif = &c->body.newif;
	const char *name = c->hdr.nr_name;
	struct nmreq_register req;
	struct nm_adapter *na;
	int err;

	if (!strncmp(name, "vale", 4) || strlen(name) >= IFNAMSIZ)
		return EINVAL;
	if (nif->nr_mem_id) {
		struct nm_mem *m = nm_mem_find(nif->nr_mem_id);

		if (!m)
			return EINVAL;
		if (!nm_mem_may_use(m))
			return EPERM;
	}
	if (nm_named_find(name))
		return EEXIST;
	if (!nm_g->host_has_netdevs)
		return EOPNOTSUPP;	/* persistent ports are netdevs */
	memset(&req, 0, sizeof(req));
	req.nr_tx_slots = nif->nr_tx_slots;
	req.nr_rx_slots = nif->nr_rx_slots;
	req.nr_tx_rings = nif->nr_tx_rings;
	req.nr_rx_rings = nif->nr_rx_rings;
	req.nr_mem_id = nif->nr_mem_id;
	err = nm_vale_persist_create(name, &req, 0, NULL, &na);
	if (err)
		return -err;
	nif->nr_tx_slots = na->num_slots[NR_TX];
	nif->nr_rx_slots = na->num_slots[NR_RX];
	nif->nr_tx_rings = (uint16_t)na->num_rings[NR_TX];
	nif->nr_rx_rings = (uint16_t)na->num_rings[NR_RX];
	nif->nr_mem_id = na->mem->id;
	return 0;
}

/* CSB_ENABLE (25.1): the CSB option is required. */
static int nm_req_csb_enable(struct nm_priv *priv, struct nm_req_ctx *c)
{
	struct nmreq_opt_csb csb;
	int err;

	if (!nm_opt_get(c, NETMAP_REQ_OPT_CSB, &csb, sizeof(csb)))
		return EINVAL;
	if (!priv->na)
		return ENXIO;
	err = nm_csb_enable(priv, &csb);
	c->by_type[NETMAP_REQ_OPT_CSB]->hdr.nro_status = (uint32_t)-err;
	return -err;
}

/*
 * SYNC_KLOOP_START (25.2): checks and set-up under the control lock; the
 * loop itself runs in nm_ctrl() once the lock is released.
 */
static int nm_req_kloop_start(struct nm_priv *priv, struct nm_req_ctx *c)
{
	struct nm_kopt *mode = c->by_type[NETMAP_REQ_OPT_SYNC_KLOOP_MODE];
	struct nm_kopt *efd = c->by_type[NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS];
	uint32_t m = 0;

	if (mode)
		memcpy(&m, mode->body, sizeof(m));
	return -nm_kloop_prepare(priv, c->body.kloop.sleep_us,
				 mode ? &mode->hdr : NULL, m,
				 efd ? &efd->hdr : NULL,
				 efd ? (const int32_t *)efd->body : NULL, &c->kloop);
}

static int nm_req_run(struct nm_priv *priv, struct nm_req_ctx *c)
{
	uint32_t len;
	int err;

	switch (c->hdr.nr_reqtype) {
	case NETMAP_REQ_REGISTER:
		return nm_req_register(priv, c);
	case NETMAP_REQ_PORT_INFO_GET:
		return -nm_port_info(c->hdr.nr_name, &c->body.info);
	case NETMAP_REQ_VALE_ATTACH:
		return nm_req_attach_like(c, 1);
	case NETMAP_REQ_VALE_DETACH:
		return nm_req_attach_like(c, 0);
	case NETMAP_REQ_VALE_LIST:
		return -nm_vale_list(c->hdr.nr_name, &c->body.list);
	case NETMAP_REQ_PORT_HDR_SET:
		return -nm_vale_hdr_set(c->hdr.nr_name,
					c->body.porthdr.nr_hdr_len);
	case NETMAP_REQ_PORT_HDR_GET:
		err = nm_vale_hdr_get(c->hdr.nr_name, &len);
		if (!err)
			c->body.porthdr.nr_hdr_len = len;
		return -err;
	case NETMAP_REQ_VALE_NEWIF:
		return nm_req_newif(c);
	case NETMAP_REQ_VALE_DELIF:
		return -nm_vale_persist_delete(c->hdr.nr_name);
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return -nm_vale_polling(c->hdr.nr_name,
				c->hdr.nr_reqtype == NETMAP_REQ_VALE_POLLING_ENABLE,
				&c->body.polling);
	case NETMAP_REQ_POOLS_INFO_GET:
		return -nm_pools_info(c->hdr.nr_name, &c->body.pools);
	case NETMAP_REQ_SYNC_KLOOP_START:
		return nm_req_kloop_start(priv, c);
	case NETMAP_REQ_SYNC_KLOOP_STOP:
		if (!priv->na || !(priv->na->flags & NAF_NETMAP_ON))
			return ENXIO;
		c->kloop_stop = nm_kloop_request_stop(priv);
		return 0;
	case NETMAP_REQ_CSB_ENABLE:
		return nm_req_csb_enable(priv, c);
	default:
		return EINVAL;
	}
}

/*
 * NIOCCTRL.  uarg is the user address of a struct nmreq_header.  Returns
 * 0 or a negative errno; the header is always copied back (5.2).
 */
int nm_ctrl(struct nm_priv *priv, void *uarg)
{
	struct nm_req_ctx *c;
	uint32_t copyback = 0;
	int err;

	if (!uarg)
		return -EINVAL;
	c = nmh_tmp_alloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (nmh_copy_from_user(&c->hdr, uarg, sizeof(c->hdr))) {
		nmh_tmp_free(c);
		return -EFAULT;
	}
	c->hdr.nr_name[NETMAP_REQ_IFNAMSIZ - 1] = '\0';
	err = 0;
	if (c->hdr.nr_version < NETMAP_MIN_API ||
	    c->hdr.nr_version > NETMAP_MAX_API || c->hdr.nr_reserved)
		err = EINVAL;
	if (!err) {
		c->bodylen = nm_body_size(c->hdr.nr_reqtype);
		if (!!c->bodylen != !!c->hdr.nr_body)
			err = EINVAL;
	}
	if (!err && c->bodylen &&
	    nmh_copy_from_user(&c->body, (void *)(uintptr_t)c->hdr.nr_body,
			       c->bodylen))
		err = EFAULT;
	if (!err) {
		err = nm_opts_copy_in(c, &copyback);
		if (err) {
			nm_opts_copy_back(c, copyback, 0);
			copyback = 0;
		}
	}
	if (!err) {
		uint32_t i;

		for (i = 0; i < c->nopts; i++)
			c->opts[i].hdr.nro_status = EOPNOTSUPP;
		nmh_ctl_lock();
		nm_g->caller = priv->owner;
		err = nm_req_run(priv, c);
		nmh_ctl_unlock();
		/* The sync loop runs here, in the caller's thread (25.2). */
		if (!err && c->kloop)
			err = -nm_kloop_run(c->kloop);
		if (c->kloop_stop)
			nmh_kloop_wait_stop(priv);
		if (!err && c->bodylen &&
		    nmh_copy_to_user((void *)(uintptr_t)c->hdr.nr_body, &c->body,
				     c->bodylen))
			err = EFAULT;
		nm_opts_copy_back(c, c->nopts, !err);
	}
	c->hdr.nr_reserved = 0;
	if (nmh_copy_to_user(uarg, &c->hdr, sizeof(c->hdr)) && !err)
		err = EFAULT;
	nmh_tmp_free(c);
	return -err;
}

/* ---------------------------------------------------------------- */
/* Legacy interface (13)                                            */
/* ---------------------------------------------------------------- */

/* NIOCREGIF/NIOCGINFO translated through the same request code. */
static int nm_legacy_run(struct nm_priv *priv, unsigned int cmd,
			 struct nmreq *nmr, struct nm_req_ctx *c)
{
	struct nmreq_register *reg = &c->body.reg;
	uint32_t mode;
	int err;

	memset(&c->hdr, 0, sizeof(c->hdr));
	c->hdr.nr_version = NETMAP_API;
	nm_strlcpy(c->hdr.nr_name, nmr->nr_name, sizeof(c->hdr.nr_name));

	if (cmd == NIOCGINFO) {
		if (nmr->nr_cmd == NETMAP_BDG_LIST) {
			c->hdr.nr_reqtype = NETMAP_REQ_VALE_LIST;
			c->body.list.nr_bridge_idx = nmr->nr_arg1;
			c->body.list.nr_port_idx = nmr->nr_arg2;
			err = nm_req_run(priv, c);
			if (!err) {
				nm_strlcpy(nmr->nr_name, c->hdr.nr_name,
					   sizeof(nmr->nr_name));
				nmr->nr_arg1 = c->body.list.nr_bridge_idx;
				nmr->nr_arg2 = (uint16_t)c->body.list.nr_port_idx;
			}
			return err;
		}
		c->hdr.nr_reqtype = NETMAP_REQ_PORT_INFO_GET;
		c->body.info.nr_tx_slots = nmr->nr_tx_slots;
		c->body.info.nr_rx_slots = nmr->nr_rx_slots;
		c->body.info.nr_tx_rings = nmr->nr_tx_rings;
		c->body.info.nr_rx_rings = nmr->nr_rx_rings;
		c->body.info.nr_mem_id = nmr->nr_arg2;
		err = nm_req_run(priv, c);
		if (!err) {
			nmr->nr_memsize = (uint32_t)c->body.info.nr_memsize;
			nmr->nr_tx_slots = c->body.info.nr_tx_slots;
			nmr->nr_rx_slots = c->body.info.nr_rx_slots;
			nmr->nr_tx_rings = c->body.info.nr_tx_rings;
			nmr->nr_rx_rings = c->body.info.nr_rx_rings;
			nmr->nr_arg2 = c->body.info.nr_mem_id;
		}
		return err;
	}

	/* NIOCREGIF: registration-like fields (13.3). */
	reg->nr_tx_slots = nmr->nr_tx_slots;
	reg->nr_rx_slots = nmr->nr_rx_slots;
	reg->nr_tx_rings = nmr->nr_tx_rings;
	reg->nr_rx_rings = nmr->nr_rx_rings;
	reg->nr_mem_id = nmr->nr_arg2;
	reg->nr_ringid = nmr->nr_ringid & NETMAP_RING_MASK;
	mode = nmr->nr_flags & NR_REG_MASK;
	if (mode == NR_REG_DEFAULT) {
		if (nmr->nr_ringid & NETMAP_SW_RING)
			mode = NR_REG_SW;
		else if (nmr->nr_ringid & NETMAP_HW_RING)
			mode = NR_REG_ONE_NIC;
		else
			mode = NR_REG_ALL_NIC;
	}
	reg->nr_mode = mode;
	reg->nr_flags = nmr->nr_flags & ~(uint64_t)NR_REG_MASK;
	if (nmr->nr_ringid & NETMAP_NO_TX_POLL)
		reg->nr_flags |= NR_NO_TX_POLL;
	if (nmr->nr_ringid & NETMAP_DO_RX_POLL)
		reg->nr_flags |= NR_DO_RX_POLL;
	reg->nr_extra_bufs = nmr->nr_arg3;

	switch (nmr->nr_cmd) {
	case 0:
		if (mode == NR_REG_PIPE_MASTER || mode == NR_REG_PIPE_SLAVE) {
			size_t l = strlen(c->hdr.nr_name);

			snprintf(c->hdr.nr_name + l, sizeof(c->hdr.nr_name) - l,
				 "%c%u", mode == NR_REG_PIPE_MASTER ? '{' : '}',
				 reg->nr_ringid);
			reg->nr_mode = NR_REG_ALL_NIC;
			reg->nr_ringid = 0;
		}
		c->hdr.nr_reqtype = NETMAP_REQ_REGISTER;
		err = nm_req_run(priv, c);
		break;
	case NETMAP_BDG_ATTACH:
		c->hdr.nr_reqtype = NETMAP_REQ_VALE_ATTACH;
		c->body.attach.reg.nr_mode = (nmr->nr_arg1 & NETMAP_BDG_HOST) ?
					     NR_REG_NIC_SW : NR_REG_ALL_NIC;
		err = nm_req_run(priv, c);
		break;
	case NETMAP_BDG_DETACH:
		c->hdr.nr_reqtype = NETMAP_REQ_VALE_DETACH;
		return nm_req_run(priv, c);
	case NETMAP_BDG_VNET_HDR:
		c->hdr.nr_reqtype = NETMAP_REQ_PORT_HDR_SET;
		memset(&c->body, 0, sizeof(c->body));
		c->body.porthdr.nr_hdr_len = nmr->nr_arg1;
		err = nm_req_run(priv, c);
		if (!err)
			nmr->nr_arg1 = (uint16_t)c->body.porthdr.nr_hdr_len;
		return err;
	case NETMAP_VNET_HDR_GET:
		c->hdr.nr_reqtype = NETMAP_REQ_PORT_HDR_GET;
		memset(&c->body, 0, sizeof(c->body));
		err = nm_req_run(priv, c);
		if (!err)
			nmr->nr_arg1 = (uint16_t)c->body.porthdr.nr_hdr_len;
		return err;
	case NETMAP_BDG_NEWIF:
		c->hdr.nr_reqtype = NETMAP_REQ_VALE_NEWIF;
		memset(&c->body, 0, sizeof(c->body));
		c->body.newif.nr_tx_slots = nmr->nr_tx_slots;
		c->body.newif.nr_rx_slots = nmr->nr_rx_slots;
		c->body.newif.nr_tx_rings = nmr->nr_tx_rings;
		c->body.newif.nr_rx_rings = nmr->nr_rx_rings;
		c->body.newif.nr_mem_id = nmr->nr_arg2;
		err = nm_req_run(priv, c);
		if (!err) {
			nmr->nr_tx_slots = c->body.newif.nr_tx_slots;
			nmr->nr_rx_slots = c->body.newif.nr_rx_slots;
			nmr->nr_tx_rings = c->body.newif.nr_tx_rings;
			nmr->nr_rx_rings = c->body.newif.nr_rx_rings;
			nmr->nr_arg2 = c->body.newif.nr_mem_id;
		}
		return err;
	case NETMAP_BDG_DELIF:
		c->hdr.nr_reqtype = NETMAP_REQ_VALE_DELIF;
		return nm_req_run(priv, c);
	case NETMAP_BDG_POLLING_ON:
	case NETMAP_BDG_POLLING_OFF:
		c->hdr.nr_reqtype = nmr->nr_cmd == NETMAP_BDG_POLLING_ON ?
				    NETMAP_REQ_VALE_POLLING_ENABLE :
				    NETMAP_REQ_VALE_POLLING_DISABLE;
		return nm_req_run(priv, c);
	case NETMAP_PT_HOST_CREATE:
	case NETMAP_PT_HOST_DELETE:
		return ENOMEM;
	default:
		return EINVAL;
	}
	if (!err) {
		nmr->nr_offset = (uint32_t)reg->nr_offset;
		nmr->nr_memsize = (uint32_t)reg->nr_memsize;
		nmr->nr_tx_slots = reg->nr_tx_slots;
		nmr->nr_rx_slots = reg->nr_rx_slots;
		nmr->nr_tx_rings = reg->nr_tx_rings;
		nmr->nr_rx_rings = reg->nr_rx_rings;
		nmr->nr_arg2 = reg->nr_mem_id;
		nmr->nr_arg3 = reg->nr_extra_bufs;
	}
	return err;
}

/* NIOCREGIF, NIOCGINFO (struct nmreq) and NIOCCONFIG (struct nm_ifreq). */
int nm_legacy(struct nm_priv *priv, unsigned int cmd, void *uarg)
{
	struct nm_req_ctx *c;
	struct nmreq nmr, out;
	int err;

	if (!uarg)
		return -EINVAL;
	if (cmd == NIOCCONFIG) {
		struct nm_ifreq ifr;

		if (nmh_copy_from_user(&ifr, uarg, sizeof(ifr)))
			return -EFAULT;
		/* No switch has a configuration handler (15.10). */
		return nmh_copy_to_user(uarg, &ifr, sizeof(ifr)) ? -EFAULT :
								   -EINVAL;
	}
	if (nmh_copy_from_user(&nmr, uarg, sizeof(nmr)))
		return -EFAULT;
	nmr.nr_name[sizeof(nmr.nr_name) - 1] = '\0';
	out = nmr;
	err = EINVAL;
	if (nmr.nr_version >= NETMAP_API &&
	    !(cmd == NIOCREGIF && nmr.nr_cmd == NETMAP_BDG_LIST) &&
	    !(cmd == NIOCREGIF && nmr.nr_cmd == NETMAP_BDG_REGOPS)) {
		c = nmh_tmp_alloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		nmh_ctl_lock();
		nm_g->caller = priv->owner;
		err = nm_legacy_run(priv, cmd, &out, c);
		nmh_ctl_unlock();
		nmh_tmp_free(c);
	}
	/* On failure only the forced NUL is visible (13.3). */
	if (nmh_copy_to_user(uarg, err ? &nmr : &out, sizeof(nmr)) && !err)
		err = EFAULT;
	return -err;
}
