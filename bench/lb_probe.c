// SPDX-License-Identifier: BSD-2-Clause
/*
 * lb_probe: the most lb's job can move on this machine when nothing but
 * the job is done, no system call, no netmap (bench/README.md, "Where
 * the time goes in bridge_zc and lb4").  The row lb4 measures lb with
 * pkt-gen around it; this measures the same data movement between
 * threads of one process that spin on shared rings:
 *
 *   sender    writes 60-byte UDP frames of 64 flows (10.0.0.1:1000+i ->
 *             10.1.0.1:1234, as test/bats/lb-flows.py makes them) into
 *             the buffers of a 1024-slot input ring, one flow after the
 *             other, and publishes the ring's head once per batch of up
 *             to -b slots.  Like pkt-gen -P, it writes a frame into a
 *             buffer only when the slot's buffer is not the one it last
 *             wrote that frame into (with zero copy it never is).
 *   balancer  reads each frame's headers, computes lb's symmetric
 *             Toeplitz hash (lb_hash_frame(), tools/lb/lb_hash.c, the
 *             code lb runs), and swaps the slot's descriptor into output
 *             ring hash % 4 (the output slot's free buffer goes back into
 *             the input slot, as a zero-copy lb does); one head store per
 *             output ring and one release of the input per batch.  -c:
 *             copy the frame into the output slot's own buffer instead
 *             (the input buffers never change, so the sender writes no
 *             frame after the first lap).
 *   consumers four of them, one per output ring: read each slot's length
 *             and release the slots, one store per batch.
 *
 * Descriptors are 16 bytes (struct netmap_slot's size), buffers 2048
 * bytes in a shared memfd mapping as netmap's region is (no transparent
 * huge pages), rings 1024 slots with head and tail on their own cache
 * lines.  What it leaves out: every system call, the rings' kernel-side
 * copies of the descriptors (a netmap pipe keeps two rings per pipe and
 * its syncs store and copy back each changed descriptor), lb's queues,
 * counters and statistics.
 *
 * Placement (-p): "tx+rx,lb" (default) runs the sender and the four
 * consumers in one thread on CPU 0, taking turns, and the balancer on
 * CPU 1; "tx,lb+rx" puts the consumers with the balancer; "tx,lb,rx"
 * gives the consumers a thread of their own (unpinned: three spinning
 * threads on two CPUs share them by time slices).
 *
 *   lb_probe [-d SECS] [-b BATCH] [-p PLACEMENT] [-c]
 *   -> lb_probe mode=zc placement=tx+rx,lb mpps=... per_ring=a,b,c,d
 *
 * The rate counts what the consumers read after a warm-up of 0.2 s.
 * Exit status 1 when a frame arrives with a wrong length, when a ring's
 * share of the frames is not its flows' share (by lb_hash_frame() of the
 * 64 templates), or when frames went missing.
 */
#include "bench.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lb_hash.h"

#define LP_SLOTS	1024u
#define LP_BUFSIZE	2048u
#define LP_OUT		4u
#define LP_FLOWS	64u
#define LP_LEN		60u
#define LP_NBUFS	(LP_SLOTS * (1 + LP_OUT))

struct lp_ring {
	BENCH_ALIGNED uint32_t head;	/* producer: slots published */
	BENCH_ALIGNED uint32_t tail;	/* consumer: slots released */
	BENCH_ALIGNED struct bench_desc slot[LP_SLOTS];
};

static struct {
	struct lp_ring in, out[LP_OUT];
	BENCH_ALIGNED volatile int stop;
	BENCH_ALIGNED uint64_t got[LP_OUT];	/* per consumer, its own writes */
	uint64_t bad;
	char *buf;			/* LP_NBUFS buffers */
	uint8_t frame[LP_FLOWS][LP_LEN];
	uint32_t batch;
	int copy;
} lp;

static inline char *lp_buf(uint32_t idx)
{
	return lp.buf + (size_t)idx * LP_BUFSIZE;
}

