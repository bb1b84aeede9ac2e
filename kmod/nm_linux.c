// SPDX-License-Identifier: BSD-2-Clause
/*
 * netmap.ko: the Linux host of core/.
 *
 *  - the host interface of core/host.h (memory, locks, wake-ups, time,
 *    user copies, log);
 *  - the misc device /dev/netmap: open, release, ioctl, mmap, poll
 *    (spec sections 1, 3.5, 5, 12);
 *  - the module parameters of spec sections 23.2 and 24.
 *
 * Persistent VALE ports as network devices live in nm_netdev.c.
 *
 * Locking: every configuration change runs under one mutex, the control
 * lock, taken by core/ itself (nm_ctrl, nm_legacy) or here (release,
 * parameters).  Data paths (sync ioctls, poll) run without it: a bound
 * descriptor's port, rings and region stay valid until the descriptor is
 * released, which cannot happen while a system call uses the file.  mmap
 * runs under the caller's mmap lock and must not take the control lock
 * (a VALE sender holds the switch lock and may fault on user memory,
 * which takes the mmap lock), so it relies on the same rule.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/poll.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/timekeeping.h>
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/pagemap.h>
#include <net/net_namespace.h>
#include <linux/sched/signal.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/version.h>

#include "nm_core.h"
#include "nm_linux.h"

/* ---------------------------------------------------------------- */
/* Host interface: memory                                           */
/* ---------------------------------------------------------------- */

/* Outstanding allocations, checked at unload: nothing may be left. */
static atomic_long_t nmk_objects = ATOMIC_LONG_INIT(0);
static atomic_long_t nmk_region_bytes = ATOMIC_LONG_INIT(0);
static atomic_long_t nmk_pinned_pages = ATOMIC_LONG_INIT(0);

void *nmh_zalloc(size_t size)
{
	void *p = kvzalloc(size, GFP_KERNEL);

	if (p)
		atomic_long_inc(&nmk_objects);
	return p;
}

void nmh_free(void *p)
{
	if (!p)
		return;
	kvfree(p);
	atomic_long_dec(&nmk_objects);
}

/*
 * Regions are mapped into user space with remap_vmalloc_range, which
 * needs vmalloc_user memory (zeroed, VM_USERMAP).  A size beyond the
 * machine's memory fails at once instead of warning from the allocator.
 */
void *nmh_region_alloc(size_t size)
{
	void *p;

	if ((size >> PAGE_SHIFT) >= totalram_pages())
		return NULL;
	p = vmalloc_user(size);
	if (p)
		atomic_long_add(size, &nmk_region_bytes);
	return p;
}

void nmh_region_free(void *p, size_t size)
{
	if (!p)
		return;
	vfree(p);
	atomic_long_sub(size, &nmk_region_bytes);
}

/* No channel to the program for it: errno alone, as netmap says it. */
void nmh_error_detail(const char *fmt, ...)
{
}

/* vmalloc_user() memory is committed when allocated. */
int nmh_region_back(void *base, uint64_t ofs, uint64_t len)
{
	return 0;
}

/*
 * EXTMEM (23.6): the caller's pages are pinned for as long as the region
 * lives (FOLL_LONGTERM: they do not move, and they survive the caller
 * unmapping them) and mapped contiguously into the kernel with vmap, so
 * every pool object is usable whatever the physical layout.  Anonymous
 * memory, shared memory (tmpfs, memfd) and huge pages can be pinned so;
 * the kernel refuses long-term pins of other file mappings.
 */
