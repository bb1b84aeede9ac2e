// SPDX-License-Identifier: BSD-2-Clause
/*
 * libnetmap request helpers: the decoders of the port specification
 * grammar (spec 14.2) that fill a NIOCCTRL header and register body, the
 * generic "@option" decoder, and the option list of a header.
 *
 * Every syntax error produces exactly one message through the context,
 * "invalid port spec '<spec>': <what is wrong; what was expected>", and
 * errno EINVAL (EOPNOTSUPP for a disabled option).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnetmap.h"
#include "libnetmap_private.h"
#include "backend.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

/* ASCII only on purpose: the grammar must not depend on the locale. */
static int nm_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int nm_isident(int c)
{
	return nm_isdigit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * Consume a run of digits at *p.  The value saturates at UINT64_MAX
 * instead of wrapping, so "-99999999999999999999" is reported as out of
 * range rather than silently becoming a small ring number.
 */
static uint64_t nm_scan_digits(const char **p)
{
	uint64_t v = 0;

	for (; nm_isdigit(**p); (*p)++) {
		unsigned int d = (unsigned int)(**p - '0');

		v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
	}
	return v;
}

int nmreq_parse_uint(const char *s, uint64_t max, uint64_t *val)
{
	const char *p = s;
	uint64_t v;

	if (!nm_isdigit(*p))
		return -1;
	v = nm_scan_digits(&p);
	if (*p != '\0' || v > max)
		return -1;
	*val = v;
	return 0;
}

uint64_t nmreq_flag_of(char c)
{
	switch (c) {
	case 'x':
		return NR_EXCLUSIVE;
	case 'z':
		return NR_ZCOPY_MON;
	case 't':
		return NR_MONITOR_TX;
	case 'r':
		return NR_MONITOR_RX;
	case 'R':
		return NR_RX_RINGS_ONLY;
	case 'T':
		return NR_TX_RINGS_ONLY;
	default:
		return 0;
	}
}

int nmreq_spec_error(struct nmctx *ctx, int err, const char *spec,
		     const char *fmt, ...)
{
	char what[NMCTX_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nmctx_ferror(ctx, "invalid port spec '%s': %s", spec, what);
	errno = err;
	return -1;
}

int nmreq_set_mem_id(struct nmctx *ctx, const char *spec, uint16_t *mem_id,
		     uint16_t id, const char *what)
{
	if (*mem_id != 0 && *mem_id != id)
		return nmreq_spec_error(ctx, EINVAL, spec,
					"conflicting memory ids %u and %u (from %s)",
					(unsigned int)*mem_id, (unsigned int)id,
					what);
	*mem_id = id;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Header: prefix and port name                                        */
/* ------------------------------------------------------------------ */

void nmreq_header_init(struct nmreq_header *hdr, uint16_t reqtype, void *body)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->nr_version = NETMAP_API;
	hdr->nr_reqtype = reqtype;
	hdr->nr_body = (uintptr_t)body;
}

/* Characters that end the port name in a libnetmap spec. */
#define NM_SPEC_NAME_END "-*^/@"

int nmreq_header_decode_spec(const char *spec, const char **ppspec,
			     struct nmreq_header *hdr, struct nmctx *ctx)
{
	const char *scan = *ppspec;
	const char *kname;	/* start of the kernel name */
	const char *port;	/* start of the part after the prefix */
	const char *end, *p;
	size_t len;

	if (strncmp(scan, "netmap:", 7) == 0) {
		kname = port = scan + 7;
	} else if (strncmp(scan, "vale", 4) == 0) {
		/* the switch name is part of the kernel name */
		kname = scan;
		for (p = scan + 4; nm_isident(*p); p++)
			;
		if (*p != ':') {
			if (*p == '\0' || strchr(NM_SPEC_NAME_END, *p))
				return nmreq_spec_error(ctx, EINVAL, spec,
					"missing ':' after switch name '%.*s'",
					(int)(p - scan), scan);
			return nmreq_spec_error(ctx, EINVAL, spec,
				"invalid character '%c' in switch name '%.*s'; "
				"expected letters, digits or '_' then ':'",
				*p, (int)(p - scan + 1), scan);
		}
		port = p + 1;
	} else {
		const char *colon = strchr(scan, ':');

		if (colon != NULL && (size_t)(colon - scan) < strcspn(scan, NM_SPEC_NAME_END))
			return nmreq_spec_error(ctx, EINVAL, spec,
				"unknown prefix '%.*s'; expected 'netmap:' or "
				"'vale<switch>:'", (int)(colon - scan + 1), scan);
		return nmreq_spec_error(ctx, EINVAL, spec,
			"missing prefix; expected 'netmap:<name>' or "
			"'vale<switch>:<port>'");
	}

	end = port + strcspn(port, NM_SPEC_NAME_END);
	if (end == port)
		return nmreq_spec_error(ctx, EINVAL, spec,
			"empty port name after '%.*s'", (int)(port - scan), scan);
	len = (size_t)(end - kname);
	p = nm_name_control_char(kname, len);
	if (p)
		return nmreq_spec_error(ctx, EINVAL, spec,
			"control character '%c' in the port name; names are "
			"printable", *p);
	if (len >= NETMAP_REQ_IFNAMSIZ)
		return nmreq_spec_error(ctx, EINVAL, spec,
			"port name is %zu characters long; at most %d allowed",
			len, NETMAP_REQ_IFNAMSIZ - 1);

	/* the text after the first brace names a pipe: an identifier */
	for (p = port; p < end && *p != '{' && *p != '}'; p++)
		;
	if (p < end) {
		const char *brace = p;

		if (++p == end)
			return nmreq_spec_error(ctx, EINVAL, spec,
				"empty pipe id after '%c'", *brace);
		for (; p < end; p++) {
			if (!nm_isident(*p))
				return nmreq_spec_error(ctx, EINVAL, spec,
					"invalid pipe id '%.*s' after '%c'; "
					"expected letters, digits or '_'",
					(int)(end - brace - 1), brace + 1,
					*brace);
		}
	}

	hdr->nr_version = NETMAP_API;
	memset(hdr->nr_name, 0, sizeof(hdr->nr_name));
	memcpy(hdr->nr_name, kname, len);
	*ppspec = end;
	return 0;
}

int nmreq_header_decode(const char **ppspec, struct nmreq_header *hdr,
			struct nmctx *ctx)
{
	if (ctx == NULL)
		ctx = nmctx_get();
	return nmreq_header_decode_spec(*ppspec, ppspec, hdr, ctx);
}

/* ------------------------------------------------------------------ */
/* Register body: ring mode, flags, memory id                          */
/* ------------------------------------------------------------------ */

static int nmreq_decode_memid(struct nmctx *ctx, const char *spec,
			      const char **pp, uint16_t *mem_id)
{
	const char *start = *pp;	/* at '@' */
	const char *p = start + 1;
	uint64_t id = nm_scan_digits(&p);

	if (*p != '\0' && *p != '@')
		return nmreq_spec_error(ctx, EINVAL, spec,
			"unexpected '%c' after memory id '%.*s'; expected '@' "
			"or the end", *p, (int)(p - start), start);
	char what[32];

	if (id == 0 || id > UINT16_MAX)
		return nmreq_spec_error(ctx, EINVAL, spec,
			"invalid memory id '%.*s'; expected a number from 1 "
			"to 65535", (int)(p - start), start);
	snprintf(what, sizeof(what), "'@%u'", (unsigned int)id);
	if (nmreq_set_mem_id(ctx, spec, mem_id, (uint16_t)id, what))
		return -1;
	*pp = p;
	return 0;
}

int nmreq_register_decode_spec(const char *spec, const char **pmode,
			       struct nmreq_register *reg, struct nmctx *ctx)
{
	const char *p = *pmode, *mode_start = p;
	uint32_t mode = NR_REG_ALL_NIC;
	uint64_t ring = 0, flags = 0;
	uint16_t mem_id = reg->nr_mem_id;

	switch (*p) {
	case '-':
		p++;
		if (!nm_isdigit(*p))
			return nmreq_spec_error(ctx, EINVAL, spec,
				"missing ring number after '-'; expected -N");
		ring = nm_scan_digits(&p);
		mode = NR_REG_ONE_NIC;
		break;
	case '*':
		p++;
		mode = NR_REG_NIC_SW;
		break;
	case '^':
		p++;
		if (nm_isdigit(*p)) {
			ring = nm_scan_digits(&p);
			mode = NR_REG_ONE_SW;
		} else {
			mode = NR_REG_SW;
		}
		break;
	}
	if (ring >= NM_SPEC_MAX_RING)
		return nmreq_spec_error(ctx, EINVAL, spec,
			"ring number in '%.*s' out of range; expected at most %d",
			(int)(p - mode_start), mode_start, NM_SPEC_MAX_RING - 1);
	if (p != mode_start && *p != '\0' && *p != '/' && *p != '@')
		return nmreq_spec_error(ctx, EINVAL, spec,
			"unexpected '%c' after ring mode '%.*s'; expected '/' "
			"or '@'", *p, (int)(p - mode_start), mode_start);

	if (*p == '/') {
		p++;
		if (*p == '\0' || *p == '@')
			return nmreq_spec_error(ctx, EINVAL, spec,
				"empty flag list after '/'; expected one of "
				"x z t r R T");
		for (; *p != '\0' && *p != '@'; p++) {
			uint64_t f = nmreq_flag_of(*p);

			if (!f)
				return nmreq_spec_error(ctx, EINVAL, spec,
					"unknown flag '%c'; expected one of "
					NM_SPEC_FLAG_LETTERS, *p);
			flags |= f;
		}
	}

	/* "@N" right after the mode or flags; "@name" starts the options */
	if (*p == '@' && nm_isdigit(p[1]) &&
	    nmreq_decode_memid(ctx, spec, &p, &mem_id))
		return -1;

	reg->nr_mode = mode;
	reg->nr_ringid = (uint16_t)ring;
	reg->nr_flags = flags;
	reg->nr_mem_id = mem_id;
	*pmode = p;
	return 0;
}

int nmreq_register_decode(const char **pmode, struct nmreq_register *reg,
			  struct nmctx *ctx)
{
	if (ctx == NULL)
		ctx = nmctx_get();
	return nmreq_register_decode_spec(*pmode, pmode, reg, ctx);
}

/* ------------------------------------------------------------------ */
/* Options: "@name", "@name=value", "@name:key=value,key=value"        */
/* ------------------------------------------------------------------ */

/* Key names compare with '-' and '_' as the same character. */
static int nmreq_key_eq(const char *key, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char a = key[i] == '-' ? '_' : key[i];
		char b = s[i] == '-' ? '_' : s[i];

		if (a == '\0' || a != b)
			return 0;
	}
	return key[n] == '\0';
}

/* Keys of parser: nr_keys, or up to the first NULL key when it is 0. */
static int nmreq_nkeys(const struct nmreq_opt_parser *parser)
{
	int n = parser->nr_keys;

	if (n > 0)
		return n < NMREQ_OPT_MAXKEYS ? n : NMREQ_OPT_MAXKEYS;
	for (n = 0; n < NMREQ_OPT_MAXKEYS && parser->keys[n].key; n++)
		;
	return n;
}

/* Where the value of key i of parser goes in nmreq_parse_ctx.keys[]. */
static int nmreq_key_id(const struct nmreq_opt_parser *parser, int i)
{
	int id = parser->keys[i].id;

	return id >= 0 && id < NMREQ_OPT_MAXKEYS ? id : i;
}

/* "a, b, c": the names of the parsers, or of the keys of one parser. */
static void nmreq_list_names(char *buf, size_t size,
			     const struct nmreq_opt_parser *parsers,
			     const struct nmreq_opt_parser *keys_of)
{
	const struct nmreq_opt_parser *p = parsers;
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; used < size; i++) {
		const char *name;

		if (keys_of) {
			name = i < nmreq_nkeys(keys_of) ?
				keys_of->keys[i].key : NULL;
		} else {
			name = p ? p->prefix : NULL;
			p = p ? p->next : NULL;
		}
		if (name == NULL)
			break;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", name);
	}
}

