// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the option-table machinery (tools/common/nt_opt.c), driven
 * the way ethtool drives its parser: rows of {expected status, arguments,
 * expected output} run through nt_opt_parse() with stdout and stderr
 * captured, against three small fake tools shaped like pkt-gen, vale-ctl and
 * bridge.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nt_log.h"
#include "nt_opt.h"
#include "cli_harness.h"
#include "tap.h"

/* ------------------------------------------------------------ fake tools */

static struct pg_config {
	const char *iface;
	int function;
	uint64_t count;
	struct nt_size_spec sizes[2];
	unsigned nsizes;
	struct nt_opt_seen size_seen[2];
	uint32_t burst;
	int af;
	int idle;
	int verbose;
	struct nt_rate rate;
	uint64_t report_ns;
	uint8_t ttl;
	unsigned options;
	struct nt_tuple conf;
	unsigned json;
	const char *json_file;
	uint16_t cpus;
	struct nt_mac_range dst_mac;
	struct nt_opt_seen iface_seen;
	unsigned iface_given;
} pg;

static const char *const functions[] = { "tx", "rx", "ping", "pong", "txseq", "rxseq", NULL };

#define PG_OPTION_BITS	0x1f7fu

static int parse_option_bits(const struct nt_option *o, const char *value, void *dest,
			     char *err, size_t errlen)
{
	uint64_t v;

	if (nt_parse_uint(value, o->noun, 0, UINT32_MAX, NT_PARSE_HEX, &v, err, errlen))
		return -1;
	if (v & ~(uint64_t)PG_OPTION_BITS) {
		snprintf(err, errlen, "unknown %s bit 0x%llx; expected a combination of 0x%x",
			 o->noun, (unsigned long long)(v & ~(uint64_t)PG_OPTION_BITS),
			 PG_OPTION_BITS);
		return -1;
	}
	*(unsigned *)dest = (unsigned)v;
	return 0;
}

static const struct nt_option pg_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REQUIRED, .max = 63,
	  NT_DEST(pg.iface), .given = &pg.iface_given, .seen = &pg.iface_seen,
	  .noun = "port name", .arg_name = "port",
	  .expect = "a port name such as vale0:a, netmap:eth0 or eth0", .help = "port to use" },
	{ 'f', "function", NT_ARG_REQUIRED, NT_T_ENUM, .words = functions, NT_DEST(pg.function),
	  .noun = "function", .arg_name = "func", .def = "rx", .help = "what to do" },
	{ 'n', "count", NT_ARG_REQUIRED, NT_T_COUNT, NT_DEST(pg.count), .noun = "count",
	  .arg_name = "count", .def = "0", .help = "packets to send or receive, 0 = no limit" },
	{ 'l', "size", NT_ARG_REQUIRED, NT_T_SIZES, .flags = NT_OPT_REPEATABLE, .max_count = 2,
	  .min = 16, .max = 65536, NT_DEST(pg.sizes), .given = &pg.nsizes, .seen = pg.size_seen,
	  .noun = "packet size", .arg_name = "size", .def = "60",
	  .help = "frame size without CRC" },
	{ 'b', "burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = 8192, NT_DEST(pg.burst),
	  .noun = "burst", .arg_name = "burst", .def = "0", .def_help = "512 (1 for ping, pong)",
	  .help = "most packets per ring per round" },
	{ '4', "ipv4", NT_ARG_NONE, NT_T_CONST, .value = 4, NT_DEST(pg.af), .def = "on",
	  .help = "build IPv4 packets" },
	{ '6', "ipv6", NT_ARG_NONE, NT_T_CONST, .value = 6, NT_DEST(pg.af),
	  .help = "build IPv6 packets" },
	{ 'W', "exit-when-idle", NT_ARG_NONE, NT_T_FLAG, NT_DEST(pg.idle),
	  .help = "stop after 1 s without traffic" },
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, NT_DEST(pg.verbose),
	  .help = "more diagnostics" },
	{ 'R', "rate", NT_ARG_REQUIRED, NT_T_RATE, .unit = NT_UNIT_PPS, NT_DEST(pg.rate),
	  .noun = "rate", .arg_name = "rate", .def = "0", .help = "transmit rate" },
	{ 'T', "report-interval", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_MS,
	  .flags = NT_PARSE_ZERO_OK, .min = NT_MSEC(10), .max = NT_SEC(3600),
	  NT_DEST(pg.report_ns), .noun = "report interval", .arg_name = "ms", .def = "1000",
	  .help = "interval between rate lines" },
	{ 0, "ttl", NT_ARG_REQUIRED, NT_T_UINT, NT_DEST(pg.ttl), .noun = "TTL", .arg_name = "hops",
	  .def = "64", .flags = NT_OPT_EXT, .help = "IP time to live" },
	{ 'o', "options", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_option_bits,
	  NT_DEST(pg.options), .noun = "option", .arg_name = "bits", .def = "0",
	  .expect = "an integer made of the documented bits", .help = "data-generation options" },
	{ 'C', "port-config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(pg.conf), .noun = "port config",
	  .arg_name = "spec", .deprecated = "use the @conf: port option",
	  .help = "ring geometry" },
	{ 'j', "json", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_OPTARG_LONG_ONLY | NT_OPT_EXT,
	  NT_DEST(pg.json_file), .given = &pg.json, .noun = "JSON file", .arg_name = "file",
	  .help = "JSON lines on stdout or into a file" },
	{ 'c', "cpus", NT_ARG_REQUIRED, NT_T_UINT, NT_DEST(pg.cpus), .noun = "CPU count",
	  .arg_name = "cpus", .help = "CPUs to spread the threads over" },
	{ 'D', "dst-mac", NT_ARG_REQUIRED, NT_T_MAC, .flags = NT_PARSE_RANGE, NT_DEST(pg.dst_mac),
	  .noun = "destination MAC", .arg_name = "mac", .def = "ff:ff:ff:ff:ff:ff",
	  .help = "destination MAC address" },
	NT_OPT_END
};

