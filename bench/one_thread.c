// SPDX-License-Identifier: BSD-2-Clause
/*
 * one_thread: the noise-free figure.  One thread moves packets from a
 * sender to a receiver, so the instruction count per packet is exact
 * under callgrind (identical run to run) and independent of where the
 * hypervisor put the cores.  Modes:
 *
 *   pipe      netmap:P{0 -> netmap:P}0: set len on 512 TX slots, txsync,
 *             rxsync on the other end, read the lengths and release
 *   vale      valeS:a -> valeS:b (learned unicast): frames written once
 *             per TX buffer at setup, then only len is set per packet
 *   move      the raw ring of spsc.h: 512 16-byte descriptors filled and
 *             drained (the limit for a pipe)
 *   copy      the same with a len-byte copy per packet (the limit for a
 *             copying switch)
 *
 * The measured phase follows a warm-up and is bracketed by callgrind
 * client requests: run it as
 *   valgrind --tool=callgrind --collect-atstart=no one_thread -m pipe
 * and the profile holds the measured iterations only; divide its total
 * Ir by the packets printed.  Built without valgrind's headers it prints
 * client_requests=0: then take Ir(2N) - Ir(N) over N * batch packets.
 * Natively, the same run prints ns/packet.
 *
 *   one_thread -m pipe|vale|move|copy [-n ITERS] [-w WARMUP] [-b BATCH]
 *              [-l LEN] [-s NAME] [-a CPU] [-S BUFSIZE]
 *   -> one_thread mode=pipe packets=... ns_per_pkt=... mpps=...
 */
#include "spsc.h"

#include <unistd.h>
#if defined(__has_include) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define OT_CLIENT_REQUESTS 1
#else
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)
#define OT_CLIENT_REQUESTS 0
#endif

#include <libnetmap.h>

#define OT_SLOTS	2048	/* two batches in flight fit in a ring */

struct ot_conf {
	const char *mode;
	long iters, warmup;
	uint32_t batch;
	uint16_t len;
	uint32_t bufsize;	/* raw copy: buffer stride */
	const char *name;
};

struct ot_ports {
	struct nmport_d *holder;	/* the pipe's parent, sized for OT_SLOTS */
	struct nmport_d *tx, *rx;
	struct netmap_ring *txr, *rxr;
};

static uint64_t ot_sink;	/* keeps the receivers' reads alive */

static struct nmport_d *ot_open(const char *spec)
{
	struct nmport_d *d = nmport_prepare(spec);

	if (!d) {
		fprintf(stderr, "%s: %s\n", spec, strerror(errno));
		return NULL;
	}
	d->reg.nr_tx_slots = OT_SLOTS;
	d->reg.nr_rx_slots = OT_SLOTS;
	if (nmport_open_desc(d) < 0) {
		fprintf(stderr, "%s: %s\n", spec, strerror(errno));
		nmport_undo_prepare(d);
		return NULL;
	}
	return d;
}