/* ------------------------------------------------------------ frames */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void make_frames(void)
{
	unsigned f, i;

	for (f = 0; f < LP_FLOWS; f++) {
		uint8_t *e = lp.frame[f], *ip = e + 14, *udp = ip + 20;
		uint32_t sum = 0;

		memset(e, 0, LP_LEN);
		memset(e, 0xff, 6);			/* broadcast */
		e[6] = 0x02;				/* 02:00:00:00:00:01 */
		e[11] = 0x01;
		put16(e + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, LP_LEN - 14);
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 10, ip[15] = 1;		/* 10.0.0.1 */
		ip[12 + 4] = 10, ip[13 + 4] = 1, ip[15 + 4] = 1; /* 10.1.0.1 */
		for (i = 0; i < 20; i += 2)
			sum += (uint32_t)ip[i] << 8 | ip[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(ip + 10, ~sum & 0xffff);
		put16(udp, 1000 + f);
		put16(udp + 2, 1234);
		put16(udp + 4, LP_LEN - 34);
	}
}

/* ------------------------------------------------------------ the parts */

struct lp_tx {
	uint32_t head, tail_seen;
	uint32_t tag[LP_SLOTS];		/* buffer last written at that slot, +1 */
};

/* The sender: fill up to a batch of free input slots; returns how many. */
static unsigned tx_round(struct lp_tx *t)
{
	struct lp_ring *r = &lp.in;
	uint32_t n, k;

	if (LP_SLOTS - (t->head - t->tail_seen) < lp.batch)
		t->tail_seen = bench_load_acquire(&r->tail);
	n = LP_SLOTS - (t->head - t->tail_seen);
	if (n > lp.batch)
		n = lp.batch;
	for (k = 0; k < n; k++) {
		uint32_t i = (t->head + k) & (LP_SLOTS - 1);
		struct bench_desc *s = &r->slot[i];

		/* slot i always carries flow i % 64 (1024 is a multiple of 64) */
		if (t->tag[i] != s->buf_idx + 1) {
			memcpy(lp_buf(s->buf_idx), lp.frame[i % LP_FLOWS], LP_LEN);
			t->tag[i] = s->buf_idx + 1;
		}
		s->len = LP_LEN;
	}
	t->head += n;
	if (n)
		bench_store_release(&r->head, t->head);
	return n;
}

struct lp_lb {
	uint32_t tail;			/* input: next slot to read */
	uint32_t head[LP_OUT], tail_seen[LP_OUT];
};

#define LP_LB_BATCH 64u

/* The balancer: one batch of the input into the output rings. */
static unsigned lb_round(struct lp_lb *b)
{
	struct lp_ring *in = &lp.in;
	uint32_t avail = bench_load_acquire(&in->head) - b->tail, n, k, o;
	struct bench_desc *pkt[LP_LB_BATCH];
	uint32_t hash[LP_LB_BATCH];
	uint32_t start[LP_OUT];

	n = avail < LP_LB_BATCH ? avail : LP_LB_BATCH;
	if (!n)
		return 0;
	for (k = 0; k < n; k++) {
		pkt[k] = &in->slot[(b->tail + k) & (LP_SLOTS - 1)];
		__builtin_prefetch(lp_buf(pkt[k]->buf_idx));
	}
	for (k = 0; k < n; k++)
		hash[k] = lb_hash_frame((const uint8_t *)lp_buf(pkt[k]->buf_idx), pkt[k]->len,
					NULL);
	for (o = 0; o < LP_OUT; o++)
		start[o] = b->head[o];
	for (k = 0; k < n; k++) {
		struct lp_ring *r;
		struct bench_desc *d;

		o = hash[k] % LP_OUT;
		r = &lp.out[o];
		if (LP_SLOTS - (b->head[o] - b->tail_seen[o]) == 0) {
			b->tail_seen[o] = bench_load_acquire(&r->tail);
			/* full: the rest of the batch waits for the next round */
			if (LP_SLOTS - (b->head[o] - b->tail_seen[o]) == 0)
				break;
		}
		d = &r->slot[b->head[o] & (LP_SLOTS - 1)];
		if (lp.copy) {
			memcpy(lp_buf(d->buf_idx), lp_buf(pkt[k]->buf_idx), pkt[k]->len);
		} else {
			uint32_t spare = d->buf_idx;

			d->buf_idx = pkt[k]->buf_idx;
			pkt[k]->buf_idx = spare;
		}
		d->len = pkt[k]->len;
		b->head[o]++;
	}
	for (o = 0; o < LP_OUT; o++)
		if (b->head[o] != start[o])
			bench_store_release(&lp.out[o].head, b->head[o]);
	if (k) {
		b->tail += k;
		bench_store_release(&in->tail, b->tail);
	}
	return k;
}

struct lp_rx {
	uint32_t tail[LP_OUT];
	uint64_t got[LP_OUT];
};

/* The consumers: read the lengths in each output ring and release them. */
static unsigned rx_round(struct lp_rx *c)
{
	unsigned o, total = 0;

	for (o = 0; o < LP_OUT; o++) {
		struct lp_ring *r = &lp.out[o];
		uint32_t head = bench_load_acquire(&r->head), t = c->tail[o];

		if (head == t)
			continue;
		for (; t != head; t++)
			if (r->slot[t & (LP_SLOTS - 1)].len != LP_LEN)
				__atomic_fetch_add(&lp.bad, 1, __ATOMIC_RELAXED);
		c->got[o] += head - c->tail[o];
		total += head - c->tail[o];
		c->tail[o] = head;
		bench_store_release(&r->tail, head);
		bench_store_relaxed(&lp.got[o], c->got[o]);
	}
	return total;
}

/* ------------------------------------------------------------ threads */

enum { ROLE_TX = 1, ROLE_LB = 2, ROLE_RX = 4 };

struct lp_thread {
	pthread_t id;
	int roles, cpu;
};

static void *run_thread(void *arg)
{
	struct lp_thread *th = arg;
	static __thread struct lp_tx tx;
	static __thread struct lp_lb b;
	static __thread struct lp_rx c;

	if (bench_pin(th->cpu))
		exit(1);
	while (!lp.stop) {
		unsigned work = 0;

		if (th->roles & ROLE_TX)
			work += tx_round(&tx);
		if (th->roles & ROLE_LB)
			work += lb_round(&b);
		if (th->roles & ROLE_RX)
			work += rx_round(&c);
		if (!work)
			bench_relax();
	}
	return NULL;
}

static uint64_t total_got(void)
{
	uint64_t s = 0;
	unsigned o;

	for (o = 0; o < LP_OUT; o++)
		s += bench_load_relaxed(&lp.got[o]);
	return s;
}

static void usage(void)
{
	fprintf(stderr, "usage: lb_probe [-d SECS] [-b BATCH] [-p tx+rx,lb|tx,lb+rx|tx,lb,rx] [-c]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *place = "tx+rx,lb";
	struct lp_thread th[3];
	unsigned nth, i, o;
	double secs = 2;
	uint64_t t0, t1, g0, g1, expect[LP_OUT] = { 0 }, sent;
	int opt, fd, st = 0;

	lp.batch = 512;
	while ((opt = getopt(argc, argv, "d:b:p:c")) != -1) {
		switch (opt) {
		case 'd':
			secs = bench_seconds("-d", optarg);
			break;
		case 'b':
			lp.batch = (uint32_t)bench_num("-b", optarg, 1, LP_SLOTS);
			break;
		case 'p':
			place = optarg;
			break;
		case 'c':
			lp.copy = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	memset(th, 0, sizeof(th));
	if (!strcmp(place, "tx+rx,lb")) {
		th[0] = (struct lp_thread){ .roles = ROLE_TX | ROLE_RX, .cpu = 0 };
		th[1] = (struct lp_thread){ .roles = ROLE_LB, .cpu = 1 };
		nth = 2;
	} else if (!strcmp(place, "tx,lb+rx")) {
		th[0] = (struct lp_thread){ .roles = ROLE_TX, .cpu = 0 };
		th[1] = (struct lp_thread){ .roles = ROLE_LB | ROLE_RX, .cpu = 1 };
		nth = 2;
	} else if (!strcmp(place, "tx,lb,rx")) {
		th[0] = (struct lp_thread){ .roles = ROLE_TX, .cpu = 0 };
		th[1] = (struct lp_thread){ .roles = ROLE_LB, .cpu = 1 };
		th[2] = (struct lp_thread){ .roles = ROLE_RX, .cpu = -1 };
		nth = 3;
	} else {
		usage();
	}

	/* the buffers: a shared file mapping, as netmap's region */
	fd = (int)syscall(SYS_memfd_create, "lb_probe", 0);
	if (fd < 0 || ftruncate(fd, (off_t)LP_NBUFS * LP_BUFSIZE)) {
		perror("lb_probe: memfd");
		return 1;
	}
	lp.buf = mmap(NULL, (size_t)LP_NBUFS * LP_BUFSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	if (lp.buf == MAP_FAILED) {
		perror("lb_probe: mmap");
		return 1;
	}
	memset(lp.buf, 0, (size_t)LP_NBUFS * LP_BUFSIZE);
	make_frames();
	for (i = 0; i < LP_SLOTS; i++) {
		lp.in.slot[i].buf_idx = i;
		for (o = 0; o < LP_OUT; o++)
			lp.out[o].slot[i].buf_idx = (o + 1) * LP_SLOTS + i;
	}
	for (i = 0; i < LP_FLOWS; i++)
		expect[lb_hash_frame(lp.frame[i], LP_LEN, NULL) % LP_OUT]++;

	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i].id, NULL, run_thread, &th[i])) {
			fprintf(stderr, "lb_probe: cannot start a thread\n");
			return 1;
		}
	usleep(200000);
	t0 = bench_now_ns();
	g0 = total_got();
	usleep((useconds_t)(secs * 1e6));
	g1 = total_got();
	t1 = bench_now_ns();
	lp.stop = 1;
	for (i = 0; i < nth; i++)
		pthread_join(th[i].id, NULL);

	/* every frame sent and not in flight arrived, on the ring its hash names */
	sent = lp.in.head;
	{
		uint64_t inflight = lp.in.head - lp.in.tail, delivered = 0;

		for (o = 0; o < LP_OUT; o++)
			delivered += lp.out[o].head;
		if (delivered + inflight != sent || total_got() > delivered) {
			fprintf(stderr, "lb_probe: %llu sent, %llu delivered, %llu in flight\n",
				(unsigned long long)sent, (unsigned long long)delivered,
				(unsigned long long)inflight);
			st = 1;
		}
		/* whole laps of the 64 flows: each ring's share is fixed */
		for (o = 0; o < LP_OUT; o++) {
			double want = (double)expect[o] / LP_FLOWS * (double)delivered;

			if (delivered > 100000 &&
			    ((double)lp.out[o].head < want * 0.99 || (double)lp.out[o].head > want * 1.01)) {
				fprintf(stderr, "lb_probe: ring %u got %u of %llu, its flows' share is %.0f\n",
					o, lp.out[o].head, (unsigned long long)delivered, want);
				st = 1;
			}
		}
	}
	if (lp.bad) {
		fprintf(stderr, "lb_probe: %llu frames with a wrong length\n",
			(unsigned long long)lp.bad);
		st = 1;
	}
	printf("lb_probe mode=%s placement=%s batch=%u mpps=%.3f per_ring=%llu,%llu,%llu,%llu\n",
	       lp.copy ? "copy" : "zc", place, lp.batch,
	       (double)(g1 - g0) * 1e3 / (double)(t1 - t0),
	       (unsigned long long)lp.got[0], (unsigned long long)lp.got[1],
	       (unsigned long long)lp.got[2], (unsigned long long)lp.got[3]);
	return st;
}
