// SPDX-License-Identifier: BSD-2-Clause
/*
 * Guest ioctl fuzzer: random sequences of NIOCCTRL (every request type,
 * random option lists), the legacy ioctls, the sync ioctls, poll, mmap,
 * writes of random ring and slot contents, and close, from several
 * processes with several threads each, sharing their descriptors, on
 * /dev/netmap.  Output is TAP (guest group "fuzz").
 *
 * What must hold: every call returns, with success or one of the errno
 * values netmap documents (an unexpected one is reported with the call);
 * no process dies of a signal; afterwards the module still forwards a
 * frame and nothing is left (the guest then unloads the module, which
 * must report nothing leaked, and vm-check fails on any Oops, BUG,
 * WARNING, KASAN or lockdep line of the kernel log).
 *
 *   ioctl_fuzz [OPS [PROCS [THREADS [SEED [SECONDS]]]]]
 * OPS in total (default 1000000), PROCS processes (default 4) of THREADS
 * threads (default 2), stopping early after SECONDS (default 0: no time
 * limit).  The seed (default: the time) and the command that repeats the
 * run are printed first.  Threads interleave as the scheduler decides, so
 * a repeat runs the same operations, not always in the same order.
 *
 * At the end it prints where the time went, per kind of operation: what
 * decides how many operations a guest minute buys (vm-check's default
 * run is a budget of seconds, the long campaign one of operations).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_legacy.h>

#include "raw_ctrl.h"
#include "tap.h"

#define NFDS 6			/* descriptor slots per process */
#define MAX_ERRNO 160

/* ---------------------------------------------------------------- */
/* Random                                                           */
/* ---------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

/* Mostly small, sometimes anything. */
static uint32_t count(uint64_t *s, uint32_t small)
{
	switch (below(s, 8)) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)rnd(s);
	case 2:
		return 0xffff;
	default:
		return 1 + below(s, small);
	}
}

static const char *const names[] = {
	"valeF0:a", "valeF0:b", "valeF0:c", "valeF1:x", "valeF1:y",
	"valeF2:nmf0", "valeF3:nmf1", "fp{0", "fp}0", "fp{1", "fp}1",
	"nmf0{2", "nmf0}2", "nmf0", "nmf1", "nmf2", "", "vale", "valeF0:",
	"x{", "}", "valeF0:a{3", "valeFFFFFFFFFFFFFFFF:a", "lo", "nmf0%d",
};

/* ---------------------------------------------------------------- */
/* Shared state of one process                                      */
/* ---------------------------------------------------------------- */

struct slot {
	pthread_mutex_t lock;	/* held around open/close of fd */
	int fd;
	void *map;
	size_t maplen;
	uint64_t memsize, offset;
};

static struct slot slots[NFDS];
static volatile long ops_done;
static long ops_target;
static volatile int stop;
static struct timespec deadline;	/* tv_sec 0: none */

/* Kinds of operation, for the time report. */
enum op_kind {
	OP_OPEN, OP_CTRL_REG, OP_CTRL_NETDEV, OP_CTRL_OTHER, OP_LEGACY,
	OP_SYNC, OP_POLL, OP_MMAP, OP_RING, OP_BOGUS, OP_KINDS
};

static const char *const op_names[OP_KINDS] = {
	"open/close", "NIOCCTRL register/attach", "NIOCCTRL newif/delif",
	"NIOCCTRL other", "legacy", "sync", "poll", "mmap", "ring writes",
	"unknown ioctl",
};

/*
 * What a process reports to the parent: one write, smaller than
 * PIPE_BUF, so that the reports of several processes never interleave.
 */
struct report {
	long done;
	int bad_errno, bad_call;
	long count[OP_KINDS];	/* operations of each kind (all threads) */
	long ns[OP_KINDS];	/* and their time */
};

static struct report rep;

static long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Errors netmap documents (26), plus what the VM and kernel may say. */
static int errno_ok(int e)
{
	switch (e) {
	case 0: case EINVAL: case ENXIO: case EBUSY: case ENOMEM:
	case EFAULT: case EOPNOTSUPP: case EEXIST: case ENOENT: case ENODEV:
	case EMSGSIZE: case EIO: case EPERM: case EBADF: case ENOTTY:
	case EAGAIN: case EACCES:
		return 1;
	}
	return 0;
}

static volatile int bad_errno, bad_call;

