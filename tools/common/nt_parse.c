// SPDX-License-Identifier: BSD-2-Clause
/*
 * Value parsers of tools.md 2.1.  Each parser accepts the whole string or
 * nothing: no leading blanks, no sign where none is meaningful, no trailing
 * characters.  Numbers are scanned by hand rather than with strto*(), which
 * skip blanks, accept signs on unsigned values and depend on the locale.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest argument the endpoint parsers copy for splitting. */
#define ENDPOINT_TEXT_MAX	256

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *name_of(const char *noun)
{
	return noun && *noun ? noun : "value";
}

/*
 * Scan digits of the given base at *p.  Returns 0 and advances *p, -1 when
 * there is no digit (*out untouched), -2 when the number does not fit in 64
 * bits (then *out is UINT64_MAX and *p is after the digits, so the caller
 * can still check what follows).
 */
static int scan_u64(const char **p, unsigned base, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int overflow = 0;
	unsigned d;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			overflow = 1;
		else
			v = v * base + d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*out = overflow ? UINT64_MAX : v;
	return overflow ? -2 : 0;
}

/* "an integer from 16 to 65536", "0 or a count of at least 1" */
static void describe_urange(char *buf, size_t len, const char *what, uint64_t min,
			    uint64_t max, unsigned flags)
{
	const char *zero = (flags & NT_PARSE_ZERO_OK) && min > 0 ? "0 or " : "";

	if (max == UINT64_MAX && min > 0)
		snprintf(buf, len, "%s%s of at least %llu", zero, what,
			 (unsigned long long)min);
	else
		snprintf(buf, len, "%s%s from %llu to %llu", zero, what,
			 (unsigned long long)min, (unsigned long long)max);
}

static int in_urange(uint64_t v, uint64_t min, uint64_t max, unsigned flags)
{
	if (v == 0 && (flags & NT_PARSE_ZERO_OK))
		return 1;
	return v >= min && v <= max;
}

/* ---------------------------------------------------------------- integers */

int nt_parse_count(const char *s, const char *noun, uint64_t min, uint64_t max,
		   unsigned flags, uint64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	uint64_t v = 0, mult = 1;
	char range[128];
	int r;

	describe_urange(range, sizeof(range), "a count", min, max, flags);
	r = scan_u64(&p, 10, &v);
	if (r != -1) {
		switch (*p) {
		case 'k': case 'K': mult = 1000ull; p++; break;
		case 'm': case 'M': mult = 1000000ull; p++; break;
		case 'g': case 'G': mult = 1000000000ull; p++; break;
		}
	}
	if (r == -1 || *p)
		return fail(err, errlen,
			    "invalid %s; expected a whole number with optional suffix K, M or G, such as 1000, 10K or 2M",
			    name_of(noun));
	if (r == -2 || v > UINT64_MAX / mult || !in_urange(v * mult, min, max, flags))
		return fail(err, errlen, "%s out of range; expected %s", name_of(noun), range);
	*out = v * mult;
	return 0;
}

