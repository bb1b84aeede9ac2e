// SPDX-License-Identifier: BSD-2-Clause
/*
 * nmreplay's option table and the checks that need neither the port nor
 * the files (tools.md 6.2, 6.7, 8.3, 8.8): the -B, -D and -L models, -C,
 * the pacing options that exclude each other, and the schedule they make.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nr_options.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_stats.h"

#define TOOL	"nmreplay"

/* The table's destinations; nr_parse_args() copies them out. */
static struct nr_config parsed;

/* ================================================================ models */

static const struct nt_model_def bandwidth_models[] = {
	[NR_BW_CONSTANT] = { "constant", "const", 1, 1, { NT_MP_RATE },
			     "RATE, constant,RATE" },
	[NR_BW_ETHER] = { "ether", NULL, 0, 1, { NT_MP_RATE }, "ether,RATE" },
	[NR_BW_REAL] = { "real", NULL, 0, 0, { NT_MP_FACTOR }, "real[,SPEEDUP]" },
	{ NULL },
};

static const struct nt_model_def delay_models[] = {
	[NR_DELAY_KW_CONSTANT] = { "constant", "const", 1, 1, { NT_MP_DURATION },
				   "DELAY, constant,DELAY" },
	[NR_DELAY_KW_UNIFORM] = { "uniform", NULL, 0, 2, { NT_MP_DURATION, NT_MP_DURATION },
				  "uniform,MIN,MAX" },
	[NR_DELAY_KW_EXP] = { "exp", NULL, 0, 2, { NT_MP_DURATION, NT_MP_DURATION },
			      "exp,MIN,AVG" },
	{ NULL },
};

static const struct nt_model_def loss_models[] = {
	[NR_LOSS_KW_PLR] = { "plr", NULL, 1, 1, { NT_MP_PROBABILITY }, "P, plr,P" },
	[NR_LOSS_KW_BER] = { "ber", NULL, 0, 1, { NT_MP_PROBABILITY }, "ber,P" },
	{ NULL },
};

static int parse_bandwidth(const struct nt_option *o, const char *value, void *dest, char *err,
			   size_t errlen)
{
	struct nt_model *m = dest;

	if (nt_parse_model(value, o->noun, bandwidth_models, NT_UNIT_BPS, NT_UNIT_S, m, err,
			   errlen))
		return -1;
	if (m->kind != NR_BW_REAL && m->unit[0] != NT_UNIT_BPS) {
		snprintf(err, errlen, "a bandwidth is in bits per second; use --pps for a "
			 "packet rate");
		return -1;
	}
	if (m->kind == NR_BW_ETHER && m->value[0] <= 0) {
		snprintf(err, errlen, "ether needs a rate above 0; use -B 0 or --topspeed for no "
			 "pacing");
		return -1;
	}
	return 0;
}

static int parse_delay(const struct nt_option *o, const char *value, void *dest, char *err,
		       size_t errlen)
{
	struct nt_model *m = dest;

	if (nt_parse_model(value, o->noun, delay_models, NT_UNIT_BPS, NT_UNIT_S, m, err, errlen))
		return -1;
	if (m->kind == NR_DELAY_KW_UNIFORM && m->value[0] > m->value[1]) {
		snprintf(err, errlen, "the minimum delay is larger than the maximum; expected "
			 "uniform,MIN,MAX");
		return -1;
	}
	if (m->kind == NR_DELAY_KW_EXP && m->value[0] > m->value[1]) {
		/* 6.2: the order netmap's program read: avg,min */
		double v = m->value[0];

		m->value[0] = m->value[1];
		m->value[1] = v;
	}
	return 0;
}

static int parse_loss(const struct nt_option *o, const char *value, void *dest, char *err,
		      size_t errlen)
{
	return nt_parse_model(value, o->noun, loss_models, NT_UNIT_BPS, NT_UNIT_S, dest, err,
			      errlen);
}

static int parse_multiplier(const struct nt_option *o, const char *value, void *dest, char *err,
			    size_t errlen)
{
	return nt_parse_factor(value, o->noun, NT_FACTOR_MAX, dest, err, errlen);
}

/* -C: 1, 2 or 4 CPU numbers separated by commas. */
static int parse_cpus(const struct nt_option *o, const char *value, void *dest, char *err,
		      size_t errlen)
{
	struct nr_cpus *c = dest;
	struct nt_cpu_list list;
	unsigned i;

	if (strchr(value, '-') || nt_parse_cpus(value, o->noun, &list, err, errlen) ||
	    (list.count != 1 && list.count != 2 && list.count != 4)) {
		snprintf(err, errlen, "invalid %s; expected 1, 2 or 4 CPU numbers separated by "
			 "commas, such as 2 or 2,3", o->noun);
		return -1;
	}
	c->count = list.count;
	for (i = 0; i < list.count; i++)
		c->cpu[i] = list.cpu[i];
	return 0;
}

