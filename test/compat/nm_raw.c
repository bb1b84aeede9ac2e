// SPDX-License-Identifier: BSD-2-Clause
/*
 * nm_raw: a netmap program written as netmap(4) shows one, against the
 * raw interface only: open("/dev/netmap"), ioctl(NIOCREGIF) with a legacy
 * struct nmreq, mmap of the descriptor, NETMAP_IF / NETMAP_TXRING /
 * NETMAP_RXRING / NETMAP_BUF, and poll() (or ppoll, select, pselect,
 * epoll) on the descriptor.  It does not link libnetmap: on the kernel
 * module it runs as is, on the user runtime under netmap-run (the
 * preloaded libnetmap serves its calls).  The tests run this one binary
 * on both backends.
 *
 *   nm_raw [-w WAIT] [-l LEN] tx PORT COUNT     send COUNT frames
 *   nm_raw [-w WAIT] rx PORT COUNT              receive COUNT frames
 *   nm_raw [-w WAIT] threads TXPORT RXPORT COUNT
 *        a sender thread on TXPORT and a receiver thread on RXPORT
 *   nm_raw fork PORT COUNT    the port opened, then sent on by a child
 *   nm_raw dup PORT COUNT     sent on through a dup of the descriptor
 *
 * WAIT is poll (default), ppoll, select, pselect, epoll or epoll-et.
 * -x IDLE (poll and ppoll): the wait watches port IDLE too, for POLLIN,
 * a port nobody sends to: a set of two netmap descriptors, as a bridge
 * polls.  -t SECONDS: how long a wait may last (default 20; 0: no
 * limit, so that a lost wake-up hangs the program for the test to see).
 * PORT is a kernel port name ("p1{0", "vale1:a").  Frames carry a
 * sequence number; a receiver checks that frames sent by nm_raw arrive
 * in order, once each.  Prints one result line; exits 0 on success,
 * 1 on failure, 2 on a usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* ppoll */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include <net/netmap_user.h>

/* Seconds a wait may last before the program gives up (a test bound). */
#define WAIT_LIMIT_S 20

/* Frames start with this ethertype (local experimental), then "nmraw". */
#define RAW_ETHERTYPE 0x88b5
#define SEQ_OFS 19

enum wait_kind { W_POLL, W_PPOLL, W_SELECT, W_PSELECT, W_EPOLL, W_EPOLL_ET };

static const char *const wait_names[] = {
	"poll", "ppoll", "select", "pselect", "epoll", "epoll-et",
};

struct port {
	const char *name;
	int fd;
	struct nmreq req;
	void *mem;
	struct netmap_if *nifp;
	int epfd;		/* epoll modes */
	uint32_t ep_events;	/* what epfd was registered for */
};

static enum wait_kind wait_kind = W_POLL;
static unsigned int frame_len = 60;
static int wait_limit_s = WAIT_LIMIT_S;	/* -t; 0: none */
static struct port idle_port = { .fd = -1 };	/* -x */

/*
 * Open, register and map the port.  Returns 0; -1 when NIOCREGIF failed
 * (errno set, nothing printed: callers tell what they expected); -2
 * after printing any other failure.
 */
static int port_open_flags(struct port *p, const char *name, uint32_t flags)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->epfd = -1;
	p->fd = open("/dev/netmap", O_RDWR);
	if (p->fd < 0) {
		fprintf(stderr, "nm_raw: open /dev/netmap: %s\n",
			strerror(errno));
		return -2;
	}
	strncpy(p->req.nr_name, name, sizeof(p->req.nr_name) - 1);
	p->req.nr_version = NETMAP_API;
	p->req.nr_flags = NR_REG_ALL_NIC | flags;
	if (ioctl(p->fd, NIOCREGIF, &p->req) < 0) {
		int err = errno;

		close(p->fd);
		errno = err;
		return -1;
	}
	p->mem = mmap(0, p->req.nr_memsize, PROT_WRITE | PROT_READ,
		      MAP_SHARED, p->fd, 0);
	if (p->mem == MAP_FAILED) {
		fprintf(stderr, "nm_raw: mmap %s: %s\n", name,
			strerror(errno));
		close(p->fd);
		return -2;
	}
	p->nifp = NETMAP_IF(p->mem, p->req.nr_offset);
	return 0;
}

static int port_open_report(struct port *p, const char *name, uint32_t flags)
{
	int r = port_open_flags(p, name, flags);

	if (r == -1)
		fprintf(stderr, "nm_raw: NIOCREGIF %s: %s\n", name,
			strerror(errno));
	return r;
}

static int port_open(struct port *p, const char *name)
{
	return port_open_report(p, name, 0);
}