int nt_parse_uint(const char *s, const char *noun, uint64_t min, uint64_t max,
		  unsigned flags, uint64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	unsigned base = 10;
	char range[128];
	uint64_t v = 0;
	int r;

	describe_urange(range, sizeof(range), "an integer", min, max, flags);
	if ((flags & NT_PARSE_HEX) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	r = scan_u64(&p, base, &v);
	if (r == -1 || *p)
		return fail(err, errlen, "invalid %s; expected %s%s", name_of(noun), range,
			    flags & NT_PARSE_HEX ? ", decimal or 0x hexadecimal" : "");
	if (r == -2 || !in_urange(v, min, max, flags))
		return fail(err, errlen, "%s out of range; expected %s", name_of(noun), range);
	*out = v;
	return 0;
}

int nt_parse_int(const char *s, const char *noun, int64_t min, int64_t max,
		 unsigned flags, int64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	unsigned base = 10;
	int negative = 0, r, bad_range;
	const char *zero = (flags & NT_PARSE_ZERO_OK) && (min > 0 || max < 0) ? "0 or " : "";
	uint64_t mag = 0;
	int64_t v = 0;

	if (*p == '-') {
		negative = 1;
		p++;
	}
	if ((flags & NT_PARSE_HEX) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	r = scan_u64(&p, base, &mag);
	if (r == -1 || *p)
		return fail(err, errlen, "invalid %s; expected %san integer from %lld to %lld%s",
			    name_of(noun), zero, (long long)min, (long long)max,
			    flags & NT_PARSE_HEX ? ", decimal or 0x hexadecimal" : "");
	bad_range = r == -2;
	if (!bad_range && negative) {
		if (mag > (uint64_t)INT64_MAX + 1)
			bad_range = 1;
		else
			v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else if (!bad_range) {
		if (mag > (uint64_t)INT64_MAX)
			bad_range = 1;
		else
			v = (int64_t)mag;
	}
	if (!bad_range && !(v == 0 && (flags & NT_PARSE_ZERO_OK)))
		bad_range = v < min || v > max;
	if (bad_range)
		return fail(err, errlen, "%s out of range; expected %san integer from %lld to %lld",
			    name_of(noun), zero, (long long)min, (long long)max);
	*out = v;
	return 0;
}

int nt_parse_size(const char *s, const char *noun, uint64_t min, uint64_t max,
		  uint64_t *out, char *err, size_t errlen)
{
	return nt_parse_uint(s, noun, min, max, 0, out, err, errlen);
}

/* ------------------------------------------------------------------- words */

int nt_parse_enum(const char *s, const char *noun, const char *const *words,
		  int *index, char *err, size_t errlen)
{
	char list[512];
	size_t used = 0;
	int i;

	for (i = 0; words && words[i]; i++) {
		if (!strcmp(s, words[i])) {
			*index = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; words && words[i] && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 words[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return fail(err, errlen, "unknown %s; expected one of %s", name_of(noun), list);
}

/* ------------------------------------------------- decimals with fractions */

/*
 * Scan "DIGITS[.DIGITS]" exactly: the integer part into *ip (capped flag on
 * overflow), up to 9 fraction digits into *frac with their count in *fdigits
 * (further digits are below a nanosecond of any unit and are dropped).
 */
static int scan_decimal(const char **p, uint64_t *ip, uint64_t *frac, unsigned *fdigits)
{
	const char *s = *p;
	int r;

	*frac = 0;
	*fdigits = 0;
	r = scan_u64(&s, 10, ip);
	if (r == -1)
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (*fdigits < 9) {
				*frac = *frac * 10 + (uint64_t)(*s - '0');
				(*fdigits)++;
			}
		}
	}
	*p = s;
	return r;
}

static const uint64_t pow10_table[10] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull,
};

/* ------------------------------------------------------------------- rates */

static void describe_rate(char *buf, size_t len, enum nt_unit def, unsigned flags)
{
	if (!(flags & NT_PARSE_ONE_UNIT))
		snprintf(buf, len,
			 "a number with optional prefix k, M or G and optional unit pps or bps (bare numbers are %s), such as 1000, 1.5M, 2Mpps or 940Mbps",
			 def == NT_UNIT_BPS ? "bps" : "pps");
	else if (def == NT_UNIT_BPS)
		snprintf(buf, len,
			 "a number with optional prefix k, M or G and optional unit bps, such as 10M, 1.5g or 940Mbps");
	else
		snprintf(buf, len,
			 "a number with optional prefix k, M or G and optional unit pps, such as 1000, 1.5M or 2Mpps");
}

int nt_parse_rate(const char *s, const char *noun, enum nt_unit default_unit,
		  unsigned flags, struct nt_rate *out, char *err, size_t errlen)
{
	enum nt_unit def = default_unit == NT_UNIT_BPS ? NT_UNIT_BPS : NT_UNIT_PPS;
	enum nt_unit unit = def;
	const char *p = s;
	uint64_t ip, frac;
	unsigned fdigits;
	double value, mult = 1;
	char form[256];
	int r;

	describe_rate(form, sizeof(form), def, flags);
	r = scan_decimal(&p, &ip, &frac, &fdigits);
	if (r == -1)
		return fail(err, errlen, "invalid %s; expected %s", name_of(noun), form);
	switch (*p) {
	case 'k': case 'K': mult = 1e3; p++; break;
	case 'm': case 'M': mult = 1e6; p++; break;
	case 'g': case 'G': mult = 1e9; p++; break;
	}
	if (!strcmp(p, "pps"))
		unit = NT_UNIT_PPS;
	else if (!strcmp(p, "bps"))
		unit = NT_UNIT_BPS;
	else if (*p)
		return fail(err, errlen, "invalid %s; expected %s", name_of(noun), form);
	if ((flags & NT_PARSE_ONE_UNIT) && unit != def)
		return fail(err, errlen, "%s in %s is not accepted; expected %s", name_of(noun),
			    unit == NT_UNIT_BPS ? "bps" : "pps", form);
	if (r == -2)
		return fail(err, errlen, "%s too large; expected %s", name_of(noun), form);
	value = ((double)ip + (double)frac / (double)pow10_table[fdigits]) * mult;
	out->value = value;
	out->unit = unit;
	return 0;
}

/* ------------------------------------------------------------------- sizes */

static int scan_size(const char **p, uint32_t min, uint32_t max, uint32_t *out,
		     const char *noun, char *err, size_t errlen, int *syntax_error)
{
	uint64_t v;
	int r = scan_u64(p, 10, &v);

	*syntax_error = r == -1;
	if (r == -1)
		return -1;
	if (r == -2 || v < min || v > max)
		return fail(err, errlen, "%s out of range; expected an integer from %u to %u",
			    name_of(noun), min, max);
	*out = (uint32_t)v;
	return 0;
}

int nt_parse_sizes(const char *s, const char *noun, uint32_t min, uint32_t max,
		   struct nt_size_spec *out, char *err, size_t errlen)
{
	static const struct nt_size_entry imix[] = { { 60, 7 }, { 590, 4 }, { 1514, 1 } };
	struct nt_size_spec spec;
	const char *p = s;
	int syntax;
	unsigned i;

	memset(&spec, 0, sizeof(spec));
	if (!strcmp(s, "imix")) {
		spec.kind = NT_SIZE_MIX;
		for (i = 0; i < sizeof(imix) / sizeof(imix[0]); i++) {
			if (imix[i].size < min || imix[i].size > max)
				return fail(err, errlen,
					    "%s out of range; imix has sizes 60, 590 and 1514, expected sizes from %u to %u",
					    name_of(noun), min, max);
			spec.entry[spec.count++] = imix[i];
		}
		*out = spec;
		return 0;
	}
	if (strchr(s, ':')) {
		spec.kind = NT_SIZE_MIX;
		for (;;) {
			struct nt_size_entry *e;
			uint64_t w;
			int r;

			if (spec.count == NT_SIZES_MAX)
				return fail(err, errlen, "too many sizes in %s mix; at most %d",
					    name_of(noun), NT_SIZES_MAX);
			e = &spec.entry[spec.count++];
			if (scan_size(&p, min, max, &e->size, noun, err, errlen, &syntax)) {
				if (syntax)
					goto syntax_error;
				return -1;
			}
			if (*p++ != ':')
				goto syntax_error;
			r = scan_u64(&p, 10, &w);
			if (r == -1)
				goto syntax_error;
			if (r == -2 || w < 1 || w > NT_WEIGHT_MAX)
				return fail(err, errlen,
					    "%s weight out of range; expected an integer from 1 to %d",
					    name_of(noun), NT_WEIGHT_MAX);
			e->weight = (uint32_t)w;
			if (*p == '\0')
				break;
			if (*p++ != ',')
				goto syntax_error;
		}
		*out = spec;
		return 0;
	}
	spec.kind = NT_SIZE_FIXED;
	spec.count = 1;
	spec.entry[0].weight = 1;
	if (scan_size(&p, min, max, &spec.entry[0].size, noun, err, errlen, &syntax))
		goto scan_failed;
	if (*p == '-') {
		p++;
		spec.kind = NT_SIZE_RANGE;
		spec.count = 2;
		spec.entry[1].weight = 1;
		if (scan_size(&p, min, max, &spec.entry[1].size, noun, err, errlen, &syntax))
			goto scan_failed;
		/* A reversed range is swapped, like the address ranges. */
		if (spec.entry[0].size > spec.entry[1].size) {
			uint32_t t = spec.entry[0].size;

			spec.entry[0].size = spec.entry[1].size;
			spec.entry[1].size = t;
		}
	}
	if (*p)
		goto syntax_error;
	*out = spec;
	return 0;

scan_failed:
	if (!syntax)
		return -1;
syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected SIZE, a range MIN-MAX, a mix SIZE:WEIGHT,... or imix, with sizes from %u to %u",
		    name_of(noun), min, max);
}

/* --------------------------------------------------------------- durations */

static uint64_t unit_ns(enum nt_unit unit)
{
	switch (unit) {
	case NT_UNIT_MS: return 1000000ull;
	case NT_UNIT_US: return 1000ull;
	case NT_UNIT_NS: return 1ull;
	default: return NT_NSEC_PER_SEC;
	}
}

static const char *unit_words(enum nt_unit unit)
{
	switch (unit) {
	case NT_UNIT_MS: return "milliseconds";
	case NT_UNIT_US: return "microseconds";
	case NT_UNIT_NS: return "nanoseconds";
	default: return "seconds";
	}
}

/* A duration in the largest unit that shows it exactly: "10 ms", "3600 s". */
static void format_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns % NT_NSEC_PER_SEC == 0)
		snprintf(buf, len, "%llu s", (unsigned long long)(ns / NT_NSEC_PER_SEC));
	else if (ns && ns % 1000000ull == 0)
		snprintf(buf, len, "%llu ms", (unsigned long long)(ns / 1000000ull));
	else if (ns && ns % 1000ull == 0)
		snprintf(buf, len, "%llu us", (unsigned long long)(ns / 1000ull));
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

int nt_parse_duration(const char *s, const char *noun, enum nt_unit default_unit,
		      uint64_t min_ns, uint64_t max_ns, unsigned flags,
		      uint64_t *out_ns, char *err, size_t errlen)
{
	const char *p = s;
	uint64_t ip, frac, mult, ns;
	unsigned fdigits;
	char lo[32], hi[32];
	int r;

	r = scan_decimal(&p, &ip, &frac, &fdigits);
	if (r == -1)
		goto syntax_error;
	if (*p == '\0')
		mult = unit_ns(default_unit);
	else if (!strcmp(p, "s"))
		mult = NT_NSEC_PER_SEC;
	else if (!strcmp(p, "ms") || !strcmp(p, "m"))
		mult = 1000000ull;
	else if (!strcmp(p, "us") || !strcmp(p, "u"))
		mult = 1000ull;
	else if (!strcmp(p, "ns") || !strcmp(p, "n"))
		mult = 1ull;
	else
		goto syntax_error;
	if (r == -2 || ip > UINT64_MAX / mult)
		goto range_error;
	ns = ip * mult;
	/* frac < 10^9 and mult <= 10^9, so the product fits in 64 bits. */
	frac = (frac * mult + pow10_table[fdigits] / 2) / pow10_table[fdigits];
	if (ns > UINT64_MAX - frac)
		goto range_error;
	ns += frac;
	if (!(ns == 0 && (flags & NT_PARSE_ZERO_OK)) && (ns < min_ns || ns > max_ns))
		goto range_error;
	*out_ns = ns;
	return 0;

syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected a duration such as 2, 1.5s, 500ms or 250us (units s, ms, us, ns; bare numbers are %s)",
		    name_of(noun), unit_words(default_unit));
range_error:
	format_ns(lo, sizeof(lo), min_ns);
	format_ns(hi, sizeof(hi), max_ns);
	if (max_ns == UINT64_MAX && min_ns > 0)
		return fail(err, errlen, "%s out of range; expected %sa duration of at least %s",
			    name_of(noun),
			    (flags & NT_PARSE_ZERO_OK) && min_ns ? "0 or " : "", lo);
	return fail(err, errlen, "%s out of range; expected %sa duration from %s to %s",
		    name_of(noun), (flags & NT_PARSE_ZERO_OK) && min_ns ? "0 or " : "", lo, hi);
}

