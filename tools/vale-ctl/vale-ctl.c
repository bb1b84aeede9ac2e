// SPDX-License-Identifier: BSD-2-Clause
/*
 * vale-ctl: administer VALE switches (tools.md section 4): list ports,
 * attach and detach interfaces, create and remove persistent ports, turn
 * polling on and off and print a port's geometry.  Every action is one
 * NIOCCTRL request on a bare control descriptor of the selected backend
 * (nm_control_open()), so it works on the kernel module and, where the
 * request makes sense there, on the user runtime.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnetmap.h>

#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_parse.h"

#define TOOL	"vale-ctl"

/* ================================================================ options */

static struct vc_cfg {
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
} cfg;

/* Every action excludes the others (4.2: two actions are a usage error). */
static const char *const actions[] = {
	"list", "info", "attach", "attach-host", "detach", "create", "remove", "poll-on",
	"poll-off", "stats", "watch", "macs", "cleanup", NULL
};

#define VALE_PORT	"a switch and interface such as vale0:eth0"

static const struct nt_option vc_options[] = {
	{ 'l', "list", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW,
	  .conflicts = actions, NT_DEST(cfg.list), .given = &cfg.list_given,
	  .seen = &cfg.list_seen, .noun = "port", .arg_name = "valeX:Y",
	  .help = "show a port's switch and index; without a port, list all ports" },
	{ 'g', "info", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions, NT_DEST(cfg.info),
	  .seen = &cfg.info_seen, .noun = "port", .arg_name = "port",
	  .expect = "a port name such as vale0:a or eth0",
	  .help = "print a port's memory size, ring geometry and memory region" },
	{ 'a', "attach", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.attach), .seen = &cfg.attach_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "attach a system interface to a switch" },
	{ 'h', "attach-host", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.attach_host), .seen = &cfg.attach_host_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "attach a system interface and its host stack" },
	{ 'd', "detach", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.detach), .seen = &cfg.detach_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "detach an interface or persistent port from its switch" },
	{ 'n', "create", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.create), .seen = &cfg.create_seen, .noun = "interface name",
	  .arg_name = "name", .expect = "an interface name of at most 15 characters",
	  .help = "create a persistent VALE port (a network interface)" },
	{ 'r', "remove", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.remove), .seen = &cfg.remove_seen, .noun = "interface name",
	  .arg_name = "name", .expect = "an interface name",
	  .help = "remove a persistent VALE port" },
	{ 'p', "poll-on", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.poll_on), .seen = &cfg.poll_on_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "start kernel polling threads for an attached interface" },
	{ 'P', "poll-off", NT_ARG_REQUIRED, NT_T_STRING, .conflicts = actions,
	  NT_DEST(cfg.poll_off), .seen = &cfg.poll_off_seen, .noun = "port",
	  .arg_name = "valeX:ifname", .expect = VALE_PORT,
	  .help = "stop polling" },
	{ 'C', "config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(cfg.conf),
	  .given = &cfg.conf_given, .seen = &cfg.conf_seen, .noun = "config",
	  .arg_name = "spec",
	  .help = "-n, -a, -h: slots and rings (x[,y[,z[,w]]]); -p: mode,cpu[,n]" },
	{ 'm', "mem-id", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(cfg.mem_id),
	  .seen = &cfg.mem_seen, .noun = "memory region", .arg_name = "memid",
	  .expect = "a region number or a port name",
	  .help = "-n, -a, -h: memory region, as a number or a port sharing it" },
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, NT_DEST(cfg.verbose),
	  .help = "print the geometry after -n, the port index after -a, -h, -d" },
	{ 'j', "json", NT_ARG_OPTIONAL, NT_T_STRING,
	  .flags = NT_OPT_OPTARG_LONG_ONLY | NT_OPT_EXT, NT_DEST(cfg.json_file),
	  .given = &cfg.json_given, .noun = "JSON file", .arg_name = "file",
	  .help = "JSON lines on stdout, or into a file with --json=FILE" },
	{ 0, "stats", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW | NT_OPT_EXT,
	  .conflicts = actions, NT_DEST(cfg.stats), .given = &cfg.stats_given,
	  .noun = "switch or port", .arg_name = "name",
	  .help = "per-port counters of all switches, a switch or a port" },
	{ 0, "watch", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = NT_MSEC(10),
	  .max = NT_SEC(3600), .flags = NT_OPT_EXT, .conflicts = actions,
	  NT_DEST(cfg.watch_ns), .given = &cfg.watch_given, .noun = "interval",
	  .arg_name = "dur", .help = "repeat --stats with rates every interval" },
	{ 0, "macs", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW | NT_OPT_EXT,
	  .conflicts = actions, NT_DEST(cfg.macs), .given = &cfg.macs_given,
	  .noun = "switch", .arg_name = "switch",
	  .help = "the learning table of one switch or of all" },
	{ 0, "cleanup", NT_ARG_NONE, NT_T_FLAG, .flags = NT_OPT_EXT, .conflicts = actions,
	  NT_DEST(cfg.cleanup),
	  .help = "remove the user runtime's shared files once no process uses them" },
	NT_OPT_END
};

