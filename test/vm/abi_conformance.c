// SPDX-License-Identifier: BSD-2-Clause
/*
 * ABI conformance of /dev/netmap, through raw system calls only (open,
 * ioctl, mmap, poll): no libnetmap, no user runtime.  Every answer is
 * checked field by field against ../shared/spec/netmap-abi.md: echoed
 * mode, ring id and flags, honoured ring and slot counts, region ids, the
 * region layout (POOLS_INFO_GET) and ring offsets, the legacy NIOCREGIF
 * path against NIOCCTRL, persistent ports, and the errno of the rows of
 * section 26 that the module implements.  Output is TAP.
 *
 * It runs in the vm-check guest (as root, with netmap.ko loaded).  With
 * arguments it is also a small tool the guest scripts use:
 *   abi_conformance newif NAME | delif NAME | attach VALE:NAME |
 *                   detach VALE:NAME        one request, errno as status
 *   abi_conformance hold NAME SECONDS       register, map, sleep
 *   abi_conformance traffic NAME            send on NAME until killed
 *   abi_conformance churn N                 N open/register/mmap/close
 *   abi_conformance null SECONDS            null port in region 1, sleep
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_legacy.h>

/* ---------------------------------------------------------------- */
/* TAP                                                              */
/* ---------------------------------------------------------------- */

static int t_num, t_failed;

static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++t_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		t_failed++;
	return cond;
}

#define is_int(got, exp, ...)                                               \
	do {                                                                \
		long long g_ = (long long)(got), e_ = (long long)(exp);     \
		if (!ok(g_ == e_, __VA_ARGS__))                             \
			printf("#   got %lld, expected %lld\n", g_, e_);        \
	} while (0)

/* errno of a call: 0 on success. */
#define ERR(call) ((call) < 0 ? errno : 0)

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case ENXIO: return "ENXIO";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case EMSGSIZE: return "EMSGSIZE";
	case EIO: return "EIO";
	}
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

#define is_errno(got, exp, ...)                                             \
	do {                                                                \
		int g_ = (got), e_ = (exp);                                 \
		if (!ok(g_ == e_, __VA_ARGS__))                             \
			printf("#   got %s, expected %s\n", errname(g_),      \
			       errname(e_));                                \
	} while (0)

/* ---------------------------------------------------------------- */
/* Raw requests                                                     */
/* ---------------------------------------------------------------- */

static int dev_open(void)
{
	int fd = open("/dev/netmap", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! cannot open /dev/netmap: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static void hdr_init(struct nmreq_header *h, uint16_t type, const char *name,
		     void *body)
{
	memset(h, 0, sizeof(*h));
	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	snprintf(h->nr_name, sizeof(h->nr_name), "%s", name);
	h->nr_body = (uintptr_t)body;
}

/* NIOCCTRL with a body; returns 0 or errno. */
static int ctrl(int fd, uint16_t type, const char *name, void *body)
{
	struct nmreq_header h;

	hdr_init(&h, type, name, body);
	return ERR(ioctl(fd, NIOCCTRL, &h));
}

static int ctrl_opts(int fd, uint16_t type, const char *name, void *body,
		     void *opts)
{
	struct nmreq_header h;

	hdr_init(&h, type, name, body);
	h.nr_options = (uintptr_t)opts;
	return ERR(ioctl(fd, NIOCCTRL, &h));
}

struct port {
	int fd;
	struct nmreq_register reg;
	char *mem;
	struct netmap_if *nifp;
};

/* Register name on a new descriptor with p->reg as given; map it. */
static int port_open(struct port *p, const char *name, uint32_t mode,
		     uint64_t flags)
{
	int err;

	p->fd = dev_open();
	p->reg.nr_mode = mode;
	p->reg.nr_flags = flags;
	err = ctrl(p->fd, NETMAP_REQ_REGISTER, name, &p->reg);
	if (err) {
		close(p->fd);
		p->fd = -1;
		return err;
	}
	p->mem = mmap(NULL, p->reg.nr_memsize, PROT_READ | PROT_WRITE,
		      MAP_SHARED, p->fd, 0);
	if (p->mem == MAP_FAILED) {
		err = errno;
		close(p->fd);
		p->fd = -1;
		return err;
	}
	p->nifp = (struct netmap_if *)(p->mem + p->reg.nr_offset);
	return 0;
}

static void port_close(struct port *p)
{
	if (p->fd >= 0) {
		munmap(p->mem, p->reg.nr_memsize);
		close(p->fd);
	}
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static struct netmap_ring *txring(struct port *p, unsigned int i)
{
	return (struct netmap_ring *)((char *)p->nifp + p->nifp->ring_ofs[i]);
}

static struct netmap_ring *rxring(struct port *p, unsigned int i)
{
	unsigned int k = p->nifp->ni_tx_rings + p->nifp->ni_host_tx_rings + i;

	return (struct netmap_ring *)((char *)p->nifp + p->nifp->ring_ofs[k]);
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* One frame on TX ring 0, then NIOCTXSYNC. */
static int send_frame(struct port *p, const uint8_t *dst, uint8_t srcid,
		      uint16_t len)
{
	struct netmap_ring *r = txring(p, 0);
	struct netmap_slot *s = &r->slot[r->head];
	uint8_t *buf = (uint8_t *)r + r->buf_ofs + (size_t)s->buf_idx * r->nr_buf_size;

	memset(buf, 0x5a, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, (uint8_t[6]){ 2, 0, 0, 0, 0, srcid }, 6);
	s->len = len;
	s->flags = 0;
	r->head = r->cur = r->head + 1 == r->num_slots ? 0 : r->head + 1;
	return ERR(ioctl(p->fd, NIOCTXSYNC, NULL));
}

static unsigned int rx_avail(struct port *p)
{
	struct netmap_ring *r = rxring(p, 0);

	ioctl(p->fd, NIOCRXSYNC, NULL);
	return r->tail >= r->head ? r->tail - r->head :
				    r->tail + r->num_slots - r->head;
}

/*
 * Take the next frame of RX ring 0 (after rx_avail): 1 when it has length
 * len, source id srcid and the payload send_frame wrote; 0 otherwise.
 */
static int rx_take(struct port *p, uint8_t srcid, uint16_t len)
{
	struct netmap_ring *r = rxring(p, 0);
	struct netmap_slot *s = &r->slot[r->head];
	uint8_t *buf = (uint8_t *)r + r->buf_ofs + (size_t)s->buf_idx * r->nr_buf_size;
	int good = s->len == len && buf[11] == srcid;
	uint16_t i;

	for (i = 12; good && i < len; i++)
		good = buf[i] == 0x5a;
	r->head = r->cur = r->head + 1 == r->num_slots ? 0 : r->head + 1;
	ioctl(p->fd, NIOCRXSYNC, NULL);
	return good;
}

static char sw[16];	/* a switch name unique to this run */

static const char *vname(const char *port)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s:%s", sw, port);
	return buf[k];
}

/* ---------------------------------------------------------------- */
/* 5: dispatch                                                      */
/* ---------------------------------------------------------------- */

static void test_dispatch(void)
{
	int fd = dev_open();
	struct nmreq_header h;
	char big[300];

	is_errno(ERR(ioctl(fd, NIOCCTRL, NULL)), EINVAL, "NIOCCTRL NULL: EINVAL");
	is_errno(ERR(ioctl(fd, NIOCREGIF, NULL)), EINVAL, "NIOCREGIF NULL: EINVAL");
	is_errno(ERR(ioctl(fd, NIOCGINFO, NULL)), EINVAL, "NIOCGINFO NULL: EINVAL");
	is_errno(ERR(ioctl(fd, NIOCCONFIG, NULL)), EINVAL, "NIOCCONFIG NULL: EINVAL");
	is_errno(ERR(ioctl(fd, NIOCCTRL, (void *)16)), EFAULT,
		 "NIOCCTRL unreadable: EFAULT");
	is_errno(ERR(ioctl(fd, _IO('i', 147))), EOPNOTSUPP,
		 "ioctl 147: EOPNOTSUPP");
	is_errno(ERR(ioctl(fd, _IOWR('i', 152, struct nmreq_header), &h)),
		 EOPNOTSUPP, "ioctl 152: EOPNOTSUPP");
	is_errno(ERR(ioctl(fd, _IOW('x', 1, int), big)), EOPNOTSUPP,
		 "foreign ioctl: EOPNOTSUPP");
	is_errno(ERR(ioctl(fd, NIOCTXSYNC, NULL)), ENXIO, "TXSYNC unbound: ENXIO");
	is_errno(ERR(ioctl(fd, NIOCRXSYNC, NULL)), ENXIO, "RXSYNC unbound: ENXIO");
	ok(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	   errno == EINVAL, "mmap unbound: EINVAL");
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

		ok(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR),
		   "poll unbound: POLLERR");
	}
	memset(big, 0, sizeof(big));
	strcpy(big, "vale0:");
	is_errno(ERR(ioctl(fd, NIOCCONFIG, big)), EINVAL, "NIOCCONFIG: EINVAL");

	/* 8.3: header checks. */
	hdr_init(&h, NETMAP_REQ_VALE_LIST, "", NULL);
	h.nr_version = 13;
	is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL, "nr_version 13: EINVAL");
	h.nr_version = 16;
	is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL, "nr_version 16: EINVAL");
	is_int(h.nr_version, 16, "nr_version not written back");
	{
		struct nmreq_vale_list l = { 0 };

		hdr_init(&h, NETMAP_REQ_VALE_LIST, "valeZZ:", &l);
		h.nr_version = 15;
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), ENOENT,
			 "nr_version 15 accepted (ENOENT: no such switch)");
		hdr_init(&h, NETMAP_REQ_VALE_LIST, "valeZZ:", &l);
		h.nr_reserved = 1;
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL, "nr_reserved: EINVAL");
		is_int(h.nr_reserved, 0, "nr_reserved reset in the copy-back");
		hdr_init(&h, NETMAP_REQ_VALE_LIST, "valeZZ:", NULL);
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL, "missing body: EINVAL");
		hdr_init(&h, NETMAP_REQ_VALE_DELIF, "x", &l);
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL,
			 "body on a body-less type: EINVAL");
		hdr_init(&h, 99, "x", NULL);
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EINVAL, "unknown reqtype: EINVAL");
		hdr_init(&h, NETMAP_REQ_VALE_LIST, "valeZZ:", (void *)16);
		is_errno(ERR(ioctl(fd, NIOCCTRL, &h)), EFAULT, "unreadable body: EFAULT");
		hdr_init(&h, NETMAP_REQ_VALE_LIST, "", &l);
		memset(h.nr_name, 'v', sizeof(h.nr_name));
		ioctl(fd, NIOCCTRL, &h);
		is_int(h.nr_name[63], 0, "nr_name[63] forced to 0 and copied back");
	}
	close(fd);
}

