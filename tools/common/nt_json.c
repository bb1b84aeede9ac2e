// SPDX-License-Identifier: BSD-2-Clause
/*
 * JSON-lines writer: the object is built in memory and written at once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"

static void append(struct nt_json *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *p;

		while (cap < j->len + n + 1)
			cap *= 2;
		p = realloc(j->buf, cap);
		if (!p) {
			j->failed = 1;
			return;
		}
		j->buf = p;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void append_str(struct nt_json *j, const char *s)
{
	append(j, s, strlen(s));
}

static void appendf(struct nt_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void appendf(struct nt_json *j, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		j->failed = 1;
		return;
	}
	append(j, tmp, (size_t)n);
}

size_t nt_json_escape(char *buf, size_t len, const char *s)
{
	size_t used = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		const char *out = tmp;

		switch (c) {
		case '"': out = "\\\""; break;
		case '\\': out = "\\\\"; break;
		case '\b': out = "\\b"; break;
		case '\f': out = "\\f"; break;
		case '\n': out = "\\n"; break;
		case '\r': out = "\\r"; break;
		case '\t': out = "\\t"; break;
		default:
			if (c < 0x20)
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			else {
				tmp[0] = (char)c;
				tmp[1] = '\0';
			}
			break;
		}
		for (; *out; out++, used++)
			if (used + 1 < len)
				buf[used] = *out;
	}
	if (len)
		buf[used < len ? used : len - 1] = '\0';
	return used;
}

static void append_escaped(struct nt_json *j, const char *s)
{
	size_t n = nt_json_escape(NULL, 0, s);
	char *tmp = malloc(n + 1);

	if (!tmp) {
		j->failed = 1;
		return;
	}
	nt_json_escape(tmp, n + 1, s);
	append(j, "\"", 1);
	append(j, tmp, n);
	append(j, "\"", 1);
	free(tmp);
}

/* The separator and key before a member. */
static void member(struct nt_json *j, const char *key)
{
	if (!j->first[j->depth])
		append(j, ",", 1);
	j->first[j->depth] = 0;
	if (key) {
		append_escaped(j, key);
		append(j, ":", 1);
	}
}

static void open_level(struct nt_json *j, const char *key, char opener, char closer)
{
	member(j, key);
	if (j->depth == NT_JSON_DEPTH_MAX) {
		j->failed = 1;
		return;
	}
	append(j, &opener, 1);
	j->depth++;
	j->first[j->depth] = 1;
	j->closer[j->depth] = closer;
}

static void close_level(struct nt_json *j)
{
	if (j->depth == 0) {
		j->failed = 1;
		return;
	}
	append(j, &j->closer[j->depth], 1);
	j->depth--;
}

void nt_json_begin_bare(struct nt_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = 1;
	open_level(j, NULL, '{', '}');
}

void nt_json_time(struct nt_json *j, const char *key, const struct timespec *ts)
{
	member(j, key);
	/* Integers, not a double, so the six decimals are exact. */
	appendf(j, "%lld.%06ld", (long long)ts->tv_sec, (long)(ts->tv_nsec / 1000));
}

void nt_json_begin_at(struct nt_json *j, FILE *f, const char *tool, const char *type,
		      const struct timespec *ts)
{
	nt_json_begin_bare(j, f);
	nt_json_string(j, "tool", tool);
	nt_json_string(j, "type", type);
	nt_json_time(j, "ts", ts);
}

void nt_json_begin(struct nt_json *j, FILE *f, const char *tool, const char *type)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	nt_json_begin_at(j, f, tool, type, &now);
}

void nt_json_int(struct nt_json *j, const char *key, int64_t v)
{
	member(j, key);
	appendf(j, "%lld", (long long)v);
}

void nt_json_u64(struct nt_json *j, const char *key, uint64_t v)
{
	member(j, key);
	appendf(j, "%llu", (unsigned long long)v);
}

void nt_json_double(struct nt_json *j, const char *key, double v, int decimals)
{
	member(j, key);
	if (!isfinite(v))
		append_str(j, "null");	/* JSON has no NaN or infinity */
	else
		appendf(j, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
}

void nt_json_string(struct nt_json *j, const char *key, const char *s)
{
	member(j, key);
	if (s)
		append_escaped(j, s);
	else
		append_str(j, "null");
}

void nt_json_bool(struct nt_json *j, const char *key, int v)
{
	member(j, key);
	append_str(j, v ? "true" : "false");
}

void nt_json_null(struct nt_json *j, const char *key)
{
	member(j, key);
	append_str(j, "null");
}

void nt_json_array_begin(struct nt_json *j, const char *key)
{
	open_level(j, key, '[', ']');
}

void nt_json_array_end(struct nt_json *j)
{
	close_level(j);
}

void nt_json_object_begin(struct nt_json *j, const char *key)
{
	open_level(j, key, '{', '}');
}

void nt_json_object_end(struct nt_json *j)
{
	close_level(j);
}

const char *nt_json_text(const struct nt_json *j)
{
	return j->failed ? NULL : j->buf;
}

int nt_json_end(struct nt_json *j)
{
	int failed;

	while (j->depth > 0 && !j->failed)
		close_level(j);
	append(j, "\n", 1);
	failed = j->failed;
	if (!failed && j->f && (fwrite(j->buf, 1, j->len, j->f) != j->len || fflush(j->f)))
		failed = 1;
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
	return failed ? -1 : 0;
}

int nt_json_open_output(const char *tool, unsigned given, const char *file, FILE **out)
{
	*out = NULL;
	if (!given)
		return 0;
	if (!file) {
		*out = stdout;
		nt_set_streams(stderr, NULL);	/* stdout holds only JSON (8.1) */
		return 0;
	}
	*out = fopen(file, "w");
	if (!*out) {
		nt_err(tool, "cannot open %s: %s", file, strerror(errno));
		return 1;
	}
	return 0;
}

void nt_json_close_output(FILE *f)
{
	if (f && f != stdout)
		fclose(f);
}