/* ----------------------------------------------------------------- factors */

int nt_parse_factor(const char *s, const char *noun, double max, double *out,
		    char *err, size_t errlen)
{
	const char *p = s;
	uint64_t ip, frac;
	unsigned fdigits;
	double v;
	int r;

	r = scan_decimal(&p, &ip, &frac, &fdigits);
	if (r == -1 || *p)
		return fail(err, errlen, "invalid %s; expected a number such as 2 or 0.5",
			    name_of(noun));
	v = (double)ip + (double)frac / (double)pow10_table[fdigits];
	if (r == -2 || v <= 0 || v > max)
		return fail(err, errlen, "%s out of range; expected a number greater than 0 "
			    "and at most %g", name_of(noun), max);
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------ models */

/* "RATE, constant,RATE, ... or real,SPEEDUP": every form of the table. */
static void describe_models(char *buf, size_t len, const struct nt_model_def *defs)
{
	size_t n = 0;
	unsigned i, count = 0;

	buf[0] = '\0';
	while (defs[count].keyword)
		count++;
	for (i = 0; i < count && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i == 0 ? "" :
				      i + 1 == count ? " or " : ", ", defs[i].form);
}

static int parse_model_param(const char *text, enum nt_model_param type, enum nt_unit rate_unit,
			     enum nt_unit duration_unit, double *value, enum nt_unit *unit,
			     char *err, size_t errlen)
{
	struct nt_rate rate;
	uint64_t ns;

	switch (type) {
	case NT_MP_RATE:
		if (nt_parse_rate(text, "rate", rate_unit, 0, &rate, err, errlen))
			return -1;
		*value = rate.value;
		*unit = rate.unit;
		return 0;
	case NT_MP_DURATION:
		if (nt_parse_duration(text, "delay", duration_unit, 0, UINT64_MAX, 0, &ns, err,
				      errlen))
			return -1;
		*value = (double)ns;
		return 0;
	case NT_MP_PROBABILITY:
		return nt_parse_probability(text, "probability", value, err, errlen);
	case NT_MP_FACTOR:
		return nt_parse_factor(text, "factor", NT_FACTOR_MAX, value, err, errlen);
	default:
		return fail(err, errlen, "too many parameters");
	}
}

int nt_parse_model(const char *s, const char *noun, const struct nt_model_def *defs,
		   enum nt_unit rate_unit, enum nt_unit duration_unit, struct nt_model *out,
		   char *err, size_t errlen)
{
	char text[ENDPOINT_TEXT_MAX], forms[512];
	char *tok[NT_MODEL_PARAMS + 2], *save = NULL, *t;
	const struct nt_model_def *d = NULL;
	struct nt_model m;
	unsigned ntok = 0, first = 1, i, max;

	describe_models(forms, sizeof(forms), defs);
	if (strlen(s) >= sizeof(text) || !*s)
		return fail(err, errlen, "invalid %s; expected %s", name_of(noun), forms);
	snprintf(text, sizeof(text), "%s", s);
	/* strtok() would merge empty fields: "constant,,1" must fail */
	for (t = text; ntok < NT_MODEL_PARAMS + 2; ntok++) {
		tok[ntok] = t;
		save = strchr(t, ',');
		if (!save) {
			ntok++;
			break;
		}
		*save = '\0';
		t = save + 1;
	}
	if (save)
		return fail(err, errlen, "too many parameters in %s; expected %s",
			    name_of(noun), forms);
	memset(&m, 0, sizeof(m));
	for (i = 0; defs[i].keyword; i++)
		if (!strcmp(tok[0], defs[i].keyword) ||
		    (defs[i].alias && !strcmp(tok[0], defs[i].alias))) {
			d = &defs[i];
			break;
		}
	if (!d) {
		for (i = 0; defs[i].keyword && !defs[i].bare; i++)
			;
		if (!defs[i].keyword || (tok[0][0] != '.' && (tok[0][0] < '0' || tok[0][0] > '9')))
			return fail(err, errlen, "unknown %s; expected %s", name_of(noun), forms);
		d = &defs[i];
		first = 0;	/* the first word is already a parameter */
	}
	m.kind = (int)(d - defs);
	for (max = 0; max < NT_MODEL_PARAMS && d->param[max] != NT_MP_NONE; max++)
		;
	if (ntok - first < d->min_params || ntok - first > max)
		return fail(err, errlen, "wrong number of parameters for %s; expected %s",
			    d->keyword, forms);
	for (i = first; i < ntok; i++) {
		unsigned k = i - first;

		if (parse_model_param(tok[i], d->param[k], rate_unit, duration_unit, &m.value[k],
				      &m.unit[k], err, errlen))
			return -1;
	}
	m.nparams = ntok - first;
	*out = m;
	return 0;
}

/* ----------------------------------------------------------- probabilities */

int nt_parse_probability(const char *s, const char *noun, double *out,
			 char *err, size_t errlen)
{
	static const char form[] = "a probability from 0 to 1, such as 0.01 or 1e-6";
	const char *c;
	char *end;
	double v;

	/* strtod() would also take blanks, signs, hex, "inf" and "nan". */
	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		goto syntax_error;
	for (c = s; *c; c++)
		if (!strchr("0123456789.eE+-", *c))
			goto syntax_error;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s)
		goto syntax_error;
	if (!isfinite(v) || v < 0 || v > 1)
		return fail(err, errlen, "%s out of range; expected %s", name_of(noun), form);
	*out = v;
	return 0;

syntax_error:
	return fail(err, errlen, "invalid %s; expected %s", name_of(noun), form);
}