/* ---------------------------------------------------------------- */
/* 9.1, 3: registration geometry and the region layout              */
/* ---------------------------------------------------------------- */

static void check_layout(struct port *p, const char *what)
{
	struct nmreq_pools_info pi = { 0 };
	struct netmap_if *nifp = p->nifp;
	uint64_t ring_lo, ring_hi;
	unsigned int t, i, n, bad = 0;
	int err;

	err = ctrl(p->fd, NETMAP_REQ_POOLS_INFO_GET, nifp->ni_name, &pi);
	if (err) {
		/* A persistent port bound as netmap:NAME has a bare name. */
		is_errno(err, 0, "%s: POOLS_INFO_GET", what);
		return;
	}
	is_int(pi.nr_mem_id, p->reg.nr_mem_id, "%s: pools mem_id", what);
	is_int(pi.nr_memsize, p->reg.nr_memsize, "%s: pools memsize", what);
	is_int(pi.nr_if_pool_offset, 0, "%s: if pool at 0", what);
	is_int(pi.nr_ring_pool_offset,
	       (uint64_t)pi.nr_if_pool_objtotal * pi.nr_if_pool_objsize,
	       "%s: ring pool after the if pool", what);
	is_int(pi.nr_buf_pool_offset,
	       pi.nr_ring_pool_offset +
		       (uint64_t)pi.nr_ring_pool_objtotal * pi.nr_ring_pool_objsize,
	       "%s: buffer pool after the ring pool", what);
	is_int(pi.nr_memsize,
	       (pi.nr_buf_pool_offset +
		(uint64_t)pi.nr_buf_pool_objtotal * pi.nr_buf_pool_objsize +
		4095) & ~4095ULL, "%s: memsize = pools, page rounded", what);
	ok(pi.nr_if_pool_objsize % 64 == 0 && pi.nr_ring_pool_objsize % 64 == 0 &&
	   pi.nr_buf_pool_objsize % 64 == 0, "%s: object sizes multiple of 64", what);
	ok(p->reg.nr_offset < pi.nr_ring_pool_offset &&
	   p->reg.nr_offset % pi.nr_if_pool_objsize == 0,
	   "%s: nr_offset is an if-pool object", what);
	ring_lo = pi.nr_ring_pool_offset;
	ring_hi = pi.nr_buf_pool_offset;
	n = nifp->ni_tx_rings + nifp->ni_host_tx_rings + nifp->ni_rx_rings +
	    nifp->ni_host_rx_rings;
	for (i = 0; i < n; i++) {
		int64_t ofs = nifp->ring_ofs[i];
		uint64_t at = p->reg.nr_offset + ofs;
		struct netmap_ring *r;

		if (!ofs)
			continue;
		r = (struct netmap_ring *)((char *)nifp + ofs);
		if (at < ring_lo || at >= ring_hi ||
		    (at - ring_lo) % pi.nr_ring_pool_objsize ||
		    (int64_t)(pi.nr_buf_pool_offset - at) != r->buf_ofs ||
		    r->nr_buf_size != pi.nr_buf_pool_objsize)
			bad++;
	}
	is_int(bad, 0, "%s: rings are ring-pool objects, buf_ofs and "
	       "nr_buf_size match the buffer pool", what);
	for (t = 0; t < 2; t++) {
		unsigned int nr = t ? nifp->ni_rx_rings : nifp->ni_tx_rings;
		unsigned int base = t ? nifp->ni_tx_rings + nifp->ni_host_tx_rings : 0;

		bad = 0;
		for (i = 0; i < nr; i++) {
			struct netmap_ring *r;
			unsigned int j;

			if (!nifp->ring_ofs[base + i])
				continue;
			r = (struct netmap_ring *)((char *)nifp + nifp->ring_ofs[base + i]);
			for (j = 0; j < r->num_slots; j++)
				if (r->slot[j].buf_idx < 2 ||
				    r->slot[j].buf_idx >= pi.nr_buf_pool_objtotal)
					bad++;
		}
		is_int(bad, 0, "%s: %s slots hold valid buffers", what,
		       t ? "rx" : "tx");
	}
}

