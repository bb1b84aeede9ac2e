// SPDX-License-Identifier: BSD-2-Clause
/*
 * Option-table machinery: getopt_long() strings built from the table,
 * strict value parsing, defaults, repetition limits, conflicts, --help,
 * --version and the man page synopsis (tools.md 1.2, 1.3, 2.2).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_opt.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nt_log.h"

/* getopt values of options without a letter, and of --help / --version. */
#define VAL_BASE	0x100
#define ERRLEN		512

/* Everything that lives for one nt_opt_parse() call. */
struct parse_run {
	const struct nt_tool *tool;
	const struct nt_option *opts;
	unsigned nopts;
	unsigned *count;			/* occurrences, per option */
	char (*typed)[NT_OPT_TYPED_MAX];	/* last typed form, per option */
	int h_is_help;
};

union value_buf {
	uint64_t u;
	int64_t i;
	double d;
	const char *str;
	struct nt_rate rate;
	struct nt_size_spec sizes;
	struct nt_mac_range mac;
	struct nt_ipv4_range ipv4;
	struct nt_ipv6_range ipv6;
	struct nt_cpu_list cpus;
	struct nt_tuple tuple;
};

static unsigned count_options(const struct nt_option *opts)
{
	unsigned n = 0;

	while (opts && opts[n].long_name)
		n++;
	return n;
}

static int uses_letter(const struct nt_option *opts, int letter)
{
	unsigned i;

	for (i = 0; opts && opts[i].long_name; i++)
		if (opts[i].short_name == letter)
			return 1;
	return 0;
}

static const char *noun_of(const struct nt_option *o)
{
	return o->noun ? o->noun : o->long_name;
}

/* How many elements dest holds: max_count for repeatable values, else 1. */
static unsigned elem_count(const struct nt_option *o)
{
	if ((o->flags & NT_OPT_REPEATABLE) && o->type != NT_T_COUNTER && o->max_count)
		return o->max_count;
	return 1;
}

static size_t elem_size(const struct nt_option *o)
{
	return o->dest ? o->dest_size / elem_count(o) : sizeof(uint64_t);
}

static void *elem_at(const struct nt_option *o, unsigned i)
{
	return o->dest ? (char *)o->dest + (size_t)i * elem_size(o) : NULL;
}

static int is_integer_type(enum nt_type t)
{
	switch (t) {
	case NT_T_FLAG: case NT_T_COUNTER: case NT_T_CONST: case NT_T_ENUM:
	case NT_T_INT: case NT_T_UINT: case NT_T_COUNT: case NT_T_SIZE:
	case NT_T_DURATION:
		return 1;
	default:
		return 0;
	}
}

/* Size of the C object one value of this type needs; 0 when any will do. */
static size_t value_size(enum nt_type t)
{
	switch (t) {
	case NT_T_STRING: return sizeof(const char *);
	case NT_T_RATE: return sizeof(struct nt_rate);
	case NT_T_SIZES: return sizeof(struct nt_size_spec);
	case NT_T_PROBABILITY: return sizeof(double);
	case NT_T_MAC: return sizeof(struct nt_mac_range);
	case NT_T_IPV4: return sizeof(struct nt_ipv4_range);
	case NT_T_IPV6: return sizeof(struct nt_ipv6_range);
	case NT_T_CPUS: return sizeof(struct nt_cpu_list);
	case NT_T_TUPLE: return sizeof(struct nt_tuple);
	default: return 0;
	}
}

/* Integers are stored at the width of the destination field. */
static void store_integer(void *dest, size_t size, uint64_t bits)
{
	uint8_t u8 = (uint8_t)bits;
	uint16_t u16 = (uint16_t)bits;
	uint32_t u32 = (uint32_t)bits;

	if (!dest)
		return;
	switch (size) {
	case 1: memcpy(dest, &u8, 1); break;
	case 2: memcpy(dest, &u16, 2); break;
	case 4: memcpy(dest, &u32, 4); break;
	default: memcpy(dest, &bits, 8); break;
	}
}

static uint64_t load_integer(const void *src, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!src)
		return 0;
	switch (size) {
	case 1: memcpy(&u8, src, 1); return u8;
	case 2: memcpy(&u16, src, 2); return u16;
	case 4: memcpy(&u32, src, 4); return u32;
	default: memcpy(&u64, src, 8); return u64;
	}
}

