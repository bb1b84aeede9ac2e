// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen: netmap's traffic generator, sink and latency tester
 * (tools.md sections 3 and 8).  This file is the program: it opens the
 * port, makes the checks that need it, sets up the worker threads and
 * runs them until something stops them.  The parts: pg_options.c (the
 * command line), pg_tx.c (transmit), pg_rx.c (receive), pg_latency.c
 * (ping, pong), pg_report.c (periodic lines, start-up block, summaries),
 * pg_packet.c (frames), pg_hist.c (latency statistics); ports, signals,
 * the main loop, pacing, pcap files, logging and statistics come from
 * tools/common.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnetmap.h>

#include "nt_json.h"
#include "nt_log.h"
#include "nt_opt.h"
#include "nt_parse.h"
#include "pg_run.h"

struct pg_config cfg;
struct pg_run run;

/* ================================================================ checks */

/* Features this build lacks: accepted by the parser, refused here (exit 1). */
static int check_unsupported(const char *name)
{
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

/* PORT_HDR_SET (set) or PORT_HDR_GET of the port; 0 or an errno. */
static int port_hdr(int set, uint32_t *len)
{
	struct nmreq_header hdr;
	struct nmreq_port_hdr body;
	int fd = nm_control_open(), err = 0;

	if (fd < 0)
		return errno;
	memset(&body, 0, sizeof(body));
	nmreq_header_init(&hdr, set ? NETMAP_REQ_PORT_HDR_SET : NETMAP_REQ_PORT_HDR_GET,
			  &body);
	memcpy(hdr.nr_name, run.port.d->hdr.nr_name, sizeof(hdr.nr_name));
	body.nr_hdr_len = *len;
	if (nm_ioctl(fd, NIOCCTRL, &hdr) < 0)
		err = errno;
	else
		*len = body.nr_hdr_len;
	nm_control_close(fd);
	return err;
}

/*
 * -H (3.2): 10 or 12 sets the port's virtio-net header length; 0 (the
 * default) asks the port for its length.  Either way frames carry a
 * header of that length from then on.
 */
static int setup_vnet(void)
{
	uint32_t len = (uint32_t)cfg.vnet;
	int err;

	if (len) {
		err = port_hdr(1, &len);
		if (err) {
			nt_err(TOOL, "cannot set the virtio-net header length of %s to %u: %s",
			       run.port.d->hdr.nr_name, len, nt_open_strerror(err));
			return 1;
		}
	} else if (port_hdr(0, &len)) {
		len = 0;	/* a port that cannot have one (a pipe, a NIC) */
	}
	run.vnet = len;
	return 0;
}

/* A descriptor of the same port bound to ring k of the direction (3.5). */
static struct nmport_d *open_ring_port(unsigned k, int no_tx_poll)
{
	struct nmport_d *m = run.port.d, *d = nmport_clone(m);
	uint32_t mode = m->reg.nr_mode;
	unsigned hw = cfg.sender ? m->reg.nr_tx_rings : m->reg.nr_rx_rings;

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

/* Sync one direction of every port of the thread; -1 after a failure. */
static int sync_ports(struct pg_thread *t, int (*sync)(struct nmport_d *), const char *what)
{
	unsigned i;
	int err;

	for (i = 0; i < t->nports; i++) {
		err = sync(t->ports[i]);
		if (err) {
			/* EIO: a stopped ring, and the backend says why */
			const char *why = err == -EIO ? nm_error_detail() : "";

			nt_worker_fail(t->w, "%s on %s failed: %s%s%s%s", what, run.port.name,
				       strerror(-err), *why ? " (" : "", why, *why ? ")" : "");
			return -1;
		}
	}
	return 0;
}

int pg_sync_tx(struct pg_thread *t)
{
	return sync_ports(t, nmport_txsync, "txsync");
}

int pg_sync_rx(struct pg_thread *t)
{
	return sync_ports(t, nmport_rxsync, "rxsync");
}

int pg_wait_ports(struct pg_thread *t, short events, int timeout_ms)
{
	struct pollfd pfd[PG_THREADS_MAX * 4];
	unsigned i;
	int err;

	for (i = 0; i < t->nports; i++) {
		pfd[i].fd = t->ports[i]->fd;
		pfd[i].events = events;
	}
	err = nt_poll_ports(pfd, t->nports, timeout_ms);
	if (err) {
		/* the backend may say why (a system interface down or removed) */
		const char *why = nm_error_detail();

		nt_worker_fail(t->w, "poll on %s failed: %s", run.port.name,
			       err != -EIO ? strerror(-err) :
			       *why ? why : "the port reported an error");
		return -1;
	}
	return 0;
}

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
	unsigned online = nt_online_cpus(), spread;

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
			return cfg.cpus ? cfg.cpus : nt_online_cpus();
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

	static void (*const fns[])(struct nt_worker *) = {
		[F_TX] = pg_tx_thread, [F_TXSEQ] = pg_tx_thread, [F_RX] = pg_rx_thread,
		[F_RXSEQ] = pg_rx_thread, [F_PING] = pg_ping_thread, [F_PONG] = pg_pong_thread,
	};

	if (cfg.fn == F_PING && pg_ping_setup())
		return -1;
	run.th = calloc(n, sizeof(*run.th));
	run.workers = calloc(n, sizeof(*run.workers));
	run.ctrs = aligned_alloc(64, ((n * sizeof(struct nt_counters) + 63) / 64) * 64);
	if (!run.th || !run.workers || !run.ctrs)
		return -1;
	for (i = 0; i < n; i++) {
		struct pg_thread *t = &run.th[i];
		unsigned e, nsz;

		t->idx = i;
		t->w = &run.workers[i];
		t->w->fn = fns[cfg.fn];
		t->w->arg = t;
		t->w->cpu = thread_cpu(i);
		t->ctr = &run.ctrs[i];
		nt_counters_init(t->ctr, run.dir_first + run.ndir_rings);
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
		return add_rings(&run.th[0], run.port.d);
	/* one descriptor per ring; thread i serves rings i, i + N, ... (3.5) */
	{
		struct nmport_d *m = run.port.d;
		unsigned first = cfg.sender ? m->first_tx_ring : m->first_rx_ring;

		for (k = 0; k < run.ndir_rings; k++) {
			unsigned owner = k % n;
			struct nmport_d *d = open_ring_port(first + k,
							    !cfg.sender && owner != 0);

			if (!d) {
				char why[512];

				nt_err(TOOL, "cannot open ring %u of %s: %s", first + k,
				       run.port.name,
				       nt_open_reason(errno, nm_error_detail(), why, sizeof(why)));
				return 1;
			}
			if (add_rings(&run.th[owner], d))
				return -1;
		}
	}
	return 0;
}

/* ================================================================ main */

/*
 * -P: every record must fit the port (8.8).  Returns 0, or 1 after one
 * line naming the first record that does not.
 */
static int check_templates(void)
{
	unsigned mtu = 0, most = run.num_slots - 1 < NETMAP_MAX_FRAGS ? run.num_slots - 1 :
				NETMAP_MAX_FRAGS;
	uint8_t mac[6];
	uint32_t limit = PG_SIZE_MAX, k;

	if (run.port.is_nic && nt_nic_info(run.port.d->hdr.nr_name, mac, &mtu) == 0 && mtu)
		limit = mtu + PG_ETH_HLEN;
	run.tpl_split = calloc(run.tpl.count, sizeof(*run.tpl_split));
	if (!run.tpl_split) {
		nt_err(TOOL, "out of memory");
		return 1;
	}
	for (k = 0; k < run.tpl.count; k++) {
		uint32_t len = run.tpl.rec[k].caplen;
		struct pg_split *sp = &run.tpl_split[k];

		if (!len) {
			nt_err(TOOL, "cannot send %s: record %u is empty", cfg.pcap, k + 1);
			return 1;
		}
		if (len > limit) {
			nt_err(TOOL, "cannot send %s: record %u has %u bytes; %s carries at "
			       "most %u", cfg.pcap, k + 1, len, run.port.name, limit);
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
	struct nmport_d *d = run.port.d;
	uint32_t lo, hi, e;
	double avg;
	unsigned nic_mtu = 0;
	uint8_t nic_mac[6];
	int have_nic = run.port.is_nic && nt_nic_info(d->hdr.nr_name, nic_mac, &nic_mtu) == 0;

	if (cfg.threads > run.ndir_rings)
		return nt_usage_error(TOOL, cfg.threads_seen.opt, cfg.threads_seen.value,
				      "more threads than rings; %s has %u %s ring%s",
				      run.port.name, run.ndir_rings, cfg.sender ? "tx" : "rx",
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
	if (cfg.sender && !run.tpl.count && run.port.is_nic && nic_mtu && hi > nic_mtu + PG_ETH_HLEN) {
		const struct nt_opt_seen *s = &cfg.size_seen[0];

		return nt_usage_error(TOOL, cfg.nsizes ? s->opt : "-l",
				      cfg.nsizes ? s->value : "60",
				      "packet size too large for %s; expected at most %u "
				      "(MTU %u + 14)", d->hdr.nr_name, nic_mtu + PG_ETH_HLEN,
				      nic_mtu);
	}
	if (have_nic && !cfg.src_mac_given)
		cfg.ep.mac_lo[PG_SRC] = cfg.ep.mac_hi[PG_SRC] = pg_mac_to_u64(nic_mac);

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
	run.split_cache = calloc(cfg.frame_sizes.count ? cfg.frame_sizes.count : 1,
				 sizeof(*run.split_cache));
	if (!run.split_cache)
		return 1;
	for (e = 0; e < cfg.frame_sizes.count; e++)
		pg_split_frame(cfg.frame_sizes.entry[e].size, run.frags, run.max_frag,
			       &run.split_cache[e]);

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
			run.rate_mode = RATE_BITS;
			run.rate_per_thread = per_thread;
			pps = per_thread / bits;
		} else {
			run.rate_mode = RATE_PACKETS;
			pps = cfg.rate.unit == NT_UNIT_BPS ? per_thread / bits : per_thread;
			run.rate_per_thread = pps;
		}
		/* one millisecond of traffic, at least one packet (8.3) */
		run.rate_cap = nt_pace_batch_cap(pps, run.burst,
						 cfg.max_burst_given ? cfg.max_burst : 0);
	}
	run.periodic.framing_bits = cfg.framing ? 8 * NT_FRAMING_BYTES : 0;
	run.periodic.no_normalize = cfg.no_normalize;
	run.periodic.avg_stats = cfg.pps_stats;
	run.ncpus_effective = effective_cpus();
	return 0;
}

/*
 * The most idle time one look of the main loop adds: two of its wake-ups.
 * A longer gap since the previous look means the process did not run
 * (SIGSTOP, a machine with no CPU to spare), and its receive threads could
 * not read either: that time is not waiting with nothing to read.
 */
#define IDLE_STEP_MAX_NS	(2 * NT_MSEC(NT_POLL_MS))

/*
 * -W (3.8, 8.6): once traffic has started, idle means waiting with
 * nothing to read, as the main loop sees it running.
 */
static enum nt_end idle_check(void *arg, uint64_t now)
{
	static uint64_t last_look, idle_ns, last_pkts;
	uint64_t p = 0, step;
	unsigned i;

	(void)arg;
	step = last_look ? now - last_look : 0;
	last_look = now;
	for (i = 0; i < run.nthreads; i++)
		p += atomic_load_explicit(&run.ctrs[i].pkts, memory_order_relaxed);
	for (i = 0; i < run.nthreads; i++)
		if (atomic_load_explicit(&run.th[i].reading, memory_order_relaxed))
			break;
	if (p != last_pkts || i < run.nthreads) {
		last_pkts = p;
		idle_ns = 0;
		return NT_END_NONE;
	}
	if (!p)
		return NT_END_NONE;
	idle_ns += step < IDLE_STEP_MAX_NS ? step : IDLE_STEP_MAX_NS;
	return idle_ns >= cfg.idle_ns ? NT_END_IDLE : NT_END_NONE;
}

static void report_periodic(void *arg, int final)
{
	pg_report(arg, final);
}

/*
 * Close the ring ports of the threads (with -p), then the port.  A
 * process that exits with ports open leaves them, and their files in the
 * user runtime's directory, until another process reaps them.
 */
static void close_ports(void)
{
	unsigned i, k;

	for (i = 0; run.th && i < run.nthreads && run.nthreads > 1; i++)
		for (k = 0; k < run.th[i].nports; k++)
			nmport_close(run.th[i].ports[k]);
	nt_port_close(&run.port);
}

/* The port as given: opened, its rings in the direction used checked. */
static int open_port(void)
{
	struct nmport_d *d;
	unsigned first, last;
	struct netmap_ring *ring;
	int st;

	st = nt_port_prepare(&run.port, TOOL, cfg.iface_seen.opt, cfg.iface_seen.value,
			     cfg.iface);
	if (st)
		return st;
	if (cfg.conf_given)
		nt_port_apply_conf(run.port.d, &cfg.conf);
	/* frames that start with a virtio-net header are handled (-H) */
	run.port.d->reg.nr_flags |= NR_ACCEPT_VNET_HDR;
	st = nt_port_register(&run.port);
	if (st)
		return st;
	d = run.port.d;
	first = cfg.sender ? d->first_tx_ring : d->first_rx_ring;
	last = cfg.sender ? d->last_tx_ring : d->last_rx_ring;
	run.ndir_rings = last >= first ? last - first + 1 : 0;
	run.dir_first = first;
	if (!run.ndir_rings || ((cfg.fn == F_PING || cfg.fn == F_PONG) &&
				(d->last_tx_ring < d->first_tx_ring ||
				 d->last_rx_ring < d->first_rx_ring))) {
		nt_err(TOOL, "cannot use %s: the port has no %s rings bound", run.port.name,
		       cfg.sender ? "tx" : "rx");
		nt_port_close(&run.port);
		return 1;
	}
	ring = cfg.sender ? NETMAP_TXRING(d->nifp, first) : NETMAP_RXRING(d->nifp, first);
	run.num_slots = ring->num_slots;
	run.buf_size = ring->nr_buf_size;
	/* one slot always stays empty (6.1): a 1-slot ring carries nothing */
	if (run.num_slots < 2) {
		nt_port_close(&run.port);
		return nt_usage_error(TOOL, cfg.iface_seen.opt, cfg.iface_seen.value,
				      "the port has rings of %u slot; a ring needs at least 2 "
				      "slots to carry a packet (@conf:slots=2 or more)",
				      run.num_slots);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct nt_reporter rep;
	struct nt_loop loop;
	enum nt_end end;
	uint64_t reached_count = 0;
	char err[512];
	unsigned i;
	int status, pcap_err = 0, start_err = 0;

	nt_tool_init();
	status = pg_parse_args(argc, argv, &cfg);
	if (status == PG_ARGS_DONE)
		return 0;
	if (status)
		return status;
	status = check_unsupported(cfg.iface);
	if (status)
		return status;
	if (cfg.pcap && nt_trace_load(&run.tpl, cfg.pcap, &nt_trace_send, 0, NULL, err,
				      sizeof(err))) {
		nt_err(TOOL, "%s", err);	/* before anything is opened (8.8) */
		return 1;
	}
	if (nt_run_begin(TOOL, cfg.json_given, cfg.json_file, &run.json))
		return 1;
	pg_pattern_init(cfg.indirect);
	status = open_port();
	if (status)
		return status;
	status = setup_vnet();
	if (!status)
		status = check_geometry();
	if (!status && run.tpl.count)
		status = check_templates();
	if (!status && cfg.pcap_out) {
		run.pcap_out = nt_pcap_out_open(cfg.pcap_out, cfg.snaplen, err, sizeof(err));
		if (!run.pcap_out) {
			nt_err(TOOL, "%s", err);
			status = 1;
		}
	}
	if (status) {
		nt_port_close(&run.port);
		return status;
	}
	cfg.wait_ns = nt_link_wait_ns(cfg.wait_given, cfg.wait_ns, run.port.is_nic);
	status = setup_threads();
	if (status) {
		if (status < 0)
			nt_err(TOOL, "out of memory");
		close_ports();	/* the rings opened before the failure too */
		return 1;
	}
	if (!strncmp(run.port.kind, "system interface, emulated adapter",
		     strlen("system interface, emulated adapter")))
		nt_warn(TOOL, "%s uses the emulated adapter; rates will be lower than native",
			run.port.d->hdr.nr_name);
	pg_print_startup();
	if (cfg.verbose)
		for (i = 0; i < run.nthreads; i++)
			nt_diag("thread %u: %u tx rings, %u rx rings, %u descriptors, cpu %d", i,
				run.th[i].ntx, run.th[i].nrx, run.th[i].nports,
				run.workers[i].cpu);

	if (cfg.wait_ns)
		nt_main_wait_until(nt_now_ns() + cfg.wait_ns);
	atomic_store(&run.rx_remaining, cfg.count);
	/* Run until the workers end or something stops them; report meanwhile. */
	nt_reporter_start(&rep, cfg.report_ns ? cfg.report_ns : NT_SEC(3600), run.ctrs,
			  run.nthreads);
	memset(&loop, 0, sizeof(loop));
	loop.rep = &rep;
	loop.report_ns = cfg.report_ns;
	loop.duration_ns = cfg.duration_given ? cfg.duration_ns : 0;
	loop.workers = run.workers;
	loop.nworkers = run.nthreads;
	loop.arg = &rep;
	loop.check = cfg.idle_ns ? idle_check : NULL;
	loop.report = report_periodic;
	start_err = nt_run_workers(TOOL, &loop);
	nt_request_stop(NT_END_NONE);
	nt_workers_join(run.workers, run.nthreads);
	pg_report(&rep, 1);
	if (run.pcap_out) {
		/* every record on disk before the summary says how many there are */
		pcap_err = nt_pcap_out_close(run.pcap_out);
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
	end = nt_end_reason();
	if (start_err || nt_workers_report(TOOL, run.workers, run.nthreads, 1)) {
		status = 1;
		end = NT_END_ERROR;
	} else if (pcap_err) {
		status = 1;
		end = NT_END_ERROR;
		nt_err(TOOL, "cannot write %s: %s", cfg.pcap_out, strerror(pcap_err));
	} else if (cfg.count && reached_count < cfg.count) {
		status = 3;
	} else if (cfg.count) {
		end = NT_END_COUNT;
	}
	if (end == NT_END_NONE)
		end = NT_END_SIGNAL;
	pg_summary(&rep.prev, end, status);

	close_ports();
	nt_trace_free(&run.tpl);
	nt_json_close_output(run.json);
	return status;
}
