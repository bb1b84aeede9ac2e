// SPDX-License-Identifier: BSD-2-Clause
/*
 * bridge: forward packets both ways between two netmap ports, between a
 * NIC and its host stack, or back out of one port (tools.md section 5,
 * 8.10).  When both ports share a memory region the slots' buffers are
 * swapped (zero copy); otherwise frames are copied.  A packet spanning
 * several slots (NS_MOREFRAG) moves only when all its slots have arrived
 * and fit, so it is forwarded whole.
 *
 * One worker thread forwards; the main thread reports (-T, -j), watches
 * --duration and the signals, and prints the per-direction summary.
 * The command line is br_options.c's; ports, signals, the main loop,
 * statistics and JSON come from tools/common.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnetmap.h>

#include "br_options.h"
#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_port.h"
#include "nt_prefetch.h"
#include "nt_run.h"
#include "nt_stats.h"

#define TOOL			"bridge"
#define BR_IDLE_LOG_NS		(NT_MSEC(2500))	/* -v: a poll round without traffic */
#define BR_STALL_NS		(NT_MSEC(1))	/* packets that cannot move yet: wait */

static struct br_config cfg;

/* One direction: every RX ring of src to the TX rings of dst. */
struct br_dir {
	struct nt_port *src, *dst;
	struct nt_counters *ctr;	/* written by the worker only */
	struct nt_reporter rep;		/* the main thread's baseline */
	uint64_t oversize;		/* copy mode: frames larger than dst's buffers */
};

static struct {
	struct nt_port port[2];
	unsigned nports;		/* 1: loopback, 2: A and B */
	struct br_dir dir[2];
	unsigned ndirs;
	int zerocopy;
	struct nt_counters *ctrs;	/* one block per direction */
	struct nt_worker worker;
	FILE *json;
	uint64_t ready_ns;		/* the readiness line: the summary's origin */
} br;

/* ================================================================ forwarding */

enum br_block { BR_GO, BR_RX_SHORT, BR_TX_SHORT };

/*
 * Zero copy rewrites both slots of every packet, and on a bridge between
 * pipes each of those lines was last written on another CPU (the
 * sender's TX sync stored the RX slot, the receiver's RX sync copied the
 * TX slot back).  Read first, then written, such a line crosses twice
 * (shared, then owned); asked for with write intent this many slots
 * ahead, it crosses once and the misses of several lines overlap
 * (bench/README.md, "Where the time goes in bridge_zc").
 */
#define BR_PREFETCH	16

static inline uint32_t br_ahead(const struct netmap_ring *r, uint32_t i)
{
	i += BR_PREFETCH;
	return i < r->num_slots ? i : i % r->num_slots;
}

/*
 * Move whole packets from rx to tx, at most `limit`.  Returns the packets
 * moved; *block says why it stopped early (the next packet has not fully
 * arrived, or tx has no room for all its slots).
 */
static unsigned move_ring(struct netmap_ring *rx, struct netmap_ring *tx, unsigned limit,
			  int zerocopy, uint64_t *bytes, uint64_t *oversize, enum br_block *block)
{
	uint32_t j = rx->head, k = tx->head;
	uint32_t rspace = nm_ring_space(rx), tspace = nm_ring_space(tx);
	unsigned pkts = 0;

	*block = BR_GO;
	while (pkts < limit && rspace) {
		uint32_t n = 1, x = j, i;
		int drop = 0;

		while (rx->slot[x].flags & NS_MOREFRAG) {
			if (n == rspace)
				break;
			x = nm_ring_next(rx, x);
			n++;
		}
		if (rx->slot[x].flags & NS_MOREFRAG) {
			*block = BR_RX_SHORT;	/* its last slot is not here yet */
			break;
		}
		if (n > tspace) {
			*block = BR_TX_SHORT;
			break;
		}
		if (!zerocopy)
			for (i = 0, x = j; i < n; i++, x = nm_ring_next(rx, x))
				drop |= rx->slot[x].len > tx->nr_buf_size;
		if (drop) {
			/* a copy would not fit: consume the packet, send nothing */
			(*oversize)++;
			for (i = 0; i < n; i++)
				j = nm_ring_next(rx, j);
			rspace -= n;
			continue;
		}
		for (i = 0; i < n; i++) {
			struct netmap_slot *rs = &rx->slot[j], *ts = &tx->slot[k];

			nt_prefetchw(&tx->slot[br_ahead(tx, k)]);
			if (zerocopy) {
				uint32_t idx = ts->buf_idx;

				nt_prefetchw(&rx->slot[br_ahead(rx, j)]);
				ts->buf_idx = rs->buf_idx;
				rs->buf_idx = idx;
				rs->flags |= NS_BUF_CHANGED;
				ts->flags = (rs->flags & NS_MOREFRAG) | NS_BUF_CHANGED;
			} else {
				memcpy(NETMAP_BUF(tx, ts->buf_idx), NETMAP_BUF(rx, rs->buf_idx),
				       rs->len);
				ts->flags = rs->flags & NS_MOREFRAG;
			}
			ts->len = rs->len;
			*bytes += rs->len;
			j = nm_ring_next(rx, j);
			k = nm_ring_next(tx, k);
		}
		rspace -= n;
		tspace -= n;
		pkts++;
	}
	rx->head = rx->cur = j;
	tx->head = tx->cur = k;
	return pkts;
}

