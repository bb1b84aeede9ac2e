/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Statistics shared by the tools (tools.md 1.6, 2.3, 3.7): number
 * formatting, per-worker counter blocks, snapshots and deltas, rate
 * arithmetic, pkt-gen's periodic line and final summary, and a reporter
 * that wakes on an absolute schedule.
 *
 * Concurrency contract of struct nt_counters: exactly one worker thread
 * writes a block, with the nt_counters_add*() and nt_counters_note_space()
 * calls below (relaxed atomic stores, no read-modify-write, no locks).  Any
 * thread may read it through nt_snapshot_take(); the only field the reader
 * writes is report_epoch, which starts a new min_space interval.
 */
#ifndef NT_STATS_H
#define NT_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NT_STATS_RINGS_MAX	64
#define NT_REPORT_MIN_NS	10000000ull	/* shorter deltas are folded into the next */
#define NT_FRAMING_BYTES	24		/* preamble, SFD, CRC and gap (-B) */
#define NT_MIN_WIRE_FRAME	60		/* shorter frames are padded on the wire */
#define NT_RATE_WINDOW		15		/* -A: intervals in the rate average */

/* ------------------------------------------------------------ formatting */

/*
 * "14.881 M", "512.000 ", "1500.000 T" (value, three decimals, a space and
 * a prefix among "", K, M, G, T; rounding after scaling).  With no_normalize:
 * "14881000 " (no decimals, no prefix).  The caller glues on the unit.
 * Returns buf.
 */
char *nt_fmt_norm(char *buf, size_t len, double v, int no_normalize);

/* ------------------------------------------------------------ counters */

struct nt_counters {
	_Atomic uint64_t pkts;
	_Atomic uint64_t bytes;
	_Atomic uint64_t events;
	_Atomic uint64_t drops;
	_Atomic uint64_t min_space;	/* smallest headroom in interval space_epoch */
	_Atomic uint64_t space_epoch;	/* written by the worker */
	_Atomic uint64_t report_epoch;	/* written by the reader */
	_Atomic uint64_t max_value;	/* largest value noted in interval max_epoch */
	_Atomic uint64_t max_epoch;	/* written by the worker */
	unsigned nrings;		/* per-ring entries in use; set before the worker starts */
	_Atomic uint64_t ring_pkts[NT_STATS_RINGS_MAX];
	_Atomic uint64_t ring_bytes[NT_STATS_RINGS_MAX];
};

/* Before the worker starts. */
void nt_counters_init(struct nt_counters *c, unsigned nrings);

