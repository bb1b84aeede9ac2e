// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen: netmap's traffic generator, sink and latency tester
 * (tools.md sections 3 and 8).  This file holds port opening and the checks
 * that need the port, the worker loops (tx, rx, ping, pong, txseq, rxseq),
 * the main thread's reporting and the final summaries.  The command line is
 * parsed by pg_options.c, frames are built by pg_packet.c, pcap files read
 * and written by pg_pcap.c, latency statistics kept by pg_hist.c; value
 * parsing, logging and the statistics printers come from tools/common.
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
#include "pg_options.h"
#include "pg_packet.h"
#include "pg_pcap.h"

#define TOOL			"pkt-gen"
#define PG_POLL_MS		100	/* longest sleep before looking at the stop flag */
#define PG_SPIN_NS		50000	/* rate pacing: spin below this, sleep above */
#define PG_PING_TIMEOUT_NS	NT_SEC(1)
#define PG_PING_WINDOW		65536	/* probes remembered for matching replies */
#define PG_FLUSH_GRACE_NS	NT_SEC(2)
#define PG_SIZE_SLOTS		128	/* hash slots of the per-size table */

static struct pg_config cfg;

/* ================================================================ run state */

/* What a TX slot's buffer is known to hold (tx fast path, 3.3). */
struct pg_tag {
	uint32_t buf_idx;
	uint32_t key;		/* PG_KEY(size, fragment) or PG_TPL_KEY(), 0 = unknown */
};

#define PG_KEY(size, frag)	(0x80000000u | (uint32_t)(size) << 7 | (uint32_t)(frag))
/* -P: fragment of template record; records from PG_TPL_KEYS on are always copied */
#define PG_TPL_KEYS		(1u << 24)
#define PG_TPL_KEY(rec, frag)	(0x40000000u | (uint32_t)(rec) << 6 | (uint32_t)(frag))

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
	struct nt_counters *ctr;	/* in run.ctrs, written by this thread only */
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
	atomic_int reading;		/* receivers: inside a non-empty round */
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

	int failed;
	char errmsg[256];
	atomic_int done;
};

enum pg_end { END_NONE, END_COUNT, END_SIGNAL, END_IDLE, END_DURATION, END_ERROR };
static const char *const end_names[] = { "none", "count", "signal", "idle", "duration", "error" };

static struct pg_run {
	char port_name[NETMAP_REQ_IFNAMSIZ + 16];
	const char *backend, *kind;
	int is_nic;
	struct nmport_d *main_port;
	unsigned ndir_rings;		/* rings in the direction used */
	unsigned dir_first;		/* index of the first of them */
	uint32_t buf_size, num_slots;

	unsigned off;			/* payload offset */
	unsigned probe_len;		/* 0, PG_SEQ_LEN (txseq) or PG_PROBE_LEN */
	int dynamic;			/* headers built per packet */
	uint64_t weight_total;
	uint32_t frags, max_frag;
	uint32_t burst;
	uint32_t rate_cap;		/* -R: most packets per batch */
	double ns_per_unit;		/* per thread */
	double avg_bits;		/* -R in bits: mean bits per packet */
	int count_sizes;		/* keep per-size counts */
	int track_latency;
	struct pg_tpl tpl;		/* -P: the file's frames (tpl.count 0 without -P) */
	struct pg_split *tpl_split;	/* per record */
	struct pg_pcap_out *pcap_out;	/* --pcap-out, NULL without */

	unsigned nthreads;
	struct pg_thread *th;
	struct nt_counters *ctrs;	/* one block per thread, contiguous for snapshots */
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

/* ================================================================ signals */

static void wake_main(void)
{
	char c = 1;
	ssize_t r = write(run.wake_fd[1], &c, 1);

	(void)r;	/* a full pipe already holds a wake-up */
}

static atomic_int end_reason;

/* The first stop request wins the end reason. */
static void request_stop(enum pg_end why)
{
	int none = END_NONE;
	uint64_t zero = 0;

	atomic_compare_exchange_strong(&end_reason, &none, (int)why);
	atomic_compare_exchange_strong(&run.stop_ns, &zero, nt_now_ns());
	atomic_store(&run.stop, 1);
	wake_main();
}

/*
 * timeout(1) sends its signal to the command and then to the command's
 * process group, so one request arrives twice; a repeat of the same
 * signal from the same sender within this window is the same request.
 */
#define PG_SIGNAL_REPEAT_NS	NT_MSEC(500)

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	static int first_sig;
	static pid_t first_pid;
	static uint64_t first_ns;
	int saved = errno;
	uint64_t now = nt_now_ns();