static const struct nt_tool pg_tool = {
	.name = "pg",
	.purpose = "A fake pkt-gen for the option tests.",
	.version = "1.2.3",
	.options = pg_options,
};

static struct vc_config {
	const char *attach, *attach_host, *detach, *create, *list;
	unsigned list_given;
	struct nt_tuple conf;
	int verbose;
} vc;

static const char *const vc_actions_but_attach[] = { "attach-host", "detach", "create", "list",
						     NULL };
static const char *const vc_actions_but_list[] = { "attach", "attach-host", "detach", "create",
						   NULL };
static const char *const vc_create_conflicts[] = { "detach", NULL };

static const struct nt_option vc_options[] = {
	{ 'a', "attach", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(vc.attach),
	  .conflicts = vc_actions_but_attach, .noun = "port", .arg_name = "valeX:ifname",
	  .help = "attach an interface" },
	{ 'h', "attach-host", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(vc.attach_host),
	  .noun = "port", .arg_name = "valeX:ifname",
	  .expect = "a switch and interface such as vale0:eth0",
	  .help = "attach an interface and its host stack" },
	{ 'd', "detach", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(vc.detach), .noun = "port",
	  .arg_name = "valeX:ifname", .help = "detach an interface" },
	{ 'n', "create", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(vc.create),
	  .conflicts = vc_create_conflicts, .noun = "interface name", .arg_name = "name",
	  .help = "create a persistent port" },
	{ 'l', "list", NT_ARG_OPTIONAL, NT_T_STRING, .flags = NT_OPT_ARG_MAY_FOLLOW,
	  .conflicts = vc_actions_but_list, NT_DEST(vc.list), .given = &vc.list_given,
	  .noun = "port", .arg_name = "valeX:Y", .help = "list one port, or all" },
	{ 'C', "config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(vc.conf), .noun = "config",
	  .arg_name = "spec", .help = "ring geometry" },
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, .max_count = 2, NT_DEST(vc.verbose),
	  .help = "print more" },
	NT_OPT_END
};

static const struct nt_tool vc_tool = {
	.name = "vc",
	.purpose = "A fake vale-ctl: -h is an action here.",
	.version = "1.2.3",
	.options = vc_options,
};

static struct br_config {
	const char *ifaces[2];
	unsigned nifaces;
	int no_zerocopy;
	const char *args[3];
	unsigned nargs;
} br;

static const struct nt_option br_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REPEATABLE,
	  .max_count = 2, NT_DEST(br.ifaces), .given = &br.nifaces, .noun = "port name",
	  .arg_name = "port", .help = "port A, then port B" },
	{ 'c', "no-zerocopy", NT_ARG_NONE, NT_T_FLAG, NT_DEST(br.no_zerocopy),
	  .help = "always copy" },
	NT_OPT_END
};

