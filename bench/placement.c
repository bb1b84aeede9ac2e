// SPDX-License-Identifier: BSD-2-Clause
/*
 * placement: where the hypervisor put the two vCPUs right now.  Two
 * threads pinned to CPUs A and B bounce one cache line; the round trip
 * is about 95 ns when the cores are close and about 400 ns when they are
 * far, which moves every cross-core figure 3-4x.  Prints the median
 * round trip of several chunks and the class (close below 200 ns).
 *
 *   placement [-a CPU_A] [-b CPU_B] [-n ROUND_TRIPS] [-c CHUNKS]
 *   -> placement rtt_ns=95.4 class=close min_ns=.. max_ns=..
 */
#include "bench.h"

#include <pthread.h>
#include <unistd.h>

#define CLOSE_LIMIT_NS	200.0
#define MAX_CHUNKS	64

struct pingpong {
	BENCH_ALIGNED volatile uint64_t ball;	/* odd: B's turn, even: A's */
	BENCH_ALIGNED volatile int ready;
	int cpu_b;
	uint64_t total;				/* round trips */
};

static void *pong(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t want = 1, last = 2 * pp->total;

	if (bench_pin(pp->cpu_b) < 0)
		exit(1);
	bench_store_release(&pp->ready, 1);
	while (want < last) {
		while (bench_load_acquire(&pp->ball) != want)
			bench_relax();
		bench_store_release(&pp->ball, want + 1);
		want += 2;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct pingpong pp;
	double rtt[MAX_CHUNKS];
	long cpu_a = 0, chunks = 8, per_chunk, n = 16000;
	uint64_t ball = 0;
	pthread_t th;
	int c, i;

	pp.cpu_b = 1;
	while ((c = getopt(argc, argv, "a:b:n:c:h")) != -1) {
		switch (c) {
		case 'a':
			cpu_a = bench_num("-a", optarg, 0, 4095);
			break;
		case 'b':
			pp.cpu_b = (int)bench_num("-b", optarg, 0, 4095);
			break;
		case 'n':
			n = bench_num("-n", optarg, 100, 100000000);
			break;
		case 'c':
			chunks = bench_num("-c", optarg, 1, MAX_CHUNKS);
			break;
		default:
			fprintf(stderr, "usage: %s [-a CPU] [-b CPU] [-n ROUND_TRIPS] [-c CHUNKS]\n",
				argv[0]);
			return 2;
		}
	}
	per_chunk = n / chunks;
	pp.total = (uint64_t)(per_chunk * chunks);
	if (bench_pin((int)cpu_a) < 0)
		return 1;
	if (pthread_create(&th, NULL, pong, &pp)) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	while (!bench_load_acquire(&pp.ready))
		bench_relax();
	for (i = 0; i < chunks; i++) {
		uint64_t t0 = bench_now_ns(), t1;
		long k;

		for (k = 0; k < per_chunk; k++) {
			bench_store_release(&pp.ball, ball + 1);
			ball += 2;
			while (bench_load_acquire(&pp.ball) != ball)
				bench_relax();
		}
		t1 = bench_now_ns();
		rtt[i] = (double)(t1 - t0) / (double)per_chunk;
	}
	pthread_join(th, NULL);
	qsort(rtt, (size_t)chunks, sizeof(rtt[0]), cmp_double);
	{
		double med = rtt[chunks / 2];

		printf("placement rtt_ns=%.1f class=%s min_ns=%.1f max_ns=%.1f cpus=%ld,%d\n",
		       med, med < CLOSE_LIMIT_NS ? "close" : "far", rtt[0],
		       rtt[chunks - 1], cpu_a, pp.cpu_b);
	}
	return 0;
}
