// SPDX-License-Identifier: BSD-2-Clause
/*
 * poll_probe: where the time goes when both sides of a pipe (or a VALE
 * sender and receiver) sleep in nm_poll(), as pkt-gen does by default
 * (docs/ARCHITECTURE.md, "Sleeping in poll").  A sender process on one
 * CPU fills batches of -b slots and syncs; a receiver process on the
 * other reads everything and releases it; each waits in nm_poll() when
 * its ring has nothing for it (or spins with -B, as --busy-wait does).
 * It only uses libnetmap's public calls, so it measures any version.
 *
 * Per side it prints: batches, the waits (nm_poll calls with nothing
 * ready), the times it slept (voluntary context switches), the CPU it
 * used, and the time from the peer's publication the waiter waited for
 * (the sender stamps it just before its txsync, the receiver before its
 * release) to the waiter's return from nm_poll.  Count the system calls
 * with perf stat -e raw_syscalls:sys_enter around it.
 *
 * -x adds an idle descriptor (a pipe's read end) to every nm_poll() set:
 * the user runtime then sleeps in ppoll() on its socket rather than on
 * the futex of a descriptor polled alone.
 *
 *   poll_probe -m pipe|vale [-d SECS] [-b BATCH] [-l LEN] [-s NAME]
 *              [-a TXCPU] [-A RXCPU] [-B] [-x]
 *   -> poll_probe side=tx mpps=... batches=... waits=... sleeps=...
 *      cpu_pct=... lat_avg_ns=... lat_p50_ns=... lat_p99_ns=...
 */
#include "bench.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libnetmap.h>

#define PP_STAMPS 256		/* publications remembered */
#define PP_LAT 65536		/* latencies kept per side (a histogram's worth) */

/* What one side publishes for the other: stamps by sequence number. */
struct pp_pub {
	uint64_t seq BENCH_ALIGNED;
	uint64_t ns[PP_STAMPS];
};

struct pp_shared {
	struct pp_pub tx;	/* the sender's publications */
	struct pp_pub rx;	/* the receiver's releases */
	int stop BENCH_ALIGNED;
	int ready;
	uint64_t start_ns, rx_pkts;
};

struct pp_conf {
	const char *mode, *name;
	double secs;
	uint32_t batch;
	uint16_t len;
	int cpu_tx, cpu_rx, busy;
	int extra;		/* -x: a descriptor that is never ready, or -1 */
};

struct pp_side {
	uint64_t batches, pkts, waits, nlat;
	uint64_t lat[PP_LAT];
};

static void pp_publish(struct pp_pub *p)
{
	uint64_t s = p->seq + 1;

	p->ns[s % PP_STAMPS] = bench_now_ns();
	bench_store_release(&p->seq, s);
}

/*
 * Wait on d for events; when it had to wait, record the time from the
 * first publication after `seen` (the peer's sequence when we found
 * nothing) to our return.
 */
static int pp_wait(struct nmport_d *d, short events, const struct pp_pub *peer,
		   struct pp_side *me, int busy, int extra)
{
	struct pollfd p[2] = {
		{ .fd = d->fd, .events = events },
		{ .fd = extra, .events = POLLIN },
	};
	uint64_t seen = bench_load_acquire(&peer->seq), now, s;
	int r;

	me->waits++;
	if (busy) {
		if (events & POLLIN)
			nmport_rxsync(d);
		else
			nmport_txsync(d);
		bench_relax();
		return 0;
	}
	r = nm_poll(p, extra >= 0 ? 2 : 1, 100);
	if (r < 0 && errno != EINTR)
		return -1;
	now = bench_now_ns();
	s = bench_load_acquire(&peer->seq);
	if (r > 0 && s > seen && s - seen < PP_STAMPS && me->nlat < PP_LAT) {
		uint64_t t = peer->ns[(seen + 1) % PP_STAMPS];

		if (t && now > t)
			me->lat[me->nlat++] = now - t;
	}
	return 0;
}

static int pp_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void pp_report(const char *side, struct pp_side *me, uint64_t ns,
		      uint64_t pkts)
{
	struct rusage ru;
	uint64_t sum = 0, i, cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
	for (i = 0; i < me->nlat; i++)
		sum += me->lat[i];
	qsort(me->lat, me->nlat, sizeof(me->lat[0]), pp_cmp);
	printf("poll_probe side=%s mpps=%.3f batches=%llu waits=%llu sleeps=%ld cpu_pct=%.1f lat_n=%llu lat_avg_ns=%llu lat_p50_ns=%llu lat_p99_ns=%llu\n",
	       side, ns ? (double)pkts * 1e3 / (double)ns : 0.0,
	       (unsigned long long)me->batches, (unsigned long long)me->waits,
	       ru.ru_nvcsw, ns ? (double)cpu * 100.0 / (double)ns : 0.0,
	       (unsigned long long)me->nlat,
	       (unsigned long long)(me->nlat ? sum / me->nlat : 0),
	       (unsigned long long)(me->nlat ? me->lat[me->nlat / 2] : 0),
	       (unsigned long long)(me->nlat ? me->lat[me->nlat * 99 / 100] : 0));
	fflush(stdout);
}

static struct nmport_d *pp_open(const struct pp_conf *c, int tx)
{
	char spec[128];
	struct nmport_d *d;

