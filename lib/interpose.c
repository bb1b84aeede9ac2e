// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unmodified netmap programs on the user runtime.
 *
 * A program written for netmap opens /dev/netmap, issues NIOCREGIF or
 * NIOCCTRL with ioctl(), mmaps the descriptor, sleeps in poll(), select()
 * or epoll_wait() and syncs with ioctl(NIOCTXSYNC/NIOCRXSYNC).  On the
 * user runtime there is no device: this file defines those C library
 * functions, so that they serve runtime descriptors exactly as the
 * kernel module serves its own, and hands every other call to the C
 * library unchanged.  They are reached two ways:
 *
 *  - programs linked with -lnetmap: libnetmap.so exports them and comes
 *    before libc in the dynamic linker's search order;
 *  - any other dynamically linked program (its own copy of netmap code,
 *    a language binding): LD_PRELOAD=libnetmap.so.0, which the
 *    netmap-run wrapper sets.
 *
 * The rules (which calls, what each does, what is not supported) are in
 * docs/ARCHITECTURE.md, "Unmodified programs".  Cost for everything
 * else: while this process has no runtime descriptor (rt_fd_count is 0)
 * each wrapper makes one test and one indirect call; with some open, the
 * descriptor-based ones look the descriptor up in a table first.
 *
 * The C library's own functions are found with dlsym(RTLD_NEXT) (so that
 * preloading composes with other preloaded libraries); in a program
 * without a dynamic linker they are replaced by the system calls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_user.h>

#include "backend.h"
#include "interpose.h"
#include "libnetmap.h"
#include "rt/runtime.h"

/* ---------------------------------------------------------------- */
/* The C library's functions                                        */
/* ---------------------------------------------------------------- */

static struct {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *,
		     const sigset_t *);
	int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
	int (*pselect)(int, fd_set *, fd_set *, fd_set *,
		       const struct timespec *, const sigset_t *);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*epoll_wait)(int, struct epoll_event *, int, int);
	int (*epoll_pwait)(int, struct epoll_event *, int, int,
			   const sigset_t *);
	int (*epoll_pwait2)(int, struct epoll_event *, int,
			    const struct timespec *, const sigset_t *);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*close_range)(unsigned int, unsigned int, int);
	pid_t (*fork)(void);
} real;

/*
 * Look name up once; racing threads store the same value.  NULL when
 * there is no dynamic linker (a static program): callers then use the
 * system call.
 */
static void *nmi_lookup(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		if (p)
			__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	}
	return p;
}

