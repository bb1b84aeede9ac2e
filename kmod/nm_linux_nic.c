// SPDX-License-Identifier: BSD-2-Clause
/*
 * NIC ports on Linux: the nmh_nic_* device interface of core/host.h over
 * any net_device (veth, tap, virtio-net, e1000, bridges, VLANs, ...).
 * core/nm_nic.c decides what the rings mean; this file only moves frames.
 *
 *  - Receive: the rx_handler copies a frame of an RX queue core wants
 *    (nm_nic_rx_wanted) straight into the free slots of a user's ring
 *    (nm_nic_rx_direct, nm_nic_rx_slots) and frees it there, on the CPU
 *    that received (and usually allocated) it; the RX sync only
 *    publishes.  Frames that cannot go there (segmentation, a VLAN tag
 *    or a checksum to complete, a ring full, a broken slot, an attached
 *    NIC's, the host stack's) are queued on per-queue skb lists, bounded
 *    by the ring size, and nmh_nic_rx_pull copies them in the sync.
 *  - Transmit: nmh_nic_xmit copies a frame into an skb; up to 32 of
 *    them go to the driver's ndo_start_xmit on the chosen queue in one
 *    hold of the queue's lock, as the stack does, with xmit_more on all
 *    but the last (at the latest when core flushes after its TX sync);
 *    a stopped queue keeps the rest for a later flush and nothing is
 *    lost.  Frame order survives a sender that moves to another CPU
 *    (nmk_tx_order).  The skb's destructor counts the completion per
 *    queue and wakes the ring: that is when the ring's tail advances.
 *  - Host stack: while in netmap mode the device's netdev_ops are
 *    replaced by a copy whose ndo_start_xmit diverts the stack's frames
 *    to the host RX queues (GSO segmented and checksums filled in
 *    software, so applications always see complete frames); frames from
 *    the host TX ring enter the stack with netif_rx, marked so that the
 *    rx_handler lets them through.
 *  - Teardown: a netdevice notifier stops the rings on NETDEV_DOWN,
 *    restarts them on NETDEV_UP, and on NETDEV_UNREGISTER (ip link del,
 *    rmmod of the driver, namespace deletion) unhooks the device at
 *    once, drops its reference and makes the port a zombie, so the
 *    device goes away without waiting for the port's users.
 *
 * Lifetime: struct nmk_nic lives while core holds it (open to close)
 * or a transmitted skb does (one reference each), so a completion after
 * the port closed finds valid memory.  The module waits at unload until
 * every nmk_nic is gone.  Lists and hooks change under RTNL (and the
 * control lock, taken first); the data paths use RCU.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/workqueue.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/nsproxy.h>
#include <linux/cpumask.h>
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <net/net_namespace.h>
#if __has_include(<net/gso.h>)
#include <net/gso.h>
#endif

#include "nm_core.h"
#include "nm_linux.h"

/* skb->priority of frames netmap hands to the stack (host TX ring). */
#define NMK_HOST_MAGIC 0x6e6d6878

#define NMK_MAX_THREADS 64

struct nmk_nic;
static void nmk_nic_work(struct work_struct *work);

/*
 * Transmit batches: nmh_nic_xmit makes the skbs and keeps up to
 * NMK_TX_BATCH of them here; they go to the driver together (one hold
 * of the queue lock, xmit_more on all but the last) when the batch is
 * full and at nmh_nic_xmit_flush, which core calls after every TX sync.
 * Frames a stopped queue refused stay here, in order, for a later
 * flush.  pend, npend and cpu belong to the ring's owner (core
 * serializes the callers of one queue).
 */
#define NMK_TX_BATCH 32

/*
 * Frame memory of a transmit queue, reused.  A frame's skb is built
 * (napi_build_skb) around a piece of a page of the queue's pool: the frame,
 * then the skb_shared_info.  Freeing the skb only drops a reference of
 * the page (head_frag), so nothing is allocated, zeroed (Debian's
 * kernels have init_on_alloc: every kmalloc'd skb head was cleared, 512
 * bytes for a 60-byte frame, before being copied over) or returned to
 * the slab allocator per frame, from the sender's CPU or from the CPU
 * that frees it.  The pool's pages are carved in turn; a page is carved
 * again once its reference count says every skb built on it is gone,
 * and a page still in use when its turn comes is left to its skbs (the
 * last one frees it) and replaced by a new one.  The pool holds each
 * page with NMK_TX_BIAS references more than it has given out (bias), so
 * that giving a piece costs no atomic operation: all pieces are back
 * when the count is 1 + bias.  Frames too long for half a page use
 * alloc_skb.
 */
#define NMK_TX_PAGES 128
#define NMK_TX_BIAS (PAGE_SIZE / SMP_CACHE_BYTES)
/* Largest headroom and frame built on the pool: two a page (MTU 1500). */
#define NMK_TX_PIECE_MAX (PAGE_SIZE / 2 - \
			  SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))

struct nmk_txpage {
	struct page *page;
	uint32_t bias;			/* references held beyond the base one */
};

struct nmk_txq {
	struct nmk_nic *nic;
	atomic_t done;			/* completions not yet reported */
	struct sk_buff *pend[NMK_TX_BATCH];
	uint32_t npend;
	int cpu;			/* where the last batch went, or -1 */
	uint32_t pcur, poff;		/* page of pool being carved, offset */
	struct nmk_txpage *pool;	/* NMK_TX_PAGES */
};

/*
 * Received frames waiting for core, and the notification mitigation of
 * spec 22 (generic_mit): the first frame after a quiet interval wakes
 * the ring at once and arms a timer; frames arriving while it runs only
 * mark the queue, and the timer wakes the ring once for all of them.
 * A reader that keeps up is thus woken at most once per interval
 * instead of once per frame.  armed and pending change under q.lock.
 *
 * q.lock: a host queue's is taken with irqs off (the stack may transmit
 * with irqs off, netpoll), a device queue's only with bottom halves off:
 * its frames come from the rx_handler, in softirq context, and its other
 * users run in process context, so nothing takes it from a hard irq.
 * Saving and restoring the irq state around every received frame costs
 * more than the queueing itself under emulation (TCG: 13 % of the CPU
 * that receives, where AF_PACKET's spin_lock on its socket queue costs
 * 1 %).  Device queues have their own lock class, so that lockdep never
 * sees one class used both ways.
 */