int nmh_ext_map(uint64_t uaddr, uint64_t size, struct nmh_ext_mem *h,
		void **base)
{
	unsigned long n = size >> PAGE_SHIFT;
	struct page **pages;
	long got;
	void *va;

	if (n >= totalram_pages())
		return -ENOMEM;
	pages = nmh_zalloc(n * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	got = pin_user_pages_fast((unsigned long)uaddr, (int)n,
				  FOLL_WRITE | FOLL_LONGTERM, pages);
	if (got != (long)n) {
		if (got > 0)
			unpin_user_pages(pages, got);
		nmh_free(pages);
		return got == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!va) {
		unpin_user_pages(pages, n);
		nmh_free(pages);
		return -ENOMEM;
	}
	atomic_long_add(n, &nmk_pinned_pages);
	h->pages = pages;
	h->npages = n;
	*base = va;
	return 0;
}

int nmh_ext_same(const struct nmh_ext_mem *a, const struct nmh_ext_mem *b)
{
	return a->npages == b->npages && a->pages[0] == b->pages[0];
}

/* The last port of the region is gone: the pages go back to the user. */
void nmh_ext_unmap(struct nmh_ext_mem *h, void *base, uint64_t size)
{
	vunmap(base);
	unpin_user_pages_dirty_lock(h->pages, h->npages, true);
	atomic_long_sub(h->npages, &nmk_pinned_pages);
	nmh_free(h->pages);
	h->pages = NULL;
	h->npages = 0;
}

/* The kernel reaches the region from every context. */
int nmh_ext_attach(struct nm_mem *m)
{
	return 0;
}

void *nmh_tmp_alloc(size_t size)
{
	return nmh_zalloc(size);
}

void nmh_tmp_free(void *p)
{
	nmh_free(p);
}

/* ---------------------------------------------------------------- */
/* Host interface: locks and owners                                 */
/* ---------------------------------------------------------------- */

static DEFINE_MUTEX(nmk_ctl_mutex);

void nmh_lock_init(struct nmh_lock *l)
{
	spin_lock_init(&l->s);
}

void nmh_lock(struct nmh_lock *l)
{
	spin_lock(&l->s);
}

void nmh_unlock(struct nmh_lock *l)
{
	spin_unlock(&l->s);
}

void nmh_ctl_lock(void)
{
	mutex_lock(&nmk_ctl_mutex);
}

void nmh_ctl_unlock(void)
{
	mutex_unlock(&nmk_ctl_mutex);
}

void nmh_bdg_lock_init(struct nmh_bdg_lock *l)
{
	init_rwsem(&l->sem);
}

void nmh_bdg_rlock(struct nmh_bdg_lock *l)
{
	down_read(&l->sem);
}

/* Fails while a writer holds or waits for the lock: never sleeps. */
int nmh_bdg_tryrlock(struct nmh_bdg_lock *l)
{
	return down_read_trylock(&l->sem);
}

void nmh_bdg_runlock(struct nmh_bdg_lock *l)
{
	up_read(&l->sem);
}

void nmh_bdg_wlock(struct nmh_bdg_lock *l)
{
	down_write(&l->sem);
}

void nmh_bdg_wunlock(struct nmh_bdg_lock *l)
{
	up_write(&l->sem);
}

/* A kernel owner (the thread in a sync) never vanishes half way. */
uint32_t nmh_owner_self(void)
{
	uint32_t id = (uint32_t)task_pid_nr(current);

	return id ? id : 1;
}

int nmh_owner_alive(uint32_t owner)
{
	return 1;
}

/* ---------------------------------------------------------------- */
/* Host interface: wake-ups, time, user memory, log                 */
/* ---------------------------------------------------------------- */

void nmh_kring_wait_init(struct nmh_kring_wait *w)
{
	init_waitqueue_head(&w->wq);
}

void nmh_port_wait_init(struct nmh_port_wait *w)
{
	init_waitqueue_head(&w->wq[NR_TX]);
	init_waitqueue_head(&w->wq[NR_RX]);
}

/*
 * New slots on kring: wake its own queue and the port-wide queue of its
 * direction (12.1).  The key lets poll and epoll skip waiters that only
 * asked for the other direction.  wq_has_sleeper orders the ring update
 * before the check; nmk_poll scans again after its poll_wait.
 */
void nmh_kring_notify(struct nm_kring *kring)
{
	wait_queue_head_t *port_wq = &kring->na->wait.wq[kring->tx];
	__poll_t key = kring->tx == NR_TX ? EPOLLOUT | EPOLLWRNORM :
					    EPOLLIN | EPOLLRDNORM;

	if (wq_has_sleeper(&kring->wait.wq))
		wake_up_interruptible_poll(&kring->wait.wq, key);
	if (waitqueue_active(port_wq))
		wake_up_interruptible_poll(port_wq, key);
}

void nmh_ring_timestamp(struct netmap_ring *ring)
{
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	ring->ts.tv_sec = ts.tv_sec;
	ring->ts.tv_usec = ts.tv_nsec / NSEC_PER_USEC;
}

/*
 * Always called in the context of the process that issued the request
 * or the sync (VALE forwarding runs in the sender's system call), never
 * under a spinlock, so a fault may sleep.
 */
int nmh_copy_from_user(void *dst, const void *usrc, size_t len)
{
	return copy_from_user(dst, (const void __user *)usrc, len) ? -EFAULT : 0;
}

int nmh_copy_to_user(void *udst, const void *src, size_t len)
{
	return copy_to_user((void __user *)udst, src, len) ? -EFAULT : 0;
}

/*
 * Under the switch lock (NS_INDIRECT payloads): page faults disabled, so
 * a page that is not present fails the copy instead of sleeping with
 * the lock held (core/host.h).  VALE senders prefault the pages first.
 */
int nmh_copy_from_user_nofault(void *dst, const void *usrc, size_t len)
{
	return copy_from_user_nofault(dst, (const void __user *)usrc, len) ?
	       -EFAULT : 0;
}

/* No lock held: this may wait for a userfaultfd or FUSE page (killably). */
void nmh_user_prefault(const void *usrc, size_t len)
{
	fault_in_readable((const char __user *)usrc, len);
}

void nmh_log(const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 20);
	struct va_format vaf;
	va_list ap;

	if (!__ratelimit(&rs))
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	printk(KERN_INFO "%pV", &vaf);
	va_end(ap);
}

