/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spsc.h - the raw baselines: a single-producer/single-consumer ring of
 * 16-byte descriptors laid out like a netmap ring (power-of-two slots,
 * a producer index and a consumer index on their own cache lines,
 * batches published with one release store), optionally with a packet
 * copy per descriptor.  raw_ring, raw_copy (two processes) and
 * one_thread (one thread, under callgrind) run these same functions, so
 * the cross-process rates and the instruction counts describe the same
 * code.
 *
 * The copy is done by the producer, from its private transmit buffers
 * into the shared buffer named by the descriptor, which is what a VALE
 * sender does when it switches a frame into the receiver's ring; the
 * consumer reads the descriptors, as pkt-gen's receiver does.
 */
#ifndef BENCH_SPSC_H_
#define BENCH_SPSC_H_

#include "bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPSC_SLOTS	1024u		/* as a netmap ring */
#define SPSC_BUFSIZE	2048u		/* as a netmap buffer */

struct spsc_ring {
	BENCH_ALIGNED uint32_t head;	/* producer: next slot to fill */
	BENCH_ALIGNED uint32_t tail;	/* consumer: next slot to read */
	BENCH_ALIGNED volatile int stop; /* set by whoever ends the run */
	BENCH_ALIGNED struct bench_desc slot[SPSC_SLOTS];
};

/* The producer's private state. */
struct spsc_tx {
	struct spsc_ring *r;
	uint32_t head;			/* private copy of r->head */
	uint32_t tail_seen;		/* last r->tail read */
	uint16_t len;			/* frame length */
	unsigned int copy;		/* copy len bytes per packet */
	size_t bufsize;			/* buffer stride, SPSC_BUFSIZE */
	char *src;			/* SPSC_SLOTS private buffers */
	char *dst;			/* SPSC_SLOTS shared buffers */
};

/* The consumer's private state. */
struct spsc_rx {
	struct spsc_ring *r;
	uint32_t tail;			/* private copy of r->tail */
	uint32_t head_seen;		/* last r->head read */
	uint64_t bytes;			/* sum of the lengths read */
};

/* Free slots as last seen by the producer, refreshed when short. */
static inline uint32_t spsc_tx_space(struct spsc_tx *t, uint32_t want)
{
	uint32_t space = SPSC_SLOTS - (t->head - t->tail_seen);

	if (space < want) {
		t->tail_seen = bench_load_acquire(&t->r->tail);
		space = SPSC_SLOTS - (t->head - t->tail_seen);
	}
	return space;
}

/* Fill n slots (n <= free space) and publish them with one store. */
static inline void spsc_tx_fill(struct spsc_tx *t, uint32_t n)
{
	struct bench_desc *slot = t->r->slot;
	uint32_t h = t->head, end = h + n;

	for (; h != end; h++) {
		uint32_t i = h & (SPSC_SLOTS - 1);

		if (t->copy)
			memcpy(t->dst + i * t->bufsize,
			       t->src + i * t->bufsize, t->len);
		slot[i].buf_idx = i;
		slot[i].len = t->len;
		slot[i].flags = 0;
		slot[i].ptr = 0;
	}
	t->head = end;
	bench_store_release(&t->r->head, end);
}

/* Read every published slot and release them; returns how many. */
static inline uint32_t spsc_rx_drain(struct spsc_rx *c)
{
	struct bench_desc *slot = c->r->slot;
	uint32_t t = c->tail, n;
	uint64_t bytes = 0;

	if (t == c->head_seen) {
		c->head_seen = bench_load_acquire(&c->r->head);
		if (t == c->head_seen)
			return 0;
	}
	n = c->head_seen - t;
	for (; t != c->head_seen; t++) {
		const struct bench_desc *s = &slot[t & (SPSC_SLOTS - 1)];

		bytes += s->len;
	}
	c->bytes += bytes;
	c->tail = t;
	bench_store_release(&c->r->tail, t);
	return n;
}

/* ---------------------------------------------------------------- */
/* Two processes: the producer (parent) and the consumer (child)     */
/* ---------------------------------------------------------------- */

struct spsc_result {
	uint64_t packets;
	uint64_t ns;
	uint64_t bytes;
	int ok;
};

struct spsc_conf {
	const char *name;		/* first word of the result line */
	unsigned int copy;		/* producer copies len bytes per packet */
	uint16_t len;
	uint32_t batch;
	uint32_t bufsize;		/* buffer stride (-S), SPSC_BUFSIZE */
	double seconds;
	int cpu_tx, cpu_rx;
};

