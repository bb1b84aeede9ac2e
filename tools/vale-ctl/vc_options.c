// SPDX-License-Identifier: BSD-2-Clause
/*
 * vale-ctl's option table and the checks of its actions' arguments
 * (tools.md 4.2): switch and interface names, -C for polling, and the
 * options an action ignores.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"
#include "nt_opt.h"
#include "vc_options.h"

#define TOOL	"vale-ctl"

/* The table's destinations; vc_parse_args() copies them out. */
static struct vc_config parsed;

/* Every action excludes the others (4.2: two actions are a usage error). */
static const char *const actions[] = {
	"list", "info", "attach", "attach-host", "detach", "create", "remove", "poll-on",
	"poll-off", "stats", "watch", "macs", "cleanup", "vnet-hdr", NULL
};

#define VALE_PORT	"a switch and interface such as vale0:eth0"

static const struct nt_option vc_options[] = {
	{ 'l', "list", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW,
	  .conflicts = actions, NT_DEST(parsed.list), .given = &parsed.list_given,
	  .seen = &parsed.list_seen, .noun = "port", .arg_name = "valeX:Y",
	  .help = "show a port's switch and index; without a port, list all ports" },
	{ 'g', "info", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions, NT_DEST(parsed.info),
	  .seen = &parsed.info_seen, .noun = "port", .arg_name = "port",
	  .expect = "a port name such as vale0:a or eth0",
	  .help = "print a port's memory size, ring geometry and memory region" },
	{ 'a', "attach", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.attach), .seen = &parsed.attach_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "attach a system interface to a switch" },
	{ 'h', "attach-host", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.attach_host), .seen = &parsed.attach_host_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "attach a system interface and its host stack" },
	{ 'd', "detach", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.detach), .seen = &parsed.detach_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "detach an interface or persistent port from its switch" },
	{ 'n', "create", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.create), .seen = &parsed.create_seen, .noun = "interface name",
	  .arg_name = "name", .expect = "an interface name of at most 15 characters",
	  .help = "create a persistent VALE port (a network interface)" },
	{ 'r', "remove", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.remove), .seen = &parsed.remove_seen, .noun = "interface name",
	  .arg_name = "name", .expect = "an interface name",
	  .help = "remove a persistent VALE port" },
	{ 'p', "poll-on", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.poll_on), .seen = &parsed.poll_on_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "start kernel polling threads for an attached interface" },
	{ 'P', "poll-off", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(parsed.poll_off), .seen = &parsed.poll_off_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "stop polling" },
	{ 'C', "config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(parsed.conf),
	  .given = &parsed.conf_given, .seen = &parsed.conf_seen, .noun = "config",
	  .arg_name = "spec",
	  .help = "-n, -a, -h: slots and rings (x[,y[,z[,w]]]); -p: mode,cpu[,n]" },
	{ 'm', "mem-id", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(parsed.mem_id),
	  .seen = &parsed.mem_seen, .noun = "memory region", .arg_name = "memid",
	  .expect = "a region number or a port name",
	  .help = "-n, -a, -h: memory region, as a number or a port sharing it" },
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, NT_DEST(parsed.verbose),
	  .help = "print the geometry after -n, the port index after -a, -h, -d" },
	NT_OPTION_JSON(parsed.json_file, parsed.json_given),
	{ 0, "stats", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW | NT_OPT_EXT,
	  .conflicts = actions, NT_DEST(parsed.stats), .given = &parsed.stats_given,
	  .noun = "switch or port", .arg_name = "name",
	  .help = "per-port counters of all switches, a switch or a port" },
	{ 0, "watch", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = NT_MSEC(10),
	  .max = NT_SEC(3600), .flags = NT_OPT_EXT, .conflicts = actions,
	  NT_DEST(parsed.watch_ns), .given = &parsed.watch_given, .noun = "interval",
	  .arg_name = "dur", .help = "repeat --stats with rates every interval" },
	{ 0, "macs", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW | NT_OPT_EXT,
	  .conflicts = actions, NT_DEST(parsed.macs), .given = &parsed.macs_given,
	  .noun = "switch", .arg_name = "switch",
	  .help = "the learning table of one switch or of all" },
	{ 0, "vnet-hdr", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_EXT,
	  .conflicts = actions, NT_DEST(parsed.vnet_hdr), .seen = &parsed.vnet_hdr_seen,
	  .noun = "port and header length", .arg_name = "valeX:Y,len",
	  .expect = "a VALE port, a comma and 0, 10 or 12, such as vale0:a,12",
	  .help = "set a VALE port's virtio-net header length (0, 10 or 12)" },
	{ 0, "cleanup", NT_ARG_NONE, NT_T_FLAG, .flags = NT_OPT_EXT, .conflicts = actions,
	  NT_DEST(parsed.cleanup),
	  .help = "remove the user runtime's shared files once no process uses them" },
	NT_OPT_END
};

static const struct nt_tool vc_tool = {
	.name = TOOL,
	.purpose = "List and configure the ports of VALE switches.",
	.version = PACKAGE_VERSION,
	.options = vc_options,
};

const struct nt_tool *vc_tool_table(void)
{
	return &vc_tool;
}

/* ================================================================ checks */

/* "valeX:ifname": a switch name, a colon, a non-empty interface name. */
/* Names are printable: a newline in one would break every listing. */
static int check_printable(const struct nt_opt_seen *seen, const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return nt_usage_error(TOOL, seen->opt, seen->value,
					      "control character '%c' in the name; names "
					      "are printable", *p);
	return 0;
}