static const struct nt_tool br_tool = {
	.name = "br",
	.purpose = "A fake bridge with positional arguments.",
	.version = "1.2.3",
	.options = br_options,
	.args_usage = "[A [B [burst]]]",
	.args = br.args,
	.nargs = &br.nargs,
	.max_args = 3,
};

/* ------------------------------------------------------------ harness */


static int tool_parse(int argc, char **argv, void *ctx)
{
	return nt_opt_parse(ctx, argc, argv);
}

/* Parse with the fake tool's table, streams captured. */
static int run(const struct nt_tool *tool, const char *args)
{
	return cli_run(tool->name, args, tool_parse, (void *)tool);
}

static int run_row(const char *args, void *ctx)
{
	return run(ctx, args);
}

#define ROWS(tool, rows) \
	cli_run_rows((tool).name, run_row, (void *)&(tool), (rows), sizeof(rows) / sizeof((rows)[0]))

/* ------------------------------------------------------------ tests */

static const char size_form[] =
	"SIZE, a range MIN-MAX, a mix SIZE:WEIGHT,... or imix, with sizes from 16 to 65536";

static void test_pg_rows(void)
{
	static char missing_size[256], bad_count[256];
	static const struct row rows[] = {
		{ 0, "-i vale0:a", NONE, NULL },
		{ 2, "", ERR,
		  "pg: missing -i; expected a port name such as vale0:a, netmap:eth0 or eth0" },
		{ 2, "-f tx", ERR,
		  "pg: missing -i; expected a port name such as vale0:a, netmap:eth0 or eth0" },
		{ 2, "-i vale0:a -x", ERR, "pg: -x: unknown option; see --help" },
		{ 2, "-i vale0:a -Wx", ERR, "pg: -x: unknown option; see --help" },
		{ 2, "-i vale0:a --bogus", ERR, "pg: --bogus: unknown option; see --help" },
		{ 2, "-i vale0:a --bogus=3", ERR, "pg: --bogus: unknown option; see --help" },
		{ 2, "-i vale0:a --c 5", ERR,
		  "pg: --c: ambiguous option; could be --count, --cpus" },
		{ 2, "-i", ERR,
		  "pg: -i: missing argument; expected a port name such as vale0:a, netmap:eth0 or eth0" },
		{ 2, "-i vale0:a -l", ERR, missing_size },
		{ 2, "-i vale0:a --size", ERR,
		  "pg: --size: missing argument; expected SIZE, a range MIN-MAX, a mix SIZE:WEIGHT,... or imix, with sizes from 16 to 65536" },
		{ 2, "-i vale0:a -f", ERR,
		  "pg: -f: missing argument; expected one of tx, rx, ping, pong, txseq, rxseq" },
		{ 2, "-i vale0:a -l 8", ERR,
		  "pg: -l 8: packet size out of range; expected an integer from 16 to 65536" },
		{ 2, "-i vale0:a -l8", ERR,
		  "pg: -l 8: packet size out of range; expected an integer from 16 to 65536" },
		{ 2, "-i vale0:a --size=8", ERR,
		  "pg: --size 8: packet size out of range; expected an integer from 16 to 65536" },
		{ 2, "-i vale0:a -f foo", ERR,
		  "pg: -f foo: unknown function; expected one of tx, rx, ping, pong, txseq, rxseq" },
		{ 2, "-i vale0:a -n 12x", ERR, bad_count },
		{ 2, "-i vale0:a -l 100 -l 200 -l 300", ERR,
		  "pg: -l 300: too many -l options; at most 2 are accepted" },
		{ 2, "-i vale0:a --ipv4=1", ERR, "pg: --ipv4 1: this option takes no value" },
		{ 2, "-i vale0:a extra", ERR, "pg: extra: unexpected argument; see --help" },
		{ 2, "-i vale0:a -- -n", ERR, "pg: -n: unexpected argument; see --help" },
		{ 2, "-i vale0:a -T 5", ERR,
		  "pg: -T 5: report interval out of range; expected 0 or a duration from 10 ms to 3600 s" },
		{ 2, "-i vale0:a -b 9000", ERR,
		  "pg: -b 9000: burst out of range; expected an integer from 0 to 8192" },
		{ 2, "-i vale0:a --ttl 256", ERR,
		  "pg: --ttl 256: TTL out of range; expected an integer from 0 to 255" },
		{ 2, "-i vale0:a -c 70000", ERR,
		  "pg: -c 70000: CPU count out of range; expected an integer from 0 to 65535" },
		{ 2, "-i vale0:a -o 128", ERR,
		  "pg: -o 128: unknown option bit 0x80; expected a combination of 0x1f7f" },
		{ 2, "-i vale0:a -o", ERR,
		  "pg: -o: missing argument; expected an integer made of the documented bits" },
		{ 2, "-i ''", ERR,
		  "pg: -i '': empty port name; expected a port name such as vale0:a, netmap:eth0 or eth0" },
		{ 2, "-i 0123456789012345678901234567890123456789012345678901234567890123", ERR,
		  "pg: -i 0123456789012345678901234567890123456789012345678901234567890123: port name too long; expected at most 63 characters" },
		{ 2, "-i vale0:a -D 02:00:00:00:00", ERR,
		  "pg: -D 02:00:00:00:00: invalid destination MAC; expected six hex octets separated by colons, such as 02:00:00:00:00:0a, or a range MAC-MAC" },
		{ 2, "-i vale0:a -C 1,2,3,4,5", ERR,
		  "pg: -C 1,2,3,4,5: port config has more than four numbers; expected 1 to 4 non-negative integers separated by commas, such as 1024 or 1024,1024,2,2" },
		{ 0, "-i vale0:a -C 1024", ERR,
		  "pg: warning: -C is deprecated; use the @conf: port option" },
		{ 0, "-i vale0:a --port-config=1024", ERR,
		  "pg: warning: --port-config is deprecated; use the @conf: port option" },
		{ 2, "-x --help", ERR, "pg: -x: unknown option; see --help" },
		{ 2, "--help=3", ERR, "pg: --help 3: this option takes no value" },
		{ NT_OPT_EXIT_OK, "--help", OUT, "Usage: pg [OPTIONS]\n" },
		{ NT_OPT_EXIT_OK, "-h", OUT, "Usage: pg [OPTIONS]\n" },
		{ NT_OPT_EXIT_OK, "--help -x", OUT, "Usage: pg [OPTIONS]\n" },
		{ NT_OPT_EXIT_OK, "--version", OUT, "pg 1.2.3 (netmap API 14)\n" },
		{ NT_OPT_EXIT_OK, "--vers", OUT, "pg 1.2.3 (netmap API 14)\n" },
		{ 0, "-i vale0:a -Wv", NONE, NULL },
		{ 0, "--interface=vale0:b --count=10K", NONE, NULL },
	};

	snprintf(missing_size, sizeof(missing_size), "pg: -l: missing argument; expected %s",
		 size_form);
	snprintf(bad_count, sizeof(bad_count), "%s",
		 "pg: -n 12x: invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M");
	ROWS(pg_tool, rows);
}

