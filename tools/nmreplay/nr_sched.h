/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmreplay's schedule (tools.md 6.2, 6.3, 8.8): for every packet of every
 * loop, whether -L drops it and when it is due, relative to the origin of
 * the replay.  Pure arithmetic over the loaded trace, so that the models
 * are unit-tested exactly (test/unit/test_nmreplay_sched.c) and the
 * transmit thread only compares clocks.
 *
 * Models, in the order they apply to a packet:
 *   loss    decided first: a dropped packet takes no bandwidth time;
 *   pacing  trace timing (gaps divided by a speed-up), a constant bit
 *           rate (8 x wire length / rate per packet, + 24 bytes with
 *           ether), a constant packet rate, or none (as fast as possible);
 *   delay   added to the paced time, but never earlier than the previous
 *           packet's transmit time plus its own transmission time: delays
 *           never reorder packets.
 * Loops and files follow each other on the same absolute schedule: under
 * trace timing the next file or loop starts one gap after the last
 * packet (the trace's mean gap, or --loop-gap); under a constant rate it
 * simply continues at the configured pace (plus --loop-gap if given).
 */
#ifndef NR_SCHED_H
#define NR_SCHED_H

#include <stdint.h>

#include "nt_pcap.h"

enum nr_pace {
	NR_PACE_TRACE = 0,	/* the trace's own gaps / speedup */
	NR_PACE_BITS,		/* rate in bits per second of wire bytes */
	NR_PACE_PACKETS,	/* rate in packets per second */
	NR_PACE_NONE,		/* as fast as the port takes them */
};

enum nr_delay { NR_DELAY_NONE = 0, NR_DELAY_CONSTANT, NR_DELAY_UNIFORM, NR_DELAY_EXP };
enum nr_loss { NR_LOSS_NONE = 0, NR_LOSS_PLR, NR_LOSS_BER };

#define NR_ETHER_FRAMING	24	/* -B ether: preamble, SFD, CRC, gap */

struct nr_sched_cfg {
	enum nr_pace pace;
	double rate;			/* BITS: bits/s; PACKETS: packets/s */
	double speedup;			/* TRACE: gaps are divided by this */
	unsigned framing;		/* bytes added to each packet's length (ether) */
	enum nr_delay delay;
	double delay_a_ns, delay_b_ns;	/* constant: a; uniform: [a, b]; exp: min a, mean b */
	enum nr_loss loss;
	double loss_p;			/* plr: per packet; ber: per bit */
	int loop_gap_given;
	uint64_t loop_gap_ns;		/* --loop-gap: wall time between files and loops */
	uint64_t seed;
};

/* One packet of the replay. */
struct nr_pkt {
	uint32_t rec;			/* record of the trace */
	int drop;			/* dropped by -L */
	int last_of_loop;		/* the loop ends with this packet */
	uint64_t due_ns;		/* from the origin; meaningless when dropped */
};

struct nr_sched {
	struct nr_sched_cfg cfg;
	const struct nt_trace *t;
	const uint32_t *file_first;	/* record where each file starts */
	unsigned nfiles;
	double gap_ns;			/* between files and loops, trace timing */
	int plain;			/* no pacing, delay, loss or gap: the fast path */

	/* state */
	uint32_t next;			/* the next record */
	unsigned file;			/* the file of `next` */
	double file_origin_ns;		/* trace timing: when the file's first packet is due */
	uint64_t file_ts0;		/* and its time stamp */
	double last_trace_ns;		/* trace timing: due time of the last record */
	double units;			/* constant rates: bits or packets paced so far */
	double extra_ns;		/* constant rates: loop gaps added so far */
	double prev_tx_ns, prev_occ_ns;	/* delays: last transmit time and its duration */
	uint64_t rng;

	/* loss statistics (6.4: plr nominal / actual) */
	uint64_t considered_pkts, considered_bits, dropped;
};

/*
 * Start a schedule over trace t, whose files begin at the records
 * file_first[0..nfiles-1] (file_first[0] == 0).
 */
void nr_sched_init(struct nr_sched *s, const struct nr_sched_cfg *cfg, const struct nt_trace *t,
		   const uint32_t *file_first, unsigned nfiles);

/* The next packet, looping over the trace for ever. */
void nr_sched_next(struct nr_sched *s, struct nr_pkt *p);

/*
 * The gap that joins files and loops under trace timing (8.8): the
 * trace's mean inter-packet gap in trace time (0 for one packet per
 * file), divided by the speed-up; or --loop-gap.
 */
double nr_sched_gap_ns(const struct nr_sched *s);

/* One loop in trace time at speed 1: the files' spans joined by the mean gap. */
double nr_trace_span_ns(const struct nt_trace *t, const uint32_t *file_first, unsigned nfiles);

/* The measured loss so far: dropped over packets (plr) or over bits (ber). */
double nr_sched_loss_actual(const struct nr_sched *s);

#endif /* NR_SCHED_H */
