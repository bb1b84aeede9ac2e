/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net/netmap_virt.h - netmap in virtual machines.
 *
 * netmap installs this header for the paravirtualised passthrough of
 * netmap ports to guests (ptnetmap) and for the shared control blocks
 * (CSB) between an application and the kernel.  Here the CSB structures
 * (struct nm_csb_atok, struct nm_csb_ktoa) and the application side of
 * their protocol are in net/netmap.h and net/netmap_user.h; ptnetmap
 * devices are not implemented (no guest driver, no host backend), so the
 * header only makes sure that programs including it build: it brings in
 * net/netmap.h, as netmap's does.
 */
#ifndef _NET_NETMAP_VIRT_H_
#define _NET_NETMAP_VIRT_H_

#include "netmap.h"

#endif /* _NET_NETMAP_VIRT_H_ */
