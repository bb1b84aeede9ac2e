// SPDX-License-Identifier: BSD-2-Clause
/*
 * The user runtime: the host interface of core/ implemented with shared
 * memory between the processes of one user (see runtime.h).
 *
 *  - The arena: <dir>/arena, mapped with MAP_SHARED | MAP_FIXED_NOREPLACE
 *    | MAP_NORESERVE at RT_ARENA_BASE in every process, grown with
 *    ftruncate, freed memory returned with FALLOC_FL_PUNCH_HOLE.
 *  - Locks: process-shared robust mutexes; a holder killed with SIGKILL
 *    hands the lock to the next one (EOWNERDEAD).
 *  - The switch forwarding lock: a writer flag plus one slot per thread in
 *    the arena saying which switch the thread is forwarding through.
 *  - Owners (kring busy flags, VALE leases, switch writers, forwarding
 *    slots) are ids handed out once per arena; a process holds a record
 *    lock on one byte of the arena file for its id, which the kernel
 *    drops when it dies (rt_owner_*).
 *  - Bindings: a table in the arena; each entry has the owner's pid and a
 *    datagram socket <dir>/s<N> that wake-ups are sent to.  Entries whose
 *    owner died are released by the next process that opens a descriptor.
 *  - A process killed inside a control operation (control lock held)
 *    leaves core objects half updated; the next locker gets EOWNERDEAD
 *    and has the core rebuild them before going on (rt_recover).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/file.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "nm_core.h"
#include "backend.h"
#include "runtime.h"
#include "nic.h"
#include "../interpose.h"

#define RT_ARENA_BASE ((uintptr_t)0x6e0000000000ULL)
#define RT_ARENA_RESERVE (64ULL << 30)
/* The top of the reservation holds EXTMEM regions (files mapped over it). */
#define RT_EXT_AREA (32ULL << 30)
#define RT_EXT_SLOTS 64
#define RT_ARENA_MAGIC 0x6e6d72746172656eULL	/* "nmrtaren" */
#define RT_ARENA_VERSION 5
#define RT_GROW_STEP (16ULL << 20)
#define RT_MAX_THREADS 1024
#define RT_MAX_BINDINGS 1024
#define RT_HOLDERS 8		/* processes sharing one binding (fork) */
#define RT_MAX_OWNERS 2048
#define RT_MAX_EXTENTS 4096
#define RT_SMALL_CLASSES 7	/* 64 .. 4096 bytes */
#define RT_PAGE 4096ULL

struct rt_extent {
	uint64_t start, len;	/* arena offsets, page multiples */
};

struct rt_small_free {
	struct rt_small_free *next;
};

/* Header in front of every nmh_zalloc object. */
struct rt_obj_hdr {
	uint32_t magic;
	uint32_t cls;		/* small class, or RT_SMALL_CLASSES for pages */
	uint64_t pages;		/* page allocations: length in bytes */
};
#define RT_OBJ_MAGIC 0x6f626a21u

/*
 * Switches a thread forwards through at once: its own sync's, then the
 * ones the relays of wrapped persistent ports enter (nmh_bdg_tryrlock).
 */
#define RT_BDG_NEST (NM_BDG_MAX_HOPS + 1)

struct rt_thread_slot {
	uint32_t owner;		/* the thread's process; 0 = free */
	uint32_t tid;		/* for a debugger */
	/* Switches being forwarded through, innermost last; NULL after. */
	struct nmh_bdg_lock *active[RT_BDG_NEST];
	uint32_t nactive;
};

/* An entry of the owner table: see rt_owner_claim(). */
struct rt_owner {
	uint32_t id;		/* the owner id of the process holding it */
	uint32_t pid;		/* in the claimer's pid namespace, for a debugger */
};

/*
 * A process holding descriptors of a binding.  A descriptor inherited
 * across fork is the same open file in both processes, as on the kernel
 * module: the binding lives until the last holder closes it or dies.
 * fd names one of the holder's descriptors of the binding, so that a
 * holder that exec'd another program (the close-on-exec socket is gone,
 * the process is not) no longer counts.
 */
struct rt_holder {
	uint32_t pid;		/* 0 = free */
	int32_t fd;		/* -1: not known yet */
	uint64_t start;		/* the holder's start time, 0 if unknown */
	/* Reserved by a fork in progress: pid is still the parent's. */
	uint32_t pending;
	uint32_t pad;
};

struct rt_binding {
	uint32_t pid;		/* process that opened it; 0 = free entry */
	uint32_t gen;
	struct nm_priv *priv;
	uint64_t start;		/* opener's start time, 0 if unknown */
	uint32_t dying;		/* being released: its priv may be half done */
	/*
	 * Wake-ups (rt_poll_arm): every wake-up bumps wake_seq, a futex
	 * word; a peer calls FUTEX_WAKE only while futex_waiters says a
	 * thread waits on it, and sends a byte to the socket only when
	 * sock_armed asks for one (a one-shot, taken by the waker).
	 */
	uint32_t wake_seq;
	uint32_t futex_waiters;
	uint32_t sock_armed;
	uint64_t sock_ino;	/* inode of the binding's socket, 0 = not yet */
	uint64_t wake_ns;	/* CLOCK_MONOTONIC of the last wake-up */
	/*
	 * When the thread that sent that wake-up had last returned from a
	 * sleep of its own (rt_poll_note_resumed; 0: never slept): the
	 * sleeper's wait then included the waker's wake-up latency.
	 */
	uint64_t waker_resumed_ns;
	struct rt_holder holders[RT_HOLDERS];
};

/*
 * Free page extents, double buffered: a change is written into the spare
 * table and published by flipping ext_cur with one store, so a process
 * killed in the middle of it (alloc_lock passes on with EOWNERDEAD)
 * leaves the published table whole, never with a range listed twice.
 */
struct rt_extents {
	uint32_t n;
	uint32_t pad;
	struct rt_extent e[RT_MAX_EXTENTS];	/* sorted */
};

struct rt_arena {
	uint64_t magic;
	uint32_t version;
	uint32_t ready;
	uint64_t layout;	/* rt_layout() of the build that made it */
	uint64_t base, reserve;
	uint64_t size;		/* file size */
	uint64_t brk;		/* first never-allocated offset */
	pthread_mutex_t alloc_lock;
	pthread_mutex_t ctl_lock;
	/* Holder of ctl_lock, (pid, start time); pid 0 = none recorded. */
	uint32_t ctl_owner;
	uint64_t ctl_owner_start;
	uint32_t owner_gen;	/* the last owner id handed out */
	uint32_t ext_cur;
	struct rt_extents ext[2];
	struct rt_small_free *small[RT_SMALL_CLASSES];
	struct nm_core core;
	struct rt_nic_shared nics;	/* NIC ports (nic.c) */
	struct rt_thread_slot threads[RT_MAX_THREADS];
	struct rt_binding bindings[RT_MAX_BINDINGS];
	struct rt_owner owners[RT_MAX_OWNERS];
	/* Places of EXTMEM regions in the top RT_EXT_AREA bytes. */
	struct rt_ext_place {
		uint64_t start, len;	/* arena offsets */
		uint32_t used, gen;
	} ext_places[RT_EXT_SLOTS];
	uint32_t ext_gen;
};

/* Process-local state. */
static struct {
	pthread_mutex_t lock;
	struct rt_arena *arena;
	int arena_fd;
	char dir[96];
	int wake_sock;
	pid_t pid;
	uint64_t start;		/* this process's start time, 0 = not read */
	/* NETMAP_RUNTIME_KILL_STEP (rt_step), read once per process. */
	int kill_read, in_ctl;
	uint32_t kill_step, steps;
	uint32_t owner;		/* this process's owner id, 0 = none yet */
	/* NETMAP_RUNTIME_KILL_AT (rt_kill_at): where, and at which call. */
	int kill_at, kill_sig;
	uint32_t kill_at_n, kill_at_calls;
} rt = { .lock = PTHREAD_MUTEX_INITIALIZER, .arena_fd = -1,
	 .wake_sock = -1, .kill_at = -1 /* RT_KILL_UNREAD */ };

/*
 * fd -> binding index + 1, read without a lock on every sync: entries are
 * written only by open and close of that same descriptor.
 */
#define RT_MAX_FD 65536
static uint16_t rt_fd_binding[RT_MAX_FD];

/*
 * Per binding, this process's descriptors of it and its slot in the
 * binding's holders (RT_HOLDERS: none); rt_fork_slot is the slot a fork
 * in progress reserved for the child.  Changed under rt.lock.
 */
static uint16_t rt_local_fds[RT_MAX_BINDINGS];
static uint8_t rt_local_slot[RT_MAX_BINDINGS];
static uint8_t rt_fork_slot[RT_MAX_BINDINGS];
static int rt_fd_high;		/* highest runtime descriptor ever seen */
static int rt_fd_other(uint32_t idx, int not_fd);

/* Runtime descriptors open in this process: 0 lets wrappers pass through. */
int rt_fd_count;

static __thread int rt_my_slot = -1;
static pthread_key_t rt_slot_key;
static pthread_once_t rt_key_once = PTHREAD_ONCE_INIT;

/* ---------------------------------------------------------------- */
/* Robust mutexes                                                   */
/* ---------------------------------------------------------------- */

