/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driving a tool's command-line parser from a unit test: an argument
 * string is split on blanks ('' stands for an empty argument), the parser
 * runs with stdout and stderr captured through nt_set_streams(), and the
 * captured texts are left in cli_out / cli_err for the checks.  Rows of
 * {expected status, arguments, what is printed} are checked by
 * cli_run_rows().  Include tap.h first.
 */
#ifndef TEST_UNIT_CLI_HARNESS_H
#define TEST_UNIT_CLI_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"
#include "nt_opt.h"
#include "tap.h"

static char *cli_out, *cli_err;
static size_t cli_out_len, cli_err_len;

/* Parses argv; ctx is the test's own state.  Returns the parser's status. */
typedef int (*cli_parse_fn)(int argc, char **argv, void *ctx);

static inline int cli_run(const char *argv0, const char *args,
			  cli_parse_fn parse, void *ctx)
{
	static char *keep;	/* values point into argv: kept until the next run */
	char *copy = strdup(args), *word, *save = NULL;
	char *argv[64];
	int argc = 0, status;
	FILE *out, *err;

	free(cli_out);
	free(cli_err);
	cli_out = cli_err = NULL;
	out = open_memstream(&cli_out, &cli_out_len);
	err = open_memstream(&cli_err, &cli_err_len);
	nt_set_streams(out, err);
	argv[argc++] = (char *)argv0;
	for (word = strtok_r(copy, " ", &save); word && argc < 63;
	     word = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(word, "''") ? word : word + 2;
	argv[argc] = NULL;
	status = parse(argc, argv, ctx);
	nt_set_streams(NULL, NULL);
	fclose(out);
	fclose(err);
	free(keep);
	keep = copy;
	return status;
}

static inline int cli_count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* TAP test names must stay on one line. */
static inline const char *cli_one_line(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; s && *s && n + 3 < sizeof(buf); s++) {
		if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* What a row expects to be printed. */
enum cli_stream {
	NONE,		/* nothing printed */
	ERR,		/* exactly this line on stderr, nothing on stdout */
	ERRF,		/* one stderr line containing this fragment */
	OUT,		/* stdout contains this fragment, stderr empty */
};

struct row {
	int status;
	const char *args;
	enum cli_stream where;
	const char *text;	/* ERR: the line without its newline; ERRF, OUT: a fragment */
};

/* Runs the tool's parser on args; returns the exit status the tool would have. */
typedef int (*cli_row_fn)(const char *args, void *ctx);

/*
 * Each row: the status, and what was printed.  A usage error (status 2)
 * is exactly one stderr line beginning with "<tool>: " (tools.md 1.3).
 */
static inline void cli_run_rows(const char *tool, cli_row_fn run, void *ctx,
				const struct row *rows, size_t n)
{
	size_t i, tl = strlen(tool);

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		int status = run(r->args, ctx);
		char want[1024];

		is_int(status, r->status, "%s %s: exit status", tool, r->args);
		if (r->status == 2)
			ok(cli_count_lines(cli_err) == 1 && !strncmp(cli_err, tool, tl) &&
			   !strncmp(cli_err + tl, ": ", 2), "%s %s: one stderr line", tool, r->args);
		switch (r->where) {
		case ERR:
			snprintf(want, sizeof(want), "%s\n", r->text);
			is_str(cli_err, want, "%s %s: stderr", tool, r->args);
			is_str(cli_out, "", "%s %s: nothing on stdout", tool, r->args);
			break;
		case ERRF:
			ok(cli_count_lines(cli_err) == 1 && strstr(cli_err, r->text),
			   "%s %s: stderr has \"%s\"", tool, r->args, r->text);
			if (!strstr(cli_err, r->text))
				printf("#   got \"%s\"\n", cli_err);
			break;
		case OUT:
			ok(cli_out && strstr(cli_out, r->text), "%s %s: stdout has \"%s\"", tool,
			   r->args, cli_one_line(r->text));
			is_str(cli_err, "", "%s %s: nothing on stderr", tool, r->args);
			break;
		default:
			is_str(cli_err, "", "%s %s: nothing on stderr", tool, r->args);
			is_str(cli_out, "", "%s %s: nothing on stdout", tool, r->args);
		}
	}
}

/*
 * The harness of a tool whose parser is `int parse_fn(int argc, char
 * **argv, config_type *cfg)` returning done_status after --help: defines
 * the tool's name cli_tool_name, the parsed `cfg`, run_as(argv0, args)
 * and run(args), which return the
 * tool's exit status, and ROWS(rows).  The configuration is filled with
 * junk before each parse: nothing may depend on what was there.
 */
#define CLI_TOOL_HARNESS(tool, config_type, parse_fn, done_status)			\
	static const char cli_tool_name[] = tool;					\
	static config_type cfg;								\
											\
	static int cli_tool_parse(int argc, char **argv, void *ctx)			\
	{										\
		memset(ctx, 0xa5, sizeof(cfg));						\
		return parse_fn(argc, argv, ctx);					\
	}										\
											\
	static int run_as(const char *argv0, const char *args)				\
	{										\
		int status = cli_run(argv0, args, cli_tool_parse, &cfg);		\
											\
		return status == (done_status) ? 0 : status;				\
	}										\
											\
	static int run(const char *args)						\
	{										\
		return run_as(cli_tool_name, args);					\
	}										\
											\
	static int cli_tool_row(const char *args, void *ctx)				\
	{										\
		(void)ctx;								\
		return run(args);							\
	}

#define ROWS(rows) \
	cli_run_rows(cli_tool_name, cli_tool_row, NULL, (rows), sizeof(rows) / sizeof((rows)[0]))

/*
 * The SYNOPSIS section of man page `page` (under $NETMAP_SRCDIR/man) is
 * what nt_opt_print_synopsis() makes of the tool's option table
 * (tools.md 2.2, 8.11).
 */
static inline void cli_check_synopsis(const struct nt_tool *tool, const char *page)
{
	const char *srcdir = getenv("NETMAP_SRCDIR");
	char path[1024], *text = NULL, *want = NULL, *start, *end;
	size_t text_len = 0, want_len = 0;
	FILE *f, *g;

	snprintf(path, sizeof(path), "%s/man/%s", srcdir ? srcdir : "..", page);
	f = fopen(path, "r");
	if (!f) {
		ok(0, "%s: man page %s readable", tool->name, path);
		return;
	}
	g = open_memstream(&text, &text_len);
	for (int c; (c = getc(f)) != EOF;)
		putc(c, g);
	fclose(f);
	fclose(g);
	g = open_memstream(&want, &want_len);
	nt_opt_print_synopsis(tool, g);
	fclose(g);
	start = strstr(text, ".SH SYNOPSIS\n");
	end = start ? strstr(start + 1, "\n.SH ") : NULL;
	if (end)
		end[1] = '\0';
	is_str(start ? start : "", want, "%s: the SYNOPSIS of %s is generated from the option "
	       "table", tool->name, page);
	free(text);
	free(want);
}

#endif /* TEST_UNIT_CLI_HARNESS_H */
