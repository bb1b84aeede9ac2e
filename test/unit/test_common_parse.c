// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the value parsers (tools/common/nt_parse.c): every accepted
 * form, the rejected ones, and the exact one-line messages users see after
 * "pkt-gen: -l 8: ".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "nt_parse.h"
#include "tap.h"

static char err[512];

/* Expect success. */
#define PARSE_OK(call, name)                                                 \
	do {                                                                 \
		err[0] = '\0';                                               \
		int r_ = (call);                                             \
		is_int(r_, 0, "%s", name);                                   \
		if (r_)                                                      \
			printf("#   message: %s\n", err);                    \
	} while (0)

/* Expect failure with exactly this message. */
#define PARSE_BAD(call, message, name)                                       \
	do {                                                                 \
		err[0] = '\0';                                               \
		is_int((call), -1, "%s fails", name);                        \
		is_str(err, message, "%s message", name);                    \
	} while (0)

static const char count_form[] =
	"expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M";

static void test_count(void)
{
	uint64_t v = 0;

	PARSE_OK(nt_parse_count("1000", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		 "count 1000");
	is_int(v, 1000, "1000 is 1000");
	PARSE_OK(nt_parse_count("10K", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		 "count 10K");
	is_int(v, 10000, "10K is 10000 (netmap read 10)");
	PARSE_OK(nt_parse_count("10k", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		 "count 10k");
	is_int(v, 10000, "10k is 10000");
	PARSE_OK(nt_parse_count("2M", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)), "count 2M");
	is_int(v, 2000000, "2M is 2000000");
	PARSE_OK(nt_parse_count("2m", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)), "count 2m");
	is_int(v, 2000000, "2m is 2000000");
	PARSE_OK(nt_parse_count("3G", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)), "count 3G");
	is_int(v, 3000000000ll, "3G is 3e9");
	PARSE_OK(nt_parse_count("0", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)), "count 0");
	is_int(v, 0, "0 is 0");
	PARSE_OK(nt_parse_count("18446744073709551615", "count", 0, UINT64_MAX, 0, &v, err,
				sizeof(err)), "count 2^64-1");
	ok(v == UINT64_MAX, "2^64-1 kept exactly");

	v = 42;
	PARSE_BAD(nt_parse_count("12x", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "count 12x");
	is_int(v, 42, "failed parse leaves the value alone");
	PARSE_BAD(nt_parse_count("", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "empty count");
	PARSE_BAD(nt_parse_count("-1", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "negative count");
	PARSE_BAD(nt_parse_count(" 1", NULL, 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid value; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "leading blank, default noun");
	PARSE_BAD(nt_parse_count("10KK", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "double suffix");
	PARSE_BAD(nt_parse_count("1.5K", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "fraction in a count");
	PARSE_BAD(nt_parse_count("K", "count", 0, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "invalid count; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
		  "suffix alone");
	PARSE_BAD(nt_parse_count("18446744073709551616", "count", 0, UINT64_MAX, 0, &v, err,
				 sizeof(err)),
		  "count out of range; expected a count from 0 to 18446744073709551615",
		  "count 2^64 overflows");
	PARSE_BAD(nt_parse_count("18446744073709552K", "count", 0, UINT64_MAX, 0, &v, err,
				 sizeof(err)),
		  "count out of range; expected a count from 0 to 18446744073709551615",
		  "suffix overflows");
	PARSE_BAD(nt_parse_count("101", "count", 1, 100, 0, &v, err, sizeof(err)),
		  "count out of range; expected a count from 1 to 100", "count above range");
	PARSE_BAD(nt_parse_count("0", "count", 1, 100, 0, &v, err, sizeof(err)),
		  "count out of range; expected a count from 1 to 100", "count below range");
	PARSE_OK(nt_parse_count("0", "count", 1, 100, NT_PARSE_ZERO_OK, &v, err, sizeof(err)),
		 "0 accepted with ZERO_OK");
	PARSE_BAD(nt_parse_count("200", "count", 1, 100, NT_PARSE_ZERO_OK, &v, err, sizeof(err)),
		  "count out of range; expected 0 or a count from 1 to 100", "ZERO_OK message");
	PARSE_BAD(nt_parse_count("0", "count", 5, UINT64_MAX, 0, &v, err, sizeof(err)),
		  "count out of range; expected a count of at least 5", "open upper bound");
	(void)count_form;
}

static void test_integers(void)
{
	uint64_t u = 0;
	int64_t i = 0;

	PARSE_OK(nt_parse_uint("60", "packet size", 16, 65536, 0, &u, err, sizeof(err)), "uint 60");
	is_int(u, 60, "60 is 60");
	PARSE_OK(nt_parse_uint("010", "packet size", 0, 65536, 0, &u, err, sizeof(err)),
		 "leading zero");
	is_int(u, 10, "010 is decimal ten, not octal");
	PARSE_BAD(nt_parse_uint("8", "packet size", 16, 65536, 0, &u, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536", "-l 8 (tools.md 1.3)");
	PARSE_BAD(nt_parse_uint("65537", "packet size", 16, 65536, 0, &u, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536", "uint above range");
	PARSE_BAD(nt_parse_uint("abc", "packet size", 16, 65536, 0, &u, err, sizeof(err)),
		  "invalid packet size; expected an integer from 16 to 65536", "uint garbage");
	PARSE_BAD(nt_parse_uint("64x", "packet size", 16, 65536, 0, &u, err, sizeof(err)),
		  "invalid packet size; expected an integer from 16 to 65536", "uint trailing garbage");
	PARSE_BAD(nt_parse_uint("+64", "packet size", 16, 65536, 0, &u, err, sizeof(err)),
		  "invalid packet size; expected an integer from 16 to 65536", "uint with plus sign");
	PARSE_BAD(nt_parse_uint("-1", "burst", 0, 8192, 0, &u, err, sizeof(err)),
		  "invalid burst; expected an integer from 0 to 8192", "uint negative");
	PARSE_BAD(nt_parse_uint("0x10", "burst", 0, 8192, 0, &u, err, sizeof(err)),
		  "invalid burst; expected an integer from 0 to 8192", "hex not accepted by default");
	PARSE_BAD(nt_parse_uint("99999999999999999999", "burst", 0, 8192, 0, &u, err, sizeof(err)),
		  "burst out of range; expected an integer from 0 to 8192", "uint overflow");

	PARSE_OK(nt_parse_uint("0x10", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		 "hex 0x10");
	is_int(u, 16, "0x10 is 16");
	PARSE_OK(nt_parse_uint("0X1f", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		 "hex 0X1f");
	is_int(u, 31, "0X1f is 31");
	PARSE_OK(nt_parse_uint("4096", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		 "decimal with HEX allowed");
	is_int(u, 4096, "4096 is 4096");
	PARSE_BAD(nt_parse_uint("0x", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		  "invalid options; expected an integer from 0 to 8191, decimal or 0x hexadecimal",
		  "0x without digits");
	PARSE_BAD(nt_parse_uint("0x2000", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		  "options out of range; expected an integer from 0 to 8191", "hex above range");
	PARSE_BAD(nt_parse_uint("0x1g", "options", 0, 8191, NT_PARSE_HEX, &u, err, sizeof(err)),
		  "invalid options; expected an integer from 0 to 8191, decimal or 0x hexadecimal",
		  "bad hex digit");

	PARSE_OK(nt_parse_int("-5", "offset", -10, 10, 0, &i, err, sizeof(err)), "int -5");
	is_int(i, -5, "-5 is -5");
	PARSE_OK(nt_parse_int("7", "offset", -10, 10, 0, &i, err, sizeof(err)), "int 7");
	is_int(i, 7, "7 is 7");
	PARSE_BAD(nt_parse_int("-11", "offset", -10, 10, 0, &i, err, sizeof(err)),
		  "offset out of range; expected an integer from -10 to 10", "int below range");
	PARSE_BAD(nt_parse_int("--5", "offset", -10, 10, 0, &i, err, sizeof(err)),
		  "invalid offset; expected an integer from -10 to 10", "int double sign");
	PARSE_BAD(nt_parse_int("-", "offset", -10, 10, 0, &i, err, sizeof(err)),
		  "invalid offset; expected an integer from -10 to 10", "int sign alone");
	PARSE_OK(nt_parse_int("-9223372036854775808", "offset", INT64_MIN, INT64_MAX, 0, &i, err,
			      sizeof(err)), "int64 minimum");
	ok(i == INT64_MIN, "INT64_MIN kept exactly");
	PARSE_BAD(nt_parse_int("9223372036854775808", "offset", INT64_MIN, INT64_MAX, 0, &i, err,
			       sizeof(err)),
		  "offset out of range; expected an integer from -9223372036854775808 to 9223372036854775807",
		  "int64 overflow");
	PARSE_OK(nt_parse_int("-0x10", "offset", -100, 100, NT_PARSE_HEX, &i, err, sizeof(err)),
		 "negative hex");
	is_int(i, -16, "-0x10 is -16");

	PARSE_OK(nt_parse_size("1514", "frame size", 1, 65536, &u, err, sizeof(err)), "size 1514");
	is_int(u, 1514, "1514 bytes");
	PARSE_BAD(nt_parse_size("0", "fragment size", 1, 65536, &u, err, sizeof(err)),
		  "fragment size out of range; expected an integer from 1 to 65536", "size 0");
	PARSE_BAD(nt_parse_size("1K", "fragment size", 1, 65536, &u, err, sizeof(err)),
		  "invalid fragment size; expected an integer from 1 to 65536", "size with suffix");
}

static void test_enum(void)
{
	static const char *const functions[] = { "tx", "rx", "ping", "pong", "txseq", "rxseq",
						  NULL };
	static const char *const vnet[] = { "0", "10", "12", NULL };
	int index = -1;

	PARSE_OK(nt_parse_enum("tx", "function", functions, &index, err, sizeof(err)), "enum tx");
	is_int(index, 0, "tx is word 0");
	PARSE_OK(nt_parse_enum("rxseq", "function", functions, &index, err, sizeof(err)),
		 "enum rxseq");
	is_int(index, 5, "rxseq is word 5");
	PARSE_BAD(nt_parse_enum("foo", "function", functions, &index, err, sizeof(err)),
		  "unknown function; expected one of tx, rx, ping, pong, txseq, rxseq",
		  "-f foo (tools.md 1.3)");
	is_int(index, 5, "failed parse leaves the index alone");
	PARSE_BAD(nt_parse_enum("TX", "function", functions, &index, err, sizeof(err)),
		  "unknown function; expected one of tx, rx, ping, pong, txseq, rxseq",
		  "words are case sensitive");
	PARSE_BAD(nt_parse_enum("tx ", "function", functions, &index, err, sizeof(err)),
		  "unknown function; expected one of tx, rx, ping, pong, txseq, rxseq",
		  "trailing blank");
	PARSE_OK(nt_parse_enum("12", "virtio-net header length", vnet, &index, err, sizeof(err)),
		 "numeric word 12");
	is_int(index, 2, "12 is word 2");
	PARSE_BAD(nt_parse_enum("11", "virtio-net header length", vnet, &index, err, sizeof(err)),
		  "unknown virtio-net header length; expected one of 0, 10, 12", "-H 11");
}

static void test_rate(void)
{
	struct nt_rate r = { 0, NT_UNIT_NONE };
	static const char both[] =
		"a number with optional prefix k, M or G and optional unit pps or bps (bare numbers are pps), such as 1000, 1.5M, 2Mpps or 940Mbps";
	char msg[512];

	PARSE_OK(nt_parse_rate("1000", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 1000");
	ok(r.value == 1000 && r.unit == NT_UNIT_PPS, "1000 is 1000 pps");
	PARSE_OK(nt_parse_rate("1.5M", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 1.5M");
	ok(r.value == 1.5e6 && r.unit == NT_UNIT_PPS, "1.5M is 1.5e6 pps");
	PARSE_OK(nt_parse_rate("1M", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 1M");
	ok(r.value == 1e6, "1M is a million (netmap read 1)");
	PARSE_OK(nt_parse_rate("1m", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 1m");
	ok(r.value == 1e6, "lower-case m is mega");
	PARSE_OK(nt_parse_rate("2k", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 2k");
	ok(r.value == 2000, "2k is 2000");
	PARSE_OK(nt_parse_rate("2Mpps", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)),
		 "rate 2Mpps");
	ok(r.value == 2e6 && r.unit == NT_UNIT_PPS, "2Mpps is 2e6 pps");
	PARSE_OK(nt_parse_rate("940Mbps", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)),
		 "rate 940Mbps");
	ok(r.value == 940e6 && r.unit == NT_UNIT_BPS, "940Mbps is 9.4e8 bps");
	PARSE_OK(nt_parse_rate("10G", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 10G");
	ok(r.value == 1e10 && r.unit == NT_UNIT_PPS, "10G is pps by default");
	PARSE_OK(nt_parse_rate("1.5g", "bandwidth", NT_UNIT_BPS, NT_PARSE_ONE_UNIT, &r, err,
			       sizeof(err)), "bandwidth 1.5g");
	ok(r.value == 1.5e9 && r.unit == NT_UNIT_BPS, "bare numbers use the bps default");
	PARSE_OK(nt_parse_rate("0", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), "rate 0");
	ok(r.value == 0, "0 is unlimited");

	snprintf(msg, sizeof(msg), "invalid rate; expected %s", both);
	PARSE_BAD(nt_parse_rate("fast", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "rate word");
	PARSE_BAD(nt_parse_rate("1.", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "rate 1. without fraction digits");
	PARSE_BAD(nt_parse_rate(".5", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "rate without integer digits");
	PARSE_BAD(nt_parse_rate("1Mbit", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "unknown unit");
	PARSE_BAD(nt_parse_rate("1 M", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "blank inside");
	PARSE_BAD(nt_parse_rate("-1", "rate", NT_UNIT_PPS, 0, &r, err, sizeof(err)), msg,
		  "negative rate");
	PARSE_BAD(nt_parse_rate("10Mpps", "bandwidth", NT_UNIT_BPS, NT_PARSE_ONE_UNIT, &r, err,
				sizeof(err)),
		  "bandwidth in pps is not accepted; expected a number with optional prefix k, M or G and optional unit bps, such as 10M, 1.5g or 940Mbps",
		  "bps-only option rejects pps");
	PARSE_BAD(nt_parse_rate("10Mbps", "rate", NT_UNIT_PPS, NT_PARSE_ONE_UNIT, &r, err,
				sizeof(err)),
		  "rate in bps is not accepted; expected a number with optional prefix k, M or G and optional unit pps, such as 1000, 1.5M or 2Mpps",
		  "pps-only option rejects bps");
}

static void test_sizes(void)
{
	static const char form[] =
		"invalid packet size; expected SIZE, a range MIN-MAX, a mix SIZE:WEIGHT,... or imix, with sizes from 16 to 65536";
	struct nt_size_spec s;
	char many[1024];
	int i, n = 0;

	memset(&s, 0, sizeof(s));
	PARSE_OK(nt_parse_sizes("60", "packet size", 16, 65536, &s, err, sizeof(err)), "size 60");
	ok(s.kind == NT_SIZE_FIXED && s.count == 1 && s.entry[0].size == 60, "60 is fixed");
	PARSE_OK(nt_parse_sizes("64-1518", "packet size", 16, 65536, &s, err, sizeof(err)),
		 "size range");
	ok(s.kind == NT_SIZE_RANGE && s.count == 2 && s.entry[0].size == 64 &&
	   s.entry[1].size == 1518, "64-1518 is a range");
	PARSE_OK(nt_parse_sizes("1518-64", "packet size", 16, 65536, &s, err, sizeof(err)),
		 "reversed size range");
	ok(s.entry[0].size == 64 && s.entry[1].size == 1518, "reversed range is swapped");
	PARSE_OK(nt_parse_sizes("60:7,590:4,1514:1", "packet size", 16, 65536, &s, err,
				sizeof(err)), "size mix");
	ok(s.kind == NT_SIZE_MIX && s.count == 3 && s.entry[0].size == 60 &&
	   s.entry[0].weight == 7 && s.entry[1].size == 590 && s.entry[1].weight == 4 &&
	   s.entry[2].size == 1514 && s.entry[2].weight == 1, "mix entries in order");
	memset(&s, 0, sizeof(s));
	PARSE_OK(nt_parse_sizes("imix", "packet size", 16, 65536, &s, err, sizeof(err)), "imix");
	ok(s.kind == NT_SIZE_MIX && s.count == 3 && s.entry[0].size == 60 &&
	   s.entry[0].weight == 7 && s.entry[1].size == 590 && s.entry[1].weight == 4 &&
	   s.entry[2].size == 1514 && s.entry[2].weight == 1, "imix is 60:7,590:4,1514:1");
	PARSE_OK(nt_parse_sizes("100:1", "packet size", 16, 65536, &s, err, sizeof(err)),
		 "single-entry mix");
	ok(s.kind == NT_SIZE_MIX && s.count == 1, "one entry");

	PARSE_BAD(nt_parse_sizes("8", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536", "-l 8");
	PARSE_BAD(nt_parse_sizes("65537", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536", "-l 65537");
	PARSE_BAD(nt_parse_sizes("8-100", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536",
		  "range start out of range");
	PARSE_BAD(nt_parse_sizes("60:1,8:1", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size out of range; expected an integer from 16 to 65536",
		  "mix size out of range");
	PARSE_BAD(nt_parse_sizes("60:0", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size weight out of range; expected an integer from 1 to 1000000",
		  "zero weight");
	PARSE_BAD(nt_parse_sizes("60:1000001", "packet size", 16, 65536, &s, err, sizeof(err)),
		  "packet size weight out of range; expected an integer from 1 to 1000000",
		  "weight too large");
	PARSE_BAD(nt_parse_sizes("60:", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "missing weight");
	PARSE_BAD(nt_parse_sizes("60:1,", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "trailing comma");
	PARSE_BAD(nt_parse_sizes("60,70", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "list without weights");
	PARSE_BAD(nt_parse_sizes("60-", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "open range");
	PARSE_BAD(nt_parse_sizes("60-70-80", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "two dashes");
	PARSE_BAD(nt_parse_sizes("IMIX", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "IMIX in capitals");
	PARSE_BAD(nt_parse_sizes("", "packet size", 16, 65536, &s, err, sizeof(err)), form,
		  "empty size");
	PARSE_BAD(nt_parse_sizes("imix", "packet size", 16, 1500, &s, err, sizeof(err)),
		  "packet size out of range; imix has sizes 60, 590 and 1514, expected sizes from 16 to 1500",
		  "imix above a smaller limit");
	for (i = 0; i < 65; i++)
		n += snprintf(many + n, sizeof(many) - n, "%s%d:1", i ? "," : "", 100 + i);
	PARSE_BAD(nt_parse_sizes(many, "packet size", 16, 65536, &s, err, sizeof(err)),
		  "too many sizes in packet size mix; at most 64", "65 mix entries");
}

static void test_duration(void)
{
	static const char wait_form[] =
		"invalid wait; expected a duration such as 2, 1.5s, 500ms or 250us (units s, ms, us, ns; bare numbers are seconds)";
	uint64_t ns = 0;

	PARSE_OK(nt_parse_duration("2", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				   sizeof(err)), "duration 2");
	is_int(ns, 2000000000ll, "bare 2 is 2 s");
	PARSE_OK(nt_parse_duration("500ms", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				   sizeof(err)), "duration 500ms");
	is_int(ns, 500000000ll, "500ms");
	PARSE_OK(nt_parse_duration("1.5s", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				   sizeof(err)), "duration 1.5s");
	is_int(ns, 1500000000ll, "1.5s");
	PARSE_OK(nt_parse_duration("0.002", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 0.002");
	is_int(ns, 2000000, "0.002 s is exactly 2 ms");
	PARSE_OK(nt_parse_duration("250us", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 250us");
	is_int(ns, 250000, "250us");
	PARSE_OK(nt_parse_duration("250u", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 250u");
	is_int(ns, 250000, "u is micro");
	PARSE_OK(nt_parse_duration("5m", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 5m");
	is_int(ns, 5000000, "m is milli, as in nmreplay");
	PARSE_OK(nt_parse_duration("100n", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 100n");
	is_int(ns, 100, "n is nano");
	PARSE_OK(nt_parse_duration("100ns", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 100ns");
	is_int(ns, 100, "100ns");
	PARSE_OK(nt_parse_duration("1.5ns", "delay", NT_UNIT_S, 0, UINT64_MAX, 0, &ns, err,
				   sizeof(err)), "duration 1.5ns");
	is_int(ns, 2, "fractions of a nanosecond round to nearest");
	PARSE_OK(nt_parse_duration("1000", "report interval", NT_UNIT_MS, NT_MSEC(10), NT_SEC(3600),
				   NT_PARSE_ZERO_OK, &ns, err, sizeof(err)), "-T 1000");
	is_int(ns, 1000000000ll, "bare -T numbers are milliseconds");
	PARSE_OK(nt_parse_duration("0", "report interval", NT_UNIT_MS, NT_MSEC(10), NT_SEC(3600),
				   NT_PARSE_ZERO_OK, &ns, err, sizeof(err)), "-T 0");
	is_int(ns, 0, "-T 0 disables");
	PARSE_OK(nt_parse_duration("2s", "report interval", NT_UNIT_MS, NT_MSEC(10), NT_SEC(3600),
				   NT_PARSE_ZERO_OK, &ns, err, sizeof(err)), "-T 2s");
	is_int(ns, 2000000000ll, "-T 2s");

	PARSE_BAD(nt_parse_duration("5", "report interval", NT_UNIT_MS, NT_MSEC(10), NT_SEC(3600),
				    NT_PARSE_ZERO_OK, &ns, err, sizeof(err)),
		  "report interval out of range; expected 0 or a duration from 10 ms to 3600 s",
		  "-T 5");
	PARSE_BAD(nt_parse_duration("3601", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				    sizeof(err)),
		  "wait out of range; expected a duration from 0 s to 3600 s", "-w 3601");
	PARSE_BAD(nt_parse_duration("2h", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				    sizeof(err)), wait_form, "unknown unit h");
	PARSE_BAD(nt_parse_duration("ms", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				    sizeof(err)), wait_form, "unit alone");
	PARSE_BAD(nt_parse_duration("-1", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				    sizeof(err)), wait_form, "negative duration");
	PARSE_BAD(nt_parse_duration("1 s", "wait", NT_UNIT_S, 0, NT_SEC(3600), 0, &ns, err,
				    sizeof(err)), wait_form, "blank before unit");
	PARSE_BAD(nt_parse_duration("x", "report interval", NT_UNIT_MS, 0, UINT64_MAX, 0, &ns, err,
				    sizeof(err)),
		  "invalid report interval; expected a duration such as 2, 1.5s, 500ms or 250us (units s, ms, us, ns; bare numbers are milliseconds)",
		  "message names the default unit");
	PARSE_BAD(nt_parse_duration("99999999999999999999s", "delay", NT_UNIT_S, 0, UINT64_MAX, 0,
				    &ns, err, sizeof(err)),
		  "delay out of range; expected a duration from 0 s to 18446744073709551615 ns",
		  "duration overflow");
	PARSE_BAD(nt_parse_duration("1us", "delay", NT_UNIT_S, 5000, UINT64_MAX, 0, &ns, err,
				    sizeof(err)),
		  "delay out of range; expected a duration of at least 5 us", "below open range");
}

static void test_probability(void)
{
	static const char bad[] =
		"invalid loss; expected a probability from 0 to 1, such as 0.01 or 1e-6";
	double p = -1;

	PARSE_OK(nt_parse_probability("0.01", "loss", &p, err, sizeof(err)), "p 0.01");
	ok(p == 0.01, "0.01");
	PARSE_OK(nt_parse_probability("1e-6", "loss", &p, err, sizeof(err)), "p 1e-6");
	ok(p == 1e-6, "1e-6");
	PARSE_OK(nt_parse_probability("2E-1", "loss", &p, err, sizeof(err)), "p 2E-1");
	ok(p == 0.2, "2E-1");
	PARSE_OK(nt_parse_probability("1", "loss", &p, err, sizeof(err)), "p 1");
	ok(p == 1, "1");
	PARSE_OK(nt_parse_probability("0", "loss", &p, err, sizeof(err)), "p 0");
	ok(p == 0, "0");
	PARSE_BAD(nt_parse_probability("1.5", "loss", &p, err, sizeof(err)),
		  "loss out of range; expected a probability from 0 to 1, such as 0.01 or 1e-6",
		  "p above 1");
	PARSE_BAD(nt_parse_probability("2", "loss", &p, err, sizeof(err)),
		  "loss out of range; expected a probability from 0 to 1, such as 0.01 or 1e-6",
		  "-L 2");
	PARSE_BAD(nt_parse_probability("-0.1", "loss", &p, err, sizeof(err)), bad, "negative p");
	PARSE_BAD(nt_parse_probability("abc", "loss", &p, err, sizeof(err)), bad, "p word");
	PARSE_BAD(nt_parse_probability("inf", "loss", &p, err, sizeof(err)), bad, "p inf");
	PARSE_BAD(nt_parse_probability("nan", "loss", &p, err, sizeof(err)), bad, "p nan");
	PARSE_BAD(nt_parse_probability("0x1p-3", "loss", &p, err, sizeof(err)), bad, "hex float");
	PARSE_BAD(nt_parse_probability("1e", "loss", &p, err, sizeof(err)), bad,
		  "dangling exponent");
	PARSE_BAD(nt_parse_probability(" 0.1", "loss", &p, err, sizeof(err)), bad, "leading blank");
	PARSE_BAD(nt_parse_probability("", "loss", &p, err, sizeof(err)), bad, "empty p");
}

static void test_mac(void)
{
	static const uint8_t a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t lo[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t hi[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	static const char bad[] =
		"invalid destination MAC; expected six hex octets separated by colons, such as 02:00:00:00:00:0a";
	static const char bad_range[] =
		"invalid destination MAC; expected six hex octets separated by colons, such as 02:00:00:00:00:0a, or a range MAC-MAC";
	struct nt_mac_range m;

	PARSE_OK(nt_parse_mac("02:00:00:00:00:0a", "destination MAC", 0, &m, err, sizeof(err)),
		 "mac two digits");
	ok(!memcmp(m.start, a, 6) && !memcmp(m.end, a, 6), "single MAC: start == end");
	PARSE_OK(nt_parse_mac("2:0:0:0:0:A", "destination MAC", 0, &m, err, sizeof(err)),
		 "mac one digit, upper case");
	ok(!memcmp(m.start, a, 6), "2:0:0:0:0:A == 02:00:00:00:00:0a");
	PARSE_OK(nt_parse_mac("ff:ff:ff:ff:ff:ff", "destination MAC", 0, &m, err, sizeof(err)),
		 "broadcast");
	ok(m.start[0] == 0xff && m.start[5] == 0xff, "ff octets");
	PARSE_BAD(nt_parse_mac("02:00:00:00:00", "destination MAC", 0, &m, err, sizeof(err)), bad,
		  "five octets");
	PARSE_BAD(nt_parse_mac("02:00:00:00:00:0a:0b", "destination MAC", 0, &m, err, sizeof(err)),
		  bad, "seven octets");
	PARSE_BAD(nt_parse_mac("020:00:00:00:00:0a", "destination MAC", 0, &m, err, sizeof(err)),
		  bad, "three digits");
	PARSE_BAD(nt_parse_mac("g2:00:00:00:00:0a", "destination MAC", 0, &m, err, sizeof(err)),
		  bad, "bad digit");
	PARSE_BAD(nt_parse_mac("02-00-00-00-00-0a", "destination MAC", 0, &m, err, sizeof(err)),
		  bad, "dashes");
	PARSE_BAD(nt_parse_mac("02:00:00:00:00:01-02:00:00:00:00:09", "destination MAC", 0, &m,
			       err, sizeof(err)), bad, "range without NT_PARSE_RANGE");
	PARSE_OK(nt_parse_mac("02:00:00:00:00:01-02:00:00:00:00:09", "destination MAC",
			      NT_PARSE_RANGE, &m, err, sizeof(err)), "mac range");
	ok(!memcmp(m.start, lo, 6) && !memcmp(m.end, hi, 6), "range bounds");
	PARSE_OK(nt_parse_mac("02:00:00:00:00:09-02:00:00:00:00:01", "destination MAC",
			      NT_PARSE_RANGE, &m, err, sizeof(err)), "reversed mac range");
	ok(!memcmp(m.start, lo, 6) && !memcmp(m.end, hi, 6), "reversed range is swapped");
	PARSE_BAD(nt_parse_mac("02:00:00:00:00:01-", "destination MAC", NT_PARSE_RANGE, &m, err,
			       sizeof(err)), bad_range, "open mac range");
}

static void test_ipv4(void)
{
	static const char bad[] =
		"invalid source address; expected A, A:PORT, A[:PORT]-B[:PORT], A:PORT-PORT or A/LEN[:PORT[-PORT]], such as 10.0.0.1:1234";
	struct nt_ipv4_range r;

#define V4(s) (call_ok = nt_parse_ipv4((s), "source address", &r, err, sizeof(err)) == 0)
#define RANGE_IS(a, b, p, q)                                                   \
	(call_ok && r.start == (uint32_t)(a) && r.end == (uint32_t)(b) &&      \
	 r.port_start == (p) && r.port_end == (q))
	int call_ok;

	V4("10.0.0.1");
	ok(RANGE_IS(0x0a000001, 0x0a000001, 1234, 1234), "A: default port 1234");
	V4("10.0.0.1:5000");
	ok(RANGE_IS(0x0a000001, 0x0a000001, 5000, 5000), "A:P");
	V4("10.0.0.1:1000-10.0.0.1:1003");
	ok(RANGE_IS(0x0a000001, 0x0a000001, 1000, 1003), "A:P-A:Q (PG-12 source)");
	V4("10.1.0.1:2000-10.1.0.2:2001");
	ok(RANGE_IS(0x0a010001, 0x0a010002, 2000, 2001), "A:P-B:Q (PG-12 destination)");
	V4("10.0.0.1-10.0.0.5");
	ok(RANGE_IS(0x0a000001, 0x0a000005, 1234, 1234), "A-B keeps the default port");
	V4("10.0.0.1:1000-10.0.0.5");
	ok(RANGE_IS(0x0a000001, 0x0a000005, 1000, 1000), "start port also sets the end port");
	V4("10.0.0.1-10.0.0.5:2000");
	ok(RANGE_IS(0x0a000001, 0x0a000005, 1234, 2000), "end port alone");
	V4("10.0.0.1-10.0.0.5:1000");
	ok(RANGE_IS(0x0a000001, 0x0a000005, 1000, 1234), "reversed ports are swapped");
	V4("10.0.0.9-10.0.0.1");
	ok(RANGE_IS(0x0a000001, 0x0a000009, 1234, 1234), "reversed addresses are swapped");
	V4("10.0.0.1:1000-1063");
	ok(RANGE_IS(0x0a000001, 0x0a000001, 1000, 1063), "A:P-Q port range (LB-1)");
	V4("10.0.0.0/24");
	ok(RANGE_IS(0x0a000000, 0x0a0000ff, 1234, 1234), "CIDR block");
	V4("10.0.0.7/24:80-90");
	ok(RANGE_IS(0x0a000000, 0x0a0000ff, 80, 90), "CIDR from a host address, port range");
	V4("10.0.0.7/32:80");
	ok(RANGE_IS(0x0a000007, 0x0a000007, 80, 80), "/32 with a port");
	V4("0.0.0.0/0");
	ok(RANGE_IS(0, 0xffffffffu, 1234, 1234), "/0 is everything");
	V4("10.0.0.1:0");
	ok(RANGE_IS(0x0a000001, 0x0a000001, 0, 0), "port 0");

	PARSE_BAD(nt_parse_ipv4("10.0.0.1-1063", "source address", &r, err, sizeof(err)), bad,
		  "port range needs a start port");
	PARSE_BAD(nt_parse_ipv4("10.0.0", "source address", &r, err, sizeof(err)), bad,
		  "three octets");
	PARSE_BAD(nt_parse_ipv4("10.0.0.256", "source address", &r, err, sizeof(err)), bad,
		  "octet too large");
	PARSE_BAD(nt_parse_ipv4("10.0.0.1:", "source address", &r, err, sizeof(err)), bad,
		  "empty port");
	PARSE_BAD(nt_parse_ipv4("10.0.0.1:http", "source address", &r, err, sizeof(err)), bad,
		  "port name");
	PARSE_BAD(nt_parse_ipv4("", "source address", &r, err, sizeof(err)), bad, "empty");
	PARSE_BAD(nt_parse_ipv4("10.0.0.1 ", "source address", &r, err, sizeof(err)), bad,
		  "trailing blank");
	PARSE_BAD(nt_parse_ipv4("10.0.0.0/24:", "source address", &r, err, sizeof(err)), bad,
		  "CIDR with empty port");
	PARSE_BAD(nt_parse_ipv4("fd00::1", "source address", &r, err, sizeof(err)), bad,
		  "IPv6 address");
	PARSE_BAD(nt_parse_ipv4("10.0.0.1:70000", "source address", &r, err, sizeof(err)),
		  "source address port out of range; expected an integer from 0 to 65535",
		  "port too large");
	PARSE_BAD(nt_parse_ipv4("10.0.0.1:1-99999", "source address", &r, err, sizeof(err)),
		  "source address port out of range; expected an integer from 0 to 65535",
		  "end port too large");
	PARSE_BAD(nt_parse_ipv4("10.0.0.0/33", "source address", &r, err, sizeof(err)),
		  "source address prefix length out of range; expected an integer from 0 to 32",
		  "prefix too long");
#undef V4
#undef RANGE_IS
}

static void test_ipv6(void)
{
	static const char bad[] =
		"invalid destination address; expected ADDR, [ADDR], [ADDR]:PORT or a range [A]:PORT-[B]:PORT, such as [fd00::1]:1234";
	struct nt_ipv6_range r;
	uint8_t a1[16], a5[16], big[16];
	int call_ok;

	inet_pton(AF_INET6, "fd00::1", a1);
	inet_pton(AF_INET6, "fd00::5", a5);
	inet_pton(AF_INET6, "fd00:0:0:1::1:5000", big);
#define V6(s) (call_ok = nt_parse_ipv6((s), "destination address", &r, err, sizeof(err)) == 0)
#define RANGE_IS(a, b, p, q)                                                   \
	(call_ok && !memcmp(r.start, (a), 16) && !memcmp(r.end, (b), 16) &&    \
	 r.port_start == (p) && r.port_end == (q))

	V6("fd00::1");
	ok(RANGE_IS(a1, a1, 1234, 1234), "ADDR: default port");
	V6("[fd00::1]");
	ok(RANGE_IS(a1, a1, 1234, 1234), "[ADDR]");
	V6("[fd00::1]:5000");
	ok(RANGE_IS(a1, a1, 5000, 5000), "[ADDR]:P");
	V6("[fd00::1]:1000-[fd00::5]:2000");
	ok(RANGE_IS(a1, a5, 1000, 2000), "[A]:P-[B]:Q");
	V6("fd00::1-fd00::5");
	ok(RANGE_IS(a1, a5, 1234, 1234), "A-B without brackets");
	V6("[fd00::5]-[fd00::1]");
	ok(RANGE_IS(a1, a5, 1234, 1234), "reversed range is swapped");
	V6("[fd00::1]:1000-1010");
	ok(RANGE_IS(a1, a1, 1000, 1010), "[A]:P-Q port range");
	V6("G@[fd00::1]:99");
	ok(RANGE_IS(a1, a1, 99, 99), "G@ prefix ignored");
	V6("fd00:0:0:1::1:5000");
	ok(RANGE_IS(big, big, 1234, 1234), "without brackets a trailing :N is address, not port");

	PARSE_BAD(nt_parse_ipv6("[fd00::1", "destination address", &r, err, sizeof(err)), bad,
		  "missing ]");
	PARSE_BAD(nt_parse_ipv6("[fd00::1]x", "destination address", &r, err, sizeof(err)), bad,
		  "junk after ]");
	PARSE_BAD(nt_parse_ipv6("[fd00::1]:1-", "destination address", &r, err, sizeof(err)), bad,
		  "open range");
	PARSE_BAD(nt_parse_ipv6("fd00::1-1010", "destination address", &r, err, sizeof(err)), bad,
		  "port range needs a start port");
	PARSE_BAD(nt_parse_ipv6("@fd00::1", "destination address", &r, err, sizeof(err)), bad,
		  "empty group prefix");
	PARSE_BAD(nt_parse_ipv6("zz::1", "destination address", &r, err, sizeof(err)), bad,
		  "bad address");
	PARSE_BAD(nt_parse_ipv6("10.0.0.1", "destination address", &r, err, sizeof(err)), bad,
		  "IPv4 address");
	PARSE_BAD(nt_parse_ipv6("[fd00::1]:70000", "destination address", &r, err, sizeof(err)),
		  "destination address port out of range; expected an integer from 0 to 65535",
		  "port too large");
#undef V6
#undef RANGE_IS
}

static void test_cpus(void)
{
	static const char bad[] =
		"invalid CPU list; expected CPU numbers and ranges separated by commas, such as 2, 0-3 or 0,2,4-7";
	static const unsigned char allowed[8] = { 1, 1, 1, 1, 0, 0, 1, 0 };
	static struct nt_cpu_list l;
	unsigned char set[16];
	char buf[64];
	cpu_set_t mask;
	unsigned c;

	PARSE_OK(nt_parse_cpus("2", "CPU list", &l, err, sizeof(err)), "cpus 2");
	ok(l.count == 1 && l.cpu[0] == 2, "one CPU");
	PARSE_OK(nt_parse_cpus("0-3", "CPU list", &l, err, sizeof(err)), "cpus 0-3");
	ok(l.count == 4 && l.cpu[0] == 0 && l.cpu[3] == 3, "range expanded");
	PARSE_OK(nt_parse_cpus("0,2,4-7", "CPU list", &l, err, sizeof(err)), "cpus 0,2,4-7");
	ok(l.count == 6 && l.cpu[0] == 0 && l.cpu[1] == 2 && l.cpu[2] == 4 && l.cpu[5] == 7,
	   "list in the given order");
	PARSE_OK(nt_parse_cpus("3,1", "CPU list", &l, err, sizeof(err)), "cpus 3,1");
	ok(l.count == 2 && l.cpu[0] == 3 && l.cpu[1] == 1, "order kept, not sorted");
	PARSE_BAD(nt_parse_cpus("3-1", "CPU list", &l, err, sizeof(err)),
		  "invalid CPU list; the range 3-1 runs backwards, expected N-M with N <= M",
		  "backwards range");
	PARSE_BAD(nt_parse_cpus("1024", "CPU list", &l, err, sizeof(err)),
		  "CPU list out of range; expected CPU numbers from 0 to 1023", "CPU too large");
	PARSE_BAD(nt_parse_cpus("a", "CPU list", &l, err, sizeof(err)), bad, "cpu word");
	PARSE_BAD(nt_parse_cpus("1,", "CPU list", &l, err, sizeof(err)), bad, "trailing comma");
	PARSE_BAD(nt_parse_cpus(",1", "CPU list", &l, err, sizeof(err)), bad, "leading comma");
	PARSE_BAD(nt_parse_cpus("1--2", "CPU list", &l, err, sizeof(err)), bad, "double dash");
	PARSE_BAD(nt_parse_cpus("", "CPU list", &l, err, sizeof(err)), bad, "empty list");
	PARSE_BAD(nt_parse_cpus("0-1023,0", "CPU list", &l, err, sizeof(err)),
		  "too many CPUs in CPU list; at most 1024", "1025 entries");

	PARSE_OK(nt_parse_cpus("0-3,6", "CPU list", &l, err, sizeof(err)), "cpus 0-3,6");
	PARSE_OK(nt_cpus_check_allowed(&l, allowed, 8, err, sizeof(err)), "allowed CPUs pass");
	PARSE_OK(nt_parse_cpus("2,7", "CPU list", &l, err, sizeof(err)), "cpus 2,7");
	PARSE_BAD(nt_cpus_check_allowed(&l, allowed, 8, err, sizeof(err)),
		  "CPU 7 is offline or not allowed for this process; allowed CPUs are 0-3,6",
		  "check names the allowed set");

	memset(set, 0, sizeof(set));
	is_str(nt_cpus_format(buf, sizeof(buf), set, 16), "none", "format empty set");
	set[0] = 1;
	is_str(nt_cpus_format(buf, sizeof(buf), set, 16), "0", "format one CPU");
	set[1] = 1;
	is_str(nt_cpus_format(buf, sizeof(buf), set, 16), "0-1", "format a pair");
	memset(set, 0, sizeof(set));
	set[1] = set[3] = set[4] = set[5] = set[9] = set[15] = 1;
	is_str(nt_cpus_format(buf, sizeof(buf), set, 16), "1,3-5,9,15", "format mixed set");

	/* Against the real affinity mask: an allowed CPU passes, CPU 1023 rarely is. */
	CPU_ZERO(&mask);
	sched_getaffinity(0, sizeof(mask), &mask);
	for (c = 0; c < 1023 && !CPU_ISSET(c, &mask); c++)
		;
	l.count = 1;
	l.cpu[0] = (uint16_t)c;
	PARSE_OK(nt_cpus_check(&l, err, sizeof(err)), "first allowed CPU passes nt_cpus_check");
	if (!CPU_ISSET(1023, &mask)) {
		l.cpu[0] = 1023;
		err[0] = '\0';
		is_int(nt_cpus_check(&l, err, sizeof(err)), -1, "CPU 1023 fails nt_cpus_check");
		ok(!strncmp(err, "CPU 1023 is offline or not allowed for this process; allowed CPUs are ",
			    70), "nt_cpus_check message: %s", err);
	} else {
		ok(1, "# SKIP CPU 1023 is allowed here");
		ok(1, "# SKIP CPU 1023 is allowed here");
	}
}

static void test_tuple(void)
{
	static const char bad[] =
		"invalid port config; expected 1 to 4 non-negative integers separated by commas, such as 1024 or 1024,1024,2,2";
	struct nt_tuple t;

	PARSE_OK(nt_parse_tuple("1024", "port config", &t, err, sizeof(err)), "tuple 1024");
	ok(t.count == 1 && t.value[0] == 1024, "one number");
	PARSE_OK(nt_parse_tuple("1024,512", "port config", &t, err, sizeof(err)), "tuple of two");
	ok(t.count == 2 && t.value[1] == 512, "two numbers");
	PARSE_OK(nt_parse_tuple("1024,1024,2,2", "port config", &t, err, sizeof(err)),
		 "tuple of four");
	ok(t.count == 4 && t.value[2] == 2 && t.value[3] == 2, "four numbers");
	PARSE_OK(nt_parse_tuple("0", "port config", &t, err, sizeof(err)), "tuple 0");
	ok(t.count == 1 && t.value[0] == 0, "0 means default");
	PARSE_BAD(nt_parse_tuple("1,2,3,4,5", "port config", &t, err, sizeof(err)),
		  "port config has more than four numbers; expected 1 to 4 non-negative integers separated by commas, such as 1024 or 1024,1024,2,2",
		  "five numbers (VC-7)");
	PARSE_BAD(nt_parse_tuple("1,,2", "port config", &t, err, sizeof(err)), bad, "empty field");
	PARSE_BAD(nt_parse_tuple("1,", "port config", &t, err, sizeof(err)), bad, "trailing comma");
	PARSE_BAD(nt_parse_tuple("-1", "port config", &t, err, sizeof(err)), bad, "negative");
	PARSE_BAD(nt_parse_tuple("", "port config", &t, err, sizeof(err)), bad, "empty tuple");
	PARSE_BAD(nt_parse_tuple("4294967296", "port config", &t, err, sizeof(err)),
		  "port config number out of range; expected integers from 0 to 4294967295",
		  "number too large");
}

static void test_small_buffer(void)
{
	char tiny[8];
	uint64_t v;

	is_int(nt_parse_count("x", "count", 0, UINT64_MAX, 0, &v, tiny, sizeof(tiny)), -1,
	       "short error buffer");
	is_str(tiny, "invalid", "message truncated, still terminated");
	is_int(nt_parse_count("x", "count", 0, UINT64_MAX, 0, &v, NULL, 0), -1,
	       "NULL error buffer is allowed");
}

int main(void)
{
	test_count();
	test_integers();
	test_enum();
	test_rate();
	test_sizes();
	test_duration();
	test_probability();
	test_mac();
	test_ipv4();
	test_ipv6();
	test_cpus();
	test_tuple();
	test_small_buffer();
	return tap_done();
}