static const struct nt_tool vc_tool = {
	.name = TOOL,
	.purpose = "List and configure the ports of VALE switches.",
	.version = PACKAGE_VERSION,
	.options = vc_options,
};

/* ================================================================ requests */

static int ctl_fd = -1;
static const char *backend = "user";
static FILE *json;

/* One NIOCCTRL request; 0 or -1 with errno. */
static int vc_request(const char *name, uint16_t type, void *body)
{
	struct nmreq_header hdr;

	nmreq_header_init(&hdr, type, body);
	snprintf(hdr.nr_name, sizeof(hdr.nr_name), "%s", name ? name : "");
	return nm_ioctl(ctl_fd, NIOCCTRL, &hdr);
}

/* "vale-ctl: failed to <action> <name>: <error>" (4.3); returns 1. */
static int vc_fail(const char *action, const char *name, int err)
{
	if (err == EOPNOTSUPP && !strcmp(backend, "user"))
		nt_err(TOOL, "failed to %s %s: %s (the user runtime has no system interfaces; "
		       "load the netmap module)", action, name, strerror(err));
	else
		nt_err(TOOL, "failed to %s %s: %s", action, name, strerror(err));
	return 1;
}

/* A request body starts with the -C geometry for -n, -a and -h. */
static void apply_conf(uint32_t *tx_slots, uint32_t *rx_slots, uint16_t *tx_rings,
		       uint16_t *rx_rings)
{
	const struct nt_tuple *c = &cfg.conf;

	if (!cfg.conf_given)
		return;
	*tx_slots = c->value[0];
	*rx_slots = c->count >= 2 ? c->value[1] : c->value[0];
	if (c->count >= 3) {
		*tx_rings = (uint16_t)c->value[2];
		*rx_rings = (uint16_t)(c->count == 4 ? c->value[3] : c->value[2]);
	}
}

/* -m: a number, or the region of a named port. 0, 1 (error printed). */
static int resolve_mem_id(uint16_t *mem_id)
{
	struct nmreq_port_info_get info;
	const char *name;
	char *end;
	unsigned long v;

	if (!cfg.mem_id)
		return 0;
	errno = 0;
	v = strtoul(cfg.mem_id, &end, 10);
	if (isdigit((unsigned char)cfg.mem_id[0]) && !*end && !errno) {
		*mem_id = (uint16_t)v;
		return 0;
	}
	name = !strncmp(cfg.mem_id, "netmap:", 7) ? cfg.mem_id + 7 : cfg.mem_id;
	memset(&info, 0, sizeof(info));
	if (vc_request(name, NETMAP_REQ_PORT_INFO_GET, &info))
		return vc_fail("obtain info for", cfg.mem_id, errno);
	*mem_id = info.nr_mem_id;
	return 0;
}

/* ================================================================ actions */

