/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How a tool runs (tools.md 1.9, 2.3): the stop request and its reason,
 * SIGINT/SIGTERM, the self-pipe that wakes the main thread, worker
 * threads (signals blocked, optionally pinned, one failure text each),
 * the main loop that reports on an absolute schedule and ends on a
 * count, a signal, --duration, a worker failure or a tool's own rule,
 * and the sleeping helpers.
 *
 *	nt_run_init();				// self-pipe, signal handlers
 *	nt_workers_start(w, n);			// each runs w[i].fn(&w[i])
 *	nt_loop_run(&loop);			// reports until something stops
 *	nt_request_stop(NT_END_COUNT);		// from anywhere, once it is done
 *	nt_workers_join(w, n);
 *
 * One run per process: the stop state is global, as signals are.
 */
#ifndef NT_RUN_H
#define NT_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "nt_stats.h"

#define NT_POLL_MS		100	/* longest sleep before looking at the stop flag */

/* Why a run ended; the JSON summaries print the names (8.1). */
enum nt_end {
	NT_END_NONE = 0,
	NT_END_COUNT,
	NT_END_SIGNAL,
	NT_END_IDLE,
	NT_END_DURATION,
	NT_END_ERROR,
};

/* "none", "count", "signal", "idle", "duration", "error" */
const char *nt_end_name(enum nt_end end);

/* ------------------------------------------------------------ start */

/*
 * First thing in main(): stdout and stderr line buffered (1.4), and
 * libnetmap quiet, since its errors reach the user as the tool's one line.
 */
void nt_tool_init(void);

/*
 * After parsing, before opening ports: -j opened (nt_json_open_output())
 * and nt_run_init().  Returns 0, or 1 after one error line.
 */
int nt_run_begin(const char *tool, unsigned json_given, const char *json_file, FILE **json);

/* ------------------------------------------------------------ stopping */

/*
 * Create the self-pipe and handle SIGINT and SIGTERM: the first one
 * requests a stop (NT_END_SIGNAL), a second one while stopping kills the
 * process with the default action (1.9).  0, or -errno.
 */
int nt_run_init(void);

/* Ask everything to stop; the first reason given is kept. */
void nt_request_stop(enum nt_end why);

/* Has a stop been requested? (relaxed load: cheap on fast paths) */
static inline int nt_stopping(void)
{
	extern atomic_int nt_stop_flag;

	return atomic_load_explicit(&nt_stop_flag, memory_order_relaxed);
}

/* The reason kept by nt_request_stop(), NT_END_NONE if none. */
enum nt_end nt_end_reason(void);

/* When the stop was first requested (CLOCK_MONOTONIC ns), 0 if not. */
uint64_t nt_stop_requested_ns(void);

/* Wake the main thread out of nt_main_sleep() (async-signal-safe). */
void nt_wake_main(void);

/* Main thread: sleep until deadline (monotonic ns) or a wake-up. */
void nt_main_sleep(uint64_t deadline_ns);

/* Sleep until deadline; returns early only when a stop is requested. */
void nt_sleep_until_ns(uint64_t deadline_ns);

/*
 * Interruptible wait, on the main thread, until deadline or a stop:
 * the link wait of 1.8.  Returns nonzero if a stop came first.
 */
int nt_main_wait_until(uint64_t deadline_ns);

/*
 * The link wait of 1.8 before moving traffic: "Wait <n> secs for link to
 * come up..." on stderr, then nt_main_wait_until().  Nothing when wait_ns
 * is 0.  Returns nonzero if a stop came first.
 */
int nt_wait_link(uint64_t wait_ns);

/* CLOCK_REALTIME in nanoseconds (packet time stamps, pcap records). */
uint64_t nt_realtime_ns(void);

/*
 * Busy-waiting: back off a little after a round that found nothing, so
 * two spinning peers do not fight over the rings' cache lines.
 */
static inline void nt_busy_backoff(void)
{
	int i;

	for (i = 0; i < 64; i++) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ __volatile__("yield");
#else
		__asm__ __volatile__("" ::: "memory");
#endif
	}
}

/* ------------------------------------------------------------ workers */

#define NT_WORKER_ERRLEN	256

/*
 * A worker thread.  fn runs on the new thread with SIGINT and SIGTERM
 * blocked (the main thread decides how to stop); when it returns, the
 * worker is marked done and the main thread woken.  A worker that fails
 * records one line of text with nt_worker_fail() and returns.
 */
struct nt_worker {
	void (*fn)(struct nt_worker *w);
	void *arg;			/* the tool's per-thread state */
	int cpu;			/* -1: not pinned */
	pthread_t tid;
	int started, joined;
	atomic_int done;
	atomic_int failed;
	char errmsg[NT_WORKER_ERRLEN];
};

void nt_worker_fail(struct nt_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Start n workers in order.  Returns 0, or the pthread_create() error of
 * the first that could not start (the ones before it run; the caller
 * stops and joins them).
 */
int nt_workers_start(struct nt_worker *w, unsigned n);

/* All started workers have returned / one of them failed. */
int nt_workers_done(struct nt_worker *w, unsigned n);
int nt_workers_failed(struct nt_worker *w, unsigned n);

/* Join the started workers. */
void nt_workers_join(struct nt_worker *w, unsigned n);

/*
 * One error line per failed worker: "<tool>: <errmsg>", or with
 * name_threads "<tool>: thread <i>: <errmsg>".  Returns how many failed.
 */
unsigned nt_workers_report(const char *tool, struct nt_worker *w, unsigned n, int name_threads);

/* ------------------------------------------------------------ main loop */

/*
 * The main thread of a run: sleep until the next report, the end of
 * --duration or a wake-up; stop when a stop is requested, every worker
 * is done or one failed (NT_END_ERROR), --duration is over
 * (NT_END_DURATION) or check() names a reason.  Reports are due at
 * rep->t0_ns + k * report_ns (a reporter started by the caller); missed
 * slots are skipped.  The final report is the caller's, after joining.
 */
struct nt_loop {
	struct nt_reporter *rep;	/* schedule of the periodic reports */
	uint64_t report_ns;		/* 0: no periodic reports */
	uint64_t duration_ns;		/* 0: no --duration */
	struct nt_worker *workers;
	unsigned nworkers;
	void *arg;
	/* Optional: a tool's own end (pkt-gen's -W); NT_END_NONE goes on. */
	enum nt_end (*check)(void *arg, uint64_t now_ns);
	/* Called when a report is due (final = 0). */
	void (*report)(void *arg, int final);
};

void nt_loop_run(struct nt_loop *l);

/*
 * Start the workers and run the main loop until something stops them
 * (l->workers and l->nworkers name them).  A worker that cannot start is
 * reported ("<tool>: cannot start thread <i>: <error>"), a stop with
 * NT_END_ERROR is requested and 1 returned; otherwise 0 once the loop
 * ends.  Either way the caller then stops and joins the workers.
 */
int nt_run_workers(const char *tool, struct nt_loop *l);

#endif /* NT_RUN_H */