/* -------------------------------------------------------------------- MACs */

static int scan_mac(const char **p, uint8_t mac[6])
{
	const char *s = *p;
	int i, digits;

	for (i = 0; i < 6; i++) {
		unsigned v = 0;

		if (i > 0 && *s++ != ':')
			return -1;
		for (digits = 0; digits < 2; digits++, s++) {
			if (*s >= '0' && *s <= '9')
				v = v * 16 + (unsigned)(*s - '0');
			else if (*s >= 'a' && *s <= 'f')
				v = v * 16 + (unsigned)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F')
				v = v * 16 + (unsigned)(*s - 'A' + 10);
			else
				break;
		}
		if (digits == 0)
			return -1;
		mac[i] = (uint8_t)v;
	}
	*p = s;
	return 0;
}

int nt_parse_mac(const char *s, const char *noun, unsigned flags,
		 struct nt_mac_range *out, char *err, size_t errlen)
{
	struct nt_mac_range r;
	const char *p = s;

	if (scan_mac(&p, r.start))
		goto syntax_error;
	memcpy(r.end, r.start, 6);
	if (*p == '-' && (flags & NT_PARSE_RANGE)) {
		p++;
		if (scan_mac(&p, r.end))
			goto syntax_error;
	}
	if (*p)
		goto syntax_error;
	if (memcmp(r.start, r.end, 6) > 0) {
		uint8_t t[6];

		memcpy(t, r.start, 6);
		memcpy(r.start, r.end, 6);
		memcpy(r.end, t, 6);
	}
	*out = r;
	return 0;

syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected six hex octets separated by colons, such as 02:00:00:00:00:0a%s",
		    name_of(noun), flags & NT_PARSE_RANGE ? ", or a range MAC-MAC" : "");
}