/* One round of a direction: up to -b packets over its ring pairs. */
static unsigned move_dir(struct br_dir *d)
{
	struct nmport_d *s = d->src->d, *t = d->dst->d;
	unsigned si = s->first_rx_ring, ti = t->first_tx_ring, moved = 0;
	uint64_t bytes = 0;

	while (si <= s->last_rx_ring && ti <= t->last_tx_ring && moved < cfg.burst) {
		struct netmap_ring *rx = NETMAP_RXRING(s->nifp, si);
		struct netmap_ring *tx = NETMAP_TXRING(t->nifp, ti);
		enum br_block block;

		if (nm_ring_empty(rx)) {
			si++;
			continue;
		}
		if (!nm_ring_space(tx)) {
			ti++;
			continue;
		}
		moved += move_ring(rx, tx, cfg.burst - moved, br.zerocopy, &bytes, &d->oversize,
				   &block);
		if (block == BR_RX_SHORT)
			si++;
		else if (block == BR_TX_SHORT)
			ti++;
	}
	if (moved) {
		nt_counters_add(d->ctr, moved, bytes, 1);
		if (cfg.verbose)
			nt_diag_named("move", "%u packets %llu bytes %s -> %s", moved,
				      (unsigned long long)bytes, d->src->name, d->dst->name);
	}
	return moved;
}

/* Does any RX ring of the port hold packets? */
static int rx_pending(const struct nt_port *p)
{
	unsigned i;

	for (i = p->d->first_rx_ring; i <= p->d->last_rx_ring; i++)
		if (!nm_ring_empty(NETMAP_RXRING(p->d->nifp, i)))
			return 1;
	return 0;
}