static void port_close(struct port *p)
{
	if (p->epfd >= 0)
		close(p->epfd);
	munmap(p->mem, p->req.nr_memsize);
	close(p->fd);
}

/*
 * Sync the rings of one direction (NIOCTXSYNC for POLLOUT, NIOCRXSYNC for
 * POLLIN); then 1 if some ring has slots for the program, 0 if none, -1
 * on error.
 */
static int port_sync_ready(struct port *p, short events)
{
	unsigned int r, n;

	if (ioctl(p->fd, events == POLLOUT ? NIOCTXSYNC : NIOCRXSYNC,
		  NULL) < 0)
		return -1;
	n = events == POLLOUT ? p->nifp->ni_tx_rings : p->nifp->ni_rx_rings;
	for (r = 0; r < n; r++) {
		struct netmap_ring *ring = events == POLLOUT ?
			NETMAP_TXRING(p->nifp, r) : NETMAP_RXRING(p->nifp, r);

		if (!nm_ring_empty(ring))
			return 1;
	}
	return 0;
}

/*
 * Wait until the port is ready for events (POLLIN or POLLOUT), the way
 * the chosen call does it.  Returns 0, or -1 after printing why.
 */
static int port_wait(struct port *p, short events)
{
	struct timespec ts = { wait_limit_s, 0 };
	struct timeval tv = { wait_limit_s, 0 };
	struct pollfd pfd[2] = {
		{ p->fd, events, 0 }, { idle_port.fd, POLLIN, 0 },
	};
	nfds_t npfd = idle_port.fd >= 0 ? 2 : 1;
	int ms = wait_limit_s ? wait_limit_s * 1000 : -1;
	struct epoll_event ev;
	fd_set set;
	sigset_t mask;
	int r;

	switch (wait_kind) {
	case W_POLL:
	case W_PPOLL:
		sigemptyset(&mask);
		do {
			if (wait_kind == W_POLL)
				r = poll(pfd, npfd, ms);
			else
				r = ppoll(pfd, npfd, wait_limit_s ? &ts : NULL,
					  &mask);
			if (r > 0 && ((pfd[0].revents | pfd[1].revents) &
				      POLLERR))
				r = -2;
			/* the idle port has nothing: only p counts */
		} while (r > 0 && !pfd[0].revents);
		break;
	case W_SELECT:
	case W_PSELECT:
		FD_ZERO(&set);
		FD_SET(p->fd, &set);
		if (wait_kind == W_SELECT)
			r = select(p->fd + 1, events == POLLIN ? &set : NULL,
				   events == POLLOUT ? &set : NULL, NULL,
				   wait_limit_s ? &tv : NULL);
		else
			r = pselect(p->fd + 1, events == POLLIN ? &set : NULL,
				    events == POLLOUT ? &set : NULL, NULL,
				    wait_limit_s ? &ts : NULL, NULL);
		if (r > 0 && !FD_ISSET(p->fd, &set))
			r = -2;
		break;
	default:
		/*
		 * Edge-triggered: the module runs the poll processing only
		 * when woken, so the program syncs itself (pushing what it
		 * queued, releasing what it read) and waits only when the
		 * rings have nothing for it.
		 */
		if (wait_kind == W_EPOLL_ET) {
			if (port_sync_ready(p, events) > 0)
				return 0;
		}
		if (p->epfd < 0) {
			p->epfd = epoll_create1(0);
			p->ep_events = (events == POLLIN ? EPOLLIN : EPOLLOUT) |
				       (wait_kind == W_EPOLL_ET ? EPOLLET : 0);
			ev.events = p->ep_events;
			ev.data.u64 = 0x6e6d726177ULL;	/* "nmraw" */
			if (p->epfd < 0 ||
			    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->fd, &ev)) {
				fprintf(stderr, "nm_raw: epoll_ctl: %s\n",
					strerror(errno));
				return -1;
			}
		}
		r = epoll_wait(p->epfd, &ev, 1, ms);
		if (r > 0 && (ev.data.u64 != 0x6e6d726177ULL ||
			      (ev.events & EPOLLERR)))
			r = -2;
		break;
	}
	if (r > 0)
		return 0;
	if (r == 0)
		fprintf(stderr, "nm_raw: %s on %s: nothing after %d s\n",
			wait_names[wait_kind], p->name, wait_limit_s);
	else if (r == -2)
		fprintf(stderr, "nm_raw: %s on %s: error reported\n",
			wait_names[wait_kind], p->name);
	else
		fprintf(stderr, "nm_raw: %s on %s: %s\n",
			wait_names[wait_kind], p->name, strerror(errno));
	return -1;
}

