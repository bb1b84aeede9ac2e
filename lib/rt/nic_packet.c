// SPDX-License-Identifier: BSD-2-Clause
/*
 * AF_PACKET mode of the user runtime's NIC ports (nic.h), where AF_XDP
 * cannot serve: packet sockets with TPACKET_V3 rings.
 *
 *  - Receiving: one socket per RX queue, bound to every protocol, its
 *    own transmissions ignored (PACKET_IGNORE_OUTGOING), with a block
 *    ring (blocks close when full or after 1 ms).  With several queues,
 *    a classic BPF filter keeps the frames the device recorded for the
 *    socket's queue (frames with no queue recorded go to queue 0).
 *    Frames whose VLAN tag the kernel took off get it back.
 *  - Sending: one socket per TX queue (protocol 0: it receives nothing),
 *    a frame ring (TPACKET_V3 sends like V2), bypassing the qdisc; the
 *    kernel picks the device queue.  A frame is complete when its status
 *    is back to available; a failed one (wrong format) counts as sent.
 *
 * Unlike the module and AF_XDP mode, the host stack still sees every
 * frame received, and its own transmissions still leave: packet sockets
 * only copy.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <net/if.h>	/* before the linux/ headers */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nm_core.h"
#include "backend.h"
#include "nic.h"
#include "../interpose.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/*
 * Receive blocks: 16 KiB, closed after 1 ms when not full, at least 128
 * of them: a block closed by the timer holds what came in 1 ms, so at
 * low rates the count of blocks, not their size, is how long a
 * receiver may be away before frames are dropped (64 blocks of 64 KiB
 * lost frames at 20 Kpps on a loaded machine; the same memory in 256
 * blocks of 16 KiB holds 256 ms, and about 100 small frames a block).
 */
#define RT_PKT_BLOCK (16u << 10)
#define RT_PKT_BLOCKS_MIN 128
#define RT_PKT_BLOCK_MS 1
/* Where a sent frame's data starts in its slot of the TX ring. */
#define RT_PKT_TX_DATA TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

struct rt_pktq {
	int rx_fd, tx_fd;
	/* Receive ring: nblocks blocks of bsize bytes. */
	uint8_t *rx_map;
	size_t rx_len;
	uint32_t bsize, nblocks;
	uint32_t blk;			/* the block being read */
	uint32_t left;			/* its frames not read yet, 0: none open */
	struct tpacket3_hdr *pkt;	/* its next frame */
	/* Transmit ring: nframes frames of fsize bytes. */
	uint8_t *tx_map;
	size_t tx_len;
	uint32_t fsize, nframes;
	uint32_t head;			/* next frame to fill */
	uint32_t tail;			/* oldest frame in flight */
	uint32_t inflight, queued;
};

static void rt_pkt_unmap(uint8_t **map, size_t len)
{
	if (*map)
		nmi_real_munmap(*map, len);
	*map = NULL;
}

static int rt_pkt_bind(int fd, const struct nmh_nic *nic, uint16_t proto)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = nic->ifindex;
	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ? -errno : 0;
}

/* Keep the frames the device recorded as received on queue q. */
static int rt_pkt_queue_filter(int fd, uint32_t q)
{
	struct sock_filter code[] = {
		/* A = skb->queue_mapping: recorded RX queue + 1, or 0 */
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_QUEUE },
		{ BPF_JMP | BPF_JEQ | BPF_K, 2, 0, q + 1 },
		{ BPF_JMP | BPF_JEQ | BPF_K, q == 0 ? 1 : 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0x40000 },
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog)) ? -errno : 0;
}

