// SPDX-License-Identifier: BSD-2-Clause
/*
 * Log-linear latency histogram, percentiles and netmap's interval RTT
 * lines (tools.md 3.7, 8.5).
 */
#include "pg_hist.h"

#include <math.h>
#include <string.h>

#include "nt_log.h"

static unsigned highest_bit(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static unsigned bucket_of(uint64_t ns)
{
	unsigned j;

	if (ns < PG_HIST_SUB)
		return (unsigned)ns;
	if (ns >> (PG_HIST_TOP + 1))
		ns = (1ull << (PG_HIST_TOP + 1)) - 1;	/* beyond 2^41 ns: last bucket */
	j = highest_bit(ns);
	return PG_HIST_SUB + (j - 7) * PG_HIST_SUB +
	       (unsigned)((ns >> (j - 7)) - PG_HIST_SUB);
}

void pg_hist_bounds(unsigned idx, uint64_t *lower, uint64_t *upper)
{
	unsigned j, sub;

	if (idx < PG_HIST_SUB) {
		*lower = idx;
		*upper = idx + 1;
		return;
	}
	j = 7 + (idx - PG_HIST_SUB) / PG_HIST_SUB;
	sub = (idx - PG_HIST_SUB) % PG_HIST_SUB;
	*lower = (uint64_t)(PG_HIST_SUB + sub) << (j - 7);
	*upper = *lower + (1ull << (j - 7));
}

void pg_hist_init(struct pg_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void pg_hist_add(struct pg_hist *h, uint64_t ns)
{
	if (h->count == 0 || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->count++;
	h->sum += (double)ns;
	h->sumsq += (double)ns * (double)ns;
	h->bucket[bucket_of(ns)]++;
}

void pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src)
{
	unsigned i;

	if (!src->count)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	for (i = 0; i < PG_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t pg_hist_percentile(const struct pg_hist *h, double q)
{
	uint64_t rank, seen = 0, lower, upper;
	unsigned i;

	if (!h->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < PG_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	if (i == PG_HIST_BUCKETS)
		return h->max;
	pg_hist_bounds(i, &lower, &upper);
	if (upper < h->min)
		return h->min;
	return upper > h->max ? h->max : upper;
}

double pg_hist_mean(const struct pg_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}

double pg_hist_stddev(const struct pg_hist *h)
{
	double mean, var;

	if (!h->count)
		return 0;
	mean = h->sum / (double)h->count;
	var = h->sumsq / (double)h->count - mean * mean;
	return var > 0 ? sqrt(var) : 0;
}

void pg_lat_interval_reset(struct pg_lat_interval *i)
{
	memset(i, 0, sizeof(*i));
}

void pg_lat_interval_add(struct pg_lat_interval *i, uint64_t ns)
{
	unsigned j = ns ? highest_bit(ns) : 0;

	if (i->count == 0 || ns < i->min)
		i->min = ns;
	if (ns > i->max)
		i->max = ns;
	i->count++;
	i->sum += (double)ns;
	i->pow2[j < PG_POW2_BUCKETS ? j : PG_POW2_BUCKETS - 1]++;
}

void pg_lat_interval_merge(struct pg_lat_interval *dst, const struct pg_lat_interval *src)
{
	unsigned j;

	if (!src->count)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (j = 0; j < PG_POW2_BUCKETS; j++)
		dst->pow2[j] += src->pow2[j];
}

void pg_lat_interval_print(const struct pg_lat_interval *i, const char *who,
			   const char *what)
{
	char counts[PG_POW2_BUCKETS * 24];
	size_t used = 0;
	unsigned j, lo = PG_POW2_BUCKETS, hi = 0;

	if (!i->count)
		return;	/* netmap divided by zero here */
	nt_diag_to(NULL, who, __LINE__, "count %llu %s: min %llu av %llu ns",
		   (unsigned long long)i->count, what, (unsigned long long)i->min,
		   (unsigned long long)(i->sum / (double)i->count + 0.5));
	for (j = 0; j < PG_POW2_BUCKETS; j++) {
		if (!i->pow2[j])
			continue;
		if (lo == PG_POW2_BUCKETS)
			lo = j;
		hi = j;
	}
	counts[0] = '\0';
	for (j = lo; j <= hi && used < sizeof(counts); j++)
		used += (size_t)snprintf(counts + used, sizeof(counts) - used, " %5llu",
					 (unsigned long long)i->pow2[j]);
	nt_diag_to(NULL, who, __LINE__, "k: %llu .. %llu\n\t%s", 1ull << lo, 1ull << hi,
		   counts);
}

void pg_hist_print_summary(FILE *f, const struct pg_hist *h, const char *label,
			   const char *none)
{
	if (!h->count) {
		fprintf(f, "%s: %s\n", label, none);
		return;
	}
	fprintf(f, "%s min %llu avg %llu max %llu stddev %llu ns; "
		"p50 %llu p90 %llu p99 %llu p99.9 %llu ns\n", label,
		(unsigned long long)h->min, (unsigned long long)(pg_hist_mean(h) + 0.5),
		(unsigned long long)h->max, (unsigned long long)(pg_hist_stddev(h) + 0.5),
		(unsigned long long)pg_hist_percentile(h, 0.5),
		(unsigned long long)pg_hist_percentile(h, 0.9),
		(unsigned long long)pg_hist_percentile(h, 0.99),
		(unsigned long long)pg_hist_percentile(h, 0.999));
}

void pg_hist_print_buckets(FILE *f, const struct pg_hist *h)
{
	uint64_t lower, upper;
	unsigned i;

	for (i = 0; i < PG_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		pg_hist_bounds(i, &lower, &upper);
		fprintf(f, "%llu %llu %llu\n", (unsigned long long)lower,
			(unsigned long long)upper, (unsigned long long)h->bucket[i]);
	}
}
