// SPDX-License-Identifier: BSD-2-Clause
/*
 * NIC ports of the user runtime: the host interface nmh_nic_* of
 * core/host.h over AF_XDP (nic_xdp.c) or AF_PACKET (nic_packet.c)
 * sockets.  nic.h says what lives in the arena and what in a process.
 *
 *  - Mode: NETMAP_NIC_MODE=xdp|packet forces one; otherwise AF_XDP when
 *    this process may use it (CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF), the
 *    kernel has it and no other XDP program holds the interface, else
 *    AF_PACKET, with the reason kept for the tools' start-up line.
 *  - Queue ownership (nmh_nic_bind): the process that binds a ring of
 *    queue q opens the queue's sockets and serves it until its last
 *    binding of the queue goes; another live process is refused.
 *  - Link changes: an rtnetlink socket per NIC and process, read when a
 *    socket call fails, when a receiver has been idle a while, and by
 *    poll, which sleeps on it: an interface going down stops the rings,
 *    one deleted makes the port a zombie (core: EIO, POLLERR).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <net/if.h>	/* before the linux/ headers, which then defer to it */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nm_core.h"
#include "backend.h"
#include "libnetmap.h"
#include "nic.h"
#include "runtime.h"
#include "../interpose.h"

/* NICs one process can have open at once. */
#define RT_NIC_LOCALS 64
/* Idle receives between two looks at the link's state. */
#define RT_NIC_LINK_EVERY 1024
/* Longest sleep of a poll waiting for transmit completions (ns). */
#define RT_NIC_TX_WAIT_NS 1000000LL

static pthread_mutex_t rt_nic_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Entries are never freed, only emptied: a stale cache reads uid 0. */
static struct rt_nic_local *rt_nic_locals[RT_NIC_LOCALS];
static __thread struct rt_nic_local *rt_nic_last;

/* ---------------------------------------------------------------- */
/* Helpers                                                          */
/* ---------------------------------------------------------------- */

/* The network namespace of this thread: device and inode of its nsfs. */
uint64_t rt_nic_netns(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) &&
	    stat("/proc/self/ns/net", &st))
		return 0;
	return ((uint64_t)st.st_dev << 32) ^ (uint64_t)st.st_ino;
}

uint64_t rt_nic_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return 0;
	return d[0].effective | ((uint64_t)d[1].effective << 32);
}

int rt_nic_has_cap(int cap)
{
	return (rt_nic_caps() >> cap) & 1;
}

void rt_nic_detail(struct nmh_nic *nic, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nmb_set_detail("%s: %s", nic ? nic->name : "", msg);
}

/* An ioctl on interface name through a throwaway socket. */
static int rt_if_ioctl(const char *name, unsigned long cmd, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (nmi_real_ioctl(s, cmd, ifr))
		err = -errno;
	nmi_real_close(s);
	return err;
}