static void rt_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static void rt_mutex_lock(pthread_mutex_t *m)
{
	int r = pthread_mutex_lock(m);

	/* The previous holder died: the state it protected is ours now. */
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

static void rt_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

/* ---------------------------------------------------------------- */
/* Owners                                                           */
/* ---------------------------------------------------------------- */

static pid_t rt_pid(void)
{
	if (!rt.pid)
		rt.pid = getpid();
	return rt.pid;
}

/* Is there a process with this pid (bindings' holders, see below)? */
static int rt_pid_alive(uint32_t pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * Owner ids.  Whatever records who holds something in the arena (a ring
 * being synced, a lease, a switch's writer flag, a thread's forwarding
 * slot) stores an owner id, and a holder found dead is replaced.  A pid does not do: pids are reused, and a
 * dead sender's pid handed to an unrelated process kept the dead owner
 * "alive" (every control operation then hung in the switch write lock);
 * and a pid names another process in another pid namespace.
 *
 * An owner id is handed out once per arena (owner_gen counts them) to a
 * process together with an entry of the owner table, and the process
 * holds a POSIX record lock on byte RT_OWNER_LOCKS + entry of the arena
 * file while it lives: the kernel drops it when the process dies, and
 * fork does not pass it on.  Claiming an entry is taking its lock; an
 * owner is alive while an entry holds its id and that entry's lock is
 * held.  (A claimer holds the lock an instant before it writes its id,
 * when the entry's old id still reads as alive: a waiter waits that
 * instant longer.)  An attached process must never open and close the
 * arena file again: closing any descriptor of a file drops the
 * process's record locks on it.
 */
#define RT_OWNER_LOCKS ((off_t)RT_ARENA_RESERVE)
/* No entry was free (more than RT_MAX_OWNERS processes): never dead. */
#define RT_OWNER_UNKNOWN 0xffffffffu

static int rt_owner_lock(int cmd, uint32_t idx, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = RT_OWNER_LOCKS + (off_t)idx;
	fl->l_len = 1;
	return fcntl(rt.arena_fd, cmd, fl);
}

/*
 * Serialises the claim between threads.  Not rt.lock: a claim can happen
 * under it (a fork holds it while it recovers from a dead process).
 */
static pthread_mutex_t rt_owner_mutex = PTHREAD_MUTEX_INITIALIZER;

/* This process's owner id, claimed on first use. */
static uint32_t rt_owner_claim(void)
{
	struct rt_arena *a = rt.arena;
	struct flock fl;
	uint32_t i, id = 0;

	pthread_mutex_lock(&rt_owner_mutex);
	for (i = 0; !rt.owner && i < RT_MAX_OWNERS; i++) {
		if (rt_owner_lock(F_SETLK, i, &fl))
			continue;	/* a live process holds it */
		do
			id = __atomic_add_fetch(&a->owner_gen, 1,
						__ATOMIC_RELAXED);
		while (id == 0 || id == RT_OWNER_UNKNOWN);
		a->owners[i].pid = (uint32_t)rt_pid();
		nm_store_release(&a->owners[i].id, id);
		__atomic_store_n(&rt.owner, id, __ATOMIC_RELEASE);
	}
	id = rt.owner ? rt.owner : RT_OWNER_UNKNOWN;
	pthread_mutex_unlock(&rt_owner_mutex);
	return id;
}

uint32_t nmh_owner_self(void)
{
	uint32_t id = __atomic_load_n(&rt.owner, __ATOMIC_ACQUIRE);

	return id ? id : rt_owner_claim();
}

/* Is the process that was given owner id `owner` still there? */
int nmh_owner_alive(uint32_t owner)
{
	struct rt_arena *a = rt.arena;
	struct flock fl;
	uint32_t i;

	if (owner == __atomic_load_n(&rt.owner, __ATOMIC_ACQUIRE) ||
	    owner == RT_OWNER_UNKNOWN)
		return 1;
	for (i = 0; i < RT_MAX_OWNERS; i++) {
		if (NM_READ_ONCE(a->owners[i].id) != owner)
			continue;
		if (rt_owner_lock(F_GETLK, i, &fl))
			return 1;	/* cannot tell: never take over */
		return fl.l_type != F_UNLCK;
	}
	return 0;	/* its entry went to another process since */
}

uint32_t rt_owner_pid(uint32_t owner)
{
	uint32_t i;

	for (i = 0; i < RT_MAX_OWNERS; i++)
		if (NM_READ_ONCE(rt.arena->owners[i].id) == owner)
			return NM_READ_ONCE(rt.arena->owners[i].pid);
	return 0;
}

struct rt_nic_shared *rt_nic_list(void)
{
	return &rt.arena->nics;
}


/*
 * Start time of a process (field 22 of /proc/<pid>/stat, clock ticks
 * since boot), 0 if unknown.  Bindings record it next to the pid: pids
 * are reused (pid_max is often 32768), and a binding whose owner died
 * must not pass for the new process's.
 */
static uint64_t rt_proc_start(pid_t pid)
{
	char path[48], buf[512], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name, in parentheses, may contain anything. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++) {
		p = strchr(p + 1, ' ');
	}
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static uint64_t rt_self_start(void)
{
	if (!rt.start)
		rt.start = rt_proc_start(rt_pid());
	return rt.start;
}

/* Is process pid, started at start (0: unknown), still there? */
static int rt_process_alive(uint32_t pid, uint64_t start)
{
	uint64_t now;

	if (!rt_pid_alive(pid))
		return 0;
	if (!start)
		return 1;
	now = rt_proc_start((pid_t)pid);
	/* Without a /proc of our own we cannot tell: trust kill(). */
	if (!now)
		return !rt_self_start();
	return now == start;
}

/*
 * Does holder h still hold binding b?  Its process must be alive and,
 * when known, its descriptor must still be b's socket: a holder that
 * exec'd another program lost it (runtime sockets are close-on-exec).
 */
static int rt_holder_alive(const struct rt_binding *b,
			   const struct rt_holder *h)
{
	char path[64], link[64], want[40];
	uint32_t pid = NM_READ_ONCE(h->pid);
	ssize_t n;

	if (!pid)
		return 0;
	if (pid == (uint32_t)rt_pid())
		return 1;
	if (NM_READ_ONCE(h->pending) == 2)
		return 1;	/* being handed to a fork child */
	if (!rt_process_alive(pid, h->start))
		return 0;
	if (h->pending || h->fd < 0 || !b->sock_ino)
		return 1;
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, (int)h->fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno != ENOENT;	/* EACCES and the like: trust it */
	link[n] = '\0';
	snprintf(want, sizeof(want), "socket:[%llu]",
		 (unsigned long long)b->sock_ino);
	return !strcmp(link, want);
}

/*
 * Is binding b held by a process other than (skip_pid, skip_start)?
 * skip_pid 0 skips nobody.
 */
static int rt_binding_held_except(const struct rt_binding *b,
				  uint32_t skip_pid, uint64_t skip_start)
{
	int i;

	for (i = 0; i < RT_HOLDERS; i++) {
		const struct rt_holder *h = &b->holders[i];

		if (skip_pid && h->pid == skip_pid && h->start == skip_start)
			continue;
		if (rt_holder_alive(b, h))
			return 1;
	}
	return 0;
}

/* Is some process still holding binding b? */
static int rt_binding_alive(const struct rt_binding *b)
{
	return rt_binding_held_except(b, 0, 0);
}

/*
 * For tests (test_runtime_kill): with NETMAP_RUNTIME_KILL_STEP=n the
 * process kills itself with SIGKILL at the n-th step of its control
 * operations, a step being an allocation, a free, a switch write lock
 * or unlock, or the end of an operation, made with the control lock
 * held.  A test can then check a death at every such point in turn,
 * not only where random kills happen to land.
 */
static void rt_step(void)
{
	if (rt.kill_step && rt.in_ctl && ++rt.steps == rt.kill_step)
		raise(SIGKILL);
}

/*
 * For tests (test_runtime_pidreuse): NETMAP_RUNTIME_KILL_AT=where:n kills
 * the process at the n-th time it passes one point of the data path,
 * holding what a death there leaves behind:
 *   forward    a forwarding slot marked, the TX ring busy
 *   copy       an NS_INDIRECT copy made forwarding: also a lease on
 *              the receive ring when it copies a frame (the first copy
 *              of a frame reads its addresses, before any lease)
 *   timestamp  an RX ring busy, in the middle of its sync
 *   wlock      a switch's writer flag set (adding or removing a port)
 * With NETMAP_RUNTIME_KILL_SIG=STOP the process stops there instead
 * (SIGSTOP), holding the same things until a SIGCONT: a sender
 * preempted in the middle of its work.
 */
enum rt_kill_point { RT_KILL_UNREAD = -1, RT_KILL_NONE, RT_KILL_FORWARD,
		     RT_KILL_COPY, RT_KILL_TIMESTAMP, RT_KILL_WLOCK };

/* Read once per process, at its first pass (a forked child may setenv). */
static void rt_kill_at_read(void)
{
	static const char *const names[] = { "", "forward", "copy",
					     "timestamp", "wlock" };
	const char *e = getenv("NETMAP_RUNTIME_KILL_AT"), *colon;
	int i;

	rt.kill_at = RT_KILL_NONE;
	rt.kill_at_calls = 0;
	if (!e || !(colon = strchr(e, ':')))
		return;
	for (i = 1; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if ((size_t)(colon - e) == strlen(names[i]) &&
		    !strncmp(e, names[i], (size_t)(colon - e)))
			rt.kill_at = i;
	rt.kill_at_n = (uint32_t)strtoul(colon + 1, NULL, 10);
	e = getenv("NETMAP_RUNTIME_KILL_SIG");
	rt.kill_sig = e && !strcmp(e, "STOP") ? SIGSTOP : SIGKILL;
}

static noinline void rt_kill_at_slow(enum rt_kill_point where)
{
	if (rt.kill_at == RT_KILL_UNREAD)
		rt_kill_at_read();
	if (rt.kill_at == (int)where && ++rt.kill_at_calls == rt.kill_at_n)
		raise(rt.kill_sig);
}

static inline void rt_kill_at(enum rt_kill_point where)
{
	if (rt.kill_at != RT_KILL_NONE)
		rt_kill_at_slow(where);
}

/* ---------------------------------------------------------------- */
/* Arena allocator                                                  */
/* ---------------------------------------------------------------- */

static void *rt_ptr(uint64_t ofs)
{
	return (char *)rt.arena + ofs;
}

static uint64_t rt_ofs(const void *p)
{
	return (uint64_t)((const char *)p - (const char *)rt.arena);
}

/*
 * Say why len bytes of memory could not be had: the file system of the
 * runtime directory (a tmpfs, often small in a container: 64 MiB) is
 * full, and which variable moves the runtime elsewhere.
 */
static void rt_nospace_detail(uint64_t len, int err)
{
	struct statvfs sv;

	if (err != ENOSPC || fstatvfs(rt.arena_fd, &sv)) {
		nmb_set_detail("cannot allocate %llu KiB in %s/arena: %s",
			       (unsigned long long)(len >> 10), rt.dir,
			       strerror(err));
		return;
	}
	nmb_set_detail("%s is full: %llu MiB free of %llu MiB, %llu KiB "
		       "needed; set NETMAP_RUNTIME_DIR to a directory on a "
		       "larger file system", rt.dir,
		       (unsigned long long)(sv.f_bavail * sv.f_frsize >> 20),
		       (unsigned long long)(sv.f_blocks * sv.f_frsize >> 20),
		       (unsigned long long)((len + 1023) >> 10));
}

/*
 * Back [ofs, ofs + len) of the arena file with memory now.  The file is
 * sparse (grown with ftruncate, freed memory punched out), and a page
 * of a full tmpfs that is first touched through the mapping kills the
 * process with SIGBUS: every allocation is backed before it is used.
 */
static int rt_back(uint64_t ofs, uint64_t len)
{
	if (!fallocate(rt.arena_fd, 0, (off_t)ofs, (off_t)len))
		return 0;
	rt_nospace_detail(len, errno);
	return -ENOMEM;
}

/* Grow the file so that [0, end) is in it.  Called with alloc_lock. */
static int rt_grow(uint64_t end)
{
	struct rt_arena *a = rt.arena;
	uint64_t size;

	if (end <= a->size)
		return 0;
	if (end > a->reserve - RT_EXT_AREA) {
		nmb_set_detail("the user runtime's arena is full (%llu GiB)",
			       (unsigned long long)((a->reserve - RT_EXT_AREA) >> 30));
		return -ENOMEM;
	}
	size = (end + RT_GROW_STEP - 1) / RT_GROW_STEP * RT_GROW_STEP;
	if (size > a->reserve - RT_EXT_AREA)
		size = a->reserve - RT_EXT_AREA;
	if (ftruncate(rt.arena_fd, (off_t)size))
		return -errno;
	a->size = size;
	return 0;
}

/* The spare extent table, a copy of the published one.  alloc_lock held. */
static struct rt_extents *rt_ext_spare(struct rt_arena *a)
{
	const struct rt_extents *cur = &a->ext[a->ext_cur];
	struct rt_extents *nx = &a->ext[!a->ext_cur];

	nx->n = cur->n;
	memcpy(nx->e, cur->e, cur->n * sizeof(cur->e[0]));
	return nx;
}

static void rt_ext_publish(struct rt_arena *a)
{
	nm_store_release(&a->ext_cur, !a->ext_cur);
}

/* Pages are zero: fresh file pages, or punched holes. */
static void rt_pages_free(void *p, uint64_t len);

/* Allocate len bytes of pages, backed with memory when back is set. */
static void *rt_pages_alloc(uint64_t len, int back)
{
	struct rt_arena *a = rt.arena;
	const struct rt_extents *cur;
	uint64_t ofs = 0;
	uint32_t i;

	len = (len + RT_PAGE - 1) & ~(RT_PAGE - 1);
	rt_mutex_lock(&a->alloc_lock);
	cur = &a->ext[a->ext_cur];
	for (i = 0; i < cur->n; i++) {
		if (cur->e[i].len >= len) {
			struct rt_extents *nx = rt_ext_spare(a);
			struct rt_extent *e = &nx->e[i];

			ofs = e->start;
			e->start += len;
			e->len -= len;
			if (!e->len) {
				memmove(e, e + 1, (nx->n - i - 1) * sizeof(*e));
				nx->n--;
			}
			rt_ext_publish(a);
			break;
		}
	}
	if (!ofs) {
		if (rt_grow(a->brk + len)) {
			rt_mutex_unlock(&a->alloc_lock);
			return NULL;
		}
		ofs = a->brk;
		a->brk += len;
	}
	rt_mutex_unlock(&a->alloc_lock);
	if (back && rt_back(ofs, len)) {
		rt_pages_free(rt_ptr(ofs), len);
		return NULL;
	}
	return rt_ptr(ofs);
}

static void rt_pages_free(void *p, uint64_t len)
{
	struct rt_arena *a = rt.arena;
	uint64_t start = rt_ofs(p);
	struct rt_extents *nx;
	struct rt_extent *e;
	uint32_t i;

	len = (len + RT_PAGE - 1) & ~(RT_PAGE - 1);
	/* Give the memory back to the system; the range reads as zero. */
	fallocate(rt.arena_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)start, (off_t)len);
	rt_mutex_lock(&a->alloc_lock);
	nx = rt_ext_spare(a);
	e = nx->e;
	for (i = 0; i < nx->n && e[i].start < start; i++)
		;
	if (i > 0 && e[i - 1].start + e[i - 1].len == start) {
		e[i - 1].len += len;
		if (i < nx->n && start + len == e[i].start) {
			e[i - 1].len += e[i].len;
			memmove(&e[i], &e[i + 1],
				(nx->n - i - 1) * sizeof(e[0]));
			nx->n--;
		}
	} else if (i < nx->n && start + len == e[i].start) {
		e[i].start = start;
		e[i].len += len;
	} else if (nx->n < RT_MAX_EXTENTS) {
		memmove(&e[i + 1], &e[i], (nx->n - i) * sizeof(e[0]));
		e[i].start = start;
		e[i].len = len;
		nx->n++;
	} else {
		/* The table is full: the range is lost until cleanup. */
		rt_mutex_unlock(&a->alloc_lock);
		return;
	}
	rt_ext_publish(a);
	rt_mutex_unlock(&a->alloc_lock);
}

static uint32_t rt_small_class(size_t size)
{
	uint32_t cls = 0;
	size_t c = 64;

	while (c < size && cls < RT_SMALL_CLASSES) {
		c <<= 1;
		cls++;
	}
	return cls;
}

void *nmh_zalloc(size_t size)
{
	struct rt_arena *a = rt.arena;
	size_t total = size + sizeof(struct rt_obj_hdr);
	uint32_t cls = rt_small_class(total);
	struct rt_obj_hdr *h;

	rt_step();
	if (cls < RT_SMALL_CLASSES) {
		size_t csize = (size_t)64 << cls;

		rt_mutex_lock(&a->alloc_lock);
		h = (struct rt_obj_hdr *)a->small[cls];
		if (h)
			a->small[cls] = a->small[cls]->next;
		rt_mutex_unlock(&a->alloc_lock);
		if (!h) {
			/* Carve a page run into objects of this class. */
			char *run = rt_pages_alloc(csize > RT_PAGE ? csize : RT_PAGE, 1);
			size_t k, n = (csize > RT_PAGE ? csize : RT_PAGE) / csize;

			if (!run)
				return NULL;
			rt_mutex_lock(&a->alloc_lock);
			for (k = 1; k < n; k++) {
				struct rt_small_free *f =
					(void *)(run + k * csize);

				f->next = a->small[cls];
				a->small[cls] = f;
			}
			rt_mutex_unlock(&a->alloc_lock);
			h = (struct rt_obj_hdr *)run;
		}
		memset(h, 0, csize);
	} else {
		h = rt_pages_alloc(total, 1);
		if (!h)
			return NULL;
		h->pages = total;
	}
	h->magic = RT_OBJ_MAGIC;
	h->cls = cls;
	return h + 1;
}

void nmh_free(void *p)
{
	struct rt_obj_hdr *h;

	rt_step();
	if (!p)
		return;
	h = (struct rt_obj_hdr *)p - 1;
	if (h->magic != RT_OBJ_MAGIC)
		return;	/* never free what we did not hand out */
	h->magic = 0;
	if (h->cls < RT_SMALL_CLASSES) {
		/* f overlays h: f->next overwrites the header, cls included */
		uint32_t cls = h->cls;
		struct rt_small_free *f = (void *)h;

		rt_mutex_lock(&rt.arena->alloc_lock);
		f->next = rt.arena->small[cls];
		rt.arena->small[cls] = f;
		rt_mutex_unlock(&rt.arena->alloc_lock);
	} else {
		rt_pages_free(h, h->pages);
	}
}

/*
 * Regions are large (41 MiB for a default VALE port) and mostly unused:
 * the core backs the objects it hands out (nmh_region_back).
 */
void *nmh_region_alloc(size_t size)
{
	rt_step();
	return rt_pages_alloc(size, 0);
}

int nmh_region_back(void *base, uint64_t ofs, uint64_t len)
{
	return rt_back(rt_ofs(base) + ofs, len);
}

void nmh_region_free(void *p, size_t size)
{
	rt_step();
	rt_pages_free(p, size);
}

void *nmh_tmp_alloc(size_t size)
{
	return calloc(1, size);
}

void nmh_tmp_free(void *p)
{
	free(p);
}

/* ---------------------------------------------------------------- */
/* Locks                                                            */
/* ---------------------------------------------------------------- */

void nmh_lock_init(struct nmh_lock *l)
{
	rt_mutex_init(&l->m);
}

void nmh_lock(struct nmh_lock *l)
{
	rt_mutex_lock(&l->m);
}

void nmh_unlock(struct nmh_lock *l)
{
	rt_mutex_unlock(&l->m);
}

static void rt_recover(void);
static void rt_ext_attach_all(void);

/*
 * The control lock records its holder.  A holder killed inside a control
 * operation hands the next locker EOWNERDEAD and a core half updated
 * (a port attached to a switch but not yet recorded by the binding, a
 * binding half released...): that locker repairs it before anything
 * else runs (rt_recover), and knows from ctl_owner whose bindings may
 * be the half-done ones.
 */
void nmh_ctl_lock(void)
{
	struct rt_arena *a = rt.arena;
	int r;

	if (!rt.kill_read) {
		const char *e = getenv("NETMAP_RUNTIME_KILL_STEP");

		rt.kill_step = e ? (uint32_t)strtoul(e, NULL, 10) : 0;
		rt.kill_read = 1;
	}
	r = pthread_mutex_lock(&a->ctl_lock);
	rt.in_ctl = 1;
	rt_ext_attach_all();
	if (r == EOWNERDEAD) {
		rt_recover();
		pthread_mutex_consistent(&a->ctl_lock);
	}
	a->ctl_owner_start = rt_self_start();
	nm_store_release(&a->ctl_owner, (uint32_t)rt_pid());
}

void nmh_ctl_unlock(void)
{
	rt_step();
	rt.in_ctl = 0;
	nm_store_release(&rt.arena->ctl_owner, 0);
	rt_mutex_unlock(&rt.arena->ctl_lock);
}

static void rt_slot_release(void *arg)
{
	int slot = (int)(intptr_t)arg - 1;

	if (slot >= 0 && rt.arena) {
		struct rt_thread_slot *s = &rt.arena->threads[slot];

		memset(s->active, 0, sizeof(s->active));
		s->nactive = 0;
		nm_store_release(&s->owner, 0);
	}
}

static void rt_make_key(void)
{
	pthread_key_create(&rt_slot_key, rt_slot_release);
}

/* This thread's slot in the reader table, claimed on first use. */
static struct rt_thread_slot *rt_thread_slot(void)
{
	struct rt_arena *a = rt.arena;
	uint32_t self = nmh_owner_self(), tid = (uint32_t)gettid();
	int pass, i;

	if (rt_my_slot >= 0)
		return &a->threads[rt_my_slot];
	pthread_once(&rt_key_once, rt_make_key);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < RT_MAX_THREADS; i++) {
			struct rt_thread_slot *s = &a->threads[i];
			uint32_t owner = NM_READ_ONCE(s->owner);

			/*
			 * Second pass: take over slots of dead processes (a
			 * thread that ends gives its slot back itself).
			 */
			if (owner && (pass == 0 || nmh_owner_alive(owner)))
				continue;
			if (!nm_cas32(&s->owner, owner, self))
				continue;
			s->tid = tid;
			memset(s->active, 0, sizeof(s->active));
			s->nactive = 0;
			rt_my_slot = i;
			pthread_setspecific(rt_slot_key, (void *)(intptr_t)(i + 1));
			return s;
		}
	}
	return NULL;
}

