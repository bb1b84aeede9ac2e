// SPDX-License-Identifier: BSD-2-Clause
/*
 * AF_XDP mode of the user runtime's NIC ports (nic.h).
 *
 * One XDP program per interface: bpf_redirect_map(xsks, rx_queue,
 * XDP_PASS), so the frames of a queue with a socket in the XSKMAP go to
 * that socket and the others to the stack, as frames of rings nobody
 * binds do on the module.  It runs in the driver when the driver has
 * XDP, else on socket buffers ("generic").  It is attached through a
 * BPF link that every process serving a queue holds (the first one
 * makes it, the others find it and the map by the ids kept in the
 * arena): the program outlives the process that attached it while
 * others serve queues, and goes with the last holder, so nothing is
 * left behind by a killed process, whatever namespace its peers are in.
 *
 * Each queue of a process has one socket with its own UMEM (libxdp):
 * frames [0, nrx) for receiving, [nrx, nrx + ntx) for sending; the
 * receive rings hold twice the netmap ring (the device queue in front
 * of it), the transmit rings as much as it, rounded up to powers of
 * two.  Frames are copied between the UMEM and netmap's buffers, once
 * each way; the socket is bound with XDP_ZEROCOPY where the driver has
 * it (the driver then fills the UMEM itself), in copy mode otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <net/if.h>	/* before the linux/ headers */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nm_core.h"
#include "backend.h"
#include "nic.h"
#include "../interpose.h"

#ifdef HAVE_LIBXDP
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#define RT_XDP_PROG_NAME "netmap_xsk"

struct rt_xsk {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint8_t *area;
	size_t area_len;
	uint32_t frame;			/* bytes per UMEM frame */
	uint32_t nrx, ntx;		/* frames (and ring sizes) per side */
	uint64_t *tx_free;		/* free TX frames (UMEM addresses) */
	uint32_t nfree;
	uint32_t queued;		/* TX descriptors not submitted yet */
	int fd;
};

/* libbpf and libxdp print their warnings; a library must not. */
static int rt_xdp_quiet_bpf(enum libbpf_print_level l, const char *f,
			    va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

static int rt_xdp_quiet_xdp(enum libxdp_print_level l, const char *f,
			    va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

struct rt_xdp_quiet {
	libbpf_print_fn_t bpf;
	libxdp_print_fn_t xdp;
};

static void rt_xdp_hush(struct rt_xdp_quiet *q)
{
	q->bpf = libbpf_set_print(rt_xdp_quiet_bpf);
	q->xdp = libxdp_set_print(rt_xdp_quiet_xdp);
}

static void rt_xdp_unhush(const struct rt_xdp_quiet *q)
{
	libbpf_set_print(q->bpf);
	libxdp_set_print(q->xdp);
}

static uint32_t rt_pow2(uint32_t v)
{
	uint32_t p = 64;

	while (p < v && p < 32768)
		p <<= 1;
	return p;
}

/* The program attached to the interface, in any mode; 0: none. */
static uint32_t rt_xdp_attached(const struct nmh_nic *nic)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, o);

	if (bpf_xdp_query(nic->ifindex, 0, &o))
		return 0;
	return o.prog_id;
}

