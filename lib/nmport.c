// SPDX-License-Identifier: BSD-2-Clause
/*
 * libnetmap ports: nmport_parse() and its "@" options, the open sequence
 * (register, then map the region shared by the ports of a context), the
 * matching undo functions, extmem and offsets options, packet injection,
 * and the project's nmport_* extensions (spec 14.2, 14.3).
 *
 * All control operations go through lib/backend.h, so that a port is
 * served by the kernel module or by the user runtime alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libnetmap.h"
#include "libnetmap_private.h"
#include "backend.h"
#include "../core/nm_names.h"

/* ------------------------------------------------------------------ */
/* Undo list of nmport_parse()                                         */
/* ------------------------------------------------------------------ */

void nmport_push_cleanup(struct nmport_d *d, struct nmport_cleanup_d *c)
{
	c->next = d->clist;
	d->clist = c;
}

static void nmport_cleanup(struct nmport_d *d)
{
	while (d->clist) {
		struct nmport_cleanup_d *c = d->clist;

		d->clist = c->next;
		c->cleanup(c, d);
	}
}

void nmport_undo_parse(struct nmport_d *d)
{
	nmport_cleanup(d);
}

/* An option owned by the port: unlinked from hdr and freed on undo. */
struct nmport_extmem_opt {
	struct nmport_cleanup_d up;
	struct nmreq_opt_extmem opt;
};

struct nmport_offsets_opt {
	struct nmport_cleanup_d up;
	struct nmreq_opt_offsets opt;
};

/* A file mapped by nmport_extmem_from_file(). */
struct nmport_extmem_file {
	struct nmport_cleanup_d up;
	void *addr;
	size_t size;
};

static void nmport_extmem_opt_cleanup(struct nmport_cleanup_d *c,
				      struct nmport_d *d)
{
	struct nmport_extmem_opt *x = (struct nmport_extmem_opt *)c;

	nmreq_remove_option(&d->hdr, &x->opt.nro_opt);
	if (d->extmem == &x->opt)
		d->extmem = NULL;
	nmctx_free(d->ctx, x);
}

static void nmport_offsets_opt_cleanup(struct nmport_cleanup_d *c,
				       struct nmport_d *d)
{
	struct nmport_offsets_opt *x = (struct nmport_offsets_opt *)c;

	nmreq_remove_option(&d->hdr, &x->opt.nro_opt);
	nmctx_free(d->ctx, x);
}

static void nmport_extmem_file_cleanup(struct nmport_cleanup_d *c,
				       struct nmport_d *d)
{
	struct nmport_extmem_file *f = (struct nmport_extmem_file *)c;

	munmap(f->addr, f->size);
	nmctx_free(d->ctx, f);
}

