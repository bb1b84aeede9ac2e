// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stop requests, signals, the main thread's wake-ups and loop, worker
 * threads (tools.md 1.9, 2.3).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnetmap.h>

#include "nt_json.h"
#include "nt_log.h"
#include "nt_parse.h"

atomic_int nt_stop_flag;
static atomic_int end_reason;
static _Atomic uint64_t stop_ns;
static atomic_int signalled;
static int wake_fd[2] = { -1, -1 };

static const char *const end_names[] = {
	"none", "count", "signal", "idle", "duration", "error",
};

const char *nt_end_name(enum nt_end end)
{
	return (unsigned)end < sizeof(end_names) / sizeof(end_names[0]) ? end_names[end] : "none";
}

/* ================================================================ start */

void nt_tool_init(void)
{
	nt_line_buffered();
	nmctx_get()->verbose = 0;
}

int nt_run_begin(const char *tool, unsigned json_given, const char *json_file, FILE **json)
{
	int err;

	if (nt_json_open_output(tool, json_given, json_file, json))
		return 1;
	err = nt_run_init();
	if (err) {
		nt_err(tool, "cannot create a pipe: %s", strerror(-err));
		return 1;
	}
	return 0;
}

/* ================================================================ stopping */

void nt_wake_main(void)
{
	char c = 1;
	ssize_t r;

	if (wake_fd[1] < 0)
		return;
	r = write(wake_fd[1], &c, 1);
	(void)r;	/* a full pipe already holds a wake-up */
}

void nt_request_stop(enum nt_end why)
{
	int none = NT_END_NONE;
	uint64_t zero = 0;

	if (why != NT_END_NONE)
		atomic_compare_exchange_strong(&end_reason, &none, (int)why);
	atomic_compare_exchange_strong(&stop_ns, &zero, nt_now_ns());
	atomic_store(&nt_stop_flag, 1);
	nt_wake_main();
}

enum nt_end nt_end_reason(void)
{
	return (enum nt_end)atomic_load(&end_reason);
}

uint64_t nt_stop_requested_ns(void)
{
	return atomic_load(&stop_ns);
}

/*
 * timeout(1) sends its signal to the command and then to the command's
 * process group, so one request arrives twice; a repeat of the same
 * signal from the same sender within this window is the same request.
 */
#define SIGNAL_REPEAT_NS	NT_MSEC(500)

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	static int first_sig;
	static pid_t first_pid;
	static uint64_t first_ns;
	int saved = errno;
	uint64_t now = nt_now_ns();

	(void)ctx;
	if (atomic_exchange(&signalled, 1)) {
		if (sig == first_sig && info->si_pid == first_pid &&
		    now - first_ns < SIGNAL_REPEAT_NS) {
			errno = saved;
			return;
		}
		/* a second request while stopping: die at once (1.9) */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	first_sig = sig;
	first_pid = info->si_pid;
	first_ns = now;
	nt_request_stop(NT_END_SIGNAL);
	errno = saved;
}

int nt_run_init(void)
{
	struct sigaction sa;

	if (wake_fd[0] < 0 && pipe2(wake_fd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

void nt_main_sleep(uint64_t deadline)
{
	uint64_t now = nt_now_ns();
	struct pollfd p = { .fd = wake_fd[0], .events = POLLIN };
	char buf[64];

	if (deadline > now)
		poll(&p, 1, (int)((deadline - now + 999999) / 1000000));
	while (read(wake_fd[0], buf, sizeof(buf)) > 0)
		;
}

int nt_main_wait_until(uint64_t deadline)
{
	while (!nt_stopping() && nt_now_ns() < deadline)
		nt_main_sleep(deadline);
	return nt_stopping();
}

int nt_wait_link(uint64_t wait_ns)
{
	if (!wait_ns)
		return nt_stopping();
	if (wait_ns % NT_NSEC_PER_SEC)
		nt_diag_named("main", "Wait %.3f secs for link to come up...",
			      (double)wait_ns / 1e9);
	else
		nt_diag_named("main", "Wait %llu secs for link to come up...",
			      (unsigned long long)(wait_ns / NT_NSEC_PER_SEC));
	return nt_main_wait_until(nt_now_ns() + wait_ns);
}

void nt_sleep_until_ns(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / NT_NSEC_PER_SEC),
		.tv_nsec = (long)(deadline % NT_NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	       !nt_stopping())
		;
}

uint64_t nt_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NT_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ================================================================ workers */

void nt_worker_fail(struct nt_worker *w, const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&w->failed))
		return;		/* the first failure is the cause */
	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	atomic_store(&w->failed, 1);
}

