/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Rate schedules (tools.md 3.6, 8.3): packets follow an absolute schedule
 * from the start of sending, packet k being due when the packets (or
 * bits) before it, divided by the rate, have elapsed; at most a
 * millisecond of traffic leaves at once; the sender sleeps towards a
 * deadline that is far and spins for one that is near.  pkt-gen -R and
 * nmreplay's constant-rate models use the same arithmetic.
 */
#ifndef NT_PACE_H
#define NT_PACE_H

#include <stdint.h>

#define NT_SPIN_NS		50000	/* spin below this, sleep above (8.3) */
#define NT_PACE_BATCH_MAX	8192

struct nt_pace {
	uint64_t start_ns;		/* CLOCK_MONOTONIC origin of the schedule */
	double ns_per_unit;		/* a unit is a packet or a bit */
};

/* Origin now, at `rate` units per second. */
void nt_pace_start(struct nt_pace *p, double rate, uint64_t now_ns);

/* When `units` units have been sent since the origin. */
static inline uint64_t nt_pace_due(const struct nt_pace *p, double units)
{
	return p->start_ns + (uint64_t)(units * p->ns_per_unit);
}

/* How many units are due at `now` (the unit under way included). */
static inline uint64_t nt_pace_units_due(const struct nt_pace *p, uint64_t now_ns)
{
	if (now_ns < p->start_ns)
		return 0;
	return (uint64_t)((double)(now_ns - p->start_ns) / p->ns_per_unit) + 1;
}

/*
 * The most packets sent at once at `pps` packets per second (8.3):
 * max_burst when given (non-zero), else min(burst, max(1, pps x 1 ms)).
 */
uint32_t nt_pace_batch_cap(double pps, uint32_t burst, uint32_t max_burst);

/*
 * Return when deadline (monotonic ns) has come.  A deadline more than
 * NT_SPIN_NS away is slept towards (at most NT_POLL_MS at a time, so a
 * stop is seen), a nearer one is spun for; busy always spins.  Returns 0
 * when due, -1 when a stop was requested first.
 */
int nt_wait_due(uint64_t deadline_ns, int busy);

#endif /* NT_PACE_H */