static void test_pg_values(void)
{
	is_int(run(&pg_tool, "-i vale0:a"), 0, "defaults: parse");
	is_str(pg.iface, "vale0:a", "defaults: -i stored");
	is_int(pg.function, 1, "defaults: -f rx");
	is_int(pg.count, 0, "defaults: -n 0");
	ok(pg.sizes[0].kind == NT_SIZE_FIXED && pg.sizes[0].entry[0].size == 60,
	   "defaults: -l 60");
	is_int(pg.nsizes, 0, "defaults: -l not given");
	is_int(pg.af, 4, "defaults: -4 on");
	is_int(pg.report_ns, 1000000000ll, "defaults: -T 1000 (ms)");
	is_int(pg.ttl, 64, "defaults: --ttl 64 in a one-byte field");
	ok(pg.dst_mac.start[0] == 0xff && pg.dst_mac.end[5] == 0xff, "defaults: -D broadcast");
	is_int(pg.iface_given, 1, "-i given once");
	is_str(pg.iface_seen.opt, "-i", "-i seen as typed");
	is_str(pg.iface_seen.value, "vale0:a", "-i value as typed");

	is_int(run(&pg_tool, "-i vale0:a -f tx -f rx -f ping"), 0, "last wins: parse");
	is_int(pg.function, 2, "last wins: -f ping");

	is_int(run(&pg_tool, "-i vale0:a -l 1000 -l 100"), 0, "two -l: parse");
	is_int(pg.nsizes, 2, "two -l: both kept");
	is_int(pg.sizes[0].entry[0].size, 1000, "two -l: first value");
	is_int(pg.sizes[1].entry[0].size, 100, "two -l: second value");
	is_str(pg.size_seen[1].opt, "-l", "two -l: second typed as -l");
	is_str(pg.size_seen[1].value, "100", "two -l: second value text");

	is_int(run(&pg_tool, "-i vale0:a --size imix"), 0, "--size imix: parse");
	ok(pg.sizes[0].kind == NT_SIZE_MIX && pg.sizes[0].count == 3, "--size imix: a mix");
	is_str(pg.size_seen[0].opt, "--size", "long form recorded as typed");

	is_int(run(&pg_tool, "-i vale0:a -Wv"), 0, "bundling: parse");
	ok(pg.idle == 1 && pg.verbose == 1, "bundling: -W and -v both set");
	is_int(run(&pg_tool, "-i vale0:a -vvv --verbose"), 0, "counter: parse");
	is_int(pg.verbose, 4, "counter: -vvv --verbose is 4");
	is_int(run(&pg_tool, "-i vale0:a"), 0, "reparse: parse");
	is_int(pg.verbose, 0, "reparse: counter reset to its default");
	is_int(pg.idle, 0, "reparse: flag reset");

	is_int(run(&pg_tool, "--interface=vale0:b --count=10K"), 0, "--name=value: parse");
	is_str(pg.iface, "vale0:b", "--interface=vale0:b");
	is_int(pg.count, 10000, "--count=10K");
	is_int(run(&pg_tool, "--interface vale0:c --count 5"), 0, "--name value: parse");
	ok(!strcmp(pg.iface, "vale0:c") && pg.count == 5, "--name value stored");
	is_int(run(&pg_tool, "-ivale0:d -n5"), 0, "attached short arguments: parse");
	ok(!strcmp(pg.iface, "vale0:d") && pg.count == 5, "attached short arguments stored");
	is_int(run(&pg_tool, "-i vale0:a --cou 7"), 0, "unique prefix: parse");
	is_int(pg.count, 7, "--cou is --count");
	is_int(run(&pg_tool, "-n 3 -i vale0:a"), 0, "order does not matter");

	is_int(run(&pg_tool, "-i vale0:a -6"), 0, "-6: parse");
	is_int(pg.af, 6, "-6 sets 6");
	is_int(run(&pg_tool, "-i vale0:a -6 -4"), 0, "-6 -4: parse");
	is_int(pg.af, 4, "last of -4/-6 wins");

	is_int(run(&pg_tool, "-i vale0:a -R 1M"), 0, "-R 1M: parse");
	ok(pg.rate.value == 1e6 && pg.rate.unit == NT_UNIT_PPS, "-R 1M is 1e6 pps");
	is_int(run(&pg_tool, "-i vale0:a -R 500Mbps"), 0, "-R 500Mbps: parse");
	ok(pg.rate.value == 5e8 && pg.rate.unit == NT_UNIT_BPS, "-R 500Mbps is bps");
	is_int(run(&pg_tool, "-i vale0:a -T 500ms"), 0, "-T 500ms: parse");
	is_int(pg.report_ns, 500000000, "-T 500ms");
	is_int(run(&pg_tool, "-i vale0:a -T 0"), 0, "-T 0: parse");
	is_int(pg.report_ns, 0, "-T 0 disables");
	is_int(run(&pg_tool, "-i vale0:a -o 0x10"), 0, "-o 0x10: parse");
	is_int(pg.options, 16, "-o 0x10 through the callback");
	is_int(run(&pg_tool, "-i vale0:a -C 1024,1024,2"), 0, "-C: parse");
	ok(pg.conf.count == 3 && pg.conf.value[2] == 2, "-C tuple stored");

	is_int(run(&pg_tool, "-i vale0:a -j"), 0, "-j: parse");
	ok(pg.json == 1 && pg.json_file == NULL, "-j: JSON on stdout");
	is_int(run(&pg_tool, "-i vale0:a --json=out.json"), 0, "--json=FILE: parse");
	ok(pg.json == 1 && pg.json_file && !strcmp(pg.json_file, "out.json"), "--json=FILE");
	is_int(run(&pg_tool, "-i vale0:a --json"), 0, "--json: parse");
	ok(pg.json == 1 && pg.json_file == NULL, "--json alone: stdout");
	is_int(run(&pg_tool, "-i vale0:a -jv"), 0, "-jv: parse");
	ok(pg.json == 1 && pg.json_file == NULL && pg.verbose == 1,
	   "-jv is -j -v, not -j with file v");
}

