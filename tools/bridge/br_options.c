// SPDX-License-Identifier: BSD-2-Clause
/*
 * bridge's option table and the checks that need no port (tools.md 5.2):
 * ports given with -i or positionally (not both), the positional burst,
 * and -L with one port.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include "br_options.h"
#include "nt_log.h"
#include "nt_opt.h"

#define TOOL	"bridge"

/* The table's destinations; br_parse_args() copies them out. */
static struct br_config parsed;

static const struct nt_option br_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REPEATABLE,
	  .max_count = 2, .max = 63, NT_DEST(parsed.ifaces), .given = &parsed.nifaces,
	  .seen = parsed.iface_seen, .noun = "port name", .arg_name = "port",
	  .expect = NT_PORT_EXPECT, .help = "port A, then port B" },
	{ 'b', "burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = BR_BURST_MAX,
	  NT_DEST(parsed.burst), .noun = "burst", .arg_name = "burst", .def = "1024",
	  .help = "most packets moved per direction per round" },
	NT_OPTION_WAIT_LINK(parsed.wait_ns, parsed.wait_given),
	{ 'c', "no-zerocopy", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.no_zerocopy),
	  .help = "always copy, even when the ports could swap buffers" },
	{ 'L', "loopback", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.loopback),
	  .help = "send what arrives on the port back out of it" },
	NT_OPTION_VERBOSE(parsed.verbose, "log every poll round and every forwarded batch"),
	NT_OPTION_REPORT_INTERVAL(parsed.report_ns, "0"),
	NT_OPTION_JSON(parsed.json_file, parsed.json_given),
	NT_OPTION_DURATION(parsed.duration_ns, parsed.duration_given),
	NT_OPTION_BUSY_WAIT(parsed.busy, "bridge-b"),
	NT_OPT_END
};

static const struct nt_tool br_tool = {
	.name = TOOL,
	.purpose = "Forward packets both ways between two netmap ports, a NIC and its host "
		   "stack, or back out of one port.",
	.version = PACKAGE_VERSION,
	.options = br_options,
	.args_usage = "[A [B [burst]]]",
	.args = parsed.args,
	.nargs = &parsed.nargs,
	.max_args = 3,
};

const struct nt_tool *br_tool_table(void)
{
	return &br_tool;
}

/* Where the ports come from: -i, or the positional form kept from netmap. */
static int check_ports(struct br_config *c)
{
	static const char *const names[2] = { "A", "B" };
	char err[256];
	uint64_t burst;
	unsigned i, n;

	if (c->nifaces && c->nargs)
		return nt_usage_error(TOOL, c->args[0], NULL,
				      "ports are given both with -i and as arguments; use one "
				      "form");
	n = c->nifaces ? c->nifaces : c->nargs < 2 ? c->nargs : 2;
	for (i = 0; i < n; i++) {
		c->port[i] = c->nifaces ? c->ifaces[i] : c->args[i];
		c->port_opt[i] = c->nifaces ? c->iface_seen[i].opt : names[i];
		if (!c->nifaces && strlen(c->port[i]) > 63)
			return nt_usage_error(TOOL, c->port[i], NULL, "port name too long; "
					      "expected at most 63 characters");
	}
	if (c->nargs == 3) {
		if (nt_parse_uint(c->args[2], "burst", 1, BR_BURST_MAX, 0, &burst, err,
				  sizeof(err)))
			return nt_usage_error(TOOL, c->args[2], NULL, "%s", err);
		c->burst = (uint32_t)burst;
	}
	if (!n)
		return nt_usage_error(TOOL, NULL, NULL, "missing -i; expected %s",
				      NT_PORT_EXPECT);
	if (n == 2 && !strcmp(c->port[0], c->port[1]))
		n = 1;		/* A equal to B: one port (5.2) */
	if (n == 1)
		c->port[1] = NULL;
	if (c->loopback && n == 2)
		return nt_usage_error(TOOL, "-L", NULL, "loops one port back; give one port, "
				      "not %s and %s", c->port[0], c->port[1]);
	return 0;
}

static int check_all(void *p, int argc, char **argv)
{
	struct br_config *c = p;

	if (nt_opt_invoked_as(argc, argv, "bridge-b"))
		c->busy = 1;
	return check_ports(c);
}

int br_parse_args(int argc, char **argv, struct br_config *cfg)
{
	return nt_opt_parse_config(&br_tool, argc, argv, &parsed, sizeof(parsed), check_all, cfg);
}
