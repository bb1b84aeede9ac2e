// SPDX-License-Identifier: BSD-2-Clause
/*
 * nmreplay: replay pcap and pcapng files into a netmap port (tools.md
 * section 6, 8.3, 8.8).  The files are loaded once, by a loader thread,
 * into one trace (packet data plus a small record per packet); the
 * transmit thread then walks the schedule of nr_sched.c loop after loop,
 * sending each packet when it is due on an absolute clock: a late packet
 * goes at once and does not shift the ones after it, and its lateness is
 * measured.  The main thread reports (-T, -L, -j), watches --duration and
 * the signals, and prints the summary.
 *
 * The command line is nr_options.c's; ports, signals, the main loop,
 * pacing waits, capture files, statistics and JSON come from tools/common.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <libnetmap.h>

#include "nr_options.h"
#include "nr_sched.h"
#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_pace.h"
#include "nt_pcap.h"
#include "nt_port.h"
#include "nt_run.h"
#include "nt_stats.h"

#define TOOL			"nmreplay"
#define NR_FRAME_MAX		65535	/* longer frames are skipped (6.3) */
#define NR_TIMER_SLACK_NS	1000	/* wake-ups within a microsecond of the schedule */

static struct nr_config cfg;

/* What the transmit thread publishes while it runs (counters aside). */
struct nr_live {
	_Atomic uint64_t loops_done;	/* completed loops */
	_Atomic uint64_t considered;	/* -L: packets (plr) or bits (ber) decided */
};

static struct {
	struct nt_port port;
	struct netmap_ring *ring;	/* the first TX ring of the port */
	uint32_t max_slots;		/* most slots a packet may take */

	struct nt_trace trace;
	uint32_t file_first[NR_FILES_MAX];
	struct nt_trace_file file_info[NR_FILES_MAX];
	struct nr_sched sched;

	struct nt_counters *ctr;	/* pkts, bytes, events (syncs), drops (-L) */
	struct nr_live live;
	struct nt_worker loader, sender;
	struct nt_reporter rep;
	uint64_t origin_ns;		/* the schedule's origin: right after "Ready" */

	/* the sender's totals, read after it is joined */
	uint64_t truncated, skipped, late_max_ns, last_sent_ns;
	struct nt_tx_taken taken;	/* what the port took, counted after each sync */
	struct nt_tx_sum unsent;	/* placed, never taken by the port */

	FILE *json;
	uint64_t json_pkts;		/* sum of the JSON intervals */
} nr;

/* ================================================================ loading */

/* The loader thread (6.3): every file, in command-line order, once. */
static void load_files(struct nt_worker *w)
{
	unsigned flags = NT_TRACE_HINT_ALLOW | (cfg.allow_truncated ? NT_TRACE_ALLOW_TRUNCATED : 0);
	char err[512];
	unsigned i;

	for (i = 0; i < cfg.nfiles && !nt_stopping(); i++) {
		nr.file_first[i] = nr.trace.count;
		if (nt_trace_load(&nr.trace, cfg.files[i], &nt_trace_replay, flags,
				  &nr.file_info[i], err, sizeof(err))) {
			nt_worker_fail(w, "%s", err);
			return;
		}
	}
}