static void note(int ret, int call)
{
	if (ret < 0 && !errno_ok(errno) && !bad_errno) {
		bad_errno = errno;
		bad_call = call;
	}
}

/* ---------------------------------------------------------------- */
/* Requests                                                         */
/* ---------------------------------------------------------------- */

struct reqbuf {
	struct nmreq_header h;
	uint8_t body[128];
	uint8_t opts[4][128];
};

/*
 * Keep most requests small: regions of hundreds of MB, many at once,
 * would only test the guest's memory, and a 1024-slot port (the default
 * of 0) costs a 40 MB region to allocate and zero under the control
 * lock, which every other request then waits for: under emulation that
 * is what the run's time would go to.
 */
static void small_geometry(uint64_t *s, uint32_t *tx_slots, uint32_t *rx_slots,
			   uint16_t *tx_rings, uint16_t *rx_rings)
{
	if (!*tx_slots && below(s, 8))
		*tx_slots = 64;
	if (!*rx_slots && below(s, 8))
		*rx_slots = 64;
	if (*tx_slots > 1024 && below(s, 16))
		*tx_slots = 64;
	if (*rx_slots > 1024 && below(s, 16))
		*rx_slots = 64;
	if (*tx_rings > 4 && below(s, 16))
		*tx_rings = 2;
	if (*rx_rings > 4 && below(s, 16))
		*rx_rings = 2;
}

static void rand_register(uint64_t *s, struct nmreq_register *r)
{
	static const uint32_t modes[] = { 1, 1, 1, 2, 3, 4, 5, 6, 7, 7, 0, 9 };

	memset(r, 0, sizeof(*r));
	r->nr_tx_slots = count(s, 128);
	r->nr_rx_slots = count(s, 128);
	r->nr_tx_rings = (uint16_t)count(s, 4);
	r->nr_rx_rings = (uint16_t)count(s, 4);
	r->nr_host_tx_rings = (uint16_t)below(s, 2);
	r->nr_mem_id = below(s, 4) ? 0 : (uint16_t)below(s, 12);
	r->nr_ringid = (uint16_t)below(s, 5);
	r->nr_mode = modes[below(s, sizeof(modes) / sizeof(modes[0]))];
	r->nr_extra_bufs = below(s, 4) ? 0 : count(s, 5000);
	r->nr_flags = below(s, 2) ? 0 : rnd(s) & 0x7fff;
	small_geometry(s, &r->nr_tx_slots, &r->nr_rx_slots, &r->nr_tx_rings,
		       &r->nr_rx_rings);
}

static void *bad_ptr(uint64_t *s, void *good)
{
	switch (below(s, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)16;
	case 2:
		return (void *)(uintptr_t)0xffffffffffff0000ull;
	default:
		return good;
	}
}

static void rand_options(uint64_t *s, struct reqbuf *b)
{
	uint32_t n = below(s, 3) ? 0 : below(s, 5), i;

	b->h.nr_options = 0;
	for (i = 0; i < n && i < 4; i++) {
		struct nmreq_option *o = (struct nmreq_option *)b->opts[i];
		static const uint32_t types[] = { 1, 2, 3, 4, 9, 9, 9, 0, 5, 77 };

		memset(b->opts[i], 0, sizeof(b->opts[i]));
		o->nro_reqtype = types[below(s, 10)];
		o->nro_size = below(s, 3) ? 0 : rnd(s) % 200;
		if (o->nro_reqtype == NETMAP_REQ_OPT_OFFSETS) {
			struct nmreq_opt_offsets *f = (void *)o;

			f->nro_max_offset = below(s, 3) ? below(s, 256) : rnd(s);
			f->nro_initial_offset = below(s, 64);
			f->nro_offset_bits = below(s, 70);
			f->nro_min_gap = below(s, 2) ? 0 : below(s, 4096);
		} else if (below(s, 4) == 0) {
			uint32_t k;

			for (k = sizeof(*o); k < sizeof(b->opts[i]); k++)
				b->opts[i][k] = (uint8_t)rnd(s);
		}
		o->nro_next = b->h.nr_options;
		b->h.nr_options = (uintptr_t)bad_ptr(s, o);
	}
}

static enum op_kind do_ctrl(uint64_t *s, int fd, struct slot *sl)
{
	struct reqbuf b;
	uint16_t type = below(s, 20) ? 1 + below(s, 15) : (uint16_t)rnd(s);
	int ret;