/* --------------------------------------------------------------- endpoints */

/* A whole string of decimal digits as a port; -1 syntax, -2 out of range. */
static int parse_port(const char *s, uint16_t *port)
{
	const char *p = s;
	uint64_t v;
	int r = scan_u64(&p, 10, &v);

	if (r == -1 || *p)
		return -1;
	if (r == -2 || v > 65535)
		return -2;
	*port = (uint16_t)v;
	return 0;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int port_error(const char *noun, char *err, size_t errlen)
{
	return fail(err, errlen, "%s port out of range; expected an integer from 0 to 65535",
		    name_of(noun));
}

/* "A" or "A:P"; *has_port says whether P was there. */
static int parse_ipv4_side(char *text, uint32_t *addr, uint16_t *port, int *has_port)
{
	char *colon = strchr(text, ':');
	struct in_addr a;
	int r;

	*has_port = 0;
	if (colon) {
		*colon = '\0';
		r = parse_port(colon + 1, port);
		if (r)
			return r;
		*has_port = 1;
	}
	if (inet_pton(AF_INET, text, &a) != 1)
		return -1;
	*addr = ntohl(a.s_addr);
	return 0;
}

/* A port range given high to low means the same range. */
static void order_ports(uint16_t *lo, uint16_t *hi)
{
	if (*lo > *hi) {
		uint16_t t = *lo;

		*lo = *hi;
		*hi = t;
	}
}

int nt_parse_ipv4(const char *s, const char *noun, struct nt_ipv4_range *out,
		  char *err, size_t errlen)
{
	struct nt_ipv4_range r = { 0, 0, NT_DEFAULT_PORT, NT_DEFAULT_PORT };
	char buf[ENDPOINT_TEXT_MAX];
	char *slash, *dash;
	int has_port, rc;

	if (strlen(s) >= sizeof(buf))
		goto syntax_error;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		/* A/LEN[:P[-Q]] */
		char *after, *colon;
		uint64_t len;
		struct in_addr a;
		uint32_t mask;
		const char *lp;

		*slash = '\0';
		if (inet_pton(AF_INET, buf, &a) != 1)
			goto syntax_error;
		after = slash + 1;
		colon = strchr(after, ':');
		if (colon)
			*colon = '\0';
		lp = after;
		rc = scan_u64(&lp, 10, &len);
		if (rc == -1 || *lp)
			goto syntax_error;
		if (rc == -2 || len > 32)
			return fail(err, errlen,
				    "%s prefix length out of range; expected an integer from 0 to 32",
				    name_of(noun));
		mask = len ? ~0u << (32 - len) : 0;
		r.start = ntohl(a.s_addr) & mask;
		r.end = r.start | ~mask;
		if (colon) {
			dash = strchr(colon + 1, '-');
			if (dash)
				*dash = '\0';
			rc = parse_port(colon + 1, &r.port_start);
			if (rc == 0 && dash)
				rc = parse_port(dash + 1, &r.port_end);
			else
				r.port_end = r.port_start;
			if (rc == -1)
				goto syntax_error;
			if (rc == -2)
				return port_error(noun, err, errlen);
		}
	} else {
		/* A, A:P, A[:P]-B[:P], A:P-Q */
		dash = strchr(buf, '-');
		if (dash)
			*dash = '\0';
		rc = parse_ipv4_side(buf, &r.start, &r.port_start, &has_port);
		if (rc == -1)
			goto syntax_error;
		if (rc == -2)
			return port_error(noun, err, errlen);
		/* The start port also sets the end port unless the end gives one. */
		if (has_port)
			r.port_end = r.port_start;
		r.end = r.start;
		if (dash) {
			char *end_text = dash + 1;

			if (all_digits(end_text)) {
				if (!has_port)
					goto syntax_error;
				rc = parse_port(end_text, &r.port_end);
			} else {
				uint16_t port;

				rc = parse_ipv4_side(end_text, &r.end, &port, &has_port);
				if (rc == 0 && has_port)
					r.port_end = port;
			}
			if (rc == -1)
				goto syntax_error;
			if (rc == -2)
				return port_error(noun, err, errlen);
		}
	}
	if (r.start > r.end) {
		uint32_t t = r.start;

		r.start = r.end;
		r.end = t;
	}
	order_ports(&r.port_start, &r.port_end);
	*out = r;
	return 0;

syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected A, A:PORT, A[:PORT]-B[:PORT], A:PORT-PORT or A/LEN[:PORT[-PORT]], such as 10.0.0.1:1234",
		    name_of(noun));
}

