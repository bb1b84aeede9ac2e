// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's option table and the checks that need no port (tools.md 3.2,
 * 8): value parsing is the table's (tools/common/nt_opt.c), this file adds
 * what depends on several options at once: sizes and their repetition
 * rules, endpoints for the address family, single-thread functions, -P and
 * --pcap-out, and the warnings for options a function ignores.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nt_log.h"
#include "nt_opt.h"
#include "nt_parse.h"
#include "pg_options.h"
#include "pg_packet.h"

#define TOOL		"pkt-gen"

/* ================================================================ table */

static const char *const functions[] = { "tx", "rx", "ping", "pong", "txseq", "rxseq", NULL };
static const char *const vnet_words[] = { "0", "10", "12", NULL };
static const int vnet_values[] = { 0, 10, 12 };

/* The table's destinations; pg_parse_args() copies them out. */
static struct pg_config parsed;

static int parse_option_bits(const struct nt_option *o, const char *value, void *dest,
			     char *err, size_t errlen)
{
	uint64_t v;

	if (nt_parse_uint(value, o->noun, 0, UINT32_MAX, NT_PARSE_HEX, &v, err, errlen))
		return -1;
	if (v & ~(uint64_t)OPT_ALL) {
		snprintf(err, errlen, "unknown %s bit 0x%llx; expected a combination of 0x%x",
			 o->noun, (unsigned long long)(v & ~(uint64_t)OPT_ALL), OPT_ALL);
		return -1;
	}
	*(unsigned *)dest = (unsigned)v;
	return 0;
}

