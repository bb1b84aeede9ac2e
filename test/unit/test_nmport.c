// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the libnetmap open sequence over the fake backend: the
 * REGISTER request sent for a port spec, the ring range computed from
 * ring_ofs, region sharing between ports of a context, packet injection
 * with multi-slot packets, error reporting (option status, ioctl errno)
 * and that every error path releases what it took.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnetmap.h"
#include "tap.h"

#define FAKE_BACKEND_DECLS_ONLY
#include "fake_backend.c"

/* ------------------------------------------------------------------ */

static void test_open_close(void)
{
	const struct nmreq_register *body;
	const struct fake_req *r;
	struct netmap_ring *tx, *rx;
	struct nmport_d *d;

	fake_reset();
	clear_msgs();
	d = nmport_open("vale0:a-0/x@conf:rings=1,slots=16");
	ok(d != NULL, "nmport_open(vale0:a-0/x@conf:...) through the fake");
	if (d == NULL)
		return;
	is_int(nmsgs, 0, "no message on success");
	r = fake_last(NIOCCTRL, -1);
	ok(r != NULL, "a NIOCCTRL request was sent");
	body = (const struct nmreq_register *)r->body;
	is_int(r->hdr.nr_version, NETMAP_API, "nr_version 14");
	is_int(r->hdr.nr_reqtype, NETMAP_REQ_REGISTER, "REGISTER");
	is_int(r->hdr.nr_reserved, 0, "nr_reserved 0");
	is_str(r->hdr.nr_name, "vale0:a", "kernel name");
	is_int(r->hdr.nr_options, 0, "no options");
	ok(r->hdr.nr_body == (uintptr_t)&d->reg, "body is d->reg");
	is_int(body->nr_mode, NR_REG_ONE_NIC, "nr_mode ONE_NIC");
	is_int(body->nr_ringid, 0, "nr_ringid 0");
	is_int(body->nr_flags, NR_EXCLUSIVE, "nr_flags NR_EXCLUSIVE");
	ok(body->nr_tx_rings == 1 && body->nr_rx_rings == 1 && body->nr_tx_slots == 16 &&
	   body->nr_rx_slots == 16, "conf values sent");
	is_int(body->nr_mem_id, 0, "nr_mem_id 0: the kernel chooses");

	ok(d->register_done && d->mmap_done, "registered and mapped");
	ok(d->fd >= 0 && d->nifp != NULL && d->mem != NULL, "fd, nifp, mem set");
	is_int(d->mem->refcount, 1, "region refcount 1");
	is_int(d->mem->mem_id, 1, "region mem_id from the reply");
	is_int(fake_last_mmap_size, d->reg.nr_memsize, "mapped nr_memsize bytes");
	is_str(d->nifp->ni_name, "vale0:a", "nifp is the port's netmap_if");
	ok(d->first_tx_ring == 0 && d->last_tx_ring == 0 && d->first_rx_ring == 0 &&
	   d->last_rx_ring == 0, "one TX and one RX ring bound");
	ok(d->cur_tx_ring == 0 && d->cur_rx_ring == 0, "cur rings at the first ones");
	tx = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	rx = NETMAP_RXRING(d->nifp, d->first_rx_ring);
	ok(tx->dir == 1 && tx->num_slots == 16 && rx->dir == 0, "rings reachable");
	is_str(nmport_backend(d), "user", "nmport_backend reports the fake's kind");
	fake.kind = NMB_KERNEL;
	is_str(nmport_backend(d), "kernel", "and follows it");
	is_str(nmport_kind(d), "VALE ephemeral port", "nmport_kind");

	is_int(nmport_txsync(d), 0, "nmport_txsync");
	is_int(nmport_rxsync(d), 0, "nmport_rxsync");
	ok(fake_txsyncs == 1 && fake_rxsyncs == 1, "one sync ioctl each");

	nmport_close(d);
	is_int(fake_open_fds(), 0, "nmport_close closes the descriptor");
	is_int(fake_munmaps, 1, "and unmaps the region");
	is_int(fake_mmaps, 1, "mapped exactly once");
}

/* ------------------------------------------------------------------ */

struct range_case {
	const char *spec;
	uint16_t tx_rings, rx_rings, host_rings;
	int use_masks;
	uint64_t tx_mask, rx_mask;
	int tx_first, tx_last, rx_first, rx_last;	/* last < first: empty */
};

