/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net/netmap_user.h - helpers for netmap applications.
 *
 * Macros and inline functions that locate rings and buffers in the mapped
 * region, walk ring indices and copy packets, the D()/RD()/ND() debug
 * macros, and the application side of the CSB protocol.  Applications
 * compile these into their own binaries, so their arithmetic is part of
 * the ABI: the kernel lays out the region exactly as they expect.
 *
 * With NETMAP_WITH_LIBS defined before inclusion, the header also declares
 * the legacy pcap-like library: struct nm_desc and nm_open(), nm_close(),
 * nm_mmap(), nm_inject(), nm_dispatch(), nm_nextpkt().  Unlike upstream,
 * these are not inline: they live in libnetmap, so that they work both
 * with the kernel module and with the user-space runtime.  Programs that
 * use them link with -lnetmap.
 */
#ifndef _NET_NETMAP_USER_H_
#define _NET_NETMAP_USER_H_

#include <ctype.h>		/* netmap's header has it: programs use isdigit() */
#include <stdint.h>
#include <stdio.h>		/* D() */
#include <string.h>		/* nm_pkt_copy() */
#include <sys/types.h>
#include <sys/socket.h>		/* netmap's header has it */
#include <sys/time.h>		/* D(), struct timeval */
#include <net/if.h>		/* IFNAMSIZ, if_nametoindex() */

#include "netmap.h"

#define NETMAP_DEVICE_NAME	"/dev/netmap"

/* Branch hints, as netmap's header defines them for its applications. */
#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/*
 * Ordering between the application's loads (nm_ldld_barrier) or stores
 * (nm_stst_barrier) on shared rings: plain compiler barriers on x86,
 * fences where the hardware reorders.
 */
#define nm_ldld_barrier()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define nm_stst_barrier()	__atomic_thread_fence(__ATOMIC_RELEASE)

/* ------------------------------------------------------------------ */
/* Locating objects in the region                                      */
/* ------------------------------------------------------------------ */

/* The netmap_if at offset ofs (nr_offset) of the mapping at base. */
#define NETMAP_IF(_base, _ofs) \
	((struct netmap_if *)(void *)((char *)(_base) + (_ofs)))

/*
 * TX ring i: hardware rings are 0..ni_tx_rings-1, host TX ring k is
 * ni_tx_rings + k.  A ring the descriptor did not bind has ring_ofs 0.
 */
#define NETMAP_TXRING(_nifp, _i)					\
	((struct netmap_ring *)(void *)((char *)(_nifp) +		\
					(_nifp)->ring_ofs[_i]))

/*
 * RX ring i: hardware rings are 0..ni_rx_rings-1, host RX ring k is
 * ni_rx_rings + k.  The RX entries follow all the TX ones, host included.
 */
#define NETMAP_RXRING(_nifp, _i)					\
	((struct netmap_ring *)(void *)((char *)(_nifp) +		\
		(_nifp)->ring_ofs[(_i) + (_nifp)->ni_tx_rings +		\
				  (_nifp)->ni_host_tx_rings]))

/* Address of buffer idx; every ring of a region reaches every buffer. */
#define NETMAP_BUF(_ring, _idx)						\
	((char *)(_ring) + (_ring)->buf_ofs +				\
	 ((size_t)(_idx) * (_ring)->nr_buf_size))

/* Index of the buffer starting at buf (inverse of NETMAP_BUF). */
#define NETMAP_BUF_IDX(_ring, _buf)					\
	(((char *)(_buf) - ((char *)(_ring) + (_ring)->buf_ofs)) /	\
	 (_ring)->nr_buf_size)

/* Data offset stored in a slot (0 unless the OFFSETS option was used). */
#define NETMAP_ROFFSET(_ring, _slot)	((_slot)->ptr & (_ring)->offset_mask)

/* Store offset off in a slot, keeping the bits of ptr outside the mask. */
#define NETMAP_WOFFSET(_ring, _slot, _off)				\
	((_slot)->ptr = (((_slot)->ptr & ~(_ring)->offset_mask) |	\
			 ((uint64_t)(_off) & (_ring)->offset_mask)))

/* Start of the data of a slot: its buffer plus its offset. */
#define NETMAP_BUF_OFFSET(_ring, _slot)					\
	(NETMAP_BUF(_ring, (_slot)->buf_idx) + NETMAP_ROFFSET(_ring, _slot))

/* ------------------------------------------------------------------ */
/* Ring indices                                                        */
/* ------------------------------------------------------------------ */

/* The slot after i, wrapping at num_slots (not a power of 2 in general). */
static inline uint32_t nm_ring_next(const struct netmap_ring *ring,
				    uint32_t i)
{
	return i + 1 == ring->num_slots ? 0 : i + 1;
}

