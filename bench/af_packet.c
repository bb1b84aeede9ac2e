// SPDX-License-Identifier: BSD-2-Clause
/*
 * af_packet: what a user would use instead of netmap.  A sender writes
 * 60-byte frames with sendmmsg() on one end of a veth pair and a receiver
 * reads them with recvmmsg() on the other end, each end possibly in its
 * own network namespace (-T, -R: names under /run/netns, as made by
 * "ip netns add"), the two processes pinned to two CPUs.  Frames carry
 * the local experimental ethertype 0x88b5 (-e: another) and the
 * receiver's socket is bound to it, so stray traffic is not counted.
 * Prints the receiver's rate.
 *
 * Either end alone, to compare it with another program on the same
 * frames (make vm-bench: pkt-gen -P sends the file -w writes): -t only
 * sends for SECONDS and prints the sender's rate; -r only receives what
 * another sender sends (-e: of the ethertype that sender uses, such as
 * the kernel's pktgen with MPLS, 0x8847), and also prints the frames it
 * read in all (total=, the warm-up included).  -w FILE writes the sender's
 * frame as a pcap file of one record.
 *
 *   af_packet -t TX_IF -r RX_IF [-T TX_NETNS] [-R RX_NETNS] [-l LEN]
 *             [-b BATCH] [-d SECONDS] [-a TX_CPU] [-A RX_CPU] [-w FILE]
 *             [-e ETHERTYPE]
 *   -> af_packet mpps=... packets=... seconds=... tx_mpps=...
 *   af_packet -t TX_IF ...	-> af_packet tx_mpps=... tx_packets=... seconds=...
 *   af_packet -r RX_IF ...	-> af_packet mpps=... packets=... seconds=... total=...
 */
#include "bench.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define AFP_ETHERTYPE	0x88b5
#define AFP_MAXBATCH	1024
#define AFP_MAXLEN	2048

struct afp_shared {
	volatile int stop;		/* the receiver's window is over */
	volatile int rx_ready;
	uint64_t rx_packets, rx_ns;
	uint64_t rx_total;		/* warm-up included */
	uint64_t tx_packets, tx_ns;
	int ok;
};