static void test_register(void)
{
	struct port p = { 0 }, q = { 0 };
	struct netmap_if *nifp;
	struct netmap_ring *r;
	int err, i;

	/* 28.1: default geometry. */
	err = port_open(&p, vname("x"), NR_REG_ALL_NIC, 0);
	is_errno(err, 0, "register %s", vname("x"));
	if (err)
		return;
	nifp = p.nifp;
	is_int(p.reg.nr_mode, NR_REG_ALL_NIC, "nr_mode echoed");
	is_int(p.reg.nr_ringid, 0, "nr_ringid echoed");
	is_int(p.reg.nr_flags, 0, "nr_flags echoed");
	is_int(p.reg.nr_tx_rings, 1, "default: 1 tx ring");
	is_int(p.reg.nr_rx_rings, 1, "default: 1 rx ring");
	is_int(p.reg.nr_tx_slots, 1024, "default: 1024 tx slots");
	is_int(p.reg.nr_rx_slots, 1024, "default: 1024 rx slots");
	is_int(p.reg.nr_host_tx_rings, 0, "no host tx rings in the reply");
	is_int(p.reg.nr_host_rx_rings, 0, "no host rx rings in the reply");
	ok(p.reg.nr_mem_id > 1, "private region, mem_id %u", p.reg.nr_mem_id);
	ok(p.reg.nr_memsize > 0 && p.reg.nr_memsize % 4096 == 0,
	   "memsize %llu page rounded", (unsigned long long)p.reg.nr_memsize);
	is_int(p.reg.nr_extra_bufs, 0, "no extra buffers");
	ok(!strcmp(nifp->ni_name, vname("x")), "ni_name %s", nifp->ni_name);
	is_int(nifp->ni_flags, NI_PRIV_MEM, "ni_flags NI_PRIV_MEM");
	is_int(nifp->ni_version, 0, "ni_version zeroed");
	is_int(nifp->ni_tx_rings, 1, "ni_tx_rings");
	is_int(nifp->ni_rx_rings, 1, "ni_rx_rings");
	is_int(nifp->ni_host_tx_rings, 1, "ni_host_tx_rings is 1");
	is_int(nifp->ni_host_rx_rings, 1, "ni_host_rx_rings is 1");
	is_int(nifp->ni_bufs_head, 0, "ni_bufs_head 0");
	ok(nifp->ring_ofs[0] && !nifp->ring_ofs[1] && nifp->ring_ofs[2] &&
	   !nifp->ring_ofs[3], "ring_ofs: hw rings set, fake host rings 0");
	r = txring(&p, 0);
	is_int(r->dir, 1, "tx ring dir 1");
	is_int(r->num_slots, 1024, "tx num_slots");
	is_int(r->head, 0, "tx head 0");
	is_int(r->cur, 0, "tx cur 0");
	is_int(r->tail, 1023, "tx tail n-1");
	is_int(r->ringid, 0, "tx ringid");
	is_int(r->flags, 0, "tx flags 0");
	is_int(r->offset_mask, 0, "tx offset_mask 0");
	r = rxring(&p, 0);
	is_int(r->dir, 0, "rx ring dir 0");
	is_int(r->tail, 0, "rx tail 0");
	check_layout(&p, "vale port");

	/* 11.4 step 1 */
	is_errno(ctrl(p.fd, NETMAP_REQ_REGISTER, vname("y"), &q.reg), EBUSY,
		 "second REGISTER on a bound descriptor: EBUSY");
	/* mmap ranges (3.5) */
	{
		void *a = mmap(NULL, 4096, PROT_READ, MAP_SHARED, p.fd,
			       p.reg.nr_memsize - 4096);

		ok(a != MAP_FAILED, "mmap of the last page at an offset");
		if (a != MAP_FAILED)
			munmap(a, 4096);
		ok(mmap(NULL, 8192, PROT_READ, MAP_SHARED, p.fd,
			p.reg.nr_memsize - 4096) == MAP_FAILED && errno == EINVAL,
		   "mmap beyond the region: EINVAL");
		ok(mmap(NULL, p.reg.nr_memsize + 4096, PROT_READ, MAP_SHARED,
			p.fd, 0) == MAP_FAILED && errno == EINVAL,
		   "mmap larger than the region: EINVAL");
	}
	port_close(&p);

	/* Honoured counts. */
	memset(&p, 0, sizeof(p));
	p.reg.nr_tx_rings = 3;
	p.reg.nr_rx_rings = 2;
	p.reg.nr_tx_slots = 512;
	p.reg.nr_rx_slots = 256;
	p.reg.nr_ringid = 1;
	err = port_open(&p, vname("geo"), NR_REG_ONE_NIC, NR_EXCLUSIVE | 0x1000);
	is_errno(err, 0, "register %s 3x512 / 2x256, ONE_NIC 1", vname("geo"));
	if (!err) {
		nifp = p.nifp;
		is_int(p.reg.nr_tx_rings, 3, "3 tx rings honoured");
		is_int(p.reg.nr_rx_rings, 2, "2 rx rings honoured");
		is_int(p.reg.nr_tx_slots, 512, "512 tx slots honoured");
		is_int(p.reg.nr_rx_slots, 256, "256 rx slots honoured");
		is_int(p.reg.nr_mode, NR_REG_ONE_NIC, "nr_mode echoed");
		is_int(p.reg.nr_ringid, 1, "nr_ringid echoed");
		is_int(p.reg.nr_flags, NR_EXCLUSIVE | 0x1000,
		       "nr_flags echoed (unused bit 0x1000 kept)");
		/* ring_ofs: 3 tx + 1 host, 2 rx + 1 host; only ring 1 each. */
		ok(!nifp->ring_ofs[0] && nifp->ring_ofs[1] && !nifp->ring_ofs[2] &&
		   !nifp->ring_ofs[3] && !nifp->ring_ofs[4] && nifp->ring_ofs[5] &&
		   !nifp->ring_ofs[6], "ONE_NIC 1: only ring 1 of each direction");
		r = (struct netmap_ring *)((char *)nifp + nifp->ring_ofs[1]);
		is_int(r->ringid, 1, "selected tx ring has ringid 1");
		is_int(r->num_slots, 512, "selected tx ring has 512 slots");
		check_layout(&p, "3x2 port");
		memset(&q, 0, sizeof(q));
		q.reg.nr_ringid = 1;
		is_errno(port_open(&q, vname("geo"), NR_REG_ONE_NIC, 0), EBUSY,
			 "exclusive ring taken: EBUSY");
		q.reg.nr_ringid = 0;
		is_errno(port_open(&q, vname("geo"), NR_REG_ONE_NIC, 0), 0,
			 "another ring of the same port: allowed");
		is_int(q.reg.nr_tx_rings, 3, "existing port: counts of the port");
		port_close(&q);
		port_close(&p);
	}

	/* Modes and ring ids (11.1, 11.3, 26.2). */
	{
		static const uint32_t bad_modes[] = { 0, 5, 6, 9, 100 };

		for (i = 0; i < 5; i++) {
			memset(&q, 0, sizeof(q));
			is_errno(port_open(&q, vname("m"), bad_modes[i], 0), EINVAL,
				 "mode %u on NIOCCTRL: EINVAL", bad_modes[i]);
		}
		memset(&q, 0, sizeof(q));
		is_errno(port_open(&q, vname("m"), NR_REG_SW, 0), EINVAL,
			 "NR_REG_SW on a port without host rings: EINVAL");
		memset(&q, 0, sizeof(q));
		is_errno(port_open(&q, vname("m"), NR_REG_NIC_SW, 0), EINVAL,
			 "NR_REG_NIC_SW without host rings: EINVAL");
		memset(&q, 0, sizeof(q));
		q.reg.nr_ringid = 5;
		is_errno(port_open(&q, vname("m"), NR_REG_ONE_NIC, 0), EINVAL,
			 "ONE_NIC ring 5 of 1: EINVAL");
		memset(&q, 0, sizeof(q));
		is_errno(port_open(&q, "nosuchif0", NR_REG_ALL_NIC, 0), ENXIO,
			 "unknown interface: ENXIO");
		memset(&q, 0, sizeof(q));
		is_errno(port_open(&q, "valid0", NR_REG_ALL_NIC, 0), ENOMEM,
			 "'val' name that is not a VALE name: ENOMEM");
		memset(&q, 0, sizeof(q));
		q.reg.nr_mem_id = 65000;
		is_errno(port_open(&q, vname("m"), NR_REG_ALL_NIC, 0), EINVAL,
			 "unknown nr_mem_id: EINVAL");
		memset(&q, 0, sizeof(q));
		is_errno(port_open(&q, "n0", NR_REG_NULL, 0), EINVAL,
			 "null port without nr_mem_id: EINVAL");
	}
}