static void frame_fill(char *buf, uint32_t seq)
{
	static const unsigned char head[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* source */
		RAW_ETHERTYPE >> 8, RAW_ETHERTYPE & 0xff,
		'n', 'm', 'r', 'a', 'w',
	};

	memset(buf, 0, frame_len);
	memcpy(buf, head, sizeof(head));
	memcpy(buf + SEQ_OFS, &seq, sizeof(seq));
}

/* Send count frames; returns 0 when all were handed to the port. */
static int do_tx(struct port *p, uint64_t count)
{
	uint64_t sent = 0;
	unsigned int r;

	while (sent < count) {
		if (port_wait(p, POLLOUT))
			break;
		for (r = 0; r < p->nifp->ni_tx_rings && sent < count; r++) {
			struct netmap_ring *ring = NETMAP_TXRING(p->nifp, r);

			while (!nm_ring_empty(ring) && sent < count) {
				uint32_t i = ring->cur;
				char *buf = NETMAP_BUF(ring,
						       ring->slot[i].buf_idx);

				frame_fill(buf, (uint32_t)sent);
				ring->slot[i].len = (uint16_t)frame_len;
				ring->head = ring->cur = nm_ring_next(ring, i);
				sent++;
			}
		}
	}
	/* Push out what the last pass queued. */
	if (ioctl(p->fd, NIOCTXSYNC, NULL) < 0) {
		fprintf(stderr, "nm_raw: NIOCTXSYNC: %s\n", strerror(errno));
		return -1;
	}
	printf("nm_raw: sent %llu of %llu frames on %s (%s)\n",
	       (unsigned long long)sent, (unsigned long long)count, p->name,
	       wait_names[wait_kind]);
	return sent == count ? 0 : -1;
}

/*
 * Receive count frames.  Frames of nm_raw must carry the sequence
 * numbers 0, 1, 2 ... in order; others (pkt-gen's) are only counted.
 */
static int do_rx(struct port *p, uint64_t count)
{
	uint64_t got = 0, ours = 0, bad = 0;
	unsigned int r;

	while (got < count) {
		if (port_wait(p, POLLIN))
			break;
		for (r = 0; r < p->nifp->ni_rx_rings; r++) {
			struct netmap_ring *ring = NETMAP_RXRING(p->nifp, r);

			while (!nm_ring_empty(ring)) {
				uint32_t i = ring->cur, seq;
				struct netmap_slot *slot = &ring->slot[i];
				const char *buf = NETMAP_BUF(ring,
							     slot->buf_idx);

				if (slot->len >= SEQ_OFS + 4 &&
				    !memcmp(buf + 14, "nmraw", 5)) {
					memcpy(&seq, buf + SEQ_OFS, 4);
					if (seq != ours || slot->len != frame_len)
						bad++;
					ours++;
				}
				got++;
				ring->head = ring->cur = nm_ring_next(ring, i);
			}
		}
	}
	/* Give the slots back: a pipe's sender waits for them. */
	if (ioctl(p->fd, NIOCRXSYNC, NULL) < 0) {
		fprintf(stderr, "nm_raw: NIOCRXSYNC: %s\n", strerror(errno));
		return -1;
	}
	printf("nm_raw: received %llu of %llu frames on %s (%s), "
	       "%llu out of order\n", (unsigned long long)got,
	       (unsigned long long)count, p->name, wait_names[wait_kind],
	       (unsigned long long)bad);
	return got == count && !bad ? 0 : -1;
}

struct thread_arg {
	struct port *port;
	uint64_t count;
	int result;
};

static void *tx_thread(void *arg)
{
	struct thread_arg *t = arg;

	t->result = do_tx(t->port, t->count);
	return NULL;
}

static void *rx_thread(void *arg)
{
	struct thread_arg *t = arg;

	t->result = do_rx(t->port, t->count);
	return NULL;
}

/* A sender and a receiver in two threads of this process. */
static int do_threads(const char *txname, const char *rxname, uint64_t count)
{
	struct port tx, rx;
	struct thread_arg ta, ra;
	pthread_t tt, rt;

	if (port_open(&rx, rxname) || port_open(&tx, txname))
		return 1;
	ra = (struct thread_arg){ &rx, count, -1 };
	ta = (struct thread_arg){ &tx, count, -1 };
	if (pthread_create(&rt, NULL, rx_thread, &ra) ||
	    pthread_create(&tt, NULL, tx_thread, &ta)) {
		fprintf(stderr, "nm_raw: pthread_create failed\n");
		return 1;
	}
	pthread_join(tt, NULL);
	pthread_join(rt, NULL);
	port_close(&tx);
	port_close(&rx);
	return ta.result || ra.result ? 1 : 0;
}

/*
 * Is the port's (exclusive) binding still held by someone?  An
 * exclusive registration fails with EBUSY while another binding has
 * the rings.
 */
