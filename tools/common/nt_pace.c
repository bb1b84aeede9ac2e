// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rate schedules and the pacing wait (tools.md 8.3).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_pace.h"

#include "nt_parse.h"
#include "nt_run.h"

void nt_pace_start(struct nt_pace *p, double rate, uint64_t now_ns)
{
	p->start_ns = now_ns;
	p->ns_per_unit = rate > 0 ? 1e9 / rate : 0;
}

uint32_t nt_pace_batch_cap(double pps, uint32_t burst, uint32_t max_burst)
{
	double per_ms = pps / 1000;
	uint32_t cap;

	if (max_burst)
		return max_burst;
	cap = per_ms < 1 ? 1 : per_ms < NT_PACE_BATCH_MAX ? (uint32_t)per_ms : NT_PACE_BATCH_MAX;
	return burst && cap > burst ? burst : cap;
}

int nt_wait_due(uint64_t deadline, int busy)
{
	for (;;) {
		uint64_t now = nt_now_ns();

		if (now >= deadline)
			return 0;
		if (nt_stopping())
			return -1;
		if (!busy && deadline - now > NT_SPIN_NS) {
			uint64_t wake = deadline;

			if (wake - now > NT_MSEC(NT_POLL_MS))
				wake = now + NT_MSEC(NT_POLL_MS);
			nt_sleep_until_ns(wake);
		} else {
			nt_busy_backoff();
		}
	}
}