/* The range of an unsigned option: table limits clipped to the field. */
static void unsigned_limits(const struct nt_option *o, size_t size, uint64_t *min, uint64_t *max)
{
	uint64_t field_max = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;

	if (o->min == 0 && o->max == 0) {
		*min = 0;
		*max = field_max;
		return;
	}
	*min = o->min < 0 ? 0 : (uint64_t)o->min;
	*max = o->max == NT_NO_MAX || (uint64_t)o->max > field_max ? field_max : (uint64_t)o->max;
}

static void signed_limits(const struct nt_option *o, size_t size, int64_t *min, int64_t *max)
{
	int64_t field_max = size >= 8 ? INT64_MAX : (int64_t)((1ull << (8 * size - 1)) - 1);
	int64_t field_min = -field_max - 1;

	if (o->min == 0 && o->max == 0) {
		*min = field_min;
		*max = field_max;
		return;
	}
	*min = o->min < field_min ? field_min : o->min;
	*max = o->max > field_max ? field_max : o->max;
}

/*
 * Parse one value of option o into elem (which may be NULL: then the value
 * is only checked).  value is NULL for an absent optional argument.
 */
static int parse_value(const struct nt_option *o, const char *value, void *elem,
		       char *err, size_t errlen)
{
	unsigned pflags = o->flags & NT_PARSE_MASK;
	size_t size = elem_size(o);
	const char *noun = noun_of(o);
	union value_buf v;
	uint64_t umin, umax;
	int64_t smin, smax;
	int index, r = 0;

	if (o->type == NT_T_CALLBACK)
		return o->parse(o, value, elem, err, errlen);
	if (!value) {
		/* Absent optional argument: a string becomes NULL, others keep their value. */
		if (o->type == NT_T_STRING && elem)
			memset(elem, 0, sizeof(const char *));
		return 0;
	}
	switch (o->type) {
	case NT_T_FLAG:
	case NT_T_COUNTER:
	case NT_T_CONST:
		return 0;
	case NT_T_STRING:
		if (!*value) {
			snprintf(err, errlen, "empty %s; expected %s", noun,
				 o->expect ? o->expect : o->arg_name ? o->arg_name : "a value");
			return -1;
		}
		if (o->max > 0 && strlen(value) > (size_t)o->max) {
			snprintf(err, errlen, "%s too long; expected at most %lld characters", noun,
				 (long long)o->max);
			return -1;
		}
		if (elem)
			memcpy(elem, &value, sizeof(value));
		return 0;
	case NT_T_COUNT:
		unsigned_limits(o, size, &umin, &umax);
		r = nt_parse_count(value, noun, umin, umax, pflags, &v.u, err, errlen);
		break;
	case NT_T_UINT:
		unsigned_limits(o, size, &umin, &umax);
		r = nt_parse_uint(value, noun, umin, umax, pflags, &v.u, err, errlen);
		break;
	case NT_T_SIZE:
		unsigned_limits(o, size, &umin, &umax);
		r = nt_parse_uint(value, noun, umin, umax, pflags & ~NT_PARSE_HEX, &v.u, err,
				  errlen);
		break;
	case NT_T_DURATION:
		unsigned_limits(o, size, &umin, &umax);
		r = nt_parse_duration(value, noun, o->unit, umin, umax, pflags, &v.u, err, errlen);
		break;
	case NT_T_INT:
		signed_limits(o, size, &smin, &smax);
		r = nt_parse_int(value, noun, smin, smax, pflags, &v.i, err, errlen);
		break;
	case NT_T_ENUM:
		r = nt_parse_enum(value, noun, o->words, &index, err, errlen);
		/* index is set only for a word of the list */
		if (!r)
			v.i = o->values ? o->values[index] : index;
		break;
	case NT_T_RATE:
		r = nt_parse_rate(value, noun, o->unit, pflags, &v.rate, err, errlen);
		break;
	case NT_T_SIZES:
		unsigned_limits(o, 4, &umin, &umax);
		r = nt_parse_sizes(value, noun, (uint32_t)umin, (uint32_t)umax, &v.sizes, err,
				   errlen);
		break;
	case NT_T_PROBABILITY:
		r = nt_parse_probability(value, noun, &v.d, err, errlen);
		break;
	case NT_T_MAC:
		r = nt_parse_mac(value, noun, pflags, &v.mac, err, errlen);
		break;
	case NT_T_IPV4:
		r = nt_parse_ipv4(value, noun, &v.ipv4, err, errlen);
		break;
	case NT_T_IPV6:
		r = nt_parse_ipv6(value, noun, &v.ipv6, err, errlen);
		break;
	case NT_T_CPUS:
		r = nt_parse_cpus(value, noun, &v.cpus, err, errlen);
		break;
	case NT_T_TUPLE:
		r = nt_parse_tuple(value, noun, &v.tuple, err, errlen);
		break;
	case NT_T_CALLBACK:
		break;
	}
	if (r || !elem)
		return r;
	if (is_integer_type(o->type))
		store_integer(elem, size, v.u);
	else
		memcpy(elem, &v, value_size(o->type));
	return 0;
}

