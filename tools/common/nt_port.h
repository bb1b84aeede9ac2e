/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening the tools' ports (tools.md 1.7, 1.8): the netmap: prefix rule,
 * the open with its one-line errors (a syntax error is a usage error
 * naming the option), the -C geometry, what kind of port it is and which
 * backend serves it, the backend line, a system interface's MAC and MTU,
 * and the link-wait default.
 *
 *	struct nt_port p;
 *	int st = nt_port_prepare(&p, "bridge", "-i", argv_value, name);
 *	if (!st) { p.d->reg.nr_extra_bufs = 64; st = nt_port_register(&p); }
 *	if (st) return st;		// 2: usage error, 1: cannot open (printed)
 *	nt_port_report(&p);		// "port vale0:a: user backend, VALE ephemeral port"
 */
#ifndef NT_PORT_H
#define NT_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <libnetmap.h>

#include "nt_parse.h"

#define NT_PORT_NAME_MAX	(NETMAP_REQ_IFNAMSIZ + 16)

struct nt_port {
	char name[NT_PORT_NAME_MAX];	/* as opened: netmap: prepended when needed */
	struct nmport_d *d;		/* prepared, then registered */
	const char *tool;		/* for error lines */
	const char *opt, *value;	/* the option that named it, as typed (usage errors) */
	const char *backend;		/* "kernel" or "user", once registered */
	const char *kind;		/* the words of 1.7 / 3.7, once registered */
	char kind_buf[192];		/* kind, when made for this port */
	int is_nic;			/* a system interface */
};

/* The name to open: netmap: is prepended unless it starts with netmap: or vale (1.7). */
void nt_port_resolve_name(char *buf, size_t len, const char *given);

/*
 * Parse the port name (nothing is opened).  opt and value name the option
 * as typed, for a usage error; given is the name as typed.  Returns 0,
 * 2 after a usage error line (bad port syntax), or 1 after "<tool>:
 * cannot open <name>: <error>".
 */
int nt_port_prepare(struct nt_port *p, const char *tool, const char *opt, const char *value,
		    const char *given);

/* -C x[,y[,z[,w]]]: slot and ring counts for ports this open creates; @conf wins. */
void nt_port_apply_conf(struct nmport_d *d, const struct nt_tuple *conf);

/*
 * Register the prepared port; fills backend, kind and is_nic.  Returns 0,
 * or 1 after "<tool>: cannot open <name>: <error>" (the port is then
 * released: p->d is NULL).
 */
int nt_port_register(struct nt_port *p);

/*
 * Register the prepared port without printing anything: 0 (backend, kind
 * and is_nic filled), or -errno with the port still prepared, so that the
 * caller may change the request and try again, or give up with
 * nt_port_open_failed().
 */
int nt_port_try_register(struct nt_port *p);

/*
 * "<tool>: cannot open <name>: <error for err>" and the prepared port
 * released (p->d is NULL).  Returns 1.
 */
int nt_port_open_failed(struct nt_port *p, int err);

/* nt_port_prepare() then nt_port_register(). */
int nt_port_open(struct nt_port *p, const char *tool, const char *opt, const char *value,
		 const char *given);

void nt_port_close(struct nt_port *p);

/*
 * The diagnostic line of 1.7 on stderr:
 * "port <name>: <backend> backend, <kind>".
 */
void nt_port_report(const struct nt_port *p);

/*
 * What a registered port is, in the words of 1.7 and 3.7: "VALE ephemeral
 * port", "VALE persistent port", "pipe master", "pipe slave", "null port",
 * "monitor", "system interface, native adapter" or "system interface,
 * emulated adapter" (on the user runtime followed by what serves it:
 * " over AF_XDP (...)" or " over AF_PACKET (...)", written into buf of
 * len bytes).  *is_nic is set for system interfaces.
 */
const char *nt_port_kind_text(struct nmport_d *d, const char *backend, int *is_nic,
			      char *buf, size_t len);

/* Do two registered ports share a memory region (can they swap buffers)? */
static inline int nt_port_same_region(const struct nt_port *a, const struct nt_port *b)
{
	return a->d && b->d && a->d->mem && a->d->mem == b->d->mem;
}

/*
 * poll() the descriptors of ports (nm_poll(): both backends).  Returns 0
 * (an interrupted poll included), -EIO when a port reported POLLERR or
 * POLLNVAL, or -errno when poll() failed.
 */
struct pollfd;
int nt_poll_ports(struct pollfd *pfd, unsigned n, int timeout_ms);