static const struct nt_option pg_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REQUIRED, .max = 63,
	  NT_DEST(parsed.iface), .seen = &parsed.iface_seen, .noun = "port name",
	  .arg_name = "port",
	  .expect = NT_PORT_EXPECT, .help = "port to use (netmap: is prepended when needed)" },
	{ 'f', "function", NT_ARG_REQUIRED, NT_T_ENUM, .words = functions,
	  NT_DEST(parsed.function), .noun = "function", .arg_name = "func", .def = "rx",
	  .help = "what to do: tx, rx, ping, pong, txseq or rxseq" },
	{ 'n', "count", NT_ARG_REQUIRED, NT_T_COUNT, NT_DEST(parsed.count),
	  .given = &parsed.count_given, .noun = "count", .arg_name = "count", .def = "0",
	  .help = "packets (tx, rx), probes (ping) or replies (pong); 0 = no limit" },
	{ 'l', "size", NT_ARG_REQUIRED, NT_T_SIZES, .flags = NT_OPT_REPEATABLE,
	  .max_count = 2, .min = 16, .max = 65536, NT_DEST(parsed.sizes), .given = &parsed.nsizes,
	  .seen = parsed.size_seen, .noun = "packet size", .arg_name = "size", .def = "60",
	  .help = "frame size without CRC; twice: random range; A-B, S:W,... or imix" },
	{ 'b', "burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = 8192, NT_DEST(parsed.burst),
	  .noun = "burst", .arg_name = "burst", .def = "0",
	  .def_help = "512; 1 for ping and pong", .help = "most packets per ring per round" },
	{ '4', "ipv4", NT_ARG_NONE, NT_T_CONST, .value = 4, NT_DEST(parsed.af), .def = "on",
	  .help = "build IPv4 packets" },
	{ '6', "ipv6", NT_ARG_NONE, NT_T_CONST, .value = 6, NT_DEST(parsed.af),
	  .help = "build IPv6 packets" },
	{ 'd', "dst-ip", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(parsed.dst_ip),
	  .given = &parsed.dst_ip_given, .seen = &parsed.dst_ip_seen, .noun = "destination",
	  .arg_name = "endpoint", .def_help = "10.1.0.1:1234; -6: [fd00:0:0:1::1]:1234",
	  .expect = "an address with optional port, or a range",
	  .help = "destination address and UDP port, single or range" },
	{ 's', "src-ip", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(parsed.src_ip),
	  .given = &parsed.src_ip_given, .seen = &parsed.src_ip_seen, .noun = "source",
	  .arg_name = "endpoint", .def_help = "10.0.0.1:1234; -6: [fd00::1]:1234",
	  .expect = "an address with optional port, or a range",
	  .help = "source address and UDP port, single or range" },
	{ 'D', "dst-mac", NT_ARG_REQUIRED, NT_T_MAC, .flags = NT_PARSE_RANGE,
	  NT_DEST(parsed.dst_mac), .given = &parsed.dst_mac_given, .noun = "destination MAC",
	  .arg_name = "mac", .def = "ff:ff:ff:ff:ff:ff", .help = "destination MAC address" },
	{ 'S', "src-mac", NT_ARG_REQUIRED, NT_T_MAC, .flags = NT_PARSE_RANGE,
	  NT_DEST(parsed.src_mac), .given = &parsed.src_mac_given, .noun = "source MAC",
	  .arg_name = "mac", .def_help = "the interface's MAC, else 00:00:00:00:00:00",
	  .help = "source MAC address" },
	{ 'a', "affinity", NT_ARG_REQUIRED, NT_T_CPUS, NT_DEST(parsed.affinity),
	  .given = &parsed.affinity_given, .seen = &parsed.affinity_seen, .noun = "CPU",
	  .arg_name = "cpu", .help = "pin thread 0 to cpu and the next threads to the next CPUs "
	  "(or to a CPU list)" },
	{ 'c', "cpus", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = NT_CPU_MAX,
	  NT_DEST(parsed.cpus), .given = &parsed.cpus_given, .seen = &parsed.cpus_seen,
	  .noun = "CPU count", .arg_name = "cpus", .def_help = "the number of threads",
	  .help = "CPUs to spread the threads over; 0 = all" },
	{ 'p', "threads", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = PG_THREADS_MAX,
	  NT_DEST(parsed.threads), .seen = &parsed.threads_seen, .noun = "thread count",
	  .arg_name = "threads", .def = "1", .help = "worker threads, one ring each" },
	NT_OPTION_REPORT_INTERVAL(parsed.report_ns, "1000"),
	NT_OPTION_WAIT_LINK(parsed.wait_ns, parsed.wait_given),
	{ 'W', "exit-when-idle", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.idle_flag),
	  .help = "rx, rxseq: after the first packet, stop after 1 s without traffic" },
	{ 0, "idle", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = NT_MSEC(1),
	  .max = NT_SEC(3600), NT_DEST(parsed.idle_ns), .given = &parsed.idle_given,
	  .flags = NT_OPT_EXT, .noun = "idle time", .arg_name = "dur", .def = "1",
	  .help = "the -W idle timeout (implies -W)" },
	{ 'R', "rate", NT_ARG_REQUIRED, NT_T_RATE, .unit = NT_UNIT_PPS, NT_DEST(parsed.rate),
	  .given = &parsed.rate_given, .seen = &parsed.rate_seen, .noun = "rate",
	  .arg_name = "rate",
	  .def = "0", .help = "transmit rate in pps, or with units (2Mpps, 940Mbps); 0 = none" },
	{ 'X', "dump", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.dump),
	  .help = "hex-dump every packet on stdout" },
	{ 'H', "vnet-hdr", NT_ARG_REQUIRED, NT_T_ENUM, .words = vnet_words,
	  .values = vnet_values, NT_DEST(parsed.vnet), .given = &parsed.vnet_given,
	  .seen = &parsed.vnet_seen, .noun = "virtio-net header length", .arg_name = "len",
	  .def = "0", .help = "virtio-net header length: 0, 10 or 12" },
	{ 'P', "pcap-template", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(parsed.pcap),
	  .given = &parsed.pcap_given, .seen = &parsed.pcap_seen, .noun = "pcap file",
	  .arg_name = "file", .expect = "a pcap or pcapng file of Ethernet frames",
	  .help = "tx: send the frames of a pcap file, in order, cycling" },
	{ 'z', "random-src", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.random_src),
	  .help = "random source address and port" },
	{ 'Z', "random-dst", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.random_dst),
	  .help = "random destination address and port" },
	{ 'N', "no-normalize", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.no_normalize),
	  .help = "print rates as plain numbers" },
	{ 'F', "frags", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 63, NT_DEST(parsed.frags),
	  .seen = &parsed.frags_seen, .noun = "fragment count", .arg_name = "n", .def = "1",
	  .help = "slots per packet (NS_MOREFRAG)" },
	{ 'M', "frag-size", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65536,
	  NT_DEST(parsed.frag_size), .given = &parsed.frag_size_given,
	  .seen = &parsed.frag_size_seen,
	  .noun = "fragment size", .arg_name = "bytes", .def_help = "the buffer size",
	  .help = "largest fragment" },
	{ 'I', "indirect", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.indirect),
	  .help = "send with NS_INDIRECT (VALE ports)" },
	NT_OPTION_VERBOSE(parsed.verbose, "more diagnostics"),
	{ 'r', "rubbish", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.rubbish),
	  .help = "tx: send the buffers as they are, without writing packets" },
	{ 'A', "pps-stats", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.pps_stats),
	  .help = "add the mean and deviation of the rate to each periodic line" },
	{ 'B', "framing", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.framing),
	  .help = "count Ethernet framing and CRC (24 bytes per packet) in bit rates" },
	{ 'C', "port-config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(parsed.conf),
	  .given = &parsed.conf_given, .noun = "port config", .arg_name = "spec",
	  .deprecated = "use the @conf: port option instead "
			"(for example vale0:a@conf:slots=512,rings=2)",
	  .help = "tx_slots[,rx_slots[,tx_rings[,rx_rings]]] for ports this open creates" },
	{ 'o', "options", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_option_bits,
	  NT_DEST(parsed.options), .noun = "option", .arg_name = "bits", .def = "0",
	  .expect = "an integer made of the documented bits",
	  .help = "data-generation option bits (decimal or 0x hex)" },
	NT_OPTION_JSON(parsed.json_file, parsed.json_given),
	NT_OPTION_DURATION(parsed.duration_ns, parsed.duration_given),
	{ 0, "per-ring", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.per_ring), .flags = NT_OPT_EXT,
	  .help = "per-ring counters in the periodic lines and after the summary" },
	{ 0, "sizes", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.sizes_flag), .flags = NT_OPT_EXT,
	  .help = "count packets per frame size" },
	{ 0, "histogram", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.histogram), .flags = NT_OPT_EXT,
	  .help = "print the latency histogram after the summary" },
	{ 0, "timestamp", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.timestamp), .flags = NT_OPT_EXT,
	  .help = "tx: write a sequence number and send time into each packet" },
	{ 0, "latency", NT_ARG_NONE, NT_T_FLAG, NT_DEST(parsed.latency), .flags = NT_OPT_EXT,
	  .help = "rx: one-way latency of packets sent with --timestamp" },
	NT_OPTION_BUSY_WAIT(parsed.busy, "pkt-gen-b"),
	{ 0, "max-burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 8192,
	  NT_DEST(parsed.max_burst), .given = &parsed.max_burst_given, .flags = NT_OPT_EXT,
	  .noun = "burst cap", .arg_name = "n", .help = "-R: most packets sent at once" },
	{ 0, "flows", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65536, NT_DEST(parsed.flows),
	  .given = &parsed.flows_given, .seen = &parsed.flows_seen, .flags = NT_OPT_EXT,
	  .noun = "flow count", .arg_name = "n",
	  .help = "tx: n source ports from the -s port (n distinct flows)" },
	{ 0, "pcap-out", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(parsed.pcap_out),
	  .given = &parsed.pcap_out_given, .seen = &parsed.pcap_out_seen,
	  .flags = NT_OPT_EXT, .noun = "pcap file",
	  .arg_name = "file", .expect = "a file name",
	  .help = "rx, rxseq, pong: write received packets to a pcap file" },
	{ 0, "snaplen", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = PG_SNAPLEN_MAX,
	  NT_DEST(parsed.snaplen), .given = &parsed.snaplen_given,
	  .seen = &parsed.snaplen_seen, .flags = NT_OPT_EXT, .noun = "snap length",
	  .arg_name = "bytes", .def = "65535", .help = "--pcap-out: bytes kept per packet" },
	NT_OPT_END
};

