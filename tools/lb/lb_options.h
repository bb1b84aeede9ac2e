/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lb's command line (tools.md 7.2, 8.10): the option table and the checks
 * that need no port.  lb_parse_args() is all of it, so the unit tests
 * (test/unit/test_lb_opts.c) drive exactly what lb runs.  Private to lb
 * and its tests.
 */
#ifndef LB_OPTIONS_H
#define LB_OPTIONS_H

#include <stdint.h>

#include "nt_opt.h"

/* lb_parse_args() result: --help or --version was printed, exit 0. */
#define LB_ARGS_DONE		NT_OPT_EXIT_OK

#define LB_GROUPS_MAX		64	/* -p options */
#define LB_GROUP_NAME_MAX	56	/* characters of a group name (7.2) */
#define LB_PIPES_PER_PARENT	64	/* pipes of one parent (netmap-abi 16) */
#define LB_DEFAULT_PIPES	2	/* -p name: and the default group */
#define LB_EXTRA_BUFS_MAX	1000000
#define LB_INTERVAL_MAX		86400	/* -s, -o: seconds */

/* One -p [name:]n.  An empty name is the default: the input's name. */
struct lb_group_arg {
	char name[LB_GROUP_NAME_MAX + 1];
	unsigned npipes;
};

struct lb_config {
	const char *iface;
	struct nt_opt_seen iface_seen;
	struct lb_group_arg groups[LB_GROUPS_MAX];
	unsigned ngroups;
	struct nt_opt_seen groups_seen[LB_GROUPS_MAX];
	uint32_t extra_bufs;
	uint32_t batch;
	uint64_t wait_ns;
	unsigned wait_given;
	int busy;
	uint32_t syslog_s, stdout_s;
	const char *json_file;
	unsigned json_given;
	uint64_t duration_ns;
	unsigned duration_given;
	int verbose;
};

/*
 * Parse argv into *cfg and check what needs no port: group names and
 * sizes, and the pipes per parent (a later group with the same name
 * continues the numbering).  Returns 0 to go on, LB_ARGS_DONE after
 * --help or --version on nt_out(), 2 after one usage error line on
 * nt_errout(), or 1 if the option table is broken.  Not reentrant.
 */
int lb_parse_args(int argc, char **argv, struct lb_config *cfg);

/*
 * The rules that need the input's name (7.2), once it is parsed: unnamed
 * groups take default_name (the input's name without netmap: and mode
 * suffixes); when the input is itself a pipe end (input_is_pipe), every
 * group must be named.  Returns 0, or 2 after one usage error line.
 */
int lb_name_groups(struct lb_config *cfg, const char *default_name, int input_is_pipe);

/* The option table, for --help, the man page SYNOPSIS and the tests. */
const struct nt_tool *lb_tool_table(void);

#endif /* LB_OPTIONS_H */
