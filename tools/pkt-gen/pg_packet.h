/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt-gen's frame construction (tools.md 3.4): Ethernet/IPv4/IPv6/UDP
 * headers with valid checksums, the payload pattern, the address odometer
 * and random addresses, and the split of a frame over several slots.
 *
 * A frame of `size` bytes is its header (built per packet, or once per
 * size when nothing varies) followed by the payload pattern, whose last
 * byte is 0.  The pattern is global and read-only after pg_pattern_init(),
 * and its running 16-bit word sums are precomputed, so the UDP checksum of
 * any size costs O(1): senders never checksum the payload per packet.
 * Nothing here allocates after init, prints or touches a ring.
 */
#ifndef PG_PACKET_H
#define PG_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define PG_SIZE_MAX		65536
#define PG_ETH_HLEN		14
#define PG_OFF4			42	/* payload offset, IPv4 */
#define PG_OFF6			62	/* payload offset, IPv6 */
#define PG_HDR_MAX		(PG_OFF6 + PG_PROBE_LEN)
#define PG_PROBE_LEN		12	/* seq, sec, nsec (3.3) */
#define PG_SEQ_LEN		4	/* txseq's big-endian sequence number */

typedef unsigned __int128 pg_u128;

enum { PG_SRC = 0, PG_DST = 1 };

/* What -s, -d, -S, -D, -z, -Z, --flows configure. */
struct pg_endpoints {
	int af;				/* 4 or 6 */
	uint32_t ip4_lo[2], ip4_hi[2];	/* host order */
	pg_u128 ip6_lo[2], ip6_hi[2];	/* the address as a big number */
	uint16_t port_lo[2], port_hi[2];
	uint64_t mac_lo[2], mac_hi[2];	/* 48-bit numbers */
	int random[2];			/* -z, -Z */
};

/* The addresses of one packet: a position of the odometer. */
struct pg_flow {
	uint32_t ip4[2];
	pg_u128 ip6[2];
	uint16_t port[2];
	uint64_t mac[2];
};

/* Build the payload pattern ("indirect" wording for -I). */
void pg_pattern_init(int indirect);

/* Payload offset for the address family. */
static inline unsigned pg_payload_off(int af)
{
	return af == 6 ? PG_OFF6 : PG_OFF4;
}

/* Does anything change from one packet to the next (ranges, -z, -Z)? */
int pg_endpoints_vary(const struct pg_endpoints *e);

/* The first position of the odometer. */
void pg_flow_first(const struct pg_endpoints *e, struct pg_flow *f);

/*
 * Advance the odometer: source port fastest, then source address,
 * destination port, destination address, source MAC, destination MAC.
 */
void pg_flow_next(const struct pg_endpoints *e, struct pg_flow *f);

/* Advance by n positions (thread start offsets for --flows). */
void pg_flow_skip(const struct pg_endpoints *e, struct pg_flow *f, uint64_t n);

/* Random addresses for -z/-Z (only the randomised sides change). */
void pg_flow_random(const struct pg_endpoints *e, struct pg_flow *f, uint64_t *rng);

/* xorshift64*: cheap per-thread randomness. */
static inline uint64_t pg_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/*
 * Write the header of a frame of `size` bytes into h (PG_HDR_MAX bytes),
 * followed by `probe_len` bytes of probe (txseq or ping layout) when probe
 * is not NULL, with every length and checksum valid for the whole frame.
 * Frames shorter than the header stack get the header of the smallest full
 * frame.  Returns how many bytes of h belong in the frame:
 * min(size, payload offset + probe_len).
 */
unsigned pg_build_header(uint8_t *h, const struct pg_endpoints *e, const struct pg_flow *f,
			 uint32_t size, const uint8_t *probe, unsigned probe_len);

/*
 * Bytes [from, from + len) of the frame of `size` bytes whose header
 * (pg_build_header() without probe) is hdr: header, pattern, final 0.
 */
void pg_frame_bytes(uint8_t *dst, const uint8_t *hdr, int af, uint32_t size, uint32_t from,
		    uint32_t len);

/* How a frame is split over slots (-F, -M, buffer size). */
struct pg_split {
	uint32_t nfrags;	/* slots per frame */
	uint32_t frag_len;	/* bytes in every slot but the last */
	uint32_t last_len;	/* bytes in the last slot */
};

/*
 * Split a frame of `size` bytes into `frags` slots (-F) of at most
 * `max_frag` bytes (-M, already reduced to the buffer size); the number of
 * slots grows when needed and shrinks to `size` for tiny frames.
 */
void pg_split_frame(uint32_t size, uint32_t frags, uint32_t max_frag, struct pg_split *s);

/* Internet checksum helpers. */
uint32_t pg_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t pg_csum_fold(uint64_t sum);

/* Little-endian probe of 3.3: seq, seconds, nanoseconds. */
void pg_probe_write(uint8_t *p, uint32_t seq, uint64_t sec, uint32_t nsec);
void pg_probe_read(const uint8_t *p, uint32_t *seq, uint64_t *sec, uint32_t *nsec);

/* Format helpers for the start-up lines. */
char *pg_fmt_mac(char *buf, size_t len, uint64_t mac);
uint64_t pg_mac_to_u64(const uint8_t m[6]);
pg_u128 pg_ip6_to_u128(const uint8_t a[16]);
void pg_u128_to_ip6(pg_u128 v, uint8_t a[16]);

#endif /* PG_PACKET_H */