/* Allocate through the port's context, reporting failures. */
static void *nmport_zalloc(struct nmport_d *d, size_t size, const char *what)
{
	void *p = nmctx_malloc(d->ctx, size);

	if (p == NULL) {
		nmctx_ferror(d->ctx, "cannot allocate %s: out of memory", what);
		errno = ENOMEM;
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

/* ------------------------------------------------------------------ */
/* Descriptor lifetime                                                 */
/* ------------------------------------------------------------------ */

struct nmport_d *nmport_new_with_ctx(struct nmctx *ctx)
{
	struct nmport_d *d;

	if (ctx == NULL)
		ctx = nmctx_get();
	d = nmctx_malloc(ctx, sizeof(*d));
	if (d == NULL) {
		nmctx_ferror(ctx, "cannot allocate a port descriptor: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	d->ctx = ctx;
	nmreq_header_init(&d->hdr, NETMAP_REQ_REGISTER, &d->reg);
	d->fd = -1;
	return d;
}

struct nmport_d *nmport_new(void)
{
	return nmport_new_with_ctx(NULL);
}

void nmport_delete(struct nmport_d *d)
{
	if (d == NULL)
		return;
	/* nothing may outlive the descriptor that owns it */
	nmport_undo_open_desc(d);
	nmport_cleanup(d);
	nmctx_free(d->ctx, d);
}

void nmport_undo_prepare(struct nmport_d *d)
{
	nmport_delete(d);
}

struct nmport_d *nmport_prepare(const char *portspec)
{
	struct nmport_d *d = nmport_new();
	int err;

	if (d == NULL)
		return NULL;
	if (nmport_parse(d, portspec)) {
		err = errno;
		nmport_delete(d);
		errno = err;
		return NULL;
	}
	return d;
}

int nmport_open_desc(struct nmport_d *d)
{
	int err;

	if (nmport_register(d))
		return -1;
	if (nmport_mmap(d)) {
		err = errno;
		nmport_undo_register(d);
		errno = err;
		return -1;
	}
	return 0;
}

void nmport_undo_open_desc(struct nmport_d *d)
{
	nmport_undo_mmap(d);
	nmport_undo_register(d);
}

struct nmport_d *nmport_open(const char *portspec)
{
	struct nmport_d *d = nmport_prepare(portspec);
	int err;

	if (d == NULL)
		return NULL;
	if (nmport_open_desc(d)) {
		err = errno;
		nmport_undo_prepare(d);
		errno = err;
		return NULL;
	}
	return d;
}

void nmport_close(struct nmport_d *d)
{
	if (d == NULL)
		return;
	nmport_undo_open_desc(d);
	nmport_undo_prepare(d);
}

struct nmport_d *nmport_clone(struct nmport_d *d)
{
	struct nmport_d *c;

	/* the extmem option is not copied: only a registered port knows its region */
	if (d->extmem != NULL && !d->register_done) {
		nmctx_ferror(d->ctx, "cannot clone %s: it uses extmem and is not "
			     "registered yet", d->hdr.nr_name);
		errno = EINVAL;
		return NULL;
	}
	c = nmport_new_with_ctx(d->ctx);
	if (c == NULL)
		return NULL;
	c->hdr = d->hdr;
	c->hdr.nr_options = 0;
	c->hdr.nr_body = (uintptr_t)&c->reg;
	c->reg = d->reg;
	return c;
}

/* ------------------------------------------------------------------ */
/* Port spec options                                                   */
/* ------------------------------------------------------------------ */

enum {
	NMPORT_OPT_SHARE,
	NMPORT_OPT_CONF,
	NMPORT_OPT_EXTMEM,
	NMPORT_OPT_OFFSET,
};

/* keys of @conf, in the order of nmport_opt_parsers[NMPORT_OPT_CONF] */
enum {
	CONF_RINGS, CONF_HOST_RINGS, CONF_SLOTS, CONF_TX_RINGS, CONF_RX_RINGS,
	CONF_HOST_TX_RINGS, CONF_HOST_RX_RINGS, CONF_TX_SLOTS, CONF_RX_SLOTS,
};

/* keys of @extmem */
enum {
	EXTMEM_FILE, EXTMEM_IF_NUM, EXTMEM_IF_SIZE, EXTMEM_RING_NUM,
	EXTMEM_RING_SIZE, EXTMEM_BUF_NUM, EXTMEM_BUF_SIZE,
};

/* keys of @offset */
enum { OFFSET_INITIAL, OFFSET_BITS };

/* The value of key k as a number of at most max, or a spec error. */
static int nmport_opt_number(struct nmreq_parse_ctx *pctx, int k, uint64_t max,
			     uint64_t *val)
{
	const char *v = pctx->keys[k];

	if (nmreq_parse_uint(v, max, val) == 0)
		return 0;
	return nmreq_spec_error(pctx->ctx, EINVAL, pctx->spec,
		"invalid value '%s' for key '%s' in option '%s'; expected a "
		"number from 0 to %llu", v, pctx->parser->keys[k].key,
		pctx->parser->prefix, (unsigned long long)max);
}

static int nmport_opt_share(struct nmreq_parse_ctx *pctx)
{
	struct nmport_d *d = pctx->token;
	const char *port = pctx->keys[0];
	int id;

	/* syntax errors inside the value quote the whole spec */
	id = nmreq_get_mem_id_spec(pctx->spec, &port, pctx->ctx);
	if (id < 0)
		return -1;
	return nmreq_set_mem_id(pctx->ctx, pctx->spec, &d->reg.nr_mem_id,
				(uint16_t)id, "@share");
}

static int nmport_opt_conf(struct nmreq_parse_ctx *pctx)
{
	struct nmport_d *d = pctx->token;
	struct nmreq_register *reg = &d->reg;
	uint64_t v[CONF_RX_SLOTS + 1];
	int k;

	/* check every value before changing anything */
	for (k = 0; k <= CONF_RX_SLOTS; k++) {
		uint64_t max = (k == CONF_SLOTS || k == CONF_TX_SLOTS ||
				k == CONF_RX_SLOTS) ? UINT32_MAX : UINT16_MAX;

		if (pctx->keys[k] && nmport_opt_number(pctx, k, max, &v[k]))
			return -1;
	}
	/* the both-direction keys first, so that tx-/rx- keys override them */
	if (pctx->keys[CONF_RINGS])
		reg->nr_tx_rings = reg->nr_rx_rings = (uint16_t)v[CONF_RINGS];
	if (pctx->keys[CONF_HOST_RINGS])
		reg->nr_host_tx_rings = reg->nr_host_rx_rings =
			(uint16_t)v[CONF_HOST_RINGS];
	if (pctx->keys[CONF_SLOTS])
		reg->nr_tx_slots = reg->nr_rx_slots = (uint32_t)v[CONF_SLOTS];
	if (pctx->keys[CONF_TX_RINGS])
		reg->nr_tx_rings = (uint16_t)v[CONF_TX_RINGS];
	if (pctx->keys[CONF_RX_RINGS])
		reg->nr_rx_rings = (uint16_t)v[CONF_RX_RINGS];
	if (pctx->keys[CONF_HOST_TX_RINGS])
		reg->nr_host_tx_rings = (uint16_t)v[CONF_HOST_TX_RINGS];
	if (pctx->keys[CONF_HOST_RX_RINGS])
		reg->nr_host_rx_rings = (uint16_t)v[CONF_HOST_RX_RINGS];
	if (pctx->keys[CONF_TX_SLOTS])
		reg->nr_tx_slots = (uint32_t)v[CONF_TX_SLOTS];
	if (pctx->keys[CONF_RX_SLOTS])
		reg->nr_rx_slots = (uint32_t)v[CONF_RX_SLOTS];
	return 0;
}

static int nmport_opt_extmem(struct nmreq_parse_ctx *pctx)
{
	struct nmport_d *d = pctx->token;
	struct nmreq_pools_info *pi;
	uint64_t v[EXTMEM_BUF_SIZE + 1];
	int k;

	for (k = EXTMEM_IF_NUM; k <= EXTMEM_BUF_SIZE; k++)
		if (pctx->keys[k] &&
		    nmport_opt_number(pctx, k, UINT32_MAX, &v[k]))
			return -1;
	if (nmport_extmem_from_file(d, pctx->keys[EXTMEM_FILE]))
		return -1;
	pi = nmport_extmem_getinfo(d);
	if (pctx->keys[EXTMEM_IF_NUM])
		pi->nr_if_pool_objtotal = (uint32_t)v[EXTMEM_IF_NUM];
	if (pctx->keys[EXTMEM_IF_SIZE])
		pi->nr_if_pool_objsize = (uint32_t)v[EXTMEM_IF_SIZE];
	if (pctx->keys[EXTMEM_RING_NUM])
		pi->nr_ring_pool_objtotal = (uint32_t)v[EXTMEM_RING_NUM];
	if (pctx->keys[EXTMEM_RING_SIZE])
		pi->nr_ring_pool_objsize = (uint32_t)v[EXTMEM_RING_SIZE];
	if (pctx->keys[EXTMEM_BUF_NUM])
		pi->nr_buf_pool_objtotal = (uint32_t)v[EXTMEM_BUF_NUM];
	if (pctx->keys[EXTMEM_BUF_SIZE])
		pi->nr_buf_pool_objsize = (uint32_t)v[EXTMEM_BUF_SIZE];
	return 0;
}

static int nmport_opt_offset(struct nmreq_parse_ctx *pctx)
{
	struct nmport_d *d = pctx->token;
	uint64_t initial, bits = 0;

	if (nmport_opt_number(pctx, OFFSET_INITIAL, UINT64_MAX, &initial))
		return -1;
	if (pctx->keys[OFFSET_BITS] &&
	    nmport_opt_number(pctx, OFFSET_BITS, 64, &bits))
		return -1;
	return nmport_offset(d, initial, initial, bits, 0);
}

#define KEY_DEFAULT NMREQ_OPTK_DEFAULT
#define KEY_MUST NMREQ_OPTK_MUSTSET
/* Key k of a parser of this table: its value goes to keys[k]. */
#define KEY(k, name, flags) [k] = { name, k, flags }

struct nmreq_opt_parser nmport_opt_parsers[] = {
	[NMPORT_OPT_SHARE] = {
		.prefix = "share",
		.parse = nmport_opt_share,
		.default_key = 0,
		.nr_keys = 1,
		.next = &nmport_opt_parsers[NMPORT_OPT_CONF],
		.keys = {
			KEY(0, "port", KEY_DEFAULT | KEY_MUST),
		},
	},
	[NMPORT_OPT_CONF] = {
		.prefix = "conf",
		.parse = nmport_opt_conf,
		.default_key = CONF_RINGS,
		.nr_keys = CONF_RX_SLOTS + 1,
		.next = &nmport_opt_parsers[NMPORT_OPT_EXTMEM],
		.keys = {
			KEY(CONF_RINGS, "rings", KEY_DEFAULT),
			KEY(CONF_HOST_RINGS, "host-rings", 0),
			KEY(CONF_SLOTS, "slots", 0),
			KEY(CONF_TX_RINGS, "tx-rings", 0),
			KEY(CONF_RX_RINGS, "rx-rings", 0),
			KEY(CONF_HOST_TX_RINGS, "host-tx-rings", 0),
			KEY(CONF_HOST_RX_RINGS, "host-rx-rings", 0),
			KEY(CONF_TX_SLOTS, "tx-slots", 0),
			KEY(CONF_RX_SLOTS, "rx-slots", 0),
		},
	},
	[NMPORT_OPT_EXTMEM] = {
		.prefix = "extmem",
		.parse = nmport_opt_extmem,
		.default_key = EXTMEM_FILE,
		.nr_keys = EXTMEM_BUF_SIZE + 1,
		.next = &nmport_opt_parsers[NMPORT_OPT_OFFSET],
		.keys = {
			KEY(EXTMEM_FILE, "file", KEY_DEFAULT | KEY_MUST),
			KEY(EXTMEM_IF_NUM, "if-num", 0),
			KEY(EXTMEM_IF_SIZE, "if-size", 0),
			KEY(EXTMEM_RING_NUM, "ring-num", 0),
			KEY(EXTMEM_RING_SIZE, "ring-size", 0),
			KEY(EXTMEM_BUF_NUM, "buf-num", 0),
			KEY(EXTMEM_BUF_SIZE, "buf-size", 0),
		},
	},
	[NMPORT_OPT_OFFSET] = {
		.prefix = "offset",
		.parse = nmport_opt_offset,
		.default_key = OFFSET_INITIAL,
		.nr_keys = OFFSET_BITS + 1,
		/* upstream ships it disabled: the kernel may lack offsets */
		.flags = NMREQ_OPTF_DISABLED,
		.keys = {
			KEY(OFFSET_INITIAL, "initial", KEY_DEFAULT | KEY_MUST),
			KEY(OFFSET_BITS, "bits", 0),
		},
	},
	{ .prefix = NULL },
};

static struct nmreq_opt_parser *nmport_find_parser(const char *opt)
{
	struct nmreq_opt_parser *p;

	for (p = nmport_opt_parsers; opt && p && p->prefix; p = p->next)
		if (strcmp(p->prefix, opt) == 0)
			return p;
	errno = EOPNOTSUPP;
	return NULL;
}

int nmport_enable_option(const char *opt)
{
	struct nmreq_opt_parser *p = nmport_find_parser(opt);

	if (p == NULL)
		return -1;
	__atomic_and_fetch(&p->flags, ~NMREQ_OPTF_DISABLED, __ATOMIC_RELAXED);
	return 0;
}

int nmport_disable_option(const char *opt)
{
	struct nmreq_opt_parser *p = nmport_find_parser(opt);

	if (p == NULL)
		return -1;
	__atomic_or_fetch(&p->flags, NMREQ_OPTF_DISABLED, __ATOMIC_RELAXED);
	return 0;
}

int nmport_parse(struct nmport_d *d, const char *portspec)
{
	const char *scan = portspec;
	int err;

	if (portspec == NULL) {
		nmctx_ferror(d->ctx, "invalid port spec: no name given");
		errno = EINVAL;
		return -1;
	}
	if (nmreq_header_decode_spec(portspec, &scan, &d->hdr, d->ctx) ||
	    nmreq_register_decode_spec(portspec, &scan, &d->reg, d->ctx) ||
	    nmreq_options_decode_spec(portspec, scan, nmport_opt_parsers, d,
				      &d->reg, d->ctx))
		goto fail;
	return 0;
fail:
	/* drop the options and mappings set up before the error */
	err = errno;
	nmport_cleanup(d);
	errno = err;
	return -1;
}

/* ------------------------------------------------------------------ */
/* extmem and offsets                                                  */
/* ------------------------------------------------------------------ */

int nmport_extmem(struct nmport_d *d, void *base, size_t size)
{
	struct nmport_extmem_opt *x;

	if (d->register_done) {
		nmctx_ferror(d->ctx, "cannot use extmem for %s: the port is "
			     "already registered", d->hdr.nr_name);
		errno = EINVAL;
		return -1;
	}
	if (d->extmem != NULL) {
		nmctx_ferror(d->ctx, "cannot use extmem for %s: extmem already "
			     "set", d->hdr.nr_name);
		errno = EINVAL;
		return -1;
	}
	x = nmport_zalloc(d, sizeof(*x), "the extmem option");
	if (x == NULL)
		return -1;
	x->opt.nro_opt.nro_reqtype = NETMAP_REQ_OPT_EXTMEM;
	x->opt.nro_usrptr = (uintptr_t)base;
	x->opt.nro_info.nr_memsize = size;
	x->up.cleanup = nmport_extmem_opt_cleanup;
	nmreq_push_option(&d->hdr, &x->opt.nro_opt);
	d->extmem = &x->opt;
	nmport_push_cleanup(d, &x->up);
	return 0;
}

int nmport_extmem_from_file(struct nmport_d *d, const char *fname)
{
	struct nmport_extmem_file *f;
	struct stat st;
	void *addr;
	int fd, err;

	if (d->extmem != NULL || d->register_done)
		return nmport_extmem(d, NULL, 0);	/* reports the error */
	fd = open(fname, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		nmctx_ferror(d->ctx, "cannot open extmem file %s: %s", fname,
			     strerror(err));
		errno = err;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		nmctx_ferror(d->ctx, "cannot use extmem file %s: %s", fname,
			     strerror(err));
		close(fd);
		errno = err;
		return -1;
	}
	if (st.st_size <= 0) {
		nmctx_ferror(d->ctx, "cannot use extmem file %s: the file is "
			     "empty", fname);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	addr = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (addr == MAP_FAILED) {
		nmctx_ferror(d->ctx, "cannot map extmem file %s: %s", fname,
			     strerror(err));
		errno = err;
		return -1;
	}
	f = nmport_zalloc(d, sizeof(*f), "the extmem file mapping");
	if (f == NULL) {
		munmap(addr, (size_t)st.st_size);
		errno = ENOMEM;
		return -1;
	}
	f->addr = addr;
	f->size = (size_t)st.st_size;
	f->up.cleanup = nmport_extmem_file_cleanup;
	/* pushed first, so the option is unlinked before the unmap */
	nmport_push_cleanup(d, &f->up);
	if (nmport_extmem(d, addr, f->size)) {
		err = errno;
		d->clist = f->up.next;
		nmport_extmem_file_cleanup(&f->up, d);
		errno = err;
		return -1;
	}
	return 0;
}

struct nmreq_pools_info *nmport_extmem_getinfo(struct nmport_d *d)
{
	return d->extmem ? &d->extmem->nro_info : NULL;
}

int nmport_offset(struct nmport_d *d, uint64_t initial, uint64_t maxoff,
		  uint64_t bits, uint64_t mingap)
{
	struct nmport_offsets_opt *x;
	const char *why = NULL;

	if (d->register_done)
		why = "the port is already registered";
	else if (nmreq_find_option(&d->hdr, NETMAP_REQ_OPT_OFFSETS))
		why = "offsets already set";
	else if (bits > 64)
		why = "more than 64 offset bits";
	else if (initial > maxoff)
		why = "initial offset larger than the maximum offset";
	if (why) {
		nmctx_ferror(d->ctx, "cannot use offsets for %s: %s",
			     d->hdr.nr_name, why);
		errno = EINVAL;
		return -1;
	}
	x = nmport_zalloc(d, sizeof(*x), "the offsets option");
	if (x == NULL)
		return -1;
	x->opt.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	x->opt.nro_max_offset = maxoff;
	x->opt.nro_initial_offset = initial;
	x->opt.nro_offset_bits = (uint32_t)bits;
	x->opt.nro_min_gap = mingap;
	x->up.cleanup = nmport_offsets_opt_cleanup;
	nmreq_push_option(&d->hdr, &x->opt.nro_opt);
	nmport_push_cleanup(d, &x->up);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

/*
 * One line for a failed registration: the options the kernel rejected,
 * and the error of the request when no option explains it.
 */
/*
 * A name starting with "val" that is no valid VALE name gets ENOMEM from
 * a registration (spec 14.1), which says nothing of the name: say what
 * is wrong with it.
 */
static void nmport_explain_vale_name(const char *name)
{
	const char *port;
	uint32_t swlen;
	char why[200];

	if (strncmp(name, "val", 3) || strpbrk(name, "{}"))
		return;
	if (nm_vale_name_parse(name, &swlen, &port, why, sizeof(why)) == 0) {
		if (*port)
			return;
		snprintf(why, sizeof(why), "empty port name after ':'");
	}
	nmb_set_detail("%s", why);
}

static void nmport_report_register_error(struct nmport_d *d, int err)
{
	char opts[NMCTX_MSG_MAX], detail[300] = "";
	struct nmreq_option *o;
	size_t used = 0;
	int explained = 0;

	if (err == ENOMEM && !*nm_error_detail())
		nmport_explain_vale_name(d->hdr.nr_name);
	if (*nm_error_detail())
		snprintf(detail, sizeof(detail), " (%s)", nm_error_detail());
	opts[0] = '\0';
	nmreq_foreach_option(&d->hdr, o) {
		if (o->nro_status == 0)
			continue;
		if ((int)o->nro_status == err)
			explained = 1;
		if (used < sizeof(opts))
			used += (size_t)snprintf(opts + used, sizeof(opts) - used,
						 "%soption %s: %s", used ? ", " : "",
						 nmreq_option_name(o->nro_reqtype),
						 strerror((int)o->nro_status));
	}
	if (used == 0)
		nmctx_ferror(d->ctx, "cannot register %s: %s%s", d->hdr.nr_name,
			     strerror(err), detail);
	else if (explained)
		nmctx_ferror(d->ctx, "cannot register %s: %s%s", d->hdr.nr_name,
			     opts, detail);
	else
		nmctx_ferror(d->ctx, "cannot register %s: %s (%s)%s",
			     d->hdr.nr_name, strerror(err), opts, detail);
}

int nmport_register(struct nmport_d *d)
{
	struct nmreq_option *o;
	int fd, ret;

	if (d->register_done) {
		nmctx_ferror(d->ctx, "cannot register %s: already registered",
			     d->hdr.nr_name);
		errno = EINVAL;
		return -1;
	}
	fd = nmb_open();
	if (fd < 0) {
		nmctx_ferror(d->ctx, "cannot register %s: cannot open a netmap "
			     "control descriptor: %s%s%s%s", d->hdr.nr_name,
			     strerror(-fd), *nm_error_detail() ? " (" : "",
			     nm_error_detail(), *nm_error_detail() ? ")" : "");
		errno = -fd;
		return -1;
	}
	/* the application may have copied the header around */
	d->hdr.nr_version = NETMAP_API;
	d->hdr.nr_reqtype = NETMAP_REQ_REGISTER;
	d->hdr.nr_body = (uintptr_t)&d->reg;
	nmreq_foreach_option(&d->hdr, o)
		o->nro_status = 0;

	ret = nmb_ioctl(fd, NIOCCTRL, &d->hdr);
	if (ret < 0) {
		nmport_report_register_error(d, -ret);
		nmb_close(fd);
		errno = -ret;
		return -1;
	}
	d->fd = fd;
	d->register_done = 1;
	return 0;
}

void nmport_undo_register(struct nmport_d *d)
{
	if (!d->register_done)
		return;
	nmb_close(d->fd);
	d->fd = -1;
	d->register_done = 0;
}

/* ------------------------------------------------------------------ */
/* Mapping                                                             */
/* ------------------------------------------------------------------ */

/*
 * The bound rings of one direction: the first run of non-zero entries
 * among ofs[0..n).  An empty direction gets last = first - 1.
 */
static void nmport_ring_range(const ssize_t *ofs, unsigned int n,
			      uint16_t *first, uint16_t *last)
{
	unsigned int i = 0;

	while (i < n && ofs[i] == 0)
		i++;
	if (i == n) {
		*first = (uint16_t)(n ? n : 1);
		*last = (uint16_t)(*first - 1);
		return;
	}
	*first = (uint16_t)i;
	while (i < n && ofs[i] != 0)
		i++;
	*last = (uint16_t)(i - 1);
}

/* Drop d's reference on its region; unmap it with the last one. */
static void nmport_release_mem(struct nmport_d *d)
{
	struct nmem_d *m = d->mem;
	struct nmctx *ctx = d->ctx;

	nmctx_lock(ctx);
	if (--m->refcount == 0) {
		if (m->prev)
			m->prev->next = m->next;
		else
			ctx->mem_descs = m->next;
		if (m->next)
			m->next->prev = m->prev;
	} else {
		m = NULL;
	}
	nmctx_unlock(ctx);
	if (m) {
		/*
		 * d->fd is bound to the same region as the descriptor that
		 * created the mapping (which may be closed by now).
		 */
		if (!m->is_extmem)
			nmb_munmap(d->fd, m->mem, m->size);
		nmctx_free(ctx, m);
	}
	d->mem = NULL;
}

int nmport_mmap(struct nmport_d *d)
{
	struct nmctx *ctx = d->ctx;
	int backend, err = 0;
	struct netmap_if *nifp;
	struct nmem_d *m;
	unsigned int ntx;

	if (d->mmap_done) {
		nmctx_ferror(ctx, "cannot map %s: already mapped", d->hdr.nr_name);
		errno = EINVAL;
		return -1;
	}
	if (!d->register_done) {
		nmctx_ferror(ctx, "cannot map %s: not registered", d->hdr.nr_name);
		errno = EINVAL;
		return -1;
	}
	backend = nmb_kind_of(d->fd);

	nmctx_lock(ctx);
	for (m = ctx->mem_descs; m; m = m->next)
		if (m->mem_id == d->reg.nr_mem_id && m->backend == backend)
			break;
	if (m) {
		m->refcount++;
	} else {
		m = nmctx_malloc(ctx, sizeof(*m));
		if (m == NULL) {
			err = ENOMEM;
			goto out_unlock;
		}
		memset(m, 0, sizeof(*m));
		if (d->extmem) {
			m->mem = (void *)(uintptr_t)d->extmem->nro_usrptr;
			m->size = d->extmem->nro_info.nr_memsize;
			m->is_extmem = 1;
		} else {
			m->size = d->reg.nr_memsize;
			m->mem = nmb_mmap(d->fd, m->size, &err);
			if (m->mem == NULL) {
				err = err ? -err : EINVAL;
				nmctx_free(ctx, m);
				goto out_unlock;
			}
		}
		m->refcount = 1;
		m->mem_id = d->reg.nr_mem_id;
		m->backend = backend;
		m->next = ctx->mem_descs;
		if (m->next)
			m->next->prev = m;
		ctx->mem_descs = m;
	}
out_unlock:
	nmctx_unlock(ctx);
	if (err) {
		nmctx_ferror(ctx, "cannot map the memory region of %s: %s",
			     d->hdr.nr_name, strerror(err));
		errno = err;
		return -1;
	}
	d->mem = m;

	if (d->reg.nr_offset + sizeof(struct netmap_if) > m->size) {
		nmctx_ferror(ctx, "cannot map %s: interface offset %llu beyond "
			     "the %zu-byte region", d->hdr.nr_name,
			     (unsigned long long)d->reg.nr_offset, m->size);
		nmport_release_mem(d);
		errno = EINVAL;
		return -1;
	}
	nifp = NETMAP_IF(m->mem, d->reg.nr_offset);
	d->nifp = nifp;
	ntx = d->reg.nr_tx_rings + nifp->ni_host_tx_rings;
	nmport_ring_range(nifp->ring_ofs, ntx, &d->first_tx_ring,
			  &d->last_tx_ring);
	nmport_ring_range(nifp->ring_ofs + ntx,
			  d->reg.nr_rx_rings + nifp->ni_host_rx_rings,
			  &d->first_rx_ring, &d->last_rx_ring);
	d->cur_tx_ring = d->first_tx_ring;
	d->cur_rx_ring = d->first_rx_ring;
	d->mmap_done = 1;
	return 0;
}

void nmport_undo_mmap(struct nmport_d *d)
{
	if (!d->mmap_done)
		return;
	nmport_release_mem(d);
	d->nifp = NULL;
	d->first_tx_ring = d->last_tx_ring = 0;
	d->first_rx_ring = d->last_rx_ring = 0;
	d->cur_tx_ring = d->cur_rx_ring = 0;
	d->mmap_done = 0;
}

/* ------------------------------------------------------------------ */
/* Packet injection                                                    */
/* ------------------------------------------------------------------ */

int nm_inject_rings(struct netmap_if *nifp, uint16_t first, uint16_t last,
		    uint16_t *cur, const void *buf, size_t size)
{
	unsigned int ri = *cur, n;

	if (nifp == NULL || first > last)
		return 0;
	if (ri < first || ri > last)
		ri = first;
	for (n = first; n <= last; n++) {
		struct netmap_ring *ring = NETMAP_TXRING(nifp, ri);
		uint32_t bsize = ring->nr_buf_size;
		size_t nslots = bsize ? (size + bsize - 1) / bsize : 0;

		if (nslots == 0)
			nslots = 1;	/* an empty packet still takes a slot */
		if (bsize != 0 && nm_ring_space(ring) >= nslots) {
			const char *src = buf;
			size_t left = size;
			uint32_t i = ring->cur;

			for (;;) {
				struct netmap_slot *slot = &ring->slot[i];
				uint16_t len = (uint16_t)(left < bsize ? left : bsize);

				memcpy(NETMAP_BUF(ring, slot->buf_idx), src, len);
				slot->len = len;
				src += len;
				left -= len;
				/* the data is in the buffer, not at slot->ptr */
				slot->flags &= (uint16_t)~(NS_MOREFRAG | NS_INDIRECT);
				if (left)
					slot->flags |= NS_MOREFRAG;
				i = nm_ring_next(ring, i);
				if (left == 0)
					break;
			}
			ring->head = ring->cur = i;
			*cur = (uint16_t)ri;
			return (int)size;
		}
		ri = ri == last ? first : ri + 1;
	}
	return 0;
}

int nmport_inject(struct nmport_d *d, const void *buf, size_t size)
{
	return nm_inject_rings(d->nifp, d->first_tx_ring, d->last_tx_ring,
			       &d->cur_tx_ring, buf, size);
}

/* ------------------------------------------------------------------ */
/* Project extensions                                                  */
/* ------------------------------------------------------------------ */

int nmport_txsync(struct nmport_d *d)
{
	if (!d->register_done)
		return -EBADF;
	return nmb_ioctl(d->fd, NIOCTXSYNC, NULL);
}

int nmport_rxsync(struct nmport_d *d)
{
	if (!d->register_done)
		return -EBADF;
	return nmb_ioctl(d->fd, NIOCRXSYNC, NULL);
}

const char *nmport_backend(const struct nmport_d *d)
{
	if (!d->register_done)
		return "none";
	return nmb_kind_name(nmb_kind_of(d->fd));
}

/* NR_PORT_* flags of a registered port (PORT_INFO_GET), or -errno. */
static int nmport_port_flags(const struct nmport_d *d)
{
	struct nmreq_port_info_get info;
	struct nmreq_header hdr;
	int ret;

	if (!d->register_done)
		return -EBADF;
	memset(&info, 0, sizeof(info));
	nmreq_header_init(&hdr, NETMAP_REQ_PORT_INFO_GET, &info);
	memcpy(hdr.nr_name, d->hdr.nr_name, sizeof(hdr.nr_name));
	ret = nmb_ioctl(d->fd, NIOCCTRL, &hdr);
	return ret < 0 ? ret : info.nr_port_flags;
}

int nmport_emulated(const struct nmport_d *d)
{
	int flags = nmport_port_flags(d);

	if (flags < 0)
		return flags;
	return (flags & NR_PORT_EMULATED) ? 1 : 0;
}

int nmport_adapter(const struct nmport_d *d, char *buf, size_t len)
{
	int flags = nmport_port_flags(d);
	char why[200];

	if (flags < 0)
		return flags;
	if (!(flags & NR_PORT_EMULATED))
		return 0;
	if (flags & NR_PORT_AF_XDP) {
		snprintf(buf, len, "emulated adapter over AF_XDP (%s XDP, %s)",
			 (flags & NR_PORT_XDP_NATIVE) ? "native" : "generic",
			 (flags & NR_PORT_ZEROCOPY) ? "zero copy" : "copy mode");
	} else if (flags & NR_PORT_AF_PACKET) {
		if (nmb_nic_note(d->fd, why, sizeof(why)) <= 0)
			snprintf(why, sizeof(why), "AF_XDP unavailable");
		snprintf(buf, len, "emulated adapter over AF_PACKET (TPACKET_V3; %s)",
			 why);
	} else {
		snprintf(buf, len, "emulated adapter");
	}
	return 1;
}

const char *nmport_kind(const struct nmport_d *d)
{
	const char *name = d->hdr.nr_name;
	size_t len = strnlen(name, sizeof(d->hdr.nr_name));

	/* the order in which the kernel resolves a name (spec 14.1) */
	if (d->reg.nr_mode == NR_REG_NULL)
		return "null port";
	if (d->reg.nr_flags & (NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON))
		return "monitor";
	if (memchr(name, '{', len))
		return "pipe master";
	if (memchr(name, '}', len))
		return "pipe slave";
	/* the kernel compares 3 characters only: valx:a is a VALE port */
	if (len >= 3 && strncmp(name, NM_BDG_NAME, 3) == 0)
		return "VALE ephemeral port";
	return "system interface";
}