/*
 * Slots the user may process now: tail - head on the circle.  Like
 * nm_ring_empty() it looks at head, not cur.
 */
static inline uint32_t nm_ring_space(const struct netmap_ring *ring)
{
	int ret = (int)(ring->tail - ring->head);

	if (ret < 0)
		ret += (int)ring->num_slots;
	return (uint32_t)ret;
}

/*
 * A TX ring still has packets in flight unless head is one past tail
 * (the kernel keeps one slot empty, so that is the idle state).
 */
static inline int nm_tx_pending(const struct netmap_ring *ring)
{
	return nm_ring_next(ring, ring->tail) != ring->head;
}

/*
 * Copy exactly len bytes of a packet.  Small packets made of whole 64-byte
 * lines are copied line by line with fixed-size copies the compiler turns
 * into a few wide moves, which beats a generic memcpy() call for them.
 */
static inline void nm_pkt_copy(const void *src, void *dst, int len)
{
	const char *s = (const char *)src;
	char *d = (char *)dst;

	if (len <= 0)
		return;
	if ((len & 63) != 0 || len >= 1024) {
		memcpy(d, s, (size_t)len);
		return;
	}
	for (; len > 0; len -= 64, s += 64, d += 64)
		memcpy(d, s, 64);
}

/* ------------------------------------------------------------------ */
/* CSB mode, application side (spec 25.1)                              */
/* ------------------------------------------------------------------ */

/*
 * Publish cur and head for the in-kernel loop.  Slot and buffer contents
 * must be visible before the indices, and cur before head, because the
 * kernel takes head as the signal that cur is valid.
 */
static inline void nm_sync_kloop_appl_write(struct nm_csb_atok *atok,
					    uint32_t cur, uint32_t head)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&atok->cur, cur, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&atok->head, head, __ATOMIC_RELAXED);
}

/*
 * Read the kernel's positions.  hwtail is read before hwcur, mirroring
 * the kernel's write order, and the final fence keeps slot reads from
 * moving before the indices that make them valid.
 */
