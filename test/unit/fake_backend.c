// SPDX-License-Identifier: BSD-2-Clause
/*
 * A fake of lib/backend.h for the libnetmap unit tests, in the style of
 * ethtool's test harness: every request the library sends is recorded
 * (header, body and a copy of each option), and answered with a canned
 * reply the test configures through `fake` (errno, option statuses,
 * region size, ring counts...).  A successful registration lays out a
 * real netmap_if and real rings in a heap "region" per mem_id, with
 * ring_ofs non-zero exactly for the bound rings (spec 3.3, 11.3), so the
 * library's ring range, mapping, inject and dispatch code runs unchanged.
 *
 * The first part of this file declares the fake's test interface.  Tests
 * get it with
 *	#define FAKE_BACKEND_DECLS_ONLY
 *	#include "fake_backend.c"
 * and link this file normally for the implementation.
 */
#ifndef FAKE_BACKEND_DECLS_ONLY
#define NETMAP_IMPL_WRITABLE	/* the fake plays the kernel: it writes rings */
#endif

#include <stddef.h>
#include <stdint.h>
#include <net/netmap.h>

#include "backend.h"
#include "libnetmap.h"

/* ------------------------------------------------------------------ */
/* Test interface                                                      */
/* ------------------------------------------------------------------ */

#define FAKE_MAX_LOG		32	/* requests remembered */
#define FAKE_MAX_OPTS		4	/* options copied per request */
#define FAKE_OPT_BYTES		128	/* bytes copied per option */
#define FAKE_REGION_SIZE	(4u << 20)	/* bytes of each fake region */
#define FAKE_BUF_POOL_OFS	(1u << 20)	/* buffer 0 of each region */

/* One option as the library sent it (header and body). */
struct fake_opt {
	uint32_t reqtype;
	uint64_t size;			/* nro_size */
	unsigned char bytes[FAKE_OPT_BYTES];
};

/* One request as the library sent it. */
struct fake_req {
	unsigned long cmd;		/* NIOCCTRL, NIOCREGIF, ... */
	int fd;
	struct nmreq_header hdr;	/* NIOCCTRL */
	unsigned char body[64];		/* NIOCCTRL body, by reqtype size */
	int nopts;
	struct fake_opt opts[FAKE_MAX_OPTS];
	struct nmreq legacy;		/* NIOCREGIF, NIOCGINFO */
};

/* The canned replies; fake_reset() restores the defaults noted. */
struct fake_config {
	int open_err;		/* nmb_open() fails with this errno */
	int ioctl_err;		/* NIOCCTRL/NIOCREGIF fail with this errno */
	int mmap_err;		/* nmb_mmap() fails with this errno */
	/* status written into options by type (0 = type default) */
	uint32_t opt_status[NETMAP_REQ_OPT_MAX + 1];
	enum nmb_kind kind;	/* NMB_USER */
	/* reply geometry; 0 = the request's value, else the default */
	uint16_t tx_rings, rx_rings;	/* default 1 */
	uint32_t tx_slots, rx_slots;	/* default 8 */
	uint16_t host_tx_rings, host_rx_rings;	/* reply; 0 = no host stack */
	uint32_t buf_size;		/* default 2048 */
	uint16_t mem_id;		/* default: requested id, else 1 */
	uint16_t info_mem_id;		/* PORT_INFO_GET reply, default 1 */
	uint64_t memsize;		/* reply nr_memsize, default region size */
	/* explicit bound rings: bit k = ring_ofs entry k of the direction */
	int use_masks;
	uint64_t tx_mask, rx_mask;
};

extern struct fake_config fake;
extern int fake_opens, fake_closes, fake_mmaps, fake_munmaps;
extern int fake_txsyncs, fake_rxsyncs;
extern size_t fake_last_mmap_size;

/* Forget everything (frees the regions); configuration back to defaults. */
void fake_reset(void);
/* Descriptors opened and not closed. */
int fake_open_fds(void);
/* Latest request with cmd (and, for NIOCCTRL, reqtype unless < 0); NULL if none. */
const struct fake_req *fake_last(unsigned long cmd, int reqtype);
/* Option of type t in a recorded request, or NULL. */
const void *fake_req_opt(const struct fake_req *r, uint32_t t);
/* Requests recorded since fake_reset(). */
int fake_nreqs(void);

