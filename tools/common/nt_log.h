/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diagnostics and one-line errors for the tools (tools.md 1.3 - 1.5).
 *
 *   nt_diag("opened %s", name)   "123.456789 open_port [88] opened vale0:a"
 *   nt_err("pkt-gen", ...)       "pkt-gen: cannot open netmap:eth9: ..."
 *   nt_warn("pkt-gen", ...)      "pkt-gen: warning: ..."
 *
 * Everything is written through a settable pair of streams (stdout and
 * stderr by default) so that unit tests can capture what a tool prints.
 * Each line is written under the stream's lock, so lines from several
 * threads never interleave.  A trailing newline is added unless the format
 * already ends with one.
 */
#ifndef NT_LOG_H
#define NT_LOG_H

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Redirect results (out) and diagnostics (err); NULL restores stdout/stderr. */
void nt_set_streams(FILE *out, FILE *err);
FILE *nt_out(void);
FILE *nt_errout(void);

/* Make stdout and stderr line buffered, also when they are pipes or files. */
void nt_line_buffered(void);

/*
 * Write "SSS.UUUUUU NAME [LINE] " for the wall-clock time ts into buf
 * (seconds modulo 1000, microseconds).  Returns the length written.
 */
int nt_fmt_prefix(char *buf, size_t len, const struct timespec *ts, const char *name,
		  int line);

/* A diagnostic line with the prefix, on the given stream or on nt_errout(). */
void nt_diag_to(FILE *f, const char *name, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void nt_vdiag_to(FILE *f, const char *name, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#define nt_diag(...)		nt_diag_to(NULL, __func__, __LINE__, __VA_ARGS__)
#define nt_diag_named(name, ...) nt_diag_to(NULL, (name), __LINE__, __VA_ARGS__)

/*
 * "<tool>: message" and "<tool>: warning: message" on nt_errout().  A
 * message is one line: control characters in it (a newline in a port
 * name given on the command line) are written as \n, \t or \xNN.
 */
void nt_err(const char *tool, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nt_warn(const char *tool, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "<tool>: <kind><message>", what nt_err and nt_warn write. */
void nt_vline(const char *tool, const char *kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* s with control characters written as nt_err writes them. */
void nt_put_printable(FILE *f, const char *s);

/*
 * strerror() of an error from opening a port or a control descriptor,
 * with what to do where strerror() alone would not say: EPROTO means the
 * user runtime's files were made by another build of netmap.
 */
const char *nt_open_strerror(int err);

/*
 * nt_open_strerror(err) followed by " (detail)" when detail (from
 * nm_error_detail()) is not empty, written into buf: what follows
 * "cannot open X: " in a tool's message.
 */
const char *nt_open_reason(int err, const char *detail, char *buf, size_t len);

#endif /* NT_LOG_H */
