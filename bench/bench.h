/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench.h - helpers shared by the benchmark programs: pinning, a
 * monotonic clock, shared anonymous memory, spin hints, option parsing
 * and the one-line "name key=value ..." result format that
 * run-bench.sh reads.
 */
#ifndef BENCH_H_
#define BENCH_H_

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BENCH_CACHELINE	64
#define BENCH_ALIGNED	__attribute__((aligned(BENCH_CACHELINE)))

/* The descriptor moved by the raw rings: the size of a struct netmap_slot. */
struct bench_desc {
	uint32_t buf_idx;
	uint16_t len;
	uint16_t flags;
	uint64_t ptr;
};

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#define bench_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define bench_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define bench_load_relaxed(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define bench_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Pin the calling thread to cpu; a negative cpu leaves it unpinned. */
static inline int bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "sched_setaffinity(cpu %d): %s\n", cpu,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Zeroed memory shared with children created by fork(), or NULL. */
static inline void *bench_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A non-negative decimal, or exit(2) naming the option. */
static inline long bench_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: bad value '%s' (%ld..%ld)\n", opt, s, lo, hi);
		exit(2);
	}
	return v;
}

/* Seconds as a decimal ("2", "0.5"), or exit(2). */
static inline double bench_seconds(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 3600)) {
		fprintf(stderr, "%s: bad duration '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

#endif /* BENCH_H_ */
