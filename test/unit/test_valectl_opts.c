// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of vale-ctl's command line (tools.md 4.2, 9.2 VC-7): rows of
 * {expected exit status, arguments, expected stderr line or stdout
 * fragment} run through vc_parse_args(), the function vale-ctl's main()
 * calls, with both streams captured; then the stored values.  Nothing is
 * opened.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"
#include "cli_harness.h"
#include "tap.h"
#include "vc_options.h"

/* ------------------------------------------------------------ harness */

CLI_TOOL_HARNESS("vale-ctl", struct vc_config, vc_parse_args, VC_ARGS_DONE)

#define MEM_FORM	"invalid memory region; expected a number from 1 to 65535 or a port name"
#define VALE_FORM	"expected a switch and interface such as vale0:eth0"
#define TUPLE_FORM	"expected 1 to 4 non-negative integers separated by commas, such as " \
			"1024 or 1024,1024,2,2"

/* ------------------------------------------------------------ rows */

static const struct row rows[] = {
	/* no action lists every port */
	{ 0, "", NONE, NULL },
	{ 0, "-l", NONE, NULL },
	{ 0, "-l vale0:a", NONE, NULL },
	{ 0, "--list=vale0:a", NONE, NULL },
	{ 0, "-l -v", NONE, NULL },
	{ 2, "-l eth0", ERR,
	  "vale-ctl: -l eth0: not a VALE port; expected a name such as vale0:a" },

	{ 0, "-g vale0:a", NONE, NULL },
	{ 0, "--info eth0", NONE, NULL },
	{ 2, "-g", ERR,
	  "vale-ctl: -g: missing argument; expected a port name such as vale0:a or eth0" },

	{ 0, "-a vale0:eth0", NONE, NULL },
	{ 0, "-a vale_x1:eth0", NONE, NULL },
	{ 2, "-a eth0", ERR, "vale-ctl: -a eth0: " VALE_FORM },
	{ 2, "-a vale0:", ERR, "vale-ctl: -a vale0:: " VALE_FORM },
	{ 2, "-a val-e0:eth0", ERR, "vale-ctl: -a val-e0:eth0: " VALE_FORM },
	{ 2, "-a vale-0:eth0", ERR,
	  "vale-ctl: -a vale-0:eth0: invalid character '-' in the switch name; " VALE_FORM },
	{ 2, "-a", ERR, "vale-ctl: -a: missing argument; " VALE_FORM },

	{ 0, "-h vale0:eth0", NONE, NULL },
	{ 2, "-h", ERR, "vale-ctl: -h: missing argument; " VALE_FORM },
	{ 2, "-h eth0", ERR, "vale-ctl: -h eth0: " VALE_FORM },

	{ 0, "-d vale0:eth0", NONE, NULL },
	{ 2, "-d foo", ERR, "vale-ctl: -d foo: " VALE_FORM },

	{ 0, "-n v0", NONE, NULL },
	{ 0, "-n 0123456789abcde", NONE, NULL },
	{ 2, "-n vale1", ERR,
	  "vale-ctl: -n vale1: a persistent port name must not start with vale" },
	{ 2, "-n 0123456789abcdef", ERR,
	  "vale-ctl: -n 0123456789abcdef: invalid interface name; expected 1 to 15 characters" },
	{ 2, "-n a/b", ERR, "vale-ctl: -n a/b: invalid character '/' in the interface name" },
	{ 2, "-n a:b", ERR, "vale-ctl: -n a:b: invalid character ':' in the interface name" },
	{ 2, "-n ''", ERR,
	  "vale-ctl: -n '': empty interface name; expected an interface name of at most 15 "
	  "characters" },

	{ 0, "-r v0", NONE, NULL },
	{ 2, "-r ''", ERR, "vale-ctl: -r '': empty interface name; expected an interface name" },

	{ 0, "-p vale0:eth0", NONE, NULL },
	{ 0, "-p vale0:eth0 -C 1,0,2", NONE, NULL },
	{ 0, "-p vale0:eth0 -C 0,1", NONE, NULL },
	{ 0, "-p vale0:eth0 -C 0,0,1", NONE, NULL },
	{ 2, "-p vale0:eth0 -C 2,0", ERR,
	  "vale-ctl: -C 2,0: invalid polling config; expected mode,cpu[,n] with mode 0 or 1" },
	{ 2, "-p vale0:eth0 -C 1,2,3,4", ERR,
	  "vale-ctl: -C 1,2,3,4: invalid polling config; expected mode,cpu[,n] with mode 0 or 1" },
	{ 2, "-p vale0:eth0 -C 0,0,2", ERR,
	  "vale-ctl: -C 0,0,2: mode 0 runs one thread; expected n = 1" },
	{ 2, "-p vale0:eth0 -C 1,0,0", ERR,
	  "vale-ctl: -C 1,0,0: expected at least one polling thread" },
	{ 2, "-p eth0", ERR, "vale-ctl: -p eth0: " VALE_FORM },
	{ 0, "-P vale0:eth0", NONE, NULL },
	{ 2, "-P eth0", ERR, "vale-ctl: -P eth0: " VALE_FORM },

	{ 0, "-n v0 -C 1024,1024,2,2", NONE, NULL },
	{ 0, "-a vale0:eth0 --config=512", NONE, NULL },
	{ 0, "-C 1024", ERR,
	  "vale-ctl: warning: -C 1024: only used with -n, -a, -h and -p; ignored" },
	{ 0, "-d vale0:eth0 -C 1024", ERR,
	  "vale-ctl: warning: -C 1024: only used with -n, -a, -h and -p; ignored" },
	{ 2, "-n v0 -C 1,2,3,4,5", ERR,
	  "vale-ctl: -C 1,2,3,4,5: config has more than four numbers; " TUPLE_FORM },
	{ 2, "-C x -n v0", ERR, "vale-ctl: -C x: invalid config; " TUPLE_FORM },

	{ 0, "-n v0 -m 1", NONE, NULL },
	{ 0, "-a vale0:eth0 -m vale0:x", NONE, NULL },
	{ 0, "-m 1", ERR, "vale-ctl: warning: -m 1: only used with -n, -a and -h; ignored" },
	{ 2, "-n v0 -m", ERR,
	  "vale-ctl: -m: missing argument; expected a region number or a port name" },
	{ 2, "-n v0 -m -1", ERR, "vale-ctl: -m -1: " MEM_FORM },
	{ 2, "-n v0 -m 0", ERR, "vale-ctl: -m 0: " MEM_FORM },
	{ 2, "-a vale0:eth0 -m 65536", ERR, "vale-ctl: -m 65536: " MEM_FORM },
	{ 0, "-a vale0:eth0 -m 65535", NONE, NULL },
	{ 2, "-n p\n0", ERR,
	  "vale-ctl: -n p\\n0: control character '\\n' in the name; names are printable" },
	{ 2, "-d vale0:a\001", ERR,
	  "vale-ctl: -d vale0:a\\x01: control character '\\x01' in the name; names are "
	  "printable" },

	{ 0, "-v", NONE, NULL },
	{ 0, "-vv -l", NONE, NULL },
	{ 2, "--verbose=2", ERR, "vale-ctl: --verbose 2: this option takes no value" },

	{ 0, "-j", NONE, NULL },
	{ 0, "-j -l", NONE, NULL },
	{ 0, "--json=f.json", NONE, NULL },
	{ 2, "--json=", ERR, "vale-ctl: --json '': empty JSON file; expected a file name" },
	{ 2, "-j x", ERR, "vale-ctl: x: unexpected argument; see --help" },

	{ 0, "--stats", NONE, NULL },
	{ 0, "--stats vale0", NONE, NULL },
	{ 0, "--stats=vale0:a", NONE, NULL },
	{ 0, "--watch 1s", NONE, NULL },
	{ 0, "--watch 500ms", NONE, NULL },
	{ 2, "--watch 0", ERR,
	  "vale-ctl: --watch 0: interval out of range; expected a duration from 10 ms to 3600 s" },
	{ 2, "--watch x", ERR,
	  "vale-ctl: --watch x: invalid interval; expected a duration such as 2, 1.5s, 500ms or "
	  "250us (units s, ms, us, ns; bare numbers are seconds)" },
	{ 0, "--macs", NONE, NULL },
	{ 0, "--macs vale0", NONE, NULL },
	{ 0, "--cleanup", NONE, NULL },
	{ 2, "--cleanup=1", ERR, "vale-ctl: --cleanup 1: this option takes no value" },

	/* two actions (4.2) */
	{ 2, "-a vale0:eth0 -d vale0:eth0", ERR,
	  "vale-ctl: -d vale0:eth0: cannot be combined with -a" },
	{ 2, "-l vale0:a -g vale0:b", ERR, "vale-ctl: -g vale0:b: cannot be combined with -l" },
	{ 2, "-n v0 -r v0", ERR, "vale-ctl: -r v0: cannot be combined with -n" },
	{ 2, "-p vale0:eth0 -P vale0:eth0", ERR,
	  "vale-ctl: -P vale0:eth0: cannot be combined with -p" },
	{ 2, "--cleanup -l", ERR, "vale-ctl: -l: cannot be combined with --cleanup" },
	{ 2, "--stats --macs", ERR, "vale-ctl: --macs: cannot be combined with --stats" },
	{ 2, "--stats --watch 1s", ERR, "vale-ctl: --watch 1s: cannot be combined with --stats" },
	{ 0, "-a vale0:x -a vale0:y", NONE, NULL },

	/* the command line as a whole */
	{ 2, "-x", ERR, "vale-ctl: -x: unknown option; see --help" },
	{ 2, "--bogus", ERR, "vale-ctl: --bogus: unknown option; see --help" },
	{ 2, "extra", ERR, "vale-ctl: extra: unexpected argument; see --help" },
	{ 0, "--help", OUT, "Usage: vale-ctl [OPTIONS]" },
	{ 0, "--help", OUT, "-h, --attach-host=valeX:ifname" },
	{ 0, "--version", OUT, "vale-ctl " PACKAGE_VERSION " (netmap API 14)" },
};