/* A context that records the library's messages instead of printing them. */
extern char last_msg[1024];	/* the latest */
extern int nmsgs;		/* how many since clear_msgs() */
extern struct nmctx capture_ctx;	/* .error = capture_error */
void capture_error(struct nmctx *ctx, const char *msg);
void clear_msgs(void);

#ifndef FAKE_BACKEND_DECLS_ONLY

/* ------------------------------------------------------------------ */
/* Implementation                                                      */
/* ------------------------------------------------------------------ */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX_FDS		64
#define FAKE_FD_BASE		1000	/* far from real descriptors */
#define FAKE_MAX_REGIONS	8

struct fake_region {
	uint16_t mem_id;
	int user_memory;	/* EXTMEM: base belongs to the test */
	char *base;
	size_t used;		/* bump allocator for netmap_if and rings */
	uint32_t buf_size;
	uint32_t next_buf;	/* buffers 0 and 1 are reserved */
};

struct fake_fd {
	int open;
	struct fake_region *region;	/* set once bound */
};

struct fake_config fake;
int fake_opens, fake_closes, fake_mmaps, fake_munmaps;
int fake_txsyncs, fake_rxsyncs;
size_t fake_last_mmap_size;

static struct fake_fd fake_fds[FAKE_MAX_FDS];
static struct fake_region fake_regions[FAKE_MAX_REGIONS];
static struct fake_req fake_log[FAKE_MAX_LOG];
static int fake_nlog;

void fake_reset(void)
{
	int i;

	for (i = 0; i < FAKE_MAX_REGIONS; i++)
		if (!fake_regions[i].user_memory)
			free(fake_regions[i].base);
	memset(fake_regions, 0, sizeof(fake_regions));
	memset(fake_fds, 0, sizeof(fake_fds));
	memset(fake_log, 0, sizeof(fake_log));
	fake_nlog = 0;
	memset(&fake, 0, sizeof(fake));
	fake.kind = NMB_USER;
	fake_opens = fake_closes = fake_mmaps = fake_munmaps = 0;
	fake_txsyncs = fake_rxsyncs = 0;
	fake_last_mmap_size = 0;
}

int fake_open_fds(void)
{
	int i, n = 0;

	for (i = 0; i < FAKE_MAX_FDS; i++)
		n += fake_fds[i].open;
	return n;
}

int fake_nreqs(void)
{
	return fake_nlog;
}

const struct fake_req *fake_last(unsigned long cmd, int reqtype)
{
	int i;

	for (i = fake_nlog - 1; i >= 0 && i >= fake_nlog - FAKE_MAX_LOG; i--) {
		const struct fake_req *r = &fake_log[i % FAKE_MAX_LOG];

		if (r->cmd == cmd && (cmd != NIOCCTRL || reqtype < 0 ||
				      r->hdr.nr_reqtype == reqtype))
			return r;
	}
	return NULL;
}

const void *fake_req_opt(const struct fake_req *r, uint32_t t)
{
	int i;

	for (i = 0; r && i < r->nopts; i++)
		if (r->opts[i].reqtype == t)
			return r->opts[i].bytes;
	return NULL;
}

static struct fake_fd *fake_get(int fd)
{
	int i = fd - FAKE_FD_BASE;

	if (i < 0 || i >= FAKE_MAX_FDS || !fake_fds[i].open)
		return NULL;
	return &fake_fds[i];
}

/* ---- backend.h ---- */

int nmb_open(void)
{
	int i;

	if (fake.open_err)
		return -fake.open_err;
	for (i = 0; i < FAKE_MAX_FDS; i++) {
		if (!fake_fds[i].open) {
			fake_fds[i].open = 1;
			fake_fds[i].region = NULL;
			fake_opens++;
			return FAKE_FD_BASE + i;
		}
	}
	return -EMFILE;
}

enum nmb_kind nmb_kind_of(int fd)
{
	return fake_get(fd) ? fake.kind : NMB_KERNEL;
}

const char *nmb_kind_name(enum nmb_kind kind)
{
	return kind == NMB_USER ? "user" : "kernel";
}

/* The fake backend has no NIC ports: nothing to say about one. */
int nmb_nic_note(int fd, char *buf, size_t len)
{
	(void)fd;
	(void)buf;
	(void)len;
	return 0;
}