static inline void nt_counter_bump(_Atomic uint64_t *counter, uint64_t n)
{
	/* Single writer: a relaxed load and store publish without a locked RMW. */
	atomic_store_explicit(counter,
			      atomic_load_explicit(counter, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* Owning worker only: after each batch. */
static inline void nt_counters_add(struct nt_counters *c, uint64_t pkts, uint64_t bytes,
				   uint64_t events)
{
	nt_counter_bump(&c->pkts, pkts);
	nt_counter_bump(&c->bytes, bytes);
	nt_counter_bump(&c->events, events);
}

static inline void nt_counters_add_drops(struct nt_counters *c, uint64_t drops)
{
	nt_counter_bump(&c->drops, drops);
}

/* Owning worker only; rings at or above NT_STATS_RINGS_MAX are not counted. */
static inline void nt_counters_add_ring(struct nt_counters *c, unsigned ring, uint64_t pkts,
					uint64_t bytes)
{
	if (ring < NT_STATS_RINGS_MAX) {
		nt_counter_bump(&c->ring_pkts[ring], pkts);
		nt_counter_bump(&c->ring_bytes[ring], bytes);
	}
}

/* Owning worker only: the headroom seen when placing or finding a batch. */
static inline void nt_counters_note_space(struct nt_counters *c, uint64_t space)
{
	uint64_t epoch = atomic_load_explicit(&c->report_epoch, memory_order_relaxed);

	if (atomic_load_explicit(&c->space_epoch, memory_order_relaxed) != epoch ||
	    space < atomic_load_explicit(&c->min_space, memory_order_relaxed)) {
		atomic_store_explicit(&c->min_space, space, memory_order_relaxed);
		/* Release: a reader that sees the epoch also sees its minimum. */
		atomic_store_explicit(&c->space_epoch, epoch, memory_order_release);
	}
}

/*
 * Owning worker only: a value whose largest per interval is reported
 * (nmreplay's lateness), with the same epochs as min_space.
 */
static inline void nt_counters_note_max(struct nt_counters *c, uint64_t v)
{
	uint64_t epoch = atomic_load_explicit(&c->report_epoch, memory_order_relaxed);

	if (atomic_load_explicit(&c->max_epoch, memory_order_relaxed) != epoch ||
	    v > atomic_load_explicit(&c->max_value, memory_order_relaxed)) {
		atomic_store_explicit(&c->max_value, v, memory_order_relaxed);
		atomic_store_explicit(&c->max_epoch, epoch, memory_order_release);
	}
}

/* ------------------------------------------------------------ snapshots */

/* Totals over all workers at one instant. */
struct nt_snapshot {
	uint64_t ns;			/* CLOCK_MONOTONIC */
	uint64_t pkts, bytes, events, drops;
	uint64_t min_space;		/* sum of the workers' minimums in the interval */
	unsigned space_seen;		/* workers that reported headroom in the interval */
	uint64_t max_value;		/* largest nt_counters_note_max() in the interval */
	unsigned nrings;
	uint64_t ring_pkts[NT_STATS_RINGS_MAX];
	uint64_t ring_bytes[NT_STATS_RINGS_MAX];
};

/* What happened between two snapshots. */
struct nt_delta {
	uint64_t usec;			/* measured interval, at least 1 */
	uint64_t pkts, bytes, events, drops;
	uint64_t min_space;
	unsigned space_seen;
	uint64_t max_value;
	unsigned nrings;
	uint64_t ring_pkts[NT_STATS_RINGS_MAX];
	uint64_t ring_bytes[NT_STATS_RINGS_MAX];
};

uint64_t nt_now_ns(void);	/* CLOCK_MONOTONIC in nanoseconds */

/* Sum the blocks and start a new min_space interval in each. */
void nt_snapshot_take(struct nt_snapshot *s, struct nt_counters *blocks, unsigned nblocks);

void nt_delta_compute(struct nt_delta *d, const struct nt_snapshot *cur,
		      const struct nt_snapshot *prev);

/* pps = (pkts * 10^6 + usec / 2) / usec, an integer rounded to nearest. */
uint64_t nt_rate_pps(uint64_t pkts, uint64_t usec);

/* bps = 10^6 * (8 * bytes + pkts * framing_bits) / usec. */
double nt_rate_bps(uint64_t bytes, uint64_t pkts, unsigned framing_bits, uint64_t usec);

/* Bytes a frame of len bytes occupies on the wire with -B (padding, framing). */
static inline uint64_t nt_wire_bytes(uint64_t len)
{
	return (len < NT_MIN_WIRE_FRAME ? NT_MIN_WIRE_FRAME : len) + NT_FRAMING_BYTES;
}

/* ------------------------------------------------------------ printers */

/* -A: the last NT_RATE_WINDOW non-zero interval rates. */
struct nt_rate_window {
	double rate[NT_RATE_WINDOW];
	unsigned count, next;
};

void nt_rate_window_add(struct nt_rate_window *w, double rate);	/* ignores 0 */
/* Mean and (population) standard deviation; 0 and 0 when empty. */
void nt_rate_window_stats(const struct nt_rate_window *w, double *mean, double *stddev);

/*
 * "<pps>pps (<pkts>pkts <bps>bps in <usec> usec)", the core of every
 * tool's periodic line; usec 0 leaves out " in <usec> usec".
 */
int nt_fmt_interval(char *buf, size_t len, uint64_t pps, uint64_t pkts, double bps,
		    uint64_t usec, int no_normalize);

/* pkt-gen's periodic line (tools.md 3.7). */
struct nt_periodic {
	unsigned framing_bits;		/* 0, or 8 * NT_FRAMING_BYTES with -B */
	int no_normalize;		/* -N */
	int avg_stats;			/* -A */
	struct nt_rate_window window;
};

/*
 * The line without its prefix:
 * "<pps>pps <W>(<pkts>pkts <bps>bps in <usec> usec) <batch> avg_batch <space> min_space".
 * With avg_stats the interval's rate enters the window first.
 */
int nt_fmt_periodic(char *buf, size_t len, struct nt_periodic *p, const struct nt_delta *d);

/* The same with the prefix of tools.md 1.5 and NAME main_thread, on f. */
void nt_print_periodic(FILE *f, struct nt_periodic *p, const struct nt_delta *d);

/* Totals for the final summary. */
struct nt_totals {
	uint64_t pkts, bytes, events;
	uint64_t raw_bytes;		/* bytes for the raw figure: with -B the sum of
					 * nt_wire_bytes(); 0 means the same as bytes */
	uint64_t elapsed_ns;		/* 0 counts as one microsecond */
};

/*
 * "Sent|Received <P> packets <B> bytes <E> events <S> bytes each in <T> seconds.\n"
 * "Speed: <pps>pps Bandwidth: <bw>bps (raw <raw>bps). Average batch: <A> pkts\n"
 * or "Sent nothing.\n" / "Received nothing.\n".  verb is "Sent" or "Received".
 */
int nt_fmt_summary(char *buf, size_t len, const char *verb, const struct nt_totals *t,
		   int no_normalize);
void nt_print_summary(FILE *f, const char *verb, const struct nt_totals *t, int no_normalize);

/* ------------------------------------------------------------ reporter */

/*
 * Wake-ups at t0 + k * interval on CLOCK_MONOTONIC, so reports do not drift;
 * a delta shorter than NT_REPORT_MIN_NS is folded into the next one.
 */
struct nt_reporter {
	uint64_t t0_ns, interval_ns, k;
	struct nt_snapshot prev;
};

/* Take the first snapshot; t0 is now. */
void nt_reporter_start(struct nt_reporter *r, uint64_t interval_ns, struct nt_counters *blocks,
		       unsigned nblocks);

/* Absolute time (CLOCK_MONOTONIC ns) of the next report. */
uint64_t nt_reporter_deadline(const struct nt_reporter *r);

/*
 * Sleep until the next report is due.  Returns 0 when it is (missed
 * slots are skipped, not caught up), -1 when a signal interrupted the
 * sleep: the caller checks its stop flag and sleeps again.
 */
int nt_reporter_sleep(struct nt_reporter *r);

/*
 * Snapshot now and fill d with the delta from the previous report.
 * Returns 1 when d spans at least NT_REPORT_MIN_NS (print it); 0 when it
 * is shorter: a non-final delta is then folded into the next one, while a
 * final delta (final != 0) is still valid and should go to JSON only.
 */
int nt_reporter_take(struct nt_reporter *r, struct nt_counters *blocks, unsigned nblocks,
		     int final, struct nt_delta *d);

#endif /* NT_STATS_H */