#define REAL(name)							\
	(__builtin_expect(real.name != NULL, 1) ? real.name :		\
	 (__typeof__(real.name))nmi_lookup((void **)&real.name, #name))

/*
 * Pass a call straight to the C library: the cached function when
 * known (a tail call), else nmi_real_<name>() with its fallback.
 */
#define PASS(name, ...)							\
	do {								\
		__typeof__(real.name) f_ = REAL(name);			\
		if (__builtin_expect(f_ != NULL, 1))			\
			return f_(__VA_ARGS__);				\
		return nmi_real_##name(__VA_ARGS__);			\
	} while (0)

int nmi_real_open(const char *path, int flags, mode_t mode)
{
	__typeof__(real.open) f = REAL(open);

	if (f)
		return f(path, flags, mode);
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

int nmi_real_close(int fd)
{
	__typeof__(real.close) f = REAL(close);

	return f ? f(fd) : (int)syscall(SYS_close, fd);
}

int nmi_real_ioctl(int fd, unsigned long request, void *arg)
{
	__typeof__(real.ioctl) f = REAL(ioctl);

	return f ? f(fd, request, arg) : (int)syscall(SYS_ioctl, fd, request,
						      arg);
}

void *nmi_real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	__typeof__(real.mmap) f = REAL(mmap);

	if (f)
		return f(addr, len, prot, flags, fd, off);
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int nmi_real_munmap(void *addr, size_t len)
{
	__typeof__(real.munmap) f = REAL(munmap);

	return f ? f(addr, len) : (int)syscall(SYS_munmap, addr, len);
}

int nmi_real_ppoll(struct pollfd *fds, nfds_t nfds,
		   const struct timespec *timeout, const sigset_t *sigmask)
{
	__typeof__(real.ppoll) f = REAL(ppoll);
	struct timespec t;

	if (f)
		return f(fds, nfds, timeout, sigmask);
	if (timeout)
		t = *timeout;	/* the system call writes it back */
	return (int)syscall(SYS_ppoll, fds, nfds, timeout ? &t : NULL,
			    sigmask, _NSIG / 8);
}

int nmi_real_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	__typeof__(real.poll) f = REAL(poll);
	struct timespec t;

	if (f)
		return f(fds, nfds, timeout);
	t.tv_sec = timeout / 1000;
	t.tv_nsec = (long)(timeout % 1000) * 1000000L;
	return nmi_real_ppoll(fds, nfds, timeout < 0 ? NULL : &t, NULL);
}

/* ---------------------------------------------------------------- */
/* Which descriptors are the runtime's                              */
/* ---------------------------------------------------------------- */

static inline int nmi_active(void)
{
	return __atomic_load_n(&rt_fd_count, __ATOMIC_RELAXED) != 0;
}

static inline int nmi_is_rt(int fd)
{
	return nmi_active() && rt_is_fd(fd);
}

static int nmi_fail(int err)
{
	errno = err;
	return -1;
}

/* ---------------------------------------------------------------- */
/* epoll sets holding runtime descriptors                           */
/* ---------------------------------------------------------------- */

/*
 * A runtime descriptor added to an epoll set is registered in the
 * kernel's set with no events (so that EEXIST, ENOENT, EBADF and EPERM
 * come from the kernel, and it never shows in the kernel's results) and
 * recorded here with the application's events and data.  epoll_wait()
 * on a set with such entries runs nmb_poll() over them plus the epoll
 * descriptor itself, then collects the kernel's own events.
 */
struct nmi_epent {
	int fd;
	uint32_t events;	/* EPOLLIN, EPOLLOUT, EPOLLET, EPOLLONESHOT */
	epoll_data_t data;
	int disabled;		/* EPOLLONESHOT fired; until EPOLL_CTL_MOD */
	int marked;		/* EPOLLET: mark holds the last reported state */
	uint64_t mark;
};

struct nmi_epset {
	struct nmi_epset *next;
	int epfd;
	int n, cap;
	unsigned int rotor;	/* where the next report starts */
	struct nmi_epent *ents;
};

static pthread_mutex_t nmi_ep_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nmi_epset *nmi_ep_sets;
static int nmi_ep_count;	/* sets in nmi_ep_sets, read without the lock */

static struct nmi_epset *nmi_epset_find(int epfd)
{
	struct nmi_epset *s;

	for (s = nmi_ep_sets; s; s = s->next)
		if (s->epfd == epfd)
			return s;
	return NULL;
}

static struct nmi_epent *nmi_epent_find(struct nmi_epset *s, int fd)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ents[i].fd == fd)
			return &s->ents[i];
	return NULL;
}

static void nmi_epset_free(struct nmi_epset *s)
{
	struct nmi_epset **pp;

	for (pp = &nmi_ep_sets; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s->ents);
	free(s);
	__atomic_store_n(&nmi_ep_count, nmi_ep_count - 1, __ATOMIC_RELAXED);
}

static void nmi_epent_remove(struct nmi_epset *s, struct nmi_epent *e)
{
	*e = s->ents[--s->n];
	if (!s->n)
		nmi_epset_free(s);
}

/* Record (or update) a registration; the kernel accepted it already. */
static int nmi_ep_record(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct nmi_epset *s;
	struct nmi_epent *e;
	int err = 0;

	pthread_mutex_lock(&nmi_ep_lock);
	s = nmi_epset_find(epfd);
	e = s ? nmi_epent_find(s, fd) : NULL;
	if (op == EPOLL_CTL_DEL) {
		if (e)
			nmi_epent_remove(s, e);
		goto out;
	}
	if (!e) {
		if (!s) {
			s = calloc(1, sizeof(*s));
			if (!s) {
				err = ENOMEM;
				goto out;
			}
			s->epfd = epfd;
			s->next = nmi_ep_sets;
			nmi_ep_sets = s;
			__atomic_store_n(&nmi_ep_count, nmi_ep_count + 1,
					 __ATOMIC_RELAXED);
		}
		if (s->n == s->cap) {
			int cap = s->cap ? 2 * s->cap : 4;
			void *p = realloc(s->ents, cap * sizeof(*s->ents));

			if (!p) {
				err = ENOMEM;
				if (!s->n)
					nmi_epset_free(s);
				goto out;
			}
			s->ents = p;
			s->cap = cap;
		}
		e = &s->ents[s->n++];
		e->fd = fd;
	}
	e->events = ev->events;
	e->data = ev->data;
	e->disabled = 0;
	e->marked = 0;
out:
	pthread_mutex_unlock(&nmi_ep_lock);
	return err;
}