/* Find key k (length n) of parser; its index, -1 if unknown. */
static int nmreq_find_key(const struct nmreq_opt_parser *parser,
			  const char *k, size_t n)
{
	int i, nkeys = nmreq_nkeys(parser);

	for (i = 0; i < nkeys; i++)
		if (parser->keys[i].key &&
		    nmreq_key_eq(parser->keys[i].key, k, n))
			return i;
	return -1;
}

/*
 * Index of the key "@name=value" assigns: the one flagged
 * NMREQ_OPTK_DEFAULT, else default_key; -1 if none.
 */
static int nmreq_default_key(const struct nmreq_opt_parser *parser)
{
	int i, nkeys = nmreq_nkeys(parser);

	for (i = 0; i < nkeys; i++)
		if (parser->keys[i].flags & NMREQ_OPTK_DEFAULT)
			return i;
	if (parser->default_key >= 0 && parser->default_key < nkeys &&
	    parser->keys[parser->default_key].key)
		return parser->default_key;
	return -1;
}

/*
 * Decode one option, the text item[0..len) after its '@', into pctx and
 * run its parser.  The values are NUL-terminated in a private copy of the
 * item, freed before returning.
 */
static int nmreq_decode_one(const char *spec, const char *item, size_t len,
			    struct nmreq_opt_parser *parsers, void *token,
			    struct nmctx *ctx)
{
	struct nmreq_parse_ctx pctx;
	struct nmreq_opt_parser *parser;
	char names[256];
	size_t nlen = strcspn(item, ":=@");
	char *copy, *s;
	int i, k, nkeys = 0, ret = -1;

