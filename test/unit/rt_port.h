/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A port of the runtime opened the way an application opens it
 * (NETMAP_REQ_REGISTER of every ring, then mmap), for the unit tests
 * that kill, fork and race processes around ports.
 */
#ifndef NM_TEST_RT_PORT_H
#define NM_TEST_RT_PORT_H

#include <stdio.h>
#include <string.h>

#include <net/netmap_user.h>

#include "backend.h"

struct port {
	int fd;
	struct nmreq_register reg;
	struct netmap_if *nifp;
};

/* Open port name; negative errno on failure (the descriptor stays open). */
static inline int port_open(struct port *p, const char *name)
{
	struct nmreq_header h;
	char *mem;
	int err;

	memset(p, 0, sizeof(*p));
	p->fd = nmb_open();
	if (p->fd < 0)
		return p->fd;
	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)&p->reg;
	p->reg.nr_mode = NR_REG_ALL_NIC;
	err = nmb_ioctl(p->fd, NIOCCTRL, &h);
	if (err)
		return err;
	mem = nmb_mmap(p->fd, p->reg.nr_memsize, &err);
	if (!mem)
		return err;
	p->nifp = NETMAP_IF(mem, p->reg.nr_offset);
	return 0;
}

#endif