/* ================================================================ table */

static const char *const pacing[] = { "bandwidth", "pps", "topspeed", "multiplier", NULL };

static const struct nt_option nr_options[] = {
	{ 'f', "file", NT_ARG_REQUIRED, NT_T_STRING,
	  .flags = NT_OPT_REPEATABLE | NT_OPT_REQUIRED, .max_count = NR_FILES_MAX,
	  NT_DEST(parsed.files), .given = &parsed.nfiles, .seen = parsed.file_seen,
	  .noun = "capture file", .arg_name = "file", .expect = "a pcap or pcapng file",
	  .help = "trace to replay; several: replayed in order as one trace" },
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REQUIRED, .max = 63,
	  NT_DEST(parsed.iface), .seen = &parsed.iface_seen, .noun = "port name",
	  .arg_name = "port", .expect = NT_PORT_EXPECT, .help = "output port" },
	{ 'B', "bandwidth", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_bandwidth,
	  .conflicts = pacing, NT_DEST(parsed.bandwidth), .given = &parsed.bandwidth_given,
	  .seen = &parsed.bandwidth_seen, .noun = "bandwidth model", .arg_name = "model",
	  .def_help = "the trace's timing", .expect = "RATE, constant,RATE, ether,RATE or "
	  "real[,SPEEDUP]", .help = "pacing: RATE (bps; 0 = none), ether,RATE or real,SPEEDUP" },
	{ 'D', "delay", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_delay,
	  NT_DEST(parsed.delay), .given = &parsed.delay_given, .seen = &parsed.delay_seen,
	  .noun = "delay model", .arg_name = "model", .expect = "DELAY, constant,DELAY, "
	  "uniform,MIN,MAX or exp,MIN,AVG", .help = "extra delay per packet: DELAY, "
	  "uniform,MIN,MAX or exp,MIN,AVG" },
	{ 'L', "loss", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_loss,
	  NT_DEST(parsed.loss), .given = &parsed.loss_given, .seen = &parsed.loss_seen,
	  .noun = "loss model", .arg_name = "model", .expect = "P, plr,P or ber,P",
	  .help = "random loss: P or plr,P per packet, ber,P per bit" },
	{ 'b', "batch", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = NR_BATCH_MAX,
	  NT_DEST(parsed.batch), .noun = "batch", .arg_name = "batch", .def = "128",
	  .help = "transmit sync after at most this many packets" },
	NT_OPTION_WAIT_LINK(parsed.wait_ns, parsed.wait_given),
	{ 'C', "cpus", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_cpus, NT_DEST(parsed.cpus),
	  .given = &parsed.cpus_given, .seen = &parsed.cpus_seen, .noun = "CPU list",
	  .arg_name = "cpus", .expect = "1, 2 or 4 CPU numbers",
	  .help = "pin the transmit thread (and the loader to the next CPU)" },
	NT_OPTION_VERBOSE(parsed.verbose, "more diagnostics"),
	{ 'n', "loop", NT_ARG_REQUIRED, NT_T_COUNT, NT_DEST(parsed.loops),
	  .given = &parsed.loops_given, .flags = NT_OPT_EXT, .noun = "loop count",
	  .arg_name = "n", .def = "0", .help = "replay the files n times; 0 = until stopped" },
	{ 0, "pps", NT_ARG_REQUIRED, NT_T_RATE, .unit = NT_UNIT_PPS,
	  .flags = NT_OPT_EXT | NT_PARSE_ONE_UNIT, .conflicts = pacing, NT_DEST(parsed.pps),
	  .given = &parsed.pps_given, .seen = &parsed.pps_seen, .noun = "packet rate",
	  .arg_name = "rate", .help = "a constant packet rate (sizes and time stamps ignored)" },
	{ 0, "topspeed", NT_ARG_NONE, NT_T_FLAG, .flags = NT_OPT_EXT, .conflicts = pacing,
	  NT_DEST(parsed.topspeed), .help = "as fast as the port takes them (as -B 0)" },
	{ 'x', "multiplier", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_multiplier,
	  .flags = NT_OPT_EXT, .conflicts = pacing, NT_DEST(parsed.multiplier),
	  .given = &parsed.multiplier_given, .noun = "speed multiplier", .arg_name = "f",
	  .expect = "a number such as 2 or 0.5", .help = "speed up the trace's timing (as "
	  "-B real,f)" },
	{ 0, "loop-gap", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = 0,
	  .max = NT_SEC(3600), .flags = NT_OPT_EXT, NT_DEST(parsed.loop_gap_ns),
	  .given = &parsed.loop_gap_given, .noun = "loop gap", .arg_name = "dur",
	  .def_help = "the trace's mean gap", .help = "time between files and between loops" },
	{ 0, "allow-truncated", NT_ARG_NONE, NT_T_FLAG, .flags = NT_OPT_EXT,
	  NT_DEST(parsed.allow_truncated), .help = "a truncated last record ends its file" },
	{ 0, "seed", NT_ARG_REQUIRED, NT_T_UINT, .flags = NT_OPT_EXT, NT_DEST(parsed.seed),
	  .given = &parsed.seed_given, .noun = "seed", .arg_name = "n",
	  .def_help = "from the clock", .help = "seed of the loss and delay draws" },
	NT_OPTION_REPORT_INTERVAL(parsed.report_ns, "1000"),
	NT_OPTION_JSON(parsed.json_file, parsed.json_given),
	NT_OPTION_DURATION(parsed.duration_ns, parsed.duration_given),
	NT_OPT_END
};