static uint32_t rt_bpf_id(int fd)
{
	struct bpf_prog_info info;	/* the id leads both info structs */
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

int rt_xdp_usable(struct nmh_nic *nic, char *why, size_t len)
{
	uint64_t caps = rt_nic_caps();
	uint32_t id;
	int fd;

	if (!(caps & (1ULL << CAP_NET_ADMIN)) ||
	    !(caps & ((1ULL << CAP_BPF) | (1ULL << CAP_SYS_ADMIN)))) {
		snprintf(why, len, "AF_XDP needs CAP_NET_ADMIN and CAP_BPF: "
			 "missing %s",
			 !(caps & (1ULL << CAP_NET_ADMIN)) ?
			 (!(caps & (1ULL << CAP_BPF)) ?
			  "CAP_NET_ADMIN and CAP_BPF" : "CAP_NET_ADMIN") :
			 "CAP_BPF");
		return -EPERM;
	}
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int err = errno;

		snprintf(why, len, "%s", err == EAFNOSUPPORT ?
			 "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)" :
			 strerror(err));
		return err == EAFNOSUPPORT ? -EOPNOTSUPP : -err;
	}
	nmi_real_close(fd);
	if (nic->mtu + 18 > nic->frame - XDP_PACKET_HEADROOM) {
		snprintf(why, len, "MTU %u is larger than an AF_XDP frame "
			 "holds (%u)", nic->mtu,
			 nic->frame - XDP_PACKET_HEADROOM - 18);
		return -EOPNOTSUPP;
	}
	id = rt_xdp_attached(nic);
	if (id && id != nic->prog_id) {
		snprintf(why, len, "the interface has another XDP program (id "
			 "%u): AF_XDP needs its own", id);
		return -EBUSY;
	}
	return 0;
}

/*
 * bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS): a queue with
 * no socket in the map goes to the stack.
 */
static int rt_xdp_prog_load(int map_fd, char *log, size_t loglen)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ .code = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log,
		    .log_size = (uint32_t)loglen, .log_level = 0);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, RT_XDP_PROG_NAME, "BSD", insns,
			     sizeof(insns) / sizeof(insns[0]), &o);
}

/* Our link on the interface, found by id; 0 and *fd -1 when gone. */
static int rt_xdp_link_get(struct nmh_nic *nic, int *fd)
{
	struct bpf_link_info info;
	uint32_t len = sizeof(info);

	*fd = bpf_link_get_fd_by_id(nic->link_id);
	if (*fd < 0)
		return *fd == -ENOENT ? 0 : *fd;
	memset(&info, 0, sizeof(info));
	/* A link of a deleted interface is still there, but defunct. */
	if (bpf_obj_get_info_by_fd(*fd, &info, &len) || !info.xdp.ifindex) {
		nmi_real_close(*fd);
		*fd = -1;
	}
	return 0;
}

/*
 * Load the program and its map and attach it through a link, in the
 * driver if it can, else generic.  l holds the link and the map.
 */
static int rt_xdp_link_new(struct nmh_nic *nic, struct rt_nic_local *l)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	char log[256] = "";
	int prog, err;

	l->map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "netmap_xsks", 4, 4,
				   RT_NIC_MAXQ, NULL);
	if (l->map_fd < 0) {
		err = l->map_fd;
		l->map_fd = -1;
		rt_nic_detail(nic, "cannot make the AF_XDP socket map: %s%s",
			      strerror(-err), err == -EPERM ?
			      " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
		return err;
	}
	prog = rt_xdp_prog_load(l->map_fd, log, sizeof(log));
	if (prog < 0) {
		rt_nic_detail(nic, "cannot load the XDP program: %s%s%s",
			      strerror(-prog), log[0] ? ": " : "", log);
		return prog;
	}
	lo.flags = XDP_FLAGS_DRV_MODE;
	l->link_fd = bpf_link_create(prog, nic->ifindex, BPF_XDP, &lo);
	nic->xdp_native = l->link_fd >= 0;
	if (l->link_fd < 0) {
		lo.flags = XDP_FLAGS_SKB_MODE;
		l->link_fd = bpf_link_create(prog, nic->ifindex, BPF_XDP, &lo);
	}
	if (l->link_fd < 0) {
		uint32_t id = rt_xdp_attached(nic);

		err = l->link_fd;
		l->link_fd = -1;
		if (err == -EBUSY && id)
			rt_nic_detail(nic, "the interface has another XDP "
				      "program (id %u): AF_XDP needs its own; "
				      "remove it or set NETMAP_NIC_MODE=packet",
				      id);
		else
			rt_nic_detail(nic, "cannot attach the XDP program: %s",
				      strerror(-err));
		nmi_real_close(prog);
		return err;
	}
	nic->prog_id = rt_bpf_id(prog);
	nic->map_id = rt_bpf_id(l->map_fd);
	nic->link_id = rt_bpf_id(l->link_fd);
	nmi_real_close(prog);
	return 0;
}

