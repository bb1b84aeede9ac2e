// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: lb's header walk and flow hash (tools/lb/lb_hash.c),
 * the input being one Ethernet frame as a pipe delivers it (any bytes,
 * any length).  The walk must end in one of its three kinds, the table
 * hash must equal the bit-by-bit one on the first 36 bytes, and a non-IP
 * frame must hash alike with its MAC addresses swapped (the hash is
 * symmetric; the IP cases' symmetry is checked in test_lb).
 */
#include <stdint.h>
#include <string.h>

#include "lb_hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum lb_hash_kind kind;
	uint8_t swapped[64];
	size_t n = size < 36 ? size : 36;

	(void)lb_hash_frame(data, size, &kind);
	if (kind > LB_HASH_NON_IP)
		__builtin_trap();
	if (lb_hash_bytes(data, n) != lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), data, n))
		__builtin_trap();
	/* a non-IP frame with its MAC addresses swapped hashes alike */
	if (kind == LB_HASH_NON_IP && size >= 12 && size <= sizeof(swapped)) {
		memcpy(swapped, data + 6, 6);
		memcpy(swapped + 6, data, 6);
		memcpy(swapped + 12, data + 12, size - 12);
		if (lb_hash_frame(swapped, size, &kind) != lb_hash_frame(data, size, NULL) &&
		    kind == LB_HASH_NON_IP)
			__builtin_trap();
	}
	return 0;
}
