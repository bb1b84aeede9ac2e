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
/*
 * Take the lock shared without waiting, while holding other switches'
 * locks shared (up to NM_BDG_MAX_HOPS of them, the relays of wrapped
 * persistent ports): 1 taken (released with nmh_bdg_runlock), 0 when a
 * writer holds or waits for it.  Never waiting is what keeps two
 * switches relaying to each other from deadlocking.
 */
int nmh_bdg_tryrlock(struct nmh_bdg_lock *l);
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

/*
 * NIC ports (spec 21, 22): the device I/O of core's NIC adapter
 * (nm_nic.c), for hosts that set nm_g->host_has_nics.  The host opens a
 * system interface, tells its geometry, diverts its traffic while the
 * adapter is in netmap mode, transmits frames and reports their
 * completion, and hands over received frames; everything netmap means by
 * those rings (ring selection, host rings, NS_FORWARD, VALE attach) is
 * core's.  A host without NICs (the user runtime until it has one) sets
 * host_has_nics to 0 and core/ calls none of these.
 *
 * Device queues: TX queue q is hardware TX kring q; RX queue q is
 * hardware RX kring q.  The host stack has its own queues: frames the
 * stack transmits through the device ("host RX", h < num_host_rx) and
 * frames handed to the stack as if the device had received them.
 */
struct nmh_nic;

struct nm_nic_geom {
	uint32_t txq, rxq;		/* device queues in use (>= 1) */
	uint32_t tx_slots, rx_slots;	/* device ring sizes, 0: unknown */
	uint32_t mtu;
};

/* One free receive slot to fill: where, how much fits; out: what came. */
struct nm_nic_rxbuf {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;			/* out */
	uint32_t more;			/* out: the frame continues (NS_MOREFRAG) */
};

/*
 * Control lock held; the host may take its own locks (RTNL) inside.
 *  - nmh_nic_find: the NIC adapter core opened on interface name of the
 *    caller's namespace and has not closed yet, or NULL.
 *  - nmh_nic_open: open interface name for na (-ENXIO: no such
 *    interface), fill its geometry; nmh_nic_find finds na from now on.
 *  - nmh_nic_close: forget na; completions still in flight are absorbed
 *    by the host.  After it returns the host never calls core about na.
 *  - nmh_nic_intercept: on: the device's received frames of the queues
 *    core wants (nm_nic_rx_wanted) and the host stack's transmissions
 *    through TX queues in netmap mode go to core's queues instead of
 *    the stack and the device; -EBUSY when the device cannot be hooked
 *    (it already has a receive handler).  off: back to normal; queued
 *    frames are dropped.  Idempotent.
 */
struct nm_adapter *nmh_nic_find(const char *name);
int nmh_nic_open(const char *name, struct nm_adapter *na,
		 struct nm_nic_geom *geom, struct nmh_nic **out);
void nmh_nic_close(struct nmh_nic *nic);
int nmh_nic_intercept(struct nmh_nic *nic, int on);
/*
 *  - nmh_nic_bind: a binding takes (on) or leaves (off) the hardware
 *    rings [first[t], last[t]) of the device (host rings excluded; the
 *    device is intercepting).  Called by the binding's own process, or,
 *    for off, by whichever process releases the binding of a process
 *    that died.  A host whose device I/O belongs to a process (the user
 *    runtime: a socket per queue and process) opens and closes it here,
 *    and may refuse a queue another process serves (-EBUSY, with
 *    nmh_error_detail); the kernel does nothing.
 *  - nmh_nic_port_flags: NR_PORT_* flags (PORT_INFO_GET) saying how the
 *    host serves the device, beyond NR_PORT_EMULATED.
 */
int nmh_nic_bind(struct nmh_nic *nic, const uint32_t first[2],
		 const uint32_t last[2], int on);
/*
 *  - nmh_nic_stopped: a sync found the device down: a host that learns
 *    of link changes only when it looks (the user runtime) looks now,
 *    and calls nm_nic_state() if it changed.  The kernel is told by its
 *    notifier and does nothing.  Data path, kring owned.
 */
void nmh_nic_stopped(struct nmh_nic *nic);
uint16_t nmh_nic_port_flags(struct nmh_nic *nic);

/*
 * Data path: called by the owner of the kring concerned (nm_kring_try_busy
 * or a kernel-owned port's single worker), in a context that may sleep,
 * never under a host spinlock.
 *  - nmh_nic_xmit: transmit a frame (copied) on TX queue q.  0: queued,
 *    its completion will be counted; -EBUSY: the device queue is full,
 *    try again after a completion (nothing was queued); another errno:
 *    the frame was dropped (device gone, no memory, too long).
 *  - nmh_nic_tx_done: frames of TX queue q the device freed since the
 *    last call.
 *  - nmh_nic_rx_pull: move up to n received frames of RX queue q (host:
 *    0 for a device queue, 1 for host stack queue q) into bufs; a frame
 *    larger than one buffer takes several, all but the last with more
 *    set.  Returns the buffers filled (a frame is never cut short: one
 *    that does not fit in what is left waits for the next call).
 *  - nmh_nic_host_send: hand a frame to the host stack as if the device
 *    had received it (0, or an errno when dropped).
 */
int nmh_nic_xmit(struct nmh_nic *nic, uint32_t q, const void *buf,
		 uint32_t len);
