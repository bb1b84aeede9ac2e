// SPDX-License-Identifier: BSD-2-Clause
/*
 * Memory regions: three pools (netmap_if, rings, buffers) back to back in
 * one contiguous area that user space maps (spec sections 3 and 23).
 *
 * The geometry arithmetic (64-byte objects, clusters that are a whole
 * number of pages and at most 4 MiB) decides sizes users can observe, so
 * it follows the spec exactly.  Buffers 0 and 1 are reserved; objects are
 * handed out lowest index first.
 */
#include "nm_core.h"

struct nm_core *nm_g;

/* Ranges of 23.2: object size, then global and private count ranges. */
static const struct {
	uint32_t min_size, max_size;
	uint32_t min_num[2], max_num[2];	/* [global, private] */
} nm_pool_limits[NM_POOLS] = {
	[NM_IF_POOL] = { 56, 4096, { 10, 1 }, { 10000, 100 } },
	[NM_RING_POOL] = { 256, 131072, { 2, 2 }, { 1024, 1024 } },
	[NM_BUF_POOL] = { 64, 65536, { 4, 4 }, { 1000000, 1000000 } },
};

void nm_params_defaults(struct nm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->global[NM_IF_POOL] = (struct nm_pool_params){ 1024, 100 };
	p->global[NM_RING_POOL] = (struct nm_pool_params){ 9 * 4096, 200 };
	p->global[NM_BUF_POOL] = (struct nm_pool_params){ 2048, 163840 };
	p->priv[NM_IF_POOL] = (struct nm_pool_params){ 1024, 2 };
	p->priv[NM_RING_POOL] = (struct nm_pool_params){ 5 * 4096, 4 };
	p->priv[NM_BUF_POOL] = (struct nm_pool_params){ 2048, 4098 };
	p->bridge_batch = NM_BDG_BATCH_MAX;
	p->max_bridges = NM_MAX_BRIDGES_DEFAULT;
	p->generic_ringsize = 1024;
}

void nm_core_init(struct nm_core *g)
{
	memset(g, 0, sizeof(*g));
	nm_params_defaults(&g->params);
}

size_t nm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static uint32_t nm_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Compute a pool's geometry from its parameters.  Returns 0 or -EINVAL
 * when the values are out of range or no cluster fits in 4 MiB.
 */
int nm_mem_pool_geometry(const struct nm_pool_params *p, enum nm_pool_id id,
			 int priv, struct nm_pool *out)
{
	uint32_t size = (p->size + NM_OBJ_ALIGN - 1) & ~(NM_OBJ_ALIGN - 1);
	uint32_t k, num = p->num;

	if (size < nm_pool_limits[id].min_size ||
	    size > nm_pool_limits[id].max_size)
		return -EINVAL;
	if (num < nm_pool_limits[id].min_num[priv] ||
	    num > nm_pool_limits[id].max_num[priv])
		return -EINVAL;
	/* Smallest k with k * size a multiple of the page size. */
	k = NM_PAGE_SIZE / nm_gcd(size, NM_PAGE_SIZE);
	if ((uint64_t)k * size > NM_MAX_CLUSTER)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->objsize = size;
	out->clustentries = k;
	out->objtotal = (num + k - 1) / k * k;
	out->memsize = (uint64_t)out->objtotal * size;
	return 0;
}

uint64_t nm_mem_size_of(const struct nm_pool_params *p, int priv, int *err)
{
	struct nm_pool pool;
	uint64_t total = 0;
	int i;

	for (i = 0; i < NM_POOLS; i++) {
		*err = nm_mem_pool_geometry(&p[i], i, priv, &pool);
		if (*err)
			return 0;
		total += pool.memsize;
	}
	return (total + NM_PAGE_SIZE - 1) & ~(uint64_t)(NM_PAGE_SIZE - 1);
}

/* ---------------------------------------------------------------- */