struct nmk_rxq {
	struct sk_buff_head q;
	uint32_t max;
	uint32_t ring;			/* core's queue number */
	int host;			/* a host stack queue */
	bool armed, pending;
	bool pulling;			/* the sync fills from q (rx_hold) */
	struct hrtimer mit;
	struct nmk_nic *nic;
};

struct nmk_nic {
	struct list_head list;		/* nmk_nics: RTNL and control lock */
	refcount_t refs;		/* core's + one per skb in flight */
	struct net_device *dev;		/* held until gone or closed */
	struct net_device __rcu *live;	/* dev, for the data paths */
	struct nm_adapter __rcu *na;	/* NULL once closed */
	const struct net_device_ops *orig_ops;
	struct net_device_ops ops;	/* orig_ops with our ndo_start_xmit */
	bool hooked;
	uint32_t ntx, nrx, nhrx;	/* queues; host RX queues */
	struct nmk_txq *txq;
	struct nmk_rxq *rxq;		/* nrx device queues, then nhrx */
	struct work_struct work;	/* nm_nic_work for attached NICs */
	struct task_struct *threads[NMK_MAX_THREADS];
	uint32_t nthreads;
};

static struct lock_class_key nmk_rxq_dev_key;

/* q.lock of rxq, as the comment of struct nmk_rxq says. */
static inline void nmk_rxq_lock(struct nmk_rxq *rxq, unsigned long *flags)
{
	if (rxq->host)
		spin_lock_irqsave(&rxq->q.lock, *flags);
	else
		spin_lock_bh(&rxq->q.lock);
}

static inline void nmk_rxq_unlock(struct nmk_rxq *rxq, unsigned long flags)
{
	if (rxq->host)
		spin_unlock_irqrestore(&rxq->q.lock, flags);
	else
		spin_unlock_bh(&rxq->q.lock);
}

static LIST_HEAD(nmk_nics);
static atomic_t nmk_nic_count = ATOMIC_INIT(0);

static struct net *nmk_nic_net(void)
{
	return current->nsproxy ? current->nsproxy->net_ns : &init_net;
}

uint64_t nmh_netns_self(void)
{
	return nmk_nic_net()->net_cookie;
}

uint32_t nmh_online_cpus(void)
{
	return num_online_cpus();
}

static void nmk_nic_free(struct nmk_nic *nic)
{
	uint32_t i;

	for (i = 0; nic->txq && i < nic->ntx; i++)
		kfree(nic->txq[i].pool);
	kfree(nic->txq);
	kfree(nic->rxq);
	kfree(nic);
}

static void nmk_nic_put(struct nmk_nic *nic)
{
	if (!refcount_dec_and_test(&nic->refs))
		return;
	nmk_nic_free(nic);
	atomic_dec(&nmk_nic_count);
}

/* Unhooked: no frame is added any more; stop the timers, drop the rest. */
static void nmk_rxq_purge(struct nmk_nic *nic)
{
	uint32_t i;

	for (i = 0; i < nic->nrx + 32; i++) {
		struct nmk_rxq *rxq = &nic->rxq[i];

		hrtimer_cancel(&rxq->mit);
		rxq->armed = false;
		rxq->pending = false;
		skb_queue_purge(&rxq->q);
	}
}

/*
 * Would a wake-up of rxq's ring reach anyone now?  Only a reader that
 * sleeps needs its wake-ups rate limited: while nobody waits (a reader
 * that spins, or keeps up without sleeping) a wake-up costs a look at
 * two queues, and the interval's timer would cost far more, once per
 * interval for as long as frames flow (in the emulated guest of make
 * vm-bench a reader that never slept got 10-20 % fewer frames with the
 * timer running than without; kmod/README.md).  Racy by
 * design: the answer only decides whether to arm the timer, and a frame
 * that comes while it is not armed wakes the ring at once, so a reader
 * that joins the queue just after this look is still woken.  Frames for
 * a switch's wrapper (kernel-owned) kick its thread: always rate limited.
 */
static bool nmk_rxq_sleepers(struct nmk_rxq *rxq, struct nm_adapter *na)
{
	struct nm_kring *k;
	uint32_t idx;

	if (READ_ONCE(na->flags) & NAF_KERNEL_OWNED)
		return true;
	idx = rxq->host ? na->num_rings[NR_RX] + rxq->ring : rxq->ring;
	if (!na->rings[NR_RX] || idx >= nma_all_rings(na, NR_RX))
		return true;
	k = &na->rings[NR_RX][idx];
	return waitqueue_active(&k->wait.wq) ||
	       waitqueue_active(&na->wait.wq[NR_RX]);
}

/* The mitigation interval ended: wake the ring if frames came meanwhile. */
static enum hrtimer_restart nmk_rxq_mit_end(struct hrtimer *t)
{
	struct nmk_rxq *rxq = container_of(t, struct nmk_rxq, mit);
	struct nm_adapter *na;
	unsigned long flags;
	bool pending, again;
	uint32_t mit;