/* Load the trace; 0, or 1 after one error line. */
static int load_trace(void)
{
	double span;
	unsigned i;
	int err;

	nr.loader.fn = load_files;
	nr.loader.cpu = cfg.loader_cpu;
	err = nt_workers_start(&nr.loader, 1);
	if (err) {
		nt_err(TOOL, "cannot start the loader thread: %s", strerror(err));
		return 1;
	}
	nt_workers_join(&nr.loader, 1);
	if (nt_workers_report(TOOL, &nr.loader, 1, 0))
		return 1;
	if (nt_stopping())
		return 0;
	for (i = 0; i < cfg.nfiles; i++) {
		const struct nt_trace_file *f = &nr.file_info[i];

		if (cfg.verbose)
			nt_diag_named("load", "%s: %u packets, records %u to %u of the trace, "
				      "span %.6f s", cfg.files[i], f->count, f->first + 1,
				      f->first + f->count,
				      (double)(nr.trace.rec[f->first + f->count - 1].ts_ns -
					       nr.trace.rec[f->first].ts_ns) / 1e9);
		if (f->backwards)
			nt_warn(TOOL, "%s: %u time stamps go backwards; replayed as zero gaps",
				cfg.files[i], f->backwards);
		if (f->truncated_at)
			nt_warn(TOOL, "%s: record %u is truncated (the file ends inside it); "
				"replaying the %u records before it", cfg.files[i], f->truncated_at,
				f->count);
	}
	span = nr_trace_span_ns(&nr.trace, nr.file_first, cfg.nfiles);
	nt_diag_named("load", "Loaded %u packets (%llu bytes, span %.6f s) from %u files",
		      nr.trace.count, (unsigned long long)nr.trace.wire_bytes, span / 1e9,
		      cfg.nfiles);
	return 0;
}

/* -v: the schedule the options make (6.2, 8.8). */
static void describe_schedule(void)
{
	static const char *const pacing[] = {
		[NR_PACE_TRACE] = "trace timing", [NR_PACE_BITS] = "constant bit rate",
		[NR_PACE_PACKETS] = "constant packet rate", [NR_PACE_NONE] = "none",
	};
	static const char *const delays[] = {
		[NR_DELAY_NONE] = "none", [NR_DELAY_CONSTANT] = "constant",
		[NR_DELAY_UNIFORM] = "uniform", [NR_DELAY_EXP] = "exponential",
	};
	static const char *const losses[] = {
		[NR_LOSS_NONE] = "none", [NR_LOSS_PLR] = "plr", [NR_LOSS_BER] = "ber",
	};
	const struct nr_sched_cfg *c = &cfg.sched;

	nt_diag_named("sched", "pacing %s (rate %g, speed-up %g, framing %u bytes), delay %s "
		      "(%.0f..%.0f ns), loss %s (%g), gap %.0f ns, seed %llu, batch %u",
		      pacing[c->pace], c->rate, c->speedup, c->framing, delays[c->delay],
		      c->delay_a_ns, c->delay_b_ns, losses[c->loss], c->loss_p,
		      nr_sched_gap_ns(&nr.sched), (unsigned long long)c->seed, cfg.batch);
}

/* ================================================================ sending */

/*
 * One frame into slots from *cur: its captured bytes, zeros up to its
 * original length (6.3), NS_MOREFRAG on all slots but the last.
 */
static void put_frame(struct netmap_ring *ring, uint32_t *cur, const uint8_t *data,
		      uint32_t caplen, uint32_t len)
{
	uint32_t off = 0, bufsize = ring->nr_buf_size;

	while (off < len) {
		struct netmap_slot *slot = &ring->slot[*cur];
		uint8_t *buf = (uint8_t *)NETMAP_BUF(ring, slot->buf_idx);
		uint32_t n = len - off < bufsize ? len - off : bufsize;
		uint32_t c = off < caplen ? (caplen - off < n ? caplen - off : n) : 0;

		memcpy(buf, data + off, c);
		if (c < n)
			memset(buf + c, 0, n - c);
		slot->len = (uint16_t)n;
		slot->flags = off + n < len ? NS_MOREFRAG : 0;
		off += n;
		*cur = nm_ring_next(ring, *cur);
	}
}

static void sync_failed(struct nt_worker *w, const char *call, int err)
{
	nt_worker_fail(w, "%s on %s failed: %s", call, nr.port.name,
		       err == -EIO ? "the port reported an error" : strerror(-err));
}

/*
 * Wait for room on the TX ring for a packet that is due.  When paced, the
 * packet is late already: spin on syncs for up to NT_SPIN_NS, as for a
 * due time that is near (6.3), before sleeping in poll(), whose wake-up
 * (the consumer's release, then this CPU's) can cost more than the ring
 * holds at the rate.
 */