/* "expected ..." for an option whose argument is missing. */
static void describe_expected(const struct nt_option *o, char *buf, size_t len)
{
	char err[ERRLEN];
	const char *form;

	if (o->expect || o->type == NT_T_STRING || o->type == NT_T_CALLBACK) {
		snprintf(buf, len, "expected %s",
			 o->expect ? o->expect : o->arg_name ? o->arg_name : "a value");
		return;
	}
	/* The parser's own message for an empty value ends with the accepted form. */
	err[0] = '\0';
	parse_value(o, "", NULL, err, sizeof(err));
	form = strstr(err, "; ");
	snprintf(buf, len, "%s", form ? form + 2 : "see --help");
}

int nt_usage_error(const char *tool, const char *opt, const char *value,
		   const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (opt)
		nt_err(tool, "%s%s%s: %s", opt, value ? " " : "",
		       value ? (*value ? value : "''") : "", what);
	else
		nt_err(tool, "%s", what);
	return NT_EXIT_USAGE;
}

/* ------------------------------------------------------------ table check */

static int find_long(const struct nt_option *opts, const char *name)
{
	int i;

	for (i = 0; opts[i].long_name; i++)
		if (!strcmp(opts[i].long_name, name))
			return i;
	return -1;
}

static int check_option(const struct nt_option *opts, unsigned i, char *err, size_t errlen)
{
	const struct nt_option *o = &opts[i];
	union value_buf scratch;
	char perr[ERRLEN];
	unsigned j, n;
	size_t esize;

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
	if (!*o->long_name || strlen(o->long_name) > NT_OPT_TYPED_MAX - 3 ||
	    strchr(o->long_name, '='))
		BAD("option \"%s\": long name empty, too long or containing '='", o->long_name);
	if (!strcmp(o->long_name, "help") || !strcmp(o->long_name, "version"))
		BAD("--%s is provided by the library", o->long_name);
	if (o->short_name && (o->short_name > 127 || o->short_name == ':' ||
			      o->short_name == '?' || o->short_name == '-' ||
			      o->short_name == ';' || o->short_name <= ' '))
		BAD("--%s: short name %d is not usable with getopt", o->long_name, o->short_name);
	for (j = 0; j < i; j++) {
		if (!strcmp(opts[j].long_name, o->long_name))
			BAD("--%s appears twice", o->long_name);
		if (o->short_name && opts[j].short_name == o->short_name)
			BAD("-%c is used by --%s and --%s", o->short_name, opts[j].long_name,
			    o->long_name);
	}
	switch (o->type) {
	case NT_T_FLAG: case NT_T_COUNTER: case NT_T_CONST:
		if (o->arg != NT_ARG_NONE)
			BAD("--%s: flags, counters and constants take no argument", o->long_name);
		break;
	case NT_T_CALLBACK:
		if (!o->parse)
			BAD("--%s: callback option without a parse function", o->long_name);
		break;
	default:
		if (o->arg == NT_ARG_NONE)
			BAD("--%s: a value type needs an argument", o->long_name);
		break;
	}
	if (o->type == NT_T_ENUM && !o->words)
		BAD("--%s: enumeration without words", o->long_name);
	if ((o->flags & NT_OPT_REPEATABLE) && o->type != NT_T_COUNTER && !o->max_count)
		BAD("--%s: repeatable option without max_count", o->long_name);
	if ((o->flags & (NT_OPT_ARG_MAY_FOLLOW | NT_OPT_OPTARG_LONG_ONLY)) &&
	    o->arg != NT_ARG_OPTIONAL)
		BAD("--%s: optional-argument flags on an option whose argument is not optional",
		    o->long_name);
	if (o->dest) {
		n = elem_count(o);
		esize = o->dest_size / n;
		if (o->dest_size % n)
			BAD("--%s: destination of %zu bytes is not %u elements", o->long_name,
			    o->dest_size, n);
		if (is_integer_type(o->type) && esize != 1 && esize != 2 && esize != 4 &&
		    esize != 8)
			BAD("--%s: integer destination of %zu bytes", o->long_name, esize);
		if (value_size(o->type) && esize != value_size(o->type))
			BAD("--%s: destination element of %zu bytes, the type needs %zu",
			    o->long_name, esize, value_size(o->type));
	}
	for (j = 0; o->conflicts && o->conflicts[j]; j++)
		if (find_long(opts, o->conflicts[j]) < 0)
			BAD("--%s: conflicts with unknown option --%s", o->long_name,
			    o->conflicts[j]);
	if (o->def && o->type != NT_T_FLAG && o->type != NT_T_CONST && o->type != NT_T_STRING &&
	    o->type != NT_T_CALLBACK) {
		/* Check the default in a scratch buffer of the same width. */
		struct nt_option probe = *o;

		probe.dest = &scratch;
		probe.dest_size = o->dest ? elem_size(o) : sizeof(uint64_t);
		probe.flags &= ~NT_OPT_REPEATABLE;
		if (o->type == NT_T_COUNTER)
			probe.type = NT_T_INT;
		if (parse_value(&probe, o->def, &scratch, perr, sizeof(perr)))
			BAD("--%s: default \"%s\" is invalid: %s", o->long_name, o->def, perr);
	}
#undef BAD
	return 0;
}

