// SPDX-License-Identifier: BSD-2-Clause
/*
 * passthrough: what libnetmap's C library wrappers (lib/interpose.c)
 * cost calls on descriptors that are not netmap's.  One thread makes N
 * rounds of poll() (timeout 0) on a pipe, ioctl(FIONREAD) on it and
 * close(dup()) of it, and prints the ns per round.  Built without
 * libnetmap: run-bench.sh runs it plainly and under LD_PRELOAD of
 * libnetmap.so.0 (as netmap-run does, and as every program linked with
 * -lnetmap gets), alternating, and reports the ratio.
 *
 *   passthrough [-n ROUNDS] [-a CPU]
 *   -> passthrough rounds=... ns_per_round=...
 */
#include "bench.h"

#include <unistd.h>

#include <poll.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
	long rounds = 2000000, i;
	int fds[2], opt, cpu = -1, avail;
	struct pollfd p;
	uint64_t t0, t1;

	while ((opt = getopt(argc, argv, "n:a:")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atol(optarg);
			break;
		case 'a':
			cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: passthrough [-n ROUNDS] [-a CPU]\n");
			return 2;
		}
	}
	if (cpu >= 0)
		bench_pin(cpu);
	if (pipe(fds)) {
		perror("pipe");
		return 1;
	}
	p.fd = fds[0];
	p.events = POLLIN;
	t0 = bench_now_ns();
	for (i = 0; i < rounds; i++) {
		if (poll(&p, 1, 0) < 0 || ioctl(fds[0], FIONREAD, &avail) < 0 ||
		    close(dup(fds[0])) < 0) {
			perror("passthrough");
			return 1;
		}
	}
	t1 = bench_now_ns();
	printf("passthrough rounds=%ld ns_per_round=%.1f\n", rounds,
	       (double)(t1 - t0) / (double)rounds);
	return 0;
}