static int wait_room(struct nt_worker *w, int paced)
{
	struct pollfd pfd = { .fd = nr.port.d->fd, .events = POLLOUT };
	uint64_t until = paced ? nt_now_ns() + NT_SPIN_NS : 0;
	int err;

	while (until) {
		err = nmport_txsync(nr.port.d);
		if (err) {
			sync_failed(w, "txsync", err);
			return -1;
		}
		if (nm_ring_space(nr.ring) || nt_stopping())
			return 0;
		if (nt_now_ns() >= until)
			break;
		nt_busy_backoff();
	}
	nt_tx_arm(nr.port.d);
	err = nt_poll_ports(&pfd, 1, NT_POLL_MS);
	if (err) {
		sync_failed(w, "poll", err);
		return -1;
	}
	return 0;
}

/*
 * The transmit thread (6.3): packets as they fall due, at most -b between
 * two syncs, a sync whenever it waits.
 */
static void send_trace(struct nt_worker *w)
{
	struct netmap_ring *ring = nr.ring;
	const struct nt_trace *t = &nr.trace;
	uint64_t loops = 0, late_max = 0, truncated = 0, skipped = 0;
	struct nr_pkt p;
	/* without pacing nothing is late: everything is due at once */
	int paced = cfg.sched.pace != NR_PACE_NONE, done = 0, err;

	/* a sleep towards a due time ends within a microsecond of it */
	prctl(PR_SET_TIMERSLACK, NR_TIMER_SLACK_NS, 0, 0, 0);
	nt_tx_taken_start(&nr.taken, ring);
	nr_sched_next(&nr.sched, &p);
	while (!done && !nt_stopping()) {
		uint64_t now, bytes = 0, dropped = 0, due;
		uint32_t space, cur = ring->head, n = 0, seen = 0;
		int full = 0;

		/* what the port took, counted before its slots are used again */
		nt_tx_count_taken(&nr.taken, ring, 0, nr.ctr, NT_STATS_RINGS_MAX);
		now = nt_now_ns();
		space = nm_ring_space(ring);

		/* at most -b packets, sent or not, between two looks at the clock */
		for (; seen < cfg.batch; seen++) {
			const struct nt_trace_rec *r = &t->rec[p.rec];
			uint32_t len = r->len, slots;

			if (p.drop) {
				dropped++;
			} else {
				due = nr.origin_ns + p.due_ns;
				if (due > now)
					break;
				slots = len <= ring->nr_buf_size ? 1 :
					(len + ring->nr_buf_size - 1) / ring->nr_buf_size;
				if (!len || len > NR_FRAME_MAX || slots > nr.max_slots) {
					skipped++;
				} else if (slots > space) {
					full = 1;
					break;
				} else {
					if (len == r->caplen && slots == 1) {
						struct netmap_slot *slot = &ring->slot[cur];

						memcpy(NETMAP_BUF(ring, slot->buf_idx),
						       nt_trace_frame(t, p.rec), len);
						slot->len = (uint16_t)len;
						slot->flags = 0;
						cur = nm_ring_next(ring, cur);
					} else {
						put_frame(ring, &cur, nt_trace_frame(t, p.rec),
							  r->caplen, len);
						truncated += r->caplen < len;
					}
					space -= slots;
					n++;
					bytes += len;
					if (paced) {
						if (now - due > late_max)
							late_max = now - due;
						nt_counters_note_max(nr.ctr, now - due);
					}
				}
			}
			if (p.last_of_loop) {
				atomic_store_explicit(&nr.live.loops_done, ++loops,
						      memory_order_relaxed);
				if (cfg.loops && loops == cfg.loops) {
					done = 1;
					break;
				}
			}
			nr_sched_next(&nr.sched, &p);
		}
		if (cfg.sched.loss != NR_LOSS_NONE)
			atomic_store_explicit(&nr.live.considered,
					      nr.sched.cfg.loss == NR_LOSS_PLR ?
					      nr.sched.considered_pkts : nr.sched.considered_bits,
					      memory_order_relaxed);
		if (dropped)
			nt_counters_add_drops(nr.ctr, dropped);
		if (n) {
			ring->head = ring->cur = cur;
			nt_tx_placed(&nr.taken, ring, n, bytes);
			err = nmport_txsync(nr.port.d);
			if (err) {
				sync_failed(w, "txsync", err);
				break;
			}
			nr.last_sent_ns = nt_now_ns();
			/* an event is a sync; its packets count once the port took them (2.3) */
			nt_counter_bump(&nr.ctr->events, 1);
		}
		if (done || seen == cfg.batch)
			continue;
		if (full) {
			/*
			 * After a sync that placed packets, look at the room it
			 * found before sleeping: the consumer may have released
			 * slots meanwhile, and a sleep with room left costs a
			 * wake-up on each side.
			 */
			if (n)
				continue;
			if (wait_room(w, paced))
				break;
		} else if (!p.drop && nr.origin_ns + p.due_ns > nt_now_ns()) {
			nt_wait_due(nr.origin_ns + p.due_ns, 0);
		}
	}
	if (!atomic_load(&w->failed)) {
		const char *call = "txsync";

		err = nt_tx_drain(&nr.port.d, 1, 0, 0, &call);
		if (err)
			sync_failed(w, call, err);
	}
	/* what sat on the ring was never counted: the summary says how much (6.4) */
	nt_tx_count_taken(&nr.taken, ring, 0, nr.ctr, NT_STATS_RINGS_MAX);
	nt_tx_unsent(nr.port.d, 0, &nr.unsent);
	nr.truncated = truncated;
	nr.skipped = skipped;
	nr.late_max_ns = late_max;
}

