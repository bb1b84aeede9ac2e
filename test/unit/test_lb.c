// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of lb's parts that need no port (tools.md 7, 9.5 LB-8):
 * the command line through lb_parse_args() and lb_name_groups(); the
 * Toeplitz hash against Microsoft's RSS verification vectors, the table
 * hash against the bit-by-bit one, and the header rules of 7.3 (symmetry,
 * VLAN tags, tunnels, fragments, non-IP); the overflow queues and the
 * reclaim rule.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_harness.h"
#include "lb_hash.h"
#include "lb_options.h"
#include "lb_queue.h"
#include "nt_log.h"
#include "tap.h"

/* ================================================================ options */

CLI_TOOL_HARNESS("lb", struct lb_config, lb_parse_args, LB_ARGS_DONE)

static const struct row rows[] = {
	{ 0, "-i eth0", NONE, NULL },
	{ 0, "-i netmap:eth0-1 -p out:4 -p 3 -B 4096 -b 512 -w 0 -W -s 5 -o 1", NONE, NULL },
	{ 0, "--interface vale0:a --pipes=x: --extra-buffers 0 --batch 65535", NONE, NULL },
	{ 0, "-h", OUT, "Usage: lb [OPTIONS]" },
	{ 0, "--help", OUT, "-p, --pipes=[name:]n" },
	{ 0, "--version", OUT, "lb " },
	/* LB-8 */
	{ 2, "", ERR,
	  "lb: missing -i; expected a port name such as vale0:a, netmap:eth0 or eth0" },
	{ 2, "-i eth0 -p 0", ERR,
	  "lb: -p 0: pipe count out of range; expected an integer from 1 to 64" },
	{ 2, "-i eth0 -p :4", ERR,
	  "lb: -p :4: empty group name; expected [name:]n, such as out:4" },
	{ 2, "-i eth0 -b 0", ERR,
	  "lb: -b 0: batch size out of range; expected an integer from 1 to 65535" },
	{ 2, "-i eth0 -b 70000", ERR,
	  "lb: -b 70000: batch size out of range; expected an integer from 1 to 65535" },
	{ 2, "-i eth0 -z", ERRF, "lb: " },
	{ 2, "-i eth0 -p out:x", ERRF, "lb: -p out:x: " },
	{ 2, "-i eth0 -p out", ERRF, "lb: -p out: " },
	{ 2, "-i eth0 -p ''", ERR, "lb: -p '': empty group; expected [name:]n, such as out:4" },
	{ 2, "-i eth0 -p out:65", ERR,
	  "lb: -p out:65: pipe count out of range; expected an integer from 1 to 64" },
	{ 2, "-i eth0 -p out:40 -p out:30", ERR,
	  "lb: -p out:40: 70 pipes of group out; a pipe parent holds at most 64" },
	{ 2, "-i eth0 -p "
	  "n123456789012345678901234567890123456789012345678901234567:2", ERR,
	  "lb: -p n123456789012345678901234567890123456789012345678901234567:2: group name "
	  "too long; expected at most 56 characters" },
	{ 2, "-i eth0 -B 1000001", ERR,
	  "lb: -B 1000001: extra buffer count out of range; expected an integer from 0 to "
	  "1000000" },
	{ 2, "-i eth0 -s 86401", ERR,
	  "lb: -s 86401: syslog interval out of range; expected an integer from 0 to 86400" },
	{ 2, "-i eth0 -o -1", ERRF, "lb: -o -1: " },
	{ 2, "-i eth0 -w 3601", ERRF, "lb: -w 3601: " },
	{ 2, "-i eth0 extra", ERRF, "lb: " },
};

static int name_groups_parse(int argc, char **argv, void *ctx)
{
	const char *const *a = ctx;

	(void)argc;
	(void)argv;
	return lb_name_groups(&cfg, a[0], a[1] != NULL);
}

/* lb_name_groups() on the last parsed config, its stderr in cli_err. */
static int name_groups(const char *default_name, int input_is_pipe)
{
	const char *a[2] = { default_name, input_is_pipe ? "pipe" : NULL };

	return cli_run("lb", "", name_groups_parse, a);
}

