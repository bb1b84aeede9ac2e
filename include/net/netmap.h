/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net/netmap.h - the netmap API 14 binary interface.
 *
 * Everything an application and the kernel must agree on bit for bit: the
 * objects in the shared memory region (netmap_if, netmap_ring,
 * netmap_slot), the NIOCCTRL request header with every request body and
 * option, the flag and mode values and the ioctl numbers.  The layouts are
 * those of Linux x86_64 (LP64) and are checked at compile time at the end
 * of this file and, field by field, by test/unit/test_abi.c.
 *
 * The header builds in user space (C99 or later, C++) and inside the
 * kernel module (__KERNEL__).  The legacy struct nmreq interface
 * (NIOCREGIF, NIOCGINFO) lives in net/netmap_legacy.h, included at the
 * end; the user-space helpers and nm_open() live in net/netmap_user.h.
 *
 * Fields an application must only read are declared const (NM_RO).  The
 * implementation, which fills them in, defines NETMAP_IMPL_WRITABLE
 * before including this header to drop the qualifier; the layout is the
 * same either way.
 */
#ifndef _NET_NETMAP_H_
#define _NET_NETMAP_H_

#ifdef __KERNEL__
#include <linux/types.h>	/* uint32_t, ssize_t, u_char */
#include <linux/ioctl.h>	/* _IO, _IOWR */
#include <linux/if.h>		/* IFNAMSIZ */
#include <linux/stddef.h>	/* offsetof */
#include <linux/time_types.h>	/* struct __kernel_old_timeval */
#else
#include <stddef.h>		/* offsetof */
#include <stdint.h>
#include <sys/types.h>		/* ssize_t */
#include <sys/time.h>		/* struct timeval */
#include <sys/ioctl.h>		/* _IO, _IOWR */
#include <net/if.h>		/* IFNAMSIZ */
/*
 * glibc defines IFNAMSIZ only for _DEFAULT_SOURCE; in strict ISO modes
 * fall back to IF_NAMESIZE.  The body is token for token the one glibc
 * uses, so a later <net/if.h> redefines it without a warning.
 */
#ifndef IFNAMSIZ
#define IFNAMSIZ IF_NAMESIZE
#endif
#endif /* __KERNEL__ */

#ifdef NETMAP_IMPL_WRITABLE
#define NM_RO
#else
#define NM_RO const
#endif

/* ------------------------------------------------------------------ */
/* Global constants (spec 1.1)                                         */
/* ------------------------------------------------------------------ */

#define NETMAP_API		14	/* version written by the libraries */
#define NETMAP_MIN_API		14	/* lowest nr_version NIOCCTRL accepts */
#define NETMAP_MAX_API		15	/* highest nr_version NIOCCTRL accepts */

#define NM_CACHE_ALIGN		128	/* alignment of netmap_ring.sem */
#define NETMAP_REQ_IFNAMSIZ	64	/* size of nmreq_header.nr_name */
#define NETMAP_REQ_MAXSIZE	4096	/* request body plus all options */
#define NETMAP_MAX_FRAGS	64	/* slots in one multi-slot packet */

#define NM_BDG_NAME		"vale"	/* prefix of VALE port names */
/*
 * Port slots of one VALE switch.  Two indices are reserved (broadcast and
 * "no port"), so at most 252 ports can be created one by one.
 */
#define NM_BDG_MAXPORTS		254

#define NM_IFRDATA_LEN		256	/* size of nm_ifreq.data */

/* ------------------------------------------------------------------ */
/* Shared memory objects (spec 2)                                      */
/* ------------------------------------------------------------------ */

/*
 * One slot of a ring: a packet buffer (by index in the region's buffer
 * pool) and the length of the data in it.  A packet may span several
 * consecutive slots, all but the last carrying NS_MOREFRAG.
 */
struct netmap_slot {
	uint32_t buf_idx;	/* buffer index in the region */
	uint16_t len;		/* bytes in this slot (one fragment) */
	uint16_t flags;		/* NS_*; bits 8..15: see NS_RFRAGS() */
	/*
	 * NS_INDIRECT: user address of the payload.  Otherwise, on rings
	 * with offset_mask != 0, the low bits hold the data offset inside
	 * the buffer (NETMAP_ROFFSET).  Otherwise unused and preserved.
	 */
	uint64_t ptr;
};