static void json_port_row(const char *name, unsigned b, unsigned p)
{
	struct nt_json j;

	nt_json_begin(&j, json, TOOL, "port");
	nt_json_string(&j, "port", name);
	nt_json_u64(&j, "bridge_idx", b);
	nt_json_u64(&j, "port_idx", p);
	nt_json_end(&j);
}

/* Every port of every switch, in switch and port order (4.3). */
static int list_all(void)
{
	struct nmreq_vale_list body;
	struct nmreq_header hdr;

	memset(&body, 0, sizeof(body));
	for (;;) {
		nmreq_header_init(&hdr, NETMAP_REQ_VALE_LIST, &body);
		if (nm_ioctl(ctl_fd, NIOCCTRL, &hdr)) {
			if (errno == ENOENT)
				return 0;
			return vc_fail("list", "switches", errno);
		}
		if (json)
			json_port_row(hdr.nr_name, body.nr_bridge_idx, body.nr_port_idx);
		else
			fprintf(nt_out(), "%s bridge_idx %u port_idx %u\n", hdr.nr_name,
				body.nr_bridge_idx, body.nr_port_idx);
		body.nr_port_idx++;
	}
}

static int list_one(const char *name)
{
	struct nmreq_vale_list body;
	char sw[NETMAP_REQ_IFNAMSIZ];
	const char *colon = strchr(name, ':');

	memset(&body, 0, sizeof(body));
	if (vc_request(name, NETMAP_REQ_VALE_LIST, &body))
		return vc_fail("list", name, errno);
	if (body.nr_port_idx == 255) {		/* the switch exists, the port does not */
		snprintf(sw, sizeof(sw), "%.*s", colon ? (int)(colon - name) : (int)strlen(name),
			 name);
		nt_err(TOOL, "port %s not found on switch %s", name, sw);
		return 1;
	}
	if (json)
		json_port_row(name, body.nr_bridge_idx, body.nr_port_idx);
	else
		fprintf(nt_out(), "bridge_idx: %u\nport_idx:   %u\n", body.nr_bridge_idx,
			body.nr_port_idx);
	return 0;
}

static int info(const char *name)
{
	struct nmreq_port_info_get body;
	const char *kname = !strncmp(name, "netmap:", 7) ? name + 7 : name;

	memset(&body, 0, sizeof(body));
	if (vc_request(kname, NETMAP_REQ_PORT_INFO_GET, &body))
		return vc_fail("obtain info for", name, errno);
	if (json) {
		struct nt_json j;

		nt_json_begin(&j, json, TOOL, "info");
		nt_json_string(&j, "port", name);
		nt_json_u64(&j, "memsize", body.nr_memsize);
		nt_json_u64(&j, "tx_slots", body.nr_tx_slots);
		nt_json_u64(&j, "rx_slots", body.nr_rx_slots);
		nt_json_u64(&j, "tx_rings", body.nr_tx_rings);
		nt_json_u64(&j, "rx_rings", body.nr_rx_rings);
		nt_json_u64(&j, "mem_id", body.nr_mem_id);
		nt_json_end(&j);
		return 0;
	}
	fprintf(nt_out(), "memsize:    %llu\ntx_slots:   %u\nrx_slots:   %u\n"
		"tx_rings:   %u\nrx_rings:   %u\nmem_id:     %u\n",
		(unsigned long long)body.nr_memsize, body.nr_tx_slots, body.nr_rx_slots,
		body.nr_tx_rings, body.nr_rx_rings, body.nr_mem_id);
	return 0;
}

static int attach(const char *name, int host)
{
	struct nmreq_vale_attach body;
	int st;

	memset(&body, 0, sizeof(body));
	body.reg.nr_mode = host ? NR_REG_NIC_SW : NR_REG_ALL_NIC;
	apply_conf(&body.reg.nr_tx_slots, &body.reg.nr_rx_slots, &body.reg.nr_tx_rings,
		   &body.reg.nr_rx_rings);
	st = resolve_mem_id(&body.reg.nr_mem_id);
	if (st)
		return st;
	if (vc_request(name, NETMAP_REQ_VALE_ATTACH, &body))
		return vc_fail("attach", name, errno);
	if (cfg.verbose)
		fprintf(nt_out(), "port_index: %u\n", body.port_index);
	return 0;
}

