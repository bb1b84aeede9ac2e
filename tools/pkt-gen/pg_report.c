// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's reporting (tools.md 3.7, 8.1, 8.2, 8.4, 8.5): the start-up
 * block, the periodic lines and JSON intervals, the final summary with
 * its per-ring, per-size, sequence and latency lines, the -X dump and the
 * per-size table the workers fill.  The numbers come from the workers'
 * counter blocks (nt_stats.h) and their end-of-run fields.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "nt_json.h"
#include "nt_log.h"
#include "pg_run.h"

/* -X: one slot as in 3.7. */
void pg_dump_slot(unsigned ring, unsigned cur, const struct netmap_slot *slot,
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
void pg_size_count(struct pg_thread *t, uint32_t len)
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
void pg_report(struct nt_reporter *rep, int final)
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

/* A MAC address, or a range "lo-hi", of one side (-S, -D). */
static void fmt_mac_side(char *buf, size_t len, int side)
{
	char a[24], b[24];

	if (cfg.ep.mac_lo[side] != cfg.ep.mac_hi[side])
		snprintf(buf, len, "%s-%s", pg_fmt_mac(a, sizeof(a), cfg.ep.mac_lo[side]),
			 pg_fmt_mac(b, sizeof(b), cfg.ep.mac_hi[side]));
	else
		pg_fmt_mac(buf, len, cfg.ep.mac_lo[side]);
}

void pg_print_startup(void)
{
	struct nmport_d *d = run.port.d;
	FILE *out = nt_out();
	const char *verb = cfg.sender ? "Sending on" : pg_is_receiver(cfg.fn) ? "Receiving from" :
		"Working on";
	uint32_t slots = run.num_slots;

	fprintf(out, "%s %s: %u queues, %u threads and %u cpus.\n", verb, run.port.name,
		run.ndir_rings, run.nthreads, run.ncpus_effective);
	if (cfg.sender) {
		char smac[40], dmac[40];

		fmt_mac_side(smac, sizeof(smac), PG_SRC);
		fmt_mac_side(dmac, sizeof(dmac), PG_DST);
		fprintf(out, "%s -> %s (%s -> %s)\n",
			cfg.src_ip_given ? cfg.src_ip : cfg.af == 6 ? "fd00::1" : "10.0.0.1",
			cfg.dst_ip_given ? cfg.dst_ip : cfg.af == 6 ? "fd00:0:0:1::1" : "10.1.0.1",
			smac, dmac);
	}
	fprintf(out, "Backend: %s, %s, %u tx rings, %u rx rings, %u slots, buffer %u bytes\n",
		run.port.backend, run.port.kind, d->reg.nr_tx_rings, d->reg.nr_rx_rings, slots,
		run.buf_size);
	fflush(out);
	if (run.json) {
		struct nt_json j;
		char mac[24];

		nt_json_begin(&j, run.json, TOOL, "start");
		nt_json_string(&j, "version", PACKAGE_VERSION);
		nt_json_string(&j, "backend", run.port.backend);
		nt_json_string(&j, "port", run.port.name);
		nt_json_string(&j, "port_kind", run.port.kind);
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

void pg_summary(const struct nt_snapshot *s, enum nt_end end, int status)
{
	FILE *out = nt_out();
	struct pg_size_count sizes[NT_SIZES_MAX];
	uint64_t other_pkts = 0, other_bytes = 0, first = UINT64_MAX, last = 0, wire = 0;
	uint64_t sent = 0, received = 0, gaps = 0, ooo = 0, fragmm = 0;
	struct nt_tx_sum unsent = { 0, 0, 0 };
	struct pg_hist *hist = NULL;
	struct nt_totals tot;
	unsigned i, k, nsizes = 0;
	double secs;

	for (i = 0; i < run.nthreads; i++) {
		struct pg_thread *t = &run.th[i];

		if (!t->w->started)
			continue;
		/* tx: counted as the port took them; what it never took is named (3.7) */
		for (k = 0; k < t->ntx; k++)
			unsent.pkts += t->tx[k].unsent.pkts;
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
	nt_warn_unsent(&unsent, TOOL, run.port.name);
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
	    end == NT_END_COUNT) {
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
		nt_json_string(&j, "end", nt_end_name(end));
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