/* Slot flags (netmap_slot.flags) */
#define NS_BUF_CHANGED	0x0001	/* buf_idx changed: set when swapping buffers */
#define NS_REPORT	0x0002	/* TX, NIC ports only: ask for a completion */
#define NS_FORWARD	0x0004	/* RX: forward on release if NR_FORWARD */
/* Documented as "do not learn the source"; VALE ignores it. */
#define NS_NO_LEARN	0x0008
#define NS_INDIRECT	0x0010	/* VALE TX: payload at user address ptr */
#define NS_MOREFRAG	0x0020	/* another slot of this packet follows */
#define NS_TXMON	0x0040	/* monitor RX: captured on a TX ring */

/*
 * Documented as a VALE destination port override; ignored on transmit.
 * On VALE receive rings the same bits hold a fragment count.
 */
#define NS_PORT_SHIFT	8
#define NS_PORT_MASK	(0xff << NS_PORT_SHIFT)

/*
 * On VALE receive rings every slot of a packet carries in bits 8..15 the
 * total number of slots of that packet (not a countdown): a 3-slot packet
 * reads 3 on all three slots.
 */
#define NS_RFRAGS(_slot)	(((_slot)->flags >> 8) & 0xff)

/*
 * A ring: a 256-byte header followed by num_slots slots, all in the
 * shared region.  The user owns the slots in [head, tail) and returns
 * them by advancing head; the kernel publishes new slots by advancing
 * tail.  One slot is always kept empty.
 */
struct netmap_ring {
	/* byte distance from this ring to buffer 0 of the region */
	NM_RO int64_t buf_ofs;
	NM_RO uint32_t num_slots;	/* not necessarily a power of 2 */
	NM_RO uint32_t nr_buf_size;	/* size of every buffer */
	/* index within its direction; host rings follow the hw rings */
	NM_RO uint16_t ringid;
	/*
	 * 1 for transmit rings, 0 for receive rings.  (Older documentation
	 * states the opposite; this is what the kernel actually stores.)
	 */
	NM_RO uint16_t dir;

	uint32_t head;		/* user: first slot owned by the user */
	uint32_t cur;		/* user: wake-up point for poll */
	uint32_t tail;		/* kernel: first slot owned by the kernel */

	uint32_t flags;		/* NR_TIMESTAMP, NR_FORWARD; user-written */

	/* time of the last receive sync (LP64: 16 bytes in both worlds) */
#ifdef __KERNEL__
	struct __kernel_old_timeval ts;
#else
	struct timeval ts;
#endif

	/* offset bits of slot.ptr; 0 unless the OFFSETS option was used */
	NM_RO uint64_t offset_mask;
	/* required alignment of TX packet starts with offsets; 0 = none */
	NM_RO uint64_t buf_align;

	/* scratch area owned by the application; the kernel never touches it */
	uint8_t sem[128] __attribute__((__aligned__(NM_CACHE_ALIGN)));

	struct netmap_slot slot[];	/* num_slots entries */
};

/* Ring flags (netmap_ring.flags) */
#define NR_TIMESTAMP	0x0002	/* update ts on every receive sync */
#define NR_FORWARD	0x0004	/* forward slots marked NS_FORWARD */

/*
 * The per-descriptor interface object.  ring_ofs holds, for every ring of
 * the port, its byte offset from this structure, or 0 when the descriptor
 * did not bind that ring.  Order: hardware TX, host TX, hardware RX,
 * host RX (use NETMAP_TXRING/NETMAP_RXRING from netmap_user.h).
 */
struct netmap_if {
	char ni_name[IFNAMSIZ];		/* port name, NUL terminated */
	NM_RO uint32_t ni_version;	/* unused, 0 */
	NM_RO uint32_t ni_flags;	/* NI_PRIV_MEM */
	NM_RO uint32_t ni_tx_rings;	/* hardware TX rings */
	NM_RO uint32_t ni_rx_rings;	/* hardware RX rings */
	uint32_t ni_bufs_head;		/* extra buffer list, 0 = empty */
	NM_RO uint32_t ni_host_tx_rings;	/* always >= 1 */
	NM_RO uint32_t ni_host_rx_rings;	/* always >= 1 */
	uint32_t ni_spare1[3];
	NM_RO ssize_t ring_ofs[];
};

#define NI_PRIV_MEM	0x1	/* the region is a private (non-global) one */