/*
 * Ask to be woken (POLLOUT) only when transmissions complete: every bound
 * TX ring's cur moves to its tail.
 */
void nt_tx_arm(struct nmport_d *d);

/* Does a bound TX ring of the port still hold slots not yet completed? */
int nt_tx_pending(const struct nmport_d *d);

/*
 * A sender counts the packets the port took from its TX rings, not those
 * it placed (tools.md 2.3): placed minus still in flight, so its periodic
 * lines, JSON intervals and summary count the same packets, and what is
 * left on a ring when the run ends (a pipe nobody reads) is counted in
 * none of them.
 */
struct nt_tx_sum {
	uint64_t pkts, bytes;
	uint64_t wire_bytes;		/* the packets' nt_wire_bytes(), for -B */
};

#define NT_TX_BATCHES	32		/* batches in flight kept apart (more are merged) */

/*
 * One TX ring's account: the batches placed and not yet wholly taken, so
 * that what the port took is known by batch, without reading its slots.
 */
struct nt_tx_taken {
	uint32_t next;			/* the first slot placed and not yet counted */
	uint32_t first, count;		/* the batches in flight, oldest first */
	uint64_t part_pkts, part_bytes;	/* of the oldest, counted already */
	struct nt_tx_batch {
		uint32_t end;		/* the slot after its last */
		uint32_t pkts;
		uint64_t bytes;
	} batch[NT_TX_BATCHES];
};

/* Before the sender places its first packet on ring. */
void nt_tx_taken_start(struct nt_tx_taken *tk, const struct netmap_ring *ring);

/* After placing pkts packets of bytes frame bytes on ring (head moved past them). */
void nt_tx_placed(struct nt_tx_taken *tk, const struct netmap_ring *ring, uint32_t pkts,
		  uint64_t bytes);

/*
 * In the thread that places on ring, before each batch it places there
 * (which may reuse the slots the port took: their packets must be counted
 * first) and once after its last sync: add to c's packets and bytes (and
 * to ring ring_id's, unless ring_id is NT_STATS_RINGS_MAX or more) what
 * the port took since the last call, the slots up to the one the kernel
 * keeps (tail).  Batches the port took whole are counted from their
 * totals; only a batch the port took in part has its shorter side's slots
 * read (a packet counted at its last slot, hdr_len bytes of each packet,
 * pkt-gen -H's virtio-net header, not counted), so nothing is done per
 * packet when ports take whole batches, as VALE ports and pipes read by
 * pkt-gen do.
 */
struct nt_counters;
void nt_tx_count_taken(struct nt_tx_taken *tk, const struct netmap_ring *ring, uint32_t hdr_len,
		       struct nt_counters *c, unsigned ring_id);

/*
 * Add to *u what is still in flight on one TX ring (placed, not taken:
 * after a drain gave up), packets and hdr_len as for nt_tx_count_taken().
 */
void nt_tx_ring_unsent(const struct netmap_ring *ring, uint32_t hdr_len, struct nt_tx_sum *u);

/* Add to *u what is in flight on the port's bound TX rings. */
void nt_tx_unsent(const struct nmport_d *d, uint32_t hdr_len, struct nt_tx_sum *u);

/*
 * When u holds packets: one warning line naming how many packets placed
 * on port the port never took, which the sender did not count.
 */
void nt_warn_unsent(const struct nt_tx_sum *u, const char *tool, const char *port);

#define NT_DRAIN_GRACE_NS	NT_SEC(2)	/* after a stop: longest wait for completions */

/*
 * Wait until every slot placed on the ports' TX rings has completed
 * (tools.md 3.3).  A pipe completes only when its peer reads, so the wait
 * is bounded: by bound_ns if non-zero, and once a stop is requested by
 * NT_DRAIN_GRACE_NS from the request.  Returns 0, or -errno with *call
 * naming what failed ("txsync" or "poll"; -EIO: a port reported an error).
 */
int nt_tx_drain(struct nmport_d *const *ports, unsigned n, int busy, uint64_t bound_ns,
		const char **call);

/* A system interface's MAC address and MTU; 0, or -1 (mtu untouched on failure). */
int nt_nic_info(const char *ifname, uint8_t mac[6], unsigned *mtu);

/*
 * The link wait of 1.8: an explicit -w wins; otherwise 2 seconds when a
 * system interface is involved, else 0.
 */
static inline uint64_t nt_link_wait_ns(unsigned wait_given, uint64_t wait_ns, int any_nic)
{
	if (wait_given)
		return wait_ns;
	return any_nic ? NT_SEC(2) : 0;
}

#endif /* NT_PORT_H */