	rcu_read_lock();
	na = rcu_dereference(rxq->nic->na);
	spin_lock_irqsave(&rxq->q.lock, flags);
	pending = rxq->pending;
	rxq->pending = false;
	mit = nmk_generic_mit_ns();
	/* A new interval starts now, if the wake-up below reaches anyone. */
	again = pending && mit && na && nmk_rxq_sleepers(rxq, na);
	rxq->armed = again;
	if (again)
		hrtimer_forward_now(t, ns_to_ktime(mit));
	spin_unlock_irqrestore(&rxq->q.lock, flags);
	if (pending && na)
		nm_nic_event(na, NR_RX, rxq->ring, rxq->host);
	rcu_read_unlock();
	return again ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/* ---------------------------------------------------------------- */
/* Receive                                                          */
/* ---------------------------------------------------------------- */

/*
 * rxq's lock held, a frame was added to its ring or queue: whether to
 * wake the ring now (generic_mit, above).
 */
static bool nmk_rxq_mitigate(struct nmk_rxq *rxq, struct nm_adapter *na)
{
	uint32_t mit;

	if (rxq->armed) {
		rxq->pending = true;
		return false;
	}
	mit = nmk_generic_mit_ns();
	if (mit && nmk_rxq_sleepers(rxq, na)) {
		rxq->armed = true;
		hrtimer_start(&rxq->mit, ns_to_ktime(mit),
			      HRTIMER_MODE_REL_SOFT);
	}
	return true;
}

/* Queue skb (its Ethernet header at skb->data) on rxq; consumes it. */
static void nmk_rxq_add(struct nm_adapter *na, struct nmk_rxq *rxq,
			struct sk_buff *skb, uint32_t q, int host)
{
	unsigned long flags = 0;
	bool wake;

	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb)
			return;
	}
	nmk_rxq_lock(rxq, &flags);
	if (skb_queue_len(&rxq->q) >= rxq->max) {
		nmk_rxq_unlock(rxq, flags);
		dev_core_stats_rx_dropped_inc(skb->dev);
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&rxq->q, skb);
	wake = nmk_rxq_mitigate(rxq, na);
	nmk_rxq_unlock(rxq, flags);
	if (wake)
		nm_nic_event(na, NR_RX, q, host);
}

static void nmk_capture(struct nm_adapter *na, struct nmk_nic *nic,
			struct sk_buff *skb, uint32_t q, int host);

/*
 * A frame into its skb, or into a slot (direct receive).  memcpy is
 * "rep movsb" on CPUs with ERMS: a start-up cost per call on hardware,
 * and under emulation (TCG) a cost per byte (6 % of the sender's CPU for
 * 60-byte frames in the 6.1 guest, 7 % of the receiving CPU's in the
 * rx_handler).  Short frames (never shorter than 8 bytes here) go 8 bytes at
 * a time, the last word overlapping the one before it, so that nothing
 * beyond the frame is read.
 */
static inline void nmk_copy_frame(void *dst, const void *src, uint32_t len)
{
	const u8 *s = src;
	u8 *d = dst;
	uint32_t i;

	if (len > 256 || len < 8) {
		memcpy(dst, src, len);
		return;
	}
	for (i = 0; i + 8 <= len; i += 8)
		put_unaligned(get_unaligned((const u64 *)(s + i)), (u64 *)(d + i));
	if (i < len)
		put_unaligned(get_unaligned((const u64 *)(s + len - 8)),
			      (u64 *)(d + len - 8));
}

/*
 * rxq's lock for a direct fill.  rx_handlers run with bottom halves off
 * (in softirq, or under a caller that turned them off, as pktgen's
 * netif_receive mode does): there a plain spin_lock is enough, and it
 * spares every frame the re-enable's look for pending softirqs (3 % of
 * the receiving CPU in the emulated guest; kmod/README.md).  bh: they
 * were on.
 */
static inline void nmk_rxq_fill_lock(struct nmk_rxq *rxq, bool bh)
{
	if (bh)
		spin_lock_bh(&rxq->q.lock);
	else
		spin_lock(&rxq->q.lock);
}

static inline void nmk_rxq_fill_unlock(struct nmk_rxq *rxq, bool bh)
{
	if (bh)
		spin_unlock_bh(&rxq->q.lock);
	else
		spin_unlock(&rxq->q.lock);
}

/* Most slots a frame copied by the rx_handler takes (9000-byte frames). */
#define NMK_RX_DIRECT_SLOTS 8

/*
 * Copy skb (its Ethernet header at its mac header, skb->data after it,
 * as the rx_handler gets it) straight into the next free slots of ring
 * q (core/nm_nic.c, "Direct receive"), under the queue's lock, which
 * orders the fills of one queue from several CPUs and keeps them out of
 * the slots a sync is filling from the queue.  Nothing of skb is
 * written, so a shared skb needs no clone.  Frames queued earlier go
 * first: while any wait (or the sync pulls them), this one queues too.
 * Returns 1 when copied (the caller frees skb), -ENOSPC when the ring
 * has no room, 0 when the frame is to be queued.
 */
static int nmk_rx_direct(struct nm_adapter *na, struct nmk_rxq *rxq,
			 struct sk_buff *skb, uint32_t q)
{
	struct nm_nic_rxbuf rb[NMK_RX_DIRECT_SLOTS] NM_UNINIT;
	int mac = skb->data - skb_mac_header(skb);
	uint32_t len = skb->len + mac, off = 0;
	struct nm_kring *k;
	bool wake, bh;
	int n, j;

	if (skb_is_gso(skb) || skb_vlan_tag_present(skb) ||
	    skb->ip_summed == CHECKSUM_PARTIAL)
		return 0;
	k = nm_nic_rx_direct(na, q);
	if (!k)
		return 0;
	bh = !in_softirq();
	nmk_rxq_fill_lock(rxq, bh);
	if (rxq->pulling || !skb_queue_empty(&rxq->q)) {
		nmk_rxq_fill_unlock(rxq, bh);
		return 0;
	}
	n = nm_nic_rx_slots(k, len, rb, ARRAY_SIZE(rb));
	if (n <= 0) {
		nmk_rxq_fill_unlock(rxq, bh);
		return n ? 0 : -ENOSPC;
	}
	for (j = 0; j < n; j++) {
		uint32_t l = min(len - off, rb[j].cap);

		if (likely(!skb_is_nonlinear(skb)))
			nmk_copy_frame(rb[j].buf, skb_mac_header(skb) + off, l);
		else
			skb_copy_bits(skb, (int)off - mac, rb[j].buf, l);
		rb[j].len = l;
		rb[j].more = j + 1 < n;
		off += l;
	}
	nm_nic_rx_filled(k, rb, n);
	wake = nmk_rxq_mitigate(rxq, na);
	nmk_rxq_fill_unlock(rxq, bh);
	if (wake)
		nm_nic_event(na, NR_RX, q, 0);
	return 1;
}