static void test_options(void)
{
	ROWS(rows);

	is_int(run("-i eth0"), 0, "defaults: parse");
	ok(cfg.ngroups == 1 && cfg.groups[0].npipes == 2 && cfg.groups[0].name[0] == '\0' &&
	   cfg.extra_bufs == 0 && cfg.batch == 2048 && !cfg.wait_given && !cfg.busy &&
	   cfg.syslog_s == 0 && cfg.stdout_s == 0 && !cfg.json_given && !cfg.duration_given,
	   "defaults: one group of 2 pipes, -B 0, -b 2048");
	is_int(name_groups("eth0", 0), 0, "default group named after the input");
	is_str(cfg.groups[0].name, "eth0", "default group name");

	is_int(run("-i netmap:I}0 -p A:2 -p B: -p 3 -p A:1 -B 10 -b 7 -w 500ms -W -s 2 -o 3 "
		   "--json=x.json --duration 2s -vv"), 0, "all options: parse");
	ok(cfg.ngroups == 4 && !strcmp(cfg.groups[0].name, "A") && cfg.groups[0].npipes == 2 &&
	   !strcmp(cfg.groups[1].name, "B") && cfg.groups[1].npipes == 2 &&
	   cfg.groups[2].name[0] == '\0' && cfg.groups[2].npipes == 3 &&
	   !strcmp(cfg.groups[3].name, "A") && cfg.groups[3].npipes == 1,
	   "groups in command-line order; name: alone means 2 pipes");
	ok(cfg.extra_bufs == 10 && cfg.batch == 7 && cfg.wait_given &&
	   cfg.wait_ns == 500000000 && cfg.busy && cfg.syslog_s == 2 && cfg.stdout_s == 3 &&
	   cfg.json_given && !strcmp(cfg.json_file, "x.json") && cfg.duration_given &&
	   cfg.duration_ns == 2000000000ull && cfg.verbose == 2, "values stored");

	/* a pipe input needs named groups (7.2) */
	is_int(run("-i netmap:I}0"), 0, "pipe input without -p: parse");
	is_int(name_groups("I}0", 1), 2, "pipe input without -p: usage error");
	is_str(cli_err, "lb: the input netmap:I}0 is a pipe: name the pipe groups with -p name:n, "
	       "such as -p out:2\n", "pipe input without -p: the message asks for names");
	is_int(run("-i netmap:I}0 -p 4"), 0, "pipe input with -p 4: parse");
	is_int(name_groups("I}0", 1), 2, "pipe input with an unnamed group: usage error");
	is_str(cli_err, "lb: -p 4: the input netmap:I}0 is a pipe: name the group, such as out:4\n",
	       "the message names -p and suggests a name");
	is_int(run("-i netmap:I}0 -p O:4"), 0, "pipe input with a named group: parse");
	is_int(name_groups("I}0", 1), 0, "pipe input with a named group: accepted");
	is_int(run("-i eth0 -p eth0:40 -p 30"), 0, "named and default groups: parse");
	is_int(name_groups("eth0", 0), 2, "a default group adds to a named one of the same name");
	is_str(cli_err, "lb: -p eth0:40: 70 pipes of group eth0; a pipe parent holds at most 64\n",
	       "the message counts both groups");
}

/* ================================================================ hash */

/* Microsoft's RSS verification key and vectors (IPv4, IPv6). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct ms_vector {
	const char *dst, *src;
	uint16_t dport, sport;
	uint32_t addrs, l4;
};

static const struct ms_vector ms4[] = {
	{ "161.142.100.80", "66.9.149.187", 1766, 2794, 0x323e8fc2, 0x51ccc178 },
	{ "65.69.140.83", "199.92.111.2", 4739, 14230, 0xd718262a, 0xc626b0ea },
	{ "12.22.207.184", "24.19.198.95", 38024, 12898, 0xd2d0a5de, 0x5c2b394a },
	{ "209.142.163.6", "38.27.205.30", 2217, 48228, 0x82989176, 0xafc7327f },
	{ "202.188.127.2", "153.39.163.191", 1303, 44251, 0x5d1809c5, 0x10e828a2 },
};

static const struct ms_vector ms6[] = {
	{ "3ffe:2501:200:3::1", "3ffe:2501:200:1fff::7", 1766, 2794, 0x2cc18cd5, 0x40207d3d },
	{ "ff02::1", "3ffe:501:8::260:97ff:fe40:efab", 4739, 14230, 0x0f0c461c, 0xdde51bbf },
	{ "fe80::200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 38024, 44251,
	  0x4b61e985, 0x02d1feef },
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Source, destination address, then the ports; returns the addresses' length. */
static size_t write_tuple(uint8_t *buf, int af, const char *src, const char *dst,
			  unsigned sport, unsigned dport)
{
	size_t alen = af == AF_INET ? 4 : 16;

	inet_pton(af, src, buf);
	inet_pton(af, dst, buf + alen);
	put16(buf + 2 * alen, sport);
	put16(buf + 2 * alen + 2, dport);
	return 2 * alen;
}