int nmb_close(int fd)
{
	struct fake_fd *f = fake_get(fd);

	if (f == NULL)
		return -EBADF;
	f->open = 0;
	f->region = NULL;
	fake_closes++;
	return 0;
}

void *nmb_mmap(int fd, size_t memsize, int *err)
{
	struct fake_fd *f = fake_get(fd);

	fake_last_mmap_size = memsize;
	if (f == NULL || f->region == NULL || memsize > FAKE_REGION_SIZE) {
		*err = f ? -EINVAL : -EBADF;
		return NULL;
	}
	if (fake.mmap_err) {
		*err = -fake.mmap_err;
		return NULL;
	}
	fake_mmaps++;
	return f->region->base;
}

int nmb_munmap(int fd, void *addr, size_t memsize)
{
	(void)fd;
	(void)addr;
	(void)memsize;
	fake_munmaps++;
	return 0;
}

/* ---- requests ---- */

static size_t fake_body_size(uint16_t reqtype)
{
	switch (reqtype) {
	case NETMAP_REQ_REGISTER:
		return sizeof(struct nmreq_register);
	case NETMAP_REQ_PORT_INFO_GET:
		return sizeof(struct nmreq_port_info_get);
	case NETMAP_REQ_POOLS_INFO_GET:
		return sizeof(struct nmreq_pools_info);
	default:
		return 0;
	}
}

static size_t fake_opt_size(const struct nmreq_option *o)
{
	switch (o->nro_reqtype) {
	case NETMAP_REQ_OPT_EXTMEM:
		return sizeof(struct nmreq_opt_extmem);
	case NETMAP_REQ_OPT_CSB:
		return sizeof(struct nmreq_opt_csb);
	case NETMAP_REQ_OPT_SYNC_KLOOP_MODE:
		return sizeof(struct nmreq_opt_sync_kloop_mode);
	case NETMAP_REQ_OPT_OFFSETS:
		return sizeof(struct nmreq_opt_offsets);
	default:
		return o->nro_size > sizeof(*o) ? o->nro_size : sizeof(*o);
	}
}

static struct fake_req *fake_record(unsigned long cmd, int fd)
{
	struct fake_req *r = &fake_log[fake_nlog++ % FAKE_MAX_LOG];

	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->fd = fd;
	return r;
}

/*
 * The region of mem_id, created if needed: in user memory for EXTMEM
 * (usr != NULL; the same user area finds the same region), else on the
 * heap.
 */
static struct fake_region *fake_region(uint16_t mem_id, uint32_t buf_size,
				       void *usr)
{
	int i;

	for (i = 0; i < FAKE_MAX_REGIONS; i++)
		if (fake_regions[i].base &&
		    (usr ? fake_regions[i].base == usr :
			   fake_regions[i].mem_id == mem_id))
			return &fake_regions[i];
	for (i = 0; i < FAKE_MAX_REGIONS; i++) {
		struct fake_region *r = &fake_regions[i];

		if (r->base)
			continue;
		r->user_memory = usr != NULL;
		r->base = usr ? usr : aligned_alloc(4096, FAKE_REGION_SIZE);
		if (r->base == NULL)
			return NULL;
		memset(r->base, 0, FAKE_REGION_SIZE);
		r->mem_id = usr ? (uint16_t)(100 + i) : mem_id;
		r->used = 0;
		r->buf_size = buf_size;
		r->next_buf = 2;
		return r;
	}
	return NULL;
}

/* Bump-allocate size bytes (128-aligned) in the if/ring area. */
static void *fake_alloc(struct fake_region *r, size_t size)
{
	size_t at = (r->used + 127) & ~(size_t)127;

	if (at + size > FAKE_BUF_POOL_OFS)
		return NULL;
	r->used = at + size;
	return r->base + at;
}

/* Kernel-side ring selection of one direction (spec 11.3): [*lo, *hi). */
static void fake_select(uint32_t mode, uint16_t ringid, int n, int h,
			int *lo, int *hi)
{
	switch (mode) {
	case NR_REG_SW:
		*lo = n;
		*hi = n + h;
		break;
	case NR_REG_NIC_SW:
		*lo = 0;
		*hi = n + h;
		break;
	case NR_REG_ONE_NIC:
		*lo = ringid < n ? ringid : 0;
		*hi = *lo + 1;
		break;
	case NR_REG_ONE_SW:
		*lo = n + (ringid < h ? ringid : 0);
		*hi = h ? *lo + 1 : *lo;
		break;
	default:	/* ALL_NIC, NULL */
		*lo = 0;
		*hi = n;
		break;
	}
}

