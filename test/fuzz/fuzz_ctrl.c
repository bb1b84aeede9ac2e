// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: NIOCCTRL, its option list and the legacy requests,
 * decoded and run by the real core (core/nm_ctrl.c and everything a
 * request reaches) through the user-runtime host, as an application's
 * ioctl would (lib/backend.c, NETMAP_BACKEND=user, a private runtime
 * directory).
 *
 * Input (short inputs are padded with zeros):
 *   byte 0          what to do: 0-3 NIOCCTRL, 4 NIOCREGIF, 5 NIOCGINFO,
 *                   6 NIOCCONFIG, 7 NIOCCTRL twice on one descriptor;
 *                   bit 3: sync and poll after a request that succeeded
 *   NIOCCTRL:  88 bytes nmreq_header (nr_body and nr_options replaced),
 *              1 byte body pointer kind, 64 bytes body, 1 byte option
 *              count (mod 9), then per option 1 byte pointer kind and 96
 *              bytes (24-byte header, nro_next replaced, and body)
 *   legacy:    60 bytes struct nmreq / 272 bytes struct nm_ifreq
 * Registrations ask for at most 128 slots (0 and larger counts become
 * 1 + count % 128): a port of 1024 slots costs a 40 MB region, which
 * would make each run slow without reaching more code (the defaults and
 * clamps are the unit tests' and the guest's).  Likewise at most 1023
 * extra buffers (count % 1024): the 524288 a binding may get are a
 * gigabyte of arena file to back and chain, 20 s when the runtime
 * directory is on a busy disk, which libFuzzer reports as a timeout.
 * Pointer kinds (mod 4): 0 the data, 1 NULL, 2 an unmapped address,
 * 3 the data's last byte (a copy runs off the end of the mapping: the
 * data sits at the end of a page followed by a guard page).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_legacy.h>

#include "backend.h"

#define NOPT_MAX 8
#define OPT_BYTES 96

struct cursor {
	const uint8_t *p;
	size_t left;
};

static void take(struct cursor *c, void *dst, size_t n)
{
	size_t k = n < c->left ? n : c->left;

	memcpy(dst, c->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	c->p += k;
	c->left -= k;
}

static uint8_t take8(struct cursor *c)
{
	uint8_t v;

	take(c, &v, 1);
	return v;
}

/*
 * Guarded memory: each object is copied to the end of its own page, the
 * next page being inaccessible, so a read past what the request says is
 * a fault the core must answer with EFAULT (never a crash).
 */
#define SLOTS (2 + NOPT_MAX)
static uint8_t *arena;
static long pg;

static void *place(int slot, const void *src, size_t n)
{
	uint8_t *page = arena + (size_t)slot * 2 * pg;

	memcpy(page + pg - n, src, n);
	return page + pg - n;
}

static void *pointer(uint8_t kind, void *good, size_t n)
{
	switch (kind % 4) {
	case 0:
		return good;
	case 1:
		return NULL;
	case 2:
		return (void *)(uintptr_t)0x10;
	default:
		return (uint8_t *)good + n - 1;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/netmap-fuzz-XXXXXX";
	int i;

	(void)argc;
	(void)argv;
	pg = sysconf(_SC_PAGESIZE);
	arena = mmap(NULL, (size_t)SLOTS * 2 * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED)
		abort();
	for (i = 0; i < SLOTS; i++)
		mprotect(arena + ((size_t)i * 2 + 1) * pg, pg, PROT_NONE);
	if (!getenv("NETMAP_RUNTIME_DIR")) {
		if (!mkdtemp(dir))
			abort();
		setenv("NETMAP_RUNTIME_DIR", dir, 1);
	}
	setenv("NETMAP_BACKEND", "user", 1);
	return 0;
}

static int run_ctrl(int fd, struct cursor *c)
{
	struct nmreq_header h;
	uint8_t body[64], kind, opts[NOPT_MAX][OPT_BYTES], okind[NOPT_MAX];
	struct nmreq_header *uh;
	void *optp[NOPT_MAX];
	int i, n;

	take(c, &h, sizeof(h));
	kind = take8(c);
	take(c, body, sizeof(body));
	n = take8(c) % (NOPT_MAX + 1);
	for (i = 0; i < n; i++) {
		okind[i] = take8(c);
		take(c, opts[i], OPT_BYTES);
	}
	/* Options last to first, so that each can point at the next. */
	for (i = n - 1; i >= 0; i--) {
		struct nmreq_option *o = (struct nmreq_option *)opts[i];

		if (i == n - 1 || okind[i] % 4 == 1)
			o->nro_next = 0;
		else if (okind[i] % 4 == 0)
			o->nro_next = (uintptr_t)optp[i + 1];
		else if (okind[i] % 4 == 2)
			o->nro_next = 0x10;
		else	/* a loop back to the first */
			o->nro_next = (uintptr_t)(arena + 2 * 2 * pg + pg -
						  OPT_BYTES);
		optp[i] = place(2 + i, opts[i], OPT_BYTES);
	}
	if (h.nr_reqtype == NETMAP_REQ_REGISTER ||
	    h.nr_reqtype == NETMAP_REQ_VALE_ATTACH) {
		struct nmreq_register *r = (struct nmreq_register *)body;

		r->nr_tx_slots = 1 + r->nr_tx_slots % 128;
		r->nr_rx_slots = 1 + r->nr_rx_slots % 128;
		r->nr_extra_bufs %= 1024;
	}
	h.nr_body = (uintptr_t)pointer(kind, place(1, body, sizeof(body)),
				       sizeof(body));
	h.nr_options = n ? (uintptr_t)optp[0] : 0;
	uh = place(0, &h, sizeof(h));
	if (h.nr_reqtype == NETMAP_REQ_SYNC_KLOOP_START) {
		/*
		 * A START that passes its checks runs the sync loop until a
		 * STOP: a STOP first is kept for it (spec 25.3), so it
		 * returns at once, all its checks made.
		 */
		struct nmreq_header stop = h;

		stop.nr_reqtype = NETMAP_REQ_SYNC_KLOOP_STOP;
		stop.nr_body = stop.nr_options = 0;
		nmb_ioctl(fd, NIOCCTRL, &stop);
	}
	return nmb_ioctl(fd, NIOCCTRL, uh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t op = take8(&c);
	int fd, err;

	fd = nmb_open();
	if (fd < 0)
		return 0;
	switch (op & 7) {
	case 4:
	case 5: {
		struct nmreq r;

		take(&c, &r, sizeof(r));
		r.nr_tx_slots = 1 + r.nr_tx_slots % 128;
		r.nr_rx_slots = 1 + r.nr_rx_slots % 128;
		r.nr_arg3 %= 1024;	/* extra buffers */
		err = nmb_ioctl(fd, (op & 7) == 4 ? NIOCREGIF : NIOCGINFO,
				place(0, &r, sizeof(r)));
		break;
	}
	case 6: {
		struct nm_ifreq r;

		take(&c, &r, sizeof(r));
		err = nmb_ioctl(fd, NIOCCONFIG, place(0, &r, sizeof(r)));
		break;
	}
	case 7:
		err = run_ctrl(fd, &c);
		err = run_ctrl(fd, &c);
		break;
	default:
		err = run_ctrl(fd, &c);
		break;
	}
	if (!err && (op & 8)) {
		nmb_ioctl(fd, NIOCTXSYNC, NULL);
		nmb_ioctl(fd, NIOCRXSYNC, NULL);
	}
	nmb_close(fd);
	return 0;
}
