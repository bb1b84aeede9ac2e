/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net/netmap_legacy.h - the legacy control interface: struct nmreq with
 * the NIOCREGIF and NIOCGINFO ioctls.
 *
 * Older applications (and the nm_open() library in net/netmap_user.h)
 * still use it, so the kernel keeps accepting it and translates every
 * request into its NIOCCTRL equivalent.  net/netmap.h includes this
 * header; including it alone pulls in net/netmap.h first.
 */
#ifndef _NET_NETMAP_LEGACY_H_
#define _NET_NETMAP_LEGACY_H_

#include "netmap.h"	/* types, IFNAMSIZ, ioctl macros, NR_* values */

/*
 * 60 bytes, 4-byte aligned (no 64-bit field).  nr_offset and nr_memsize
 * carry the low 32 bits of the NIOCCTRL values.
 */
struct nmreq {
	char nr_name[IFNAMSIZ];	/* port name; byte 15 forced to 0 */
	uint32_t nr_version;	/* >= NETMAP_API; no upper bound */
	uint32_t nr_offset;	/* out: netmap_if offset in the region */
	uint32_t nr_memsize;	/* out: region size */
	uint32_t nr_tx_slots;	/* in/out */
	uint32_t nr_rx_slots;	/* in/out */
	uint16_t nr_tx_rings;	/* in/out: hardware rings */
	uint16_t nr_rx_rings;	/* in/out: hardware rings */
	uint16_t nr_ringid;	/* ring number and NETMAP_* bits below */
	uint16_t nr_cmd;	/* 0 = register, else NETMAP_BDG_* etc. */
	uint16_t nr_arg1;	/* command specific */
	uint16_t nr_arg2;	/* mem_id for registration */
	uint32_t nr_arg3;	/* extra buffers for registration */
	/* mode in bits 0..3 (NR_REG_MASK), NR_* flags above them */
	uint32_t nr_flags;
	uint32_t spare2[1];
};

/* nmreq.nr_cmd (NIOCREGIF unless noted) */
#define NETMAP_BDG_ATTACH	1	/* VALE_ATTACH */
#define NETMAP_BDG_DETACH	2	/* VALE_DETACH */
#define NETMAP_BDG_REGOPS	3	/* not supported: EINVAL */
#define NETMAP_BDG_LIST		4	/* VALE_LIST, with NIOCGINFO only */
#define NETMAP_BDG_VNET_HDR	5	/* PORT_HDR_SET, length in nr_arg1 */
#define NETMAP_BDG_NEWIF	6	/* VALE_NEWIF */
#define NETMAP_BDG_DELIF	7	/* VALE_DELIF */
#define NETMAP_PT_HOST_CREATE	8	/* not supported */
#define NETMAP_PT_HOST_DELETE	9	/* not supported */
#define NETMAP_BDG_POLLING_ON	10	/* VALE_POLLING_ENABLE */
#define NETMAP_BDG_POLLING_OFF	11	/* VALE_POLLING_DISABLE */
#define NETMAP_VNET_HDR_GET	12	/* PORT_HDR_GET, length to nr_arg1 */

/* nr_arg1 of NETMAP_BDG_ATTACH: attach the host stack port too */
#define NETMAP_BDG_HOST		1

/* nmreq.nr_ringid */
#define NETMAP_RING_MASK	0x0fff	/* ring number, pipe id or first CPU */
#define NETMAP_NO_TX_POLL	0x1000	/* becomes NR_NO_TX_POLL */
#define NETMAP_SW_RING		0x2000	/* mode 0: bind the host rings */
#define NETMAP_HW_RING		0x4000	/* mode 0: bind one hardware ring */
/* Becomes NR_DO_RX_POLL, which the kernel ignores. */
#define NETMAP_DO_RX_POLL	0x8000

#define NIOCGINFO	_IOWR('i', 145, struct nmreq)	/* port info, VALE list */
#define NIOCREGIF	_IOWR('i', 146, struct nmreq)	/* register and VALE commands */

#endif /* _NET_NETMAP_LEGACY_H_ */