struct fake_geom {
	uint16_t tx_rings, rx_rings, host_tx_rings, host_rx_rings;
	uint32_t tx_slots, rx_slots;
	uint16_t mem_id;
};

static void fake_geometry(struct fake_geom *g, uint16_t tx, uint16_t rx,
			  uint32_t txs, uint32_t rxs, uint16_t mem_id)
{
	g->tx_rings = fake.tx_rings ? fake.tx_rings : tx ? tx : 1;
	g->rx_rings = fake.rx_rings ? fake.rx_rings : rx ? rx : 1;
	g->tx_slots = fake.tx_slots ? fake.tx_slots : txs ? txs : 8;
	g->rx_slots = fake.rx_slots ? fake.rx_slots : rxs ? rxs : 8;
	g->host_tx_rings = fake.host_tx_rings;
	g->host_rx_rings = fake.host_rx_rings;
	g->mem_id = fake.mem_id ? fake.mem_id : mem_id ? mem_id : 1;
}

static struct netmap_ring *fake_ring(struct fake_region *r, uint32_t slots,
				     uint16_t ringid, int tx)
{
	struct netmap_ring *ring;
	uint32_t i;

	ring = fake_alloc(r, sizeof(*ring) + slots * sizeof(struct netmap_slot));
	if (ring == NULL)
		return NULL;
	ring->buf_ofs = (r->base + FAKE_BUF_POOL_OFS) - (char *)ring;
	ring->num_slots = slots;
	ring->nr_buf_size = r->buf_size;
	ring->ringid = ringid;
	ring->dir = tx ? 1 : 0;
	ring->tail = tx ? slots - 1 : 0;
	for (i = 0; i < slots; i++) {
		ring->slot[i].buf_idx = r->next_buf++;
		ring->slot[i].len = (uint16_t)r->buf_size;
	}
	return ring;
}

/*
 * Bind fd: build the netmap_if and the selected rings in the region of
 * g->mem_id.  Returns 0 and the offset of the netmap_if, or -errno.
 */
static int fake_bind(struct fake_fd *f, const char *name, struct fake_geom *g,
		     uint32_t mode, uint16_t ringid, uint64_t flags, void *usr,
		     uint64_t *offset)
{
	int ht = g->host_tx_rings ? g->host_tx_rings : 1;
	int hr = g->host_rx_rings ? g->host_rx_rings : 1;
	int ntx = g->tx_rings + ht, n = ntx + g->rx_rings + hr;
	uint32_t buf_size = fake.buf_size ? fake.buf_size : 2048;
	struct fake_region *r;
	struct netmap_if *nifp;
	int d, k, lo, hi;

	if (f->region)
		return -EBUSY;
	if (mode == NR_REG_DEFAULT || mode == NR_REG_PIPE_MASTER ||
	    mode == NR_REG_PIPE_SLAVE || mode > NR_REG_ONE_SW)
		return -EINVAL;
	r = fake_region(g->mem_id, buf_size, usr);
	if (r == NULL)
		return -ENOMEM;
	g->mem_id = r->mem_id;
	nifp = fake_alloc(r, sizeof(*nifp) + (size_t)n * sizeof(ssize_t));
	if (nifp == NULL)
		return -ENOMEM;
	strncpy(nifp->ni_name, name, sizeof(nifp->ni_name) - 1);
	nifp->ni_flags = g->mem_id == 1 ? 0 : NI_PRIV_MEM;
	nifp->ni_tx_rings = g->tx_rings;
	nifp->ni_rx_rings = g->rx_rings;
	nifp->ni_host_tx_rings = (uint32_t)ht;
	nifp->ni_host_rx_rings = (uint32_t)hr;

	for (d = 0; d < 2; d++) {
		int tx = d == 0, nhw = tx ? g->tx_rings : g->rx_rings;
		int nhost = tx ? g->host_tx_rings : g->host_rx_rings;
		int total = nhw + (tx ? ht : hr), base = tx ? 0 : ntx;
		uint64_t mask = tx ? fake.tx_mask : fake.rx_mask;

		fake_select(mode, ringid, nhw, nhost, &lo, &hi);
		if ((tx && (flags & NR_RX_RINGS_ONLY)) ||
		    (!tx && (flags & NR_TX_RINGS_ONLY)))
			lo = hi = 0;
		for (k = 0; k < total; k++) {
			struct netmap_ring *ring;
			int bound = fake.use_masks ? !!(mask & (1ull << k)) :
						     (k >= lo && k < hi);

			if (!bound)
				continue;
			ring = fake_ring(r, tx ? g->tx_slots : g->rx_slots,
					 (uint16_t)k, tx);
			if (ring == NULL)
				return -ENOMEM;
			nifp->ring_ofs[base + k] = (char *)ring - (char *)nifp;
		}
	}
	f->region = r;
	*offset = (uint64_t)((char *)nifp - r->base);
	return 0;
}