/* Null port in the global region (18, 23.1). */
static void test_null_global(void)
{
	struct port p = { 0 };
	struct nmreq_port_info_get info = { 0 };
	int fd = dev_open();
	int err;

	is_errno(ctrl(fd, NETMAP_REQ_PORT_INFO_GET, "", &info), 0,
		 "PORT_INFO_GET empty name");
	is_int(info.nr_mem_id, 1, "empty name: region 1");
	is_int(info.nr_memsize, 343019520, "global region size with defaults");
	info.nr_mem_id = 65000;
	is_errno(ctrl(fd, NETMAP_REQ_PORT_INFO_GET, "", &info), EINVAL,
		 "PORT_INFO_GET empty name, unknown mem_id: EINVAL");
	memset(&info, 0, sizeof(info));
	is_errno(ctrl(fd, NETMAP_REQ_PORT_INFO_GET, "nosuchif0", &info), ENXIO,
		 "PORT_INFO_GET unknown name: ENXIO");
	{
		struct nmreq_pools_info pi = { 0 };

		is_errno(ctrl(fd, NETMAP_REQ_POOLS_INFO_GET, "", &pi), ENXIO,
			 "POOLS_INFO_GET empty name: ENXIO");
		is_errno(ctrl(fd, NETMAP_REQ_POOLS_INFO_GET, "nosuchif0", &pi), ENXIO,
			 "POOLS_INFO_GET unknown name: ENXIO");
		pi.nr_mem_id = 65000;
		is_errno(ctrl(fd, NETMAP_REQ_POOLS_INFO_GET, vname("pi"), &pi), EINVAL,
			 "POOLS_INFO_GET unknown mem_id: EINVAL");
	}
	close(fd);

	p.reg.nr_mem_id = 1;
	p.reg.nr_tx_rings = 2;
	p.reg.nr_rx_rings = 1;
	p.reg.nr_tx_slots = 64;
	p.reg.nr_rx_slots = 32;
	err = port_open(&p, "nulltest", NR_REG_NULL, 0);
	is_errno(err, 0, "null port in region 1");
	if (err)
		return;
	is_int(p.reg.nr_mem_id, 1, "null port: mem_id 1");
	is_int(p.reg.nr_memsize, 343019520, "null port: global region size");
	is_int(p.reg.nr_tx_rings, 2, "null port: rings as given");
	is_int(p.reg.nr_tx_slots, 64, "null port: slots as given");
	is_int(p.nifp->ni_flags, 0, "global region: no NI_PRIV_MEM");
	ok(!strcmp(p.nifp->ni_name, "null:nulltest"), "ni_name %s", p.nifp->ni_name);
	is_errno(ERR(ioctl(p.fd, NIOCTXSYNC, NULL)), 0, "null port TXSYNC: 0");
	port_close(&p);
}

/* ---------------------------------------------------------------- */
/* 13: the legacy path against NIOCCTRL                             */
/* ---------------------------------------------------------------- */

static void test_legacy(void)
{
	struct nmreq nmr;
	struct port p = { 0 };
	int fd = dev_open(), err;

	memset(&nmr, 0, sizeof(nmr));
	snprintf(nmr.nr_name, sizeof(nmr.nr_name), "%s", vname("l1"));
	nmr.nr_version = 13;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), EINVAL, "legacy version 13: EINVAL");
	nmr.nr_version = 16;
	nmr.nr_tx_slots = 128;
	nmr.nr_rx_slots = 64;
	nmr.nr_tx_rings = 2;
	nmr.nr_rx_rings = 2;
	nmr.nr_ringid = NETMAP_NO_TX_POLL;
	nmr.nr_flags = NR_REG_ALL_NIC;
	err = ERR(ioctl(fd, NIOCREGIF, &nmr));
	is_errno(err, 0, "legacy NIOCREGIF version 16");
	p.reg.nr_tx_slots = 128;
	p.reg.nr_rx_slots = 64;
	p.reg.nr_tx_rings = 2;
	p.reg.nr_rx_rings = 2;
	if (!err && !port_open(&p, vname("l2"), NR_REG_ALL_NIC, NR_NO_TX_POLL)) {
		is_int(nmr.nr_memsize, (uint32_t)p.reg.nr_memsize,
		       "legacy and NIOCCTRL: same memsize");
		is_int(nmr.nr_offset, (uint32_t)p.reg.nr_offset,
		       "legacy and NIOCCTRL: same nifp offset");
		is_int(nmr.nr_tx_slots, p.reg.nr_tx_slots, "same tx slots");
		is_int(nmr.nr_rx_slots, p.reg.nr_rx_slots, "same rx slots");
		is_int(nmr.nr_tx_rings, p.reg.nr_tx_rings, "same tx rings");
		is_int(nmr.nr_rx_rings, p.reg.nr_rx_rings, "same rx rings");
		ok(nmr.nr_arg2 > 1 && nmr.nr_arg2 != p.reg.nr_mem_id,
		   "legacy: own private region %u", nmr.nr_arg2);
		is_int(nmr.nr_ringid, NETMAP_NO_TX_POLL, "legacy nr_ringid kept");
		is_int(nmr.nr_flags, NR_REG_ALL_NIC, "legacy nr_flags kept");
		is_int(nmr.nr_version, 16, "legacy nr_version kept");
		port_close(&p);
	}
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), EBUSY, "legacy re-register: EBUSY");
	close(fd);

	fd = dev_open();
	memset(&nmr, 0, sizeof(nmr));
	nmr.nr_version = NETMAP_API;
	snprintf(nmr.nr_name, sizeof(nmr.nr_name), "%s", vname("l3"));
	nmr.nr_cmd = NETMAP_BDG_REGOPS;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), EINVAL, "legacy nr_cmd 3: EINVAL");
	nmr.nr_cmd = NETMAP_BDG_LIST;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), EINVAL,
		 "legacy BDG_LIST through NIOCREGIF: EINVAL");
	nmr.nr_cmd = 13;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), EINVAL, "legacy nr_cmd 13: EINVAL");
	nmr.nr_cmd = NETMAP_PT_HOST_CREATE;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), ENOMEM, "legacy nr_cmd 8: ENOMEM");
	nmr.nr_cmd = NETMAP_PT_HOST_DELETE;
	is_errno(ERR(ioctl(fd, NIOCREGIF, &nmr)), ENOMEM, "legacy nr_cmd 9: ENOMEM");
	memset(&nmr, 0, sizeof(nmr));
	nmr.nr_version = NETMAP_API;
	memset(nmr.nr_name, 'a', sizeof(nmr.nr_name));
	ioctl(fd, NIOCREGIF, &nmr);
	is_int(nmr.nr_name[15], 0, "legacy nr_name[15] forced to 0");
	/* NIOCGINFO of a port that does not exist yet. */
	memset(&nmr, 0, sizeof(nmr));
	nmr.nr_version = NETMAP_API;
	snprintf(nmr.nr_name, sizeof(nmr.nr_name), "%s", vname("gi"));
	is_errno(ERR(ioctl(fd, NIOCGINFO, &nmr)), 0, "legacy NIOCGINFO");
	is_int(nmr.nr_tx_slots, 1024, "NIOCGINFO tx slots");
	ok(nmr.nr_memsize > 0 && nmr.nr_arg2 > 1, "NIOCGINFO memsize and mem_id");
	close(fd);
}

