/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt-gen's command line (tools.md 3.2 and 8): the option table and every
 * check that needs no opened port.  pg_parse_args() is all of it, so the
 * unit tests (test/unit/test_pktgen_opts.c) drive exactly what pkt-gen
 * runs; checks against the opened port (ring counts, buffer size, MTU)
 * stay in pkt-gen.c.
 *
 * Private to pkt-gen and its tests.
 */
#ifndef PG_OPTIONS_H
#define PG_OPTIONS_H

#include <stdint.h>

#include "nt_opt.h"
#include "nt_parse.h"
#include "nt_stats.h"
#include "pg_packet.h"

#define PG_THREADS_MAX		NT_STATS_RINGS_MAX	/* -p */

enum pg_func { F_TX, F_RX, F_PING, F_PONG, F_TXSEQ, F_RXSEQ };

/* -o bits (3.2) */
#define OPT_PREFETCH	0x0001
#define OPT_ACCESS	0x0002
#define OPT_COPY	0x0004
#define OPT_MEMCPY	0x0008
#define OPT_TS		0x0010
#define OPT_INDIRECT	0x0020
#define OPT_DUMP	0x0040
#define OPT_RUBBISH	0x0100
#define OPT_RANDOM_SRC	0x0200
#define OPT_RANDOM_DST	0x0400
#define OPT_PPS_STATS	0x0800
#define OPT_CHECKSUM	0x1000
#define OPT_ALL		0x1f7fu

/* Default of --snaplen, and the largest record libpcap reads back. */
#define PG_SNAPLEN_DEFAULT	65535
#define PG_SNAPLEN_MAX		262144

/* pg_parse_args() result: --help or --version was printed, exit 0. */
#define PG_ARGS_DONE		NT_OPT_EXIT_OK

struct pg_config {
	/* ---- as given on the command line (the option table's destinations) */
	const char *iface;
	struct nt_opt_seen iface_seen;
	int function;
	uint64_t count;
	unsigned count_given;
	struct nt_size_spec sizes[2];
	unsigned nsizes;
	struct nt_opt_seen size_seen[2];
	uint32_t burst;
	int af;
	const char *dst_ip, *src_ip;
	unsigned dst_ip_given, src_ip_given;
	struct nt_opt_seen dst_ip_seen, src_ip_seen;
	struct nt_mac_range dst_mac, src_mac;
	unsigned src_mac_given, dst_mac_given;
	struct nt_cpu_list affinity;
	unsigned affinity_given;
	struct nt_opt_seen affinity_seen;
	uint32_t cpus;
	unsigned cpus_given;
	struct nt_opt_seen cpus_seen;
	uint32_t threads;
	struct nt_opt_seen threads_seen;
	uint64_t report_ns;
	uint64_t wait_ns;
	unsigned wait_given;
	int idle_flag;
	uint64_t idle_ns;		/* after parsing: the -W timeout in force, 0 = none */
	unsigned idle_given;
	struct nt_rate rate;
	unsigned rate_given;
	struct nt_opt_seen rate_seen;
	int dump;
	int vnet;
	unsigned vnet_given;
	struct nt_opt_seen vnet_seen;
	const char *pcap;		/* -P; after parsing NULL unless tx uses it */
	unsigned pcap_given;
	struct nt_opt_seen pcap_seen;
	int random_src, random_dst;
	int no_normalize;
	uint32_t frags;
	struct nt_opt_seen frags_seen;
	uint32_t frag_size;
	unsigned frag_size_given;
	struct nt_opt_seen frag_size_seen;
	int indirect;
	int verbose;
	int rubbish;
	int pps_stats;
	int framing;
	struct nt_tuple conf;
	unsigned conf_given;
	unsigned options;
	const char *json_file;
	unsigned json_given;
	uint64_t duration_ns;
	unsigned duration_given;
	int per_ring;
	int sizes_flag;
	int histogram;
	int timestamp;
	int latency;
	int busy;
	uint32_t max_burst;
	unsigned max_burst_given;
	uint32_t flows;
	unsigned flows_given;
	struct nt_opt_seen flows_seen;
	const char *pcap_out;		/* --pcap-out; NULL when not given */
	unsigned pcap_out_given;
	struct nt_opt_seen pcap_out_seen;
	uint32_t snaplen;
	unsigned snaplen_given;
	struct nt_opt_seen snaplen_seen;

	/* ---- derived by pg_parse_args() */
	enum pg_func fn;
	int sender;			/* tx, txseq */
	int access;			/* -o 2 */
	int always_copy;		/* -o 4 / -o 8 */
	struct nt_size_spec frame_sizes;	/* what -l asked for, normalised */
	uint32_t range_lo, range_hi;	/* NT_SIZE_RANGE, inclusive */
	char size_text[64];		/* -l for JSON: a number or the text typed */
	struct pg_endpoints ep;		/* -s, -d, -S, -D, -z, -Z, --flows */
};

/*
 * Parse argv into *cfg and check everything that needs no port (tools.md
 * 1.3: nothing is opened here).  argv[0]'s base name pkt-gen-b turns on
 * busy waiting.  Returns 0 to go on, PG_ARGS_DONE after printing --help or
 * --version on nt_out(), 2 after printing one usage error line on
 * nt_errout(), or 1 if the option table itself is broken.  Warnings
 * (ignored options) go to nt_errout() and do not change the result.
 * Not reentrant: one parse at a time.
 */
int pg_parse_args(int argc, char **argv, struct pg_config *cfg);

/* "tx", "rx", ... */
const char *pg_func_name(enum pg_func f);

static inline int pg_is_receiver(enum pg_func f)
{
	return f == F_RX || f == F_RXSEQ;
}

/* The option table, for the man page synopsis check of the unit tests. */
const struct nt_tool *pg_tool_table(void);

#endif /* PG_OPTIONS_H */