	if (!strcmp(c->mode, "pipe"))
		snprintf(spec, sizeof(spec), "netmap:%s%c0", c->name,
			 tx ? '{' : '}');
	else
		snprintf(spec, sizeof(spec), "vale%s:%s", c->name,
			 tx ? "tx" : "rx");
	d = nmport_open(spec);
	if (!d)
		fprintf(stderr, "poll_probe: %s: %s\n", spec, strerror(errno));
	return d;
}

static void pp_frame(char *buf, uint16_t len)
{
	memset(buf, 0, len);
	memset(buf, 0xff, 6);		/* broadcast: the receiver is alone */
	buf[6] = 2;
	buf[12] = 0x08;
}

static int pp_sender(const struct pp_conf *c, struct pp_shared *sh,
		     struct pp_side *me)
{
	struct nmport_d *d = pp_open(c, 1);
	struct netmap_ring *r;
	uint64_t end;
	uint32_t i;

	if (!d)
		return 1;
	r = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	for (i = 0; i < r->num_slots; i++)
		pp_frame(NETMAP_BUF(r, r->slot[i].buf_idx), c->len);
	while (!bench_load_acquire(&sh->ready))
		usleep(1000);
	sh->start_ns = bench_now_ns();
	end = sh->start_ns + (uint64_t)(c->secs * 1e9);
	while (bench_now_ns() < end) {
		uint32_t n = nm_ring_space(r);

		if (!n) {
			r->cur = r->tail;	/* wake me when more is free */
			if (pp_wait(d, POLLOUT, &sh->rx, me, c->busy, c->extra))
				return 1;
			continue;
		}
		if (n > c->batch)
			n = c->batch;
		for (i = 0; i < n; i++) {
			r->slot[r->head].len = c->len;
			r->head = nm_ring_next(r, r->head);
		}
		r->cur = r->head;
		pp_publish(&sh->tx);
		nmport_txsync(d);
		me->batches++;
		me->pkts += n;
	}
	bench_store_release(&sh->stop, 1);
	pp_report("tx", me, bench_now_ns() - sh->start_ns, me->pkts);
	nmport_close(d);
	return 0;
}

static int pp_receiver(const struct pp_conf *c, struct pp_shared *sh,
		       struct pp_side *me)
{
	struct nmport_d *d = pp_open(c, 0);
	struct netmap_ring *r;
	uint64_t first = 0, last = 0;

	if (!d)
		return 1;
	r = NETMAP_RXRING(d->nifp, d->first_rx_ring);
	bench_store_release(&sh->ready, 1);
	while (!bench_load_acquire(&sh->stop)) {
		uint32_t n = nm_ring_space(r);

		if (!n) {
			r->cur = r->tail;
			if (pp_wait(d, POLLIN, &sh->tx, me, c->busy, c->extra))
				return 1;
			continue;
		}
		if (!first)
			first = bench_now_ns();
		r->head = r->cur = r->tail;
		pp_publish(&sh->rx);
		nmport_rxsync(d);
		me->batches++;
		me->pkts += n;
		last = bench_now_ns();
	}
	pp_report("rx", me, last - first, me->pkts);
	nmport_close(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct pp_conf c = { .mode = NULL, .secs = 2, .batch = 512, .len = 60,
			     .cpu_tx = 0, .cpu_rx = 1, .extra = -1 };
	int idle[2];
	char defname[32];
	struct pp_shared *sh;
	struct pp_side *me;
	pid_t rx;
	int opt, st, rc;

	while ((opt = getopt(argc, argv, "m:d:b:l:s:a:A:Bx")) != -1) {
		switch (opt) {
		case 'm':
			c.mode = optarg;
			break;
		case 'd':
			c.secs = bench_seconds("-d", optarg);
			break;
		case 'b':
			c.batch = (uint32_t)bench_num("-b", optarg, 1, 4096);
			break;
		case 'l':
			c.len = (uint16_t)bench_num("-l", optarg, 60, 2048);
			break;
		case 's':
			c.name = optarg;
			break;
		case 'a':
			c.cpu_tx = (int)bench_num("-a", optarg, -1, 4095);
			break;
		case 'A':
			c.cpu_rx = (int)bench_num("-A", optarg, -1, 4095);
			break;
		case 'B':
			c.busy = 1;
			break;
		case 'x':
			if (pipe(idle))
				return 1;
			c.extra = idle[0];
			break;
		default:
			c.mode = NULL;
			optind = argc;
		}
	}
	if (!c.mode || (strcmp(c.mode, "pipe") && strcmp(c.mode, "vale"))) {
		fprintf(stderr, "usage: %s -m pipe|vale [-d SECS] [-b BATCH] [-l LEN] [-s NAME] [-a TXCPU] [-A RXCPU] [-B] [-x]\n",
			argv[0]);
		return 2;
	}
	if (!c.name) {
		snprintf(defname, sizeof(defname), "pp%d", (int)getpid());
		c.name = defname;
	}
	sh = bench_shared_alloc(sizeof(*sh));
	me = calloc(1, sizeof(*me));
	if (!sh || !me)
		return 1;
	fflush(stdout);
	rx = fork();
	if (rx == 0) {
		if (bench_pin(c.cpu_rx) < 0)
			_exit(1);
		_exit(pp_receiver(&c, sh, me));
	}
	if (rx < 0 || bench_pin(c.cpu_tx) < 0)
		return 1;
	rc = pp_sender(&c, sh, me);
	bench_store_release(&sh->stop, 1);
	waitpid(rx, &st, 0);
	return rc || !WIFEXITED(st) || WEXITSTATUS(st);
}