static int fake_ctrl(struct fake_fd *f, struct fake_req *rec,
		     struct nmreq_header *hdr)
{
	size_t bsize = fake_body_size(hdr->nr_reqtype);
	struct nmreq_option *o;
	int i, failed = 0;

	rec->hdr = *hdr;
	if (bsize && hdr->nr_body)
		memcpy(rec->body, (void *)(uintptr_t)hdr->nr_body, bsize);
	/* every option's header is written back, as the kernel does */
	for (o = (struct nmreq_option *)(uintptr_t)hdr->nr_options, i = 0;
	     o != NULL && i < 64;
	     o = (struct nmreq_option *)(uintptr_t)o->nro_next, i++) {
		uint32_t t = o->nro_reqtype;
		uint32_t st = t <= NETMAP_REQ_OPT_MAX ? fake.opt_status[t] : 0;

		if (st == 0 && t != NETMAP_REQ_OPT_EXTMEM &&
		    t != NETMAP_REQ_OPT_OFFSETS)
			st = EOPNOTSUPP;
		if (rec->nopts < FAKE_MAX_OPTS) {
			struct fake_opt *c = &rec->opts[rec->nopts++];
			size_t n = fake_opt_size(o);

			c->reqtype = t;
			c->size = o->nro_size;
			memcpy(c->bytes, o, n < FAKE_OPT_BYTES ? n : FAKE_OPT_BYTES);
		}
		o->nro_status = st;
		if (st && !failed)
			failed = (int)st;
	}
	if (fake.ioctl_err)
		return -fake.ioctl_err;
	if (failed)
		return -failed;