static int detach(const char *name)
{
	struct nmreq_vale_detach body;

	memset(&body, 0, sizeof(body));
	if (vc_request(name, NETMAP_REQ_VALE_DETACH, &body))
		return vc_fail("detach", name, errno);
	if (cfg.verbose)
		fprintf(nt_out(), "port_index: %u\n", body.port_index);
	return 0;
}

static int create(const char *name)
{
	struct nmreq_vale_newif body;
	int st;

	memset(&body, 0, sizeof(body));
	apply_conf(&body.nr_tx_slots, &body.nr_rx_slots, &body.nr_tx_rings, &body.nr_rx_rings);
	st = resolve_mem_id(&body.nr_mem_id);
	if (st)
		return st;
	if (vc_request(name, NETMAP_REQ_VALE_NEWIF, &body))
		return vc_fail("create", name, errno);
	if (cfg.verbose)
		fprintf(nt_out(), "tx_slots:   %u\nrx_slots:   %u\ntx_rings:   %u\n"
			"rx_rings:   %u\nmem_id:     %u\n", body.nr_tx_slots, body.nr_rx_slots,
			body.nr_tx_rings, body.nr_rx_rings, body.nr_mem_id);
	return 0;
}

static int remove_port(const char *name)
{
	if (vc_request(name, NETMAP_REQ_VALE_DELIF, NULL))
		return vc_fail("remove", name, errno);
	return 0;
}

static int polling(const char *name, int on)
{
	struct nmreq_vale_polling body;

	memset(&body, 0, sizeof(body));
	if (on) {
		/* 4.2: no -C means mode 0 on CPU 0; mode 1 runs n threads */
		uint32_t mode = cfg.conf_given ? cfg.conf.value[0] : 0;

		body.nr_mode = mode == 1 ? NETMAP_POLLING_MODE_MULTI_CPU :
					   NETMAP_POLLING_MODE_SINGLE_CPU;
		body.nr_first_cpu_id = cfg.conf_given && cfg.conf.count >= 2 ?
				       cfg.conf.value[1] : 0;
		body.nr_num_polling_cpus = cfg.conf_given && cfg.conf.count >= 3 ?
					   cfg.conf.value[2] : 1;
	}
	if (vc_request(name, on ? NETMAP_REQ_VALE_POLLING_ENABLE :
			  NETMAP_REQ_VALE_POLLING_DISABLE, &body))
		return vc_fail(on ? "enable polling on" : "disable polling on", name, errno);
	return 0;
}

/* ================================================================ checks */

