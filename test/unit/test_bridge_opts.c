// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of bridge's command line (tools.md 5.2, 9.3 BR-6): rows of
 * {expected exit status, arguments, expected output} run through
 * br_parse_args(), the function bridge's main() calls; then the stored
 * values, the bridge-b name and the man page synopsis.  Nothing is opened.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "br_options.h"
#include "cli_harness.h"
#include "tap.h"

CLI_TOOL_HARNESS("bridge", struct br_config, br_parse_args, BR_ARGS_DONE)

#define PORT_FORM	"expected a port name such as vale0:a, netmap:eth0 or eth0"

static const struct row rows[] = {
	{ 0, "-i vale0:a -i vale1:b", NONE, NULL },
	{ 0, "-i netmap:eth0", NONE, NULL },
	{ 0, "-L -i netmap:p}0", NONE, NULL },
	{ 0, "vale0:a vale1:b", NONE, NULL },
	{ 0, "vale0:a vale1:b 512", NONE, NULL },
	{ 0, "eth0", NONE, NULL },
	{ 0, "-i vale0:a -i vale0:a", NONE, NULL },
	{ 0, "-c -v -v -w 1 -b 8192 -T 200 -j --duration 2s --busy-wait -i a -i b", NONE, NULL },
	{ 0, "--json=o.json -i a -i b", NONE, NULL },
	{ 0, "-w 500ms -i a", NONE, NULL },
	{ 2, "", ERR, "bridge: missing -i; " PORT_FORM },
	{ 2, "-c", ERR, "bridge: missing -i; " PORT_FORM },
	{ 2, "-i a -i b -i c", ERR, "bridge: -i c: too many -i options; at most 2 are accepted" },
	{ 2, "-b 0 -i a -i b", ERR,
	  "bridge: -b 0: burst out of range; expected an integer from 1 to 8192" },
	{ 2, "-b 8193 -i a -i b", ERR,
	  "bridge: -b 8193: burst out of range; expected an integer from 1 to 8192" },
	{ 2, "-b 1k -i a -i b", ERRF, "bridge: -b 1k: invalid burst" },
	{ 2, "a b 0", ERR, "bridge: 0: burst out of range; expected an integer from 1 to 8192" },
	{ 2, "a b 9000", ERR, "bridge: 9000: burst out of range; expected an integer from 1 to 8192" },
	{ 2, "a b x", ERRF, "bridge: x: invalid burst" },
	{ 2, "a b 64 c", ERR, "bridge: c: too many arguments; expected [A [B [burst]]]" },
	{ 2, "-i a b", ERR, "bridge: b: ports are given both with -i and as arguments; use one "
	  "form" },
	{ 2, "-L -i a -i b", ERR, "bridge: -L: loops one port back; give one port, not a and b" },
	{ 2, "-L a b", ERR, "bridge: -L: loops one port back; give one port, not a and b" },
	{ 2, "-w 3601 -i a", ERR, "bridge: -w 3601: link wait out of range; expected a duration "
	  "from 0 s to 3600 s" },
	{ 2, "-T 5 -i a", ERR, "bridge: -T 5: report interval out of range; expected 0 or a "
	  "duration from 10 ms to 3600 s" },
	{ 2, "--duration 0 -i a", ERRF, "bridge: --duration 0: duration out of range" },
	{ 2, "-i 0123456789012345678901234567890123456789012345678901234567890123", ERRF,
	  "port name too long" },
	{ 2, "0123456789012345678901234567890123456789012345678901234567890123", ERR,
	  "bridge: 0123456789012345678901234567890123456789012345678901234567890123: port name "
	  "too long; expected at most 63 characters" },
	{ 2, "-x -i a", ERR, "bridge: -x: unknown option; see --help" },
	{ 0, "-h", OUT, "Usage: bridge [OPTIONS] [A [B [burst]]]\n" },
	{ 0, "--help", OUT, "  -L, --loopback" },
	{ 0, "--version", OUT, "bridge " },
};

static void test_values(void)
{
	is_int(run_as("bridge", "-i vale0:a -i vale1:b"), 0, "two -i: parse");
	ok(!strcmp(cfg.port[0], "vale0:a") && !strcmp(cfg.port[1], "vale1:b") &&
	   !strcmp(cfg.port_opt[0], "-i") && !strcmp(cfg.port_opt[1], "-i"), "-i A -i B");
	ok(cfg.burst == 1024 && !cfg.wait_given && !cfg.no_zerocopy && !cfg.loopback &&
	   cfg.report_ns == 0 && !cfg.json_given && !cfg.busy && !cfg.duration_given,
	   "defaults: burst 1024, no wait given, zero copy, no -T");
	is_int(run_as("bridge", "vale0:a vale1:b 64"), 0, "positional: parse");
	ok(!strcmp(cfg.port[0], "vale0:a") && !strcmp(cfg.port[1], "vale1:b") &&
	   !strcmp(cfg.port_opt[0], "A") && !strcmp(cfg.port_opt[1], "B") && cfg.burst == 64,
	   "positional A B burst");
	is_int(run_as("bridge", "-i vale0:a -i vale0:a"), 0, "A equal to B: parse");
	ok(cfg.port[1] == NULL, "A equal to B is one port");
	is_int(run_as("bridge", "eth0"), 0, "one port: parse");
	ok(!strcmp(cfg.port[0], "eth0") && cfg.port[1] == NULL && !cfg.loopback, "one port");
	is_int(run_as("bridge", "-w 2.5 -T 250ms -i a"), 0, "-w and -T with units: parse");
	ok(cfg.wait_given && cfg.wait_ns == 2500000000ull && cfg.report_ns == 250000000ull,
	   "-w 2.5 is 2.5 s, -T 250ms");
	is_int(run_as("/usr/local/bin/bridge-b", "-i a -i b"), 0, "bridge-b: parse");
	is_int(cfg.busy, 1, "bridge-b busy-waits (5.1)");
	is_int(run_as("bridge", "--busy-wait -i a -i b"), 0, "--busy-wait: parse");
	is_int(cfg.busy, 1, "--busy-wait");
}

int main(void)
{
	ROWS(rows);
	test_values();
	cli_check_synopsis(br_tool_table(), "bridge.8");
	free(cli_out);
	free(cli_err);
	return tap_done();
}
