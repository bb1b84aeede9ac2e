// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's frames: headers and checksums, the payload pattern and its
 * precomputed word sums, the address odometer, random addresses and the
 * split of a frame over slots (tools.md 3.4).
 */
#include "pg_packet.h"

#include <stdio.h>
#include <string.h>

/* The payload pattern, and W[k] = sum of its first k 16-bit words. */
static uint8_t pattern[PG_SIZE_MAX];
static uint64_t word_sum[PG_SIZE_MAX / 2 + 1];

void pg_pattern_init(int indirect)
{
	const char *line = indirect ? "netmap pkt-gen indirect payload\n" :
				      "netmap pkt-gen DIRECT payload\n";
	size_t n = strlen(line), i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)line[i % n];
	word_sum[0] = 0;
	for (i = 0; i < PG_SIZE_MAX / 2; i++)
		word_sum[i + 1] = word_sum[i] +
				  ((uint32_t)pattern[2 * i] << 8 | pattern[2 * i + 1]);
}

uint32_t pg_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t pg_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Sum of the payload words from byte `skip` (even) to the end, for a
 * payload of L bytes: pattern bytes, then the final 0 (which adds nothing).
 */
static uint64_t payload_sum(uint32_t L, uint32_t skip)
{
	uint32_t e, n;
	uint64_t s;

	if (L == 0)
		return 0;
	e = L - 1;		/* pattern bytes before the final 0 */
	if (e <= skip)
		return 0;
	n = e / 2;
	s = word_sum[n] - word_sum[skip / 2];
	if (e & 1)
		s += (uint32_t)pattern[e - 1] << 8;
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	int i;

	for (i = 0; i < 6; i++)
		p[i] = (uint8_t)(mac >> (8 * (5 - i)));
}

unsigned pg_build_header(uint8_t *h, const struct pg_endpoints *e, const struct pg_flow *f,
			 uint32_t size, const uint8_t *probe, unsigned probe_len)
{
	unsigned off = pg_payload_off(e->af);
	uint32_t full = size < off ? off : size;	/* the frame the header describes */
	uint32_t L = full - off, udp_len;
	uint64_t sum;
	uint8_t *udp;

	if (!probe)
		probe_len = 0;
	if (probe_len > L)
		probe_len = L;
	put_mac(h, f->mac[PG_DST]);
	put_mac(h + 6, f->mac[PG_SRC]);
	if (e->af == 6) {
		uint8_t *ip = h + PG_ETH_HLEN;

		put16(h + 12, 0x86dd);
		put32(ip, 0x60000000u);
		udp_len = full - PG_OFF6 + 8;
		put16(ip + 4, (uint16_t)udp_len);
		ip[6] = 17;	/* UDP */
		ip[7] = 64;	/* hop limit */
		pg_u128_to_ip6(f->ip6[PG_SRC], ip + 8);
		pg_u128_to_ip6(f->ip6[PG_DST], ip + 24);
		udp = ip + 40;
		/* pseudo header: addresses, upper-layer length, next header */
		sum = pg_csum_add(0, ip + 8, 32);
		sum += udp_len + 17;
	} else {
		uint8_t *ip = h + PG_ETH_HLEN;

		put16(h + 12, 0x0800);
		ip[0] = 0x45;
		ip[1] = 0x10;
		put16(ip + 2, (uint16_t)(full - PG_ETH_HLEN));
		put16(ip + 4, 0);		/* id */
		put16(ip + 6, 0x4000);		/* don't fragment */
		ip[8] = 64;			/* TTL */
		ip[9] = 17;			/* UDP */
		put16(ip + 10, 0);
		put32(ip + 12, f->ip4[PG_SRC]);
		put32(ip + 16, f->ip4[PG_DST]);
		put16(ip + 10, (uint16_t)~pg_csum_fold(pg_csum_add(0, ip, 20)));
		udp = ip + 20;
		udp_len = full - PG_OFF4 + 8;
		sum = pg_csum_add(0, ip + 12, 8);
		sum += udp_len + 17;
	}
	put16(udp, f->port[PG_SRC]);
	put16(udp + 2, f->port[PG_DST]);
	put16(udp + 4, (uint16_t)udp_len);
	put16(udp + 6, 0);
	sum += pg_csum_add(0, udp, 8);
	if (probe_len) {
		memcpy(h + off, probe, probe_len);
		sum += pg_csum_add(0, probe, probe_len);
	}
	sum += payload_sum(L, probe_len);
	{
		uint16_t c = (uint16_t)~pg_csum_fold(sum);

		/* UDP sends a computed 0 as all ones (0 means "no checksum") */
		put16(udp + 6, c ? c : 0xffff);
	}
	return size < off + probe_len ? size : off + probe_len;
}

void pg_frame_bytes(uint8_t *dst, const uint8_t *hdr, int af, uint32_t size, uint32_t from,
		    uint32_t len)
{
	uint32_t off = pg_payload_off(af), end = from + len, n;

	if (from < off) {
		n = (end < off ? end : off) - from;
		memcpy(dst, hdr + from, n);
		dst += n;
		from += n;
	}
	if (from >= end)
		return;
	/* payload: pattern up to size - 1, then the final 0 */
	n = (end < size - 1 ? end : size - 1) - from;
	if (from < size - 1) {
		memcpy(dst, pattern + (from - off), n);
		dst += n;
		from += n;
	}
	if (from < end)
		*dst = 0;
}

