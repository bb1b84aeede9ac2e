/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libnetmap: the C library's own entry points, for code of
 * the library that must not go through the wrappers of lib/interpose.c
 * (which define open, close, ioctl, mmap, poll ... themselves, so that
 * unmodified programs reach the user runtime).
 *
 * Each function behaves exactly as the libc call of the same name and
 * sets errno the same way.
 */
#ifndef LIB_INTERPOSE_H
#define LIB_INTERPOSE_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

int nmi_real_open(const char *path, int flags, mode_t mode);
int nmi_real_close(int fd);
int nmi_real_ioctl(int fd, unsigned long request, void *arg);
void *nmi_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off);
int nmi_real_munmap(void *addr, size_t len);
int nmi_real_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int nmi_real_ppoll(struct pollfd *fds, nfds_t nfds,
		   const struct timespec *timeout, const sigset_t *sigmask);

#endif /* LIB_INTERPOSE_H */