/* A new id after the most recent one, skipping ids in use (23.1). */
static uint16_t nm_mem_new_id(void)
{
	uint16_t id = nm_g->last_mem_id;
	int tries;

	for (tries = 0; tries < 65535; tries++) {
		id = id == 65535 ? 2 : id + 1;
		/* Id 1 is the global region's, even before it exists. */
		if (id >= 2 && !nm_mem_find(id)) {
			nm_g->last_mem_id = id;
			return id;
		}
	}
	return 0;
}

/* Region 1, the global one, exists from the start (23.1). */
struct nm_mem *nm_mem_find(uint16_t id)
{
	struct nm_mem *m;

	for (m = nm_g->mem_list; m; m = m->next)
		if (m->id == id)
			return m;
	return id == 1 ? nm_mem_global() : NULL;
}

static struct nm_mem *nm_mem_new(const struct nm_pool_params *params,
				 int global, int *err)
{
	struct nm_mem *m = nmh_zalloc(sizeof(*m));

	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(m->params, params, sizeof(m->params));
	m->global = global;
	m->owner = nm_g->caller;
	m->id = global ? 1 : nm_mem_new_id();
	if (!m->id) {
		nmh_free(m);
		*err = -ENOMEM;
		return NULL;
	}
	nmh_lock_init(&m->lock);
	m->next = nm_g->mem_list;
	nm_g->mem_list = m;
	*err = 0;
	return m;
}

/* The global region (id 1) exists from the first call on. */
struct nm_mem *nm_mem_global(void)
{
	struct nm_mem *m;
	int err;

	for (m = nm_g->mem_list; m; m = m->next)
		if (m->global)
			return m;
	return nm_mem_new(nm_g->params.global, 1, &err);
}

/*
 * Unlink before freeing, and (nm_mem_finalize) link only when complete:
 * a host context may die between any two stores (nm_recover), and a
 * region must then be either whole or absent, never freed but in use.
 */
static void nm_mem_release_memory(struct nm_mem *m)
{
	char *base = m->base;
	int i;

	m->base = NULL;
	if (base && m->ext)
		nmh_ext_unmap(&m->ext_mem, base, m->memsize);
	else if (base)
		nmh_region_free(base, m->memsize);
	for (i = 0; i < NM_POOLS; i++) {
		uint32_t *bitmap = m->pools[i].bitmap;

		m->pools[i].bitmap = NULL;
		nmh_free(bitmap);
	}
}

/* Mark every object free except the reserved buffers 0 and 1. */
static void nm_mem_reset_pools(struct nm_mem *m)
{
	int i;

	for (i = 0; i < NM_POOLS; i++) {
		struct nm_pool *p = &m->pools[i];
		uint32_t words = (p->objtotal + 31) / 32, j;

		for (j = 0; j < words; j++)
			p->bitmap[j] = ~0u;
		if (p->objtotal % 32)
			p->bitmap[words - 1] = (1u << (p->objtotal % 32)) - 1;
		p->objfree = p->objtotal;
		p->first_free = 0;
		if (i == NM_BUF_POOL) {
			p->bitmap[0] &= ~3u;
			p->objfree -= 2;
		}
	}
}

/*
 * Allocate the region memory ("finalize") if it is not allocated yet.  A
 * global region whose parameters changed while it was unused is rebuilt
 * with the new values (23.2).
 */
