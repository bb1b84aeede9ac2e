// SPDX-License-Identifier: BSD-2-Clause
/*
 * Number formatting, snapshots and deltas, rate arithmetic, the periodic
 * line, the final summary and the absolute-schedule reporter.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_stats.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "nt_log.h"

char *nt_fmt_norm(char *buf, size_t len, double v, int no_normalize)
{
	static const char *const prefix[] = { "", "K", "M", "G", "T" };
	unsigned i = 0;

	if (no_normalize) {
		snprintf(buf, len, "%.0f ", v);
		return buf;
	}
	/* Scale first and round when printing, so 999999.7 is "1000.000 K". */
	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.3f %s", v, prefix[i]);
	return buf;
}

void nt_counters_init(struct nt_counters *c, unsigned nrings)
{
	unsigned i;

	atomic_init(&c->pkts, 0);
	atomic_init(&c->bytes, 0);
	atomic_init(&c->events, 0);
	atomic_init(&c->drops, 0);
	atomic_init(&c->min_space, 0);
	/* Different epochs: no headroom has been seen yet. */
	atomic_init(&c->space_epoch, 0);
	atomic_init(&c->max_value, 0);
	atomic_init(&c->max_epoch, 0);
	atomic_init(&c->report_epoch, 1);
	c->nrings = nrings < NT_STATS_RINGS_MAX ? nrings : NT_STATS_RINGS_MAX;
	for (i = 0; i < NT_STATS_RINGS_MAX; i++) {
		atomic_init(&c->ring_pkts[i], 0);
		atomic_init(&c->ring_bytes[i], 0);
	}
}

uint64_t nt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define LOAD(x)	atomic_load_explicit(&(x), memory_order_relaxed)

void nt_snapshot_take(struct nt_snapshot *s, struct nt_counters *blocks, unsigned nblocks)
{
	unsigned b, i;

	memset(s, 0, sizeof(*s));
	s->ns = nt_now_ns();
	for (b = 0; b < nblocks; b++) {
		struct nt_counters *c = &blocks[b];
		uint64_t epoch = LOAD(c->report_epoch);

		s->pkts += LOAD(c->pkts);
		s->bytes += LOAD(c->bytes);
		s->events += LOAD(c->events);
		s->drops += LOAD(c->drops);
		if (atomic_load_explicit(&c->space_epoch, memory_order_acquire) == epoch) {
			s->min_space += LOAD(c->min_space);
			s->space_seen++;
		}
		if (atomic_load_explicit(&c->max_epoch, memory_order_acquire) == epoch &&
		    LOAD(c->max_value) > s->max_value)
			s->max_value = LOAD(c->max_value);
		atomic_store_explicit(&c->report_epoch, epoch + 1, memory_order_relaxed);
		if (c->nrings > s->nrings)
			s->nrings = c->nrings;
		for (i = 0; i < c->nrings; i++) {
			s->ring_pkts[i] += LOAD(c->ring_pkts[i]);
			s->ring_bytes[i] += LOAD(c->ring_bytes[i]);
		}
	}
}

void nt_delta_compute(struct nt_delta *d, const struct nt_snapshot *cur,
		      const struct nt_snapshot *prev)
{
	unsigned i;

	memset(d, 0, sizeof(*d));
	d->usec = cur->ns > prev->ns ? (cur->ns - prev->ns + 500) / 1000 : 0;
	if (d->usec == 0)
		d->usec = 1;
	d->pkts = cur->pkts - prev->pkts;
	d->bytes = cur->bytes - prev->bytes;
	d->events = cur->events - prev->events;
	d->drops = cur->drops - prev->drops;
	/* Minimums are per interval already; the current snapshot holds them. */
	d->min_space = cur->min_space;
	d->space_seen = cur->space_seen;
	d->max_value = cur->max_value;
	d->nrings = cur->nrings;
	for (i = 0; i < cur->nrings; i++) {
		d->ring_pkts[i] = cur->ring_pkts[i] - prev->ring_pkts[i];
		d->ring_bytes[i] = cur->ring_bytes[i] - prev->ring_bytes[i];
	}
}

uint64_t nt_rate_pps(uint64_t pkts, uint64_t usec)
{
	uint64_t whole, rest;

	if (usec == 0)
		usec = 1;
	/*
	 * pkts * 10^6 overflows 64 bits beyond 1.8e13 packets, so divide the
	 * whole intervals out first; with pkts = whole * usec + rest the result
	 * is exactly (pkts * 10^6 + usec / 2) / usec.
	 */
	whole = pkts / usec;
	rest = pkts % usec;
	return whole * 1000000u + (rest * 1000000u + usec / 2) / usec;
}

double nt_rate_bps(uint64_t bytes, uint64_t pkts, unsigned framing_bits, uint64_t usec)
{
	if (usec == 0)
		usec = 1;
	return 1e6 * (8.0 * (double)bytes + (double)pkts * framing_bits) / (double)usec;
}

void nt_rate_window_add(struct nt_rate_window *w, double rate)
{
	if (rate == 0)
		return;
	w->rate[w->next] = rate;
	w->next = (w->next + 1) % NT_RATE_WINDOW;
	if (w->count < NT_RATE_WINDOW)
		w->count++;
}

void nt_rate_window_stats(const struct nt_rate_window *w, double *mean, double *stddev)
{
	double sum = 0, var = 0;
	unsigned i;

	*mean = *stddev = 0;
	if (!w->count)
		return;
	for (i = 0; i < w->count; i++)
		sum += w->rate[i];
	*mean = sum / w->count;
	for (i = 0; i < w->count; i++)
		var += (w->rate[i] - *mean) * (w->rate[i] - *mean);
	*stddev = sqrt(var / w->count);
}

