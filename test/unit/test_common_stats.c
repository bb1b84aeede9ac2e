// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the statistics and JSON helpers (tools/common/nt_stats.c,
 * nt_json.c, nt_log.c): number formatting, rate arithmetic, counters under
 * concurrent writers, the periodic line and the summary against the
 * regular expressions of tools.md 9.1 PG-14, the reporter's schedule, and
 * JSON escaping.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "nt_json.h"
#include "nt_log.h"
#include "nt_stats.h"
#include "tap.h"

/* tools.md 9.1 PG-14, verbatim (the \| in the table is a plain |). */
static const char periodic_re[] =
	"^[0-9]{3}\\.[0-9]{6} main_thread \\[[0-9]+\\] [0-9]+\\.[0-9]{3} [KMGT]?pps "
	"\\([0-9]+\\.[0-9]{3} [KMGT]?pkts [0-9]+\\.[0-9]{3} [KMGT]?bps in [0-9]+ usec\\) "
	"[0-9]+\\.[0-9]{2} avg_batch [0-9]+ min_space$";
static const char summary1_re[] =
	"^(Sent|Received) [0-9]+ packets [0-9]+ bytes [0-9]+ events [0-9]+ bytes each in "
	"[0-9]+\\.[0-9]{2} seconds\\.$";
static const char summary2_re[] =
	"^Speed: [0-9]+\\.[0-9]{3} [KMGT]?pps Bandwidth: [0-9]+\\.[0-9]{3} [KMGT]?bps "
	"\\(raw [0-9]+\\.[0-9]{3} [KMGT]?bps\\)\\. Average batch: [0-9]+\\.[0-9]{2} pkts$";
/* With -N: "no decimals and no prefix". */
static const char periodic_n_re[] =
	"^[0-9]{3}\\.[0-9]{6} main_thread \\[[0-9]+\\] [0-9]+ pps \\([0-9]+ pkts [0-9]+ bps "
	"in [0-9]+ usec\\) [0-9]+\\.[0-9]{2} avg_batch [0-9]+ min_space$";
static const char summary2_n_re[] =
	"^Speed: [0-9]+ pps Bandwidth: [0-9]+ bps \\(raw [0-9]+ bps\\)\\. Average batch: "
	"[0-9]+\\.[0-9]{2} pkts$";