/* "ADDR", "[ADDR]" or "[ADDR]:P". */
static int parse_ipv6_side(char *text, uint8_t addr[16], uint16_t *port, int *has_port)
{
	char *addr_text = text;
	int r;

	*has_port = 0;
	if (*text == '[') {
		char *close = strchr(text, ']');

		if (!close)
			return -1;
		*close = '\0';
		addr_text = text + 1;
		if (close[1] == ':') {
			r = parse_port(close + 2, port);
			if (r)
				return r;
			*has_port = 1;
		} else if (close[1] != '\0') {
			return -1;
		}
	}
	if (inet_pton(AF_INET6, addr_text, addr) != 1)
		return -1;
	return 0;
}

int nt_parse_ipv6(const char *s, const char *noun, struct nt_ipv6_range *out,
		  char *err, size_t errlen)
{
	struct nt_ipv6_range r;
	char buf[ENDPOINT_TEXT_MAX];
	const char *at;
	char *dash;
	int has_port, rc;

	memset(&r, 0, sizeof(r));
	r.port_start = r.port_end = NT_DEFAULT_PORT;
	/* netmap's group prefix "G@": accepted and ignored. */
	at = strchr(s, '@');
	if (at) {
		if (at == s || strcspn(s, "[]:") < (size_t)(at - s))
			goto syntax_error;
		s = at + 1;
	}
	if (strlen(s) >= sizeof(buf))
		goto syntax_error;
	strcpy(buf, s);
	/* '-' never occurs in an IPv6 address, so it can only split a range. */
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	rc = parse_ipv6_side(buf, r.start, &r.port_start, &has_port);
	if (rc == -1)
		goto syntax_error;
	if (rc == -2)
		return port_error(noun, err, errlen);
	if (has_port)
		r.port_end = r.port_start;
	memcpy(r.end, r.start, 16);
	if (dash) {
		char *end_text = dash + 1;

		if (all_digits(end_text)) {
			if (!has_port)
				goto syntax_error;
			rc = parse_port(end_text, &r.port_end);
		} else {
			uint16_t port;

			rc = parse_ipv6_side(end_text, r.end, &port, &has_port);
			if (rc == 0 && has_port)
				r.port_end = port;
		}
		if (rc == -1)
			goto syntax_error;
		if (rc == -2)
			return port_error(noun, err, errlen);
	}
	if (memcmp(r.start, r.end, 16) > 0) {
		uint8_t t[16];

		memcpy(t, r.start, 16);
		memcpy(r.start, r.end, 16);
		memcpy(r.end, t, 16);
	}
	order_ports(&r.port_start, &r.port_end);
	*out = r;
	return 0;

syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected ADDR, [ADDR], [ADDR]:PORT or a range [A]:PORT-[B]:PORT, such as [fd00::1]:1234",
		    name_of(noun));
}