static const struct nt_tool nr_tool = {
	.name = TOOL,
	.purpose = "Replay pcap and pcapng files into a netmap port, with their timing or "
		   "paced, optionally through an emulated link (delay, loss).",
	.version = PACKAGE_VERSION,
	.options = nr_options,
};

const struct nt_tool *nr_tool_table(void)
{
	return &nr_tool;
}

/* ================================================================ checks */

/* The schedule the options ask for (6.2, 8.3). */
static void make_schedule(struct nr_config *c)
{
	struct nr_sched_cfg *s = &c->sched;

	memset(s, 0, sizeof(*s));
	s->speedup = 1;
	if (c->topspeed) {
		s->pace = NR_PACE_NONE;
	} else if (c->pps_given) {
		s->pace = c->pps.value > 0 ? NR_PACE_PACKETS : NR_PACE_NONE;
		s->rate = c->pps.value;
	} else if (c->multiplier_given) {
		s->speedup = c->multiplier;
	} else if (c->bandwidth_given) {
		const struct nt_model *m = &c->bandwidth;

		if (m->kind == NR_BW_REAL) {
			if (m->nparams)
				s->speedup = m->value[0];
		} else if (m->value[0] <= 0) {
			s->pace = NR_PACE_NONE;		/* -B 0 */
		} else {
			s->pace = NR_PACE_BITS;
			s->rate = m->value[0];
			s->framing = m->kind == NR_BW_ETHER ? NR_ETHER_FRAMING : 0;
		}
	}
	if (c->delay_given) {
		static const enum nr_delay kinds[] = {
			[NR_DELAY_KW_CONSTANT] = NR_DELAY_CONSTANT,
			[NR_DELAY_KW_UNIFORM] = NR_DELAY_UNIFORM,
			[NR_DELAY_KW_EXP] = NR_DELAY_EXP,
		};

		s->delay = kinds[c->delay.kind];
		s->delay_a_ns = c->delay.value[0];
		s->delay_b_ns = c->delay.nparams > 1 ? c->delay.value[1] : c->delay.value[0];
	}
	if (c->loss_given) {
		s->loss = c->loss.kind == NR_LOSS_KW_BER ? NR_LOSS_BER : NR_LOSS_PLR;
		s->loss_p = c->loss.value[0];
	}
	s->loop_gap_given = !!c->loop_gap_given;
	s->loop_gap_ns = c->loop_gap_ns;
	s->seed = c->seed_given ? c->seed : nt_now_ns() ^ ((uint64_t)getpid() << 32);
}

/* -C (6.2): transmit on the first CPU, the loader on the next (or the second of four). */
static int check_cpus(struct nr_config *c)
{
	struct nt_cpu_list list;
	char err[256];
	unsigned i;

	c->tx_cpu = c->loader_cpu = -1;
	if (!c->cpus_given)
		return 0;
	c->tx_cpu = (int)c->cpus.cpu[0];
	c->loader_cpu = c->cpus.count == 4 ? (int)c->cpus.cpu[1] :
			c->cpus.count == 2 ? (int)c->cpus.cpu[0] + 1 : (int)c->cpus.cpu[0] + 1;
	if ((unsigned)c->loader_cpu >= nt_online_cpus())
		c->loader_cpu = c->tx_cpu;	/* no next CPU: the loader shares it */
	list.count = c->cpus.count;
	for (i = 0; i < list.count; i++)
		list.cpu[i] = (uint16_t)c->cpus.cpu[i];
	if (nt_cpus_check(&list, err, sizeof(err)))
		return nt_usage_error(TOOL, c->cpus_seen.opt, c->cpus_seen.value, "%s", err);
	return 0;
}

static int check_all(void *p, int argc, char **argv)
{
	struct nr_config *c = p;

	(void)argc, (void)argv;
	make_schedule(c);
	return check_cpus(c);
}

int nr_parse_args(int argc, char **argv, struct nr_config *cfg)
{
	return nt_opt_parse_config(&nr_tool, argc, argv, &parsed, sizeof(parsed), check_all, cfg);
}
