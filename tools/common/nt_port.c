// SPDX-License-Identifier: BSD-2-Clause
/*
 * Port opening for the tools (tools.md 1.7): names, errors, kinds, the
 * backend line and system interface facts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_port.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nt_log.h"
#include "nt_opt.h"
#include "nt_run.h"
#include "nt_stats.h"

void nt_port_resolve_name(char *buf, size_t len, const char *given)
{
	if (!strncmp(given, "netmap:", 7) || !strncmp(given, "vale", 4))
		snprintf(buf, len, "%s", given);
	else
		snprintf(buf, len, "netmap:%s", given);
}

/* Does the system have an interface of this name? */
static int nic_exists(const char *ifname)
{
	char path[64 + IF_NAMESIZE];

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return access(path, F_OK) == 0;
}

/* "<tool>: cannot open <name>: <error>[ (why)]"; returns 1. */
static int open_failed(struct nt_port *p, int err)
{
	char detail[300], why[512];

	/*
	 * The backend's own detail (nm_error_detail) says why: both backends
	 * serve system interfaces, and say what is wrong with one.
	 */
	snprintf(detail, sizeof(detail), "%s", nm_error_detail());
	nt_err(p->tool, "cannot open %s: %s", p->name,
	       nt_open_reason(err, detail, why, sizeof(why)));
	return 1;
}

int nt_port_prepare(struct nt_port *p, const char *tool, const char *opt, const char *value,
		    const char *given)
{
	memset(p, 0, sizeof(*p));
	p->tool = tool;
	p->opt = opt;
	p->value = value;
	nt_port_resolve_name(p->name, sizeof(p->name), given);
	p->d = nmport_prepare(p->name);
	if (!p->d) {
		int err = errno;
		const char *msg = nmport_last_error(NULL);
		const char *detail = strstr(msg, "': ");

		if ((err == EINVAL || err == EOPNOTSUPP) && !strncmp(msg, "invalid port spec", 17))
			return nt_usage_error(tool, opt, value, "%s", detail ? detail + 3 : msg);
		return open_failed(p, err);
	}
	return 0;
}

void nt_port_apply_conf(struct nmport_d *d, const struct nt_tuple *c)
{
	uint32_t v[4] = { 0, 0, 0, 0 };

	/* x | x,y | x,y,z | x,y,z,w  (tools.md 3.2, 4.2) */
	v[0] = c->value[0];
	v[1] = c->count >= 2 ? c->value[1] : c->value[0];
	if (c->count >= 3) {
		v[2] = c->value[2];
		v[3] = c->count == 4 ? c->value[3] : c->value[2];
	}
	if (!d->reg.nr_tx_slots)
		d->reg.nr_tx_slots = v[0];
	if (!d->reg.nr_rx_slots)
		d->reg.nr_rx_slots = v[1];
	if (!d->reg.nr_tx_rings)
		d->reg.nr_tx_rings = (uint16_t)v[2];
	if (!d->reg.nr_rx_rings)
		d->reg.nr_rx_rings = (uint16_t)v[3];
}

int nt_port_try_register(struct nt_port *p)
{
	if (nmport_open_desc(p->d))
		return -errno;	/* nmport_open_desc() undid what it did */
	p->backend = nmport_backend(p->d);
	p->kind = nt_port_kind_text(p->d, p->backend, &p->is_nic, p->kind_buf,
				    sizeof(p->kind_buf));
	return 0;
}

int nt_port_open_failed(struct nt_port *p, int err)
{
	open_failed(p, err);
	nmport_undo_prepare(p->d);
	p->d = NULL;
	return 1;
}

int nt_port_register(struct nt_port *p)
{
	int err = nt_port_try_register(p);

	return err ? nt_port_open_failed(p, -err) : 0;
}

int nt_port_open(struct nt_port *p, const char *tool, const char *opt, const char *value,
		 const char *given)
{
	int st = nt_port_prepare(p, tool, opt, value, given);

	return st ? st : nt_port_register(p);
}

void nt_port_close(struct nt_port *p)
{
	if (p->d)
		nmport_close(p->d);
	p->d = NULL;
}

void nt_port_report(const struct nt_port *p)
{
	nt_diag_named("open_port", "port %s: %s backend, %s", p->name, p->backend, p->kind);
}