/*
 * This process's hold on the XDP program of the interface: a descriptor
 * of its link (made here by the first process, found by id by the
 * others) and of its map.  The program stays attached while some
 * process serving a queue holds the link, and goes when the last one
 * closes it or dies: nobody has to clean up after a killed process, in
 * whatever namespace.
 */
int rt_xdp_acquire(struct nmh_nic *nic, struct rt_nic_local *l)
{
	struct rt_xdp_quiet qt;
	int err = 0;

	if (l->link_fd >= 0)
		return 0;
	rt_xdp_hush(&qt);
	if (nic->link_id) {
		err = rt_xdp_link_get(nic, &l->link_fd);
		if (err) {
			rt_nic_detail(nic, "cannot reach the XDP program another "
				      "process attached: %s%s", strerror(-err),
				      err == -EPERM ? " (sharing a NIC between "
				      "processes over AF_XDP needs "
				      "CAP_SYS_ADMIN)" : "");
			goto out;
		}
	}
	if (l->link_fd >= 0) {
		l->map_fd = bpf_map_get_fd_by_id(nic->map_id);
		if (l->map_fd < 0) {
			err = l->map_fd;
			rt_nic_detail(nic, "cannot reach the AF_XDP socket map: %s",
				      strerror(-err));
		}
	} else {
		nic->link_id = nic->prog_id = nic->map_id = 0;
		err = rt_xdp_link_new(nic, l);
	}
out:
	if (err)
		rt_xdp_release(l);
	rt_xdp_unhush(&qt);
	return err;
}

void rt_xdp_release(struct rt_nic_local *l)
{
	if (l->link_fd >= 0)
		nmi_real_close(l->link_fd);
	if (l->map_fd >= 0)
		nmi_real_close(l->map_fd);
	l->link_fd = l->map_fd = -1;
}

/* Keep a mapping out of fork children (they must not hold the socket). */
static void rt_xdp_nofork(void *ring, uint64_t desc_ofs, size_t bytes)
{
	uint8_t *base = (uint8_t *)ring - desc_ofs;

	madvise(base, desc_ofs + bytes, MADV_DONTFORK);
}

static int rt_xdp_socket(struct nmh_nic *nic, struct rt_xsk *x, uint32_t q,
			 int zerocopy)
{
	struct xsk_socket_config sc = {
		.rx_size = x->nrx, .tx_size = x->ntx,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP |
			      (zerocopy ? XDP_ZEROCOPY : XDP_COPY),
	};

	return xsk_socket__create(&x->xsk, nic->name, q, x->umem, &x->rx,
				  &x->tx, &sc);
}

/*
 * In copy mode each sendto() makes the kernel send at most 32 frames,
 * unless the socket allows more (XDP_MAX_TX_SKB_BUDGET, Linux 6.17): a
 * batch of 512 took 16 system calls.  Allow the whole transmit ring, so
 * that a TX sync makes one call; older kernels refuse the option
 * (ENOPROTOOPT) and keep 32.
 */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

static void rt_xdp_tx_budget(const struct rt_xsk *x)
{
	int budget = (int)x->ntx;

	(void)setsockopt(x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
			 sizeof(budget));
}

/*
 * The receive area a queue asks for first: what the device may deliver
 * while its receiver is away (a busy machine's scheduler can keep it off
 * its CPU for milliseconds; the kernel drops what finds the fill ring
 * empty).  At least twice the netmap ring, and at least this much.
 */
#define RT_XDP_RX_AREA (16u << 20)

/*
 * Map and register a UMEM of nrx receive and ntx transmit frames.
 * Returns 0 or -errno (-ENOBUFS: over RLIMIT_MEMLOCK), x's area unmapped.
 */