static int sync_all(struct nt_worker *w, int (*sync)(struct nmport_d *), const char *what)
{
	unsigned i;
	int err;

	for (i = 0; i < br.nports; i++) {
		err = sync(br.port[i].d);
		if (err) {
			nt_worker_fail(w, "%s on %s failed: %s", what, br.port[i].name,
				       strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* bridge-b (5.1): sync, move, sync, without sleeping. */
static void forward_busy(struct nt_worker *w)
{
	while (!nt_stopping()) {
		unsigned moved = 0, i;

		if (sync_all(w, nmport_rxsync, "rxsync"))
			return;
		for (i = 0; i < br.ndirs; i++)
			moved += move_dir(&br.dir[i]);
		if (sync_all(w, nmport_txsync, "txsync"))
			return;
		if (!moved)
			nt_busy_backoff();
	}
}

/*
 * Sleeping in poll(), as netmap's bridge does: a port with packets to
 * forward waits for room on the other side (POLLOUT there), a port
 * without waits for packets (POLLIN).  Every poll also pushes out what
 * was placed on the TX rings.
 */
static void forward_poll(struct nt_worker *w)
{
	uint64_t idle_since = nt_now_ns();

	while (!nt_stopping()) {
		struct pollfd pfd[2];
		unsigned i, moved = 0;
		int err, ready;

		for (i = 0; i < br.nports; i++) {
			pfd[i].fd = br.port[i].d->fd;
			pfd[i].events = 0;
		}
		for (i = 0; i < br.ndirs; i++) {
			struct br_dir *d = &br.dir[i];
			unsigned s = (unsigned)(d->src - br.port), t = (unsigned)(d->dst - br.port);

			if (rx_pending(d->src))
				pfd[t].events |= POLLOUT;
			else
				pfd[s].events |= POLLIN;
		}
		err = nt_poll_ports(pfd, br.nports, NT_POLL_MS);
		if (err) {
			nt_worker_fail(w, "poll on %s failed: %s", br.port[0].name,
				       err == -EIO ? "a port reported an error" : strerror(-err));
			return;
		}
		if (cfg.verbose)
			nt_diag_named("poll", "%s events 0x%x revents 0x%x%s%s", br.port[0].name,
				      pfd[0].events, pfd[0].revents,
				      br.nports > 1 ? " | " : "", br.nports > 1 ? br.port[1].name : "");
		for (i = 0, ready = 0; i < br.ndirs; i++) {
			struct br_dir *d = &br.dir[i];

			if (pfd[d->dst - br.port].revents & POLLOUT) {
				ready = 1;
				moved += move_dir(d);
			}
		}
		/*
		 * Room, packets, yet nothing moved: a chain whose last slot has
		 * not arrived, or less room than a chain needs.  poll() would
		 * say ready again at once: wait a little instead of spinning.
		 */
		if (ready && !moved)
			nt_sleep_until_ns(nt_now_ns() + BR_STALL_NS);
		if (moved) {
			idle_since = nt_now_ns();
		} else if (nt_now_ns() - idle_since >= BR_IDLE_LOG_NS) {
			/* 5.3: idle poll timeouts are logged only with -v */
			if (cfg.verbose)
				nt_diag_named("poll", "poll timeout: nothing to forward for %.1f s",
					      (double)BR_IDLE_LOG_NS / 1e9);
			idle_since = nt_now_ns();
		}
	}
}

static void br_worker(struct nt_worker *w)
{
	if (cfg.busy)
		forward_busy(w);
	else
		forward_poll(w);
	/* what was placed goes out, what was read is released */
	if (!atomic_load(&w->failed)) {
		sync_all(w, nmport_txsync, "txsync");
		sync_all(w, nmport_rxsync, "rxsync");
	}
}

/* ================================================================ reports */

static void json_direction(struct nt_json *j, const struct br_dir *d, uint64_t pkts,
			   uint64_t bytes, uint64_t usec)
{
	nt_json_object_begin(j, NULL);
	nt_json_string(j, "from", d->src->name);
	nt_json_string(j, "to", d->dst->name);
	nt_json_u64(j, "pkts", pkts);
	nt_json_u64(j, "bytes", bytes);
	nt_json_u64(j, "pps", nt_rate_pps(pkts, usec));
	nt_json_double(j, "bps", nt_rate_bps(bytes, pkts, 0, usec), 3);
	nt_json_object_end(j);
}

/* -T lines, one per direction, and the JSON interval (8.1). */
static void report(void *arg, int final)
{
	struct nt_delta d[2];
	int printable = 0;
	unsigned i;

	(void)arg;
	for (i = 0; i < br.ndirs; i++)
		printable |= nt_reporter_take(&br.dir[i].rep, br.dir[i].ctr, 1, final, &d[i]);
	if (!printable && !final)
		return;		/* folded into the next report */
	for (i = 0; printable && cfg.report_ns && i < br.ndirs; i++) {
		char line[256];

		nt_fmt_interval(line, sizeof(line), nt_rate_pps(d[i].pkts, d[i].usec), d[i].pkts,
				nt_rate_bps(d[i].bytes, d[i].pkts, 0, d[i].usec), d[i].usec, 0);
		nt_diag_named("main_thread", "%s %s -> %s", line, br.dir[i].src->name,
			      br.dir[i].dst->name);
	}
	if (br.json) {
		struct nt_json j;

		nt_json_begin(&j, br.json, TOOL, "interval");
		nt_json_u64(&j, "interval_us", d[0].usec);
		nt_json_array_begin(&j, "directions");
		for (i = 0; i < br.ndirs; i++)
			json_direction(&j, &br.dir[i], d[i].pkts, d[i].bytes, d[i].usec);
		nt_json_array_end(&j);
		nt_json_end(&j);
	}
}

static void print_ready(void)
{
	unsigned i;
	char text[2][NT_PORT_NAME_MAX + 32];

	for (i = 0; i < 2; i++) {
		const struct nmport_d *d = br.port[i < br.nports ? i : 0].d;

		snprintf(text[i], sizeof(text[i]), "%s 0x%x/%u",
			 br.port[i < br.nports ? i : 0].name, d->first_rx_ring,
			 d->last_rx_ring >= d->first_rx_ring ?
			 d->last_rx_ring - d->first_rx_ring + 1 : 0);
	}
	nt_diag_named("main", "Ready to go, %s <-> %s.", text[0], text[1]);
	if (br.json) {
		struct nt_json j;

		nt_json_begin(&j, br.json, TOOL, "start");
		nt_json_string(&j, "version", PACKAGE_VERSION);
		nt_json_array_begin(&j, "ports");
		nt_json_string(&j, NULL, br.port[0].name);
		nt_json_string(&j, NULL, br.port[br.nports - 1].name);
		nt_json_array_end(&j);
		nt_json_bool(&j, "zerocopy", br.zerocopy);
		nt_json_end(&j);
	}
}

/* 5.3: one line per direction, A->B first; then the JSON summary. */
static void summary(uint64_t end_ns, int status)
{
	double secs = end_ns > br.ready_ns ? (double)(end_ns - br.ready_ns) / 1e9 : 0;
	uint64_t usec = end_ns > br.ready_ns ? (end_ns - br.ready_ns) / 1000 : 0;
	FILE *out = nt_out();
	unsigned i;

	for (i = 0; i < br.ndirs; i++) {
		const struct nt_snapshot *s = &br.dir[i].rep.prev;

		fprintf(out, "%s -> %s: %llu packets %llu bytes in %.2f seconds.\n",
			br.dir[i].src->name, br.dir[i].dst->name, (unsigned long long)s->pkts,
			(unsigned long long)s->bytes, secs);
		if (br.dir[i].oversize)
			nt_warn(TOOL, "%s -> %s: %llu frames larger than the buffers of %s were "
				"dropped", br.dir[i].src->name, br.dir[i].dst->name,
				(unsigned long long)br.dir[i].oversize, br.dir[i].dst->name);
	}
	fflush(out);
	if (br.json) {
		struct nt_json j;

		nt_json_begin(&j, br.json, TOOL, "summary");
		nt_json_double(&j, "seconds", secs, 6);
		nt_json_array_begin(&j, "directions");
		for (i = 0; i < br.ndirs; i++)
			json_direction(&j, &br.dir[i], br.dir[i].rep.prev.pkts,
				       br.dir[i].rep.prev.bytes, usec ? usec : 1);
		nt_json_array_end(&j);
		nt_json_int(&j, "exit_status", status);
		nt_json_end(&j);
	}
}

/* ================================================================ ports */

/*
 * The host stack's port of a NIC port, and back: netmap:eth0 <->
 * netmap:eth0^ (the ^ goes right after the interface name).
 */
static void host_peer_name(char *buf, size_t len, const char *name)
{
	const char *colon = strchr(name, ':');
	size_t n = (size_t)(colon ? colon + 1 - name : 0);

	n += strcspn(name + n, "-*^/@");
	if (name[n] == '^')
		snprintf(buf, len, "%.*s%s", (int)n, name, name + n + 1);
	else
		snprintf(buf, len, "%.*s^%s", (int)n, name, name + n);
}

/* Open A (and B, or A's host stack); 0, or the exit status after one line. */
static int open_ports(void)
{
	struct nt_port *a = &br.port[0], *b = &br.port[1];
	const char *a_value = cfg.port_opt[0][0] == '-' ? cfg.port[0] : NULL;
	int st;

	st = nt_port_prepare(a, TOOL, cfg.port_opt[0][0] == '-' ? cfg.port_opt[0] : cfg.port[0],
			     a_value, cfg.port[0]);
	if (st)
		return st;
	if (!cfg.port[1] && !cfg.loopback) {
		const char *kind = nmport_kind(a->d);
		char host[NT_PORT_NAME_MAX];

		/* 5.2: one port means its NIC rings bridged with its host rings */
		if (strcmp(kind, "system interface")) {
			st = nt_usage_error(TOOL, cfg.port_opt[0][0] == '-' ? cfg.port_opt[0] :
					    cfg.port[0], a_value,
					    "a %s has no host stack to bridge with; use -L to "
					    "send its packets back out of it, or give a second port",
					    !strcmp(kind, "VALE ephemeral port") ? "VALE port" :
					    strncmp(kind, "pipe", 4) ? kind : "pipe");
			nt_port_close(a);
			return st;
		}
		host_peer_name(host, sizeof(host), a->name);
		st = nt_port_register(a);
		if (!st)
			st = nt_port_open(b, TOOL, cfg.port_opt[0], a_value, host);
		br.nports = 2;
	} else if (cfg.port[1]) {
		st = nt_port_register(a);
		if (!st)
			st = nt_port_open(b, TOOL, cfg.port_opt[1][0] == '-' ? cfg.port_opt[1] :
					  cfg.port[1], cfg.port_opt[1][0] == '-' ? cfg.port[1] :
					  NULL, cfg.port[1]);
		br.nports = 2;
	} else {
		st = nt_port_register(a);
		br.nports = 1;
	}
	if (st) {
		nt_port_close(a);
		return st;
	}
	return 0;
}

/* ================================================================ main */

int main(int argc, char **argv)
{
	struct nt_loop loop;
	uint64_t end_ns;
	unsigned i;
	int st, any_nic = 0;

	nt_tool_init();
	st = br_parse_args(argc, argv, &cfg);
	if (st)
		return st == BR_ARGS_DONE ? 0 : st;
	if (nt_run_begin(TOOL, cfg.json_given, cfg.json_file, &br.json))
		return 1;
	st = open_ports();
	if (st)
		return st;
	for (i = 0; i < br.nports; i++) {
		nt_port_report(&br.port[i]);
		any_nic |= br.port[i].is_nic;
	}
	br.ctrs = aligned_alloc(64, ((2 * sizeof(struct nt_counters) + 63) / 64) * 64);
	if (!br.ctrs) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	/* A->B first (5.3); loopback is A->A */
	br.ndirs = br.nports;
	for (i = 0; i < br.ndirs; i++) {
		br.dir[i].src = &br.port[i];
		br.dir[i].dst = &br.port[br.nports - 1 - i];
		br.dir[i].ctr = &br.ctrs[i];
		nt_counters_init(br.dir[i].ctr, 0);
	}
	br.zerocopy = nt_port_same_region(&br.port[0], &br.port[br.nports - 1]);
	if (br.zerocopy && cfg.no_zerocopy)
		nt_diag_named("main", "------- zerocopy NOT supported (disabled by -c)");
	else
		nt_diag_named("main", "------- zerocopy %ssupported", br.zerocopy ? "" : "NOT ");
	br.zerocopy = br.zerocopy && !cfg.no_zerocopy;

	nt_wait_link(nt_link_wait_ns(cfg.wait_given, cfg.wait_ns, any_nic));
	print_ready();
	br.ready_ns = nt_now_ns();
	for (i = 0; i < br.ndirs; i++)
		nt_reporter_start(&br.dir[i].rep, cfg.report_ns ? cfg.report_ns : NT_SEC(3600),
				  br.dir[i].ctr, 1);
	br.worker.fn = br_worker;
	br.worker.cpu = -1;
	memset(&loop, 0, sizeof(loop));
	loop.rep = &br.dir[0].rep;
	loop.report_ns = cfg.report_ns;
	loop.duration_ns = cfg.duration_given ? cfg.duration_ns : 0;
	loop.workers = &br.worker;
	loop.nworkers = 1;
	loop.report = report;
	st = nt_run_workers(TOOL, &loop);
	nt_request_stop(NT_END_NONE);
	end_ns = nt_stop_requested_ns();
	nt_workers_join(&br.worker, 1);
	report(NULL, 1);
	st = st || nt_workers_report(TOOL, &br.worker, 1, 0) ? 1 : 0;
	summary(end_ns, st);
	for (i = 0; i < br.nports; i++)
		nt_port_close(&br.port[i]);
	free(br.ctrs);
	nt_json_close_output(br.json);
	return st;
}