static const struct nt_tool pg_tool = {
	.name = TOOL,
	.purpose = "Generate, receive and echo packets on netmap ports; measure rates and "
		   "latency.",
	.version = PACKAGE_VERSION,
	.options = pg_options,
};

const struct nt_tool *pg_tool_table(void)
{
	return &pg_tool;
}

/* ================================================================ checks */

const char *pg_func_name(enum pg_func f)
{
	return functions[f];
}

/* tools.md 3.2 and 8.4: one size, a random range, a range, a mix. */
static int check_sizes(struct pg_config *c)
{
	struct nt_size_spec *a = &c->sizes[0], *b = &c->sizes[1];

	c->frame_sizes = *a;
	if (c->nsizes == 2) {
		if (a->kind != NT_SIZE_FIXED || b->kind != NT_SIZE_FIXED) {
			const struct nt_opt_seen *s = a->kind != NT_SIZE_FIXED ?
						      &c->size_seen[0] : &c->size_seen[1];

			return nt_usage_error(TOOL, s->opt, s->value,
					      "size ranges and mixes exclude a second -l");
		}
		if (b->entry[0].size >= a->entry[0].size)
			return nt_usage_error(TOOL, c->size_seen[1].opt, c->size_seen[1].value,
					      "the second -l is the lower bound of a random "
					      "range; expected a size smaller than %u",
					      a->entry[0].size);
		c->frame_sizes.kind = NT_SIZE_RANGE;
		c->range_lo = b->entry[0].size;
		c->range_hi = a->entry[0].size - 1;
		snprintf(c->size_text, sizeof(c->size_text), "%u-%u", c->range_lo, c->range_hi);
	} else if (a->kind == NT_SIZE_RANGE) {
		c->range_lo = a->entry[0].size;
		c->range_hi = a->entry[1].size;
		if (c->range_lo == c->range_hi) {
			c->frame_sizes.kind = NT_SIZE_FIXED;
			c->frame_sizes.count = 1;
		}
	}
	if (!c->size_text[0]) {
		if (c->frame_sizes.kind == NT_SIZE_FIXED)
			snprintf(c->size_text, sizeof(c->size_text), "%u",
				 c->frame_sizes.entry[0].size);
		else
			snprintf(c->size_text, sizeof(c->size_text), "%s", c->size_seen[0].value);
	}
	return 0;
}