int nt_opt_check_table(const struct nt_tool *tool, char *err, size_t errlen)
{
	unsigned i, n = count_options(tool->options);

	if (!tool->name || !tool->version) {
		snprintf(err, errlen, "tool without name or version");
		return -1;
	}
	if (tool->max_args && (!tool->args || !tool->nargs)) {
		snprintf(err, errlen, "positional arguments accepted but not stored");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (check_option(tool->options, i, err, errlen))
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- parsing */

static void reset_destinations(const struct nt_option *opts, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct nt_option *o = &opts[i];

		if (o->dest)
			memset(o->dest, 0, o->dest_size);
		if (o->given)
			*o->given = 0;
		if (o->seen)
			memset(o->seen, 0, elem_count(o) * sizeof(*o->seen));
	}
}

static void apply_defaults(const struct nt_option *opts, unsigned n)
{
	char err[ERRLEN];
	unsigned i;

	/* The table was checked, so every default parses. */
	for (i = 0; i < n; i++) {
		const struct nt_option *o = &opts[i];
		void *elem = elem_at(o, 0);
		int64_t v;

		if (!o->def || !elem)
			continue;
		switch (o->type) {
		case NT_T_FLAG:
			store_integer(elem, elem_size(o), 1);
			break;
		case NT_T_CONST:
			store_integer(elem, elem_size(o), (uint64_t)o->value);
			break;
		case NT_T_COUNTER:
			if (!nt_parse_int(o->def, NULL, INT64_MIN, INT64_MAX, 0, &v, err,
					  sizeof(err)))
				store_integer(elem, elem_size(o), (uint64_t)v);
			break;
		case NT_T_STRING:
			memcpy(elem, &o->def, sizeof(o->def));
			break;
		default:
			parse_value(o, o->def, elem, err, sizeof(err));
			break;
		}
	}
}

static int conflicting(const struct nt_option *a, const struct nt_option *b)
{
	unsigned i;

	for (i = 0; a->conflicts && a->conflicts[i]; i++)
		if (!strcmp(a->conflicts[i], b->long_name))
			return 1;
	return 0;
}

/* Table checks keep "--long-name" within NT_OPT_TYPED_MAX. */
static void copy_typed(char dst[NT_OPT_TYPED_MAX], const char *typed)
{
	size_t n = strnlen(typed, NT_OPT_TYPED_MAX - 1);

	memcpy(dst, typed, n);
	dst[n] = '\0';
}

/* Handle one occurrence of option i, typed as `typed`, with `value`. */
static int take_option(struct parse_run *run, unsigned i, const char *typed, const char *value)
{
	const struct nt_option *o = &run->opts[i];
	const char *tool = run->tool->name;
	unsigned n = run->count[i] + 1, j, slot;
	char err[ERRLEN];

	for (j = 0; j < run->nopts; j++) {
		if (j == i || !run->count[j])
			continue;
		if (conflicting(o, &run->opts[j]) || conflicting(&run->opts[j], o))
			return nt_usage_error(tool, typed, value, "cannot be combined with %s",
					      run->typed[j]);
	}
	if (o->type == NT_T_COUNTER) {
		if (o->max_count && n > o->max_count)
			return nt_usage_error(tool, typed, value,
					      "too many %s options; at most %u are accepted",
					      typed, o->max_count);
		slot = 0;
		if (o->dest)
			store_integer(o->dest, elem_size(o),
				      load_integer(o->dest, elem_size(o)) + 1);
	} else if (o->flags & NT_OPT_REPEATABLE) {
		if (n > o->max_count)
			return nt_usage_error(tool, typed, value,
					      "too many %s options; at most %u %s accepted", typed,
					      o->max_count, o->max_count == 1 ? "is" : "are");
		slot = n - 1;
	} else {
		slot = 0;	/* last one wins, as in netmap */
	}
	if (o->type == NT_T_FLAG)
		store_integer(elem_at(o, slot), elem_size(o), 1);
	else if (o->type == NT_T_CONST)
		store_integer(elem_at(o, slot), elem_size(o), (uint64_t)o->value);
	else if (o->type != NT_T_COUNTER &&
		 parse_value(o, value, elem_at(o, slot), err, sizeof(err)))
		return nt_usage_error(tool, typed, value, "%s", err);

	run->count[i] = n;
	copy_typed(run->typed[i], typed);
	if (o->given)
		*o->given = n;
	if (o->seen) {
		struct nt_opt_seen *s = &o->seen[slot < elem_count(o) ? slot : 0];

		copy_typed(s->opt, typed);
		s->value = value;
	}
	if (o->deprecated)
		nt_warn(tool, "%s is deprecated; %s", typed, o->deprecated);
	return 0;
}

/* "--name" of an argv element "--name=value", in buf. */
static const char *long_typed(const char *element, char *buf, size_t len)
{
	size_t n = strcspn(element, "=");

	if (n >= len)
		n = len - 1;
	memcpy(buf, element, n);
	buf[n] = '\0';
	return buf;
}

/* An unknown or ambiguous long option, typed as `element`. */
static int unknown_long(struct parse_run *run, const char *element)
{
	char typed[NT_OPT_TYPED_MAX + 16], list[ERRLEN];
	const char *name = element + 2;
	size_t len = strcspn(name, "="), used = 0;
	unsigned i, matches = 0;

	long_typed(element, typed, sizeof(typed));
	list[0] = '\0';
	for (i = 0; i < run->nopts + 2; i++) {
		const char *cand = i < run->nopts ? run->opts[i].long_name :
				   i == run->nopts ? "help" : "version";

		if (len && !strncmp(cand, name, len) && used < sizeof(list)) {
			int w = snprintf(list + used, sizeof(list) - used, "%s--%s",
					 matches ? ", " : "", cand);

			if (w > 0)
				used += (size_t)w;
			matches++;
		}
	}
	if (matches > 1)
		return nt_usage_error(run->tool->name, typed, NULL,
				      "ambiguous option; could be %s", list);
	return nt_usage_error(run->tool->name, typed, NULL, "unknown option; see --help");
}

static struct option *build_long_options(const struct nt_option *opts, unsigned n)
{
	struct option *lo = calloc(n + 3, sizeof(*lo));
	unsigned i;

	if (!lo)
		return NULL;
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].long_name;
		lo[i].has_arg = opts[i].arg == NT_ARG_REQUIRED ? required_argument :
				opts[i].arg == NT_ARG_OPTIONAL ? optional_argument : no_argument;
		lo[i].val = opts[i].short_name ? opts[i].short_name : VAL_BASE + (int)i;
	}
	lo[n].name = "help";
	lo[n].val = VAL_BASE + (int)n;
	lo[n + 1].name = "version";
	lo[n + 1].val = VAL_BASE + (int)n + 1;
	return lo;
}