static const struct range_case ranges[] = {
	/* from the mode, as the fake kernel selects (spec 11.3) */
	{ "netmap:eth0", 4, 2, 1, 0, 0, 0, 0, 3, 0, 1 },
	{ "netmap:eth0-2", 4, 4, 1, 0, 0, 0, 2, 2, 2, 2 },
	{ "netmap:eth0-3", 4, 2, 1, 0, 0, 0, 3, 3, 0, 0 },
	{ "netmap:eth0^", 4, 2, 1, 0, 0, 0, 4, 4, 2, 2 },
	{ "netmap:eth0^", 4, 2, 2, 0, 0, 0, 4, 5, 2, 3 },
	{ "netmap:eth0^1", 4, 2, 2, 0, 0, 0, 5, 5, 3, 3 },
	{ "netmap:eth0*", 4, 2, 1, 0, 0, 0, 0, 4, 0, 2 },
	{ "netmap:eth0/T", 4, 2, 1, 0, 0, 0, 0, 3, 3, 2 },
	{ "netmap:eth0/R", 4, 2, 1, 0, 0, 0, 5, 4, 0, 1 },
	{ "netmap:eth0/RT", 2, 2, 1, 0, 0, 0, 3, 2, 3, 2 },
	{ "vale0:a", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* explicit ring_ofs layouts */
	{ "netmap:eth0", 4, 4, 1, 1, 0x06, 0x18, 1, 2, 3, 4 },
	{ "netmap:eth0", 4, 4, 1, 1, 0x0b, 0x01, 0, 1, 0, 0 },
	{ "netmap:eth0", 4, 4, 1, 1, 0x10, 0x10, 4, 4, 4, 4 },
	{ "netmap:eth0", 4, 4, 1, 1, 0x1f, 0x00, 0, 4, 5, 4 },
	{ "netmap:eth0", 3, 5, 2, 1, 0x00, 0x7f, 5, 4, 0, 6 },
	{ "netmap:eth0", 3, 5, 2, 1, 0x10, 0x40, 4, 4, 6, 6 },
};

static void test_ring_ranges(void)
{
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range_case *c = &ranges[i];
		struct nmport_d *d;

		fake_reset();
		fake.tx_rings = c->tx_rings;
		fake.rx_rings = c->rx_rings;
		fake.host_tx_rings = fake.host_rx_rings = c->host_rings;
		fake.use_masks = c->use_masks;
		fake.tx_mask = c->tx_mask;
		fake.rx_mask = c->rx_mask;
		d = nmport_open(c->spec);
		if (!ok(d != NULL, "open %s (%u/%u rings, masks %llx/%llx)", c->spec,
			c->tx_rings, c->rx_rings, (unsigned long long)c->tx_mask,
			(unsigned long long)c->rx_mask))
			continue;
		if (!ok(d->first_tx_ring == c->tx_first && d->last_tx_ring == c->tx_last &&
			d->first_rx_ring == c->rx_first && d->last_rx_ring == c->rx_last,
			"  TX [%d,%d] RX [%d,%d]", c->tx_first, c->tx_last, c->rx_first,
			c->rx_last))
			printf("#   got TX [%u,%u] RX [%u,%u]\n", d->first_tx_ring,
			       d->last_tx_ring, d->first_rx_ring, d->last_rx_ring);
		nmport_close(d);
	}
	fake_reset();
}

/* ------------------------------------------------------------------ */