int nt_poll_ports(struct pollfd *pfd, unsigned n, int timeout_ms)
{
	unsigned i;

	for (i = 0; i < n; i++)
		pfd[i].revents = 0;
	if (nm_poll(pfd, n, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	for (i = 0; i < n; i++)
		if (pfd[i].revents & (POLLERR | POLLNVAL))
			return -EIO;
	return 0;
}

void nt_tx_arm(struct nmport_d *d)
{
	unsigned i;

	for (i = d->first_tx_ring; i <= d->last_tx_ring && d->first_tx_ring <= d->last_tx_ring;
	     i++) {
		struct netmap_ring *ring = NETMAP_TXRING(d->nifp, i);

		ring->cur = ring->tail;
	}
}

int nt_tx_pending(const struct nmport_d *d)
{
	unsigned i;

	for (i = d->first_tx_ring; i <= d->last_tx_ring && d->first_tx_ring <= d->last_tx_ring;
	     i++)
		if (nm_tx_pending(NETMAP_TXRING(d->nifp, i)))
			return 1;
	return 0;
}

/*
 * Add to *u the packets whose last slot is in [s, end) of ring; len is
 * the bytes of a packet begun before s.  Returns the bytes of a packet
 * begun and not ended before end.  wire_bytes is summed only with wire.
 */
static inline uint64_t count_slots(const struct netmap_ring *ring, uint32_t s, uint32_t end,
				   uint32_t hdr_len, uint64_t len, int wire, struct nt_tx_sum *u)
{
	const struct netmap_slot *slot = ring->slot;
	uint32_t n = ring->num_slots, left = n;
	uint64_t pkts = 0, bytes = 0, wire_bytes = 0;

	for (; s != end && left; left--) {
		len += slot[s].len;
		if (!(slot[s].flags & NS_MOREFRAG)) {
			len = len > hdr_len ? len - hdr_len : 0;
			pkts++;
			bytes += len;
			if (wire)
				wire_bytes += nt_wire_bytes(len);
			len = 0;
		}
		s = s + 1 == n ? 0 : s + 1;
	}
	u->pkts += pkts;
	u->bytes += bytes;
	u->wire_bytes += wire_bytes;
	return len;
}

void nt_tx_taken_start(struct nt_tx_taken *tk, const struct netmap_ring *ring)
{
	memset(tk, 0, sizeof(*tk));
	tk->next = ring->head;
}

void nt_tx_placed(struct nt_tx_taken *tk, const struct netmap_ring *ring, uint32_t pkts,
		  uint64_t bytes)
{
	struct nt_tx_batch *b;

	if (!pkts)
		return;
	if (tk->count == NT_TX_BATCHES) {
		/* many small batches in flight: the newest grows */
		b = &tk->batch[(tk->first + tk->count - 1) % NT_TX_BATCHES];
	} else {
		b = &tk->batch[(tk->first + tk->count++) % NT_TX_BATCHES];
		b->pkts = 0;
		b->bytes = 0;
	}
	b->end = ring->head;
	b->pkts += pkts;
	b->bytes += bytes;
}

/* Slots from a to b on a ring of n. */
static inline uint32_t ring_dist(uint32_t a, uint32_t b, uint32_t n)
{
	return b >= a ? b - a : b + n - a;
}

void nt_tx_count_taken(struct nt_tx_taken *tk, const struct netmap_ring *ring, uint32_t hdr_len,
		       struct nt_counters *c, unsigned ring_id)
{
	/* taken: the slots up to the one the kernel keeps, tail included */
	uint32_t n = ring->num_slots, end = nm_ring_next(ring, ring->tail);
	uint64_t pkts = 0, bytes = 0;

	if (end >= n)
		return;
	while (tk->count && end != tk->next) {
		struct nt_tx_batch *b = &tk->batch[tk->first];
		uint32_t upto = ring_dist(tk->next, end, n), len = ring_dist(tk->next, b->end, n);
		struct nt_tx_sum side = { 0, 0, 0 };
		uint64_t p, y;

		if (upto >= len) {
			/* the whole (rest of the) batch */
			pkts += b->pkts > tk->part_pkts ? b->pkts - tk->part_pkts : 0;
			bytes += b->bytes > tk->part_bytes ? b->bytes - tk->part_bytes : 0;
			tk->part_pkts = tk->part_bytes = 0;
			tk->next = b->end;
			tk->first = (tk->first + 1) % NT_TX_BATCHES;
			tk->count--;
			continue;
		}
		/* part of it: read the shorter side, taken or still in flight */
		if (upto <= len - upto) {
			count_slots(ring, tk->next, end, hdr_len, 0, 0, &side);
			/*
			 * Taken slots are no longer the sender's: a zero-copy
			 * monitor swaps their buffers and lengths.  Never count
			 * more than the batch holds, so that its total stays
			 * what was placed whatever they read now.
			 */
			p = side.pkts < b->pkts - tk->part_pkts ? side.pkts :
			    b->pkts - tk->part_pkts;
			y = side.bytes < b->bytes - tk->part_bytes ? side.bytes :
			    b->bytes - tk->part_bytes;
		} else {
			count_slots(ring, end, b->end, hdr_len, 0, 0, &side);
			p = b->pkts - tk->part_pkts;
			p = p > side.pkts ? p - side.pkts : 0;
			y = b->bytes - tk->part_bytes;
			y = y > side.bytes ? y - side.bytes : 0;
		}
		pkts += p;
		bytes += y;
		tk->part_pkts += p;
		tk->part_bytes += y;
		tk->next = end;
	}
	if (!pkts && !bytes)
		return;
	nt_counter_bump(&c->pkts, pkts);
	nt_counter_bump(&c->bytes, bytes);
	nt_counters_add_ring(c, ring_id, pkts, bytes);
}

void nt_tx_ring_unsent(const struct netmap_ring *ring, uint32_t hdr_len, struct nt_tx_sum *u)
{
	/* in flight: the slots after the one the kernel keeps, up to head */
	uint32_t s = nm_ring_next(ring, ring->tail);

	if (s < ring->num_slots && ring->head < ring->num_slots)
		count_slots(ring, s, ring->head, hdr_len, 0, 1, u);
}

void nt_tx_unsent(const struct nmport_d *d, uint32_t hdr_len, struct nt_tx_sum *u)
{
	unsigned i;

	for (i = d->first_tx_ring; i <= d->last_tx_ring && d->first_tx_ring <= d->last_tx_ring;
	     i++)
		nt_tx_ring_unsent(NETMAP_TXRING(d->nifp, i), hdr_len, u);
}

void nt_warn_unsent(const struct nt_tx_sum *u, const char *tool, const char *port)
{
	if (u->pkts)
		nt_warn(tool, "%llu packets placed on %s were never taken by the port "
			"(nothing read them); they are not counted as sent",
			(unsigned long long)u->pkts, port);
}

int nt_tx_drain(struct nmport_d *const *ports, unsigned n, int busy, uint64_t bound_ns,
		const char **call)
{
	struct pollfd pfd[64];
	uint64_t start = nt_now_ns();
	unsigned i;
	int err;

	if (n > sizeof(pfd) / sizeof(pfd[0]))
		n = sizeof(pfd) / sizeof(pfd[0]);
	for (;;) {
		uint64_t now, from;
		int pending = 0;

		for (i = 0; i < n; i++) {
			err = nmport_txsync(ports[i]);
			if (err) {
				*call = "txsync";
				return err;
			}
			pending |= nt_tx_pending(ports[i]);
		}
		if (!pending)
			return 0;
		now = nt_now_ns();
		if (bound_ns && now - start > bound_ns)
			return 0;
		if (nt_stopping()) {
			from = nt_stop_requested_ns();
			if (from < start)
				from = start;
			if (now > from && now - from > NT_DRAIN_GRACE_NS)
				return 0;
		}
		if (busy)
			continue;
		for (i = 0; i < n; i++) {
			nt_tx_arm(ports[i]);
			pfd[i].fd = ports[i]->fd;
			pfd[i].events = POLLOUT;
		}
		err = nt_poll_ports(pfd, n, 10);
		if (err) {
			*call = "poll";
			return err;
		}
	}
}

/* ================================================================ kinds */

/* Drivers with a native netmap adapter; the others get the emulated one. */
static const char *const native_drivers[] = {
	"e1000", "e1000e", "igb", "ixgbe", "ixgbevf", "i40e", "ice",
	"virtio_net", "r8169", "forcedeth", "vmxnet3", "mlx5_core", NULL
};

static const char *nic_kind(const char *ifname)
{
	char path[256], link[256];
	ssize_t n;
	FILE *f;

	/* admode 2 forces the emulated adapter; else native drivers are known */
	f = fopen("/sys/module/netmap/parameters/admode", "r");
	if (f) {
		int mode = 0;

		if (fscanf(f, "%d", &mode) != 1)
			mode = 0;
		fclose(f);
		if (mode == 2)
			return "system interface, emulated adapter";
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", ifname);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		const char *drv;
		unsigned i;

		link[n] = '\0';
		drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		for (i = 0; native_drivers[i]; i++)
			if (!strcmp(drv, native_drivers[i]))
				return "system interface, native adapter";
	} else if (nic_exists(ifname) && !strncmp(ifname, "veth", 4)) {
		return "system interface, native adapter";
	}
	return "system interface, emulated adapter";
}

const char *nt_port_kind_text(struct nmport_d *d, const char *backend, int *is_nic,
			      char *buf, size_t len)
{
	char how[160];
	const char *kind = nmport_kind(d);
	const char *name = d->hdr.nr_name;

	*is_nic = 0;
	if (!strcmp(kind, "VALE ephemeral port")) {
		const char *colon = strchr(name, ':');

		/* a persistent VALE port is a network interface of its own */
		if (colon && !strcmp(backend, "kernel") && nic_exists(colon + 1))
			return "VALE persistent port";
		return kind;
	}
	if (strcmp(kind, "system interface"))
		return kind;
	*is_nic = 1;
	/* This project's backends say what serves the port (PORT_INFO_GET). */
	if (nmport_adapter(d, how, sizeof(how)) == 1) {
		snprintf(buf, len, "system interface, %s", how);
		return buf;
	}
	return nic_kind(name);
}

int nt_nic_info(const char *ifname, uint8_t mac[6], unsigned *mtu)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", (int)sizeof(ifr.ifr_name) - 1,
		 ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		ret = 0;
	}
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0)
		*mtu = (unsigned)ifr.ifr_mtu;
	close(s);
	return ret;
}