static rx_handler_result_t nmk_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct nmk_nic *nic = rcu_dereference(skb->dev->rx_handler_data);
	struct nm_adapter *na;
	struct nmk_rxq *rxq;
	uint32_t q;

	if (skb->priority == NMK_HOST_MAGIC) {
		skb->priority = 0;	/* from the host TX ring: to the stack */
		return RX_HANDLER_PASS;
	}
	na = nic ? rcu_dereference(nic->na) : NULL;
	if (!na)
		return RX_HANDLER_PASS;
	q = skb_rx_queue_recorded(skb) ? skb_get_rx_queue(skb) : 0;
	if (q >= nic->nrx)
		q %= nic->nrx;
	if (!nm_nic_rx_wanted(na, q))
		return RX_HANDLER_PASS;
	rxq = &nic->rxq[q];
	switch (nmk_rx_direct(na, rxq, skb, q)) {
	case 1:
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	case -ENOSPC:
		/*
		 * The ring is full.  An skb that is ours alone may hold its
		 * sender's resources (a netmap or socket sender on a veth is
		 * paced by its frees): it waits in the queue, as all frames
		 * did before.  A shared one would be cloned first and paces
		 * nobody: dropped, as AF_PACKET drops when its socket's
		 * buffer is full.
		 */
		if (skb_shared(skb)) {
			dev_core_stats_rx_dropped_inc(skb->dev);
			kfree_skb(skb);
			return RX_HANDLER_CONSUMED;
		}
		break;
	}
	/*
	 * A full queue drops the frame before anything is spent on it (the
	 * clone of a shared skb, the lock), as AF_PACKET does when its
	 * socket's buffer is full; the check under the lock stays exact.
	 */
	if (skb_queue_len_lockless(&rxq->q) >= READ_ONCE(rxq->max)) {
		dev_core_stats_rx_dropped_inc(skb->dev);
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	skb_push(skb, skb->data - skb_mac_header(skb));
	nmk_capture(na, nic, skb, q, 0);
	return RX_HANDLER_CONSUMED;
}

int nmh_nic_rx_hold(struct nmh_nic *h, uint32_t q, int host, int on)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	struct nmk_rxq *rxq;
	unsigned long flags = 0;
	int held;

	if (host ? q >= nic->nhrx : q >= nic->nrx)
		return 0;
	rxq = &nic->rxq[host ? nic->nrx + q : q];
	/* (a frame queued just after is woken for, or its timer is armed) */
	if (on && skb_queue_empty_lockless(&rxq->q))
		return 0;
	nmk_rxq_lock(rxq, &flags);
	held = on && !skb_queue_empty(&rxq->q);
	rxq->pulling = held;
	nmk_rxq_unlock(rxq, flags);
	return held;
}

uint32_t nmh_nic_rx_pull(struct nmh_nic *h, uint32_t q, int host,
			 struct nm_nic_rxbuf *bufs, uint32_t n)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	struct sk_buff_head local;
	struct nmk_rxq *rxq;
	struct sk_buff *skb;
	unsigned long flags = 0;
	uint32_t used = 0;

	if (host ? q >= nic->nhrx : q >= nic->nrx)
		return 0;
	rxq = &nic->rxq[host ? nic->nrx + q : q];
	__skb_queue_head_init(&local);
	nmk_rxq_lock(rxq, &flags);
	skb_queue_splice_init(&rxq->q, &local);
	nmk_rxq_unlock(rxq, flags);

	while ((skb = skb_peek(&local)) != NULL) {
		uint32_t left = skb->len, need = 0, j, off = 0;
		bool drop = false;

		/* Buffers this frame takes; it waits if they are not there. */
		for (j = used; left && j < n; j++) {
			if (!bufs[j].cap) {
				drop = true;
				break;
			}
			left -= min(left, bufs[j].cap);
			need++;
		}
		/*
		 * Not enough room: wait for the next call, unless the frame
		 * would not fit in a whole batch either.
		 */
		if (!drop && left) {
			if (used || n < 64)
				break;
			drop = true;
		}
		__skb_unlink(skb, &local);
		if (drop || !skb->len) {
			kfree_skb(skb);
			continue;
		}
		for (j = used; j < used + need; j++) {
			uint32_t len = min(skb->len - off, bufs[j].cap);

			if (likely(!skb_is_nonlinear(skb)))
				memcpy(bufs[j].buf, skb->data + off, len);
			else
				skb_copy_bits(skb, off, bufs[j].buf, len);
			bufs[j].len = len;
			bufs[j].more = j + 1 < used + need;
			off += len;
		}
		used += need;
		consume_skb(skb);
	}
	if (!skb_queue_empty(&local)) {
		nmk_rxq_lock(rxq, &flags);
		skb_queue_splice(&local, &rxq->q);
		nmk_rxq_unlock(rxq, flags);
	}
	return used;
}

/* skb made complete (checksum filled in), to queue q; consumes it. */
static void nmk_capture_one(struct nm_adapter *na, struct nmk_nic *nic,
			    struct sk_buff *skb, uint32_t q, int host)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		kfree_skb(skb);
		return;
	}
	nmk_rxq_add(na, &nic->rxq[host ? nic->nrx + q : q], skb, q, host);
}

/*
 * A frame for netmap, its Ethernet header at skb->data: the stack's
 * transmissions (host RX) and what a device like veth receives may still
 * need their checksum computed or their segmentation done (GSO, GRO).
 * Applications always get complete frames, whatever the offloads.
 */
static void nmk_capture(struct nm_adapter *na, struct nmk_nic *nic,
			struct sk_buff *skb, uint32_t q, int host)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		nmk_capture_one(na, nic, skb, q, host);
		return;
	}
	/* No offload features: segments come with their checksums. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		nmk_capture_one(na, nic, skb, q, host);
	}
}

/* ---------------------------------------------------------------- */
/* Host stack                                                       */
/* ---------------------------------------------------------------- */