/* fd is closed: the kernel drops its registrations, and so do we. */
static void nmi_ep_forget_fd(int fd)
{
	struct nmi_epset *s, *next;
	struct nmi_epent *e;

	if (!__atomic_load_n(&nmi_ep_count, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&nmi_ep_lock);
	for (s = nmi_ep_sets; s; s = next) {
		next = s->next;
		if (s->epfd == fd) {
			nmi_epset_free(s);
			continue;
		}
		e = nmi_epent_find(s, fd);
		if (e)
			nmi_epent_remove(s, e);
	}
	pthread_mutex_unlock(&nmi_ep_lock);
}

static short nmi_ep_to_poll(uint32_t ev)
{
	short p = 0;

	if (ev & (EPOLLIN | EPOLLRDNORM))
		p |= POLLIN;
	if (ev & (EPOLLOUT | EPOLLWRNORM))
		p |= POLLOUT;
	return p;
}

static uint32_t nmi_poll_to_ep(short rev)
{
	uint32_t e = 0;

	if (rev & (POLLIN | POLLRDNORM))
		e |= EPOLLIN;
	if (rev & (POLLOUT | POLLWRNORM))
		e |= EPOLLOUT;
	if (rev & POLLERR)
		e |= EPOLLERR;
	if (rev & POLLHUP)
		e |= EPOLLHUP;
	return e;
}

/* One epoll_wait's copy of the entries, so that the lock is not held. */
struct nmi_epwait {
	struct nmi_epent *ents;
	int n;
	uint64_t *marks;	/* ring positions when found ready */
	char *idle;		/* found not ready at some pass */
};

/*
 * nmb_poll filter: an edge-triggered entry reports only when its rings
 * moved since it was last reported (or it was seen idle in between).
 */
static short nmi_ep_filter(void *arg, nfds_t i, short revents)
{
	struct nmi_epwait *w = arg;
	struct nmi_epent *e;

	e = &w->ents[i];
	if (!(e->events & EPOLLET))
		return revents;
	if (!revents) {
		w->idle[i] = 1;
		e->marked = 0;
		return 0;
	}
	w->marks[i] = rt_poll_mark(e->fd, nmi_ep_to_poll(e->events));
	if (e->marked && w->marks[i] == e->mark)
		return 0;
	return revents;
}

static int nmi_real_epoll_pwait(int epfd, struct epoll_event *events,
				int maxevents, int timeout,
				const sigset_t *sigmask);
static int nmi_real_epoll_pwait2(int epfd, struct epoll_event *events,
				 int maxevents, const struct timespec *timeout,
				 const sigset_t *sigmask);

/* Time left until deadline (CLOCK_MONOTONIC ns), at least 0. */
static void nmi_left(long long deadline, struct timespec *left)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = deadline - (now.tv_sec * 1000000000LL + now.tv_nsec);
	if (ns < 0)
		ns = 0;
	left->tv_sec = ns / 1000000000LL;
	left->tv_nsec = ns % 1000000000LL;
}

/*
 * Copy the runtime entries of set epfd into w and fds (plus epfd itself
 * last).  Returns 1, 0 when the set has no runtime entry any more, or
 * -1 (ENOMEM).
 */
static int nmi_ep_snapshot(int epfd, struct nmi_epwait *w,
			   struct pollfd **pfds, int *rotor)
{
	struct nmi_epset *s;
	int i;