static int port_busy(const char *name)
{
	struct port p;
	int r = port_open_flags(&p, name, NR_EXCLUSIVE);

	if (r == 0) {
		port_close(&p);
		return 0;
	}
	if (r == -1 && errno == EBUSY)
		return 1;
	if (r == -1)
		fprintf(stderr, "nm_raw: NIOCREGIF %s: %s\n", name,
			strerror(errno));
	return -1;
}

/*
 * The descriptor passes to a child with fork; the parent closes its own
 * at once.  The binding lives while the child holds it, and the child
 * sends on it; it is released when the child exits.
 */
static int do_fork(const char *name, uint64_t count)
{
	struct port p;
	int go[2], status, busy;
	pid_t pid;
	char c = 0;

	if (port_open_report(&p, name, NR_EXCLUSIVE))
		return 1;
	if (pipe(go))
		return 1;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "nm_raw: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(do_tx(&p, count) ? 1 : 0);
	}
	close(go[0]);
	port_close(&p);
	busy = port_busy(name);
	printf("nm_raw: after the parent's close the child %s the port\n",
	       busy == 1 ? "holds" : "does not hold");
	if (write(go[1], &c, 1) != 1)
		return 1;
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "nm_raw: the child failed\n");
		return 1;
	}
	if (busy != 1)
		return 1;
	busy = port_busy(name);
	printf("nm_raw: after the child's exit the port is %s\n",
	       busy == 0 ? "free" : "still held");
	return busy == 0 ? 0 : 1;
}

/*
 * Sent on through a dup of the descriptor, the original closed: the
 * binding lives until the last of the two is closed.
 */
static int do_dup(const char *name, uint64_t count)
{
	struct port p;
	int fd2, busy, r;

	if (port_open_report(&p, name, NR_EXCLUSIVE))
		return 1;
	fd2 = dup(p.fd);
	if (fd2 < 0) {
		fprintf(stderr, "nm_raw: dup: %s\n", strerror(errno));
		return 1;
	}
	close(p.fd);
	p.fd = fd2;
	busy = port_busy(name);
	printf("nm_raw: after closing the original the dup %s the port\n",
	       busy == 1 ? "holds" : "does not hold");
	r = do_tx(&p, count);
	port_close(&p);
	if (busy != 1 || r)
		return 1;
	busy = port_busy(name);
	printf("nm_raw: after closing the dup the port is %s\n",
	       busy == 0 ? "free" : "still held");
	return busy == 0 ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nm_raw [-w poll|ppoll|select|pselect|epoll|epoll-et] "
		"[-l LEN] [-t SECONDS] [-x IDLEPORT] tx|rx PORT COUNT\n"
		"       nm_raw [-w WAIT] threads TXPORT RXPORT COUNT\n"
		"       nm_raw fork|dup PORT COUNT\n");
	exit(2);
}

static uint64_t parse_count(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end || !v)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct port p;
	const char *mode;
	int opt, r;
	size_t i;

	const char *idle = NULL;

	while ((opt = getopt(argc, argv, "w:l:t:x:")) != -1) {
		switch (opt) {
		case 'w':
			for (i = 0; i < sizeof(wait_names) / sizeof(*wait_names);
			     i++)
				if (!strcmp(optarg, wait_names[i]))
					break;
			if (i == sizeof(wait_names) / sizeof(*wait_names))
				usage();
			wait_kind = (enum wait_kind)i;
			break;
		case 'l':
			frame_len = (unsigned int)atoi(optarg);
			if (frame_len < 60 || frame_len > 1514)
				usage();
			break;
		case 't':
			wait_limit_s = atoi(optarg);
			if (wait_limit_s < 0 || wait_limit_s > 3600)
				usage();
			break;
		case 'x':
			idle = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	mode = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "threads")) {
		if (argc != 4)
			usage();
		return do_threads(argv[1], argv[2], parse_count(argv[3]));
	}
	if (argc != 3)
		usage();
	if (!strcmp(mode, "fork"))
		return do_fork(argv[1], parse_count(argv[2]));
	if (!strcmp(mode, "dup"))
		return do_dup(argv[1], parse_count(argv[2]));
	if (strcmp(mode, "tx") && strcmp(mode, "rx"))
		usage();
	if (idle && wait_kind != W_POLL && wait_kind != W_PPOLL)
		usage();
	if (idle && port_open(&idle_port, idle))
		return 1;
	if (port_open(&p, argv[1]))
		return 1;
	if (!strcmp(mode, "tx")) {
		r = do_tx(&p, parse_count(argv[2]));
	} else {
		/* The readiness line the tests wait for. */
		printf("nm_raw: receiving on %s\n", argv[1]);
		r = do_rx(&p, parse_count(argv[2]));
	}
	port_close(&p);
	if (idle)
		port_close(&idle_port);
	return r ? 1 : 0;
}
