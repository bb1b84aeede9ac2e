/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Option tables (tools.md 2.2).  A tool declares its options once:
 *
 *	static const char *const functions[] = { "tx", "rx", ..., NULL };
 *	static const struct nt_option opts[] = {
 *		{ 'f', "function", NT_ARG_REQUIRED, NT_T_ENUM, .words = functions,
 *		  .noun = "function", .arg_name = "func", .def = "rx",
 *		  NT_DEST(cfg.function), .help = "what to do" },
 *		{ 'l', "size", NT_ARG_REQUIRED, NT_T_SIZES, .min = 16, .max = 65536,
 *		  .flags = NT_OPT_REPEATABLE, .max_count = 2, NT_DEST(cfg.sizes),
 *		  .given = &cfg.nsizes, ... },
 *		NT_OPT_END
 *	};
 *
 * and nt_opt_parse() builds the getopt_long() strings, applies defaults,
 * parses every value strictly, enforces repetition limits, conflicts and
 * required options, and handles --help, -h (unless the tool uses -h for
 * something else) and --version.  The same table gives --help and the man
 * page synopsis.
 *
 * Usage errors are one line on the error stream (nt_log.h):
 *	pkt-gen: -l 8: packet size out of range; expected an integer from 16 to 65536
 *
 * Destinations.  Before parsing, every destination (dest_size bytes), every
 * `given` counter and every `seen` record is zeroed, then the defaults are
 * applied in table order; so the table alone defines the initial values and
 * the parser can be run again and again.  The C type behind `dest` depends
 * on the value type:
 *
 *	FLAG, COUNTER, CONST, ENUM	any integer (1, 2, 4 or 8 bytes)
 *	INT				signed integer of 1, 2, 4 or 8 bytes
 *	UINT, COUNT, SIZE, DURATION	unsigned integer of 1, 2, 4 or 8 bytes
 *					(DURATION in nanoseconds)
 *	STRING				const char * (points into argv)
 *	RATE				struct nt_rate
 *	SIZES				struct nt_size_spec
 *	PROBABILITY			double
 *	MAC				struct nt_mac_range
 *	IPV4, IPV6			struct nt_ipv4_range, struct nt_ipv6_range
 *	CPUS				struct nt_cpu_list
 *	TUPLE				struct nt_tuple
 *	CALLBACK			whatever the callback stores
 *
 * A repeatable option's dest is an array of max_count such elements; the
 * n-th occurrence goes to element n-1 (counters just count).  Integer values
 * are limited to what the destination field can hold.
 */
#ifndef NT_OPT_H
#define NT_OPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nt_parse.h"

#define NT_NETMAP_API		14	/* printed by --version */

/* nt_opt_parse() results besides 0 (go on) and 2 (usage error printed). */
#define NT_OPT_EXIT_OK		(-1)	/* --help or --version printed: exit 0 */
#define NT_OPT_BAD_TABLE	1	/* the tool's table is inconsistent (a bug) */
#define NT_EXIT_USAGE		2

enum nt_arg {
	NT_ARG_NONE = 0,
	NT_ARG_REQUIRED,
	NT_ARG_OPTIONAL,
};

enum nt_type {
	NT_T_FLAG = 0,		/* stores 1 */
	NT_T_COUNTER,		/* adds 1 per occurrence (-v) */
	NT_T_CONST,		/* stores .value (-4 / -6 on one field: last wins) */
	NT_T_STRING,
	NT_T_COUNT,
	NT_T_INT,
	NT_T_UINT,
	NT_T_ENUM,
	NT_T_RATE,
	NT_T_SIZE,
	NT_T_SIZES,
	NT_T_DURATION,
	NT_T_PROBABILITY,
	NT_T_MAC,
	NT_T_IPV4,
	NT_T_IPV6,
	NT_T_CPUS,
	NT_T_TUPLE,
	NT_T_CALLBACK,
};

/*
 * Flags; the low byte holds the NT_PARSE_* flags of nt_parse.h, which are
 * passed on to the value parser (NT_PARSE_HEX for 0x integers, ...).
 */
#define NT_OPT_REPEATABLE	0x0100u	/* up to max_count occurrences are kept */
#define NT_OPT_REQUIRED		0x0200u	/* missing: usage error */
#define NT_OPT_EXT		0x0400u	/* not in netmap's tool (informational) */
#define NT_OPT_ARG_MAY_FOLLOW	0x0800u	/* optional argument may also be the next
					 * word if that does not start with '-'
					 * (vale-ctl -l [port]) */