	free(w->ents);
	free(w->marks);
	free(w->idle);
	free(*pfds);
	w->ents = NULL;
	w->marks = NULL;
	w->idle = NULL;
	*pfds = NULL;
	pthread_mutex_lock(&nmi_ep_lock);
	s = nmi_epset_find(epfd);
	if (!s) {
		pthread_mutex_unlock(&nmi_ep_lock);
		return 0;
	}
	w->n = s->n;
	w->ents = malloc(s->n * sizeof(*w->ents));
	w->marks = calloc(s->n, sizeof(*w->marks));
	w->idle = calloc(s->n, 1);
	*pfds = calloc(s->n + 1, sizeof(**pfds));
	if (!w->ents || !w->marks || !w->idle || !*pfds) {
		pthread_mutex_unlock(&nmi_ep_lock);
		return nmi_fail(ENOMEM);
	}
	memcpy(w->ents, s->ents, s->n * sizeof(*w->ents));
	*rotor = (int)(s->rotor++ % (unsigned int)s->n);
	pthread_mutex_unlock(&nmi_ep_lock);
	for (i = 0; i < w->n; i++) {
		(*pfds)[i].fd = w->ents[i].disabled ? -1 : w->ents[i].fd;
		(*pfds)[i].events = nmi_ep_to_poll(w->ents[i].events);
	}
	(*pfds)[w->n].fd = epfd;
	(*pfds)[w->n].events = POLLIN;
	return 1;
}

/*
 * Turn the runtime entries nmb_poll() found ready into events, starting
 * at rotor so that a full events array does not always favour the same
 * ones, and update the live entries (one-shot, edge marks).
 */
static int nmi_ep_collect(int epfd, struct nmi_epwait *w,
			  const struct pollfd *fds, int rotor,
			  struct epoll_event *events, int maxevents)
{
	struct nmi_epset *s;
	struct nmi_epent *e;
	int i, k, n = 0;

	pthread_mutex_lock(&nmi_ep_lock);
	s = nmi_epset_find(epfd);
	for (k = 0; k < w->n; k++) {
		i = (k + rotor) % w->n;
		e = s ? nmi_epent_find(s, w->ents[i].fd) : NULL;
		if (!fds[i].revents) {
			/* Seen idle: its next readiness is an edge. */
			if (e && w->idle[i])
				e->marked = 0;
			continue;
		}
		if (n == maxevents)
			continue;
		events[n].events = nmi_poll_to_ep(fds[i].revents);
		events[n].data = w->ents[i].data;
		n++;
		if (!e)
			continue;
		if (e->events & EPOLLONESHOT)
			e->disabled = 1;
		if (e->events & EPOLLET) {
			e->marked = 1;
			e->mark = w->marks[i];
		}
	}
	pthread_mutex_unlock(&nmi_ep_lock);
	return n;
}

static int nmi_epoll_wait(int epfd, struct epoll_event *events,
			  int maxevents, const struct timespec *timeout,
			  const sigset_t *sigmask)
{
	struct nmi_epwait w = { NULL, 0, NULL, NULL };
	struct nmb_poll_filter filter = { nmi_ep_filter, &w };
	struct pollfd *fds = NULL;
	struct timespec left, *wait = NULL;
	long long deadline = 0;
	int n, r, rotor = 0;

	if (maxevents <= 0 || maxevents > INT_MAX / (int)sizeof(*events))
		return nmi_fail(EINVAL);
	if (timeout) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		deadline = (now.tv_sec + timeout->tv_sec) * 1000000000LL +
			   now.tv_nsec + timeout->tv_nsec;
	}
	for (;;) {
		if (timeout) {
			nmi_left(deadline, &left);
			wait = &left;
		}
		r = nmi_ep_snapshot(epfd, &w, &fds, &rotor);
		if (r <= 0)
			break;
		r = nmb_poll(fds, (nfds_t)w.n + 1, wait, sigmask, &filter);
		if (r < 0) {
			n = -1;
			goto out;
		}
		/* The runtime's entries first, then the kernel's. */
		n = nmi_ep_collect(epfd, &w, fds, rotor, events, maxevents);
		if (n < maxevents && (fds[w.n].revents & POLLIN)) {
			int k = nmi_real_epoll_pwait(epfd, events + n,
						     maxevents - n, 0, NULL);

			if (k > 0)
				n += k;
			else if (k < 0 && !n)
				goto out;	/* n = -1, errno set */
		}
		if (n)
			goto out;
		if (fds[w.n].revents & (POLLERR | POLLNVAL)) {
			n = nmi_fail(EBADF);
			goto out;
		}
		if (r == 0)
			goto out;	/* timed out */
		/* epfd was readable but another thread took its events. */
	}
	if (r < 0) {
		n = -1;
		goto out;
	}
	/* No runtime entry left in the set: the kernel's epoll alone. */
	n = nmi_real_epoll_pwait2(epfd, events, maxevents, wait, sigmask);
