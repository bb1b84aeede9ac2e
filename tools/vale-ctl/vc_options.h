/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vale-ctl's command line (tools.md 4.2): the option table and the checks
 * that need no control descriptor.  vc_parse_args() is all of it, so the
 * unit tests (test/unit/test_valectl_opts.c) drive exactly what vale-ctl
 * runs.  Private to vale-ctl and its tests.
 */
#ifndef VC_OPTIONS_H
#define VC_OPTIONS_H

#include <stdint.h>

#include "nt_opt.h"
#include "nt_parse.h"

/* vc_parse_args() result: --help or --version was printed, exit 0. */
#define VC_ARGS_DONE		NT_OPT_EXIT_OK

struct vc_config {
	const char *list, *info, *attach, *attach_host, *detach, *create, *remove;
	const char *poll_on, *poll_off, *mem_id, *json_file, *stats, *macs;
	unsigned list_given, json_given, stats_given, macs_given, watch_given, conf_given;
	int cleanup;
	uint64_t watch_ns;
	struct nt_tuple conf;
	struct nt_opt_seen conf_seen, list_seen, create_seen, mem_seen;
	struct nt_opt_seen attach_seen, attach_host_seen, detach_seen, poll_on_seen;
	struct nt_opt_seen poll_off_seen, info_seen, remove_seen;
	int verbose;
	/* --vnet-hdr valeX:Y,len, split by vc_parse_args() */
	const char *vnet_hdr;
	struct nt_opt_seen vnet_hdr_seen;
	char vnet_port[64];
	unsigned vnet_len;
};

/*
 * Parse argv into *cfg and check the action's arguments (nothing is
 * opened).  Returns 0 to go on, VC_ARGS_DONE after --help or --version on
 * nt_out(), 2 after one usage error line on nt_errout(), or 1 if the
 * option table is broken.  Ignored options (-C, -m without an action that
 * uses them) are cleared with a warning.  Not reentrant.
 */
int vc_parse_args(int argc, char **argv, struct vc_config *cfg);

/* The option table, for the man page synopsis check of the unit tests. */
const struct nt_tool *vc_tool_table(void);

#endif /* VC_OPTIONS_H */