/* What a /dev/netmap descriptor holds. */
struct nmk_kloop;

struct nmk_file {
	struct nm_priv priv;
	/*
	 * Set (release), under the control lock, once a registration has
	 * completed (nmk_publish_binding); the data paths read it (acquire)
	 * instead of priv.na, which core/ writes under the control lock
	 * that they do not take.
	 */
	int bound;
	struct nmk_kloop *kloop;	/* the loop running, under nmk_kloop_lock */
	/*
	 * poll's adaptive spin (nmk_poll): the budget, and when a poll
	 * found nothing and let its caller sleep (0: it did not).  Only
	 * pollers of this descriptor touch them; a race between two
	 * threads polling one descriptor costs a badly sized spin, never a
	 * missed event.
	 */
	u32 spin_ns;
	u64 sleep_ns;
};

/* ---------------------------------------------------------------- */
/* The sync loop (spec 25.2)                                        */
/* ---------------------------------------------------------------- */

/*
 * The loop sleeps in its own task: wait entries on the wait queues of the
 * binding's rings and of its ioeventfds wake it (nmk_kloop_wake_fn sets
 * kicked, so a wake-up between the last look for work and the sleep is
 * not lost).  Processing always happens in the loop's task: a VALE or
 * pipe sync may sleep, which the context of an eventfd wake-up cannot,
 * so the direct modes (10.6) are accepted and change nothing here.
 */
struct nmk_kloop_wait {
	wait_queue_entry_t wq;
	wait_queue_head_t *head;
	struct nmk_kloop *kl;
	poll_table pt;
};

struct nmk_kloop {
	struct task_struct *task;
	atomic_t kicked;
	uint32_t n, nwaits;
	struct file **io;		/* ioeventfds, NULL for none */
	struct eventfd_ctx **irq;	/* irqfds, NULL for none */
	struct nmk_kloop_wait *waits;
};

static DEFINE_SPINLOCK(nmk_kloop_lock);
static DECLARE_WAIT_QUEUE_HEAD(nmk_kloop_done);

static int nmk_kloop_wake_fn(wait_queue_entry_t *wq, unsigned int mode,
			     int sync, void *key)
{
	struct nmk_kloop_wait *w = container_of(wq, struct nmk_kloop_wait, wq);

	atomic_set(&w->kl->kicked, 1);
	wake_up_process(w->kl->task);
	return 0;
}

static void nmk_kloop_add_wait(struct nmk_kloop_wait *w, wait_queue_head_t *head)
{
	init_waitqueue_func_entry(&w->wq, nmk_kloop_wake_fn);
	w->head = head;
	add_wait_queue(head, &w->wq);
}

/* poll_table callback: the eventfd's wait queue. */
static void nmk_kloop_ptable(struct file *file, wait_queue_head_t *head,
			     poll_table *pt)
{
	nmk_kloop_add_wait(container_of(pt, struct nmk_kloop_wait, pt), head);
}

static void nmk_kloop_free(struct nmk_kloop *hk)
{
	uint32_t i;

	for (i = 0; i < hk->nwaits; i++)
		if (hk->waits[i].head)
			remove_wait_queue(hk->waits[i].head, &hk->waits[i].wq);
	for (i = 0; i < hk->n; i++) {
		if (hk->io[i])
			fput(hk->io[i]);
		if (hk->irq[i])
			eventfd_ctx_put(hk->irq[i]);
	}
	nmh_free(hk);
}

int nmh_kloop_setup(struct nm_kloop *kl, const int32_t *efds)
{
	struct nmk_file *f = (struct nmk_file *)(uintptr_t)kl->priv->host_id;
	uint32_t n = kl->n, i, w = 0;
	struct nmk_kloop *hk;
	size_t sz = sizeof(*hk) + n * (sizeof(hk->io[0]) + sizeof(hk->irq[0])) +
		    2 * n * sizeof(hk->waits[0]);

	hk = nmh_zalloc(sz);
	if (!hk)
		return -ENOMEM;
	hk->task = current;
	hk->n = n;
	hk->io = (struct file **)(hk + 1);
	hk->irq = (struct eventfd_ctx **)(hk->io + n);
	hk->waits = (struct nmk_kloop_wait *)(hk->irq + n);
	for (i = 0; efds && i < n; i++) {
		if (efds[2 * i] >= 0) {
			struct eventfd_ctx *ctx;

			hk->io[i] = fget(efds[2 * i]);
			if (!hk->io[i])
				goto bad_fd;
			ctx = eventfd_ctx_fileget(hk->io[i]);
			if (IS_ERR(ctx))
				goto not_eventfd;
			eventfd_ctx_put(ctx);
		}
		if (efds[2 * i + 1] >= 0) {
			struct eventfd_ctx *ctx = eventfd_ctx_fdget(efds[2 * i + 1]);

			if (IS_ERR(ctx)) {
				nmk_kloop_free(hk);
				return PTR_ERR(ctx);	/* -EBADF or -EINVAL */
			}
			hk->irq[i] = ctx;
		}
	}
	for (i = 0; i < n; i++) {
		hk->waits[w].kl = hk;
		nmk_kloop_add_wait(&hk->waits[w++], &kl->rings[i]->wait.wq);
		if (hk->io[i]) {
			struct nmk_kloop_wait *e = &hk->waits[w++];

			e->kl = hk;
			init_poll_funcptr(&e->pt, nmk_kloop_ptable);
			if (vfs_poll(hk->io[i], &e->pt) & EPOLLIN)
				atomic_set(&hk->kicked, 1);
		}
		hk->nwaits = w;
	}
	kl->host = hk;
	spin_lock(&nmk_kloop_lock);
	f->kloop = hk;
	spin_unlock(&nmk_kloop_lock);
	return 0;
bad_fd:
	nmk_kloop_free(hk);
	return -EBADF;
not_eventfd:
	nmk_kloop_free(hk);
	return -EINVAL;
}

