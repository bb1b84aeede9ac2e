// SPDX-License-Identifier: BSD-2-Clause
/*
 * nm_poll() for descriptors of the user runtime (docs/ARCHITECTURE.md,
 * "Sleeping in poll").
 *
 * A poller whose rings are empty does not go to sleep at once: sleeping
 * and being woken costs tens of microseconds of scheduler and hypervisor
 * work on each side, while a peer that is streaming refills a ring in a
 * few.  So, in order:
 *
 *   1. scan (the syncs of spec 12.1); events found: return;
 *   2. spin up to the descriptor's budget, reading the rings only
 *      (rt_poll_peek) and scanning again when they moved, and yielding
 *      the CPU every few microseconds while yields show that another
 *      program waits for it (rp_yield), or at once when the peer last
 *      published from this CPU (rp_peer_here: it cannot publish while
 *      this thread spins there);
 *   3. arm, scan again, and sleep: on the futex words of the bindings
 *      when the call polls runtime descriptors only and none is a NIC
 *      port (futex_waitv for more than one), else in poll() on the
 *      descriptors (a runtime descriptor is a socket that gets a byte)
 *      and on the sockets of its NIC ports, which the kernel signals;
 *   4. woken: scan again, and sleep again if nothing is there.
 *
 * The budget adapts per descriptor, like KVM's halt polling: a wait that
 * ended with events after a short sleep (the peer published within the
 * longest spin) sets it to twice that wait, or doubles it; a longer wait
 * halves it, or sets the longest spin while this thread's yields run
 * other programs (more programs than CPUs: the peer may have waited for
 * this CPU); a timeout sets it to zero.  The budget counts this thread's
 * CPU time: what other programs ran in its yields is not charged to it
 * (at most 1 ms per call).  A wait counts the peer's work only, not the
 * wake-ups of either side: it ends at the peer's publication (wake_ns),
 * not at this thread's return, and when this thread had woken the peer
 * and the peer came back from that sleep during the wait, it starts at
 * the peer's return (waker_resumed_ns).  Otherwise each side's wake-up
 * latency (tens to hundreds of us on these VMs) made the other side's
 * next wait long, and the two sides zeroed each other's budget in turn:
 * one hiccup, and one side or the other slept at every exchange for the
 * rest of the run (the swings of pipe_poll_ratio_busy,
 * docs/ARCHITECTURE.md).
 * So a stream that refills faster than the longest spin is caught
 * spinning and nobody sleeps, while an idle port costs nothing: a few
 * waits longer than the longest spin (50 us by default) and it sleeps at
 * once.  NETMAP_POLL_SPIN_US sets the longest spin (0: never spin); a
 * machine with one CPU never spins (the peer could not run meanwhile).
 *
 * NETMAP_POLL_STATS=FILE appends, at exit, one line of this process's
 * counters to FILE (calls, spins, sleeps, wake-ups and their latency):
 * what the figures of ARCHITECTURE.md were measured with.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "interpose.h"
#include "runtime.h"

#define RP_MAX_FD 65536
#define RP_SPIN_DEFAULT_US 50
#define RP_SPIN_MAX_US 10000
/* The shortest budget a short wait sets: below it a spin is noise. */
#define RP_SPIN_MIN_NS 1000ULL
/*
 * While spinning, the CPU is yielded after this much spinning when
 * another program waits for it, and at most this seldom when nobody does
 * (rp_yield); a yield that took longer than RP_YIELD_RAN_NS ran another
 * program (a yield that returns at once costs 1-2 us on these VMs).
 */
#define RP_YIELD_MIN_NS 5000ULL
#define RP_YIELD_MAX_NS 320000ULL
#define RP_YIELD_RAN_NS 8000ULL
/* The most of a call's spin that other programs may run in its yields. */
#define RP_GIVEN_MAX_NS 1000000ULL
/* While spinning, descriptors of other kinds are polled this often. */
#define RP_OTHERS_EVERY_NS 20000ULL
/* Sockets of NIC ports one call may watch besides its descriptors. */
#define RP_NIC_EXTRA 72