static int rt_xdp_umem(struct rt_xsk *x)
{
	struct xsk_umem_config uc;
	int err;

	x->area_len = (size_t)(x->nrx + x->ntx) * x->frame;
	x->area = nmi_real_mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED)
		return -ENOMEM;
	madvise(x->area, x->area_len, MADV_DONTFORK);
	memset(&uc, 0, sizeof(uc));
	uc.fill_size = x->nrx;
	uc.comp_size = x->ntx;
	uc.frame_size = x->frame;
	err = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fill,
			       &x->comp, &uc);
	if (err)
		nmi_real_munmap(x->area, x->area_len);
	return err;
}

int rt_xdp_open(struct nmh_nic *nic, struct rt_nic_local *l, uint32_t q)
{
	struct nm_adapter *na = nic->na;
	struct xdp_mmap_offsets off;
	struct rt_xdp_quiet qt;
	struct rt_xsk *x;
	socklen_t optlen = sizeof(off);
	uint32_t i, idx, ring = 2 * na->num_slots[NR_RX];
	int err;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->frame = nic->frame;
	x->ntx = rt_pow2(na->num_slots[NR_TX]);
	x->tx_free = calloc(x->ntx, sizeof(*x->tx_free));
	if (!x->tx_free) {
		free(x);
		return -ENOMEM;
	}
	x->nrx = rt_pow2(ring > RT_XDP_RX_AREA / x->frame ? ring :
			 RT_XDP_RX_AREA / x->frame);
	rt_xdp_hush(&qt);
	err = rt_xdp_umem(x);
	if (err && x->nrx > rt_pow2(ring)) {
		/* the memory is pinned: within RLIMIT_MEMLOCK, twice the ring */
		x->nrx = rt_pow2(ring);
		err = rt_xdp_umem(x);
	}
	if (err) {
		rt_xdp_unhush(&qt);
		rt_nic_detail(nic, "queue %u: cannot register AF_XDP memory: %s%s",
			      q, strerror(-err), err == -ENOBUFS ?
			      " (over RLIMIT_MEMLOCK: raise it (ulimit -l) or "
			      "grant CAP_IPC_LOCK)" : "");
		free(x->tx_free);
		free(x);
		return err;
	}
	/* Zero copy where the driver has it (native XDP only). */
	err = nic->xdp_native ? rt_xdp_socket(nic, x, q, 1) : -EOPNOTSUPP;
	nic->zerocopy = !err;
	if (err)
		err = rt_xdp_socket(nic, x, q, 0);
	rt_xdp_unhush(&qt);
	if (err) {
		rt_nic_detail(nic, "queue %u: cannot open an AF_XDP socket: %s%s",
			      q, strerror(-err), err == -EBUSY ?
			      " (another program has an AF_XDP socket on it)" :
			      "");
		goto err_umem;
	}
	x->fd = xsk_socket__fd(x->xsk);
	fcntl(x->fd, F_SETFD, FD_CLOEXEC);
	rt_xdp_tx_budget(x);
	if (!getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
		rt_xdp_nofork(x->rx.ring, off.rx.desc,
			      x->nrx * sizeof(struct xdp_desc));
		rt_xdp_nofork(x->tx.ring, off.tx.desc,
			      x->ntx * sizeof(struct xdp_desc));
		rt_xdp_nofork(x->fill.ring, off.fr.desc, x->nrx * sizeof(__u64));
		rt_xdp_nofork(x->comp.ring, off.cr.desc, x->ntx * sizeof(__u64));
	}
	/* Every receive frame to the kernel; every transmit frame free. */
	if (xsk_ring_prod__reserve(&x->fill, x->nrx, &idx) == x->nrx) {
		for (i = 0; i < x->nrx; i++)
			*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
				(uint64_t)i * x->frame;
		xsk_ring_prod__submit(&x->fill, x->nrx);
	}
	for (i = 0; i < x->ntx; i++)
		x->tx_free[i] = (uint64_t)(x->nrx + i) * x->frame;
	x->nfree = x->ntx;
	l->q[q].xsk = x;
	return 0;

err_umem:
	xsk_umem__delete(x->umem);
	nmi_real_munmap(x->area, x->area_len);
	free(x->tx_free);
	free(x);
	return err;
}

