/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmreplay's command line (tools.md 6.2, 8.3, 8.8): the option table, the
 * bandwidth, delay and loss models, and every check that needs neither the
 * port nor the files.  nr_parse_args() is all of it, so the unit tests
 * (test/unit/test_nmreplay_opts.c) drive exactly what nmreplay runs.
 * Private to nmreplay and its tests.
 */
#ifndef NR_OPTIONS_H
#define NR_OPTIONS_H

#include <stdint.h>

#include "nt_opt.h"
#include "nt_parse.h"
#include "nr_sched.h"

/* nr_parse_args() result: --help or --version was printed, exit 0. */
#define NR_ARGS_DONE		NT_OPT_EXIT_OK

#define NR_FILES_MAX		64	/* -f given at most this many times */
#define NR_BATCH_DEFAULT	128
#define NR_BATCH_MAX		8192

/* The models' keywords, in the order of their definition tables. */
enum nr_bw_kind { NR_BW_CONSTANT, NR_BW_ETHER, NR_BW_REAL };
enum nr_delay_kind { NR_DELAY_KW_CONSTANT, NR_DELAY_KW_UNIFORM, NR_DELAY_KW_EXP };
enum nr_loss_kind { NR_LOSS_KW_PLR, NR_LOSS_KW_BER };

/* -C: 1, 2 or 4 CPUs. */
struct nr_cpus {
	unsigned count;
	unsigned cpu[4];
};

struct nr_config {
	/* ---- the table's destinations */
	const char *files[NR_FILES_MAX];
	unsigned nfiles;
	struct nt_opt_seen file_seen[NR_FILES_MAX];
	const char *iface;
	struct nt_opt_seen iface_seen;
	struct nt_model bandwidth, delay, loss;
	unsigned bandwidth_given, delay_given, loss_given;
	struct nt_opt_seen bandwidth_seen, delay_seen, loss_seen;
	uint32_t batch;
	uint64_t wait_ns;
	unsigned wait_given;
	struct nr_cpus cpus;
	unsigned cpus_given;
	struct nt_opt_seen cpus_seen;
	int verbose;
	uint64_t loops;			/* -n: 0 = until stopped */
	unsigned loops_given;
	struct nt_rate pps;
	unsigned pps_given;
	struct nt_opt_seen pps_seen;
	int topspeed;
	double multiplier;
	unsigned multiplier_given;
	uint64_t loop_gap_ns;
	unsigned loop_gap_given;
	int allow_truncated;
	uint64_t seed;
	unsigned seed_given;
	uint64_t report_ns;
	const char *json_file;
	unsigned json_given;
	uint64_t duration_ns;
	unsigned duration_given;

	/* ---- derived by nr_parse_args() */
	struct nr_sched_cfg sched;	/* pacing, delay, loss, loop gap, seed */
	int tx_cpu, loader_cpu;		/* -1: not pinned */
};

/*
 * Parse argv into *cfg and derive the schedule's configuration (nothing
 * is opened or read).  Returns 0 to go on, NR_ARGS_DONE after --help or
 * --version on nt_out(), 2 after one usage error line on nt_errout(), or
 * 1 if the option table is broken.  Not reentrant.
 */
int nr_parse_args(int argc, char **argv, struct nr_config *cfg);

/* The option table, for the man page synopsis check of the unit tests. */
const struct nt_tool *nr_tool_table(void);

#endif /* NR_OPTIONS_H */