static int check_vale_name(const struct nt_opt_seen *seen, const char *name)
{
	const char *colon = strchr(name, ':'), *p;

	if (check_printable(seen, name))
		return NT_EXIT_USAGE;

	if (strncmp(name, "vale", 4) || !colon || !colon[1])
		return nt_usage_error(TOOL, seen->opt, seen->value,
				      "expected %s", VALE_PORT);
	for (p = name + 4; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return nt_usage_error(TOOL, seen->opt, seen->value,
					      "invalid character '%c' in the switch name; "
					      "expected %s", *p, VALE_PORT);
	return 0;
}

static int check_ifname(const struct nt_opt_seen *seen, const char *name)
{
	const char *p;

	if (check_printable(seen, name))
		return NT_EXIT_USAGE;
	if (!*name || strlen(name) > 15)
		return nt_usage_error(TOOL, seen->opt, seen->value,
				      "invalid interface name; expected 1 to 15 characters");
	if (!strncmp(name, "vale", 4))
		return nt_usage_error(TOOL, seen->opt, seen->value,
				      "a persistent port name must not start with vale");
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return nt_usage_error(TOOL, seen->opt, seen->value,
					      "invalid character '%c' in the interface name",
					      *p);
	return 0;
}

/* --vnet-hdr valeX:Y,len: the port into c->vnet_port, the length. */
static int check_vnet_hdr(struct vc_config *c)
{
	const struct nt_opt_seen *seen = &c->vnet_hdr_seen;
	const char *comma = strrchr(c->vnet_hdr, ',');
	size_t n = comma ? (size_t)(comma - c->vnet_hdr) : 0;

	if (!comma || strncmp(c->vnet_hdr, "vale", 4) || !strchr(c->vnet_hdr, ':') ||
	    n >= sizeof(c->vnet_port))
		return nt_usage_error(TOOL, seen->opt, seen->value, "expected a VALE port, a "
				      "comma and a header length, such as vale0:a,12");
	if (strcmp(comma + 1, "0") && strcmp(comma + 1, "10") && strcmp(comma + 1, "12"))
		return nt_usage_error(TOOL, seen->opt, seen->value, "invalid virtio-net "
				      "header length '%s'; expected 0, 10 or 12", comma + 1);
	memcpy(c->vnet_port, c->vnet_hdr, n);
	c->vnet_port[n] = '\0';
	c->vnet_len = (unsigned)atoi(comma + 1);
	return 0;
}

static int check_options(struct vc_config *c)
{
	const char *acting = c->create ? "create" : c->attach || c->attach_host ? "attach" :
			     c->poll_on ? "poll" : NULL;
	int st = 0;

	if (c->list && strncmp(c->list, "vale", 4))
		return nt_usage_error(TOOL, c->list_seen.opt, c->list_seen.value,
				      "not a VALE port; expected a name such as vale0:a");
	if (c->attach)
		st = check_vale_name(&c->attach_seen, c->attach);
	else if (c->attach_host)
		st = check_vale_name(&c->attach_host_seen, c->attach_host);
	else if (c->detach)
		st = check_vale_name(&c->detach_seen, c->detach);
	else if (c->poll_on)
		st = check_vale_name(&c->poll_on_seen, c->poll_on);
	else if (c->poll_off)
		st = check_vale_name(&c->poll_off_seen, c->poll_off);
	else if (c->create)
		st = check_ifname(&c->create_seen, c->create);
	else if (c->vnet_hdr)
		st = check_vnet_hdr(c);
	if (st)
		return st;
	if (c->conf_given && !acting) {
		nt_warn(TOOL, "%s %s: only used with -n, -a, -h and -p; ignored",
			c->conf_seen.opt, c->conf_seen.value);
		c->conf_given = 0;
	}
	if (c->conf_given && c->poll_on) {
		const struct nt_tuple *t = &c->conf;

		if (t->count > 3 || t->value[0] > 1)
			return nt_usage_error(TOOL, c->conf_seen.opt, c->conf_seen.value,
					      "invalid polling config; expected mode,cpu[,n] "
					      "with mode 0 or 1");
		if (t->value[0] == 0 && t->count == 3 && t->value[2] != 1)
			return nt_usage_error(TOOL, c->conf_seen.opt, c->conf_seen.value,
					      "mode 0 runs one thread; expected n = 1");
		if (t->count == 3 && t->value[2] == 0)
			return nt_usage_error(TOOL, c->conf_seen.opt, c->conf_seen.value,
					      "expected at least one polling thread");
	}
	if (c->mem_id && (isdigit((unsigned char)c->mem_id[0]) || c->mem_id[0] == '-')) {
		/* a number: a region id (no port name starts so) */
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(c->mem_id, &end, 10);
		if (c->mem_id[0] == '-' || *end || errno || v < 1 || v > 65535)
			return nt_usage_error(TOOL, c->mem_seen.opt, c->mem_seen.value,
					      "invalid memory region; expected a number "
					      "from 1 to 65535 or a port name");
	}
	if (c->mem_id && !c->create && !c->attach && !c->attach_host) {
		nt_warn(TOOL, "%s %s: only used with -n, -a and -h; ignored", c->mem_seen.opt,
			c->mem_seen.value);
		c->mem_id = NULL;
	}
	return 0;
}

static int check_all(void *p, int argc, char **argv)
{
	(void)argc, (void)argv;
	return check_options(p);
}

int vc_parse_args(int argc, char **argv, struct vc_config *cfg)
{
	return nt_opt_parse_config(&vc_tool, argc, argv, &parsed, sizeof(parsed), check_all, cfg);
}
