/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The state of one pkt-gen run, shared by its parts: pkt-gen.c (main,
 * opening and checks, threads), pg_tx.c (transmit), pg_rx.c (receive),
 * pg_latency.c (ping and pong) and pg_report.c (periodic lines, start-up
 * block, summaries, JSON).
 *
 * Threads: each worker owns its rings (one descriptor per ring with
 * -p > 1, tools.md 3.5) and its counter block; the main thread only reads
 * counters, sleeps on an absolute report schedule and decides when to
 * stop.  Ports may be served by the user runtime, so rings are only
 * touched through nm_poll() and nmport_txsync()/nmport_rxsync(), which
 * make no system call there unless somebody has to sleep.
 *
 * Private to pkt-gen.
 */
#ifndef PG_RUN_H
#define PG_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <libnetmap.h>

#include "nt_pace.h"
#include "nt_pcap.h"
#include "nt_port.h"
#include "nt_run.h"
#include "nt_stats.h"
#include "pg_hist.h"
#include "pg_options.h"
#include "pg_packet.h"

#define TOOL			"pkt-gen"
#define PG_PING_TIMEOUT_NS	NT_SEC(1)
#define PG_PING_WINDOW		65536	/* probes remembered for matching replies */
#define PG_SIZE_SLOTS		128	/* hash slots of the per-size table */

extern struct pg_config cfg;

/* What a TX slot's buffer is known to hold (tx fast path, 3.3). */
struct pg_tag {
	uint32_t buf_idx;
	uint32_t key;		/* PG_KEY(size, fragment) or PG_TPL_KEY(), 0 = unknown */
};

#define PG_KEY(size, frag)	(0x80000000u | (uint32_t)(size) << 7 | (uint32_t)(frag))
/* -P: fragment of template record; records from PG_TPL_KEYS on are always copied */
#define PG_TPL_KEYS		(1u << 24)
#define PG_TPL_KEY(rec, frag)	(0x40000000u | (uint32_t)(rec) << 6 | (uint32_t)(frag))
/* -H: a slot holding the zeroed virtio-net header in front of a packet */
#define PG_VNET_KEY		0x20000000u

/* One ring served by a worker. */
struct pg_ring {
	struct netmap_ring *ring;
	struct nmport_d *port;
	unsigned id;			/* index in its direction, host rings included */
	struct pg_tag *tags;		/* tx only */
	struct nt_tx_taken taken;	/* tx: what the port took, counted after each sync */
	struct nt_tx_sum unsent;	/* tx: left on the ring at the end, never taken */
	uint32_t tail_seen;		/* tx: the tail before a sync that may wait */

	/* rx: a packet whose slots are not all seen yet */
	uint32_t chain_bytes, chain_frags;
	uint32_t vnet_left;		/* -H: header bytes still to skip */
	uint8_t chain_head[PG_HDR_MAX];	/* first bytes of the packet */
	uint32_t chain_head_len;

	/* rxseq and --latency: per-ring sequence check */
	int seq_started;
	uint32_t seq_expect;
	uint32_t seq_frags;

	/* --pcap-out: the first snaplen bytes of a packet spanning several slots */
	uint8_t *pcap_buf;
	uint32_t pcap_len;
};

/* Packets per frame size (mixes, --sizes). */
struct pg_size_count {
	uint32_t size;		/* 0: free hash slot */
	uint64_t pkts, bytes;
};

struct pg_thread {
	struct nt_worker *w;		/* in run.workers */
	struct nt_counters *ctr;	/* in run.ctrs, written by this thread only */
	unsigned idx;
	struct nmport_d **ports;	/* descriptors owned by this thread */
	unsigned nports;
	struct pg_ring *tx, *rx;
	unsigned ntx, nrx;
	uint64_t limit;			/* share of -n; 0 = none */
	uint64_t start_ns, end_ns;	/* see 3.7 "Elapsed time" */
	uint64_t first_ns, last_ns;	/* receivers: first and last arrival */
	atomic_int reading;		/* receivers: inside a non-empty round */
	uint64_t wire_bytes;		/* -B: frame bytes as on the wire */
	uint64_t sent, received;	/* ping: probes, replies; pong: in, out */
	uint64_t units;			/* -R in bits: bits scheduled so far */
	struct nt_pace pace;		/* -R: this thread's schedule */

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
	uint32_t tpl_next;		/* -P: the next record to send */

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
};

