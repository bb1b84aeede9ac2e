/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JSON-lines writer (tools.md 2.4, 8.1): one object per line, keys in the
 * order they are added, written with a single fwrite() and flushed when
 * the object ends, so a reader never sees half a line.
 *
 *	struct nt_json j;
 *
 *	nt_json_begin(&j, stdout, "pkt-gen", "summary");
 *	nt_json_u64(&j, "pkts", 1000);
 *	nt_json_double(&j, "pps", 14.2857e6, 3);
 *	nt_json_array_begin(&j, "rings");
 *	nt_json_object_begin(&j, NULL);
 *	...
 *	nt_json_object_end(&j);
 *	nt_json_array_end(&j);
 *	nt_json_end(&j);
 *
 * Inside an array, pass NULL as the key.  Strings are escaped per RFC 8259;
 * non-finite doubles are written as null.  Errors (no memory, nesting too
 * deep, a failed write) are remembered and reported by nt_json_end().
 */
#ifndef NT_JSON_H
#define NT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define NT_JSON_DEPTH_MAX	8

struct nt_json {
	FILE *f;
	char *buf;
	size_t len, cap;
	int depth;
	int first[NT_JSON_DEPTH_MAX + 1];	/* no member written yet at this level */
	char closer[NT_JSON_DEPTH_MAX + 1];	/* '}' or ']' */
	int failed;
};

/* Start {"tool":...,"type":...,"ts":<Unix time, 6 decimals>. */
void nt_json_begin(struct nt_json *j, FILE *f, const char *tool, const char *type);
/* The same with a given time (tests). */
void nt_json_begin_at(struct nt_json *j, FILE *f, const char *tool, const char *type,
		      const struct timespec *ts);

/*
 * Start an object with no members, for formats whose keys are fixed
 * elsewhere (lb's netmap statistics lines, tools.md 7.4).
 */
void nt_json_begin_bare(struct nt_json *j, FILE *f);

/* A time as seconds with exactly six decimals (1700000000.123456). */
void nt_json_time(struct nt_json *j, const char *key, const struct timespec *ts);

void nt_json_int(struct nt_json *j, const char *key, int64_t v);
void nt_json_u64(struct nt_json *j, const char *key, uint64_t v);
void nt_json_double(struct nt_json *j, const char *key, double v, int decimals);
void nt_json_string(struct nt_json *j, const char *key, const char *s);	/* NULL: null */
void nt_json_bool(struct nt_json *j, const char *key, int v);
void nt_json_null(struct nt_json *j, const char *key);

void nt_json_array_begin(struct nt_json *j, const char *key);
void nt_json_array_end(struct nt_json *j);
void nt_json_object_begin(struct nt_json *j, const char *key);
void nt_json_object_end(struct nt_json *j);

/*
 * Close every open level, write the line with its newline, flush, and free
 * the buffer.  Returns 0, or -1 if anything failed (then nothing is written,
 * or the write itself failed).  With a NULL stream nothing is written: the
 * text was wanted elsewhere (nt_json_text(), before this call).
 */
int nt_json_end(struct nt_json *j);

/* The object so far, without writing it (tests): NUL-terminated, or NULL. */
const char *nt_json_text(const struct nt_json *j);

/*
 * Write s escaped per RFC 8259, without quotes, into buf (truncated to len,
 * NUL-terminated); returns the length of the whole escaped text.
 */
size_t nt_json_escape(char *buf, size_t len, const char *s);

/*
 * Where -j / --json[=FILE] sends the JSON lines (8.1): NULL when the
 * option was not given, stdout for -j (the human lines that go to
 * stdout move to stderr, so stdout holds only JSON), or FILE, created
 * or truncated.  Returns 0, or 1 after "<tool>: cannot open FILE: ...".
 */
int nt_json_open_output(const char *tool, unsigned given, const char *file, FILE **out);

/* Close what nt_json_open_output() opened (nothing for stdout or NULL). */
void nt_json_close_output(FILE *f);

#endif /* NT_JSON_H */