static int afp_enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "af_packet: netns %s: %s\n", name,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* An AF_PACKET socket bound to ifname for proto, in the current netns. */
static int afp_socket(const char *ifname, uint16_t proto)
{
	struct sockaddr_ll sll = { 0 };
	unsigned int idx = if_nametoindex(ifname);
	int fd;

	if (!idx) {
		fprintf(stderr, "af_packet: interface %s: %s\n", ifname,
			strerror(errno));
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(proto));
	if (fd < 0) {
		perror("af_packet: socket(AF_PACKET)");
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("af_packet: bind");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Count what arrives in a window of the given length, opened after a
 * warm-up that starts with the first frame; give up at give_up (ns) or
 * when the sender stops.
 */
static void afp_receiver(int fd, struct afp_shared *sh, uint32_t batch,
			 double seconds, uint64_t give_up)
{
	static char bufs[AFP_MAXBATCH][AFP_MAXLEN];
	static struct mmsghdr msgs[AFP_MAXBATCH];
	static struct iovec iov[AFP_MAXBATCH];
	uint64_t warm = (uint64_t)(seconds * 1e8), len = (uint64_t)(seconds * 1e9);
	uint64_t n = 0, n0 = 0, t0 = 0, t_end = 0, now = 0;
	uint32_t calls = 0;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	uint32_t i;

	if (warm > 300000000ull)
		warm = 300000000ull;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = AFP_MAXLEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	sh->rx_ready = 1;
	for (;;) {
		int got = recvmmsg(fd, msgs, batch, MSG_WAITFORONE, NULL);

		if (got < 0 && errno != EAGAIN && errno != EINTR) {
			perror("af_packet: recvmmsg");
			return;
		}
		if (got > 0)
			n += (uint64_t)got;
		/*
		 * One frame per call: read the clock every 64 calls only.  In
		 * a guest whose clock source is the HPET (TCG) each read is a
		 * system call and an emulated device access, 10-14 % of the
		 * receiving CPU when taken per frame, which is not what a
		 * receiver would pay.  The window's frames and length are
		 * still taken at the same reads, so the rate is exact.
		 */
		if (got == 1 && t_end && (++calls & 63))
			continue;
		now = bench_now_ns();
		if (!t_end) {
			if (!n)
				continue;
			t0 = now + warm;	/* warm up, then open the window */
			t_end = t0 + len;
			continue;
		}
		if (!n0 && now >= t0)
			n0 = n, t0 = now;
		if (n0 && now >= t_end)
			break;
		if (sh->stop || now > give_up)	/* the sender gave up */
			return;
	}
	sh->rx_packets = n - n0;
	sh->rx_total = n;
	sh->rx_ns = now - t0;
	sh->ok = 1;
}

static char afp_frame[AFP_MAXLEN];

/* The frame every sender sends (zeros after the text). */
static void afp_frame_init(uint16_t type)
{
	memset(afp_frame, 0xff, 6);			/* broadcast */
	memcpy(afp_frame + 6, "\x02\x00\x00\x00\x00\x0a", 6);
	afp_frame[12] = (char)(type >> 8);
	afp_frame[13] = (char)(type & 0xff);
	memcpy(afp_frame + 14, "netmap bench af_packet", 22);
}

/* The frame as a pcap file (Ethernet, one record of flen bytes). */
static int afp_write_pcap(const char *path, uint16_t flen)
{
	const struct {
		uint32_t magic;
		uint16_t major, minor;
		uint32_t zone, sigfigs, snaplen, linktype;
	} head = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };	/* 1: Ethernet */
	const uint32_t rec[4] = { 0, 0, flen, flen };	/* time 0 */
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		fprintf(stderr, "af_packet: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(&head, sizeof(head), 1, f) == 1 &&
	     fwrite(rec, sizeof(rec), 1, f) == 1 &&
	     fwrite(afp_frame, flen, 1, f) == 1;
	if (fclose(f) != 0 || !ok) {
		fprintf(stderr, "af_packet: %s: cannot write\n", path);
		return -1;
	}
	return 0;
}

static void afp_sender(int fd, struct afp_shared *sh, uint32_t batch,
		       uint16_t flen, uint64_t deadline)
{
	static struct mmsghdr msgs[AFP_MAXBATCH];
	static struct iovec iov;
	uint64_t sent = 0, t0 = bench_now_ns();
	uint32_t i, since = 0;

	iov.iov_base = afp_frame;
	iov.iov_len = flen;
	for (i = 0; i < batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!sh->stop) {
		int r = sendmmsg(fd, msgs, batch, 0);

		if (r > 0)
			sent += (uint64_t)r;
		else if (r < 0 && errno != ENOBUFS && errno != EAGAIN &&
			 errno != EINTR) {
			perror("af_packet: sendmmsg");
			break;
		}
		/* The clock every 64 frames at least (see afp_receiver). */
		since += batch;
		if (since < 64)
			continue;
		since = 0;
		if (bench_now_ns() > deadline)
			break;
	}
	sh->tx_packets = sent;
	sh->tx_ns = bench_now_ns() - t0;
	sh->stop = 1;
}

/* -r alone: the receiver in this process, for another program's frames. */
static int afp_rx_only(int rxfd, struct afp_shared *sh, long batch,
		       double seconds, long cpu_rx)
{
	if (bench_pin((int)cpu_rx) < 0)
		return 1;
	afp_receiver(rxfd, sh, (uint32_t)batch, seconds,
		     bench_now_ns() + (uint64_t)(seconds * 1e9) + 10000000000ull);
	if (!sh->ok || !sh->rx_ns) {
		fprintf(stderr, "af_packet: the receiver got too little\n");
		return 1;
	}
	printf("af_packet mpps=%.3f packets=%llu seconds=%.3f batch=%ld cpu=%ld total=%llu\n",
	       (double)sh->rx_packets * 1e3 / (double)sh->rx_ns,
	       (unsigned long long)sh->rx_packets, (double)sh->rx_ns / 1e9,
	       batch, cpu_rx, (unsigned long long)sh->rx_total);
	return 0;
}

/* -t alone: send for the given time, nobody of ours listening. */
static int afp_tx_only(int txfd, struct afp_shared *sh, long batch, long len,
		       double seconds, long cpu_tx)
{
	if (bench_pin((int)cpu_tx) < 0)
		return 1;
	afp_sender(txfd, sh, (uint32_t)batch, (uint16_t)len,
		   bench_now_ns() + (uint64_t)(seconds * 1e9));
	if (!sh->tx_packets || !sh->tx_ns) {
		fprintf(stderr, "af_packet: the sender sent nothing\n");
		return 1;
	}
	printf("af_packet tx_mpps=%.3f tx_packets=%llu seconds=%.3f len=%ld batch=%ld cpu=%ld\n",
	       (double)sh->tx_packets * 1e3 / (double)sh->tx_ns,
	       (unsigned long long)sh->tx_packets, (double)sh->tx_ns / 1e9,
	       len, batch, cpu_tx);
	return 0;
}

int main(int argc, char **argv)
{
	const char *tx_if = NULL, *rx_if = NULL, *tx_ns = NULL, *rx_ns = NULL;
	const char *pcap_out = NULL;
	long len = 60, batch = 64, cpu_tx = 0, cpu_rx = 1, type = AFP_ETHERTYPE;
	double seconds = 2;
	struct afp_shared *sh;
	int c, txfd = -1, rxfd = -1, status = 0, bufsz = 8 << 20, usage = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "t:r:T:R:l:b:d:a:A:w:e:h")) != -1) {
		switch (c) {
		case 't':
			tx_if = optarg;
			break;
		case 'r':
			rx_if = optarg;
			break;
		case 'T':
			tx_ns = optarg;
			break;
		case 'R':
			rx_ns = optarg;
			break;
		case 'l':
			len = bench_num("-l", optarg, 14, AFP_MAXLEN);
			break;
		case 'b':
			batch = bench_num("-b", optarg, 1, AFP_MAXBATCH);
			break;
		case 'd':
			seconds = bench_seconds("-d", optarg);
			break;
		case 'a':
			cpu_tx = bench_num("-a", optarg, -1, 4095);
			break;
		case 'A':
			cpu_rx = bench_num("-A", optarg, -1, 4095);
			break;
		case 'w':
			pcap_out = optarg;
			break;
		case 'e':
			/* a protocol above 802.3 lengths, as the socket wants */
			type = bench_num("-e", optarg, 0x600, 0xffff);
			break;
		default:
			usage = 1;
			optind = argc;
			break;
		}
	}
	if (usage || optind < argc || (!tx_if && !rx_if && !pcap_out)) {
		fprintf(stderr,
			"usage: %s [-t TX_IF] [-r RX_IF] [-T TX_NETNS] [-R RX_NETNS] [-l LEN] [-b BATCH] [-d SECONDS] [-a TX_CPU] [-A RX_CPU] [-w FILE] [-e ETHERTYPE]\n",
			argv[0]);
		return 2;
	}
	afp_frame_init((uint16_t)type);
	if (pcap_out && afp_write_pcap(pcap_out, (uint16_t)len) < 0)
		return 1;
	if (!tx_if && !rx_if)
		return 0;
	sh = bench_shared_alloc(sizeof(*sh));
	if (!sh) {
		perror("mmap");
		return 1;
	}
	/* sockets keep the namespace they were created in */
	if (rx_if) {
		if (afp_enter_netns(rx_ns) < 0)
			return 1;
		rxfd = afp_socket(rx_if, (uint16_t)type);
		if (rxfd < 0)
			return 1;
		if (setsockopt(rxfd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
			       sizeof(bufsz)) < 0)
			setsockopt(rxfd, SOL_SOCKET, SO_RCVBUF, &bufsz,
				   sizeof(bufsz));
		if (!tx_if)
			return afp_rx_only(rxfd, sh, batch, seconds, cpu_rx);
	}
	if (afp_enter_netns(tx_ns) < 0)
		return 1;
	/* the sender does not listen: protocol 0 receives nothing */
	txfd = afp_socket(tx_if, 0);
	if (txfd < 0)
		return 1;
	if (!rx_if)
		return afp_tx_only(txfd, sh, batch, len, seconds, cpu_tx);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		alarm((unsigned int)seconds + 10);
		close(txfd);
		if (bench_pin((int)cpu_rx) < 0)
			_exit(1);
		afp_receiver(rxfd, sh, (uint32_t)batch, seconds, UINT64_MAX);
		sh->stop = 1;
		_exit(0);
	}
	close(rxfd);
	alarm((unsigned int)seconds + 12);
	if (bench_pin((int)cpu_tx) < 0) {
		kill(pid, SIGKILL);
		return 1;
	}
	while (!sh->rx_ready)
		usleep(1000);
	afp_sender(txfd, sh, (uint32_t)batch, (uint16_t)len,
		   bench_now_ns() + (uint64_t)(seconds * 1e9) + 5000000000ull);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || !sh->ok || !sh->rx_ns) {
		fprintf(stderr, "af_packet: the receiver got too little\n");
		return 1;
	}
	printf("af_packet mpps=%.3f packets=%llu seconds=%.3f tx_mpps=%.3f len=%ld batch=%ld cpus=%ld,%ld\n",
	       (double)sh->rx_packets * 1e3 / (double)sh->rx_ns,
	       (unsigned long long)sh->rx_packets, (double)sh->rx_ns / 1e9,
	       sh->tx_ns ? (double)sh->tx_packets * 1e3 / (double)sh->tx_ns : 0.0,
	       len, batch, cpu_tx, cpu_rx);
	return 0;
}