void nmh_bdg_lock_init(struct nmh_bdg_lock *l)
{
	l->writer = 0;
}

/*
 * Wait while a writer holds the switch.  The flag holds the writer's
 * owner id: a writer killed between wlock and wunlock (adding or
 * removing a port) would otherwise block every sender of the switch
 * forever.
 */
static void rt_bdg_wait_writer(struct nmh_bdg_lock *l)
{
	uint32_t w, spins = 0;

	while ((w = __atomic_load_n(&l->writer, __ATOMIC_ACQUIRE))) {
		if (++spins % 64 == 0 && !nmh_owner_alive(w))
			nm_cas32(&l->writer, w, 0);
		else
			sched_yield();
	}
}

/*
 * Announce l as the thread's next switch, then check for a writer: a
 * writer sets its flag first and then waits for every thread that
 * announced l.  0 (announcement withdrawn) when a writer is there.
 */
static int rt_bdg_enter(struct rt_thread_slot *s, struct nmh_bdg_lock *l)
{
	uint32_t n = s->nactive;

	__atomic_store_n(&s->active[n], l, __ATOMIC_RELAXED);
	nm_mb();
	if (!__atomic_load_n(&l->writer, __ATOMIC_ACQUIRE)) {
		s->nactive = n + 1;
		rt_kill_at(RT_KILL_FORWARD);
		return 1;
	}
	__atomic_store_n(&s->active[n], NULL, __ATOMIC_RELEASE);
	return 0;
}

void nmh_bdg_rlock(struct nmh_bdg_lock *l)
{
	struct rt_thread_slot *s = rt_thread_slot();

	if (!s) {
		/* No slot left: behave as a writer would see us, serially. */
		nmh_ctl_lock();
		return;
	}
	while (!rt_bdg_enter(s, l))
		rt_bdg_wait_writer(l);
}

int nmh_bdg_tryrlock(struct nmh_bdg_lock *l)
{
	struct rt_thread_slot *s = rt_my_slot >= 0 ?
				   &rt.arena->threads[rt_my_slot] : NULL;

	/* (without a slot the outer lock is the control lock: no nesting) */
	if (!s || !s->nactive || s->nactive >= RT_BDG_NEST)
		return 0;
	return rt_bdg_enter(s, l);
}

void nmh_bdg_runlock(struct nmh_bdg_lock *l)
{
	struct rt_thread_slot *s = rt_my_slot >= 0 ?
				   &rt.arena->threads[rt_my_slot] : NULL;

	(void)l;
	if (!s) {
		nmh_ctl_unlock();
		return;
	}
	s->nactive--;
	__atomic_store_n(&s->active[s->nactive], NULL, __ATOMIC_RELEASE);
}