	if (nlen > len)
		nlen = len;
	for (parser = parsers; parser && parser->prefix; parser = parser->next)
		if (strlen(parser->prefix) == nlen &&
		    strncmp(parser->prefix, item, nlen) == 0)
			break;
	if (parser == NULL || parser->prefix == NULL) {
		nmreq_list_names(names, sizeof(names), parsers, NULL);
		return nmreq_spec_error(ctx, EINVAL, spec,
			"unknown option '%.*s'; expected one of %s",
			(int)nlen, item, names);
	}
	if (parser->flags & NMREQ_OPTF_DISABLED)
		return nmreq_spec_error(ctx, EOPNOTSUPP, spec,
			"option '%s' is disabled (enable it with "
			"nmport_enable_option(\"%s\"))",
			parser->prefix, parser->prefix);

	memset(&pctx, 0, sizeof(pctx));
	pctx.ctx = ctx;
	pctx.token = token;
	pctx.parser = parser;
	pctx.spec = spec;

	copy = nmctx_malloc(ctx, len + 1);
	if (copy == NULL) {
		nmctx_ferror(ctx, "cannot parse port spec '%s': out of memory",
			     spec);
		errno = ENOMEM;
		return -1;
	}
	memcpy(copy, item, len);
	copy[len] = '\0';
	s = copy + nlen;

