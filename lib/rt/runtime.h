/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libnetmap: the user runtime, the second host of core/.
 *
 * State shared by all processes of one user lives in an arena: a tmpfs
 * file under a per-user directory (mode 0700), mapped at the same fixed
 * address in every process, so core objects hold plain pointers exactly
 * as in the kernel.  A "descriptor" of the runtime is a datagram socket
 * bound in that directory: it is what applications poll, and what a peer
 * writes one byte to when it fills a ring someone sleeps on.
 */
#ifndef LIB_RT_RUNTIME_H
#define LIB_RT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

/* Open a runtime descriptor (unbound).  Returns an fd or -errno. */
int rt_open(void);

/* Is fd a runtime descriptor of this process? */
int rt_is_fd(int fd);

/* Close a runtime descriptor; its binding ends with the last holder. */
int rt_close(int fd);

/* newfd (open) now names the binding of oldfd too (dup). */
int rt_dup(int oldfd, int newfd);

/* fd no longer names a runtime binding (dup2 replaced it). */
void rt_forget(int fd);

/*
 * Runtime descriptors open in this process; while it is 0 the libc
 * wrappers of lib/interpose.c pass every call straight through.
 */
extern int rt_fd_count;

/*
 * fork(): a child inherits the bindings of its descriptors.  Call
 * rt_fork_prepare() before the fork and pass what it returned to
 * rt_fork_parent() (with the child's pid, or -1 when the fork failed)
 * and rt_fork_child().
 */
int rt_fork_prepare(void);
void rt_fork_parent(int prepared, pid_t child);
void rt_fork_child(int prepared);
int rt_ioctl(int fd, unsigned long cmd, void *arg);
void *rt_mmap(int fd, size_t memsize, int *err);

/*
 * Is [addr, addr + len) inside the runtime's mapping?  Regions stay
 * mapped for the process's lifetime: munmap of them does nothing.
 */
int rt_owns_range(const void *addr, size_t len);

/*
 * Polling (lib/rt/rt_poll.c builds nm_poll() on these; they are also
 * what an interposer of poll, select or epoll calls).  The protocol,
 * for one descriptor:
 *
 *   1. rt_poll_scan(): the processing of spec 12.1 (syncs), returns the
 *      ready events; if any, done.
 *   2. Optionally spin a while calling rt_poll_peek(), which only reads,
 *      and scan again when it says a scan could find more.
 *   3. rt_poll_arm(): from now on a peer that publishes slots on a
 *      selected ring of the requested directions wakes the descriptor.
 *   4. rt_poll_scan() again: it sees whatever was published before the
 *      arm took effect; if it finds events, do not sleep.
 *   5. Sleep: with RT_WAIT_SOCKET in poll/select/epoll on fd itself,
 *      which becomes readable (one byte per arm; rt_poll_sock_leave()
 *      reads it, registered by rt_poll_sock_enter() before step 3);
 *      with RT_WAIT_FUTEX in rt_poll_wait(), then rt_poll_disarm().
 *   6. Back to 1 (a wake-up says "scan again", not "ready").
 *
 * A peer makes a system call only for a descriptor that armed: nobody
 * makes one while nobody sleeps.
 */

enum rt_wait_how {
	RT_WAIT_SOCKET = 1,	/* a byte on fd: poll, select and epoll see it */
	RT_WAIT_FUTEX,		/* rt_poll_wait(): cheaper, runtime descriptors only */
};

/* Ready events of fd after the syncs poll performs (possibly 0). */
short rt_poll_scan(int fd, short events);

/* Could rt_poll_scan() find more now?  Reads only (for spinning). */
int rt_poll_peek(int fd, short events);

/*
 * Where the last publications on the rings fd waits on for events came
 * from, against CPU cpu: RT_PEER_HERE (some from cpu), RT_PEER_AWAY
 * (some from another CPU), both or neither (nothing published yet).
 * Reads only.
 */
#define RT_PEER_HERE 1
#define RT_PEER_AWAY 2
int rt_poll_peer_where(int fd, short events, int cpu);

/* Step 3; returns the token rt_poll_wait() needs. */
uint32_t rt_poll_arm(int fd, short events, enum rt_wait_how how);

