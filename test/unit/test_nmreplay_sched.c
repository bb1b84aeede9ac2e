// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of nmreplay's schedule (tools.md 6.2, 8.8): the exact due
 * times of trace timing with speed-ups, constant bit and packet rates
 * (with ether framing), loops and files joined by the gap rule, delays
 * that never reorder, losses that take no bandwidth, and decisions that
 * repeat with the same seed.  The traces are built here, no file is read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nr_sched.h"
#include "tap.h"

#define MS	1000000ull

static struct nt_trace trace;
static struct nt_trace_rec recs[64];

/* A trace of n records of len bytes, time stamps in ns from ts[]. */
static void make_trace(unsigned n, const uint32_t *len, const uint64_t *ts)
{
	unsigned i;

	memset(&trace, 0, sizeof(trace));
	memset(recs, 0, sizeof(recs));
	trace.rec = recs;
	trace.count = n;
	for (i = 0; i < n; i++) {
		recs[i].len = recs[i].caplen = len[i];
		recs[i].ts_ns = 1700000000ull * 1000000000ull + ts[i];
	}
}

static struct nr_sched_cfg base_cfg(enum nr_pace pace, double rate)
{
	struct nr_sched_cfg c;

	memset(&c, 0, sizeof(c));
	c.pace = pace;
	c.rate = rate;
	c.speedup = 1;
	c.seed = 7;
	return c;
}

/* The due times of the next n packets. */
static void take(struct nr_sched *s, unsigned n, uint64_t *due, int *drop, int *last)
{
	struct nr_pkt p;
	unsigned i;

	for (i = 0; i < n; i++) {
		nr_sched_next(s, &p);
		due[i] = p.due_ns;
		if (drop)
			drop[i] = p.drop;
		if (last)
			last[i] = p.last_of_loop;
	}
}

static void test_trace_timing(void)
{
	static const uint32_t len[4] = { 60, 100, 60, 1514 };
	static const uint64_t ts[4] = { 0, 1 * MS, 3 * MS, 6 * MS };
	static const uint32_t one_file[1] = { 0 };
	struct nr_sched_cfg c = base_cfg(NR_PACE_TRACE, 0);
	struct nr_sched s;
	uint64_t due[8];
	int last[8];

	make_trace(4, len, ts);
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 8, due, NULL, last);
	/* loop 2 starts one mean gap (6 ms / 3 gaps = 2 ms) after the last packet */
	ok(due[0] == 0 && due[1] == 1 * MS && due[2] == 3 * MS && due[3] == 6 * MS,
	   "trace timing: the trace's own gaps");
	ok(due[4] == 8 * MS && due[5] == 9 * MS && due[6] == 11 * MS && due[7] == 14 * MS,
	   "loop 2: one mean gap after the last packet, same gaps");
	ok(!last[0] && !last[2] && last[3] && !last[4] && last[7], "the last packet of each loop");
	is_int((long)nr_sched_gap_ns(&s), (long)(2 * MS), "the gap is the mean gap");
	is_int((long)nr_trace_span_ns(&trace, one_file, 1), (long)(6 * MS), "span of one loop");

	c.speedup = 2;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 5, due, NULL, NULL);
	ok(due[1] == MS / 2 && due[3] == 3 * MS && due[4] == 4 * MS,
	   "speed-up 2 halves every gap, the loop gap too");

	c.speedup = 1;
	c.loop_gap_given = 1;
	c.loop_gap_ns = 10 * MS;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 5, due, NULL, NULL);
	ok(due[4] == 16 * MS, "--loop-gap replaces the mean gap");
}

