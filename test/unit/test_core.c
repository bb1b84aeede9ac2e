// SPDX-License-Identifier: BSD-2-Clause
/*
 * Core semantics through raw requests: NIOCCTRL headers, bodies and
 * options built by hand, sent through the backend layer (the user runtime
 * here; /dev/netmap with NETMAP_BACKEND=kernel), and the answers checked
 * field by field against the spec: registration geometry, ring layout,
 * VALE broadcast, learning and fragments, pipes, option-list errors, the
 * legacy interface, VALE_LIST, ring repair, the port limit, monitors,
 * user memory (EXTMEM), and CSB mode with the sync loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <net/netmap_user.h>

#include <libnetmap.h>

#include "backend.h"
#include "tap.h"

static char sw[32];	/* a switch name unique to this run */

struct port {
	int fd;
	struct nmreq_register reg;
	char *mem;
	struct netmap_if *nifp;
};

static void hdr_init(struct nmreq_header *h, uint16_t type, const char *name,
		     void *body)
{
	memset(h, 0, sizeof(*h));
	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	snprintf(h->nr_name, sizeof(h->nr_name), "%s", name);
	h->nr_body = (uintptr_t)body;
}

/* Register name; returns 0 or -errno.  p->reg may be preset. */
static int port_open(struct port *p, const char *name, uint32_t mode,
		     uint64_t flags, void *options)
{
	struct nmreq_header h;
	int err;

	p->fd = nmb_open();
	if (p->fd < 0)
		return p->fd;
	hdr_init(&h, NETMAP_REQ_REGISTER, name, &p->reg);
	h.nr_options = (uintptr_t)options;
	p->reg.nr_mode = mode;
	p->reg.nr_flags = flags;
	err = nmb_ioctl(p->fd, NIOCCTRL, &h);
	if (err) {
		nmb_close(p->fd);
		p->fd = -1;
		return err;
	}
	p->mem = nmb_mmap(p->fd, p->reg.nr_memsize, &err);
	if (!p->mem)
		return err;
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
	return 0;
}

static void port_close(struct port *p)
{
	if (p->fd >= 0) {
		nmb_munmap(p->fd, p->mem, p->reg.nr_memsize);
		nmb_close(p->fd);
	}
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static void name_of(char *buf, size_t len, const char *port)
{
	snprintf(buf, len, "%s:%s", sw, port);
}

/* Put one frame with the given MACs on TX ring 0 and sync. */
static void send_frame(struct port *p, const uint8_t dst[6],
		       const uint8_t src[6], uint16_t len, uint8_t fill)
{
	struct netmap_ring *r = NETMAP_TXRING(p->nifp, 0);
	struct netmap_slot *s = &r->slot[r->head];
	uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);

	memset(buf, fill, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	s->len = len;
	s->flags = 0;
	r->head = r->cur = nm_ring_next(r, r->head);
	nmb_ioctl(p->fd, NIOCTXSYNC, NULL);
}

static int rx_count(struct port *p)
{
	struct netmap_ring *r = NETMAP_RXRING(p->nifp, 0);

	nmb_ioctl(p->fd, NIOCRXSYNC, NULL);
	return (int)nm_ring_space(r);
}

static void rx_release(struct port *p)
{
	struct netmap_ring *r = NETMAP_RXRING(p->nifp, 0);

	r->head = r->cur = r->tail;
	nmb_ioctl(p->fd, NIOCRXSYNC, NULL);
}

/*
 * Open both ends of pipe 1 of a parent named after tag (the names go to
 * nm and ns, NM_PIPE_NAME bytes each, for registering an end again).
 */
#define NM_PIPE_NAME 64
static int pipe_pair_open(struct port *m, struct port *s, const char *tag,
			  char *nm, char *ns)
{
	int err;

	snprintf(nm, NM_PIPE_NAME, "%s%s{1", sw + 4, tag);
	snprintf(ns, NM_PIPE_NAME, "%s%s}1", sw + 4, tag);
	err = port_open(m, nm, NR_REG_ALL_NIC, 0, NULL);
	if (!err)
		err = port_open(s, ns, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open the pipe %s", nm);
	return err;
}

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };
static const uint8_t mac_x[6] = { 2, 0, 0, 0, 0, 0xe };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void test_register_layout(void)
{
	struct port p = { 0 };
	struct netmap_ring *tx, *rx;
	char name[64];
	int err;

	name_of(name, sizeof(name), "x");
	err = port_open(&p, name, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "register %s", name);
	if (err)
		return;
	is_int(p.reg.nr_tx_rings, 1, "1 tx ring");
	is_int(p.reg.nr_rx_rings, 1, "1 rx ring");
	is_int(p.reg.nr_tx_slots, 1024, "1024 tx slots");
	is_int(p.reg.nr_rx_slots, 1024, "1024 rx slots");
	is_int(p.reg.nr_host_tx_rings, 0, "reply: no host tx rings");
	is_int(p.reg.nr_host_rx_rings, 0, "reply: no host rx rings");
	ok(p.reg.nr_mem_id > 1, "private region id %u", p.reg.nr_mem_id);
	is_int(p.nifp->ni_host_tx_rings, 1, "ni_host_tx_rings is 1");
	is_int(p.nifp->ni_host_rx_rings, 1, "ni_host_rx_rings is 1");
	is_int(p.nifp->ni_flags, NI_PRIV_MEM, "NI_PRIV_MEM");
	is_str(p.nifp->ni_name, name, "ni_name");
	ok(p.nifp->ring_ofs[0] != 0, "ring_ofs[0] set");
	is_int(p.nifp->ring_ofs[1], 0, "ring_ofs[1] (fake host tx) is 0");
	ok(p.nifp->ring_ofs[2] != 0, "ring_ofs[2] set");
	is_int(p.nifp->ring_ofs[3], 0, "ring_ofs[3] (fake host rx) is 0");
	tx = NETMAP_TXRING(p.nifp, 0);
	rx = NETMAP_RXRING(p.nifp, 0);
	is_int(tx->dir, 1, "tx dir is 1");
	is_int(rx->dir, 0, "rx dir is 0");
	is_int(tx->tail, 1023, "tx tail 1023");
	is_int(rx->tail, 0, "rx tail 0");
	is_int(nm_ring_space(tx), 1023, "fresh tx ring has 1023 free slots");
	ok(!nm_tx_pending(tx), "fresh tx ring not pending");
	is_int(tx->nr_buf_size, 2048, "buffer size 2048");
	ok(tx->slot[0].buf_idx >= 2 && tx->slot[0].len == 2048,
	   "slot 0 has a real buffer, len = buffer size");
	is_int(p.reg.nr_memsize % 4096, 0, "memsize page aligned");
	port_close(&p);
}

static void test_vale_broadcast_learning(void)
{
	struct port a = { 0 }, b = { 0 }, c = { 0 };
	char n[64];

	name_of(n, sizeof(n), "a");
	port_open(&a, n, NR_REG_ALL_NIC, 0, NULL);
	name_of(n, sizeof(n), "b");
	port_open(&b, n, NR_REG_ALL_NIC, 0, NULL);
	name_of(n, sizeof(n), "c");
	port_open(&c, n, NR_REG_ALL_NIC, 0, NULL);

	send_frame(&a, mac_x, mac_a, 60, 0x11);
	is_int(rx_count(&b), 1, "unknown unicast floods to b");
	is_int(rx_count(&c), 1, "unknown unicast floods to c");
	is_int(rx_count(&a), 0, "sender does not get its own frame");
	{
		struct netmap_ring *r = NETMAP_RXRING(b.nifp, 0);
		struct netmap_slot *s = &r->slot[r->head];
		uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);

		is_int(s->len, 60, "received length 60");
		ok(!memcmp(buf + 6, mac_a, 6) && buf[59] == 0x11,
		   "received payload bytes intact");
		is_int(s->flags, 1 << 8, "single-slot packet: NS_RFRAGS 1");
	}
	rx_release(&b);
	rx_release(&c);
	/* b answers a: a's MAC was learned, so only a gets it. */
	send_frame(&b, mac_a, mac_b, 60, 0x22);
	is_int(rx_count(&a), 1, "learned unicast reaches a");
	is_int(rx_count(&c), 0, "learned unicast does not reach c");
	rx_release(&a);
	/* Now b is learned too: a -> b unicast. */
	send_frame(&a, mac_b, mac_a, 60, 0x33);
	is_int(rx_count(&b), 1, "unicast to b");
	is_int(rx_count(&c), 0, "c untouched");
	rx_release(&b);
	send_frame(&c, mac_bcast, mac_x, 60, 0x44);
	is_int(rx_count(&a), 1, "broadcast reaches a");
	is_int(rx_count(&b), 1, "broadcast reaches b");
	is_int(rx_count(&c), 0, "broadcast not back to sender");
	port_close(&a);
	port_close(&b);
	port_close(&c);
}

static void test_vale_fragments(void)
{
	struct port a = { 0 }, b = { 0 };
	struct netmap_ring *t, *r;
	char n[64];
	int i;

	name_of(n, sizeof(n), "fa");
	port_open(&a, n, NR_REG_ALL_NIC, 0, NULL);
	name_of(n, sizeof(n), "fb");
	port_open(&b, n, NR_REG_ALL_NIC, 0, NULL);
	t = NETMAP_TXRING(a.nifp, 0);
	for (i = 0; i < 3; i++) {
		struct netmap_slot *s = &t->slot[t->head];
		uint8_t *buf = (uint8_t *)NETMAP_BUF(t, s->buf_idx);

		memset(buf, 0x50 + i, 100);
		if (i == 0)
			memcpy(buf, mac_bcast, 6);
		s->len = 100;
		s->flags = i < 2 ? NS_MOREFRAG : 0;
		t->head = t->cur = nm_ring_next(t, t->head);
	}
	nmb_ioctl(a.fd, NIOCTXSYNC, NULL);
	ok(!nm_tx_pending(t), "VALE completes the whole tx ring in one sync");
	is_int(rx_count(&b), 3, "3-slot packet uses 3 rx slots");
	r = NETMAP_RXRING(b.nifp, 0);
	for (i = 0; i < 3; i++) {
		struct netmap_slot *s = &r->slot[(r->head + i) % r->num_slots];

		is_int(NS_RFRAGS(s), 3, "slot %d carries fragment count 3", i);
		is_int(!!(s->flags & NS_MOREFRAG), i < 2,
		       "slot %d NS_MOREFRAG", i);
	}
	port_close(&a);
	port_close(&b);
}

/*
 * A virtio-net header alone in the first slot, the frame in an indirect
 * second slot (user memory): the switch reads the addresses through the
 * indirect slot, and still copies the header from the region.
 */
static void test_vale_indirect_hdr(void)
{
	struct port a = { 0 }, b = { 0 };
	struct nmreq_header h;
	struct nmreq_port_hdr ph;
	struct netmap_ring *t, *r;
	struct netmap_slot *s;
	uint8_t frame[60], *buf;
	char na[64], nb[64];
	int err, i, same;

	name_of(na, sizeof(na), "ha");
	name_of(nb, sizeof(nb), "hb");
	if (port_open(&a, na, NR_REG_ALL_NIC, 0, NULL) ||
	    port_open(&b, nb, NR_REG_ALL_NIC, 0, NULL)) {
		ok(0, "open %s and %s", na, nb);
		port_close(&a);
		port_close(&b);
		return;
	}
	for (i = 0; i < 2; i++) {
		memset(&ph, 0, sizeof(ph));
		ph.nr_hdr_len = 10;
		hdr_init(&h, NETMAP_REQ_PORT_HDR_SET, i ? nb : na, &ph);
		err = nmb_ioctl(i ? b.fd : a.fd, NIOCCTRL, &h);
		is_int(err, 0, "PORT_HDR_SET 10 on %s", i ? nb : na);
	}
	memset(frame, 0x77, sizeof(frame));
	memcpy(frame, mac_bcast, 6);
	memcpy(frame + 6, mac_a, 6);
	t = NETMAP_TXRING(a.nifp, 0);
	s = &t->slot[t->head];
	memset(NETMAP_BUF(t, s->buf_idx), 0x5a, 10);
	s->len = 10;
	s->flags = NS_MOREFRAG;
	t->head = t->cur = nm_ring_next(t, t->head);
	s = &t->slot[t->head];
	s->ptr = (uintptr_t)frame;
	s->len = sizeof(frame);
	s->flags = NS_INDIRECT;
	t->head = t->cur = nm_ring_next(t, t->head);
	nmb_ioctl(a.fd, NIOCTXSYNC, NULL);
	is_int(rx_count(&b), 2, "header and frame arrive in 2 slots");
	r = NETMAP_RXRING(b.nifp, 0);
	s = &r->slot[r->head];
	buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);
	is_int(s->len, 10, "the header slot keeps its 10 bytes");
	for (i = 0, same = 1; i < 10; i++)
		same &= buf[i] == 0x5a;
	ok(same, "the header is copied from the sender's buffer");
	s = &r->slot[nm_ring_next(r, r->head)];
	buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);
	is_int(s->len, 60, "the frame slot has 60 bytes");
	ok(!memcmp(buf, frame, sizeof(frame)),
	   "the frame is copied from the indirect buffer");
	port_close(&a);
	port_close(&b);
}

