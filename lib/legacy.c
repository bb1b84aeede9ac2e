// SPDX-License-Identifier: BSD-2-Clause
/*
 * The legacy pcap-like library of net/netmap_user.h (spec 14.4):
 * nm_open() with its own port name grammar and the NIOCREGIF request,
 * nm_mmap(), nm_close(), nm_inject(), nm_dispatch() and nm_nextpkt().
 *
 * Upstream compiles these into applications as inline functions that
 * talk to /dev/netmap; here they live in the library and go through the
 * backend layer, so they also work with the user runtime.  Failures are
 * reported, like everything else in libnetmap, through the default
 * context (nmctx_get()), prefixed with "nm_open: ".
 */
#define NETMAP_WITH_LIBS
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnetmap.h"
#include "libnetmap_private.h"
#include "backend.h"

/* ------------------------------------------------------------------ */
/* The nm_open() name grammar                                          */
/* ------------------------------------------------------------------ */

/* Characters that end the kernel name in an nm_open() name. */
#define NM_LEGACY_SEPARATORS "-*^{}/@"

static int nm_legacy_isident(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static int nm_legacy_error(const char *ifname, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Where nm_parse() wants the message (MAXERRMSG bytes), else NULL. */
static __thread char *nm_legacy_errbuf;

/* One message for a malformed name; errno EINVAL; returns -1. */
static int nm_legacy_error(const char *ifname, const char *fmt, ...)
{
	char what[NMCTX_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nm_legacy_errbuf) {
		char msg[2 * NMCTX_MSG_MAX];

		/* cut to what the caller's buffer holds */
		snprintf(msg, sizeof(msg), "invalid port name '%s': %s",
			 ifname, what);
		memcpy(nm_legacy_errbuf, msg, MAXERRMSG - 1);
		nm_legacy_errbuf[MAXERRMSG - 1] = '\0';
	} else
		nmctx_ferror(nmctx_get(),
			     "nm_open: invalid port name '%s': %s", ifname,
			     what);
	errno = EINVAL;
	return -1;
}

/* A decimal ring or pipe number in [0, 4095) at *pp. */
static int nm_legacy_number(const char *ifname, const char **pp, char after,
			    uint16_t *val)
{
	const char *p = *pp;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return nm_legacy_error(ifname, "missing number after '%c'", after);
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= NETMAP_RING_MASK)
			return nm_legacy_error(ifname, "number after '%c' out "
					       "of range; expected at most %d",
					       after, NETMAP_RING_MASK - 1);
	}
	*val = (uint16_t)v;
	*pp = p;
	return 0;
}

/*
 * Fill nr_name, nr_ringid, the mode and flags in nr_flags and (for "@N")
 * nr_arg2 of req from ifname, which starts with "netmap:" or "vale".
 */