/*
 * True when the user has no slot to process: on RX nothing arrived, on
 * TX no free slot.  Note that it looks at head, not cur.
 */
static inline int nm_ring_empty(const struct netmap_ring *ring)
{
	return ring->head == ring->tail;
}

/* ------------------------------------------------------------------ */
/* NIOCCTRL requests (spec 8, 9)                                       */
/* ------------------------------------------------------------------ */

/*
 * Header of every NIOCCTRL request.  nr_body and nr_options are user
 * addresses; the kernel copies the header back in every case, with
 * nr_version untouched.
 */
struct nmreq_header {
	uint16_t nr_version;	/* NETMAP_API */
	uint16_t nr_reqtype;	/* NETMAP_REQ_*; decides the body size */
	uint32_t nr_reserved;	/* must be 0 */
	char nr_name[NETMAP_REQ_IFNAMSIZ];	/* port name */
	uint64_t nr_options;	/* first struct nmreq_option, or 0 */
	uint64_t nr_body;	/* request body, or 0 */
};

/* nmreq_header.nr_reqtype */
enum {
	NETMAP_REQ_REGISTER = 1,		/* struct nmreq_register */
	NETMAP_REQ_PORT_INFO_GET,		/* struct nmreq_port_info_get */
	NETMAP_REQ_VALE_ATTACH,			/* struct nmreq_vale_attach */
	NETMAP_REQ_VALE_DETACH,			/* struct nmreq_vale_detach */
	NETMAP_REQ_VALE_LIST,			/* struct nmreq_vale_list */
	NETMAP_REQ_PORT_HDR_SET,		/* struct nmreq_port_hdr */
	NETMAP_REQ_PORT_HDR_GET,		/* struct nmreq_port_hdr */
	NETMAP_REQ_VALE_NEWIF,			/* struct nmreq_vale_newif */
	NETMAP_REQ_VALE_DELIF,			/* no body */
	NETMAP_REQ_VALE_POLLING_ENABLE,		/* struct nmreq_vale_polling */
	NETMAP_REQ_VALE_POLLING_DISABLE,	/* struct nmreq_vale_polling */
	NETMAP_REQ_POOLS_INFO_GET,		/* struct nmreq_pools_info */
	NETMAP_REQ_SYNC_KLOOP_START,		/* struct nmreq_sync_kloop_start */
	NETMAP_REQ_SYNC_KLOOP_STOP,		/* no body */
	NETMAP_REQ_CSB_ENABLE,			/* no body, CSB option */
};

/*
 * Common header of every option.  Options form a list through nro_next;
 * the option body follows the header.
 */
struct nmreq_option {
	uint64_t nro_next;	/* next option (user address), 0 at the end */
	uint32_t nro_reqtype;	/* NETMAP_REQ_OPT_* */
	uint32_t nro_status;	/* out: 0 or an errno value */
	uint64_t nro_size;	/* total size, for variable-size options */
};

/* nmreq_option.nro_reqtype */
enum {
	NETMAP_REQ_OPT_EXTMEM = 1,		/* struct nmreq_opt_extmem */
	NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS,	/* struct nmreq_opt_sync_kloop_eventfds */
	NETMAP_REQ_OPT_CSB,			/* struct nmreq_opt_csb */
	NETMAP_REQ_OPT_SYNC_KLOOP_MODE,		/* struct nmreq_opt_sync_kloop_mode */
	NETMAP_REQ_OPT_OFFSETS,			/* struct nmreq_opt_offsets */
	NETMAP_REQ_OPT_MAX,			/* marker: known types + 1 */
};

/*
 * NETMAP_REQ_REGISTER: bind the descriptor to a port.  Counts are
 * requests on input and actual values on output.
 */
struct nmreq_register {
	uint64_t nr_offset;	/* out: region offset of the netmap_if */
	uint64_t nr_memsize;	/* out: size of the region to mmap */
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_host_tx_rings;	/* out: 0 for ports without host stack */
	uint16_t nr_host_rx_rings;
	uint16_t nr_mem_id;	/* 0 = let the kernel choose */
	uint16_t nr_ringid;	/* for NR_REG_ONE_NIC, NR_REG_ONE_SW */
	uint32_t nr_mode;	/* NR_REG_* */
	uint32_t nr_extra_bufs;	/* in: wanted, out: granted */
	uint64_t nr_flags;	/* NR_* flags below */
};