/* -s and -d for the address family, then --flows (3.4, 8.7). */
static int check_endpoints(struct pg_config *c)
{
	static const char *const defaults[2][2] = {
		{ "10.0.0.1:1234", "10.1.0.1:1234" },
		{ "[fd00::1]:1234", "[fd00:0:0:1::1]:1234" },
	};
	const char *text[2] = { c->src_ip, c->dst_ip };
	const struct nt_opt_seen *seen[2] = { &c->src_ip_seen, &c->dst_ip_seen };
	unsigned given[2] = { c->src_ip_given, c->dst_ip_given };
	const char *nouns[2] = { "source address", "destination address" };
	struct pg_endpoints *ep = &c->ep;
	char err[256];
	int side, v6 = c->af == 6;

	ep->af = v6 ? 6 : 4;
	for (side = 0; side < 2; side++) {
		const char *s = given[side] ? text[side] : defaults[v6][side];

		if (v6) {
			struct nt_ipv6_range r;

			if (nt_parse_ipv6(s, nouns[side], &r, err, sizeof(err)))
				return nt_usage_error(TOOL, seen[side]->opt, seen[side]->value,
						      "%s", err);
			ep->ip6_lo[side] = pg_ip6_to_u128(r.start);
			ep->ip6_hi[side] = pg_ip6_to_u128(r.end);
			if (ep->ip6_lo[side] > ep->ip6_hi[side]) {
				pg_u128 x = ep->ip6_lo[side];

				ep->ip6_lo[side] = ep->ip6_hi[side];
				ep->ip6_hi[side] = x;
			}
			ep->port_lo[side] = r.port_start;
			ep->port_hi[side] = r.port_end;
		} else {
			struct nt_ipv4_range r;

			if (nt_parse_ipv4(s, nouns[side], &r, err, sizeof(err)))
				return nt_usage_error(TOOL, seen[side]->opt, seen[side]->value,
						      "%s", err);
			ep->ip4_lo[side] = r.start;
			ep->ip4_hi[side] = r.end;
			ep->port_lo[side] = r.port_start;
			ep->port_hi[side] = r.port_end;
		}
	}
	if (c->flows_given) {
		if (ep->port_lo[PG_SRC] != ep->port_hi[PG_SRC])
			return nt_usage_error(TOOL, c->flows_seen.opt, c->flows_seen.value,
					      "conflicts with the source port range of %s %s",
					      c->src_ip_seen.opt, c->src_ip_seen.value);
		if ((uint32_t)ep->port_lo[PG_SRC] + c->flows - 1 > 65535)
			return nt_usage_error(TOOL, c->flows_seen.opt, c->flows_seen.value,
					      "too many flows from source port %u; expected at "
					      "most %u", ep->port_lo[PG_SRC],
					      65536 - ep->port_lo[PG_SRC]);
		ep->port_hi[PG_SRC] = (uint16_t)(ep->port_lo[PG_SRC] + c->flows - 1);
	}
	ep->mac_lo[PG_DST] = pg_mac_to_u64(c->dst_mac.start);
	ep->mac_hi[PG_DST] = pg_mac_to_u64(c->dst_mac.end);
	ep->mac_lo[PG_SRC] = pg_mac_to_u64(c->src_mac.start);
	ep->mac_hi[PG_SRC] = pg_mac_to_u64(c->src_mac.end);
	ep->random[PG_SRC] = c->random_src;
	ep->random[PG_DST] = c->random_dst;
	return 0;
}

