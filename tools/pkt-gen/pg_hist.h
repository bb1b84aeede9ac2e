/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Latency statistics for pkt-gen's ping and --latency (tools.md 3.7, 8.5):
 * a log-linear histogram (each power of two from 1 ns to 2^40 ns split
 * into 128 equal buckets, exact below 128 ns) with the exact minimum,
 * maximum, sum and sum of squares, percentiles, and the per-interval
 * power-of-two counts of netmap's "k:" line.
 *
 * Not thread safe: one writer; readers copy under the owner's lock or
 * after the owner has stopped.
 */
#ifndef PG_HIST_H
#define PG_HIST_H

#include <stdint.h>
#include <stdio.h>

#define PG_HIST_SUB		128
#define PG_HIST_TOP		40	/* highest power of two kept */
#define PG_HIST_BUCKETS		(PG_HIST_SUB + (PG_HIST_TOP - 6) * PG_HIST_SUB)
#define PG_POW2_BUCKETS		(PG_HIST_TOP + 1)

struct pg_hist {
	uint64_t count, min, max;
	double sum, sumsq;
	uint64_t bucket[PG_HIST_BUCKETS];
};

/* The short statistics of one report interval. */
struct pg_lat_interval {
	uint64_t count, min, max;
	double sum;
	uint64_t pow2[PG_POW2_BUCKETS];	/* [2^j, 2^(j+1)) ns */
};

void pg_hist_init(struct pg_hist *h);
void pg_hist_add(struct pg_hist *h, uint64_t ns);
void pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src);

/* Bucket bounds: [lower, upper). */
void pg_hist_bounds(unsigned idx, uint64_t *lower, uint64_t *upper);

/* The upper bound of the bucket holding rank ceil(q * count), clamped. */
uint64_t pg_hist_percentile(const struct pg_hist *h, double q);

double pg_hist_mean(const struct pg_hist *h);
double pg_hist_stddev(const struct pg_hist *h);

void pg_lat_interval_reset(struct pg_lat_interval *i);
void pg_lat_interval_add(struct pg_lat_interval *i, uint64_t ns);
void pg_lat_interval_merge(struct pg_lat_interval *dst, const struct pg_lat_interval *src);

/*
 * netmap's two interval lines on stderr, under the diagnostic prefix named
 * `who`: "count <n> <what>: min <min> av <avg> ns" and "k: <lo> .. <hi>"
 * followed by the bucket counts.  Nothing is printed for an empty interval.
 */
void pg_lat_interval_print(const struct pg_lat_interval *i, const char *who,
			   const char *what);

/*
 * "<Label> min <min> avg <avg> max <max> stddev <sd> ns; p50 .. p90 .. p99 .. p99.9 .. ns"
 * or "<Label>: no replies." / "<Label>: no packets." (empty) on f.
 */
void pg_hist_print_summary(FILE *f, const struct pg_hist *h, const char *label,
			   const char *none);

/* --histogram: "<lower_ns> <upper_ns> <count>" per non-empty bucket. */
void pg_hist_print_buckets(FILE *f, const struct pg_hist *h);

#endif /* PG_HIST_H */