	memset(&b, 0, sizeof(b));
	b.h.nr_version = below(s, 30) ? NETMAP_API : (uint16_t)below(s, 20);
	b.h.nr_reqtype = type;
	snprintf(b.h.nr_name, sizeof(b.h.nr_name), "%s",
		 names[below(s, sizeof(names) / sizeof(names[0]))]);
	if (type == NETMAP_REQ_REGISTER || type == NETMAP_REQ_VALE_ATTACH) {
		rand_register(s, (struct nmreq_register *)b.body);
	} else if (below(s, 3) == 0) {
		uint32_t k;

		for (k = 0; k < 64; k++)
			b.body[k] = (uint8_t)(below(s, 4) ? 0 : rnd(s));
	} else {
		/* Plausible small numbers: mem ids, ring counts, header lengths. */
		((uint32_t *)b.body)[0] = below(s, 14);
		((uint32_t *)b.body)[2] = below(s, 4);
		/*
		 * POOLS_INFO_GET of a new port allocates its region (40 MB
		 * with the default geometry) to report it: mostly ask about
		 * ports in the global region.
		 */
		if (type == NETMAP_REQ_POOLS_INFO_GET && below(s, 16))
			((uint32_t *)b.body)[2] = 1;
	}
	b.h.nr_body = (uintptr_t)(below(s, 12) ? b.body : bad_ptr(s, b.body));
	if (type == NETMAP_REQ_VALE_DELIF || type == NETMAP_REQ_SYNC_KLOOP_STOP ||
	    type == NETMAP_REQ_CSB_ENABLE)
		b.h.nr_body = below(s, 8) ? 0 : b.h.nr_body;
	rand_options(s, &b);
	ret = ioctl(fd, NIOCCTRL, below(s, 40) ? (void *)&b.h : bad_ptr(s, &b.h));
	note(ret, 100 + type % 100);
	if (ret == 0 && type == NETMAP_REQ_REGISTER) {
		struct nmreq_register *r = (struct nmreq_register *)b.body;

		sl->memsize = r->nr_memsize;
		sl->offset = r->nr_offset;
	}
	if (type == NETMAP_REQ_REGISTER || type == NETMAP_REQ_VALE_ATTACH)
		return OP_CTRL_REG;
	if (type == NETMAP_REQ_VALE_NEWIF || type == NETMAP_REQ_VALE_DELIF)
		return OP_CTRL_NETDEV;
	return OP_CTRL_OTHER;
}

static int do_legacy(uint64_t *s, int fd, struct slot *sl)
{
	static const unsigned long cmds[] = { NIOCREGIF, NIOCGINFO, NIOCCONFIG };
	unsigned long cmd = cmds[below(s, 3)];
	union {
		struct nmreq r;
		struct nm_ifreq i;
	} u;
	int ret;

	memset(&u, 0, sizeof(u));
	snprintf(u.r.nr_name, sizeof(u.r.nr_name), "%s",
		 names[below(s, sizeof(names) / sizeof(names[0]))]);
	u.r.nr_version = below(s, 20) ? NETMAP_API : below(s, 16);
	u.r.nr_tx_slots = count(s, 256) % 1024;
	u.r.nr_rx_slots = count(s, 256) % 1024;
	u.r.nr_tx_rings = (uint16_t)count(s, 4);
	u.r.nr_rx_rings = (uint16_t)count(s, 4);
	small_geometry(s, &u.r.nr_tx_slots, &u.r.nr_rx_slots, &u.r.nr_tx_rings,
		       &u.r.nr_rx_rings);
	u.r.nr_ringid = (uint16_t)(below(s, 2) ? below(s, 4) : rnd(s));
	u.r.nr_cmd = below(s, 2) ? 0 : (uint16_t)below(s, 14);
	u.r.nr_arg1 = (uint16_t)below(s, 16);
	u.r.nr_arg2 = (uint16_t)(below(s, 4) ? 0 : below(s, 12));
	u.r.nr_arg3 = below(s, 4) ? 0 : below(s, 3000);
	u.r.nr_flags = below(s, 2) ? below(s, 8) : (uint32_t)rnd(s);
	ret = ioctl(fd, cmd, below(s, 40) ? (void *)&u : bad_ptr(s, &u));
	note(ret, 200 + (int)(cmd & 0xff));
	if (ret == 0 && cmd == NIOCREGIF && u.r.nr_cmd == 0) {
		sl->memsize = u.r.nr_memsize;
		sl->offset = u.r.nr_offset;
	}
	return ret;
}