/* ---------------------------------------------------------------- */
/* 10: options                                                      */
/* ---------------------------------------------------------------- */

static void test_options(void)
{
	struct nmreq_register reg;
	struct nmreq_option o1;
	struct nmreq_opt_offsets off, off2;
	int fd;

	fd = dev_open();
	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = NR_REG_ALL_NIC;
	memset(&o1, 0, sizeof(o1));
	o1.nro_reqtype = 1234;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &o1),
		 EOPNOTSUPP, "unknown option on REGISTER: EOPNOTSUPP");
	is_int(o1.nro_status, EOPNOTSUPP, "  its status EOPNOTSUPP");
	is_errno(ERR(ioctl(fd, NIOCTXSYNC, NULL)), ENXIO,
		 "  and the registration was undone");
	memset(&o1, 0, sizeof(o1));
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &o1),
		 EINVAL, "option type 0: EINVAL");
	is_int(o1.nro_status, EINVAL, "  its status EINVAL");
	memset(&o1, 0, sizeof(o1));
	o1.nro_reqtype = 1234;
	o1.nro_next = (uintptr_t)&o1;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &o1),
		 EMSGSIZE, "self-referencing unknown option: EMSGSIZE");
	memset(&off, 0, sizeof(off));
	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_opt.nro_next = (uintptr_t)&off;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EINVAL, "self-referencing OFFSETS: EINVAL");
	memset(&off, 0, sizeof(off));
	memset(&off2, 0, sizeof(off2));
	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_opt.nro_next = (uintptr_t)&off2;
	off2.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EINVAL, "the same option twice: EINVAL");
	ok(off.nro_opt.nro_status == EINVAL && off2.nro_opt.nro_status == EINVAL,
	   "  both statuses EINVAL");
	memset(&off, 0, sizeof(off));
	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_opt.nro_size = 5000;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EMSGSIZE, "known option with nro_size > 4096: EMSGSIZE");
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, (void *)16),
		 EFAULT, "unreadable option: EFAULT");
	/* OFFSETS values (10.7). */
	memset(&off, 0, sizeof(off));
	off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	off.nro_offset_bits = 65;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EINVAL, "OFFSETS with 65 bits: EINVAL");
	off.nro_offset_bits = 0;
	off.nro_max_offset = 4096;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EINVAL, "OFFSETS max beyond the buffer: EINVAL");
	off.nro_max_offset = 64;
	off.nro_initial_offset = 128;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off),
		 EINVAL, "OFFSETS initial > max: EINVAL");
	off.nro_initial_offset = 32;
	off.nro_offset_bits = 8;
	is_errno(ctrl_opts(fd, NETMAP_REQ_REGISTER, vname("o"), &reg, &off), 0,
		 "OFFSETS valid");
	is_int(off.nro_opt.nro_status, 0, "  status 0");
	is_int(off.nro_max_offset, 64, "  effective maximum");
	is_int(off.nro_offset_bits, 8, "  nro_offset_bits not written");
	close(fd);
}

/* ---------------------------------------------------------------- */
/* 9.5-9.6, 15.7, 16: VALE and pipe lookups                         */
/* ---------------------------------------------------------------- */

static void test_vale_requests(void)
{
	struct nmreq_vale_list l;
	struct nmreq_port_hdr ph;
	struct port a = { 0 }, b = { 0 };
	int fd = dev_open(), found = 0, err, guard;

	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, "foo:", &l), EINVAL,
		 "VALE_LIST not 'vale': EINVAL");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, "valeNONE:", &l), ENOENT,
		 "VALE_LIST unknown switch: ENOENT");
	if (port_open(&a, vname("la"), NR_REG_ALL_NIC, 0) ||
	    port_open(&b, vname("lb"), NR_REG_ALL_NIC, 0)) {
		ok(0, "open two ports");
		return;
	}
	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, vname("lb"), &l), 0,
		 "VALE_LIST by name");
	ok(l.nr_port_idx < 254, "  port index %u", l.nr_port_idx);
	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, vname("zz"), &l), 0,
		 "VALE_LIST of a missing port on an existing switch: 0");
	is_int(l.nr_port_idx, 255, "  port index 255");
	memset(&l, 0, sizeof(l));
	for (guard = 0; guard < 4000; guard++) {
		struct nmreq_header h;

		hdr_init(&h, NETMAP_REQ_VALE_LIST, "", &l);
		err = ERR(ioctl(fd, NIOCCTRL, &h));
		if (err)
			break;
		if (!strcmp(h.nr_name, vname("la")) || !strcmp(h.nr_name, vname("lb")))
			found++;
		l.nr_port_idx++;
	}
	is_errno(err, ENOENT, "enumeration ends with ENOENT");
	is_int(found, 2, "enumeration saw both ports once");

	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_SET, vname("la"),
		      &(struct nmreq_port_hdr){ .nr_hdr_len = 7 }), EINVAL,
		 "PORT_HDR_SET 7: EINVAL");
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_SET, vname("nothere"),
		      &(struct nmreq_port_hdr){ .nr_hdr_len = 10 }), ENXIO,
		 "PORT_HDR_SET missing port: ENXIO");
	memset(&ph, 0, sizeof(ph));
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_GET, vname("nothere"), &ph), ENXIO,
		 "PORT_HDR_GET missing port: ENXIO");
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_GET, "nopipeparent{1", &ph), ENODEV,
		 "PORT_HDR_GET missing pipe: ENODEV");
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_SET, vname("la"),
		      &(struct nmreq_port_hdr){ .nr_hdr_len = 12 }), 0,
		 "PORT_HDR_SET 12 on a bound port");
	memset(&ph, 0, sizeof(ph));
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_GET, vname("la"), &ph), 0,
		 "PORT_HDR_GET");
	is_int(ph.nr_hdr_len, 12, "  header length 12");
	{
		struct port c = { 0 };

		is_errno(port_open(&c, vname("la"), NR_REG_ALL_NIC, 0), EIO,
			 "register a port with a header, no NR_ACCEPT_VNET_HDR: EIO");
		memset(&c, 0, sizeof(c));
		is_errno(port_open(&c, vname("la"), NR_REG_ALL_NIC,
				   NR_ACCEPT_VNET_HDR), 0,
			 "  with NR_ACCEPT_VNET_HDR: ok");
		port_close(&c);
	}
	/* Polling requests on VALE ports. */
	{
		struct nmreq_vale_polling vp = { .nr_mode = 1, .nr_num_polling_cpus = 1 };

		is_errno(ctrl(fd, NETMAP_REQ_VALE_POLLING_ENABLE, "foo", &vp), EINVAL,
			 "POLLING_ENABLE not a VALE name: EINVAL");
		is_errno(ctrl(fd, NETMAP_REQ_VALE_POLLING_ENABLE, vname("nothere"), &vp),
			 ENXIO, "POLLING_ENABLE missing port: ENXIO");
		is_errno(ctrl(fd, NETMAP_REQ_VALE_POLLING_ENABLE, vname("lb"), &vp),
			 EOPNOTSUPP, "POLLING_ENABLE on a VALE port: EOPNOTSUPP");
	}
	/* Pipes (16). */
	{
		struct port c = { 0 };

		is_errno(port_open(&c, "{x", NR_REG_ALL_NIC, 0), EINVAL,
			 "pipe name starting with the brace: EINVAL");
		memset(&c, 0, sizeof(c));
		is_errno(port_open(&c, "pp{", NR_REG_ALL_NIC, 0), EINVAL,
			 "pipe name ending with the brace: EINVAL");
		memset(&c, 0, sizeof(c));
		c.reg.nr_ringid = 0;
		is_errno(port_open(&c, vname("la{1"), NR_REG_NIC_SW, 0), EINVAL,
			 "pipe in NIC_SW mode: EINVAL");
		memset(&c, 0, sizeof(c));
		err = port_open(&c, vname("lb{1"), NR_REG_ALL_NIC, 0);
		is_errno(err, 0, "pipe of a VALE port");
		if (!err) {
			is_int(c.reg.nr_mem_id, b.reg.nr_mem_id,
			       "pipe uses the parent's region");
			port_close(&c);
		}
	}
	port_close(&a);
	port_close(&b);
	close(fd);
}

