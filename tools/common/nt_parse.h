/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Value parsers shared by the tools (tools.md 2.1): counts, integers, words,
 * rates, sizes and size mixes, durations, probabilities, MAC addresses, IPv4
 * and IPv6 endpoints, CPU lists and ring/slot tuples.
 *
 * Every parser takes the whole argument string and returns 0 with the value
 * stored, or -1 with a one-line message in err[errlen] saying what is wrong
 * and which forms are accepted, for example
 *	"packet size out of range; expected an integer from 16 to 65536".
 * The message names neither the tool nor the option: the option machinery
 * (nt_opt.h) prefixes it with "pkt-gen: -l 8: ".  The "noun" argument names
 * the value in messages ("packet size", "function"); NULL means "value".
 * Parsers never print and never exit, and on failure leave *out untouched.
 */
#ifndef NT_PARSE_H
#define NT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parse flags; the option table's flags word carries them in its low byte. */
#define NT_PARSE_HEX		0x01u	/* integers: 0x hexadecimal is accepted too */
#define NT_PARSE_ZERO_OK	0x02u	/* 0 is accepted besides the range ("0 disables") */
#define NT_PARSE_ONE_UNIT	0x04u	/* rates: only the default unit is accepted */
#define NT_PARSE_RANGE		0x08u	/* MAC: a range MAC-MAC is accepted too */
#define NT_PARSE_MASK		0xffu

#define NT_DEFAULT_PORT		1234	/* UDP port when an endpoint gives none */

/* Units of rates and durations; NT_UNIT_NONE picks pps or seconds. */
enum nt_unit {
	NT_UNIT_NONE = 0,
	NT_UNIT_PPS,
	NT_UNIT_BPS,
	NT_UNIT_S,
	NT_UNIT_MS,
	NT_UNIT_US,
	NT_UNIT_NS,
};

#define NT_NSEC_PER_SEC		1000000000ull
#define NT_SEC(x)		((int64_t)(x) * 1000000000ll)	/* seconds in ns */
#define NT_MSEC(x)		((int64_t)(x) * 1000000ll)	/* milliseconds in ns */

/* count: decimal with optional K/M/G (x10^3, 10^6, 10^9), 64-bit unsigned. */
int nt_parse_count(const char *s, const char *noun, uint64_t min, uint64_t max,
		   unsigned flags, uint64_t *out, char *err, size_t errlen);

/* Integers: decimal, or 0x hexadecimal with NT_PARSE_HEX. */
int nt_parse_uint(const char *s, const char *noun, uint64_t min, uint64_t max,
		  unsigned flags, uint64_t *out, char *err, size_t errlen);
int nt_parse_int(const char *s, const char *noun, int64_t min, int64_t max,
		 unsigned flags, int64_t *out, char *err, size_t errlen);

/* size: decimal integer of bytes in [min, max]. */
int nt_parse_size(const char *s, const char *noun, uint64_t min, uint64_t max,
		  uint64_t *out, char *err, size_t errlen);

/* enumeration: one of a NULL-terminated word list; *index is its position. */
int nt_parse_enum(const char *s, const char *noun, const char *const *words,
		  int *index, char *err, size_t errlen);

/*
 * rate: number (fraction allowed), optional prefix k/K, m/M (mega), g/G,
 * optional unit pps or bps.  value is in units per second, prefix applied.
 */
struct nt_rate {
	double value;
	enum nt_unit unit;	/* NT_UNIT_PPS or NT_UNIT_BPS */
};

int nt_parse_rate(const char *s, const char *noun, enum nt_unit default_unit,
		  unsigned flags, struct nt_rate *out, char *err, size_t errlen);

/*
 * Packet sizes (pkt-gen -l, tools.md 8.4):
 *   FIXED  "S"            entry[0].size
 *   RANGE  "A-B"          entry[0].size = A <= entry[1].size = B
 *   MIX    "S:W,S:W,..."  entries in command-line order; "imix" is
 *                         60:7,590:4,1514:1
 */
#define NT_SIZES_MAX		64
#define NT_WEIGHT_MAX		1000000

enum nt_size_kind {
	NT_SIZE_FIXED = 0,
	NT_SIZE_RANGE,
	NT_SIZE_MIX,
};

struct nt_size_entry {
	uint32_t size;
	uint32_t weight;	/* 1 for FIXED and RANGE */
};

struct nt_size_spec {
	enum nt_size_kind kind;
	unsigned count;		/* entries used */
	struct nt_size_entry entry[NT_SIZES_MAX];
};

int nt_parse_sizes(const char *s, const char *noun, uint32_t min, uint32_t max,
		   struct nt_size_spec *out, char *err, size_t errlen);

/*
 * duration: number (fraction allowed) with optional unit s, ms, us, ns or
 * m, u, n (milli, micro, nano); a bare number is in default_unit.  The
 * result and the limits are in nanoseconds.
 */
int nt_parse_duration(const char *s, const char *noun, enum nt_unit default_unit,
		      uint64_t min_ns, uint64_t max_ns, unsigned flags,
		      uint64_t *out_ns, char *err, size_t errlen);

/* probability: decimal or scientific notation in [0, 1]. */
int nt_parse_probability(const char *s, const char *noun, double *out,
			 char *err, size_t errlen);