/* A port name: one of the list, or up to 15 random bytes (no NUL). */
static void rand_name(uint64_t *s, char *name, size_t size)
{
	size_t n = below(s, size), k;

	if (below(s, 2)) {
		snprintf(name, size, "%s",
			 names[below(s, sizeof(names) / sizeof(names[0]))]);
		return;
	}
	for (k = 0; k < n; k++)
		name[k] = (char)(1 + below(s, 255));
	name[n] = '\0';
	if (n > 7 && below(s, 2))	/* a VALE port with a random name */
		memcpy(name, "valeF0:", 7);
}

/*
 * 'i' 140-159 with struct nmreq's size, among them the legacy NIOCGINFO
 * (145) and NIOCREGIF (146): random bytes of the operation's own (never
 * the fuzzer's state: those requests write a struct nmreq back).  One
 * time in two the bytes are made a request the legacy translation takes
 * (a version it accepts, a command, a name of the list or random
 * bytes), so that every other field of the legacy paths is garbage.
 */
static void do_bogus(uint64_t *s, int fd)
{
	union {
		struct nmreq r;
		uint8_t b[sizeof(struct nmreq) + 64];
	} u;
	unsigned long cmd = _IOWR('i', 140 + below(s, 20), struct nmreq);
	size_t k;

	for (k = 0; k < sizeof(u.b); k++)
		u.b[k] = (uint8_t)rnd(s);
	if (below(s, 2)) {
		if (below(s, 4))
			cmd = below(s, 4) ? NIOCREGIF : NIOCGINFO;
		u.r.nr_version = below(s, 4) ? NETMAP_API : (uint32_t)rnd(s);
		rand_name(s, u.r.nr_name, sizeof(u.r.nr_name));
		if (below(s, 8))
			u.r.nr_cmd = (uint16_t)below(s, 14);
		small_geometry(s, &u.r.nr_tx_slots, &u.r.nr_rx_slots,
			       &u.r.nr_tx_rings, &u.r.nr_rx_rings);
		if (below(s, 2))
			u.r.nr_arg3 = below(s, 3000);
		if (below(s, 2))
			u.r.nr_arg2 = (uint16_t)below(s, 12);
	}
	note(ioctl(fd, cmd, &u), 304);
}

/* Random head/cur/tail and slot contents into a mapped ring, then sync. */
static void scribble(uint64_t *s, struct slot *sl, int fd)
{
	struct netmap_if *nifp;
	struct netmap_ring *r;
	uint32_t n, k, i;

	if (!sl->map || sl->offset + sizeof(*nifp) > sl->maplen)
		return;
	nifp = (struct netmap_if *)((char *)sl->map + sl->offset);
	n = nifp->ni_tx_rings + nifp->ni_rx_rings + 2;
	if (n > 64)
		return;
	k = below(s, n);
	if (!nifp->ring_ofs[k] ||
	    sl->offset + nifp->ring_ofs[k] + sizeof(*r) > sl->maplen)
		return;
	r = (struct netmap_ring *)((char *)nifp + nifp->ring_ofs[k]);
	if ((char *)&r->slot[r->num_slots] > (char *)sl->map + sl->maplen)
		return;
	for (i = below(s, 4); i > 0 && r->num_slots; i--) {
		struct netmap_slot *x = &r->slot[below(s, r->num_slots)];

		x->buf_idx = below(s, 2) ? (uint32_t)rnd(s) : below(s, 20000);
		x->len = (uint16_t)rnd(s);
		x->flags = (uint16_t)rnd(s);
		x->ptr = below(s, 2) ? rnd(s) : 0;
	}
	*(uint32_t *)&r->head = below(s, 4) ? below(s, r->num_slots + 2) :
					      (uint32_t)rnd(s);
	*(uint32_t *)&r->cur = below(s, 2) ? r->head : (uint32_t)rnd(s);
	if (below(s, 4) == 0)
		*(uint32_t *)&r->tail = (uint32_t)rnd(s);
	note(ioctl(fd, below(s, 2) ? NIOCTXSYNC : NIOCRXSYNC, NULL), 300);
}

