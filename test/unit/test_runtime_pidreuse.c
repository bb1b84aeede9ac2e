// SPDX-License-Identifier: BSD-2-Clause
/*
 * The user runtime's owner records survive pid reuse (issue 8, 2.1).
 *
 * A process is killed while it holds something in the arena: a thread's
 * forwarding slot, a ring being synced, a lease on a receive ring, a
 * switch's writer flag.  Then an unrelated process is given its pid (and,
 * for a main thread, its tid).  Whoever comes next must see the holder
 * as dead all the same: a port added to the switch, frames sent through
 * it or through the pipe, must get through.  With owners recorded as
 * pids, every one of these hung (every control operation spun in the
 * switch write lock, holding the control lock) until the impostor exited.
 *
 * Pids are reused on demand in a pid namespace of our own: the test
 * becomes its init, and /proc/sys/kernel/ns_last_pid (pid - 1) makes
 * the next fork get the pid.  The deaths happen at chosen points through
 * the runtime's NETMAP_RUNTIME_KILL_AT; a last part (the campaign) kills
 * senders with SIGKILL at random instants and reuses their pids, for
 * NETMAP_PIDREUSE_ROUNDS rounds (default 10; docs/ARCHITECTURE.md gives
 * longer runs).  Every check runs in a child under a watchdog, so a hang
 * is a failure, not a stuck test.
 *
 * The same machinery stops (SIGSTOP) a sender in the middle of a lease,
 * as a loaded machine preempts one, to check that the other senders'
 * frames wait for it and are not dropped while the ring has room
 * (issue 8, 2.10).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap_user.h>

#include "backend.h"
#include "rt_port.h"
#include "tap.h"

/* Seconds a check may take before it counts as hung. */
#define WATCHDOG 20

static uint8_t indirect_frame[60];

/*
 * Queue up to n broadcast frames of 60 bytes on TX ring 0 and sync.  The
 * payload is the sender's tag, so that a receiver counts one sender's.
 */
static uint32_t send_frames(struct port *p, uint32_t n, int indirect,
			    uint8_t tag)
{
	struct netmap_ring *r = NETMAP_TXRING(p->nifp, 0);
	uint32_t i, space = nm_ring_space(r);

	for (i = 0; i < n && i < space; i++) {
		struct netmap_slot *s = &r->slot[r->head];
		uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);

		if (indirect) {
			buf = indirect_frame;
			s->ptr = (uintptr_t)indirect_frame;
			s->flags = NS_INDIRECT;
		} else {
			s->flags = 0;
		}
		memset(buf, 0xff, 6);
		memset(buf + 6, 2, 6);
		memset(buf + 12, tag, 48);
		s->len = 60;
		r->head = r->cur = nm_ring_next(r, r->head);
	}
	nmb_ioctl(p->fd, NIOCTXSYNC, NULL);
	return i;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Frames with the given tag received on RX ring 0 in at most ms, up to
 * want.  Others are drained: slots published empty (a dead sender's
 * lease) and other senders' frames.
 */
static long receive(struct port *p, uint8_t tag, long want, long ms)
{
	struct netmap_ring *r = NETMAP_RXRING(p->nifp, 0);
	long got = 0, end = now_ms() + ms;

	while (got < want && now_ms() < end) {
		nmb_ioctl(p->fd, NIOCRXSYNC, NULL);
		for (; r->head != r->tail; r->head = nm_ring_next(r, r->head)) {
			struct netmap_slot *s = &r->slot[r->head];
			const uint8_t *buf = (uint8_t *)NETMAP_BUF(r, s->buf_idx);

			got += s->len == 60 && buf[12] == tag && buf[59] == tag;
		}
		r->cur = r->head;
		if (got < want)
			usleep(500);
	}
	return got;
}

/* ------------------------------------------------------------ processes */

/* A child running fn(arg) under the watchdog; its pid. */
static pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		alarm(WATCHDOG);
		_exit(fn(arg));
	}
	return pid;
}

/* Exit status of pid, or 128 + signal. */
static int reap(pid_t pid)
{
	int st;

	if (pid <= 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run fn(arg) in a child under the watchdog; its exit status. */
static int run(int (*fn)(void *), void *arg)
{
	return reap(spawn(fn, arg));
}

/* A process with pid `pid`, doing nothing until killed; 0 if none. */
static pid_t impostor(pid_t pid)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		char v[16];
		pid_t got;
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);

		snprintf(v, sizeof(v), "%d", (int)pid - 1);
		if (fd < 0 || write(fd, v, strlen(v)) < 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		close(fd);
		got = fork();
		if (got == 0) {
			for (;;)
				pause();
		}
		if (got == pid)
			return got;
		if (got > 0) {
			kill(got, SIGKILL);
			reap(got);
		}
	}
	return 0;
}