/*
 * NS_INDIRECT slots whose memory ends in the middle of the frame: the
 * user runtime reads such memory with process_vm_readv, which reads the
 * mapped part and returns a short count without setting errno.  errno is
 * set to EPERM first, as a sandbox that forbids the call would leave it:
 * the copy must still fail cleanly (the frame is dropped or delivered
 * empty), never fall back to reading the bad pointer directly.
 */
static void test_vale_indirect_fault(void)
{
	struct port a = { .fd = -1 }, b = { .fd = -1 };
	struct netmap_ring *t, *r;
	long pg = sysconf(_SC_PAGESIZE);
	char na[64], nb[64];
	uint8_t *mem;
	int cut, i;

	name_of(na, sizeof(na), "fa");
	name_of(nb, sizeof(nb), "fb");
	mem = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || munmap(mem + pg, pg) ||
	    port_open(&a, na, NR_REG_ALL_NIC, 0, NULL) ||
	    port_open(&b, nb, NR_REG_ALL_NIC, 0, NULL)) {
		ok(0, "set up a half-mapped frame and ports %s, %s", na, nb);
		port_close(&a);
		port_close(&b);
		return;
	}
	t = NETMAP_TXRING(a.nifp, 0);
	r = NETMAP_RXRING(b.nifp, 0);
	/* 10 bytes mapped: the address read fails; 20: the frame copy. */
	for (i = 0; i < 2; i++) {
		struct netmap_slot *s = &t->slot[t->head];
		uint8_t *frame;

		cut = i ? 20 : 10;
		frame = mem + pg - cut;
		memset(frame, 0x33, cut);
		if (cut >= 12) {
			memcpy(frame, mac_bcast, 6);
			memcpy(frame + 6, mac_a, 6);
		}
		s->ptr = (uintptr_t)frame;
		s->len = 60;
		s->flags = NS_INDIRECT;
		t->head = t->cur = nm_ring_next(t, t->head);
		errno = EPERM;
		is_int(nmb_ioctl(a.fd, NIOCTXSYNC, NULL), 0,
		       "indirect frame with %d of 60 bytes mapped: the sync returns", cut);
	}
	nmb_ioctl(b.fd, NIOCRXSYNC, NULL);
	for (i = 0; r->head != r->tail; i++) {
		is_int(r->slot[r->head].len, 0,
		       "a frame that could not be read arrives empty, if at all");
		r->head = r->cur = nm_ring_next(r, r->head);
	}
	ok(i <= 1, "no frame from the unmapped address (%d slots)", i);
	nmb_ioctl(b.fd, NIOCRXSYNC, NULL);
	munmap(mem, pg);
	port_close(&a);
	port_close(&b);
}

/*
 * Slots are reused: every length of a round reaches the receiver, even
 * where the same slot index carried another length in the round before,
 * and buffers the receiver swapped go back to the sender.
 */