void nmh_kloop_teardown(struct nm_kloop *kl)
{
	struct nmk_file *f = (struct nmk_file *)(uintptr_t)kl->priv->host_id;

	spin_lock(&nmk_kloop_lock);
	f->kloop = NULL;
	spin_unlock(&nmk_kloop_lock);
	nmk_kloop_free(kl->host);
	kl->host = NULL;
}

/* The kicked flag catches what happens after this: nothing to arm. */
void nmh_kloop_arm(struct nm_kloop *kl)
{
}

int nmh_kloop_wait(struct nm_kloop *kl, uint32_t timeout_us)
{
	struct nmk_kloop *hk = kl->host;
	ktime_t t = ns_to_ktime((u64)timeout_us * NSEC_PER_USEC);

	set_current_state(TASK_INTERRUPTIBLE);
	if (!atomic_xchg(&hk->kicked, 0) &&
	    !(READ_ONCE(kl->priv->kloop_state) & NM_KLOOP_STOPPING) &&
	    !signal_pending(current)) {
		if (timeout_us)
			schedule_hrtimeout_range(&t, 20 * NSEC_PER_USEC,
						 HRTIMER_MODE_REL);
		else
			__set_current_state(TASK_RUNNING);
	}
	__set_current_state(TASK_RUNNING);
	cond_resched();
	/* the caller's thread must see its signals: the loop ends */
	return signal_pending(current) ? -EINTR : 0;
}

void nmh_kloop_irq(struct nm_kloop *kl, uint32_t i)
{
	struct nmk_kloop *hk = kl->host;

	if (!hk->irq[i])
		return;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(hk->irq[i]);
#else
	eventfd_signal(hk->irq[i], 1);
#endif
}

void nmh_kloop_wake(struct nm_priv *priv)
{
	struct nmk_file *f = (struct nmk_file *)(uintptr_t)priv->host_id;

	spin_lock(&nmk_kloop_lock);
	if (f->kloop) {
		atomic_set(&f->kloop->kicked, 1);
		wake_up_process(f->kloop->task);
	}
	spin_unlock(&nmk_kloop_lock);
}

void nmh_kloop_wait_stop(struct nm_priv *priv)
{
	wait_event_killable(nmk_kloop_done,
			    !(READ_ONCE(priv->kloop_state) & NM_KLOOP_RUNNING));
}

void nmh_kloop_exited(struct nm_priv *priv)
{
	wake_up_all(&nmk_kloop_done);
}

/* The CSB is in the memory of the loop's own process. */
int nmh_csb_load(const uint32_t *uaddr, uint32_t *v)
{
	if (get_user(*v, (const uint32_t __user *)uaddr))
		return -EFAULT;
	smp_rmb();
	return 0;
}

int nmh_csb_store(uint32_t *uaddr, uint32_t v)
{
	smp_wmb();
	return put_user(v, (uint32_t __user *)uaddr) ? -EFAULT : 0;
}

/* ---------------------------------------------------------------- */
/* /dev/netmap                                                      */
/* ---------------------------------------------------------------- */


static struct nm_core nmk_core;

static int nmk_open(struct inode *inode, struct file *file)
{
	struct nmk_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->priv.host_id = (uintptr_t)f;
	/* Regions are their creator's: the opener's uid (nm_mem_may_use). */
	f->priv.owner = from_kuid(&init_user_ns, file->f_cred->euid);
	file->private_data = f;
	return 0;
}

/* Last reference gone: the descriptor and all its mappings. */
static int nmk_release(struct inode *inode, struct file *file)
{
	struct nmk_file *f = file->private_data;

	nmh_ctl_lock();
	nm_priv_release(&f->priv);
	nmh_ctl_unlock();
	kfree(f);
	return 0;
}