int nm_mem_finalize(struct nm_mem *m)
{
	struct nm_pool pools[NM_POOLS];
	uint64_t ofs = 0;
	char *base;
	int i, err;

	if (m->global && !m->active &&
	    memcmp(m->params, nm_g->params.global, sizeof(m->params))) {
		/* Deferred parameter change takes effect now. */
		nm_mem_release_memory(m);
		memcpy(m->params, nm_g->params.global, sizeof(m->params));
	}
	if (m->base || m->ext)
		return m->base ? 0 : -ENOMEM;
	for (i = 0; i < NM_POOLS; i++) {
		err = nm_mem_pool_geometry(&m->params[i], i, !m->global,
					   &pools[i]);
		if (err)
			return err;
		pools[i].offset = ofs;
		ofs += pools[i].memsize;
	}
	m->memsize = (ofs + NM_PAGE_SIZE - 1) & ~(uint64_t)(NM_PAGE_SIZE - 1);
	for (i = 0; i < NM_POOLS; i++) {
		pools[i].bitmap = nmh_zalloc((pools[i].objtotal + 31) / 32 * 4);
		if (!pools[i].bitmap) {
			while (--i >= 0)
				nmh_free(pools[i].bitmap);
			return -ENOMEM;
		}
	}
	base = nmh_region_alloc(m->memsize);
	if (!base) {
		for (i = 0; i < NM_POOLS; i++)
			nmh_free(pools[i].bitmap);
		return -ENOMEM;
	}
	memcpy(m->pools, pools, sizeof(pools));
	nm_mem_reset_pools(m);
	/* Last: a region with a base is whole. */
	nm_store_release(&m->base, base);
	return 0;
}

/* Raise a pool parameter to v, within the limits of 23.2. */
static void nm_mem_at_least(struct nm_pool_params *p, enum nm_pool_id id,
			    int size, uint64_t v)
{
	uint32_t max = size ? nm_pool_limits[id].max_size :
			      nm_pool_limits[id].max_num[1];
	uint32_t *f = size ? &p[id].size : &p[id].num;

	if (v > max)
		v = max;
	if (*f < v)
		*f = (uint32_t)v;
}

/* Pipes accounted in every private region (15.2: upstream's formula). */
#define NM_SPEC_PIPES 2

/*
 * A private region sized for a new port (15.2): the private defaults are
 * minimums, enlarged to fit the port's rings, the 2 pipes of the spec's
 * formula and the extra buffers, then the pipes of n (an auto-created
 * pipe parent: the 64 pipes of 16, with the rings of the pipe that
 * creates it), and one netmap_if per ring (a program may bind each ring
 * with a descriptor of its own, as pkt-gen -p does).  Pools are capped
 * at the limits of 23.2; regions cost what their objects use (the host
 * backs objects as they are handed out), so generous counts are cheap.
 */
struct nm_mem *nm_mem_private_new(const struct nm_mem_needs *n, int *err)
{
	struct nm_pool_params p[NM_POOLS];
	uint64_t t = n->txr + 1, r = n->rxr + 1, sp = NM_SPEC_PIPES;
	uint64_t prings = (uint64_t)n->pipe_txr + n->pipe_rxr;
	uint32_t d = n->txd > n->rxd ? n->txd : n->rxd;
	struct nm_mem *m;

	if (n->npipes) {
		d = n->pipe_txd > d ? n->pipe_txd : d;
		d = n->pipe_rxd > d ? n->pipe_rxd : d;
	}
	memcpy(p, nm_g->params.priv, sizeof(p));
	nm_mem_at_least(p, NM_IF_POOL, 1, 56 + 8 * (t + r));
	if (n->npipes)	/* a pipe end's netmap_if: its rings, a fake host ring each way */
		nm_mem_at_least(p, NM_IF_POOL, 1, 56 + 8 * (prings + 2));
	nm_mem_at_least(p, NM_IF_POOL, 0, 2 + 4 * sp + t + r +
			(uint64_t)n->npipes * (2 + prings));
	nm_mem_at_least(p, NM_RING_POOL, 1, 256 + 16 * (uint64_t)d);
	/* each pipe has two rings per ring of either end */
	nm_mem_at_least(p, NM_RING_POOL, 0, t + r + 8 * sp +
			(uint64_t)n->npipes * 2 * prings);
	/* the TX rings of both ends own the buffers of a pipe */
	nm_mem_at_least(p, NM_BUF_POOL, 0,
			(4 * sp + r) * n->rxd + (4 * sp + t) * n->txd + 2 +
			n->extra_bufs + (uint64_t)n->npipes *
			((uint64_t)n->pipe_txr * n->pipe_txd +
			 (uint64_t)n->pipe_rxr * n->pipe_rxd));
	m = nm_mem_new(p, 0, err);
	if (m)
		nm_strlcpy(m->creator, n->name, sizeof(m->creator));
	return m;
}