/* ":" first, so that a missing argument is told apart from an unknown option. */
static char *build_short_options(const struct nt_option *opts, unsigned n, int h_is_help)
{
	char *so = malloc(3 * n + 4), *p = so;
	unsigned i;

	if (!so)
		return NULL;
	*p++ = ':';
	for (i = 0; i < n; i++) {
		if (!opts[i].short_name)
			continue;
		*p++ = (char)opts[i].short_name;
		if (opts[i].arg == NT_ARG_REQUIRED) {
			*p++ = ':';
		} else if (opts[i].arg == NT_ARG_OPTIONAL &&
			   !(opts[i].flags & NT_OPT_OPTARG_LONG_ONLY)) {
			*p++ = ':';
			*p++ = ':';
		}
	}
	if (h_is_help)
		*p++ = 'h';
	*p = '\0';
	return so;
}

static int find_short(const struct nt_option *opts, unsigned n, int c)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (opts[i].short_name == c)
			return (int)i;
	return -1;
}

static int finish(struct parse_run *run, int argc, char **argv)
{
	const struct nt_tool *tool = run->tool;
	char form[ERRLEN], name[NT_OPT_TYPED_MAX + 4];
	unsigned i;

	if (tool->nargs)
		*tool->nargs = 0;
	for (; optind < argc; optind++) {
		if (!tool->max_args)
			return nt_usage_error(tool->name, argv[optind], NULL,
					      "unexpected argument; see --help");
		if (*tool->nargs == tool->max_args)
			return nt_usage_error(tool->name, argv[optind], NULL,
					      "too many arguments; expected %s",
					      tool->args_usage ? tool->args_usage : "fewer");
		tool->args[(*tool->nargs)++] = argv[optind];
	}
	for (i = 0; i < run->nopts; i++) {
		const struct nt_option *o = &run->opts[i];

		if (!(o->flags & NT_OPT_REQUIRED) || run->count[i])
			continue;
		if (o->short_name)
			snprintf(name, sizeof(name), "-%c", o->short_name);
		else
			snprintf(name, sizeof(name), "--%s", o->long_name);
		describe_expected(o, form, sizeof(form));
		return nt_usage_error(tool->name, NULL, NULL, "missing %s; %s", name, form);
	}
	return 0;
}