/* ================================================================ reports */

static uint64_t loop_in_progress(void)
{
	uint64_t done = atomic_load_explicit(&nr.live.loops_done, memory_order_relaxed);

	return cfg.loops && done >= cfg.loops ? done : done + 1;
}

/* 6.4: "plr nominal <x> actual <y>". */
static void print_loss(void)
{
	uint64_t considered = atomic_load_explicit(&nr.live.considered, memory_order_relaxed);
	uint64_t dropped = atomic_load_explicit(&nr.ctr->drops, memory_order_relaxed);

	nt_diag_named("main_thread", "plr nominal %e actual %e", cfg.sched.loss_p,
		      considered ? (double)dropped / (double)considered : 0.0);
}

/* The rate line (6.4), the -L line and the JSON interval. */
static void report(void *arg, int final)
{
	struct nt_delta d;
	int printable = nt_reporter_take(&nr.rep, nr.ctr, 1, final, &d);
	uint64_t loop = loop_in_progress();

	(void)arg;
	if (!printable && !final)
		return;		/* folded into the next report */
	if (printable && cfg.report_ns) {
		char line[256];

		nt_fmt_interval(line, sizeof(line), nt_rate_pps(d.pkts, d.usec), d.pkts,
				nt_rate_bps(d.bytes, d.pkts, 0, d.usec), d.usec, 0);
		nt_diag_named("main_thread", "%s loop %llu late_max %llu us", line,
			      (unsigned long long)loop,
			      (unsigned long long)(d.max_value / 1000));
		if (cfg.loss_given && !final)
			print_loss();
	}
	if (nr.json) {
		struct nt_json j;

		nr.json_pkts += d.pkts;
		nt_json_begin(&j, nr.json, TOOL, "interval");
		nt_json_u64(&j, "interval_us", d.usec);
		nt_json_u64(&j, "pkts", d.pkts);
		nt_json_u64(&j, "bytes", d.bytes);
		nt_json_u64(&j, "pps", nt_rate_pps(d.pkts, d.usec));
		nt_json_double(&j, "bps", nt_rate_bps(d.bytes, d.pkts, 0, d.usec), 3);
		nt_json_u64(&j, "loop", loop);
		nt_json_u64(&j, "late_max_us", d.max_value / 1000);
		nt_json_u64(&j, "dropped_loss", d.drops);
		nt_json_u64(&j, "total_pkts", nr.json_pkts);
		nt_json_end(&j);
	}
}