struct pollfd;

/*
 * Sleep until a wake-up of any of the n descriptors (all the runtime's)
 * after the arms that returned tokens[i], or until deadline_ns
 * (rt_now_ns() clock; 0: no limit).  Returns 1 (woken), 0 (timed out)
 * or -errno (-EINTR).  More than one descriptor needs futex_waitv(2):
 * rt_poll_wait_many_max() says how many one call may wait on (1 where
 * the kernel lacks it).
 */
int rt_poll_wait(const struct pollfd *fds, unsigned long n,
		 const uint32_t *tokens, uint64_t deadline_ns);
int rt_poll_wait_many_max(void);
void rt_poll_disarm(int fd, enum rt_wait_how how);

/* Ring positions fd waits on for events, for edge-triggered epoll. */
uint64_t rt_poll_mark(int fd, short events);

/*
 * Threads of one process sleeping on one descriptor with RT_WAIT_SOCKET
 * share its socket, and a wake-up is one byte: the thread that reads it
 * must not leave the others asleep.  So a thread that sleeps on fd's
 * socket registers first (rt_poll_sock_enter, before rt_poll_arm, with
 * an entry that lives until it leaves), and leaves when it stops
 * waiting; woken (fd readable) it leaves with drain set, which reads
 * the bytes and, when another registered thread has not seen the latest
 * wake-up, makes the socket readable again for it.
 */
struct rt_sock_sleeper {
	int idx;			/* binding; -1: not registered */
	uint32_t token;			/* its wake_seq when registering */
	struct rt_sock_sleeper *next;
};
void rt_poll_sock_enter(int fd, struct rt_sock_sleeper *me);
void rt_poll_sock_leave(int fd, struct rt_sock_sleeper *me, int drain);

/* CLOCK_MONOTONIC now, in ns: the one clock of the runtime's wake-up timing. */
uint64_t rt_now_ns(void);

/*
 * CLOCK_MONOTONIC time (ns) of the last wake-up sent to fd; and in
 * *waker_resumed, when the thread that sent it had last returned from a
 * sleep of its own (0: it never slept), as it said with
 * rt_poll_note_resumed().
 */
unsigned long long rt_poll_wake_ns(int fd, unsigned long long *waker_resumed);
void rt_poll_note_resumed(uint64_t ns);
/* How many sleepers this thread has woken (system calls), ever. */
uint64_t rt_poll_woke_sleepers(void);

/* Wake-ups this process sent, and the system calls they took. */
struct rt_poll_counters {
	unsigned long long wakes;
	unsigned long long wake_calls;
};
void rt_poll_counters(struct rt_poll_counters *c);

/*
 * nmb_poll() when some descriptors are the runtime's (is_rt[i] says
 * which): the wait of lib/rt/rt_poll.c, with nmb_poll()'s arguments.
 */
struct nmb_poll_filter;
int rt_poll(struct pollfd *fds, unsigned long nfds, const char *is_rt,
	    const struct timespec *timeout, const sigset_t *sigmask,
	    const struct nmb_poll_filter *filter);

/*
 * NIC ports: the sockets a sleeper waiting on fd for events must watch
 * besides fd (at most max, written into out; returns how many), and
 * *max_sleep_ns lowered to how long it may sleep when frames in flight
 * complete without waking anyone.
 */
int rt_poll_extra(int fd, short events, struct pollfd *out, int max,
		  long long *max_sleep_ns);
/* Is fd a NIC port (its frames are signalled on sockets, not futexes)? */
int rt_poll_is_nic(int fd);
/* One of those sockets woke the sleeper: read what it says. */
void rt_poll_extra_woken(int fd);

/* nmb_nic_note() for a runtime descriptor. */
int rt_nic_note(int fd, char *buf, size_t len);

/* Directory holding the runtime state (for messages and cleanup). */
const char *rt_dir(void);

/*
 * Remove the runtime's files if no process uses them.  Returns 0,
 * -EBUSY when some process is still attached, or another -errno.
 */
int rt_cleanup(void);

#endif /* LIB_RT_RUNTIME_H */