static void test_mem_sharing(void)
{
	struct nmctx other = { .error = capture_error };
	struct nmport_d *a, *b, *c, *e;

	fake_reset();
	fake.mem_id = 5;
	a = nmport_open("vale0:a");
	b = nmport_open("vale0:b");
	ok(a && b, "two ports in region 5");
	if (!a || !b)
		return;
	ok(a->mem == b->mem, "they share one nmem_d");
	is_int(a->mem->refcount, 2, "refcount 2");
	is_int(a->mem->mem_id, 5, "mem_id 5");
	is_int(fake_mmaps, 1, "the region is mapped once");
	ok(a->nifp != b->nifp, "each has its own netmap_if");
	ok((char *)b->nifp == (char *)b->mem->mem + b->reg.nr_offset,
	   "nifp is at nr_offset of the shared mapping");

	fake.mem_id = 6;
	c = nmport_open("vale1:c");
	ok(c && c->mem != a->mem, "a port in region 6 gets its own mapping");
	is_int(fake_mmaps, 2, "mapped separately");

	e = nmport_new_with_ctx(&other);
	fake.mem_id = 5;
	ok(e && nmport_parse(e, "vale0:e") == 0 && nmport_open_desc(e) == 0,
	   "a port of region 5 in another context");
	ok(e && e->mem != a->mem && e->ctx == &other, "contexts do not share mappings");
	is_int(fake_mmaps, 3, "so it maps again");

	nmport_close(a);
	is_int(fake_munmaps, 0, "closing one user keeps the mapping");
	is_int(b->mem->refcount, 1, "refcount back to 1");
	nmport_close(b);
	is_int(fake_munmaps, 1, "the last user unmaps");
	nmport_close(c);
	nmport_close(e);
	is_int(fake_munmaps, 3, "every mapping released");
	ok(capture_ctx.mem_descs == NULL && other.mem_descs == NULL,
	   "contexts have no region left");
	is_int(fake_open_fds(), 0, "no descriptor left");
	fake_reset();
}

/* ------------------------------------------------------------------ */

static void test_inject(void)
{
	unsigned char pkt[600];
	struct netmap_ring *ring, *ring1;
	struct nmport_d *d;
	int i, n;

	for (i = 0; i < (int)sizeof(pkt); i++)
		pkt[i] = (unsigned char)i;
	fake_reset();
	fake.buf_size = 256;
	fake.tx_rings = 2;
	fake.tx_slots = 8;
	d = nmport_open("netmap:eth0");
	ok(d != NULL, "open a 2-ring port with 256-byte buffers");
	if (d == NULL)
		return;
	ring = NETMAP_TXRING(d->nifp, 0);
	ring1 = NETMAP_TXRING(d->nifp, 1);
	is_int(nm_ring_space(ring), 7, "a fresh TX ring has 7 free slots");

	is_int(nmport_inject(d, pkt, 100), 100, "inject 100 bytes");
	ok(ring->head == 1 && ring->cur == 1, "one slot used");
	ok(ring->slot[0].len == 100 && !(ring->slot[0].flags & NS_MOREFRAG),
	   "len 100, no NS_MOREFRAG");
	ok(!memcmp(NETMAP_BUF(ring, ring->slot[0].buf_idx), pkt, 100), "payload copied");

	ring->slot[1].flags = NS_MOREFRAG | NS_INDIRECT | NS_BUF_CHANGED;
	is_int(nmport_inject(d, pkt, 600), 600, "inject 600 bytes");
	ok(ring->head == 4 && ring->cur == 4, "three slots used");
	ok(ring->slot[1].len == 256 && ring->slot[2].len == 256 && ring->slot[3].len == 88,
	   "fragments of 256, 256, 88 bytes");
	ok(ring->slot[1].flags == (NS_MOREFRAG | NS_BUF_CHANGED) &&
	   ring->slot[2].flags == NS_MOREFRAG && ring->slot[3].flags == 0,
	   "NS_MOREFRAG on all but the last, NS_INDIRECT cleared, other flags kept");
	ok(!memcmp(NETMAP_BUF(ring, ring->slot[1].buf_idx), pkt, 256) &&
	   !memcmp(NETMAP_BUF(ring, ring->slot[2].buf_idx), pkt + 256, 256) &&
	   !memcmp(NETMAP_BUF(ring, ring->slot[3].buf_idx), pkt + 512, 88),
	   "payload spread over the fragments");

	is_int(nmport_inject(d, pkt, 0), 0, "an empty packet");
	ok(ring->head == 5 && ring->slot[4].len == 0, "takes one slot of length 0");

	/* 2 slots left on ring 0: a 3-slot packet goes to ring 1 */
	is_int(nmport_inject(d, pkt, 513), 513, "a 3-slot packet with 2 slots left");
	ok(ring->head == 5 && ring1->head == 3, "goes to the next ring");
	is_int(d->cur_tx_ring, 1, "cur_tx_ring follows");
	is_int(nmport_inject(d, pkt, 60), 60, "next packet");
	is_int(ring1->head, 4, "stays on ring 1");

	n = 0;
	while (nmport_inject(d, pkt, 60) == 60 && n < 100)
		n++;
	is_int(n, 3 + 2, "fills the remaining slots of both rings");
	is_int(nmport_inject(d, pkt, 60), 0, "then returns 0: no room");
	is_int(nmport_inject(d, pkt, 0), 0, "not even for an empty packet");
	is_int(ring->head, 7, "and nothing was written");
	nmport_close(d);

	d = nmport_new();
	is_int(nmport_inject(d, pkt, 10), 0, "inject on an unopened port returns 0");
	nmport_delete(d);
	fake_reset();
}