static void test_pipe_reuse(struct port *m, struct port *s)
{
	struct netmap_ring *t = NETMAP_TXRING(m->nifp, 0);
	struct netmap_ring *r = NETMAP_RXRING(s->nifp, 0);
	uint32_t round, k, n = t->num_slots - 1, bad = 0, a, b, ia, ib;

	for (round = 0; round < 3; round++) {
		for (k = 0; k < n; k++) {
			struct netmap_slot *sl = &t->slot[t->head];

			sl->len = 60 + round + (k & 1);
			sl->flags = 0;
			t->head = t->cur = nm_ring_next(t, t->head);
		}
		nmb_ioctl(m->fd, NIOCTXSYNC, NULL);
		nmb_ioctl(s->fd, NIOCRXSYNC, NULL);
		if (nm_ring_space(r) != n) {
			printf("# round %u: %u slots to read\n", round,
			       nm_ring_space(r));
			bad++;
		}
		for (k = 0; k < n && r->head != r->tail; k++) {
			if (r->slot[r->head].len != 60 + round + (k & 1)) {
				if (bad < 4)
					printf("# round %u slot %u: len %u\n", round,
					     r->head, r->slot[r->head].len);
				bad++;
			}
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		nmb_ioctl(s->fd, NIOCRXSYNC, NULL);
		nmb_ioctl(m->fd, NIOCTXSYNC, NULL);
	}
	is_int(bad, 0, "3 rounds of %u packets: every length as sent", n);

	/* The receiver swaps the buffers of two slots it holds. */
	a = t->head;
	b = nm_ring_next(t, a);
	ia = t->slot[a].buf_idx;
	ib = t->slot[b].buf_idx;
	t->slot[a].len = t->slot[b].len = 60;
	t->head = t->cur = nm_ring_next(t, b);
	nmb_ioctl(m->fd, NIOCTXSYNC, NULL);
	nmb_ioctl(s->fd, NIOCRXSYNC, NULL);
	is_int(nm_ring_space(r), 2, "two packets to swap");
	/* b's swap is not flagged: the pipe still notices it */
	r->slot[a].buf_idx = ib;
	r->slot[b].buf_idx = ia;
	r->slot[a].flags |= NS_BUF_CHANGED;
	r->head = r->cur = r->tail;
	nmb_ioctl(s->fd, NIOCRXSYNC, NULL);
	is_int(t->slot[a].buf_idx, ib, "the sender's slot gets the swapped buffer");
	is_int(t->slot[b].buf_idx, ia, "and the other one, swapped without the flag");
	ok((t->slot[a].flags & NS_BUF_CHANGED) &&
	   (t->slot[b].flags & NS_BUF_CHANGED),
	   "both come back with NS_BUF_CHANGED");
	is_int(r->slot[a].flags & NS_BUF_CHANGED, 0,
	       "NS_BUF_CHANGED cleared on release");
}

static void test_pipe(void)
{
	struct port m = { 0 }, s = { 0 };
	struct netmap_ring *t, *r;
	char n[64];
	uint32_t idx0;
	int i, err;

	snprintf(n, sizeof(n), "%sp{1", sw + 4);
	err = port_open(&m, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open pipe master %s (parent created on demand)", n);
	snprintf(n, sizeof(n), "%sp}1", sw + 4);
	err = port_open(&s, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open pipe slave %s", n);
	if (err)
		return;
	is_int(m.reg.nr_mem_id, s.reg.nr_mem_id, "both ends share a region");
	t = NETMAP_TXRING(m.nifp, 0);
	r = NETMAP_RXRING(s.nifp, 0);
	idx0 = t->slot[t->head].buf_idx;
	for (i = 0; i < 5; i++) {
		struct netmap_slot *sl = &t->slot[t->head];

		memset(NETMAP_BUF(t, sl->buf_idx), 'A' + i, 64);
		sl->len = 64;
		t->head = t->cur = nm_ring_next(t, t->head);
	}
	nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	is_int(nm_ring_space(t), t->num_slots - 1 - 5,
	       "sender space is num_slots - 1 - k while unread");
	nmb_ioctl(s.fd, NIOCRXSYNC, NULL);
	is_int(nm_ring_space(r), 5, "receiver sees 5 packets");
	is_int(r->slot[r->head].buf_idx, idx0, "zero copy: same buffer index");
	ok(((char *)NETMAP_BUF(r, r->slot[r->head + 4].buf_idx))[0] == 'E',
	   "fifth packet content");
	r->head = r->cur = r->tail;
	nmb_ioctl(s.fd, NIOCRXSYNC, NULL);
	nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	is_int(nm_ring_space(t), t->num_slots - 1,
	       "sender space back after the receiver released");
	/* An incomplete chain stays on the sender until completed. */
	{
		struct netmap_slot *sl = &t->slot[t->head];

		sl->len = 10;
		sl->flags = NS_MOREFRAG;
		t->head = t->cur = nm_ring_next(t, t->head);
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		is_int(rx_count(&s), 0, "trailing fragment chain not published");
		sl = &t->slot[t->head];
		sl->len = 10;
		sl->flags = 0;
		t->head = t->cur = nm_ring_next(t, t->head);
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		is_int(rx_count(&s), 2, "completed chain published whole");
		r->head = r->cur = r->tail;
		nmb_ioctl(s.fd, NIOCRXSYNC, NULL);
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	}
	test_pipe_reuse(&m, &s);
	port_close(&m);
	port_close(&s);
}

/*
 * A pipe whose parent does not exist yet, opened with a region (nr_mem_id
 * of another port, as a load balancer does for zero copy with its NIC)
 * and a geometry: the parent is created in that region, and the pipe has
 * the slots it asked for (issue 11 item 3).
 */
static void test_pipe_parent_request(void)
{
	struct port v = { 0 }, m = { 0 }, s = { 0 };
	char n[64];
	int err;

	name_of(n, sizeof(n), "region");
	err = port_open(&v, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open %s (a private region to share)", n);
	if (err)
		return;
	ok(v.reg.nr_mem_id > 1, "its region id %u", v.reg.nr_mem_id);

	snprintf(n, sizeof(n), "%sq{0", sw + 4);
	m.reg.nr_mem_id = v.reg.nr_mem_id;
	m.reg.nr_tx_slots = 512;
	m.reg.nr_rx_slots = 256;
	err = port_open(&m, n, NR_REG_ALL_NIC, NR_EXCLUSIVE, NULL);
	is_int(err, 0, "open %s with mem_id %u, 512/256 slots (parent created)",
	       n, v.reg.nr_mem_id);
	if (!err) {
		is_int(m.reg.nr_mem_id, v.reg.nr_mem_id,
		       "the pipe is in the requested region");
		is_int(m.reg.nr_tx_slots, 512, "512 tx slots as requested");
		is_int(m.reg.nr_rx_slots, 256, "256 rx slots as requested");
	}
	snprintf(n, sizeof(n), "%sq}0", sw + 4);
	err = port_open(&s, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open the slave %s", n);
	if (!err) {
		is_int(s.reg.nr_mem_id, v.reg.nr_mem_id, "the slave too");
		is_int(s.reg.nr_tx_slots, 256, "slave tx = master rx slots");
	}
	port_close(&s);
	port_close(&m);

	/* The slave first, on a second parent: the geometry is swapped. */
	snprintf(n, sizeof(n), "%sr}0", sw + 4);
	s.reg.nr_mem_id = v.reg.nr_mem_id;
	s.reg.nr_tx_slots = 128;
	err = port_open(&s, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "open %s first, 128 tx slots", n);
	if (!err) {
		is_int(s.reg.nr_mem_id, v.reg.nr_mem_id,
		       "the slave-made parent is in the requested region");
		is_int(s.reg.nr_tx_slots, 128, "128 tx slots as requested");
	}
	port_close(&s);
	port_close(&v);
}

/* Does slot's buffer (its whole size) lie inside p's mapped region? */
static int buf_in_region(const struct port *p, const struct netmap_ring *r,
			 const struct netmap_slot *sl)
{
	const char *b = NETMAP_BUF(r, sl->buf_idx);

	return b >= p->mem && b + r->nr_buf_size <= p->mem + p->reg.nr_memsize;
}

/* Slots [from, from + n) of r whose buffer is not in p's region. */
static int bufs_outside(const struct port *p, const struct netmap_ring *r,
			uint32_t from, uint32_t n)
{
	int bad = 0;

	for (; n--; from = nm_ring_next(r, from))
		bad += !buf_in_region(p, r, &r->slot[from]);
	return bad;
}

/*
 * Issue 8, defect 2.2: a writer that put indices outside the region into
 * its TX ring (and overlong lengths) must not hand them to its peer, and
 * whoever registers its end next starts from a sane ring, whatever the
 * previous user left; the same for a receiver's garbage on the way back.
 */
static void test_pipe_garbage(void)
{
	static const uint32_t garbage[] = {
		0xffffffffu, 0x7fffffffu, 0x10000000u, 0x00400000u, 0xfffffff0u,
		0x80000000u, 0x00100000u, 0x01000000u,
	};
	const uint32_t ng = sizeof(garbage) / sizeof(garbage[0]);
	struct port m = { 0 }, s = { 0 };
	struct netmap_ring *t, *r;
	char nm[NM_PIPE_NAME], ns[NM_PIPE_NAME];
	uint32_t k, n, bad, j, lens = 0;
	uint64_t sum = 0;
	int err;

	err = pipe_pair_open(&m, &s, "pg", nm, ns);
	if (err)
		goto out;
	t = NETMAP_TXRING(m.nifp, 0);
	r = NETMAP_RXRING(s.nifp, 0);
	n = t->num_slots;

	/* The writer sends slots naming buffers far outside the region. */
	for (k = 0; k < ng; k++) {
		struct netmap_slot *sl = &t->slot[t->head];

		sl->buf_idx = garbage[k];
		sl->len = k == 3 ? 65535 : 60;
		sl->flags = k == 5 ? NS_BUF_CHANGED : 0;
		t->head = t->cur = nm_ring_next(t, t->head);
	}
	nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	is_int(rx_count(&s), ng, "the receiver gets the %u packets", ng);
	is_int(bufs_outside(&s, r, r->head, ng), 0,
	       "... every one in a buffer of the region");
	for (k = 0, j = r->head; k < ng; k++, j = nm_ring_next(r, j)) {
		const struct netmap_slot *sl = &r->slot[j];

		if (sl->len > r->nr_buf_size)
			lens++;
		else if (buf_in_region(&s, r, sl))
			sum += ((const uint8_t *)NETMAP_BUF(r, sl->buf_idx))[sl->len ? sl->len - 1 : 0];
	}
	is_int(lens, 0, "... with no length beyond a buffer (sum %llu)",
	       (unsigned long long)sum);
	bad = 0;
	for (k = 0; k < n; k++)
		bad += t->slot[k].buf_idx >= 0x00100000u;
	is_int(bad, 0, "the writer's own ring got its buffers back");
	rx_release(&s);

	/* Garbage everywhere, then the writer leaves without a sync. */
	for (k = 0; k < n; k++) {
		t->slot[k].buf_idx = garbage[k % ng];
		t->slot[k].len = 65535;
	}
	t->head = t->cur = 12345;
	*(uint32_t *)&t->num_slots = 7;
	*(int64_t *)&t->buf_ofs = -1;
	port_close(&m);

	err = port_open(&m, nm, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "the end registered again");
	if (err)
		goto out;
	t = NETMAP_TXRING(m.nifp, 0);
	ok(t->num_slots == n && t->head == t->cur &&
	   t->head < n && t->tail < n && nm_ring_space(t) == n - 1,
	   "... starts from a sane ring (%u slots, head %u, tail %u)",
	   t->num_slots, t->head, t->tail);
	is_int(t->num_slots == n ? bufs_outside(&m, t, 0, n) : -1, 0,
	       "... every slot naming a buffer of the region");
	bad = 0;
	for (k = 0; k < n; k++)
		bad += t->slot[k].len > t->nr_buf_size;
	is_int(bad, 0, "... and no overlong length");
	if (t->num_slots != n)
		goto out;
	for (k = 0; k < 3; k++) {
		struct netmap_slot *sl = &t->slot[t->head];

		memset(NETMAP_BUF(t, sl->buf_idx), 'a' + k, 60);
		sl->len = 60;
		sl->flags = 0;
		t->head = t->cur = nm_ring_next(t, t->head);
	}
	nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	is_int(rx_count(&s), 3, "the new writer's packets arrive");
	ok(((char *)NETMAP_BUF(r, r->slot[nm_ring_next(r, r->head)].buf_idx))[59] == 'b',
	   "... with their contents");

	/* The receiver's garbage does not go back to the writer either. */
	for (k = 0, j = r->head; k < 3; k++, j = nm_ring_next(r, j)) {
		r->slot[j].buf_idx = garbage[k];
		r->slot[j].flags = k == 1 ? NS_BUF_CHANGED : 0;
	}
	rx_release(&s);
	nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
	is_int(bufs_outside(&m, t, 0, n), 0,
	       "a receiver's garbage does not reach the sender's ring");
	is_int(bufs_outside(&s, r, 0, n), 0,
	       "... and is undone in the receiver's");
	/* The receiver leaves a corrupt ring too; its successor is sane. */
	r->head = r->cur = 99999;
	for (k = 0; k < n; k++)
		r->slot[k].buf_idx = garbage[k % ng];
	port_close(&s);
	err = port_open(&s, ns, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "the receiving end registered again");
	if (err)
		goto out;
	r = NETMAP_RXRING(s.nifp, 0);
	ok(r->head == r->cur && r->head == r->tail && r->tail < n &&
	   !bufs_outside(&s, r, 0, n),
	   "... starts from a sane, empty ring (head %u, tail %u)",
	   r->head, r->tail);

	/*
	 * Buffers that are in the region but not a slot's to own: the two
	 * reserved ones (every port may name them), and one buffer swapped
	 * into many slots.  The receiver never gets 0 or 1; a writer that
	 * leaves its slots sharing one buffer leaves its successor slots
	 * that do not, so that its frames do not overwrite each other.
	 */
	t = NETMAP_TXRING(m.nifp, 0);
	{
		uint32_t x = t->slot[t->head].buf_idx, seen01 = 0, shared = 0;
		uint32_t sent = n - 1;

		for (k = 0; k < sent; k++) {
			struct netmap_slot *sl = &t->slot[t->head];

			sl->buf_idx = k < 2 ? k : x;
			sl->len = 60;
			sl->flags = NS_BUF_CHANGED;
			t->head = t->cur = nm_ring_next(t, t->head);
		}
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		is_int(rx_count(&s), (int)sent, "%u slots naming buffers 0, 1 "
		       "and one buffer %u times arrive", sent, sent - 2);
		for (k = 0, j = r->head; k < sent; k++, j = nm_ring_next(r, j))
			seen01 += r->slot[j].buf_idx < 2;
		is_int(seen01, 0, "... none in a reserved buffer");
		rx_release(&s);	/* the slots are the writer's again */
		port_close(&m);
		err = port_open(&m, nm, NR_REG_ALL_NIC, 0, NULL);
		is_int(err, 0, "the writer's end registered again");
		if (err)
			goto out;
		t = NETMAP_TXRING(m.nifp, 0);
		for (k = 0; k < n; k++)
			for (j = k + 1; j < n; j++)
				shared += t->slot[k].buf_idx == t->slot[j].buf_idx;
		for (k = 0; k < n; k++)
			shared += t->slot[k].buf_idx < 2;
		is_int(shared, 0, "... every slot with a buffer of its own");
		for (k = 0; k < sent; k++) {
			struct netmap_slot *sl = &t->slot[t->head];

			memset(NETMAP_BUF(t, sl->buf_idx), (int)k, 60);
			sl->len = 60;
			sl->flags = 0;
			t->head = t->cur = nm_ring_next(t, t->head);
		}
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		is_int(rx_count(&s), (int)sent, "the new writer's %u packets "
		       "arrive", sent);
		bad = 0;
		for (k = 0, j = r->head; k < sent; k++, j = nm_ring_next(r, j))
			bad += ((const uint8_t *)NETMAP_BUF(r,
					r->slot[j].buf_idx))[59] != (uint8_t)k;
		is_int(bad, 0, "... each with its own contents");
		rx_release(&s);
	}
out:
	port_close(&m);
	port_close(&s);
}

/*
 * The pipe's data path against a model of spec 16 as the previous
 * implementation behaved (copy [hwcur, head) to the peer, publish whole
 * packets, copy a released slot back when its buffer changed or it is
 * flagged NS_BUF_CHANGED): random batches, fragment chains, lengths,
 * flags and pointers, senders and receivers swapping buffers (flagged or
 * not), releases in random steps.  After every sync every slot of both
 * rings, and their tails, must equal the model's, exactly.
 */
struct pmodel {
	uint32_t n;
	struct netmap_slot tx[1024], rx[1024];
	uint32_t handed[1024];
	uint32_t tx_hwcur, rx_hwcur, rx_hwtail;
	uint32_t t_tail, r_tail;	/* what the last syncs published */
};

static uint64_t pm_rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void pm_txsync(struct pmodel *pm, uint32_t head)
{
	uint32_t j, limit = pm->tx_hwcur;

	for (j = pm->tx_hwcur; j != head; j = (j + 1) % pm->n) {
		pm->rx[j] = pm->tx[j];
		pm->handed[j] = pm->tx[j].buf_idx;
		pm->tx[j].flags &= ~NS_BUF_CHANGED;
		if (!(pm->tx[j].flags & NS_MOREFRAG))
			limit = (j + 1) % pm->n;
	}
	pm->tx_hwcur = limit;
	pm->rx_hwtail = limit;
	pm->t_tail = (pm->rx_hwcur + pm->n - 1) % pm->n;
}

static void pm_rxsync(struct pmodel *pm, uint32_t head)
{
	uint32_t j;

	for (j = pm->rx_hwcur; j != head; j = (j + 1) % pm->n) {
		if (pm->rx[j].buf_idx == pm->handed[j] &&
		    !(pm->rx[j].flags & NS_BUF_CHANGED))
			continue;
		pm->tx[j] = pm->rx[j];
		pm->tx[j].flags |= NS_BUF_CHANGED;
		pm->rx[j].flags &= ~NS_BUF_CHANGED;
	}
	pm->rx_hwcur = head;
	pm->r_tail = pm->rx_hwtail;
}

/* Differences between the real rings and the model (printed: the first). */
static int pm_compare(const struct pmodel *pm, const struct netmap_ring *t,
		      const struct netmap_ring *r, long step)
{
	uint32_t j, bad = 0;

	for (j = 0; j < pm->n; j++) {
		if (memcmp(&t->slot[j], &pm->tx[j], sizeof(pm->tx[j]))) {
			if (!bad++)
				printf("# step %ld: tx slot %u buf %u len %u flags %x, model %u %u %x\n",
				       step, j, t->slot[j].buf_idx, t->slot[j].len,
				       t->slot[j].flags, pm->tx[j].buf_idx,
				       pm->tx[j].len, pm->tx[j].flags);
		}
		if (memcmp(&r->slot[j], &pm->rx[j], sizeof(pm->rx[j]))) {
			if (!bad++)
				printf("# step %ld: rx slot %u buf %u len %u flags %x, model %u %u %x\n",
				       step, j, r->slot[j].buf_idx, r->slot[j].len,
				       r->slot[j].flags, pm->rx[j].buf_idx,
				       pm->rx[j].len, pm->rx[j].flags);
		}
	}
	if (t->tail != pm->t_tail || r->tail != pm->r_tail) {
		if (!bad++)
			printf("# step %ld: tails %u %u, model %u %u\n", step,
			       t->tail, r->tail, pm->t_tail, pm->r_tail);
	}
	return bad;
}

static void test_pipe_model(void)
{
	static struct pmodel pm;
	struct port m = { 0 }, s = { 0 };
	struct netmap_ring *t, *r;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	long step, steps = 20000, bad = 0, pkts = 0;
	char nm[NM_PIPE_NAME], ns[NM_PIPE_NAME];
	int err;

	m.reg.nr_tx_slots = m.reg.nr_rx_slots = 256;
	err = pipe_pair_open(&m, &s, "pm", nm, ns);
	if (err)
		goto out;
	t = NETMAP_TXRING(m.nifp, 0);
	r = NETMAP_RXRING(s.nifp, 0);
	memset(&pm, 0, sizeof(pm));
	pm.n = t->num_slots;
	if (pm.n > 1024) {
		ok(0, "a ring of at most 1024 slots (got %u)", pm.n);
		goto out;
	}
	memcpy(pm.tx, t->slot, pm.n * sizeof(pm.tx[0]));
	memcpy(pm.rx, r->slot, pm.n * sizeof(pm.rx[0]));
	for (step = 0; step < pm.n; step++)
		pm.handed[step] = t->slot[step].buf_idx;
	pm.rx_hwtail = pm.r_tail = r->tail;
	pm.t_tail = t->tail;
	for (step = 0; step < steps && bad < 1; step++) {
		uint32_t space = nm_ring_space(t), k, i, j;
		uint64_t v = pm_rnd(&x);

		/* The sender: fills k slots, sometimes swapping two free ones. */
		if (space > 1 && v % 16 == 0) {
			uint32_t a = t->head, b = nm_ring_next(t, a), tmp;

			tmp = t->slot[a].buf_idx;
			t->slot[a].buf_idx = t->slot[b].buf_idx;
			t->slot[b].buf_idx = tmp;
			t->slot[a].flags |= NS_BUF_CHANGED;
			t->slot[b].flags |= NS_BUF_CHANGED;
			pm.tx[a] = t->slot[a];
			pm.tx[b] = t->slot[b];
		}
		k = space ? (uint32_t)(pm_rnd(&x) % (space + 1)) : 0;
		for (i = 0; i < k; i++) {
			struct netmap_slot *sl = &t->slot[t->head];

			v = pm_rnd(&x);
			sl->len = (uint16_t)(1 + v % t->nr_buf_size);
			sl->flags = (uint16_t)(((v >> 16) % 4 == 0 ? NS_MOREFRAG : 0) |
					       ((v >> 20) % 32 == 0 ? NS_BUF_CHANGED : 0));
			sl->ptr = (v >> 24) % 8 == 0 ? pm_rnd(&x) : sl->ptr;
			pm.tx[t->head] = *sl;
			t->head = nm_ring_next(t, t->head);
		}
		t->cur = pm_rnd(&x) % 4 ? t->head : t->tail;
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		pm_txsync(&pm, t->head);
		bad += pm_compare(&pm, t, r, step);

		/* The receiver: imports, then releases some, swapping some. */
		nmb_ioctl(s.fd, NIOCRXSYNC, NULL);
		pm_rxsync(&pm, r->head);
		bad += pm_compare(&pm, t, r, step);
		k = nm_ring_space(r);
		k = k ? (uint32_t)(pm_rnd(&x) % (k + 1)) : 0;
		if (k >= 2 && pm_rnd(&x) % 8 == 0) {
			uint32_t a = r->head, b = nm_ring_next(r, a), tmp;

			tmp = r->slot[a].buf_idx;
			r->slot[a].buf_idx = r->slot[b].buf_idx;
			r->slot[b].buf_idx = tmp;
			if (pm_rnd(&x) % 2)
				r->slot[a].flags |= NS_BUF_CHANGED;
			pm.rx[a] = r->slot[a];
			pm.rx[b] = r->slot[b];
		}
		for (i = 0, j = r->head; i < k; i++, j = nm_ring_next(r, j)) {
			if (pm_rnd(&x) % 16 == 0) {	/* lengths stay here */
				r->slot[j].len = 7;
				pm.rx[j].len = 7;
			}
			pkts += !(r->slot[j].flags & NS_MOREFRAG);
		}
		r->head = r->cur = j;
		nmb_ioctl(s.fd, NIOCRXSYNC, NULL);
		pm_rxsync(&pm, r->head);
		bad += pm_compare(&pm, t, r, step);
		/* the sender learns of the releases */
		nmb_ioctl(m.fd, NIOCTXSYNC, NULL);
		pm_txsync(&pm, t->head);
		bad += pm_compare(&pm, t, r, step);
	}
	ok(!bad && pkts > 1000,
	   "%ld random steps (%ld packets): both rings equal the model after every sync",
	   step, pkts);
out:
	port_close(&m);
	port_close(&s);
}

/*
 * VALE forwarding against a model of spec 15.5 and 15.6 as the previous
 * implementation behaved: two senders and two receivers on one switch
 * (plus the senders' own receive rings), random frames to learned,
 * unknown, broadcast and own addresses, moving source addresses, runs of
 * identical addresses, chains of fragments, lengths from too short to
 * too long, small receive rings that fill and drop.  After every sync the
 * new slots of every receive ring (length, flags, bytes) must be those
 * the model expects, exactly.
 */
uint32_t nm_bdg_hash(const uint8_t *mac);

#define VM_PORTS 4		/* a, c send; b, d receive; all receive */
#define VM_SLOTS 64

struct vm_pkt {			/* an expected packet */
	uint16_t nf, len[3];
	uint8_t data[3][2048];
};

struct vmodel {
	struct { uint8_t mac[6]; int port; int valid; } ht[1024];
	uint32_t busy[VM_PORTS];	/* delivered, not released */
	struct vm_pkt *q[VM_PORTS];	/* expected, not yet checked */
	uint32_t nq[VM_PORTS];
};

static const uint8_t *vm_mac(int port)
{
	static const uint8_t macs[VM_PORTS][6] = {
		{ 2, 0, 0, 0, 0, 0xa }, { 2, 0, 0, 0, 0, 0xb },
		{ 2, 0, 0, 0, 0, 0xc }, { 2, 0, 0, 0, 0, 0xd },
	};

	return macs[port];
}

/* Route one packet of sender src (first slot frame, len l0); -2: drop, -1: all. */
static int vm_route(struct vmodel *vm, int src, const uint8_t *frame,
		    uint16_t l0, uint32_t bufsize)
{
	const uint8_t *dmac = frame, *smac = frame + 6;
	uint32_t h;

	if (l0 > bufsize || l0 < 14)
		return -2;
	if (!(smac[0] & 1)) {
		h = nm_bdg_hash(smac);
		memcpy(vm->ht[h].mac, smac, 6);
		vm->ht[h].port = src;
		vm->ht[h].valid = 1;
	}
	if (dmac[0] & 1)
		return -1;
	h = nm_bdg_hash(dmac);
	if (vm->ht[h].valid && !memcmp(vm->ht[h].mac, dmac, 6))
		return vm->ht[h].port == src ? -2 : vm->ht[h].port;
	return -1;
}

/* Packets routed to port d in one batch, delivered while they fit. */
static long vm_full;		/* packets the model dropped: ring full */

static void vm_deliver(struct vmodel *vm, int d, struct vm_pkt *const *pk,
		       uint32_t npk)
{
	uint32_t needed = 0, room, i;

	for (i = 0; i < npk; i++)
		needed += pk[i]->nf;
	room = VM_SLOTS - 1 - vm->busy[d];
	if (room > needed)
		room = needed;
	for (i = 0; i < npk && pk[i]->nf <= room; i++) {
		room -= pk[i]->nf;
		vm->busy[d] += pk[i]->nf;
		vm->q[d][vm->nq[d]++] = *pk[i];
	}
	vm_full += npk - i;
}

static void test_vale_model(void)
{
	static struct vmodel vm;
	static struct vm_pkt batch[VM_SLOTS];
	static struct vm_pkt *to[VM_PORTS][VM_SLOTS];
	static const char *names[VM_PORTS] = { "ma", "mb", "mc", "md" };
	struct port p[VM_PORTS];
	uint64_t x = 0x2545f4914f6cdd1dULL;
	long step, steps = 3000, bad = 0, pkts = 0, drops = 0;
	char n[64], sw2[40];
	uint32_t bufsize = 0;
	int i, d, err = 0;

	snprintf(sw2, sizeof(sw2), "%sm", sw);
	memset(&vm, 0, sizeof(vm));
	memset(p, 0, sizeof(p));
	for (i = 0; i < VM_PORTS; i++) {
		snprintf(n, sizeof(n), "%s:%s", sw2, names[i]);
		p[i].reg.nr_tx_slots = p[i].reg.nr_rx_slots = VM_SLOTS;
		err = err ? err : port_open(&p[i], n, NR_REG_ALL_NIC, 0, NULL);
		vm.q[i] = calloc(4 * VM_SLOTS, sizeof(struct vm_pkt));
		if (!vm.q[i])
			err = -ENOMEM;
	}
	is_int(err, 0, "open four ports of %s with %u slots", sw2, VM_SLOTS);
	if (err)
		goto out;
	bufsize = NETMAP_TXRING(p[0].nifp, 0)->nr_buf_size;
	for (step = 0; step < steps && !bad; step++) {
		int src = pm_rnd(&x) % 2 ? 0 : 2;	/* a or c */
		struct netmap_ring *t = NETMAP_TXRING(p[src].nifp, 0);
		uint32_t space = nm_ring_space(t), want, np = 0, nto[VM_PORTS] = { 0 };
		uint8_t last[12] = { 0 };
		int have_last = 0;

		/* Packets: one to three slots, often the previous one's addresses. */
		want = 1 + (uint32_t)(pm_rnd(&x) % 20);
		while (np < want) {
			struct vm_pkt *k = &batch[np];
			uint64_t v = pm_rnd(&x);
			uint32_t f, nf = v % 8 == 0 ? 2 + (v >> 3) % 2 : 1;
			static const uint16_t lens[] = { 10, 14, 42, 60, 60, 60, 64,
							 65, 128, 1514, 0 };
			uint8_t hdr[12];
			int r;

			if (nf > space)
				break;
			if (have_last && (v >> 8) % 4)
				memcpy(hdr, last, 12);
			else {
				int which = (int)((v >> 12) % 10);

				/* dst: b, d, broadcast, unknown, own, the other sender */
				if (which < 4)
					memcpy(hdr, vm_mac(1), 6);
				else if (which < 6)
					memcpy(hdr, vm_mac(3), 6);
				else if (which < 7)
					memset(hdr, 0xff, 6);
				else if (which < 8)
					memcpy(hdr, mac_x, 6);
				else if (which < 9)
					memcpy(hdr, vm_mac(src), 6);
				else
					memcpy(hdr, vm_mac(2 - src), 6);
				/* src: its own, rarely a receiver's (a move) */
				memcpy(hdr + 6, vm_mac((v >> 20) % 32 ? src :
						       (v >> 25) % 2 ? 1 : 3), 6);
			}
			memcpy(last, hdr, 12);
			have_last = 1;
			k->nf = (uint16_t)nf;
			for (f = 0; f < nf; f++) {
				struct netmap_slot *sl = &t->slot[t->head];
				uint8_t *buf = (uint8_t *)NETMAP_BUF(t, sl->buf_idx);
				uint16_t len = lens[(pm_rnd(&x) >> 7) % 11];
				uint32_t j;

				if (!len)
					len = (uint16_t)(bufsize + 10);
				if (f && len < 14)
					len = 14;
				for (j = 0; j < len && j < bufsize; j++)
					buf[j] = (uint8_t)(j * 7 + step * 13 + f);
				if (!f)
					memcpy(buf, hdr, len < 12 ? len : 12);
				sl->len = len;
				sl->flags = (uint16_t)((f + 1 < nf ? NS_MOREFRAG : 0) |
						       ((v >> 30) % 16 == 0 ? NS_BUF_CHANGED : 0));
				k->len[f] = len > bufsize ? 0 : len;
				if (k->len[f])
					memcpy(k->data[f], buf, k->len[f]);
				t->head = t->cur = nm_ring_next(t, t->head);
				space--;
			}
			r = vm_route(&vm, src, k->data[0], k->len[0] ? k->len[0] : (uint16_t)(bufsize + 1), bufsize);
			if (r == -2)
				drops++;
			for (d = 0; d < VM_PORTS; d++)
				if (d != src && (r == -1 || r == d))
					to[d][nto[d]++] = k;
			np++;
		}
		if (!np)
			goto release;
		pkts += np;
		for (d = 0; d < VM_PORTS; d++)
			vm_deliver(&vm, d, to[d], nto[d]);
		nmb_ioctl(p[src].fd, NIOCTXSYNC, NULL);
		/* Every receiver: exactly the expected new slots. */
		for (d = 0; d < VM_PORTS && !bad; d++) {
			struct netmap_ring *r = NETMAP_RXRING(p[d].nifp, 0);
			uint32_t j, q, f, old = r->tail, got;

			nmb_ioctl(p[d].fd, NIOCRXSYNC, NULL);
			got = (r->tail + r->num_slots - old) % r->num_slots;
			for (q = 0, j = old; q < vm.nq[d] && !bad; q++) {
				struct vm_pkt *k = &vm.q[d][q];

				for (f = 0; f < k->nf; f++, j = nm_ring_next(r, j)) {
					struct netmap_slot *sl = &r->slot[j];
					uint16_t fl = (uint16_t)(k->nf << 8 |
						(f + 1 < k->nf ? NS_MOREFRAG : 0));

					if (got-- == 0 || sl->len != k->len[f] ||
					    sl->flags != fl ||
					    memcmp(NETMAP_BUF(r, sl->buf_idx),
						   k->data[f], k->len[f])) {
						printf("# step %ld port %s packet %u slot %u: len %u flags %x, want %u %x\n",
						       step, names[d], q, f, sl->len,
						       sl->flags, k->len[f], fl);
						bad++;
						break;
					}
				}
			}
			if (!bad && got) {
				printf("# step %ld port %s: %u slots more than expected\n",
				       step, names[d], got);
				bad++;
			}
			vm.nq[d] = 0;
		}
release:
		/* Receivers release all or nothing: rings fill and drop. */
		for (d = 0; d < VM_PORTS; d++)
			if (pm_rnd(&x) % 3 == 0) {
				rx_release(&p[d]);
				vm.busy[d] = 0;
			}
	}
	ok(!bad && pkts > 10000 && vm_full > 50,
	   "%ld random syncs (%ld packets, %ld dropped by routing, %ld for full rings): every receive ring as the model says",
	   step, pkts, drops, vm_full);
out:
	for (i = 0; i < VM_PORTS; i++) {
		port_close(&p[i]);
		free(vm.q[i]);
	}
}

static void test_options(void)
{
	struct nmreq_option unknown = { 0 };
	struct nmreq_opt_offsets off = { 0 };
	struct port p = { 0 };
	char n[64];
	int err;

	name_of(n, sizeof(n), "opt");
	unknown.nro_reqtype = 1234;
	err = port_open(&p, n, NR_REG_ALL_NIC, 0, &unknown);
	is_int(err, -EOPNOTSUPP, "unknown option type: EOPNOTSUPP");
	is_int(unknown.nro_status, EOPNOTSUPP, "its status is EOPNOTSUPP");

	unknown.nro_next = (uintptr_t)&unknown;
	memset(&p, 0, sizeof(p));
	err = port_open(&p, n, NR_REG_ALL_NIC, 0, &unknown);
	is_int(err, -EMSGSIZE, "self-referencing unknown option: EMSGSIZE");

	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_opt.nro_next = (uintptr_t)&off;
	memset(&p, 0, sizeof(p));
	err = port_open(&p, n, NR_REG_ALL_NIC, 0, &off);
	is_int(err, -EINVAL, "self-referencing OFFSETS: EINVAL");
	is_int(off.nro_opt.nro_status, EINVAL, "its status is EINVAL");

	memset(&off, 0, sizeof(off));
	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_max_offset = 128;
	off.nro_initial_offset = 64;
	memset(&p, 0, sizeof(p));
	err = port_open(&p, n, NR_REG_ALL_NIC, 0, &off);
	is_int(err, 0, "OFFSETS accepted on a VALE port");
	is_int(off.nro_opt.nro_status, 0, "OFFSETS status 0");
	if (!err) {
		struct netmap_ring *t = NETMAP_TXRING(p.nifp, 0);

		ok(t->offset_mask == ~0ULL, "offset mask all ones");
		is_int(NETMAP_ROFFSET(t, &t->slot[5]), 64, "initial offset set");
		port_close(&p);
	}
	off.nro_max_offset = 4096;	/* larger than the buffer */
	off.nro_opt.nro_status = 0;
	memset(&p, 0, sizeof(p));
	err = port_open(&p, n, NR_REG_ALL_NIC, 0, &off);
	is_int(err, -EINVAL, "OFFSETS larger than the buffer: EINVAL");
}

static void test_errors(void)
{
	struct nmreq_header h;
	struct nmreq_register reg;
	struct port p = { 0 };
	char n[64];
	int fd = nmb_open(), err;

	ok(fd >= 0, "open a control descriptor");
	is_int(nmb_ioctl(fd, NIOCCTRL, NULL), -EINVAL, "NULL argument: EINVAL");
	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = NR_REG_ALL_NIC;
	name_of(n, sizeof(n), "e");
	hdr_init(&h, NETMAP_REQ_REGISTER, n, &reg);
	h.nr_version = 13;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "version 13: EINVAL");
	h.nr_version = 16;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "version 16: EINVAL");
	hdr_init(&h, NETMAP_REQ_REGISTER, n, &reg);
	h.nr_reserved = 1;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "nr_reserved: EINVAL");
	is_int(h.nr_reserved, 0, "nr_reserved reset to 0 on copy-back");
	hdr_init(&h, NETMAP_REQ_REGISTER, n, NULL);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "missing body: EINVAL");
	hdr_init(&h, NETMAP_REQ_VALE_DELIF, n, &reg);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL,
	       "body on a bodiless request: EINVAL");
	hdr_init(&h, 99, n, NULL);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "unknown reqtype: EINVAL");
	reg.nr_mode = NR_REG_DEFAULT;
	hdr_init(&h, NETMAP_REQ_REGISTER, n, &reg);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "mode 0: EINVAL");
	reg.nr_mode = NR_REG_PIPE_MASTER;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "pipe mode 5: EINVAL");
	reg.nr_mode = NR_REG_ALL_NIC;
	hdr_init(&h, NETMAP_REQ_REGISTER, "valid0", &reg);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -ENOMEM,
	       "'val' name that is not a VALE name: ENOMEM");
	hdr_init(&h, NETMAP_REQ_REGISTER, "nosuchif0", &reg);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -ENXIO, "unknown interface: ENXIO");
	is_int(nmb_ioctl(fd, NIOCTXSYNC, NULL), -ENXIO, "TXSYNC unbound: ENXIO");
	hdr_init(&h, NETMAP_REQ_REGISTER, n, &reg);
	reg.nr_mode = NR_REG_SW;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL,
	       "host rings on a VALE port: EINVAL");
	reg.nr_mode = NR_REG_ALL_NIC;
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), 0, "register after errors");
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EBUSY, "second register: EBUSY");
	nmb_close(fd);

	/* Exclusive access (11.5). */
	name_of(n, sizeof(n), "ex");
	err = port_open(&p, n, NR_REG_ALL_NIC, NR_EXCLUSIVE, NULL);
	is_int(err, 0, "exclusive open");
	{
		struct port q = { 0 };

		is_int(port_open(&q, n, NR_REG_ALL_NIC, 0, NULL), -EBUSY,
		       "second open of an exclusive port: EBUSY");
	}
	port_close(&p);
}

