// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of nmreplay's command line (tools.md 6.2, 8.3, 8.8, 9.4
 * NR-9): rows of {expected exit status, arguments, expected output} run
 * through nr_parse_args(), the function nmreplay's main() calls; then the
 * models and the schedule they make, and the man page synopsis.  Nothing
 * is opened or read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nr_options.h"
#include "cli_harness.h"
#include "tap.h"

CLI_TOOL_HARNESS("nmreplay", struct nr_config, nr_parse_args, NR_ARGS_DONE)

#define F	"-f t.pcap -i vale0:a "
#define BW_FORM	"expected RATE, constant,RATE, ether,RATE or real[,SPEEDUP]"
#define D_FORM	"expected DELAY, constant,DELAY, uniform,MIN,MAX or exp,MIN,AVG"
#define L_FORM	"expected P, plr,P or ber,P"

static const struct row rows[] = {
	{ 0, F, NONE, NULL },
	{ 0, F "-f u.pcapng -f v.pcap", NONE, NULL },
	{ 0, F "-B 10M", NONE, NULL },
	{ 0, F "-B 10Mbps", NONE, NULL },
	{ 0, F "-B constant,1.5g", NONE, NULL },
	{ 0, F "-B const,940000000", NONE, NULL },
	{ 0, F "-B ether,10G", NONE, NULL },
	{ 0, F "-B real", NONE, NULL },
	{ 0, F "-B real,2.5", NONE, NULL },
	{ 0, F "-B 0", NONE, NULL },
	{ 0, F "-D 5ms", NONE, NULL },
	{ 0, F "-D 250u", NONE, NULL },
	{ 0, F "-D 0.002", NONE, NULL },
	{ 0, F "-D constant,1ms", NONE, NULL },
	{ 0, F "-D uniform,1ms,5ms", NONE, NULL },
	{ 0, F "-D exp,1ms,3ms", NONE, NULL },
	{ 0, F "-D exp,3ms,1ms", NONE, NULL },
	{ 0, F "-L 0.01", NONE, NULL },
	{ 0, F "-L plr,1e-6", NONE, NULL },
	{ 0, F "-L ber,1e-9", NONE, NULL },
	{ 0, F "-b 1 -b 8192", NONE, NULL },
	{ 0, F "-C 1", NONE, NULL },
	{ 0, F "-n 3 --loop-gap 10ms --allow-truncated --seed 7 -T 200 -j --duration 5s",
	  NONE, NULL },
	{ 0, F "--pps 1.5M", NONE, NULL },
	{ 0, F "--topspeed", NONE, NULL },
	{ 0, F "-x 2", NONE, NULL },
	{ 0, F "-x 0.5 -D 1ms -L 0.1", NONE, NULL },
	{ 0, F "-B 1M -B 2M", NONE, NULL },

	{ 2, "-i vale0:a", ERR, "nmreplay: missing -f; expected a pcap or pcapng file" },
	{ 2, "-f t.pcap", ERR,
	  "nmreplay: missing -i; expected a port name such as vale0:a, netmap:eth0 or eth0" },
	{ 2, F "-B fast", ERR, "nmreplay: -B fast: unknown bandwidth model; " BW_FORM },
	{ 2, F "-B constant", ERR,
	  "nmreplay: -B constant: wrong number of parameters for constant; " BW_FORM },
	{ 2, F "-B real,2,3", ERR,
	  "nmreplay: -B real,2,3: wrong number of parameters for real; " BW_FORM },
	{ 2, F "-B real,0", ERRF, "nmreplay: -B real,0: factor out of range" },
	{ 2, F "-B real,1001", ERRF, "nmreplay: -B real,1001: factor out of range" },
	{ 2, F "-B 10Mpps", ERR, "nmreplay: -B 10Mpps: a bandwidth is in bits per second; use "
	  "--pps for a packet rate" },
	{ 2, F "-B ether,0", ERRF, "nmreplay: -B ether,0: ether needs a rate above 0" },
	{ 2, F "-B 10X", ERRF, "nmreplay: -B 10X: invalid rate" },
	{ 2, F "-B constant,,1", ERRF, "nmreplay: -B constant,,1: " },
	{ 2, F "-B ''", ERRF, "nmreplay: -B '': invalid bandwidth model" },
	{ 2, F "-D uniform,5ms,1ms", ERR, "nmreplay: -D uniform,5ms,1ms: the minimum delay is "
	  "larger than the maximum; expected uniform,MIN,MAX" },
	{ 2, F "-D uniform,5ms", ERR,
	  "nmreplay: -D uniform,5ms: wrong number of parameters for uniform; " D_FORM },
	{ 2, F "-D soon", ERR, "nmreplay: -D soon: unknown delay model; " D_FORM },
	{ 2, F "-D 5x", ERRF, "nmreplay: -D 5x: invalid delay" },
	{ 2, F "-L 2", ERR, "nmreplay: -L 2: probability out of range; expected a probability "
	  "from 0 to 1, such as 0.01 or 1e-6" },
	{ 2, F "-L burst,0.1", ERR, "nmreplay: -L burst,0.1: unknown loss model; " L_FORM },
	{ 2, F "-b 0", ERR, "nmreplay: -b 0: batch out of range; expected an integer from 1 to "
	  "8192" },
	{ 2, F "-b 8193", ERRF, "nmreplay: -b 8193: batch out of range" },
	{ 2, F "-x 0", ERR, "nmreplay: -x 0: speed multiplier out of range; expected a number "
	  "greater than 0 and at most 1000" },
	{ 2, F "-x two", ERRF, "nmreplay: -x two: invalid speed multiplier" },
	{ 2, F "-B 0 -x 2", ERR, "nmreplay: -x 2: cannot be combined with -B" },
	{ 2, F "--topspeed --pps 10", ERR, "nmreplay: --pps 10: cannot be combined with "
	  "--topspeed" },
	{ 2, F "--pps 10Mbps", ERRF, "nmreplay: --pps 10Mbps: " },
	{ 2, F "-C 1,2,3", ERR, "nmreplay: -C 1,2,3: invalid CPU list; expected 1, 2 or 4 CPU "
	  "numbers separated by commas, such as 2 or 2,3" },
	{ 2, F "-C 0-1", ERRF, "nmreplay: -C 0-1: invalid CPU list" },
	{ 2, F "-C 1000", ERRF, "nmreplay: -C 1000: " },
	{ 2, F "-n 3x", ERRF, "nmreplay: -n 3x: invalid loop count" },
	{ 2, F "-T 5", ERRF, "nmreplay: -T 5: report interval out of range" },
	{ 2, F "--loop-gap 2h", ERRF, "nmreplay: --loop-gap 2h: invalid loop gap" },
	{ 2, F "extra", ERR, "nmreplay: extra: unexpected argument; see --help" },
	{ 0, "-h", OUT, "Usage: nmreplay [OPTIONS]\n" },
	{ 0, "--help", OUT, "  -B, --bandwidth=model" },
	{ 0, "--version", OUT, "nmreplay " },
};