/* Queues and ring sizes the driver reports (spec 22), MTU, flags. */
static void rt_nic_geometry(struct nmh_nic *nic, struct nm_nic_geom *g)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ethtool_ringparam rp = { .cmd = ETHTOOL_GRINGPARAM };
	struct ifreq ifr;

	g->txq = g->rxq = 1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&ch;
	if (!rt_if_ioctl(nic->name, SIOCETHTOOL, &ifr)) {
		if (ch.combined_count + ch.tx_count)
			g->txq = ch.combined_count + ch.tx_count;
		if (ch.combined_count + ch.rx_count)
			g->rxq = ch.combined_count + ch.rx_count;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&rp;
	if (!rt_if_ioctl(nic->name, SIOCETHTOOL, &ifr)) {
		g->tx_slots = rp.tx_pending ? rp.tx_pending : rp.tx_max_pending;
		g->rx_slots = rp.rx_pending ? rp.rx_pending : rp.rx_max_pending;
	}
	memset(&ifr, 0, sizeof(ifr));
	g->mtu = 1500;
	if (!rt_if_ioctl(nic->name, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		g->mtu = (uint32_t)ifr.ifr_mtu;
	if (g->txq > RT_NIC_MAXQ)
		g->txq = RT_NIC_MAXQ;
	if (g->rxq > RT_NIC_MAXQ)
		g->rxq = RT_NIC_MAXQ;
}

uint32_t rt_nic_copy_frame(struct nm_nic_rxbuf *bufs, uint32_t n,
			   const uint8_t *data, uint32_t len,
			   const uint8_t *vlan)
{
	const uint8_t *piece[3] = { data, vlan, data + 12 };
	uint32_t plen[3] = { len, 0, 0 }, total = len, room = 0, i, j, used;

	if (vlan && len >= 12) {
		plen[0] = 12;
		plen[1] = 4;
		plen[2] = len - 12;
		total = len + 4;
	}
	for (used = 0; used < n && (room < total || !used); used++)
		room += bufs[used].cap;
	if (room < total || !used)
		return 0;
	/* Fill the buffers in order from the pieces. */
	for (i = 0, j = 0; j < used; j++) {
		uint32_t at = 0, cap = bufs[j].cap;

		while (at < cap && i < 3) {
			uint32_t m = plen[i] < cap - at ? plen[i] : cap - at;

			if (!plen[i]) {
				i++;
				continue;
			}
			memcpy(bufs[j].buf + at, piece[i], m);
			at += m;
			piece[i] += m;
			plen[i] -= m;
			if (!plen[i])
				i++;
		}
		bufs[j].len = at;
		bufs[j].more = j + 1 < used;
	}
	return used;
}

/* What the interface's flags and index say now (NM_NIC_*). */
static uint32_t rt_nic_link_now(const struct nmh_nic *nic)
{
	char name[IF_NAMESIZE];
	struct ifreq ifr;

	if (!if_indextoname((unsigned)nic->ifindex, name) ||
	    strcmp(name, nic->name))
		return NM_NIC_GONE;
	memset(&ifr, 0, sizeof(ifr));
	if (rt_if_ioctl(name, SIOCGIFFLAGS, &ifr))
		return NM_NIC_GONE;
	return (ifr.ifr_flags & IFF_UP) ? NM_NIC_UP : NM_NIC_DOWN;
}

/* ---------------------------------------------------------------- */
/* This process's state of a NIC                                    */
/* ---------------------------------------------------------------- */

static struct rt_nic_local *rt_nic_local_find(const struct nmh_nic *nic)
{
	struct rt_nic_local *l = rt_nic_last;
	int i;

	if (l && l->uid == nic->uid)
		return l;
	for (i = 0; i < RT_NIC_LOCALS; i++) {
		l = __atomic_load_n(&rt_nic_locals[i], __ATOMIC_ACQUIRE);
		if (l && l->uid == nic->uid) {
			rt_nic_last = l;
			return l;
		}
	}
	return NULL;
}

/* Find or make this process's entry for nic.  rt_nic_mutex held. */
static struct rt_nic_local *rt_nic_local_get(struct nmh_nic *nic)
{
	struct rt_nic_local *l = rt_nic_local_find(nic), *fresh;
	int i, spare = -1;

	if (l)
		return l;
	for (i = 0; i < RT_NIC_LOCALS; i++) {
		l = rt_nic_locals[i];
		if (l && !l->uid)
			break;
		if (!l && spare < 0)
			spare = i;
	}
	if (i == RT_NIC_LOCALS) {
		if (spare < 0)
			return NULL;
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh)
			return NULL;
		__atomic_store_n(&rt_nic_locals[spare], fresh, __ATOMIC_RELEASE);
		l = fresh;
	}
	memset(l->q, 0, sizeof(l->q));
	l->nic = nic;
	l->map_fd = l->link_fd = l->nl_fd = -1;
	l->link_check = 0;
	__atomic_store_n(&l->uid, nic->uid, __ATOMIC_RELEASE);
	return l;
}

struct rt_nic_local *rt_nic_local(struct nmh_nic *nic)
{
	struct rt_nic_local *l = rt_nic_local_find(nic);

	if (l)
		return l;
	pthread_mutex_lock(&rt_nic_mutex);
	l = rt_nic_local_get(nic);
	pthread_mutex_unlock(&rt_nic_mutex);
	return l;
}

static void rt_nic_close_fd(int *fd)
{
	if (*fd >= 0)
		nmi_real_close(*fd);
	*fd = -1;
}

/* Close queue q's sockets in this process.  forked: we are a child. */
static void rt_nicq_close(struct rt_nic_local *l, uint32_t q, int forked)
{
	struct rt_nicq *dq = &l->q[q];

	if (l->nic && l->nic->mode == RT_NIC_XDP)
		rt_xdp_close(l, q, forked);
	else
		rt_pkt_close(l, q, 1, 1);
	dq->open = 0;
	dq->rx_binds = dq->tx_binds = 0;
	dq->done = 0;
}

/* The entry has no queue open any more: let it go.  rt_nic_mutex held. */
static void rt_nic_local_drop(struct rt_nic_local *l, int forked)
{
	uint32_t q;

	for (q = 0; q < RT_NIC_MAXQ; q++)
		if (l->q[q].open || l->q[q].xsk || l->q[q].pkt)
			rt_nicq_close(l, q, forked);
	rt_xdp_release(l);
	rt_nic_close_fd(&l->nl_fd);
	l->nic = NULL;
	__atomic_store_n(&l->uid, 0, __ATOMIC_RELEASE);
}

static int rt_nic_local_busy(const struct rt_nic_local *l)
{
	uint32_t q;

	for (q = 0; q < RT_NIC_MAXQ; q++)
		if (l->q[q].open)
			return 1;
	return 0;
}

void rt_nic_atfork_child(void)
{
	int i;

	pthread_mutex_init(&rt_nic_mutex, NULL);
	rt_nic_last = NULL;
	for (i = 0; i < RT_NIC_LOCALS; i++)
		if (rt_nic_locals[i] && rt_nic_locals[i]->uid)
			rt_nic_local_drop(rt_nic_locals[i], 1);
}

/* ---------------------------------------------------------------- */
/* Link state                                                       */
/* ---------------------------------------------------------------- */

static void rt_nic_set_state(struct nmh_nic *nic, uint32_t state)
{
	struct nm_adapter *na = nic->na;

	if (na && NM_READ_ONCE(na->nic_state) != state)
		nm_nic_state(na, state);
}

/* The rtnetlink socket of l, bound to link notifications. */
static int rt_nic_link_open(struct rt_nic_local *l)
{
	struct sockaddr_nl sa;
	int fd;

	if (l->nl_fd >= 0)
		return 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		nmi_real_close(fd);
		return err;
	}
	l->nl_fd = fd;
	return 0;
}

