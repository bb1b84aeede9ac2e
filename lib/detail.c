// SPDX-License-Identifier: BSD-2-Clause
/*
 * The detail of the last failure of each thread (backend.h,
 * nm_error_detail() in libnetmap.h), apart from the backends so that
 * the unit tests of libnetmap, which replace the backends with a fake,
 * keep it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "backend.h"
#include "libnetmap.h"

static __thread char nmb_detail[256];

void nmb_vset_detail(const char *fmt, va_list ap)
{
	vsnprintf(nmb_detail, sizeof(nmb_detail), fmt, ap);
}

void nmb_set_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nmb_vset_detail(fmt, ap);
	va_end(ap);
}

void nmb_clear_detail(void)
{
	nmb_detail[0] = '\0';
}

const char *nm_error_detail(void)
{
	return nmb_detail;
}