/*
 * ndo_start_xmit while hooked: frames of the stack on TX queues in
 * netmap mode go to the host RX ring, the others to the driver.
 */
static netdev_tx_t nmk_nic_start_xmit(struct sk_buff *skb,
				      struct net_device *dev)
{
	const struct net_device_ops *ops = READ_ONCE(dev->netdev_ops);
	struct nm_adapter *na;
	struct nmk_nic *nic;
	uint32_t hq;

	if (ops->ndo_start_xmit != nmk_nic_start_xmit)
		return ops->ndo_start_xmit(skb, dev);	/* just unhooked */
	nic = container_of(ops, struct nmk_nic, ops);
	rcu_read_lock();
	na = rcu_dereference(nic->na);
	if (na && nm_nic_host_wanted(na, skb_get_queue_mapping(skb), &hq)) {
		nmk_capture(na, nic, skb, hq, 1);
		rcu_read_unlock();
		return NETDEV_TX_OK;
	}
	rcu_read_unlock();
	return nic->orig_ops->ndo_start_xmit(skb, dev);
}

int nmh_nic_host_send(struct nmh_nic *h, const void *buf, uint32_t len)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	struct net_device *dev;
	struct sk_buff *skb;
	int err = -ENXIO;

	rcu_read_lock();
	dev = rcu_dereference(nic->live);
	if (!dev)
		goto out;
	err = -ENOMEM;
	skb = netdev_alloc_skb(dev, len);
	if (!skb)
		goto out;
	skb_put_data(skb, buf, len);
	skb->protocol = eth_type_trans(skb, dev);
	skb->priority = NMK_HOST_MAGIC;
	netif_rx(skb);
	err = 0;
out:
	rcu_read_unlock();
	return err;
}

/* ---------------------------------------------------------------- */
/* Transmit                                                         */
/* ---------------------------------------------------------------- */

/* The device freed a frame of ours: count it, wake the ring. */
static void nmk_tx_destructor(struct sk_buff *skb)
{
	struct nmk_txq *tq = skb_shinfo(skb)->destructor_arg;
	struct nmk_nic *nic = tq->nic;
	struct nm_adapter *na;

	atomic_inc(&tq->done);
	rcu_read_lock();
	na = rcu_dereference(nic->na);
	if (na)
		nm_nic_event(na, NR_TX, tq - nic->txq, 0);
	rcu_read_unlock();
	nmk_nic_put(nic);
}

uint32_t nmh_nic_tx_done(struct nmh_nic *h, uint32_t q)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;

	if (q >= nic->ntx || !atomic_read(&nic->txq[q].done))
		return 0;
	return (uint32_t)atomic_xchg(&nic->txq[q].done, 0);
}

/*
 * Frame order when the sender moves to another CPU.  A device that
 * forwards in software (veth, and any driver that receives with
 * netif_rx) queues our frames on the backlog of the CPU that transmits
 * them, and each CPU empties its own.  Usually that happens when we
 * re-enable bottom halves, but a CPU whose softirqs ran long leaves
 * them to ksoftirqd (6.1 does so for every later softirq until
 * ksoftirqd ran), and a sender moved meanwhile to another CPU would
 * have its next frames received before the ones still waiting there
 * (on the 6.1 guest NIC-M1 saw 0-31, then 512 on).  So before a batch
 * leaves from another CPU than the last one, wait until that CPU's
 * backlog is idle: its NAPI stays scheduled until the last frame it
 * held went through the receive path, ours included.  The CPU is
 * checked with bottom halves off, so the batch leaves from the CPU
 * checked.  The wait ends after NMK_TX_ORDER_MS (a backlog kept busy
 * by other traffic) rather than stall the ring.
 */
#define NMK_TX_ORDER_MS 100

/* Bottom halves off: frames of tq may still wait on another CPU. */
static bool nmk_tx_elsewhere(const struct nmk_txq *tq)
{
	int last = tq->cpu;

	return last >= 0 && last != smp_processor_id() && cpu_online(last) &&
	       test_bit(NAPI_STATE_SCHED,
			&per_cpu(softnet_data, last).backlog.state);
}

/* Returns with bottom halves off, on a CPU where tq's batch may go. */
static void nmk_tx_order_bh_disable(const struct nmk_txq *tq)
{
	unsigned long until = jiffies + msecs_to_jiffies(NMK_TX_ORDER_MS);

	local_bh_disable();
	while (nmk_tx_elsewhere(tq) && time_before(jiffies, until)) {
		local_bh_enable();
		usleep_range(20, 100);
		local_bh_disable();
	}
}

/* The frames of batch tq no device will take: they complete as dropped. */
static void nmk_tx_drop_pending(struct nmk_txq *tq)
{
	uint32_t i;

	for (i = 0; i < tq->npend; i++)
		kfree_skb(tq->pend[i]);
	if (tq->npend)
		atomic_add(tq->npend, &tq->done);
	tq->npend = 0;
}

/*
 * The pending frames of queue q to the driver, in order, in one hold of
 * the queue's lock with bottom halves off, xmit_more set on all but the
 * last (one doorbell; veth's peer receives the batch in one softirq
 * run).  A stopped queue keeps the rest pending.
 */