void nm_mem_pool_full(const struct nm_mem *m, enum nm_pool_id id,
		      const struct nm_adapter *na, uint64_t need)
{
	static const char *const what[NM_POOLS] = {
		[NM_IF_POOL] = "netmap_if", [NM_RING_POOL] = "ring",
		[NM_BUF_POOL] = "buffer",
	};
	if (need > m->pools[id].objsize) {
		nmh_error_detail("the %s objects of memory region %u have %u "
				 "bytes; %s needs %llu", what[id], m->id,
				 m->pools[id].objsize, na->name,
				 (unsigned long long)need);
		return;
	}
	if (m->pools[id].objfree)
		return;	/* the host could not back one: it said why */
	nmh_error_detail("memory region %u has no free %s object for %s: "
			 "its %u were sized when %s was created%s",
			 m->id, what[id], na->name, m->pools[id].objtotal,
			 m->global ? "the global region" : m->creator,
			 m->global ? "" : "; give that port more rings or "
			 "slots when it is created, or use fewer pipes, rings "
			 "or slots here");
}

/*
 * May the caller of the current request bind a port of region m, create
 * one in it, or map it?  A region's buffers carry its users' traffic, so
 * only the identity that created it (the kernel: the opener's uid) may,
 * unless the shared_regions parameter says any opener may (netmap's own
 * rule).  The global region is shared by design: every NIC is in it.
 */
int nm_mem_may_use(const struct nm_mem *m)
{
	return m->global || nm_g->params.shared_regions ||
	       m->owner == nm_g->caller;
}

/* ---------------------------------------------------------------- */
/* User memory (EXTMEM, 23.6)                                       */
/* ---------------------------------------------------------------- */

/*
 * The pools of an EXTMEM region from the option (0: the private default
 * of 23.2), laid out from the start of the area, each on a page
 * boundary, with the area left over turned into more buffers.  Objects
 * are not rounded to clusters: the area is the user's.  Returns 0,
 * -EINVAL for sizes or counts out of range, -ENOMEM when they do not fit.
 */
static int nm_mem_ext_layout(struct nmreq_pools_info *pi, uint64_t size,
			     struct nm_pool_params p[NM_POOLS],
			     struct nm_pool pools[NM_POOLS])
{
	uint32_t *objsize[NM_POOLS] = { &pi->nr_if_pool_objsize,
		&pi->nr_ring_pool_objsize, &pi->nr_buf_pool_objsize };
	uint32_t *objtotal[NM_POOLS] = { &pi->nr_if_pool_objtotal,
		&pi->nr_ring_pool_objtotal, &pi->nr_buf_pool_objtotal };
	uint64_t ofs = 0;
	int i;

	for (i = 0; i < NM_POOLS; i++) {
		struct nm_pool *q = &pools[i];
		uint32_t sz;

		p[i].size = *objsize[i] ? *objsize[i] : nm_g->params.priv[i].size;
		p[i].num = *objtotal[i] ? *objtotal[i] : nm_g->params.priv[i].num;
		sz = (p[i].size + NM_OBJ_ALIGN - 1) & ~(NM_OBJ_ALIGN - 1);
		if (p[i].size > nm_pool_limits[i].max_size ||
		    sz < nm_pool_limits[i].min_size ||
		    sz > nm_pool_limits[i].max_size ||
		    p[i].num < nm_pool_limits[i].min_num[1] ||
		    p[i].num > nm_pool_limits[i].max_num[1])
			return -EINVAL;
		memset(q, 0, sizeof(*q));
		q->objsize = sz;
		q->objtotal = p[i].num;
		q->clustentries = 1;
		q->memsize = (uint64_t)q->objtotal * sz;
		q->offset = ofs;
		ofs += (q->memsize + NM_PAGE_SIZE - 1) &
		       ~(uint64_t)(NM_PAGE_SIZE - 1);
	}
	if (ofs > size || pools[NM_BUF_POOL].offset +
			  pools[NM_BUF_POOL].memsize > size)
		return -ENOMEM;
	/* The rest of the area: more buffers (23.6). */
	{
		struct nm_pool *b = &pools[NM_BUF_POOL];
		uint64_t more = (size - b->offset - b->memsize) / b->objsize;

		if (b->objtotal + more > 0xffffffffull)
			more = 0xffffffffull - b->objtotal;
		b->objtotal += (uint32_t)more;
		b->memsize = (uint64_t)b->objtotal * b->objsize;
	}
	/* The option comes back with the defaults that were applied. */
	for (i = 0; i < NM_POOLS; i++) {
		*objsize[i] = pools[i].objsize;
		*objtotal[i] = p[i].num;
	}
	return 0;
}

