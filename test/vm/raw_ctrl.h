/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NIOCCTRL on a /dev/netmap descriptor with raw system calls, for the
 * guest's test programs (kmod_trust, ioctl_fuzz).
 */
#ifndef TEST_VM_RAW_CTRL_H
#define TEST_VM_RAW_CTRL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <net/netmap.h>

/* One request with a body and an option list; 0 or the errno. */
static inline int raw_ctrl_opts(int fd, uint16_t type, const char *name,
				void *body, void *opts)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = type;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)body;
	h.nr_options = (uintptr_t)opts;
	return ioctl(fd, NIOCCTRL, &h) ? errno : 0;
}

static inline int raw_ctrl(int fd, uint16_t type, const char *name,
			   void *body)
{
	return raw_ctrl_opts(fd, type, name, body, NULL);
}

#endif /* TEST_VM_RAW_CTRL_H */