/* --pcap-out and --snaplen (8.8): receivers only, one thread. */
static int check_pcap_out(struct pg_config *c)
{
	if (!c->pcap_out_given)
		return 0;
	if (c->fn != F_RX && c->fn != F_RXSEQ && c->fn != F_PONG)
		return nt_usage_error(TOOL, c->pcap_out_seen.opt, c->pcap_out_seen.value,
				      "writes what rx, rxseq and pong receive; not used by %s",
				      pg_func_name(c->fn));
	if (c->threads > 1)
		return nt_usage_error(TOOL, c->threads_seen.opt, c->threads_seen.value,
				      "%s %s writes from a single thread; expected 1",
				      c->pcap_out_seen.opt, c->pcap_out_seen.value);
	return 0;
}

/* Append an option name to a comma-separated list. */
static void add_name(char *list, size_t len, const char *name)
{
	size_t n = strlen(list);

	snprintf(list + n, len - n, "%s%s", n ? ", " : "", name);
}

/*
 * -P (3.4, 8.8): tx sends the file's frames as they are, so the options
 * that shape built frames are ignored with one warning; other functions
 * ignore -P itself.
 */
static void check_pcap_template(struct pg_config *c)
{
	char ignored[256] = "";

	if (!c->pcap_given) {
		c->pcap = NULL;
		return;
	}
	if (c->fn != F_TX) {
		nt_warn(TOOL, "%s %s: pcap templates apply to tx; ignored for %s",
			c->pcap_seen.opt, c->pcap_seen.value, pg_func_name(c->fn));
		c->pcap = NULL;
		c->pcap_given = 0;
		return;
	}
	if (c->nsizes)
		add_name(ignored, sizeof(ignored), c->size_seen[0].opt);
	if (c->src_ip_given)
		add_name(ignored, sizeof(ignored), c->src_ip_seen.opt);
	if (c->dst_ip_given)
		add_name(ignored, sizeof(ignored), c->dst_ip_seen.opt);
	if (c->src_mac_given)
		add_name(ignored, sizeof(ignored), "-S");
	if (c->dst_mac_given)
		add_name(ignored, sizeof(ignored), "-D");
	if (c->af == 6)
		add_name(ignored, sizeof(ignored), "-6");
	if (c->random_src)
		add_name(ignored, sizeof(ignored), "-z");
	if (c->random_dst)
		add_name(ignored, sizeof(ignored), "-Z");
	if (c->flows_given)
		add_name(ignored, sizeof(ignored), c->flows_seen.opt);
	if (c->timestamp)
		add_name(ignored, sizeof(ignored), "--timestamp");
	if (ignored[0])
		nt_warn(TOOL, "%s ignored: %s %s sends the file's frames as they are", ignored,
			c->pcap_seen.opt, c->pcap_seen.value);
	/* frames come from the file: nothing is built, nothing varies */
	memset(&c->frame_sizes, 0, sizeof(c->frame_sizes));
	c->frame_sizes.kind = NT_SIZE_FIXED;
	c->frame_sizes.count = 1;
	c->frame_sizes.entry[0].size = 60;
	c->frame_sizes.entry[0].weight = 1;
	snprintf(c->size_text, sizeof(c->size_text), "%s", "pcap");
	c->ep.random[PG_SRC] = c->ep.random[PG_DST] = 0;
	c->timestamp = 0;
}