static size_t ms_input(const struct ms_vector *v, int af, uint8_t *buf)
{
	return write_tuple(buf, af, v->src, v->dst, v->sport, v->dport);
}

static void test_toeplitz(void)
{
	uint8_t in[64];
	unsigned i, k;

	for (i = 0; i < sizeof(ms4) / sizeof(ms4[0]); i++) {
		size_t n = ms_input(&ms4[i], AF_INET, in);

		is_int(lb_toeplitz(ms_key, sizeof(ms_key), in, n), ms4[i].addrs,
		       "Microsoft vector %s -> %s, addresses", ms4[i].src, ms4[i].dst);
		is_int(lb_toeplitz(ms_key, sizeof(ms_key), in, n + 4), ms4[i].l4,
		       "Microsoft vector %s -> %s, with ports", ms4[i].src, ms4[i].dst);
	}
	for (i = 0; i < sizeof(ms6) / sizeof(ms6[0]); i++) {
		size_t n = ms_input(&ms6[i], AF_INET6, in);

		is_int(lb_toeplitz(ms_key, sizeof(ms_key), in, n), ms6[i].addrs,
		       "Microsoft vector %s -> %s, addresses", ms6[i].src, ms6[i].dst);
		is_int(lb_toeplitz(ms_key, sizeof(ms_key), in, n + 4), ms6[i].l4,
		       "Microsoft vector %s -> %s, with ports", ms6[i].src, ms6[i].dst);
	}

	/* the table hash is the bit-by-bit hash under the symmetric key */
	srandom(7);
	for (i = 0, k = 0; i < 2000; i++) {
		size_t len = (size_t)random() % 37;
		unsigned b;

		for (b = 0; b < len; b++)
			in[b] = (uint8_t)random();
		k += lb_hash_bytes(in, len) == lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), in, len);
	}
	is_int(k, 2000, "table hash equals the bit-by-bit hash on 2000 random inputs");
}

/* ---------------------------------------------------------------- frames */

struct frame {
	uint8_t b[256];
	size_t len;
};

static void eth(struct frame *f, const unsigned *tags, unsigned ntags, unsigned type)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	unsigned i;

	memset(f, 0, sizeof(*f));
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, src, 6);
	f->len = 12;
	for (i = 0; i < ntags; i++) {
		put16(f->b + f->len, tags[i]);
		put16(f->b + f->len + 2, 100 + i);	/* VLAN id */
		f->len += 4;
	}
	put16(f->b + f->len, type);
	f->len += 2;
}

/* An IPv4 header (no options), then 8 bytes of L4 with the ports. */
static void ip4(struct frame *f, const char *src, const char *dst, unsigned proto,
		unsigned frag, unsigned sport, unsigned dport, size_t payload)
{
	uint8_t *p = f->b + f->len;

	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + payload));
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = (uint8_t)proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	f->len += 20;
	if (payload >= 4) {
		put16(f->b + f->len, sport);
		put16(f->b + f->len + 2, dport);
	}
}

static void ip6(struct frame *f, const char *src, const char *dst, unsigned next,
		size_t payload)
{
	uint8_t *p = f->b + f->len;

	p[0] = 0x60;
	put16(p + 4, (unsigned)payload);
	p[6] = (uint8_t)next;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	f->len += 40;
}

static void ports(struct frame *f, unsigned sport, unsigned dport)
{
	put16(f->b + f->len, sport);
	put16(f->b + f->len + 2, dport);
	f->len += 8;
}

/* The hash of a tuple written out: addresses then ports (af AF_INET or AF_INET6). */
static uint32_t tuple(int af, const char *src, const char *dst, int with_ports,
		      unsigned sport, unsigned dport)
{
	uint8_t t[36];
	size_t n = write_tuple(t, af, src, dst, sport, dport);

	return lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), t, n + (with_ports ? 4 : 0));
}

