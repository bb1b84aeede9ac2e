// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb's symmetric Toeplitz flow hash and the header walk that feeds it
 * (tools.md 7.3).  See lb_hash.h for the rules.
 */
#include <string.h>

#include "lb_hash.h"

const uint8_t lb_hash_key[LB_HASH_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_TEB		0x6558	/* GRE: transparent Ethernet bridging */

#define PROTO_HOPOPTS		0
#define PROTO_IPIP		4
#define PROTO_TCP		6
#define PROTO_UDP		17
#define PROTO_IPV6		41
#define PROTO_ROUTING		43
#define PROTO_FRAGMENT		44
#define PROTO_GRE		47
#define PROTO_AH		51
#define PROTO_DSTOPTS		60
#define PROTO_SCTP		132

#define TUNNEL_DEPTH_MAX	4	/* nested tunnels followed */
#define IPV6_EXT_MAX		8	/* extension headers skipped */
#define TUPLE_MAX		36	/* two IPv6 addresses and two ports */

uint32_t lb_toeplitz(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len)
{
	uint32_t window = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
			  (uint32_t)key[2] << 8 | key[3];
	uint32_t hash = 0;
	size_t i, next = 32;	/* key bit that enters the window next */
	int b;

	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--, next++) {
			if (data[i] >> b & 1)
				hash ^= window;
			window <<= 1;
			if (next / 8 < keylen)
				window |= key[next / 8] >> (7 - next % 8) & 1;
		}
	}
	return hash;
}

/* The contribution of a byte at an even (0) or odd (1) position. */
static uint32_t byte_table[2][256];

__attribute__((constructor)) static void lb_hash_tables(void)
{
	unsigned parity, v;
	uint8_t probe[2];

	for (parity = 0; parity < 2; parity++) {
		for (v = 0; v < 256; v++) {
			probe[0] = 0;
			probe[1] = (uint8_t)v;
			/* the key's period is 16 bits: byte 0 or 1 says it all */
			byte_table[parity][v] = parity ?
				lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), probe, 2) :
				lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), probe + 1, 1);
		}
	}
}

uint32_t lb_hash_bytes(const uint8_t *data, size_t len)
{
	uint32_t hash = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		hash ^= byte_table[0][data[i]] ^ byte_table[1][data[i + 1]];
	if (i < len)
		hash ^= byte_table[0][data[i]];
	return hash;
}

/* ================================================================ headers */

struct tuple {
	uint8_t b[TUPLE_MAX];
	size_t len;
	enum lb_hash_kind kind;
};

static inline unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int ipv4_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t);
static int ipv6_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t);
static int ether_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t);

/* Replace t by the inner headers' tuple when they parse; else keep t. */
static void tunnel(unsigned type, const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	struct tuple inner;
	int err = -1;

	if (depth >= TUNNEL_DEPTH_MAX)
		return;
	if (type == ETHERTYPE_IPV4)
		err = ipv4_tuple(p, len, depth + 1, &inner);
	else if (type == ETHERTYPE_IPV6)
		err = ipv6_tuple(p, len, depth + 1, &inner);
	else if (type == ETHERTYPE_TEB)
		err = ether_tuple(p, len, depth + 1, &inner);
	if (!err)
		*t = inner;
}