static void nmk_tx_push(struct nmk_nic *nic, uint32_t q)
{
	struct nmk_txq *tq = &nic->txq[q];
	struct netdev_queue *txq;
	struct net_device *dev;
	uint32_t i, n = tq->npend;
	netdev_tx_t rc;

	if (!n)
		return;
	nmk_tx_order_bh_disable(tq);
	rcu_read_lock();
	dev = rcu_dereference(nic->live);
	if (!dev || q >= dev->real_num_tx_queues) {
		rcu_read_unlock();
		local_bh_enable();
		nmk_tx_drop_pending(tq);	/* the device is gone */
		return;
	}
	txq = netdev_get_tx_queue(dev, q);
	HARD_TX_LOCK(dev, txq, smp_processor_id());
	for (i = 0; i < n; i++) {
		struct sk_buff *skb = tq->pend[i];

		if (netif_xmit_frozen_or_stopped(txq))
			break;
		skb->dev = dev;
		refcount_inc(&nic->refs);
		skb_shinfo(skb)->destructor_arg = tq;
		skb->destructor = nmk_tx_destructor;
		rc = __netdev_start_xmit(nic->orig_ops, skb, dev, i + 1 < n);
		if (!dev_xmit_complete(rc)) {
			/*
			 * Not taken: not a completion either; it stays, with
			 * no pointer to a device that may be gone by the time
			 * it leaves or is dropped.
			 */
			skb->destructor = NULL;
			skb->dev = NULL;
			refcount_dec(&nic->refs);
			break;
		}
	}
	if (i) {
		txq_trans_update(txq);
		tq->cpu = smp_processor_id();
	}
	HARD_TX_UNLOCK(dev, txq);
	rcu_read_unlock();
	local_bh_enable();
	if (i && i < n)
		memmove(tq->pend, tq->pend + i, (n - i) * sizeof(tq->pend[0]));
	tq->npend = n - i;
}

/* The pool's references to page p go: the page lives while skbs use it. */
static void nmk_txpage_release(struct nmk_txpage *p)
{
	if (p->page)
		__page_frag_cache_drain(p->page, p->bias + 1);
	p->page = NULL;
	p->bias = 0;
}

/* The pool of tq is given up (the port closed); in-flight skbs keep theirs. */
static void nmk_txq_pool_release(struct nmk_txq *tq)
{
	uint32_t i;

	for (i = 0; i < NMK_TX_PAGES; i++)
		nmk_txpage_release(&tq->pool[i]);
	tq->pcur = 0;
	tq->poff = 0;
}

/*
 * An skb of size bytes of frame memory (headroom and frame) from tq's
 * pool, or NULL (no memory): the skb owns a reference of the page.
 */
static struct sk_buff *nmk_txq_build(struct nmk_txq *tq, uint32_t size)
{
	uint32_t piece = SKB_DATA_ALIGN(size) +
			 SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct nmk_txpage *p = &tq->pool[tq->pcur];
	struct sk_buff *skb;

	if (!p->page || tq->poff + piece > PAGE_SIZE || !p->bias) {
		/* This page is used up: the next one, free again or new. */
		if (p->page) {
			tq->pcur = (tq->pcur + 1) % NMK_TX_PAGES;
			p = &tq->pool[tq->pcur];
		}
		if (p->page && page_ref_count(p->page) == p->bias + 1) {
			/* Every skb of the page is gone: no reader left. */
			smp_acquire__after_ctrl_dep();
			page_ref_add(p->page, NMK_TX_BIAS - p->bias);
			p->bias = NMK_TX_BIAS;
		} else {
			nmk_txpage_release(p);
			p->page = alloc_page(GFP_ATOMIC | __GFP_NOWARN |
					     __GFP_NOMEMALLOC);
			if (!p->page)
				return NULL;
			page_ref_add(p->page, NMK_TX_BIAS);
			p->bias = NMK_TX_BIAS;
		}
		tq->poff = 0;
	}
	/*
	 * napi_build_skb takes the sk_buff from the CPU's cache, refilled
	 * 16 at a time; it wants bottom halves off.
	 */
	local_bh_disable();
	skb = napi_build_skb(page_address(p->page) + tq->poff, piece);
	local_bh_enable();
	if (!skb)
		return NULL;
	tq->poff += piece;
	p->bias--;			/* the skb's reference */
	return skb;
}

int nmh_nic_xmit(struct nmh_nic *h, uint32_t q, const void *buf, uint32_t len)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	struct netdev_queue *txq;
	struct net_device *dev;
	struct nmk_txq *tq;
	struct sk_buff *skb = NULL;
	uint32_t hr, size;
	int err = -ENXIO;

	if (q >= nic->ntx)
		return -EINVAL;
	tq = &nic->txq[q];
	if (tq->npend == NMK_TX_BATCH) {
		nmk_tx_push(nic, q);
		if (tq->npend == NMK_TX_BATCH)
			return -EBUSY;	/* the queue is stopped */
	}
	rcu_read_lock();
	dev = rcu_dereference(nic->live);
	if (!dev || q >= dev->real_num_tx_queues)
		goto out;
	txq = netdev_get_tx_queue(dev, q);
	err = -EBUSY;
	if (netif_xmit_frozen_or_stopped(txq))
		goto out;
	/*
	 * A frame shorter than an Ethernet header, or no memory for its
	 * skb: dropped, and counted as such in the device's statistics
	 * (ip -s link), as the stack counts its own drops.
	 */
	err = len < ETH_HLEN ? -EINVAL : -ENOMEM;
	hr = LL_RESERVED_SPACE(dev);
	/* Room to pad to ETH_ZLEN in place, as some drivers do. */
	size = hr + max_t(uint32_t, len, ETH_ZLEN);
	if (len >= ETH_HLEN && size <= NMK_TX_PIECE_MAX)
		skb = nmk_txq_build(tq, size);
	else if (len >= ETH_HLEN)
		skb = alloc_skb(size, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb) {
		dev_core_stats_tx_dropped_inc(dev);
		goto out;
	}
	skb_reserve(skb, hr);
	nmk_copy_frame(skb_put(skb, len), buf, len);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb_set_queue_mapping(skb, q);
	tq->pend[tq->npend++] = skb;
	err = 0;	/* its completion will come, or its drop */
out:
	rcu_read_unlock();
	if (!err && tq->npend == NMK_TX_BATCH)
		nmk_tx_push(nic, q);
	return err;
}

/* The rest of the batch leaves now (core: after every TX sync). */
void nmh_nic_xmit_flush(struct nmh_nic *h, uint32_t q)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;

	if (q < nic->ntx)
		nmk_tx_push(nic, q);
}

/* ---------------------------------------------------------------- */
/* Open, close, hooks                                               */
/* ---------------------------------------------------------------- */

/* The device is the module's, whoever binds its rings. */
int nmh_nic_bind(struct nmh_nic *h, const uint32_t first[2],
		 const uint32_t last[2], int on)
{
	(void)h;
	(void)first;
	(void)last;
	(void)on;
	return 0;
}

