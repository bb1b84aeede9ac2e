// SPDX-License-Identifier: BSD-2-Clause
/*
 * Port-name rules shared by the core and libnetmap (see nm_names.h).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#endif
#include "nm_names.h"

/* A VALE switch name or a port name has at most 15 characters (14.1). */
#define NM_VALE_PART_MAX 15

static int nm_names_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

int nm_vale_name_parse(const char *name, uint32_t *swlen, const char **port,
		       char *why, size_t whylen)
{
	const char *colon = strchr(name, ':');
	size_t i, n;

	if (!colon) {
		if (why)
			snprintf(why, whylen, "a VALE name (starting with "
				 "'val') needs ':' after the switch name");
		return -EINVAL;
	}
	n = (size_t)(colon - name);
	if (n > NM_VALE_PART_MAX) {
		if (why)
			snprintf(why, whylen, "the switch name '%.*s' has %zu "
				 "characters; at most %d are allowed", (int)n,
				 name, n, NM_VALE_PART_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!nm_names_ident(name[i])) {
			if (why)
				snprintf(why, whylen, "the switch name '%.*s' "
					 "has a character other than letters, "
					 "digits and '_'", (int)n, name);
			return -EINVAL;
		}
	}
	n = strlen(colon + 1);
	if (n > NM_VALE_PART_MAX) {
		if (why)
			snprintf(why, whylen, "the port name '%s' has %zu "
				 "characters; at most %d are allowed",
				 colon + 1, n, NM_VALE_PART_MAX);
		return -EINVAL;
	}
	*swlen = (uint32_t)(colon - name);
	*port = colon + 1;
	return 0;
}
