/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host interface: everything core/ needs from the system it runs on.
 *
 * core/ is compiled twice, into the kernel module (kmod/) and into the
 * user runtime of libnetmap (lib/rt/).  Each host provides its own
 * "nm_host_types.h" (found through the include path) with the lock and
 * wait-queue types, fixed-width integer types, errno values and the atomic
 * helpers, and implements the functions declared below.  core/ never calls
 * an OS function directly.
 */
#ifndef NM_CORE_HOST_H
#define NM_CORE_HOST_H

#include "nm_host_types.h"

/*
 * Memory.  Control objects (adapters, krings, switches, bindings) come
 * from nmh_zalloc; they must be reachable from every context that runs
 * core code (for the user runtime: the shared arena, at the same address
 * in every process).  Regions are large, page aligned and zeroed.
 */
void *nmh_zalloc(size_t size);
void nmh_free(void *p);
void *nmh_region_alloc(size_t size);
void nmh_region_free(void *p, size_t size);
/*
 * Back [ofs, ofs + len) of region base with memory, before the core hands
 * out objects there.  A host that commits a region's memory when it
 * allocates it (the kernel) returns 0; the user runtime commits pages
 * of its tmpfs here, so that a full file system is an error of the
 * allocation (-ENOMEM) instead of a SIGBUS when the page is first used.
 */
int nmh_region_back(void *base, uint64_t ofs, uint64_t len);

/* Process-local scratch memory for one request (not shared). */
void *nmh_tmp_alloc(size_t size);
void nmh_tmp_free(void *p);

/* Short locks (lease reservation, allocator bitmaps): never sleep inside. */
void nmh_lock_init(struct nmh_lock *l);
void nmh_lock(struct nmh_lock *l);
void nmh_unlock(struct nmh_lock *l);

/*
 * The global control lock: serialises every configuration change
 * (registration, port creation and removal, listing).  Data paths never
 * take it.
 */
void nmh_ctl_lock(void);
void nmh_ctl_unlock(void);

/*
 * Switch forwarding lock.  Senders hold it shared while they forward a
 * batch; adding or removing a port takes it exclusively, so that no
 * sender still holds a pointer to a port being removed.
 */
void nmh_bdg_lock_init(struct nmh_bdg_lock *l);
void nmh_bdg_rlock(struct nmh_bdg_lock *l);
void nmh_bdg_runlock(struct nmh_bdg_lock *l);
void nmh_bdg_wlock(struct nmh_bdg_lock *l);
void nmh_bdg_wunlock(struct nmh_bdg_lock *l);

/*
 * Owners.  A kring being synced and a lease being filled record who does
 * it; a host where the owner can vanish (a process killed in the user
 * runtime) reports it dead so the state can be recovered.  The kernel's
 * owners never vanish in the middle of a sync.
 */
uint32_t nmh_owner_self(void);
int nmh_owner_alive(uint32_t owner);

/* Wake every waiter of kring (its own queue and the port-wide one). */
struct nm_kring;
void nmh_kring_notify(struct nm_kring *kring);

/* Initialise the wait queues of a new kring and of a new port. */
void nmh_kring_wait_init(struct nmh_kring_wait *w);
void nmh_port_wait_init(struct nmh_port_wait *w);

/* Store the time of day into a ring's ts field (6.5). */
struct netmap_ring;
void nmh_ring_timestamp(struct netmap_ring *ring);

/*
 * Copies to and from the memory of the process that issued the request.
 * Return 0 or -EFAULT.
 */
int nmh_copy_from_user(void *dst, const void *usrc, size_t len);
int nmh_copy_to_user(void *udst, const void *src, size_t len);

/*
 * User memory read while holding a lock that control operations wait
 * for (a VALE sender's NS_INDIRECT slots, under the switch lock): such a
 * read must never wait for the page, or a page that never comes (a
 * userfaultfd or FUSE mapping) blocks every port add and remove, and
 * the control lock with them.  nmh_user_prefault brings the pages of
 * [usrc, usrc + len) in beforehand, holding no lock: it may wait as long
 * as they take.  nmh_copy_from_user_nofault fails with -EFAULT instead
 * of waiting for a page that is not there (any more).
 */
int nmh_copy_from_user_nofault(void *dst, const void *usrc, size_t len);
void nmh_user_prefault(const void *usrc, size_t len);

/*
 * System network interfaces (spec 15.3), for hosts that set
 * nm_g->host_has_netdevs (the kernel); core/ calls them only then, with
 * the control lock held.  nmh_netdev_exists says whether name is an
 * interface of the caller's network namespace.  A persistent VALE port
 * gets its network device right after creation and loses it right
 * before it is destroyed.
 */
struct nm_adapter;
int nmh_netdev_exists(const char *name);
/*
 * May the caller create a network device in its network namespace (na
 * NULL), or remove na's?  0, or -EPERM: on Linux that takes CAP_NET_ADMIN
 * in the user namespace owning the device's network namespace.
 */
int nmh_netdev_admin(struct nm_adapter *na);
int nmh_persist_netdev_create(struct nm_adapter *na);
void nmh_persist_netdev_destroy(struct nm_adapter *na);

/*
 * Why the current request fails, beyond its errno ("the ring pool of
 * region 3 is full ..."), for the program that made it: the user runtime
 * hands it over (nm_error_detail() of libnetmap); the kernel has no way
 * to and drops it.
 */
void nmh_error_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Host log (rate limited by the caller where needed). */
void nmh_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* NM_CORE_HOST_H */