#define tuple4(...)	tuple(AF_INET, __VA_ARGS__)
#define tuple6(...)	tuple(AF_INET6, __VA_ARGS__)

static void test_frames(void)
{
	static const unsigned one_tag[] = { 0x8100 };
	static const unsigned two_tags[] = { 0x88a8, 0x8100 };
	static const unsigned three_tags[] = { 0x88a8, 0x8100, 0x8100 };
	static const unsigned protos[] = { 6, 17, 132 };
	enum lb_hash_kind kind;
	struct frame f, r;
	uint32_t h;
	unsigned i;

	/* TCP, UDP, SCTP: addresses and ports; both directions alike */
	for (i = 0; i < 3; i++) {
		eth(&f, NULL, 0, 0x0800);
		ip4(&f, "10.0.0.1", "10.1.0.1", protos[i], 0, 1000, 2000, 8);
		f.len += 8;
		h = lb_hash_frame(f.b, f.len, &kind);
		is_int(h, tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
		       "IPv4 protocol %u: addresses and ports", protos[i]);
		is_int(kind, LB_HASH_L4, "IPv4 protocol %u: kind", protos[i]);
		eth(&r, NULL, 0, 0x0800);
		ip4(&r, "10.1.0.1", "10.0.0.1", protos[i], 0, 2000, 1000, 8);
		r.len += 8;
		is_int(lb_hash_frame(r.b, r.len, NULL), h, "IPv4 protocol %u: symmetric", protos[i]);
	}
	/* ICMP: addresses only */
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 1, 0, 0x0800, 0, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, &kind), tuple4("10.0.0.1", "10.1.0.1", 0, 0, 0),
	       "ICMP: addresses only");
	is_int(kind, LB_HASH_ADDRS, "ICMP: kind");

	/* VLAN tags: one and two skipped, a third is not IP */
	eth(&f, one_tag, 1, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0, 1000, 2000, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "one VLAN tag skipped");
	eth(&f, two_tags, 2, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0, 1000, 2000, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "two VLAN tags (QinQ) skipped");
	eth(&f, three_tags, 3, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0, 1000, 2000, 8);
	f.len += 8;
	lb_hash_frame(f.b, f.len, &kind);
	is_int(kind, LB_HASH_NON_IP, "three VLAN tags: not IP");

	/* fragments: addresses only, the first one included */
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0x2000, 1000, 2000, 8);	/* MF, offset 0 */
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, &kind), tuple4("10.0.0.1", "10.1.0.1", 0, 0, 0),
	       "first IPv4 fragment: addresses only");
	is_int(kind, LB_HASH_ADDRS, "first fragment: kind");
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0x00b9, 0x4142, 0x4344, 8);	/* offset 185 */
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 0, 0, 0),
	       "last IPv4 fragment: addresses only");
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0x4000, 1000, 2000, 8);	/* DF only */
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "don't-fragment alone is not a fragment");

	/* IPv6, with an extension header, and fragments */
	eth(&f, NULL, 0, 0x86dd);
	ip6(&f, "2001:db8::1", "2001:db8::2", 6, 8);
	ports(&f, 1000, 2000);
	h = lb_hash_frame(f.b, f.len, &kind);
	is_int(h, tuple6("2001:db8::1", "2001:db8::2", 1, 1000, 2000), "IPv6 TCP");
	eth(&r, NULL, 0, 0x86dd);
	ip6(&r, "2001:db8::2", "2001:db8::1", 6, 8);
	ports(&r, 2000, 1000);
	is_int(lb_hash_frame(r.b, r.len, NULL), h, "IPv6 TCP: symmetric");
	eth(&f, NULL, 0, 0x86dd);
	ip6(&f, "2001:db8::1", "2001:db8::2", 60, 16);	/* destination options */
	f.b[f.len] = 17;
	f.b[f.len + 1] = 0;
	f.len += 8;
	ports(&f, 1000, 2000);
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple6("2001:db8::1", "2001:db8::2", 1, 1000, 2000),
	       "IPv6 extension header skipped");
	eth(&f, NULL, 0, 0x86dd);
	ip6(&f, "2001:db8::1", "2001:db8::2", 44, 16);	/* fragment header, more fragments */
	f.b[f.len] = 17;
	put16(f.b + f.len + 2, 0x0001);
	f.len += 8;
	ports(&f, 1000, 2000);
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple6("2001:db8::1", "2001:db8::2", 0, 0, 0),
	       "IPv6 fragment: addresses only");

	/* tunnels: the inner headers */
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "192.168.0.1", "192.168.0.2", 4, 0, 0, 0, 28);
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0, 1000, 2000, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "IP in IP: inner headers");
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "192.168.0.1", "192.168.0.2", 41, 0, 0, 0, 48);
	ip6(&f, "2001:db8::1", "2001:db8::2", 17, 8);
	ports(&f, 1000, 2000);
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple6("2001:db8::1", "2001:db8::2", 1, 1000, 2000),
	       "IPv6 in IP: inner headers");
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "192.168.0.1", "192.168.0.2", 47, 0, 0, 0, 36);
	put16(f.b + f.len, 0x2000);	/* GRE with a key */
	put16(f.b + f.len + 2, 0x0800);
	f.len += 8;
	ip4(&f, "10.0.0.1", "10.1.0.1", 6, 0, 1000, 2000, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "GRE (with key) carrying IPv4: inner headers");
	eth(&f, NULL, 0, 0x86dd);
	ip6(&f, "2001:db8::a", "2001:db8::b", 47, 4 + 14 + 28);
	put16(f.b + f.len, 0);
	put16(f.b + f.len + 2, 0x6558);	/* GRE carrying Ethernet */
	f.len += 4;
	memset(f.b + f.len, 0x22, 12);
	put16(f.b + f.len + 12, 0x0800);
	f.len += 14;
	ip4(&f, "10.0.0.1", "10.1.0.1", 17, 0, 1000, 2000, 8);
	f.len += 8;
	is_int(lb_hash_frame(f.b, f.len, NULL), tuple4("10.0.0.1", "10.1.0.1", 1, 1000, 2000),
	       "GRE over IPv6 carrying Ethernet: inner headers");
	eth(&f, NULL, 0, 0x0800);
	ip4(&f, "192.168.0.1", "192.168.0.2", 4, 0, 0, 0, 10);	/* inner header cut short */
	f.len += 10;
	is_int(lb_hash_frame(f.b, f.len, &kind), tuple4("192.168.0.1", "192.168.0.2", 0, 0, 0),
	       "truncated tunnel: outer addresses");

	/* not IP: the last four bytes of each MAC, counted as non-IP */
	eth(&f, NULL, 0, 0x88b5);
	f.len = 60;
	h = lb_hash_frame(f.b, f.len, &kind);
	is_int(kind, LB_HASH_NON_IP, "EtherType 0x88b5: non-IP");
	{
		uint8_t t[8] = { 0, 0, 0, 0x0a, 0, 0, 0, 0x0b };

		is_int(h, lb_toeplitz(lb_hash_key, sizeof(lb_hash_key), t, 8),
		       "non-IP: hashed on the MAC addresses' last four bytes");
	}
	memcpy(r.b, f.b + 6, 6);	/* the reply: MAC addresses swapped */
	memcpy(r.b + 6, f.b, 6);
	memcpy(r.b + 12, f.b + 12, 48);
	is_int(lb_hash_frame(r.b, 60, NULL), h, "non-IP: symmetric");
	eth(&f, NULL, 0, 0x0800);
	f.len += 10;	/* IPv4 header cut short */
	lb_hash_frame(f.b, f.len, &kind);
	is_int(kind, LB_HASH_NON_IP, "truncated IPv4 header: non-IP");
	lb_hash_frame(f.b, 5, &kind);
	is_int(kind, LB_HASH_NON_IP, "5-byte frame: non-IP, no crash");
}

