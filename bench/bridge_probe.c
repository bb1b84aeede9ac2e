// SPDX-License-Identifier: BSD-2-Clause
/*
 * bridge_probe: an upper bound for the bridge_zc row (bench/README.md,
 * "Where the time goes in bridge_zc").  The same job as pkt-gen ->
 * pipe -> bridge -> pipe -> pkt-gen, done the cheapest way there is:
 * plain shared-memory rings, no system calls, no checks.
 *
 *  - sender: for each free slot of ring A, writes a 60-byte frame into
 *    the slot's buffer when that buffer is not the one it last wrote
 *    there (as pkt-gen does: through the bridge every buffer changes,
 *    through a pipe none does), sets the length, and publishes batches
 *    of -b slots with one release store;
 *  - forwarder: moves each packet of ring A to ring B by swapping the
 *    two slots' buffers (B's slot gets the frame, A's slot the buffer
 *    the receiver released), both descriptors rewritten and flagged as
 *    netmap's zero-copy bridge does, up to -B packets per round;
 *  - receiver: reads the lengths of ring B's slots and releases them.
 *
 * Rings of 1024 16-byte descriptors (struct netmap_slot's size), one
 * producer and one consumer index per ring on their own cache lines,
 * 3072 buffers of 2048 bytes.  Two CPUs cannot hold three spinning
 * threads, so two of the roles share a thread that alternates between
 * them (a switch that costs nothing: no scheduler, no wake-up):
 *
 *   s|fr  sender on -a, forwarder and receiver on -A (where the bridge
 *         settles in bridge_zc: on the receiver's CPU)
 *   sf|r  sender and forwarder on -a, receiver on -A
 *   pipe  sender on -a, receiver on -A, ring A only: the pipe_sleep
 *         job in the same terms (no buffer changes)
 *
 * Not included, against netmap: the pipes' second ring per hop (a TX
 * ring and its peer RX ring, each descriptor checked and copied between
 * them in both directions), poll() and its sleeps and wake-ups, the
 * syncs' system-call-free but non-trivial bookkeeping, and more than
 * one packet per frame (no NS_MOREFRAG).  Included: the write-intent
 * prefetch of slot lines that bridge does.  So the figure bounds what any
 * implementation could reach on this machine, not what netmap's
 * structure allows.
 *
 *   bridge_probe [-m s|fr|sf|r|pipe|all] [-b BATCH] [-B BURST]
 *                [-d SECONDS] [-a CPU] [-A CPU]
 *   -> bridge_probe mode=... mpps=... packets=... seconds=...
 */
#include "bench.h"
#include "nt_prefetch.h"

#include <pthread.h>
#include <unistd.h>

#define BP_SLOTS	1024u
#define BP_BUFSIZE	2048u
#define BP_NBUFS	(3 * BP_SLOTS)
#define BP_LEN		60u
#define BP_CHANGED	0x0001	/* NS_BUF_CHANGED */

struct bp_ring {
	BENCH_ALIGNED uint32_t head;	/* producer: slots published */
	BENCH_ALIGNED uint32_t tail;	/* consumer: slots released */
	BENCH_ALIGNED struct bench_desc slot[BP_SLOTS];
};

enum bp_mode { BP_S_FR, BP_SF_R, BP_PIPE };

/*
 * A slot line that is read and then written, last written on the other
 * CPU, is asked for with write intent this many slots ahead (as bridge
 * does), so that it crosses once and the misses overlap.
 */
#define BP_AHEAD	16u

static struct {
	struct bp_ring *a, *b;
	char *bufs;
	enum bp_mode mode;
	uint32_t batch, burst;
	int cpu[2];
	BENCH_ALIGNED volatile int stop;
	BENCH_ALIGNED uint64_t received;	/* written by the receiver at the end */
} bp;

/* The sender's state: ring A's producer side. */
struct bp_tx {
	uint32_t head, tail_seen;
	uint32_t last[BP_SLOTS];	/* the buffer each slot's frame was written into */
	unsigned char frame[BP_LEN];
};

/* A consumer's and (for the forwarder) producer's private indices. */
struct bp_fwd {
	uint32_t a_tail, a_head_seen;	/* ring A, consumer */
	uint32_t b_head, b_tail_seen;	/* ring B, producer */
};