/*
 * Read the link notifications queued for l and apply those of its
 * interface; with none to read (or some lost) and ask set, ask the
 * interface.
 */
void rt_nic_check_link(struct rt_nic_local *l, int ask)
{
	struct nmh_nic *nic = l->nic;
	char buf[8192] __attribute__((aligned(8)));
	int seen = 0, lost = 0;
	ssize_t n;

	if (!nic)
		return;
	while (l->nl_fd >= 0 &&
	       (n = recv(l->nl_fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		struct nlmsghdr *h;

		if (n < 0) {
			lost = errno == ENOBUFS;
			if (errno == EINTR || lost)
				continue;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);

			if ((h->nlmsg_type != RTM_NEWLINK &&
			     h->nlmsg_type != RTM_DELLINK) ||
			    ifi->ifi_index != nic->ifindex)
				continue;
			seen = 1;
			if (h->nlmsg_type == RTM_DELLINK)
				rt_nic_set_state(nic, NM_NIC_GONE);
			else if (ifi->ifi_flags & IFF_UP)
				rt_nic_set_state(nic, NM_NIC_UP);
			else	/* down, or on its way out (ip link del) */
				rt_nic_set_state(nic, rt_nic_link_now(nic));
		}
	}
	if ((!seen && ask) || lost)
		rt_nic_set_state(nic, rt_nic_link_now(nic));
}

/* A sync found the interface down: has a notification said otherwise? */
void nmh_nic_stopped(struct nmh_nic *nic)
{
	struct rt_nic_local *l = rt_nic_local_find(nic);

	if (l)
		rt_nic_check_link(l, 0);
}

/* ---------------------------------------------------------------- */
/* Open and close (control lock held)                               */
/* ---------------------------------------------------------------- */

/* NETMAP_NIC_MODE: 0 (choose), RT_NIC_XDP, RT_NIC_PACKET, or -EINVAL. */
static int rt_nic_mode_wanted(void)
{
	const char *e = getenv("NETMAP_NIC_MODE");

	if (!e || !*e || !strcmp(e, "auto"))
		return 0;
	if (!strcmp(e, "xdp"))
		return RT_NIC_XDP;
	if (!strcmp(e, "packet"))
		return RT_NIC_PACKET;
	nmb_set_detail("NETMAP_NIC_MODE=%.32s: expected xdp, packet or auto", e);
	return -EINVAL;
}

struct nm_adapter *nmh_nic_find(const char *name)
{
	struct nmh_nic *nic;
	uint64_t ns = rt_nic_netns();
	unsigned int idx = 0;
	int looked = 0;

	for (nic = rt_nic_list()->list; nic; nic = nic->next) {
		if (nic->netns != ns || strcmp(nic->name, name) || !nic->na ||
		    NM_READ_ONCE(nic->na->nic_state) == NM_NIC_GONE)
			continue;
		if (!looked) {
			idx = if_nametoindex(name);
			looked = 1;
		}
		if ((int)idx != nic->ifindex) {
			/* Deleted (and maybe made again) since it was opened. */
			rt_nic_set_state(nic, NM_NIC_GONE);
			continue;
		}
		return nic->na;
	}
	return NULL;
}

int nmh_nic_open(const char *name, struct nm_adapter *na,
		 struct nm_nic_geom *geom, struct nmh_nic **out)
{
	int want = rt_nic_mode_wanted(), err;
	struct rt_nic_shared *sh = rt_nic_list();
	struct nmh_nic *nic;
	struct ifreq ifr;
	unsigned int idx;

	*out = NULL;
	if (want < 0)
		return want;
	idx = if_nametoindex(name);
	if (!idx) {
		nmb_set_detail("no network interface %s in this network "
			       "namespace", name);
		return -ENXIO;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (!rt_if_ioctl(name, SIOCGIFHWADDR, &ifr) &&
	    ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		nmb_set_detail("%s is not an Ethernet interface", name);
		return -EOPNOTSUPP;
	}
	if (!rt_nic_has_cap(CAP_NET_RAW)) {
		nmb_set_detail("%s: NIC ports without the kernel module need "
			       "CAP_NET_RAW (AF_PACKET and AF_XDP sockets), "
			       "and CAP_NET_ADMIN and CAP_BPF for AF_XDP: "
			       "missing CAP_NET_RAW (run as root)", name);
		return -EPERM;
	}
	nic = nmh_zalloc(sizeof(*nic));
	if (!nic)
		return -ENOMEM;
	nic->uid = __atomic_add_fetch(&sh->uid, 1, __ATOMIC_RELAXED);
	nic->na = na;
	nm_strlcpy(nic->name, name, sizeof(nic->name));
	nic->netns = rt_nic_netns();
	nic->ifindex = (int32_t)idx;
	rt_nic_geometry(nic, geom);
	nic->txq = geom->txq;
	nic->rxq = geom->rxq;
	nic->mtu = geom->mtu;
	nic->frame = geom->mtu + 18 <= 2048 - 256 ? 2048 : 4096;
	nic->mode = RT_NIC_PACKET;
	if (want != RT_NIC_PACKET) {
		err = rt_xdp_usable(nic, nic->why, sizeof(nic->why));
		if (!err) {
			nic->mode = RT_NIC_XDP;
			nic->why[0] = '\0';
		} else if (want == RT_NIC_XDP) {
			nmb_set_detail("%s: NETMAP_NIC_MODE=xdp: %s", name,
				       nic->why);
			nmh_free(nic);
			return err;
		}
	} else {
		snprintf(nic->why, sizeof(nic->why), "NETMAP_NIC_MODE=packet");
	}
	na->nic_state = rt_nic_link_now(nic);
	nic->next = sh->list;
	sh->list = nic;
	*out = nic;
	return 0;
}

void nmh_nic_close(struct nmh_nic *nic)
{
	struct rt_nic_shared *sh = rt_nic_list();
	struct nmh_nic **pp;
	struct rt_nic_local *l;

	for (pp = &sh->list; *pp; pp = &(*pp)->next) {
		if (*pp == nic) {
			*pp = nic->next;
			break;
		}
	}
	pthread_mutex_lock(&rt_nic_mutex);
	l = rt_nic_local_find(nic);
	if (l)
		rt_nic_local_drop(l, 0);
	pthread_mutex_unlock(&rt_nic_mutex);
	nic->na = NULL;
	nmh_free(nic);
}

/*
 * Netmap mode on or off.  Nothing to do here: the XDP program of AF_XDP
 * mode comes with the first queue a process serves (rt_nicq_open) and
 * goes with the last process holding it.
 */
int nmh_nic_intercept(struct nmh_nic *nic, int on)
{
	(void)nic;
	(void)on;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Queues: who serves them                                          */
/* ---------------------------------------------------------------- */

/*
 * The XDP program for this process.  When the very first one cannot be
 * attached and no mode was forced, the port falls back to AF_PACKET
 * (no process has an AF_XDP socket on it yet: they would hold the
 * program), and the reason is kept for the tools' start-up line.
 */
static int rt_nic_xdp_hold(struct nmh_nic *nic, struct rt_nic_local *l)
{
	int err;

	err = rt_xdp_acquire(nic, l);
	/* link_id is 0 after a failure when no live process held a link. */
	if (!err || nic->link_id || rt_nic_mode_wanted() == RT_NIC_XDP ||
	    rt_nic_local_busy(l))
		return err;
	snprintf(nic->why, sizeof(nic->why), "%s", nm_error_detail());
	nic->mode = RT_NIC_PACKET;
	nmb_clear_detail();
	return 0;
}

static int rt_nicq_open(struct nmh_nic *nic, struct rt_nic_local *l,
			uint32_t q, int rx, int tx)
{
	int err;

	if (nic->mode == RT_NIC_XDP) {
		if (l->q[q].open)
			return 0;
		err = rt_nic_xdp_hold(nic, l);
		if (err)
			return err;
	}
	if (nic->mode == RT_NIC_XDP) {
		err = rt_xdp_open(nic, l, q);
	} else {
		err = rt_pkt_open(nic, l, q, rx, tx);
	}
	if (!err)
		l->q[q].open = 1;
	return err;
}

/* Claim queue q for this process.  rt_nic_mutex held. */
static int rt_nicq_claim(struct nmh_nic *nic, uint32_t q)
{
	uint32_t self = nmh_owner_self(), owner = NM_READ_ONCE(nic->owner[q]);

	if (owner == self)
		return 0;
	if (owner && nmh_owner_alive(owner)) {
		rt_nic_detail(nic, "queue %u is served by another process "
			      "(pid %u): without the kernel module a NIC "
			      "queue belongs to one process at a time", q,
			      rt_owner_pid(owner));
		return -EBUSY;
	}
	if (!nm_cas32(&nic->owner[q], owner, self))
		return -EBUSY;
	return 0;
}

/* Take (on) or leave the rings of queue q.  rt_nic_mutex held. */
static int rt_nicq_bind(struct nmh_nic *nic, struct rt_nic_local *l,
			uint32_t q, int rx, int tx, int on)
{
	struct rt_nicq *dq = &l->q[q];
	int err;

	if (!on) {
		/* A direction nobody binds: its frames go to the stack. */
		if (rx && dq->rx_binds && !--dq->rx_binds) {
			if (nic->mode == RT_NIC_XDP)
				rt_xdp_rx_enable(nic, l, q, 0);
			else
				rt_pkt_close(l, q, 1, 0);
		}
		if (tx && dq->tx_binds && !--dq->tx_binds &&
		    nic->mode == RT_NIC_PACKET)
			rt_pkt_close(l, q, 0, 1);
		if (!dq->rx_binds && !dq->tx_binds && dq->open) {
			rt_nicq_close(l, q, 0);
			nm_cas32(&nic->owner[q], nmh_owner_self(), 0);
		}
		return 0;
	}
	err = rt_nicq_claim(nic, q);
	if (!err)
		err = rt_nicq_open(nic, l, q, rx, tx);
	if (!err && rx && !dq->rx_binds && nic->mode == RT_NIC_XDP)
		err = rt_xdp_rx_enable(nic, l, q, 1);
	if (err) {
		if (!dq->rx_binds && !dq->tx_binds) {
			if (dq->open || dq->xsk || dq->pkt)
				rt_nicq_close(l, q, 0);
			nm_cas32(&nic->owner[q], nmh_owner_self(), 0);
		}
		return err;
	}
	dq->rx_binds += rx;
	dq->tx_binds += tx;
	return 0;
}

int nmh_nic_bind(struct nmh_nic *nic, const uint32_t first[2],
		 const uint32_t last[2], int on)
{
	uint32_t q, n = nic->txq > nic->rxq ? nic->txq : nic->rxq;
	struct rt_nic_local *l;
	int err = 0;

	pthread_mutex_lock(&rt_nic_mutex);
	l = on ? rt_nic_local_get(nic) : rt_nic_local_find(nic);
	if (!l) {
		/* Releasing a dead process's binding: its sockets died with it. */
		pthread_mutex_unlock(&rt_nic_mutex);
		return on ? -ENOMEM : 0;
	}
	if (on && (err = rt_nic_link_open(l))) {
		rt_nic_detail(nic, "cannot watch the interface (rtnetlink): %s",
			      strerror(-err));
		goto out;
	}
	/* Changes from now on are notified; the state until now, asked. */
	if (on)
		rt_nic_set_state(nic, rt_nic_link_now(nic));
	for (q = 0; q < n; q++) {
		int rx = q >= first[NR_RX] && q < last[NR_RX];
		int tx = q >= first[NR_TX] && q < last[NR_TX];

		if (!rx && !tx)
			continue;
		err = rt_nicq_bind(nic, l, q, rx, tx, on);
		if (err)
			break;
	}
	if (err) {
		/* Give back the queues taken so far. */
		while (q-- > 0) {
			int rx = q >= first[NR_RX] && q < last[NR_RX];
			int tx = q >= first[NR_TX] && q < last[NR_TX];

			if (rx || tx)
				rt_nicq_bind(nic, l, q, rx, tx, 0);
		}
	}
out:
	if (!rt_nic_local_busy(l))
		rt_nic_local_drop(l, 0);
	pthread_mutex_unlock(&rt_nic_mutex);
	return err;
}

uint16_t nmh_nic_port_flags(struct nmh_nic *nic)
{
	if (nic->mode == RT_NIC_PACKET)
		return NR_PORT_AF_PACKET;
	return NR_PORT_AF_XDP | (nic->xdp_native ? NR_PORT_XDP_NATIVE : 0) |
	       (nic->zerocopy ? NR_PORT_ZEROCOPY : 0);
}

/* ---------------------------------------------------------------- */
/* Data path (the kring's owner, no lock)                           */
/* ---------------------------------------------------------------- */

/*
 * Queue q's sockets in this process, opened here if a binding reached
 * us without them (a fork child, once its parent stopped serving q).
 */
static struct rt_nicq *rt_nicq_slow(struct nmh_nic *nic, uint32_t q)
{
	struct nm_adapter *na = nic->na;
	struct rt_nic_local *l;
	struct rt_nicq *dq = NULL;
	int rx, tx;

	if (q >= RT_NIC_MAXQ || !na)
		return NULL;
	pthread_mutex_lock(&rt_nic_mutex);
	l = rt_nic_local_get(nic);
	if (!l)
		goto out;
	if (l->q[q].open) {
		dq = &l->q[q];
		goto out;
	}
	rx = q < na->num_rings[NR_RX] && na->rings[NR_RX] &&
	     NM_READ_ONCE(na->rings[NR_RX][q].users);
	tx = q < na->num_rings[NR_TX];
	if (!rt_nic_link_open(l) && !rt_nicq_bind(nic, l, q, rx, tx, 1))
		dq = &l->q[q];
out:
	pthread_mutex_unlock(&rt_nic_mutex);
	return dq;
}

/* Queue q's sockets; open: open them if a binding needs them here. */
static inline struct rt_nicq *rt_nicq_of(struct nmh_nic *nic, uint32_t q,
					 int open)
{
	struct rt_nic_local *l = rt_nic_local_find(nic);

	if (l && q < RT_NIC_MAXQ && l->q[q].open)
		return &l->q[q];
	return open ? rt_nicq_slow(nic, q) : NULL;
}

int nmh_nic_xmit(struct nmh_nic *nic, uint32_t q, const void *buf,
		 uint32_t len)
{
	struct rt_nicq *dq = rt_nicq_of(nic, q, 1);

	if (!dq)
		return -ENXIO;
	if (len < 14)
		return -EINVAL;
	return nic->mode == RT_NIC_XDP ? rt_xdp_xmit(dq, buf, len) :
					 rt_pkt_xmit(dq, buf, len);
}

void nmh_nic_xmit_flush(struct nmh_nic *nic, uint32_t q)
{
	struct rt_nicq *dq = rt_nicq_of(nic, q, 0);
	int err;

	if (!dq)
		return;
	err = nic->mode == RT_NIC_XDP ? rt_xdp_flush(dq) : rt_pkt_flush(dq);
	if (err) {
		struct rt_nic_local *l = rt_nic_local_find(nic);

		if (l)
			rt_nic_check_link(l, 1);
	}
}

uint32_t nmh_nic_tx_done(struct nmh_nic *nic, uint32_t q)
{
	/* (core asks for every queue when the port goes on: not an I/O) */
	struct rt_nicq *dq = rt_nicq_of(nic, q, 0);

	if (!dq)
		return 0;
	return nic->mode == RT_NIC_XDP ? rt_xdp_tx_done(dq) :
					 rt_pkt_tx_done(dq);
}

/* Frames come through the socket only, in the RX sync: always pull. */
int nmh_nic_rx_hold(struct nmh_nic *nic, uint32_t q, int host, int on)
{
	(void)nic;
	(void)q;
	(void)host;
	return on;
}

uint32_t nmh_nic_rx_pull(struct nmh_nic *nic, uint32_t q, int host,
			 struct nm_nic_rxbuf *bufs, uint32_t n)
{
	struct rt_nicq *dq;
	uint32_t got;

	if (host)
		return 0;
	dq = rt_nicq_of(nic, q, 1);
	if (!dq)
		return 0;
	got = nic->mode == RT_NIC_XDP ? rt_xdp_rx_pull(dq, bufs, n) :
					rt_pkt_rx_pull(dq, bufs, n);
	if (!got) {
		struct rt_nic_local *l = rt_nic_local_find(nic);

		/* Nothing comes: is the interface still there? */
		if (l && ++l->link_check % RT_NIC_LINK_EVERY == 0)
			rt_nic_check_link(l, 1);
	}
	return got;
}

/* No host stack without the module (nm_select_rings refuses ^ and *). */
int nmh_nic_host_send(struct nmh_nic *nic, const void *buf, uint32_t len)
{
	(void)nic;
	(void)buf;
	(void)len;
	return -EOPNOTSUPP;
}

/* NICs cannot be attached to switches here (no thread to forward). */
void nmh_nic_kick(struct nmh_nic *nic)
{
	(void)nic;
}

int nmh_nic_poll_start(struct nmh_nic *nic, uint32_t nthreads,
		       const uint32_t *cpus)
{
	(void)nic;
	(void)nthreads;
	(void)cpus;
	return -EOPNOTSUPP;
}

void nmh_nic_poll_stop(struct nmh_nic *nic)
{
	(void)nic;
}

/* ---------------------------------------------------------------- */
/* Poll                                                             */
/* ---------------------------------------------------------------- */

int rt_nic_poll_fds(struct nm_priv *priv, short events, struct pollfd *out,
		    int max, long long *max_sleep_ns)
{
	struct nm_adapter *na = priv->na;
	struct nmh_nic *nic;
	struct rt_nic_local *l;
	int n = 0, fd;
	uint32_t q;

	if (!na || na->kind != NM_KIND_NIC || !(nic = na->nic))
		return 0;
	l = rt_nic_local_find(nic);
	if (!l)
		return 0;
	if (l->nl_fd >= 0 && n < max) {
		out[n].fd = l->nl_fd;
		out[n++].events = POLLIN;
	}
	if (events & (POLLIN | POLLRDNORM)) {
		for (q = priv->qfirst[NR_RX]; q < priv->qlast[NR_RX] &&
		     q < na->num_rings[NR_RX] && n < max; q++) {
			struct rt_nicq *dq = &l->q[q];

			if (!dq->open)
				continue;
			fd = nic->mode == RT_NIC_XDP ? rt_xdp_fd(dq) :
						       rt_pkt_fd(dq, 1);
			if (fd >= 0) {
				out[n].fd = fd;
				out[n++].events = POLLIN;
			}
		}
	}
	if (events & (POLLOUT | POLLWRNORM)) {
		for (q = priv->qfirst[NR_TX]; q < priv->qlast[NR_TX] &&
		     q < na->num_rings[NR_TX]; q++) {
			struct rt_nicq *dq = &l->q[q];

			if (!dq->open ||
			    !NM_READ_ONCE(na->rings[NR_TX][q].nic_inflight))
				continue;
			/*
			 * A packet socket whose ring is full wakes us when
			 * its oldest frame completes; AF_XDP tells nobody.
			 */
			fd = nic->mode == RT_NIC_PACKET ? rt_pkt_fd(dq, 0) : -1;
			if (fd >= 0 && n < max) {
				out[n].fd = fd;
				out[n++].events = POLLOUT;
			} else {
				*max_sleep_ns = RT_NIC_TX_WAIT_NS;
			}
		}
	}
	return n;
}

void rt_nic_poll_woken(struct nm_priv *priv)
{
	struct nm_adapter *na = priv->na;
	struct rt_nic_local *l;
	uint32_t q;

	if (!na || na->kind != NM_KIND_NIC || !na->nic ||
	    !(l = rt_nic_local_find(na->nic)))
		return;
	rt_nic_check_link(l, 1);
	/* A packet socket reports a link going down once, as an error. */
	for (q = 0; q < RT_NIC_MAXQ; q++)
		if (l->q[q].open && l->q[q].pkt)
			rt_pkt_clear_error(&l->q[q]);
}
