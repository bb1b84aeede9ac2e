// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the legacy nm_open() family (spec 14.4) over the fake
 * backend: the name grammar (rules 1-4), the NIOCREGIF request it sends
 * (rules 5-6), the ring range it derives (rule 7), mapping and parent
 * sharing, and nm_inject / nm_dispatch / nm_nextpkt over rings laid out
 * by the fake, including multi-slot packets.
 */
#define NETMAP_WITH_LIBS
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
/* Rule 1: names that are not for netmap                               */
/* ------------------------------------------------------------------ */

static void test_not_netmap(void)
{
	static const char *names[] = { "foo", "eth0", "", "netmap", "netmap-1",
				       "NETMAP:eth0", "val0:a", "pcap:eth0" };
	size_t i;

	fake_reset();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct nm_desc *d;

		errno = 123;
		clear_msgs();
		d = nm_open(names[i], NULL, 0, NULL);
		ok(d == NULL && errno == 0 && nmsgs == 0,
		   "'%s' is not a netmap name: NULL, errno 0, silent", names[i]);
	}
	errno = 123;
	ok(nm_open(NULL, NULL, 0, NULL) == NULL && errno == 0, "NULL name: errno 0");
	is_int(fake_opens, 0, "nothing was opened");
}

/* ------------------------------------------------------------------ */
/* Rules 2-4: malformed names                                          */
/* ------------------------------------------------------------------ */

static void test_bad_names(void)
{
	static const struct {
		const char *name;
		const char *msg;
	} bad[] = {
		{ "netmap:eth0-", "missing number after '-'" },
		{ "netmap:eth0{", "missing number after '{'" },
		{ "netmap:eth0}", "missing number after '}'" },
		{ "netmap:eth0-x", "missing number after '-'" },
		{ "netmap:eth0{a", "missing number after '{'" },
		{ "netmap:eth0-4095", "out of range; expected at most 4094" },
		{ "netmap:eth0{4095", "out of range" },
		{ "netmap:eth0-99999999999", "out of range" },
		{ "netmap:eth0^3", "unexpected '3' after the ring suffix" },
		{ "netmap:eth0*1", "unexpected '1' after the ring suffix" },
		{ "netmap:eth0-1x", "unexpected 'x' after the ring suffix" },
		{ "netmap:eth0-1-2", "unexpected '-' after the ring suffix" },
		{ "netmap:eth0{1}2", "unexpected '}' after the ring suffix" },
		{ "netmap:eth0/q", "unknown flag 'q'; expected one of x z t r R T" },
		{ "netmap:eth0/x-1", "unknown flag '-'" },
		{ "netmap:eth0@", "missing memory id after '@'" },
		{ "netmap:eth0@x", "missing memory id after '@'" },
		{ "netmap:eth0@0", "invalid memory id" },
		{ "netmap:eth0@65536", "invalid memory id" },
		{ "netmap:eth0@1@2", "unexpected '@' after the memory id" },
		{ "netmap:eth0@1x", "unexpected 'x' after the memory id" },
		{ "netmap:eth0@1/x", "unexpected '/' after the memory id" },
		{ "netmap:eth0/x@", "missing memory id after '@'" },
		{ "vale0", "missing ':' after the switch name" },
		{ "vale", "missing ':' after the switch name" },
		{ "vale-0:a", "invalid character '-' in the switch name" },
		{ "vale0.1:a", "invalid character '.' in the switch name" },
		{ "vale0:", "empty port name" },
		{ "vale0:-1", "empty port name" },
		{ "vale0:a.b", "invalid character '.' in the port name" },
		{ "vale0:a:b", "invalid character ':' in the port name" },
		{ "netmap:0123456789abcdef", "name is 16 characters long; at most 15" },
		{ "vale0:0123456789", "name is 16 characters long" },
		{ "netmap:0123456789abcdef-1", "name is 16 characters long" },
	};
	size_t i;

	fake_reset();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char prefix[256];
		struct nm_desc *d;

		errno = 0;
		clear_msgs();
		d = nm_open(bad[i].name, NULL, 0, NULL);
		snprintf(prefix, sizeof(prefix), "nm_open: invalid port name '%s': ",
			 bad[i].name);
		if (!ok(d == NULL && errno == EINVAL && nmsgs == 1 &&
			!strncmp(last_msg, prefix, strlen(prefix)) &&
			strstr(last_msg, bad[i].msg),
			"'%s': EINVAL, %s", bad[i].name, bad[i].msg))
			printf("#   errno %d, %d messages, last: %s\n", errno, nmsgs,
			       last_msg);
	}
	is_int(fake_opens, 0, "no descriptor opened for a bad name");
	is_int(fake_nreqs(), 0, "no request sent");
}