/*
 * lb_hash_frame() hashes plain IPv4 TCP/UDP/SCTP frames straight from the
 * frame: random frames around that case (options, fragments, short total
 * lengths, short frames) give the Toeplitz hash of the tuple 7.3 defines.
 */
static void test_fast_path(void)
{
	static const uint8_t protos[] = { 6, 17, 132 };
	unsigned n, bad = 0, fast = 0, kind_bad = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	uint8_t f[80];

	for (n = 0; n < 20000; n++) {
		size_t len, i, ihl, total, l, tl = 8;
		enum lb_hash_kind kind, want = LB_HASH_ADDRS;
		uint8_t t[12];
		uint32_t h;

		for (i = 0; i < sizeof(f); i++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			f[i] = (uint8_t)(rng >> 56);
		}
		len = 38 + f[0] % 40;
		f[12] = 0x08;
		f[13] = 0x00;
		f[14] = f[1] % 8 ? 0x45 : 0x46;		/* options: the general parse */
		f[16] = 0;
		f[17] = (uint8_t)(f[2] % 64);		/* total length, short ones too */
		f[20] = f[3] % 4 ? 0 : 0x20;		/* more fragments: addresses only */
		f[21] = 0;
		f[23] = protos[f[4] % 3];
		ihl = (size_t)(f[14] & 0xf) * 4;
		total = f[17];
		l = len - 14;
		if (total >= ihl && total < l)
			l = total;
		memcpy(t, f + 26, 8);
		if (!(f[20] & 0x3f) && l >= ihl + 4) {
			memcpy(t + 8, f + 14 + ihl, 4);
			tl = 12;
			want = LB_HASH_L4;
		}
		fast += f[14] == 0x45 && total >= 24 && !f[20];
		h = lb_hash_frame(f, len, &kind);
		bad += h != lb_toeplitz(lb_hash_key, LB_HASH_KEY_LEN, t, tl);
		kind_bad += kind != want;
	}
	ok(fast > 5000, "random IPv4 frames: %u of 20000 in the direct case", fast);
	is_int(bad, 0, "random IPv4 frames: the hash of the tuple, direct or parsed");
	is_int(kind_bad, 0, "random IPv4 frames: addresses and ports, or addresses only");
}