/* GRE version 0 (RFC 2784, 2890): checksum, key and sequence words. */
static void gre(const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	unsigned flags, hlen = 4;

	if (len < 4)
		return;
	flags = be16(p);
	if ((flags & 0x7) != 0 || (flags & 0x4000))	/* version 1 (PPTP), routing */
		return;
	hlen += (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
	if (hlen <= len)
		tunnel(be16(p + 2), p + hlen, len - hlen, depth, t);
}

/* Ports, or the inner headers of a tunnel, after the addresses in t. */
static void l4(unsigned proto, const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	switch (proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
		if (len >= 4) {
			memcpy(t->b + t->len, p, 4);	/* source and destination ports */
			t->len += 4;
			t->kind = LB_HASH_L4;
		}
		break;
	case PROTO_IPIP:
		tunnel(ETHERTYPE_IPV4, p, len, depth, t);
		break;
	case PROTO_IPV6:
		tunnel(ETHERTYPE_IPV6, p, len, depth, t);
		break;
	case PROTO_GRE:
		gre(p, len, depth, t);
		break;
	}
}

/* 0 with the tuple, or -1 when p does not hold an IPv4 header. */
static int ipv4_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	size_t ihl, total;

	if (len < 20 || p[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(p[0] & 0xf) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	total = be16(p + 2);
	if (total >= ihl && total < len)
		len = total;	/* Ethernet padding is not L4 data */
	memcpy(t->b, p + 12, 8);
	t->len = 8;
	t->kind = LB_HASH_ADDRS;
	/* more fragments or an offset: addresses only, like the other fragments */
	if (be16(p + 6) & 0x3fff)
		return 0;
	l4(p[9], p + ihl, len - ihl, depth, t);
	return 0;
}

/* 0 with the tuple, or -1 when p does not hold an IPv6 header. */
static int ipv6_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	size_t off = 40, payload;
	unsigned next, n;

	if (len < 40 || p[0] >> 4 != 6)
		return -1;
	payload = be16(p + 4);
	if (payload && 40 + payload < len)
		len = 40 + payload;
	memcpy(t->b, p + 8, 32);
	t->len = 32;
	t->kind = LB_HASH_ADDRS;
	next = p[6];
	for (n = 0; n < IPV6_EXT_MAX; n++) {
		if (next == PROTO_HOPOPTS || next == PROTO_ROUTING || next == PROTO_DSTOPTS) {
			if (off + 8 > len)
				return 0;
			next = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
		} else if (next == PROTO_AH) {
			if (off + 8 > len)
				return 0;
			next = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
		} else if (next == PROTO_FRAGMENT) {
			if (off + 8 > len)
				return 0;
			/* an offset or more fragments: addresses only */
			if (be16(p + off + 2) & 0xfff9)
				return 0;
			next = p[off];
			off += 8;
		} else {
			break;
		}
	}
	if (off <= len)
		l4(next, p + off, len - off, depth, t);
	return 0;
}

/* 0 with the tuple, or -1 when the frame is not IP (after up to two tags). */
static int ether_tuple(const uint8_t *p, size_t len, int depth, struct tuple *t)
{
	size_t off = 14;
	unsigned type, tags;

	if (len < 14)
		return -1;
	type = be16(p + 12);
	for (tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ); tags++) {
		if (off + 4 > len)
			return -1;
		type = be16(p + off + 2);
		off += 4;
	}
	if (type == ETHERTYPE_IPV4)
		return ipv4_tuple(p + off, len - off, depth, t);
	if (type == ETHERTYPE_IPV6)
		return ipv6_tuple(p + off, len - off, depth, t);
	return -1;
}

/*
 * The common frame, untagged IPv4 without options or fragmentation
 * carrying TCP, UDP or SCTP, hashed straight from the frame: its
 * addresses and ports are 12 contiguous bytes at offset 26, what
 * ether_tuple() would copy out (lb's rate is a few nanoseconds per
 * packet, and the general parse costs more than the rest of it).
 * Returns 0 when the frame needs the general parse.
 */
static inline int fast_ipv4_l4(const uint8_t *f, size_t len, uint32_t *hash)
{
	const uint8_t *ip = f + 14;
	uint32_t h = 0;
	unsigned i;

	if (len < 14 + 24 || f[12] != 0x08 || f[13] != 0x00 || ip[0] != 0x45 ||
	    be16(ip + 2) < 24 || (be16(ip + 6) & 0x3fff) ||
	    (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP && ip[9] != PROTO_SCTP))
		return 0;
	for (i = 12; i < 24; i += 2)
		h ^= byte_table[0][ip[i]] ^ byte_table[1][ip[i + 1]];
	*hash = h;
	return 1;
}

uint32_t lb_hash_frame(const uint8_t *frame, size_t len, enum lb_hash_kind *kind)
{
	struct tuple t;
	uint32_t hash;

	if (fast_ipv4_l4(frame, len, &hash)) {
		if (kind)
			*kind = LB_HASH_L4;
		return hash;
	}
	if (ether_tuple(frame, len, 0, &t)) {
		t.kind = LB_HASH_NON_IP;
		t.len = 0;
		if (len >= 12) {
			memcpy(t.b, frame + 8, 4);	/* source MAC, last four bytes */
			memcpy(t.b + 4, frame + 2, 4);	/* destination MAC, last four */
			t.len = 8;
		}
	}
	if (kind)
		*kind = t.kind;
	return lb_hash_bytes(t.b, t.len);
}