static void test_legacy(void)
{
	struct nmreq nmr;
	char n[64];
	int fd = nmb_open();

	memset(&nmr, 0, sizeof(nmr));
	name_of(n, sizeof(n), "lg");
	memcpy(nmr.nr_name, n, sizeof(nmr.nr_name) - 1);	/* 16 bytes */
	nmr.nr_version = 13;
	is_int(nmb_ioctl(fd, NIOCREGIF, &nmr), -EINVAL,
	       "legacy version 13: EINVAL");
	nmr.nr_version = 16;
	is_int(nmb_ioctl(fd, NIOCREGIF, &nmr), 0, "legacy version 16: ok");
	is_int(nmr.nr_tx_slots, 1024, "legacy reply: slots");
	ok(nmr.nr_arg2 > 1, "legacy reply: mem id in nr_arg2");
	is_int(nmr.nr_ringid, 0, "legacy ringid unchanged");
	nmb_close(fd);
}

static void test_list(void)
{
	struct port p[3];
	struct nmreq_header h;
	struct nmreq_vale_list l;
	char n[64];
	int fd = nmb_open(), i, found = 0, err;

	for (i = 0; i < 3; i++) {
		char pn[8];

		memset(&p[i], 0, sizeof(p[i]));
		snprintf(pn, sizeof(pn), "l%d", i);
		name_of(n, sizeof(n), pn);
		port_open(&p[i], n, NR_REG_ALL_NIC, 0, NULL);
	}
	memset(&l, 0, sizeof(l));
	for (;;) {
		hdr_init(&h, NETMAP_REQ_VALE_LIST, "", &l);
		err = nmb_ioctl(fd, NIOCCTRL, &h);
		if (err)
			break;
		if (!strncmp(h.nr_name, sw, strlen(sw)) &&
		    h.nr_name[strlen(sw)] == ':')
			found++;
		l.nr_port_idx++;
	}
	is_int(err, -ENOENT, "enumeration ends with ENOENT");
	is_int(found, 3, "enumeration lists each of our 3 ports once");
	name_of(n, sizeof(n), "l1");
	memset(&l, 0, sizeof(l));
	hdr_init(&h, NETMAP_REQ_VALE_LIST, n, &l);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), 0, "lookup by name");
	is_int(l.nr_port_idx, 1, "l1 is port 1");
	hdr_init(&h, NETMAP_REQ_VALE_LIST, "valenosuch0:", &l);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -ENOENT, "unknown switch: ENOENT");
	hdr_init(&h, NETMAP_REQ_VALE_LIST, "eth0", &l);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -EINVAL, "not a VALE name: EINVAL");
	for (i = 0; i < 3; i++)
		port_close(&p[i]);
	memset(&l, 0, sizeof(l));
	hdr_init(&h, NETMAP_REQ_VALE_LIST, n, &l);
	is_int(nmb_ioctl(fd, NIOCCTRL, &h), -ENOENT,
	       "switch gone with its last port");
	nmb_close(fd);
}