int nt_fmt_interval(char *buf, size_t len, uint64_t pps, uint64_t pkts, double bps,
		    uint64_t usec, int no_normalize)
{
	char a[64], b[64], c[64];

	nt_fmt_norm(a, sizeof(a), (double)pps, no_normalize);
	nt_fmt_norm(b, sizeof(b), (double)pkts, no_normalize);
	nt_fmt_norm(c, sizeof(c), bps, no_normalize);
	if (usec)
		return snprintf(buf, len, "%spps (%spkts %sbps in %llu usec)", a, b, c,
				(unsigned long long)usec);
	return snprintf(buf, len, "%spps (%spkts %sbps)", a, b, c);
}

int nt_fmt_periodic(char *buf, size_t len, struct nt_periodic *p, const struct nt_delta *d)
{
	uint64_t pps = nt_rate_pps(d->pkts, d->usec);
	double bps = nt_rate_bps(d->bytes, d->pkts, p->framing_bits, d->usec);
	double batch = d->events ? (double)d->pkts / (double)d->events : 0;
	char rate[64], pkts[64], bits[64], window[160] = "";

	if (p->avg_stats) {
		double mean, stddev;
		char m[64], s[64];

		nt_rate_window_add(&p->window, (double)pps);
		nt_rate_window_stats(&p->window, &mean, &stddev);
		snprintf(window, sizeof(window), "[avg/std %s/%s pps]",
			 nt_fmt_norm(m, sizeof(m), mean, p->no_normalize),
			 nt_fmt_norm(s, sizeof(s), stddev, p->no_normalize));
	}
	nt_fmt_norm(rate, sizeof(rate), (double)pps, p->no_normalize);
	nt_fmt_norm(pkts, sizeof(pkts), (double)d->pkts, p->no_normalize);
	nt_fmt_norm(bits, sizeof(bits), bps, p->no_normalize);
	return snprintf(buf, len,
			"%spps %s(%spkts %sbps in %llu usec) %.2f avg_batch %llu min_space",
			rate, window, pkts, bits, (unsigned long long)d->usec, batch,
			(unsigned long long)d->min_space);
}

void nt_print_periodic(FILE *f, struct nt_periodic *p, const struct nt_delta *d)
{
	char line[512];

	nt_fmt_periodic(line, sizeof(line), p, d);
	nt_diag_to(f, "main_thread", __LINE__, "%s", line);
}

int nt_fmt_summary(char *buf, size_t len, const char *verb, const struct nt_totals *t,
		   int no_normalize)
{
	uint64_t ns = t->elapsed_ns ? t->elapsed_ns : 1000;
	double secs = (double)ns / 1e9;
	double raw_bytes = (double)(t->raw_bytes ? t->raw_bytes : t->bytes);
	char pps[64], bw[64], raw[64];

	if (!t->pkts)
		return snprintf(buf, len, "%s nothing.\n", verb);
	nt_fmt_norm(pps, sizeof(pps), (double)t->pkts / secs, no_normalize);
	nt_fmt_norm(bw, sizeof(bw), 8.0 * (double)t->bytes / secs, no_normalize);
	nt_fmt_norm(raw, sizeof(raw), 8.0 * raw_bytes / secs, no_normalize);
	return snprintf(buf, len,
			"%s %llu packets %llu bytes %llu events %llu bytes each in %.2f seconds.\n"
			"Speed: %spps Bandwidth: %sbps (raw %sbps). Average batch: %.2f pkts\n",
			verb, (unsigned long long)t->pkts, (unsigned long long)t->bytes,
			(unsigned long long)t->events,
			(unsigned long long)(t->bytes / t->pkts), secs, pps, bw, raw,
			t->events ? (double)t->pkts / (double)t->events : 0.0);
}

void nt_print_summary(FILE *f, const char *verb, const struct nt_totals *t, int no_normalize)
{
	char text[512];

	nt_fmt_summary(text, sizeof(text), verb, t, no_normalize);
	fputs(text, f);
	fflush(f);
}

void nt_reporter_start(struct nt_reporter *r, uint64_t interval_ns, struct nt_counters *blocks,
		       unsigned nblocks)
{
	nt_snapshot_take(&r->prev, blocks, nblocks);
	r->t0_ns = r->prev.ns;
	r->interval_ns = interval_ns ? interval_ns : 1;
	r->k = 0;
}

uint64_t nt_reporter_deadline(const struct nt_reporter *r)
{
	return r->t0_ns + (r->k + 1) * r->interval_ns;
}

int nt_reporter_sleep(struct nt_reporter *r)
{
	uint64_t deadline = nt_reporter_deadline(r), now;
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ull),
		.tv_nsec = (long)(deadline % 1000000000ull),
	};
	int err;

	err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	if (err == EINTR)
		return -1;
	now = nt_now_ns();
	/* After a stall, skip the missed slots instead of reporting in a burst. */
	r->k = now > r->t0_ns ? (now - r->t0_ns) / r->interval_ns : r->k + 1;
	if (r->k == 0)
		r->k = 1;
	return 0;
}

int nt_reporter_take(struct nt_reporter *r, struct nt_counters *blocks, unsigned nblocks,
		     int final, struct nt_delta *d)
{
	struct nt_snapshot cur;
	int long_enough;

	nt_snapshot_take(&cur, blocks, nblocks);
	nt_delta_compute(d, &cur, &r->prev);
	long_enough = cur.ns - r->prev.ns >= NT_REPORT_MIN_NS;
	if (long_enough || final)
		r->prev = cur;
	return long_enough;
}
