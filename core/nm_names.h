/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port-name rules of spec 14.1 that user space needs too: libnetmap
 * explains with them why a registration failed, on either backend.
 * Pure functions, no host call; included by nm_core.h (after the host's
 * types) and by libnetmap (after <stddef.h> and <stdint.h>).
 */
#ifndef NM_CORE_NAMES_H
#define NM_CORE_NAMES_H

/*
 * Split a VALE kernel name ("vale0:a"; any name starting with "val" is
 * one, 14.1) into the length of the switch part and the port part.
 * Returns 0, or -EINVAL when the syntax is not that of a VALE name; then
 * why (when not NULL) says what is wrong in a phrase such as "the port
 * name 'abcdefghijklmnop' has 16 characters; at most 15 are allowed".
 * An empty port part is valid syntax here; callers refuse it.
 */
int nm_vale_name_parse(const char *name, uint32_t *swlen, const char **port,
		       char *why, size_t whylen);

#endif /* NM_CORE_NAMES_H */
