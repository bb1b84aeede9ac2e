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
#include <time.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_user.h>

#include "backend.h"
#include "libnetmap.h"
#include "rt/runtime.h"

int nmb_open(void)
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
		fd = open(NETMAP_DEVICE_NAME, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (want && !strcmp(want, "kernel"))
			return -errno;
	}
	return rt_open();
}

enum nmb_kind nmb_kind_of(int fd)
{
	return rt_is_fd(fd) ? NMB_USER : NMB_KERNEL;
}

const char *nmb_kind_name(enum nmb_kind kind)
{
	return kind == NMB_USER ? "user" : "kernel";
}

int nmb_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (cmd != NIOCTXSYNC && cmd != NIOCRXSYNC)
		nmb_clear_detail();
	if (rt_is_fd(fd))
		return rt_ioctl(fd, cmd, arg);
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

void *nmb_mmap(int fd, size_t memsize, int *err)
{
	void *p;

	if (rt_is_fd(fd))
		return rt_mmap(fd, memsize, err);
	p = mmap(NULL, memsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
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
	return munmap(addr, memsize) ? -errno : 0;
}

int nmb_close(int fd)
{
	if (rt_is_fd(fd))
		return rt_close(fd);
	return close(fd) ? -errno : 0;
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

static long long nm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One pass over the runtime descriptors (the poll processing of the
 * spec) and a non-blocking look at the others.  Returns the number of
 * descriptors with events.
 */
static int nm_poll_pass(struct pollfd *fds, nfds_t nfds, const char *is_rt,
			struct pollfd *tmp)
{
	int ready = 0, r;
	nfds_t i, n = 0;

	for (i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (is_rt[i]) {
			short rev = rt_poll_scan(fds[i].fd, fds[i].events);

			fds[i].revents = rev & (fds[i].events | POLLERR |
						POLLHUP | POLLNVAL);
			if (fds[i].revents)
				ready++;
		} else {
			tmp[n++] = fds[i];
		}
	}
	if (n) {
		r = poll(tmp, n, 0);
		if (r < 0)
			return -1;
		for (i = 0, n = 0; i < nfds; i++) {
			if (is_rt[i])
				continue;
			fds[i].revents = tmp[n++].revents;
			if (fds[i].revents)
				ready++;
		}
	}
	return ready;
}

/*
 * poll(2) for netmap descriptors of either backend, mixed with any other
 * descriptors.  Runtime descriptors get the processing netmap's poll does
 * (syncs, then readiness on cur/tail); a process sleeps in the real
 * poll() only after telling its rings that it sleeps, so peers wake it
 * and nobody makes a system call while nobody sleeps.
 */
int nm_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct pollfd stackfds[16], *tmp = stackfds;
	char stackrt[16], *is_rt = stackrt;
	long long deadline = timeout > 0 ? nm_now_ms() + timeout : 0;
	int any_rt = 0, ready = -1, r;
	nfds_t i;

	if (nfds > 16) {
		tmp = calloc(nfds, sizeof(*tmp));
		is_rt = calloc(nfds, 1);
		if (!tmp || !is_rt) {
			free(tmp);
			free(is_rt);
			errno = ENOMEM;
			return -1;
		}
	}
	for (i = 0; i < nfds; i++) {
		is_rt[i] = fds[i].fd >= 0 && rt_is_fd(fds[i].fd);
		any_rt |= is_rt[i];
	}
	if (!any_rt) {
		ready = poll(fds, nfds, timeout);
		goto out;
	}
	for (;;) {
		int wait_ms;

		ready = nm_poll_pass(fds, nfds, is_rt, tmp);
		if (ready != 0 || timeout == 0)
			break;
		for (i = 0; i < nfds; i++)
			if (is_rt[i])
				rt_poll_arm(fds[i].fd, fds[i].events);
		/* Rescan after arming: a peer may have published meanwhile. */
		ready = nm_poll_pass(fds, nfds, is_rt, tmp);
		if (ready != 0)
			break;
		wait_ms = -1;
		if (timeout > 0) {
			long long left = deadline - nm_now_ms();

			if (left <= 0)
				break;
			wait_ms = (int)left;
		}
		for (i = 0; i < nfds; i++) {
			tmp[i].fd = fds[i].fd;
			tmp[i].events = is_rt[i] ? POLLIN : fds[i].events;
			tmp[i].revents = 0;
		}
		r = poll(tmp, nfds, wait_ms);
		if (r < 0) {
			ready = -1;
			break;
		}
		for (i = 0; i < nfds; i++)
			if (is_rt[i] && (tmp[i].revents & POLLIN))
				rt_poll_drain(fds[i].fd);
	}
out:
	if (tmp != stackfds) {
		free(tmp);
		free(is_rt);
	}
	return ready;
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
