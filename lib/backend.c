// SPDX-License-Identifier: BSD-2-Clause
/*
 * The two backends behind libnetmap (see backend.h): the kernel module
 * through /dev/netmap, and the user runtime (lib/rt/).  Also the public
 * nm_ioctl() and nm_poll(), which accept descriptors of either backend so
 * that applications are written once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_user.h>

#include "backend.h"
#include "interpose.h"
#include "libnetmap.h"
#include "rt/runtime.h"

int nmb_open_flags(int flags)
{
	const char *want = getenv("NETMAP_BACKEND");
	int fd;

	nmb_clear_detail();
	if (want && *want && strcmp(want, "kernel") && strcmp(want, "user")) {
		nmb_set_detail("NETMAP_BACKEND=%.64s: expected kernel or user",
			       want);
		return -EINVAL;
	}
	if (!want || !*want || !strcmp(want, "kernel")) {
		fd = nmi_real_open(NETMAP_DEVICE_NAME, flags, 0);
		if (fd >= 0)
			return fd;
		if (want && !strcmp(want, "kernel"))
			return -errno;
	}
	return rt_open();
}

int nmb_open(void)
{
	return nmb_open_flags(O_RDWR | O_CLOEXEC);
}

enum nmb_kind nmb_kind_of(int fd)
{
	return rt_is_fd(fd) ? NMB_USER : NMB_KERNEL;
}

const char *nmb_kind_name(enum nmb_kind kind)
{
	return kind == NMB_USER ? "user" : "kernel";
}

int nmb_nic_note(int fd, char *buf, size_t len)
{
	return rt_is_fd(fd) ? rt_nic_note(fd, buf, len) : 0;
}

int nmb_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (cmd != NIOCTXSYNC && cmd != NIOCRXSYNC)
		nmb_clear_detail();
	if (rt_is_fd(fd))
		return rt_ioctl(fd, cmd, arg);
	return nmi_real_ioctl(fd, cmd, arg) ? -errno : 0;
}

void *nmb_mmap(int fd, size_t memsize, int *err)
{
	void *p;

	if (rt_is_fd(fd))
		return rt_mmap(fd, memsize, err);
	p = nmi_real_mmap(NULL, memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
			  fd, 0);
	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	*err = 0;
	return p;
}

int nmb_munmap(int fd, void *addr, size_t memsize)
{
	if (rt_is_fd(fd))
		return 0;	/* the runtime's regions stay mapped */
	return nmi_real_munmap(addr, memsize) ? -errno : 0;
}

int nmb_close(int fd)
{
	if (rt_is_fd(fd))
		return rt_close(fd);
	return nmi_real_close(fd) ? -errno : 0;
}

/* ---------------------------------------------------------------- */
/* Public entry points                                              */
/* ---------------------------------------------------------------- */

int nm_ioctl(int fd, unsigned long request, void *arg)
{
	int err = nmb_ioctl(fd, request, arg);

	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/*
 * poll(2) for netmap descriptors of either backend, mixed with any other
 * descriptors: the one wait behind nm_poll() and the poll, ppoll,
 * select, pselect and epoll_wait wrappers (lib/interpose.c).  Kernel
 * descriptors are polled by the kernel; runtime descriptors get the
 * processing netmap's poll does (syncs, then readiness on cur/tail), a
 * short adaptive spin, and a sleep that their peers end only when the
 * process armed it, so that nobody makes a system call while nobody
 * sleeps (lib/rt/rt_poll.c).
 */
int nmb_poll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
	     const sigset_t *sigmask, const struct nmb_poll_filter *filter)
{
	char stackrt[16], *is_rt = stackrt;
	int any_rt = 0, ready;
	nfds_t i;

	if (nfds > 16) {
		is_rt = calloc(nfds, 1);
		if (!is_rt) {
			errno = ENOMEM;
			return -1;
		}
	}
	for (i = 0; i < nfds; i++) {
		is_rt[i] = fds[i].fd >= 0 && rt_is_fd(fds[i].fd);
		any_rt |= is_rt[i];
	}
	if (any_rt) {
		/* A POLLERR's detail (a NIC down or removed) is this call's own. */
		nmb_clear_detail();
		ready = rt_poll(fds, nfds, is_rt, timeout, sigmask, filter);
	} else {
		ready = nmi_real_ppoll(fds, nfds, timeout, sigmask);
	}
	if (is_rt != stackrt)
		free(is_rt);
	return ready;
}

int nm_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec ts;

	if (timeout < 0)
		return nmb_poll(fds, nfds, NULL, NULL, NULL);
	ts.tv_sec = timeout / 1000;
	ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
	return nmb_poll(fds, nfds, &ts, NULL, NULL);
}

/*
 * A bare control descriptor of the selected backend, for requests that
 * do not bind a port (VALE_LIST, PORT_INFO_GET, VALE_ATTACH...).
 */
int nm_control_open(void)
{
	int fd = nmb_open();

	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

int nm_control_close(int fd)
{
	int err = nmb_close(fd);

	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

const char *nm_control_backend(int fd)
{
	return nmb_kind_name(nmb_kind_of(fd));
}

/* Remove the user runtime's files when no process uses them. */
int nm_runtime_cleanup(void)
{
	return rt_cleanup();
}