out:
	free(w.ents);
	free(w.marks);
	free(w.idle);
	free(fds);
	return n;
}

/* Does epfd hold runtime descriptors (the fast test, then the lookup)? */
static int nmi_ep_has_rt(int epfd)
{
	int found;

	if (!__atomic_load_n(&nmi_ep_count, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&nmi_ep_lock);
	found = nmi_epset_find(epfd) != NULL;
	pthread_mutex_unlock(&nmi_ep_lock);
	return found;
}

/* ---------------------------------------------------------------- */
/* open                                                             */
/* ---------------------------------------------------------------- */

static int nmi_is_device(const char *path)
{
	return path && path[0] == '/' && !strcmp(path, NETMAP_DEVICE_NAME);
}

static int nmi_open_device(int flags)
{
	int fd = nmb_open_flags(flags);

	return fd < 0 ? nmi_fail(-fd) : fd;
}

/* The mode argument of an open-like call, present with O_CREAT or O_TMPFILE. */
#define NMI_MODE_ARG(flags, mode)					\
	do {								\
		va_list ap_;						\
		va_start(ap_, flags);					\
		mode = ((flags) & (O_CREAT | O_TMPFILE)) ?		\
			(mode_t)va_arg(ap_, int) : 0;			\
		va_end(ap_);						\
	} while (0)

/* Every open-like wrapper: the device is ours, other paths libc's. */
static int nmi_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	__typeof__(real.openat) f;

	if (nmi_is_device(path))
		return nmi_open_device(flags);
	if (dirfd == AT_FDCWD)
		return nmi_real_open(path, flags, mode);
	f = REAL(openat);
	if (f)
		return f(dirfd, path, flags, mode);
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode;

	NMI_MODE_ARG(flags, mode);
	return nmi_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode;

	NMI_MODE_ARG(flags, mode);
	return nmi_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	NMI_MODE_ARG(flags, mode);
	return nmi_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	NMI_MODE_ARG(flags, mode);
	return nmi_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE's open() when flags are not a compile-time constant. */
int __open_2(const char *path, int flags)
{
	return nmi_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return nmi_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return nmi_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return nmi_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

/* ---------------------------------------------------------------- */
/* close, dup, fcntl                                                */
/* ---------------------------------------------------------------- */

int close(int fd)
{
	if (__atomic_load_n(&nmi_ep_count, __ATOMIC_RELAXED))
		nmi_ep_forget_fd(fd);
	if (nmi_is_rt(fd)) {
		int err = rt_close(fd);

		return err ? nmi_fail(-err) : 0;
	}
	PASS(close, fd);
}

/* newfd now names oldfd's file: keep the runtime's table in step. */
static int nmi_dup_done(int oldfd, int newfd)
{
	int err;

	if (newfd < 0 || !nmi_is_rt(oldfd))
		return newfd;
	err = rt_dup(oldfd, newfd);
	if (err) {
		nmi_real_close(newfd);
		return nmi_fail(-err);
	}
	return newfd;
}

int dup(int oldfd)
{
	__typeof__(real.dup) f = REAL(dup);
	int fd = f ? f(oldfd) : (int)syscall(SYS_dup, oldfd);

	return nmi_dup_done(oldfd, fd);
}

/* dup2/dup3 onto newfd closes what newfd named before. */
static int nmi_dup_onto(int oldfd, int newfd, int fd)
{
	if (fd < 0 || oldfd == newfd)
		return fd;
	if (__atomic_load_n(&nmi_ep_count, __ATOMIC_RELAXED))
		nmi_ep_forget_fd(newfd);
	if (nmi_is_rt(newfd))
		rt_forget(newfd);
	return nmi_dup_done(oldfd, fd);
}

int dup2(int oldfd, int newfd)
{
	__typeof__(real.dup2) f = REAL(dup2);
	int fd = f ? f(oldfd, newfd) : (int)syscall(SYS_dup2, oldfd, newfd);

	return nmi_dup_onto(oldfd, newfd, fd);
}

int dup3(int oldfd, int newfd, int flags)
{
	__typeof__(real.dup3) f = REAL(dup3);
	int fd = f ? f(oldfd, newfd, flags) :
		     (int)syscall(SYS_dup3, oldfd, newfd, flags);

	return nmi_dup_onto(oldfd, newfd, fd);
}

static int nmi_fcntl(int fd, int cmd, void *arg)
{
	__typeof__(real.fcntl) f = REAL(fcntl);
	int r = f ? f(fd, cmd, arg) : (int)syscall(SYS_fcntl, fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return nmi_dup_done(fd, r);
	return r;
}

/* The optional argument of fcntl and ioctl, read as the kernel does. */
#define NMI_PTR_ARG(last, arg)						\
	do {								\
		va_list ap_;						\
		va_start(ap_, last);					\
		arg = va_arg(ap_, void *);				\
		va_end(ap_);						\
	} while (0)

int fcntl(int fd, int cmd, ...)
{
	void *arg;

	NMI_PTR_ARG(cmd, arg);
	return nmi_fcntl(fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	void *arg;

	NMI_PTR_ARG(cmd, arg);
	return nmi_fcntl(fd, cmd, arg);
}

/* Runtime descriptors in [first, last] are closed by the caller. */
static void nmi_close_rt_range(unsigned int first, unsigned int last)
{
	unsigned int fd;

	if (!nmi_active())
		return;
	for (fd = first; fd <= last && fd < 65536; fd++)
		if (rt_is_fd((int)fd))
			close((int)fd);
}

int close_range(unsigned int first, unsigned int last, int flags)
{
	__typeof__(real.close_range) f = REAL(close_range);

	if (!(flags & CLOSE_RANGE_CLOEXEC))
		nmi_close_rt_range(first, last);
	if (f)
		return f(first, last, flags);
	return (int)syscall(SYS_close_range, first, last, flags);
}

void closefrom(int lowfd)
{
	if (lowfd >= 0)
		close_range((unsigned int)lowfd, ~0U, 0);
}

/* ---------------------------------------------------------------- */
/* ioctl, mmap, munmap                                              */
/* ---------------------------------------------------------------- */

int ioctl(int fd, unsigned long request, ...)
{
	void *arg;

	NMI_PTR_ARG(request, arg);
	if (nmi_is_rt(fd)) {
		int err = nmb_ioctl(fd, request, arg);

		return err ? nmi_fail(-err) : 0;
	}
	PASS(ioctl, fd, request, arg);
}

/*
 * The region is mapped in every process already: mmap of a runtime
 * descriptor returns its address (plus a page-aligned offset, as the
 * kernel allows), whatever address hint was given.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;
	int err;

	if (!nmi_is_rt(fd))
		PASS(mmap, addr, len, prot, flags, fd, off);
	if (off < 0 || (off & (sysconf(_SC_PAGESIZE) - 1)) || !len ||
	    (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) ||
	    (size_t)off > SIZE_MAX - len) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = nmb_mmap(fd, (size_t)off + len, &err);
	if (!p) {
		errno = -err;
		return MAP_FAILED;
	}
	return (char *)p + off;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	if (nmi_active() && rt_owns_range(addr, len))
		return 0;	/* the runtime's regions stay mapped */
	PASS(munmap, addr, len);
}

/* ---------------------------------------------------------------- */
/* poll, ppoll, select, pselect                                     */
/* ---------------------------------------------------------------- */

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (!nmi_active())
		PASS(poll, fds, nfds, timeout);
	return nm_poll(fds, nfds, timeout);
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
	  const sigset_t *sigmask)
{
	if (!nmi_active())
		PASS(ppoll, fds, nfds, timeout, sigmask);
	if (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
			timeout->tv_nsec >= 1000000000L))
		return nmi_fail(EINVAL);
	return nmb_poll(fds, nfds, timeout, sigmask, NULL);
}

extern void __chk_fail(void) __attribute__((noreturn));

int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < nfds)
		__chk_fail();
	return poll(fds, nfds, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t nfds,
		const struct timespec *timeout, const sigset_t *sigmask,
		size_t fdslen)
{
	if (fdslen / sizeof(*fds) < nfds)
		__chk_fail();
	return ppoll(fds, nfds, timeout, sigmask);
}