static void *worker_main(void *arg)
{
	struct nt_worker *w = arg;

	w->fn(w);
	atomic_store(&w->done, 1);
	nt_wake_main();
	return NULL;
}

int nt_workers_start(struct nt_worker *w, unsigned n)
{
	sigset_t all, old;
	unsigned i;
	int err = 0;

	/* signals go to the main thread, which decides how to stop */
	sigemptyset(&all);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n && !err; i++) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		if (w[i].cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(w[i].cpu, &set);
			pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		}
		err = pthread_create(&w[i].tid, &attr, worker_main, &w[i]);
		pthread_attr_destroy(&attr);
		if (!err)
			w[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int nt_workers_done(struct nt_worker *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (w[i].started && !atomic_load(&w[i].done))
			return 0;
	return 1;
}

int nt_workers_failed(struct nt_worker *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (atomic_load(&w[i].failed))
			return 1;
	return 0;
}

void nt_workers_join(struct nt_worker *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (w[i].started && !w[i].joined) {
			pthread_join(w[i].tid, NULL);
			w[i].joined = 1;
		}
}

unsigned nt_workers_report(const char *tool, struct nt_worker *w, unsigned n, int name_threads)
{
	unsigned i, failed = 0;

	for (i = 0; i < n; i++) {
		if (!atomic_load(&w[i].failed))
			continue;
		failed++;
		if (!name_threads)
			nt_err(tool, "%s", w[i].errmsg);
		else
			nt_err(tool, "thread %u: %s", i, w[i].errmsg);
	}
	return failed;
}

/* ================================================================ main loop */

void nt_loop_run(struct nt_loop *l)
{
	uint64_t t0 = nt_now_ns();

	for (;;) {
		uint64_t now = nt_now_ns(), wake = now + NT_MSEC(NT_POLL_MS);
		enum nt_end why;

		if (l->report_ns && nt_reporter_deadline(l->rep) < wake)
			wake = nt_reporter_deadline(l->rep);
		if (l->duration_ns && t0 + l->duration_ns < wake)
			wake = t0 + l->duration_ns;
		nt_main_sleep(wake);
		now = nt_now_ns();
		if (nt_stopping() || nt_workers_done(l->workers, l->nworkers))
			break;
		if (nt_workers_failed(l->workers, l->nworkers)) {
			nt_request_stop(NT_END_ERROR);
			break;
		}
		if (l->duration_ns && now - t0 >= l->duration_ns) {
			nt_request_stop(NT_END_DURATION);
			break;
		}
		if (l->check) {
			why = l->check(l->arg, now);
			if (why != NT_END_NONE) {
				nt_request_stop(why);
				break;
			}
		}
		if (l->report_ns && now >= nt_reporter_deadline(l->rep)) {
			l->report(l->arg, 0);
			l->rep->k = (now - l->rep->t0_ns) / l->rep->interval_ns;
		}
	}
}

int nt_run_workers(const char *tool, struct nt_loop *l)
{
	unsigned i;
	int err;

	if (nt_stopping())
		return 0;
	err = nt_workers_start(l->workers, l->nworkers);
	if (err) {
		for (i = 0; i < l->nworkers && l->workers[i].started; i++)
			;
		nt_err(tool, "cannot start thread %u: %s", i, strerror(err));
		nt_request_stop(NT_END_ERROR);
		return 1;
	}
	nt_loop_run(l);
	return 0;
}