/* ------------------------------------------------------------------ */
/* Rules 3-5: good names and the request they send                     */
/* ------------------------------------------------------------------ */

static void test_good_names(void)
{
	static const struct {
		const char *name;
		const char *kname;
		uint32_t flags;		/* mode nibble and NR_* flags */
		uint16_t ringid;
		uint16_t arg2;
	} good[] = {
		{ "netmap:eth0", "eth0", NR_REG_ALL_NIC, 0, 0 },
		{ "netmap:eth0-2", "eth0", NR_REG_ONE_NIC, 2, 0 },
		{ "netmap:eth0-4094", "eth0", NR_REG_ONE_NIC, 4094, 0 },
		{ "netmap:eth0^", "eth0", NR_REG_SW, 0, 0 },
		{ "netmap:eth0*", "eth0", NR_REG_NIC_SW, 0, 0 },
		{ "netmap:eth0{3", "eth0", NR_REG_PIPE_MASTER, 3, 0 },
		{ "netmap:eth0}4", "eth0", NR_REG_PIPE_SLAVE, 4, 0 },
		{ "netmap:eth0{0/x", "eth0", NR_REG_PIPE_MASTER | NR_EXCLUSIVE, 0, 0 },
		{ "netmap:eth0/xztrRT", "eth0", NR_REG_ALL_NIC | NR_EXCLUSIVE | NR_ZCOPY_MON |
		  NR_MONITOR_TX | NR_MONITOR_RX | NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY, 0, 0 },
		{ "netmap:eth0/", "eth0", NR_REG_ALL_NIC, 0, 0 },
		{ "netmap:eth0-1/R@2", "eth0", NR_REG_ONE_NIC | NR_RX_RINGS_ONLY, 1, 2 },
		{ "netmap:eth0@3", "eth0", NR_REG_ALL_NIC, 0, 3 },
		{ "netmap:eth0^@4", "eth0", NR_REG_SW, 0, 4 },
		{ "netmap:eth0/t@5", "eth0", NR_REG_ALL_NIC | NR_MONITOR_TX, 0, 5 },
		{ "netmap:eth0.1&x", "eth0.1&x", NR_REG_ALL_NIC, 0, 0 },
		{ "netmap:0123456789abcde", "0123456789abcde", NR_REG_ALL_NIC, 0, 0 },
		{ "netmap:", "", NR_REG_ALL_NIC, 0, 0 },
		{ "vale0:a", "vale0:a", NR_REG_ALL_NIC, 0, 0 },
		{ "vale:a", "vale:a", NR_REG_ALL_NIC, 0, 0 },
		{ "valeA_b:c_1", "valeA_b:c_1", NR_REG_ALL_NIC, 0, 0 },
		{ "vale0:a{1", "vale0:a", NR_REG_PIPE_MASTER, 1, 0 },
		{ "vale0:012345678", "vale0:012345678", NR_REG_ALL_NIC, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct fake_req *r;
		struct nm_desc *d;

		fake_reset();
		fake.tx_rings = fake.rx_rings = 8;
		clear_msgs();
		d = nm_open(good[i].name, NULL, 0, NULL);
		r = fake_last(NIOCREGIF, -1);
		if (!ok(d != NULL && r != NULL, "nm_open(%s)", good[i].name)) {
			printf("#   errno %d: %s\n", errno, last_msg);
			continue;
		}
		if (!ok(!strcmp(r->legacy.nr_name, good[i].kname) &&
			r->legacy.nr_flags == good[i].flags &&
			r->legacy.nr_ringid == good[i].ringid &&
			r->legacy.nr_arg2 == good[i].arg2 &&
			r->legacy.nr_version == NETMAP_API && r->legacy.nr_cmd == 0,
			"  sends name '%s' flags 0x%x ringid %u arg2 %u", good[i].kname,
			good[i].flags, good[i].ringid, good[i].arg2))
			printf("#   got '%s' flags 0x%x ringid %u arg2 %u version %u\n",
			       r->legacy.nr_name, r->legacy.nr_flags, r->legacy.nr_ringid,
			       r->legacy.nr_arg2, r->legacy.nr_version);
		nm_close(d);
	}
	is_int(fake_open_fds(), 0, "every descriptor closed");
}

static void test_request_fields(void)
{
	const struct fake_req *r;
	struct nm_desc *d;
	struct nmreq req;

	fake_reset();
	memset(&req, 0, sizeof(req));
	req.nr_tx_slots = 64;
	req.nr_rx_slots = 32;
	req.nr_tx_rings = 2;
	req.nr_rx_rings = 3;
	req.nr_ringid = 0x7000 | 5;	/* stale bits: masked */
	req.nr_flags = NR_ACCEPT_VNET_HDR | NR_REG_NIC_SW;	/* mode replaced */
	req.nr_arg1 = 9;
	req.nr_arg2 = 7;
	req.nr_arg3 = 11;
	req.nr_version = 99;
	d = nm_open("netmap:eth0-1", &req, NETMAP_NO_TX_POLL | NETMAP_DO_RX_POLL, NULL);
	r = fake_last(NIOCREGIF, -1);
	ok(d && r, "nm_open with a request and poll flags");
	if (!d || !r)
		return;
	is_int(r->legacy.nr_version, NETMAP_API, "nr_version forced to 14");
	is_int(r->legacy.nr_ringid, 1 | NETMAP_NO_TX_POLL | NETMAP_DO_RX_POLL,
	       "ring from the name, poll bits from flags, others masked");
	is_int(r->legacy.nr_flags, NR_REG_ONE_NIC | NR_ACCEPT_VNET_HDR,
	       "mode from the name, other flags from req");
	ok(r->legacy.nr_tx_slots == 64 && r->legacy.nr_rx_slots == 32 &&
	   r->legacy.nr_tx_rings == 2 && r->legacy.nr_rx_rings == 3,
	   "slots and rings from req");
	ok(r->legacy.nr_arg1 == 9 && r->legacy.nr_arg2 == 7 && r->legacy.nr_arg3 == 11,
	   "arg1..3 from req without a parent");
	is_int(req.nr_ringid, 0x7005, "the caller's req is not modified");
	is_int(d->req.nr_arg2, 7, "the reply's mem_id is in d->req.nr_arg2");
	nm_close(d);

	req.nr_arg2 = 7;
	d = nm_open("netmap:eth0@2", &req, 0, NULL);
	r = fake_last(NIOCREGIF, -1);
	is_int(r ? r->legacy.nr_arg2 : 0, 2, "@N overrides req's nr_arg2");
	nm_close(d);
	fake_reset();
}

/* ------------------------------------------------------------------ */
/* Rule 7: ring range                                                  */
/* ------------------------------------------------------------------ */

static void test_ring_range(void)
{
	static const struct {
		const char *name;
		int tx_first, tx_last, rx_first, rx_last;
	} cases[] = {
		{ "netmap:eth0", 0, 3, 0, 1 },
		{ "netmap:eth0*", 0, 4, 0, 2 },
		{ "netmap:eth0^", 4, 4, 2, 2 },
		{ "netmap:eth0-1", 1, 1, 1, 1 },
		{ "netmap:eth0-3", 3, 3, 3, 3 },
		{ "netmap:eth0{2", 0, 0, 0, 0 },
		{ "netmap:eth0}2", 0, 0, 0, 0 },
		{ "netmap:eth0/T", 0, 3, 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nm_desc *d;

		fake_reset();
		fake.tx_rings = 4;
		fake.rx_rings = 2;
		fake.host_tx_rings = fake.host_rx_rings = 1;
		d = nm_open(cases[i].name, NULL, 0, NULL);
		if (!ok(d != NULL, "open %s (4 TX, 2 RX, 1 host ring)", cases[i].name))
			continue;
		if (!ok(d->first_tx_ring == cases[i].tx_first &&
			d->last_tx_ring == cases[i].tx_last &&
			d->first_rx_ring == cases[i].rx_first &&
			d->last_rx_ring == cases[i].rx_last &&
			d->cur_tx_ring == d->first_tx_ring &&
			d->cur_rx_ring == d->first_rx_ring,
			"  TX [%d,%d] RX [%d,%d]", cases[i].tx_first, cases[i].tx_last,
			cases[i].rx_first, cases[i].rx_last))
			printf("#   got TX [%u,%u] RX [%u,%u]\n", d->first_tx_ring,
			       d->last_tx_ring, d->first_rx_ring, d->last_rx_ring);
		nm_close(d);
	}
	fake_reset();
}

/* ------------------------------------------------------------------ */
/* Mapping, parents, close                                             */
/* ------------------------------------------------------------------ */

static void test_mapping(void)
{
	struct nm_desc *a, *b, *c, *e, fakedesc;
	const struct fake_req *r;

	fake_reset();
	fake.tx_rings = fake.rx_rings = 2;
	a = nm_open("netmap:eth0", NULL, 0, NULL);
	ok(a != NULL, "open eth0");
	if (a == NULL)
		return;
	ok(IS_NETMAP_DESC(a) && a->self == a && NETMAP_FD(a) == a->fd, "a valid descriptor");
	ok(a->done_mmap && a->mem && a->memsize == FAKE_REGION_SIZE, "mapped nr_memsize bytes");
	ok(a->nifp == NETMAP_IF(a->mem, a->req.nr_offset), "nifp at nr_offset");
	ok(a->some_ring && a->some_ring == NETMAP_TXRING(a->nifp, 0), "some_ring is a bound ring");
	ok(a->buf_start == NETMAP_BUF(a->some_ring, 0) &&
	   (const char *)a->buf_end == (const char *)a->mem + a->memsize,
	   "buf_start and buf_end");
	is_int(fake_mmaps, 1, "one mapping");

	b = nm_open("netmap:eth0-1", NULL, NM_OPEN_NO_MMAP, a);
	ok(b && b->mem == a->mem && !b->done_mmap, "NM_OPEN_NO_MMAP borrows the parent's mapping");
	is_int(fake_mmaps, 1, "no new mapping");
	r = fake_last(NIOCREGIF, -1);
	ok(r && r->legacy.nr_arg1 == 4 && r->legacy.nr_arg3 == 0,
	   "with a parent, nr_arg1 defaults to 4 and nr_arg3 to 0");
	ok(b && b->first_tx_ring == 1 && b->last_tx_ring == 1, "its own ring range");

	a->req.nr_arg1 = 3;
	a->req.nr_arg3 = 8;
	a->req.nr_tx_slots = 32;
	c = nm_open("netmap:ignored", NULL,
		    NM_OPEN_IFNAME | NM_OPEN_ARG1 | NM_OPEN_ARG2 | NM_OPEN_ARG3 |
		    NM_OPEN_RING_CFG | NM_OPEN_NO_MMAP, a);
	r = fake_last(NIOCREGIF, -1);
	ok(c && r, "nm_open with every NM_OPEN_* copy flag");
	if (c && r) {
		is_str(r->legacy.nr_name, "eth0", "NM_OPEN_IFNAME: the parent's name");
		is_int(r->legacy.nr_flags, a->req.nr_flags, "and flags");
		ok(r->legacy.nr_arg1 == 3 && r->legacy.nr_arg2 == a->req.nr_arg2 &&
		   r->legacy.nr_arg3 == 8, "arg1..3 copied");
		is_int(r->legacy.nr_tx_slots, 32, "NM_OPEN_RING_CFG copies slots");
		ok(c->mem == a->mem, "shares the mapping");
	}

	fake.mem_id = 9;
	e = nm_open("netmap:eth1", NULL, NM_OPEN_NO_MMAP, a);
	ok(e && e->mem != a->mem && e->done_mmap, "a parent in another region does not share");
	is_int(fake_mmaps, 2, "so it maps its own");
	nm_close(e);
	is_int(fake_munmaps, 1, "and unmaps it on close");

	e = nm_open("netmap:eth2", NULL, NM_OPEN_NO_MMAP, NULL);
	ok(e && e->mem == NULL && e->nifp == NULL, "NM_OPEN_NO_MMAP without parent: not mapped");
	is_int(nm_mmap(e, NULL), 0, "nm_mmap maps it later");
	ok(e->mem && e->done_mmap && e->nifp, "mapped");
	is_int(nm_mmap(e, NULL), -1, "nm_mmap twice fails");
	nm_close(e);

	nm_close(c);
	nm_close(b);
	is_int(fake_munmaps, 2, "closing borrowers does not unmap");
	nm_close(a);
	is_int(fake_munmaps, 3, "closing the owner unmaps");
	is_int(fake_open_fds(), 0, "all descriptors closed");

	errno = 0;
	is_int(nm_close(NULL), -1, "nm_close(NULL) fails");
	is_int(errno, EINVAL, "with EINVAL");
	memset(&fakedesc, 0, sizeof(fakedesc));
	errno = 0;
	ok(nm_close(&fakedesc) == -1 && errno == EINVAL, "nm_close of a non-descriptor: EINVAL");

	/* failures */
	fake_reset();
	clear_msgs();
	fake.ioctl_err = ENXIO;
	errno = 0;
	a = nm_open("netmap:nosuch0", NULL, 0, NULL);
	ok(a == NULL && errno == ENXIO, "registration failure: NULL, ENXIO");
	is_str(last_msg, "nm_open: cannot register nosuch0: No such device or address",
	       "message");
	is_int(fake_open_fds(), 0, "descriptor closed");
	fake.ioctl_err = 0;
	fake.mmap_err = ENOMEM;
	a = nm_open("netmap:eth0", NULL, 0, NULL);
	ok(a == NULL && errno == ENOMEM, "mmap failure: NULL, ENOMEM");
	is_int(fake_open_fds(), 0, "descriptor closed");
	fake.mmap_err = 0;
	fake.open_err = EACCES;
	a = nm_open("netmap:eth0", NULL, 0, NULL);
	ok(a == NULL && errno == EACCES, "no control descriptor: NULL, EACCES");
	fake_reset();
}

/* ------------------------------------------------------------------ */
/* Packet I/O                                                          */
/* ------------------------------------------------------------------ */

/* Queue a packet on an RX ring as a kernel would: fragments at tail. */
static void rx_put(struct netmap_ring *ring, const unsigned char *data, size_t len)
{
	size_t off = 0;

	do {
		struct netmap_slot *slot = &ring->slot[ring->tail];
		size_t n = len - off < ring->nr_buf_size ? len - off : ring->nr_buf_size;

		memcpy(NETMAP_BUF(ring, slot->buf_idx), data + off, n);
		slot->len = (uint16_t)n;
		off += n;
		slot->flags = off < len ? NS_MOREFRAG : 0;
		ring->tail = nm_ring_next(ring, ring->tail);
	} while (off < len);
}

struct seen {
	int n;
	uint32_t len[8], caplen[8];
	uint64_t flags[8];
	unsigned char first[8];
	long ts_sec[8];
	int desc_ok;
};

static void record_pkt(unsigned char *arg, const struct nm_pkthdr *h,
		       const unsigned char *buf)
{
	struct seen *s = (struct seen *)arg;

	if (s->n < 8) {
		s->len[s->n] = h->len;
		s->caplen[s->n] = h->caplen;
		s->flags[s->n] = h->flags;
		s->first[s->n] = buf[0];
		s->ts_sec[s->n] = (long)h->ts.tv_sec;
		s->desc_ok += h->d != NULL && h->buf == buf && h->slot != NULL;
	}
	s->n++;
}

static void test_packet_io(void)
{
	unsigned char a[10], b[150], c[5], big[200];
	struct netmap_ring *r0, *r1, *tx;
	struct nm_pkthdr hdr;
	struct seen s;
	struct nm_desc *d;
	unsigned char *p;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	fake_reset();
	fake.buf_size = 64;
	fake.rx_rings = 2;
	fake.rx_slots = 8;
	d = nm_open("netmap:eth0", NULL, 0, NULL);
	ok(d != NULL, "open a port with 2 RX rings of 64-byte buffers");
	if (d == NULL)
		return;
	r0 = NETMAP_RXRING(d->nifp, 0);
	r1 = NETMAP_RXRING(d->nifp, 1);
	r0->ts.tv_sec = 5;
	r1->ts.tv_sec = 6;

	is_int(nm_dispatch(d, 0, record_pkt, (unsigned char *)&s), 0,
	       "nm_dispatch on empty rings");
	is_int(d->cur_rx_ring, 1, "cur_rx_ring left on the last ring looked at");
	ok(nm_nextpkt(d, &hdr) == NULL, "nm_nextpkt on empty rings: NULL");
	d->cur_rx_ring = 0;	/* applications may move it */

	rx_put(r0, a, sizeof(a));
	rx_put(r0, b, sizeof(b));	/* 64 + 64 + 22 */
	rx_put(r1, c, sizeof(c));
	memset(&s, 0, sizeof(s));
	is_int(nm_dispatch(d, -1, record_pkt, (unsigned char *)&s), 3,
	       "nm_dispatch(-1) returns 3 packets");
	is_int(s.n, 3, "three callbacks");
	ok(s.len[0] == 10 && s.caplen[0] == 10 && s.first[0] == 'a', "packet 1: 10 bytes");
	ok(s.len[1] == 150 && s.caplen[1] == 64 && s.first[1] == 'b',
	   "packet 2: len 150 over 3 slots, caplen 64");
	ok(s.len[2] == 5 && s.caplen[2] == 5 && s.first[2] == 'c', "packet 3 from ring 1");
	ok(s.flags[0] == NM_MORE_PKTS && s.flags[1] == NM_MORE_PKTS && s.flags[2] == 0,
	   "NM_MORE_PKTS on all but the last callback");
	ok(s.ts_sec[0] == 5 && s.ts_sec[1] == 5 && s.ts_sec[2] == 6, "hdr.ts is the ring's ts");
	is_int(s.desc_ok, 3, "hdr.d, hdr.buf, hdr.slot set");
	ok(r0->head == 4 && r0->cur == 4 && r1->head == 1 && r1->cur == 1,
	   "head and cur advanced past every slot");
	is_int(d->cur_rx_ring, 1, "cur_rx_ring stays where the last packet was");

	rx_put(r1, a, sizeof(a));
	rx_put(r1, c, sizeof(c));
	rx_put(r0, b, 64);
	memset(&s, 0, sizeof(s));
	is_int(nm_dispatch(d, 1, record_pkt, (unsigned char *)&s), 1, "nm_dispatch(1)");
	ok(s.n == 1 && s.first[0] == 'a' && s.flags[0] == 0,
	   "one packet from the current ring, without NM_MORE_PKTS");
	memset(&s, 0, sizeof(s));
	is_int(nm_dispatch(d, 0, record_pkt, (unsigned char *)&s), 2, "nm_dispatch(0): all");
	ok(s.first[0] == 'c' && s.first[1] == 'b', "ring 1 first, then wraps to ring 0");
	is_int(d->cur_rx_ring, 0, "cur_rx_ring wrapped");

	/* nm_nextpkt: one slot at a time, fragments included */
	rx_put(r0, b, sizeof(b));
	rx_put(r1, c, sizeof(c));
	p = nm_nextpkt(d, &hdr);
	ok(p && p[0] == 'b' && hdr.len == 64 && hdr.caplen == 64 && hdr.ts.tv_sec == 5,
	   "nm_nextpkt: first fragment");
	p = nm_nextpkt(d, &hdr);
	ok(p && hdr.len == 64 && (hdr.slot->flags & NS_MOREFRAG), "second fragment");
	p = nm_nextpkt(d, &hdr);
	ok(p && hdr.len == 22 && !(hdr.slot->flags & NS_MOREFRAG), "last fragment");
	p = nm_nextpkt(d, &hdr);
	ok(p && p[0] == 'c' && hdr.len == 5 && hdr.ts.tv_sec == 6, "then ring 1");
	is_int(d->cur_rx_ring, 1, "cur_rx_ring on ring 1");
	ok(nm_nextpkt(d, &hdr) == NULL, "then NULL");
	ok(nm_ring_empty(r0) && nm_ring_empty(r1), "both rings consumed");

	/* nm_inject: like nmport_inject */
	memset(big, 'z', sizeof(big));
	tx = NETMAP_TXRING(d->nifp, 0);
	is_int(nm_inject(d, big, sizeof(big)), 200, "nm_inject of 200 bytes");
	ok(tx->head == 4 && tx->slot[0].len == 64 && tx->slot[3].len == 8 &&
	   (tx->slot[2].flags & NS_MOREFRAG) && !(tx->slot[3].flags & NS_MOREFRAG),
	   "spread over 4 slots with NS_MOREFRAG");
	is_int(nm_inject(d, big, sizeof(big)), 0, "no room for another 4-slot packet");
	is_int(nm_inject(d, big, 100), 100, "a 2-slot packet still fits");
	nm_close(d);
	is_int(fake_open_fds(), 0, "closed");
	fake_reset();
}

int main(void)
{
	fake_reset();
	nmctx_set_default(&capture_ctx);
	test_not_netmap();
	test_bad_names();
	test_good_names();
	test_request_fields();
	test_ring_range();
	test_mapping();
	test_packet_io();
	fake_reset();
	nmctx_set_default(NULL);
	return tap_done();
}