static enum op_kind one_op(uint64_t *s)
{
	struct slot *sl = &slots[below(s, NFDS)];
	int fd, what = (int)below(s, 100);

	/*
	 * The mix: 5% open/close, 30% NIOCCTRL, 10% legacy, 15% sync, 8%
	 * poll, 12% mmap, 17% ring writes then a sync, 3% unknown ioctls.
	 * Ring writes are the cheapest way to reach the data paths with
	 * garbage; control requests mostly wait for the control lock.
	 */
	if (what < 5) {		/* open or close */
		pthread_mutex_lock(&sl->lock);
		if (sl->map)
			munmap(sl->map, sl->maplen);
		sl->map = NULL;
		if (sl->fd >= 0)
			close(sl->fd);
		sl->fd = what < 3 ? open("/dev/netmap", O_RDWR | O_CLOEXEC) : -1;
		sl->memsize = sl->offset = 0;
		pthread_mutex_unlock(&sl->lock);
		return OP_OPEN;
	}
	fd = sl->fd;	/* may be closed meanwhile: EBADF, or another file */
	if (fd < 0)
		return OP_OPEN;
	if (what < 35) {
		return do_ctrl(s, fd, sl);
	} else if (what < 45) {
		do_legacy(s, fd, sl);
		return OP_LEGACY;
	} else if (what < 60) {
		note(ioctl(fd, below(s, 2) ? NIOCTXSYNC : NIOCRXSYNC, NULL), 301);
		return OP_SYNC;
	} else if (what < 68) {
		struct pollfd p = { .fd = fd, .events = (short)below(s, 8) };

		note(poll(&p, 1, 0), 302);
		return OP_POLL;
	} else if (what < 80) {
		size_t len = below(s, 3) ? sl->memsize : 4096 * (1 + below(s, 64));
		off_t off = below(s, 4) ? 0 : 4096 * (off_t)below(s, 64);
		void *m;

		if (!len || len > (1ull << 32))
			len = 4096;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		if (m == MAP_FAILED) {
			note(-1, 303);
			return OP_MMAP;
		}
		pthread_mutex_lock(&sl->lock);
		if (sl->map || off || sl->fd != fd) {
			munmap(m, len);
		} else {
			sl->map = m;
			sl->maplen = len;
		}
		pthread_mutex_unlock(&sl->lock);
		return OP_MMAP;
	} else if (what < 97) {
		pthread_mutex_lock(&sl->lock);
		if (sl->fd == fd)
			scribble(s, sl, fd);
		pthread_mutex_unlock(&sl->lock);
		return OP_RING;
	}
	do_bogus(s, fd);
	return OP_BOGUS;
}

static int past_deadline(void)
{
	struct timespec t;

	if (!deadline.tv_sec)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > deadline.tv_sec ||
	       (t.tv_sec == deadline.tv_sec && t.tv_nsec >= deadline.tv_nsec);
}

static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg;
	long t0 = now_ns(), t1;
	enum op_kind k;

	while (!stop && __atomic_add_fetch(&ops_done, 1, __ATOMIC_RELAXED) <=
			ops_target) {
		k = one_op(&s);
		t1 = now_ns();
		__atomic_add_fetch(&rep.count[k], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&rep.ns[k], t1 - t0, __ATOMIC_RELAXED);
		t0 = t1;
		if (past_deadline())
			stop = 1;
	}
	return NULL;
}

/* One process: threads share its descriptor slots.  Exit status 0 or 1. */
static int process_main(long ops, int threads, uint64_t seed, int wfd)
{
	pthread_t t[16];
	int i;

	ops_target = ops;
	for (i = 0; i < NFDS; i++) {
		pthread_mutex_init(&slots[i].lock, NULL);
		slots[i].fd = -1;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker,
			       (void *)(uintptr_t)(seed * 2654435761u + i + 1));
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NFDS; i++) {
		if (slots[i].map)
			munmap(slots[i].map, slots[i].maplen);
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	}
	/* (ops_done also counts one refused operation per thread) */
	for (i = 0; i < OP_KINDS; i++)
		rep.done += rep.count[i];
	rep.bad_errno = bad_errno;
	rep.bad_call = bad_call;
	return write(wfd, &rep, sizeof(rep)) == (ssize_t)sizeof(rep) ? 0 : 1;
}