/* ---------------------------------------------------------------- */
/* 12: poll and wake-ups                                            */
/* ---------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_poll(void)
{
	struct port a = { 0 }, b = { 0 };
	struct pollfd pfd;
	pid_t pid;
	int status;

	if (port_open(&a, vname("pa"), NR_REG_ALL_NIC, 0) ||
	    port_open(&b, vname("pb"), NR_REG_ALL_NIC, 0)) {
		ok(0, "open two ports");
		return;
	}
	pfd = (struct pollfd){ .fd = a.fd, .events = POLLOUT };
	ok(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT), "poll: POLLOUT at once");
	pfd = (struct pollfd){ .fd = b.fd, .events = POLLIN };
	is_int(poll(&pfd, 1, 0), 0, "poll: no POLLIN on an empty ring");

	/* A child sleeps in poll; the parent's frame must wake it. */
	pid = fork();
	if (pid == 0) {
		double t0 = now();
		int n;

		pfd = (struct pollfd){ .fd = b.fd, .events = POLLIN };
		n = poll(&pfd, 1, 20000);
		_exit(n == 1 && (pfd.revents & POLLIN) && now() - t0 < 15 ? 0 : 1);
	}
	usleep(300000);
	is_errno(send_frame(&a, bcast, 1, 60), 0, "send a broadcast frame");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a sleeping poller (inherited descriptor) is woken with POLLIN");
	is_int(rx_avail(&b), 1, "one frame received");
	{
		struct netmap_ring *r = rxring(&b, 0);

		is_int(r->slot[r->head].len, 60, "  60 bytes");
		r->head = r->cur = r->tail;
		ioctl(b.fd, NIOCRXSYNC, NULL);
	}

	/* The mapping keeps the binding alive after close (3.5). */
	{
		struct nmreq_vale_list l = { 0 };
		int fd = dev_open();
		char *mem = a.mem;
		size_t len = a.reg.nr_memsize;

		close(a.fd);
		a.fd = -1;
		is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, vname("pa"), &l), 0,
			 "VALE_LIST after close of a mapped descriptor");
		ok(l.nr_port_idx < 254, "  the port is still there");
		munmap(mem, len);
		memset(&l, 0, sizeof(l));
		ctrl(fd, NETMAP_REQ_VALE_LIST, vname("pa"), &l);
		is_int(l.nr_port_idx, 255, "  and gone after munmap");
		close(fd);
	}
	port_close(&b);
}

/* ---------------------------------------------------------------- */
/* 15.3: persistent ports                                           */
/* ---------------------------------------------------------------- */

/*
 * 15.3 step 5: persistent port pname, on switch sw as vpname and bound
 * as netmap:pname by *p, is wrapped on a second switch: frames cross
 * between the two switches through it, both ways, and it leaves the
 * second switch before the first.  Closes *p.
 */