/* ------------------------------------------------------------------ */

static void test_errors(void)
{
	struct nmreq_option bogus;
	struct nmport_d *d;

	fake_reset();
	clear_msgs();
	fake.ioctl_err = ENXIO;
	errno = 0;
	d = nmport_open("netmap:nosuch0");
	ok(d == NULL && errno == ENXIO, "registration failure: NULL, errno ENXIO");
	is_str(last_msg, "cannot register nosuch0: No such device or address",
	       "message names the port and the error");
	is_int(nmsgs, 1, "one message");
	is_int(fake_open_fds(), 0, "the descriptor is closed");

	nmport_enable_option("offset");
	clear_msgs();
	fake.ioctl_err = EINVAL;
	fake.opt_status[NETMAP_REQ_OPT_OFFSETS] = EINVAL;
	d = nmport_open("vale0:a@offset=64");
	ok(d == NULL && errno == EINVAL, "option failure: NULL, EINVAL");
	is_str(last_msg, "cannot register vale0:a: option offsets: Invalid argument",
	       "message names the failing option");
	is_int(nmsgs, 1, "one message");

	clear_msgs();
	fake.ioctl_err = ENXIO;
	fake.opt_status[NETMAP_REQ_OPT_OFFSETS] = EOPNOTSUPP;
	d = nmport_open("vale0:a@offset=64");
	ok(d == NULL && errno == ENXIO, "request failure with an unprocessed option");
	is_str(last_msg, "cannot register vale0:a: No such device or address "
	       "(option offsets: Operation not supported)",
	       "message gives the request error first");
	nmport_disable_option("offset");

	/* an option type the kernel does not know fails the registration */
	fake_reset();
	clear_msgs();
	d = nmport_prepare("vale0:a");
	memset(&bogus, 0, sizeof(bogus));
	bogus.nro_reqtype = 1234;
	nmreq_push_option(&d->hdr, &bogus);
	errno = 0;
	is_int(nmport_open_desc(d), -1, "REGISTER with an unknown option fails");
	is_int(errno, EOPNOTSUPP, "EOPNOTSUPP");
	is_int(bogus.nro_status, EOPNOTSUPP, "option status EOPNOTSUPP");
	is_str(last_msg, "cannot register vale0:a: option unknown: Operation not supported",
	       "message reports the option");
	ok(!d->register_done && d->fd == -1, "the port is left unregistered");
	nmreq_remove_option(&d->hdr, &bogus);
	clear_msgs();
	is_int(nmport_open_desc(d), 0, "and can be opened once the option is gone");
	is_int(bogus.nro_status, EOPNOTSUPP, "(the removed option is not touched)");
	nmport_close(d);

	fake_reset();
	clear_msgs();
	fake.open_err = EACCES;
	d = nmport_open("vale0:a");
	ok(d == NULL && errno == EACCES, "no control descriptor: EACCES");
	is_str(last_msg, "cannot register vale0:a: cannot open a netmap control "
	       "descriptor: Permission denied", "message");

	fake_reset();
	clear_msgs();
	fake.mmap_err = ENOMEM;
	d = nmport_open("vale0:a");
	ok(d == NULL && errno == ENOMEM, "mmap failure: ENOMEM");
	is_str(last_msg, "cannot map the memory region of vale0:a: Cannot allocate memory",
	       "message");
	is_int(fake_open_fds(), 0, "the registration is undone");

	fake_reset();
	clear_msgs();
	fake.memsize = 1ull << 40;
	d = nmport_open("vale0:a");
	ok(d == NULL && errno == EINVAL, "a region the backend cannot map: EINVAL");
	is_int(fake_open_fds(), 0, "descriptor closed");

	fake_reset();
	clear_msgs();
	d = nmport_open("vale0:a/q");
	ok(d == NULL && errno == EINVAL, "parse error: NULL, EINVAL");
	is_int(fake_opens, 0, "nothing is opened for a bad spec");
	is_int(nmsgs, 1, "one message");

	/* the steps refuse to run twice or out of order */
	d = nmport_prepare("vale0:a");
	clear_msgs();
	is_int(nmport_mmap(d), -1, "nmport_mmap before nmport_register fails");
	ok(strstr(last_msg, "not registered") != NULL, "message: %s", last_msg);
	is_int(nmport_register(d), 0, "register");
	is_int(nmport_register(d), -1, "register twice fails");
	is_int(nmport_mmap(d), 0, "mmap");
	is_int(nmport_mmap(d), -1, "mmap twice fails");
	is_int(fake_open_fds(), 1, "only one descriptor was opened");
	nmport_undo_mmap(d);
	nmport_undo_mmap(d);
	is_int(fake_munmaps, 1, "undo_mmap twice unmaps once");
	ok(d->nifp == NULL && d->mem == NULL && !d->mmap_done, "mapping fields cleared");
	nmport_undo_register(d);
	nmport_undo_register(d);
	is_int(fake_closes, 1, "undo_register twice closes once");
	is_int(nmport_open_desc(d), 0, "the port can be opened again");
	nmport_close(d);
	is_int(fake_open_fds(), 0, "and closed");
	ok(nmport_txsync(d = nmport_new()) == -EBADF && nmport_rxsync(d) == -EBADF,
	   "sync on an unregistered port: -EBADF");
	nmport_delete(d);
	nmport_close(NULL);
	nmport_delete(NULL);
	ok(1, "nmport_close(NULL) and nmport_delete(NULL) are no-ops");
	fake_reset();
}