static int rt_pkt_open_rx(struct nmh_nic *nic, struct rt_pktq *p, uint32_t q)
{
	struct nm_adapter *na = nic->na;
	struct tpacket_req3 req;
	int v = TPACKET_V3, one = 1, err;
	uint64_t bytes;

	/* Protocol 0 until the ring and the filter are set: nothing yet. */
	p->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->rx_fd < 0)
		return -errno;
	if (setsockopt(p->rx_fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		return -errno;
	/* Our own frames and the stack's are not received ones. */
	setsockopt(p->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		   sizeof(one));
	if (nic->rxq > 1 && (err = rt_pkt_queue_filter(p->rx_fd, q)))
		return err;
	/* Twice the netmap ring: the device queue in front of it. */
	bytes = 2ULL * na->num_slots[NR_RX] * nic->frame;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = RT_PKT_BLOCK;
	req.tp_block_nr = (uint32_t)((bytes + RT_PKT_BLOCK - 1) / RT_PKT_BLOCK);
	if (req.tp_block_nr < RT_PKT_BLOCKS_MIN)
		req.tp_block_nr = RT_PKT_BLOCKS_MIN;
	req.tp_frame_size = nic->frame;
	req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
	req.tp_retire_blk_tov = RT_PKT_BLOCK_MS;
	if (setsockopt(p->rx_fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	p->bsize = req.tp_block_size;
	p->nblocks = req.tp_block_nr;
	p->rx_len = (size_t)p->bsize * p->nblocks;
	p->rx_map = nmi_real_mmap(NULL, p->rx_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED, p->rx_fd, 0);
	if (p->rx_map == MAP_FAILED) {
		p->rx_map = NULL;
		return -errno;
	}
	madvise(p->rx_map, p->rx_len, MADV_DONTFORK);
	return rt_pkt_bind(p->rx_fd, nic, ETH_P_ALL);
}

static int rt_pkt_open_tx(struct nmh_nic *nic, struct rt_pktq *p)
{
	struct nm_adapter *na = nic->na;
	struct tpacket_req3 req;
	int v = TPACKET_V3, one = 1;
	uint32_t per_block = 4096 / nic->frame ? 4096 / nic->frame : 1;
	uint32_t n;

	p->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->tx_fd < 0)
		return -errno;
	if (setsockopt(p->tx_fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		return -errno;
	/* A frame the kernel refuses is skipped, not a stuck ring. */
	setsockopt(p->tx_fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one));
	setsockopt(p->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	/*
	 * Fewer frames than the netmap ring has usable slots, so that a
	 * full netmap ring means a full ring here: its oldest frame then
	 * sits where the kernel fills next, and poll() says POLLOUT when
	 * it completes.
	 */
	n = na->num_slots[NR_TX] - 2;
	n -= n % per_block;
	memset(&req, 0, sizeof(req));
	req.tp_frame_size = nic->frame;
	req.tp_block_size = per_block * nic->frame;
	req.tp_block_nr = n / per_block;
	req.tp_frame_nr = n;
	if (setsockopt(p->tx_fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)))
		return -errno;
	p->fsize = nic->frame;
	p->nframes = n;
	p->tx_len = (size_t)n * nic->frame;
	p->tx_map = nmi_real_mmap(NULL, p->tx_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED, p->tx_fd, 0);
	if (p->tx_map == MAP_FAILED) {
		p->tx_map = NULL;
		return -errno;
	}
	madvise(p->tx_map, p->tx_len, MADV_DONTFORK);
	return rt_pkt_bind(p->tx_fd, nic, 0);
}

void rt_pkt_close(struct rt_nic_local *l, uint32_t q, int rx, int tx)
{
	struct rt_pktq *p = l->q[q].pkt;

	if (!p)
		return;
	if (rx && p->rx_fd >= 0 && getenv("NETMAP_RUNTIME_DEBUG")) {
		struct tpacket_stats_v3 st;
		socklen_t len = sizeof(st);

		memset(&st, 0, sizeof(st));
		if (!getsockopt(p->rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
			nmh_log("netmap: %s queue %u: AF_PACKET received %u "
				"dropped %u ring frozen %u\n",
				l->nic ? l->nic->name : "", q, st.tp_packets,
				st.tp_drops, st.tp_freeze_q_cnt);
	}
	if (rx) {
		if (p->rx_fd >= 0)
			nmi_real_close(p->rx_fd);
		p->rx_fd = -1;
		rt_pkt_unmap(&p->rx_map, p->rx_len);
		p->left = 0;
		p->blk = 0;
	}
	if (tx) {
		if (p->tx_fd >= 0)
			nmi_real_close(p->tx_fd);
		p->tx_fd = -1;
		rt_pkt_unmap(&p->tx_map, p->tx_len);
		p->head = p->tail = p->inflight = p->queued = 0;
	}
	if (p->rx_fd < 0 && p->tx_fd < 0) {
		free(p);
		l->q[q].pkt = NULL;
	}
}

int rt_pkt_open(struct nmh_nic *nic, struct rt_nic_local *l, uint32_t q,
		int rx, int tx)
{
	struct rt_pktq *p = l->q[q].pkt;
	int err = 0;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->rx_fd = p->tx_fd = -1;
		l->q[q].pkt = p;
	}
	if (rx && q < nic->rxq && p->rx_fd < 0) {
		err = rt_pkt_open_rx(nic, p, q);
		if (err) {
			rt_pkt_close(l, q, 1, 0);
			rt_nic_detail(nic, "queue %u: cannot open a receiving "
				      "packet socket: %s", q, strerror(-err));
			return err;
		}
	}
	if (tx && q < nic->txq && p->tx_fd < 0) {
		err = rt_pkt_open_tx(nic, p);
		if (err) {
			rt_pkt_close(l, q, 0, 1);
			rt_nic_detail(nic, "queue %u: cannot open a sending "
				      "packet socket: %s", q, strerror(-err));
			return err;
		}
	}
	return 0;
}

static struct tpacket3_hdr *rt_pkt_tx_frame(struct rt_pktq *p, uint32_t i)
{
	return (struct tpacket3_hdr *)(p->tx_map + (size_t)i * p->fsize);
}

int rt_pkt_xmit(struct rt_nicq *dq, const void *buf, uint32_t len)
{
	struct rt_pktq *p = dq->pkt;
	struct tpacket3_hdr *h;

	if (!p || p->tx_fd < 0)
		return -ENXIO;
	if (len > p->fsize - RT_PKT_TX_DATA)
		return -EMSGSIZE;
	h = rt_pkt_tx_frame(p, p->head);
	if (p->inflight == p->nframes ||
	    __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
		return -EBUSY;
	memcpy((uint8_t *)h + RT_PKT_TX_DATA, buf, len);
	h->tp_len = len;
	h->tp_snaplen = len;
	h->tp_next_offset = 0;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	p->head = p->head + 1 == p->nframes ? 0 : p->head + 1;
	p->inflight++;
	p->queued++;
	return 0;
}

int rt_pkt_flush(struct rt_nicq *dq)
{
	struct rt_pktq *p = dq->pkt;

	if (!p || p->tx_fd < 0 || !p->queued)
		return 0;
	if (send(p->tx_fd, NULL, 0, MSG_DONTWAIT) >= 0) {
		p->queued = 0;
		return 0;
	}
	if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
		return 0;	/* still queued: sent at the next flush */
	p->queued = 0;
	return -errno;
}

uint32_t rt_pkt_tx_done(struct rt_nicq *dq)
{
	struct rt_pktq *p = dq->pkt;
	uint32_t done = 0;

	if (!p || p->tx_fd < 0)
		return 0;
	while (p->inflight) {
		struct tpacket3_hdr *h = rt_pkt_tx_frame(p, p->tail);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (st & TP_STATUS_WRONG_FORMAT)
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE,
					 __ATOMIC_RELEASE);
		else if (st != TP_STATUS_AVAILABLE)
			break;
		p->tail = p->tail + 1 == p->nframes ? 0 : p->tail + 1;
		p->inflight--;
		done++;
	}
	return done;
}

/* Give the block being read back to the kernel; on to the next one. */
static void rt_pkt_block_done(struct rt_pktq *p)
{
	struct tpacket_block_desc *bd =
		(void *)(p->rx_map + (size_t)p->blk * p->bsize);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	p->blk = p->blk + 1 == p->nblocks ? 0 : p->blk + 1;
	p->left = 0;
}

uint32_t rt_pkt_rx_pull(struct rt_nicq *dq, struct nm_nic_rxbuf *bufs,
			uint32_t n)
{
	struct rt_pktq *p = dq->pkt;
	uint32_t used = 0;

	if (!p || p->rx_fd < 0)
		return 0;
	while (used < n) {
		struct tpacket3_hdr *h;
		uint8_t tag[4], *data;
		uint32_t k;

		if (!p->left) {
			struct tpacket_block_desc *bd =
				(void *)(p->rx_map + (size_t)p->blk * p->bsize);

			if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
					      __ATOMIC_ACQUIRE) & TP_STATUS_USER))
				break;
			p->left = bd->hdr.bh1.num_pkts;
			p->pkt = (void *)((uint8_t *)bd +
					  bd->hdr.bh1.offset_to_first_pkt);
			if (!p->left) {
				rt_pkt_block_done(p);
				continue;
			}
		}
		h = p->pkt;
		data = (uint8_t *)h + h->tp_mac;
		k = 1;
		/* A frame cut short by the ring is no frame: dropped. */
		if (h->tp_snaplen == h->tp_len) {
			const uint8_t *vlan = NULL;

			if (h->tp_status & TP_STATUS_VLAN_VALID) {
				uint16_t tpid = (h->tp_status &
						 TP_STATUS_VLAN_TPID_VALID) ?
						h->hv1.tp_vlan_tpid : ETH_P_8021Q;

				tag[0] = (uint8_t)(tpid >> 8);
				tag[1] = (uint8_t)tpid;
				tag[2] = (uint8_t)(h->hv1.tp_vlan_tci >> 8);
				tag[3] = (uint8_t)h->hv1.tp_vlan_tci;
				vlan = tag;
			}
			k = rt_nic_copy_frame(bufs + used, n - used, data,
					      h->tp_snaplen, vlan);
			if (!k)
				break;	/* waits for the next call */
			used += k;
		}
		p->pkt = (void *)((uint8_t *)h + h->tp_next_offset);
		if (!--p->left)
			rt_pkt_block_done(p);
	}
	return used;
}

int rt_pkt_fd(struct rt_nicq *dq, int rx)
{
	struct rt_pktq *p = dq->pkt;

	if (!p)
		return -1;
	if (rx)
		return p->rx_fd;
	/* Only a full ring turns POLLOUT on at a completion. */
	if (p->tx_fd < 0 || p->inflight < p->nframes)
		return -1;
	return p->tx_fd;
}

/* Read (and so clear) the error a link change left on the sockets. */
void rt_pkt_clear_error(struct rt_nicq *dq)
{
	struct rt_pktq *p = dq->pkt;
	socklen_t len;
	int err;

	if (!p)
		return;
	len = sizeof(err);
	if (p->rx_fd >= 0)
		getsockopt(p->rx_fd, SOL_SOCKET, SO_ERROR, &err, &len);
	len = sizeof(err);
	if (p->tx_fd >= 0)
		getsockopt(p->tx_fd, SOL_SOCKET, SO_ERROR, &err, &len);
}