static int parse_loop(struct parse_run *run, int argc, char **argv,
		      const struct option *longopts, const char *shortopts)
{
	const struct nt_tool *tool = run->tool;
	char typed[NT_OPT_TYPED_MAX + 16], form[ERRLEN];
	int c, longindex, idx;

	for (;;) {
		const struct nt_option *o;
		const char *value;

		longindex = -1;
		c = getopt_long(argc, argv, shortopts, longopts, &longindex);
		if (c == -1)
			break;
		if (c == '?') {
			/*
			 * optopt names a known option only when a long option got an
			 * argument it does not take ("--ipv4=1"); an unknown letter is
			 * never in the table, and unknown long options leave it 0.
			 */
			if (optopt && (optopt >= VAL_BASE ||
				       find_short(run->opts, run->nopts, optopt) >= 0)) {
				const char *el = argv[optind - 1];
				const char *eq = strchr(el, '=');

				long_typed(el, typed, sizeof(typed));
				return nt_usage_error(tool->name, typed, eq ? eq + 1 : NULL,
						      "this option takes no value");
			}
			if (optopt) {
				snprintf(typed, sizeof(typed), "-%c", optopt);
				return nt_usage_error(tool->name, typed, NULL,
						      "unknown option; see --help");
			}
			return unknown_long(run, argv[optind - 1]);
		}
		if (c == ':') {
			const char *el = argv[optind - 1];

			if (!strncmp(el, "--", 2))
				long_typed(el, typed, sizeof(typed));
			else
				snprintf(typed, sizeof(typed), "-%c", optopt);
			idx = optopt >= VAL_BASE ? optopt - VAL_BASE :
			      find_short(run->opts, run->nopts, optopt);
			describe_expected(&run->opts[idx], form, sizeof(form));
			return nt_usage_error(tool->name, typed, NULL, "missing argument; %s",
					      form);
		}
		if (c == VAL_BASE + (int)run->nopts || (c == 'h' && run->h_is_help)) {
			nt_opt_print_help(tool, nt_out());
			fflush(nt_out());
			return NT_OPT_EXIT_OK;
		}
		if (c == VAL_BASE + (int)run->nopts + 1) {
			nt_opt_print_version(tool, nt_out());
			fflush(nt_out());
			return NT_OPT_EXIT_OK;
		}
		idx = c >= VAL_BASE ? c - VAL_BASE : find_short(run->opts, run->nopts, c);
		if (idx < 0)	/* cannot happen: getopt only returns what we gave it */
			return nt_usage_error(tool->name, NULL, NULL, "internal option error");
		o = &run->opts[idx];
		if (longindex >= 0)
			snprintf(typed, sizeof(typed), "--%s", o->long_name);
		else
			snprintf(typed, sizeof(typed), "-%c", c);
		value = optarg;
		if (o->arg == NT_ARG_NONE)
			value = NULL;
		else if (!value && (o->flags & NT_OPT_ARG_MAY_FOLLOW) && optind < argc &&
			 argv[optind][0] != '-')
			value = argv[optind++];
		if (take_option(run, (unsigned)idx, typed, value))
			return NT_EXIT_USAGE;
	}
	return finish(run, argc, argv);
}