/* ================================================================ queues */

static uint32_t fake_bufs[64][4];	/* buffer i: its first word links the list */

static void *fake_buf(void *ctx, uint32_t idx)
{
	(void)ctx;
	return fake_bufs[idx];
}

static unsigned drops_seen;
static uint64_t drop_bytes_seen;

static void on_drop(void *ctx, uint32_t queue, const struct lb_qnode *first, uint64_t bytes)
{
	(void)ctx;
	(void)queue;
	(void)first;
	drops_seen++;
	drop_bytes_seen += bytes;
}

/* Queue a packet of n slots of 100 bytes each; 0 or -1. */
static int push(struct lb_queue *q, struct lb_pool *p, unsigned n, uint32_t hash)
{
	uint32_t nodes[8];
	unsigned k;

	if (lb_pool_take(p, nodes, n))
		return -1;
	for (k = 0; k < n; k++) {
		p->node[nodes[k]].slot.len = 100;
		p->node[nodes[k]].slot.flags = k + 1 < n ? NS_MOREFRAG : 0;
		p->node[nodes[k]].hash = hash;
	}
	lb_queue_push(q, p, nodes, n);
	return 0;
}

static void test_queues(void)
{
	struct lb_pool pool;
	struct lb_queue q[3];
	uint32_t i, head, first, seen[64] = { 0 };
	unsigned n, count;

	/* the granted list: buffers 10 -> 11 -> ... -> 49, then 0 */
	for (i = 10; i < 50; i++)
		fake_bufs[i][0] = i + 1 < 50 ? i + 1 : 0;
	is_int(lb_pool_init(&pool, 10, 40, fake_buf, NULL), 0, "pool from 40 extra buffers");
	is_int(pool.count, 40, "40 nodes");
	is_int(lb_pool_free(&pool), 40, "all free");
	for (i = 0; i < 3; i++)
		lb_queue_init(&q[i]);

	ok(push(&q[0], &pool, 1, 1) == 0 && push(&q[0], &pool, 3, 2) == 0 &&
	   push(&q[1], &pool, 2, 3) == 0, "packets of 1, 3 and 2 slots queued");
	is_int(lb_queue_pkts(&q[0]), 2, "queue 0: 2 packets");
	is_int(lb_queue_bufs(&q[0]), 4, "queue 0: 4 buffers");
	is_int(lb_pool_free(&pool), 34, "34 free");
	first = lb_queue_peek(&q[0], &pool, &n);
	ok(first != LB_QNIL && n == 1 && pool.node[first].hash == 1, "oldest packet first");
	lb_queue_pop(&q[0], &pool, n);
	first = lb_queue_peek(&q[0], &pool, &n);
	ok(n == 3 && pool.node[first].hash == 2, "then the 3-slot packet, whole");
	lb_queue_pop(&q[0], &pool, n);
	ok(lb_queue_peek(&q[0], &pool, &n) == LB_QNIL && n == 0 && lb_queue_pkts(&q[0]) == 0,
	   "queue 0 empty");
	is_int(lb_pool_free(&pool), 38, "popped nodes are free again");
	ok(push(&q[0], &pool, 1, 9) == 0 && lb_queue_pkts(&q[0]) == 1 &&
	   lb_queue_peek(&q[0], &pool, &n) != LB_QNIL, "an emptied queue takes packets again");
	lb_queue_pop(&q[0], &pool, 1);

	/* fill: queue 2 gets 30 buffers, queue 1 the last 8 */
	for (i = 0; i < 15; i++)
		push(&q[2], &pool, 2, 100 + i);
	for (count = 0; push(&q[1], &pool, 1, 200) == 0; count++)
		;
	is_int(count, 8, "the pool runs dry after 40 buffers");
	is_int(lb_pool_take(&pool, &head, 1), -1, "nothing to take from a dry pool");

	/* reclaim: the longest queue, whole packets, oldest first */
	drops_seen = 0;
	drop_bytes_seen = 0;
	is_int(lb_reclaim(q, 3, &pool, on_drop, NULL), 2, "reclaim picks the longest queue");
	is_int(drops_seen, 15, "fewer than 150 buffers queued: all its packets dropped");
	is_int(drop_bytes_seen, 3000, "dropped bytes counted");
	is_int(lb_queue_pkts(&q[2]), 0, "longest queue emptied");
	is_int(lb_queue_pkts(&q[1]), 9, "the other queue untouched");
	is_int(lb_pool_free(&pool), 30, "30 buffers free again");

	/* everything goes back: each granted buffer once */
	head = lb_pool_release(&pool, fake_buf, NULL);
	for (count = 0; head && count < 64; head = fake_bufs[head][0], count++)
		seen[head]++;
	is_int(count, 40, "release links all 40 buffers, queued ones included");
	for (i = 10, n = 0; i < 50; i++)
		n += seen[i] == 1;
	is_int(n, 40, "each buffer once");

	/* a list longer than the grant is cut at the grant */
	for (i = 10; i < 50; i++)
		fake_bufs[i][0] = i + 1 < 50 ? i + 1 : 0;
	is_int(lb_pool_init(&pool, 10, 5, fake_buf, NULL), 0, "pool of 5");
	is_int(pool.count, 5, "only the granted buffers are taken");
	lb_pool_release(&pool, fake_buf, NULL);
}