/*
 *  - nmh_nic_xmit_flush: the frames queued by nmh_nic_xmit on TX queue q
 *    since the last flush leave now.  A host that hands every frame to
 *    the device at once does nothing; one that batches them (the user
 *    runtime writes an AF_XDP or TPACKET ring, then makes one system
 *    call; the module gives the driver up to 32 skbs with xmit_more)
 *    sends them here.  Called after the frames of one TX sync (or of a
 *    switch's delivery to an attached NIC), and by every TX sync while
 *    frames are in flight: frames a busy device refused stay queued and
 *    leave at a later flush.
 */
void nmh_nic_xmit_flush(struct nmh_nic *nic, uint32_t q);
uint32_t nmh_nic_tx_done(struct nmh_nic *nic, uint32_t q);
uint32_t nmh_nic_rx_pull(struct nmh_nic *nic, uint32_t q, int host,
			 struct nm_nic_rxbuf *bufs, uint32_t n);
/*
 *  - nmh_nic_rx_hold: on: the RX sync of a user's ring is about to fill
 *    slots from the frames queued for RX queue q (host: host stack
 *    queue q) with nmh_nic_rx_pull.  Returns 0 when nothing is queued
 *    (the sync then only publishes), else 1, and from then until the
 *    call with on = 0 the host copies no frame of that queue into the
 *    ring itself (a host whose receive path fills rings directly,
 *    nm_nic_rx_slots, queues meanwhile).  A host that never fills rings
 *    itself returns 1.
 */
int nmh_nic_rx_hold(struct nmh_nic *nic, uint32_t q, int host, int on);
int nmh_nic_host_send(struct nmh_nic *nic, const void *buf, uint32_t len);

/*
 * Kernel-owned NICs (attached to a switch): frames arriving and
 * completions are forwarded by core in a context that may sleep;
 * nmh_nic_kick asks the host to call nm_nic_work(na) there soon (from
 * any context, coalesced).  Polling threads (15.9): nmh_nic_poll_start
 * runs nm_nic_poll(na, i) repeatedly on CPU cpu until
 * nmh_nic_poll_stop, which waits for the threads to end.
 */
void nmh_nic_kick(struct nmh_nic *nic);
int nmh_nic_poll_start(struct nmh_nic *nic, uint32_t nthreads,
		       const uint32_t *cpus);
void nmh_nic_poll_stop(struct nmh_nic *nic);
uint32_t nmh_online_cpus(void);

/*
 * Network namespaces: switches and persistent ports belong to the
 * namespace of the context that created them (an identity never reused;
 * 0 on hosts without namespaces).
 */
uint64_t nmh_netns_self(void);

/*
 * User memory as a region (EXTMEM, spec 23.6).  nmh_ext_map takes hold
 * of size bytes of the caller's memory at uaddr (page aligned), so that
 * they stay in place until nmh_ext_unmap, and returns in *base where the
 * core reaches them from every context.  Returns 0, -EFAULT when the
 * range is not (entirely) mapped, or another -errno for memory the host
 * cannot use.  nmh_ext_same says whether two holds are on the same
 * memory (a second registration with the same area reuses its region).
 * nmh_ext_attach is called before a context that did not take the hold
 * touches region m (a VALE sender in another process): 0, or -errno
 * when the memory cannot be reached from here.
 */
struct nm_mem;
int nmh_ext_map(uint64_t uaddr, uint64_t size, struct nmh_ext_mem *h,
		void **base);
int nmh_ext_same(const struct nmh_ext_mem *a, const struct nmh_ext_mem *b);
void nmh_ext_unmap(struct nmh_ext_mem *h, void *base, uint64_t size);
int nmh_ext_attach(struct nm_mem *m);

/*
 * The sync loop (25.2) runs in the thread that issued SYNC_KLOOP_START.
 * nmh_kloop_setup resolves its eventfds (efds: ioeventfd, irqfd pairs,
 * one per bound ring, negative for none; NULL without the option) into
 * kl->host: -EBADF or -EINVAL for a descriptor that is not an eventfd.
 * nmh_kloop_arm is called before the loop looks for work a last time,
 * then nmh_kloop_wait sleeps until an ioeventfd kick, a wake-up of one
 * of the binding's rings, nmh_kloop_wake, or timeout_us; it returns
 * -EINTR when the thread must return (a signal), else 0.  nmh_kloop_irq
 * signals irqfd i.  nmh_kloop_wait_stop (STOP, without the control
 * lock) returns once nmh_kloop_exited has been called for priv.
 * nmh_csb_load/nmh_csb_store read and write 32-bit words of the CSB, in
 * the loop's own process, with acquire and release order: 0 or -EFAULT.
 */
struct nm_kloop;
struct nm_priv;
int nmh_kloop_setup(struct nm_kloop *kl, const int32_t *efds);
void nmh_kloop_teardown(struct nm_kloop *kl);
void nmh_kloop_arm(struct nm_kloop *kl);
int nmh_kloop_wait(struct nm_kloop *kl, uint32_t timeout_us);
void nmh_kloop_irq(struct nm_kloop *kl, uint32_t i);
void nmh_kloop_wake(struct nm_priv *priv);
void nmh_kloop_wait_stop(struct nm_priv *priv);
void nmh_kloop_exited(struct nm_priv *priv);
int nmh_csb_load(const uint32_t *uaddr, uint32_t *v);
int nmh_csb_store(uint32_t *uaddr, uint32_t v);

/* Host log (rate limited by the caller where needed). */
void nmh_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* NM_CORE_HOST_H */
