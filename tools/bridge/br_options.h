/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bridge's command line (tools.md 5.2, 8.10): the option table, the
 * positional form [A [B [burst]]] and every check that needs no port.
 * br_parse_args() is all of it, so the unit tests
 * (test/unit/test_bridge_opts.c) drive exactly what bridge runs.
 * Private to bridge and its tests.
 */
#ifndef BR_OPTIONS_H
#define BR_OPTIONS_H

#include <stdint.h>

#include "nt_opt.h"
#include "nt_parse.h"

/* br_parse_args() result: --help or --version was printed, exit 0. */
#define BR_ARGS_DONE		NT_OPT_EXIT_OK

#define BR_BURST_DEFAULT	1024
#define BR_BURST_MAX		8192

struct br_config {
	/* ---- the table's destinations */
	const char *ifaces[2];
	unsigned nifaces;
	struct nt_opt_seen iface_seen[2];
	uint32_t burst;
	uint64_t wait_ns;
	unsigned wait_given;
	int no_zerocopy;
	int loopback;
	int verbose;
	uint64_t report_ns;
	const char *json_file;
	unsigned json_given;
	uint64_t duration_ns;
	unsigned duration_given;
	int busy;
	const char *args[3];
	unsigned nargs;

	/* ---- derived by br_parse_args() */
	const char *port[2];		/* A and B as typed; port[1] NULL: one port */
	const char *port_opt[2];	/* how each was given, for messages: "-i" or "A" */
};

/*
 * Parse argv into *cfg (nothing is opened): ports from -i or positional,
 * a positional burst checked like -b, -L with one port.  argv[0]'s base
 * name bridge-b turns on busy waiting.  Returns 0 to go on, BR_ARGS_DONE
 * after --help or --version on nt_out(), 2 after one usage error line on
 * nt_errout(), or 1 if the option table is broken.  Not reentrant.
 */
int br_parse_args(int argc, char **argv, struct br_config *cfg);

/* The option table, for the man page synopsis check of the unit tests. */
const struct nt_tool *br_tool_table(void);

#endif /* BR_OPTIONS_H */
