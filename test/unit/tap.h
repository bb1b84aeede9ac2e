/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Minimal TAP producer for the C unit tests.  Each check prints one
 * "ok N - name" or "not ok N - name" line; tap_done() prints the plan and
 * returns the exit status (0 when every check passed).  Run under
 * automake's tap-driver, so every check is counted by `make check`.
 */
#ifndef TEST_UNIT_TAP_H
#define TEST_UNIT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_check(int cond, const char *file, int line,
			    const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("# failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

/* ok(cond, "format", ...): one test point. */
#define ok(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* is_int(got, want, name...): compares integers and shows both on failure. */
#define is_int(got, want, ...)                                               \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (!ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %lld, want %lld\n", g_, w_);         \
	} while (0)

/* is_str(got, want, name...): compares C strings (NULL allowed). */
#define is_str(got, want, ...)                                               \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		int same_ = (g_ && w_) ? !strcmp(g_, w_) : g_ == w_;         \
		if (!ok(same_, __VA_ARGS__))                                 \
			printf("#   got \"%s\", want \"%s\"\n",              \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
	} while (0)

/* is_errno(got, want, name...): errno values (0: success), by name. */
#define is_errno(got, want, ...)                                             \
	do {                                                                 \
		int g_ = (got), w_ = (want);                                 \
		if (!ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %s, want %s\n",                     \
			       g_ ? strerror(g_) : "success",                \
			       w_ ? strerror(w_) : "success");               \
	} while (0)

/* A test point that cannot run here, and why. */
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - # SKIP ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* TEST_UNIT_TAP_H */