static void test_persistent_wrapped(int fd, const char *pname,
				    const char *vpname, struct port *p)
{
	struct nmreq_vale_attach at;
	struct nmreq_vale_detach dt;
	struct nmreq_vale_list l;
	struct nmreq_port_info_get info;
	struct nmreq_port_hdr ph;
	struct port e = { 0 }, f = { 0 }, q = { 0 };
	char sw2[32], wname[64], ename[64];
	uint32_t index;
	int err, i, good;

	snprintf(sw2, sizeof(sw2), "%sw", sw);
	snprintf(wname, sizeof(wname), "%s:%s", sw2, pname);
	snprintf(ename, sizeof(ename), "%s:eph2", sw2);
	memset(&at, 0, sizeof(at));
	at.reg.nr_mode = NR_REG_ALL_NIC;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, wname, &at), EBUSY,
		 "ATTACH %s while netmap:%s is bound: EBUSY", wname, pname);
	port_close(p);
	at.reg.nr_mode = NR_REG_NIC_SW;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, wname, &at), EINVAL,
		 "ATTACH %s NR_REG_NIC_SW (no host stack): EINVAL", wname);
	at.reg.nr_mode = NR_REG_ONE_NIC;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, wname, &at), EINVAL,
		 "ATTACH %s NR_REG_ONE_NIC: EINVAL", wname);
	at.reg.nr_mode = NR_REG_ALL_NIC;
	err = ctrl(fd, NETMAP_REQ_VALE_ATTACH, wname, &at);
	is_errno(err, 0, "ATTACH %s: the persistent port on a second switch", wname);
	if (err)
		return;
	index = at.port_index;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, wname, &at), EBUSY,
		 "  ATTACH again: EBUSY");
	/* Kernel-owned ports are found by the requests that only look. */
	memset(&info, 0, sizeof(info));
	is_errno(ctrl(fd, NETMAP_REQ_PORT_INFO_GET, wname, &info), 0,
		 "  PORT_INFO_GET %s", wname);
	is_int(info.nr_tx_rings, 1, "  its TX rings: the port's RX rings");
	is_int(info.nr_rx_rings, 2, "  its RX rings: the port's TX rings");
	memset(&info, 0, sizeof(info));
	is_errno(ctrl(fd, NETMAP_REQ_PORT_INFO_GET, vpname, &info), 0,
		 "  PORT_INFO_GET %s", vpname);
	is_int(info.nr_tx_rings, 2, "  its own TX rings");
	memset(&ph, 0, sizeof(ph));
	ph.nr_hdr_len = 99;
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_GET, wname, &ph), 0,
		 "  PORT_HDR_GET %s", wname);
	is_int(ph.nr_hdr_len, 0, "  header length 0");
	ph.nr_hdr_len = 10;
	is_errno(ctrl(fd, NETMAP_REQ_PORT_HDR_SET, wname, &ph), ENXIO,
		 "  PORT_HDR_SET %s (not a VALE port of its own): ENXIO", wname);
	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, wname, &l), 0, "  VALE_LIST %s", wname);
	is_int(l.nr_port_idx, index, "  its port index");
	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, vpname, &l), 0,
		 "  still on the first switch as %s", vpname);
	is_errno(port_open(&q, pname, NR_REG_ALL_NIC, 0), EBUSY,
		 "  register netmap:%s (kernel-owned): EBUSY", pname);
	is_errno(port_open(&q, vpname, NR_REG_ALL_NIC, 0), EBUSY,
		 "  register %s (kernel-owned): EBUSY", vpname);
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pname, NULL), EBUSY,
		 "  DELIF: EBUSY");
	memset(&dt, 0, sizeof(dt));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, vpname, &dt), EBUSY,
		 "  DETACH from the first switch first: EBUSY");

	err = port_open(&e, vname("eph"), NR_REG_ALL_NIC, 0);
	if (!err)
		err = port_open(&f, ename, NR_REG_ALL_NIC, 0);
	is_errno(err, 0, "ports %s and %s", vname("eph"), ename);
	if (!err) {
		for (i = 0; i < 3; i++)
			send_frame(&e, bcast, 20 + i, 60 + i);
		is_int(rx_avail(&f), 3, "3 broadcasts from %s reach %s", vname("eph"),
		       ename);
		for (i = 0, good = 0; i < 3; i++)
			good += rx_take(&f, 20 + i, 60 + i);
		is_int(good, 3, "  in order, bytes intact");
		for (i = 0; i < 2; i++)
			send_frame(&f, bcast, 30 + i, 100);
		is_int(rx_avail(&e), 2, "2 broadcasts back from %s", ename);
		for (i = 0, good = 0; i < 2; i++)
			good += rx_take(&e, 30 + i, 100);
		is_int(good, 2, "  in order, bytes intact");
		is_int(rx_avail(&f), 0, "  nothing came back to the sender");
	}
	port_close(&e);
	port_close(&f);

	memset(&dt, 0, sizeof(dt));
	err = ctrl(fd, NETMAP_REQ_VALE_DETACH, wname, &dt);
	is_errno(err, 0, "DETACH %s (the second switch first)", wname);
	is_int(dt.port_index, index, "  the index it had");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, wname, &dt), ENXIO,
		 "  DETACH again: ENXIO");
	err = port_open(p, pname, NR_REG_ALL_NIC, 0);
	is_errno(err, 0, "netmap:%s usable again", pname);
}

static void test_persistent(void)
{
	struct nmreq_vale_newif nif;
	struct nmreq_vale_attach at;
	struct nmreq_vale_detach dt;
	struct nmreq_vale_list l;
	struct port p = { 0 }, e = { 0 }, v = { 0 };
	char pname[16], vpname[64], long16[32];
	int fd = dev_open(), err;

	snprintf(pname, sizeof(pname), "nmc%d", (int)getpid() % 100000);
	snprintf(vpname, sizeof(vpname), "%s:%s", sw, pname);
	memset(&nif, 0, sizeof(nif));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, "vale0x", &nif), EINVAL,
		 "NEWIF name starting with vale: EINVAL");
	memset(long16, 'a', 16);
	long16[16] = 0;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, long16, &nif), EINVAL,
		 "NEWIF name of 16 characters: EINVAL");
	nif.nr_mem_id = 65000;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, pname, &nif), EINVAL,
		 "NEWIF unknown mem_id: EINVAL");
	memset(&nif, 0, sizeof(nif));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, "lo", &nif), EEXIST,
		 "NEWIF of an existing interface: EEXIST");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, "bad/name", &nif), EINVAL,
		 "NEWIF name rejected by the network stack: EINVAL");
	nif.nr_tx_rings = 2;
	nif.nr_tx_slots = 256;
	err = ctrl(fd, NETMAP_REQ_VALE_NEWIF, pname, &nif);
	is_errno(err, 0, "NEWIF %s", pname);
	if (err)
		goto out;
	is_int(nif.nr_tx_rings, 2, "  tx rings honoured");
	is_int(nif.nr_rx_rings, 1, "  rx rings default");
	is_int(nif.nr_tx_slots, 256, "  tx slots honoured");
	is_int(nif.nr_rx_slots, 1024, "  rx slots default");
	ok(nif.nr_mem_id > 1, "  private region %u", nif.nr_mem_id);
	ok(if_nametoindex(pname) > 0, "  a network interface exists");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_NEWIF, pname, &nif), EEXIST,
		 "NEWIF again: EEXIST");

	err = port_open(&p, pname, NR_REG_ALL_NIC, 0);
	is_errno(err, 0, "register netmap:%s", pname);
	if (!err) {
		is_int(p.reg.nr_mem_id, nif.nr_mem_id, "  the port's region");
		is_int(p.reg.nr_tx_rings, 2, "  its rings");
		ok(!strcmp(p.nifp->ni_name, pname), "  ni_name %s", p.nifp->ni_name);
		is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pname, NULL), EBUSY,
			 "DELIF while registered: EBUSY");
	}
	memset(&v, 0, sizeof(v));
	is_errno(port_open(&v, vpname, NR_REG_ALL_NIC, 0), EINVAL,
		 "register valeX:%s before attach: EINVAL", pname);

	memset(&at, 0, sizeof(at));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, "foo:bar", &at), EINVAL,
		 "ATTACH not a VALE name: EINVAL");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, vname("nosuchif0"), &at), EINVAL,
		 "ATTACH of no interface: EINVAL");
	at.reg.nr_mem_id = 65000;
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, vpname, &at), EINVAL,
		 "ATTACH with an unknown mem_id: EINVAL");
	memset(&at, 0, sizeof(at));
	at.reg.nr_mode = NR_REG_ALL_NIC;
	err = ctrl(fd, NETMAP_REQ_VALE_ATTACH, vpname, &at);
	is_errno(err, 0, "ATTACH %s", vpname);
	ok(at.port_index < 254, "  port index %u", at.port_index);
	is_errno(ctrl(fd, NETMAP_REQ_VALE_ATTACH, vpname, &at), EBUSY,
		 "ATTACH again: EBUSY");
	memset(&l, 0, sizeof(l));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_LIST, vpname, &l), 0, "VALE_LIST %s", vpname);
	is_int(l.nr_port_idx, at.port_index, "  same port index");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pname, NULL), EBUSY,
		 "DELIF while attached: EBUSY");

	/* Frames between an ephemeral port and the persistent one. */
	memset(&v, 0, sizeof(v));
	err = port_open(&v, vpname, NR_REG_ALL_NIC, 0);
	is_errno(err, 0, "register %s (attached)", vpname);
	if (!err) {
		ok(!strcmp(v.nifp->ni_name, pname), "  ni_name is the bare name %s",
		   v.nifp->ni_name);
		is_int(v.reg.nr_mem_id, nif.nr_mem_id, "  same port, same region");
		port_close(&v);
	}
	memset(&l, 0, sizeof(l));
	ctrl(fd, NETMAP_REQ_VALE_LIST, vpname, &l);
	is_int(l.nr_port_idx, at.port_index,
	       "the switch port keeps the name %s after a registration", vpname);
	err = port_open(&e, vname("eph"), NR_REG_ALL_NIC, 0);
	if (!err && p.fd >= 0) {
		send_frame(&e, bcast, 7, 64);
		is_int(rx_avail(&p), 1, "broadcast from %s reaches netmap:%s",
		       vname("eph"), pname);
		send_frame(&p, bcast, 8, 70);
		is_int(rx_avail(&e), 1, "and back");
	}
	port_close(&e);
	test_persistent_wrapped(fd, pname, vpname, &p);

	memset(&dt, 0, sizeof(dt));
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, "foo:x", &dt), EINVAL,
		 "DETACH not a VALE name: EINVAL");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, vname("nothere"), &dt), ENXIO,
		 "DETACH missing port: ENXIO");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, "valeNOSW:x", &dt), ENXIO,
		 "DETACH missing switch: ENXIO");
	port_close(&p);
	err = ctrl(fd, NETMAP_REQ_VALE_DETACH, vpname, &dt);
	is_errno(err, 0, "DETACH %s", vpname);
	is_int(dt.port_index, at.port_index, "  the index it had");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DETACH, vpname, &dt), ENXIO,
		 "DETACH again: ENXIO");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, "lo", NULL), EINVAL,
		 "DELIF of a non-netmap interface: EINVAL");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, "nosuchif0", NULL), ENXIO,
		 "DELIF of no interface: ENXIO");
