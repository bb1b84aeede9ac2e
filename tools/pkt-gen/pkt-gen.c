// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen: netmap's traffic generator, sink and latency tester
 * (tools.md sections 3 and 8).  This file holds the option table and its
 * checks, port opening, the worker loops (tx, rx, ping, pong, txseq,
 * rxseq), the main thread's reporting and the final summaries.  Frames are
 * built by pg_packet.c, latency statistics kept by pg_hist.c; parsing,
 * logging and the statistics printers come from tools/common.
 *
 * Threads: each worker owns its rings (one descriptor per ring with -p > 1,
 * 3.5) and its counter block; the main thread only reads counters, sleeps
 * on an absolute report schedule and decides when to stop.  Ports may be
 * served by the user runtime, so rings are only touched through nm_poll()
 * and nmport_txsync()/nmport_rxsync(), which make no system call there
 * unless somebody has to sleep.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include <libnetmap.h>

#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_parse.h"
#include "nt_stats.h"
#include "pg_hist.h"
#include "pg_packet.h"

#define TOOL			"pkt-gen"
#define PG_THREADS_MAX		NT_STATS_RINGS_MAX
#define PG_POLL_MS		100	/* longest sleep before looking at the stop flag */
#define PG_SPIN_NS		50000	/* rate pacing: spin below this, sleep above */
#define PG_PING_TIMEOUT_NS	NT_SEC(1)
#define PG_PING_WINDOW		65536	/* probes remembered for matching replies */
#define PG_FLUSH_GRACE_NS	NT_SEC(2)
#define PG_SIZE_SLOTS		128	/* hash slots of the per-size table */

/* ================================================================ options */

enum pg_func { F_TX, F_RX, F_PING, F_PONG, F_TXSEQ, F_RXSEQ };

static const char *const functions[] = { "tx", "rx", "ping", "pong", "txseq", "rxseq", NULL };
static const char *const vnet_words[] = { "0", "10", "12", NULL };
static const int vnet_values[] = { 0, 10, 12 };

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

static struct pg_cfg {
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
	uint64_t idle_ns;
	unsigned idle_given;
	struct nt_rate rate;
	unsigned rate_given;
	struct nt_opt_seen rate_seen;
	int dump;
	int vnet;
	unsigned vnet_given;
	struct nt_opt_seen vnet_seen;
	const char *pcap;
	unsigned pcap_given;
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
	const char *pcap_out;
	unsigned pcap_out_given;
	uint32_t snaplen;
} cfg;

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

#define PORT_EXPECT	"a port name such as vale0:a, netmap:eth0 or eth0"