static void test_vc_rows(void)
{
	static const struct row rows[] = {
		{ NT_OPT_EXIT_OK, "--help", OUT, "    --help" },
		{ NT_OPT_EXIT_OK, "--help", OUT, "-h, --attach-host=valeX:ifname" },
		{ 2, "-h", ERR,
		  "vc: -h: missing argument; expected a switch and interface such as vale0:eth0" },
		{ 0, "-h vale0:eth0", NONE, NULL },
		{ 2, "-a vale0:x -d vale0:x", ERR, "vc: -d vale0:x: cannot be combined with -a" },
		{ 2, "--attach=vale0:x --detach vale0:x", ERR,
		  "vc: --detach vale0:x: cannot be combined with --attach" },
		{ 2, "-d vale0:x -n vx", ERR, "vc: -n vx: cannot be combined with -d" },
		{ 2, "-n vx -d vale0:x", ERR, "vc: -d vale0:x: cannot be combined with -n" },
		{ 2, "-l vale0:a -n foo", ERR, "vc: -n foo: cannot be combined with -l" },
		{ 2, "-l -a vale0:x", ERR, "vc: -a vale0:x: cannot be combined with -l" },
		{ 0, "-a vale0:x -a vale0:y", NONE, NULL },
		{ 2, "-C 1,2,3,4,5 -n vy", ERR,
		  "vc: -C 1,2,3,4,5: config has more than four numbers; expected 1 to 4 non-negative integers separated by commas, such as 1024 or 1024,1024,2,2" },
		{ 2, "-vvv", ERR, "vc: -v: too many -v options; at most 2 are accepted" },
		{ 0, "-vv", NONE, NULL },
		{ 0, "", NONE, NULL },
	};

	ROWS(vc_tool, rows);

	is_int(run(&vc_tool, "-h vale0:eth0"), 0, "vc -h is an action: parse");
	is_str(vc.attach_host, "vale0:eth0", "vc -h vale0:eth0 stored");
	is_int(run(&vc_tool, "-l"), 0, "vc -l: parse");
	ok(vc.list_given == 1 && vc.list == NULL, "vc -l alone lists all");
	is_int(run(&vc_tool, "-l vale0:a"), 0, "vc -l port: parse");
	is_str(vc.list, "vale0:a", "vc -l takes the next word");
	is_int(run(&vc_tool, "-lvale0:b"), 0, "vc -lport: parse");
	is_str(vc.list, "vale0:b", "vc -l attached");
	is_int(run(&vc_tool, "--list vale0:c"), 0, "vc --list port: parse");
	is_str(vc.list, "vale0:c", "vc --list takes the next word");
	is_int(run(&vc_tool, "--list=vale0:d"), 0, "vc --list=port: parse");
	is_str(vc.list, "vale0:d", "vc --list=port");
	is_int(run(&vc_tool, "-l -v"), 0, "vc -l -v: parse");
	ok(vc.list_given == 1 && vc.list == NULL && vc.verbose == 1,
	   "vc -l followed by an option lists all");
	is_int(run(&vc_tool, "-a vale0:x -a vale0:y"), 0, "vc -a twice: parse");
	is_str(vc.attach, "vale0:y", "same option twice is not a conflict; last wins");
}