static void test_files(void)
{
	static const uint32_t len[5] = { 60, 60, 60, 60, 60 };
	/* file 1: 0, 2 ms; file 2 (other clock): 100 s, +1 ms, +3 ms */
	static const uint64_t ts[5] = { 0, 2 * MS, 100000 * MS, 100001 * MS, 100003 * MS };
	static const uint32_t files[2] = { 0, 2 };
	struct nr_sched_cfg c = base_cfg(NR_PACE_TRACE, 0);
	struct nr_sched s;
	uint64_t due[6];
	int last[6];

	make_trace(5, len, ts);
	nr_sched_init(&s, &c, &trace, files, 2);
	take(&s, 6, due, NULL, last);
	/* mean gap: (2 + 3) ms over 3 gaps */
	ok(fabs(nr_sched_gap_ns(&s) - 5.0 * MS / 3) < 1, "mean gap over both files");
	ok(due[0] == 0 && due[1] == 2 * MS, "file 1 with its gaps");
	ok(due[2] == 2 * MS + 5 * MS / 3 && due[3] == due[2] + MS && due[4] == due[2] + 3 * MS,
	   "file 2 starts one gap after file 1, whatever its clock");
	ok(!last[1] && last[4] && llabs((long long)(due[5] - due[4] - 5 * MS / 3)) <= 1,
	   "then the next loop, one gap later");
	is_int((long)nr_trace_span_ns(&trace, files, 2), (long)(5 * MS + 5 * MS / 3),
	       "span: the files and the gap between them");
}

static void test_rates(void)
{
	static const uint32_t len[3] = { 1000, 500, 1500 };
	static const uint64_t ts[3] = { 0, 1, 2 };
	static const uint32_t one_file[1] = { 0 };
	struct nr_sched_cfg c = base_cfg(NR_PACE_BITS, 8e6);	/* 1 byte per microsecond */
	struct nr_sched s;
	uint64_t due[6];

	make_trace(3, len, ts);
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 6, due, NULL, NULL);
	ok(due[0] == 0 && due[1] == 1000000 && due[2] == 1500000 && due[3] == 3000000 &&
	   due[4] == 4000000 && due[5] == 4500000,
	   "constant rate: 8 x len / rate each, loops continue at the same pace");

	c.framing = NR_ETHER_FRAMING;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 3, due, NULL, NULL);
	ok(due[1] == 1024000 && due[2] == 1548000, "ether: 24 bytes more per packet");

	c = base_cfg(NR_PACE_PACKETS, 1000);
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 4, due, NULL, NULL);
	ok(due[0] == 0 && due[1] == MS && due[2] == 2 * MS && due[3] == 3 * MS,
	   "--pps: one packet per 1/rate, sizes ignored");

	c = base_cfg(NR_PACE_NONE, 0);
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 4, due, NULL, NULL);
	ok(!due[0] && !due[1] && !due[2] && !due[3], "no pacing: everything due at once");
}