static int nm_legacy_parse(const char *ifname, struct nmreq *req)
{
	enum { P_START, P_RNGSFXOK, P_GETNUM, P_FLAGS, P_MEMID } state;
	const char *name, *port, *p;
	uint32_t flags = 0, mode = NR_REG_ALL_NIC;
	uint16_t ringid = 0;
	char numch = 0;
	size_t len;

	if (strncmp(ifname, "netmap:", 7) == 0) {
		name = port = ifname + 7;
	} else {
		/* "vale" [ident] ":" ident: the prefix stays in the name */
		name = ifname;
		for (p = ifname + 4; *p != ':'; p++) {
			if (*p == '\0')
				return nm_legacy_error(ifname, "missing ':' "
						       "after the switch name");
			if (!nm_legacy_isident(*p))
				return nm_legacy_error(ifname, "invalid "
					"character '%c' in the switch name", *p);
		}
		port = p + 1;
		for (p = port; *p && !strchr(NM_LEGACY_SEPARATORS, *p); p++)
			if (!nm_legacy_isident(*p))
				return nm_legacy_error(ifname, "invalid "
					"character '%c' in the port name; "
					"expected letters, digits or '_'", *p);
		if (p == port)
			return nm_legacy_error(ifname, "empty port name after "
					       "the switch name");
	}
	p = port + strcspn(port, NM_LEGACY_SEPARATORS);
	len = (size_t)(p - name);
	if (nm_name_control_char(name, len))
		return nm_legacy_error(ifname, "control character '%c' in the "
				       "name; names are printable",
				       *nm_name_control_char(name, len));
	if (len >= IFNAMSIZ)
		return nm_legacy_error(ifname, "name is %zu characters long; "
				       "at most %d allowed", len, IFNAMSIZ - 1);

	for (state = P_START; *p != '\0';) {
		switch (state) {
		case P_START:
			switch (*p) {
			case '^':
				mode = NR_REG_SW;
				state = P_RNGSFXOK;
				break;
			case '*':
				mode = NR_REG_NIC_SW;
				state = P_RNGSFXOK;
				break;
			case '-':
				mode = NR_REG_ONE_NIC;
				state = P_GETNUM;
				break;
			case '{':
				mode = NR_REG_PIPE_MASTER;
				state = P_GETNUM;
				break;
			case '}':
				mode = NR_REG_PIPE_SLAVE;
				state = P_GETNUM;
				break;
			case '/':
				state = P_FLAGS;
				break;
			case '@':
				state = P_MEMID;
				break;
			}
			numch = *p++;
			break;
		case P_GETNUM:
			if (nm_legacy_number(ifname, &p, numch, &ringid))
				return -1;
			state = P_RNGSFXOK;
			break;
		case P_RNGSFXOK:
			if (*p == '/')
				state = P_FLAGS;
			else if (*p == '@')
				state = P_MEMID;
			else
				return nm_legacy_error(ifname, "unexpected "
					"'%c' after the ring suffix; expected "
					"'/' or '@'", *p);
			p++;
			break;
		case P_FLAGS:
			if (*p == '@') {
				state = P_MEMID;
			} else if (nmreq_flag_of(*p)) {
				flags |= nmreq_flag_of(*p);
			} else {
				return nm_legacy_error(ifname, "unknown flag "
					"'%c'; expected one of "
					NM_SPEC_FLAG_LETTERS, *p);
			}
			p++;
			break;
		case P_MEMID: {
			unsigned long id = 0;

			if (*p < '0' || *p > '9')
				return nm_legacy_error(ifname, "missing memory "
						       "id after '@'");
			for (; *p >= '0' && *p <= '9'; p++)
				if ((id = id * 10 + (unsigned long)(*p - '0')) > UINT16_MAX)
					break;
			if (id == 0 || id > UINT16_MAX)
				return nm_legacy_error(ifname, "invalid memory "
					"id; expected a number from 1 to 65535");
			if (*p != '\0')
				return nm_legacy_error(ifname, "unexpected "
					"'%c' after the memory id", *p);
			req->nr_arg2 = (uint16_t)id;
			break;
		}
		}
	}
	/* a suffix that stops right after '-', '{', '}' or '@' */
	if (state == P_GETNUM)
		return nm_legacy_error(ifname, "missing number after '%c'", numch);
	if (state == P_MEMID && p[-1] == '@')
		return nm_legacy_error(ifname, "missing memory id after '@'");

	memset(req->nr_name, 0, sizeof(req->nr_name));
	memcpy(req->nr_name, name, len);
	req->nr_ringid = ringid;
	/* the name decides the mode; flags the caller put in req stay */
	req->nr_flags = (req->nr_flags & ~(uint32_t)NR_REG_MASK) | mode | flags;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Open, map, close                                                    */
/* ------------------------------------------------------------------ */

/* The bound ring range, from the caller's mode and the returned counts. */
int nm_parse(const char *ifname, struct nm_desc *d, char *err)
{
	char buf[MAXERRMSG];
	int r;

	if (ifname == NULL || d == NULL) {
		if (err)
			snprintf(err, MAXERRMSG, "no port name or descriptor");
		errno = EINVAL;
		return -1;
	}
	if (strncmp(ifname, "netmap:", 7) && strncmp(ifname, NM_BDG_NAME, 4)) {
		if (err)
			snprintf(err, MAXERRMSG, "invalid port name '%s': "
				 "expected netmap:... or vale...", ifname);
		errno = EINVAL;
		return -1;
	}
	nm_legacy_errbuf = err ? err : buf;
	r = nm_legacy_parse(ifname, &d->req);
	nm_legacy_errbuf = NULL;
	return r;
}

static void nm_legacy_ring_range(struct nm_desc *d)
{
	const struct nmreq *req = &d->req;
	uint16_t ring = req->nr_ringid & NETMAP_RING_MASK;

	switch (req->nr_flags & NR_REG_MASK) {
	case NR_REG_SW:
		d->first_tx_ring = d->last_tx_ring = req->nr_tx_rings;
		d->first_rx_ring = d->last_rx_ring = req->nr_rx_rings;
		break;
	case NR_REG_ALL_NIC:
		d->first_tx_ring = 0;
		d->first_rx_ring = 0;
		d->last_tx_ring = (uint16_t)(req->nr_tx_rings - 1);
		d->last_rx_ring = (uint16_t)(req->nr_rx_rings - 1);
		break;
	case NR_REG_NIC_SW:
		d->first_tx_ring = 0;
		d->first_rx_ring = 0;
		d->last_tx_ring = req->nr_tx_rings;
		d->last_rx_ring = req->nr_rx_rings;
		break;
	case NR_REG_ONE_NIC:
		d->first_tx_ring = d->last_tx_ring = ring;
		d->first_rx_ring = d->last_rx_ring = ring;
		break;
	default:	/* pipes, monitors, ...: ring 0 */
		d->first_tx_ring = d->last_tx_ring = 0;
		d->first_rx_ring = d->last_rx_ring = 0;
		break;
	}
	d->cur_tx_ring = d->first_tx_ring;
	d->cur_rx_ring = d->first_rx_ring;
}

int nm_mmap(struct nm_desc *d, const struct nm_desc *parent)
{
	const struct netmap_ring *some_ring = NULL;
	struct netmap_if *nifp;
	unsigned int i, n;

	if (!IS_NETMAP_DESC(d) || d->mem != NULL) {
		errno = EINVAL;
		return -1;
	}
	if (IS_NETMAP_DESC(parent) && parent->mem != NULL &&
	    parent->req.nr_arg2 == d->req.nr_arg2 &&
	    nmb_kind_of(parent->fd) == nmb_kind_of(d->fd)) {
		/* same region: borrow the parent's mapping */
		d->mem = parent->mem;
		d->memsize = parent->memsize;
		d->done_mmap = 0;
	} else {
		int err = 0;

		d->memsize = d->req.nr_memsize;
		d->mem = nmb_mmap(d->fd, (size_t)d->memsize, &err);
		if (d->mem == NULL) {
			err = err ? -err : EINVAL;
			nmctx_ferror(nmctx_get(), "nm_open: cannot map the memory "
				     "region of %s: %s", d->req.nr_name,
				     strerror(err));
			errno = err;
			return -1;
		}
		d->done_mmap = 1;
	}
	nifp = NETMAP_IF(d->mem, d->req.nr_offset);
	d->nifp = nifp;
	/* any bound ring gives the position of the buffer pool */
	n = nifp->ni_tx_rings + nifp->ni_host_tx_rings + nifp->ni_rx_rings +
	    nifp->ni_host_rx_rings;
	for (i = 0; i < n && some_ring == NULL; i++)
		if (nifp->ring_ofs[i])
			some_ring = (const struct netmap_ring *)
				((const char *)nifp + nifp->ring_ofs[i]);
	d->some_ring = some_ring;
	d->buf_start = some_ring ? NETMAP_BUF(some_ring, 0) : NULL;
	d->buf_end = (const char *)d->mem + d->memsize;
	return 0;
}

int nm_close(struct nm_desc *d)
{
	if (!IS_NETMAP_DESC(d)) {
		errno = EINVAL;
		return -1;
	}
	if (d->done_mmap && d->mem)
		nmb_munmap(d->fd, d->mem, (size_t)d->memsize);
	if (d->fd >= 0)
		nmb_close(d->fd);
	memset(d, 0, sizeof(*d));
	free(d);
	return 0;
}

struct nm_desc *nm_open(const char *ifname, const struct nmreq *req,
			uint64_t new_flags, const struct nm_desc *arg)
{
	const struct nm_desc *parent = IS_NETMAP_DESC(arg) ? arg : NULL;
	struct nm_desc *d;
	int fd, ret, err;

	/* not a netmap name: let the caller try something else */
	if (ifname == NULL || (strncmp(ifname, "netmap:", 7) != 0 &&
			       strncmp(ifname, NM_BDG_NAME, 4) != 0)) {
		errno = 0;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		nmctx_ferror(nmctx_get(), "nm_open: cannot open %s: out of "
			     "memory", ifname);
		errno = ENOMEM;
		return NULL;
	}
	d->self = d;
	d->fd = -1;
	if (req)
		d->req = *req;

	if (parent && (new_flags & NM_OPEN_IFNAME)) {
		memcpy(d->req.nr_name, parent->req.nr_name,
		       sizeof(d->req.nr_name));
		d->req.nr_ringid = parent->req.nr_ringid;
		d->req.nr_flags = parent->req.nr_flags;
	} else if (nm_legacy_parse(ifname, &d->req)) {
		goto fail;
	}
	if (parent && new_flags) {
		d->req.nr_arg1 = (new_flags & NM_OPEN_ARG1) ?
				 parent->req.nr_arg1 : 4;
		if (new_flags & NM_OPEN_ARG2)
			d->req.nr_arg2 = parent->req.nr_arg2;
		d->req.nr_arg3 = (new_flags & NM_OPEN_ARG3) ?
				 parent->req.nr_arg3 : 0;
		if (new_flags & NM_OPEN_RING_CFG) {
			d->req.nr_tx_slots = parent->req.nr_tx_slots;
			d->req.nr_rx_slots = parent->req.nr_rx_slots;
			d->req.nr_tx_rings = parent->req.nr_tx_rings;
			d->req.nr_rx_rings = parent->req.nr_rx_rings;
		}
	}
	d->req.nr_version = NETMAP_API;
	d->req.nr_ringid &= NETMAP_RING_MASK;
	d->req.nr_ringid |= (uint16_t)(new_flags &
				       (NETMAP_NO_TX_POLL | NETMAP_DO_RX_POLL));

	fd = nmb_open();
	if (fd < 0) {
		nmctx_ferror(nmctx_get(), "nm_open: cannot open %s: cannot open "
			     "a netmap control descriptor: %s", ifname,
			     strerror(-fd));
		errno = -fd;
		goto fail;
	}
	d->fd = fd;
	ret = nmb_ioctl(fd, NIOCREGIF, &d->req);
	if (ret < 0) {
		nmctx_ferror(nmctx_get(), "nm_open: cannot register %s: %s",
			     d->req.nr_name, strerror(-ret));
		errno = -ret;
		goto fail;
	}
	nm_legacy_ring_range(d);

	/*
	 * NM_OPEN_NO_MMAP without a parent leaves the mapping to a later
	 * nm_mmap() call by the application.
	 */
	if ((!(new_flags & NM_OPEN_NO_MMAP) || parent) && nm_mmap(d, parent))
		goto fail;
	return d;

fail:
	err = errno;
	nm_close(d);
	errno = err;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Packet I/O                                                          */
/* ------------------------------------------------------------------ */

int nm_inject(struct nm_desc *d, const void *buf, size_t size)
{
	return nm_inject_rings(d->nifp, d->first_tx_ring, d->last_tx_ring,
			       &d->cur_tx_ring, buf, size);
}

/*
 * Fill d->hdr with the packet at ring->cur (all its fragments, up to the
 * tail) and release its slots.
 */
static void nm_take_packet(struct nm_desc *d, struct netmap_ring *ring)
{
	uint32_t i = ring->cur;
	struct netmap_slot *slot = &ring->slot[i];
	uint32_t len = slot->len;

	d->hdr.ts = ring->ts;
	d->hdr.slot = slot;
	d->hdr.buf = (uint8_t *)NETMAP_BUF(ring, slot->buf_idx);
	d->hdr.caplen = slot->len;
	while ((ring->slot[i].flags & NS_MOREFRAG) &&
	       nm_ring_next(ring, i) != ring->tail) {
		i = nm_ring_next(ring, i);
		len += ring->slot[i].len;
	}
	d->hdr.len = len;
	ring->head = ring->cur = nm_ring_next(ring, i);
}

int nm_dispatch(struct nm_desc *d, int cnt, nm_cb_t cb, unsigned char *arg)
{
	int n = (int)d->last_rx_ring - (int)d->first_rx_ring + 1;
	unsigned int start = d->cur_rx_ring, ri = start;
	int c, got = 0, pending = 0;

	if (cnt == 0)
		cnt = -1;
	if (start < d->first_rx_ring || start > d->last_rx_ring)
		start = ri = d->first_rx_ring;
	d->hdr.d = d;
	/*
	 * Each callback is made once the next packet is known to exist, so
	 * that the last one of the call can go without NM_MORE_PKTS.
	 */
	for (c = 0; c < n && got != cnt; c++) {
		struct netmap_ring *ring;

		/* cur_rx_ring ends on the last ring looked at */
		ri = d->first_rx_ring + (start - d->first_rx_ring + c) % n;
		ring = NETMAP_RXRING(d->nifp, ri);
		while (!nm_ring_empty(ring) && got != cnt) {
			if (pending) {
				d->hdr.flags = NM_MORE_PKTS;
				cb(arg, &d->hdr, d->hdr.buf);
			}
			nm_take_packet(d, ring);
			pending = 1;
			got++;
		}
	}
	d->cur_rx_ring = (uint16_t)ri;
	if (pending) {
		d->hdr.flags = 0;
		cb(arg, &d->hdr, d->hdr.buf);
	}
	return got;
}

unsigned char *nm_nextpkt(struct nm_desc *d, struct nm_pkthdr *hdr)
{
	int n = (int)d->last_rx_ring - (int)d->first_rx_ring + 1;
	unsigned int ri = d->cur_rx_ring;
	int c;

	if (ri < d->first_rx_ring || ri > d->last_rx_ring)
		ri = d->first_rx_ring;
	for (c = 0; c < n; c++) {
		struct netmap_ring *ring = NETMAP_RXRING(d->nifp, ri);

		if (!nm_ring_empty(ring)) {
			uint32_t i = ring->cur;
			struct netmap_slot *slot = &ring->slot[i];
			unsigned char *buf =
				(unsigned char *)NETMAP_BUF(ring, slot->buf_idx);

			hdr->ts = ring->ts;
			hdr->len = hdr->caplen = slot->len;
			hdr->flags = 0;
			hdr->d = d;
			hdr->slot = slot;
			hdr->buf = buf;
			ring->head = ring->cur = nm_ring_next(ring, i);
			d->cur_rx_ring = (uint16_t)ri;
			return buf;
		}
		ri = ri == d->last_rx_ring ? d->first_rx_ring : ri + 1;
	}
	return NULL;
}