static void json_start(void)
{
	struct nt_json j;
	unsigned i;

	nt_json_begin(&j, nr.json, TOOL, "start");
	nt_json_string(&j, "version", PACKAGE_VERSION);
	nt_json_string(&j, "backend", nr.port.backend);
	nt_json_string(&j, "port", nr.port.name);
	nt_json_array_begin(&j, "files");
	for (i = 0; i < cfg.nfiles; i++)
		nt_json_string(&j, NULL, cfg.files[i]);
	nt_json_array_end(&j);
	nt_json_u64(&j, "trace_pkts", nr.trace.count);
	nt_json_u64(&j, "trace_bytes", nr.trace.wire_bytes);
	nt_json_double(&j, "span_s", nr_trace_span_ns(&nr.trace, nr.file_first, cfg.nfiles) / 1e9,
		       6);
	nt_json_string(&j, "bandwidth", cfg.bandwidth_given ? cfg.bandwidth_seen.value : NULL);
	nt_json_string(&j, "delay", cfg.delay_given ? cfg.delay_seen.value : NULL);
	nt_json_string(&j, "loss", cfg.loss_given ? cfg.loss_seen.value : NULL);
	nt_json_u64(&j, "loops", cfg.loops);
	nt_json_end(&j);
}

/* 6.4: pkt-gen's summary, the Replay line, and the JSON summary. */
static void summary(enum nt_end end, int status)
{
	const struct nt_snapshot *s = &nr.rep.prev;
	uint64_t loops = atomic_load(&nr.live.loops_done);
	struct nt_totals tot;
	FILE *out = nt_out();
	double secs;

	memset(&tot, 0, sizeof(tot));
	tot.pkts = s->pkts;
	tot.bytes = s->bytes;
	tot.events = s->events;
	tot.elapsed_ns = nr.last_sent_ns > nr.origin_ns ? nr.last_sent_ns - nr.origin_ns : 0;
	secs = (double)(tot.elapsed_ns ? tot.elapsed_ns : 1000) / 1e9;
	if (cfg.loss_given)
		print_loss();
	nt_warn_unsent(&nr.unsent, TOOL, nr.port.name);
	nt_print_summary(out, "Sent", &tot, 0);
	fprintf(out, "Replay: %llu loops of %u packets, %llu dropped by -L, %llu truncated, "
		"%llu skipped, late_max %llu us.\n", (unsigned long long)loops, nr.trace.count,
		(unsigned long long)s->drops, (unsigned long long)nr.truncated,
		(unsigned long long)nr.skipped, (unsigned long long)(nr.late_max_ns / 1000));
	fflush(out);
	if (nr.json) {
		struct nt_json j;

		nt_json_begin(&j, nr.json, TOOL, "summary");
		nt_json_string(&j, "end", nt_end_name(end));
		nt_json_int(&j, "exit_status", status);
		nt_json_u64(&j, "pkts", tot.pkts);
		nt_json_u64(&j, "bytes", tot.bytes);
		nt_json_u64(&j, "events", tot.events);
		nt_json_double(&j, "seconds", (double)tot.elapsed_ns / 1e9, 6);
		nt_json_double(&j, "pps", tot.pkts ? (double)tot.pkts / secs : 0, 3);
		nt_json_double(&j, "bps", tot.pkts ? 8.0 * (double)tot.bytes / secs : 0, 3);
		nt_json_u64(&j, "loops_completed", loops);
		nt_json_u64(&j, "dropped_loss", s->drops);
		nt_json_u64(&j, "truncated", nr.truncated);
		nt_json_u64(&j, "skipped", nr.skipped);
		nt_json_u64(&j, "late_max_us", nr.late_max_ns / 1000);
		nt_json_end(&j);
	}
}