static void end_process(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		reap(pid);
	}
}

/* ------------------------------------------------------------ roles */

struct role {
	char name[64];		/* the port */
	const char *kill_at;	/* NETMAP_RUNTIME_KILL_AT, or NULL */
	int indirect;
	uint8_t tag;		/* of the frames sent, or counted */
	long frames;		/* to send, or to wait for */
	uint32_t batch;		/* frames per sync (0: as many as fit) */
	int stop;		/* kill_at stops (SIGSTOP), not kills */
	int ready[2], go[2], result[2];	/* pipes to the test */
};

static void role_pipes(struct role *r)
{
	if (pipe(r->ready) || pipe(r->go) || pipe(r->result))
		abort();
}

static void role_close(struct role *r)
{
	close(r->ready[0]);
	close(r->ready[1]);
	close(r->go[0]);
	close(r->go[1]);
	close(r->result[0]);
	close(r->result[1]);
}

static void say(int fd, long v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(3);
}

/* A value from a child, or -1 when none comes within the watchdog. */
static long hear(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	long v = -1;

	if (poll(&pfd, 1, (WATCHDOG + 5) * 1000) != 1 ||
	    read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

/* Opens its port, says ready, waits for go, sends r->frames, exits. */
static int sender(void *arg)
{
	struct role *r = arg;
	struct port p;
	long sent = 0;

	if (r->kill_at)
		setenv("NETMAP_RUNTIME_KILL_AT", r->kill_at, 1);
	if (r->stop)
		setenv("NETMAP_RUNTIME_KILL_SIG", "STOP", 1);
	if (port_open(&p, r->name))
		return 2;
	say(r->ready[1], 1);
	if (hear(r->go[0]) < 0)
		return 2;
	while (sent < r->frames) {
		uint32_t n = (uint32_t)(r->frames - sent);

		if (r->batch && n > r->batch)
			n = r->batch;
		sent += send_frames(&p, n, r->indirect, r->tag);
		if (sent < r->frames)
			usleep(200);
	}
	return 0;
}

/*
 * Opens its port, says ready, receives until it has r->frames with its
 * tag (or the time is up) and says how many it got.
 */
static int receiver(void *arg)
{
	struct role *r = arg;
	struct port p;

	if (r->kill_at)
		setenv("NETMAP_RUNTIME_KILL_AT", r->kill_at, 1);
	if (port_open(&p, r->name))
		return 2;
	say(r->ready[1], 1);
	say(r->result[1], receive(&p, r->tag, r->frames, (WATCHDOG - 5) * 1000L));
	return 0;
}

/* Opens r->name and exits: a port added to (and removed from) a switch. */
static int opener(void *arg)
{
	struct role *r = arg;
	struct port p;

	if (r->kill_at)
		setenv("NETMAP_RUNTIME_KILL_AT", r->kill_at, 1);
	return port_open(&p, r->name) ? 2 : 0;
}

/* Start a role in a child and wait until it is ready; its pid or -1. */
static pid_t start(int (*fn)(void *), struct role *r)
{
	pid_t pid;

	role_pipes(r);
	pid = spawn(fn, r);
	if (pid < 0 || hear(r->ready[0]) != 1) {
		end_process(pid);
		return -1;
	}
	return pid;
}

/* ------------------------------------------------------------ scenarios */

static unsigned int sw_seq;

static void new_switch(char *sw, size_t len)
{
	snprintf(sw, len, "vale%u", ++sw_seq);
}

/*
 * A sender killed inside forwarding (kill_at "forward:1": its slot
 * marks the switch, its TX ring is busy; "copy:2": it also holds a lease
 * on the receiver's ring, filling an NS_INDIRECT frame), its pid reused:
 * a port added to the switch, then the frames of a new sender, must get
 * through.
 */
static void dead_sender(const char *kill_at, int indirect, const char *what)
{
	struct role rx = { 0 }, victim = { 0 }, add = { 0 }, tx = { 0 };
	pid_t rxp, vp, imp, txp;
	char sw[32];
	int st;

	new_switch(sw, sizeof(sw));
	snprintf(rx.name, sizeof(rx.name), "%s:b", sw);
	rx.frames = 100;
	rx.tag = 0x22;
	rxp = start(receiver, &rx);
	ok(rxp > 0, "%s: receiver on %s", what, rx.name);
	snprintf(victim.name, sizeof(victim.name), "%s:a", sw);
	victim.kill_at = kill_at;
	victim.indirect = indirect;
	victim.tag = 0x11;
	victim.frames = 1;
	vp = start(sender, &victim);
	say(victim.go[1], 1);
	st = reap(vp);
	is_int(st, 128 + SIGKILL, "%s: the sender died at %s", what, kill_at);
	imp = impostor(vp);
	ok(imp == vp, "%s: an unrelated process has its pid %d", what, (int)vp);

	snprintf(add.name, sizeof(add.name), "%s:c", sw);
	is_int(run(opener, &add), 0, "%s: a port is added to the switch", what);
	snprintf(tx.name, sizeof(tx.name), "%s:d", sw);
	tx.frames = 100;
	tx.tag = 0x22;
	txp = start(sender, &tx);
	say(tx.go[1], 1);
	is_int(reap(txp), 0, "%s: a new sender sends", what);
	is_int(hear(rx.result[0]), 100, "%s: the receiver gets its 100 frames",
	       what);
	is_int(reap(rxp), 0, "%s: the receiver ends", what);
	end_process(imp);
	role_close(&rx);
	role_close(&victim);
	role_close(&tx);
}

/*
 * A process killed while it adds a port (its writer flag on the switch,
 * and the control lock), its pid reused: a sender that was already on
 * the switch, doing no control operation, must forward.
 */
static void dead_writer(void)
{
	struct role rx = { 0 }, victim = { 0 }, tx = { 0 };
	const char *what = "dead writer";
	pid_t rxp, txp, vp, imp;
	char sw[32];

	new_switch(sw, sizeof(sw));
	snprintf(rx.name, sizeof(rx.name), "%s:b", sw);
	rx.frames = 100;
	rx.tag = 0x22;
	rxp = start(receiver, &rx);
	snprintf(tx.name, sizeof(tx.name), "%s:d", sw);
	tx.frames = 100;
	tx.tag = 0x22;
	txp = start(sender, &tx);
	ok(rxp > 0 && txp > 0, "%s: receiver and sender on %s", what, sw);
	snprintf(victim.name, sizeof(victim.name), "%s:e", sw);
	victim.kill_at = "wlock:1";
	vp = spawn(opener, &victim);
	is_int(reap(vp), 128 + SIGKILL, "%s: killed holding the switch", what);
	imp = impostor(vp);
	ok(imp == vp, "%s: an unrelated process has its pid %d", what, (int)vp);
	say(tx.go[1], 1);
	is_int(reap(txp), 0, "%s: the sender forwards", what);
	is_int(hear(rx.result[0]), 100, "%s: the receiver gets its 100 frames",
	       what);
	is_int(reap(rxp), 0, "%s: the receiver ends", what);
	end_process(imp);
	role_close(&rx);
	role_close(&tx);
}

/*
 * A pipe receiver killed in the middle of its RX sync (the ring busy),
 * its pid reused, while the sending end stays open (the pair keeps its
 * rings): a new receiver on the same end must get the frames.
 */
static void dead_syncer(void)
{
	struct role tx = { 0 }, victim = { 0 }, rx = { 0 };
	const char *what = "dead syncer";
	pid_t txp, vp, rxp, imp;

	snprintf(tx.name, sizeof(tx.name), "pr%u}1", ++sw_seq);
	tx.frames = 100;
	tx.tag = 0x22;
	txp = start(sender, &tx);
	ok(txp > 0, "%s: sender on %s", what, tx.name);
	snprintf(victim.name, sizeof(victim.name), "pr%u{1", sw_seq);
	victim.kill_at = "timestamp:1";
	victim.frames = 1;
	vp = start(receiver, &victim);
	is_int(reap(vp), 128 + SIGKILL, "%s: killed in its RX sync", what);
	imp = impostor(vp);
	ok(imp == vp, "%s: an unrelated process has its pid %d", what, (int)vp);
	snprintf(rx.name, sizeof(rx.name), "%s", victim.name);
	rx.frames = 100;
	rx.tag = 0x22;
	rxp = start(receiver, &rx);
	say(tx.go[1], 1);
	is_int(reap(txp), 0, "%s: the sender sends", what);
	is_int(hear(rx.result[0]), 100, "%s: the new receiver gets the 100 frames",
	       what);
	is_int(reap(rxp), 0, "%s: the receiver ends", what);
	end_process(imp);
	role_close(&tx);
	role_close(&victim);
	role_close(&rx);
}

/* Path of a tool of the build: NETMAP_TOOLS_DIR, else next to us. */
static void tool_path(char *buf, size_t len, const char *tool)
{
	const char *dir = getenv("NETMAP_TOOLS_DIR");
	char self[400];
	ssize_t n;

	if (dir) {
		snprintf(buf, len, "%s/%s", dir, tool);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	if (strrchr(self, '/'))
		*strrchr(self, '/') = '\0';
	snprintf(buf, len, "%s/%s", self, tool);
}

/* The whole of a small file, NUL terminated, into buf. */
static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * pkt-gen as the receiver of a dead lease holder (issue 8, 2.8): the
 * slot of the dead sender's lease is published empty, and an empty slot
 * is no packet: the receiver of -n 100 counts the 100 frames of the next
 * sender, 6000 bytes, not the empty slot and 99 frames.
 */
static void empty_slot_no_packet(const char *dir)
{
	struct role victim = { 0 }, tx = { 0 };
	const char *what = "pkt-gen and an empty slot";
	char pg[512], out[600], rxname[64], text[4096] = "";
	pid_t rxp, vp, txp;
	long end;
	char sw[32];
	int st;

	new_switch(sw, sizeof(sw));
	tool_path(pg, sizeof(pg), "pkt-gen");
	snprintf(out, sizeof(out), "%s/pkt-gen.out", dir);
	snprintf(rxname, sizeof(rxname), "%s:b", sw);
	rxp = fork();
	if (rxp == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(2);
		alarm(WATCHDOG);
		execl(pg, "pkt-gen", "-i", rxname, "-f", "rx", "-n", "100",
		      "-T", "0", (char *)NULL);
		_exit(127);
	}
	/* ready: its first line */
	for (end = now_ms() + WATCHDOG * 1000L; !strchr(text, '\n') &&
	     now_ms() < end; usleep(10000))
		read_file(out, text, sizeof(text));
	ok(strchr(text, '\n') != NULL, "%s: pkt-gen receives on %s (%s)", what,
	   rxname, pg);
	snprintf(victim.name, sizeof(victim.name), "%s:a", sw);
	victim.kill_at = "copy:2";
	victim.indirect = 1;
	victim.tag = 0x11;
	victim.frames = 1;
	vp = start(sender, &victim);
	say(victim.go[1], 1);
	is_int(reap(vp), 128 + SIGKILL, "%s: a sender died filling its lease",
	       what);
	snprintf(tx.name, sizeof(tx.name), "%s:d", sw);
	tx.frames = 100;
	tx.tag = 0x22;
	txp = start(sender, &tx);
	say(tx.go[1], 1);
	is_int(reap(txp), 0, "%s: the next sender sends 100 frames", what);
	st = reap(rxp);
	read_file(out, text, sizeof(text));
	printf("# pkt-gen: %s", text);
	is_int(st, 0, "%s: pkt-gen ends after -n 100", what);
	ok(strstr(text, "\nReceived 100 packets 6000 bytes ") != NULL,
	   "%s: Received 100 packets 6000 bytes", what);
	role_close(&victim);
	role_close(&tx);
}

/*
 * A sender stopped (as if preempted) after reserving its lease on the
 * receiver's ring: the frames the other sender delivers meanwhile wait
 * behind it, complete.  There is room in the ring for all of them, so
 * none may be dropped: each of the other sender's 40 syncs used to keep
 * an entry of the ring's 32 leases until the stopped one went on, and
 * the batches after the 31st were dropped.
 */
static void stalled_lease(void)
{
	struct role rx = { 0 }, slow = { 0 }, tx = { 0 };
	const char *what = "stalled lease";
	pid_t rxp, sp, txp;
	char sw[32];
	int st = 0;

	new_switch(sw, sizeof(sw));
	snprintf(rx.name, sizeof(rx.name), "%s:b", sw);
	rx.frames = 400;
	rx.tag = 0x22;
	rxp = start(receiver, &rx);
	/* (ports first: adding one waits for the senders on the switch) */
	snprintf(tx.name, sizeof(tx.name), "%s:d", sw);
	tx.frames = 400;
	tx.batch = 10;
	tx.tag = 0x22;
	txp = start(sender, &tx);
	snprintf(slow.name, sizeof(slow.name), "%s:a", sw);
	slow.kill_at = "copy:2";
	slow.stop = 1;
	slow.indirect = 1;
	slow.tag = 0x11;
	slow.frames = 1;
	sp = start(sender, &slow);
	say(slow.go[1], 1);
	ok(sp > 0 && waitpid(sp, &st, WUNTRACED) == sp && WIFSTOPPED(st),
	   "%s: a sender stopped holding its lease", what);
	say(tx.go[1], 1);
	is_int(reap(txp), 0, "%s: another sender sends 40 batches of 10", what);
	kill(sp, SIGCONT);
	is_int(reap(sp), 0, "%s: the stopped sender goes on and ends", what);
	is_int(hear(rx.result[0]), 400,
	       "%s: the receiver gets the 400 frames, none dropped", what);
	is_int(reap(rxp), 0, "%s: the receiver ends", what);
	role_close(&rx);
	role_close(&slow);
	role_close(&tx);
}

/* A sender looping forever (the campaign's victims). */
static int flood(void *arg)
{
	struct role *r = arg;
	struct port p;

	if (port_open(&p, r->name))
		return 2;
	say(r->ready[1], 1);
	for (;;)
		send_frames(&p, 64, r->indirect, r->tag);
	return 0;
}

/*
 * The campaign: senders killed with SIGKILL at random instants, each
 * time with a new port added and frames checked after an unrelated
 * process took the dead sender's pid.
 */
static void campaign(unsigned int rounds)
{
	unsigned int round, deaths = 0, reused = 0, added = 0, flowed = 0;
	struct role rx = { 0 };
	char sw[32];
	pid_t rxp;

	new_switch(sw, sizeof(sw));
	for (round = 0; round < rounds; round++) {
		struct role victim = { 0 }, add = { 0 }, tx = { 0 };
		pid_t vp, imp, txp;

		snprintf(rx.name, sizeof(rx.name), "%s:b", sw);
		rx.frames = 50;
		rx.tag = 0x22;
		rxp = start(receiver, &rx);
		snprintf(victim.name, sizeof(victim.name), "%s:v%u", sw, round);
		victim.indirect = rand() % 2;
		victim.tag = 0x11;
		vp = start(flood, &victim);
		usleep((useconds_t)(rand() % 20000));
		kill(vp, SIGKILL);
		deaths += reap(vp) == 128 + SIGKILL;
		imp = impostor(vp);
		reused += imp == vp;
		snprintf(add.name, sizeof(add.name), "%s:c", sw);
		added += run(opener, &add) == 0;
		snprintf(tx.name, sizeof(tx.name), "%s:d", sw);
		tx.frames = 50;
		tx.tag = 0x22;
		txp = start(sender, &tx);
		say(tx.go[1], 1);
		reap(txp);
		flowed += hear(rx.result[0]) == 50;
		reap(rxp);
		end_process(imp);
		role_close(&victim);
		role_close(&tx);
		role_close(&rx);
	}
	is_int(deaths, rounds, "campaign: %u senders killed at random instants",
	       rounds);
	is_int(reused, rounds, "campaign: each dead sender's pid reused");
	is_int(added, rounds, "campaign: a port added after every death");
	is_int(flowed, rounds, "campaign: frames flowed after every death");
}

/* ------------------------------------------------------------ setup */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * Become init (pid 1) of a new pid namespace, with a /proc of its own:
 * as root, or else as root of a new user namespace.  The process that
 * called it waits for init and exits with its status.  Returns 0 in
 * init, or -errno (nothing changed) when namespaces are refused here.
 */
static int become_init(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	pid_t pid;
	int err;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS)) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS))
			return -errno;
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (write_file("/proc/self/uid_map", map))
			return -errno;
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (write_file("/proc/self/gid_map", map))
			return -errno;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		err = reap(pid);
		exit(err < 0 ? 99 : err);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		return -errno;
	return 0;
}

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
	char dir[] = "/tmp/nmreuse.XXXXXX";
	const char *e = getenv("NETMAP_PIDREUSE_ROUNDS");
	unsigned int rounds = e ? (unsigned int)strtoul(e, NULL, 10) : 10;
	int err;

	if (getenv("NETMAP_BACKEND") && !strcmp(getenv("NETMAP_BACKEND"), "kernel")) {
		printf("1..0 # SKIP the user runtime's owners only\n");
		return 0;
	}
	err = become_init();
	if (err) {
		/* A machine (a container) may forbid namespaces. */
		printf("1..0 # SKIP this machine refuses a pid namespace: %s\n",
		       strerror(-err));
		return 0;
	}
	if (!mkdtemp(dir))
		return 99;
	setenv("NETMAP_RUNTIME_DIR", dir, 1);
	setenv("NETMAP_BACKEND", "user", 1);
	srand((unsigned int)time(NULL));

	dead_sender("forward:1", 0, "dead forwarder");
	dead_sender("copy:2", 1, "dead lease holder");
	dead_writer();
	dead_syncer();
	empty_slot_no_packet(dir);
	stalled_lease();
	campaign(rounds);

	if (tap_failed)
		printf("# runtime directory kept: %s\n", dir);
	else
		remove_dir(dir);
	return tap_done();
}