	if (*s == '=') {
		/* "@name=value": the whole rest is the default key's value */
		k = nmreq_default_key(parser);
		if (k < 0) {
			nmreq_spec_error(ctx, EINVAL, spec,
				"option '%s' has no default key; expected "
				"'%s:key=value'", parser->prefix,
				parser->prefix);
			goto out;
		}
		if (s[1] == '\0' &&
		    !(parser->keys[k].flags & NMREQ_OPTK_ALLOWEMPTY)) {
			nmreq_spec_error(ctx, EINVAL, spec,
				"missing value after '%s='", parser->prefix);
			goto out;
		}
		pctx.keys[nmreq_key_id(parser, k)] = s + 1;
		nkeys = 1;
	} else if (*s == ':') {
		s++;
		if (*s == '\0') {
			nmreq_spec_error(ctx, EINVAL, spec,
				"empty key list after '%s:'; expected "
				"key=value", parser->prefix);
			goto out;
		}
		while (s != NULL) {
			char *comma = strchr(s, ',');
			char *eq;

			if (comma)
				*comma++ = '\0';
			eq = strchr(s, '=');
			if (*s == '\0' || eq == s) {
				nmreq_spec_error(ctx, EINVAL, spec,
					"empty key in option '%s'",
					parser->prefix);
				goto out;
			}
			if (eq == NULL) {
				/* "key" alone: an empty value, if allowed */
				k = nmreq_find_key(parser, s, strlen(s));
				if (k < 0 || !(parser->keys[k].flags &
					       NMREQ_OPTK_ALLOWEMPTY)) {
					nmreq_spec_error(ctx, EINVAL, spec,
						"missing '=' after key '%s' in "
						"option '%s'; expected "
						"key=value", s, parser->prefix);
					goto out;
				}
				eq = s + strlen(s);	/* its value is "" */
			} else {
				k = nmreq_find_key(parser, s,
						   (size_t)(eq - s));
			}
			if (k < 0) {
				nmreq_list_names(names, sizeof(names), NULL,
						 parser);
				nmreq_spec_error(ctx, EINVAL, spec,
					"unknown key '%.*s' in option '%s'; "
					"expected one of %s", (int)(eq - s), s,
					parser->prefix, names);
				goto out;
			}
			if (pctx.keys[nmreq_key_id(parser, k)] != NULL) {
				nmreq_spec_error(ctx, EINVAL, spec,
					"duplicate key '%.*s' in option '%s'",
					(int)(eq - s), s, parser->prefix);
				goto out;
			}
			if (*eq == '\0' || eq[1] == '\0') {
				if (!(parser->keys[k].flags &
				      NMREQ_OPTK_ALLOWEMPTY)) {
					nmreq_spec_error(ctx, EINVAL, spec,
						"missing value for key '%.*s' "
						"in option '%s'", (int)(eq - s),
						s, parser->prefix);
					goto out;
				}
				pctx.keys[nmreq_key_id(parser, k)] = "";
			} else {
				pctx.keys[nmreq_key_id(parser, k)] = eq + 1;
			}
			nkeys++;
			s = comma;
		}
	}