static void test_repair(void)
{
	struct port a = { 0 }, b = { 0 };
	struct netmap_ring *t;
	char n[64];
	int i;

	name_of(n, sizeof(n), "ra");
	port_open(&a, n, NR_REG_ALL_NIC, 0, NULL);
	name_of(n, sizeof(n), "rb");
	port_open(&b, n, NR_REG_ALL_NIC, 0, NULL);
	t = NETMAP_TXRING(a.nifp, 0);
	t->head = 5000;
	t->cur = 7;
	t->tail = 3;
	t->slot[3].buf_idx = 0xffffffff;
	t->slot[4].len = 60000;
	is_int(nmb_ioctl(a.fd, NIOCTXSYNC, NULL), 0,
	       "corrupted ring: TXSYNC still returns 0");
	is_int(t->head, 0, "head reset");
	is_int(t->cur, 0, "cur reset");
	is_int(t->tail, 1023, "tail restored");
	is_int(t->slot[3].buf_idx, 0, "invalid buffer index neutralised");
	is_int(t->slot[4].len, 0, "oversized length zeroed");
	t->head = 2;
	t->cur = 1;	/* cur before head */
	is_int(nmb_ioctl(a.fd, NIOCTXSYNC, NULL), 0, "cur < head: repaired");
	is_int(t->head, 0, "head back to hwcur");
	is_int(rx_count(&b), 0, "nothing forwarded from a bad ring");
	/* Garbage in every slot: the switch must not crash. */
	for (i = 0; i < 100; i++) {
		t->slot[i].buf_idx = (uint32_t)rand();
		t->slot[i].len = (uint16_t)rand();
		t->slot[i].flags = (uint16_t)rand() & ~NS_INDIRECT;
	}
	t->head = t->cur = 100;
	is_int(nmb_ioctl(a.fd, NIOCTXSYNC, NULL), 0, "garbage slots synced");
	send_frame(&a, mac_bcast, mac_a, 60, 1);
	ok(rx_count(&b) >= 1, "the port still forwards afterwards");
	port_close(&a);
	port_close(&b);
}

/*
 * Pipes of an auto-created parent (issue 8, 2.7): the parent's region is
 * sized for the pipe that creates it, whatever its rings, and (user
 * runtime, whose regions cost only what is used) for the 64 pipes of
 * spec 16.  A VALE port with many rings has a netmap_if for each of its
 * rings bound alone, as pkt-gen -p does.
 */