#define NT_OPT_OPTARG_LONG_ONLY	0x1000u	/* the short letter takes no argument;
					 * only --name=value gives one (-j/--json) */

/* Longest "--long-name" kept in a seen record, with its NUL. */
#define NT_OPT_TYPED_MAX	48

/* How an occurrence was typed, for messages about it after parsing. */
struct nt_opt_seen {
	char opt[NT_OPT_TYPED_MAX];	/* "-l" or "--size" */
	const char *value;		/* argument text (in argv), NULL if none */
};

struct nt_option;

/*
 * Parser of a CALLBACK option: value is NULL when an optional argument is
 * absent; dest is the element to fill.  Returns 0, or -1 with a message
 * (no tool or option name) in err.
 */
typedef int nt_opt_parse_fn(const struct nt_option *opt, const char *value, void *dest,
			    char *err, size_t errlen);

struct nt_option {
	int short_name;			/* letter, or 0 */
	const char *long_name;		/* required; NULL ends the table */
	enum nt_arg arg;
	enum nt_type type;
	unsigned flags;			/* NT_OPT_* | NT_PARSE_* */
	unsigned max_count;		/* REPEATABLE: elements of dest;
					 * COUNTER: most occurrences, 0 = no limit */

	/*
	 * Limits.  Numbers: [min, max], both 0 = the whole range of the type
	 * and field, max = NT_NO_MAX = no upper limit; DURATION in ns, SIZE and
	 * SIZES in bytes, STRING: max is the longest length (0: any).
	 */
	int64_t min, max;
	enum nt_unit unit;		/* RATE, DURATION: unit of bare numbers */
	const char *const *words;	/* ENUM: NULL-terminated */
	const int *values;		/* ENUM: value per word (NULL: the index) */
	int64_t value;			/* CONST: value stored */
	nt_opt_parse_fn *parse;		/* CALLBACK */
	const char *const *conflicts;	/* long names of excluded options, NULL-terminated */

	/* Destinations (all optional). */
	void *dest;
	size_t dest_size;
	unsigned *given;		/* occurrences on the command line */
	struct nt_opt_seen *seen;	/* as typed: max_count records, else one (last) */

	/* Text. */
	const char *noun;		/* names the value in messages: "packet size" */
	const char *arg_name;		/* placeholder in --help: "size" */
	const char *def;		/* default, applied before parsing and shown in --help;
					 * for FLAG/CONST any text means "set by default" */
	const char *def_help;		/* shown in --help instead of def */
	const char *expect;		/* accepted form, for STRING/CALLBACK messages:
					 * "a port name such as vale0:a" */
	const char *deprecated;		/* non-NULL: warn "<opt> is deprecated; <text>" */
	const char *help;		/* one line */
};

#define NT_NO_MAX		INT64_MAX
#define NT_DEST(field)		.dest = &(field), .dest_size = sizeof(field)
#define NT_OPT_END		{ .long_name = NULL }

struct nt_tool {
	const char *name;		/* "pkt-gen" */
	const char *purpose;		/* one line, shown under the usage line */
	const char *version;		/* project version */
	const struct nt_option *options;	/* ends with NT_OPT_END */

	/* Positional arguments; max_args 0 means none are accepted. */
	const char *args_usage;		/* "[A [B [burst]]]" */
	const char **args;		/* receives up to max_args pointers into argv */
	unsigned *nargs;
	unsigned max_args;
};

/*
 * Parse argv against the tool's table.  Returns 0 to go on, NT_OPT_EXIT_OK
 * after printing --help or --version on nt_out(), NT_EXIT_USAGE after
 * printing one usage error line, or NT_OPT_BAD_TABLE after printing what is
 * wrong with the table.  getopt's state is reset on entry, so it can be
 * called again; argv may be permuted (GNU getopt).
 */
int nt_opt_parse(const struct nt_tool *tool, int argc, char **argv);

/*
 * A tool's whole command line: zero `parsed` (the structure the table's
 * destinations point into), parse argv, call check(parsed, argc, argv)
 * for what depends on several options (it prints its own usage error and
 * returns 2), then copy `parsed` to `out`.  Returns what nt_opt_parse()
 * or check() returned; `out` is written only on success.
 */