int nt_opt_parse(const struct nt_tool *tool, int argc, char **argv)
{
	struct parse_run run;
	struct option *longopts = NULL;
	char *shortopts = NULL;
	char err[ERRLEN];
	int saved_opterr = opterr, status;

	memset(&run, 0, sizeof(run));
	run.tool = tool;
	run.opts = tool->options;
	run.nopts = count_options(tool->options);
	run.h_is_help = !uses_letter(tool->options, 'h');
	if (nt_opt_check_table(tool, err, sizeof(err))) {
		nt_err(tool->name ? tool->name : "tool", "internal error in the option table: %s",
		       err);
		return NT_OPT_BAD_TABLE;
	}
	run.count = calloc(run.nopts + 1, sizeof(*run.count));
	run.typed = calloc(run.nopts + 1, sizeof(*run.typed));
	longopts = build_long_options(run.opts, run.nopts);
	shortopts = build_short_options(run.opts, run.nopts, run.h_is_help);
	if (!run.count || !run.typed || !longopts || !shortopts) {
		nt_err(tool->name, "out of memory");
		status = NT_OPT_BAD_TABLE;
		goto out;
	}
	reset_destinations(run.opts, run.nopts);
	apply_defaults(run.opts, run.nopts);

	/* optind = 0 makes glibc forget the state of any earlier parse. */
	optind = 0;
	opterr = 0;
	status = parse_loop(&run, argc, argv, longopts, shortopts);
	opterr = saved_opterr;
out:
	free(shortopts);
	free(longopts);
	free(run.typed);
	free(run.count);
	return status;
}

void nt_opt_parse_or_exit(const struct nt_tool *tool, int argc, char **argv)
{
	int status = nt_opt_parse(tool, argc, argv);

	if (status == 0)
		return;
	exit(status == NT_OPT_EXIT_OK ? 0 : status);
}

/* ------------------------------------------------------------------- help */

static const char *placeholder(const struct nt_option *o)
{
	return o->arg_name ? o->arg_name : "value";
}

/* "-l, --size=size", "    --json[=file]", "-l, --list [port]" */
static void left_column(const struct nt_option *o, char *buf, size_t len)
{
	int n = o->short_name ? snprintf(buf, len, "-%c, --%s", o->short_name, o->long_name) :
				snprintf(buf, len, "    --%s", o->long_name);

	if (n < 0 || (size_t)n >= len)
		return;
	if (o->arg == NT_ARG_REQUIRED)
		snprintf(buf + n, len - (size_t)n, "=%s", placeholder(o));
	else if (o->arg == NT_ARG_OPTIONAL && (o->flags & NT_OPT_ARG_MAY_FOLLOW))
		snprintf(buf + n, len - (size_t)n, " [%s]", placeholder(o));
	else if (o->arg == NT_ARG_OPTIONAL)
		snprintf(buf + n, len - (size_t)n, "[=%s]", placeholder(o));
}

#define HELP_COLUMN_MAX	30

static void help_line(FILE *f, const char *left, int width, const char *help,
		      const struct nt_option *o)
{
	int n = fprintf(f, "  %s", left);

	if (n - 2 > width)
		fprintf(f, "\n%*s", width + 4, "");
	else
		fprintf(f, "%*s", width - (n - 2) + 2, "");
	fputs(help ? help : "", f);
	if (o) {
		if (o->flags & NT_OPT_REQUIRED)
			fputs(" (required)", f);
		if (o->def_help || o->def)
			fprintf(f, " (default: %s)", o->def_help ? o->def_help : o->def);
		if (o->type == NT_T_COUNTER && !o->max_count)
			fputs(" (repeatable)", f);
		else if (o->flags & NT_OPT_REPEATABLE)
			fprintf(f, " (repeatable, at most %u times)", o->max_count);
		if (o->deprecated)
			fputs(" (deprecated)", f);
	}
	putc('\n', f);
}

