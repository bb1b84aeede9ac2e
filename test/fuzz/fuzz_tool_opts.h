/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The input of the option-parser targets: the words of a command line,
 * separated by NUL bytes (at most 63), parsed as the tool would parse
 * its argv.  What the parser prints goes to /dev/null.
 */
#ifndef FUZZ_TOOL_OPTS_H
#define FUZZ_TOOL_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"

typedef int (*fuzz_parse_fn)(int argc, char **argv);

static inline void fuzz_argv(const char *argv0, const uint8_t *data,
			     size_t size, fuzz_parse_fn parse)
{
	static FILE *null;
	char *copy, *argv[64];
	size_t i, start = 0;
	int argc = 0;

	if (!null)
		null = fopen("/dev/null", "w");
	copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = (char *)argv0;
	for (i = 0; i <= size && argc < 63; i++) {
		if (copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	nt_set_streams(null, null);
	parse(argc, argv);
	nt_set_streams(NULL, NULL);
	free(copy);
}

#endif /* FUZZ_TOOL_OPTS_H */
