/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lb's flow hash (tools.md 7.3): a Toeplitz hash whose 40-byte key repeats
 * the bytes 0x6d 0x5a, which makes it symmetric: the two directions of a
 * connection hash alike, so they reach the same consumer.
 *
 * Input, in this order: source address, destination address, and for TCP,
 * UDP and SCTP the source and destination ports.  One or two VLAN tags
 * (0x8100, 0x88a8) are skipped; IP-in-IP, IPv6 in IP and GRE carrying IP or
 * Ethernet are hashed on their inner headers; fragments (IPv4 with
 * more-fragments or an offset, IPv6 with a fragment header) on addresses
 * only, so all fragments of a datagram stay together.  Anything else is
 * hashed on the last four bytes of the source and destination MAC
 * addresses and counted as non-IP.  A frame too short for the headers it
 * announces is hashed on what it holds: the outer headers of a truncated
 * tunnel, the addresses of a truncated L4 header, the MAC bytes (non-IP)
 * of a truncated outer IP header.
 *
 * Private to lb and its tests; nothing here prints or allocates.
 */
#ifndef LB_HASH_H
#define LB_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LB_HASH_KEY_LEN		40

/* The symmetric key: 0x6d 0x5a repeated. */
extern const uint8_t lb_hash_key[LB_HASH_KEY_LEN];

/*
 * The Toeplitz hash of data[0..len) under any key, computed bit by bit:
 * for each set input bit i (most significant bit of byte 0 first), XOR in
 * the 32 key bits that start at bit i.  The key must be at least len + 4
 * bytes long.  The reference the fast hash is tested against.
 */
uint32_t lb_toeplitz(const uint8_t *key, size_t keylen, const uint8_t *data, size_t len);

/*
 * The same hash under lb_hash_key for len <= 36 (an IPv6 4-tuple), by
 * table lookup: with a key of period 16 bits, a byte's contribution only
 * depends on whether its position is even or odd.
 */
uint32_t lb_hash_bytes(const uint8_t *data, size_t len);

/* What lb_hash_frame() found. */
enum lb_hash_kind {
	LB_HASH_L4 = 0,		/* addresses and ports */
	LB_HASH_ADDRS,		/* addresses only (fragment, other protocol, short L4) */
	LB_HASH_NON_IP,		/* MAC bytes: counted as non-IP */
};

/*
 * The flow hash of an Ethernet frame of len bytes.  kind, if not NULL,
 * receives what was hashed.
 */
uint32_t lb_hash_frame(const uint8_t *frame, size_t len, enum lb_hash_kind *kind);

#endif /* LB_HASH_H */
