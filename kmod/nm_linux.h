/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to kmod/: what nm_linux.c (module, /dev/netmap, host interface)
 * and nm_netdev.c (persistent VALE ports as network devices) share.
 */
#ifndef NM_LINUX_H
#define NM_LINUX_H

int nmk_netdev_init(void);
void nmk_netdev_fini(void);
int nmk_nic_init(void);
void nmk_nic_fini(void);
/* generic_mit (spec 22, 24): the interval in ns, 0 when disabled. */
uint32_t nmk_generic_mit_ns(void);

#endif /* NM_LINUX_H */