/*
 * The region of an EXTMEM option: a new one on the caller's memory, or
 * the region already built on the same memory.  On success the caller
 * holds a reference.
 */
int nm_mem_ext_get(struct nmreq_opt_extmem *opt, struct nm_mem **out)
{
	struct nmreq_pools_info *pi = &opt->nro_info;
	struct nm_pool_params p[NM_POOLS];
	struct nm_pool pools[NM_POOLS];
	struct nmh_ext_mem h;
	struct nm_mem *m;
	void *base;
	int err, i;

	*out = NULL;
	if (!opt->nro_usrptr || (opt->nro_usrptr & (NM_PAGE_SIZE - 1)) ||
	    !pi->nr_memsize || (pi->nr_memsize & (NM_PAGE_SIZE - 1)))
		return -EINVAL;
	err = nm_mem_ext_layout(pi, pi->nr_memsize, p, pools);
	if (err)
		return err;
	memset(&h, 0, sizeof(h));
	err = nmh_ext_map(opt->nro_usrptr, pi->nr_memsize, &h, &base);
	if (err)
		return err;
	for (m = nm_g->mem_list; m; m = m->next) {
		if (m->ext && m->base && nmh_ext_same(&m->ext_mem, &h)) {
			nmh_ext_unmap(&h, base, pi->nr_memsize);
			/* memory both can reach: still only its creator's region */
			if (!nm_mem_may_use(m))
				return -EPERM;
			pi->nr_memsize = m->memsize;
			nm_mem_get(m);
			*out = m;
			return 0;
		}
	}
	m = nmh_zalloc(sizeof(*m));
	if (m)
		m->id = nm_mem_new_id();
	if (!m || !m->id) {
		nmh_free(m);
		nmh_ext_unmap(&h, base, pi->nr_memsize);
		return -ENOMEM;
	}
	for (i = 0; i < NM_POOLS; i++) {
		pools[i].bitmap = nmh_zalloc((pools[i].objtotal + 31) / 32 * 4);
		if (!pools[i].bitmap) {
			while (--i >= 0)
				nmh_free(pools[i].bitmap);
			nmh_free(m);
			nmh_ext_unmap(&h, base, pi->nr_memsize);
			return -ENOMEM;
		}
	}
	/* the user's memory is there already: nothing to back (host) */
	for (i = 0; i < NM_POOLS; i++)
		pools[i].backed = pools[i].objtotal;
	memcpy(m->params, p, sizeof(m->params));
	memcpy(m->pools, pools, sizeof(pools));
	m->ext = 1;
	m->ext_mem = h;
	m->owner = nm_g->caller;
	m->memsize = pi->nr_memsize;
	nmh_lock_init(&m->lock);
	nm_mem_reset_pools(m);
	m->base = base;
	m->refcount = 1;
	/* Last: a listed region is whole (see nm_mem_release_memory). */
	m->next = nm_g->mem_list;
	nm_store_release(&nm_g->mem_list, m);
	*out = m;
	return 0;
}

void nm_mem_get(struct nm_mem *m)
{
	m->refcount++;
}

