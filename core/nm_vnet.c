// SPDX-License-Identifier: BSD-2-Clause
/*
 * Virtio-net headers across VALE ports of different header lengths (spec
 * 15.8): the "mismatch path".  nm_vale.c calls it only for a destination
 * whose header length differs from the sender's, so ports that agree never
 * pay for it.
 *
 * A packet is read as one byte stream over its fragments (some of which
 * may be NS_INDIRECT user memory): the sender's header, then the frame.
 * The destination gets its own header (zeros, or the first 10 bytes of the
 * sender's when both have one) and the frame, over as many slots as it
 * needs.  When the sender has a header and the destination has none, the
 * work the header asked of a device is done here: a frame marked for
 * segmentation (TCP over IPv4 or IPv6, UDP) is cut into frames of at most
 * gso_size payload bytes and the destination's maximum frame size, each
 * with the Ethernet, IP and TCP/UDP headers replicated and fixed up and
 * valid checksums, one slot each; a frame marked "needs checksum" gets its
 * checksum computed at csum_start + csum_offset.
 *
 * Every function works out a packet twice: nm_vnet_plan() counts the
 * destination slots it needs (the lease is taken for a whole batch), and
 * nm_vnet_emit() writes it.  Both read only headers, so planning is cheap.
 */
#include "nm_core.h"

/* The virtio-net header, little endian (15.8). */
#define NM_VNET_F_NEEDS_CSUM	1
#define NM_VNET_GSO_NONE	0
#define NM_VNET_GSO_TCPV4	1
#define NM_VNET_GSO_UDP		3
#define NM_VNET_GSO_TCPV6	4
#define NM_VNET_GSO_ECN		0x80

#define NM_ETH_P_IPV4	0x0800
#define NM_ETH_P_IPV6	0x86dd
#define NM_ETH_P_VLAN	0x8100
#define NM_IPPROTO_TCP	6
#define NM_IPPROTO_UDP	17

#define NM_TCP_FIN	0x01
#define NM_TCP_PSH	0x08
#define NM_TCP_CWR	0x80

static inline uint16_t nm_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void nm_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t nm_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void nm_put_be32(uint8_t *p, uint32_t v)
{
	nm_put_be16(p, (uint16_t)(v >> 16));
	nm_put_be16(p + 2, (uint16_t)v);
}

static inline uint16_t nm_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

/* ---------------------------------------------------------------- */
/* Internet checksum                                                */
/* ---------------------------------------------------------------- */