/* "valeX:ifname": a switch name, a colon, a non-empty interface name. */
static int check_vale_name(const struct nt_opt_seen *seen, const char *name)
{
	const char *colon = strchr(name, ':'), *p;

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

static int check_options(void)
{
	const char *acting = cfg.create ? "create" : cfg.attach || cfg.attach_host ? "attach" :
			     cfg.poll_on ? "poll" : NULL;
	int st = 0;

	if (cfg.list && strncmp(cfg.list, "vale", 4))
		return nt_usage_error(TOOL, cfg.list_seen.opt, cfg.list_seen.value,
				      "not a VALE port; expected a name such as vale0:a");
	if (cfg.attach)
		st = check_vale_name(&cfg.attach_seen, cfg.attach);
	else if (cfg.attach_host)
		st = check_vale_name(&cfg.attach_host_seen, cfg.attach_host);
	else if (cfg.detach)
		st = check_vale_name(&cfg.detach_seen, cfg.detach);
	else if (cfg.poll_on)
		st = check_vale_name(&cfg.poll_on_seen, cfg.poll_on);
	else if (cfg.poll_off)
		st = check_vale_name(&cfg.poll_off_seen, cfg.poll_off);
	else if (cfg.create)
		st = check_ifname(&cfg.create_seen, cfg.create);
	if (st)
		return st;
	if (cfg.conf_given && !acting) {
		nt_warn(TOOL, "%s %s: only used with -n, -a, -h and -p; ignored",
			cfg.conf_seen.opt, cfg.conf_seen.value);
		cfg.conf_given = 0;
	}
	if (cfg.conf_given && cfg.poll_on) {
		const struct nt_tuple *c = &cfg.conf;

		if (c->count > 3 || c->value[0] > 1)
			return nt_usage_error(TOOL, cfg.conf_seen.opt, cfg.conf_seen.value,
					      "invalid polling config; expected mode,cpu[,n] "
					      "with mode 0 or 1");
		if (c->value[0] == 0 && c->count == 3 && c->value[2] != 1)
			return nt_usage_error(TOOL, cfg.conf_seen.opt, cfg.conf_seen.value,
					      "mode 0 runs one thread; expected n = 1");
		if (c->count == 3 && c->value[2] == 0)
			return nt_usage_error(TOOL, cfg.conf_seen.opt, cfg.conf_seen.value,
					      "expected at least one polling thread");
	}
	if (cfg.mem_id && !cfg.create && !cfg.attach && !cfg.attach_host) {
		nt_warn(TOOL, "%s %s: only used with -n, -a and -h; ignored", cfg.mem_seen.opt,
			cfg.mem_seen.value);
		cfg.mem_id = NULL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int st;

	nt_line_buffered();
	nmctx_get()->verbose = 0;
	st = nt_opt_parse(&vc_tool, argc, argv);
	if (st == NT_OPT_EXIT_OK)
		return 0;
	if (st)
		return st;
	st = check_options();
	if (st)
		return st;
	if (cfg.json_given) {
		if (cfg.json_file) {
			json = fopen(cfg.json_file, "w");
			if (!json) {
				nt_err(TOOL, "cannot open %s: %s", cfg.json_file, strerror(errno));
				return 1;
			}
		} else {
			json = stdout;
			nt_set_streams(stderr, NULL);
		}
	}
	if (cfg.cleanup) {
		/* Before opening anything: an attached process blocks cleanup. */
		st = nm_runtime_cleanup();
		if (st) {
			nt_err(TOOL, "failed to clean up the user runtime: %s%s", strerror(-st),
			       st == -EBUSY ? " (processes still use it)" : "");
			return 1;
		}
		return 0;
	}
	ctl_fd = nm_control_open();
	if (ctl_fd < 0) {
		nt_err(TOOL, "cannot open a netmap control descriptor: %s", strerror(errno));
		return 1;
	}
	backend = nm_control_backend(ctl_fd);

	if (cfg.stats_given || cfg.watch_given || cfg.macs_given) {
		nt_err(TOOL, "%s is not supported by the %s backend",
		       cfg.macs_given ? "--macs" : cfg.watch_given ? "--watch" : "--stats",
		       backend);
		st = 1;
	} else if (cfg.list) {
		st = list_one(cfg.list);
	} else if (cfg.info) {
		st = info(cfg.info);
	} else if (cfg.attach) {
		st = attach(cfg.attach, 0);
	} else if (cfg.attach_host) {
		st = attach(cfg.attach_host, 1);
	} else if (cfg.detach) {
		st = detach(cfg.detach);
	} else if (cfg.create) {
		st = create(cfg.create);
	} else if (cfg.remove) {
		st = remove_port(cfg.remove);
	} else if (cfg.poll_on) {
		st = polling(cfg.poll_on, 1);
	} else if (cfg.poll_off) {
		st = polling(cfg.poll_off, 0);
	} else {
		st = list_all();	/* no action, -l alone, -v alone */
	}
	fflush(nt_out());
	if (json && json != stdout)
		fclose(json);
	nm_control_close(ctl_fd);
	return st;
}
