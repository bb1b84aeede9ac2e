// SPDX-License-Identifier: BSD-2-Clause
/*
 * raw_ring: the physical limit for a netmap pipe.  Two processes (fork,
 * shared anonymous memory) pinned to two CPUs move 16-byte descriptors
 * through a 1024-slot single-producer/single-consumer ring in batches
 * (512 by default); no data is copied.  Prints the consumer's rate.
 *
 *   raw_ring [-l LEN] [-b BATCH] [-d SECONDS] [-a TX_CPU] [-A RX_CPU]
 *   -> raw_ring mpps=... packets=... seconds=...
 */
#include "spsc.h"

int main(int argc, char **argv)
{
	struct spsc_conf cf = {
		.name = "raw_ring", .copy = 0, .len = 60, .batch = 512,
		.seconds = 2, .cpu_tx = 0, .cpu_rx = 1,
	};

	return spsc_main(argc, argv, &cf);
}