/*
 * After a request that succeeded: if it left the descriptor registered,
 * let the data paths in.  Read under the control lock: a registration
 * that is undone (an option it did not consume, 10.8) sets priv.na and
 * clears it again within one hold of the lock, so a look without it,
 * from another thread of the process, could see a port that is being
 * released.  Once a registration has completed, priv.na stays until the
 * descriptor is released, so the flag never goes back to 0.
 */
static void nmk_publish_binding(struct nmk_file *f)
{
	nmh_ctl_lock();
	if (f->priv.na)
		smp_store_release(&f->bound, 1);
	nmh_ctl_unlock();
}

static long nmk_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct nmk_file *f = file->private_data;
	void *uarg = (void *)arg;
	long ret;

	switch (cmd) {
	case NIOCCTRL:
		ret = nm_ctrl(&f->priv, uarg);
		break;
	case NIOCREGIF:
	case NIOCGINFO:
	case NIOCCONFIG:
		ret = nm_legacy(&f->priv, cmd, uarg);
		break;
	case NIOCTXSYNC:
	case NIOCRXSYNC:
		if (!smp_load_acquire(&f->bound))
			return -ENXIO;
		return nm_sync(&f->priv, cmd == NIOCTXSYNC ? NR_TX : NR_RX);
	default:
		return -EOPNOTSUPP;
	}
	if (ret == 0 && !READ_ONCE(f->bound))
		nmk_publish_binding(f);
	return ret;
}

/*
 * Map the bound port's region (3.5).  The mapping holds a reference on
 * the file, so the binding lives as long as any mapping does.
 */
static int nmk_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct nmk_file *f = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct nm_mem *m;

	if (!smp_load_acquire(&f->bound))
		return -EINVAL;
	m = f->priv.na->mem;
	/* An EXTMEM region is the application's own memory (23.6). */
	if (m->ext)
		return -EINVAL;
	if (!m->base || vma->vm_pgoff > (m->memsize >> PAGE_SHIFT) ||
	    len > m->memsize - ((u64)vma->vm_pgoff << PAGE_SHIFT))
		return -EINVAL;
	return remap_vmalloc_range(vma, m->base, vma->vm_pgoff);
}

/*
 * Spinning before sleeping (docs/ARCHITECTURE.md, "Sleeping in poll").
 * A poll that finds nothing lets its caller sleep, and a sleep and a
 * wake-up cost the scheduler (and a hypervisor) tens of microseconds,
 * while a peer that is streaming refills a ring in a few.  So a poll
 * whose caller would sleep (poll, select: the first pass, which
 * registers on the wait queues) first spins up to the descriptor's
 * budget, reading the rings only (nm_poll_peek) and scanning again when
 * they moved; it stops at once when the scheduler wants the CPU or a
 * signal is pending.  The budget adapts as the user runtime's does
 * (lib/rt/rt_poll.c): a poll that finds events after its caller slept a
 * short while (at most poll_spin_us) sets it to twice that sleep; a
 * longer sleep sets it to zero, so an idle descriptor never spins.
 * epoll waits without calling ->poll, so only epoll_ctl's first poll of
 * a descriptor may spin.
 */
static unsigned int nmk_poll_spin_us = 50;
module_param_named(poll_spin_us, nmk_poll_spin_us, uint, 0644);
MODULE_PARM_DESC(poll_spin_us,
		 "longest spin of a poll before it sleeps, in microseconds (0: never)");

static __poll_t nmk_poll_spin(struct nmk_file *f, unsigned int events)
{
	u64 max = (u64)READ_ONCE(nmk_poll_spin_us) * NSEC_PER_USEC;
	u64 budget = min_t(u64, READ_ONCE(f->spin_ns), max), t0;
	unsigned int k;

	if (!budget || num_online_cpus() < 2)
		return 0;
	t0 = ktime_get_ns();
	do {
		for (k = 0; k < 8; k++)
			cpu_relax();
		if (nm_poll_peek(&f->priv, events)) {
			__poll_t r = (__force __poll_t)nm_poll_scan(&f->priv,
								    events);

			if (r)
				return r;
		}
		if (need_resched() || signal_pending(current))
			break;
	} while (ktime_get_ns() - t0 < budget);
	return 0;
}

/* A poll after its caller slept: size the next spin from that sleep. */
static void nmk_poll_adapt(struct nmk_file *f, __poll_t revents)
{
	u64 max = (u64)READ_ONCE(nmk_poll_spin_us) * NSEC_PER_USEC;
	u64 slept = ktime_get_ns() - f->sleep_ns, b;

	if (slept > max) {
		WRITE_ONCE(f->spin_ns, 0);
		f->sleep_ns = 0;
		return;
	}
	if (!revents)
		return;
	b = max_t(u64, 2 * slept, 2 * (u64)f->spin_ns);
	WRITE_ONCE(f->spin_ns, (u32)clamp_t(u64, b, NSEC_PER_USEC, max));
	f->sleep_ns = 0;
}