/* Does any set name a runtime descriptor? */
static int nmi_sets_have_rt(int nfds, fd_set *r, fd_set *w, fd_set *e)
{
	int fd;

	if (!nmi_active())
		return 0;
	for (fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
		if (((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) ||
		     (e && FD_ISSET(fd, e))) && rt_is_fd(fd))
			return 1;
	return 0;
}

/*
 * select over runtime descriptors: the sets become a poll list for
 * nmb_poll() and back, with the kernel's mapping of poll events to the
 * three sets.
 */
static int nmi_select(int nfds, fd_set *r, fd_set *w, fd_set *e,
		      const struct timespec *timeout, const sigset_t *sigmask)
{
	struct pollfd *fds;
	int fd, n = 0, i, ready;

	if (nfds < 0 || nfds > FD_SETSIZE)
		return nmi_fail(EINVAL);
	fds = calloc((size_t)nfds + 1, sizeof(*fds));
	if (!fds)
		return nmi_fail(ENOMEM);
	for (fd = 0; fd < nfds; fd++) {
		short ev = 0;

		if (r && FD_ISSET(fd, r))
			ev |= POLLIN;
		if (w && FD_ISSET(fd, w))
			ev |= POLLOUT;
		if (e && FD_ISSET(fd, e))
			ev |= POLLPRI;
		if (!ev)
			continue;
		fds[n].fd = fd;
		fds[n].events = ev;
		n++;
	}
	ready = nmb_poll(fds, (nfds_t)n, timeout, sigmask, NULL);
	if (ready < 0) {
		free(fds);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (fds[i].revents & POLLNVAL) {
			free(fds);
			return nmi_fail(EBADF);
		}
	}
	if (r)
		FD_ZERO(r);
	if (w)
		FD_ZERO(w);
	if (e)
		FD_ZERO(e);
	ready = 0;
	for (i = 0; i < n; i++) {
		short rev = fds[i].revents;

		if (r && (fds[i].events & POLLIN) &&
		    (rev & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(fds[i].fd, r);
			ready++;
		}
		if (w && (fds[i].events & POLLOUT) &&
		    (rev & (POLLOUT | POLLERR))) {
			FD_SET(fds[i].fd, w);
			ready++;
		}
		if (e && (fds[i].events & POLLPRI) && (rev & POLLPRI)) {
			FD_SET(fds[i].fd, e);
			ready++;
		}
	}
	free(fds);
	return ready;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts, start, now;
	int ready;

	if (!nmi_sets_have_rt(nfds, r, w, e)) {
		__typeof__(real.select) f = REAL(select);

		if (f)
			return f(nfds, r, w, e, tv);
		return (int)syscall(SYS_select, nfds, r, w, e, tv);
	}
	if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0))
		return nmi_fail(EINVAL);
	if (tv) {
		ts.tv_sec = tv->tv_sec + tv->tv_usec / 1000000;
		ts.tv_nsec = (tv->tv_usec % 1000000) * 1000L;
		clock_gettime(CLOCK_MONOTONIC, &start);
	}
	ready = nmi_select(nfds, r, w, e, tv ? &ts : NULL, NULL);
	if (tv) {
		/* Linux writes back the time left. */
		long long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (ts.tv_sec * 1000000000LL + ts.tv_nsec) -
		       ((now.tv_sec - start.tv_sec) * 1000000000LL +
			(now.tv_nsec - start.tv_nsec));
		if (left < 0)
			left = 0;
		tv->tv_sec = left / 1000000000LL;
		tv->tv_usec = (left % 1000000000LL) / 1000;
	}
	return ready;
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
	    const struct timespec *timeout, const sigset_t *sigmask)
{
	if (!nmi_sets_have_rt(nfds, r, w, e)) {
		__typeof__(real.pselect) f = REAL(pselect);
		struct {
			const sigset_t *ss;
			size_t len;
		} data = { sigmask, _NSIG / 8 };
		struct timespec t;

		if (f)
			return f(nfds, r, w, e, timeout, sigmask);
		if (timeout)
			t = *timeout;
		return (int)syscall(SYS_pselect6, nfds, r, w, e,
				    timeout ? &t : NULL, &data);
	}
	if (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
			timeout->tv_nsec >= 1000000000L))
		return nmi_fail(EINVAL);
	return nmi_select(nfds, r, w, e, timeout, sigmask);
}