/* ------------------------------------------------------------------ */

static void test_prepare_clone_offsets(void)
{
	const struct nmreq_opt_offsets *off;
	const struct fake_req *r;
	struct nmport_d *d, *c;

	fake_reset();
	d = nmport_prepare("vale0:a-0");
	ok(d && !d->register_done && d->fd == -1, "nmport_prepare parses only");
	d->reg.nr_extra_bufs = 4;
	is_int(nmport_offset(d, 16, 128, 10, 32), 0, "nmport_offset");
	clear_msgs();
	is_int(nmport_offset(d, 16, 128, 10, 32), -1, "a second nmport_offset fails");
	is_int(nmport_open_desc(d), 0, "nmport_open_desc");
	r = fake_last(NIOCCTRL, NETMAP_REQ_REGISTER);
	is_int(((const struct nmreq_register *)r->body)->nr_extra_bufs, 4,
	       "fields set between prepare and open are sent");
	off = fake_req_opt(r, NETMAP_REQ_OPT_OFFSETS);
	ok(off != NULL, "the OFFSETS option is sent");
	if (off)
		ok(off->nro_initial_offset == 16 && off->nro_max_offset == 128 &&
		   off->nro_offset_bits == 10 && off->nro_min_gap == 32,
		   "with initial 16, max 128, bits 10, gap 32");
	is_int(nmport_offset(d, 0, 0, 0, 0), -1, "nmport_offset after registration fails");
	clear_msgs();
	c = nmport_new();
	ok(nmport_offset(c, 0, 0, 65, 0) == -1 &&
	   strstr(last_msg, "more than 64 offset bits"), "more than 64 bits: EINVAL");
	ok(nmport_offset(c, 9, 8, 0, 0) == -1 &&
	   strstr(last_msg, "initial offset larger than the maximum"),
	   "initial > max: EINVAL");
	nmport_delete(c);

	c = nmport_clone(d);
	ok(c != NULL, "nmport_clone of an open port");
	if (c) {
		ok(c->hdr.nr_options == 0 && c->hdr.nr_body == (uintptr_t)&c->reg &&
		   !strcmp(c->hdr.nr_name, "vale0:a") && c->reg.nr_mode == NR_REG_ONE_NIC,
		   "same request, no options");
		is_int(c->reg.nr_mem_id, d->reg.nr_mem_id, "same region");
		ok(!c->register_done && c->fd == -1 && c->ctx == d->ctx, "not opened, same ctx");
		is_int(nmport_open_desc(c), 0, "the clone opens");
		ok(c->mem == d->mem && c->mem->refcount == 2, "and shares the mapping");
		nmport_close(c);
	}
	nmport_close(d);
	is_int(fake_open_fds(), 0, "all closed");
	fake_reset();
}