/* Spin budget of each descriptor (ns); process-local. */
static uint32_t rp_budget[RP_MAX_FD];

struct rp_stats {
	uint64_t calls;		/* nm_poll calls with a runtime descriptor */
	uint64_t at_once;	/* the first scan found events */
	uint64_t spins;		/* calls that spun */
	uint64_t spin_hits;	/* ... and found events spinning */
	uint64_t spin_ns;	/* time spent spinning */
	uint64_t given_ns;	/* ... and in yields that ran another program */
	uint64_t sleeps;	/* futex waits and poll() calls that blocked */
	uint64_t woken;		/* sleeps ended by a peer's wake-up */
	uint64_t timeouts;	/* calls that returned 0 after sleeping */
	uint64_t long_waits;	/* waits longer than the longest spin */
	uint64_t waker_slept;	/* waits the waker's own sleep lengthened (excused) */
	uint64_t short_sleeps;	/* sleeps for a publication within the longest spin */
	uint64_t yields;	/* sched_yield() calls while spinning */
	uint64_t yields_ran;	/* ... that ran another program meanwhile */
	uint64_t yields_here;	/* yields at once: the peer shares the CPU */
	uint64_t lat_sum, lat_n, lat_max;	/* wake-up to return, ns */
};

static struct {
	pthread_once_t once;
	uint64_t spin_max;	/* ns; 0: never spin */
	int no_peer_cpu;	/* NETMAP_POLL_PEER_CPU=0: ignore where the peer runs */
	char *stats_path;
	struct rp_stats st;
} rp = { .once = PTHREAD_ONCE_INIT };

#define RP_COUNT(field, v) \
	__atomic_fetch_add(&rp.st.field, (v), __ATOMIC_RELAXED)
#define RP_GET(field) __atomic_load_n(&rp.st.field, __ATOMIC_RELAXED)

static inline void rp_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* One line of counters, appended with one write (lines do not mix). */
static void rp_stats_write(void)
{
	struct rt_poll_counters c;
	char line[512];
	uint64_t n = RP_GET(lat_n);
	int fd, len;

	rt_poll_counters(&c);
	len = snprintf(line, sizeof(line),
		       "netmap-poll pid=%d calls=%llu ready_at_once=%llu spins=%llu spin_hits=%llu spin_us=%llu given_us=%llu yields=%llu yields_ran=%llu yields_here=%llu sleeps=%llu woken=%llu timeouts=%llu long_waits=%llu waker_slept=%llu short_sleeps=%llu wake_latency_avg_ns=%llu wake_latency_max_ns=%llu wakes_sent=%llu wake_syscalls=%llu\n",
		       (int)getpid(),
		       (unsigned long long)RP_GET(calls),
		       (unsigned long long)RP_GET(at_once),
		       (unsigned long long)RP_GET(spins),
		       (unsigned long long)RP_GET(spin_hits),
		       (unsigned long long)(RP_GET(spin_ns) / 1000),
		       (unsigned long long)(RP_GET(given_ns) / 1000),
		       (unsigned long long)RP_GET(yields),
		       (unsigned long long)RP_GET(yields_ran),
		       (unsigned long long)RP_GET(yields_here),
		       (unsigned long long)RP_GET(sleeps),
		       (unsigned long long)RP_GET(woken),
		       (unsigned long long)RP_GET(timeouts),
		       (unsigned long long)RP_GET(long_waits),
		       (unsigned long long)RP_GET(waker_slept),
		       (unsigned long long)RP_GET(short_sleeps),
		       (unsigned long long)(n ? RP_GET(lat_sum) / n : 0),
		       (unsigned long long)RP_GET(lat_max),
		       c.wakes, c.wake_calls);
	fd = open(rp.stats_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) < 0) {
		/* nothing to report it to */
	}
	close(fd);
}