	for (i = 0; i < nmreq_nkeys(parser); i++) {
		if (parser->keys[i].key &&
		    (parser->keys[i].flags & NMREQ_OPTK_MUSTSET) &&
		    pctx.keys[nmreq_key_id(parser, i)] == NULL) {
			nmreq_spec_error(ctx, EINVAL, spec,
				"option '%s' needs key '%s'", parser->prefix,
				parser->keys[i].key);
			goto out;
		}
	}
	if (nkeys == 0 && !(parser->flags & NMREQ_OPTF_ALLOWEMPTY)) {
		nmreq_spec_error(ctx, EINVAL, spec,
			"empty option '%s'; expected '%s:key=value'",
			parser->prefix, parser->prefix);
		goto out;
	}

	ret = parser->parse(&pctx);
out:
	nmctx_free(ctx, copy);
	return ret;
}

int nmreq_options_decode_spec(const char *spec, const char *opt,
			      struct nmreq_opt_parser *parsers, void *token,
			      struct nmreq_register *reg, struct nmctx *ctx)
{
	const char *p = opt;

	while (*p != '\0') {
		const char *item;
		size_t len;

		if (*p != '@')
			return nmreq_spec_error(ctx, EINVAL, spec,
				"unexpected '%c' in '%s'; expected '@'", *p, p);
		item = p + 1;
		len = strcspn(item, "@");
		if (len == 0)
			return nmreq_spec_error(ctx, EINVAL, spec,
				"empty option after '@'; expected a memory id "
				"or an option name");
		if (nm_isdigit(*item)) {
			if (reg == NULL)
				return nmreq_spec_error(ctx, EINVAL, spec,
					"unexpected memory id '@%.*s' among "
					"the options", (int)len, item);
			if (nmreq_decode_memid(ctx, spec, &p, &reg->nr_mem_id))
				return -1;
			continue;
		}
		if (nmreq_decode_one(spec, item, len, parsers, token, ctx))
			return -1;
		p = item + len;
	}
	return 0;
}