static inline void nm_sync_kloop_appl_read(const struct nm_csb_ktoa *ktoa,
					   uint32_t *hwtail, uint32_t *hwcur)
{
	*hwtail = __atomic_load_n(&ktoa->hwtail, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*hwcur = __atomic_load_n(&ktoa->hwcur, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ */
/* Debug output                                                        */
/* ------------------------------------------------------------------ */

/*
 * D("fmt", ...) prints "sss.uuuuuu function [line] message" to stderr,
 * with the seconds taken modulo 1000.
 */
#define D(_fmt, ...)							\
	do {								\
		struct timeval nm_d_tv_;				\
		gettimeofday(&nm_d_tv_, NULL);				\
		fprintf(stderr, "%03d.%06d %s [%d] " _fmt "\n",		\
			(int)(nm_d_tv_.tv_sec % 1000),			\
			(int)nm_d_tv_.tv_usec, __func__, __LINE__,	\
			##__VA_ARGS__);					\
	} while (0)

/* RD(lps, "fmt", ...): D() limited to lps lines per second per call site. */
#define RD(_lps, _fmt, ...)						\
	do {								\
		static time_t nm_rd_sec_;				\
		static int nm_rd_cnt_;					\
		struct timeval nm_rd_tv_;				\
		gettimeofday(&nm_rd_tv_, NULL);				\
		if (nm_rd_sec_ != nm_rd_tv_.tv_sec) {			\
			nm_rd_sec_ = nm_rd_tv_.tv_sec;			\
			nm_rd_cnt_ = 0;					\
		}							\
		if (nm_rd_cnt_ < (_lps)) {				\
			nm_rd_cnt_++;					\
			D(_fmt, ##__VA_ARGS__);				\
		}							\
	} while (0)

/* ND(): a disabled D(), kept in the source for later debugging. */
#define ND(_fmt, ...)	do { } while (0)

/* ------------------------------------------------------------------ */
/* The legacy pcap-like library (spec 14.4), in libnetmap              */
/* ------------------------------------------------------------------ */

#ifdef NETMAP_WITH_LIBS

/*
 * Upstream's inline implementation pulled these in, and applications
 * written against it may use poll(), mmap(), errno ... without including
 * them themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define NM_ERRBUF_SIZE	512

/* Size of the message buffer nm_parse() writes (netmap's value). */
#define MAXERRMSG	80

struct nm_desc;

/* Describes one packet handed out by nm_dispatch() / nm_nextpkt(). */
struct nm_pkthdr {
	struct timeval ts;	/* ring->ts of the receive ring */
	uint32_t caplen;	/* bytes contiguous at buf */
	uint32_t len;		/* total length, all fragments */
	uint64_t flags;		/* NM_MORE_PKTS */
	struct nm_desc *d;
	struct netmap_slot *slot;
	uint8_t *buf;
};

/* nm_pkthdr.flags: more packets follow in this nm_dispatch() call */
#define NM_MORE_PKTS	1

struct nm_stat {
	unsigned int ps_recv;
	unsigned int ps_drop;
	unsigned int ps_ifdrop;
};

/*
 * An open port.  Applications read nifp, the ring range and req; the
 * other fields are for the library and pcap-style wrappers.
 */
struct nm_desc {
	struct nm_desc *self;	/* == this for a valid descriptor */
	int fd;
	void *mem;		/* the mapped region */
	uint64_t memsize;
	int done_mmap;		/* mem was mapped by this descriptor */
	struct netmap_if *nifp;
	uint16_t first_tx_ring, last_tx_ring, cur_tx_ring;
	uint16_t first_rx_ring, last_rx_ring, cur_rx_ring;
	struct nmreq req;	/* the request that opened the port */
	struct nm_pkthdr hdr;	/* last packet, for nm_nextpkt() */
	const struct netmap_ring *some_ring;	/* any bound ring */
	const void *buf_start;	/* buffer pool, first byte */
	const void *buf_end;	/* buffer pool, one past the last byte */
	/* pcap compatibility */
	int snaplen;
	int promisc;
	int to_ms;
	char *errbuf;
	uint32_t if_flags;
	uint32_t if_reqcap;
	uint32_t if_curcap;
	struct nm_stat st;
	char msg[NM_ERRBUF_SIZE];
};

#define P2NMD(_p)		((struct nm_desc *)(_p))
#define IS_NETMAP_DESC(_d)	((_d) && P2NMD(_d)->self == P2NMD(_d))
#define NETMAP_FD(_d)		(P2NMD(_d)->fd)

/*
 * nm_open() flags, besides NETMAP_NO_TX_POLL and NETMAP_DO_RX_POLL: what
 * to take from the descriptor passed as arg instead of the name or req.
 */
#define NM_OPEN_NO_MMAP		0x040000	/* share its mapping */
#define NM_OPEN_IFNAME		0x080000	/* its name, ring id and flags */
#define NM_OPEN_ARG1		0x100000	/* its nr_arg1 */
#define NM_OPEN_ARG2		0x200000	/* its nr_arg2 (mem_id) */
#define NM_OPEN_ARG3		0x400000	/* its nr_arg3 (extra buffers) */
#define NM_OPEN_RING_CFG	0x800000	/* its slot and ring counts */

/*
 * Per-packet callback of nm_dispatch(): (arg, header, data).  The char
 * type is u_char in upstream; it is spelled out because <sys/types.h>
 * hides u_char in strict ISO modes.
 */
typedef void (*nm_cb_t)(unsigned char *, const struct nm_pkthdr *,
			const unsigned char *);

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Open the port named ifname ("netmap:eth0-1", "vale0:a", ...).  Returns
 * NULL with errno 0 for names that are not netmap ports, with errno set
 * on failure.
 */
struct nm_desc *nm_open(const char *ifname, const struct nmreq *req,
			uint64_t flags, const struct nm_desc *arg);

/*
 * Parse ifname (the names of nm_open()) into d->req: nr_name, nr_ringid,
 * the mode and flags in nr_flags, and nr_arg2 for "@N".  0, or -1 with
 * errno EINVAL and the reason in err (MAXERRMSG bytes, may be NULL).
 */
int nm_parse(const char *ifname, struct nm_desc *d, char *err);

/* Unmap (if mapped by d), close and free.  -1/EINVAL for a bad d. */
int nm_close(struct nm_desc *d);

/* Map the region of d, or reuse the mapping of parent if it is the same. */
int nm_mmap(struct nm_desc *d, const struct nm_desc *parent);

/* Send one packet on the first TX ring with room; returns size or 0. */
int nm_inject(struct nm_desc *d, const void *buf, size_t size);

/*
 * Call cb for up to cnt received packets (0 or -1: all available);
 * returns the number of packets.
 */
int nm_dispatch(struct nm_desc *d, int cnt, nm_cb_t cb, unsigned char *arg);

/* Next received slot, one at a time; NULL when all bound rings are empty. */
unsigned char *nm_nextpkt(struct nm_desc *d, struct nm_pkthdr *hdr);

#ifdef __cplusplus
}
#endif

#endif /* NETMAP_WITH_LIBS */

#endif /* _NET_NETMAP_USER_H_ */