/* Writers are serialised by the control lock, which callers hold. */
void nmh_bdg_wlock(struct nmh_bdg_lock *l)
{
	struct rt_arena *a = rt.arena;
	uint32_t i, spins;

	rt_step();
	/* Writers are serialised by the control lock: no other writer here. */
	__atomic_store_n(&l->writer, nmh_owner_self(), __ATOMIC_RELAXED);
	nm_mb();
	for (i = 0; i < RT_MAX_THREADS * RT_BDG_NEST; i++) {
		struct rt_thread_slot *s = &a->threads[i / RT_BDG_NEST];
		struct nmh_bdg_lock **act = &s->active[i % RT_BDG_NEST];

		for (spins = 0; __atomic_load_n(act, __ATOMIC_ACQUIRE) == l;
		     spins++) {
			if (spins % 64 == 63 &&
			    !nmh_owner_alive(NM_READ_ONCE(s->owner))) {
				*act = NULL;	/* died forwarding */
				break;
			}
			sched_yield();
		}
	}
	rt_kill_at(RT_KILL_WLOCK);
}

void nmh_bdg_wunlock(struct nmh_bdg_lock *l)
{
	rt_step();
	__atomic_store_n(&l->writer, 0, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- */
/* Wake-ups, time, user memory, log                                 */
/* ---------------------------------------------------------------- */

static void rt_sock_path(struct sockaddr_un *sa, uint32_t idx)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/s%u", rt.dir, idx);
}

uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long rt_futex(uint32_t *word, int op, uint32_t val,
		     const struct timespec *timeout)
{
	/* Not FUTEX_PRIVATE_FLAG: the word is in a mapping shared by processes. */
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

/*
 * When this thread last returned from a sleep in poll (rt_wake), and how
 * many sleepers it has woken (system calls made in rt_wake).
 */
static __thread uint64_t rt_resumed_ns, rt_woke_sleepers;

void rt_poll_note_resumed(uint64_t ns)
{
	rt_resumed_ns = ns;
}

uint64_t rt_poll_woke_sleepers(void)
{
	return rt_woke_sleepers;
}

/* Process-wide counters of the wake-up machinery (rt_poll_stats). */
static struct rt_poll_counters rt_pc;

#define RT_COUNT(field, v) \
	__atomic_fetch_add(&rt_pc.field, (v), __ATOMIC_RELAXED)

/* Read every wake-up byte queued on a binding's socket. */
static void rt_sock_drain(int fd)
{
	char buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void rt_wake_sock(uint32_t idx)
{
	struct sockaddr_un sa;
	char byte = 0;

	if (rt.wake_sock < 0) {
		pthread_mutex_lock(&rt.lock);
		if (rt.wake_sock < 0)
			rt.wake_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
					      SOCK_NONBLOCK, 0);
		pthread_mutex_unlock(&rt.lock);
		if (rt.wake_sock < 0)
			return;
	}
	rt_sock_path(&sa, idx);
	/* A full queue already holds a wake-up: EAGAIN is fine. */
	sendto(rt.wake_sock, &byte, 1, MSG_DONTWAIT, (struct sockaddr *)&sa,
	       sizeof(sa));
}

/*
 * Wake binding idx: bump its sequence, then make a system call only for
 * a thread that waits in FUTEX_WAIT on it or a poller that armed its
 * socket.  The atomics pair with rt_poll_arm(): a poller counts itself
 * in futex_waiters (or sets sock_armed) before it sets its bit in a
 * ring's mask, and the waker read that bit (exchanging the mask) before
 * it reads them here, so it cannot miss one.
 */
static void rt_wake(uint32_t idx)
{
	struct rt_binding *b = &rt.arena->bindings[idx];

	__atomic_store_n(&b->waker_resumed_ns, rt_resumed_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&b->wake_ns, rt_now_ns(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&b->wake_seq, 1, __ATOMIC_SEQ_CST);
	RT_COUNT(wakes, 1);
	if (__atomic_load_n(&b->futex_waiters, __ATOMIC_SEQ_CST)) {
		rt_futex(&b->wake_seq, FUTEX_WAKE, INT32_MAX, NULL);
		RT_COUNT(wake_calls, 1);
		rt_woke_sleepers++;
	}
	if (__atomic_load_n(&b->sock_armed, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&b->sock_armed, 0, __ATOMIC_SEQ_CST)) {
		rt_wake_sock(idx);
		RT_COUNT(wake_calls, 1);
		rt_woke_sleepers++;
	}
}

/*
 * Called after new slots were published on kring.  The fence orders the
 * publication before the read of the sleepers mask; a sleeper sets its
 * bit, fences, then rescans the ring (rt_poll_arm), so one side always
 * sees the other.  A bit left by a poller that did not sleep after all
 * costs the next publisher an exchange and no system call.
 */
void nmh_kring_notify(struct nm_kring *kring)
{
	uint64_t mask;
	uint32_t bit;
	int cpu = sched_getcpu();

	/* stored only when it changes: the line stays shared with the waiter */
	if (cpu >= 0 && NM_READ_ONCE(kring->wait.notifier_cpu) != (uint32_t)cpu + 1)
		NM_WRITE_ONCE(kring->wait.notifier_cpu, (uint32_t)cpu + 1);
	nm_mb();
	if (!__atomic_load_n(&kring->wait.sleepers, __ATOMIC_RELAXED))
		return;
	mask = __atomic_exchange_n(&kring->wait.sleepers, 0, __ATOMIC_SEQ_CST);
	while (mask) {
		struct nm_priv *p;

		bit = (uint32_t)__builtin_ctzll(mask);
		mask &= mask - 1;
		p = NM_READ_ONCE(kring->na->bindings[bit]);
		if (p)
			rt_wake((uint32_t)p->host_id);
	}
}

/* Sleepers masks start at zero in zeroed arena memory. */
void nmh_kring_wait_init(struct nmh_kring_wait *w)
{
	w->sleepers = 0;
	w->notifier_cpu = 0;
}

void nmh_port_wait_init(struct nmh_port_wait *w)
{
	w->unused = 0;
}

/*
 * Persistent ports are network devices: the user runtime has none
 * (nm_g->host_has_netdevs is 0, so core/ does not call these).
 */
int nmh_netdev_exists(const char *name)
{
	(void)name;
	return 0;
}

int nmh_persist_netdev_create(struct nm_adapter *na)
{
	(void)na;
	return -EOPNOTSUPP;
}

void nmh_persist_netdev_destroy(struct nm_adapter *na)
{
	(void)na;
}

int nmh_netdev_admin(struct nm_adapter *na)
{
	(void)na;
	return 0;
}

uint32_t nmh_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (uint32_t)n : 1;
}

/* One namespace as far as the runtime's switches are concerned. */
uint64_t nmh_netns_self(void)
{
	return 0;
}

/* ---------------------------------------------------------------- */
/* The sync loop                                                    */
/* ---------------------------------------------------------------- */

/*
 * The loop runs in the application's thread that called START.  It
 * sleeps in ppoll() on the binding's socket, which the rings' peers write
 * to when the loop set its bit in their sleepers masks (nmh_kloop_arm),
 * and on the ioeventfds.  Without eventfds it sleeps sleep_us the same
 * way, so that STOP (a byte on the socket) ends the sleep.  The direct
 * modes change nothing: a process cannot run code in another's write().
 */
struct rt_kloop {
	int sock;
	uint32_t n;
	int *irq;		/* irqfds, -1 for none */
	struct pollfd *pfd;	/* the socket, then the ioeventfds */
	uint32_t npfd;
};

/* -EBADF for a closed descriptor, -EINVAL for one that is no eventfd. */
static int rt_check_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -EINVAL;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

int nmh_kloop_setup(struct nm_kloop *kl, const int32_t *efds)
{
	uint32_t n = kl->n, i;
	struct rt_kloop *rk;
	int err;

	rk = calloc(1, sizeof(*rk) + n * sizeof(int) +
			   (n + 1) * sizeof(struct pollfd));
	if (!rk)
		return -ENOMEM;
	pthread_mutex_lock(&rt.lock);
	rk->sock = rt_fd_other((uint32_t)kl->priv->host_id, -1);
	pthread_mutex_unlock(&rt.lock);
	if (rk->sock < 0) {
		free(rk);
		return -EBADF;
	}
	rk->n = n;
	rk->irq = (int *)(rk + 1);
	rk->pfd = (struct pollfd *)(rk->irq + n);
	rk->pfd[0].fd = rk->sock;
	rk->pfd[0].events = POLLIN;
	rk->npfd = 1;
	for (i = 0; i < n; i++) {
		int io = efds ? efds[2 * i] : -1, irq = efds ? efds[2 * i + 1] : -1;

		rk->irq[i] = irq;
		err = (io >= 0 ? rt_check_eventfd(io) : 0) ?:
		      (irq >= 0 ? rt_check_eventfd(irq) : 0);
		if (err) {
			free(rk);
			return err;
		}
		if (io >= 0) {
			uint32_t k;

			/* one entry per eventfd: each kick is read once */
			for (k = 1; k < rk->npfd && rk->pfd[k].fd != io; k++)
				;
			if (k == rk->npfd) {
				rk->pfd[rk->npfd].fd = io;
				rk->pfd[rk->npfd++].events = POLLIN;
			}
		}
	}
	kl->host = rk;
	return 0;
}

void nmh_kloop_teardown(struct nm_kloop *kl)
{
	free(kl->host);
	kl->host = NULL;
}

/*
 * Ask the rings' peers for a wake-up through the socket (rt_poll_arm):
 * sock_armed before the ring bits, or a peer that sees a bit may find
 * the socket unarmed and send nothing (rt_wake).
 */
void nmh_kloop_arm(struct nm_kloop *kl)
{
	uint64_t bit = 1ULL << kl->priv->binding_idx;
	uint32_t i;

	__atomic_store_n(&rt.arena->bindings[kl->priv->host_id].sock_armed, 1,
			 __ATOMIC_SEQ_CST);
	for (i = 0; i < kl->n; i++)
		__atomic_fetch_or(&kl->rings[i]->wait.sleepers, bit,
				  __ATOMIC_RELAXED);
	nm_mb();
}

int nmh_kloop_wait(struct nm_kloop *kl, uint32_t timeout_us)
{
	struct rt_kloop *rk = kl->host;
	struct timespec ts = { timeout_us / 1000000,
			       (long)(timeout_us % 1000000) * 1000 };
	uint64_t v;
	uint32_t i;

	if (!timeout_us) {
		sched_yield();
		return 0;
	}
	if (ppoll(rk->pfd, kl->events ? rk->npfd : 1, &ts, NULL) > 0) {
		rt_sock_drain(rk->sock);
		for (i = 1; i < rk->npfd; i++)
			if (rk->pfd[i].revents & POLLIN &&
			    read(rk->pfd[i].fd, &v, sizeof(v)) < 0)
				continue;	/* another reader took it */
	}
	return 0;
}

void nmh_kloop_irq(struct nm_kloop *kl, uint32_t i)
{
	struct rt_kloop *rk = kl->host;
	uint64_t one = 1;

	if (rk->irq[i] >= 0 && write(rk->irq[i], &one, sizeof(one)) < 0)
		nmh_log("netmap: kloop irqfd %d: %s\n", rk->irq[i],
			strerror(errno));
}

/* STOP: the loop may sleep unarmed (sleep_us), so the byte is sent always. */
void nmh_kloop_wake(struct nm_priv *priv)
{
	rt_wake((uint32_t)priv->host_id);
	rt_wake_sock((uint32_t)priv->host_id);
}

/* The loop runs in this process (descriptors are per process). */
void nmh_kloop_wait_stop(struct nm_priv *priv)
{
	while (nm_load_acquire(&priv->kloop_state) & NM_KLOOP_RUNNING)
		usleep(100);
}

void nmh_kloop_exited(struct nm_priv *priv)
{
	(void)priv;
}

int nmh_csb_load(const uint32_t *uaddr, uint32_t *v)
{
	*v = __atomic_load_n(uaddr, __ATOMIC_ACQUIRE);
	return 0;
}

int nmh_csb_store(uint32_t *uaddr, uint32_t v)
{
	__atomic_store_n(uaddr, v, __ATOMIC_RELEASE);
	return 0;
}

/* ---------------------------------------------------------------- */
/* User memory (EXTMEM)                                             */
/* ---------------------------------------------------------------- */

/*
 * Every process reaches a region at the same address, and an EXTMEM
 * region is the application's memory: so the runtime accepts memory it
 * can map again in any process of the user, a shared mapping of a file
 * that can be opened by its path (a file in tmpfs such as /dev/shm, in
 * hugetlbfs, or a regular file), and maps that file at a place in the top
 * RT_EXT_AREA bytes of the arena reservation.  A process maps it there
 * the first time it touches the region (nmh_ext_attach): in every control
 * operation (nmh_ctl_lock), and before a VALE sender writes into it.
 * The file must keep its path and size while the region is used.
 * Anonymous or private memory is refused with EINVAL, an address that is
 * not mapped with EFAULT.
 */

/* Generation of the region each place holds in this process, 0: none. */
static uint32_t rt_ext_here[RT_EXT_SLOTS];

/*
 * The file behind [uaddr, uaddr + size) of this process, from
 * /proc/self/maps: 0, -EFAULT (not mapped), -EINVAL (not a shared file
 * mapping covering the whole range).
 */
static int rt_ext_find_file(uint64_t uaddr, uint64_t size,
			    struct nmh_ext_mem *h)
{
	char line[512 + sizeof(h->path)], perms[8], path[sizeof(line)];
	unsigned long long start, end, off, ino;
	unsigned int maj, mnr;
	int err = -EFAULT;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %s", &start,
			   &end, perms, &off, &maj, &mnr, &ino, path) < 7)
			continue;
		if (uaddr < start || uaddr >= end)
			continue;
		err = -EINVAL;
		if (uaddr + size > end || perms[3] != 's' || !ino ||
		    path[0] != '/' || strstr(line, " (deleted)") ||
		    strlen(path) >= sizeof(h->path))
			break;
		memcpy(h->path, path, strlen(path) + 1);
		h->dev = makedev(maj, mnr);
		h->ino = ino;
		h->off = off + (uaddr - start);
		h->size = size;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

static void *rt_ext_addr(uint32_t slot)
{
	return rt_ptr(rt.arena->ext_places[slot].start);
}

/* Map region h's file at its place in this process; 0 or -errno. */
static int rt_ext_map_here(const struct nmh_ext_mem *h)
{
	struct stat st;
	void *p;
	int fd, err = 0;

	fd = open(h->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != h->dev || st.st_ino != h->ino ||
	    (uint64_t)st.st_size < h->off + h->size) {
		close(fd);
		return -EINVAL;		/* another file now, or shorter */
	}
	p = mmap(rt_ext_addr(h->slot), h->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, (off_t)h->off);
	if (p == MAP_FAILED)
		err = -errno;
	close(fd);
	if (!err)
		__atomic_store_n(&rt_ext_here[h->slot], h->gen, __ATOMIC_RELEASE);
	return err;
}

/* Give a place back to the arena file: touching it faults (SIGBUS). */
static void rt_ext_unmap_here(uint32_t slot)
{
	struct rt_ext_place *e = &rt.arena->ext_places[slot];

	mmap(rt_ext_addr(slot), e->len, PROT_READ | PROT_WRITE,
	     MAP_SHARED | MAP_FIXED | MAP_NORESERVE, rt.arena_fd,
	     (off_t)e->start);
	rt_ext_here[slot] = 0;
}

/* A free place of len bytes aligned to align.  Control lock held. */
static int rt_ext_place(uint64_t len, uint64_t align)
{
	struct rt_arena *a = rt.arena;
	uint64_t low = a->reserve, floor = a->reserve - RT_EXT_AREA, start;
	int i, free_slot = -1;

	for (i = 0; i < RT_EXT_SLOTS; i++) {
		struct rt_ext_place *e = &a->ext_places[i];

		if (e->len && e->start < low)
			low = e->start;
		if (e->used)
			continue;
		if (e->len >= len && !(e->start % align))
			return i;	/* a place of a region gone */
		if (!e->len && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0 || low - floor < len + align)
		return -ENOMEM;
	start = (low - len) & ~(align - 1);
	a->ext_places[free_slot].start = start;
	a->ext_places[free_slot].len = len;
	return free_slot;
}

int nmh_ext_map(uint64_t uaddr, uint64_t size, struct nmh_ext_mem *h,
		void **base)
{
	struct rt_arena *a = rt.arena;
	struct stat st;
	uint64_t align;
	int slot, err;

	err = rt_ext_find_file(uaddr, size, h);
	if (err)
		return err;
	if (stat(h->path, &st) || st.st_dev != h->dev || st.st_ino != h->ino)
		return -EINVAL;
	/* hugetlbfs maps whole huge pages: its block size */
	align = st.st_blksize > 4096 ? (uint64_t)st.st_blksize : 4096;
	slot = rt_ext_place(size, align);
	if (slot < 0)
		return slot;
	a->ext_places[slot].gen = ++a->ext_gen ? a->ext_gen : ++a->ext_gen;
	h->slot = (uint32_t)slot;
	h->gen = a->ext_places[slot].gen;
	err = rt_ext_map_here(h);
	if (err)
		return err;
	a->ext_places[slot].used = 1;
	*base = rt_ext_addr((uint32_t)slot);
	return 0;
}

int nmh_ext_same(const struct nmh_ext_mem *x, const struct nmh_ext_mem *y)
{
	return x->dev == y->dev && x->ino == y->ino && x->off == y->off &&
	       x->size == y->size;
}

/*
 * The region is gone: its place goes back to the table.  Other processes
 * keep the file mapped there until they touch a region in that place
 * again (attach compares generations).
 */
void nmh_ext_unmap(struct nmh_ext_mem *h, void *base, uint64_t size)
{
	(void)base;
	(void)size;
	if (h->slot >= RT_EXT_SLOTS)
		return;
	if (rt.arena->ext_places[h->slot].gen == h->gen) {
		rt_ext_unmap_here(h->slot);
		rt.arena->ext_places[h->slot].used = 0;
	}
}

int nmh_ext_attach(struct nm_mem *m)
{
	const struct nmh_ext_mem *h = &m->ext_mem;
	int err;

	if (h->slot >= RT_EXT_SLOTS)
		return -EINVAL;
	if (__atomic_load_n(&rt_ext_here[h->slot], __ATOMIC_ACQUIRE) == h->gen)
		return 0;
	pthread_mutex_lock(&rt.lock);
	err = rt_ext_here[h->slot] == h->gen ? 0 : rt_ext_map_here(h);
	pthread_mutex_unlock(&rt.lock);
	return err;
}

/*
 * Control operations may touch any region: every EXTMEM region is mapped
 * in this process first.  One this process cannot reach (its file was
 * removed) gets zero pages there, so that nothing faults: its rings read
 * as empty.
 */
static void rt_ext_attach_all(void)
{
	struct nm_mem *m;

	for (m = nm_g->mem_list; m; m = m->next) {
		if (!m->ext || !m->base || !nmh_ext_attach(m))
			continue;
		nmh_log("netmap: cannot map the user memory of region %u (%s)\n",
			m->id, m->ext_mem.path);
		if (m->ext_mem.slot < RT_EXT_SLOTS)
			mmap(m->base, m->memsize, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
}

void nmh_ring_timestamp(struct netmap_ring *ring)
{
	rt_kill_at(RT_KILL_TIMESTAMP);
	gettimeofday((struct timeval *)&ring->ts, NULL);
}

/*
 * Requests come from this process: plain copies.  Indirect VALE payloads
 * may point anywhere, so they are read with process_vm_readv, which
 * fails cleanly on a bad address instead of crashing the sender.
 *
 * The result n of that call for len bytes: 0 when it copied them all,
 * -EFAULT when it failed on the memory (a short count is a fault part
 * way: the call does not set errno then, so errno is not looked at), 1
 * when the call itself is refused (ENOSYS, or EPERM from a sandbox)
 * and the caller falls back to a plain copy of its own memory.
 */
static int rt_copy_checked(ssize_t n, size_t len)
{
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || (errno != ENOSYS && errno != EPERM))
		return -EFAULT;
	return 1;
}

/* Copy len bytes between our buffer and user memory, checked. */
static int rt_copy_user(void *ours, void *user, size_t len, int to_user)
{
	struct iovec local = { ours, len }, remote = { user, len };
	ssize_t n;

	if (!len)
		return 0;
	n = to_user ? process_vm_writev(rt_pid(), &local, 1, &remote, 1, 0)
		    : process_vm_readv(rt_pid(), &local, 1, &remote, 1, 0);
	switch (rt_copy_checked(n, len)) {
	case 0:
		return 0;
	case 1:
		/* A sandbox forbids the call: trust our own memory. */
		if (to_user)
			memcpy(user, ours, len);
		else
			memcpy(ours, user, len);
		return 0;
	default:
		return -EFAULT;
	}
}

int nmh_copy_from_user(void *dst, const void *usrc, size_t len)
{
	/* (requests are copies too: only those made forwarding count) */
	if (rt.kill_at != RT_KILL_NONE && rt_my_slot >= 0 &&
	    rt.arena->threads[rt_my_slot].nactive)
		rt_kill_at_slow(RT_KILL_COPY);
	return rt_copy_user(dst, (void *)usrc, len, 0);
}

int nmh_copy_to_user(void *udst, const void *src, size_t len)
{
	return rt_copy_user((void *)src, udst, len, 1);
}

/*
 * The switch lock of the runtime is the user's own: a sender that waits
 * on its own memory under it only blocks that user's processes, which
 * share everything anyway.  The ordinary copy will do.
 */
int nmh_copy_from_user_nofault(void *dst, const void *usrc, size_t len)
{
	return nmh_copy_from_user(dst, usrc, len);
}

void nmh_user_prefault(const void *usrc, size_t len)
{
	(void)usrc;
	(void)len;
}

void nmh_error_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nmb_vset_detail(fmt, ap);
	va_end(ap);
}

void nmh_log(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("NETMAP_RUNTIME_DEBUG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- */
/* Attaching to the arena                                           */
/* ---------------------------------------------------------------- */

/* The per-user directory: private to the user, or we refuse it. */
static int rt_setup_dir(void)
{
	const char *env = getenv("NETMAP_RUNTIME_DIR");
	struct stat st;

	if (env && *env)
		snprintf(rt.dir, sizeof(rt.dir), "%s", env);
	else if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		snprintf(rt.dir, sizeof(rt.dir), "/dev/shm/netmap-%u",
			 (unsigned)getuid());
	else
		snprintf(rt.dir, sizeof(rt.dir), "/tmp/netmap-%u",
			 (unsigned)getuid());
	if (strlen(rt.dir) > 80) {
		nmb_set_detail("the runtime directory %.100s is longer than 80 "
			       "characters: set NETMAP_RUNTIME_DIR to a shorter "
			       "path", rt.dir);
		return -ENAMETOOLONG;
	}
	if ((mkdir(rt.dir, 0700) && errno != EEXIST) || lstat(rt.dir, &st)) {
		int err = errno;

		nmb_set_detail("cannot create the runtime directory %s: %s; "
			       "set NETMAP_RUNTIME_DIR to a directory you can "
			       "create", rt.dir, strerror(err));
		return -err;
	}
	if (!S_ISDIR(st.st_mode)) {
		nmb_set_detail("the runtime directory %s is not a directory: "
			       "remove it, or set NETMAP_RUNTIME_DIR to "
			       "another one", rt.dir);
		return -EACCES;
	}
	if (st.st_uid != getuid()) {
		nmb_set_detail("the runtime directory %s belongs to uid %u, "
			       "not to uid %u: set NETMAP_RUNTIME_DIR to a "
			       "directory of your own", rt.dir,
			       (unsigned)st.st_uid, (unsigned)getuid());
		return -EACCES;
	}
	if (st.st_mode & 077) {
		nmb_set_detail("the runtime directory %s has mode %04o; it "
			       "must be 0700, or other users could use its "
			       "switches: chmod 700 it, or set "
			       "NETMAP_RUNTIME_DIR to another one", rt.dir,
			       (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	return 0;
}

/*
 * Processes of two builds may meet in one arena (an upgrade while a
 * switch is in use).  RT_ARENA_VERSION is bumped by hand when the
 * runtime's own rules change; the sizes and a few offsets of the shared
 * structures are compared as well, so that a core change that moves a
 * field is refused rather than misread.
 */
static uint64_t rt_layout(void)
{
	static const uint64_t v[] = {
		sizeof(struct rt_arena), sizeof(struct rt_binding),
		sizeof(struct nm_core), sizeof(struct nm_adapter),
		sizeof(struct nm_kring), sizeof(struct nm_mem),
		sizeof(struct nm_bdg), sizeof(struct nm_priv),
		sizeof(struct nm_pipe), sizeof(struct nm_lease),
		offsetof(struct nm_kring, nr_hwcur),
		offsetof(struct nm_kring, nr_hwtail),
		offsetof(struct nm_kring, q_lock),
		offsetof(struct nm_adapter, rings),
		offsetof(struct rt_arena, core),
	};
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 0x100000001b3ULL;
	return h;
}

static void rt_arena_init(struct rt_arena *a)
{
	a->base = RT_ARENA_BASE;
	a->reserve = RT_ARENA_RESERVE;
	a->brk = (sizeof(*a) + RT_PAGE - 1) & ~(RT_PAGE - 1);
	rt_mutex_init(&a->alloc_lock);
	rt_mutex_init(&a->ctl_lock);
	nm_core_init(&a->core);
	a->core.host_lazy_regions = 1;	/* nmh_region_back */
	a->core.host_has_nics = 1;	/* nic.c: AF_XDP and AF_PACKET */
	a->version = RT_ARENA_VERSION;
	a->layout = rt_layout();
	a->magic = RT_ARENA_MAGIC;
	nm_store_release(&a->ready, 1);
}

static void rt_atfork_child(void)
{
	rt_nic_atfork_child();
	rt.pid = 0;
	rt.start = 0;
	rt.owner = 0;	/* the parent's record lock is not ours */
	pthread_mutex_init(&rt_owner_mutex, NULL);
	rt.kill_read = 0;
	rt.in_ctl = 0;
	rt.steps = 0;
	rt.kill_at = RT_KILL_UNREAD;
	rt_my_slot = -1;
}

/* The pages of the arena header. */
#define RT_HDR_BYTES ((sizeof(struct rt_arena) + RT_PAGE - 1) & ~(RT_PAGE - 1))

static void rt_truncated_detail(off_t size, uint64_t want)
{
	nmb_set_detail("the runtime's file %s/arena has %lld bytes, fewer than "
		       "the %llu its header needs: stop the programs using "
		       "it, then run vale-ctl --cleanup", rt.dir,
		       (long long)size, (unsigned long long)want);
}

/*
 * Is the file shorter than its header says?  A process growing it sets
 * the file size before the recorded one: read that first, then the
 * file's.
 */
static int rt_arena_truncated(int fd, const struct rt_arena *a,
			      struct stat *st)
{
	uint64_t want = nm_load_acquire(&a->size);

	return fstat(fd, st) || (uint64_t)st->st_size < want;
}

/* Map the arena (once per process).  Called with rt.lock held. */
static int rt_attach(void)
{
	char path[128];
	struct stat st;
	void *p;
	int fd, dfd, err;

	if (rt.arena)
		return 0;
	err = rt_setup_dir();
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/arena", rt.dir);
	/*
	 * The directory lock serialises creation of the arena with other
	 * attaching processes and with rt_cleanup.  The shared lock on the
	 * arena file is held for the process's lifetime: cleanup tests it.
	 */
	dfd = open(rt.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	flock(dfd, LOCK_EX);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_SH) || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		close(dfd);
		return err;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		close(dfd);
		return -EACCES;
	}
	if (st.st_size == 0) {
		/* A new arena: its header backed before it is written. */
		rt.arena_fd = fd;
		err = ftruncate(fd, (off_t)RT_GROW_STEP) ? -errno :
		      rt_back(0, RT_HDR_BYTES);
		rt.arena_fd = -1;
		if (err) {
			if (ftruncate(fd, 0))
				err = -errno;
			close(fd);
			close(dfd);
			return err;
		}
	} else if (st.st_size < (off_t)RT_GROW_STEP) {
		/* Reading the header itself would be a SIGBUS. */
		rt_truncated_detail(st.st_size, RT_GROW_STEP);
		close(fd);
		close(dfd);
		return -EUCLEAN;
	}
	p = mmap((void *)RT_ARENA_BASE, RT_ARENA_RESERVE,
		 PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED || p != (void *)RT_ARENA_BASE) {
		err = p == MAP_FAILED ? -errno : -EADDRINUSE;
		if (p != MAP_FAILED)
			munmap(p, RT_ARENA_RESERVE);
		close(fd);
		close(dfd);
		return err;
	}
	rt.arena = p;
	rt.arena_fd = fd;
	if (st.st_size == 0) {
		rt.arena->size = RT_GROW_STEP;
		rt_arena_init(rt.arena);
	} else if (rt.arena->magic != RT_ARENA_MAGIC ||
		   rt.arena->version != RT_ARENA_VERSION ||
		   rt.arena->layout != rt_layout() ||
		   !rt.arena->ready) {
		munmap(p, RT_ARENA_RESERVE);
		rt.arena = NULL;
		close(fd);
		close(dfd);
		return -EPROTO;	/* another version's arena */
	} else if (rt_arena_truncated(fd, rt.arena, &st)) {
		/* Objects past the end of the file would be SIGBUS. */
		rt_truncated_detail(st.st_size, rt.arena->size);
		munmap(p, RT_ARENA_RESERVE);
		rt.arena = NULL;
		close(fd);
		close(dfd);
		return -EUCLEAN;
	}
	close(dfd);	/* releases the directory lock */
	nm_g = &rt.arena->core;
	pthread_atfork(NULL, NULL, rt_atfork_child);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Descriptors                                                      */
/* ---------------------------------------------------------------- */

static int rt_fd_set(int fd, uint32_t value)
{
	if (fd < 0 || fd >= RT_MAX_FD)
		return -EMFILE;
	__atomic_store_n(&rt_fd_binding[fd], (uint16_t)value, __ATOMIC_RELEASE);
	return 0;
}

/* Binding index of fd, or -1 if fd is not ours. */
static int rt_fd_binding_of(int fd)
{
	if (fd < 0 || fd >= RT_MAX_FD)
		return -1;
	return (int)__atomic_load_n(&rt_fd_binding[fd], __ATOMIC_ACQUIRE) - 1;
}

static struct nm_priv *rt_priv_of(int fd)
{
	int idx = rt_fd_binding_of(fd);

	return idx < 0 ? NULL : rt.arena->bindings[idx].priv;
}

int rt_is_fd(int fd)
{
	return rt_fd_binding_of(fd) >= 0;
}

static void rt_unlink_sock(uint32_t idx)
{
	struct sockaddr_un sa;

	rt_sock_path(&sa, idx);
	unlink(sa.sun_path);
}

/*
 * Release a binding entry.  Called with the control lock.  release is 0
 * when nm_recover() has already undone what the binding held.  A death
 * in the middle leaves the entry marked dying, for rt_recover; the priv
 * is unlinked before it is freed (a death in between loses it, never
 * frees it twice).
 */
static void rt_binding_free(uint32_t idx, int release)
{
	struct rt_binding *b = &rt.arena->bindings[idx];
	struct nm_priv *priv = b->priv;

	b->dying = 1;
	if (priv && release)
		nm_priv_release(priv);
	b->priv = NULL;
	nmh_free(priv);
	rt_unlink_sock(idx);
	b->gen++;
	b->dying = 0;
	b->sock_ino = 0;
	memset(b->holders, 0, sizeof(b->holders));
	nm_store_release(&b->pid, 0);
}

/* Release what dead processes left behind.  Control lock held. */
static void rt_reap(void)
{
	uint32_t i;

	for (i = 0; i < RT_MAX_BINDINGS; i++) {
		struct rt_binding *b = &rt.arena->bindings[i];

		if (b->pid && !rt_binding_alive(b))
			rt_binding_free(i, !b->dying);
	}
}

/*
 * The control lock's holder died (EOWNERDEAD), lock now held.  Its own
 * bindings and any it was releasing (marked dying) may be half done:
 * mark them dying for good (this function may itself be cut short and
 * run again), let the core rebuild its objects from the live bindings,
 * then free the dead entries without releasing them again.  Bindings of
 * other dead processes are consistent, but go the same way.
 */
static void rt_recover(void)
{
	struct rt_arena *a = rt.arena;
	uint32_t dead = a->ctl_owner, i, nlive = 0, ndead = 0;
	struct nm_priv **live, **gone;
	int err;

	for (i = 0; i < RT_MAX_BINDINGS; i++) {
		struct rt_binding *b = &a->bindings[i];

		if (!b->pid || b->dying)
			continue;
		/*
		 * The dead holder of the control lock may have left it half
		 * done; a binding a live process (a fork child) still holds
		 * stays, and the core rebuilds it from the links.
		 */
		if (!rt_binding_held_except(b, dead, a->ctl_owner_start))
			b->dying = 1;
	}
	live = nmh_tmp_alloc(RT_MAX_BINDINGS * sizeof(*live));
	gone = nmh_tmp_alloc(RT_MAX_BINDINGS * sizeof(*gone));
	err = -ENOMEM;
	if (live && gone) {
		for (i = 0; i < RT_MAX_BINDINGS; i++) {
			struct rt_binding *b = &a->bindings[i];

			if (!b->pid || !b->priv)
				continue;
			if (b->dying)
				gone[ndead++] = b->priv;
			else
				live[nlive++] = b->priv;
		}
		err = nm_recover(live, nlive, gone, ndead);
	}
	nmh_tmp_free(live);
	nmh_tmp_free(gone);
	if (err) {
		nmh_log("netmap: recovery after a dead process failed: %d\n",
			err);
		return;
	}
	for (i = 0; i < RT_MAX_BINDINGS; i++)
		if (a->bindings[i].pid && a->bindings[i].dying)
			rt_binding_free(i, 0);
	nmh_log("netmap: recovered from the death of process %u "
		"(%u bindings)\n", dead, ndead);
}

/*
 * Record fd as one of this process's descriptors of binding idx.
 * rt.lock held.
 */
static int rt_fd_attach(int fd, uint32_t idx)
{
	int err = rt_fd_set(fd, idx + 1);

	if (err)
		return err;
	rt_local_fds[idx]++;
	if (fd > rt_fd_high)
		rt_fd_high = fd;
	__atomic_fetch_add(&rt_fd_count, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Another of this process's descriptors of binding idx, or -1. */
static int rt_fd_other(uint32_t idx, int not_fd)
{
	int fd;

	for (fd = 0; fd <= rt_fd_high; fd++)
		if (fd != not_fd && rt_fd_binding[fd] == idx + 1)
			return fd;
	return -1;
}

int rt_open(void)
{
	struct sockaddr_un sa;
	struct nm_priv *priv = NULL;
	struct rt_binding *b;
	struct stat st;
	int err, fd = -1;
	uint32_t i;

	pthread_mutex_lock(&rt.lock);
	err = rt_attach();
	pthread_mutex_unlock(&rt.lock);
	if (err)
		return err;
	/* The owner id, before any lock: its claim takes one of its own. */
	if (nmh_owner_self() == RT_OWNER_UNKNOWN) {
		nmb_set_detail("more than %u processes use the user runtime",
			       RT_MAX_OWNERS);
		return -EMFILE;
	}

	nmh_ctl_lock();
	rt_reap();
	for (i = 0; i < RT_MAX_BINDINGS; i++)
		if (!rt.arena->bindings[i].pid)
			break;
	if (i == RT_MAX_BINDINGS) {
		nmh_ctl_unlock();
		nmb_set_detail("the user runtime has %u descriptors open, its "
			       "most", RT_MAX_BINDINGS);
		return -EMFILE;
	}
	b = &rt.arena->bindings[i];
	/* Owned first, so that a death from here on is reaped. */
	b->start = rt_self_start();
	b->dying = 0;
	b->sock_ino = 0;
	memset(b->holders, 0, sizeof(b->holders));
	b->holders[0].fd = -1;
	b->holders[0].start = b->start;
	b->holders[0].pid = (uint32_t)rt_pid();
	/* A dead previous owner may have left itself counted as waiting. */
	b->futex_waiters = 0;
	b->sock_armed = 0;
	nm_store_release(&b->pid, (uint32_t)rt_pid());
	priv = nmh_zalloc(sizeof(*priv));
	if (!priv) {
		rt_binding_free(i, 0);
		nmh_ctl_unlock();
		return -ENOMEM;
	}
	priv->host_id = i;
	b->priv = priv;
	nmh_ctl_unlock();

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = -errno;
		goto err_binding;
	}
	rt_sock_path(&sa, i);
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || fstat(fd, &st)) {
		err = -errno;
		goto err_sock;
	}
	pthread_mutex_lock(&rt.lock);
	rt_local_fds[i] = 0;
	rt_local_slot[i] = 0;
	err = rt_fd_attach(fd, i);
	pthread_mutex_unlock(&rt.lock);
	if (err)
		goto err_sock;
	b->sock_ino = st.st_ino;
	NM_WRITE_ONCE(b->holders[0].fd, fd);
	return fd;

err_sock:
	nmi_real_close(fd);
err_binding:
	nmh_ctl_lock();
	rt_binding_free(i, 1);
	nmh_ctl_unlock();
	return err;
}

/*
 * fd stopped naming binding idx in this process (closed, or replaced by
 * dup2).  When it was the process's last descriptor of it, the process
 * stops holding the binding, which is released if nobody else holds it
 * (a fork child may).
 */
static void rt_fd_detach(int fd, uint32_t idx)
{
	struct rt_binding *b = &rt.arena->bindings[idx];
	struct rt_holder *h = NULL;
	int other;

	pthread_mutex_lock(&rt.lock);
	rt_fd_set(fd, 0);
	__atomic_fetch_sub(&rt_fd_count, 1, __ATOMIC_RELAXED);
	if (rt_local_slot[idx] < RT_HOLDERS)
		h = &b->holders[rt_local_slot[idx]];
	if (rt_local_fds[idx] > 1) {
		rt_local_fds[idx]--;
		/* The holder must name a descriptor that stays open. */
		if (h && h->fd == fd) {
			other = rt_fd_other(idx, fd);
			NM_WRITE_ONCE(h->fd, other);
		}
		pthread_mutex_unlock(&rt.lock);
		return;
	}
	rt_local_fds[idx] = 0;
	rt_local_slot[idx] = RT_HOLDERS;
	pthread_mutex_unlock(&rt.lock);

	nmh_ctl_lock();
	if (h && h->pid == (uint32_t)rt_pid())
		nm_store_release(&h->pid, 0);
	if (!rt_binding_alive(b))
		rt_binding_free(idx, 1);
	nmh_ctl_unlock();
}

int rt_close(int fd)
{
	int idx = rt_fd_binding_of(fd);

	if (idx < 0)
		return -EBADF;
	/* A sync loop of this process uses the binding: stop it first. */
	if (__atomic_load_n(&rt_local_fds[idx], __ATOMIC_RELAXED) == 1) {
		struct nm_priv *priv = rt.arena->bindings[idx].priv;

		if (priv && (nm_load_acquire(&priv->kloop_state) &
			     NM_KLOOP_RUNNING) && nm_kloop_request_stop(priv))
			nmh_kloop_wait_stop(priv);
	}
	rt_fd_detach(fd, (uint32_t)idx);
	return nmi_real_close(fd) ? -errno : 0;
}

/* fd was replaced by another file (dup2 onto it): forget it. */
void rt_forget(int fd)
{
	int idx = rt_fd_binding_of(fd);

	if (idx >= 0)
		rt_fd_detach(fd, (uint32_t)idx);
}

int rt_dup(int oldfd, int newfd)
{
	int idx = rt_fd_binding_of(oldfd), err;

	if (idx < 0)
		return -EBADF;
	pthread_mutex_lock(&rt.lock);
	err = rt_fd_attach(newfd, (uint32_t)idx);
	pthread_mutex_unlock(&rt.lock);
	return err;
}

/*
 * fork: the child inherits the descriptors, so it holds their bindings
 * too.  Before the fork, each binding gets a holder slot reserved in the
 * parent's name (so that a close in the parent right after the fork
 * cannot release it); after it, the slot is handed to the child, by
 * whichever of the two processes comes first.
 */
static uint32_t rt_fork_parent_pid;

int rt_fork_prepare(void)
{
	uint32_t idx;
	int i;

	pthread_mutex_lock(&rt.lock);
	if (!__atomic_load_n(&rt_fd_count, __ATOMIC_RELAXED)) {
		pthread_mutex_unlock(&rt.lock);
		return 0;
	}
	rt_fork_parent_pid = (uint32_t)rt_pid();
	nmh_ctl_lock();
	for (idx = 0; idx < RT_MAX_BINDINGS; idx++) {
		struct rt_binding *b = &rt.arena->bindings[idx];

		rt_fork_slot[idx] = RT_HOLDERS;
		if (!rt_local_fds[idx])
			continue;
		for (i = 0; i < RT_HOLDERS; i++) {
			struct rt_holder *h = &b->holders[i];

			if (h->pid && rt_holder_alive(b, h))
				continue;
			h->fd = rt_fd_other(idx, -1);
			h->start = rt_self_start();
			h->pending = 1;
			nm_store_release(&h->pid, (uint32_t)rt_pid());
			rt_fork_slot[idx] = (uint8_t)i;
			break;
		}
	}
	nmh_ctl_unlock();
	/* rt.lock stays held across the fork: the tables do not move. */
	return 1;
}

/*
 * Hand the reserved slots to process child (0: the fork failed).  No
 * lock: the child must not take the control lock before it runs its
 * own code (a test's NETMAP_RUNTIME_KILL_STEP is read at the first
 * one), so the two sides race on pending: 1 reserved, 2 being handed
 * over, 0 done.  rt_holder_alive trusts a slot that is not done.
 */
static void rt_fork_settle(uint32_t child, uint64_t child_start,
			   uint32_t parent)
{
	uint32_t idx;

	for (idx = 0; idx < RT_MAX_BINDINGS; idx++) {
		struct rt_holder *h;

		if (rt_fork_slot[idx] >= RT_HOLDERS)
			continue;
		h = &rt.arena->bindings[idx].holders[rt_fork_slot[idx]];
		if (NM_READ_ONCE(h->pid) != parent ||
		    !nm_cas32(&h->pending, 1, 2))
			continue;	/* the other side did it */
		if (!child) {
			nm_store_release(&h->pid, 0);
		} else {
			h->start = child_start;
			nm_store_release(&h->pid, child);
		}
		nm_store_release(&h->pending, 0);
	}
}

void rt_fork_parent(int prepared, pid_t child)
{
	if (!prepared)
		return;
	if (child > 0)
		rt_fork_settle((uint32_t)child, rt_proc_start(child),
			       rt_fork_parent_pid);
	else
		rt_fork_settle(0, 0, rt_fork_parent_pid);
	pthread_mutex_unlock(&rt.lock);
}

void rt_fork_child(int prepared)
{
	uint32_t idx;

	/* The parent's thread held rt.lock: this copy has no owner. */
	pthread_mutex_init(&rt.lock, NULL);
	if (!prepared)
		return;
	rt_fork_settle((uint32_t)rt_pid(), rt_self_start(),
		       rt_fork_parent_pid);
	for (idx = 0; idx < RT_MAX_BINDINGS; idx++)
		rt_local_slot[idx] = rt_fork_slot[idx];
}

int rt_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (!priv)
		return -EBADF;
	switch (cmd) {
	case NIOCCTRL:
		return nm_ctrl(priv, arg);
	case NIOCREGIF:
	case NIOCGINFO:
	case NIOCCONFIG:
		return nm_legacy(priv, (unsigned int)cmd, arg);
	case NIOCTXSYNC:
		return nm_sync(priv, NR_TX);
	case NIOCRXSYNC:
		return nm_sync(priv, NR_RX);
	default:
		return -EOPNOTSUPP;
	}
}

/* The region is already mapped in every process: hand out its address. */
void *rt_mmap(int fd, size_t memsize, int *err)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (!priv || !priv->na || !priv->na->mem->base ||
	    memsize > priv->na->mem->memsize) {
		*err = -EINVAL;
		return NULL;
	}
	*err = 0;
	return priv->na->mem->base;
}

/* Is [addr, addr + len) inside the arena (regions handed out by rt_mmap)? */
int rt_owns_range(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;

	return rt.arena && a >= RT_ARENA_BASE &&
	       a - RT_ARENA_BASE <= RT_ARENA_RESERVE &&
	       len <= RT_ARENA_RESERVE - (a - RT_ARENA_BASE);
}

short rt_poll_scan(int fd, short events)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (!priv)
		return POLLNVAL;
	if (!events)
		events = POLLIN | POLLOUT;
	return (short)nm_poll_scan(priv, (unsigned int)events);
}

int rt_poll_peek(int fd, short events)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (!priv)
		return 1;
	if (!events)
		events = POLLIN | POLLOUT;
	return nm_poll_peek(priv, (unsigned int)events);
}

int rt_poll_peer_where(int fd, short events, int cpu)
{
	struct nm_priv *priv = rt_priv_of(fd);
	struct nm_adapter *na;
	uint32_t i, c, want = (uint32_t)cpu + 1;
	int where = 0;
	enum nm_txrx t;

	if (!priv || !(na = priv->na))
		return 0;
	if (!events)
		events = POLLIN | POLLOUT;
	NM_FOR_RX_TX(t) {
		short dir = t == NR_TX ? POLLOUT | POLLWRNORM : POLLIN | POLLRDNORM;

		if (!(events & dir))
			continue;
		for (i = priv->qfirst[t]; i < priv->qlast[t]; i++) {
			c = NM_READ_ONCE(na->rings[t][i].wait.notifier_cpu);
			if (c)
				where |= c == want ? RT_PEER_HERE : RT_PEER_AWAY;
		}
	}
	return where;
}

uint32_t rt_poll_arm(int fd, short events, enum rt_wait_how how)
{
	int idx = rt_fd_binding_of(fd);
	struct rt_binding *b;
	struct nm_priv *priv;
	struct nm_adapter *na;
	uint32_t token, i;
	uint64_t bit;

	if (idx < 0)
		return 0;
	b = &rt.arena->bindings[idx];
	token = __atomic_load_n(&b->wake_seq, __ATOMIC_SEQ_CST);
	/*
	 * Counted (or armed) before the ring bits: see rt_wake().  Counted
	 * even without rings, as rt_poll_disarm() does not know.
	 */
	if (how == RT_WAIT_FUTEX)
		__atomic_add_fetch(&b->futex_waiters, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_store_n(&b->sock_armed, 1, __ATOMIC_SEQ_CST);
	priv = b->priv;
	if (!priv || !(na = priv->na))
		return token;
	bit = 1ULL << priv->binding_idx;
	if (!events)
		events = POLLIN | POLLOUT;
	if (events & (POLLOUT | POLLWRNORM))
		for (i = priv->qfirst[NR_TX]; i < priv->qlast[NR_TX]; i++)
			__atomic_fetch_or(&na->rings[NR_TX][i].wait.sleepers,
					  bit, __ATOMIC_SEQ_CST);
	if (events & (POLLIN | POLLRDNORM))
		for (i = priv->qfirst[NR_RX]; i < priv->qlast[NR_RX]; i++)
			__atomic_fetch_or(&na->rings[NR_RX][i].wait.sleepers,
					  bit, __ATOMIC_SEQ_CST);
	nm_mb();
	return token;
}

/* futex_waitv(2), Linux 5.16: one sleep on the words of several bindings. */
#ifdef __NR_futex_waitv
struct rt_futex_waitv {		/* struct futex_waitv of linux/futex.h */
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};
#define RT_FUTEX_32 2		/* FUTEX_32 */
#define RT_WAITV_MAX 128	/* FUTEX_WAITV_MAX */

static int rt_waitv_state;	/* 0: not probed, 1: works, -1: no */

int rt_poll_wait_many_max(void)
{
	int s = __atomic_load_n(&rt_waitv_state, __ATOMIC_RELAXED);

	if (!s) {
		/* no waiters is EINVAL where the call exists, ENOSYS where not */
		s = syscall(__NR_futex_waitv, NULL, 0, 0, NULL, CLOCK_MONOTONIC) < 0 &&
		    errno == ENOSYS ? -1 : 1;
		__atomic_store_n(&rt_waitv_state, s, __ATOMIC_RELAXED);
	}
	return s > 0 ? RT_WAITV_MAX : 1;
}
#else
int rt_poll_wait_many_max(void)
{
	return 1;
}
#endif

static int rt_poll_wait_errno(long r)
{
	if (!r)
		return 1;
	switch (errno) {
	case EAGAIN:	/* woken between the arm and the wait */
		return 1;
	case ETIMEDOUT:
		return 0;
	default:
		return -errno;
	}
}

int rt_poll_wait(const struct pollfd *fds, unsigned long n,
		 const uint32_t *tokens, uint64_t deadline_ns)
{
	struct timespec ts, *tsp = NULL;
	int idx = n ? rt_fd_binding_of(fds[0].fd) : -1;

	if (idx < 0)
		return -EBADF;
	if (n == 1) {
		if (deadline_ns) {
			uint64_t now = rt_now_ns(),
				 left = deadline_ns > now ? deadline_ns - now : 0;

			ts.tv_sec = (time_t)(left / 1000000000ULL);
			ts.tv_nsec = (long)(left % 1000000000ULL);
			tsp = &ts;
		}
		return rt_poll_wait_errno(
			rt_futex(&rt.arena->bindings[idx].wake_seq, FUTEX_WAIT,
				 tokens[0], tsp));
	}
#ifdef __NR_futex_waitv
	{
		struct rt_futex_waitv w[RT_WAITV_MAX];
		unsigned long i, j, k = 0;

		if (n > RT_WAITV_MAX || rt_poll_wait_many_max() < (int)n)
			return -EINVAL;
		for (i = 0; i < n; i++) {
			uint64_t a;

			idx = rt_fd_binding_of(fds[i].fd);
			if (idx < 0)
				return -EBADF;
			a = (uint64_t)(uintptr_t)&rt.arena->bindings[idx].wake_seq;
			/* one entry per binding: descriptors may share one */
			for (j = 0; j < k && w[j].uaddr != a; j++)
				;
			if (j < k)
				continue;
			w[k].val = tokens[i];
			w[k].uaddr = a;
			w[k].flags = RT_FUTEX_32;
			w[k].reserved = 0;
			k++;
		}
		if (deadline_ns) {
			ts.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
			ts.tv_nsec = (long)(deadline_ns % 1000000000ULL);
			tsp = &ts;
		}
		/* returns the index of the word that woke it */
		return rt_poll_wait_errno(
			syscall(__NR_futex_waitv, w, k, 0, tsp, CLOCK_MONOTONIC) >= 0 ?
			0 : -1);
	}
#else
	return -EINVAL;
#endif
}

/*
 * The ring bits are left set: another thread may sleep on the same
 * binding, and a stale bit costs the next publisher no system call.
 */
void rt_poll_disarm(int fd, enum rt_wait_how how)
{
	int idx = rt_fd_binding_of(fd);

	if (idx >= 0 && how == RT_WAIT_FUTEX)
		__atomic_sub_fetch(&rt.arena->bindings[idx].futex_waiters, 1,
				   __ATOMIC_SEQ_CST);
}

/*
 * Positions of the rings fd waits on for events: they change when slots
 * arrive or are freed, which is what an edge-triggered epoll reports.
 */
uint64_t rt_poll_mark(int fd, short events)
{
	struct nm_priv *priv = rt_priv_of(fd);
	struct nm_adapter *na;
	uint64_t mark = 0;
	uint32_t i;

	if (!priv || !(na = priv->na))
		return 0;
	if (events & (POLLOUT | POLLWRNORM))
		for (i = priv->qfirst[NR_TX]; i < priv->qlast[NR_TX]; i++)
			mark = mark * 31 +
			       NM_READ_ONCE(na->rings[NR_TX][i].ring->tail);
	if (events & (POLLIN | POLLRDNORM))
		for (i = priv->qfirst[NR_RX]; i < priv->qlast[NR_RX]; i++)
			mark = mark * 31 +
			       NM_READ_ONCE(na->rings[NR_RX][i].ring->tail);
	return mark;
}

int rt_poll_extra(int fd, short events, struct pollfd *out, int max,
		  long long *max_sleep_ns)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (!priv || max <= 0)
		return 0;
	if (!events)
		events = POLLIN | POLLOUT;
	return rt_nic_poll_fds(priv, events, out, max, max_sleep_ns);
}

int rt_poll_is_nic(int fd)
{
	struct nm_priv *priv = rt_priv_of(fd);

	return priv && priv->na && priv->na->kind == NM_KIND_NIC;
}

void rt_poll_extra_woken(int fd)
{
	struct nm_priv *priv = rt_priv_of(fd);

	if (priv)
		rt_nic_poll_woken(priv);
}

int rt_nic_note(int fd, char *buf, size_t len)
{
	struct nm_priv *priv = rt_priv_of(fd);
	struct nm_adapter *na = priv ? priv->na : NULL;

	if (!na || na->kind != NM_KIND_NIC || !na->nic ||
	    na->nic->mode != RT_NIC_PACKET || !na->nic->why[0])
		return 0;
	return snprintf(buf, len, "%s", na->nic->why);
}

/* Threads sleeping on a binding's socket (rt_poll_sock_enter). */
static struct rt_sock_sleeper *rt_sock_sleepers;
static pthread_mutex_t rt_sock_lock = PTHREAD_MUTEX_INITIALIZER;

void rt_poll_sock_enter(int fd, struct rt_sock_sleeper *me)
{
	int idx = rt_fd_binding_of(fd);

	me->idx = idx;
	if (idx < 0)
		return;
	pthread_mutex_lock(&rt_sock_lock);
	/* read before the arm: a wake-up after it is one this thread awaits */
	me->token = __atomic_load_n(&rt.arena->bindings[idx].wake_seq,
				    __ATOMIC_SEQ_CST);
	me->next = rt_sock_sleepers;
	rt_sock_sleepers = me;
	pthread_mutex_unlock(&rt_sock_lock);
}

/*
 * Under the lock, so that a thread registered meanwhile is either seen
 * here or registers after the bytes are gone, with the current token
 * (then its rescan after arming sees what the wake-up announced).  A
 * byte sent again for another thread that is not asleep yet keeps its
 * socket readable: its sleep returns at once.  Each wake-up is passed on
 * at most once per thread that registered before it: a thread that has
 * seen it registers again with the new token.
 */
void rt_poll_sock_leave(int fd, struct rt_sock_sleeper *me, int drain)
{
	struct rt_sock_sleeper **pp, *o;
	uint32_t seq;
	int again = 0;

	if (me->idx < 0)
		return;
	pthread_mutex_lock(&rt_sock_lock);
	for (pp = &rt_sock_sleepers; *pp; pp = &(*pp)->next)
		if (*pp == me) {
			*pp = me->next;
			break;
		}
	if (drain) {
		rt_sock_drain(fd);
		seq = __atomic_load_n(&rt.arena->bindings[me->idx].wake_seq,
				      __ATOMIC_SEQ_CST);
		for (o = rt_sock_sleepers; o && !again; o = o->next)
			again = o->idx == me->idx && o->token != seq;
		if (again) {
			rt_wake_sock((uint32_t)me->idx);
			RT_COUNT(wake_calls, 1);
		}
	}
	pthread_mutex_unlock(&rt_sock_lock);
	me->idx = -1;
}

unsigned long long rt_poll_wake_ns(int fd, unsigned long long *waker_resumed)
{
	int idx = rt_fd_binding_of(fd);
	struct rt_binding *b;

	*waker_resumed = 0;
	if (idx < 0)
		return 0;
	b = &rt.arena->bindings[idx];
	*waker_resumed = __atomic_load_n(&b->waker_resumed_ns, __ATOMIC_RELAXED);
	return __atomic_load_n(&b->wake_ns, __ATOMIC_RELAXED);
}

void rt_poll_counters(struct rt_poll_counters *c)
{
	c->wakes = __atomic_load_n(&rt_pc.wakes, __ATOMIC_RELAXED);
	c->wake_calls = __atomic_load_n(&rt_pc.wake_calls, __ATOMIC_RELAXED);
}

const char *rt_dir(void)
{
	if (!rt.dir[0])
		rt_setup_dir();
	return rt.dir;
}

/*
 * Remove the arena and the sockets when no process is attached: every
 * attached process holds a shared flock on the arena file.
 */
int rt_cleanup(void)
{
	char path[128];
	int fd, dfd, i, err = 0;

	if (rt.arena)
		return -EBUSY;	/* we are attached ourselves */
	err = rt_setup_dir();
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/arena", rt.dir);
	dfd = open(rt.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	flock(dfd, LOCK_EX);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			close(fd);
			close(dfd);
			return -EBUSY;
		}
		unlink(path);
		close(fd);
	}
	close(dfd);
	for (i = 0; i < RT_MAX_BINDINGS; i++) {
		struct sockaddr_un sa;

		rt_sock_path(&sa, (uint32_t)i);
		unlink(sa.sun_path);
	}
	if (rmdir(rt.dir) && errno != ENOENT && errno != ENOTEMPTY)
		err = -errno;
	return err;
}