/* The netdevice notifier tells us of link changes as they happen. */
void nmh_nic_stopped(struct nmh_nic *h)
{
	(void)h;
}

/* The emulated adapter (NR_PORT_EMULATED, set by core) and nothing else. */
uint16_t nmh_nic_port_flags(struct nmh_nic *h)
{
	(void)h;
	return 0;
}

struct nm_adapter *nmh_nic_find(const char *name)
{
	struct net_device *dev = dev_get_by_name(nmk_nic_net(), name);
	struct nm_adapter *na = NULL;
	struct nmk_nic *nic;

	if (!dev)
		return NULL;
	list_for_each_entry(nic, &nmk_nics, list) {
		if (nic->dev == dev) {
			na = rcu_access_pointer(nic->na);
			break;
		}
	}
	dev_put(dev);
	return na;
}

/* Queues from the channel configuration, ring sizes from ethtool (22). */
static void nmk_nic_geometry(struct net_device *dev, struct nm_nic_geom *g)
{
	const struct ethtool_ops *eo = dev->ethtool_ops;

	g->txq = dev->real_num_tx_queues;
	g->rxq = dev->real_num_rx_queues;
	g->mtu = dev->mtu;
	if (eo && eo->get_ringparam) {
		struct kernel_ethtool_ringparam kr = { 0 };
		struct ethtool_ringparam rp = { .cmd = ETHTOOL_GRINGPARAM };

		eo->get_ringparam(dev, &rp, &kr, NULL);
		g->tx_slots = rp.tx_pending ? rp.tx_pending : rp.tx_max_pending;
		g->rx_slots = rp.rx_pending ? rp.rx_pending : rp.rx_max_pending;
	}
}

int nmh_nic_open(const char *name, struct nm_adapter *na,
		 struct nm_nic_geom *geom, struct nmh_nic **out)
{
	struct net_device *dev;
	struct nmk_nic *nic;
	uint32_t i;
	int err = -ENXIO;

	rtnl_lock();
	dev = __dev_get_by_name(nmk_nic_net(), name);
	if (!dev)
		goto out;
	err = -EOPNOTSUPP;
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    !dev->netdev_ops || !dev->netdev_ops->ndo_start_xmit)
		goto out;
	err = -ENOMEM;
	nic = kzalloc(sizeof(*nic), GFP_KERNEL);
	if (!nic)
		goto out;
	nmk_nic_geometry(dev, geom);
	nic->ntx = max_t(uint32_t, 1, min_t(uint32_t, geom->txq, 32));
	nic->nrx = max_t(uint32_t, 1, min_t(uint32_t, geom->rxq, 32));
	nic->nhrx = na->num_host_rings[NR_RX] ? na->num_host_rings[NR_RX] : 1;
	nic->txq = kcalloc(nic->ntx, sizeof(*nic->txq), GFP_KERNEL);
	nic->rxq = kcalloc(nic->nrx + 32, sizeof(*nic->rxq), GFP_KERNEL);
	for (i = 0; nic->txq && i < nic->ntx; i++) {
		nic->txq[i].nic = nic;
		nic->txq[i].cpu = -1;
		nic->txq[i].pool = kcalloc(NMK_TX_PAGES,
					   sizeof(*nic->txq[i].pool),
					   GFP_KERNEL);
		if (!nic->txq[i].pool)
			break;
	}
	if (!nic->txq || !nic->rxq || i < nic->ntx) {
		nmk_nic_free(nic);
		goto out;
	}
	for (i = 0; i < nic->nrx + 32; i++) {
		struct nmk_rxq *rxq = &nic->rxq[i];

		skb_queue_head_init(&rxq->q);
		rxq->nic = nic;
		rxq->host = i >= nic->nrx;
		if (!rxq->host)
			lockdep_set_class(&rxq->q.lock, &nmk_rxq_dev_key);
		rxq->ring = rxq->host ? i - nic->nrx : i;
		hrtimer_init(&rxq->mit, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
		rxq->mit.function = nmk_rxq_mit_end;
	}
	refcount_set(&nic->refs, 1);
	atomic_inc(&nmk_nic_count);
	INIT_WORK(&nic->work, nmk_nic_work);
	dev_hold(dev);
	nic->dev = dev;
	nic->orig_ops = dev->netdev_ops;
	rcu_assign_pointer(nic->live, dev);
	rcu_assign_pointer(nic->na, na);
	na->nic_state = netif_running(dev) ? NM_NIC_UP : NM_NIC_DOWN;
	list_add(&nic->list, &nmk_nics);
	/*
	 * An open device keeps the module: a NIC attached to a switch has
	 * no descriptor to do it, and its hooks point into this module.
	 */
	__module_get(THIS_MODULE);
	*out = (struct nmh_nic *)nic;
	err = 0;
out:
	rtnl_unlock();
	return err;
}

/* RTNL held.  Put the device back as it was; frames queued are dropped. */
static void nmk_nic_unhook(struct nmk_nic *nic)
{
	if (!nic->hooked)
		return;
	WRITE_ONCE(nic->dev->netdev_ops, nic->orig_ops);
	netdev_rx_handler_unregister(nic->dev);
	nic->hooked = false;
	synchronize_net();	/* nobody left in our handler or ops */
	nmk_rxq_purge(nic);
}

int nmh_nic_intercept(struct nmh_nic *h, int on)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	struct nm_adapter *na;
	uint32_t i;
	int err = 0;

	rtnl_lock();
	na = rtnl_dereference(nic->na);
	if (!on) {
		nmk_nic_unhook(nic);
		rtnl_unlock();
		cancel_work_sync(&nic->work);
		return 0;
	}
	if (nic->hooked)
		goto out;
	err = -ENXIO;
	if (!rtnl_dereference(nic->live))
		goto out;
	nic->nhrx = min_t(uint32_t, na->num_host_rings[NR_RX], 32);
	for (i = 0; i < nic->nrx; i++)
		nic->rxq[i].max = na->num_slots[NR_RX];
	for (i = 0; i < nic->nhrx; i++)
		nic->rxq[nic->nrx + i].max = na->num_slots[NR_RX];
	err = netdev_rx_handler_register(nic->dev, nmk_rx_handler, nic);
	if (err)
		goto out;	/* -EBUSY: a bridge, bond, macvlan... (22) */
	nic->ops = *nic->orig_ops;
	nic->ops.ndo_start_xmit = nmk_nic_start_xmit;
	WRITE_ONCE(nic->dev->netdev_ops, &nic->ops);
	nic->hooked = true;
