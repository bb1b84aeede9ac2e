/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host types of the Linux kernel module, included by core/host.h.
 *
 * Lock choices (see core/host.h for what each lock protects):
 *  - nmh_lock is a spinlock: it only guards short critical sections
 *    (VALE lease reservation, pool bitmaps) that never touch user memory
 *    and never sleep.
 *  - nmh_bdg_lock is a rw_semaphore: a VALE sender holds it shared while
 *    it copies a batch, and the copy of an NS_INDIRECT slot reads user
 *    memory, which may fault and sleep.
 *  - The control lock (nmh_ctl_lock) is a mutex inside nm_linux.c.
 */
#ifndef NM_HOST_TYPES_KERNEL_H
#define NM_HOST_TYPES_KERNEL_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/if.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/wait.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <asm/barrier.h>

struct nmh_lock {
	spinlock_t s;
};

struct nmh_bdg_lock {
	struct rw_semaphore sem;
};

/* A ring's own wait queue: pollers that selected exactly this ring. */
struct nmh_kring_wait {
	wait_queue_head_t wq;
};

/* Port-wide queues, one per direction, for multi-ring bindings (12.1). */
struct nmh_port_wait {
	wait_queue_head_t wq[2];
};

/* An EXTMEM region: the caller's pages, pinned, and mapped by vmap. */
struct page;
struct nmh_ext_mem {
	struct page **pages;
	unsigned long npages;
};

#define NM_READ_ONCE(x) READ_ONCE(x)
#define NM_WRITE_ONCE(x, v) WRITE_ONCE(x, v)
#define nm_load_acquire(p) smp_load_acquire(p)
#define nm_store_release(p, v) smp_store_release(p, v)
#define nm_mb() smp_mb()

/* Returns 1 when *p was old and is now new_value (acquire semantics). */
static inline int nm_cas32(uint32_t *p, uint32_t old, uint32_t new_value)
{
	return cmpxchg(p, old, new_value) == old;
}

#endif /* NM_HOST_TYPES_KERNEL_H */