/* ---------------------------------------------------------------- */
/* epoll                                                            */
/* ---------------------------------------------------------------- */

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	__typeof__(real.epoll_ctl) f = REAL(epoll_ctl);
	struct epoll_event none = { 0 };
	int r, err;

	if (!nmi_is_rt(fd))
		return f ? f(epfd, op, fd, event) :
			   (int)syscall(SYS_epoll_ctl, epfd, op, fd, event);
	if (op != EPOLL_CTL_DEL && !event)
		return nmi_fail(EFAULT);
	if (op != EPOLL_CTL_DEL)
		none.data = event->data;
	/* The kernel checks the request and keeps the membership. */
	r = f ? f(epfd, op, fd, &none) :
		(int)syscall(SYS_epoll_ctl, epfd, op, fd, &none);
	if (r)
		return r;
	err = nmi_ep_record(epfd, op, fd, event);
	if (err) {
		if (op == EPOLL_CTL_ADD)
			f ? f(epfd, EPOLL_CTL_DEL, fd, &none) :
			    (int)syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL,
					 fd, &none);
		return nmi_fail(err);
	}
	return 0;
}

static int nmi_real_epoll_pwait(int epfd, struct epoll_event *events,
				int maxevents, int timeout,
				const sigset_t *sigmask)
{
	__typeof__(real.epoll_pwait) f = REAL(epoll_pwait);

	if (f)
		return f(epfd, events, maxevents, timeout, sigmask);
	return (int)syscall(SYS_epoll_pwait, epfd, events, maxevents, timeout,
			    sigmask, _NSIG / 8);
}