/* Everything that can be checked before opening the port (exit 2). */
static int check_options(struct pg_config *c)
{
	enum pg_func fn = (enum pg_func)c->function;
	char err[512];
	int st;

	c->fn = fn;
	c->sender = fn == F_TX || fn == F_TXSEQ;
	/* -o bits are aliases of flags */
	c->dump |= !!(c->options & OPT_DUMP);
	c->rubbish |= !!(c->options & OPT_RUBBISH);
	c->random_src |= !!(c->options & OPT_RANDOM_SRC);
	c->random_dst |= !!(c->options & OPT_RANDOM_DST);
	c->pps_stats |= !!(c->options & OPT_PPS_STATS);
	c->timestamp |= !!(c->options & OPT_TS);
	c->indirect |= !!(c->options & OPT_INDIRECT);
	c->access = !!(c->options & OPT_ACCESS);
	c->always_copy = !!(c->options & (OPT_COPY | OPT_MEMCPY));
	c->rubbish = c->rubbish && c->sender;

	if (c->threads > 1 && fn != F_TX && fn != F_RX)
		return nt_usage_error(TOOL, c->threads_seen.opt, c->threads_seen.value,
				      "%s runs a single thread; expected 1", pg_func_name(fn));
	st = check_sizes(c);
	if (st)
		return st;
	st = check_endpoints(c);
	if (st)
		return st;
	st = check_pcap_out(c);
	if (st)
		return st;
	if (c->latency && fn == F_RXSEQ)
		return nt_usage_error(TOOL, "--latency", NULL,
				      "rxseq checks txseq's sequence numbers; use -f rx with "
				      "--latency");
	if (c->timestamp && fn == F_TXSEQ)
		return nt_usage_error(TOOL, "--timestamp", NULL,
				      "txseq writes its own sequence numbers; use -f tx with "
				      "--timestamp");
	if (c->cpus_given && c->cpus > nt_online_cpus())
		return nt_usage_error(TOOL, c->cpus_seen.opt, c->cpus_seen.value,
				      "more CPUs than are online; expected 0 to %u",
				      nt_online_cpus());
	if (c->affinity_given && nt_cpus_check(&c->affinity, err, sizeof(err)))
		return nt_usage_error(TOOL, c->affinity_seen.opt, c->affinity_seen.value,
				      "%s", err);

	/* no usage error after this point: only warnings */
	if (c->rate_given && c->rate.value > 0 && !c->sender && fn != F_PING)
		nt_warn(TOOL, "%s %s: the rate applies to tx, txseq and ping; ignored for %s",
			c->rate_seen.opt, c->rate_seen.value, pg_func_name(fn));
	if (c->timestamp && fn != F_TX && fn != F_PING)
		nt_warn(TOOL, "--timestamp applies to tx; ignored for %s", pg_func_name(fn));
	if (c->latency && fn != F_RX)
		nt_warn(TOOL, "--latency applies to rx; ignored for %s", pg_func_name(fn));
	if (c->snaplen_given && !c->pcap_out_given)
		nt_warn(TOOL, "%s %s: only used with --pcap-out; ignored", c->snaplen_seen.opt,
			c->snaplen_seen.value);
	check_pcap_template(c);
	if (c->idle_given)
		c->idle_flag = 1;
	if (!c->idle_flag || !pg_is_receiver(fn))
		c->idle_ns = 0;
	return 0;
}

/* ================================================================ entry */

static int check_all(void *p, int argc, char **argv)
{
	struct pg_config *c = p;

	if (nt_opt_invoked_as(argc, argv, "pkt-gen-b"))
		c->busy = 1;
	return check_options(c);
}

int pg_parse_args(int argc, char **argv, struct pg_config *cfg)
{
	return nt_opt_parse_config(&pg_tool, argc, argv, &parsed, sizeof(parsed), check_all, cfg);
}
