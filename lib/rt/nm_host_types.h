/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host types of the user runtime, included by core/host.h.
 *
 * Core objects live in a shared arena mapped at the same address in every
 * process, so these types must work between processes: process-shared
 * robust mutexes (a holder killed with SIGKILL does not block the others)
 * and plain atomics.  No member may hold a process-local pointer.
 */
#ifndef NM_HOST_TYPES_USER_H
#define NM_HOST_TYPES_USER_H

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

struct nmh_lock {
	pthread_mutex_t m;
};

/*
 * Switch forwarding lock: readers mark a per-thread slot of the arena
 * instead of touching a shared counter, so that senders on different
 * cores do not bounce a cache line, and a reader killed in the middle is
 * recognised as dead by the writer.
 */
struct nmh_bdg_lock {
	uint32_t writer;
	uint32_t pad;
};

/*
 * Bindings sleeping in poll on this ring: bit i = na->bindings[i].
 * notifier_cpu: the CPU (plus one; 0: none yet) of the last publication
 * on this ring (nmh_kring_notify), for a spinning poller to tell whether
 * its peer shares its CPU (rt_poll_peer_here).
 */
struct nmh_kring_wait {
	uint64_t sleepers;
	uint32_t notifier_cpu;
	uint32_t pad;
};

struct nmh_port_wait {
	uint32_t unused;
};

/*
 * An EXTMEM region: the file behind the caller's shared mapping, which
 * every process maps at the region's place in the arena (runtime.c).
 */
struct nmh_ext_mem {
	char path[256];
	uint64_t dev, ino;
	uint64_t off, size;	/* where the area starts in the file, its size */
	uint32_t slot;		/* its place in the arena's table */
	uint32_t gen;		/* changes with every region in that place */
};

#define NM_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define NM_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define nm_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define nm_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define nm_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static inline int nm_cas32(uint32_t *p, uint32_t old, uint32_t new_value)
{
	return __atomic_compare_exchange_n(p, &old, new_value, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

#endif /* NM_HOST_TYPES_USER_H */