static int nmi_real_epoll_pwait2(int epfd, struct epoll_event *events,
				 int maxevents, const struct timespec *timeout,
				 const sigset_t *sigmask)
{
	__typeof__(real.epoll_pwait2) f = REAL(epoll_pwait2);
	long long ms;

	if (f)
		return f(epfd, events, maxevents, timeout, sigmask);
#ifdef SYS_epoll_pwait2
	{
		struct timespec t;
		int r;

		if (timeout)
			t = *timeout;
		r = (int)syscall(SYS_epoll_pwait2, epfd, events, maxevents,
				 timeout ? &t : NULL, sigmask, _NSIG / 8);
		if (r >= 0 || errno != ENOSYS)
			return r;
	}
#endif
	/* Milliseconds, rounded up: never return before the timeout. */
	ms = timeout ? timeout->tv_sec * 1000LL +
		       (timeout->tv_nsec + 999999) / 1000000 : -1;
	if (ms > INT_MAX)
		ms = INT_MAX;
	return nmi_real_epoll_pwait(epfd, events, maxevents, (int)ms,
				    sigmask);
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents,
		int timeout, const sigset_t *sigmask)
{
	struct timespec ts;

	if (!nmi_ep_has_rt(epfd))
		return nmi_real_epoll_pwait(epfd, events, maxevents, timeout,
					    sigmask);
	ts.tv_sec = timeout / 1000;
	ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
	return nmi_epoll_wait(epfd, events, maxevents,
			      timeout < 0 ? NULL : &ts, sigmask);
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents,
	       int timeout)
{
	__typeof__(real.epoll_wait) f;

	if (nmi_ep_has_rt(epfd) || !(f = REAL(epoll_wait)))
		return epoll_pwait(epfd, events, maxevents, timeout, NULL);
	return f(epfd, events, maxevents, timeout);
}

int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
		 const struct timespec *timeout, const sigset_t *sigmask)
{
	if (!nmi_ep_has_rt(epfd))
		return nmi_real_epoll_pwait2(epfd, events, maxevents, timeout,
					     sigmask);
	if (timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
			timeout->tv_nsec >= 1000000000L))
		return nmi_fail(EINVAL);
	return nmi_epoll_wait(epfd, events, maxevents, timeout, sigmask);
}

/* ---------------------------------------------------------------- */
/* fork                                                             */
/* ---------------------------------------------------------------- */

/*
 * The child inherits the descriptors and holds their bindings as the
 * parent does (rt_fork_prepare and friends), so that either may close
 * first, as with the kernel's device.
 */
pid_t fork(void)
{
	__typeof__(real.fork) f = REAL(fork);
	int prepared = rt_fork_prepare();
	pid_t pid;

	pid = f ? f() : (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		rt_fork_child(prepared);
	else
		rt_fork_parent(prepared, pid);
	return pid;
}
