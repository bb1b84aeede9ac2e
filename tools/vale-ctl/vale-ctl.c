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
#include "nt_run.h"
#include "vc_options.h"

#define TOOL	"vale-ctl"

static struct vc_config cfg;

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
	char why[512];

	if (err == EOPNOTSUPP && !strcmp(backend, "user") && !nm_error_detail()[0])
		nt_err(TOOL, "failed to %s %s: %s (%s; load the netmap module)", action, name,
		       strerror(err), !strcmp(action, "attach") ?
		       "switches of the user runtime cannot take system interfaces" :
		       !strcmp(action, "create") ?
		       "the user runtime cannot make network interfaces" :
		       "the user runtime has no polling threads");
	else
		nt_err(TOOL, "failed to %s %s: %s", action, name,
		       nt_open_reason(err, nm_error_detail(), why, sizeof(why)));
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
		if (json) {
			json_port_row(hdr.nr_name, body.nr_bridge_idx, body.nr_port_idx);
		} else {
			/* another program may have named a port with a newline */
			nt_put_printable(nt_out(), hdr.nr_name);
			fprintf(nt_out(), " bridge_idx %u port_idx %u\n", body.nr_bridge_idx,
				body.nr_port_idx);
		}
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
	struct nmreq_port_hdr hdr;
	const char *kname = !strncmp(name, "netmap:", 7) ? name + 7 : name;

	memset(&body, 0, sizeof(body));
	if (vc_request(kname, NETMAP_REQ_PORT_INFO_GET, &body))
		return vc_fail("obtain info for", name, errno);
	/* PORT_INFO has no room for it: the header length comes on its own */
	memset(&hdr, 0, sizeof(hdr));
	if (vc_request(kname, NETMAP_REQ_PORT_HDR_GET, &hdr))
		hdr.nr_hdr_len = 0;	/* a port that exists only while in use */
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
		nt_json_u64(&j, "vnet_hdr", hdr.nr_hdr_len);
		nt_json_end(&j);
		return 0;
	}
	fprintf(nt_out(), "memsize:    %llu\ntx_slots:   %u\nrx_slots:   %u\n"
		"tx_rings:   %u\nrx_rings:   %u\nmem_id:     %u\n",
		(unsigned long long)body.nr_memsize, body.nr_tx_slots, body.nr_rx_slots,
		body.nr_tx_rings, body.nr_rx_rings, body.nr_mem_id);
	/* only ports with a header get the seventh line: the six stay as netmap's */
	if (hdr.nr_hdr_len)
		fprintf(nt_out(), "vnet_hdr:   %u\n", hdr.nr_hdr_len);
	return 0;
}

/* --vnet-hdr: PORT_HDR_SET (spec 9.6). */
static int set_vnet_hdr(const char *name, unsigned len)
{
	struct nmreq_port_hdr body;

	memset(&body, 0, sizeof(body));
	body.nr_hdr_len = len;
	if (vc_request(name, NETMAP_REQ_PORT_HDR_SET, &body))
		return vc_fail("set the virtio-net header length of", name, errno);
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

int main(int argc, char **argv)
{
	int st;

	nt_tool_init();
	st = vc_parse_args(argc, argv, &cfg);
	if (st == VC_ARGS_DONE)
		return 0;
	if (st)
		return st;
	if (nt_json_open_output(TOOL, cfg.json_given, cfg.json_file, &json))
		return 1;
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
		char why[512];

		nt_err(TOOL, "cannot open a netmap control descriptor: %s",
		       nt_open_reason(errno, nm_error_detail(), why, sizeof(why)));
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
	} else if (cfg.vnet_hdr) {
		st = set_vnet_hdr(cfg.vnet_port, cfg.vnet_len);
	} else {
		st = list_all();	/* no action, -l alone, -v alone */
	}
	fflush(nt_out());
	nt_json_close_output(json);
	nm_control_close(ctl_fd);
	return st;
}