static void test_region_sizing(void)
{
	static struct port p[65];
	struct port a = { .fd = -1 }, r[17];
	int user = strcmp(getenv("NETMAP_BACKEND"), "kernel") != 0;
	char n[64];
	int i, err = 0, opened = 0;

	snprintf(n, sizeof(n), "%sq{0", sw + 4);
	memset(&p[0], 0, sizeof(p[0]));
	p[0].reg.nr_tx_rings = p[0].reg.nr_rx_rings = 8;
	err = port_open(&p[0], n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "a first pipe with 8 rings each way on a new parent");
	port_close(&p[0]);

	if (user) {
		for (i = 0; i < 65; i++) {
			snprintf(n, sizeof(n), "%sr{%d", sw + 4, i);
			memset(&p[i], 0, sizeof(p[i]));
			err = port_open(&p[i], n, NR_REG_ALL_NIC, 0, NULL);
			if (err)
				break;
			opened++;
		}
		is_int(opened, 64, "64 pipes on one auto-created parent");
		is_int(err, -EINVAL, "the 65th gets EINVAL (spec 16)");
		for (i = 0; i < opened; i++)
			port_close(&p[i]);
	} else {
		ok(1, "# SKIP the kernel commits a region at once: an "
		   "auto-created parent holds the pipes of 15.2");
		ok(1, "# SKIP (same)");
	}

	name_of(n, sizeof(n), "many");
	a.reg.nr_tx_rings = a.reg.nr_rx_rings = 16;
	err = port_open(&a, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "a VALE port with 16 rings each way");
	for (i = 0, opened = 0; !err && i < 16; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].reg.nr_ringid = (uint16_t)i;
		if (port_open(&r[i], n, NR_REG_ONE_NIC, 0, NULL))
			break;
		opened++;
	}
	is_int(opened, 16, "each of its 16 rings bound by a descriptor of its own");
	for (i = 0; i < opened; i++)
		port_close(&r[i]);
	port_close(&a);
}

/*
 * A port frees at teardown only buffers it owns (issue 8, 2.3): b writes
 * c's buffer indices into all its TX slots and closes; the next port of
 * the region must not be given c's buffers, which c still uses.  Once
 * with pipes of one parent, once with VALE ports sharing a region (@N).
 */
/* Ring k of port x, TX rings first, then RX rings; NULL past the last. */
static struct netmap_ring *ring_k(struct port *x, uint32_t k)
{
	uint32_t t = x->nifp->ni_tx_rings, r = x->nifp->ni_rx_rings;

	if (k < t)
		return NETMAP_TXRING(x->nifp, k);
	return k < t + r ? NETMAP_RXRING(x->nifp, k - t) : NULL;
}

/* Buffers in some ring of x that are also in some ring of y. */
static int bufs_overlap(struct port *x, struct port *y)
{
	struct netmap_ring *rx, *ry;
	uint32_t a, b, i, j, n = 0;

	for (a = 0; (rx = ring_k(x, a)) != NULL; a++)
		for (b = 0; (ry = ring_k(y, b)) != NULL; b++)
			for (i = 0; i < rx->num_slots; i++)
				for (j = 0; j < ry->num_slots; j++)
					n += rx->slot[i].buf_idx ==
					     ry->slot[j].buf_idx;
	return (int)n;
}

/* Write v into every buffer of every ring of x. */
static void bufs_fill(struct port *x, uint8_t v)
{
	struct netmap_ring *r;
	uint32_t k, i;

	for (k = 0; (r = ring_k(x, k)) != NULL; k++)
		for (i = 0; i < r->num_slots; i++)
			memset(NETMAP_BUF(r, r->slot[i].buf_idx), v, 64);
}

/* Buffers of x that do not hold v. */
static int bufs_read(struct port *x, uint8_t v)
{
	struct netmap_ring *r;
	uint32_t k, i, bad = 0;

	for (k = 0; (r = ring_k(x, k)) != NULL; k++)
		for (i = 0; i < r->num_slots; i++)
			bad += ((uint8_t *)NETMAP_BUF(r, r->slot[i].buf_idx))[0] != v;
	return (int)bad;
}

static void test_buffer_ownership(int vale)
{
	struct port a = { .fd = -1 }, b = { .fd = -1 }, c = { .fd = -1 },
		    d = { .fd = -1 };
	const char *what = vale ? "VALE ports sharing a region" :
				  "pipes of one parent";
	struct netmap_ring *tb, *tc;
	char n[64];
	uint32_t i;
	int err;

	if (vale) {
		name_of(n, sizeof(n), "own_a");
		err = port_open(&a, n, NR_REG_ALL_NIC, 0, NULL);
		c.reg.nr_mem_id = b.reg.nr_mem_id = d.reg.nr_mem_id =
			a.reg.nr_mem_id;
		name_of(n, sizeof(n), "own_b");
		err = err ? err : port_open(&b, n, NR_REG_ALL_NIC, 0, NULL);
		name_of(n, sizeof(n), "own_c");
		err = err ? err : port_open(&c, n, NR_REG_ALL_NIC, 0, NULL);
	} else {
		snprintf(n, sizeof(n), "%sown{1", sw + 4);
		err = port_open(&b, n, NR_REG_ALL_NIC, 0, NULL);
		snprintf(n, sizeof(n), "%sown{2", sw + 4);
		err = err ? err : port_open(&c, n, NR_REG_ALL_NIC, 0, NULL);
	}
	is_int(err, 0, "%s: ports open", what);
	if (err)
		goto out;
	ok(c.reg.nr_mem_id == b.reg.nr_mem_id, "%s: one region", what);
	bufs_fill(&c, 0xcc);
	tb = NETMAP_TXRING(b.nifp, 0);
	tc = NETMAP_TXRING(c.nifp, 0);
	for (i = 0; i < tb->num_slots; i++)
		tb->slot[i].buf_idx = tc->slot[i % tc->num_slots].buf_idx;
	port_close(&b);	/* b's only binding: its rings go */
	/* more buffers than b was given: the next free ones are reached */
	d.reg.nr_tx_rings = d.reg.nr_rx_rings = 4;
	if (vale)
		name_of(n, sizeof(n), "own_d");
	else
		snprintf(n, sizeof(n), "%sown{3", sw + 4);
	err = port_open(&d, n, NR_REG_ALL_NIC, 0, NULL);
	is_int(err, 0, "%s: a new port after b closed", what);
	if (err)
		goto out;
	is_int(bufs_overlap(&c, &d), 0,
	       "%s: none of c's buffers given to the new port", what);
	bufs_fill(&d, 0xdd);
	is_int(bufs_read(&c, 0xcc), 0, "%s: c's buffers still read as c wrote",
	       what);
out:
	port_close(&d);
	port_close(&c);
	port_close(&b);
	port_close(&a);
}

static void test_port_limit(void)
{
	static struct port p[253];
	char n[64];
	int i, err = 0, opened = 0;

	for (i = 0; i < 253; i++) {
		char pn[16];

		snprintf(pn, sizeof(pn), "m%d", i);
		snprintf(n, sizeof(n), "%sL:%s", sw, pn);
		memset(&p[i], 0, sizeof(p[i]));
		p[i].reg.nr_tx_slots = p[i].reg.nr_rx_slots = 8;
		err = port_open(&p[i], n, NR_REG_ALL_NIC, 0, NULL);
		if (err)
			break;
		opened++;
	}
	is_int(opened, 252, "252 ports fit on one switch");
	is_int(err, -ENOMEM, "the 253rd gets ENOMEM");
	for (i = 0; i < opened; i++)
		port_close(&p[i]);
}

/* poll() revents of p for events, without waiting. */
static short poll_now(struct port *p, short events)
{
	struct pollfd pfd = { .fd = p->fd, .events = events };

	if (nm_poll(&pfd, 1, 0) < 0)
		return -1;
	return pfd.revents;
}

/* Slot i (from head) of p's RX ring 0. */
static struct netmap_slot *rx_slot(struct port *p, uint32_t i)
{
	struct netmap_ring *r = NETMAP_RXRING(p->nifp, 0);
	uint32_t j = r->head + i;

	return &r->slot[j >= r->num_slots ? j - r->num_slots : j];
}

/*
 * A zero-copy monitor of a pipe's sender gets the slots its receiver
 * released when they are handed back to the sender (the receiver's sync
 * moves the sender's tail, between two syncs of the sender).
 */
static void test_monitor_pipe_tx(void)
{
	struct port pm = { .fd = -1 }, ps = { .fd = -1 }, z = { .fd = -1 };
	struct netmap_ring *t, *r;
	char nm[NM_PIPE_NAME], ns[NM_PIPE_NAME];
	uint32_t sent[2];
	int i;

	if (pipe_pair_open(&pm, &ps, "zt", nm, ns))
		goto out;
	if (port_open(&z, nm, NR_REG_ALL_NIC, NR_ZCOPY_MON | NR_MONITOR_TX,
		      NULL)) {
		ok(0, "pipe zero-copy TX monitor: open");
		goto out;
	}
	t = NETMAP_TXRING(pm.nifp, 0);
	r = NETMAP_RXRING(ps.nifp, 0);
	for (i = 0; i < 2; i++) {
		struct netmap_slot *sl = &t->slot[t->head];

		sent[i] = sl->buf_idx;
		memset(NETMAP_BUF(t, sl->buf_idx), 0x30 + i, 80 + i);
		sl->len = (uint16_t)(80 + i);
		t->head = t->cur = nm_ring_next(t, t->head);
	}
	nmb_ioctl(pm.fd, NIOCTXSYNC, NULL);
	is_int(rx_count(&ps), 2, "pipe: the receiver got 2 frames");
	is_int(rx_count(&z), 0, "zero-copy TX monitor: nothing before they are released");
	rx_release(&ps);
	is_int(rx_count(&z), 0, "  nor before the sender syncs");
	nmb_ioctl(pm.fd, NIOCTXSYNC, NULL);
	is_int(nm_ring_space(t), t->num_slots - 1, "the sender got its slots back");
	is_int(rx_count(&z), 2, "zero-copy TX monitor: the 2 completed slots");
	ok(rx_slot(&z, 0)->buf_idx == sent[0] && rx_slot(&z, 1)->buf_idx == sent[1] &&
	   rx_slot(&z, 1)->len == 81 && (rx_slot(&z, 1)->flags & NS_TXMON) &&
	   ((uint8_t *)NETMAP_BUF(NETMAP_RXRING(z.nifp, 0),
				  rx_slot(&z, 1)->buf_idx))[0] == 0x31,
	   "  the sender's very buffers, length, data, NS_TXMON");
	ok(t->slot[0].buf_idx != sent[0] && t->slot[1].buf_idx != sent[1] &&
	   r->slot[0].buf_idx == t->slot[0].buf_idx,
	   "  the sender's slots (and the receiver's) got the monitor's buffers");
	/* the next lap goes through the new buffers */
	rx_release(&z);
	memset(NETMAP_BUF(t, t->slot[t->head].buf_idx), 0x42, 60);
	t->slot[t->head].len = 60;
	t->head = t->cur = nm_ring_next(t, t->head);
	nmb_ioctl(pm.fd, NIOCTXSYNC, NULL);
	ok(rx_count(&ps) == 1 && rx_slot(&ps, 0)->len == 60 &&
	   ((uint8_t *)NETMAP_BUF(r, rx_slot(&ps, 0)->buf_idx))[0] == 0x42,
	   "  and the pipe goes on: a frame through a swapped slot");
out:
	port_close(&z);
	port_close(&ps);
	port_close(&pm);
}