static const struct nt_option pg_options[] = {
	{ 'i', "interface", NT_ARG_REQUIRED, NT_T_STRING, .flags = NT_OPT_REQUIRED, .max = 63,
	  NT_DEST(cfg.iface), .seen = &cfg.iface_seen, .noun = "port name", .arg_name = "port",
	  .expect = PORT_EXPECT, .help = "port to use (netmap: is prepended when needed)" },
	{ 'f', "function", NT_ARG_REQUIRED, NT_T_ENUM, .words = functions,
	  NT_DEST(cfg.function), .noun = "function", .arg_name = "func", .def = "rx",
	  .help = "what to do: tx, rx, ping, pong, txseq or rxseq" },
	{ 'n', "count", NT_ARG_REQUIRED, NT_T_COUNT, NT_DEST(cfg.count),
	  .given = &cfg.count_given, .noun = "count", .arg_name = "count", .def = "0",
	  .help = "packets (tx, rx), probes (ping) or replies (pong); 0 = no limit" },
	{ 'l', "size", NT_ARG_REQUIRED, NT_T_SIZES, .flags = NT_OPT_REPEATABLE,
	  .max_count = 2, .min = 16, .max = 65536, NT_DEST(cfg.sizes), .given = &cfg.nsizes,
	  .seen = cfg.size_seen, .noun = "packet size", .arg_name = "size", .def = "60",
	  .help = "frame size without CRC; twice: random range; A-B, S:W,... or imix" },
	{ 'b', "burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = 8192, NT_DEST(cfg.burst),
	  .noun = "burst", .arg_name = "burst", .def = "0",
	  .def_help = "512; 1 for ping and pong", .help = "most packets per ring per round" },
	{ '4', "ipv4", NT_ARG_NONE, NT_T_CONST, .value = 4, NT_DEST(cfg.af), .def = "on",
	  .help = "build IPv4 packets" },
	{ '6', "ipv6", NT_ARG_NONE, NT_T_CONST, .value = 6, NT_DEST(cfg.af),
	  .help = "build IPv6 packets" },
	{ 'd', "dst-ip", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(cfg.dst_ip),
	  .given = &cfg.dst_ip_given, .seen = &cfg.dst_ip_seen, .noun = "destination",
	  .arg_name = "endpoint", .def_help = "10.1.0.1:1234; -6: [fd00:0:0:1::1]:1234",
	  .expect = "an address with optional port, or a range",
	  .help = "destination address and UDP port, single or range" },
	{ 's', "src-ip", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(cfg.src_ip),
	  .given = &cfg.src_ip_given, .seen = &cfg.src_ip_seen, .noun = "source",
	  .arg_name = "endpoint", .def_help = "10.0.0.1:1234; -6: [fd00::1]:1234",
	  .expect = "an address with optional port, or a range",
	  .help = "source address and UDP port, single or range" },
	{ 'D', "dst-mac", NT_ARG_REQUIRED, NT_T_MAC, .flags = NT_PARSE_RANGE,
	  NT_DEST(cfg.dst_mac), .given = &cfg.dst_mac_given, .noun = "destination MAC",
	  .arg_name = "mac", .def = "ff:ff:ff:ff:ff:ff", .help = "destination MAC address" },
	{ 'S', "src-mac", NT_ARG_REQUIRED, NT_T_MAC, .flags = NT_PARSE_RANGE,
	  NT_DEST(cfg.src_mac), .given = &cfg.src_mac_given, .noun = "source MAC",
	  .arg_name = "mac", .def_help = "the interface's MAC, else 00:00:00:00:00:00",
	  .help = "source MAC address" },
	{ 'a', "affinity", NT_ARG_REQUIRED, NT_T_CPUS, NT_DEST(cfg.affinity),
	  .given = &cfg.affinity_given, .seen = &cfg.affinity_seen, .noun = "CPU",
	  .arg_name = "cpu", .help = "pin thread 0 to cpu and the next threads to the next CPUs "
	  "(or to a CPU list)" },
	{ 'c', "cpus", NT_ARG_REQUIRED, NT_T_UINT, .min = 0, .max = NT_CPU_MAX,
	  NT_DEST(cfg.cpus), .given = &cfg.cpus_given, .seen = &cfg.cpus_seen,
	  .noun = "CPU count", .arg_name = "cpus", .def_help = "the number of threads",
	  .help = "CPUs to spread the threads over; 0 = all" },
	{ 'p', "threads", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = PG_THREADS_MAX,
	  NT_DEST(cfg.threads), .seen = &cfg.threads_seen, .noun = "thread count",
	  .arg_name = "threads", .def = "1", .help = "worker threads, one ring each" },
	{ 'T', "report-interval", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_MS,
	  .flags = NT_PARSE_ZERO_OK, .min = NT_MSEC(10), .max = NT_SEC(3600),
	  NT_DEST(cfg.report_ns), .noun = "report interval", .arg_name = "ms", .def = "1000",
	  .help = "interval between rate lines; 0 = none" },
	{ 'w', "wait-link", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = 0,
	  .max = NT_SEC(3600), NT_DEST(cfg.wait_ns), .given = &cfg.wait_given,
	  .noun = "link wait", .arg_name = "secs",
	  .def_help = "2 for system interfaces, else 0", .help = "wait before moving traffic" },
	{ 'W', "exit-when-idle", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.idle_flag),
	  .help = "rx, rxseq: after the first packet, stop after 1 s without traffic" },
	{ 0, "idle", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = NT_MSEC(1),
	  .max = NT_SEC(3600), NT_DEST(cfg.idle_ns), .given = &cfg.idle_given,
	  .flags = NT_OPT_EXT, .noun = "idle time", .arg_name = "dur", .def = "1",
	  .help = "the -W idle timeout (implies -W)" },
	{ 'R', "rate", NT_ARG_REQUIRED, NT_T_RATE, .unit = NT_UNIT_PPS, NT_DEST(cfg.rate),
	  .given = &cfg.rate_given, .seen = &cfg.rate_seen, .noun = "rate", .arg_name = "rate",
	  .def = "0", .help = "transmit rate in pps (or with units: 2Mpps, 940Mbps); 0 = no limit" },
	{ 'X', "dump", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.dump),
	  .help = "hex-dump every packet on stdout" },
	{ 'H', "vnet-hdr", NT_ARG_REQUIRED, NT_T_ENUM, .words = vnet_words,
	  .values = vnet_values, NT_DEST(cfg.vnet), .given = &cfg.vnet_given,
	  .seen = &cfg.vnet_seen, .noun = "virtio-net header length", .arg_name = "len",
	  .def = "0", .help = "virtio-net header length: 0, 10 or 12" },
	{ 'P', "pcap-template", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(cfg.pcap),
	  .given = &cfg.pcap_given, .noun = "pcap file", .arg_name = "file",
	  .expect = "a pcap file", .help = "send the frames of a pcap file" },
	{ 'z', "random-src", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.random_src),
	  .help = "random source address and port" },
	{ 'Z', "random-dst", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.random_dst),
	  .help = "random destination address and port" },
	{ 'N', "no-normalize", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.no_normalize),
	  .help = "print rates as plain numbers" },
	{ 'F', "frags", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 63, NT_DEST(cfg.frags),
	  .seen = &cfg.frags_seen, .noun = "fragment count", .arg_name = "n", .def = "1",
	  .help = "slots per packet (NS_MOREFRAG)" },
	{ 'M', "frag-size", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65536,
	  NT_DEST(cfg.frag_size), .given = &cfg.frag_size_given, .seen = &cfg.frag_size_seen,
	  .noun = "fragment size", .arg_name = "bytes", .def_help = "the buffer size",
	  .help = "largest fragment" },
	{ 'I', "indirect", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.indirect),
	  .help = "send with NS_INDIRECT (VALE ports)" },
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, NT_DEST(cfg.verbose),
	  .help = "more diagnostics" },
	{ 'r', "rubbish", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.rubbish),
	  .help = "tx: send the buffers as they are, without writing packets" },
	{ 'A', "pps-stats", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.pps_stats),
	  .help = "add the mean and deviation of the rate to each periodic line" },
	{ 'B', "framing", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.framing),
	  .help = "count Ethernet framing and CRC (24 bytes per packet) in bit rates" },
	{ 'C', "port-config", NT_ARG_REQUIRED, NT_T_TUPLE, NT_DEST(cfg.conf),
	  .given = &cfg.conf_given, .noun = "port config", .arg_name = "spec",
	  .deprecated = "use the @conf: port option instead "
			"(for example vale0:a@conf:slots=512,rings=2)",
	  .help = "tx_slots[,rx_slots[,tx_rings[,rx_rings]]] for ports this open creates" },
	{ 'o', "options", NT_ARG_REQUIRED, NT_T_CALLBACK, .parse = parse_option_bits,
	  NT_DEST(cfg.options), .noun = "option", .arg_name = "bits", .def = "0",
	  .expect = "an integer made of the documented bits",
	  .help = "data-generation option bits (decimal or 0x hex)" },
	{ 'j', "json", NT_ARG_OPTIONAL, NT_T_STRING,
	  .flags = NT_OPT_OPTARG_LONG_ONLY | NT_OPT_EXT, NT_DEST(cfg.json_file),
	  .given = &cfg.json_given, .noun = "JSON file", .arg_name = "file",
	  .help = "JSON lines on stdout, or into a file with --json=FILE" },
	{ 0, "duration", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = NT_MSEC(1),
	  .max = NT_SEC(31536000), NT_DEST(cfg.duration_ns), .given = &cfg.duration_given,
	  .flags = NT_OPT_EXT, .noun = "duration", .arg_name = "dur",
	  .help = "stop after this time, as if interrupted" },
	{ 0, "per-ring", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.per_ring), .flags = NT_OPT_EXT,
	  .help = "per-ring counters in the periodic lines and after the summary" },
	{ 0, "sizes", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.sizes_flag), .flags = NT_OPT_EXT,
	  .help = "count packets per frame size" },
	{ 0, "histogram", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.histogram), .flags = NT_OPT_EXT,
	  .help = "print the latency histogram after the summary" },
	{ 0, "timestamp", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.timestamp), .flags = NT_OPT_EXT,
	  .help = "tx: write a sequence number and send time into each packet" },
	{ 0, "latency", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.latency), .flags = NT_OPT_EXT,
	  .help = "rx: one-way latency of packets sent with --timestamp" },
	{ 0, "busy-wait", NT_ARG_NONE, NT_T_FLAG, NT_DEST(cfg.busy), .flags = NT_OPT_EXT,
	  .help = "spin on the sync calls instead of sleeping (as pkt-gen-b)" },
	{ 0, "max-burst", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 8192,
	  NT_DEST(cfg.max_burst), .given = &cfg.max_burst_given, .flags = NT_OPT_EXT,
	  .noun = "burst cap", .arg_name = "n", .help = "-R: most packets sent at once" },
	{ 0, "flows", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65536, NT_DEST(cfg.flows),
	  .given = &cfg.flows_given, .seen = &cfg.flows_seen, .flags = NT_OPT_EXT,
	  .noun = "flow count", .arg_name = "n",
	  .help = "tx: n source ports from the -s port (n distinct flows)" },
	{ 0, "pcap-out", NT_ARG_REQUIRED, NT_T_STRING, NT_DEST(cfg.pcap_out),
	  .given = &cfg.pcap_out_given, .flags = NT_OPT_EXT, .noun = "pcap file",
	  .arg_name = "file", .expect = "a file name",
	  .help = "rx, rxseq, pong: write received packets to a pcap file" },
	{ 0, "snaplen", NT_ARG_REQUIRED, NT_T_UINT, .min = 1, .max = 65535,
	  NT_DEST(cfg.snaplen), .flags = NT_OPT_EXT, .noun = "snap length",
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

/* ================================================================ run state */

/* What a TX slot's buffer is known to hold (tx fast path, 3.3). */
struct pg_tag {
	uint32_t buf_idx;
	uint32_t key;		/* PG_KEY(size, fragment), 0 = unknown */
};

#define PG_KEY(size, frag)	(0x80000000u | (uint32_t)(size) << 7 | (uint32_t)(frag))

/* One ring served by a worker. */
struct pg_ring {
	struct netmap_ring *ring;
	struct nmport_d *port;
	unsigned id;			/* index in its direction, host rings included */
	struct pg_tag *tags;		/* tx only */

	/* rx: a packet whose slots are not all seen yet */
	uint32_t chain_bytes, chain_frags;
	uint8_t chain_head[PG_HDR_MAX];	/* first bytes of the packet */
	uint32_t chain_head_len;

	/* rxseq and --latency: per-ring sequence check */
	int seq_started;
	uint32_t seq_expect;
	uint32_t seq_frags;
};

/* Packets per frame size (mixes, --sizes). */
struct pg_size_count {
	uint32_t size;		/* 0: free hash slot */
	uint64_t pkts, bytes;
};

struct pg_thread {
	struct nt_counters ctr;		/* first: its own cache lines */
	unsigned idx;
	pthread_t tid;
	int started;
	int cpu;			/* -1: not pinned */
	struct nmport_d **ports;	/* descriptors owned by this thread */
	unsigned nports;
	struct pg_ring *tx, *rx;
	unsigned ntx, nrx;
	uint64_t limit;			/* share of -n; 0 = none */
	uint64_t start_ns, end_ns;	/* see 3.7 "Elapsed time" */
	uint64_t first_ns, last_ns;	/* receivers: first and last arrival */
	uint64_t wire_bytes;		/* -B: frame bytes as on the wire */
	uint64_t sent, received;	/* ping: probes, replies; pong: in, out */
	uint64_t units;			/* -R in bits: bits scheduled so far */

	/* generation */
	struct pg_flow flow;
	uint64_t rng;
	int64_t credit[NT_SIZES_MAX];
	uint32_t seq;
	int have_next;			/* a size was drawn but not yet sent */
	uint32_t next_size;
	unsigned next_idx;
	uint8_t (*hdr_cache)[PG_HDR_MAX];	/* per -l entry, when nothing varies */
	unsigned *hdr_len;

	/* per-size counts */
	struct pg_size_count size_tab[PG_SIZE_SLOTS];
	unsigned nsizes;
	uint64_t other_pkts, other_bytes;

	/* latency: interval stats read by the main thread, histogram at the end */
	pthread_mutex_t lat_lock;
	struct pg_lat_interval lat_iv;
	struct pg_hist *hist;

	/* sequence checks */
	uint64_t gaps, out_of_order, frag_mismatch;
	uint64_t last_gap_log_ns, last_ooo_log_ns;

	int failed;
	char errmsg[256];
	atomic_int done;
};

enum pg_end { END_NONE, END_COUNT, END_SIGNAL, END_IDLE, END_DURATION, END_ERROR };
static const char *const end_names[] = { "none", "count", "signal", "idle", "duration", "error" };

static struct pg_run {
	enum pg_func fn;
	int sender;			/* tx, txseq */
	char port_name[NETMAP_REQ_IFNAMSIZ + 16];
	const char *backend, *kind;
	int is_nic;
	struct nmport_d *main_port;
	unsigned ndir_rings;		/* rings in the direction used */
	uint32_t buf_size, num_slots;

	struct pg_endpoints ep;
	unsigned off;			/* payload offset */
	unsigned probe_len;		/* 0, PG_SEQ_LEN (txseq) or PG_PROBE_LEN */
	int dynamic;			/* headers built per packet */
	int always_copy;		/* -o 4 / -o 8 */
	int rubbish, access, dump;
	struct nt_size_spec sizes;	/* what -l asked for, normalised */
	uint32_t range_lo, range_hi;	/* NT_SIZE_RANGE, inclusive */
	uint32_t min_size, max_size;
	uint64_t weight_total;
	uint32_t frags, max_frag;
	uint32_t burst;
	uint32_t rate_cap;		/* -R: most packets per batch */
	double rate;			/* per thread, in rate_unit per second */
	int rate_bps;
	double ns_per_unit;		/* per thread */
	int count_sizes;		/* keep per-size counts */
	int track_latency;
	int busy;
	uint64_t idle_ns;

	unsigned nthreads;
	struct pg_thread *th;
	unsigned ncpus_effective;

	atomic_int stop;
	atomic_int signalled;
	atomic_uint_fast64_t rx_remaining;	/* receivers with -n: packets not yet claimed */
	atomic_uint_fast64_t rx_done;		/* receivers: packets counted against -n */
	int wake_fd[2];			/* self-pipe: signals and finished workers */
	_Atomic uint64_t stop_ns;	/* when the stop was requested */

	FILE *json;			/* NULL without -j */
	struct nt_periodic periodic;
} run;

static const char *func_name(enum pg_func f)
{
	return functions[f];
}

static int is_receiver(enum pg_func f)
{
	return f == F_RX || f == F_RXSEQ;
}

/* ================================================================ signals */

static void wake_main(void)
{
	char c = 1;
	ssize_t r = write(run.wake_fd[1], &c, 1);

	(void)r;	/* a full pipe already holds a wake-up */
}

static void on_signal(int sig)
{
	int saved = errno;

	if (atomic_exchange(&run.signalled, 1)) {
		/* second signal while stopping: die at once (1.9) */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	atomic_store(&run.stop, 1);
	wake_main();
	errno = saved;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static inline int stopping(void)
{
	return atomic_load_explicit(&run.stop, memory_order_relaxed);
}

/* ================================================================ helpers */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NT_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_until_ns(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / NT_NSEC_PER_SEC),
		.tv_nsec = (long)(deadline % NT_NSEC_PER_SEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	       !stopping())
		;
}

static void thread_fail(struct pg_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void thread_fail(struct pg_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->errmsg, sizeof(t->errmsg), fmt, ap);
	va_end(ap);
	t->failed = 1;
}

/* -X: one slot as in 3.7. */
static void dump_slot(unsigned ring, unsigned cur, const struct netmap_slot *slot,
		      const uint8_t *buf)
{
	FILE *f = nt_out();
	char line[128];
	unsigned off, j, len = slot->len;

	flockfile(f);
	fprintf(f, "ring %u cur %u [buf %u flags 0x%04x len %u]\n", ring, cur, slot->buf_idx,
		slot->flags, len);
	for (off = 0; off < len; off += 16) {
		unsigned n = len - off < 16 ? len - off : 16;
		int w = snprintf(line, sizeof(line), "%5u: ", off);

		for (j = 0; j < 16; j++)
			w += j < n ? snprintf(line + w, sizeof(line) - (size_t)w, "%02x ",
					      buf[off + j]) :
				     snprintf(line + w, sizeof(line) - (size_t)w, "   ");
		for (j = 0; j < n; j++) {
			uint8_t c = buf[off + j];

			line[w++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[w++] = '\n';
		fwrite(line, 1, (size_t)w, f);
	}
	funlockfile(f);
}

/* Count a packet of `len` bytes in the per-size table. */
static void size_count(struct pg_thread *t, uint32_t len)
{
	unsigned h = (len * 2654435761u) % PG_SIZE_SLOTS, i;

	for (i = 0; i < PG_SIZE_SLOTS; i++, h = (h + 1) % PG_SIZE_SLOTS) {
		struct pg_size_count *s = &t->size_tab[h];

		if (s->size == len) {
			s->pkts++;
			s->bytes += len;
			return;
		}
		if (s->size == 0) {
			if (t->nsizes == NT_SIZES_MAX)
				break;
			t->nsizes++;
			s->size = len;
			s->pkts = 1;
			s->bytes = len;
			return;
		}
	}
	t->other_pkts++;
	t->other_bytes += len;
}

/* ================================================================ transmit */

enum { RATE_NONE, RATE_PACKETS, RATE_BITS };
static int rate_mode;
static struct pg_split *split_cache;	/* per -l entry (FIXED, MIX) */

/* The next frame size: fixed, uniform in a range, or the smooth mix of 8.4. */
static uint32_t pick_size(struct pg_thread *t, unsigned *idx)
{
	unsigned i, best = 0;

	switch (run.sizes.kind) {
	case NT_SIZE_RANGE:
		*idx = 0;
		return run.range_lo + (uint32_t)(pg_rand(&t->rng) %
						 (run.range_hi - run.range_lo + 1));
	case NT_SIZE_MIX:
		for (i = 0; i < run.sizes.count; i++) {
			t->credit[i] += run.sizes.entry[i].weight;
			if (t->credit[i] > t->credit[best])
				best = i;
		}
		t->credit[best] -= (int64_t)run.weight_total;
		*idx = best;
		return run.sizes.entry[best].size;
	default:
		*idx = 0;
		return run.sizes.entry[0].size;
	}
}

static const struct pg_split *size_split(uint32_t size, unsigned idx, struct pg_split *tmp)
{
	if (run.sizes.kind != NT_SIZE_RANGE)
		return &split_cache[idx];
	pg_split_frame(size, run.frags, run.max_frag, tmp);
	return tmp;
}

/* Bytes [0, len) of a frame into the slots holding it. */
static void write_frags(uint8_t **bufs, const struct pg_split *sp, const uint8_t *src,
			unsigned len)
{
	unsigned off = 0;

	while (off < len) {
		unsigned i = off / sp->frag_len, start, end, n;

		if (i >= sp->nfrags)
			i = sp->nfrags - 1;
		start = i * sp->frag_len;
		end = start + (i == sp->nfrags - 1 ? sp->last_len : sp->frag_len);
		n = (end < len ? end : len) - off;
		memcpy(bufs[i] + (off - start), src + off, n);
		off += n;
	}
}

/* The probe of the next packet: txseq's sequence number, or seq + send time. */
static unsigned next_probe(struct pg_thread *t, uint8_t *probe, uint64_t now_real)
{
	uint32_t seq = t->seq++;

	if (run.probe_len == PG_SEQ_LEN) {
		probe[0] = (uint8_t)(seq >> 24);
		probe[1] = (uint8_t)(seq >> 16);
		probe[2] = (uint8_t)(seq >> 8);
		probe[3] = (uint8_t)seq;
	} else {
		pg_probe_write(probe, seq, now_real / NT_NSEC_PER_SEC,
			       (uint32_t)(now_real % NT_NSEC_PER_SEC));
	}
	return run.probe_len;
}

/* Advance the addresses after a packet was built from them. */
static inline void next_flow(struct pg_thread *t)
{
	if (run.ep.random[PG_SRC] || run.ep.random[PG_DST])
		pg_flow_random(&run.ep, &t->flow, &t->rng);
	pg_flow_next(&run.ep, &t->flow);
}

/*
 * Place up to `want` packets on a TX ring, from head, without syncing.
 * A slot's buffer is rewritten only when it does not already hold the
 * frame (its tag says which size and fragment it holds); headers are
 * rewritten per packet only when something in them changes.
 */
static unsigned tx_fill(struct pg_thread *t, struct pg_ring *r, unsigned want, uint64_t now,
			uint64_t now_real, uint64_t *bytes_out)
{
	struct netmap_ring *ring = r->ring;
	struct netmap_slot *slots = ring->slot;
	struct pg_tag *tags = r->tags;
	uint32_t cur = ring->head, space = nm_ring_space(ring), n = 0, lim = ring->num_slots;
	uint64_t bytes = 0;

	if (!run.dynamic && run.sizes.kind == NT_SIZE_FIXED && split_cache[0].nfrags == 1 &&
	    !run.dump && !run.rubbish && !run.always_copy && !run.count_sizes) {
		/* the common case: one fixed frame, one slot each */
		uint32_t size = run.sizes.entry[0].size, key = PG_KEY(size, 0);

		if (want > space)
			want = space;
		for (n = 0; n < want; n++) {
			struct netmap_slot *slot = &slots[cur];

			if (__builtin_expect(tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx, 0)) {
				pg_frame_bytes((uint8_t *)NETMAP_BUF_OFFSET(ring, slot),
					       t->hdr_cache[0], run.ep.af, size, 0, size);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)size;
			slot->flags = 0;
			if (++cur == lim)
				cur = 0;
		}
		bytes = (uint64_t)n * size;
		if (cfg.framing)
			t->wire_bytes += n * nt_wire_bytes(size);
		goto out;
	}

	while (n < want) {
		struct pg_split tmp;
		const struct pg_split *sp;
		uint8_t *bufs[NETMAP_MAX_FRAGS], hdr[PG_HDR_MAX], probe[PG_PROBE_LEN];
		const uint8_t *h;
		uint32_t size, i, first = cur;
		unsigned idx, hl = 0;

		if (!t->have_next) {
			t->next_size = pick_size(t, &t->next_idx);
			t->have_next = 1;
		}
		size = t->next_size;
		idx = t->next_idx;
		sp = size_split(size, idx, &tmp);
		if (sp->nfrags > space)
			break;
		if (rate_mode == RATE_BITS &&
		    t->start_ns + (uint64_t)((double)t->units * run.ns_per_unit) > now)
			break;
		t->have_next = 0;

		if (run.dynamic && !run.rubbish) {
			hl = pg_build_header(hdr, &run.ep, &t->flow, size, probe,
					     run.probe_len ? next_probe(t, probe, now_real) : 0);
			next_flow(t);
			h = hdr;
		} else {
			h = t->hdr_cache[idx];
		}
		for (i = 0; i < sp->nfrags; i++) {
			struct netmap_slot *slot = &slots[cur];
			uint32_t len = i == sp->nfrags - 1 ? sp->last_len : sp->frag_len;
			uint32_t key = PG_KEY(size, i);

			bufs[i] = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			if (!run.rubbish && (run.always_copy || tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx)) {
				pg_frame_bytes(bufs[i], h, run.ep.af, size, i * sp->frag_len, len);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)len;
			slot->flags = i == sp->nfrags - 1 ? 0 : NS_MOREFRAG;
			if (++cur == lim)
				cur = 0;
		}
		if (hl)
			write_frags(bufs, sp, hdr, hl);
		if (run.dump)
			for (i = 0; i < sp->nfrags; i++, first = first + 1 == lim ? 0 : first + 1)
				dump_slot(r->id, first, &slots[first], bufs[i]);
		space -= sp->nfrags;
		n++;
		bytes += size;
		if (rate_mode == RATE_BITS)
			t->units += 8 * (cfg.framing ? nt_wire_bytes(size) : size);
		if (cfg.framing)
			t->wire_bytes += nt_wire_bytes(size);
		if (run.count_sizes)
			size_count(t, size);
	}
out:
	ring->head = ring->cur = cur;
	*bytes_out = bytes;
	return n;
}

static int sync_tx_ports(struct pg_thread *t)
{
	unsigned i;
	int err;

	for (i = 0; i < t->nports; i++) {
		err = nmport_txsync(t->ports[i]);
		if (err) {
			thread_fail(t, "txsync on %s failed: %s", run.port_name, strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Sleep until some port can take more, a timeout, or a stop. */
static int wait_ports(struct pg_thread *t, short events, int timeout_ms)
{
	struct pollfd pfd[PG_THREADS_MAX * 4];
	unsigned i;

	for (i = 0; i < t->nports; i++) {
		pfd[i].fd = t->ports[i]->fd;
		pfd[i].events = events;
		pfd[i].revents = 0;
	}
	if (nm_poll(pfd, t->nports, timeout_ms) < 0 && errno != EINTR) {
		thread_fail(t, "poll on %s failed: %s", run.port_name, strerror(errno));
		return -1;
	}
	for (i = 0; i < t->nports; i++)
		if (pfd[i].revents & (POLLERR | POLLNVAL)) {
			thread_fail(t, "poll on %s failed: the port reported an error",
				    run.port_name);
			return -1;
		}
	return 0;
}

/* Ask to be woken when TX completions free more slots. */
static void arm_tx_rings(struct pg_thread *t)
{
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		t->tx[i].ring->cur = t->tx[i].ring->tail;
}

static int tx_pending(struct pg_thread *t)
{
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		if (nm_tx_pending(t->tx[i].ring))
			return 1;
	return 0;
}

/*
 * Wait until every submitted slot has completed (3.3).  Pipes complete
 * only when the peer reads, so after a stop request the wait is bounded.
 */
static void tx_flush(struct pg_thread *t, uint64_t bound_ns)
{
	uint64_t start = nt_now_ns();

	for (;;) {
		uint64_t now;

		if (sync_tx_ports(t) || !tx_pending(t))
			return;
		now = nt_now_ns();
		if (bound_ns && now - start > bound_ns)
			return;
		if (stopping()) {
			uint64_t from = atomic_load(&run.stop_ns);

			if (from < start)
				from = start;
			if (now > from && now - from > PG_FLUSH_GRACE_NS)
				return;
		}
		if (run.busy)
			continue;
		arm_tx_rings(t);
		if (wait_ports(t, POLLOUT, 10))
			return;
	}
}

static void *tx_thread(void *arg)
{
	struct pg_thread *t = arg;
	uint64_t sent = 0;

	t->start_ns = nt_now_ns();
	while (!stopping() && !t->failed) {
		uint64_t now = 0, now_real = 0, allow = UINT64_MAX, placed = 0;
		unsigned i;

		if (t->limit && sent >= t->limit)
			break;
		if (rate_mode != RATE_NONE) {
			uint64_t due;

			now = nt_now_ns();
			if (rate_mode == RATE_PACKETS) {
				uint64_t k = (uint64_t)((double)(now - t->start_ns) /
							run.ns_per_unit) + 1;

				allow = k > sent ? k - sent : 0;
				due = t->start_ns + (uint64_t)((double)sent * run.ns_per_unit);
			} else {
				due = t->start_ns + (uint64_t)((double)t->units * run.ns_per_unit);
				allow = due <= now ? UINT64_MAX : 0;
			}
			if (!allow) {
				/* sleep when the next packet is far, spin when it is near */
				if (!run.busy && due - now > PG_SPIN_NS) {
					uint64_t wake = due - PG_SPIN_NS / 2;

					if (wake - now > NT_MSEC(PG_POLL_MS))
						wake = now + NT_MSEC(PG_POLL_MS);
					sleep_until_ns(wake);
				}
				continue;
			}
			if (allow > run.rate_cap)
				allow = run.rate_cap;
		}
		if (run.probe_len)
			now_real = realtime_ns();
		for (i = 0; i < t->ntx; i++) {
			struct pg_ring *r = &t->tx[i];
			uint64_t want = run.burst, bytes;
			unsigned space = nm_ring_space(r->ring), n;

			if (t->limit && want > t->limit - sent)
				want = t->limit - sent;
			if (want > allow - placed)
				want = allow - placed;
			if (!want)
				break;
			n = tx_fill(t, r, (unsigned)want, now, now_real, &bytes);
			if (!n)
				continue;
			placed += n;
			sent += n;
			nt_counters_note_space(&t->ctr, space);
			nt_counters_add(&t->ctr, n, bytes, 1);
			nt_counters_add_ring(&t->ctr, r->id, n, bytes);
		}
		if (sync_tx_ports(t))
			break;
		if (!placed) {
			/* with -R in bits, the schedule rather than the ring may be the limit */
			if (rate_mode == RATE_BITS &&
			    t->start_ns + (uint64_t)((double)t->units * run.ns_per_unit) >
			    nt_now_ns())
				continue;
			if (run.busy)
				continue;
			arm_tx_rings(t);
			if (wait_ports(t, POLLOUT, PG_POLL_MS))
				break;
		}
	}
	tx_flush(t, 0);
	t->end_ns = nt_now_ns();
	return NULL;
}
