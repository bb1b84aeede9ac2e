/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libnetmap: helpers shared by nmport.c, nmreq.c, nmctx.c and
 * legacy.c.  Not installed; nothing here is part of the API.
 */
#ifndef LIB_LIBNETMAP_PRIVATE_H
#define LIB_LIBNETMAP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "libnetmap.h"

/* Longest message passed to an error callback, NUL included. */
#define NMCTX_MSG_MAX 512

/*
 * The first control character (below 0x20, or 0x7f) of the n bytes at
 * s, or NULL: port names are printable, and a name with a newline in it
 * would break every listing that shows it.
 */
static inline const char *nm_name_control_char(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return s + i;
	return NULL;
}

/* Largest ring number of a port spec ("-N", "^N"): N < 4095. */
#define NM_SPEC_MAX_RING 4095

/* One undo action of nmport_parse(), run in reverse order. */
struct nmport_cleanup_d {
	struct nmport_cleanup_d *next;
	void (*cleanup)(struct nmport_cleanup_d *c, struct nmport_d *d);
};

/* nmport.c: the "@..." options of a port spec, indexed by NMPORT_OPT_*. */
extern struct nmreq_opt_parser nmport_opt_parsers[];

/* nmport.c: push c on d->clist. */
void nmport_push_cleanup(struct nmport_d *d, struct nmport_cleanup_d *c);

/*
 * nmreq.c: the decoders behind nmreq_header_decode(),
 * nmreq_register_decode() and nmreq_options_decode().  spec is the whole
 * port spec, quoted by every error message.  When reg is not NULL, "@N"
 * items among the options set reg->nr_mem_id (and must agree with an id
 * set before).
 */
int nmreq_header_decode_spec(const char *spec, const char **ppspec,
			     struct nmreq_header *hdr, struct nmctx *ctx);
int nmreq_register_decode_spec(const char *spec, const char **pmode,
			       struct nmreq_register *reg, struct nmctx *ctx);
int nmreq_options_decode_spec(const char *spec, const char *opt,
			      struct nmreq_opt_parser *parsers, void *token,
			      struct nmreq_register *reg, struct nmctx *ctx);

/*
 * nmreq.c: nmreq_get_mem_id() quoting spec in syntax errors; *ppspec
 * points into spec.
 */
int nmreq_get_mem_id_spec(const char *spec, const char **ppspec,
			  struct nmctx *ctx);

/*
 * nmreq.c: the NR_* flag of a port spec flag letter (x z t r R T), or 0
 * for any other character.
 */
uint64_t nmreq_flag_of(char c);

/* The letters nmreq_flag_of() knows, for error messages. */
#define NM_SPEC_FLAG_LETTERS "x z t r R T"

/*
 * nmreq.c: report a port spec error "invalid port spec '<spec>': <what>"
 * through ctx and set errno to err.  Always returns -1.
 */
int nmreq_spec_error(struct nmctx *ctx, int err, const char *spec,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * nmreq.c: set *mem_id to id, or fail (EINVAL, reported) if a different
 * id was set before; what names the source of id for the message.
 */
int nmreq_set_mem_id(struct nmctx *ctx, const char *spec, uint16_t *mem_id,
		     uint16_t id, const char *what);

/* nmreq.c: parse a decimal number of at most max; 0 or -1. */
int nmreq_parse_uint(const char *s, uint64_t max, uint64_t *val);

/*
 * nmport.c: nmport_inject() on an explicit ring range; shared with
 * nm_inject().  Returns size, or 0 when no bound ring has room.
 */
int nm_inject_rings(struct netmap_if *nifp, uint16_t first, uint16_t last,
		    uint16_t *cur, const void *buf, size_t size);

#endif /* LIB_LIBNETMAP_PRIVATE_H */