/* Monitors (17): names, geometry, what copy and zero-copy monitors see. */
static void test_monitor(void)
{
	struct port a = { .fd = -1 }, b = { .fd = -1 }, m = { .fd = -1 };
	struct port z = { .fd = -1 };
	char na[64], nb[64], want[80];
	uint32_t bbuf;
	int err, i;

	name_of(na, sizeof(na), "ma");
	name_of(nb, sizeof(nb), "mb");
	err = port_open(&m, nb, NR_REG_ALL_NIC, NR_MONITOR_RX, NULL);
	is_int(err, -EINVAL, "monitor of a port not in netmap mode: EINVAL");
	port_close(&m);
	if (port_open(&a, na, NR_REG_ALL_NIC, 0, NULL) ||
	    port_open(&b, nb, NR_REG_ALL_NIC, NR_EXCLUSIVE, NULL)) {
		ok(0, "monitor: open the watched ports");
		return;
	}
	err = port_open(&m, nb, NR_REG_ALL_NIC, NR_MONITOR_RX | NR_MONITOR_TX,
			NULL);
	is_int(err, 0, "copy monitor /rt of a port bound exclusively");
	snprintf(want, sizeof(want), "%s/rt#0", nb);
	ok(!strncmp(m.nifp->ni_name, want, 15), "its name is <port>/rt#0 (%.15s)",
	   m.nifp->ni_name);
	is_int(m.reg.nr_tx_rings, 1, "one TX ring");
	is_int(m.reg.nr_rx_rings, 1, "max(parent rings) RX rings");
	is_int(m.reg.nr_rx_slots, 1024, "the parent's slots");
	ok(m.reg.nr_mem_id != b.reg.nr_mem_id, "a region of its own");
	is_int((int)m.reg.nr_flags, NR_MONITOR_RX | NR_MONITOR_TX, "flags unchanged");

	err = port_open(&z, nb, NR_REG_ALL_NIC, NR_ZCOPY_MON, NULL);
	is_int(err, 0, "zero-copy monitor");
	is_int((int)z.reg.nr_flags, NR_ZCOPY_MON | NR_MONITOR_TX | NR_MONITOR_RX,
	       "NR_ZCOPY_MON comes back with NR_MONITOR_TX | NR_MONITOR_RX");
	is_int(z.reg.nr_mem_id, b.reg.nr_mem_id, "in the parent's region");
	snprintf(want, sizeof(want), "%s/zrt#1", nb);
	ok(!strncmp(z.nifp->ni_name, want, 15), "its name is <port>/zrt#1");
	{
		/* 17.1: monitors cannot be monitored */
		struct port mm = { .fd = -1 };
		char mname[80];

		snprintf(mname, sizeof(mname), "%s/rt#0", nb);
		is_int(port_open(&mm, mname, NR_REG_ALL_NIC, NR_MONITOR_RX,
				 NULL), -EINVAL, "a monitor of a monitor: EINVAL");
		port_close(&mm);
	}

	/* a -> b: the copy monitor sees them at once, flags without TXMON */
	for (i = 0; i < 3; i++)
		send_frame(&a, mac_bcast, mac_a, 60 + i, 0x11);
	is_int(rx_count(&m), 3, "copy monitor: 3 frames before b reads");
	ok(rx_slot(&m, 2)->len == 62 && !(rx_slot(&m, 2)->flags & NS_TXMON) &&
	   ((uint8_t *)NETMAP_BUF(NETMAP_RXRING(m.nifp, 0),
				  rx_slot(&m, 2)->buf_idx))[20] == 0x11,
	   "  copied: length, data, NS_TXMON clear");
	is_int(rx_count(&z), 0, "zero-copy monitor: nothing before b reads");
	is_int(rx_count(&b), 3, "b got its 3 frames");
	bbuf = rx_slot(&b, 0)->buf_idx;
	rx_release(&b);
	is_int(rx_count(&z), 3, "zero-copy monitor: 3 frames once b released them");
	ok(rx_slot(&z, 0)->buf_idx == bbuf && rx_slot(&z, 0)->len == 60,
	   "  b's buffer moved to the monitor");
	ok(NETMAP_RXRING(b.nifp, 0)->slot[0].buf_idx != bbuf,
	   "  b's slot got another buffer");
	rx_release(&m);
	rx_release(&z);

	/* b -> a: TX traffic, NS_TXMON set */
	send_frame(&b, mac_bcast, mac_b, 70, 0x22);
	send_frame(&b, mac_bcast, mac_b, 71, 0x22);
	is_int(rx_count(&m), 2, "copy monitor: b's 2 TX frames");
	ok(rx_slot(&m, 0)->len == 70 && (rx_slot(&m, 0)->flags & NS_TXMON),
	   "  with NS_TXMON");
	is_int(rx_count(&z), 2, "zero-copy monitor: b's 2 completed TX slots");
	ok(rx_slot(&z, 1)->len == 71 && (rx_slot(&z, 1)->flags & NS_TXMON),
	   "  with NS_TXMON");
	is_int(rx_count(&a), 2, "a got them");
	rx_release(&a);

	/* monitor rings cannot transmit (17.3) */
	is_int(nmb_ioctl(m.fd, NIOCTXSYNC, NULL), 0, "NIOCTXSYNC on a monitor: 0");
	NETMAP_TXRING(m.nifp, 0)->head = NETMAP_TXRING(m.nifp, 0)->cur = 1;
	ok(poll_now(&m, POLLOUT) & POLLERR, "poll for POLLOUT: POLLERR");

	/* the parent leaves: monitors receive nothing and their syncs fail */
	port_close(&b);
	is_int(nmb_ioctl(m.fd, NIOCRXSYNC, NULL), 0,
	       "after the parent left: NIOCRXSYNC still 0");
	ok(poll_now(&m, POLLIN) & POLLERR, "  poll reports POLLERR");
	ok(poll_now(&z, POLLIN) & POLLERR, "  on the zero-copy monitor too");
	port_close(&m);
	port_close(&z);
	port_close(&a);
	test_monitor_pipe_tx();
}

static int backend_is_kernel(void)
{
	const char *b = getenv("NETMAP_BACKEND");

	return b && !strcmp(b, "kernel");
}

/*
 * size bytes of memory both backends accept for EXTMEM: a shared mapping
 * of a file in /dev/shm (the user runtime maps the file again in other
 * processes, the kernel pins its pages).  *path is unlinked by the caller.
 */
