// SPDX-License-Identifier: BSD-2-Clause
/*
 * libnetmap's option parser types as netmap's libnetmap declares them: a
 * program's own option, declared with default_key, nr_keys, next and key
 * ids, parsed by nmreq_options_decode(); nmport_undo_parse().  Run:
 * prints "hdr_libnetmap ok".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libnetmap.h>

_Static_assert(NMREQ_OPTK_DEFAULT == 4, "NMREQ_OPTK_DEFAULT is 4");
_Static_assert(NMREQ_OPTK_ALLOWEMPTY != 0 && NMREQ_OPTF_ALLOWEMPTY != 0,
	       "ALLOWEMPTY flags");

enum { K_SPEED, K_DUPLEX, K_AUTO };

/* The values live only during the callback: keep copies. */
static char vals[3][32];
static const char *seen[3];

static int parse_link(struct nmreq_parse_ctx *pctx)
{
	int i;

	for (i = 0; i < 3; i++) {
		seen[i] = NULL;
		if (pctx->keys[i]) {
			snprintf(vals[i], sizeof(vals[i]), "%s", pctx->keys[i]);
			seen[i] = vals[i];
		}
	}
	return 0;
}

static int parse_mark(struct nmreq_parse_ctx *pctx)
{
	(void)pctx;
	seen[0] = "mark";
	return 0;
}

static struct nmreq_opt_parser mark_parser = {
	.prefix = "mark",
	.parse = parse_mark,
	.default_key = -1,
	.nr_keys = 0,
	.flags = NMREQ_OPTF_ALLOWEMPTY,
	.next = NULL,
};

static struct nmreq_opt_parser link_parser = {
	.prefix = "link",
	.parse = parse_link,
	.default_key = K_SPEED,
	.nr_keys = 3,
	.flags = 0,
	.next = &mark_parser,
	.keys = {
		{ .key = "speed", .id = K_SPEED, .flags = 0 },
		{ .key = "duplex", .id = K_DUPLEX, .flags = 0 },
		{ .key = "auto", .id = K_AUTO,
		  .flags = NMREQ_OPTK_ALLOWEMPTY },
	},
};

int main(void)
{
	nmreq_opt_parser_cb cb = parse_link;
	struct nmctx *ctx = nmctx_get();
	struct nmport_d *d;

	(void)cb;
	if (nmreq_options_decode("@link=100", &link_parser, NULL, ctx) ||
	    !seen[K_SPEED] || strcmp(seen[K_SPEED], "100")) {
		fprintf(stderr, "@link=100: %s\n", strerror(errno));
		return 1;
	}
	if (nmreq_options_decode("@link:duplex=full,auto", &link_parser,
				 NULL, ctx) ||
	    !seen[K_DUPLEX] || strcmp(seen[K_DUPLEX], "full") ||
	    !seen[K_AUTO] || seen[K_AUTO][0] || seen[K_SPEED]) {
		fprintf(stderr, "@link:duplex=full,auto: %s\n",
			strerror(errno));
		return 1;
	}
	if (nmreq_options_decode("@mark", &link_parser, NULL, ctx) ||
	    !seen[0] || strcmp(seen[0], "mark")) {
		fprintf(stderr, "@mark: %s\n", strerror(errno));
		return 1;
	}
	d = nmport_new();
	if (!d || nmport_parse(d, "netmap:p{0@conf:slots=128")) {
		fprintf(stderr, "nmport_parse: %s\n", strerror(errno));
		return 1;
	}
	nmport_undo_parse(d);
	nmport_delete(d);
	printf("hdr_libnetmap ok\n");
	return 0;
}
