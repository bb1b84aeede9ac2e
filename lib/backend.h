/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libnetmap: the two backends behind one set of calls.
 *
 * A netmap "control descriptor" is either a real /dev/netmap file
 * descriptor (kernel backend) or a descriptor of the user runtime (a
 * pollable socket owned by the runtime, whose requests are served by the
 * same core code the kernel module runs).  Everything in libnetmap goes
 * through these calls, never through open/ioctl/mmap directly, so that
 * every port works on both backends.
 *
 * All functions return 0 (or a value) on success and a negative errno on
 * failure; none of them prints.
 */
#ifndef LIB_BACKEND_H
#define LIB_BACKEND_H

#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

enum nmb_kind {
	NMB_KERNEL = 1,	/* /dev/netmap */
	NMB_USER = 2,	/* user runtime in shared memory */
};

/*
 * Open a new, unbound control descriptor.  The backend is chosen as the
 * architecture says: NETMAP_BACKEND=kernel|user forces one; otherwise the
 * kernel when /dev/netmap can be opened, else the user runtime.
 * Returns the descriptor (>= 0) or -errno.
 */
int nmb_open(void);

/*
 * nmb_open() for open("/dev/netmap", flags) made by an application: the
 * kernel's device is opened with the application's flags.  Runtime
 * descriptors are always close-on-exec.
 */
int nmb_open_flags(int flags);

/* Which backend serves descriptor fd (NMB_KERNEL for unknown fds). */
enum nmb_kind nmb_kind_of(int fd);

/* "kernel" or "user". */
const char *nmb_kind_name(enum nmb_kind kind);

/*
 * A NIC port of the user runtime served over AF_PACKET: why AF_XDP is
 * not used, into buf.  Returns its length, 0 when there is nothing to
 * say (AF_XDP, another port, the kernel), or -errno.
 */
int nmb_nic_note(int fd, char *buf, size_t len);

/*
 * ioctl on a control descriptor: NIOCCTRL, NIOCREGIF, NIOCGINFO,
 * NIOCTXSYNC, NIOCRXSYNC, NIOCCONFIG.  Returns 0 or -errno (the request
 * structures are written back exactly as the kernel does, also on error).
 */
int nmb_ioctl(int fd, unsigned long cmd, void *arg);

/*
 * Map the region of the port bound to fd (memsize bytes from offset 0).
 * Returns the address, or NULL with *err set to a negative errno.
 */
void *nmb_mmap(int fd, size_t memsize, int *err);

/* Undo nmb_mmap. */
int nmb_munmap(int fd, void *addr, size_t memsize);

/* Close a control descriptor (unbinds it). */
int nmb_close(int fd);

/*
 * Why the last failed call of this thread failed, beyond its errno
 * ("/dev/shm has 3 MiB free ..."): set by the backends, the core (through
 * nmh_error_detail) and libnetmap where they know more than an errno
 * says; read by applications with nm_error_detail().  Opening a
 * descriptor and every request other than a sync start with it empty.
 */
void nmb_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nmb_vset_detail(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void nmb_clear_detail(void);

/*
 * Called by nmb_poll() at every pass for each runtime descriptor fds[i],
 * with the events it has (maybe 0); returns the events to report (0:
 * treat it as not ready and sleep until its rings change).  epoll's
 * edge-triggered registrations use it.
 */
struct nmb_poll_filter {
	short (*filter)(void *arg, nfds_t i, short revents);
	void *arg;
};

/*
 * ppoll(2) over descriptors of either backend and any others: the wait
 * behind nm_poll() and the libc wrappers.  timeout NULL waits forever;
 * sigmask as in ppoll.  Returns the number of descriptors with revents,
 * or -1 with errno.
 */
int nmb_poll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
	     const sigset_t *sigmask, const struct nmb_poll_filter *filter);

#endif /* LIB_BACKEND_H */