static void test_br_rows(void)
{
	static const struct row rows[] = {
		{ 0, "-i a -i b", NONE, NULL },
		{ 2, "-i a -i b -i c", ERR, "br: -i c: too many -i options; at most 2 are accepted" },
		{ 0, "a b 512", NONE, NULL },
		{ 2, "a b 512 x", ERR, "br: x: too many arguments; expected [A [B [burst]]]" },
		{ NT_OPT_EXIT_OK, "-h", OUT, "Usage: br [OPTIONS] [A [B [burst]]]\n" },
		{ NT_OPT_EXIT_OK, "--help", OUT,
		  "  -i, --interface=port  port A, then port B (repeatable, at most 2 times)\n" },
	};

	ROWS(br_tool, rows);

	is_int(run(&br_tool, "-i a -i b"), 0, "br two -i: parse");
	ok(br.nifaces == 2 && !strcmp(br.ifaces[0], "a") && !strcmp(br.ifaces[1], "b"),
	   "br: both -i kept in order");
	is_int(run(&br_tool, "a -c b 64"), 0, "br positional with an option between: parse");
	ok(br.nargs == 3 && !strcmp(br.args[0], "a") && !strcmp(br.args[1], "b") &&
	   !strcmp(br.args[2], "64") && br.no_zerocopy == 1,
	   "br: positional arguments in order, option taken");
	is_int(run(&br_tool, "-c"), 0, "br no positional: parse");
	is_int(br.nargs, 0, "br: nargs reset");
}

