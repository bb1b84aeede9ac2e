// SPDX-License-Identifier: BSD-2-Clause
/*
 * raw_copy: the physical limit for a copying switch.  The raw_ring of
 * descriptors between two pinned processes, where the producer also
 * copies each frame (60 bytes by default, -l 1514 for full frames) from
 * its private buffers into the shared buffer the descriptor names, as a
 * VALE sender copies into the receiver's ring.  Prints the consumer's
 * rate.
 *
 *   raw_copy [-l LEN] [-b BATCH] [-d SECONDS] [-a TX_CPU] [-A RX_CPU]
 *   -> raw_copy mpps=... packets=... seconds=... len=60
 */
#include "spsc.h"

int main(int argc, char **argv)
{
	struct spsc_conf cf = {
		.name = "raw_copy", .copy = 1, .len = 60, .batch = 512,
		.seconds = 2, .cpu_tx = 0, .cpu_rx = 1,
	};

	return spsc_main(argc, argv, &cf);
}