/*
 * poll/select/epoll (12.1): wait on the port-wide queue of a direction
 * where several rings are selected, on the ring's own queue where one
 * is, then let core/ do the processing, and spin a while before the
 * caller sleeps (above).
 */
static __poll_t nmk_poll(struct file *file, poll_table *wait)
{
	struct nmk_file *f = file->private_data;
	struct nm_priv *priv = &f->priv;
	unsigned int events;
	struct nm_adapter *na;
	__poll_t revents;
	enum nm_txrx t;

	if (!smp_load_acquire(&f->bound))
		return EPOLLERR;
	na = priv->na;
	events = (__force unsigned int)poll_requested_events(wait) &
		 (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	if (!events)
		events = POLLIN | POLLOUT;
	/*
	 * Scan and spin before joining the wait queues, and scan once more
	 * after (the usual order, join then look, for a caller that may
	 * sleep): a sync that publishes new slots wakes the ring's
	 * sleepers, and a scan or a spin of this caller while it is on
	 * the queue is such a sleeper for it.  That woke this very thread
	 * (the queue's lock with irqs off, a task wake-up) at every poll
	 * that found frames, and made the kernel's receive path, on the
	 * CPU that took the frame, wake a caller that was spinning.
	 */
	revents = (__force __poll_t)nm_poll_scan(priv, events);
	if (!wait)
		return revents;
	if (wait->_qproc) {
		/* The caller sleeps unless something is ready. */
		if (!revents)
			revents = nmk_poll_spin(f, events);
		NM_FOR_RX_TX(t) {
			uint32_t n = priv->qlast[t] - priv->qfirst[t];

			if (n > 1)
				poll_wait(file, &na->wait.wq[t], wait);
			else if (n == 1)
				poll_wait(file, &na->rings[t][priv->qfirst[t]].wait.wq,
					  wait);
		}
		/*
		 * Joined (poll_wait's lock and the waker's wq_has_sleeper
		 * order the queue against the rings): what a waker published
		 * before it saw this caller on the queue is found here.
		 */
		if (!revents) {
			smp_mb();
			revents = (__force __poll_t)nm_poll_scan(priv, events);
		}
		f->sleep_ns = revents ? 0 : ktime_get_ns();
	} else if (f->sleep_ns) {
		nmk_poll_adapt(f, revents);
	}
	return revents;
}

static const struct file_operations nmk_fops = {
	.owner = THIS_MODULE,
	.open = nmk_open,
	.release = nmk_release,
	.unlocked_ioctl = nmk_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = nmk_mmap,
	.poll = nmk_poll,
};

/* Root only by default; 60-netmap.rules grants the netmap group. */
static struct miscdevice nmk_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "netmap",
	.fops = &nmk_fops,
	.mode = 0600,
};

/* ---------------------------------------------------------------- */
/* Module parameters (23.2, 24)                                     */
/* ---------------------------------------------------------------- */

/*
 * Parameters that core/ reads live in nmk_core.params.  Values given at
 * load time are stored before nmk_init runs nm_core_init (which writes
 * the defaults), so they are remembered in nmk_param_given and put back.
 * Later writes take the control lock; region parameters take effect
 * when the region is next configured without users (23.2).
 */
static int nmk_ready;
static DECLARE_BITMAP(nmk_param_given, 32);

struct nmk_param {
	uint32_t *field;
	unsigned int bit;
	uint32_t max;		/* values above are reduced to it; 0: none */
};

static int nmk_param_set(const char *val, const struct kernel_param *kp)
{
	const struct nmk_param *p = kp->arg;
	uint32_t v;
	int err;

	err = kstrtou32(val, 0, &v);
	if (err)
		return err;
	if (p->max && v > p->max)
		v = p->max;
	if (!nmk_ready) {
		*p->field = v;
		set_bit(p->bit, nmk_param_given);
		return 0;
	}
	nmh_ctl_lock();
	*p->field = v;
	nmh_ctl_unlock();
	return 0;
}

static int nmk_param_get(char *buf, const struct kernel_param *kp)
{
	const struct nmk_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->field));
}

static const struct kernel_param_ops nmk_param_ops = {
	.set = nmk_param_set,
	.get = nmk_param_get,
};