static int matches(const char *re, const char *line)
{
	regex_t r;
	int m;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return 0;
	m = regexec(&r, line, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

/* Line n (from 0) of text, without its newline. */
static const char *line_of(const char *text, int n)
{
	static char buf[1024];
	const char *end;

	while (n-- > 0 && text && (text = strchr(text, '\n')))
		text++;
	if (!text)
		return "";
	end = strchr(text, '\n');
	if (!end)
		end = text + strlen(text);
	snprintf(buf, sizeof(buf), "%.*s", (int)(end - text), text);
	return buf;
}

static void test_norm(void)
{
	char b[64];

	is_str(nt_fmt_norm(b, sizeof(b), 0, 0), "0.000 ", "0 -> \"0.000 \"");
	is_str(nt_fmt_norm(b, sizeof(b), 999.9996, 0), "1000.000 ",
	       "999.9996 -> \"1000.000 \" (rounding after scaling)");
	is_str(nt_fmt_norm(b, sizeof(b), 999999.7, 0), "1000.000 K", "999999.7 -> 1000.000 K");
	is_str(nt_fmt_norm(b, sizeof(b), 14881000, 0), "14.881 M", "14881000 -> 14.881 M");
	is_str(nt_fmt_norm(b, sizeof(b), 1.5e15, 0), "1500.000 T", "1.5e15 -> 1500.000 T");
	is_str(nt_fmt_norm(b, sizeof(b), 512, 0), "512.000 ", "512 -> 512.000");
	is_str(nt_fmt_norm(b, sizeof(b), 1000, 0), "1.000 K", "1000 -> 1.000 K");
	is_str(nt_fmt_norm(b, sizeof(b), 7.15e9, 0), "7.150 G", "7.15e9 -> 7.150 G");
	is_str(nt_fmt_norm(b, sizeof(b), 2e18, 0), "2000000.000 T", "prefixes stop at T");
	is_str(nt_fmt_norm(b, sizeof(b), 14881000, 1), "14881000 ", "-N: 14881000");
	is_str(nt_fmt_norm(b, sizeof(b), 0, 1), "0 ", "-N: 0");
	is_str(nt_fmt_norm(b, sizeof(b), 2.6, 1), "3 ", "-N rounds");
}

static void test_rates(void)
{
	is_int(nt_rate_pps(1000, 1000000), 1000, "1000 packets in 1 s");
	is_int(nt_rate_pps(14896000, 1001012), 14880940, "pps of the tools.md example");
	is_int(nt_rate_pps(2, 3), 666667, "pps rounds to nearest");
	is_int(nt_rate_pps(1, 3), 333333, "pps rounds down below half");
	is_int(nt_rate_pps(0, 1000000), 0, "no packets, 0 pps");
	is_int(nt_rate_pps(5, 0), 5000000, "usec 0 counts as 1");
	ok(nt_rate_pps(100000000000000ull, 1000000) == 100000000000000ull,
	   "no overflow for 1e14 packets");
	ok(nt_rate_bps(60000, 1000, 0, 1000000) == 480000, "bps: 60000 bytes in 1 s");
	ok(nt_rate_bps(60000, 1000, 8 * NT_FRAMING_BYTES, 1000000) == 672000,
	   "bps with -B framing");
	ok(fabs(nt_rate_bps(893760000, 14896000, 0, 1001012) - 7142851434.348) < 1,
	   "bps of the tools.md example");
	is_int(nt_wire_bytes(42), 84, "short frames count as 60 on the wire, plus 24");
	is_int(nt_wire_bytes(1514), 1538, "1514 + 24");
}

static void test_window(void)
{
	struct nt_rate_window w;
	double mean, sd;
	int i;

	memset(&w, 0, sizeof(w));
	nt_rate_window_stats(&w, &mean, &sd);
	ok(mean == 0 && sd == 0, "empty window");
	nt_rate_window_add(&w, 10);
	nt_rate_window_add(&w, 0);
	nt_rate_window_add(&w, 20);
	nt_rate_window_add(&w, 30);
	nt_rate_window_stats(&w, &mean, &sd);
	ok(w.count == 3 && mean == 20, "zero rates ignored, mean 20");
	ok(fabs(sd - sqrt(200.0 / 3)) < 1e-9, "population standard deviation");
	for (i = 0; i < 20; i++)
		nt_rate_window_add(&w, 100);
	nt_rate_window_stats(&w, &mean, &sd);
	ok(w.count == NT_RATE_WINDOW && mean == 100 && sd == 0, "only the last 15 count");
}

static struct nt_delta example_delta(void)
{
	struct nt_delta d;

	memset(&d, 0, sizeof(d));
	d.usec = 1001012;
	d.pkts = 14896000;
	d.bytes = 14896000ull * 60;
	d.events = 29094;
	d.min_space = 0;
	return d;
}

static void test_periodic(void)
{
	struct nt_periodic p;
	struct nt_delta d = example_delta();
	char line[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	memset(&p, 0, sizeof(p));
	nt_fmt_periodic(line, sizeof(line), &p, &d);
	is_str(line,
	       "14.881 Mpps (14.896 Mpkts 7.143 Gbps in 1001012 usec) 512.00 avg_batch 0 min_space",
	       "periodic line body");
	p.no_normalize = 1;
	nt_fmt_periodic(line, sizeof(line), &p, &d);
	is_str(line,
	       "14880940 pps (14896000 pkts 7142851434 bps in 1001012 usec) 512.00 avg_batch 0 min_space",
	       "periodic line body with -N");
	p.no_normalize = 0;
	p.framing_bits = 8 * NT_FRAMING_BYTES;
	nt_fmt_periodic(line, sizeof(line), &p, &d);
	ok(strstr(line, " 10.000 Gbps in ") != NULL, "-B: 84 bytes at 14.88 Mpps is 10 Gbps: %s",
	   line);
	p.framing_bits = 0;

	p.avg_stats = 1;
	nt_fmt_periodic(line, sizeof(line), &p, &d);
	is_str(line,
	       "14.881 Mpps [avg/std 14.881 M/0.000  pps](14.896 Mpkts 7.143 Gbps in 1001012 usec) 512.00 avg_batch 0 min_space",
	       "-A window glued to the parenthesis");
	d.pkts = d.bytes = d.events = 0;
	nt_fmt_periodic(line, sizeof(line), &p, &d);
	is_str(line,
	       "0.000 pps [avg/std 14.881 M/0.000  pps](0.000 pkts 0.000 bps in 1001012 usec) 0.00 avg_batch 0 min_space",
	       "idle interval: 0.00 avg_batch, window unchanged");
	is_int(p.window.count, 1, "idle interval not in the window");
	p.avg_stats = 0;

	/* Whole lines, prefix included, against the PG-14 expressions. */
	d = example_delta();
	d.min_space = 1023;
	f = open_memstream(&text, &len);
	nt_print_periodic(f, &p, &d);
	d.pkts = d.bytes = d.events = d.min_space = 0;
	nt_print_periodic(f, &p, &d);
	d = example_delta();
	d.pkts = 1;
	d.bytes = 60;
	d.events = 1;
	d.usec = 200000;
	nt_print_periodic(f, &p, &d);
	p.no_normalize = 1;
	nt_print_periodic(f, &p, &d);
	fclose(f);
	ok(matches(periodic_re, line_of(text, 0)), "PG-14 periodic: %s", line_of(text, 0));
	ok(matches(periodic_re, line_of(text, 1)), "PG-14 periodic, idle: %s", line_of(text, 1));
	ok(matches(periodic_re, line_of(text, 2)), "PG-14 periodic, slow: %s", line_of(text, 2));
	ok(matches(periodic_n_re, line_of(text, 3)), "PG-14 periodic with -N: %s",
	   line_of(text, 3));
	ok(!matches(periodic_re, line_of(text, 3)), "-N line has no decimals");
	ok(strstr(line_of(text, 0), " main_thread [") != NULL, "NAME is main_thread");
	free(text);

	nt_fmt_interval(line, sizeof(line), 1500, 3000, 7.373e6, 2000000, 0);
	is_str(line, "1.500 Kpps (3.000 Kpkts 7.373 Mbps in 2000000 usec)", "interval core");
	nt_fmt_interval(line, sizeof(line), 1500, 3000, 7.373e6, 0, 0);
	is_str(line, "1.500 Kpps (3.000 Kpkts 7.373 Mbps)", "interval core without usec");
}

static void test_summary(void)
{
	struct nt_totals t = { .pkts = 1000000, .bytes = 60000000, .events = 1954,
			       .elapsed_ns = 70000000 };
	char text[512];

	nt_fmt_summary(text, sizeof(text), "Sent", &t, 0);
	is_str(text,
	       "Sent 1000000 packets 60000000 bytes 1954 events 60 bytes each in 0.07 seconds.\n"
	       "Speed: 14.286 Mpps Bandwidth: 6.857 Gbps (raw 6.857 Gbps). Average batch: 511.77 pkts\n",
	       "summary of the tools.md 3.7 example");
	ok(matches(summary1_re, line_of(text, 0)), "PG-14 summary line 1");
	ok(matches(summary2_re, line_of(text, 1)), "PG-14 summary line 2");

	t.raw_bytes = t.pkts * nt_wire_bytes(60);
	nt_fmt_summary(text, sizeof(text), "Sent", &t, 0);
	ok(strstr(text, "(raw 9.600 Gbps)") != NULL, "raw figure with -B framing");

	t.raw_bytes = 0;
	nt_fmt_summary(text, sizeof(text), "Received", &t, 1);
	is_str(line_of(text, 1),
	       "Speed: 14285714 pps Bandwidth: 6857142857 bps (raw 6857142857 bps). Average batch: 511.77 pkts",
	       "summary with -N");
	ok(matches(summary1_re, line_of(text, 0)), "PG-14 summary line 1 (Received, -N)");
	ok(matches(summary2_n_re, line_of(text, 1)), "summary line 2 with -N");

	t = (struct nt_totals){ .pkts = 3, .bytes = 200, .events = 0, .elapsed_ns = 0 };
	nt_fmt_summary(text, sizeof(text), "Received", &t, 0);
	is_str(line_of(text, 0),
	       "Received 3 packets 200 bytes 0 events 66 bytes each in 0.00 seconds.",
	       "elapsed 0, S = floor(B / P)");
	ok(strstr(text, "Speed: 3.000 Mpps ") != NULL, "elapsed 0 counts as one microsecond");
	ok(strstr(text, "Average batch: 0.00 pkts") != NULL, "no events: 0.00");

	t = (struct nt_totals){ 0 };
	nt_fmt_summary(text, sizeof(text), "Sent", &t, 0);
	is_str(text, "Sent nothing.\n", "Sent nothing.");
	nt_fmt_summary(text, sizeof(text), "Received", &t, 0);
	is_str(text, "Received nothing.\n", "Received nothing.");
}

static void test_counters(void)
{
	struct nt_counters c[2];
	struct nt_snapshot s0, s1, s2;
	struct nt_delta d;

	nt_counters_init(&c[0], 2);
	nt_counters_init(&c[1], 2);
	nt_snapshot_take(&s0, c, 2);
	ok(s0.pkts == 0 && s0.space_seen == 0 && s0.nrings == 2, "fresh counters");

	nt_counters_add(&c[0], 512, 30720, 1);
	nt_counters_add(&c[1], 100, 6000, 2);
	nt_counters_add_drops(&c[1], 7);
	nt_counters_add_ring(&c[0], 0, 512, 30720);
	nt_counters_add_ring(&c[1], 1, 100, 6000);
	nt_counters_add_ring(&c[1], NT_STATS_RINGS_MAX, 1, 1);
	nt_counters_note_space(&c[0], 100);
	nt_counters_note_space(&c[0], 50);
	nt_counters_note_space(&c[0], 70);
	nt_counters_note_space(&c[1], 30);
	nt_snapshot_take(&s1, c, 2);
	s1.ns = s0.ns + 1000000000ull;
	nt_delta_compute(&d, &s1, &s0);
	ok(d.pkts == 612 && d.bytes == 36720 && d.events == 3 && d.drops == 7,
	   "delta sums the workers");
	is_int(d.usec, 1000000, "delta interval in usec");
	ok(d.min_space == 80 && d.space_seen == 2, "min_space: minimum per worker, summed");
	ok(d.nrings == 2 && d.ring_pkts[0] == 512 && d.ring_pkts[1] == 100 &&
	   d.ring_bytes[1] == 6000, "per-ring deltas");

	/* A new interval starts at each snapshot. */
	nt_counters_note_space(&c[0], 90);
	nt_snapshot_take(&s2, c, 2);
	ok(s2.min_space == 90 && s2.space_seen == 1, "min_space restarts each interval");
	nt_delta_compute(&d, &s2, &s1);
	ok(d.pkts == 0 && d.ring_pkts[0] == 0, "nothing new");
}

/* Four writers, one reader: totals exact, snapshots never go backwards. */
#define WRITERS		4
#define BATCHES		200000

static struct nt_counters shared[WRITERS];

static void *writer(void *arg)
{
	struct nt_counters *c = arg;
	unsigned ring = (unsigned)(c - shared);
	int i;

	for (i = 0; i < BATCHES; i++) {
		nt_counters_add(c, 3, 180, 1);
		nt_counters_add_ring(c, ring, 3, 180);
		nt_counters_note_space(c, (uint64_t)(i % 1000));
	}
	return NULL;
}

static void test_concurrency(void)
{
	pthread_t t[WRITERS];
	struct nt_snapshot prev, cur;
	int i, monotonic = 1, reads = 0;
	unsigned done = 0;

	for (i = 0; i < WRITERS; i++)
		nt_counters_init(&shared[i], WRITERS);
	nt_snapshot_take(&prev, shared, WRITERS);
	for (i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, &shared[i]);
	while (done < 3 * BATCHES * (unsigned)WRITERS && reads < 1000000) {
		nt_snapshot_take(&cur, shared, WRITERS);
		if (cur.pkts < prev.pkts || cur.bytes < prev.bytes || cur.events < prev.events)
			monotonic = 0;
		prev = cur;
		done = (unsigned)cur.pkts;
		reads++;
	}
	for (i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	nt_snapshot_take(&cur, shared, WRITERS);
	ok(monotonic, "concurrent snapshots never go backwards (%d reads)", reads);
	ok(cur.pkts == 3ull * BATCHES * WRITERS && cur.bytes == 180ull * BATCHES * WRITERS &&
	   cur.events == (uint64_t)BATCHES * WRITERS, "totals exact after the writers end");
	ok(cur.ring_pkts[0] == 3ull * BATCHES && cur.ring_pkts[WRITERS - 1] == 3ull * BATCHES,
	   "per-ring totals exact");
}

static void test_reporter(void)
{
	struct nt_counters c;
	struct nt_reporter r;
	struct nt_delta d;
	uint64_t t0, interval = 20000000ull;
	int rc;

	nt_counters_init(&c, 0);
	nt_reporter_start(&r, interval, &c, 1);
	t0 = r.t0_ns;
	ok(nt_reporter_deadline(&r) == t0 + interval, "first deadline is t0 + interval");
	nt_counters_add(&c, 10, 600, 1);
	while ((rc = nt_reporter_sleep(&r)) != 0)
		;
	ok(nt_now_ns() >= t0 + interval, "woke at or after the deadline");
	ok(nt_reporter_deadline(&r) == t0 + (r.k + 1) * interval && r.k >= 1,
	   "next deadline stays on the t0 + k * interval grid");
	is_int(nt_reporter_take(&r, &c, 1, 0, &d), 1, "a full interval is reported");
	ok(d.pkts == 10 && d.usec >= 19000, "delta of the interval (%llu usec)",
	   (unsigned long long)d.usec);
	nt_counters_add(&c, 5, 300, 1);
	is_int(nt_reporter_take(&r, &c, 1, 0, &d), 0, "a delta under 10 ms is not printed");
	nt_counters_add(&c, 2, 120, 1);
	while (nt_reporter_sleep(&r) != 0)
		;
	is_int(nt_reporter_take(&r, &c, 1, 0, &d), 1, "next report");
	is_int(d.pkts, 7, "the short delta was folded into the next one");
	nt_counters_add(&c, 1, 60, 1);
	is_int(nt_reporter_take(&r, &c, 1, 1, &d), 0, "short final delta: not a human line");
	is_int(d.pkts, 1, "but the final delta is still complete (for JSON)");
	is_int(nt_reporter_take(&r, &c, 1, 1, &d), 0, "final take moved the baseline");
	is_int(d.pkts, 0, "nothing counted twice");
}

static void test_prefix(void)
{
	struct timespec ts = { .tv_sec = 1700000123, .tv_nsec = 456789012 };
	char buf[128], *text = NULL;
	size_t len = 0;
	FILE *f;

	nt_fmt_prefix(buf, sizeof(buf), &ts, "main_thread", 2781);
	is_str(buf, "123.456789 main_thread [2781] ", "prefix: seconds mod 1000, microseconds");
	ts.tv_sec = 1700000007;
	ts.tv_nsec = 1000;
	nt_fmt_prefix(buf, sizeof(buf), &ts, "ping_body", 7);
	is_str(buf, "007.000001 ping_body [7] ", "prefix zero-padded");

	f = open_memstream(&text, &len);
	nt_set_streams(f, f);
	nt_diag("opened %s", "vale0:a");
	nt_diag_named("main_thread", "count %d\n", 3);
	nt_err("pkt-gen", "cannot open %s: %s", "netmap:eth9", "No such device");
	nt_warn("pkt-gen", "requested %dpps, achieved %dpps", 1000, 990);
	fprintf(nt_out(), "result\n");
	nt_set_streams(NULL, NULL);
	fclose(f);
	ok(matches("^[0-9]{3}\\.[0-9]{6} test_prefix \\[[0-9]+\\] opened vale0:a$",
		   line_of(text, 0)), "nt_diag names the function: %s", line_of(text, 0));
	ok(matches("^[0-9]{3}\\.[0-9]{6} main_thread \\[[0-9]+\\] count 3$", line_of(text, 1)),
	   "nt_diag_named, no doubled newline: %s", line_of(text, 1));
	is_str(line_of(text, 2), "pkt-gen: cannot open netmap:eth9: No such device", "nt_err");
	is_str(line_of(text, 3), "pkt-gen: warning: requested 1000pps, achieved 990pps", "nt_warn");
	is_str(line_of(text, 4), "result", "nt_out follows nt_set_streams");
	ok(nt_out() == stdout && nt_errout() == stderr, "NULL restores stdout and stderr");
	free(text);
}

static int count_newlines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static void test_json(void)
{
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123456789 };
	struct nt_json j;
	char esc[128], *text = NULL;
	size_t len = 0;
	FILE *f;

	nt_json_escape(esc, sizeof(esc), "a\"b\\c\n\t\r\b\f\x01\x1f/\xc3\xa9");
	is_str(esc, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/\xc3\xa9",
	       "RFC 8259 escaping; / and UTF-8 kept");
	is_int(nt_json_escape(NULL, 0, "ab\""), 4, "escaped length");
	nt_json_escape(esc, 4, "a\"bc");
	is_str(esc, "a\\\"", "escaping truncates to the buffer");

	f = open_memstream(&text, &len);
	nt_json_begin_at(&j, f, "pkt-gen", "summary", &ts);
	nt_json_string(&j, "function", "tx");
	nt_json_u64(&j, "pkts", 18446744073709551615ull);
	nt_json_int(&j, "delta", -5);
	nt_json_double(&j, "pps", 14285714.2857, 3);
	nt_json_double(&j, "bad", NAN, 3);
	nt_json_bool(&j, "ok", 1);
	nt_json_bool(&j, "lost", 0);
	nt_json_null(&j, "output_ring");
	nt_json_string(&j, "file", NULL);
	nt_json_string(&j, "port", "netmap:pipe{1\t\"x\"");
	nt_json_array_begin(&j, "rings");
	nt_json_object_begin(&j, NULL);
	nt_json_int(&j, "ring", 0);
	nt_json_u64(&j, "pkts", 501);
	nt_json_object_end(&j);
	nt_json_object_begin(&j, NULL);
	nt_json_int(&j, "ring", 1);
	nt_json_u64(&j, "pkts", 500);
	nt_json_object_end(&j);
	nt_json_array_end(&j);
	nt_json_array_begin(&j, "histogram");
	nt_json_array_begin(&j, NULL);
	nt_json_u64(&j, NULL, 4096);
	nt_json_u64(&j, NULL, 3);
	nt_json_array_end(&j);
	nt_json_array_end(&j);
	nt_json_array_begin(&j, "empty");
	nt_json_array_end(&j);
	nt_json_object_begin(&j, "rtt_ns");
	nt_json_u64(&j, "min", 5120);
	is_int(nt_json_end(&j), 0, "json object written");

	nt_json_begin_at(&j, f, "vale-ctl", "port", &ts);
	is_int(nt_json_end(&j), 0, "minimal object written");
	nt_json_begin_bare(&j, f);
	nt_json_time(&j, "ts", &ts);
	nt_json_null(&j, "output_ring");
	is_int(nt_json_end(&j), 0, "bare object written");
	nt_json_begin_bare(&j, NULL);
	nt_json_u64(&j, "pkts", 1);
	is_str(nt_json_text(&j), "{\"pkts\":1", "text of an object without a stream");
	is_int(nt_json_end(&j), 0, "no stream: nothing written, no error");
	fclose(f);
	is_str(line_of(text, 0),
	       "{\"tool\":\"pkt-gen\",\"type\":\"summary\",\"ts\":1700000000.123456,"
	       "\"function\":\"tx\",\"pkts\":18446744073709551615,\"delta\":-5,"
	       "\"pps\":14285714.286,\"bad\":null,\"ok\":true,\"lost\":false,"
	       "\"output_ring\":null,\"file\":null,\"port\":\"netmap:pipe{1\\t\\\"x\\\"\","
	       "\"rings\":[{\"ring\":0,\"pkts\":501},{\"ring\":1,\"pkts\":500}],"
	       "\"histogram\":[[4096,3]],\"empty\":[],\"rtt_ns\":{\"min\":5120}}",
	       "json line, open levels closed by nt_json_end");
	is_str(line_of(text, 1),
	       "{\"tool\":\"vale-ctl\",\"type\":\"port\",\"ts\":1700000000.123456}",
	       "tool, type and ts come first");
	is_str(line_of(text, 2), "{\"ts\":1700000000.123456,\"output_ring\":null}",
	       "a bare object has only its own members");
	is_int(count_newlines(text), 3, "one line per object");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	nt_json_begin_at(&j, f, "pkt-gen", "interval", &ts);
	for (int i = 0; i < NT_JSON_DEPTH_MAX + 1; i++)
		nt_json_array_begin(&j, i ? NULL : "deep");
	is_int(nt_json_end(&j), -1, "too deep: error");
	fclose(f);
	is_str(text, "", "too deep: nothing written");
	free(text);

	nt_json_begin(&j, stdout, "pkt-gen", "start");
	ok(nt_json_text(&j) && matches("^\\{\"tool\":\"pkt-gen\",\"type\":\"start\",\"ts\":[0-9]+\\.[0-9]{6}$",
					nt_json_text(&j)), "nt_json_begin stamps the wall clock");
	free(j.buf);
}

int main(void)
{
	test_norm();
	test_rates();
	test_window();
	test_periodic();
	test_summary();
	test_counters();
	test_concurrency();
	test_reporter();
	test_prefix();
	test_json();
	return tap_done();
}