out:
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pname, NULL), 0, "DELIF %s", pname);
	ok(if_nametoindex(pname) == 0, "  the network interface is gone");
	is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pname, NULL), ENXIO,
		 "DELIF again: ENXIO");
	{
		/* Auto-created pipe parent: a device that DELIF refuses. */
		struct port c = { 0 };
		char pp[32];

		snprintf(pp, sizeof(pp), "nmpp%d{0", (int)getpid() % 10000);
		err = port_open(&c, pp, NR_REG_ALL_NIC, 0);
		is_errno(err, 0, "pipe %s on a made-up parent", pp);
		*strchr(pp, '{') = 0;
		ok(if_nametoindex(pp) > 0, "  the parent %s is a network interface", pp);
		is_errno(ctrl(fd, NETMAP_REQ_VALE_DELIF, pp, NULL), EINVAL,
			 "  DELIF of the auto-created parent: EINVAL");
		port_close(&c);
		ok(if_nametoindex(pp) == 0, "  gone with its last pipe");
	}
	close(fd);
}

/* ---------------------------------------------------------------- */
/* Subcommands for the guest scripts                                */
/* ---------------------------------------------------------------- */

static int cmd_request(uint16_t type, const char *name)
{
	struct nmreq_vale_newif nif = { 0 };
	struct nmreq_vale_attach at = { 0 };
	struct nmreq_vale_detach dt = { 0 };
	void *body = NULL;
	int fd = dev_open(), err;

	if (type == NETMAP_REQ_VALE_NEWIF)
		body = &nif;
	else if (type == NETMAP_REQ_VALE_ATTACH) {
		at.reg.nr_mode = NR_REG_ALL_NIC;
		body = &at;
	} else if (type == NETMAP_REQ_VALE_DETACH)
		body = &dt;
	err = ctrl(fd, type, name, body);
	if (err)
		fprintf(stderr, "%s: %s\n", name, strerror(err));
	close(fd);
	return err;
}

/* A null port in the global region: configures region 1 (23.2). */
static int cmd_null(int seconds)
{
	struct port p = { 0 };
	int err;

	p.reg.nr_mem_id = 1;
	p.reg.nr_tx_rings = 1;
	p.reg.nr_tx_slots = 4;
	err = port_open(&p, "cfg", NR_REG_NULL, 0);
	if (err) {
		fprintf(stderr, "null port in region 1: %s\n", strerror(err));
		return 1;
	}
	printf("memsize %llu\n", (unsigned long long)p.reg.nr_memsize);
	fflush(stdout);
	sleep(seconds);
	port_close(&p);
	return 0;
}

static int cmd_hold(const char *name, int seconds)
{
	struct port p = { 0 };
	int err = port_open(&p, name, NR_REG_ALL_NIC, 0);

	if (err) {
		fprintf(stderr, "%s: %s\n", name, strerror(err));
		return 1;
	}
	printf("holding %s\n", name);
	fflush(stdout);
	sleep(seconds);
	return 0;
}

/* Send broadcast frames on name as fast as possible, forever. */
static int cmd_traffic(const char *name)
{
	struct port p = { 0 };
	int err = port_open(&p, name, NR_REG_ALL_NIC, 0);
	struct netmap_ring *r;
	struct pollfd pfd;

	if (err) {
		fprintf(stderr, "%s: %s\n", name, strerror(err));
		return 1;
	}
	r = txring(&p, 0);
	pfd = (struct pollfd){ .fd = p.fd, .events = POLLIN | POLLOUT };
	for (;;) {
		while (r->head != r->tail) {
			struct netmap_slot *s = &r->slot[r->head];
			uint8_t *buf = (uint8_t *)r + r->buf_ofs +
				       (size_t)s->buf_idx * r->nr_buf_size;

			memcpy(buf, bcast, 6);
			memset(buf + 6, 2, 6);
			s->len = 60;
			r->head = r->cur = r->head + 1 == r->num_slots ? 0 : r->head + 1;
		}
		poll(&pfd, 1, 10);
		/* Drain what others send us. */
		{
			struct netmap_ring *rr = rxring(&p, 0);

			rr->head = rr->cur = rr->tail;
		}
	}
	return 0;
}

static int cmd_churn(int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		struct port p = { 0 };
		char name[64];

		snprintf(name, sizeof(name), "valeCH%d:c%d", i % 3, i % 7);
		if (i % 2) {
			int fd = dev_open();

			close(fd);
			continue;
		}
		/* Small rings: a small private region per port. */
		p.reg.nr_tx_slots = p.reg.nr_rx_slots = 8;
		if (port_open(&p, name, NR_REG_ALL_NIC, 0))
			bad++;
		else if (i % 4 == 0)
			send_frame(&p, bcast, 3, 60);
		port_close(&p);
	}
	printf("%d open/close cycles, %d failures\n", n, bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "newif"))
		return cmd_request(NETMAP_REQ_VALE_NEWIF, argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "delif"))
		return cmd_request(NETMAP_REQ_VALE_DELIF, argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "attach"))
		return cmd_request(NETMAP_REQ_VALE_ATTACH, argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "detach"))
		return cmd_request(NETMAP_REQ_VALE_DETACH, argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2], atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "traffic"))
		return cmd_traffic(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "null"))
		return cmd_null(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "churn"))
		return cmd_churn(atoi(argv[2]));
	if (argc > 1) {
		fprintf(stderr, "usage: %s [newif|delif|attach|detach NAME | "
			"hold NAME SECONDS | traffic NAME | churn N | null SECONDS]\n", argv[0]);
		return 2;
	}

	snprintf(sw, sizeof(sw), "valeC%d", (int)getpid() % 100000);
	test_dispatch();
	test_register();
	test_null_global();
	test_legacy();
	test_options();
	test_vale_requests();
	test_poll();
	test_persistent();
	printf("1..%d\n", t_num);
	return t_failed ? 1 : 0;
}