int nt_opt_parse_config(const struct nt_tool *tool, int argc, char **argv, void *parsed,
			size_t size, int (*check)(void *parsed, int argc, char **argv), void *out);

/* The same, exiting with 0, 1 or 2 instead of returning anything but 0. */
void nt_opt_parse_or_exit(const struct nt_tool *tool, int argc, char **argv);

/* Check a table for duplicates and wrong destinations; 0 or -1 with err. */
int nt_opt_check_table(const struct nt_tool *tool, char *err, size_t errlen);

/*
 * One usage error line on nt_errout(): "<tool>: <opt>[ <value>]: <message>",
 * or "<tool>: <message>" when opt is NULL.  Returns NT_EXIT_USAGE, so a tool
 * can `return nt_usage_error(...)` from main.
 */
int nt_usage_error(const char *tool, const char *opt, const char *value,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* --help text: usage line, purpose, one line per option. */
void nt_opt_print_help(const struct nt_tool *tool, FILE *f);

/* --version text: "<tool> <version> (netmap API 14)". */
void nt_opt_print_version(const struct nt_tool *tool, FILE *f);

/* The man page SYNOPSIS section in roff (.SH SYNOPSIS and its body). */
void nt_opt_print_synopsis(const struct nt_tool *tool, FILE *f);

/*
 * Is the program invoked under this name (argv[0]'s base name)?  The
 * busy-waiting variants pkt-gen-b and bridge-b are links to the tools.
 */
int nt_opt_invoked_as(int argc, char **argv, const char *name);

/*
 * Entries several tools share, with the same meaning and limits everywhere
 * (tools.md 1.7, 1.8, 8.1, 8.6).  Each takes its destinations.
 */
#define NT_PORT_EXPECT	"a port name such as vale0:a, netmap:eth0 or eth0"

/* -w secs (1.8): 0 to 3600 seconds, a duration; the default depends on the ports. */
#define NT_OPTION_WAIT_LINK(dest, given_)					\
	{ 'w', "wait-link", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S, .min = 0,	\
	  .max = NT_SEC(3600), NT_DEST(dest), .given = &(given_), .noun = "link wait",	\
	  .arg_name = "secs", .def_help = "2 for system interfaces, else 0",		\
	  .help = "wait before moving traffic" }

/* -T ms: 10 ms to an hour between periodic lines, or 0 for none. */
#define NT_OPTION_REPORT_INTERVAL(dest, default_ms)				\
	{ 'T', "report-interval", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_MS,	\
	  .flags = NT_PARSE_ZERO_OK, .min = NT_MSEC(10), .max = NT_SEC(3600),		\
	  NT_DEST(dest), .noun = "report interval", .arg_name = "ms",			\
	  .def = (default_ms), .help = "interval between rate lines; 0 = none" }

/* -j / --json[=FILE] (8.1). */
#define NT_OPTION_JSON(dest, given_)						\
	{ 'j', "json", NT_ARG_OPTIONAL, NT_T_STRING,				\
	  .flags = NT_OPT_OPTARG_LONG_ONLY | NT_OPT_EXT, NT_DEST(dest),		\
	  .given = &(given_), .noun = "JSON file", .arg_name = "file",		\
	  .expect = "a file name",							\
	  .help = "JSON lines on stdout, or into a file with --json=FILE" }

/* --duration=DUR (8.6). */
#define NT_OPTION_DURATION(dest, given_)					\
	{ 0, "duration", NT_ARG_REQUIRED, NT_T_DURATION, .unit = NT_UNIT_S,		\
	  .min = NT_MSEC(1), .max = NT_SEC(31536000), NT_DEST(dest),		\
	  .given = &(given_), .flags = NT_OPT_EXT, .noun = "duration",		\
	  .arg_name = "dur", .help = "stop after this time, as if interrupted" }

/* --busy-wait: the behaviour of the tool's -b variant (variant: "pkt-gen-b"). */
#define NT_OPTION_BUSY_WAIT(dest, variant)					\
	{ 0, "busy-wait", NT_ARG_NONE, NT_T_FLAG, NT_DEST(dest), .flags = NT_OPT_EXT,	\
	  .help = "spin on the sync calls instead of sleeping (as " variant ")" }

/* -v, repeatable. */
#define NT_OPTION_VERBOSE(dest, what)						\
	{ 'v', "verbose", NT_ARG_NONE, NT_T_COUNTER, NT_DEST(dest), .help = (what) }

#endif /* NT_OPT_H */
