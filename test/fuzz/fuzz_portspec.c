// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the port specifications of libnetmap, both grammars.
 * The input is one name: nmport_prepare() parses it (14.2: flags, ring
 * selectors, @N, @conf:..., options), nmport_open() also registers and
 * maps it, and nm_open() does the same with the legacy grammar (14.4);
 * requests go to the fake backend of the unit tests
 * (test/unit/fake_backend.c), so nothing real is opened.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NETMAP_WITH_LIBS
#include <libnetmap.h>
#include <net/netmap_user.h>

#define FAKE_BACKEND_DECLS_ONLY
#include "../unit/fake_backend.c"

static void quiet(struct nmctx *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nmctx ctx;
	struct nmport_d *d;
	struct nm_desc *nd;
	char *name;

	if (!ctx.error) {
		ctx = *nmctx_get();
		ctx.error = quiet;
		nmctx_set_default(&ctx);
	}
	name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	d = nmport_prepare(name);
	if (d)
		nmport_undo_prepare(d);
	d = nmport_open(name);
	if (d)
		nmport_close(d);
	nd = nm_open(name, NULL, 0, NULL);
	if (nd)
		nm_close(nd);
	fake_reset();
	free(name);
	return 0;
}