static void test_help_text(void)
{
	is_int(run(&pg_tool, "--help"), NT_OPT_EXIT_OK, "pg --help");
	ok(!strncmp(cli_out, "Usage: pg [OPTIONS]\nA fake pkt-gen for the option tests.\n\nOptions:\n",
		    67), "help starts with usage and purpose");
	ok(strstr(cli_out,
		  "\n  -i, --interface=port      port to use (required)\n") != NULL,
	   "help line of a required option");
	ok(strstr(cli_out,
		  "\n  -f, --function=func       what to do (default: rx)\n") != NULL,
	   "help line with a default");
	ok(strstr(cli_out,
		  "\n  -b, --burst=burst         most packets per ring per round (default: 512 (1 for ping, pong))\n") != NULL,
	   "help line with a default text");
	ok(strstr(cli_out, "\n      --ttl=hops            IP time to live (default: 64)\n") !=
	   NULL, "help line of a long-only option");
	ok(strstr(cli_out, "\n  -v, --verbose             more diagnostics (repeatable)\n") !=
	   NULL, "help line of a counter");
	ok(strstr(cli_out, "\n  -j, --json[=file]         JSON lines on stdout or into a file\n") !=
	   NULL, "help line of an optional argument");
	ok(strstr(cli_out, "\n  -C, --port-config=spec    ring geometry (deprecated)\n") != NULL,
	   "help line of a deprecated option");
	ok(strstr(cli_out, "\n  -h, --help                print this help and exit\n") != NULL,
	   "-h listed when free");
	ok(strstr(cli_out, "\n      --version             print the version and exit\n") !=
	   NULL, "--version listed");
	printf("# pg --help:\n");
	for (char *line = cli_out, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		printf("#   %.*s\n", (int)(nl - line), line);
	}

	is_int(run(&vc_tool, "--help"), NT_OPT_EXIT_OK, "vc --help");
	ok(strstr(cli_out, "\n  -l, --list [valeX:Y]") != NULL,
	   "optional argument that may follow");
	ok(strstr(cli_out, "\n      --help ") != NULL && !strstr(cli_out, "-h, --help"),
	   "-h not offered as help when taken");
}

static void test_synopsis(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	nt_opt_print_synopsis(&pg_tool, f);
	fclose(f);
	ok(!strncmp(text, ".SH SYNOPSIS\n.B pg\n", 19), "synopsis header");
	ok(strstr(text, "\n\\fB\\-i\\fR \\fIport\\fR\n") != NULL,
	   "required option without brackets");
	ok(strstr(text, "\n[\\fB\\-l\\fR \\fIsize\\fR]...\n") != NULL, "repeatable option");
	ok(strstr(text, "\n[\\fB\\-\\-ttl\\fR=\\fIhops\\fR]\n") != NULL, "long-only option");
	ok(strstr(text, "\n[\\fB\\-W\\fR]\n") != NULL, "flag");
	ok(strstr(text, "\n[\\fB\\-v\\fR]...\n") != NULL, "counter");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	nt_opt_print_synopsis(&vc_tool, f);
	nt_opt_print_synopsis(&br_tool, f);
	fclose(f);
	ok(strstr(text, "\n[\\fB\\-l\\fR [\\fIvaleX:Y\\fR]]\n") != NULL, "optional argument");
	ok(strstr(text, "\n\\&[A [B [burst]]]\n") != NULL, "positional arguments");
	free(text);
}

static void test_usage_error(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int status;

	nt_set_streams(NULL, f);
	status = nt_usage_error("pkt-gen", "-p", "2", "the port has 1 ring; expected 1 thread");
	nt_usage_error("pkt-gen", NULL, NULL, "missing -i; expected a port name");
	nt_usage_error("pkt-gen", "-W", NULL, "only for rx and rxseq");
	nt_set_streams(NULL, NULL);
	fclose(f);
	is_int(status, NT_EXIT_USAGE, "nt_usage_error returns 2");
	is_str(text,
	       "pkt-gen: -p 2: the port has 1 ring; expected 1 thread\n"
	       "pkt-gen: missing -i; expected a port name\n"
	       "pkt-gen: -W: only for rx and rxseq\n",
	       "nt_usage_error formats");
	free(text);
}