/* Drop a reference; private regions are freed with their last holder. */
void nm_mem_put(struct nm_mem *m)
{
	struct nm_mem **pp;

	if (--m->refcount > 0 || m->global)
		return;
	for (pp = &nm_g->mem_list; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	nm_mem_release_memory(m);
	nmh_free(m);
}

void nm_core_fini(void)
{
	struct nm_mem *m;

	while ((m = nm_g->mem_list) != NULL) {
		nm_g->mem_list = m->next;
		nm_mem_release_memory(m);
		nmh_free(m);
	}
}

/* When the last binding leaves, leaked objects are reclaimed (23.2). */
void nm_mem_reset_if_idle(struct nm_mem *m)
{
	if (m->active == 0 && m->base)
		nm_mem_reset_pools(m);
}

/* ---------------------------------------------------------------- */

/* Objects backed at a time (nmh_region_back): 256 buffers are 512 KiB. */
#define NM_BACK_CHUNK 256

/*
 * Have the host back object idx (and the chunk it starts) with memory.
 * Objects are handed out lowest index first, so what is backed is a
 * prefix of the pool: a region costs what its rings and buffers use,
 * not its size.  Called with m->lock.
 */
static int nm_pool_back(struct nm_mem *m, struct nm_pool *p, uint32_t idx)
{
	uint32_t upto;

	if (idx < p->backed)
		return 0;
	upto = (idx + NM_BACK_CHUNK) / NM_BACK_CHUNK * NM_BACK_CHUNK;
	if (upto > p->objtotal)
		upto = p->objtotal;
	if (nmh_region_back(m->base, p->offset + (uint64_t)p->backed * p->objsize,
			    (uint64_t)(upto - p->backed) * p->objsize))
		return -ENOMEM;
	p->backed = upto;
	return 0;
}

/*
 * Lowest free object first.  The scan starts at first_free, below which
 * every word is full: without it, taking the 524,288 extra buffers one
 * request may ask for rescanned the bitmap from 0 for each (quadratic:
 * seconds with the control lock held; the fuzzer timed out there).
 */
static uint32_t nm_pool_alloc(struct nm_mem *m, struct nm_pool *p)
{
	uint32_t words = (p->objtotal + 31) / 32, i, idx = 0;
	int found = 0;

	nmh_lock(&m->lock);
	for (i = p->first_free; i < words; i++) {
		uint32_t w = p->bitmap[i];

		if (w) {
			uint32_t bit = __builtin_ctz(w);

			idx = i * 32 + bit;
			if (nm_pool_back(m, p, idx))
				break;
			p->bitmap[i] &= ~(1u << bit);
			p->objfree--;
			found = 1;
			break;
		}
	}
	p->first_free = i;
	nmh_unlock(&m->lock);
	return found ? idx : 0xffffffffu;
}

static void nm_pool_free(struct nm_mem *m, struct nm_pool *p, uint32_t idx)
{
	if (idx >= p->objtotal)
		return;
	nmh_lock(&m->lock);
	if (!(p->bitmap[idx / 32] & (1u << (idx % 32)))) {
		/* The hint first: a runtime process may die in between. */
		if (idx / 32 < p->first_free)
			p->first_free = idx / 32;
		p->bitmap[idx / 32] |= 1u << (idx % 32);
		p->objfree++;
	}
	nmh_unlock(&m->lock);
}

/* Returns a buffer index >= 2, or 0 when the pool is exhausted. */
uint32_t nm_mem_buf_alloc(struct nm_mem *m)
{
	uint32_t idx = nm_pool_alloc(m, &m->pools[NM_BUF_POOL]);

	return idx == 0xffffffffu ? 0 : idx;
}

void nm_mem_buf_free(struct nm_mem *m, uint32_t idx)
{
	if (idx < 2)
		return;
	nm_pool_free(m, &m->pools[NM_BUF_POOL], idx);
}

static void *nm_obj_addr(struct nm_mem *m, enum nm_pool_id id, uint32_t idx)
{
	struct nm_pool *p = &m->pools[id];

	return m->base + p->offset + (uint64_t)idx * p->objsize;
}

static uint32_t nm_obj_index(struct nm_mem *m, enum nm_pool_id id,
			     const void *obj)
{
	struct nm_pool *p = &m->pools[id];
	uint64_t ofs = nm_mem_ofs(m, obj) - p->offset;

	return (uint32_t)(ofs / p->objsize);
}

void *nm_mem_if_alloc(struct nm_mem *m, size_t size)
{
	uint32_t idx;
	void *p;

	if (size > m->pools[NM_IF_POOL].objsize)
		return NULL;
	idx = nm_pool_alloc(m, &m->pools[NM_IF_POOL]);
	if (idx == 0xffffffffu)
		return NULL;
	p = nm_obj_addr(m, NM_IF_POOL, idx);
	memset(p, 0, m->pools[NM_IF_POOL].objsize);
	return p;
}

void nm_mem_if_free(struct nm_mem *m, void *nifp)
{
	nm_pool_free(m, &m->pools[NM_IF_POOL],
		     nm_obj_index(m, NM_IF_POOL, nifp));
}

/* A ring object with its header zeroed; slots are set by the caller. */
struct netmap_ring *nm_mem_ring_alloc(struct nm_mem *m, uint32_t nslots)
{
	uint64_t need = sizeof(struct netmap_ring) +
			(uint64_t)nslots * sizeof(struct netmap_slot);
	uint32_t idx;
	struct netmap_ring *ring;

	if (need > m->pools[NM_RING_POOL].objsize)
		return NULL;
	idx = nm_pool_alloc(m, &m->pools[NM_RING_POOL]);
	if (idx == 0xffffffffu)
		return NULL;
	ring = nm_obj_addr(m, NM_RING_POOL, idx);
	memset(ring, 0, sizeof(*ring));
	return ring;
}

void nm_mem_ring_free(struct nm_mem *m, struct netmap_ring *ring)
{
	nm_pool_free(m, &m->pools[NM_RING_POOL],
		     nm_obj_index(m, NM_RING_POOL, ring));
}

/*
 * Extra buffers (section 20): a list linked through the first word of
 * each buffer, 0-terminated.  Returns how many were granted.
 */
uint32_t nm_mem_extra_bufs_alloc(struct nm_mem *m, uint32_t *head,
				 uint32_t n)
{
	uint32_t i, idx, granted = 0;

	*head = 0;
	for (i = 0; i < n; i++) {
		idx = nm_mem_buf_alloc(m);
		if (!idx)
			break;
		*(uint32_t *)nm_mem_buf(m, idx) = *head;
		*head = idx;
		granted++;
	}
	return granted;
}

/*
 * Call fn for each buffer of the extra-buffer list of binding p (at most
 * as many as it was granted; user space wrote the links, so an index out
 * of the pool ends the walk).
 */
static void nm_extra_walk(const struct nm_mem *m, const struct nm_priv *p,
			  void (*fn)(void *arg, uint32_t idx), void *arg)
{
	uint32_t nbufs = nm_mem_nbufs(m), n, head;

	if (!p->nifp)
		return;
	head = NM_READ_ONCE(p->nifp->ni_bufs_head);
	for (n = 0; n < p->extra_bufs && head >= 2 && head < nbufs; n++) {
		uint32_t next = *(uint32_t *)nm_mem_buf(m, head);

		fn(arg, head);
		head = next;
	}
}

static void nm_release_cb(void *arg, uint32_t idx)
{
	nm_buf_release(arg, idx);
}

/* Free the extra buffers of binding priv, those it still owns. */
void nm_mem_extra_bufs_free(struct nm_mem *m, struct nm_priv *priv)
{
	struct nm_buf_release r;

	if (!priv->extra_bufs || !priv->nifp)
		return;
	nm_buf_release_begin(&r, m, priv->extra_bufs, NULL, 0, priv);
	nm_extra_walk(m, priv, nm_release_cb, &r);
	nm_buf_release_end(&r);
	priv->extra_bufs = 0;
}

/* ---------------------------------------------------------------- */
/* Buffers and their owners                                         */
/* ---------------------------------------------------------------- */

/*
 * User space moves buffers between slots (NS_BUF_CHANGED), pipes hand
 * them to their peer, and programs keep buffers they swapped out of a
 * ring; a slot can also hold any index a program wrote there, another
 * port's buffer included.  So at teardown a port frees not what its
 * slots name but what it may still own: at most as many buffers as it
 * was given, each only if it is a valid index that is allocated, is not
 * listed twice, and is in no ring and no extra-buffer list that lives
 * on in the region.  A buffer it held elsewhere (in a program's hands)
 * stays allocated until the region has no user (nm_mem_reset_if_idle);
 * another port's buffer written into its slots is never freed under
 * that port.  Freeing every index its slots named let one port free a
 * live port's buffers, which the next port was then given as well.
 */
struct nm_mark {
	const struct nm_mem *m;
	uint32_t *bits;
	struct nm_adapter *const *skip;
	uint32_t nskip;
	const struct nm_priv *skip_priv;
};

static void nm_mark_buf(void *arg, uint32_t idx)
{
	struct nm_mark *k = arg;

	if (idx >= 2 && idx < nm_mem_nbufs(k->m))
		k->bits[idx / 32] |= 1u << (idx % 32);
}

/* Mark what na's rings and bindings hold, unless na is skipped. */
static void nm_mark_adapter(struct nm_adapter *na, void *arg)
{
	struct nm_mark *k = arg;
	enum nm_txrx t;
	uint32_t i, j;

	if (na->mem != k->m)
		return;
	for (i = 0; i < k->nskip; i++)
		if (k->skip[i] == na)
			return;
	NM_FOR_RX_TX(t) {
		if (!na->rings[t])
			continue;
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_ring *ring = na->rings[t][i].ring;

			if (!ring)
				continue;
			for (j = 0; j < na->rings[t][i].nkr_num_slots; j++)
				nm_mark_buf(k, NM_READ_ONCE(ring->slot[j].buf_idx));
		}
	}
	for (i = 0; i < NM_MAX_BINDINGS; i++) {
		const struct nm_priv *p = na->bindings[i];

		if (p && p != k->skip_priv && p->na == na)
			nm_extra_walk(k->m, p, nm_mark_buf, k);
	}
}

