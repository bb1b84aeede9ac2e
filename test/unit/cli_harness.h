/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driving a tool's command-line parser from a unit test: an argument
 * string is split on blanks ('' stands for an empty argument), the parser
 * runs with stdout and stderr captured through nt_set_streams(), and the
 * captured texts are left in cli_out / cli_err for the checks.
 */
#ifndef TEST_UNIT_CLI_HARNESS_H
#define TEST_UNIT_CLI_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"

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

#endif /* TEST_UNIT_CLI_HARNESS_H */