/* ---------------------------------------------------------------- */
/* Afterwards                                                       */
/* ---------------------------------------------------------------- */

/*
 * Every port on a switch, as VALE_LIST enumerates them (15.7): detached
 * (with detach set) or printed.  Returns how many there were.
 */
static int switch_ports(int fd, int detach)
{
	struct nmreq_vale_list l = { 0 };
	struct nmreq_header h;
	int n = 0;

	for (;;) {
		memset(&h, 0, sizeof(h));
		h.nr_version = NETMAP_API;
		h.nr_reqtype = NETMAP_REQ_VALE_LIST;
		h.nr_body = (uintptr_t)&l;
		if (ioctl(fd, NIOCCTRL, &h) || n > 4096)
			return n;
		n++;
		if (detach) {
			struct nmreq_vale_detach d = { 0 };

			/* detached: whatever takes its slot is listed next */
			if (!raw_ctrl(fd, NETMAP_REQ_VALE_DETACH, h.nr_name, &d))
				continue;
		} else {
			printf("# %s is still on its switch\n", h.nr_name);
		}
		l.nr_port_idx++;
	}
}

/*
 * VALE_DELIF of every network interface of the guest (a random name may
 * have made a persistent port: the unknown ioctls make legacy NEWIFs),
 * as a user would with ip link and vale-ctl -r; the guest's own
 * interfaces answer EINVAL.  With report set, the ports that could not
 * be deleted are printed.  Returns how many there were.
 */
static int delete_interfaces(int fd, int report)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int left = 0, err;

	if (!d)
		return report ? -1 : 0;
	while ((e = readdir(d))) {
		char name[IFNAMSIZ];

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(name))
			continue;
		memcpy(name, e->d_name, strlen(e->d_name) + 1);
		err = raw_ctrl(fd, NETMAP_REQ_VALE_DELIF, name, NULL);
		if (report && (err == 0 || err == EBUSY)) {
			printf("# %s is still a persistent port\n", name);
			left++;
		}
	}
	closedir(d);
	return left;
}

/*
 * What the run left: ports on switches are detached and persistent ports
 * deleted (twice: a persistent port attached to two switches goes from
 * the second first).  Returns how many are left.
 */
static int cleanup(void)
{
	int fd = open("/dev/netmap", O_RDWR), left;

	if (fd < 0)
		return -1;
	switch_ports(fd, 1);
	switch_ports(fd, 1);
	delete_interfaces(fd, 0);
	left = delete_interfaces(fd, 1);
	left += switch_ports(fd, 0);
	close(fd);
	return left;
}