/* nmreq_register.nr_mode (also the low nibble of legacy nr_flags) */
enum {
	NR_REG_DEFAULT = 0,	/* legacy only: mode from nr_ringid */
	NR_REG_ALL_NIC = 1,	/* all hardware rings */
	NR_REG_SW = 2,		/* all host rings */
	NR_REG_NIC_SW = 3,	/* hardware and host rings */
	NR_REG_ONE_NIC = 4,	/* hardware ring nr_ringid */
	NR_REG_PIPE_MASTER = 5,	/* legacy only */
	NR_REG_PIPE_SLAVE = 6,	/* legacy only */
	NR_REG_NULL = 7,	/* null port */
	NR_REG_ONE_SW = 8,	/* host ring nr_ringid */
};

#define NR_REG_MASK		0xf	/* mode field of legacy nr_flags */

/* nmreq_register.nr_flags (64 bits; legacy nr_flags gets the low 32) */
#define NR_MONITOR_TX		0x100ULL	/* copy monitor of TX rings */
#define NR_MONITOR_RX		0x200ULL	/* copy monitor of RX rings */
#define NR_ZCOPY_MON		0x400ULL	/* zero-copy monitor */
#define NR_EXCLUSIVE		0x800ULL	/* exclusive use of the rings */
/* 0x1000 is unused: it is where a misplaced NETMAP_NO_TX_POLL lands */
#define NR_RX_RINGS_ONLY	0x2000ULL	/* bind no TX rings */
#define NR_TX_RINGS_ONLY	0x4000ULL	/* bind no RX rings */
#define NR_ACCEPT_VNET_HDR	0x8000ULL	/* frames may carry a vnet header */
/* Documented as "poll also syncs RX rings"; the kernel ignores it. */
#define NR_DO_RX_POLL		0x10000ULL
#define NR_NO_TX_POLL		0x20000ULL	/* poll syncs TX only for POLLOUT */

/* NETMAP_REQ_PORT_INFO_GET: geometry of a port, or of a region */
struct nmreq_port_info_get {
	uint64_t nr_memsize;
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_host_tx_rings;
	uint16_t nr_host_rx_rings;
	uint16_t nr_mem_id;
	/*
	 * out, a project extension in what upstream leaves as padding
	 * (always 0 there): NR_PORT_* flags saying what serves the port.
	 */
	uint16_t nr_port_flags;
	uint16_t pad[2];
};
/* A system interface served by the emulated ("generic") adapter. */
#define NR_PORT_EMULATED	0x1
/*
 * NIC ports of the user runtime (no kernel module): the Linux sockets
 * serving them.  AF_XDP: an XDP program diverts the frames of the bound
 * queues to AF_XDP sockets; XDP_NATIVE when that program runs in the
 * driver (else on socket buffers, "generic" XDP); ZEROCOPY when the
 * driver moves frames to and from the sockets' memory itself.
 * AF_PACKET: packet sockets with TPACKET_V3 rings.
 */
#define NR_PORT_AF_XDP		0x2
#define NR_PORT_AF_PACKET	0x4
#define NR_PORT_XDP_NATIVE	0x8
#define NR_PORT_ZEROCOPY	0x10

/* NETMAP_REQ_VALE_ATTACH: attach nr_name to a VALE switch */
struct nmreq_vale_attach {
	struct nmreq_register reg;
	uint32_t port_index;	/* out */
	uint32_t pad1;
};

/* NETMAP_REQ_VALE_DETACH */
struct nmreq_vale_detach {
	uint32_t port_index;	/* out */
	uint32_t pad1;
};

/* NETMAP_REQ_VALE_LIST: enumerate switch ports; the name comes back in nr_name */
struct nmreq_vale_list {
	uint16_t nr_bridge_idx;	/* in/out */
	uint16_t pad1;
	uint32_t nr_port_idx;	/* in/out */
};

/* NETMAP_REQ_PORT_HDR_SET / _GET: virtio-net header length (0, 10, 12) */
struct nmreq_port_hdr {
	uint32_t nr_hdr_len;
	uint32_t pad1;
};

/* NETMAP_REQ_VALE_NEWIF: create a persistent VALE port */
struct nmreq_vale_newif {
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_mem_id;
	uint16_t pad1;
};

/* NETMAP_REQ_VALE_POLLING_ENABLE / _DISABLE */
struct nmreq_vale_polling {
	uint32_t nr_mode;	/* NETMAP_POLLING_MODE_* */
	uint32_t nr_first_cpu_id;
	uint32_t nr_num_polling_cpus;
	uint32_t pad1;
};