#define NMK_PARAM(name, fld, bitno, maxv, perm, desc)                       \
	static struct nmk_param nmk_param_##name = {                        \
		.field = &nmk_core.params.fld, .bit = bitno, .max = maxv,   \
	};                                                                  \
	module_param_cb(name, &nmk_param_ops, &nmk_param_##name, perm);     \
	MODULE_PARM_DESC(name, desc)

NMK_PARAM(if_size, global[NM_IF_POOL].size, 0, 0, 0644,
	  "netmap_if object size of the global region");
NMK_PARAM(if_num, global[NM_IF_POOL].num, 1, 0, 0644,
	  "netmap_if objects in the global region");
NMK_PARAM(ring_size, global[NM_RING_POOL].size, 2, 0, 0644,
	  "ring object size of the global region");
NMK_PARAM(ring_num, global[NM_RING_POOL].num, 3, 0, 0644,
	  "rings in the global region");
NMK_PARAM(buf_size, global[NM_BUF_POOL].size, 4, 0, 0644,
	  "buffer size of the global region");
NMK_PARAM(buf_num, global[NM_BUF_POOL].num, 5, 0, 0644,
	  "buffers in the global region");
NMK_PARAM(priv_if_size, priv[NM_IF_POOL].size, 6, 0, 0644,
	  "minimum netmap_if object size of private regions");
NMK_PARAM(priv_if_num, priv[NM_IF_POOL].num, 7, 0, 0644,
	  "minimum netmap_if objects of private regions");
NMK_PARAM(priv_ring_size, priv[NM_RING_POOL].size, 8, 0, 0644,
	  "minimum ring object size of private regions");
NMK_PARAM(priv_ring_num, priv[NM_RING_POOL].num, 9, 0, 0644,
	  "minimum rings of private regions");
NMK_PARAM(priv_buf_size, priv[NM_BUF_POOL].size, 10, 0, 0644,
	  "buffer size of private regions");
NMK_PARAM(priv_buf_num, priv[NM_BUF_POOL].num, 11, 0, 0644,
	  "minimum buffers of private regions");
NMK_PARAM(verbose, verbose, 12, 0, 0644, "kernel log verbosity");
NMK_PARAM(no_timestamp, no_timestamp, 13, 0, 0644,
	  "update ring timestamps only on rings with NR_TIMESTAMP");
NMK_PARAM(bridge_batch, bridge_batch, 14, NM_BDG_BATCH_MAX, 0644,
	  "VALE batch size (at most 1024)");
NMK_PARAM(max_bridges, max_bridges, 15, NM_MAX_BRIDGES_LIMIT, 0444,
	  "VALE switches per network namespace (load time only)");
NMK_PARAM(shared_regions, shared_regions, 16, 1, 0644,
	  "1: any opener may bind and map any region; 0 (default): only "
	  "openers with the uid of the region's creator (the global region "
	  "is shared)");
NMK_PARAM(fwd, fwd, 19, 0, 0644,
	  "transparent forwarding on every NIC ring (NS_FORWARD on all slots)");
NMK_PARAM(admode, admode, 20, 0, 0644,
	  "0/2: NICs through the emulated adapter; 1: native only (none here)");
NMK_PARAM(generic_ringsize, generic_ringsize, 21, 16384, 0644,
	  "slots per NIC ring when the device reports no ring size");

/* The current geometry of the global region (read only). */
static int nmk_curr_get(char *buf, const struct kernel_param *kp)
{
	unsigned long which = (unsigned long)kp->arg;
	enum nm_pool_id pool = which >> 1;
	struct nm_mem *m;
	uint32_t v;

	nmh_ctl_lock();
	m = nm_mem_find(1);
	if (which & 1)	/* objects allocated, 0 before the first use */
		v = m && m->base ? m->pools[pool].objtotal : 0;
	else if (m && m->base)
		v = m->pools[pool].objsize;
	else
		v = ALIGN(nmk_core.params.global[pool].size, NM_OBJ_ALIGN);
	nmh_ctl_unlock();
	return sysfs_emit(buf, "%u\n", v);
}

static const struct kernel_param_ops nmk_curr_ops = {
	.get = nmk_curr_get,
};

#define NMK_CURR(name, pool, isnum)                                         \
	module_param_cb(name, &nmk_curr_ops,                                \
			(void *)(unsigned long)((pool) << 1 | (isnum)), 0444); \
	MODULE_PARM_DESC(name, "current global region geometry")

NMK_CURR(if_curr_size, NM_IF_POOL, 0);
NMK_CURR(if_curr_num, NM_IF_POOL, 1);
NMK_CURR(ring_curr_size, NM_RING_POOL, 0);
NMK_CURR(ring_curr_num, NM_RING_POOL, 1);
NMK_CURR(buf_curr_size, NM_BUF_POOL, 0);
NMK_CURR(buf_curr_num, NM_BUF_POOL, 1);

/*
 * Compatibility parameters (24): accepted so that scripts setting them
 * keep working; the features they tune are not built.
 */
static int nmk_debug;
static int nmk_no_pendintr = 1;
static int nmk_txsync_retry = 2;
static int nmk_generic_rings = 1;
static int nmk_generic_txqdisc = 1;
static int nmk_generic_hwcsum;
static int nmk_ptnet_vnet_hdr = 1;
static int nmk_default_pipes;

#define NMK_COMPAT(name, desc)                                              \
	module_param_named(name, nmk_##name, int, 0644);                    \
	MODULE_PARM_DESC(name, desc " (compatibility, no effect)")

NMK_COMPAT(debug, "debug flags");
NMK_COMPAT(no_pendintr, "emulated adapter always imports on rx sync");
NMK_COMPAT(txsync_retry, "VALE retries on a NIC destination");
NMK_COMPAT(generic_rings, "emulated adapter rings");
NMK_COMPAT(generic_txqdisc, "emulated adapter tx completion method");
NMK_COMPAT(generic_hwcsum, "emulated adapter checksum offload");
NMK_COMPAT(ptnet_vnet_hdr, "paravirtual device option");
NMK_COMPAT(default_pipes, "ignored");

/*
 * generic_mit (24): the emulated adapter's receive notifications come at
 * most once per this many ns (kmod/nm_linux_nic.c); below 32768 every
 * frame notifies.
 */
static int nmk_generic_mit = 100000;
module_param_named(generic_mit, nmk_generic_mit, int, 0644);
MODULE_PARM_DESC(generic_mit,
		 "emulated adapter rx notification interval (ns, < 32768: none)");

uint32_t nmk_generic_mit_ns(void)
{
	int mit = READ_ONCE(nmk_generic_mit);

	return mit < 32768 ? 0 : (uint32_t)mit;
}

/* Put back the parameters given at load time over the defaults. */
static void nmk_params_restore(const struct nm_params *given)
{
	static const struct nmk_param *const all[] = {
		&nmk_param_if_size, &nmk_param_if_num, &nmk_param_ring_size,
		&nmk_param_ring_num, &nmk_param_buf_size, &nmk_param_buf_num,
		&nmk_param_priv_if_size, &nmk_param_priv_if_num,
		&nmk_param_priv_ring_size, &nmk_param_priv_ring_num,
		&nmk_param_priv_buf_size, &nmk_param_priv_buf_num,
		&nmk_param_verbose, &nmk_param_no_timestamp,
		&nmk_param_bridge_batch, &nmk_param_max_bridges,
		&nmk_param_shared_regions,
		&nmk_param_fwd, &nmk_param_admode, &nmk_param_generic_ringsize,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		size_t ofs = (char *)all[i]->field - (char *)&nmk_core.params;

		if (test_bit(all[i]->bit, nmk_param_given))
			*all[i]->field = *(const uint32_t *)((const char *)given + ofs);
	}
	if (!nmk_core.params.max_bridges)
		nmk_core.params.max_bridges = 1;
}

/* ---------------------------------------------------------------- */
/* Module                                                           */
/* ---------------------------------------------------------------- */

/*
 * A network namespace goes away: its switches' NICs are detached and its
 * persistent ports destroyed, before the stack looks for devices left
 * in it (our exit runs before the core's, registered at boot).
 */
static void nmk_net_exit(struct net *net)
{
	nmh_ctl_lock();
	nm_vale_netns_gone(net->net_cookie);
	nmh_ctl_unlock();
}

static struct pernet_operations nmk_net_ops = {
	.exit = nmk_net_exit,
};

static int __init nmk_init(void)
{
	struct nm_params given = nmk_core.params;
	int err;

	nm_core_init(&nmk_core);
	nmk_params_restore(&given);
	nmk_core.host_has_netdevs = 1;
	nmk_core.host_has_nics = 1;
	nmk_core.host_nic_host_rings = 1;
	nm_g = &nmk_core;
	nmk_ready = 1;

	err = nmk_netdev_init();
	if (err)
		return err;
	err = nmk_nic_init();
	if (err)
		goto err_netdev;
	err = register_pernet_device(&nmk_net_ops);
	if (err)
		goto err_nic;
	err = misc_register(&nmk_misc);
	if (err)
		goto err_pernet;
	pr_info("netmap: API %d, /dev/netmap ready\n", NETMAP_API);
	return 0;

err_pernet:
	unregister_pernet_device(&nmk_net_ops);
err_nic:
	nmk_nic_fini();
err_netdev:
	nmk_netdev_fini();
	return err;
}

/*
 * Open descriptors and persistent ports hold module references, so when
 * we get here nothing is bound: only the global region remains.
 */
static void __exit nmk_exit(void)
{
	long objs, bytes;

	misc_deregister(&nmk_misc);
	unregister_pernet_device(&nmk_net_ops);
	nmk_nic_fini();
	nmk_netdev_fini();
	nmh_ctl_lock();
	nm_core_fini();
	nmh_ctl_unlock();
	objs = atomic_long_read(&nmk_objects);
	bytes = atomic_long_read(&nmk_region_bytes);
	if (objs || bytes || atomic_long_read(&nmk_pinned_pages))
		pr_err("netmap: leaked %ld objects, %ld region bytes and %ld pinned pages\n",
		       objs, bytes, atomic_long_read(&nmk_pinned_pages));
	else
		pr_info("netmap: unloaded, nothing leaked\n");
}

module_init(nmk_init);
module_exit(nmk_exit);

MODULE_DESCRIPTION("netmap: fast packet I/O, VALE switches and pipes");
MODULE_LICENSE("Dual BSD/GPL");