/* Add the 16-bit big-endian words of p to sum; len is even but the last. */
static uint64_t nm_csum_add(uint64_t sum, const uint8_t *p, uint32_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t nm_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---------------------------------------------------------------- */
/* The sender's packet as one byte stream                           */
/* ---------------------------------------------------------------- */

static uint32_t nm_vnet_total(const struct nm_bdg_fwd *ft, uint32_t nf)
{
	uint32_t i, total = 0;

	for (i = 0; i < nf; i++)
		total += ft[i].len;
	return total;
}

/*
 * Copy len bytes at offset off of the stream into dst.  Returns 0, or
 * -EFAULT when an indirect fragment cannot be read: the sender's pages
 * were brought in before the switch lock was taken, and a read under it
 * never waits for one.
 */
static int nm_vnet_read(const struct nm_bdg_fwd *ft, uint32_t nf,
			uint32_t off, uint8_t *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < nf && len; i++) {
		uint32_t n;

		if (off >= ft[i].len) {
			off -= ft[i].len;
			continue;
		}
		n = ft[i].len - off;
		if (n > len)
			n = len;
		if (!(ft[i].flags & NS_INDIRECT))
			memcpy(dst, ft[i].buf + off, n);
		else if (nmh_copy_from_user_nofault(dst, ft[i].buf + off, n))
			return -EFAULT;
		dst += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

/* Checksum sum of stream bytes [off, off + len), or -EFAULT. */
static int nm_vnet_csum(const struct nm_bdg_fwd *ft, uint32_t nf,
			uint32_t off, uint32_t len, uint64_t *sum)
{
	uint8_t chunk[256];	/* even: words never straddle two chunks */

	while (len) {
		uint32_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (nm_vnet_read(ft, nf, off, chunk, n))
			return -EFAULT;
		*sum = nm_csum_add(*sum, chunk, n);
		off += n;
		len -= n;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Planning                                                         */
/* ---------------------------------------------------------------- */

/* Frame headers of a segmentable frame: Ethernet, VLAN, IP, TCP/UDP. */
static int nm_vnet_parse(struct nm_vnet_plan *p, uint32_t have, uint8_t gso)
{
	const uint8_t *h = p->hdr;
	uint32_t l3 = 14, l4, type;

	if (have < 14)
		return -1;
	type = nm_get_be16(h + 12);
	if (type == NM_ETH_P_VLAN) {
		if (have < 18)
			return -1;
		type = nm_get_be16(h + 16);
		l3 = 18;
	}
	if (type == NM_ETH_P_IPV4) {
		uint32_t ihl;

		if (gso == NM_VNET_GSO_TCPV6 || have < l3 + 20 ||
		    (h[l3] >> 4) != 4)
			return -1;
		ihl = (h[l3] & 15) * 4u;
		if (ihl < 20 || have < l3 + ihl)
			return -1;
		if (h[l3 + 9] != (gso == NM_VNET_GSO_UDP ? NM_IPPROTO_UDP :
						       NM_IPPROTO_TCP))
			return -1;
		l4 = l3 + ihl;
		p->v6 = 0;
	} else if (type == NM_ETH_P_IPV6) {
		if (gso == NM_VNET_GSO_TCPV4 || have < l3 + 40 ||
		    (h[l3] >> 4) != 6)
			return -1;
		/* Extension headers are not followed: upstream does not. */
		if (h[l3 + 6] != (gso == NM_VNET_GSO_UDP ? NM_IPPROTO_UDP :
						       NM_IPPROTO_TCP))
			return -1;
		l4 = l3 + 40;
		p->v6 = 1;
	} else {
		return -1;
	}
	p->udp = gso == NM_VNET_GSO_UDP;
	if (p->udp) {
		p->hlen = l4 + 8;
	} else {
		uint32_t doff;

		if (have < l4 + 20)
			return -1;
		doff = (h[l4 + 12] >> 4) * 4u;
		if (doff < 20)
			return -1;
		p->hlen = l4 + doff;
	}
	if (have < p->hlen)
		return -1;
	p->l3 = l3;
	p->l4 = l4;
	return 0;
}

/*
 * How packet ft[0..nf) goes to a destination: shdr and dhdr are the
 * header lengths of sender and destination, frame_max the destination's
 * maximum frame size and usable the bytes a destination slot holds.
 * Returns the destination slots it takes, 0 when it is dropped (bad
 * header, unreadable memory, too many slots).
 */
uint32_t nm_vnet_plan(const struct nm_bdg_fwd *ft, uint32_t nf, uint32_t shdr,
		      uint32_t dhdr, uint32_t frame_max, uint32_t usable,
		      struct nm_vnet_plan *p)
{
	uint8_t vh[12];
	uint32_t total = nm_vnet_total(ft, nf), flen, chunk, out;

	memset(p, 0, offsetof(struct nm_vnet_plan, hdr));
	if (total < shdr)
		return 0;
	flen = total - shdr;
	p->shdr = shdr;
	p->dhdr = dhdr;
	p->flen = flen;
	p->csum_at = -1;
	memset(vh, 0, sizeof(vh));
	if (shdr && nm_vnet_read(ft, nf, 0, vh, shdr))
		return 0;
	memset(p->dvh, 0, sizeof(p->dvh));
	if (shdr && dhdr)
		memcpy(p->dvh, vh, 10);

	if (shdr && !dhdr && (vh[1] & ~NM_VNET_GSO_ECN) != NM_VNET_GSO_NONE) {
		uint8_t gso = vh[1] & ~NM_VNET_GSO_ECN;
		uint32_t have = flen < sizeof(p->hdr) ? flen : sizeof(p->hdr);
		uint32_t seg;

		if (gso != NM_VNET_GSO_TCPV4 && gso != NM_VNET_GSO_UDP &&
		    gso != NM_VNET_GSO_TCPV6)
			return 0;
		p->mss = nm_get_le16(vh + 4);
		if (!p->mss || nm_vnet_read(ft, nf, shdr, p->hdr, have) ||
		    nm_vnet_parse(p, have, gso))
			return 0;
		if (frame_max > usable)
			frame_max = usable;
		if (frame_max > 65535)
			frame_max = 65535;
		if (frame_max <= p->hlen)
			return 0;
		seg = frame_max - p->hlen;
		if (seg > p->mss)
			seg = p->mss;
		p->seg = seg;
		p->payload = flen - p->hlen;
		out = p->payload ? (p->payload + seg - 1) / seg : 1;
		p->slots = out;
		return out;
	}

	if (shdr && !dhdr && (vh[0] & NM_VNET_F_NEEDS_CSUM)) {
		uint32_t start = nm_get_le16(vh + 6), at;
		uint64_t sum = 0;

		at = start + nm_get_le16(vh + 8);
		if (at + 2 > flen || start > at)
			return 0;
		/* The field holds the pseudo-header sum: it is summed too. */
		if (nm_vnet_csum(ft, nf, shdr + start, flen - start, &sum))
			return 0;
		p->csum_at = (int32_t)at;
		p->csum = nm_csum_fold(sum);
	}
	chunk = usable < 65535 ? usable : 65535;
	if (!chunk)
		return 0;
	out = (dhdr + flen + chunk - 1) / chunk;
	if (!out)
		out = 1;
	if (out > NETMAP_MAX_FRAGS)
		return 0;
	p->slots = out;
	return out;
}

/* ---------------------------------------------------------------- */
/* Writing                                                          */
/* ---------------------------------------------------------------- */

static inline uint8_t *nm_vnet_dst_buf(struct nm_vnet_dst *d)
{
	struct netmap_slot *ds = d->ds;
	uint8_t *dst = nm_bufs_addr(&d->bufs, ds->buf_idx);

	if (d->omask) {
		uint64_t off = ds->ptr & d->omask;

		dst += off > d->omax ? d->omax : off;
	}
	return dst;
}

static inline void nm_vnet_dst_next(struct nm_vnet_dst *d, uint16_t len,
				    uint16_t flags)
{
	struct netmap_slot *ds = d->ds;

	ds->len = len;
	ds->flags = flags;
	d->bytes += len;
	d->ds = ds + 1 == d->end ? d->slot : ds + 1;
}

/* One frame, its header converted, over p->slots slots. */
static void nm_vnet_emit_copy(const struct nm_bdg_fwd *ft, uint32_t nf,
			      const struct nm_vnet_plan *p,
			      struct nm_vnet_dst *d)
{
	uint32_t chunk = d->usable < 65535 ? d->usable : 65535;
	uint32_t out = p->dhdr + p->flen, pos = 0, left = p->slots;
	uint16_t hi = (uint16_t)(p->slots << 8);

	while (left--) {
		uint8_t *dst = nm_vnet_dst_buf(d);
		uint32_t n = out - pos < chunk ? out - pos : chunk, k = 0;
		int bad = 0;

		/* The destination's header, then the frame. */
		for (; pos + k < p->dhdr && k < n; k++)
			dst[k] = p->dvh[pos + k];
		if (k < n)
			bad = nm_vnet_read(ft, nf, p->shdr + pos + k - p->dhdr,
					   dst + k, n - k);
		if (p->csum_at >= 0) {
			uint32_t at = p->dhdr + (uint32_t)p->csum_at, b;

			for (b = 0; b < 2; b++)
				if (at + b >= pos && at + b < pos + n)
					dst[at + b - pos] = b ? (uint8_t)p->csum :
							(uint8_t)(p->csum >> 8);
		}
		pos += n;
		nm_vnet_dst_next(d, bad ? 0 : (uint16_t)n,
				 left ? hi | NS_MOREFRAG : hi);
	}
}

/* Pseudo-header sum of a segment's TCP or UDP part of l4len bytes. */
static uint64_t nm_vnet_pseudo(const uint8_t *f, const struct nm_vnet_plan *p,
			       uint32_t l4len)
{
	uint8_t proto = p->udp ? NM_IPPROTO_UDP : NM_IPPROTO_TCP;
	uint64_t sum;

	if (p->v6)
		sum = nm_csum_add(0, f + p->l3 + 8, 32);
	else
		sum = nm_csum_add(0, f + p->l3 + 12, 8);
	return sum + proto + l4len;
}

/* The segments of a GSO frame, one slot each; returns how many. */
static uint32_t nm_vnet_emit_gso(const struct nm_bdg_fwd *ft, uint32_t nf,
				 const struct nm_vnet_plan *p,
				 struct nm_vnet_dst *d)
{
	const uint8_t *h = p->hdr;
	uint32_t seq = nm_get_be32(h + p->l4 + 4), i, off = 0;
	uint16_t ipid = nm_get_be16(h + p->l3 + 4);

	for (i = 0; i < p->slots; i++) {
		uint8_t *f = nm_vnet_dst_buf(d);
		uint32_t plen = p->payload - off < p->seg ?
				p->payload - off : p->seg;
		uint32_t l4len = p->hlen - p->l4 + plen, csum_ofs;
		int last = i + 1 == p->slots;
		uint64_t sum;

		memcpy(f, h, p->hlen);
		if (nm_vnet_read(ft, nf, p->shdr + p->hlen + off,
				 f + p->hlen, plen)) {
			nm_vnet_dst_next(d, 0, 1 << 8);
			off += plen;
			continue;
		}
		if (p->v6) {
			nm_put_be16(f + p->l3 + 4, (uint16_t)l4len);
		} else {
			uint32_t ihl = p->l4 - p->l3;

			nm_put_be16(f + p->l3 + 2, (uint16_t)(ihl + l4len));
			nm_put_be16(f + p->l3 + 4, (uint16_t)(ipid + i));
			nm_put_be16(f + p->l3 + 10, 0);
			nm_put_be16(f + p->l3 + 10,
				    nm_csum_fold(nm_csum_add(0, f + p->l3, ihl)));
		}
		if (p->udp) {
			nm_put_be16(f + p->l4 + 4, (uint16_t)l4len);
			csum_ofs = p->l4 + 6;
		} else {
			uint8_t *flags = f + p->l4 + 13;

			nm_put_be32(f + p->l4 + 4, seq + off);
			/* FIN and PSH end the data, CWR starts it. */
			if (!last)
				*flags &= (uint8_t)~(NM_TCP_FIN | NM_TCP_PSH);
			if (i)
				*flags &= (uint8_t)~NM_TCP_CWR;
			csum_ofs = p->l4 + 16;
		}
		nm_put_be16(f + csum_ofs, 0);
		sum = nm_csum_add(nm_vnet_pseudo(f, p, l4len), f + p->l4, l4len);
		nm_put_be16(f + csum_ofs, nm_csum_fold(sum));
		/* UDP: a computed 0 is sent as all ones (0 means "none"). */
		if (p->udp && !nm_get_be16(f + csum_ofs))
			nm_put_be16(f + csum_ofs, 0xffff);
		nm_vnet_dst_next(d, (uint16_t)(p->hlen + plen), 1 << 8);
		off += plen;
	}
	return p->slots;
}

/*
 * Write the packet planned in p into d's slots from d->ds on.  Returns
 * the number of frames written (segments count one each).
 */
uint32_t nm_vnet_emit(const struct nm_bdg_fwd *ft, uint32_t nf,
		      const struct nm_vnet_plan *p, struct nm_vnet_dst *d)
{
	if (p->seg)
		return nm_vnet_emit_gso(ft, nf, p, d);
	nm_vnet_emit_copy(ft, nf, p, d);
	return 1;
}