static void rp_init(void)
{
	const char *e = getenv("NETMAP_POLL_SPIN_US");
	unsigned long us = RP_SPIN_DEFAULT_US;

	if (e && *e) {
		char *end;

		us = strtoul(e, &end, 10);
		if (*end || us > RP_SPIN_MAX_US)
			us = RP_SPIN_DEFAULT_US;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		us = 0;
	rp.spin_max = (uint64_t)us * 1000;
	e = getenv("NETMAP_POLL_PEER_CPU");
	rp.no_peer_cpu = e && !strcmp(e, "0");
	e = getenv("NETMAP_POLL_STATS");
	if (e && *e && (rp.stats_path = strdup(e)))
		atexit(rp_stats_write);
}

static uint32_t *rp_budget_of(int fd)
{
	return fd >= 0 && fd < RP_MAX_FD ? &rp_budget[fd] : NULL;
}

/*
 * One pass: the poll processing of every runtime descriptor, and (when
 * others is set) a non-blocking poll() of the others.  Returns the
 * number of descriptors with events, or -1 (errno) when poll() failed.
 */
struct rp_call {
	struct pollfd *fds;
	unsigned long nfds;
	const char *is_rt;
	struct pollfd *tmp;		/* nfds + RP_NIC_EXTRA entries */
	struct rt_sock_sleeper *sl;	/* nfds entries (sleeping on sockets) */
	uint32_t *tok;			/* nfds entries (futex tokens) */
	int has_others;			/* descriptors that are not the runtime's */
	int has_nic;			/* NIC ports: sleep in ppoll() on their sockets */
	const sigset_t *sigmask;
	const struct nmb_poll_filter *filter;
};

static int rp_pass(const struct rp_call *c, int others)
{
	struct pollfd *fds = c->fds, *tmp = c->tmp;
	unsigned long i, n = 0, nfds = c->nfds;
	const char *is_rt = c->is_rt;
	int ready = 0;

	for (i = 0; i < nfds; i++) {
		if (is_rt[i]) {
			short rev = rt_poll_scan(fds[i].fd, fds[i].events);

			rev &= fds[i].events | POLLERR | POLLHUP | POLLNVAL;
			if (c->filter)
				rev = c->filter->filter(c->filter->arg, i, rev);
			fds[i].revents = rev;
			if (rev)
				ready++;
		} else if (others) {
			tmp[n++] = fds[i];
		} else {
			fds[i].revents = 0;
		}
	}
	if (n) {
		if (nmi_real_poll(tmp, n, 0) < 0)
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

static int rp_peek(const struct rp_call *c)
{
	unsigned long i;

	for (i = 0; i < c->nfds; i++)
		if (c->is_rt[i] && rt_poll_peek(c->fds[i].fd, c->fds[i].events))
			return 1;
	return 0;
}

/*
 * Yielding while spinning.  With three programs or more on two CPUs
 * (pkt-gen, bridge, pkt-gen; lb and its consumers) a spinning waiter may
 * hold the CPU its peer waits for, until the scheduler's tick or the end
 * of its budget: a yield hands that CPU over at once.  With a CPU each
 * (pkt-gen through a pipe) nobody waits, and a yield is only a system
 * call (1-2 us on these VMs) in the spin.  Which case holds shows in the
 * yield itself: one that took longer than RP_YIELD_RAN_NS ran another
 * program.  So each thread yields after RP_YIELD_MIN_NS of spinning while
 * yields run others, and doubles the spinning between two yields, up to
 * RP_YIELD_MAX_NS, while they return at once.  The spinning is counted
 * over successive calls, so a thread that spins a little at each of its
 * waits still yields now and then, and sees pressure come back.
 */
struct rp_yield_state {
	uint64_t gap;		/* spinning between two yields, ns */
	uint64_t left;		/* spinning until the next yield, ns */
};

static __thread struct rp_yield_state rp_ys;

/* Did this thread's last yield run another program? */
static int rp_pressure(void)
{
	return rp_ys.gap == RP_YIELD_MIN_NS;
}

/*
 * Account for `spun` ns of spinning; yield when it is time.  Returns
 * now; adds to *given the time another program ran during the yield.
 */
static uint64_t rp_yield(uint64_t spun, uint64_t now, uint64_t *given)
{
	struct rp_yield_state *y = &rp_ys;
	uint64_t took;

	if (!y->gap)
		y->gap = y->left = RP_YIELD_MIN_NS;
	if (spun < y->left) {
		y->left -= spun;
		return now;
	}
	sched_yield();
	RP_COUNT(yields, 1);
	took = rt_now_ns() - now;
	if (took > RP_YIELD_RAN_NS) {
		RP_COUNT(yields_ran, 1);
		*given += took;
		y->gap = RP_YIELD_MIN_NS;
	} else if (y->gap < RP_YIELD_MAX_NS) {
		y->gap *= 2;
	}
	y->left = y->gap;
	return now + took;
}

/*
 * Does every ring the call waits on whose publisher is known have it on
 * this thread's CPU?  (rt_poll_peer_where: the CPU of each ring's last
 * publication.)  Rings nobody published on yet do not count.
 */
static int rp_peer_here(const struct rp_call *c)
{
	int cpu = sched_getcpu(), where = 0;
	unsigned long i;

	if (cpu < 0)
		return 0;
	for (i = 0; i < c->nfds; i++)
		if (c->is_rt[i])
			where |= rt_poll_peer_where(c->fds[i].fd,
						    c->fds[i].events, cpu);
	return where == RT_PEER_HERE;
}

/*
 * Yield now, because the peer shares this CPU (rp_peer_here); *here
 * cleared when the yield ran nobody.  Returns now; adds to *given the
 * time others ran meanwhile.
 */
static uint64_t rp_yield_now(uint64_t now, uint64_t *given, int *here)
{
	uint64_t took;

	sched_yield();
	RP_COUNT(yields, 1);
	RP_COUNT(yields_here, 1);
	took = rt_now_ns() - now;
	if (took > RP_YIELD_RAN_NS) {
		RP_COUNT(yields_ran, 1);
		*given += took;
		/* pressure, as rp_yield() would have concluded */
		rp_ys.gap = rp_ys.left = RP_YIELD_MIN_NS;
	} else {
		*here = 0;
	}
	return now + took;
}

/*
 * Spin until events, or until the budget is spent.  Other descriptors
 * are looked at every RP_OTHERS_EVERY_NS (a system call each time); the
 * CPU is yielded when rp_yield says so.  The budget is this thread's CPU
 * time: what other programs ran in its yields does not count, up to
 * RP_GIVEN_MAX_NS per call.  With more programs than CPUs the peer often
 * runs in those yields (the bridge on the receiver's CPU), and a waiter
 * still spinning when the peer publishes needs no wake-up: no futex
 * call on the peer's side, no sleep and no preemption on its own.
 */
static int rp_spin(const struct rp_call *c, uint64_t t0, uint64_t budget)
{
	uint64_t now = t0, last = t0, others_at = t0, given = 0;
	int ready = 0, k, here = rp.spin_max && !rp.no_peer_cpu;

	RP_COUNT(spins, 1);
	while (now - t0 - given < budget && given < RP_GIVEN_MAX_NS) {
		for (k = 0; k < 8; k++)
			rp_relax();
		now = rt_now_ns();
		if (c->has_others && now - others_at >= RP_OTHERS_EVERY_NS) {
			others_at = now;
			ready = rp_pass(c, 1);
		} else if (rp_peek(c)) {
			ready = rp_pass(c, 0);
		}
		if (ready)
			break;
		if (here && rp_peer_here(c)) {
			/*
			 * The peer last published from this CPU: it cannot
			 * make progress while this thread spins, so hand it
			 * the CPU at once.  A yield that ran nobody says it
			 * is not runnable here (asleep, or moved): spin as
			 * usual for the rest of the call.
			 */
			now = rp_yield_now(now, &given, &here);
			last = now;
			continue;
		}
		now = rp_yield(now - last, now, &given);
		last = now;
	}
	RP_COUNT(spin_ns, now - t0 - given);
	RP_COUNT(given_ns, given);
	if (ready > 0)
		RP_COUNT(spin_hits, 1);
	return ready;
}

/*
 * When the last wake-up was sent to one of the call's descriptors (ns);
 * in *resumed, when the thread that sent it had last returned from a
 * sleep of its own.
 */
static uint64_t rp_wake_time(const struct rp_call *c, uint64_t *resumed)
{
	uint64_t w = 0;
	unsigned long i;

	*resumed = 0;
	for (i = 0; i < c->nfds; i++)
		if (c->is_rt[i]) {
			unsigned long long r;
			uint64_t t = rt_poll_wake_ns(c->fds[i].fd, &r);

			if (t > w) {
				w = t;
				*resumed = r;
			}
		}
	return w;
}

/* Record a wake-up's latency: from the peer's rt_wake() to now. */
static void rp_latency(const struct rp_call *c)
{
	uint64_t now = rt_now_ns(), resumed, w = rp_wake_time(c, &resumed);
	uint64_t lat, old;

	if (!w || w > now)
		return;
	lat = now - w;
	RP_COUNT(woken, 1);
	RP_COUNT(lat_sum, lat);
	RP_COUNT(lat_n, 1);
	old = RP_GET(lat_max);
	while (lat > old &&
	       !__atomic_compare_exchange_n(&rp.st.lat_max, &old, lat, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * Stop sleeping on the descriptors armed with how: the futex waiter
 * count, or the socket registrations (reading the wake-up bytes of those
 * ppoll() found readable in woken, NULL: none).
 */
static void rp_unsleep(const struct rp_call *c, enum rt_wait_how how,
		       const struct pollfd *woken)
{
	unsigned long i;

	for (i = 0; i < c->nfds; i++) {
		if (!c->is_rt[i])
			continue;
		if (how == RT_WAIT_FUTEX)
			rt_poll_disarm(c->fds[i].fd, how);
		else
			rt_poll_sock_leave(c->fds[i].fd, &c->sl[i],
					   woken && (woken[i].revents & POLLIN));
	}
}

/*
 * NIC ports (lib/rt/nic.c): frames come from the device, not from a
 * peer, so a sleeper watches their sockets too, written into
 * tmp[nfds...] with owner[] naming the descriptor of each; and frames
 * in flight that complete without waking anyone bound the sleep
 * (*cap_ns lowered; the caller sets -1: no bound).  Returns how many
 * sockets.
 */
static unsigned long rp_nic_sockets(const struct rp_call *c,
				    unsigned long *owner, long long *cap_ns)
{
	unsigned long i, n = 0;
	int k, j;

	for (i = 0; i < c->nfds; i++) {
		if (!c->is_rt[i])
			continue;
		k = rt_poll_extra(c->fds[i].fd, c->fds[i].events,
				  &c->tmp[c->nfds + n], (int)(RP_NIC_EXTRA - n),
				  cap_ns);
		for (j = 0; j < k; j++) {
			c->tmp[c->nfds + n].revents = 0;
			owner[n++] = i;
		}
	}
	return n;
}

/* After ppoll(): the NIC sockets that woke us say what happened. */
static void rp_nic_woken(const struct rp_call *c, const unsigned long *owner,
			 unsigned long n)
{
	unsigned long k;

	for (k = 0; k < n; k++)
		if (c->tmp[c->nfds + k].revents &&
		    (k == 0 || owner[k] != owner[k - 1]))
			rt_poll_extra_woken(c->fds[owner[k]].fd);
}

/*
 * Sleep until events or the deadline (0: none), re-arming after every
 * wake-up that found nothing.  Returns as poll() does.  Runtime
 * descriptors alone, without a signal mask to apply, sleep on their
 * futex words (futex_waitv for several, where the kernel has it);
 * otherwise the real ppoll() waits on every descriptor (a runtime
 * descriptor gets a byte), which applies the mask atomically.  A set
 * with a NIC port always sleeps in ppoll(), on the NIC's sockets too:
 * the kernel signals its frames on those, never on a futex word.
 */
static int rp_sleep(const struct rp_call *c, uint64_t deadline, int *slept)
{
	enum rt_wait_how how = !c->has_others && !c->has_nic && !c->sigmask &&
			       c->nfds <= (unsigned long)rt_poll_wait_many_max() ?
			       RT_WAIT_FUTEX : RT_WAIT_SOCKET;
	struct pollfd *fds = c->fds, *tmp = c->tmp;
	struct timespec left, *wait;
	unsigned long owner[RP_NIC_EXTRA], nx;
	long long cap;
	unsigned long i;
	int ready, r;

	for (;;) {
		cap = -1;
		nx = c->has_nic ? rp_nic_sockets(c, owner, &cap) : 0;
		for (i = 0; i < c->nfds; i++) {
			if (!c->is_rt[i])
				continue;
			if (how == RT_WAIT_SOCKET)
				rt_poll_sock_enter(fds[i].fd, &c->sl[i]);
			c->tok[i] = rt_poll_arm(fds[i].fd, fds[i].events, how);
		}
		/* Rescan after arming: a peer may have published meanwhile. */
		ready = rp_pass(c, c->has_others);
		if (ready) {
			rp_unsleep(c, how, NULL);
			return ready;
		}
		wait = NULL;
		if (deadline || cap >= 0) {
			uint64_t now = rt_now_ns(), ns = (uint64_t)cap;

			if (deadline && now >= deadline) {
				rp_unsleep(c, how, NULL);
				return 0;
			}
			if (deadline && (cap < 0 || deadline - now < ns))
				ns = deadline - now;
			left.tv_sec = (time_t)(ns / 1000000000ULL);
			left.tv_nsec = (long)(ns % 1000000000ULL);
			wait = &left;
		}
		RP_COUNT(sleeps, 1);
		*slept = 1;
		if (how == RT_WAIT_FUTEX) {
			r = rt_poll_wait(fds, c->nfds, c->tok, deadline);
			rp_unsleep(c, how, NULL);
			if (r < 0) {
				errno = -r;
				return -1;
			}
		} else {
			for (i = 0; i < c->nfds; i++) {
				tmp[i].fd = fds[i].fd;
				tmp[i].events = c->is_rt[i] ? POLLIN :
							      fds[i].events;
				tmp[i].revents = 0;
			}
			r = nmi_real_ppoll(tmp, c->nfds + nx, wait,
					   c->sigmask);
			if (r < 0) {
				int e = errno;

				rp_unsleep(c, how, NULL);
				errno = e;
				return -1;
			}
			r = 0;
			for (i = 0; i < c->nfds; i++)
				if (c->is_rt[i] && (tmp[i].revents & POLLIN))
					r = 1;
			rp_unsleep(c, how, tmp);
			rp_nic_woken(c, owner, nx);
		}
		/* for the waits of the peers this thread publishes to */
		rt_poll_note_resumed(rt_now_ns());
		if (r > 0)
			rp_latency(c);
		ready = rp_pass(c, c->has_others);
		if (ready)
			return ready;
	}
}

/* rt_poll_woke_sleepers() when this thread last returned from rt_poll. */
static __thread uint64_t rp_woke_mark;

/* The budget for this call: the largest of its descriptors'. */
static uint64_t rp_budget_get(const struct rp_call *c)
{
	uint64_t b = 0;
	unsigned long i;

	for (i = 0; i < c->nfds; i++) {
		uint32_t *p = c->is_rt[i] ? rp_budget_of(c->fds[i].fd) : NULL;

		if (p && *p > b)
			b = *p;
	}
	return b < rp.spin_max ? b : rp.spin_max;
}

static void rp_budget_set(const struct rp_call *c, uint64_t b)
{
	unsigned long i;

	for (i = 0; i < c->nfds; i++) {
		uint32_t *p = c->is_rt[i] ? rp_budget_of(c->fds[i].fd) : NULL;

		if (p && *p != b)
			*p = (uint32_t)b;
	}
}

int rt_poll(struct pollfd *fds, unsigned long nfds, const char *is_rt,
	    const struct timespec *timeout, const sigset_t *sigmask,
	    const struct nmb_poll_filter *filter)
{
	struct pollfd stackfds[16 + RP_NIC_EXTRA];
	struct rt_sock_sleeper stacksl[16];
	uint32_t stacktok[16];
	struct rp_call c = {
		.fds = fds, .nfds = nfds, .is_rt = is_rt, .tmp = stackfds,
		.sl = stacksl, .tok = stacktok, .sigmask = sigmask, .filter = filter,
	};
	uint64_t t0, deadline = 0, budget, waited, limit = 0;
	int ready, spun_hit = 0, slept = 0;
	unsigned long i;

	pthread_once(&rp.once, rp_init);
	RP_COUNT(calls, 1);
	for (i = 0; i < nfds; i++) {
		c.has_others |= !is_rt[i];
		c.has_nic |= is_rt[i] && rt_poll_is_nic(fds[i].fd);
	}
	if (nfds > 16) {
		c.tmp = calloc(nfds + RP_NIC_EXTRA, sizeof(*c.tmp));
		c.sl = calloc(nfds, sizeof(*c.sl));
		c.tok = calloc(nfds, sizeof(*c.tok));
		if (!c.tmp || !c.sl || !c.tok) {
			free(c.tmp);
			free(c.sl);
			free(c.tok);
			errno = ENOMEM;
			return -1;
		}
	}
	ready = rp_pass(&c, c.has_others);
	if (ready || (timeout && !timeout->tv_sec && !timeout->tv_nsec)) {
		if (ready > 0)
			RP_COUNT(at_once, 1);
		goto out;
	}
	t0 = rt_now_ns();
	if (timeout) {
		limit = (uint64_t)timeout->tv_sec * 1000000000ULL +
			(uint64_t)timeout->tv_nsec;
		deadline = t0 + limit;
	}
	budget = rp_budget_get(&c);
	if (budget && (!timeout || limit > budget)) {
		ready = rp_spin(&c, t0, budget);
		spun_hit = ready > 0;
	}
	if (!ready)
		ready = rp_sleep(&c, deadline, &slept);
	if (ready < 0)
		goto out;
	if (!ready) {
		RP_COUNT(timeouts, 1);
		rp_budget_set(&c, 0);
		goto out;
	}
	if (spun_hit)
		goto out;
	/* Events after a sleep: spin that long next time, if it is short. */
	waited = rt_now_ns() - t0;
	{
		/*
		 * Until the peer published, not until this thread ran again:
		 * a slow wake-up (an idle CPU of a VM) says nothing of how
		 * soon the peer refills, and counted in, it would keep the
		 * budget at 0 for good once one wait was long.
		 */
		uint64_t resumed, w = rp_wake_time(&c, &resumed);

		if (w >= t0 && w - t0 < waited) {
			waited = w - t0;
			if (slept && waited <= rp.spin_max)
				RP_COUNT(short_sleeps, 1);
			/*
			 * Nor the peer's own wake-up: when this thread woke
			 * the peer (since it last returned from poll) and the
			 * peer came back from that sleep during this wait,
			 * the peer's work took from its return to its
			 * publication.  Counted in, each side's wake-up
			 * latency made the other's next wait long, and
			 * long waits set both budgets to 0 in turn: one
			 * side or the other slept at every exchange.
			 */
			if (resumed > t0 && resumed <= w &&
			    rt_poll_woke_sleepers() != rp_woke_mark) {
				RP_COUNT(waker_slept, 1);
				waited = w - resumed;
			}
		}
	}
	if (waited > rp.spin_max) {
		RP_COUNT(long_waits, 1);
		/*
		 * A long wait says the peer is slow, or that it waits for
		 * a CPU; in the second case (this thread's yields run other
		 * programs) spinning with yields is what gets it one.  In
		 * the first, the budget halves: one long wait (the peer
		 * preempted a while) is not a trend, while an idle port
		 * reaches 0 after a few (a timeout sets 0 at once).
		 */
		budget = rp_pressure() ? rp.spin_max : budget / 2;
		if (budget < RP_SPIN_MIN_NS)
			budget = 0;
	} else {
		budget = budget * 2 > waited * 2 ? budget * 2 : waited * 2;
		if (budget < RP_SPIN_MIN_NS)
			budget = RP_SPIN_MIN_NS;
		if (budget > rp.spin_max)
			budget = rp.spin_max;
	}
	rp_budget_set(&c, budget);
out:
	rp_woke_mark = rt_poll_woke_sleepers();
	if (c.tmp != stackfds) {
		free(c.tmp);
		free(c.sl);
		free(c.tok);
	}
	return ready;
}