#define NETMAP_POLLING_MODE_SINGLE_CPU	1
#define NETMAP_POLLING_MODE_MULTI_CPU	2

/*
 * NETMAP_REQ_POOLS_INFO_GET: the three pools of a region.  Also the input
 * of the EXTMEM option.  Offsets are from the start of the region.
 */
struct nmreq_pools_info {
	uint64_t nr_memsize;
	uint16_t nr_mem_id;
	uint16_t pad1[3];
	uint64_t nr_if_pool_offset;
	uint32_t nr_if_pool_objtotal;
	uint32_t nr_if_pool_objsize;
	uint64_t nr_ring_pool_offset;
	uint32_t nr_ring_pool_objtotal;
	uint32_t nr_ring_pool_objsize;
	uint64_t nr_buf_pool_offset;
	uint32_t nr_buf_pool_objtotal;	/* includes the 2 reserved buffers */
	uint32_t nr_buf_pool_objsize;
};

/* NETMAP_REQ_SYNC_KLOOP_START: the calling thread runs the sync loop */
struct nmreq_sync_kloop_start {
	uint32_t sleep_us;	/* <= 1000000; used without eventfds */
	uint32_t pad1;
};

/* ------------------------------------------------------------------ */
/* Options (spec 10)                                                   */
/* ------------------------------------------------------------------ */

/* NETMAP_REQ_OPT_EXTMEM: use user memory as the region */
struct nmreq_opt_extmem {
	struct nmreq_option nro_opt;
	uint64_t nro_usrptr;			/* start of the user memory */
	struct nmreq_pools_info nro_info;	/* in/out */
};

/*
 * NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS: one pair per bound ring, TX rings
 * first.  nro_opt.nro_size = 24 + 8 * number of bound rings.
 */
struct nmreq_opt_sync_kloop_eventfds {
	struct nmreq_option nro_opt;
	struct {
		int32_t ioeventfd;	/* application kicks the loop, or < 0 */
		int32_t irqfd;		/* loop notifies the application, or < 0 */
	} eventfds[];
};

/* NETMAP_REQ_OPT_SYNC_KLOOP_MODE */
struct nmreq_opt_sync_kloop_mode {
	struct nmreq_option nro_opt;
	uint32_t mode;		/* NM_OPT_SYNC_KLOOP_DIRECT_* */
};

#define NM_OPT_SYNC_KLOOP_DIRECT_TX	(1 << 0)
#define NM_OPT_SYNC_KLOOP_DIRECT_RX	(1 << 1)

/*
 * NETMAP_REQ_OPT_CSB: head/cur/tail go through these two user arrays
 * (one entry per bound ring, TX first, 64-byte aligned) instead of the
 * ring headers.
 */
struct nmreq_opt_csb {
	struct nmreq_option nro_opt;
	uint64_t csb_atok;	/* struct nm_csb_atok[] */
	uint64_t csb_ktoa;	/* struct nm_csb_ktoa[] */
};

/*
 * Application to kernel.  Aligned to 64 so that arrays declared by the
 * application already meet the kernel's alignment check.
 */
struct nm_csb_atok {
	uint32_t head;
	uint32_t cur;
	uint32_t appl_need_kick;	/* notify me through irqfd */
	uint32_t sync_flags;		/* flags for the next sync */
	uint32_t pad[12];
} __attribute__((__aligned__(64)));

/* Kernel to application */
struct nm_csb_ktoa {
	uint32_t hwcur;
	uint32_t hwtail;		/* the application's tail */
	uint32_t kern_need_kick;	/* kick me through ioeventfd */
	uint32_t pad[13];
} __attribute__((__aligned__(64)));

/* NETMAP_REQ_OPT_OFFSETS: per-slot data offsets in slot.ptr */
struct nmreq_opt_offsets {
	struct nmreq_option nro_opt;
	uint64_t nro_max_offset;	/* in/out: largest offset used */
	uint64_t nro_initial_offset;	/* written into every slot, 0 = none */
	/* low bits of slot.ptr holding the offset, 0 = 64; not written back */
	uint32_t nro_offset_bits;
	uint32_t nro_tx_align;		/* ignored: see ring->buf_align */
	uint64_t nro_min_gap;		/* 0 = buffers are not shared */
};

