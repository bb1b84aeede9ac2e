// SPDX-License-Identifier: BSD-2-Clause
/*
 * nmreplay's schedule: loss, pacing and delay of every packet (tools.md
 * 6.2, 8.8).  Times are kept as doubles in nanoseconds from the origin:
 * exact to the nanosecond for more than a hundred days of replay.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nr_sched.h"

#include <math.h>
#include <string.h>

/* xorshift64*, uniform in [0, 1) with 53 bits. */
static double uniform(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}

/* Records [first, end) of file f. */
static void file_bounds(const struct nt_trace *t, const uint32_t *file_first, unsigned nfiles,
			unsigned f, uint32_t *first, uint32_t *end)
{
	*first = file_first[f];
	*end = f + 1 < nfiles ? file_first[f + 1] : t->count;
}

/* The mean gap inside the files, in trace time; 0 without gaps. */
static double mean_gap_ns(const struct nt_trace *t, const uint32_t *file_first, unsigned nfiles,
			  double *spans_ns)
{
	double span = 0;
	uint64_t gaps = 0;
	unsigned f;

	for (f = 0; f < nfiles; f++) {
		uint32_t first, end;

		file_bounds(t, file_first, nfiles, f, &first, &end);
		span += (double)(t->rec[end - 1].ts_ns - t->rec[first].ts_ns);
		gaps += end - first - 1;
	}
	if (spans_ns)
		*spans_ns = span;
	return gaps ? span / (double)gaps : 0;
}

double nr_trace_span_ns(const struct nt_trace *t, const uint32_t *file_first, unsigned nfiles)
{
	double spans, gap = mean_gap_ns(t, file_first, nfiles, &spans);

	return spans + gap * (nfiles - 1);
}

void nr_sched_init(struct nr_sched *s, const struct nr_sched_cfg *cfg, const struct nt_trace *t,
		   const uint32_t *file_first, unsigned nfiles)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.speedup <= 0)
		s->cfg.speedup = 1;
	s->t = t;
	s->file_first = file_first;
	s->nfiles = nfiles;
	if (cfg->loop_gap_given)
		s->gap_ns = (double)cfg->loop_gap_ns;
	else if (cfg->pace == NR_PACE_TRACE)
		s->gap_ns = mean_gap_ns(t, file_first, nfiles, NULL) / s->cfg.speedup;
	s->file_ts0 = t->rec[0].ts_ns;
	s->prev_tx_ns = -1;
	s->plain = cfg->pace == NR_PACE_NONE && cfg->delay == NR_DELAY_NONE &&
		   cfg->loss == NR_LOSS_NONE && !cfg->loop_gap_given;
	s->rng = cfg->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (!s->rng)
		s->rng = 1;
}

double nr_sched_gap_ns(const struct nr_sched *s)
{
	return s->gap_ns;
}

static int lost(struct nr_sched *s, uint32_t len)
{
	double p;

	switch (s->cfg.loss) {
	case NR_LOSS_PLR:
		s->considered_pkts++;
		p = s->cfg.loss_p;
		break;
	case NR_LOSS_BER:
		s->considered_bits += 8ull * len;
		/* 1 - (1 - x)^(8 len), without losing small x to rounding */
		p = -expm1(8.0 * len * log1p(-s->cfg.loss_p));
		break;
	default:
		return 0;
	}
	if (uniform(&s->rng) < p) {
		s->dropped++;
		return 1;
	}
	return 0;
}

static double delay_ns(struct nr_sched *s)
{
	const struct nr_sched_cfg *c = &s->cfg;

	switch (c->delay) {
	case NR_DELAY_CONSTANT:
		return c->delay_a_ns;
	case NR_DELAY_UNIFORM:
		return c->delay_a_ns + uniform(&s->rng) * (c->delay_b_ns - c->delay_a_ns);
	case NR_DELAY_EXP:
		return c->delay_a_ns - log1p(-uniform(&s->rng)) * (c->delay_b_ns - c->delay_a_ns);
	default:
		return 0;
	}
}

void nr_sched_next(struct nr_sched *s, struct nr_pkt *p)
{
	const struct nt_trace_rec *r = &s->t->rec[s->next];
	const struct nr_sched_cfg *c = &s->cfg;
	double paced = 0, occ = 0, tx;
	uint32_t first, end;

	p->rec = s->next;
	p->last_of_loop = 0;
	p->due_ns = 0;
	if (s->plain) {
		/* --topspeed without -D or -L: every packet, at once */
		p->drop = 0;
		if (++s->next == s->t->count) {
			s->next = 0;
			s->file = 0;
			p->last_of_loop = 1;
		}
		return;
	}
	if (c->pace == NR_PACE_TRACE) {
		paced = s->file_origin_ns + (double)(r->ts_ns - s->file_ts0) / c->speedup;
		s->last_trace_ns = paced;
	}
	p->drop = lost(s, r->len);
	if (!p->drop) {
		switch (c->pace) {
		case NR_PACE_BITS: {
			double bits = 8.0 * (r->len + c->framing);

			paced = s->extra_ns + s->units * 1e9 / c->rate;
			occ = bits * 1e9 / c->rate;
			s->units += bits;
			break;
		}
		case NR_PACE_PACKETS:
			paced = s->extra_ns + s->units * 1e9 / c->rate;
			occ = 1e9 / c->rate;
			s->units += 1;
			break;
		case NR_PACE_NONE:
			paced = s->extra_ns;
			break;
		default:
			break;
		}
		tx = paced + delay_ns(s);
		if (s->prev_tx_ns >= 0 && tx < s->prev_tx_ns + s->prev_occ_ns)
			tx = s->prev_tx_ns + s->prev_occ_ns;	/* delays never reorder */
		s->prev_tx_ns = tx;
		s->prev_occ_ns = occ;
		p->due_ns = tx > 0 ? (uint64_t)tx : 0;
	}

	/* the next record: the next file, or the next loop, one gap later */
	file_bounds(s->t, s->file_first, s->nfiles, s->file, &first, &end);
	if (++s->next < end)
		return;
	if (s->next == s->t->count) {
		s->next = 0;
		s->file = 0;
		p->last_of_loop = 1;
	} else {
		s->file++;
	}
	if (c->pace == NR_PACE_TRACE) {
		s->file_origin_ns = s->last_trace_ns + s->gap_ns;
		s->file_ts0 = s->t->rec[s->next].ts_ns;
	} else {
		s->extra_ns += s->gap_ns;
	}
}

double nr_sched_loss_actual(const struct nr_sched *s)
{
	if (s->cfg.loss == NR_LOSS_PLR)
		return s->considered_pkts ? (double)s->dropped / (double)s->considered_pkts : 0;
	if (s->cfg.loss == NR_LOSS_BER)
		return s->considered_bits ? (double)s->dropped / (double)s->considered_bits : 0;
	return 0;
}