	switch (hdr->nr_reqtype) {
	case NETMAP_REQ_REGISTER: {
		struct nmreq_register *reg = (void *)(uintptr_t)hdr->nr_body;
		struct nmreq_opt_extmem *x = NULL;
		void *usr = NULL;
		struct fake_geom g;
		uint64_t ofs;
		int ret;

		for (o = (struct nmreq_option *)(uintptr_t)hdr->nr_options; o;
		     o = (struct nmreq_option *)(uintptr_t)o->nro_next)
			if (o->nro_reqtype == NETMAP_REQ_OPT_EXTMEM)
				x = (struct nmreq_opt_extmem *)o;
		if (x) {
			/* offsets are relative to the user memory (spec 23.6) */
			if (x->nro_info.nr_memsize < FAKE_REGION_SIZE)
				return -ENOMEM;
			usr = (void *)(uintptr_t)x->nro_usrptr;
		}
		fake_geometry(&g, reg->nr_tx_rings, reg->nr_rx_rings,
			      reg->nr_tx_slots, reg->nr_rx_slots, reg->nr_mem_id);
		ret = fake_bind(f, hdr->nr_name, &g, reg->nr_mode,
				reg->nr_ringid, reg->nr_flags, usr, &ofs);
		if (ret)
			return ret;
		reg->nr_offset = ofs;
		reg->nr_memsize = fake.memsize ? fake.memsize : FAKE_REGION_SIZE;
		reg->nr_tx_rings = g.tx_rings;
		reg->nr_rx_rings = g.rx_rings;
		reg->nr_tx_slots = g.tx_slots;
		reg->nr_rx_slots = g.rx_slots;
		reg->nr_host_tx_rings = g.host_tx_rings;
		reg->nr_host_rx_rings = g.host_rx_rings;
		reg->nr_mem_id = g.mem_id;
		reg->nr_extra_bufs = 0;
		return 0;
	}
	case NETMAP_REQ_PORT_INFO_GET: {
		struct nmreq_port_info_get *pi = (void *)(uintptr_t)hdr->nr_body;
		struct fake_geom g;

		fake_geometry(&g, pi->nr_tx_rings, pi->nr_rx_rings,
			      pi->nr_tx_slots, pi->nr_rx_slots, 0);
		pi->nr_memsize = fake.memsize ? fake.memsize : FAKE_REGION_SIZE;
		pi->nr_tx_rings = g.tx_rings;
		pi->nr_rx_rings = g.rx_rings;
		pi->nr_tx_slots = g.tx_slots;
		pi->nr_rx_slots = g.rx_slots;
		pi->nr_host_tx_rings = g.host_tx_rings;
		pi->nr_host_rx_rings = g.host_rx_rings;
		pi->nr_mem_id = fake.info_mem_id ? fake.info_mem_id : 1;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/* Legacy registration, translated as the kernel does (spec 13.3). */
static int fake_regif(struct fake_fd *f, struct fake_req *rec, struct nmreq *req)
{
	uint32_t mode = req->nr_flags & NR_REG_MASK;
	uint16_t ringid = req->nr_ringid & NETMAP_RING_MASK;
	struct fake_geom g;
	uint64_t ofs;
	int ret;

	rec->legacy = *req;
	if (fake.ioctl_err)
		return -fake.ioctl_err;
	if (req->nr_version < NETMAP_API || req->nr_cmd != 0)
		return -EINVAL;
	if (mode == NR_REG_DEFAULT)
		mode = (req->nr_ringid & NETMAP_SW_RING) ? NR_REG_SW :
		       (req->nr_ringid & NETMAP_HW_RING) ? NR_REG_ONE_NIC :
		       NR_REG_ALL_NIC;
	if (mode == NR_REG_PIPE_MASTER || mode == NR_REG_PIPE_SLAVE) {
		mode = NR_REG_ALL_NIC;
		ringid = 0;
	}
	fake_geometry(&g, req->nr_tx_rings, req->nr_rx_rings, req->nr_tx_slots,
		      req->nr_rx_slots, req->nr_arg2);
	ret = fake_bind(f, req->nr_name, &g, mode, ringid,
			req->nr_flags & ~(uint32_t)NR_REG_MASK, NULL, &ofs);
	if (ret)
		return ret;
	req->nr_offset = (uint32_t)ofs;
	req->nr_memsize = (uint32_t)(fake.memsize ? fake.memsize : FAKE_REGION_SIZE);
	req->nr_tx_rings = g.tx_rings;
	req->nr_rx_rings = g.rx_rings;
	req->nr_tx_slots = g.tx_slots;
	req->nr_rx_slots = g.rx_slots;
	req->nr_arg2 = g.mem_id;
	req->nr_arg3 = 0;
	return 0;
}

int nmb_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct fake_fd *f = fake_get(fd);

	if (f == NULL)
		return -EBADF;
	switch (cmd) {
	case NIOCCTRL:
		return fake_ctrl(f, fake_record(cmd, fd), arg);
	case NIOCREGIF:
		return fake_regif(f, fake_record(cmd, fd), arg);
	case NIOCTXSYNC:
		fake_txsyncs++;
		return f->region ? 0 : -ENXIO;
	case NIOCRXSYNC:
		fake_rxsyncs++;
		return f->region ? 0 : -ENXIO;
	default:
		return -EOPNOTSUPP;
	}
}

/* ------------------------------------------------------------------ */
/* The message-capturing context                                       */
/* ------------------------------------------------------------------ */

char last_msg[1024];
int nmsgs;

void capture_error(struct nmctx *ctx, const char *msg)
{
	(void)ctx;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	nmsgs++;
}

struct nmctx capture_ctx = { .error = capture_error };

void clear_msgs(void)
{
	last_msg[0] = '\0';
	nmsgs = 0;
}

#endif /* !FAKE_BACKEND_DECLS_ONLY */