/* 150 oldest buffers of a longer queue; a fresh pool of 400. */
static void test_reclaim_150(void)
{
	struct lb_pool pool;
	struct lb_queue q[2];
	unsigned i, n;
	uint32_t first;

	lb_queue_init(&q[0]);
	lb_queue_init(&q[1]);
	memset(&pool, 0, sizeof(pool));
	pool.node = calloc(400, sizeof(*pool.node));
	pool.count = 400;
	for (i = 0; i < 400; i++) {
		pool.node[i].slot.buf_idx = 1000 + i;
		pool.node[i].next = i + 1 < 400 ? i + 1 : LB_QNIL;
	}
	pool.free_head = 0;
	atomic_store(&pool.nfree, 400);
	for (i = 0; i < 300; i++)
		push(&q[0], &pool, 1, i);
	for (i = 0; i < 100; i++)
		push(&q[1], &pool, 1, 1000 + i);
	drops_seen = 0;
	is_int(lb_reclaim(q, 2, &pool, on_drop, NULL), 0, "reclaim from the 300-buffer queue");
	is_int(drops_seen, 150, "exactly the 150 oldest dropped");
	first = lb_queue_peek(&q[0], &pool, &n);
	is_int(pool.node[first].hash, 150, "the packet after them is now the oldest");
	is_int(lb_pool_free(&pool), 150, "150 buffers free");
	free(pool.node);
}

int main(void)
{
	test_options();
	cli_check_synopsis(lb_tool_table(), "lb.8");
	test_toeplitz();
	test_frames();
	test_fast_path();
	test_queues();
	test_reclaim_150();
	free(cli_out);
	free(cli_err);
	return tap_done();
}