	(void)ctx;
	if (atomic_exchange(&run.signalled, 1)) {
		if (sig == first_sig && info->si_pid == first_pid &&
		    now - first_ns < PG_SIGNAL_REPEAT_NS) {
			errno = saved;
			return;
		}
		/* a second request while stopping: die at once (1.9) */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	first_sig = sig;
	first_pid = info->si_pid;
	first_ns = now;
	request_stop(END_SIGNAL);
	errno = saved;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
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

/*
 * Busy-waiting (pkt-gen-b): back off a little after a sync that found
 * nothing, so two spinning peers do not fight over the rings' cache lines.
 */
static inline void busy_backoff(void)
{
	int i;

	for (i = 0; i < 64; i++) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ __volatile__("yield");
#else
		__asm__ __volatile__("" ::: "memory");
#endif
	}
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

	switch (cfg.frame_sizes.kind) {
	case NT_SIZE_RANGE:
		*idx = 0;
		return cfg.range_lo + (uint32_t)(pg_rand(&t->rng) %
						 (cfg.range_hi - cfg.range_lo + 1));
	case NT_SIZE_MIX:
		for (i = 0; i < cfg.frame_sizes.count; i++) {
			t->credit[i] += cfg.frame_sizes.entry[i].weight;
			if (t->credit[i] > t->credit[best])
				best = i;
		}
		t->credit[best] -= (int64_t)run.weight_total;
		*idx = best;
		return cfg.frame_sizes.entry[best].size;
	default:
		*idx = 0;
		return cfg.frame_sizes.entry[0].size;
	}
}

static const struct pg_split *size_split(uint32_t size, unsigned idx, struct pg_split *tmp)
{
	if (cfg.frame_sizes.kind != NT_SIZE_RANGE)
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


/*
 * -P: place up to `want` frames of the template file on a TX ring, in file
 * order, cycling (8.8).  As in tx_fill(), a slot is rewritten only when its
 * buffer does not already hold that fragment of that record.
 */
static unsigned tx_fill_tpl(struct pg_thread *t, struct pg_ring *r, unsigned want, uint64_t now,
			    uint64_t *bytes_out)
{
	struct netmap_ring *ring = r->ring;
	struct pg_tag *tags = r->tags;
	uint32_t cur = ring->head, space = nm_ring_space(ring), n = 0, lim = ring->num_slots;
	uint64_t bytes = 0;

	while (n < want) {
		uint32_t k = t->tpl_next, size = run.tpl.frame[k].len, i;
		const struct pg_split *sp = &run.tpl_split[k];
		const uint8_t *frame = run.tpl.data + run.tpl.frame[k].off;

		if (sp->nfrags > space)
			break;
		if (rate_mode == RATE_BITS &&
		    t->start_ns + (uint64_t)((double)t->units * run.ns_per_unit) > now)
			break;
		for (i = 0; i < sp->nfrags; i++) {
			struct netmap_slot *slot = &ring->slot[cur];
			uint8_t *buf = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			uint32_t len = i == sp->nfrags - 1 ? sp->last_len : sp->frag_len;
			uint32_t key = k < PG_TPL_KEYS ? PG_TPL_KEY(k, i) : 0;

			if (!cfg.rubbish && (cfg.always_copy || !key || tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx)) {
				memcpy(buf, frame + (size_t)i * sp->frag_len, len);
				tags[cur].key = key;
				tags[cur].buf_idx = slot->buf_idx;
			}
			slot->len = (uint16_t)len;
			slot->flags = i == sp->nfrags - 1 ? 0 : NS_MOREFRAG;
			if (cfg.dump)
				dump_slot(r->id, cur, slot, buf);
			if (++cur == lim)
				cur = 0;
		}
		if (++t->tpl_next == run.tpl.count)
			t->tpl_next = 0;
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
	ring->head = ring->cur = cur;
	*bytes_out = bytes;
	return n;
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

	if (run.tpl.count)
		return tx_fill_tpl(t, r, want, now, bytes_out);
	if (!run.dynamic && cfg.frame_sizes.kind == NT_SIZE_FIXED && split_cache[0].nfrags == 1 &&
	    !cfg.dump && !cfg.rubbish && !cfg.always_copy && !run.count_sizes) {
		/* the common case: one fixed frame, one slot each */
		uint32_t size = cfg.frame_sizes.entry[0].size, key = PG_KEY(size, 0);

		if (want > space)
			want = space;
		for (n = 0; n < want; n++) {
			struct netmap_slot *slot = &slots[cur];

			if (__builtin_expect(tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx, 0)) {
				pg_frame_bytes((uint8_t *)NETMAP_BUF_OFFSET(ring, slot),
					       t->hdr_cache[0], cfg.ep.af, size, 0, size);
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

		if (run.dynamic && !cfg.rubbish) {
			/* random sides are drawn per packet, ranges advance afterwards */
			if (cfg.ep.random[PG_SRC] || cfg.ep.random[PG_DST])
				pg_flow_random(&cfg.ep, &t->flow, &t->rng);
			hl = pg_build_header(hdr, &cfg.ep, &t->flow, size, probe,
					     run.probe_len ? next_probe(t, probe, now_real) : 0);
			pg_flow_next(&cfg.ep, &t->flow);
			h = hdr;
		} else {
			h = t->hdr_cache[idx];
		}
		for (i = 0; i < sp->nfrags; i++) {
			struct netmap_slot *slot = &slots[cur];
			uint32_t len = i == sp->nfrags - 1 ? sp->last_len : sp->frag_len;
			uint32_t key = PG_KEY(size, i);

			bufs[i] = (uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
			if (!cfg.rubbish && (cfg.always_copy || tags[cur].key != key ||
					     tags[cur].buf_idx != slot->buf_idx)) {
				pg_frame_bytes(bufs[i], h, cfg.ep.af, size, i * sp->frag_len, len);
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
		if (cfg.dump)
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

/* Sync one direction of every port of the thread; -1 after a failure. */
static int sync_ports(struct pg_thread *t, int (*sync)(struct nmport_d *),
		      const char *what)
{
	unsigned i;
	int err;

	for (i = 0; i < t->nports; i++) {
		err = sync(t->ports[i]);
		if (err) {
			thread_fail(t, "%s on %s failed: %s", what, run.port_name, strerror(-err));
			return -1;
		}
	}
	return 0;
}

static int sync_tx_ports(struct pg_thread *t)
{
	return sync_ports(t, nmport_txsync, "txsync");
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
		if (cfg.busy)
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
			uint64_t batch = run.rate_cap, due;

			/*
			 * Wait until a whole batch is due (8.3): at most a millisecond
			 * of traffic leaves at once, and the sender sleeps between
			 * batches instead of spinning packet by packet.
			 */
			if (t->limit && batch > t->limit - sent)
				batch = t->limit - sent;
			now = nt_now_ns();
			if (rate_mode == RATE_PACKETS)
				due = t->start_ns + (uint64_t)((double)(sent + batch - 1) *
							       run.ns_per_unit);
			else
				due = t->start_ns +
				      (uint64_t)(((double)t->units + (double)(batch - 1) *
						  run.avg_bits) * run.ns_per_unit);
			if (due > now) {
				if (!cfg.busy && due - now > PG_SPIN_NS) {
					uint64_t wake = due;

					if (wake - now > NT_MSEC(PG_POLL_MS))
						wake = now + NT_MSEC(PG_POLL_MS);
					sleep_until_ns(wake);
				}
				continue;
			}
			if (rate_mode == RATE_PACKETS) {
				uint64_t k = (uint64_t)((double)(now - t->start_ns) /
							run.ns_per_unit) + 1;

				allow = k > sent ? k - sent : 0;
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
			nt_counters_note_space(t->ctr, space);
			nt_counters_add(t->ctr, n, bytes, 1);
			nt_counters_add_ring(t->ctr, r->id, n, bytes);
		}
		if (sync_tx_ports(t))
			break;
		if (!placed) {
			/* with -R in bits, the schedule rather than the ring may be the limit */
			if (rate_mode == RATE_BITS &&
			    t->start_ns + (uint64_t)((double)t->units * run.ns_per_unit) >
			    nt_now_ns())
				continue;
			if (cfg.busy) {
				busy_backoff();
				continue;
			}
			arm_tx_rings(t);
			if (wait_ports(t, POLLOUT, PG_POLL_MS))
				break;
		}
	}
	tx_flush(t, 0);
	t->end_ns = nt_now_ns();
	return NULL;
}

/* ================================================================ receive */

/* ping's memory of the probes in flight */
struct ping_state {
	struct ping_probe {
		uint32_t seq;
		uint8_t pending;
		uint64_t sent_ns;	/* CLOCK_MONOTONIC, for the 1 s timeout */
	} *win;
	uint64_t oldest;		/* lowest sequence number that may be pending */
	uint64_t outstanding;
};

static struct ping_state ping;

static int sync_rx_ports(struct pg_thread *t)
{
	return sync_ports(t, nmport_rxsync, "rxsync");
}

static void seq_check(struct pg_thread *t, struct pg_ring *r, uint32_t seq, uint32_t frags)
{
	if (!r->seq_started) {
		r->seq_started = 1;
		r->seq_frags = frags;
		r->seq_expect = seq + 1;
		return;
	}
	if (seq != r->seq_expect) {
		uint64_t now = nt_now_ns();

		if ((int32_t)(seq - r->seq_expect) > 0) {
			t->gaps++;
			if (now - t->last_gap_log_ns >= NT_SEC(1)) {
				t->last_gap_log_ns = now;
				nt_diag_named("rx_body", "Sequence GAP: exp %u found %u",
					      r->seq_expect, seq);
			}
		} else {
			t->out_of_order++;
			if (now - t->last_ooo_log_ns >= NT_SEC(1)) {
				t->last_ooo_log_ns = now;
				nt_diag_named("rx_body", "Sequence OUT OF ORDER: exp %u found %u",
					      r->seq_expect, seq);
			}
		}
	}
	if (frags != r->seq_frags)
		t->frag_mismatch++;
	r->seq_expect = seq + 1;
}

/* The payload offset of a received frame, from its EtherType. */
static unsigned frame_payload_off(const uint8_t *h, unsigned len)
{
	return len >= PG_ETH_HLEN && h[12] == 0x86 && h[13] == 0xdd ? PG_OFF6 : PG_OFF4;
}

/* A complete packet arrived on ring r: sizes, sequence, latency, ping replies. */
static void rx_packet(struct pg_thread *t, struct pg_ring *r, struct pg_lat_interval *iv,
		      uint64_t now_real)
{
	const uint8_t *h = r->chain_head;
	unsigned hl = r->chain_head_len, off = frame_payload_off(h, hl);
	uint32_t seq;
	uint64_t sec;
	uint32_t nsec;

	if (run.count_sizes)
		size_count(t, r->chain_bytes);
	if (cfg.framing)
		t->wire_bytes += nt_wire_bytes(r->chain_bytes);
	if (cfg.fn == F_RXSEQ && hl >= off + PG_SEQ_LEN) {
		seq = (uint32_t)h[off] << 24 | (uint32_t)h[off + 1] << 16 |
		      (uint32_t)h[off + 2] << 8 | h[off + 3];
		seq_check(t, r, seq, r->chain_frags);
	}
	if (!run.track_latency || hl < off + PG_PROBE_LEN)
		return;
	pg_probe_read(h + off, &seq, &sec, &nsec);
	if (cfg.fn == F_PING) {
		struct ping_probe *p = &ping.win[seq % PG_PING_WINDOW];

		if (p->seq != seq || !p->pending)
			return;	/* late, duplicate or foreign */
		p->pending = 0;
		ping.outstanding--;
		t->received++;
	} else {
		seq_check(t, r, seq, r->chain_frags);
	}
	{
		uint64_t stamp = sec * NT_NSEC_PER_SEC + nsec;
		uint64_t ns = now_real > stamp ? now_real - stamp : 0;

		pg_hist_add(t->hist, ns);
		pg_lat_interval_add(iv, ns);
	}
}

/*
 * --pcap-out: one slot of a received packet.  A packet in one slot is
 * written from its buffer; the slots of a longer one are gathered (up to
 * the snap length) and written as one record at the last slot (8.8).
 */
static void pcap_slot(struct pg_ring *r, const uint8_t *buf, uint32_t len, int last,
		      uint64_t ts)
{
	uint32_t snap = cfg.snaplen, k;

	if (last && !r->chain_frags) {
		pg_pcap_out_write(run.pcap_out, ts, buf, len < snap ? len : snap, len);
		return;
	}
	k = snap - r->pcap_len;
	if (k > len)
		k = len;
	memcpy(r->pcap_buf + r->pcap_len, buf, k);
	r->pcap_len += k;
	if (last) {
		pg_pcap_out_write(run.pcap_out, ts, r->pcap_buf, r->pcap_len,
				  r->chain_bytes + len);
		r->pcap_len = 0;
	}
}

/*
 * Read the packets of one RX ring, at most `budget` of them, and release
 * their slots.  A packet spanning several slots counts once.
 */
static uint32_t rx_ring(struct pg_thread *t, struct pg_ring *r, uint64_t budget,
			uint64_t *bytes_out, struct pg_lat_interval *iv, uint64_t now_real)
{
	struct netmap_ring *ring = r->ring;
	uint32_t i = ring->head, tail = ring->tail, n = 0, lim = ring->num_slots;
	int per_packet = run.count_sizes || cfg.fn == F_RXSEQ || run.track_latency ||
			 cfg.framing;
	int pcap = run.pcap_out != NULL;
	uint64_t bytes = 0, ts = 0;

	if (__builtin_expect(pcap, 0))
		ts = realtime_ns();	/* the receive time of this batch */
	if (!per_packet && !pcap && !cfg.dump && !cfg.access && !r->chain_frags) {
		/*
		 * The common case, a plain count: single-slot packets read in
		 * a tight loop; a chain goes to the general loop below.
		 */
		while (i != tail && n < budget) {
			const struct netmap_slot *slot = &ring->slot[i];

			if (__builtin_expect(slot->flags & NS_MOREFRAG, 0))
				break;
			bytes += slot->len;
			n++;
			if (++i == lim)
				i = 0;
		}
	}
	while (i != tail && n < budget) {
		struct netmap_slot *slot = &ring->slot[i];
		const uint8_t *buf = (const uint8_t *)NETMAP_BUF_OFFSET(ring, slot);
		uint32_t len = slot->len;

		if (per_packet && r->chain_head_len < PG_HDR_MAX) {
			uint32_t k = PG_HDR_MAX - r->chain_head_len;

			if (k > len)
				k = len;
			memcpy(r->chain_head + r->chain_head_len, buf, k);
			r->chain_head_len += k;
		}
		if (cfg.dump)
			dump_slot(r->id, i, slot, buf);
		if (cfg.access) {
			volatile uint8_t sink = 0;
			uint32_t k;

			for (k = 0; k < len; k++)
				sink ^= buf[k];
			(void)sink;
		}
		if (__builtin_expect(pcap, 0))
			pcap_slot(r, buf, len, !(slot->flags & NS_MOREFRAG), ts);
		r->chain_bytes += len;
		r->chain_frags++;
		if (!(slot->flags & NS_MOREFRAG)) {
			bytes += r->chain_bytes;
			n++;
			if (per_packet)
				rx_packet(t, r, iv, now_real);
			r->chain_bytes = 0;
			r->chain_frags = 0;
			r->chain_head_len = 0;
		}
		if (++i == lim)
			i = 0;
	}
	ring->head = ring->cur = i;
	*bytes_out = bytes;
	return n;
}

/* Claim up to `want` packets of the -n total shared by the receivers. */
static uint64_t rx_claim(uint64_t want)
{
	uint_fast64_t cur = atomic_load(&run.rx_remaining), take;

	do {
		if (!cur)
			return 0;
		take = want < cur ? want : cur;
	} while (!atomic_compare_exchange_weak(&run.rx_remaining, &cur, cur - take));
	return take;
}

/* Read every RX ring of the thread once; returns the packets counted. */
static uint64_t rx_round(struct pg_thread *t, int limited, int count)
{
	struct pg_lat_interval iv;
	uint64_t got = 0, now_real = 0;
	unsigned i;
	int marked = 0;

	if (run.track_latency) {
		pg_lat_interval_reset(&iv);
		now_real = realtime_ns();
	}
	for (i = 0; i < t->nrx; i++) {
		struct pg_ring *r = &t->rx[i];
		uint64_t avail, budget, bytes;
		uint32_t n;

		if (nm_ring_empty(r->ring))
			continue;
		if (!marked) {	/* -W: a slow batch (-X, pcap) is not idle time */
			atomic_store_explicit(&t->reading, 1, memory_order_relaxed);
			marked = 1;
		}
		avail = nm_ring_space(r->ring);
		budget = avail;
		if (count && budget > run.burst)
			budget = run.burst;	/* -b: most packets per ring per round */
		if (limited) {
			budget = rx_claim(budget);
			if (!budget)
				break;
		}
		if (count)
			nt_counters_note_space(t->ctr, r->ring->num_slots - 1 - avail);
		n = rx_ring(t, r, budget, &bytes, &iv, now_real);
		if (limited && n < budget)
			atomic_fetch_add(&run.rx_remaining, budget - n);
		if (!n)
			continue;
		if (count) {
			nt_counters_add(t->ctr, n, bytes, 1);
			nt_counters_add_ring(t->ctr, r->id, n, bytes);
		}
		got += n;
	}
	if (marked)	/* an empty round, spinning, stores nothing */
		atomic_store_explicit(&t->reading, 0, memory_order_relaxed);
	if (got) {
		uint64_t now = nt_now_ns();

		if (!t->first_ns)
			t->first_ns = now;
		t->last_ns = now;
		if (run.track_latency && iv.count) {
			pthread_mutex_lock(&t->lat_lock);
			pg_lat_interval_merge(&t->lat_iv, &iv);
			pthread_mutex_unlock(&t->lat_lock);
		}
	}
	return got;
}

/* --pcap-out: fail the thread once a write has failed. */
static int pcap_failed(struct pg_thread *t)
{
	int err = pg_pcap_out_failed(run.pcap_out);

	if (err)
		thread_fail(t, "cannot write %s: %s", cfg.pcap_out, strerror(err));
	return err;
}

static void *rx_thread(void *arg)
{
	struct pg_thread *t = arg;
	int limited = cfg.count > 0;

	t->start_ns = nt_now_ns();
	while (!stopping() && !t->failed) {
		uint64_t got = rx_round(t, limited, 1);

		if (got && run.pcap_out && pcap_failed(t))
			break;
		if (got && limited &&
		    atomic_fetch_add(&run.rx_done, got) + got >= cfg.count) {
			request_stop(END_COUNT);
			break;
		}
		if (cfg.busy && !got)
			busy_backoff();
		if (got || cfg.busy) {
			if (sync_rx_ports(t))
				break;
		} else if (wait_ports(t, POLLIN, PG_POLL_MS)) {
			break;
		}
	}
	sync_rx_ports(t);	/* release what was read: a pipe peer waits for it */
	t->end_ns = nt_now_ns();
	return NULL;
}

/* ================================================================ ping, pong */

/* Forget probes that are answered, and declare lost those older than 1 s. */
static void ping_expire(uint64_t sent, uint64_t now)
{
	while (ping.oldest < sent) {
		struct ping_probe *p = &ping.win[ping.oldest % PG_PING_WINDOW];

		if (p->seq == (uint32_t)ping.oldest && p->pending) {
			if (now - p->sent_ns < PG_PING_TIMEOUT_NS)
				break;
			p->pending = 0;		/* lost */
			ping.outstanding--;
		}
		ping.oldest++;
	}
}

static void *ping_thread(void *arg)
{
	struct pg_thread *t = arg;
	uint64_t sent = 0, last_send = 0;
	int draining = 0;

	t->start_ns = nt_now_ns();
	for (;;) {
		uint64_t now = nt_now_ns(), quota = 0, due = 0;
		int timeout = PG_POLL_MS;

		if (t->failed)
			break;
		if (!draining && (stopping() || (t->limit && sent >= t->limit))) {
			draining = 1;
			last_send = last_send ? last_send : now;
		}
		if (draining && (!ping.outstanding || now - last_send >= PG_PING_TIMEOUT_NS))
			break;
		if (!draining) {
			if (rate_mode != RATE_NONE) {
				uint64_t k = (uint64_t)((double)(now - t->start_ns) /
							run.ns_per_unit) + 1;

				quota = k > sent ? k - sent : 0;
				if (quota > run.rate_cap)
					quota = run.rate_cap;
				due = t->start_ns + (uint64_t)((double)sent * run.ns_per_unit);
			} else if (ping.outstanding < run.burst) {
				quota = run.burst - ping.outstanding;
			}
			if (t->limit && quota > t->limit - sent)
				quota = t->limit - sent;
			/* the window must not wrap over probes still in flight */
			if (quota > PG_PING_WINDOW - (sent - ping.oldest))
				quota = PG_PING_WINDOW - (sent - ping.oldest);
		}
		if (quota) {
			struct pg_ring *r = &t->tx[0];
			uint64_t bytes, s;
			uint32_t seq0 = t->seq, n;

			n = tx_fill(t, r, (unsigned)quota, now, realtime_ns(), &bytes);
			for (s = 0; s < n; s++) {
				struct ping_probe *p = &ping.win[(seq0 + s) % PG_PING_WINDOW];

				p->seq = seq0 + (uint32_t)s;
				p->pending = 1;
				p->sent_ns = now;
			}
			if (n) {
				sent += n;
				t->sent = sent;
				last_send = now;
				ping.outstanding += n;
				nt_counters_add(t->ctr, n, bytes, 1);
				nt_counters_add_ring(t->ctr, r->id, n, bytes);
				if (sync_tx_ports(t))
					break;
			}
		}
		if (rx_round(t, 0, 0)) {
			if (sync_rx_ports(t))
				break;
			continue;
		}
		ping_expire(sent, now);
		if (cfg.busy) {
			sync_rx_ports(t);
			continue;
		}
		if (rate_mode != RATE_NONE && !draining && due > now) {
			uint64_t ms = (due - now) / 1000000;

			timeout = ms < PG_POLL_MS ? (int)ms : PG_POLL_MS;
		}
		if (!draining && !quota && rate_mode == RATE_NONE && ping.outstanding < run.burst &&
		    !(t->limit && sent >= t->limit))
			timeout = 0;	/* room to send: do not sleep */
		if (wait_ports(t, POLLIN, timeout))
			break;
	}
	ping_expire(sent, UINT64_MAX / 2);
	sync_rx_ports(t);
	t->end_ns = nt_now_ns();
	return NULL;
}

/* pong: swap Ethernet and IP addresses, which keeps every checksum valid. */
static void swap_bytes(uint8_t *a, uint8_t *b, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t c = a[i];

		a[i] = b[i];
		b[i] = c;
	}
}

static void swap_addresses(uint8_t *p, uint32_t len)
{
	if (len < PG_ETH_HLEN)
		return;
	swap_bytes(p, p + 6, 6);
	if (p[12] == 0x08 && p[13] == 0x00 && len >= 34)
		swap_bytes(p + 26, p + 30, 4);
	else if (p[12] == 0x86 && p[13] == 0xdd && len >= 54)
		swap_bytes(p + 22, p + 38, 16);
}

static struct pg_ring *reply_ring(struct pg_thread *t, const struct pg_ring *rx)
{
	unsigned i;

	for (i = 0; i < t->ntx; i++)
		if (t->tx[i].id == rx->id)
			return &t->tx[i];
	return &t->tx[0];
}

/* --pcap-out for pong: the nf slots of one packet, from slot i, as one record. */
static void pcap_chain(struct pg_ring *r, uint32_t i, uint32_t nf, uint64_t ts)
{
	struct netmap_ring *ring = r->ring;
	uint32_t f;

	for (f = 0; f < nf; f++) {
		const struct netmap_slot *slot = &ring->slot[i];

		pcap_slot(r, (const uint8_t *)NETMAP_BUF_OFFSET(ring, slot), slot->len,
			  f == nf - 1, ts);
		r->chain_bytes += slot->len;
		r->chain_frags++;
		i = i + 1 == ring->num_slots ? 0 : i + 1;
	}
	r->chain_bytes = 0;
	r->chain_frags = 0;
}

static void *pong_thread(void *arg)
{
	struct pg_thread *t = arg;
	uint64_t replies = 0;

	t->start_ns = nt_now_ns();
	while (!stopping() && !t->failed && !(t->limit && replies >= t->limit)) {
		uint64_t got = 0, sent_now = 0;
		unsigned k;

		for (k = 0; k < t->nrx; k++) {
			struct pg_ring *r = &t->rx[k];
			struct netmap_ring *ring = r->ring, *txr = reply_ring(t, r)->ring;
			uint32_t i = ring->head, tail = ring->tail, lim = ring->num_slots;
			uint64_t n = 0, bytes = 0, ts = 0;

			if (i == tail)
				continue;
			if (run.pcap_out)
				ts = realtime_ns();
			nt_counters_note_space(t->ctr, lim - 1 - nm_ring_space(ring));
			while (i != tail && !(t->limit && replies >= t->limit)) {
				uint32_t j = i, nf = 1, f, total = 0;

				while (ring->slot[j].flags & NS_MOREFRAG) {
					j = j + 1 == lim ? 0 : j + 1;
					if (j == tail)
						break;
					nf++;
				}
				if (j == tail)
					break;	/* the rest of the packet is not here yet */
				t->received++;
				got++;
				if (__builtin_expect(run.pcap_out != NULL, 0))
					pcap_chain(r, i, nf, ts);
				if (nm_ring_space(txr) >= nf) {
					uint32_t d = txr->head;

					for (f = 0, j = i; f < nf; f++) {
						struct netmap_slot *src = &ring->slot[j];
						struct netmap_slot *dst = &txr->slot[d];
						uint8_t *db;

						db = (uint8_t *)NETMAP_BUF_OFFSET(txr, dst);

						memcpy(db, NETMAP_BUF_OFFSET(ring, src), src->len);
						if (f == 0)
							swap_addresses(db, src->len);
						dst->len = src->len;
						dst->flags = f + 1 < nf ? NS_MOREFRAG : 0;
						total += src->len;
						if (cfg.dump)
							dump_slot(txr->ringid, d, dst, db);
						d = d + 1 == txr->num_slots ? 0 : d + 1;
						j = j + 1 == lim ? 0 : j + 1;
					}
					txr->head = txr->cur = d;
					replies++;
					n++;
					bytes += total;
					if (cfg.framing)
						t->wire_bytes += nt_wire_bytes(total);
				} else {
					j = i;
					for (f = 0; f < nf; f++)
						j = j + 1 == lim ? 0 : j + 1;
				}
				i = j;
			}
			ring->head = ring->cur = i;
			if (n) {
				nt_counters_add(t->ctr, n, bytes, 1);
				nt_counters_add_ring(t->ctr, r->id, n, bytes);
				sent_now += n;
			}
		}
		t->sent = replies;
		if (got && run.pcap_out && pcap_failed(t))
			break;
		if (sent_now && sync_tx_ports(t))
			break;
		if (got || cfg.busy) {
			if (sync_rx_ports(t))
				break;
		} else if (wait_ports(t, POLLIN, PG_POLL_MS)) {
			break;
		}
	}
	tx_flush(t, NT_SEC(1));
	sync_rx_ports(t);
	t->end_ns = nt_now_ns();
	return NULL;
}

/* ================================================================ checks */

/* Features this build lacks: accepted by the parser, refused here (exit 1). */
static int check_unsupported(const char *name)
{
	if (cfg.vnet_given && cfg.vnet != 0) {
		nt_err(TOOL, "%s %s: virtio-net headers are not supported by this build yet",
		       cfg.vnet_seen.opt, cfg.vnet_seen.value);
		return 1;
	}
	if (cfg.indirect) {
		nt_err(TOOL, "-I: indirect buffers (NS_INDIRECT) are not supported by this "
		       "build yet");
		return 1;
	}
	if (!strcmp(name, "null")) {
		nt_err(TOOL, "-i null: the null device is not supported by this build yet");
		return 1;
	}
	if (!strncmp(name, "tap", 3)) {
		nt_err(TOOL, "-i %s: tap devices are not supported by this build yet", name);
		return 1;
	}
	if (!strncmp(name, "pcap:", 5)) {
		nt_err(TOOL, "-i %s: pcap devices are not supported by this build yet", name);
		return 1;
	}
	return 0;
}

/* ================================================================ ports */

/* What the port is, in the words of the start-up block (3.7). */
static const char *port_kind_text(struct nmport_d *d)
{
	const char *kind = nmport_kind(d);
	const char *name = d->hdr.nr_name;
	char path[256], link[256];
	ssize_t n;
	FILE *f;

	if (!strcmp(kind, "VALE ephemeral port")) {
		const char *colon = strchr(name, ':');

		/* a persistent VALE port is a network interface of its own */
		if (colon && !strcmp(run.backend, "kernel")) {
			snprintf(path, sizeof(path), "/sys/class/net/%s", colon + 1);
			if (access(path, F_OK) == 0)
				return "VALE persistent port";
		}
		return kind;
	}
	if (strcmp(kind, "system interface"))
		return kind;
	run.is_nic = 1;
	/* admode 2 forces the emulated adapter; else native drivers are known */
	f = fopen("/sys/module/netmap/parameters/admode", "r");
	if (f) {
		int mode = 0;

		if (fscanf(f, "%d", &mode) != 1)
			mode = 0;
		fclose(f);
		if (mode == 2)
			return "system interface, emulated adapter";
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		static const char *const native[] = {
			"e1000", "e1000e", "igb", "ixgbe", "ixgbevf", "i40e", "ice",
			"virtio_net", "r8169", "forcedeth", "vmxnet3", "mlx5_core", NULL
		};
		const char *drv;
		unsigned i;

		link[n] = '\0';
		drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		for (i = 0; native[i]; i++)
			if (!strcmp(drv, native[i]))
				return "system interface, native adapter";
	} else {
		snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
		if (access(path, F_OK) == 0 && !strncmp(name, "veth", 4))
			return "system interface, native adapter";
	}
	return "system interface, emulated adapter";
}

/* The MAC address and MTU of a system interface, or -1. */
static int nic_info(const char *name, uint64_t *mac, unsigned *mtu)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", (int)sizeof(ifr.ifr_name) - 1, name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) {
		*mac = pg_mac_to_u64((const uint8_t *)ifr.ifr_hwaddr.sa_data);
		ret = 0;
	}
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0)
		*mtu = (unsigned)ifr.ifr_mtu;
	close(s);
	return ret;
}

/* "pkt-gen: cannot open X: ..." or, for a syntax error, a usage error. */
static int open_error(const char *name, int usage)
{
	const char *msg = nmport_last_error(NULL);
	const char *strip = strstr(msg, "': ");

	if (usage && !strncmp(msg, "invalid port spec", 17))
		return nt_usage_error(TOOL, cfg.iface_seen.opt, cfg.iface_seen.value, "%s",
				      strip ? strip + 3 : msg);
	nt_err(TOOL, "cannot open %s: %s", name, nt_open_strerror(errno));
	return 1;
}

static struct nmport_d *open_main_port(const char *name, int *status)
{
	struct nmport_d *d = nmport_prepare(name);

	if (!d) {
		*status = open_error(name, errno == EINVAL || errno == EOPNOTSUPP);
		return NULL;
	}
	if (cfg.conf_given) {
		const struct nt_tuple *c = &cfg.conf;
		uint32_t v[4] = { 0, 0, 0, 0 };

		/* x | x,y | x,y,z | x,y,z,w  (3.2); @conf values win */
		v[0] = c->value[0];
		v[1] = c->count >= 2 ? c->value[1] : c->value[0];
		if (c->count >= 3) {
			v[2] = c->value[2];
			v[3] = c->count == 4 ? c->value[3] : c->value[2];
		}
		if (!d->reg.nr_tx_slots)
			d->reg.nr_tx_slots = v[0];
		if (!d->reg.nr_rx_slots)
			d->reg.nr_rx_slots = v[1];
		if (!d->reg.nr_tx_rings)
			d->reg.nr_tx_rings = (uint16_t)v[2];
		if (!d->reg.nr_rx_rings)
			d->reg.nr_rx_rings = (uint16_t)v[3];
	}
	if (nmport_open_desc(d)) {
		int e = errno;

		nmport_undo_prepare(d);
		errno = e;
		*status = open_error(name, 0);
		return NULL;
	}
	return d;
}

/* A descriptor of the same port bound to ring k of the direction (3.5). */
static struct nmport_d *open_ring_port(unsigned k, int no_tx_poll)
{
	struct nmport_d *d = nmport_clone(run.main_port);
	uint32_t mode = run.main_port->reg.nr_mode;
	unsigned hw = cfg.sender ? run.main_port->reg.nr_tx_rings :
				   run.main_port->reg.nr_rx_rings;

	if (!d)
		return NULL;
	if (mode == NR_REG_SW || mode == NR_REG_ONE_SW) {
		d->reg.nr_mode = NR_REG_ONE_SW;
		d->reg.nr_ringid = (uint16_t)(k - hw);
	} else if (k >= hw) {
		d->reg.nr_mode = NR_REG_ONE_SW;		/* "*": host rings follow */
		d->reg.nr_ringid = (uint16_t)(k - hw);
	} else {
		d->reg.nr_mode = NR_REG_ONE_NIC;
		d->reg.nr_ringid = (uint16_t)k;
	}
	if (no_tx_poll)
		d->reg.nr_flags |= NR_NO_TX_POLL;
	if (nmport_open_desc(d)) {
		int e = errno;

		nmport_undo_prepare(d);
		errno = e;
		return NULL;
	}
	return d;
}

/* ================================================================ threads */

static int add_rings(struct pg_thread *t, struct nmport_d *d)
{
	struct netmap_if *nifp = d->nifp;
	unsigned i;

	for (i = d->first_tx_ring; i <= d->last_tx_ring && d->first_tx_ring <= d->last_tx_ring;
	     i++) {
		struct pg_ring *r;

		if (cfg.fn == F_TXSEQ && t->ntx == 1)
			break;	/* txseq: first TX ring only */
		t->tx = realloc(t->tx, (t->ntx + 1) * sizeof(*t->tx));
		if (!t->tx)
			return -1;
		r = &t->tx[t->ntx++];
		memset(r, 0, sizeof(*r));
		r->ring = NETMAP_TXRING(nifp, i);
		r->port = d;
		r->id = i;
		r->tags = calloc(r->ring->num_slots, sizeof(*r->tags));
		if (!r->tags)
			return -1;
	}
	for (i = d->first_rx_ring; i <= d->last_rx_ring && d->first_rx_ring <= d->last_rx_ring;
	     i++) {
		struct pg_ring *r;

		t->rx = realloc(t->rx, (t->nrx + 1) * sizeof(*t->rx));
		if (!t->rx)
			return -1;
		r = &t->rx[t->nrx++];
		memset(r, 0, sizeof(*r));
		r->ring = NETMAP_RXRING(nifp, i);
		r->port = d;
		r->id = i;
		if (cfg.pcap_out) {
			r->pcap_buf = malloc(cfg.snaplen);
			if (!r->pcap_buf)
				return -1;
		}
	}
	t->ports = realloc(t->ports, (t->nports + 1) * sizeof(*t->ports));
	if (!t->ports)
		return -1;
	t->ports[t->nports++] = d;
	return 0;
}

/* 3.5: -a alone, -a with -c, or a CPU list. */
static int thread_cpu(unsigned i)
{
	unsigned online = pg_online_cpus(), spread;

	if (!cfg.affinity_given)
		return -1;
	if (cfg.affinity.count > 1)
		return cfg.affinity.cpu[i % cfg.affinity.count];
	spread = cfg.cpus_given ? (cfg.cpus ? cfg.cpus : online) : run.nthreads;
	return (int)((cfg.affinity.cpu[0] + i % spread) % online);
}

static unsigned effective_cpus(void)
{
	unsigned char used[NT_CPU_MAX] = { 0 };
	unsigned i, n = 0;

	if (!cfg.affinity_given) {
		if (cfg.cpus_given)
			return cfg.cpus ? cfg.cpus : pg_online_cpus();
		return run.nthreads;
	}
	for (i = 0; i < run.nthreads; i++) {
		int c = thread_cpu(i);

		if (c >= 0 && c < NT_CPU_MAX && !used[c]) {
			used[c] = 1;
			n++;
		}
	}
	return n;
}

static int setup_threads(void)
{
	unsigned n = run.nthreads, i, k;
	uint64_t seed = nt_now_ns() ^ ((uint64_t)getpid() << 32);

	if (cfg.fn == F_PING) {
		ping.win = calloc(PG_PING_WINDOW, sizeof(*ping.win));
		if (!ping.win)
			return -1;
	}
	run.th = calloc(n, sizeof(*run.th));
	run.ctrs = aligned_alloc(64, ((n * sizeof(struct nt_counters) + 63) / 64) * 64);
	if (!run.th || !run.ctrs)
		return -1;
	for (i = 0; i < n; i++) {
		struct pg_thread *t = &run.th[i];
		unsigned e, nsz;

		t->idx = i;
		t->ctr = &run.ctrs[i];
		nt_counters_init(t->ctr, run.dir_first + run.ndir_rings);
		t->cpu = thread_cpu(i);
		t->rng = (seed + 0x9e3779b97f4a7c15ull * (i + 1)) | 1;
		pthread_mutex_init(&t->lat_lock, NULL);
		if (run.track_latency) {
			t->hist = malloc(sizeof(*t->hist));
			if (!t->hist)
				return -1;
			pg_hist_init(t->hist);
		}
		/* 3.5: the first n mod N threads take one packet more */
		if (cfg.count && cfg.fn != F_RX && cfg.fn != F_RXSEQ)
			t->limit = cfg.count / n + (i < cfg.count % n);
		pg_flow_first(&cfg.ep, &t->flow);
		if (cfg.flows_given && n > 1)
			pg_flow_skip(&cfg.ep, &t->flow, (uint64_t)i * cfg.flows / n);
		nsz = cfg.frame_sizes.count ? cfg.frame_sizes.count : 1;
		t->hdr_cache = calloc(nsz, PG_HDR_MAX);
		t->hdr_len = calloc(nsz, sizeof(unsigned));
		if (!t->hdr_cache || !t->hdr_len)
			return -1;
		for (e = 0; cfg.frame_sizes.kind != NT_SIZE_RANGE && e < cfg.frame_sizes.count; e++)
			t->hdr_len[e] = pg_build_header(t->hdr_cache[e], &cfg.ep, &t->flow,
							cfg.frame_sizes.entry[e].size, NULL, 0);
	}
	if (n == 1)
		return add_rings(&run.th[0], run.main_port);
	/* one descriptor per ring; thread i serves rings i, i + N, ... (3.5) */
	{
		struct nmport_d *m = run.main_port;
		unsigned first = cfg.sender ? m->first_tx_ring : m->first_rx_ring;

		for (k = 0; k < run.ndir_rings; k++) {
			unsigned owner = k % n;
			struct nmport_d *d = open_ring_port(first + k,
							    !cfg.sender && owner != 0);

			if (!d) {
				nt_err(TOOL, "cannot open ring %u of %s: %s", first + k,
				       run.port_name, strerror(errno));
				return 1;
			}
			if (add_rings(&run.th[owner], d))
				return -1;
		}
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct pg_thread *t = arg;

	switch (cfg.fn) {
	case F_TX:
	case F_TXSEQ:
		tx_thread(t);
		break;
	case F_PING:
		ping_thread(t);
		break;
	case F_PONG:
		pong_thread(t);
		break;
	default:
		rx_thread(t);
	}
	atomic_store(&t->done, 1);
	wake_main();
	return NULL;
}

static int start_threads(void)
{
	sigset_t all, old;
	unsigned i;
	int err = 0;

	/* signals go to the main thread, which decides how to stop */
	sigemptyset(&all);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < run.nthreads && !err; i++) {
		struct pg_thread *t = &run.th[i];
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		if (t->cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(t->cpu, &set);
			pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		}
		err = pthread_create(&t->tid, &attr, worker_main, t);
		pthread_attr_destroy(&attr);
		if (err)
			nt_err(TOOL, "cannot start thread %u: %s", i, strerror(err));
		else
			t->started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? -1 : 0;
}

/* ================================================================ reports */

/* Is a receiver busy with packets it found (the -W clock stops)? */
static int any_reading(void)
{
	unsigned i;

	for (i = 0; i < run.nthreads; i++)
		if (atomic_load_explicit(&run.th[i].reading, memory_order_relaxed))
			return 1;
	return 0;
}

static uint64_t total_pkts(void)
{
	uint64_t s = 0;
	unsigned i;

	for (i = 0; i < run.nthreads; i++)
		s += atomic_load_explicit(&run.ctrs[i].pkts, memory_order_relaxed);
	return s;
}

/* Take (and reset) the latency statistics of the interval. */
static void take_latency(struct pg_lat_interval *iv)
{
	unsigned i;

	pg_lat_interval_reset(iv);
	for (i = 0; i < run.nthreads; i++) {
		struct pg_thread *t = &run.th[i];

		pthread_mutex_lock(&t->lat_lock);
		pg_lat_interval_merge(iv, &t->lat_iv);
		pg_lat_interval_reset(&t->lat_iv);
		pthread_mutex_unlock(&t->lat_lock);
	}
}

static void json_rings(struct nt_json *j, unsigned nrings, const uint64_t *pkts,
		       const uint64_t *bytes)
{
	unsigned i;

	nt_json_array_begin(j, "rings");
	for (i = run.dir_first; i < nrings; i++) {
		nt_json_object_begin(j, NULL);
		nt_json_u64(j, "ring", i);
		nt_json_u64(j, "pkts", pkts[i]);
		nt_json_u64(j, "bytes", bytes[i]);
		nt_json_object_end(j);
	}
	nt_json_array_end(j);
}

static void json_lat_interval(struct nt_json *j, const char *key, const struct pg_lat_interval *iv)
{
	nt_json_object_begin(j, key);
	nt_json_u64(j, "count", iv->count);
	nt_json_u64(j, "min_ns", iv->min);
	nt_json_u64(j, "avg_ns", iv->count ? (uint64_t)(iv->sum / (double)iv->count + 0.5) : 0);
	nt_json_u64(j, "max_ns", iv->max);
	nt_json_object_end(j);
}

static uint64_t json_total_pkts, json_total_bytes;

/* One report: the periodic lines (when printable) and the JSON interval. */
static void report(struct nt_reporter *rep, int final)
{
	struct nt_delta d;
	struct pg_lat_interval iv;
	int printable = nt_reporter_take(rep, run.ctrs, run.nthreads, final, &d);
	int human = printable && cfg.report_ns;

	if (!printable && !final)
		return;		/* folded into the next report */
	if (run.track_latency)
		take_latency(&iv);
	if (human) {
		unsigned i;

		nt_print_periodic(nt_errout(), &run.periodic, &d);
		for (i = run.dir_first; cfg.per_ring && i < d.nrings; i++) {
			char line[256];

			nt_fmt_interval(line, sizeof(line), nt_rate_pps(d.ring_pkts[i], d.usec),
					d.ring_pkts[i],
					nt_rate_bps(d.ring_bytes[i], d.ring_pkts[i],
						    run.periodic.framing_bits, d.usec),
					0, cfg.no_normalize);
			nt_diag_named("main_thread", "ring %u: %s", i, line);
		}
		if (run.track_latency)
			pg_lat_interval_print(&iv, cfg.fn == F_PING ? "ping_body" : "rx_body",
					      cfg.fn == F_PING ? "RTT" : "latency");
	}
	if (run.json) {
		struct nt_json j;

		json_total_pkts += d.pkts;
		json_total_bytes += d.bytes;
		nt_json_begin(&j, run.json, TOOL, "interval");
		nt_json_u64(&j, "interval_us", d.usec);
		nt_json_u64(&j, "pkts", d.pkts);
		nt_json_u64(&j, "bytes", d.bytes);
		nt_json_u64(&j, "events", d.events);
		nt_json_u64(&j, "pps", nt_rate_pps(d.pkts, d.usec));
		nt_json_double(&j, "bps", nt_rate_bps(d.bytes, d.pkts, run.periodic.framing_bits,
						      d.usec), 3);
		nt_json_double(&j, "avg_batch", d.events ? (double)d.pkts / d.events : 0, 2);
		nt_json_u64(&j, "min_space", d.min_space);
		nt_json_u64(&j, "total_pkts", json_total_pkts);
		nt_json_u64(&j, "total_bytes", json_total_bytes);
		json_rings(&j, d.nrings, d.ring_pkts, d.ring_bytes);
		if (run.track_latency)
			json_lat_interval(&j, cfg.fn == F_PING ? "rtt" : "latency", &iv);
		nt_json_end(&j);
	}
}

/* ================================================================ output */

static void print_startup(void)
{
	struct nmport_d *d = run.main_port;
	FILE *out = nt_out();
	const char *verb = cfg.sender ? "Sending on" : pg_is_receiver(cfg.fn) ? "Receiving from" :
		"Working on";
	uint32_t slots = run.num_slots;

	fprintf(out, "%s %s: %u queues, %u threads and %u cpus.\n", verb, run.port_name,
		run.ndir_rings, run.nthreads, run.ncpus_effective);
	if (cfg.sender) {
		char smac[40], dmac[40], a[24], b[24];

		if (cfg.ep.mac_lo[PG_SRC] != cfg.ep.mac_hi[PG_SRC])
			snprintf(smac, sizeof(smac), "%s-%s",
				 pg_fmt_mac(a, sizeof(a), cfg.ep.mac_lo[PG_SRC]),
				 pg_fmt_mac(b, sizeof(b), cfg.ep.mac_hi[PG_SRC]));
		else
			pg_fmt_mac(smac, sizeof(smac), cfg.ep.mac_lo[PG_SRC]);
		if (cfg.ep.mac_lo[PG_DST] != cfg.ep.mac_hi[PG_DST])
			snprintf(dmac, sizeof(dmac), "%s-%s",
				 pg_fmt_mac(a, sizeof(a), cfg.ep.mac_lo[PG_DST]),
				 pg_fmt_mac(b, sizeof(b), cfg.ep.mac_hi[PG_DST]));
		else
			pg_fmt_mac(dmac, sizeof(dmac), cfg.ep.mac_lo[PG_DST]);
		fprintf(out, "%s -> %s (%s -> %s)\n",
			cfg.src_ip_given ? cfg.src_ip : cfg.af == 6 ? "fd00::1" : "10.0.0.1",
			cfg.dst_ip_given ? cfg.dst_ip : cfg.af == 6 ? "fd00:0:0:1::1" : "10.1.0.1",
			smac, dmac);
	}
	fprintf(out, "Backend: %s, %s, %u tx rings, %u rx rings, %u slots, buffer %u bytes\n",
		run.backend, run.kind, d->reg.nr_tx_rings, d->reg.nr_rx_rings, slots,
		run.buf_size);
	fflush(out);
	if (run.json) {
		struct nt_json j;
		char mac[24];

		nt_json_begin(&j, run.json, TOOL, "start");
		nt_json_string(&j, "version", PACKAGE_VERSION);
		nt_json_string(&j, "backend", run.backend);
		nt_json_string(&j, "port", run.port_name);
		nt_json_string(&j, "port_kind", run.kind);
		nt_json_string(&j, "function", pg_func_name(cfg.fn));
		nt_json_u64(&j, "queues", run.ndir_rings);
		nt_json_u64(&j, "threads", run.nthreads);
		nt_json_u64(&j, "cpus", run.ncpus_effective);
		nt_json_u64(&j, "burst", run.burst);
		if (cfg.frame_sizes.kind == NT_SIZE_FIXED && !run.tpl.count)
			nt_json_u64(&j, "size", cfg.frame_sizes.entry[0].size);
		else
			nt_json_string(&j, "size", cfg.size_text);
		nt_json_u64(&j, "count", cfg.count);
		nt_json_double(&j, "rate_pps",
			       cfg.rate.unit == NT_UNIT_PPS ? cfg.rate.value : 0, 3);
		nt_json_double(&j, "rate_bps",
			       cfg.rate.unit == NT_UNIT_BPS ? cfg.rate.value : 0, 3);
		if (cfg.sender) {
			nt_json_string(&j, "src", cfg.src_ip_given ? cfg.src_ip :
				       cfg.af == 6 ? "[fd00::1]:1234" : "10.0.0.1:1234");
			nt_json_string(&j, "dst", cfg.dst_ip_given ? cfg.dst_ip :
				       cfg.af == 6 ? "[fd00:0:0:1::1]:1234" : "10.1.0.1:1234");
			nt_json_string(&j, "src_mac", pg_fmt_mac(mac, sizeof(mac),
								 cfg.ep.mac_lo[PG_SRC]));
			nt_json_string(&j, "dst_mac", pg_fmt_mac(mac, sizeof(mac),
								 cfg.ep.mac_lo[PG_DST]));
		}
		nt_json_end(&j);
	}
}

static int cmp_size(const void *a, const void *b)
{
	const struct pg_size_count *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

/* Per-size totals over threads, sorted by size; returns the count. */
static unsigned merge_sizes(struct pg_size_count *out, uint64_t *other_pkts,
			    uint64_t *other_bytes)
{
	unsigned i, k, n = 0, m;

	*other_pkts = *other_bytes = 0;
	for (i = 0; i < run.nthreads; i++) {
		struct pg_thread *t = &run.th[i];

		*other_pkts += t->other_pkts;
		*other_bytes += t->other_bytes;
		for (k = 0; k < PG_SIZE_SLOTS; k++) {
			const struct pg_size_count *s = &t->size_tab[k];

			if (!s->size)
				continue;
			for (m = 0; m < n && out[m].size != s->size; m++)
				;
			if (m == n) {
				if (n == NT_SIZES_MAX) {
					*other_pkts += s->pkts;
					*other_bytes += s->bytes;
					continue;
				}
				out[n++] = (struct pg_size_count){ s->size, 0, 0 };
			}
			out[m].pkts += s->pkts;
			out[m].bytes += s->bytes;
		}
	}
	qsort(out, n, sizeof(*out), cmp_size);
	return n;
}

static void summary(const struct nt_snapshot *s, enum pg_end end, int status)
{
	FILE *out = nt_out();
	struct pg_size_count sizes[NT_SIZES_MAX];
	uint64_t other_pkts = 0, other_bytes = 0, first = UINT64_MAX, last = 0, wire = 0;
	uint64_t sent = 0, received = 0, gaps = 0, ooo = 0, fragmm = 0;
	struct pg_hist *hist = NULL;
	struct nt_totals tot;
	unsigned i, nsizes = 0;
	double secs;

	for (i = 0; i < run.nthreads; i++) {
		struct pg_thread *t = &run.th[i];

		if (!t->started)
			continue;
		if (pg_is_receiver(cfg.fn)) {
			if (t->first_ns && t->first_ns < first)
				first = t->first_ns;
			if (t->last_ns > last)
				last = t->last_ns;
		} else {
			if (t->start_ns && t->start_ns < first)
				first = t->start_ns;
			if (t->end_ns > last)
				last = t->end_ns;
		}
		wire += t->wire_bytes;
		sent += t->sent;
		received += t->received;
		gaps += t->gaps;
		ooo += t->out_of_order;
		fragmm += t->frag_mismatch;
		if (t->hist) {
			if (!hist)
				hist = t->hist;
			else
				pg_hist_merge(hist, t->hist);
		}
	}
	memset(&tot, 0, sizeof(tot));
	tot.pkts = s->pkts;
	tot.bytes = s->bytes;
	tot.events = s->events;
	tot.raw_bytes = cfg.framing ? wire : 0;
	tot.elapsed_ns = last > first ? last - first : 0;
	secs = (double)(tot.elapsed_ns ? tot.elapsed_ns : 1000) / 1e9;
	if (run.count_sizes)
		nsizes = merge_sizes(sizes, &other_pkts, &other_bytes);

	if (cfg.fn == F_PING) {
		uint64_t avg = hist && hist->count ? (uint64_t)(pg_hist_mean(hist) + 0.5) : 0;

		nt_diag_named("ping_body", "RTT over %llu packets: min %llu av %llu ns",
			      (unsigned long long)sent,
			      (unsigned long long)(hist && hist->count ? hist->min : 0),
			      (unsigned long long)avg);
		fprintf(out, "Sent %llu probes, received %llu replies, lost %llu.\n",
			(unsigned long long)sent, (unsigned long long)received,
			(unsigned long long)(sent - received));
		pg_hist_print_summary(out, hist, "RTT", "no replies.");
	} else if (cfg.fn == F_PONG) {
		fprintf(out, "Received %llu packets, sent %llu replies.\n",
			(unsigned long long)received, (unsigned long long)sent);
	} else {
		nt_print_summary(out, cfg.sender ? "Sent" : "Received", &tot, cfg.no_normalize);
	}
	if (cfg.per_ring && cfg.fn != F_PING && cfg.fn != F_PONG)
		for (i = run.dir_first; i < s->nrings; i++)
			fprintf(out, "Ring %u: %llu packets %llu bytes\n", i,
				(unsigned long long)s->ring_pkts[i],
				(unsigned long long)s->ring_bytes[i]);
	for (i = 0; i < nsizes; i++)
		fprintf(out, "Size %u: %llu packets %llu bytes\n", sizes[i].size,
			(unsigned long long)sizes[i].pkts, (unsigned long long)sizes[i].bytes);
	if (run.count_sizes && other_pkts)
		fprintf(out, "Size other: %llu packets %llu bytes\n",
			(unsigned long long)other_pkts, (unsigned long long)other_bytes);
	if (cfg.fn == F_RXSEQ)
		fprintf(out, "Sequence check: %llu gaps, %llu out of order, %llu fragment "
			"mismatches.\n", (unsigned long long)gaps, (unsigned long long)ooo,
			(unsigned long long)fragmm);
	if (cfg.fn == F_RX && run.track_latency) {
		fprintf(out, "Received %llu stamped packets, missing %llu, reordered %llu.\n",
			(unsigned long long)(hist ? hist->count : 0), (unsigned long long)gaps,
			(unsigned long long)ooo);
		pg_hist_print_summary(out, hist, "Latency", "no packets.");
	}
	if (cfg.histogram && hist)
		pg_hist_print_buckets(out, hist);
	fflush(out);
	if (cfg.rate_given && cfg.rate.value > 0 && (cfg.sender || cfg.fn == F_PING) && tot.pkts &&
	    end == END_COUNT) {
		double want = cfg.rate.value, got;
		char a[64], b[64];
		int bps = cfg.rate.unit == NT_UNIT_BPS;

		got = bps ? 8.0 * (double)(cfg.framing ? wire : tot.bytes) / secs :
			    (double)tot.pkts / secs;
		if (got < 0.95 * want)
			nt_warn(TOOL, "requested %s%s, achieved %s%s",
				nt_fmt_norm(a, sizeof(a), want, cfg.no_normalize),
				bps ? "bps" : "pps",
				nt_fmt_norm(b, sizeof(b), got, cfg.no_normalize),
				bps ? "bps" : "pps");
	}

	if (run.json) {
		struct nt_json j;

		nt_json_begin(&j, run.json, TOOL, "summary");
		nt_json_string(&j, "function", pg_func_name(cfg.fn));
		nt_json_string(&j, "end", end_names[end]);
		nt_json_int(&j, "exit_status", status);
		nt_json_u64(&j, "pkts", tot.pkts);
		nt_json_u64(&j, "bytes", tot.bytes);
		nt_json_u64(&j, "events", tot.events);
		nt_json_u64(&j, "size_avg", tot.pkts ? tot.bytes / tot.pkts : 0);
		nt_json_double(&j, "seconds", (double)tot.elapsed_ns / 1e9, 6);
		nt_json_double(&j, "pps", tot.pkts ? (double)tot.pkts / secs : 0, 3);
		nt_json_double(&j, "bps", tot.pkts ? 8.0 * (double)tot.bytes / secs : 0, 3);
		nt_json_double(&j, "raw_bps", tot.pkts ? 8.0 * (double)(cfg.framing ? wire :
								       tot.bytes) / secs : 0, 3);
		nt_json_double(&j, "avg_batch", tot.events ? (double)tot.pkts / tot.events : 0, 2);
		json_rings(&j, s->nrings, s->ring_pkts, s->ring_bytes);
		if (run.count_sizes) {
			nt_json_array_begin(&j, "sizes");
			for (i = 0; i < nsizes; i++) {
				nt_json_object_begin(&j, NULL);
				nt_json_u64(&j, "size", sizes[i].size);
				nt_json_u64(&j, "pkts", sizes[i].pkts);
				nt_json_u64(&j, "bytes", sizes[i].bytes);
				nt_json_object_end(&j);
			}
			nt_json_array_end(&j);
		}
		if (cfg.fn == F_PING) {
			nt_json_u64(&j, "sent", sent);
			nt_json_u64(&j, "received", received);
			nt_json_u64(&j, "lost", sent - received);
		}
		if (hist) {
			uint64_t lo, hi;

			nt_json_object_begin(&j, cfg.fn == F_PING ? "rtt_ns" : "latency_ns");
			nt_json_u64(&j, "min", hist->min);
			nt_json_u64(&j, "avg", (uint64_t)(pg_hist_mean(hist) + 0.5));
			nt_json_u64(&j, "max", hist->max);
			nt_json_u64(&j, "stddev", (uint64_t)(pg_hist_stddev(hist) + 0.5));
			nt_json_u64(&j, "p50", pg_hist_percentile(hist, 0.5));
			nt_json_u64(&j, "p90", pg_hist_percentile(hist, 0.9));
			nt_json_u64(&j, "p99", pg_hist_percentile(hist, 0.99));
			nt_json_u64(&j, "p999", pg_hist_percentile(hist, 0.999));
			nt_json_object_end(&j);
			nt_json_array_begin(&j, "histogram");
			for (i = 0; i < PG_HIST_BUCKETS; i++) {
				if (!hist->bucket[i])
					continue;
				pg_hist_bounds(i, &lo, &hi);
				nt_json_array_begin(&j, NULL);
				nt_json_u64(&j, NULL, hi);
				nt_json_u64(&j, NULL, hist->bucket[i]);
				nt_json_array_end(&j);
			}
			nt_json_array_end(&j);
		}
		if (cfg.fn == F_RXSEQ) {
			nt_json_u64(&j, "gaps", gaps);
			nt_json_u64(&j, "out_of_order", ooo);
			nt_json_u64(&j, "frag_mismatch", fragmm);
		}
		if (cfg.fn == F_PONG) {
			nt_json_u64(&j, "received", received);
			nt_json_u64(&j, "replies", sent);
		}
		nt_json_end(&j);
	}
}

/* ================================================================ main */

/* The name to open: netmap: is prepended unless the name has a prefix (1.7). */
static void resolve_name(const char *iface)
{
	if (!strncmp(iface, "netmap:", 7) || !strncmp(iface, "vale", 4))
		snprintf(run.port_name, sizeof(run.port_name), "%s", iface);
	else
		snprintf(run.port_name, sizeof(run.port_name), "netmap:%s", iface);
}

/*
 * -P: every record must fit the port (8.8).  Returns 0, or 1 after one
 * line naming the first record that does not.
 */
static int check_templates(void)
{
	unsigned mtu = 0, most = run.num_slots - 1 < NETMAP_MAX_FRAGS ? run.num_slots - 1 :
				NETMAP_MAX_FRAGS;
	uint64_t mac;
	uint32_t limit = PG_SIZE_MAX, k;

	if (run.is_nic && nic_info(run.main_port->hdr.nr_name, &mac, &mtu) == 0 && mtu)
		limit = mtu + PG_ETH_HLEN;
	run.tpl_split = calloc(run.tpl.count, sizeof(*run.tpl_split));
	if (!run.tpl_split) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	for (k = 0; k < run.tpl.count; k++) {
		uint32_t len = run.tpl.frame[k].len;
		struct pg_split *sp = &run.tpl_split[k];

		if (!len) {
			nt_err(TOOL, "cannot send %s: record %u is empty", cfg.pcap, k + 1);
			return 1;
		}
		if (len > limit) {
			nt_err(TOOL, "cannot send %s: record %u has %u bytes; %s carries at "
			       "most %u", cfg.pcap, k + 1, len, run.port_name, limit);
			return 1;
		}
		pg_split_frame(len, run.frags, run.max_frag, sp);
		if (sp->nfrags > most) {
			nt_err(TOOL, "cannot send %s: record %u needs %u slots of %u bytes; at "
			       "most %u are allowed", cfg.pcap, k + 1, sp->nfrags, run.max_frag,
			       most);
			return 1;
		}
	}
	return 0;
}

/* Smallest, largest and mean frame size of the run. */
static void size_bounds(uint32_t *lo, uint32_t *hi, double *avg)
{
	unsigned i;
	double sum = 0, w = 0;

	if (run.tpl.count) {
		*lo = run.tpl.min_len;
		*hi = run.tpl.max_len;
		*avg = (double)run.tpl.bytes / run.tpl.count;
		return;
	}
	switch (cfg.frame_sizes.kind) {
	case NT_SIZE_RANGE:
		*lo = cfg.range_lo;
		*hi = cfg.range_hi;
		*avg = (cfg.range_lo + cfg.range_hi) / 2.0;
		return;
	case NT_SIZE_MIX:
		*lo = UINT32_MAX;
		*hi = 0;
		run.weight_total = 0;
		for (i = 0; i < cfg.frame_sizes.count; i++) {
			const struct nt_size_entry *e = &cfg.frame_sizes.entry[i];

			*lo = e->size < *lo ? e->size : *lo;
			*hi = e->size > *hi ? e->size : *hi;
			sum += (double)e->size * e->weight;
			w += e->weight;
			run.weight_total += e->weight;
		}
		*avg = sum / w;
		return;
	default:
		*lo = *hi = cfg.frame_sizes.entry[0].size;
		*avg = *lo;
	}
}

/* Geometry checks that need the opened port (exit 2, 2.2). */
static int check_geometry(void)
{
	struct nmport_d *d = run.main_port;
	uint32_t lo, hi, e;
	double avg;
	unsigned nic_mtu = 0;
	uint64_t nic_mac = 0;
	int have_nic = run.is_nic && nic_info(d->hdr.nr_name, &nic_mac, &nic_mtu) == 0;

	if (cfg.threads > run.ndir_rings)
		return nt_usage_error(TOOL, cfg.threads_seen.opt, cfg.threads_seen.value,
				      "more threads than rings; %s has %u %s ring%s",
				      run.port_name, run.ndir_rings, cfg.sender ? "tx" : "rx",
				      run.ndir_rings == 1 ? "" : "s");
	run.nthreads = cfg.threads;

	/* probes need room after the UDP header */
	if (cfg.fn == F_TXSEQ)
		run.probe_len = PG_SEQ_LEN;
	else if (cfg.fn == F_PING || (cfg.fn == F_TX && cfg.timestamp))
		run.probe_len = PG_PROBE_LEN;
	run.track_latency = cfg.fn == F_PING || (cfg.fn == F_RX && cfg.latency);
	run.off = pg_payload_off(cfg.ep.af);
	size_bounds(&lo, &hi, &avg);
	if (run.probe_len && lo < run.off + run.probe_len) {
		if (cfg.nsizes)
			return nt_usage_error(TOOL, cfg.size_seen[0].opt, cfg.size_seen[0].value,
					      "packet size too small for %s over IPv%d; "
					      "expected at least %u", cfg.fn == F_TXSEQ ?
					      "sequence numbers" : "timestamps", cfg.ep.af,
					      run.off + run.probe_len);
		cfg.frame_sizes.entry[0].size = run.off + run.probe_len;
		lo = hi = run.off + run.probe_len;
		avg = lo;
	}
	if (cfg.sender && !run.tpl.count && run.is_nic && nic_mtu && hi > nic_mtu + PG_ETH_HLEN) {
		const struct nt_opt_seen *s = &cfg.size_seen[0];

		return nt_usage_error(TOOL, cfg.nsizes ? s->opt : "-l",
				      cfg.nsizes ? s->value : "60",
				      "packet size too large for %s; expected at most %u "
				      "(MTU %u + 14)", d->hdr.nr_name, nic_mtu + PG_ETH_HLEN,
				      nic_mtu);
	}
	if (have_nic && !cfg.src_mac_given)
		cfg.ep.mac_lo[PG_SRC] = cfg.ep.mac_hi[PG_SRC] = nic_mac;

	/* fragments: -F, -M and the buffer size (3.2) */
	run.frags = cfg.frags;
	run.max_frag = cfg.frag_size_given && cfg.frag_size < run.buf_size ? cfg.frag_size :
		       run.buf_size;
	if (!run.tpl.count) {
		struct pg_split sp;

		pg_split_frame(hi, run.frags, run.max_frag, &sp);
		if (sp.nfrags > NETMAP_MAX_FRAGS || sp.nfrags >= run.num_slots) {
			unsigned most = run.num_slots - 1 < NETMAP_MAX_FRAGS ?
					run.num_slots - 1 : NETMAP_MAX_FRAGS;

			if (cfg.frag_size_given)
				return nt_usage_error(TOOL, cfg.frag_size_seen.opt,
						      cfg.frag_size_seen.value,
						      "fragments too small: a %u-byte frame "
						      "needs %u slots; at most %u are allowed",
						      hi, sp.nfrags, most);
			return nt_usage_error(TOOL, cfg.nsizes ? cfg.size_seen[0].opt : "-l",
					      cfg.nsizes ? cfg.size_seen[0].value : "60",
					      "a %u-byte frame needs %u slots of %u bytes; at "
					      "most %u are allowed", hi, sp.nfrags, run.max_frag,
					      most);
		}
	}
	split_cache = calloc(cfg.frame_sizes.count ? cfg.frame_sizes.count : 1,
			     sizeof(*split_cache));
	if (!split_cache)
		return 1;
	for (e = 0; e < cfg.frame_sizes.count; e++)
		pg_split_frame(cfg.frame_sizes.entry[e].size, run.frags, run.max_frag,
			       &split_cache[e]);

	run.dynamic = pg_endpoints_vary(&cfg.ep) || run.probe_len ||
		      cfg.frame_sizes.kind == NT_SIZE_RANGE;
	run.count_sizes = cfg.sizes_flag || (cfg.sender && cfg.frame_sizes.kind == NT_SIZE_MIX);
	run.burst = cfg.burst ? cfg.burst : cfg.fn == F_PING || cfg.fn == F_PONG ? 1 : 512;

	/* -R (3.6, 8.3): an absolute schedule per thread */
	if (cfg.rate.value > 0 && (cfg.sender || cfg.fn == F_PING)) {
		double per_thread = cfg.rate.value / run.nthreads, pps;
		double bits = 8.0 * (cfg.framing ? (double)nt_wire_bytes((uint64_t)avg) : avg);
		int varying = run.tpl.count ? run.tpl.min_len != run.tpl.max_len :
			      cfg.frame_sizes.kind != NT_SIZE_FIXED;

		run.avg_bits = bits;
		if (cfg.rate.unit == NT_UNIT_BPS && varying) {
			rate_mode = RATE_BITS;
			run.ns_per_unit = 1e9 / per_thread;
			pps = per_thread / bits;
		} else {
			rate_mode = RATE_PACKETS;
			pps = cfg.rate.unit == NT_UNIT_BPS ? per_thread / bits : per_thread;
			run.ns_per_unit = 1e9 / pps;
		}
		/* one millisecond of traffic, at least one packet (8.3) */
		run.rate_cap = cfg.max_burst_given ? cfg.max_burst :
			       pps / 1000 < 1 ? 1 :
			       (uint32_t)(pps / 1000 < 8192 ? pps / 1000 : 8192);
		if (run.rate_cap > run.burst && !cfg.max_burst_given)
			run.rate_cap = run.burst;
	}
	run.periodic.framing_bits = cfg.framing ? 8 * NT_FRAMING_BYTES : 0;
	run.periodic.no_normalize = cfg.no_normalize;
	run.periodic.avg_stats = cfg.pps_stats;
	run.ncpus_effective = effective_cpus();
	return 0;
}

static int all_done(void)
{
	unsigned i;

	for (i = 0; i < run.nthreads; i++)
		if (run.th[i].started && !atomic_load(&run.th[i].done))
			return 0;
	return 1;
}

static int any_failed(void)
{
	unsigned i;

	for (i = 0; i < run.nthreads; i++)
		if (run.th[i].failed)
			return 1;
	return 0;
}

/* Sleep on the self-pipe until `deadline` (monotonic ns) or a wake-up. */
static void main_sleep(uint64_t deadline)
{
	uint64_t now = nt_now_ns();
	struct pollfd p = { .fd = run.wake_fd[0], .events = POLLIN };
	char buf[64];

	if (deadline > now)
		poll(&p, 1, (int)((deadline - now + 999999) / 1000000));
	while (read(run.wake_fd[0], buf, sizeof(buf)) > 0)
		;
}

/* Run until the workers end or something stops them; report meanwhile. */
static void main_loop(struct nt_reporter *rep)
{
	uint64_t t0 = nt_now_ns(), last_change = t0, last_pkts = 0;

	nt_reporter_start(rep, cfg.report_ns ? cfg.report_ns : NT_SEC(3600), run.ctrs,
			  run.nthreads);
	for (;;) {
		uint64_t now = nt_now_ns(), wake = now + NT_MSEC(PG_POLL_MS);

		if (cfg.report_ns && nt_reporter_deadline(rep) < wake)
			wake = nt_reporter_deadline(rep);
		if (cfg.duration_given && t0 + cfg.duration_ns < wake)
			wake = t0 + cfg.duration_ns;
		main_sleep(wake);
		now = nt_now_ns();
		if (stopping() || all_done())
			break;
		if (any_failed()) {
			request_stop(END_ERROR);
			break;
		}
		if (cfg.duration_given && now - t0 >= cfg.duration_ns) {
			request_stop(END_DURATION);
			break;
		}
		if (cfg.idle_ns) {
			uint64_t p = total_pkts();

			/* idle means waiting with nothing to read (1.8) */
			if (p != last_pkts || any_reading()) {
				last_pkts = p;
				last_change = now;
			} else if (p && now - last_change >= cfg.idle_ns) {
				request_stop(END_IDLE);
				break;
			}
		}
		if (cfg.report_ns && now >= nt_reporter_deadline(rep)) {
			report(rep, 0);
			rep->k = (now - rep->t0_ns) / rep->interval_ns;
		}
	}
}

int main(int argc, char **argv)
{
	struct nt_reporter rep;
	enum pg_end end;
	uint64_t reached_count = 0;
	char err[512];
	unsigned i;
	int status, pcap_err = 0;

	nt_line_buffered();
	nmctx_get()->verbose = 0;	/* errors are reported here, on one line */
	status = pg_parse_args(argc, argv, &cfg);
	if (status == PG_ARGS_DONE)
		return 0;
	if (status)
		return status;
	status = check_unsupported(cfg.iface);
	if (status)
		return status;
	if (cfg.pcap && pg_tpl_load(cfg.pcap, &run.tpl, err, sizeof(err))) {
		nt_err(TOOL, "%s", err);	/* before anything is opened (8.8) */
		return 1;
	}
	resolve_name(cfg.iface);
	if (cfg.json_given) {
		if (cfg.json_file) {
			run.json = fopen(cfg.json_file, "w");
			if (!run.json) {
				nt_err(TOOL, "cannot open %s: %s", cfg.json_file, strerror(errno));
				return 1;
			}
		} else {
			run.json = stdout;
			nt_set_streams(stderr, NULL);	/* stdout holds only JSON (8.1) */
		}
	}
	pg_pattern_init(cfg.indirect);
	if (pipe2(run.wake_fd, O_CLOEXEC | O_NONBLOCK)) {
		nt_err(TOOL, "cannot create a pipe: %s", strerror(errno));
		return 1;
	}
	install_signals();

	run.main_port = open_main_port(run.port_name, &status);
	if (!run.main_port)
		return status;
	run.backend = nmport_backend(run.main_port);
	run.kind = port_kind_text(run.main_port);
	{
		struct nmport_d *d = run.main_port;
		unsigned first = cfg.sender ? d->first_tx_ring : d->first_rx_ring;
		unsigned last = cfg.sender ? d->last_tx_ring : d->last_rx_ring;
		struct netmap_ring *ring;

		run.ndir_rings = last >= first ? last - first + 1 : 0;
		run.dir_first = first;
		if (!run.ndir_rings || ((cfg.fn == F_PING || cfg.fn == F_PONG) &&
					(d->last_tx_ring < d->first_tx_ring ||
					 d->last_rx_ring < d->first_rx_ring))) {
			nt_err(TOOL, "cannot use %s: the port has no %s rings bound",
			       run.port_name, cfg.sender ? "tx" : "rx");
			nmport_close(d);
			return 1;
		}
		ring = cfg.sender ? NETMAP_TXRING(d->nifp, first) : NETMAP_RXRING(d->nifp, first);
		run.num_slots = ring->num_slots;
		run.buf_size = ring->nr_buf_size;
	}
	status = check_geometry();
	if (!status && run.tpl.count)
		status = check_templates();
	if (!status && cfg.pcap_out) {
		run.pcap_out = pg_pcap_out_open(cfg.pcap_out, cfg.snaplen, err, sizeof(err));
		if (!run.pcap_out) {
			nt_err(TOOL, "%s", err);
			status = 1;
		}
	}
	if (status) {
		nmport_close(run.main_port);
		return status;
	}
	if (!cfg.wait_given && run.is_nic)
		cfg.wait_ns = NT_SEC(2);	/* 1.8: only system interfaces wait */
	status = setup_threads();
	if (status) {
		if (status < 0)
			nt_err(TOOL, "out of memory");
		nmport_close(run.main_port);
		return 1;
	}
	if (!strcmp(run.kind, "system interface, emulated adapter"))
		nt_warn(TOOL, "%s uses the emulated adapter; rates will be lower than native",
			run.main_port->hdr.nr_name);
	print_startup();
	if (cfg.verbose)
		for (i = 0; i < run.nthreads; i++)
			nt_diag("thread %u: %u tx rings, %u rx rings, %u descriptors, cpu %d", i,
				run.th[i].ntx, run.th[i].nrx, run.th[i].nports, run.th[i].cpu);

	if (cfg.wait_ns) {
		uint64_t until = nt_now_ns() + cfg.wait_ns;

		while (!stopping() && nt_now_ns() < until)
			main_sleep(until);
	}
	atomic_store(&run.rx_remaining, cfg.count);
	if (!stopping() && start_threads()) {
		request_stop(END_ERROR);
		for (i = 0; i < run.nthreads; i++)
			if (!run.th[i].started)
				thread_fail(&run.th[i], "thread could not start");
	}
	main_loop(&rep);
	{
		uint64_t zero = 0;

		atomic_compare_exchange_strong(&run.stop_ns, &zero, nt_now_ns());
		atomic_store(&run.stop, 1);
	}
	for (i = 0; i < run.nthreads; i++)
		if (run.th[i].started)
			pthread_join(run.th[i].tid, NULL);
	report(&rep, 1);
	if (run.pcap_out) {
		/* every record on disk before the summary says how many there are */
		pcap_err = pg_pcap_out_close(run.pcap_out);
		run.pcap_out = NULL;
	}

	/* exit status (1.3, 3.8) */
	switch (cfg.fn) {
	case F_PING:
	case F_PONG:
		for (i = 0; i < run.nthreads; i++)
			reached_count += cfg.fn == F_PING ? run.th[i].received : run.th[i].sent;
		break;
	default:
		reached_count = rep.prev.pkts;
	}
	status = 0;
	end = (enum pg_end)atomic_load(&end_reason);
	if (any_failed()) {
		status = 1;
		end = END_ERROR;
		for (i = 0; i < run.nthreads; i++)
			if (run.th[i].failed && strcmp(run.th[i].errmsg, "thread could not start"))
				nt_err(TOOL, "thread %u: %s", i, run.th[i].errmsg);
	} else if (pcap_err) {
		status = 1;
		end = END_ERROR;
		nt_err(TOOL, "cannot write %s: %s", cfg.pcap_out, strerror(pcap_err));
	} else if (cfg.count && reached_count < cfg.count) {
		status = 3;
	} else if (cfg.count) {
		end = END_COUNT;
	}
	if (end == END_NONE)
		end = END_SIGNAL;
	summary(&rep.prev, end, status);

	for (i = 0; i < run.nthreads && run.nthreads > 1; i++) {
		unsigned k;

		for (k = 0; k < run.th[i].nports; k++)
			nmport_close(run.th[i].ports[k]);
	}
	nmport_close(run.main_port);
	pg_tpl_free(&run.tpl);
	if (run.json && run.json != stdout)
		fclose(run.json);
	return status;
}