void rt_xdp_close(struct rt_nic_local *l, uint32_t q, int forked)
{
	struct rt_xsk *x = l->q[q].xsk;
	struct rt_xdp_quiet qt;

	(void)forked;	/* the child's mappings are gone: unmapping is a no-op */
	if (!x)
		return;
	if (getenv("NETMAP_RUNTIME_DEBUG")) {
		struct xdp_statistics st;
		socklen_t len = sizeof(st);

		memset(&st, 0, sizeof(st));
		if (!getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
			nmh_log("netmap: %s queue %u: AF_XDP rx_dropped %llu "
				"rx_ring_full %llu fill_ring_empty %llu "
				"tx_invalid %llu\n", l->nic ? l->nic->name : "",
				q, (unsigned long long)st.rx_dropped,
				(unsigned long long)st.rx_ring_full,
				(unsigned long long)st.rx_fill_ring_empty_descs,
				(unsigned long long)st.tx_invalid_descs);
	}
	rt_xdp_hush(&qt);
	xsk_socket__delete(x->xsk);
	xsk_umem__delete(x->umem);
	rt_xdp_unhush(&qt);
	nmi_real_munmap(x->area, x->area_len);
	free(x->tx_free);
	free(x);
	l->q[q].xsk = NULL;
}

int rt_xdp_rx_enable(struct nmh_nic *nic, struct rt_nic_local *l,
		     uint32_t q, int on)
{
	struct rt_xsk *x = l->q[q].xsk;
	int map, err;

	if (!x || q >= nic->rxq)
		return 0;
	map = l->map_fd;
	if (map < 0)
		return on ? -ENXIO : 0;
	err = on ? bpf_map_update_elem(map, &q, &x->fd, 0) :
		   bpf_map_delete_elem(map, &q);
	if (err && on)
		rt_nic_detail(nic, "queue %u: cannot divert its frames to the "
			      "AF_XDP socket: %s", q, strerror(-err));
	return on ? err : 0;
}

/* Frames the device has sent: their UMEM frames are free again. */
static void rt_xdp_reap(struct rt_nicq *dq)
{
	struct rt_xsk *x = dq->xsk;
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->comp, x->ntx, &idx);
	if (!n)
		return;
	for (i = 0; i < n; i++)
		x->tx_free[x->nfree++] = *xsk_ring_cons__comp_addr(&x->comp,
								   idx + i);
	xsk_ring_cons__release(&x->comp, n);
	dq->done += n;
}

int rt_xdp_xmit(struct rt_nicq *dq, const void *buf, uint32_t len)
{
	struct rt_xsk *x = dq->xsk;
	struct xdp_desc *d;
	uint64_t addr;
	uint32_t idx;

	if (len > x->frame)
		return -EMSGSIZE;
	if (!x->nfree)
		rt_xdp_reap(dq);
	if (!x->nfree || xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1)
		return -EBUSY;
	addr = x->tx_free[--x->nfree];
	memcpy(x->area + addr, buf, len);
	d = xsk_ring_prod__tx_desc(&x->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	x->queued++;
	return 0;
}

/*
 * Publish the descriptors and make the kernel send them.  In copy mode
 * each sendto() sends a batch (the ring, or 32 frames before Linux 6.17:
 * rt_xdp_tx_budget) and says EAGAIN while some are left.
 */
int rt_xdp_flush(struct rt_nicq *dq)
{
	struct rt_xsk *x = dq->xsk;
	uint32_t tries, limit = x->ntx / 16 + 4;

	if (x->queued) {
		xsk_ring_prod__submit(&x->tx, x->queued);
		x->queued = 0;
	}
	if (!xsk_ring_prod__needs_wakeup(&x->tx))
		return 0;
	for (tries = 0; tries < limit; tries++) {
		if (__atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) ==
		    *x->tx.producer)
			break;
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
			continue;
		if (errno == EAGAIN || errno == EBUSY || errno == EINTR)
			continue;	/* busy device: the rest at a later flush */
		if (errno == ENOBUFS)
			break;
		return -errno;		/* ENETDOWN, ENXIO: the link */
	}
	return 0;
}