/* A 60-byte Ethernet/IPv4 frame (pad included) from src to dst. */
static void ot_frame(char *buf, uint16_t len, const uint8_t dst[6],
		     const uint8_t src[6])
{
	memset(buf, 0, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;		/* IPv4 */
	buf[14] = 0x45;
}

/* One batch: fill on the sender, txsync, rxsync, drain the receiver. */
static uint64_t ot_port_iter(struct ot_ports *p, const struct ot_conf *cf)
{
	struct netmap_ring *txr = p->txr, *rxr = p->rxr;
	uint32_t cur, n, i, got;
	uint64_t sum = 0;

	cur = txr->cur;
	n = nm_ring_space(txr);
	if (n > cf->batch)
		n = cf->batch;
	for (i = 0; i < n; i++) {
		txr->slot[cur].len = cf->len;
		cur = nm_ring_next(txr, cur);
	}
	txr->head = txr->cur = cur;
	nmport_txsync(p->tx);
	nmport_rxsync(p->rx);
	cur = rxr->cur;
	got = nm_ring_space(rxr);
	for (i = 0; i < got; i++) {
		sum += rxr->slot[cur].len;
		cur = nm_ring_next(rxr, cur);
	}
	rxr->head = rxr->cur = cur;
	ot_sink += sum;
	return got;
}

static int ot_ports_open(struct ot_ports *p, const struct ot_conf *cf)
{
	static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
	static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char a[128], b[128];
	int vale = !strcmp(cf->mode, "vale");
	uint32_t i;

	if (vale) {
		snprintf(a, sizeof(a), "vale%s:a", cf->name);
		snprintf(b, sizeof(b), "vale%s:b", cf->name);
	} else {
		/*
		 * A parent created on demand has the default geometry, whose
		 * ring objects are too small for OT_SLOTS; an ephemeral VALE
		 * port opened with OT_SLOTS first has the right region.
		 */
		snprintf(a, sizeof(a), "vale%s:p", cf->name);
		p->holder = ot_open(a);
		if (!p->holder)
			return -1;
		snprintf(a, sizeof(a), "netmap:vale%s:p{0", cf->name);
		snprintf(b, sizeof(b), "netmap:vale%s:p}0", cf->name);
	}
	p->tx = ot_open(a);
	if (!p->tx)
		return -1;
	p->rx = ot_open(b);
	if (!p->rx)
		return -1;
	p->txr = NETMAP_TXRING(p->tx->nifp, p->tx->first_tx_ring);
	p->rxr = NETMAP_RXRING(p->rx->nifp, p->rx->first_rx_ring);
	if (!vale)
		return 0;
	/* b announces itself, so that a's frames to b are learned unicast */
	{
		struct netmap_ring *r = NETMAP_TXRING(p->rx->nifp,
						      p->rx->first_tx_ring);

		ot_frame(NETMAP_BUF(r, r->slot[r->cur].buf_idx), 60, bcast,
			 mac_b);
		r->slot[r->cur].len = 60;
		r->head = r->cur = nm_ring_next(r, r->cur);
		nmport_txsync(p->rx);
	}
	for (i = 0; i < p->txr->num_slots; i++)
		ot_frame(NETMAP_BUF(p->txr, p->txr->slot[i].buf_idx),
			 cf->len, mac_b, mac_a);
	return 0;
}

static void ot_ports_close(struct ot_ports *p)
{
	nmport_close(p->rx);
	nmport_close(p->tx);
	nmport_close(p->holder);
}

int main(int argc, char **argv)
{
	struct ot_conf cf = {
		.mode = NULL, .iters = 2000, .warmup = 64, .batch = 512,
		.len = 60, .bufsize = SPSC_BUFSIZE, .name = NULL,
	};
	struct ot_ports ports = { 0 };
	struct spsc_ring *ring = NULL;
	struct spsc_tx tx = { 0 };
	struct spsc_rx rx = { 0 };
	char defname[32];
	uint64_t packets = 0, t0, t1;
	long it, cpu = -1;
	int raw, c;

	while ((c = getopt(argc, argv, "m:n:w:b:l:s:a:S:h")) != -1) {
		switch (c) {
		case 'm':
			cf.mode = optarg;
			break;
		case 'n':
			cf.iters = bench_num("-n", optarg, 1, 1L << 40);
			break;
		case 'w':
			cf.warmup = bench_num("-w", optarg, 0, 1L << 40);
			break;
		case 'b':
			cf.batch = (uint32_t)bench_num("-b", optarg, 1, 1024);
			break;
		case 'l':
			cf.len = (uint16_t)bench_num("-l", optarg, 1, 2048);
			break;
		case 's':
			cf.name = optarg;
			break;
		case 'a':
			cpu = bench_num("-a", optarg, -1, 4095);
			break;
		case 'S':
			cf.bufsize = (uint32_t)bench_num("-S", optarg, 64, 65536);
			break;
		default:
			cf.mode = NULL;
			optind = argc;
			break;
		}
	}
	if (!cf.mode || (strcmp(cf.mode, "pipe") && strcmp(cf.mode, "vale") &&
			 strcmp(cf.mode, "move") && strcmp(cf.mode, "copy"))) {
		fprintf(stderr,
			"usage: %s -m pipe|vale|move|copy [-n ITERS] [-w WARMUP] [-b BATCH] [-l LEN] [-s NAME] [-a CPU] [-S BUFSIZE]\n",
			argv[0]);
		return 2;
	}
	if (cf.len > cf.bufsize) {
		fprintf(stderr, "one_thread: -l %u exceeds the buffer size %u\n",
			cf.len, cf.bufsize);
		return 2;
	}
	if (!cf.name) {
		snprintf(defname, sizeof(defname), "ot%ld", (long)getpid());
		cf.name = defname;
	}
	if (bench_pin((int)cpu) < 0)
		return 1;
	raw = !strcmp(cf.mode, "move") || !strcmp(cf.mode, "copy");
	if (raw) {
		ring = malloc(sizeof(*ring));
		if (!ring)
			return 1;
		memset(ring, 0, sizeof(*ring));
		tx.r = rx.r = ring;
		tx.len = cf.len;
		tx.copy = !strcmp(cf.mode, "copy");
		tx.bufsize = cf.bufsize;
		if (tx.copy) {
			size_t bytes = (size_t)SPSC_SLOTS * cf.bufsize;

			tx.src = malloc(bytes);
			tx.dst = malloc(bytes);
			if (!tx.src || !tx.dst)
				return 1;
			memset(tx.src, 0x5a, bytes);
			memset(tx.dst, 0, bytes);
		}
	} else if (ot_ports_open(&ports, &cf) < 0) {
		return 1;
	}

	for (it = 0; it < cf.warmup; it++) {
		if (raw) {
			spsc_tx_fill(&tx, cf.batch);
			spsc_rx_drain(&rx);
		} else {
			ot_port_iter(&ports, &cf);
		}
	}

	t0 = bench_now_ns();
	CALLGRIND_TOGGLE_COLLECT;
	if (raw) {
		for (it = 0; it < cf.iters; it++) {
			spsc_tx_fill(&tx, cf.batch);
			packets += spsc_rx_drain(&rx);
		}
	} else {
		for (it = 0; it < cf.iters; it++)
			packets += ot_port_iter(&ports, &cf);
	}
	CALLGRIND_TOGGLE_COLLECT;
	t1 = bench_now_ns();

	if (!raw)
		ot_ports_close(&ports);
	if (packets != (uint64_t)cf.iters * cf.batch)
		fprintf(stderr, "one_thread: %s moved %llu packets, expected %llu\n",
			cf.mode, (unsigned long long)packets,
			(unsigned long long)cf.iters * cf.batch);
	printf("one_thread mode=%s packets=%llu iters=%ld batch=%u len=%u ns_per_pkt=%.3f mpps=%.3f bytes_read=%llu client_requests=%d\n",
	       cf.mode, (unsigned long long)packets, cf.iters, cf.batch, cf.len,
	       packets ? (double)(t1 - t0) / (double)packets : 0.0,
	       t1 > t0 ? (double)packets * 1e3 / (double)(t1 - t0) : 0.0,
	       (unsigned long long)(ot_sink + rx.bytes), OT_CLIENT_REQUESTS);
	return packets ? 0 : 1;
}