/* MAC: six hex octets of 1-2 digits separated by ':'; with NT_PARSE_RANGE
 * also MAC-MAC.  A single MAC gives start == end; a reversed range is swapped. */
struct nt_mac_range {
	uint8_t start[6];
	uint8_t end[6];
};

int nt_parse_mac(const char *s, const char *noun, unsigned flags,
		 struct nt_mac_range *out, char *err, size_t errlen);

/*
 * IPv4 endpoint: A, A:P, A[:P]-B[:P], A:P-Q, A/LEN[:P[-Q]].  Addresses and
 * ports in host byte order; the port defaults to NT_DEFAULT_PORT; the start
 * port also sets the end port unless the end gives its own; reversed ranges
 * are swapped.  A/LEN covers the whole block, network to broadcast address.
 */
struct nt_ipv4_range {
	uint32_t start, end;
	uint16_t port_start, port_end;
};

int nt_parse_ipv4(const char *s, const char *noun, struct nt_ipv4_range *out,
		  char *err, size_t errlen);

/*
 * IPv6 endpoint: ADDR, [ADDR], [ADDR]:P, ranges [A]:P-[B]:Q (each side any
 * of the single forms) and [A]:P-Q; a leading "G@" group prefix is ignored.
 * Addresses in network byte order.
 */
struct nt_ipv6_range {
	uint8_t start[16], end[16];
	uint16_t port_start, port_end;
};

int nt_parse_ipv6(const char *s, const char *noun, struct nt_ipv6_range *out,
		  char *err, size_t errlen);

/* CPU list: N, N-M and comma-separated combinations, kept in the given order. */
#define NT_CPU_MAX		1024	/* CPU numbers are below this */
#define NT_CPU_LIST_MAX		1024	/* most entries in one list */

struct nt_cpu_list {
	unsigned count;
	uint16_t cpu[NT_CPU_LIST_MAX];
};

int nt_parse_cpus(const char *s, const char *noun, struct nt_cpu_list *out,
		  char *err, size_t errlen);

/*
 * Check that every CPU of the list is in the process's allowed set
 * (sched_getaffinity, which only holds online CPUs).  On failure the
 * message names the first bad CPU and the allowed set ("0-3,6").
 * nt_cpus_check_allowed() does the same against allowed[0..nallowed-1]
 * (non-zero = allowed), so tests do not depend on the machine.
 */
int nt_cpus_check(const struct nt_cpu_list *list, char *err, size_t errlen);
int nt_cpus_check_allowed(const struct nt_cpu_list *list, const unsigned char *allowed,
			  unsigned nallowed, char *err, size_t errlen);

/* CPUs online (at least 1). */
unsigned nt_online_cpus(void);

/* Format a set of CPUs compactly ("0-3,6,8-11"); returns buf. */
char *nt_cpus_format(char *buf, size_t len, const unsigned char *set, unsigned nset);

/* ring/slot tuple: 1 to 4 non-negative integers separated by commas. */
struct nt_tuple {
	unsigned count;
	uint32_t value[4];
};

int nt_parse_tuple(const char *s, const char *noun, struct nt_tuple *out,
		   char *err, size_t errlen);

/* factor: a number (fraction allowed) greater than 0 and at most max. */
int nt_parse_factor(const char *s, const char *noun, double max, double *out,
		    char *err, size_t errlen);

/*
 * Models (nmreplay -B, -D, -L; tools.md 2.1, 6.2): a keyword followed by
 * comma-separated parameters ("constant,10M", "uniform,1ms,5ms",
 * "plr,0.01"), or, for the one definition marked bare, the parameters
 * alone ("10M").  Each definition names its keyword (and an alias), its
 * parameter types and how many are required.
 */
#define NT_MODEL_PARAMS		3
#define NT_FACTOR_MAX		1000	/* NT_MP_FACTOR: at most this */

enum nt_model_param {
	NT_MP_NONE = 0,
	NT_MP_RATE,		/* a rate; bare numbers in the rate unit given to the parser */
	NT_MP_DURATION,		/* a duration in ns; bare numbers in the duration unit given */
	NT_MP_PROBABILITY,	/* in [0, 1] */
	NT_MP_FACTOR,		/* greater than 0, at most NT_FACTOR_MAX */
};

struct nt_model_def {
	const char *keyword;		/* "constant"; NULL ends the table */
	const char *alias;		/* "const", or NULL */
	int bare;			/* may be written without its keyword */
	unsigned min_params;		/* how many parameters are required */
	enum nt_model_param param[NT_MODEL_PARAMS];	/* up to the first NT_MP_NONE */
	const char *form;		/* for messages: "constant,RATE" */
};

struct nt_model {
	int kind;			/* index of the definition */
	unsigned nparams;		/* parameters given */
	double value[NT_MODEL_PARAMS];	/* rates per second, durations in ns, numbers */
	enum nt_unit unit[NT_MODEL_PARAMS];	/* of rates: NT_UNIT_PPS or NT_UNIT_BPS */
};

int nt_parse_model(const char *s, const char *noun, const struct nt_model_def *defs,
		   enum nt_unit rate_unit, enum nt_unit duration_unit, struct nt_model *out,
		   char *err, size_t errlen);

#endif /* NT_PARSE_H */