void nm_buf_release_begin(struct nm_buf_release *r, struct nm_mem *m,
			  uint32_t owned, struct nm_adapter *const *skip,
			  uint32_t nskip, const struct nm_priv *skip_priv)
{
	struct nm_mark k;
	size_t bytes = ((size_t)nm_mem_nbufs(m) + 31) / 32 * 4;

	r->m = m;
	r->left = owned;
	/* Without the map, nothing is freed: a leak until the region is idle. */
	r->live = m->base ? nmh_tmp_alloc(2 * bytes) : NULL;
	if (!r->live)
		return;
	k.m = m;
	k.bits = r->live;
	k.skip = skip;
	k.nskip = nskip;
	k.skip_priv = skip_priv;
	nm_for_each_adapter(nm_mark_adapter, &k);
}

void nm_buf_release(struct nm_buf_release *r, uint32_t idx)
{
	const struct nm_pool *p = &r->m->pools[NM_BUF_POOL];
	uint32_t words = (p->objtotal + 31) / 32, bit = 1u << (idx % 32);
	uint32_t *taken = r->live + words;	/* second half: freed here */

	if (!r->live || !r->left || idx < 2 || idx >= p->objtotal)
		return;
	if ((r->live[idx / 32] | taken[idx / 32]) & bit)
		return;
	if (p->bitmap[idx / 32] & bit)
		return;		/* not allocated */
	taken[idx / 32] |= bit;
	nm_mem_buf_free(r->m, idx);
	r->left--;
}

void nm_buf_release_end(struct nm_buf_release *r)
{
	nmh_tmp_free(r->live);
	r->live = NULL;
}