out:
	rtnl_unlock();
	return err;
}

/* RTNL held: the device is going away; let it go now (22: zombie). */
static void nmk_nic_gone(struct nmk_nic *nic)
{
	struct nm_adapter *na = rtnl_dereference(nic->na);

	if (!nic->dev)
		return;
	if (na)
		nm_nic_state(na, NM_NIC_GONE);
	nmk_nic_unhook(nic);
	RCU_INIT_POINTER(nic->live, NULL);
	synchronize_net();	/* no data path uses the device any more */
	dev_put(nic->dev);
	nic->dev = NULL;
}

void nmh_nic_close(struct nmh_nic *h)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	uint32_t i;

	nmh_nic_poll_stop(h);
	rtnl_lock();
	nmk_nic_unhook(nic);
	list_del(&nic->list);
	RCU_INIT_POINTER(nic->na, NULL);
	RCU_INIT_POINTER(nic->live, NULL);
	rtnl_unlock();
	synchronize_net();	/* destructors and handlers see na NULL */
	cancel_work_sync(&nic->work);
	nmk_rxq_purge(nic);
	for (i = 0; i < nic->ntx; i++) {
		nmk_tx_drop_pending(&nic->txq[i]);
		nmk_txq_pool_release(&nic->txq[i]);
	}
	if (nic->dev)
		dev_put(nic->dev);
	nic->dev = NULL;
	nmk_nic_put(nic);
	module_put(THIS_MODULE);
}

/* ---------------------------------------------------------------- */
/* Attached NICs: deferred work and polling threads                 */
/* ---------------------------------------------------------------- */

static void nmk_nic_work(struct work_struct *work)
{
	struct nmk_nic *nic = container_of(work, struct nmk_nic, work);
	struct nm_adapter *na;

	/* close waits for us after clearing na: it stays valid here. */
	na = rcu_access_pointer(nic->na);
	if (na)
		nm_nic_work(na);
}

void nmh_nic_kick(struct nmh_nic *h)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;

	queue_work(system_highpri_wq, &nic->work);
}

struct nmk_poll_arg {
	struct nmk_nic *nic;
	uint32_t idx;
};

/*
 * A polling thread (15.9): pull the device's frames into the switch
 * without waiting for notifications.  It yields the CPU between rounds
 * and naps briefly when a round found the queues empty.
 */
static int nmk_poll_thread(void *arg)
{
	struct nmk_nic *nic = arg;
	uint32_t idx = 0, i;
	struct nm_adapter *na;

	for (i = 0; i < nic->nthreads; i++)
		if (nic->threads[i] == current)
			idx = i;
	while (!kthread_should_stop()) {
		na = rcu_access_pointer(nic->na);
		if (na)
			nm_nic_poll(na, idx);
		if (skb_queue_empty_lockless(&nic->rxq[0].q))
			usleep_range(20, 50);
		else
			cond_resched();
	}
	return 0;
}

int nmh_nic_poll_start(struct nmh_nic *h, uint32_t nthreads,
		       const uint32_t *cpus)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	uint32_t i;

	if (nthreads > NMK_MAX_THREADS)
		return -EINVAL;
	for (i = 0; i < nthreads; i++) {
		struct task_struct *t;

		if (!cpu_online(cpus[i])) {
			nmh_nic_poll_stop(h);
			return -EINVAL;
		}
		t = kthread_create(nmk_poll_thread, nic, "netmap-poll-%u", i);
		if (IS_ERR(t)) {
			nmh_nic_poll_stop(h);
			return PTR_ERR(t);
		}
		kthread_bind(t, cpus[i]);
		nic->threads[i] = t;
		nic->nthreads = i + 1;
	}
	for (i = 0; i < nthreads; i++)
		wake_up_process(nic->threads[i]);
	return 0;
}

void nmh_nic_poll_stop(struct nmh_nic *h)
{
	struct nmk_nic *nic = (struct nmk_nic *)h;
	uint32_t i;

	for (i = 0; i < nic->nthreads; i++) {
		kthread_stop(nic->threads[i]);
		nic->threads[i] = NULL;
	}
	nic->nthreads = 0;
}

/* ---------------------------------------------------------------- */
/* Device events                                                    */
/* ---------------------------------------------------------------- */

static int nmk_nic_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nmk_nic *nic;

	list_for_each_entry(nic, &nmk_nics, list) {
		struct nm_adapter *na;

		if (nic->dev != dev)
			continue;
		na = rtnl_dereference(nic->na);
		switch (event) {
		case NETDEV_UNREGISTER:
			nmk_nic_gone(nic);
			break;
		case NETDEV_DOWN:
			if (na)
				nm_nic_state(na, NM_NIC_DOWN);
			break;
		case NETDEV_UP:
			if (na)
				nm_nic_state(na, NM_NIC_UP);
			break;
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block nmk_nic_notifier = {
	.notifier_call = nmk_nic_event,
};

int nmk_nic_init(void)
{
	return register_netdevice_notifier(&nmk_nic_notifier);
}

/*
 * Every port is closed (descriptors hold module references); skbs sent
 * by them may still be in some device queue: wait for their destructors.
 */
void nmk_nic_fini(void)
{
	unsigned int waited = 0;

	unregister_netdevice_notifier(&nmk_nic_notifier);
	while (atomic_read(&nmk_nic_count)) {
		if (waited++ == 500)
			pr_warn("netmap: waiting for frames still queued in devices\n");
		msleep(10);
	}
	synchronize_net();
}