enum pg_rate { RATE_NONE, RATE_PACKETS, RATE_BITS };

struct pg_run {
	struct nt_port port;		/* the port as given (-i) */
	unsigned ndir_rings;		/* rings in the direction used */
	unsigned dir_first;		/* index of the first of them */
	uint32_t buf_size, num_slots;

	unsigned off;			/* payload offset */
	unsigned probe_len;		/* 0, PG_SEQ_LEN (txseq) or PG_PROBE_LEN */
	int dynamic;			/* headers built per packet */
	uint64_t weight_total;
	uint32_t frags, max_frag;
	uint32_t vnet;			/* -H: virtio-net header length in effect */
	uint32_t burst;
	enum pg_rate rate_mode;
	uint32_t rate_cap;		/* -R: most packets per batch */
	double rate_per_thread;		/* -R: packets or bits per second per thread */
	double avg_bits;		/* -R in bits: mean bits per packet */
	int count_sizes;		/* keep per-size counts */
	int track_latency;
	struct pg_split *split_cache;	/* per -l entry (FIXED, MIX) */
	struct nt_trace tpl;		/* -P: the file's frames (tpl.count 0 without -P) */
	struct pg_split *tpl_split;	/* per record */
	struct nt_pcap_out *pcap_out;	/* --pcap-out, NULL without */

	unsigned nthreads;
	struct pg_thread *th;
	struct nt_worker *workers;	/* one per thread */
	struct nt_counters *ctrs;	/* one block per thread, contiguous for snapshots */
	unsigned ncpus_effective;

	atomic_uint_fast64_t rx_remaining;	/* receivers with -n: packets not yet claimed */
	atomic_uint_fast64_t rx_done;		/* receivers: packets counted against -n */

	FILE *json;			/* NULL without -j */
	struct nt_periodic periodic;
};

extern struct pg_run run;

static inline int pg_failed(const struct pg_thread *t)
{
	return atomic_load_explicit(&t->w->failed, memory_order_relaxed);
}

/* ---------------------------------------------------------------- pkt-gen.c */

/* Sync one direction of every port of the thread; -1 after a failure. */
int pg_sync_tx(struct pg_thread *t);
int pg_sync_rx(struct pg_thread *t);

/* Sleep until some port can take more (POLLOUT) or has packets (POLLIN); -1 on failure. */
int pg_wait_ports(struct pg_thread *t, short events, int timeout_ms);

/* ---------------------------------------------------------------- pg_tx.c */

/* Place up to `want` packets on a TX ring, from head, without syncing. */
unsigned pg_tx_fill(struct pg_thread *t, struct pg_ring *r, unsigned want, uint64_t now,
		    uint64_t now_real, uint64_t *bytes_out);

/* Wait until every submitted slot has completed (bounded by bound_ns if non-zero). */
void pg_tx_flush(struct pg_thread *t, uint64_t bound_ns);

void pg_tx_thread(struct nt_worker *w);

/* ---------------------------------------------------------------- pg_rx.c */

/* Read every RX ring of the thread once; returns the packets counted. */
uint64_t pg_rx_round(struct pg_thread *t, int limited, int count);

/* --pcap-out: one slot of a received packet (8.8). */
void pg_pcap_slot(struct pg_ring *r, const uint8_t *buf, uint32_t len, int last, uint64_t ts);

/* --pcap-out: fail the thread once a write has failed. */
int pg_pcap_failed(struct pg_thread *t);

void pg_rx_thread(struct nt_worker *w);

/* ---------------------------------------------------------------- pg_latency.c */

/* ping: a probe's reply arrived; 0 if it was late, duplicate or foreign. */
int pg_ping_reply(struct pg_thread *t, uint32_t seq);

int pg_ping_setup(void);
void pg_ping_thread(struct nt_worker *w);
void pg_pong_thread(struct nt_worker *w);

/* ---------------------------------------------------------------- pg_report.c */

/* -X: one slot as in 3.7. */
void pg_dump_slot(unsigned ring, unsigned cur, const struct netmap_slot *slot,
		  const uint8_t *buf);

/* Count a packet of `len` bytes in the per-size table. */
void pg_size_count(struct pg_thread *t, uint32_t len);

/* One report: the periodic lines (when printable) and the JSON interval. */
void pg_report(struct nt_reporter *rep, int final);

void pg_print_startup(void);

void pg_summary(const struct nt_snapshot *s, enum nt_end end, int status);

#endif /* PG_RUN_H */
