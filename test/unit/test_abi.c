/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit test of the public ABI headers (include/net/): every size, offset
 * and alignment of spec section 28, every constant the spec lists, the
 * field types applications rely on, and the behaviour of the helpers of
 * netmap_user.h on a region laid out by hand, the way the kernel lays it
 * out.  Applications compile these headers into their binaries, so a
 * wrong value here is a wrong ABI.
 */
#define NETMAP_WITH_LIBS
#include <net/netmap_user.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

/* ------------------------------------------------------------------ */
/* Layout                                                              */
/* ------------------------------------------------------------------ */

#define MEMBER(type, field)	(((struct type *)0)->field)

/* One check for the offset of a field, one for its size. */
#define FIELD(type, field, off, size)					\
	do {								\
		is_int(offsetof(struct type, field), off,		\
		       "offsetof(" #type ", " #field ") == " #off);	\
		is_int(sizeof(MEMBER(type, field)), size,		\
		       "sizeof(" #type "." #field ") == " #size);	\
	} while (0)

/* Flexible array: its offset and the size of one element. */
#define FLEX(type, field, off, elsize)					\
	do {								\
		is_int(offsetof(struct type, field), off,		\
		       "offsetof(" #type ", " #field ") == " #off);	\
		is_int(sizeof(MEMBER(type, field)[0]), elsize,		\
		       "sizeof(" #type "." #field "[0]) == " #elsize);	\
	} while (0)

#define SIZE(type, size)						\
	is_int(sizeof(struct type), size, "sizeof(struct " #type ") == " #size)

#define ALIGN(type, align)						\
	is_int(_Alignof(struct type), align,				\
	       "_Alignof(struct " #type ") == " #align)

/* Signedness of a field: -1 converted to its type stays below 1. */
#define SIGNED(type, field, want)					\
	ok(((__typeof__(MEMBER(type, field)))-1 > 0) != (want),		\
	   #type "." #field " is %s", (want) ? "signed" : "unsigned")

/* The field is const for applications (spec: "const" C type). */
#define IS_CONST(type, field, base, want)				\
	ok(_Generic(&MEMBER(type, field),				\
		    const base *: 1, base *: 0, default: -1) == (want),	\
	   #type "." #field " is %s" #base, (want) ? "const " : "")

static void test_netmap_slot(void)
{
	SIZE(netmap_slot, 16);
	ALIGN(netmap_slot, 8);
	FIELD(netmap_slot, buf_idx, 0, 4);
	FIELD(netmap_slot, len, 4, 2);
	FIELD(netmap_slot, flags, 6, 2);
	FIELD(netmap_slot, ptr, 8, 8);
	SIGNED(netmap_slot, buf_idx, 0);
	SIGNED(netmap_slot, len, 0);
	SIGNED(netmap_slot, flags, 0);
	SIGNED(netmap_slot, ptr, 0);
}

static void test_netmap_ring(void)
{
	SIZE(netmap_ring, 256);
	ALIGN(netmap_ring, 128);
	FIELD(netmap_ring, buf_ofs, 0, 8);
	FIELD(netmap_ring, num_slots, 8, 4);
	FIELD(netmap_ring, nr_buf_size, 12, 4);
	FIELD(netmap_ring, ringid, 16, 2);
	FIELD(netmap_ring, dir, 18, 2);
	FIELD(netmap_ring, head, 20, 4);
	FIELD(netmap_ring, cur, 24, 4);
	FIELD(netmap_ring, tail, 28, 4);
	FIELD(netmap_ring, flags, 32, 4);
	FIELD(netmap_ring, ts, 40, 16);
	FIELD(netmap_ring, ts.tv_sec, 40, 8);
	FIELD(netmap_ring, ts.tv_usec, 48, 8);
	FIELD(netmap_ring, offset_mask, 56, 8);
	FIELD(netmap_ring, buf_align, 64, 8);
	FIELD(netmap_ring, sem, 128, 128);
	FLEX(netmap_ring, slot, 256, 16);

	SIGNED(netmap_ring, buf_ofs, 1);
	SIGNED(netmap_ring, num_slots, 0);
	SIGNED(netmap_ring, head, 0);
	SIGNED(netmap_ring, cur, 0);
	SIGNED(netmap_ring, tail, 0);
	SIGNED(netmap_ring, offset_mask, 0);

	IS_CONST(netmap_ring, buf_ofs, int64_t, 1);
	IS_CONST(netmap_ring, num_slots, uint32_t, 1);
	IS_CONST(netmap_ring, nr_buf_size, uint32_t, 1);
	IS_CONST(netmap_ring, ringid, uint16_t, 1);
	IS_CONST(netmap_ring, dir, uint16_t, 1);
	IS_CONST(netmap_ring, head, uint32_t, 0);
	IS_CONST(netmap_ring, cur, uint32_t, 0);
	IS_CONST(netmap_ring, tail, uint32_t, 0);
	IS_CONST(netmap_ring, flags, uint32_t, 0);
	IS_CONST(netmap_ring, offset_mask, uint64_t, 1);
	IS_CONST(netmap_ring, buf_align, uint64_t, 1);
}

static void test_netmap_if(void)
{
	SIZE(netmap_if, 56);
	FIELD(netmap_if, ni_name, 0, 16);
	FIELD(netmap_if, ni_version, 16, 4);
	FIELD(netmap_if, ni_flags, 20, 4);
	FIELD(netmap_if, ni_tx_rings, 24, 4);
	FIELD(netmap_if, ni_rx_rings, 28, 4);
	FIELD(netmap_if, ni_bufs_head, 32, 4);
	FIELD(netmap_if, ni_host_tx_rings, 36, 4);
	FIELD(netmap_if, ni_host_rx_rings, 40, 4);
	FIELD(netmap_if, ni_spare1, 44, 12);
	FLEX(netmap_if, ring_ofs, 56, 8);
	SIGNED(netmap_if, ring_ofs[0], 1);

	IS_CONST(netmap_if, ni_version, uint32_t, 1);
	IS_CONST(netmap_if, ni_flags, uint32_t, 1);
	IS_CONST(netmap_if, ni_tx_rings, uint32_t, 1);
	IS_CONST(netmap_if, ni_rx_rings, uint32_t, 1);
	IS_CONST(netmap_if, ni_bufs_head, uint32_t, 0);
	IS_CONST(netmap_if, ni_host_tx_rings, uint32_t, 1);
	IS_CONST(netmap_if, ni_host_rx_rings, uint32_t, 1);
	IS_CONST(netmap_if, ring_ofs[0], ssize_t, 1);
}

static void test_requests(void)
{
	SIZE(nmreq_header, 88);
	ALIGN(nmreq_header, 8);
	FIELD(nmreq_header, nr_version, 0, 2);
	FIELD(nmreq_header, nr_reqtype, 2, 2);
	FIELD(nmreq_header, nr_reserved, 4, 4);
	FIELD(nmreq_header, nr_name, 8, 64);
	FIELD(nmreq_header, nr_options, 72, 8);
	FIELD(nmreq_header, nr_body, 80, 8);

	SIZE(nmreq_option, 24);
	FIELD(nmreq_option, nro_next, 0, 8);
	FIELD(nmreq_option, nro_reqtype, 8, 4);
	FIELD(nmreq_option, nro_status, 12, 4);
	FIELD(nmreq_option, nro_size, 16, 8);

	SIZE(nmreq_register, 56);
	ALIGN(nmreq_register, 8);
	FIELD(nmreq_register, nr_offset, 0, 8);
	FIELD(nmreq_register, nr_memsize, 8, 8);
	FIELD(nmreq_register, nr_tx_slots, 16, 4);
	FIELD(nmreq_register, nr_rx_slots, 20, 4);
	FIELD(nmreq_register, nr_tx_rings, 24, 2);
	FIELD(nmreq_register, nr_rx_rings, 26, 2);
	FIELD(nmreq_register, nr_host_tx_rings, 28, 2);
	FIELD(nmreq_register, nr_host_rx_rings, 30, 2);
	FIELD(nmreq_register, nr_mem_id, 32, 2);
	FIELD(nmreq_register, nr_ringid, 34, 2);
	FIELD(nmreq_register, nr_mode, 36, 4);
	FIELD(nmreq_register, nr_extra_bufs, 40, 4);
	FIELD(nmreq_register, nr_flags, 48, 8);

	SIZE(nmreq_port_info_get, 32);
	FIELD(nmreq_port_info_get, nr_memsize, 0, 8);
	FIELD(nmreq_port_info_get, nr_tx_slots, 8, 4);
	FIELD(nmreq_port_info_get, nr_rx_slots, 12, 4);
	FIELD(nmreq_port_info_get, nr_tx_rings, 16, 2);
	FIELD(nmreq_port_info_get, nr_rx_rings, 18, 2);
	FIELD(nmreq_port_info_get, nr_host_tx_rings, 20, 2);
	FIELD(nmreq_port_info_get, nr_host_rx_rings, 22, 2);
	FIELD(nmreq_port_info_get, nr_mem_id, 24, 2);
	FIELD(nmreq_port_info_get, nr_port_flags, 26, 2);
	FIELD(nmreq_port_info_get, pad, 28, 4);

	SIZE(nmreq_vale_attach, 64);
	FIELD(nmreq_vale_attach, reg, 0, 56);
	FIELD(nmreq_vale_attach, port_index, 56, 4);
	FIELD(nmreq_vale_attach, pad1, 60, 4);

	SIZE(nmreq_vale_detach, 8);
	FIELD(nmreq_vale_detach, port_index, 0, 4);
	FIELD(nmreq_vale_detach, pad1, 4, 4);

	SIZE(nmreq_vale_list, 8);
	FIELD(nmreq_vale_list, nr_bridge_idx, 0, 2);
	FIELD(nmreq_vale_list, pad1, 2, 2);
	FIELD(nmreq_vale_list, nr_port_idx, 4, 4);

	SIZE(nmreq_port_hdr, 8);
	FIELD(nmreq_port_hdr, nr_hdr_len, 0, 4);
	FIELD(nmreq_port_hdr, pad1, 4, 4);

	SIZE(nmreq_vale_newif, 16);
	FIELD(nmreq_vale_newif, nr_tx_slots, 0, 4);
	FIELD(nmreq_vale_newif, nr_rx_slots, 4, 4);
	FIELD(nmreq_vale_newif, nr_tx_rings, 8, 2);
	FIELD(nmreq_vale_newif, nr_rx_rings, 10, 2);
	FIELD(nmreq_vale_newif, nr_mem_id, 12, 2);
	FIELD(nmreq_vale_newif, pad1, 14, 2);

	SIZE(nmreq_vale_polling, 16);
	FIELD(nmreq_vale_polling, nr_mode, 0, 4);
	FIELD(nmreq_vale_polling, nr_first_cpu_id, 4, 4);
	FIELD(nmreq_vale_polling, nr_num_polling_cpus, 8, 4);
	FIELD(nmreq_vale_polling, pad1, 12, 4);

	SIZE(nmreq_pools_info, 64);
	FIELD(nmreq_pools_info, nr_memsize, 0, 8);
	FIELD(nmreq_pools_info, nr_mem_id, 8, 2);
	FIELD(nmreq_pools_info, pad1, 10, 6);
	FIELD(nmreq_pools_info, nr_if_pool_offset, 16, 8);
	FIELD(nmreq_pools_info, nr_if_pool_objtotal, 24, 4);
	FIELD(nmreq_pools_info, nr_if_pool_objsize, 28, 4);
	FIELD(nmreq_pools_info, nr_ring_pool_offset, 32, 8);
	FIELD(nmreq_pools_info, nr_ring_pool_objtotal, 40, 4);
	FIELD(nmreq_pools_info, nr_ring_pool_objsize, 44, 4);
	FIELD(nmreq_pools_info, nr_buf_pool_offset, 48, 8);
	FIELD(nmreq_pools_info, nr_buf_pool_objtotal, 56, 4);
	FIELD(nmreq_pools_info, nr_buf_pool_objsize, 60, 4);

	SIZE(nmreq_sync_kloop_start, 8);
	FIELD(nmreq_sync_kloop_start, sleep_us, 0, 4);
	FIELD(nmreq_sync_kloop_start, pad1, 4, 4);
}

static void test_options(void)
{
	SIZE(nm_csb_atok, 64);
	FIELD(nm_csb_atok, head, 0, 4);
	FIELD(nm_csb_atok, cur, 4, 4);
	FIELD(nm_csb_atok, appl_need_kick, 8, 4);
	FIELD(nm_csb_atok, sync_flags, 12, 4);
	FIELD(nm_csb_atok, pad, 16, 48);

	SIZE(nm_csb_ktoa, 64);
	FIELD(nm_csb_ktoa, hwcur, 0, 4);
	FIELD(nm_csb_ktoa, hwtail, 4, 4);
	FIELD(nm_csb_ktoa, kern_need_kick, 8, 4);
	FIELD(nm_csb_ktoa, pad, 12, 52);

	SIZE(nmreq_opt_extmem, 96);
	FIELD(nmreq_opt_extmem, nro_opt, 0, 24);
	FIELD(nmreq_opt_extmem, nro_usrptr, 24, 8);
	FIELD(nmreq_opt_extmem, nro_info, 32, 64);

	/* 24 + 8n: the header, then one {ioeventfd, irqfd} pair per ring */
	SIZE(nmreq_opt_sync_kloop_eventfds, 24);
	FIELD(nmreq_opt_sync_kloop_eventfds, nro_opt, 0, 24);
	FLEX(nmreq_opt_sync_kloop_eventfds, eventfds, 24, 8);
	FIELD(nmreq_opt_sync_kloop_eventfds, eventfds[0].ioeventfd, 24, 4);
	FIELD(nmreq_opt_sync_kloop_eventfds, eventfds[0].irqfd, 28, 4);
	FIELD(nmreq_opt_sync_kloop_eventfds, eventfds[1].ioeventfd, 32, 4);
	FIELD(nmreq_opt_sync_kloop_eventfds, eventfds[1].irqfd, 36, 4);
	SIGNED(nmreq_opt_sync_kloop_eventfds, eventfds[0].ioeventfd, 1);
	SIGNED(nmreq_opt_sync_kloop_eventfds, eventfds[0].irqfd, 1);

	SIZE(nmreq_opt_sync_kloop_mode, 32);
	FIELD(nmreq_opt_sync_kloop_mode, nro_opt, 0, 24);
	FIELD(nmreq_opt_sync_kloop_mode, mode, 24, 4);

	SIZE(nmreq_opt_csb, 40);
	FIELD(nmreq_opt_csb, nro_opt, 0, 24);
	FIELD(nmreq_opt_csb, csb_atok, 24, 8);
	FIELD(nmreq_opt_csb, csb_ktoa, 32, 8);

	SIZE(nmreq_opt_offsets, 56);
	FIELD(nmreq_opt_offsets, nro_opt, 0, 24);
	FIELD(nmreq_opt_offsets, nro_max_offset, 24, 8);
	FIELD(nmreq_opt_offsets, nro_initial_offset, 32, 8);
	FIELD(nmreq_opt_offsets, nro_offset_bits, 40, 4);
	FIELD(nmreq_opt_offsets, nro_tx_align, 44, 4);
	FIELD(nmreq_opt_offsets, nro_min_gap, 48, 8);
}

static void test_legacy_layout(void)
{
	SIZE(nmreq, 60);
	ALIGN(nmreq, 4);
	FIELD(nmreq, nr_name, 0, 16);
	FIELD(nmreq, nr_version, 16, 4);
	FIELD(nmreq, nr_offset, 20, 4);
	FIELD(nmreq, nr_memsize, 24, 4);
	FIELD(nmreq, nr_tx_slots, 28, 4);
	FIELD(nmreq, nr_rx_slots, 32, 4);
	FIELD(nmreq, nr_tx_rings, 36, 2);
	FIELD(nmreq, nr_rx_rings, 38, 2);
	FIELD(nmreq, nr_ringid, 40, 2);
	FIELD(nmreq, nr_cmd, 42, 2);
	FIELD(nmreq, nr_arg1, 44, 2);
	FIELD(nmreq, nr_arg2, 46, 2);
	FIELD(nmreq, nr_arg3, 48, 4);
	FIELD(nmreq, nr_flags, 52, 4);
	FIELD(nmreq, spare2, 56, 4);

	SIZE(nm_ifreq, 272);
	FIELD(nm_ifreq, nifr_name, 0, 16);
	FIELD(nm_ifreq, data, 16, 256);
}

/* ------------------------------------------------------------------ */
/* Constants                                                           */
/* ------------------------------------------------------------------ */

#define CONST(name, want)	is_int(name, want, #name " == " #want)

static void test_constants(void)
{
	/* 1.1 */
	CONST(NETMAP_API, 14);
	CONST(NETMAP_MIN_API, 14);
	CONST(NETMAP_MAX_API, 15);
	CONST(NM_CACHE_ALIGN, 128);
	CONST(IFNAMSIZ, 16);
	CONST(NETMAP_REQ_IFNAMSIZ, 64);
	CONST(NETMAP_REQ_MAXSIZE, 4096);
	CONST(NETMAP_MAX_FRAGS, 64);
	is_str(NM_BDG_NAME, "vale", "NM_BDG_NAME == \"vale\"");
	CONST(NM_BDG_MAXPORTS, 254);
	CONST(NI_PRIV_MEM, 0x1);
	CONST(NM_IFRDATA_LEN, 256);
	CONST(NETMAP_RING_MASK, 0x0fff);
	CONST(NR_REG_MASK, 0xf);
	is_str(NETMAP_DEVICE_NAME, "/dev/netmap",
	       "NETMAP_DEVICE_NAME == \"/dev/netmap\"");

	/* 7.1 slot flags */
	CONST(NS_BUF_CHANGED, 0x0001);
	CONST(NS_REPORT, 0x0002);
	CONST(NS_FORWARD, 0x0004);
	CONST(NS_NO_LEARN, 0x0008);
	CONST(NS_INDIRECT, 0x0010);
	CONST(NS_MOREFRAG, 0x0020);
	CONST(NS_TXMON, 0x0040);
	CONST(NS_PORT_SHIFT, 8);
	CONST(NS_PORT_MASK, 0xff00);

	/* 7.2 ring flags */
	CONST(NR_TIMESTAMP, 0x0002);
	CONST(NR_FORWARD, 0x0004);

	/* 8.2 request types */
	CONST(NETMAP_REQ_REGISTER, 1);
	CONST(NETMAP_REQ_PORT_INFO_GET, 2);
	CONST(NETMAP_REQ_VALE_ATTACH, 3);
	CONST(NETMAP_REQ_VALE_DETACH, 4);
	CONST(NETMAP_REQ_VALE_LIST, 5);
	CONST(NETMAP_REQ_PORT_HDR_SET, 6);
	CONST(NETMAP_REQ_PORT_HDR_GET, 7);
	CONST(NETMAP_REQ_VALE_NEWIF, 8);
	CONST(NETMAP_REQ_VALE_DELIF, 9);
	CONST(NETMAP_REQ_VALE_POLLING_ENABLE, 10);
	CONST(NETMAP_REQ_VALE_POLLING_DISABLE, 11);
	CONST(NETMAP_REQ_POOLS_INFO_GET, 12);
	CONST(NETMAP_REQ_SYNC_KLOOP_START, 13);
	CONST(NETMAP_REQ_SYNC_KLOOP_STOP, 14);
	CONST(NETMAP_REQ_CSB_ENABLE, 15);

	/* 10.2 option types, 10.6 kloop modes */
	CONST(NETMAP_REQ_OPT_EXTMEM, 1);
	CONST(NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS, 2);
	CONST(NETMAP_REQ_OPT_CSB, 3);
	CONST(NETMAP_REQ_OPT_SYNC_KLOOP_MODE, 4);
	CONST(NETMAP_REQ_OPT_OFFSETS, 5);
	CONST(NETMAP_REQ_OPT_MAX, 6);
	CONST(NM_OPT_SYNC_KLOOP_DIRECT_TX, 1);
	CONST(NM_OPT_SYNC_KLOOP_DIRECT_RX, 2);

	/* 11.1 modes */
	CONST(NR_REG_DEFAULT, 0);
	CONST(NR_REG_ALL_NIC, 1);
	CONST(NR_REG_SW, 2);
	CONST(NR_REG_NIC_SW, 3);
	CONST(NR_REG_ONE_NIC, 4);
	CONST(NR_REG_PIPE_MASTER, 5);
	CONST(NR_REG_PIPE_SLAVE, 6);
	CONST(NR_REG_NULL, 7);
	CONST(NR_REG_ONE_SW, 8);

	/* 11.2 registration flags: unsigned 64-bit constants */
	CONST(NR_MONITOR_TX, 0x100);
	CONST(NR_MONITOR_RX, 0x200);
	CONST(NR_ZCOPY_MON, 0x400);
	CONST(NR_EXCLUSIVE, 0x800);
	CONST(NR_RX_RINGS_ONLY, 0x2000);
	CONST(NR_TX_RINGS_ONLY, 0x4000);
	CONST(NR_ACCEPT_VNET_HDR, 0x8000);
	CONST(NR_DO_RX_POLL, 0x10000);
	CONST(NR_NO_TX_POLL, 0x20000);
	is_int(sizeof(NR_MONITOR_TX), 8, "NR_* flags are 64 bits wide");
	ok(NR_NO_TX_POLL - NR_NO_TX_POLL - 1 > 0, "NR_* flags are unsigned");
	ok(((NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON | NR_EXCLUSIVE |
	     NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY | NR_ACCEPT_VNET_HDR |
	     NR_DO_RX_POLL | NR_NO_TX_POLL) & (NR_REG_MASK | 0x1000)) == 0,
	   "NR_* flags stay clear of the mode nibble and of bit 0x1000");

	/* 9.9 polling modes */
	CONST(NETMAP_POLLING_MODE_SINGLE_CPU, 1);
	CONST(NETMAP_POLLING_MODE_MULTI_CPU, 2);

	/* 13.2 nr_ringid bits */
	CONST(NETMAP_NO_TX_POLL, 0x1000);
	CONST(NETMAP_SW_RING, 0x2000);
	CONST(NETMAP_HW_RING, 0x4000);
	CONST(NETMAP_DO_RX_POLL, 0x8000);

	/* 13.4 nr_cmd values */
	CONST(NETMAP_BDG_ATTACH, 1);
	CONST(NETMAP_BDG_DETACH, 2);
	CONST(NETMAP_BDG_REGOPS, 3);
	CONST(NETMAP_BDG_LIST, 4);
	CONST(NETMAP_BDG_VNET_HDR, 5);
	CONST(NETMAP_BDG_NEWIF, 6);
	CONST(NETMAP_BDG_DELIF, 7);
	CONST(NETMAP_PT_HOST_CREATE, 8);
	CONST(NETMAP_PT_HOST_DELETE, 9);
	CONST(NETMAP_BDG_POLLING_ON, 10);
	CONST(NETMAP_BDG_POLLING_OFF, 11);
	CONST(NETMAP_VNET_HDR_GET, 12);
	CONST(NETMAP_BDG_HOST, 1);

	/* 5.1 ioctl numbers */
	CONST((unsigned long)NIOCGINFO, 0xc03c6991UL);
	CONST((unsigned long)NIOCREGIF, 0xc03c6992UL);
	CONST((unsigned long)NIOCTXSYNC, 0x6994UL);
	CONST((unsigned long)NIOCRXSYNC, 0x6995UL);
	CONST((unsigned long)NIOCCONFIG, 0xc1106996UL);
	CONST((unsigned long)NIOCCTRL, 0xc0586997UL);

	/* 14.4 nm_open() */
	CONST(NM_OPEN_NO_MMAP, 0x040000);
	CONST(NM_OPEN_IFNAME, 0x080000);
	CONST(NM_OPEN_ARG1, 0x100000);
	CONST(NM_OPEN_ARG2, 0x200000);
	CONST(NM_OPEN_ARG3, 0x400000);
	CONST(NM_OPEN_RING_CFG, 0x800000);
	ok(((NM_OPEN_NO_MMAP | NM_OPEN_IFNAME | NM_OPEN_ARG1 | NM_OPEN_ARG2 |
	     NM_OPEN_ARG3 | NM_OPEN_RING_CFG) &
	    (NETMAP_NO_TX_POLL | NETMAP_DO_RX_POLL | NETMAP_RING_MASK)) == 0,
	   "NM_OPEN_* flags do not overlap the nr_ringid bits");
	CONST(NM_MORE_PKTS, 1);
	CONST(NM_ERRBUF_SIZE, 512);
}

/* ------------------------------------------------------------------ */
/* Legacy library declarations (netmap_user.h with NETMAP_WITH_LIBS)   */
/* ------------------------------------------------------------------ */

static int cb_calls;

static void count_cb(unsigned char *arg, const struct nm_pkthdr *h,
		     const unsigned char *buf)
{
	(void)arg;
	(void)h;
	(void)buf;
	cb_calls++;
}

/*
 * The prototypes must match upstream's exactly, or programs that take
 * their address (or wrap them) stop compiling.  _Generic does not
 * evaluate its operand, so nothing here needs libnetmap at link time.
 */
#define PROTO(fn, type)							\
	ok(_Generic(&fn, type: 1, default: 0), #fn " has type " #type)

static void test_libs(void)
{
	struct nm_desc d, bad;
	void *pd = &d, *pbad = &bad, *pnull = NULL;
	struct nm_pkthdr h;
	nm_cb_t cb = count_cb;

	PROTO(nm_open, struct nm_desc *(*)(const char *, const struct nmreq *,
					   uint64_t, const struct nm_desc *));
	PROTO(nm_close, int (*)(struct nm_desc *));
	PROTO(nm_mmap, int (*)(struct nm_desc *, const struct nm_desc *));
	PROTO(nm_inject, int (*)(struct nm_desc *, const void *, size_t));
	PROTO(nm_dispatch, int (*)(struct nm_desc *, int, nm_cb_t,
				   u_char *));
	PROTO(nm_nextpkt, u_char *(*)(struct nm_desc *, struct nm_pkthdr *));
	ok(_Generic(cb, void (*)(u_char *, const struct nm_pkthdr *,
				 const u_char *): 1, default: 0),
	   "nm_cb_t is void (*)(u_char *, const struct nm_pkthdr *, const u_char *)");
	cb(NULL, &h, NULL);
	is_int(cb_calls, 1, "an nm_cb_t callback can be called");

	is_int(sizeof(h.ts), 16, "nm_pkthdr.ts is a struct timeval");
	is_int(sizeof(h.caplen), 4, "nm_pkthdr.caplen is 32 bits");
	is_int(sizeof(h.len), 4, "nm_pkthdr.len is 32 bits");
	is_int(sizeof(h.flags), 8, "nm_pkthdr.flags is 64 bits");
	ok(_Generic(h.d, struct nm_desc *: 1, default: 0),
	   "nm_pkthdr.d is a struct nm_desc *");
	ok(_Generic(h.slot, struct netmap_slot *: 1, default: 0),
	   "nm_pkthdr.slot is a struct netmap_slot *");
	ok(_Generic(h.buf, uint8_t *: 1, default: 0),
	   "nm_pkthdr.buf is a uint8_t *");

	is_int(sizeof(d.first_tx_ring), 2, "nm_desc ring indices are 16 bits");
	is_int(sizeof(d.cur_rx_ring), 2, "nm_desc.cur_rx_ring is 16 bits");
	is_int(sizeof(d.req), 60, "nm_desc.req is a struct nmreq");
	is_int(sizeof(d.hdr), sizeof(struct nm_pkthdr),
	       "nm_desc.hdr is a struct nm_pkthdr");
	is_int(sizeof(d.st.ps_recv) + sizeof(d.st.ps_drop) +
	       sizeof(d.st.ps_ifdrop), 3 * sizeof(unsigned int),
	       "nm_stat holds three unsigned ints");
	is_int(sizeof(d.msg), NM_ERRBUF_SIZE, "nm_desc.msg has NM_ERRBUF_SIZE bytes");
	ok(_Generic(d.nifp, struct netmap_if *: 1, default: 0),
	   "nm_desc.nifp is a struct netmap_if *");

	memset(&d, 0, sizeof(d));
	memset(&bad, 0, sizeof(bad));
	d.self = &d;
	d.fd = 42;
	bad.self = &d;
	ok(P2NMD(pd) == &d, "P2NMD casts back to the descriptor");
	ok(IS_NETMAP_DESC(pd), "IS_NETMAP_DESC: self points to itself");
	ok(!IS_NETMAP_DESC(pnull), "IS_NETMAP_DESC(NULL) is false");
	ok(!IS_NETMAP_DESC(pbad), "IS_NETMAP_DESC: foreign self is false");
	is_int(NETMAP_FD(pd), 42, "NETMAP_FD reads fd");
}

/* ------------------------------------------------------------------ */
/* Helpers on a hand-built region                                      */
/* ------------------------------------------------------------------ */

/*
 * The fake port: 2 hardware TX rings, 1 host TX ring, 3 hardware RX rings,
 * 2 host RX rings (all counts different, so a helper that mixes them up
 * lands on the wrong ring).  Rings sit in the ring pool in a shuffled
 * order, so only ring_ofs can find them.
 */
#define F_TX		2
#define F_HTX		1
#define F_RX		3
#define F_HRX		2
#define F_NRINGS	(F_TX + F_HTX + F_RX + F_HRX)
#define F_TX_SLOTS	8
#define F_RX_SLOTS	6	/* not a power of 2 */
#define F_IF_OFS	256
#define F_RING_POOL	1024
#define F_RING_SIZE	384	/* 256 + 8 * 16: a multiple of 128 */
#define F_BUF_POOL	(F_RING_POOL + F_NRINGS * F_RING_SIZE)
#define F_BUF_SIZE	2048
#define F_NBUFS		16
#define F_REGION_SIZE	(F_BUF_POOL + F_NBUFS * F_BUF_SIZE)

static unsigned char region[F_REGION_SIZE] __attribute__((aligned(4096)));

/* The header fields are const for applications: the "kernel" casts. */
static void set_u16(const uint16_t *p, uint16_t v)
{
	*(uint16_t *)(uintptr_t)p = v;
}

static void set_u32(const uint32_t *p, uint32_t v)
{
	*(uint32_t *)(uintptr_t)p = v;
}

static void set_s64(const int64_t *p, int64_t v)
{
	*(int64_t *)(uintptr_t)p = v;
}

static void set_u64(const uint64_t *p, uint64_t v)
{
	*(uint64_t *)(uintptr_t)p = v;
}

static void set_ssize(const ssize_t *p, ssize_t v)
{
	*(ssize_t *)(uintptr_t)p = v;
}

/* Ring entry k of ring_ofs lives at this position of the ring pool. */
static unsigned char *fake_ring_addr(int k)
{
	return region + F_RING_POOL + ((k * 3) % F_NRINGS) * F_RING_SIZE;
}

static struct netmap_if *build_region(void)
{
	struct netmap_if *nifp = (struct netmap_if *)(void *)(region + F_IF_OFS);
	int k;

	memset(region, 0, sizeof(region));
	strcpy(nifp->ni_name, "fake0");
	set_u32(&nifp->ni_tx_rings, F_TX);
	set_u32(&nifp->ni_rx_rings, F_RX);
	set_u32(&nifp->ni_host_tx_rings, F_HTX);
	set_u32(&nifp->ni_host_rx_rings, F_HRX);
	for (k = 0; k < F_NRINGS; k++) {
		unsigned char *addr = fake_ring_addr(k);
		struct netmap_ring *ring = (struct netmap_ring *)(void *)addr;
		int tx = k < F_TX + F_HTX;
		uint32_t n = tx ? F_TX_SLOTS : F_RX_SLOTS;
		uint32_t i;

		set_ssize(&nifp->ring_ofs[k], addr - (unsigned char *)nifp);
		set_s64(&ring->buf_ofs, F_BUF_POOL - (addr - region));
		set_u32(&ring->num_slots, n);
		set_u32(&ring->nr_buf_size, F_BUF_SIZE);
		set_u16(&ring->ringid, tx ? k : k - (F_TX + F_HTX));
		set_u16(&ring->dir, tx ? 1 : 0);	/* 1 = TX, 0 = RX */
		ring->head = ring->cur = 0;
		ring->tail = tx ? n - 1 : 0;
		for (i = 0; i < n; i++) {
			ring->slot[i].buf_idx = 2 + (k * F_TX_SLOTS + i) % (F_NBUFS - 2);
			ring->slot[i].len = F_BUF_SIZE;
		}
	}
	return nifp;
}

static void test_ring_lookup(struct netmap_if *nifp)
{
	int i;

	ok(NETMAP_IF(region, F_IF_OFS) == nifp,
	   "NETMAP_IF(base, ofs) is base + ofs");
	for (i = 0; i < F_TX + F_HTX; i++) {
		struct netmap_ring *ring = NETMAP_TXRING(nifp, i);

		ok((unsigned char *)ring == fake_ring_addr(i),
		   "NETMAP_TXRING(nifp, %d) finds ring_ofs[%d]%s", i, i,
		   i >= F_TX ? " (host ring)" : "");
		is_int(ring->dir, 1, "TX ring %d has dir 1", i);
		is_int(ring->ringid, i, "TX ring %d has ringid %d", i, i);
	}
	for (i = 0; i < F_RX + F_HRX; i++) {
		struct netmap_ring *ring = NETMAP_RXRING(nifp, i);
		int k = i + F_TX + F_HTX;

		ok((unsigned char *)ring == fake_ring_addr(k),
		   "NETMAP_RXRING(nifp, %d) finds ring_ofs[%d]%s", i, k,
		   i >= F_RX ? " (host ring)" : "");
		is_int(ring->dir, 0, "RX ring %d has dir 0", i);
		is_int(ring->ringid, i, "RX ring %d has ringid %d", i, i);
	}
	ok(NETMAP_TXRING(nifp, nifp->ni_tx_rings) == NETMAP_TXRING(nifp, F_TX),
	   "host TX ring 0 is NETMAP_TXRING(nifp, ni_tx_rings)");
	ok(NETMAP_RXRING(nifp, nifp->ni_rx_rings + 1) ==
	   (struct netmap_ring *)(void *)fake_ring_addr(F_NRINGS - 1),
	   "host RX ring 1 is NETMAP_RXRING(nifp, ni_rx_rings + 1)");
}

static void test_buffers(struct netmap_if *nifp)
{
	struct netmap_ring *tx0 = NETMAP_TXRING(nifp, 0);
	struct netmap_ring *htx = NETMAP_TXRING(nifp, F_TX);
	struct netmap_ring *rx2 = NETMAP_RXRING(nifp, 2);
	struct netmap_ring *hrx1 = NETMAP_RXRING(nifp, F_RX + 1);
	struct netmap_slot *slot;
	char *buf;

	ok((unsigned char *)NETMAP_BUF(tx0, 0) == region + F_BUF_POOL,
	   "NETMAP_BUF(ring, 0) is the start of the buffer pool");
	ok((unsigned char *)NETMAP_BUF(tx0, 5) == region + F_BUF_POOL + 5 * F_BUF_SIZE,
	   "NETMAP_BUF(ring, 5) is pool + 5 * nr_buf_size");
	ok(NETMAP_BUF(hrx1, 5) == NETMAP_BUF(tx0, 5),
	   "every ring reaches the same buffer through its own buf_ofs");
	ok((unsigned char *)NETMAP_BUF(htx, F_NBUFS - 1) ==
	   region + F_REGION_SIZE - F_BUF_SIZE,
	   "NETMAP_BUF of the last buffer ends at the end of the region");
	is_int(NETMAP_BUF_IDX(rx2, NETMAP_BUF(tx0, 13)), 13,
	       "NETMAP_BUF_IDX inverts NETMAP_BUF across rings");
	is_int(NETMAP_BUF_IDX(tx0, NETMAP_BUF(tx0, 0)), 0,
	       "NETMAP_BUF_IDX of buffer 0 is 0");
	is_int(NETMAP_BUF_IDX(hrx1, NETMAP_BUF(tx0, 7) + 100), 7,
	       "NETMAP_BUF_IDX of an address inside buffer 7 is 7");

	memcpy(NETMAP_BUF(tx0, tx0->slot[0].buf_idx), "hello", 6);
	is_str((char *)region + F_BUF_POOL + tx0->slot[0].buf_idx * F_BUF_SIZE,
	       "hello", "data written through NETMAP_BUF lands in the pool");

	/* offsets: rx2 uses the low 12 bits of ptr, tx0 has no offsets */
	set_u64(&rx2->offset_mask, 0xfff);
	slot = &rx2->slot[1];
	slot->ptr = 0xabcd000ULL | 0x123;
	is_int(NETMAP_ROFFSET(rx2, slot), 0x123,
	       "NETMAP_ROFFSET is ptr & offset_mask");
	NETMAP_WOFFSET(rx2, slot, 0x40);
	is_int(slot->ptr, 0xabcd040ULL,
	       "NETMAP_WOFFSET replaces the masked bits, keeps the others");
	is_int(NETMAP_WOFFSET(rx2, slot, 0x1041), 0xabcd041ULL,
	       "NETMAP_WOFFSET masks the offset and yields the new ptr");
	is_int(NETMAP_ROFFSET(rx2, slot), 0x41, "NETMAP_ROFFSET reads it back");
	buf = NETMAP_BUF_OFFSET(rx2, slot);
	ok(buf == NETMAP_BUF(rx2, slot->buf_idx) + 0x41,
	   "NETMAP_BUF_OFFSET is NETMAP_BUF(buf_idx) + offset");

	slot = &tx0->slot[2];
	slot->ptr = 0x5555;
	is_int(NETMAP_ROFFSET(tx0, slot), 0,
	       "NETMAP_ROFFSET is 0 when offset_mask is 0");
	NETMAP_WOFFSET(tx0, slot, 0x77);
	is_int(slot->ptr, 0x5555, "NETMAP_WOFFSET leaves ptr alone without a mask");
	ok(NETMAP_BUF_OFFSET(tx0, slot) == NETMAP_BUF(tx0, slot->buf_idx),
	   "NETMAP_BUF_OFFSET is NETMAP_BUF without a mask");
}

static void set_idx(struct netmap_ring *ring, uint32_t head, uint32_t cur,
		    uint32_t tail)
{
	ring->head = head;
	ring->cur = cur;
	ring->tail = tail;
}

static void test_indices(struct netmap_if *nifp)
{
	struct netmap_ring *tx = NETMAP_TXRING(nifp, 1);
	struct netmap_ring *rx = NETMAP_RXRING(nifp, 0);

	is_int(nm_ring_next(tx, 0), 1, "nm_ring_next(0) == 1");
	is_int(nm_ring_next(tx, 6), 7, "nm_ring_next(6) == 7 on 8 slots");
	is_int(nm_ring_next(tx, 7), 0, "nm_ring_next wraps 7 -> 0 on 8 slots");
	is_int(nm_ring_next(rx, 4), 5, "nm_ring_next(4) == 5 on 6 slots");
	is_int(nm_ring_next(rx, 5), 0, "nm_ring_next wraps 5 -> 0 on 6 slots");

	/* a fresh TX ring: head = cur = 0, tail = n - 1 */
	is_int(nm_ring_space(tx), F_TX_SLOTS - 1,
	       "fresh TX ring: nm_ring_space == num_slots - 1");
	ok(!nm_tx_pending(tx), "fresh TX ring: nm_tx_pending is false");
	ok(!nm_ring_empty(tx), "fresh TX ring: nm_ring_empty is false");

	set_idx(tx, 3, 3, 7);
	is_int(nm_ring_space(tx), 4, "nm_ring_space == tail - head");
	ok(nm_tx_pending(tx), "nm_tx_pending after queueing 3 slots");
	set_idx(tx, 6, 6, 2);
	is_int(nm_ring_space(tx), 4, "nm_ring_space wraps (head 6, tail 2, n 8)");
	set_idx(tx, 6, 1, 2);
	is_int(nm_ring_space(tx), 4, "nm_ring_space looks at head, not cur");
	set_idx(tx, 5, 5, 4);
	ok(!nm_tx_pending(tx), "nm_tx_pending false when head == tail + 1");
	set_idx(tx, 0, 0, 7);
	ok(!nm_tx_pending(tx), "nm_tx_pending false when tail + 1 wraps to head");
	set_idx(tx, 2, 2, 2);
	ok(nm_tx_pending(tx), "nm_tx_pending true when head == tail");
	ok(nm_ring_empty(tx), "nm_ring_empty when head == tail");
	is_int(nm_ring_space(tx), 0, "nm_ring_space 0 when head == tail");
	set_idx(tx, 2, 5, 5);
	ok(!nm_ring_empty(tx), "nm_ring_empty looks at head, not cur");

	/* a fresh RX ring is empty; 3 packets after a wrap */
	ok(nm_ring_empty(rx), "fresh RX ring: nm_ring_empty");
	is_int(nm_ring_space(rx), 0, "fresh RX ring: nm_ring_space == 0");
	set_idx(rx, 4, 4, 1);
	is_int(nm_ring_space(rx), 3, "nm_ring_space wraps (head 4, tail 1, n 6)");
	ok(!nm_ring_empty(rx), "nm_ring_empty false with packets");
}

/* ------------------------------------------------------------------ */
/* nm_pkt_copy                                                         */
/* ------------------------------------------------------------------ */

#define COPY_AREA	4096

static void check_copy(int len, size_t src_skew, size_t dst_skew)
{
	static unsigned char src[COPY_AREA + 64], dst[COPY_AREA + 64];
	unsigned char *s = src + src_skew, *d = dst + dst_skew;
	size_t i, bad = 0;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	memset(dst, 0xaa, sizeof(dst));
	nm_pkt_copy(s, d, len);
	ok(memcmp(s, d, (size_t)len) == 0,
	   "nm_pkt_copy(len %d, skew %zu/%zu) copies the data", len,
	   src_skew, dst_skew);
	for (i = 0; i < dst_skew; i++)
		bad += dst[i] != 0xaa;
	for (i = dst_skew + (size_t)len; i < sizeof(dst); i++)
		bad += dst[i] != 0xaa;
	ok(bad == 0 && d[len] == 0xaa,
	   "nm_pkt_copy(len %d) writes nothing outside [dst, dst + len)", len);
}

static void test_pkt_copy(struct netmap_if *nifp)
{
	static const int lens[] = {
		0, 1, 14, 60, 63, 64, 65, 127, 128, 192, 960, 1000,
		1023, 1024, 1088, 1500, 2048,
	};
	struct netmap_ring *tx = NETMAP_TXRING(nifp, 0);
	struct netmap_ring *rx = NETMAP_RXRING(nifp, 0);
	char *sb = NETMAP_BUF(tx, 3), *db = NETMAP_BUF(rx, 4);
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_copy(lens[i], 0, 0);
	/* packets do not start on aligned addresses once offsets are used */
	check_copy(128, 1, 3);
	check_copy(65, 5, 2);

	/* buffer to buffer inside the region, as a forwarding app does */
	for (i = 0; i < F_BUF_SIZE; i++)
		sb[i] = (char)(i ^ 0x5a);
	memset(db, 0, F_BUF_SIZE);
	nm_pkt_copy(sb, db, 256);
	ok(memcmp(sb, db, 256) == 0 && db[256] == 0,
	   "nm_pkt_copy between two netmap buffers");
}

/* ------------------------------------------------------------------ */
/* CSB helpers                                                         */
/* ------------------------------------------------------------------ */

static void test_kloop_helpers(void)
{
	struct nm_csb_atok atok;
	struct nm_csb_ktoa ktoa;
	uint32_t hwtail = 0, hwcur = 0;

	memset(&atok, 0, sizeof(atok));
	atok.appl_need_kick = 1;
	atok.sync_flags = 2;
	nm_sync_kloop_appl_write(&atok, 5, 3);
	is_int(atok.cur, 5, "nm_sync_kloop_appl_write stores cur");
	is_int(atok.head, 3, "nm_sync_kloop_appl_write stores head");
	ok(atok.appl_need_kick == 1 && atok.sync_flags == 2,
	   "nm_sync_kloop_appl_write touches nothing else");

	memset(&ktoa, 0, sizeof(ktoa));
	ktoa.hwcur = 7;
	ktoa.hwtail = 9;
	nm_sync_kloop_appl_read(&ktoa, &hwtail, &hwcur);
	is_int(hwtail, 9, "nm_sync_kloop_appl_read returns hwtail");
	is_int(hwcur, 7, "nm_sync_kloop_appl_read returns hwcur");
}

/* ------------------------------------------------------------------ */
/* D, RD, ND                                                           */
/* ------------------------------------------------------------------ */

/* Run the debug macros with stderr sent to a temporary file. */
static int capture_debug(char *out, size_t outlen, int *line, int *nd_evals)
{
	FILE *tmp = tmpfile();
	int saved, i, evals = 0;
	size_t n;

	if (!tmp)
		return -1;
	fflush(stderr);
	saved = dup(2);
	if (saved < 0 || dup2(fileno(tmp), 2) < 0)
		return -1;

	*line = __LINE__; D("value %d", 42);
	D("plain");
	for (i = 0; i < 10; i++)
		RD(3, "rd %d", i);
	for (i = 0; i < 3; i++)
		ND("nd %d", evals++);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, outlen - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	*nd_evals = evals;
	return 0;
}

static void test_debug_macros(void)
{
	char out[4096], func[64], msg[64], *p;
	int line = 0, evals = -1, sec = -1, usec = -1, got_line = -1, rd = 0;

	if (!ok(capture_debug(out, sizeof(out), &line, &evals) == 0,
		"stderr captured for D()"))
		return;
	ok(sscanf(out, "%d.%d %63s [%d] %63[^\n]", &sec, &usec, func,
		  &got_line, msg) == 5, "D() output parses as its format");
	ok(strlen(out) > 11 && out[3] == '.' && out[10] == ' ',
	   "D() prints seconds with 3 digits and microseconds with 6");
	ok(sec >= 0 && sec < 1000, "D() prints seconds modulo 1000");
	ok(usec >= 0 && usec < 1000000, "D() prints microseconds");
	is_str(func, "capture_debug", "D() prints the function name");
	is_int(got_line, line, "D() prints the line number");
	is_str(msg, "value 42", "D() prints the formatted message");
	p = strchr(out, '\n');
	ok(p && strstr(p + 1, "capture_debug [") && strstr(p + 1, "] plain\n"),
	   "D() works without arguments");
	for (p = out; (p = strstr(p, "] rd ")) != NULL; p++)
		rd++;
	ok(rd >= 3 && rd <= 6, "RD(3, ...) printed %d of 10 lines (3 per second)",
	   rd);
	ok(strstr(out, "nd ") == NULL, "ND() prints nothing");
	is_int(evals, 0, "ND() does not evaluate its arguments");
}

int main(void)
{
	struct netmap_if *nifp;

	test_netmap_slot();
	test_netmap_ring();
	test_netmap_if();
	test_requests();
	test_options();
	test_legacy_layout();
	test_constants();
	test_libs();

	nifp = build_region();
	test_ring_lookup(nifp);
	test_buffers(nifp);
	test_indices(nifp);
	test_pkt_copy(nifp);
	test_kloop_helpers();
	test_debug_macros();
	return tap_done();
}