void pg_split_frame(uint32_t size, uint32_t frags, uint32_t max_frag, struct pg_split *s)
{
	uint32_t nf = frags ? frags : 1, per, last;

	if (nf > size)
		nf = size;
	per = size / nf;
	last = size - per * (nf - 1);
	if (last > max_frag) {
		per = max_frag;
		nf = (size + per - 1) / per;
		last = size - per * (nf - 1);
	}
	s->nfrags = nf;
	s->frag_len = per;
	s->last_len = last;
}

/* ------------------------------------------------------------ addresses */

int pg_endpoints_vary(const struct pg_endpoints *e)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (e->random[i] || e->port_lo[i] != e->port_hi[i] ||
		    e->mac_lo[i] != e->mac_hi[i])
			return 1;
		if (e->af == 6 ? e->ip6_lo[i] != e->ip6_hi[i] : e->ip4_lo[i] != e->ip4_hi[i])
			return 1;
	}
	return 0;
}

void pg_flow_first(const struct pg_endpoints *e, struct pg_flow *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < 2; i++) {
		f->ip4[i] = e->ip4_lo[i];
		f->ip6[i] = e->ip6_lo[i];
		f->port[i] = e->port_lo[i];
		f->mac[i] = e->mac_lo[i];
	}
}

/* One odometer wheel: advance, or wrap and report a carry. */
#define WHEEL(v, lo, hi)				\
	do {						\
		if ((v) < (hi)) {			\
			(v)++;				\
			return;				\
		}					\
		(v) = (lo);				\
	} while (0)

void pg_flow_next(const struct pg_endpoints *e, struct pg_flow *f)
{
	int side;

	for (side = PG_SRC; side <= PG_DST; side++) {
		if (e->random[side])
			continue;	/* drawn per packet instead */
		WHEEL(f->port[side], e->port_lo[side], e->port_hi[side]);
		if (e->af == 6)
			WHEEL(f->ip6[side], e->ip6_lo[side], e->ip6_hi[side]);
		else
			WHEEL(f->ip4[side], e->ip4_lo[side], e->ip4_hi[side]);
	}
	WHEEL(f->mac[PG_SRC], e->mac_lo[PG_SRC], e->mac_hi[PG_SRC]);
	WHEEL(f->mac[PG_DST], e->mac_lo[PG_DST], e->mac_hi[PG_DST]);
}

void pg_flow_skip(const struct pg_endpoints *e, struct pg_flow *f, uint64_t n)
{
	while (n--)
		pg_flow_next(e, f);
}

/* Uniform in [lo, hi]; the whole space of `bits` bits when lo == hi. */
static uint64_t rand_in(uint64_t *rng, uint64_t lo, uint64_t hi, unsigned bits)
{
	uint64_t r = pg_rand(rng);

	if (lo == hi)
		return bits >= 64 ? r : r & ((1ull << bits) - 1);
	return lo + r % (hi - lo + 1);
}

void pg_flow_random(const struct pg_endpoints *e, struct pg_flow *f, uint64_t *rng)
{
	int side;

	for (side = PG_SRC; side <= PG_DST; side++) {
		if (!e->random[side])
			continue;
		f->port[side] = (uint16_t)rand_in(rng, e->port_lo[side], e->port_hi[side], 16);
		if (e->af == 6) {
			pg_u128 lo = e->ip6_lo[side], hi = e->ip6_hi[side], r;

			r = (pg_u128)pg_rand(rng) << 64 | pg_rand(rng);
			if (lo != hi) {
				pg_u128 span = hi - lo + 1;	/* 0: the whole space */

				r = span ? lo + r % span : r;
			}
			f->ip6[side] = r;
		} else {
			f->ip4[side] = (uint32_t)rand_in(rng, e->ip4_lo[side], e->ip4_hi[side], 32);
		}
	}
}

/* ------------------------------------------------------------ probes */

void pg_probe_write(uint8_t *p, uint32_t seq, uint64_t sec, uint32_t nsec)
{
	uint32_t v[3] = { seq, (uint32_t)sec, nsec };
	int i, k;

	for (i = 0; i < 3; i++)
		for (k = 0; k < 4; k++)
			p[4 * i + k] = (uint8_t)(v[i] >> (8 * k));
}

void pg_probe_read(const uint8_t *p, uint32_t *seq, uint64_t *sec, uint32_t *nsec)
{
	uint32_t v[3] = { 0, 0, 0 };
	int i, k;

	for (i = 0; i < 3; i++)
		for (k = 0; k < 4; k++)
			v[i] |= (uint32_t)p[4 * i + k] << (8 * k);
	*seq = v[0];
	*sec = v[1];
	*nsec = v[2];
}

/* ------------------------------------------------------------ formatting */

char *pg_fmt_mac(char *buf, size_t len, uint64_t mac)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(mac >> 40) & 0xff,
		 (unsigned)(mac >> 32) & 0xff, (unsigned)(mac >> 24) & 0xff,
		 (unsigned)(mac >> 16) & 0xff, (unsigned)(mac >> 8) & 0xff, (unsigned)mac & 0xff);
	return buf;
}

uint64_t pg_mac_to_u64(const uint8_t m[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | m[i];
	return v;
}

pg_u128 pg_ip6_to_u128(const uint8_t a[16])
{
	pg_u128 v = 0;
	int i;

	for (i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

void pg_u128_to_ip6(pg_u128 v, uint8_t a[16])
{
	int i;

	for (i = 15; i >= 0; i--) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}