/* -------------------------------------------------------------------- CPUs */

int nt_parse_cpus(const char *s, const char *noun, struct nt_cpu_list *out,
		  char *err, size_t errlen)
{
	struct nt_cpu_list list;
	const char *p = s;
	uint64_t lo, hi, c;
	int r;

	list.count = 0;
	for (;;) {
		r = scan_u64(&p, 10, &lo);
		if (r == -1)
			goto syntax_error;
		hi = lo;
		if (r == 0 && *p == '-') {
			p++;
			r = scan_u64(&p, 10, &hi);
			if (r == -1)
				goto syntax_error;
		}
		if (*p != ',' && *p != '\0')
			goto syntax_error;
		if (r == -2 || lo >= NT_CPU_MAX || hi >= NT_CPU_MAX)
			return fail(err, errlen,
				    "%s out of range; expected CPU numbers from 0 to %d",
				    name_of(noun), NT_CPU_MAX - 1);
		if (lo > hi)
			return fail(err, errlen,
				    "invalid %s; the range %llu-%llu runs backwards, expected N-M with N <= M",
				    name_of(noun), (unsigned long long)lo, (unsigned long long)hi);
		for (c = lo; c <= hi; c++) {
			if (list.count == NT_CPU_LIST_MAX)
				return fail(err, errlen, "too many CPUs in %s; at most %d",
					    name_of(noun), NT_CPU_LIST_MAX);
			list.cpu[list.count++] = (uint16_t)c;
		}
		if (*p == '\0') {
			*out = list;
			return 0;
		}
		p++;
	}

syntax_error:
	return fail(err, errlen,
		    "invalid %s; expected CPU numbers and ranges separated by commas, such as 2, 0-3 or 0,2,4-7",
		    name_of(noun));
}