/* Broken tables are reported as what they are: bugs in the tool. */
static int bad_int;
static const char *bad_str;
static const char *const no_such[] = { "no-such", NULL };

static const struct nt_option bad_dup_letter[] = {
	{ 'a', "one", NT_ARG_NONE, NT_T_FLAG, NT_DEST(bad_int) },
	{ 'a', "two", NT_ARG_NONE, NT_T_FLAG, NT_DEST(bad_int) },
	NT_OPT_END
};
static const struct nt_option bad_dest[] = {
	{ 'a', "one", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(bad_int) },
	NT_OPT_END
};
static const struct nt_option bad_default[] = {
	{ 'n', "count", NT_ARG_REQUIRED, NT_T_COUNT, NT_DEST(bad_int), .def = "many" },
	NT_OPT_END
};
static const struct nt_option bad_conflict[] = {
	{ 'a', "one", NT_ARG_NONE, NT_T_FLAG, NT_DEST(bad_int), .conflicts = no_such },
	NT_OPT_END
};
static const struct nt_option bad_help[] = {
	{ 0, "help", NT_ARG_NONE, NT_T_FLAG, NT_DEST(bad_int) },
	NT_OPT_END
};
static const struct nt_option bad_arg[] = {
	{ 'a', "one", NT_ARG_REQUIRED, NT_T_FLAG, NT_DEST(bad_int) },
	{ 'b', "two", NT_ARG_NONE, NT_T_STRING, NT_DEST(bad_str) },
	NT_OPT_END
};
static const struct nt_option bad_repeat[] = {
	{ 'a', "one", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REPEATABLE, NT_DEST(bad_str) },
	NT_OPT_END
};

static void test_bad_tables(void)
{
	static const struct {
		const struct nt_option *opts;
		const char *message;
	} cases[] = {
		{ bad_dup_letter, "-a is used by --one and --two" },
		{ bad_dest, "--one: destination element of 4 bytes, the type needs 8" },
		{ bad_default,
		  "--count: default \"many\" is invalid: invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M" },
		{ bad_conflict, "--one: conflicts with unknown option --no-such" },
		{ bad_help, "--help is provided by the library" },
		{ bad_arg, "--one: flags, counters and constants take no argument" },
		{ bad_repeat, "--one: repeatable option without max_count" },
	};
	char err[512], want[600];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nt_tool t = { .name = "bad", .version = "0", .options = cases[i].opts };

		err[0] = '\0';
		is_int(nt_opt_check_table(&t, err, sizeof(err)), -1, "bad table %zu rejected", i);
		is_str(err, cases[i].message, "bad table %zu message", i);
		is_int(run(&t, ""), NT_OPT_BAD_TABLE, "bad table %zu: parse refuses", i);
		snprintf(want, sizeof(want), "bad: internal error in the option table: %s\n",
			 cases[i].message);
		is_str(cli_err, want, "bad table %zu: one line on stderr", i);
	}
	err[0] = '\0';
	is_int(nt_opt_check_table(&pg_tool, err, sizeof(err)), 0, "pg table is consistent");
	is_int(nt_opt_check_table(&vc_tool, err, sizeof(err)), 0, "vc table is consistent");
	is_int(nt_opt_check_table(&br_tool, err, sizeof(err)), 0, "br table is consistent");
}

/* The *_or_exit variant turns statuses into exit codes. */
static int exit_status_of(const char *args)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		FILE *devnull = fopen("/dev/null", "w");
		char *copy = strdup(args), *argv[16], *save = NULL, *w;
		int argc = 0;

		nt_set_streams(devnull, devnull);
		argv[argc++] = (char *)"pg";
		for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		nt_opt_parse_or_exit(&pg_tool, argc, argv);
		_exit(42);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_or_exit(void)
{
	is_int(exit_status_of("--help"), 0, "or_exit: --help exits 0");
	is_int(exit_status_of("--version"), 0, "or_exit: --version exits 0");
	is_int(exit_status_of("-x"), 2, "or_exit: usage error exits 2");
	is_int(exit_status_of("-i vale0:a"), 42, "or_exit: returns when parsing succeeded");
}

int main(void)
{
	test_pg_rows();
	test_pg_values();
	test_vc_rows();
	test_br_rows();
	test_help_text();
	test_synopsis();
	test_usage_error();
	test_bad_tables();
	test_or_exit();
	free(cli_out);
	free(cli_err);
	return tap_done();
}