void nt_opt_print_help(const struct nt_tool *tool, FILE *f)
{
	const struct nt_option *opts = tool->options;
	int h_is_help = !uses_letter(opts, 'h');
	char left[NT_OPT_TYPED_MAX * 2 + 16];
	int width = (int)strlen("-h, --help");
	unsigned i;

	for (i = 0; opts && opts[i].long_name; i++) {
		int n;

		left_column(&opts[i], left, sizeof(left));
		n = (int)strlen(left);
		if (n > width && n <= HELP_COLUMN_MAX)
			width = n;
	}
	fprintf(f, "Usage: %s [OPTIONS]%s%s\n", tool->name, tool->args_usage ? " " : "",
		tool->args_usage ? tool->args_usage : "");
	if (tool->purpose)
		fprintf(f, "%s\n", tool->purpose);
	fputs("\nOptions:\n", f);
	for (i = 0; opts && opts[i].long_name; i++) {
		left_column(&opts[i], left, sizeof(left));
		help_line(f, left, width, opts[i].help, &opts[i]);
	}
	help_line(f, h_is_help ? "-h, --help" : "    --help", width,
		  "print this help and exit", NULL);
	help_line(f, "    --version", width, "print the version and exit", NULL);
}

void nt_opt_print_version(const struct nt_tool *tool, FILE *f)
{
	fprintf(f, "%s %s (netmap API %d)\n", tool->name, tool->version, NT_NETMAP_API);
}

/* Text for roff: '-' and '\' must be escaped to print as themselves. */
static void roff_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\\')
			fputs("\\e", f);
		else
			putc(*s, f);
	}
}

void nt_opt_print_synopsis(const struct nt_tool *tool, FILE *f)
{
	const struct nt_option *opts = tool->options;
	unsigned i;

	fputs(".SH SYNOPSIS\n.B ", f);
	roff_text(f, tool->name);
	putc('\n', f);
	for (i = 0; opts && opts[i].long_name; i++) {
		const struct nt_option *o = &opts[i];
		int required = o->flags & NT_OPT_REQUIRED;

		if (!required)
			putc('[', f);
		fputs("\\fB", f);
		if (o->short_name) {
			fputs("\\-", f);
			roff_text(f, (char[]){ (char)o->short_name, '\0' });
		} else {
			fputs("\\-\\-", f);
			roff_text(f, o->long_name);
		}
		fputs("\\fR", f);
		if (o->arg == NT_ARG_REQUIRED) {
			fputs(o->short_name ? " \\fI" : "=\\fI", f);
			roff_text(f, placeholder(o));
			fputs("\\fR", f);
		} else if (o->arg == NT_ARG_OPTIONAL) {
			const char *open = " [\\fI";	/* -l [port]: may be the next word */

			if (!(o->flags & NT_OPT_ARG_MAY_FOLLOW) || !o->short_name)
				open = o->short_name ? "[\\fI" : "[=\\fI";
			/* With OPTARG_LONG_ONLY the short form shown takes no argument. */
			if (!o->short_name || !(o->flags & NT_OPT_OPTARG_LONG_ONLY)) {
				fputs(open, f);
				roff_text(f, placeholder(o));
				fputs("\\fR]", f);
			}
		}
		if (!required)
			putc(']', f);
		if ((o->flags & NT_OPT_REPEATABLE) || o->type == NT_T_COUNTER)
			fputs("...", f);
		putc('\n', f);
	}
	if (tool->args_usage) {
		fputs("\\&", f);
		roff_text(f, tool->args_usage);
		putc('\n', f);
	}
}

int nt_opt_invoked_as(int argc, char **argv, const char *name)
{
	const char *base = argc > 0 && argv[0] ? argv[0] : "";

	if (strrchr(base, '/'))
		base = strrchr(base, '/') + 1;
	return !strcmp(base, name);
}

int nt_opt_parse_config(const struct nt_tool *tool, int argc, char **argv, void *parsed,
			size_t size, int (*check)(void *parsed, int argc, char **argv), void *out)
{
	int st;

	memset(parsed, 0, size);
	st = nt_opt_parse(tool, argc, argv);
	if (st)
		return st;
	st = check ? check(parsed, argc, argv) : 0;
	if (st)
		return st;
	memcpy(out, parsed, size);
	return 0;
}