struct bp_rx {
	struct bp_ring *r;
	uint32_t tail, head_seen;
	uint64_t pkts, bytes;
};

static int bp_tx_step(struct bp_tx *t)
{
	struct bp_ring *r = bp.a;
	uint32_t space = BP_SLOTS - (t->head - t->tail_seen), h, end;

	if (space < bp.batch) {
		t->tail_seen = bench_load_acquire(&r->tail);
		space = BP_SLOTS - (t->head - t->tail_seen);
		if (space < bp.batch)
			return 0;
	}
	for (h = t->head, end = h + bp.batch; h != end; h++) {
		struct bench_desc *s = &r->slot[h & (BP_SLOTS - 1)];
		uint32_t b = s->buf_idx, i = h & (BP_SLOTS - 1);

		nt_prefetchw(&r->slot[(h + BP_AHEAD) & (BP_SLOTS - 1)]);
		if (t->last[i] != b) {
			memcpy(bp.bufs + (size_t)b * BP_BUFSIZE, t->frame, BP_LEN);
			t->last[i] = b;
		}
		s->len = BP_LEN;
	}
	t->head = end;
	bench_store_release(&r->head, end);
	return 1;
}

static int bp_fwd_step(struct bp_fwd *f)
{
	struct bp_ring *a = bp.a, *b = bp.b;
	uint32_t avail = f->a_head_seen - f->a_tail;
	uint32_t space = BP_SLOTS - (f->b_head - f->b_tail_seen), n, i;

	if (!avail) {
		f->a_head_seen = bench_load_acquire(&a->head);
		avail = f->a_head_seen - f->a_tail;
	}
	if (!space) {
		f->b_tail_seen = bench_load_acquire(&b->tail);
		space = BP_SLOTS - (f->b_head - f->b_tail_seen);
	}
	n = avail < space ? avail : space;
	if (n > bp.burst)
		n = bp.burst;
	for (i = 0; i < n; i++) {
		struct bench_desc *rs = &a->slot[(f->a_tail + i) & (BP_SLOTS - 1)];
		struct bench_desc *ts = &b->slot[(f->b_head + i) & (BP_SLOTS - 1)];
		uint32_t idx = ts->buf_idx;

		nt_prefetchw(&a->slot[(f->a_tail + i + BP_AHEAD) & (BP_SLOTS - 1)]);
		nt_prefetchw(&b->slot[(f->b_head + i + BP_AHEAD) & (BP_SLOTS - 1)]);
		ts->buf_idx = rs->buf_idx;
		rs->buf_idx = idx;
		rs->flags |= BP_CHANGED;
		ts->flags = BP_CHANGED;
		ts->len = rs->len;
	}
	if (!n)
		return 0;
	f->a_tail += n;
	f->b_head += n;
	bench_store_release(&b->head, f->b_head);
	bench_store_release(&a->tail, f->a_tail);
	return 1;
}

static int bp_rx_step(struct bp_rx *x)
{
	uint32_t avail = x->head_seen - x->tail, t;

	if (!avail) {
		x->head_seen = bench_load_acquire(&x->r->head);
		avail = x->head_seen - x->tail;
		if (!avail)
			return 0;
	}
	for (t = x->tail; t != x->head_seen; t++)
		x->bytes += x->r->slot[t & (BP_SLOTS - 1)].len;
	x->pkts += avail;
	x->tail = x->head_seen;
	bench_store_release(&x->r->tail, x->tail);
	return 1;
}

/* Thread 0: the sender (and the forwarder in sf|r). */
static void *bp_thread0(void *arg)
{
	struct bp_tx t = { 0 };
	struct bp_fwd f = { 0 };

	(void)arg;
	bench_pin(bp.cpu[0]);
	memset(t.frame, 0x5a, sizeof(t.frame));
	memset(t.last, 0xff, sizeof(t.last));
	while (!bp.stop) {
		int did = bp_tx_step(&t);

		if (bp.mode == BP_SF_R)
			did |= bp_fwd_step(&f);
		if (!did)
			bench_relax();
	}
	return NULL;
}