/* ------------------------------------------------------------------ */

static void test_extmem(void)
{
	size_t size = FAKE_REGION_SIZE;
	void *mem = aligned_alloc(4096, size);
	const struct nmreq_opt_extmem *x;
	const struct fake_req *r;
	struct nmport_d *d, *c;

	fake_reset();
	d = nmport_prepare("vale0:a");
	is_int(nmport_extmem(d, mem, size), 0, "nmport_extmem");
	ok(d->extmem && d->extmem->nro_usrptr == (uintptr_t)mem &&
	   d->extmem->nro_info.nr_memsize == size, "extmem option filled");
	is_int(nmport_extmem(d, mem, size), -1, "a second nmport_extmem fails");
	clear_msgs();
	c = nmport_clone(d);
	ok(c == NULL && errno == EINVAL, "cloning an unregistered extmem port fails");
	ok(strstr(last_msg, "uses extmem") != NULL, "message: %s", last_msg);
	is_int(nmport_open_desc(d), 0, "open with extmem");
	r = fake_last(NIOCCTRL, NETMAP_REQ_REGISTER);
	x = fake_req_opt(r, NETMAP_REQ_OPT_EXTMEM);
	ok(x && x->nro_usrptr == (uintptr_t)mem, "EXTMEM option sent");
	ok(d->mem && d->mem->mem == mem && d->mem->is_extmem, "the region is the user memory");
	is_int(fake_mmaps, 0, "nothing is mapped from the backend");
	ok((char *)d->nifp == (char *)mem + d->reg.nr_offset, "nifp inside the user memory");
	is_str(d->nifp->ni_name, "vale0:a", "and valid");
	c = nmport_clone(d);
	ok(c != NULL, "a registered extmem port can be cloned");
	if (c) {
		ok(c->extmem == NULL && c->hdr.nr_options == 0, "without the option");
		is_int(c->reg.nr_mem_id, d->reg.nr_mem_id, "in the same region");
		nmport_delete(c);
	}
	nmport_close(d);
	is_int(fake_munmaps, 0, "user memory is never unmapped");
	is_int(fake_open_fds(), 0, "descriptor closed");
	fake_reset();
	free(mem);
}

/* ------------------------------------------------------------------ */

static int allocs, frees;

static void *count_malloc(struct nmctx *ctx, size_t size)
{
	(void)ctx;
	allocs++;
	return malloc(size);
}

static void count_free(struct nmctx *ctx, void *p)
{
	(void)ctx;
	frees++;
	free(p);
}

static void test_own_ctx(void)
{
	struct nmctx own = { .error = capture_error, .malloc = count_malloc,
			     .free = count_free };
	struct nmport_d *d;

	fake_reset();
	d = nmport_new_with_ctx(&own);
	ok(d && nmport_parse(d, "vale0:a") == 0 && nmport_open_desc(d) == 0,
	   "open a port with a tool's own context");
	ok(own.mem_descs == d->mem, "the region is recorded in that context");
	nmport_close(d);
	ok(allocs > 1 && allocs == frees, "all memory through its allocator (%d/%d)",
	   allocs, frees);
	clear_msgs();
	fake.ioctl_err = EPERM;
	d = nmport_new_with_ctx(&own);
	nmport_parse(d, "vale0:a");
	is_int(nmport_open_desc(d), -1, "a failure");
	is_str(nmport_last_error(&own), "cannot register vale0:a: Operation not permitted",
	       "is visible through nmport_last_error(ctx)");
	is_int(nmsgs, 1, "and the context's callback");
	nmport_delete(d);
	fake_reset();
}

int main(void)
{
	fake_reset();
	nmctx_set_default(&capture_ctx);
	test_open_close();
	test_ring_ranges();
	test_mem_sharing();
	test_inject();
	test_errors();
	test_prepare_clone_offsets();
	test_extmem();
	test_own_ctx();
	fake_reset();
	nmctx_set_default(NULL);
	return tap_done();
}