static void test_schedules(void)
{
	is_int(run(F), 0, "defaults: parse");
	ok(cfg.sched.pace == NR_PACE_TRACE && cfg.sched.speedup == 1 && cfg.batch == 128 &&
	   !cfg.loops && cfg.report_ns == 1000000000ull && cfg.tx_cpu == -1 &&
	   cfg.loader_cpu == -1, "defaults: trace timing at speed 1, -b 128, loop for ever");
	is_int(run(F "-B 10M"), 0, "-B 10M: parse");
	ok(cfg.sched.pace == NR_PACE_BITS && cfg.sched.rate == 10e6 && !cfg.sched.framing,
	   "-B 10M: 10^7 bits per second");
	is_int(run(F "-B ether,1.5g"), 0, "-B ether: parse");
	ok(cfg.sched.pace == NR_PACE_BITS && cfg.sched.rate == 1.5e9 && cfg.sched.framing == 24,
	   "-B ether,1.5g: 24 bytes of framing");
	is_int(run(F "-B real,4"), 0, "-B real,4: parse");
	ok(cfg.sched.pace == NR_PACE_TRACE && cfg.sched.speedup == 4, "-B real,4");
	is_int(run(F "-x 0.5"), 0, "-x: parse");
	ok(cfg.sched.pace == NR_PACE_TRACE && cfg.sched.speedup == 0.5, "-x 0.5 is -B real,0.5");
	is_int(run(F "-B 0"), 0, "-B 0: parse");
	is_int(cfg.sched.pace, NR_PACE_NONE, "-B 0: no pacing");
	is_int(run(F "--topspeed"), 0, "--topspeed: parse");
	is_int(cfg.sched.pace, NR_PACE_NONE, "--topspeed: no pacing");
	is_int(run(F "--pps 2k"), 0, "--pps: parse");
	ok(cfg.sched.pace == NR_PACE_PACKETS && cfg.sched.rate == 2000, "--pps 2k");
	is_int(run(F "-D uniform,1ms,5ms -L ber,1e-6 --seed 9"), 0, "-D, -L: parse");
	ok(cfg.sched.delay == NR_DELAY_UNIFORM && cfg.sched.delay_a_ns == 1e6 &&
	   cfg.sched.delay_b_ns == 5e6 && cfg.sched.loss == NR_LOSS_BER &&
	   cfg.sched.loss_p == 1e-6 && cfg.sched.seed == 9, "uniform 1..5 ms, ber 1e-6, seed 9");
	is_int(run(F "-D exp,3ms,1ms"), 0, "-D exp, larger first: parse");
	ok(cfg.sched.delay == NR_DELAY_EXP && cfg.sched.delay_a_ns == 1e6 &&
	   cfg.sched.delay_b_ns == 3e6, "exp: the larger value is the mean (6.2)");
	is_int(run(F "-D 250u -L 0.5"), 0, "bare delay and loss: parse");
	ok(cfg.sched.delay == NR_DELAY_CONSTANT && cfg.sched.delay_a_ns == 250000 &&
	   cfg.sched.loss == NR_LOSS_PLR && cfg.sched.loss_p == 0.5, "250u constant, plr 0.5");
	is_int(run(F "--loop-gap 10ms -n 3"), 0, "--loop-gap: parse");
	ok(cfg.sched.loop_gap_given && cfg.sched.loop_gap_ns == 10000000 && cfg.loops == 3,
	   "--loop-gap 10ms, 3 loops");
	is_int(run(F "-f u.pcap -f v.pcap"), 0, "three -f: parse");
	ok(cfg.nfiles == 3 && !strcmp(cfg.files[2], "v.pcap"), "the files in order");
	is_int(run(F "-C 0"), 0, "-C 0: parse");
	ok(cfg.tx_cpu == 0 && (cfg.loader_cpu == 1 || (nt_online_cpus() == 1 &&
							  cfg.loader_cpu == 0)),
	   "-C c: transmit on c, the loader on c+1");
}

int main(void)
{
	ROWS(rows);
	test_schedules();
	cli_check_synopsis(nr_tool_table(), "nmreplay.8");
	free(cli_out);
	free(cli_err);
	return tap_done();
}