char *nt_cpus_format(char *buf, size_t len, const unsigned char *set, unsigned nset)
{
	size_t used = 0;
	unsigned i, j;
	int n;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < nset; i = j) {
		if (!set[i]) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < nset && set[j]; j++)
			;
		if (used >= len)
			break;
		if (j - 1 == i)
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", i);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", i, j - 1);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (len && buf[0] == '\0')
		snprintf(buf, len, "none");
	return buf;
}

int nt_cpus_check_allowed(const struct nt_cpu_list *list, const unsigned char *allowed,
			  unsigned nallowed, char *err, size_t errlen)
{
	char set[512];
	unsigned i;

	for (i = 0; i < list->count; i++) {
		unsigned c = list->cpu[i];

		if (c < nallowed && allowed[c])
			continue;
		nt_cpus_format(set, sizeof(set), allowed, nallowed);
		return fail(err, errlen,
			    "CPU %u is offline or not allowed for this process; allowed CPUs are %s",
			    c, set);
	}
	return 0;
}

int nt_cpus_check(const struct nt_cpu_list *list, char *err, size_t errlen)
{
	unsigned char allowed[NT_CPU_MAX];
	cpu_set_t mask;
	unsigned c;

	CPU_ZERO(&mask);
	if (sched_getaffinity(0, sizeof(mask), &mask))
		return fail(err, errlen, "cannot read the allowed CPUs: %s", strerror(errno));
	for (c = 0; c < NT_CPU_MAX; c++)
		allowed[c] = c < CPU_SETSIZE && CPU_ISSET(c, &mask);
	return nt_cpus_check_allowed(list, allowed, NT_CPU_MAX, err, errlen);
}

/* ------------------------------------------------------------------ tuples */

int nt_parse_tuple(const char *s, const char *noun, struct nt_tuple *out,
		   char *err, size_t errlen)
{
	static const char form[] =
		"1 to 4 non-negative integers separated by commas, such as 1024 or 1024,1024,2,2";
	struct nt_tuple t = { 0, { 0, 0, 0, 0 } };
	const char *p = s;
	uint64_t v;
	int r;

	for (;;) {
		r = scan_u64(&p, 10, &v);
		if (r == -1 || (*p != ',' && *p != '\0'))
			return fail(err, errlen, "invalid %s; expected %s", name_of(noun), form);
		if (t.count == 4)
			return fail(err, errlen, "%s has more than four numbers; expected %s",
				    name_of(noun), form);
		if (r == -2 || v > UINT32_MAX)
			return fail(err, errlen,
				    "%s number out of range; expected integers from 0 to %u",
				    name_of(noun), UINT32_MAX);
		t.value[t.count++] = (uint32_t)v;
		if (*p == '\0')
			break;
		p++;
	}
	*out = t;
	return 0;
}

unsigned nt_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}