/* The consumer: drain until the measured window has passed. */
static inline void spsc_consumer(struct spsc_ring *r, struct spsc_result *res,
				 const struct spsc_conf *cf)
{
	struct spsc_rx c = { .r = r };
	uint64_t warm = (uint64_t)(cf->seconds * 1e8), len;
	uint64_t t0 = 0, t_end = 0, n0 = 0, n = 0, now;
	unsigned int idle = 0;

	len = (uint64_t)(cf->seconds * 1e9);
	if (warm > 300000000ull)
		warm = 300000000ull;
	for (;;) {
		uint32_t got = spsc_rx_drain(&c);

		if (!got && ++idle & 255)
			continue;
		n += got;
		now = bench_now_ns();
		if (!t_end) {
			if (!n)
				continue;
			/* first packet: warm up, then open the window */
			t0 = now + warm;
			t_end = t0 + len;
			n0 = 0;
			continue;
		}
		if (!n0 && now >= t0)
			n0 = n, t0 = now;
		if (n0 && now >= t_end)
			break;
	}
	res->packets = n - n0;
	res->ns = now - t0;
	res->bytes = c.bytes;
	res->ok = 1;
	r->stop = 1;
}

/* Fork, run producer and consumer pinned, print one result line. */
static inline int spsc_run(const struct spsc_conf *cf)
{
	struct spsc_ring *r = bench_shared_alloc(sizeof(*r));
	struct spsc_result *res = bench_shared_alloc(sizeof(*res));
	struct spsc_tx t = {
		.len = cf->len, .copy = cf->copy, .bufsize = cf->bufsize,
	};
	size_t bytes = (size_t)SPSC_SLOTS * cf->bufsize + SPSC_BUFSIZE;
	uint64_t deadline;
	unsigned int spins = 0;
	int status = 0;
	pid_t pid;

	if (!r || !res) {
		perror("mmap");
		return 1;
	}
	t.r = r;
	if (cf->copy) {
		t.dst = bench_shared_alloc(bytes);
		t.src = malloc(bytes);
		if (!t.src || !t.dst) {
			perror("buffers");
			return 1;
		}
		/* a frame in every transmit buffer, written once (pkt-gen) */
		memset(t.src, 0x5a, bytes);
		memset(t.dst, 0, bytes);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		alarm((unsigned int)cf->seconds + 10);
		if (bench_pin(cf->cpu_rx) < 0)
			_exit(1);
		spsc_consumer(r, res, cf);
		_exit(0);
	}
	alarm((unsigned int)cf->seconds + 12);
	if (bench_pin(cf->cpu_tx) < 0) {
		kill(pid, SIGKILL);
		return 1;
	}
	deadline = bench_now_ns() + (uint64_t)(cf->seconds * 1e9) + 10000000000ull;
	while (!r->stop) {
		if (spsc_tx_space(&t, cf->batch) >= cf->batch) {
			spsc_tx_fill(&t, cf->batch);
			continue;
		}
		bench_relax();
		if (!(++spins & 1023) && bench_now_ns() > deadline)
			break;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || !res->ok) {
		fprintf(stderr, "%s: consumer failed\n", cf->name);
		return 1;
	}
	printf("%s mpps=%.3f packets=%llu seconds=%.3f len=%u copy=%u batch=%u slots=%u bufsize=%u cpus=%d,%d\n",
	       cf->name, (double)res->packets * 1e3 / (double)res->ns,
	       (unsigned long long)res->packets, (double)res->ns / 1e9,
	       cf->len, cf->copy, cf->batch, SPSC_SLOTS, cf->bufsize,
	       cf->cpu_tx, cf->cpu_rx);
	return 0;
}

/* Options shared by raw_ring and raw_copy. */
static inline int spsc_main(int argc, char **argv, struct spsc_conf *cf)
{
	int c;

	cf->bufsize = SPSC_BUFSIZE;
	while ((c = getopt(argc, argv, "l:b:d:a:A:S:h")) != -1) {
		switch (c) {
		case 'l':
			cf->len = (uint16_t)bench_num("-l", optarg, 1, 65535);
			break;
		case 'S':
			cf->bufsize = (uint32_t)bench_num("-S", optarg, 64, 65536);
			break;
		case 'b':
			cf->batch = (uint32_t)bench_num("-b", optarg, 1, SPSC_SLOTS);
			break;
		case 'd':
			cf->seconds = bench_seconds("-d", optarg);
			break;
		case 'a':
			cf->cpu_tx = (int)bench_num("-a", optarg, -1, 4095);
			break;
		case 'A':
			cf->cpu_rx = (int)bench_num("-A", optarg, -1, 4095);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-l LEN] [-b BATCH] [-d SECONDS] [-a TX_CPU] [-A RX_CPU] [-S BUFSIZE]\n",
				argv[0]);
			return 2;
		}
	}
	if (cf->len > cf->bufsize) {
		fprintf(stderr, "%s: -l %u exceeds the buffer size %u\n",
			argv[0], cf->len, cf->bufsize);
		return 2;
	}
	return spsc_run(cf);
}

#endif /* BENCH_SPSC_H_ */