uint32_t rt_xdp_tx_done(struct rt_nicq *dq)
{
	uint32_t done;

	rt_xdp_reap(dq);
	done = dq->done;
	dq->done = 0;
	return done;
}

uint32_t rt_xdp_rx_pull(struct rt_nicq *dq, struct nm_nic_rxbuf *bufs,
			uint32_t n)
{
	struct rt_xsk *x = dq->xsk;
	uint32_t idx, fidx = 0, avail, i, used = 0, frames = 0;

	avail = xsk_ring_cons__peek(&x->rx, n, &idx);
	if (!avail)
		return 0;
	for (i = 0; i < avail; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		uint32_t k = rt_nic_copy_frame(bufs + used, n - used,
					       x->area + d->addr, d->len, NULL);

		if (!k)
			break;	/* does not fit: waits for the next call */
		used += k;
		frames++;
	}
	if (frames < avail)
		xsk_ring_cons__cancel(&x->rx, avail - frames);
	if (frames) {
		/* The fill ring holds every receive frame: room is certain. */
		xsk_ring_prod__reserve(&x->fill, frames, &fidx);
		for (i = 0; i < frames; i++) {
			uint64_t a = xsk_ring_cons__rx_desc(&x->rx, idx + i)->addr;

			*xsk_ring_prod__fill_addr(&x->fill, fidx + i) =
				a - a % x->frame;
		}
		xsk_ring_prod__submit(&x->fill, frames);
		xsk_ring_cons__release(&x->rx, frames);
		if (xsk_ring_prod__needs_wakeup(&x->fill))
			recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}
	return used;
}

int rt_xdp_fd(struct rt_nicq *dq)
{
	return dq->xsk ? dq->xsk->fd : -1;
}

#else /* !HAVE_LIBXDP */

int rt_xdp_usable(struct nmh_nic *nic, char *why, size_t len)
{
	(void)nic;
	snprintf(why, len, "this libnetmap was built without AF_XDP "
		 "(libxdp-dev and libbpf-dev were missing)");
	return -EOPNOTSUPP;
}

int rt_xdp_acquire(struct nmh_nic *nic, struct rt_nic_local *l)
{
	(void)l;
	rt_nic_detail(nic, "this libnetmap was built without AF_XDP");
	return -EOPNOTSUPP;
}

void rt_xdp_release(struct rt_nic_local *l)
{
	(void)l;
}

int rt_xdp_open(struct nmh_nic *nic, struct rt_nic_local *l, uint32_t q)
{
	(void)nic;
	(void)l;
	(void)q;
	return -EOPNOTSUPP;
}

void rt_xdp_close(struct rt_nic_local *l, uint32_t q, int forked)
{
	(void)l;
	(void)q;
	(void)forked;
}

int rt_xdp_rx_enable(struct nmh_nic *nic, struct rt_nic_local *l,
		     uint32_t q, int on)
{
	(void)nic;
	(void)l;
	(void)q;
	(void)on;
	return -EOPNOTSUPP;
}

int rt_xdp_xmit(struct rt_nicq *dq, const void *buf, uint32_t len)
{
	(void)dq;
	(void)buf;
	(void)len;
	return -EOPNOTSUPP;
}

int rt_xdp_flush(struct rt_nicq *dq)
{
	(void)dq;
	return 0;
}

uint32_t rt_xdp_tx_done(struct rt_nicq *dq)
{
	(void)dq;
	return 0;
}

uint32_t rt_xdp_rx_pull(struct rt_nicq *dq, struct nm_nic_rxbuf *bufs,
			uint32_t n)
{
	(void)dq;
	(void)bufs;
	(void)n;
	return 0;
}

int rt_xdp_fd(struct rt_nicq *dq)
{
	(void)dq;
	return -1;
}

#endif /* HAVE_LIBXDP */