/* Thread 1: the receiver (and the forwarder in s|fr). */
static void *bp_thread1(void *arg)
{
	struct bp_rx x = { .r = bp.mode == BP_PIPE ? bp.a : bp.b };
	struct bp_fwd f = { 0 };

	(void)arg;
	bench_pin(bp.cpu[1]);
	while (!bp.stop) {
		int did = 0;

		if (bp.mode == BP_S_FR)
			did |= bp_fwd_step(&f);
		did |= bp_rx_step(&x);
		if (!did)
			bench_relax();
	}
	__atomic_store_n(&bp.received, x.pkts, __ATOMIC_RELEASE);
	if (x.bytes != x.pkts * BP_LEN)
		fprintf(stderr, "bridge_probe: %llu bytes for %llu packets\n",
			(unsigned long long)x.bytes, (unsigned long long)x.pkts);
	return NULL;
}

static const char *bp_names[] = { "s|fr", "sf|r", "pipe" };

static int bp_run(enum bp_mode mode, double seconds)
{
	pthread_t th[2];
	uint64_t t0, t1;
	uint32_t i;

	memset(bp.a, 0, sizeof(*bp.a));
	memset(bp.b, 0, sizeof(*bp.b));
	for (i = 0; i < BP_SLOTS; i++) {
		bp.a->slot[i].buf_idx = i;
		bp.b->slot[i].buf_idx = BP_SLOTS + i;
	}
	bp.mode = mode;
	bp.stop = 0;
	bp.received = 0;
	t0 = bench_now_ns();
	if (pthread_create(&th[0], NULL, bp_thread0, NULL) ||
	    pthread_create(&th[1], NULL, bp_thread1, NULL)) {
		fprintf(stderr, "bridge_probe: cannot start threads\n");
		return 1;
	}
	usleep((useconds_t)(seconds * 1e6));
	bp.stop = 1;
	t1 = bench_now_ns();
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	printf("bridge_probe mode=%s mpps=%.3f packets=%llu seconds=%.3f\n",
	       bp_names[mode], (double)bp.received * 1e3 / (double)(t1 - t0),
	       (unsigned long long)bp.received, (double)(t1 - t0) / 1e9);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "all";
	double seconds = 2;
	int c, st = 0;

	bp.batch = 512;
	bp.burst = 1024;
	bp.cpu[0] = 0;
	bp.cpu[1] = 1;
	while ((c = getopt(argc, argv, "m:b:B:d:a:A:")) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 'b': bp.batch = (uint32_t)bench_num("-b", optarg, 1, BP_SLOTS / 2); break;
		case 'B': bp.burst = (uint32_t)bench_num("-B", optarg, 1, BP_SLOTS); break;
		case 'd': seconds = bench_seconds("-d", optarg); break;
		case 'a': bp.cpu[0] = (int)bench_num("-a", optarg, -1, 4095); break;
		case 'A': bp.cpu[1] = (int)bench_num("-A", optarg, -1, 4095); break;
		default:
			fprintf(stderr, "usage: bridge_probe [-m s|fr|sf|r|pipe|all] [-b BATCH] "
				"[-B BURST] [-d SECONDS] [-a CPU] [-A CPU]\n");
			return 2;
		}
	}
	if (strcmp(mode, "all") && strcmp(mode, "s|fr") && strcmp(mode, "sf|r") &&
	    strcmp(mode, "pipe")) {
		fprintf(stderr, "bridge_probe: -m: unknown mode '%s'\n", mode);
		return 2;
	}
	bp.a = bench_shared_alloc(sizeof(*bp.a));
	bp.b = bench_shared_alloc(sizeof(*bp.b));
	bp.bufs = bench_shared_alloc((size_t)BP_NBUFS * BP_BUFSIZE);
	if (!bp.a || !bp.b || !bp.bufs) {
		fprintf(stderr, "bridge_probe: out of memory\n");
		return 1;
	}
	if (!strcmp(mode, "all") || !strcmp(mode, "s|fr"))
		st |= bp_run(BP_S_FR, seconds);
	if (!strcmp(mode, "all") || !strcmp(mode, "sf|r"))
		st |= bp_run(BP_SF_R, seconds);
	if (!strcmp(mode, "all") || !strcmp(mode, "pipe"))
		st |= bp_run(BP_PIPE, seconds);
	return st;
}