/* A frame still crosses a switch. */
static int still_forwards(void)
{
	struct nmreq_register ra = { .nr_mode = NR_REG_ALL_NIC,
				     .nr_tx_slots = 64, .nr_rx_slots = 64 };
	struct nmreq_register rb = ra;
	int a = open("/dev/netmap", O_RDWR), b = open("/dev/netmap", O_RDWR);
	int got = 0;
	char *ma = MAP_FAILED, *mb = MAP_FAILED;

	if (a < 0 || b < 0 || raw_ctrl(a, NETMAP_REQ_REGISTER, "valeFZ:a", &ra) ||
	    raw_ctrl(b, NETMAP_REQ_REGISTER, "valeFZ:b", &rb))
		goto out;
	ma = mmap(NULL, ra.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	mb = mmap(NULL, rb.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED, b, 0);
	if (ma == MAP_FAILED || mb == MAP_FAILED)
		goto out;
	{
		struct netmap_if *ia = (void *)(ma + ra.nr_offset);
		struct netmap_if *ib = (void *)(mb + rb.nr_offset);
		struct netmap_ring *tx = (void *)((char *)ia + ia->ring_ofs[0]);
		struct netmap_ring *rx = (void *)((char *)ib + ib->ring_ofs[2]);
		char *buf = (char *)tx + tx->buf_ofs +
			    (size_t)tx->slot[0].buf_idx * tx->nr_buf_size;

		memset(buf, 0xff, 6);
		memset(buf + 6, 2, 54);
		tx->slot[0].len = 60;
		tx->slot[0].flags = 0;
		tx->head = tx->cur = 1;
		ioctl(a, NIOCTXSYNC, NULL);
		ioctl(b, NIOCRXSYNC, NULL);
		got = rx->tail != rx->head;
	}
out:
	if (ma != MAP_FAILED)
		munmap(ma, ra.nr_memsize);
	if (mb != MAP_FAILED)
		munmap(mb, rb.nr_memsize);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return got;
}

/*
 * Private regions as small as their rings allow (priv_buf_num is a
 * minimum, 4098 by default: 8 MB to allocate and zero per port, which
 * under emulation is most of the run's time), restored at the end.
 */
#define PRIV_BUF_NUM "/sys/module/netmap/parameters/priv_buf_num"

static long priv_buf_num(long v)
{
	FILE *f = fopen(PRIV_BUF_NUM, "r+");
	long old = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &old) != 1)
		old = -1;
	rewind(f);
	if (v >= 0)
		fprintf(f, "%ld\n", v);
	fclose(f);
	return old;
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? atol(argv[1]) : 1000000;
	int procs = argc > 2 ? atoi(argv[2]) : 4;
	int threads = argc > 3 ? atoi(argv[3]) : 2;
	uint64_t seed = argc > 4 && strcmp(argv[4], "-") ?
			strtoull(argv[4], NULL, 0) : (uint64_t)time(NULL);
	long seconds = argc > 5 ? atol(argv[5]) : 0;
	long total = 0, saved_bufs, count[OP_KINDS] = { 0 }, ns[OP_KINDS] = { 0 };
	int i, crashed = 0, bad = 0, p[2], left, timed_out;
	struct timespec t0, t1;
	double secs;
	pid_t pid[64];

	if (procs < 1 || procs > 64 || threads < 1 || threads > 16 || ops < 1 ||
	    seconds < 0) {
		fprintf(stderr, "usage: ioctl_fuzz [OPS [PROCS(1-64) "
			"[THREADS(1-16) [SEED|- [SECONDS]]]]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu: %ld operations, %d processes x %d threads",
	       (unsigned long long)seed, ops, procs, threads);
	if (seconds)
		printf(", at most %ld s", seconds);
	printf("\n# repeat with: ioctl_fuzz %ld %d %d %llu%s\n", ops, procs,
	       threads, (unsigned long long)seed,
	       seconds ? " (OPS: the count done, printed below)" : "");
	if (pipe(p))
		return 1;
	saved_bufs = priv_buf_num(4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (seconds) {
		deadline = t0;
		deadline.tv_sec += seconds;
	}
	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			close(p[0]);
			_exit(process_main(ops / procs + (i < ops % procs),
					   threads, seed + 7919 * (i + 1), p[1]));
		}
	}
	close(p[1]);
	for (i = 0; i < procs; i++) {
		struct report r;
		int k;

		if (read(p[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
		total += r.done;
		for (k = 0; k < OP_KINDS; k++) {
			count[k] += r.count[k];
			ns[k] += r.ns[k];
		}
		if (r.bad_errno) {
			printf("# unexpected errno %d (%s) from call %d\n",
			       r.bad_errno, strerror(r.bad_errno), r.bad_call);
			bad++;
		}
	}
	for (i = 0; i < procs; i++) {
		int st;

		if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			printf("# process %d: status 0x%x\n", i, st);
			crashed++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %ld operations in %.1f s: %.0f per second\n", total, secs,
	       total / (secs > 0 ? secs : 1));
	for (i = 0; i < OP_KINDS; i++)
		printf("#   %-26s %8ld ops %8.1f s (thread time) %7.0f us each\n",
		       op_names[i], count[i], ns[i] / 1e9,
		       count[i] ? ns[i] / 1e3 / count[i] : 0.0);
	timed_out = seconds && total < ops;
	if (timed_out)
		printf("# stopped at the time budget (%ld s): repeat with "
		       "ioctl_fuzz %ld %d %d %llu\n", seconds, total, procs,
		       threads, (unsigned long long)seed);
	ok(total == ops || (timed_out && total > 0),
	   "%ld of %ld operations done%s", total, ops,
	   timed_out ? " (time budget)" : "");
	ok(crashed == 0, "no process died or failed");
	ok(bad == 0, "every call returned success or a documented errno");
	if (saved_bufs > 0)
		priv_buf_num(saved_bufs);
	left = cleanup();
	ok(left == 0, "no port is left on a switch, no persistent port left");
	ok(still_forwards(), "a frame still crosses a switch afterwards");
	return tap_done();
}
