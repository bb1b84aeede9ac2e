// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb's option table and the checks of its groups (tools.md 7.2): -p
 * [name:]n, the default group, names for a pipe input, and the 64 pipes
 * a parent can hold.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>

#include "lb_options.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_parse.h"

#define TOOL		"lb"

/* The table's destinations; lb_parse_args() copies them out. */
static struct lb_config parsed;

/* -p [name:]n: a name of 1 to 56 characters and at least one pipe. */
static int parse_group(const struct nt_option *o, const char *value, void *dest,
		       char *err, size_t errlen)
{
	struct lb_group_arg *g = dest;
	const char *colon = strrchr(value, ':');
	const char *count = colon ? colon + 1 : value;
	size_t namelen = colon ? (size_t)(colon - value) : 0;
	uint64_t n = LB_DEFAULT_PIPES;

	(void)o;
	if (colon && namelen == 0) {
		snprintf(err, errlen, "empty group name; expected [name:]n, such as out:4");
		return -1;
	}
	if (namelen > LB_GROUP_NAME_MAX) {
		snprintf(err, errlen, "group name too long; expected at most %d characters",
			 LB_GROUP_NAME_MAX);
		return -1;
	}
	if (*count && nt_parse_uint(count, "pipe count", 1, LB_PIPES_PER_PARENT, 0, &n, err,
				    errlen))
		return -1;
	if (!colon && !*count) {
		snprintf(err, errlen, "empty group; expected [name:]n, such as out:4");
		return -1;
	}
	memset(g, 0, sizeof(*g));
	memcpy(g->name, value, namelen);
	g->npipes = (unsigned)n;
	return 0;
}

static const struct nt_option lb_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REQUIRED, .max = 63,
	  NT_DEST(parsed.iface), .seen = &parsed.iface_seen, .noun = "port name",
	  .arg_name = "port", .expect = NT_PORT_EXPECT,
	  .help = "input port (netmap: is prepended when needed)" },
	{ 'p', "pipes", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_group,
	  .flags = NT_OPT_REPEATABLE, .max_count = LB_GROUPS_MAX, NT_DEST(parsed.groups),
	  .given = &parsed.ngroups, .seen = parsed.groups_seen, .noun = "pipe group",
	  .arg_name = "[name:]n", .expect = "[name:]n, such as out:4",
	  .def_help = "one group of 2 pipes named after the input",
	  .help = "add a group of n pipes (name: alone means 2)" },
	{ 'B', "extra-buffers", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = LB_EXTRA_BUFS_MAX,
	  NT_DEST(parsed.extra_bufs), .noun = "extra buffer count", .arg_name = "n", .def = "0",
	  .help = "extra buffers for the overflow queues" },
	{ 'b', "batch", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65535,
	  NT_DEST(parsed.batch), .noun = "batch size", .arg_name = "n", .def = "2048",
	  .help = "input packets handled between two receive syncs" },
	NT_OPTION_WAIT_LINK(parsed.wait_ns, parsed.wait_given),
	{ 'W', "busy-wait", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.busy),
	  .help = "spin instead of sleeping in poll() (one CPU at 100%)" },
	{ 's', "syslog-interval", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = LB_INTERVAL_MAX,
	  NT_DEST(parsed.syslog_s), .noun = "syslog interval", .arg_name = "secs", .def = "0",
	  .help = "statistics lines to syslog every secs seconds; 0 = never" },
	{ 'o', "stdout-interval", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = LB_INTERVAL_MAX,
	  NT_DEST(parsed.stdout_s), .noun = "stdout interval", .arg_name = "secs", .def = "0",
	  .help = "statistics lines on stdout every secs seconds; 0 = never" },
	NT_OPTION_VERBOSE(parsed.verbose, "log each packet a queue reclaim drops"),
	NT_OPTION_JSON(parsed.json_file, parsed.json_given),
	NT_OPTION_DURATION(parsed.duration_ns, parsed.duration_given),
	NT_OPT_END
};

static const struct nt_tool lb_tool = {
	.name = TOOL,
	.purpose = "Spread the flows of a port over groups of netmap pipes.",
	.version = PACKAGE_VERSION,
	.options = lb_options,
};

/* Pipes asked of each parent, counting every group of the same name. */
static int check_parents(const struct lb_config *c)
{
	unsigned i, k, total;

	for (i = 0; i < c->ngroups; i++) {
		for (k = 0, total = 0; k < c->ngroups; k++)
			if (!strcmp(c->groups[k].name, c->groups[i].name))
				total += c->groups[k].npipes;
		if (total > LB_PIPES_PER_PARENT)
			return nt_usage_error(TOOL, c->groups_seen[i].opt, c->groups_seen[i].value,
					      "%u pipes of %s%s; a pipe parent holds at most %d",
					      total, c->groups[i].name[0] ? "group " : "the input",
					      c->groups[i].name, LB_PIPES_PER_PARENT);
	}
	return 0;
}

static int check_groups(void *parsed_config, int argc, char **argv)
{
	struct lb_config *c = parsed_config;

	(void)argc;
	(void)argv;
	if (c->ngroups == 0) {
		c->groups[0].npipes = LB_DEFAULT_PIPES;	/* 7.2: named after the input */
		c->ngroups = 1;
	}
	return check_parents(c);
}

int lb_parse_args(int argc, char **argv, struct lb_config *cfg)
{
	return nt_opt_parse_config(&lb_tool, argc, argv, &parsed, sizeof(parsed), check_groups,
				   cfg);
}

const struct nt_tool *lb_tool_table(void)
{
	return &lb_tool;
}

int lb_name_groups(struct lb_config *c, const char *default_name, int input_is_pipe)
{
	unsigned i;

	for (i = 0; i < c->ngroups; i++) {
		if (c->groups[i].name[0])
			continue;
		if (input_is_pipe) {
			if (c->groups_seen[i].value)
				return nt_usage_error(TOOL, c->groups_seen[i].opt,
						      c->groups_seen[i].value,
						      "the input %s is a pipe: name the group, "
						      "such as out:%u", c->iface,
						      c->groups[i].npipes);
			return nt_usage_error(TOOL, NULL, NULL,
					      "the input %s is a pipe: name the pipe groups "
					      "with -p name:n, such as -p out:2", c->iface);
		}
		if (strlen(default_name) > LB_GROUP_NAME_MAX)
			return nt_usage_error(TOOL, c->iface_seen.opt, c->iface_seen.value,
					      "the default group name %s is too long; name the "
					      "groups with -p name:n", default_name);
		snprintf(c->groups[i].name, sizeof(c->groups[i].name), "%s", default_name);
	}
	/* with the default names known, count each parent's pipes again */
	return check_parents(c);
}