/* ------------------------------------------------------------ values */

static void test_values(void)
{
	is_int(run(""), 0, "no action: parse");
	ok(!cfg.list && !cfg.attach && !cfg.create && !cfg.conf_given && !cfg.json_given &&
	   !cfg.verbose, "no action: nothing set");

	is_int(run("-l"), 0, "-l: parse");
	ok(cfg.list_given == 1 && cfg.list == NULL, "-l alone lists all");
	is_int(run("-l vale0:a"), 0, "-l port: parse");
	is_str(cfg.list, "vale0:a", "-l takes the next word");
	is_int(run("-h vale0:eth0"), 0, "-h: parse");
	is_str(cfg.attach_host, "vale0:eth0", "-h is attach-host, not help");
	is_int(run("-a vale0:x -a vale0:y"), 0, "-a twice: parse");
	is_str(cfg.attach, "vale0:y", "-a twice: last wins");

	is_int(run("-n v0 -C 1024,512,2,4 -m 3 -vv"), 0, "-n with -C -m: parse");
	ok(cfg.create && !strcmp(cfg.create, "v0") && cfg.conf_given && cfg.conf.count == 4 &&
	   cfg.conf.value[3] == 4 && cfg.mem_id && !strcmp(cfg.mem_id, "3") && cfg.verbose == 2,
	   "-n v0 -C 1024,512,2,4 -m 3 -vv stored");
	is_int(run("-l -C 1024 -m 3"), 0, "-C and -m without an action that uses them: parse");
	ok(!cfg.conf_given && cfg.mem_id == NULL, "ignored -C and -m are cleared");

	is_int(run("-p vale0:eth0 -C 1,2,3"), 0, "-p -C: parse");
	ok(cfg.poll_on && cfg.conf.count == 3 && cfg.conf.value[0] == 1 && cfg.conf.value[1] == 2,
	   "-p polling config stored");

	is_int(run("--watch 250ms"), 0, "--watch: parse");
	ok(cfg.watch_given && cfg.watch_ns == 250000000, "--watch 250ms");
	is_int(run("--stats vale0"), 0, "--stats: parse");
	ok(cfg.stats_given && cfg.stats && !strcmp(cfg.stats, "vale0"), "--stats vale0");
	is_int(run("--json=o.json --cleanup"), 0, "--json=FILE --cleanup: parse");
	ok(cfg.json_given && !strcmp(cfg.json_file, "o.json") && cfg.cleanup, "stored");
}

int main(void)
{
	ROWS(rows);
	test_values();
	cli_check_synopsis(vc_tool_table(), "vale-ctl.8");
	free(cli_out);
	free(cli_err);
	return tap_done();
}
