/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the user runtime: NIC ports without the kernel module.
 *
 * core/nm_nic.c gives a NIC port its meaning; this host serves the
 * device with Linux sockets (host.h, nmh_nic_*), in one of two modes:
 *
 *  - AF_XDP (nic_xdp.c): an XDP program on the interface redirects the
 *    frames of each bound queue to an AF_XDP socket of that queue (its
 *    XSKMAP); transmission writes the socket's TX ring.  Zero copy where
 *    the driver has it, copy mode otherwise.
 *  - AF_PACKET (nic_packet.c): packet sockets with TPACKET_V3 rings; one
 *    receiving socket per RX queue (a classic BPF filter on the frame's
 *    queue when there are several), one sending socket per TX queue.
 *
 * What lives where.  The port's state is in the shared arena (struct
 * nmh_nic, nic.c), but sockets belong to processes: each process keeps
 * its own sockets, per NIC and queue (struct rt_nicq), found through
 * the NIC's uid, a number never reused.  Queue q of a NIC is served by
 * one process at a time, both directions (AF_XDP binds one socket per
 * queue): nic->owner[q] names it, and another process's binding of
 * either ring of queue q fails with EBUSY.  There is no thread of the
 * runtime's own: whichever process syncs a ring does its device I/O,
 * and a process sleeping in poll sleeps on its sockets too.
 */
#ifndef LIB_RT_NIC_H
#define LIB_RT_NIC_H

#include <poll.h>
#include <stdint.h>

#include "nm_core.h"

/* Queues per direction (core/nm_nic.c caps a NIC port at 32). */
#define RT_NIC_MAXQ 32

enum rt_nic_mode {
	RT_NIC_XDP = 1,
	RT_NIC_PACKET,
};

/* The device, in the arena (core's na->nic). */
struct nmh_nic {
	uint64_t uid;			/* never reused: key of process state */
	struct nmh_nic *next;		/* the arena's list of open NICs */
	struct nm_adapter *na;
	char name[IFNAMSIZ];
	uint64_t netns;			/* the interface's network namespace */
	int32_t ifindex;
	uint32_t mode;			/* enum rt_nic_mode */
	uint32_t txq, rxq;		/* device queues */
	uint32_t frame;			/* socket frame size (2048 or 4096) */
	uint32_t mtu;
	/* AF_XDP: our program, its map and its link while attached. */
	uint32_t prog_id, map_id, link_id;
	uint32_t xdp_native;		/* in the driver, else generic */
	uint32_t zerocopy;		/* sockets bound with XDP_ZEROCOPY */
	uint32_t owner[RT_NIC_MAXQ];	/* owner id serving queue q, 0: none */
	char why[160];			/* why not AF_XDP (packet mode) */
};

/* AF_XDP state of one queue of one process (nic_xdp.c). */
struct rt_xsk;
/* AF_PACKET state of one queue of one process (nic_packet.c). */
struct rt_pktq;

/* One queue of one NIC in this process. */
struct rt_nicq {
	uint32_t rx_binds, tx_binds;	/* this process's bindings of it */
	int open;			/* the sockets below exist */
	struct rt_xsk *xsk;
	struct rt_pktq *pkt;
	/* Completions found while making room, not yet told to core. */
	uint32_t done;
};

/* One NIC in this process. */
struct rt_nic_local {
	uint64_t uid;			/* 0: free entry */
	struct nmh_nic *nic;
	int map_fd, link_fd;		/* AF_XDP: our hold on the program */
	int nl_fd;			/* rtnetlink: the interface's changes */
	uint32_t link_check;		/* idle receives since the last look */
	struct rt_nicq q[RT_NIC_MAXQ];
};

/* In the arena header (runtime.c): the open NICs, the uid counter. */
struct rt_nic_shared {
	struct nmh_nic *list;
	uint64_t uid;
};
struct rt_nic_shared *rt_nic_list(void);
/* The pid of the process that has owner id owner, for messages. */
uint32_t rt_owner_pid(uint32_t owner);

/* nic.c: for the modes. */
struct rt_nic_local *rt_nic_local(struct nmh_nic *nic);
uint64_t rt_nic_netns(void);
/*
 * Copy a received frame of len bytes into bufs (at most n), several
 * buffers when it does not fit in one (all but the last with more set);
 * vlan: 4 bytes to insert after the addresses (a tag the kernel took
 * off), or NULL.  Returns the buffers used, 0 if the frame does not fit
 * in them (it waits for the next call).
 */
uint32_t rt_nic_copy_frame(struct nm_nic_rxbuf *bufs, uint32_t n,
			   const uint8_t *data, uint32_t len,
			   const uint8_t *vlan);
void rt_nic_detail(struct nmh_nic *nic, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Did the interface go down, up or away?  ask: query it if no news. */
void rt_nic_check_link(struct rt_nic_local *l, int ask);
uint64_t rt_nic_caps(void);
int rt_nic_has_cap(int cap);

/* AF_XDP (nic_xdp.c); without libxdp every call fails with EOPNOTSUPP. */
int rt_xdp_usable(struct nmh_nic *nic, char *why, size_t len);
int rt_xdp_acquire(struct nmh_nic *nic, struct rt_nic_local *l);
void rt_xdp_release(struct rt_nic_local *l);
int rt_xdp_open(struct nmh_nic *nic, struct rt_nic_local *l, uint32_t q);
void rt_xdp_close(struct rt_nic_local *l, uint32_t q, int forked);
int rt_xdp_rx_enable(struct nmh_nic *nic, struct rt_nic_local *l,
		     uint32_t q, int on);
int rt_xdp_xmit(struct rt_nicq *dq, const void *buf, uint32_t len);
int rt_xdp_flush(struct rt_nicq *dq);
uint32_t rt_xdp_tx_done(struct rt_nicq *dq);
uint32_t rt_xdp_rx_pull(struct rt_nicq *dq, struct nm_nic_rxbuf *bufs,
			uint32_t n);
int rt_xdp_fd(struct rt_nicq *dq);

/* AF_PACKET (nic_packet.c). */
int rt_pkt_open(struct nmh_nic *nic, struct rt_nic_local *l, uint32_t q,
		int rx, int tx);
void rt_pkt_close(struct rt_nic_local *l, uint32_t q, int rx, int tx);
int rt_pkt_xmit(struct rt_nicq *dq, const void *buf, uint32_t len);
int rt_pkt_flush(struct rt_nicq *dq);
uint32_t rt_pkt_tx_done(struct rt_nicq *dq);
uint32_t rt_pkt_rx_pull(struct rt_nicq *dq, struct nm_nic_rxbuf *bufs,
			uint32_t n);
int rt_pkt_fd(struct rt_nicq *dq, int rx);
void rt_pkt_clear_error(struct rt_nicq *dq);

/*
 * For the runtime's poll (runtime.c): the sockets a sleeper waiting on
 * binding priv for events must watch, written into out (at most max;
 * returns how many), and the longest it may sleep in ns (-1: no limit):
 * frames in flight on a TX queue complete without waking anyone.
 */
int rt_nic_poll_fds(struct nm_priv *priv, short events, struct pollfd *out,
		    int max, long long *max_sleep_ns);
/* After ppoll() saw one of those sockets: link changes, socket errors. */
void rt_nic_poll_woken(struct nm_priv *priv);
/* After fork, in the child: the parent's sockets are not ours. */
void rt_nic_atfork_child(void);

#endif /* LIB_RT_NIC_H */