static void *ext_area(size_t size, char *path, size_t len)
{
	void *p;
	int fd;

	snprintf(path, len, "/dev/shm/nmext.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)size)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void ext_opt(struct nmreq_opt_extmem *o, void *area, uint64_t size)
{
	memset(o, 0, sizeof(*o));
	o->nro_opt.nro_reqtype = NETMAP_REQ_OPT_EXTMEM;
	o->nro_usrptr = (uintptr_t)area;
	o->nro_info.nr_memsize = size;
}

/* Register name with the EXTMEM option o; the port is mapped at area. */
static int ext_open(struct port *p, const char *name, struct nmreq_opt_extmem *o)
{
	struct nmreq_header h;
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = nmb_open();
	if (p->fd < 0)
		return p->fd;
	hdr_init(&h, NETMAP_REQ_REGISTER, name, &p->reg);
	h.nr_options = (uintptr_t)o;
	p->reg.nr_mode = NR_REG_ALL_NIC;
	err = nmb_ioctl(p->fd, NIOCCTRL, &h);
	if (err) {
		nmb_close(p->fd);
		p->fd = -1;
		return err;
	}
	p->mem = (char *)(uintptr_t)o->nro_usrptr;
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
	return 0;
}

static void ext_close(struct port *p)
{
	if (p->fd >= 0)
		nmb_close(p->fd);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

/* User memory as a region (EXTMEM, 10.3, 23.6). */
static void test_extmem(void)
{
	const size_t size = 16 << 20;
	struct port a = { .fd = -1 }, b = { .fd = -1 }, c = { .fd = -1 };
	struct nmreq_opt_extmem o, o2;
	struct nmreq_pools_info pi;
	struct nmreq_port_info_get info;
	struct nmreq_header h;
	char path[64], path2[64], na[64], nb[64], nc[64];
	char *area = ext_area(size, path, sizeof(path));
	char *small = ext_area(64 << 10, path2, sizeof(path2));
	uint16_t id;
	int err;

	if (!area || !small) {
		ok(0, "extmem: a shared mapping of a file in /dev/shm");
		return;
	}
	name_of(na, sizeof(na), "xa");
	name_of(nb, sizeof(nb), "xb");
	name_of(nc, sizeof(nc), "xc");
	ext_opt(&o, area, size);
	err = ext_open(&a, na, &o);
	is_int(err, 0, "EXTMEM registration on a 16 MiB file mapping");
	if (err)
		goto out;
	is_int(o.nro_opt.nro_status, 0, "  option status 0");
	is_int(o.nro_info.nr_if_pool_objsize, 1024, "  defaults written back: if size");
	is_int(o.nro_info.nr_ring_pool_objtotal, 4, "  ring count");
	is_int(o.nro_info.nr_buf_pool_objsize, 2048, "  buffer size");
	ok(a.reg.nr_memsize == size, "  nr_memsize is the area's size");
	ok(!strcmp(a.nifp->ni_name, na), "  the netmap_if is in the user's memory");
	ok(NETMAP_TXRING(a.nifp, 0)->num_slots == 1024, "  and so are the rings");
	id = a.reg.nr_mem_id;
	memset(&pi, 0, sizeof(pi));
	hdr_init(&h, NETMAP_REQ_POOLS_INFO_GET, na, &pi);
	is_int(nmb_ioctl(a.fd, NIOCCTRL, &h), 0, "POOLS_INFO_GET");
	ok(pi.nr_if_pool_offset == 0 && pi.nr_ring_pool_offset == 4096 &&
	   pi.nr_buf_pool_offset == 4096 + 4 * 20480,
	   "  pools in order, each on a page boundary");
	is_int((int)pi.nr_buf_pool_objtotal,
	       (int)((size - 4096 - 4 * 20480) / 2048),
	       "  the rest of the area is buffers");

	ext_opt(&o2, area, size);
	is_int(ext_open(&b, nb, &o2), 0, "a second port on the same memory");
	is_int(b.reg.nr_mem_id, id, "  shares its region");

	/* a frame from a to b, in the user's memory */
	send_frame(&a, mac_bcast, mac_a, 60, 0x5a);
	is_int(rx_count(&b), 1, "a frame crosses between the two ports");
	ok((uint8_t)NETMAP_BUF(NETMAP_RXRING(b.nifp, 0),
			       NETMAP_RXRING(b.nifp, 0)->slot[0].buf_idx)[30] == 0x5a,
	   "  its bytes are in the area");

	/* errors (26.2) */
	ext_opt(&o2, area + 8, size - 4096);
	is_int(ext_open(&c, nc, &o2), -EINVAL, "unaligned address: EINVAL");
	is_int(o2.nro_opt.nro_status, EINVAL, "  option status EINVAL");
	ext_opt(&o2, area, 0);
	is_int(ext_open(&c, nc, &o2), -EINVAL, "size 0: EINVAL");
	ext_opt(&o2, area, size - 100);
	is_int(ext_open(&c, nc, &o2), -EINVAL, "size not a page multiple: EINVAL");
	ext_opt(&o2, small, 64 << 10);
	is_int(ext_open(&c, nc, &o2), -ENOMEM, "pools larger than the area: ENOMEM");
	is_int(o2.nro_opt.nro_status, ENOMEM, "  option status ENOMEM");
	ext_opt(&o2, small, 64 << 10);
	o2.nro_info.nr_buf_pool_objsize = 70000;
	is_int(ext_open(&c, nc, &o2), -EINVAL, "buffer size out of range: EINVAL");
	munmap(small, 64 << 10);
	ext_opt(&o2, small, 64 << 10);
	o2.nro_info.nr_if_pool_objtotal = 1;
	o2.nro_info.nr_ring_pool_objtotal = 2;
	o2.nro_info.nr_buf_pool_objtotal = 4;
	is_int(ext_open(&c, nc, &o2), -EFAULT, "memory that is not mapped: EFAULT");
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	if (!port_open(&c, nc, NR_REG_ALL_NIC, 0, NULL)) {
		struct port d;

		ext_opt(&o2, area, size);
		is_int(ext_open(&d, nc, &o2), -EINVAL,
		       "a port that exists in another region: EINVAL");
		port_close(&c);
	}
	if (backend_is_kernel()) {
		void *anon = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ext_opt(&o2, anon, 16 << 20);
		is_int(ext_open(&c, nc, &o2), 0, "kernel: anonymous memory is pinned");
		ext_close(&c);
		munmap(anon, 16 << 20);
	} else {
		void *anon = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		ext_opt(&o2, anon, 16 << 20);
		is_int(ext_open(&c, nc, &o2), -EINVAL,
		       "user runtime: memory no other process can map: EINVAL");
		munmap(anon, 16 << 20);
	}

	/* the memory goes away while in use: the ports go on */
	munmap(area, size);
	area = NULL;
	is_int(nmb_ioctl(a.fd, NIOCTXSYNC, NULL), 0,
	       "the application unmapped the area: syncs still work");
	ext_close(&a);
	memset(&info, 0, sizeof(info));
	info.nr_mem_id = id;
	hdr_init(&h, NETMAP_REQ_PORT_INFO_GET, "", &info);
	is_int(nmb_ioctl(b.fd, NIOCCTRL, &h), 0, "the region lives while b uses it");
	ext_close(&b);
	info.nr_mem_id = id;
	is_int(nmb_ioctl(b.fd = nmb_open(), NIOCCTRL, &h), -EINVAL,
	       "released at the last close: its id is gone");
	nmb_close(b.fd);
out:
	if (area)
		munmap(area, size);
	unlink(path);
	unlink(path2);
}

/* A request with one option (or none) on p's descriptor; 0 or -errno. */
static int ctrl_opt(int fd, uint16_t type, const char *name, void *body,
		    void *opt)
{
	struct nmreq_header h;

	hdr_init(&h, type, name, body);
	h.nr_options = (uintptr_t)opt;
	return nmb_ioctl(fd, NIOCCTRL, &h);
}

struct kloop_arg {
	int fd;
	const char *name;
	uint32_t sleep_us;
	void *opt;
	int err;
};

static void *kloop_thread(void *p)
{
	struct kloop_arg *a = p;
	struct nmreq_sync_kloop_start st = { .sleep_us = a->sleep_us };

	a->err = ctrl_opt(a->fd, NETMAP_REQ_SYNC_KLOOP_START, a->name, &st,
			  a->opt);
	return NULL;
}

/* Wait until the loop of fd runs: CSB_ENABLE answers EBUSY then. */
static int kloop_running(int fd, const char *name, void *csb)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (ctrl_opt(fd, NETMAP_REQ_CSB_ENABLE, name, NULL, csb) == -EBUSY)
			return 1;
		usleep(1000);
	}
	return 0;
}

/* CSB mode and the sync loop (25): set-up, errors, start and stop. */
static void test_csb(void)
{
	static struct nm_csb_atok atok[4];
	static struct nm_csb_ktoa ktoa[4];
	struct port p = { .fd = -1 }, q = { .fd = -1 };
	int fd, err, e1;
	struct nmreq_opt_csb csb;
	struct nmreq_sync_kloop_start st;
	struct {
		struct nmreq_opt_sync_kloop_eventfds o;
		int32_t fds[4];
	} efd;
	struct nmreq_opt_sync_kloop_mode mode;
	struct kloop_arg ka, kb;
	pthread_t th, th2;
	char np[64], nq[64];

	name_of(np, sizeof(np), "cp");
	name_of(nq, sizeof(nq), "cq");
	memset(&csb, 0, sizeof(csb));
	csb.nro_opt.nro_reqtype = NETMAP_REQ_OPT_CSB;
	csb.csb_atok = (uintptr_t)atok;
	csb.csb_ktoa = (uintptr_t)ktoa;

	/* errors at registration (26.2) */
	err = port_open(&p, np, NR_REG_ALL_NIC, 0, &csb);
	is_int(err, -EINVAL, "CSB without NR_EXCLUSIVE: EINVAL");
	is_int(csb.nro_opt.nro_status, EINVAL, "  option status EINVAL");
	port_close(&p);
	csb.csb_atok = (uintptr_t)atok + 8;
	err = port_open(&p, np, NR_REG_ALL_NIC, NR_EXCLUSIVE, &csb);
	is_int(err, -EINVAL, "CSB arrays not 64-byte aligned: EINVAL");
	port_close(&p);
	csb.csb_atok = 64;
	err = port_open(&p, np, NR_REG_ALL_NIC, NR_EXCLUSIVE, &csb);
	is_int(err, -EFAULT, "CSB arrays not readable: EFAULT");
	is_int(csb.nro_opt.nro_status, EFAULT, "  option status EFAULT");
	port_close(&p);

	/* CSB_ENABLE: without the option, unbound */
	fd = nmb_open();
	is_int(ctrl_opt(fd, NETMAP_REQ_CSB_ENABLE, np, NULL, NULL), -EINVAL,
	       "CSB_ENABLE without the CSB option: EINVAL");
	csb.csb_atok = (uintptr_t)atok;
	is_int(ctrl_opt(fd, NETMAP_REQ_CSB_ENABLE, np, NULL, &csb), -ENXIO,
	       "CSB_ENABLE unbound: ENXIO");
	memset(&st, 0, sizeof(st));
	is_int(ctrl_opt(fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, NULL), -ENXIO,
	       "SYNC_KLOOP_START unbound: ENXIO");
	is_int(ctrl_opt(fd, NETMAP_REQ_SYNC_KLOOP_STOP, np, NULL, NULL), -ENXIO,
	       "SYNC_KLOOP_STOP unbound: ENXIO");
	nmb_close(fd);

	/* a CSB registration initialises both arrays (25.1) */
	memset(atok, 0xee, sizeof(atok));
	memset(ktoa, 0xee, sizeof(ktoa));
	err = port_open(&p, np, NR_REG_ALL_NIC, NR_EXCLUSIVE, &csb);
	is_int(err, 0, "CSB option at registration, NR_EXCLUSIVE");
	if (err)
		return;
	is_int(csb.nro_opt.nro_status, 0, "  option status 0");
	ok(atok[0].head == 0 && atok[0].cur == 0 && atok[0].appl_need_kick == 1 &&
	   atok[0].sync_flags == 1, "  atok: head, cur, appl_need_kick 1, sync_flags 1");
	ok(ktoa[0].hwcur == 0 && ktoa[0].hwtail == 1023 && ktoa[0].kern_need_kick == 1,
	   "  ktoa of the TX ring: hwcur 0, hwtail 1023, kern_need_kick 1");
	ok(ktoa[1].hwcur == 0 && ktoa[1].hwtail == 0, "  ktoa of the RX ring: 0, 0");
	is_int(nmb_ioctl(p.fd, NIOCTXSYNC, NULL), -EBUSY, "NIOCTXSYNC in CSB mode: EBUSY");
	is_int(nmb_ioctl(p.fd, NIOCRXSYNC, NULL), -EBUSY, "NIOCRXSYNC in CSB mode: EBUSY");
	ok(poll_now(&p, POLLIN) & POLLERR, "poll in CSB mode: POLLERR");

	/* SYNC_KLOOP_START errors (25.2) */
	st.sleep_us = 1000001;
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, NULL), -EINVAL,
	       "sleep_us over 1000000: EINVAL");
	st.sleep_us = 100;
	memset(&mode, 0, sizeof(mode));
	mode.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_MODE;
	mode.mode = 4;
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, &mode), -EINVAL,
	       "mode bits other than 1 and 2: EINVAL");
	is_int(mode.nro_opt.nro_status, EINVAL, "  option status EINVAL");
	mode.mode = NM_OPT_SYNC_KLOOP_DIRECT_TX;
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, &mode), -EINVAL,
	       "a direct mode without ioeventfds: EINVAL");
	memset(&efd, 0, sizeof(efd));
	efd.o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS;
	efd.o.nro_opt.nro_size = sizeof(efd.o) + 8;	/* two rings bound */
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, &efd), -EINVAL,
	       "eventfds for the wrong number of rings: EINVAL");
	is_int(efd.o.nro_opt.nro_status, EINVAL, "  option status EINVAL");
	efd.o.nro_opt.nro_size = sizeof(efd.o) + 16;
	efd.fds[0] = efd.fds[2] = 0;	/* stdin: no eventfd */
	efd.fds[1] = efd.fds[3] = -1;
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, &efd), -EINVAL,
	       "an ioeventfd that is no eventfd: EINVAL");
	efd.fds[0] = efd.fds[2] = 999;
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, &efd), -EBADF,
	       "an ioeventfd that is not open: EBADF");
	if (!port_open(&q, nq, NR_REG_ALL_NIC, 0, NULL)) {
		is_int(ctrl_opt(q.fd, NETMAP_REQ_SYNC_KLOOP_START, nq, &st, NULL),
		       -EINVAL, "SYNC_KLOOP_START not in CSB mode: EINVAL");
		port_close(&q);
	}

	/* a STOP with no loop running is kept for the next START (25.3) */
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_STOP, np, NULL, NULL), 0,
	       "STOP with no loop: 0 at once");
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_START, np, &st, NULL), 0,
	       "  and the next START returns 0 at once");

	/* one loop at a time; STOP ends it */
	ka = (struct kloop_arg){ p.fd, np, 100, NULL, -1 };
	pthread_create(&th, NULL, kloop_thread, &ka);
	ok(kloop_running(p.fd, np, &csb), "the loop runs in the thread that started it");
	kb = (struct kloop_arg){ p.fd, np, 100, NULL, -1 };
	pthread_create(&th2, NULL, kloop_thread, &kb);
	pthread_join(th2, NULL);
	is_int(kb.err, -EBUSY, "a second START while the loop runs: EBUSY");
	is_int(csb.nro_opt.nro_status, EBUSY, "CSB_ENABLE while the loop runs: EBUSY");
	e1 = ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_STOP, np, NULL, NULL);
	is_int(e1, 0, "STOP: 0 once the loop has exited");
	pthread_join(th, NULL);
	is_int(ka.err, 0, "  START returns 0");

	/* with eventfds and a direct mode */
	efd.fds[0] = efd.fds[2] = eventfd(0, EFD_CLOEXEC);
	efd.fds[1] = efd.fds[3] = eventfd(0, EFD_CLOEXEC);
	mode.mode = NM_OPT_SYNC_KLOOP_DIRECT_TX | NM_OPT_SYNC_KLOOP_DIRECT_RX;
	efd.o.nro_opt.nro_next = (uintptr_t)&mode;
	ka = (struct kloop_arg){ p.fd, np, 0, &efd, -1 };
	pthread_create(&th, NULL, kloop_thread, &ka);
	kloop_running(p.fd, np, &csb);
	is_int(ctrl_opt(p.fd, NETMAP_REQ_SYNC_KLOOP_STOP, np, NULL, NULL), 0,
	       "an event-driven loop in direct modes stops");
	pthread_join(th, NULL);
	is_int(ka.err, 0, "  START returns 0");
	is_int(efd.o.nro_opt.nro_status, 0, "  eventfds option status 0");
	is_int(mode.nro_opt.nro_status, 0, "  mode option status 0");
	close(efd.fds[0]);
	close(efd.fds[1]);
	port_close(&p);

	/* CSB_ENABLE on a bound descriptor */
	memset(&q, 0, sizeof(q));
	if (!port_open(&q, nq, NR_REG_ALL_NIC, NR_EXCLUSIVE, NULL)) {
		is_int(nmb_ioctl(q.fd, NIOCTXSYNC, NULL), 0, "before CSB_ENABLE: syncs work");
		is_int(ctrl_opt(q.fd, NETMAP_REQ_CSB_ENABLE, nq, NULL, &csb), 0,
		       "CSB_ENABLE with the CSB option");
		is_int(nmb_ioctl(q.fd, NIOCTXSYNC, NULL), -EBUSY, "  then NIOCTXSYNC: EBUSY");
		port_close(&q);
	}
}

int main(void)
{
	char dir[] = "/tmp/nmtest.XXXXXX";

	if (!getenv("NETMAP_BACKEND") || strcmp(getenv("NETMAP_BACKEND"),
						"kernel")) {
		/* A private runtime directory: nothing shared with others. */
		if (!mkdtemp(dir))
			return 99;
		setenv("NETMAP_RUNTIME_DIR", dir, 1);
		setenv("NETMAP_BACKEND", "user", 1);
	}
	snprintf(sw, sizeof(sw), "vale%u", (unsigned)getpid() % 100000);
	test_register_layout();
	test_vale_broadcast_learning();
	test_vale_fragments();
	test_vale_indirect_hdr();
	test_vale_indirect_fault();
	test_pipe();
	test_pipe_parent_request();
	test_pipe_garbage();
	test_pipe_model();
	test_vale_model();
	test_options();
	test_errors();
	test_legacy();
	test_list();
	test_repair();
	test_region_sizing();
	test_buffer_ownership(0);
	test_buffer_ownership(1);
	test_port_limit();
	test_monitor();
	test_extmem();
	test_csb();
	return tap_done();
}