/* ================================================================ main */

/* The output port (6.3 step 2): opened, its first TX ring chosen. */
static int open_port(void)
{
	struct nmport_d *d;
	int st;

	st = nt_port_open(&nr.port, TOOL, cfg.iface_seen.opt, cfg.iface_seen.value, cfg.iface);
	if (st)
		return st;
	d = nr.port.d;
	if (d->last_tx_ring < d->first_tx_ring) {
		nt_err(TOOL, "cannot use %s: the port has no tx rings bound", nr.port.name);
		nt_port_close(&nr.port);
		return 1;
	}
	nr.ring = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	nr.max_slots = nr.ring->num_slots - 1 < NETMAP_MAX_FRAGS ? nr.ring->num_slots - 1 :
		       NETMAP_MAX_FRAGS;
	nt_port_report(&nr.port);
	return 0;
}

int main(int argc, char **argv)
{
	struct nt_loop loop;
	enum nt_end end;
	int st;

	nt_tool_init();
	st = nr_parse_args(argc, argv, &cfg);
	if (st)
		return st == NR_ARGS_DONE ? 0 : st;
	if (nt_run_begin(TOOL, cfg.json_given, cfg.json_file, &nr.json))
		return 1;
	st = open_port();
	if (!st)
		st = load_trace();
	if (st) {
		nt_port_close(&nr.port);
		return st;
	}
	nr.ctr = aligned_alloc(64, (sizeof(*nr.ctr) + 63) / 64 * 64);
	if (!nr.ctr) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	nt_counters_init(nr.ctr, 0);
	nr_sched_init(&nr.sched, &cfg.sched, &nr.trace, nr.file_first, cfg.nfiles);
	if (cfg.verbose)
		describe_schedule();

	st = 0;
	if (!nt_stopping()) {
		uint64_t wait_ns = nt_link_wait_ns(cfg.wait_given, cfg.wait_ns, nr.port.is_nic);

		if (wait_ns)
			nt_main_wait_until(nt_now_ns() + wait_ns);
	}
	if (!nt_stopping()) {
		nt_diag_named("main", "Ready to replay on %s", nr.port.name);
		if (nr.json)
			json_start();
		nr.origin_ns = nt_now_ns();
		nt_reporter_start(&nr.rep, cfg.report_ns ? cfg.report_ns : NT_SEC(3600), nr.ctr, 1);
		nr.sender.fn = send_trace;
		nr.sender.cpu = cfg.tx_cpu;
		memset(&loop, 0, sizeof(loop));
		loop.rep = &nr.rep;
		loop.report_ns = cfg.report_ns;
		loop.duration_ns = cfg.duration_given ? cfg.duration_ns : 0;
		loop.workers = &nr.sender;
		loop.nworkers = 1;
		loop.report = report;
		st = nt_run_workers(TOOL, &loop);
	} else {
		nt_reporter_start(&nr.rep, NT_SEC(3600), nr.ctr, 1);
	}
	nt_request_stop(NT_END_NONE);
	nt_workers_join(&nr.sender, 1);
	report(NULL, 1);

	/* exit status (6.6) */
	end = nt_end_reason();
	if (st || nt_workers_report(TOOL, &nr.sender, 1, 0)) {
		st = 1;
		end = NT_END_ERROR;
	} else if (cfg.loops && atomic_load(&nr.live.loops_done) < cfg.loops) {
		st = 3;
	} else if (cfg.loops) {
		end = NT_END_COUNT;
	}
	if (end == NT_END_NONE)
		end = NT_END_SIGNAL;
	summary(end, st);
	nt_port_close(&nr.port);
	nt_trace_free(&nr.trace);
	free(nr.ctr);
	nt_json_close_output(nr.json);
	return st;
}
