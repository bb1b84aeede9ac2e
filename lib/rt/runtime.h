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
#include <sys/types.h>

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
 * Poll processing for one runtime descriptor: returns the ready events
 * (possibly 0) after running the syncs poll performs.
 */
short rt_poll_scan(int fd, short events);

/* Ask to be woken through fd when its rings change; then rescan. */
void rt_poll_arm(int fd, short events);

/* Ring positions fd waits on for events, for edge-triggered epoll. */
uint64_t rt_poll_mark(int fd, short events);

/* Consume wake-up bytes queued on fd. */
void rt_poll_drain(int fd);

/* Directory holding the runtime state (for messages and cleanup). */
const char *rt_dir(void);

/*
 * Remove the runtime's files if no process uses them.  Returns 0,
 * -EBUSY when some process is still attached, or another -errno.
 */
int rt_cleanup(void);

#endif /* LIB_RT_RUNTIME_H */
