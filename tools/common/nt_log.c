// SPDX-License-Identifier: BSD-2-Clause
/*
 * Diagnostic prefix, error and warning lines, and the output stream pair.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_log.h"

#include <errno.h>
#include <string.h>

/*
 * The stream pair is the library's only global state.  Tools leave it
 * alone; a unit test sets it from its single thread before driving a tool's
 * code and resets it afterwards, so it needs no lock.
 */
static FILE *out_stream;
static FILE *err_stream;

void nt_set_streams(FILE *out, FILE *err)
{
	out_stream = out;
	err_stream = err;
}

FILE *nt_out(void)
{
	return out_stream ? out_stream : stdout;
}

FILE *nt_errout(void)
{
	return err_stream ? err_stream : stderr;
}

void nt_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int nt_fmt_prefix(char *buf, size_t len, const struct timespec *ts, const char *name,
		  int line)
{
	int n = snprintf(buf, len, "%03ld.%06ld %s [%d] ", (long)(ts->tv_sec % 1000),
			 (long)(ts->tv_nsec / 1000), name ? name : "-", line);

	return n < 0 ? 0 : n;
}

static int ends_with_newline(const char *fmt)
{
	size_t n = strlen(fmt);

	return n > 0 && fmt[n - 1] == '\n';
}

void nt_vdiag_to(FILE *f, const char *name, int line, const char *fmt, va_list ap)
{
	struct timespec now;
	char prefix[128];

	if (!f)
		f = nt_errout();
	clock_gettime(CLOCK_REALTIME, &now);
	nt_fmt_prefix(prefix, sizeof(prefix), &now, name, line);
	flockfile(f);
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	if (!ends_with_newline(fmt))
		putc('\n', f);
	funlockfile(f);
}

void nt_diag_to(FILE *f, const char *name, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nt_vdiag_to(f, name, line, fmt, ap);
	va_end(ap);
}

void nt_put_printable(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
}

void nt_vline(const char *tool, const char *kind, const char *fmt, va_list ap)
{
	FILE *f = nt_errout();
	char text[2048];
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	if (n && text[n - 1] == '\n')
		text[n - 1] = '\0';
	flockfile(f);
	fprintf(f, "%s: %s", tool, kind);
	nt_put_printable(f, text);
	putc('\n', f);
	fflush(f);
	funlockfile(f);
}

void nt_err(const char *tool, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nt_vline(tool, "", fmt, ap);
	va_end(ap);
}

void nt_warn(const char *tool, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nt_vline(tool, "warning: ", fmt, ap);
	va_end(ap);
}

const char *nt_open_strerror(int err)
{
	if (err == EPROTO)
		return "the user runtime's files were made by another version "
		       "of netmap; stop the programs using it, then run "
		       "vale-ctl --cleanup";
	return strerror(err);
}

const char *nt_open_reason(int err, const char *detail, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", nt_open_strerror(err),
		 detail && *detail ? " (" : "", detail ? detail : "",
		 detail && *detail ? ")" : "");
	return buf;
}