static void test_loss(void)
{
	static uint32_t len[64];
	static uint64_t ts[64];
	static const uint32_t one_file[1] = { 0 };
	struct nr_sched_cfg c = base_cfg(NR_PACE_BITS, 8e6);
	struct nr_sched s, s2;
	uint64_t due[64], due2[64], prev = 0;
	int drop[64], drop2[64], dropped = 0, same = 1, first = 1;
	unsigned i;

	for (i = 0; i < 64; i++) {
		len[i] = 1000;
		ts[i] = i;
	}
	make_trace(64, len, ts);
	c.loss = NR_LOSS_PLR;
	c.loss_p = 0.5;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 64, due, drop, NULL);
	nr_sched_init(&s2, &c, &trace, one_file, 1);
	take(&s2, 64, due2, drop2, NULL);
	for (i = 0; i < 64; i++) {
		same &= drop[i] == drop2[i] && (drop[i] || due[i] == due2[i]);
		dropped += drop[i];
		if (drop[i])
			continue;
		/* a dropped packet takes no bandwidth: sent packets follow each other */
		if (!first && due[i] != prev + 1000000)
			same = 2;
		prev = due[i];
		first = 0;
	}
	is_int(same, 1, "plr: the same seed gives the same decisions; drops use no time");
	ok(dropped > 16 && dropped < 48, "plr 0.5: about half dropped (%d of 64)", dropped);
	ok(s.dropped == (uint64_t)dropped && s.considered_pkts == 64 &&
	   fabs(nr_sched_loss_actual(&s) - dropped / 64.0) < 1e-12, "plr actual = dropped / packets");

	c.seed = 8;
	nr_sched_init(&s2, &c, &trace, one_file, 1);
	take(&s2, 64, due2, drop2, NULL);
	for (i = 0, same = 1; i < 64; i++)
		same &= drop[i] == drop2[i];
	ok(!same, "another seed, other decisions");

	c.loss_p = 1;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 64, due, drop, NULL);
	for (i = 0, dropped = 0; i < 64; i++)
		dropped += drop[i];
	is_int(dropped, 64, "plr 1: every packet dropped");

	c.loss = NR_LOSS_BER;
	c.loss_p = 1e-3;	/* 8000 bits: 1 - 0.999^8000 = 0.99966 */
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 64, due, drop, NULL);
	for (i = 0, dropped = 0; i < 64; i++)
		dropped += drop[i];
	ok(dropped >= 60 && s.considered_bits == 64 * 8000, "ber: per bit, over 8 x len bits");
	c.loss_p = 0;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 64, due, drop, NULL);
	for (i = 0, dropped = 0; i < 64; i++)
		dropped += drop[i];
	is_int(dropped, 0, "ber 0: nothing dropped");
}

static void test_delay(void)
{
	static uint32_t len[64];
	static uint64_t ts[64];
	static const uint32_t one_file[1] = { 0 };
	struct nr_sched_cfg c = base_cfg(NR_PACE_BITS, 8e9);	/* 1 byte per ns */
	struct nr_sched s;
	uint64_t due[64];
	unsigned i;
	int ordered = 1, bounded = 1;
	double sum = 0, min = 1e30;

	for (i = 0; i < 64; i++) {
		len[i] = 1000;
		ts[i] = i;
	}
	make_trace(64, len, ts);
	c.delay = NR_DELAY_CONSTANT;
	c.delay_a_ns = 5 * MS;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 3, due, NULL, NULL);
	ok(due[0] == 5 * MS && due[1] == 5 * MS + 1000 && due[2] == 5 * MS + 2000,
	   "constant delay: paced time plus the delay");

	c.delay = NR_DELAY_UNIFORM;
	c.delay_a_ns = 1 * MS;
	c.delay_b_ns = 2 * MS;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	take(&s, 64, due, NULL, NULL);
	for (i = 0; i < 64; i++) {
		if (i && due[i] < due[i - 1] + 1000)
			ordered = 0;
		if (due[i] < i * 1000 + 1 * MS)
			bounded = 0;
	}
	ok(ordered, "uniform delay: never earlier than the previous packet plus its time");
	ok(bounded, "uniform delay: at least the minimum");

	c.delay = NR_DELAY_EXP;
	c.delay_a_ns = 1 * MS;
	c.delay_b_ns = 3 * MS;
	c.pace = NR_PACE_NONE;
	nr_sched_init(&s, &c, &trace, one_file, 1);
	for (i = 0; i < 20000; i++) {
		struct nr_pkt p;
		double d;

		/* without pacing each draw is a fresh start: read it before the order rule */
		s.prev_tx_ns = -1;
		nr_sched_next(&s, &p);
		d = (double)p.due_ns;
		sum += d;
		min = d < min ? d : min;
	}
	ok(min >= 1 * MS, "exp delay: at least the minimum");
	ok(fabs(sum / 20000 - 3.0 * MS) < 0.1 * MS, "exp delay: mean %.0f ns, expected 3 ms",
	   sum / 20000);
}

int main(void)
{
	test_trace_timing();
	test_files();
	test_rates();
	test_loss();
	test_delay();
	return tap_done();
}