/* ------------------------------------------------------------------ */
/* ioctl commands (spec 5.1)                                           */
/* ------------------------------------------------------------------ */

/* NIOCCONFIG argument: passed to the configuration hook of a VALE switch */
struct nm_ifreq {
	char nifr_name[IFNAMSIZ];
	char data[NM_IFRDATA_LEN];
};

#define NIOCTXSYNC	_IO('i', 148)	/* sync the bound TX rings */
#define NIOCRXSYNC	_IO('i', 149)	/* sync the bound RX rings */
#define NIOCCONFIG	_IOWR('i', 150, struct nm_ifreq)
#define NIOCCTRL	_IOWR('i', 151, struct nmreq_header)

/* ------------------------------------------------------------------ */
/* Layout checks (LP64 only; the shared memory is not 32-bit clean)    */
/* ------------------------------------------------------------------ */

#if defined(__cplusplus) && __cplusplus >= 201103L
#define NM_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && \
	__STDC_VERSION__ >= 201112L
#define NM_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#if defined(NM_ABI_ASSERT) && defined(__LP64__)
NM_ABI_ASSERT(sizeof(struct netmap_slot) == 16, "netmap_slot");
NM_ABI_ASSERT(sizeof(struct netmap_ring) == 256, "netmap_ring");
NM_ABI_ASSERT(offsetof(struct netmap_ring, ts) == 40, "netmap_ring.ts");
NM_ABI_ASSERT(offsetof(struct netmap_ring, sem) == 128, "netmap_ring.sem");
NM_ABI_ASSERT(offsetof(struct netmap_ring, slot) == 256, "netmap_ring.slot");
NM_ABI_ASSERT(sizeof(struct netmap_if) == 56, "netmap_if");
NM_ABI_ASSERT(sizeof(struct nmreq_header) == 88, "nmreq_header");
NM_ABI_ASSERT(sizeof(struct nmreq_option) == 24, "nmreq_option");
NM_ABI_ASSERT(sizeof(struct nmreq_register) == 56, "nmreq_register");
NM_ABI_ASSERT(sizeof(struct nmreq_port_info_get) == 32, "nmreq_port_info_get");
NM_ABI_ASSERT(sizeof(struct nmreq_vale_attach) == 64, "nmreq_vale_attach");
NM_ABI_ASSERT(sizeof(struct nmreq_vale_detach) == 8, "nmreq_vale_detach");
NM_ABI_ASSERT(sizeof(struct nmreq_vale_list) == 8, "nmreq_vale_list");
NM_ABI_ASSERT(sizeof(struct nmreq_port_hdr) == 8, "nmreq_port_hdr");
NM_ABI_ASSERT(sizeof(struct nmreq_vale_newif) == 16, "nmreq_vale_newif");
NM_ABI_ASSERT(sizeof(struct nmreq_vale_polling) == 16, "nmreq_vale_polling");
NM_ABI_ASSERT(sizeof(struct nmreq_pools_info) == 64, "nmreq_pools_info");
NM_ABI_ASSERT(sizeof(struct nmreq_sync_kloop_start) == 8, "nmreq_sync_kloop_start");
NM_ABI_ASSERT(sizeof(struct nmreq_opt_extmem) == 96, "nmreq_opt_extmem");
NM_ABI_ASSERT(sizeof(struct nmreq_opt_sync_kloop_eventfds) == 24,
	      "nmreq_opt_sync_kloop_eventfds");
NM_ABI_ASSERT(sizeof(struct nmreq_opt_sync_kloop_mode) == 32,
	      "nmreq_opt_sync_kloop_mode");
NM_ABI_ASSERT(sizeof(struct nmreq_opt_csb) == 40, "nmreq_opt_csb");
NM_ABI_ASSERT(sizeof(struct nm_csb_atok) == 64, "nm_csb_atok");
NM_ABI_ASSERT(sizeof(struct nm_csb_ktoa) == 64, "nm_csb_ktoa");
NM_ABI_ASSERT(sizeof(struct nmreq_opt_offsets) == 56, "nmreq_opt_offsets");
NM_ABI_ASSERT(sizeof(struct nm_ifreq) == 272, "nm_ifreq");
#endif
#undef NM_ABI_ASSERT

/* Applications also get the legacy struct nmreq interface. */
#include "netmap_legacy.h"

#endif /* _NET_NETMAP_H_ */
