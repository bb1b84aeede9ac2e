// SPDX-License-Identifier: BSD-2-Clause
/*
 * The user runtime survives SIGKILL of any participant at any instant.
 *
 * Sender processes forward frames through one VALE switch (and through a
 * pipe) and are killed at random moments: while holding locks, in the
 * middle of a lease, while forwarding.  The receiver must keep receiving
 * from new senders after every kill, no lock or ring may stay blocked, and
 * once everybody is gone the switch and its ports must be reclaimed.
 *
 * NETMAP_KILL_ROUNDS sets the number of random rounds (default 20; the
 * kill -9 campaign of docs/ARCHITECTURE.md runs 600).
 *
 * Random kills rarely land inside a control operation, so a second part
 * kills a process at each step of its control operations in turn
 * (registering, releasing, reaping a dead process), through the
 * runtime's NETMAP_RUNTIME_KILL_STEP, and checks after every death that
 * nothing it held is left.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap_user.h>

#include "backend.h"
#include "rt_port.h"
#include "tap.h"

/*
 * A sender: broadcast 60-byte frames forever, in batches.  Senders that
 * will be killed run at the lowest priority so that they do not starve
 * other tests; the sender whose frames the check waits for does not.
 */
static void sender(const char *name, int low_priority)
{
	struct port p;
	struct netmap_ring *r;

	if (low_priority && nice(19) < 0)
		_exit(2);
	if (port_open(&p, name))
		_exit(2);
	r = NETMAP_TXRING(p.nifp, 0);
	for (;;) {
		uint32_t n = nm_ring_space(r), i;

		for (i = 0; i < n && i < 64; i++) {
			struct netmap_slot *s = &r->slot[r->head];
			char *buf = NETMAP_BUF(r, s->buf_idx);

			memset(buf, 0xff, 6);
			memset(buf + 6, 2, 6);
			s->len = 60;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		nmb_ioctl(p.fd, NIOCTXSYNC, NULL);
	}
}

/*
 * Receive for ms milliseconds (or, with until_first, only until frames
 * arrive); returns the packets seen.
 */
static long receive_for(struct port *rx, int ms, int until_first)
{
	struct netmap_ring *r = NETMAP_RXRING(rx->nifp, 0);
	struct timespec t0, t;
	long got = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nmb_ioctl(rx->fd, NIOCRXSYNC, NULL);
		got += nm_ring_space(r);
		r->head = r->cur = r->tail;
		if (until_first && got)
			break;
		usleep(200);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	return got;
}

static int count_ports(const char *sw)
{
	struct nmreq_header h;
	struct nmreq_vale_list l;
	int fd = nmb_open(), n = 0;

	memset(&l, 0, sizeof(l));
	for (;;) {
		memset(&h, 0, sizeof(h));
		h.nr_version = NETMAP_API;
		h.nr_reqtype = NETMAP_REQ_VALE_LIST;
		h.nr_body = (uintptr_t)&l;
		if (nmb_ioctl(fd, NIOCCTRL, &h))
			break;
		if (!strncmp(h.nr_name, sw, strlen(sw)))
			n++;
		l.nr_port_idx++;
	}
	nmb_close(fd);
	return n;
}

/*
 * A process that registered a port and died outside any control
 * operation: the next process to open a descriptor reaps it.
 */
static int dead_victim(const char *sw)
{
	char name[64], c = 0;
	int fds[2], got;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct port p;

		close(fds[0]);
		snprintf(name, sizeof(name), "%s:v", sw);
		if (port_open(&p, name) || write(fds[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(fds[1]);
	got = pid > 0 ? (int)read(fds[0], &c, 1) : -1;
	close(fds[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return got == 1 ? 0 : -1;
}

/*
 * Open a descriptor (reaping the victim), register a port, release it,
 * register again and exit, unless killed at control step `step` first.
 */
static void cycler(const char *sw, unsigned int step)
{
	char name[64], v[16];
	struct port p;

	snprintf(v, sizeof(v), "%u", step);
	setenv("NETMAP_RUNTIME_KILL_STEP", v, 1);
	snprintf(name, sizeof(name), "%s:c", sw);
	if (port_open(&p, name))
		_exit(2);
	nmb_close(p.fd);
	if (port_open(&p, name))
		_exit(2);
	_exit(0);
}

/* Run a cycler killed at step; 1 if it got through, 0 if killed, -1 else. */
static int run_cycler(const char *sw, unsigned int step)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		cycler(sw, step);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : -1;
}

/*
 * Kill the cycler at its step 1, 2, ... until it gets through.  A second
 * one, killed at one of its first steps, is often killed while it
 * recovers from the first's death.  After each round only the anchor
 * port may remain on the switch, and the next victim must register.
 */
static void kill_every_step(const char *sw)
{
	unsigned int step, last = 0;
	int left = 0, refused = 0, other = 0, through = 0;

	for (step = 1; step < 10000 && !through; step++) {
		int r;

		if (dead_victim(sw)) {
			refused++;
			break;
		}
		r = run_cycler(sw, step);
		if (r > 0)
			through = 1;
		else if (r < 0)
			other++;
		if (run_cycler(sw, 1 + step % 24) < 0)
			other++;
		if (count_ports(sw) != 1)
			left++;
		last = step;
	}
	ok(through && last > 20, "killed at each of %u control steps",
	   last - 1);
	is_int(other, 0, "each of those processes died at its step");
	is_int(left, 0, "nothing left after a death at any step");
	is_int(refused, 0, "a new port registered after every death");
}

/* Remove the runtime directory (files of ours only). */
static void remove_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int main(void)
{
	char dir[] = "/tmp/nmkill.XXXXXX", sw[32], name[64];
	struct port rx;
	const char *e = getenv("NETMAP_KILL_ROUNDS");
	int rounds = e ? atoi(e) : 20;	/* docs/ARCHITECTURE.md: longer runs */
	int round, stuck = 0, alive_rounds = 0, err;

	if (!mkdtemp(dir))
		return 99;
	setenv("NETMAP_RUNTIME_DIR", dir, 1);
	setenv("NETMAP_BACKEND", "user", 1);
	srand((unsigned)getpid());
	snprintf(sw, sizeof(sw), "valek%u", (unsigned)getpid() % 10000);
	snprintf(name, sizeof(name), "%s:rx", sw);
	err = port_open(&rx, name);
	is_int(err, 0, "receiver on %s", name);
	if (err)
		return tap_done();

	for (round = 0; round < rounds; round++) {
		pid_t kids[2];
		int k;

		for (k = 0; k < 2; k++) {
			kids[k] = fork();
			if (kids[k] == 0) {
				char n[64];

				snprintf(n, sizeof(n), "%s:tx%d", sw, k);
				sender(n, 1);
			}
		}
		/* Let them run a random while, then kill them mid-flight. */
		receive_for(&rx, 5 + rand() % 40, 0);
		for (k = 0; k < 2; k++) {
			kill(kids[k], SIGKILL);
			waitpid(kids[k], NULL, 0);
		}
		/*
		 * A new sender must get frames through again.  A machine
		 * loaded by parallel tests may take a while to start it;
		 * a blocked switch never delivers.
		 */
		kids[0] = fork();
		if (kids[0] == 0) {
			char n[64];

			snprintf(n, sizeof(n), "%s:tx%d", sw, 0);
			sender(n, 0);
		}
		if (receive_for(&rx, 5000, 1) > 0)
			alive_rounds++;
		else
			stuck++;
		kill(kids[0], SIGKILL);
		waitpid(kids[0], NULL, 0);
	}
	is_int(stuck, 0, "no round left the switch blocked");
	is_int(alive_rounds, rounds, "frames flowed after every kill (%d)", rounds);
	/* Dead senders' ports are reclaimed: only the receiver remains. */
	is_int(count_ports(sw), 1, "dead processes' ports reclaimed");
	nmb_close(rx.fd);
	is_int(count_ports(sw), 0, "switch empty after the receiver closed");

	/* The anchor keeps the switch (and its lock) alive across deaths. */
	snprintf(name, sizeof(name), "%s:a", sw);
	err = port_open(&rx, name);
	is_int(err, 0, "anchor port on %s", name);
	if (!err) {
		kill_every_step(sw);
		nmb_close(rx.fd);
		is_int(count_ports(sw), 0,
		       "switch empty after the anchor closed");
	}
	/* On failure the arena is kept for inspection. */
	if (tap_failed)
		printf("# runtime directory kept: %s\n", dir);
	else
		remove_dir(dir);
	return tap_done();
}