int nmreq_options_decode(const char *opt, struct nmreq_opt_parser *parsers,
			 void *token, struct nmctx *ctx)
{
	if (ctx == NULL)
		ctx = nmctx_get();
	return nmreq_options_decode_spec(opt, opt, parsers, token, NULL, ctx);
}

/* ------------------------------------------------------------------ */
/* Region of a named port                                              */
/* ------------------------------------------------------------------ */

int nmreq_get_mem_id_spec(const char *spec, const char **ppspec,
			  struct nmctx *ctx)
{
	struct nmreq_port_info_get info;
	struct nmreq_register scratch;
	struct nmreq_header hdr;
	const char *p = *ppspec;
	int fd, ret;

	nmreq_header_init(&hdr, NETMAP_REQ_PORT_INFO_GET, &info);
	memset(&info, 0, sizeof(info));
	memset(&scratch, 0, sizeof(scratch));
	/* a mode or flags may follow the name; they do not change the region */
	if (nmreq_header_decode_spec(spec, &p, &hdr, ctx) ||
	    nmreq_register_decode_spec(spec, &p, &scratch, ctx))
		return -1;

	fd = nmb_open();
	if (fd < 0) {
		nmctx_ferror(ctx, "cannot get the memory region of %s: cannot "
			     "open a netmap control descriptor: %s",
			     hdr.nr_name, strerror(-fd));
		errno = -fd;
		return -1;
	}
	ret = nmb_ioctl(fd, NIOCCTRL, &hdr);
	nmb_close(fd);
	if (ret < 0) {
		nmctx_ferror(ctx, "cannot get the memory region of %s: %s",
			     hdr.nr_name, strerror(-ret));
		errno = -ret;
		return -1;
	}
	*ppspec = p;
	return info.nr_mem_id;
}

int nmreq_get_mem_id(const char **ppspec, struct nmctx *ctx)
{
	if (ctx == NULL)
		ctx = nmctx_get();
	return nmreq_get_mem_id_spec(*ppspec, ppspec, ctx);
}

/* ------------------------------------------------------------------ */
/* Option lists                                                        */
/* ------------------------------------------------------------------ */

void nmreq_push_option(struct nmreq_header *h, struct nmreq_option *o)
{
	o->nro_next = h->nr_options;
	h->nr_options = (uintptr_t)o;
}

void nmreq_remove_option(struct nmreq_header *h, struct nmreq_option *o)
{
	uint64_t *link = &h->nr_options;

	while (*link != 0) {
		struct nmreq_option *cur = (struct nmreq_option *)(uintptr_t)*link;

		if (cur == o) {
			*link = o->nro_next;
			o->nro_next = 0;
			return;
		}
		link = &cur->nro_next;
	}
}

struct nmreq_option *nmreq_find_option(struct nmreq_header *h, uint32_t t)
{
	struct nmreq_option *o;

	nmreq_foreach_option(h, o)
		if (o->nro_reqtype == t)
			return o;
	return NULL;
}

void nmreq_free_options(struct nmreq_header *h)
{
	struct nmreq_option *o, *next;

	for (o = (struct nmreq_option *)(uintptr_t)h->nr_options; o; o = next) {
		next = (struct nmreq_option *)(uintptr_t)o->nro_next;
		free(o);
	}
	h->nr_options = 0;
}

const char *nmreq_option_name(uint32_t nro_reqtype)
{
	switch (nro_reqtype) {
	case NETMAP_REQ_OPT_EXTMEM:
		return "extmem";
	case NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS:
		return "sync-kloop-eventfds";
	case NETMAP_REQ_OPT_CSB:
		return "csb";
	case NETMAP_REQ_OPT_SYNC_KLOOP_MODE:
		return "sync-kloop-mode";
	case NETMAP_REQ_OPT_OFFSETS:
		return "offsets";
	default:
		return "unknown";
	}
}
