/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to core/ and its hosts: the objects behind netmap's semantics.
 *
 * Regions (struct nm_mem) hold the rings and buffers user space maps;
 * adapters (struct nm_adapter) are ports, each with krings (the kernel's
 * private state of a ring); a binding (struct nm_priv) is what one
 * /dev/netmap descriptor registered.  All of them live in memory reachable
 * from every context running the core (see host.h), so they hold plain
 * pointers.
 */
#ifndef NM_CORE_H
#define NM_CORE_H

/* The core fills in fields that are read-only for applications. */
#define NETMAP_IMPL_WRITABLE
#include "host.h"
#include <net/netmap.h>
#include "nm_names.h"

/* Directions, used as array indices.  Note: not the ring's dir field. */
enum nm_txrx { NR_TX = 0, NR_RX = 1 };
#define NM_FOR_RX_TX(t) for ((t) = NR_TX; (t) <= NR_RX; (t)++)

static inline enum nm_txrx nm_txrx_swap(enum nm_txrx t)
{
	return t == NR_TX ? NR_RX : NR_TX;
}

/* ---------------------------------------------------------------- */
/* Memory regions                                                   */
/* ---------------------------------------------------------------- */

enum nm_pool_id { NM_IF_POOL = 0, NM_RING_POOL, NM_BUF_POOL, NM_POOLS };

struct nm_pool_params {
	uint32_t size;	/* object size as configured */
	uint32_t num;	/* object count as configured */
};

struct nm_pool {
	uint32_t objsize;	/* rounded to 64 */
	uint32_t objtotal;	/* rounded to whole clusters */
	uint32_t objfree;
	uint32_t clustentries;	/* objects per cluster */
	uint64_t memsize;	/* objtotal * objsize */
	uint64_t offset;	/* region offset of the pool */
	uint32_t *bitmap;	/* one bit per object, 1 = free */
	uint32_t first_free;	/* no free object in bitmap words below */
	uint32_t backed;	/* objects [0, backed) have memory (host) */
};

struct nm_mem {
	uint16_t id;
	uint16_t global;		/* region 1, never freed */
	uint16_t ext;			/* user memory (EXTMEM, 23.6) */
	int refcount;			/* adapters and other holders */
	int active;			/* bindings currently using it */
	struct nm_pool pools[NM_POOLS];
	struct nm_pool_params params[NM_POOLS];
	uint32_t owner;			/* creator's identity, nm_mem_may_use */
	char *base;			/* NULL until finalized */
	uint64_t memsize;		/* sum of pools, page rounded */
	struct nmh_lock lock;		/* pool bitmaps */
	struct nm_mem *next;		/* in nm_core.mem_list */
	char creator[NETMAP_REQ_IFNAMSIZ];	/* private: the port it was made for */
	struct nmh_ext_mem ext_mem;	/* ext: the host's hold on the memory */
};

/* Round to the 64-byte granularity of pool objects. */
#define NM_OBJ_ALIGN 64
#define NM_CACHE_LINE 64	/* what a cache line holds, for padding */
#define NM_PAGE_SIZE 4096
#define NM_MAX_CLUSTER (4u << 20)

/* ---------------------------------------------------------------- */
/* Rings                                                            */
/* ---------------------------------------------------------------- */

/* nm_kring.flags */
#define NKR_FAKE	0x1	/* host ring of a port without host stack */
#define NKR_EXCLUSIVE	0x2	/* bound with NR_EXCLUSIVE */
#define NKR_NETMAP_ON	0x4	/* in netmap mode */
#define NKR_STOPPED	0x8	/* syncs fail with EIO */

/* Value of a lease slot that is reserved but not yet completed. */
#define NM_LEASE_PENDING 0xffffffffu
/* Most leases in flight on one VALE receive ring (one per sender). */
#define NM_MAX_LEASES 32

struct nm_lease {
	uint32_t start;		/* first slot */
	uint32_t end;		/* one past the last slot */
	uint32_t owner;		/* 0 = free entry */
	uint32_t done;		/* filled, waiting for older leases */
};

struct nm_adapter;
struct nm_mon_link;

struct nm_kring {
	struct netmap_ring *ring;
	struct nm_adapter *na;
	/*
	 * Monitors fed by this ring (17), NULL when none: the one field the
	 * data path reads for them, next to the ring pointer.
	 */
	struct nm_mon_link *mon;
	enum nm_txrx tx;
	uint32_t ring_id;		/* index within its direction */
	uint32_t nkr_num_slots;
	uint32_t flags;			/* NKR_* */

	/* The last accepted user positions (6.1): the owner's alone. */
	uint32_t rhead, rcur, rtail;

	/* Concurrent syncs of one ring are skipped: owner id or 0. */
	uint32_t nr_busy;
	uint32_t users;			/* bindings that selected it */

	/* Offsets (10.7). */
	uint64_t offset_mask;
	uint64_t offset_max;
	uint64_t offset_gap;
	uint32_t buf_usable;		/* bytes usable after the offset */

	/*
	 * Pipes: the connected ring of the other end point, and (RX rings)
	 * 2 * nkr_num_slots words: the buffer index of each slot as the last
	 * TX sync handed it over ("own", which tells the RX sync which
	 * released slots got another buffer), then the buffer each slot was
	 * given when the pair was created ("given", nm_pipe.c).
	 */
	struct nm_kring *pipe;
	uint32_t *pipe_bufs;

	/* VALE transmit rings: work area of the forwarding engine, and the
	 * last destination looked up (hash >= NM_BDG_HASH: none yet). */
	struct nm_bdg_fwd *ft;
	uint8_t last_dmac[6];
	uint16_t last_dhash;
	/* VALE transmit rings: NS_INDIRECT slots were seen (prefaulted). */
	uint32_t indirect_seen;

	/*
	 * Kernel positions (6.1).  Another context writes or reads these
	 * while the owner syncs (a pipe's sender moves its receiver's
	 * hwtail and reads its hwcur; VALE senders move hwtail), so each
	 * gets a cache line of its own: sharing one with the fields above
	 * costs a line transfer on every access from either side.  Padding,
	 * not an alignment attribute, so no allocator has to honour one.
	 */
	char pad_hwcur[NM_CACHE_LINE];
	uint32_t nr_hwcur;
	char pad_hwtail[NM_CACHE_LINE - sizeof(uint32_t)];
	uint32_t nr_hwtail;

	/*
	 * VALE receive rings: senders reserve ("lease") ranges of free slots
	 * under q_lock, fill them without the lock, then publish.  nr_hwtail
	 * only moves over completed leases, in order.
	 */
	struct nmh_lock q_lock;
	uint32_t nkr_hwlease;		/* next slot to lease */
	struct nm_lease leases[NM_MAX_LEASES];

	/* Switch counters, from this port's point of view (8.2); a receive
	 * ring's are moved by its senders, next to hwtail.  A monitor ring
	 * counts in stat_drops the frames it had no room for. */
	uint64_t stat_pkts, stat_bytes, stat_drops;
	/* NIC TX rings: frames handed to the device, not yet freed by it. */
	uint32_t nic_inflight;
	/*
	 * NIC RX rings: the next slot to fill.  [nr_hwtail, nic_fill) holds
	 * frames already copied (by the host's receive path, or the RX sync
	 * from the host's queue) and not yet published; the RX sync
	 * publishes them (nm_nic_import).  Written under the host's queue
	 * lock, or by the sync while the host holds off (nmh_nic_rx_hold).
	 */
	uint32_t nic_fill;
	char pad_end[NM_CACHE_LINE];

	/*
	 * Monitors (nm_monitor.c): mon_lock guards the list against changes
	 * while a hook walks it; mon_seen is how far copy monitors have seen
	 * a receive ring (published slots) or a transmit ring (submitted
	 * slots, which a NIC may leave pending).
	 */
	struct nmh_lock mon_lock;
	uint32_t mon_seen;

	struct nmh_kring_wait wait;	/* host wait queue */
};

/* ---------------------------------------------------------------- */
/* Adapters (ports)                                                 */
/* ---------------------------------------------------------------- */

enum nm_kind {
	NM_KIND_VALE = 1,	/* ephemeral VALE port */
	NM_KIND_PERSIST,	/* persistent VALE port (a system interface) */
	NM_KIND_PIPE,
	NM_KIND_NULL,
	NM_KIND_NIC,		/* system interface through a host adapter */
	NM_KIND_BWRAP,		/* switch port of an attached NIC (15.3) */
	NM_KIND_MONITOR,	/* monitor of another port (17) */
};

/* nm_adapter.nic_state: what the host last said about the device. */
#define NM_NIC_UP	0
#define NM_NIC_DOWN	1	/* administratively down: rings stopped */
#define NM_NIC_GONE	2	/* removed: the port is a zombie */

/* nm_adapter.flags */
#define NAF_OFFSETS	0x1	/* supports the OFFSETS option */
#define NAF_MOREFRAG	0x2	/* multi-slot packets */
#define NAF_HOST_RINGS	0x4	/* has a host stack */
#define NAF_AUTODELETE	0x8	/* auto-created pipe parent */
#define NAF_KERNEL_OWNED 0x10	/* wrapped on a switch, or a wrapper */
#define NAF_ZOMBIE	0x20	/* removed; syncs fail */
#define NAF_NETMAP_ON	0x40	/* some binding is active */

struct nm_adapter_ops {
	/* Rings of the port have been created: connect them. */
	int (*krings_create)(struct nm_adapter *na);
	void (*krings_delete)(struct nm_adapter *na);
	/* First binding arrives (onoff 1) / last binding leaves (0). */
	int (*reg)(struct nm_adapter *na, int onoff);
	int (*txsync)(struct nm_kring *kring, int flags);
	int (*rxsync)(struct nm_kring *kring, int flags);
	/* Last reference dropped: free kind-specific state. */
	void (*dtor)(struct nm_adapter *na);
};

/* Flags of txsync/rxsync calls. */
#define NAF_FORCE_RECLAIM 0x1
#define NAF_FORCE_READ    0x2
/* The binding has every hardware TX ring: host RX NS_FORWARD may move
 * frames into them (21). */
#define NAF_FWD_TX        0x4
/*
 * A VALE TX sync of a kernel-owned port run by a relay that holds other
 * switches' locks: flags carries the number of them times NM_SYNC_DEPTH
 * (nm_vale_txsync_kernel).  At most NM_BDG_MAX_HOPS switches are held
 * at once; frames that would cross more are dropped (a loop of wrapped
 * persistent ports must not exhaust the stack).
 */
#define NM_SYNC_DEPTH     0x100
#define NM_BDG_MAX_HOPS   4

struct nm_bdg;
struct nm_pipe;

/* Most bindings of one port at once (each has a wake-up bit). */
#define NM_MAX_BINDINGS 64

struct nm_adapter {
	char name[NETMAP_REQ_IFNAMSIZ];
	enum nm_kind kind;		/* also selects the ops, see nma_ops() */
	uint32_t flags;			/* NAF_* */

	uint32_t num_rings[2];		/* hardware rings */
	uint32_t num_slots[2];
	uint32_t num_host_rings[2];	/* 0 without host stack */
	struct nm_kring *rings[2];	/* num_rings + max(host, 1) each */

	struct nm_mem *mem;
	int refcount;
	int users;			/* active bindings */

	/* VALE */
	struct nm_bdg *bdg;
	uint32_t bdg_port;		/* index in bdg->ports */
	uint8_t last_smac[6];
	uint32_t virt_hdr_len;
	uint32_t mfs;			/* maximum frame size */

	/* Pipes: the end points using this port as parent. */
	struct nm_pipe *pipes;
	uint32_t num_pipes;
	/* Pipe end points: their pair. */
	struct nm_pipe *pipe;

	/* Monitors (17): a monitor's parent and what it watches (NM_MON_*);
	 * a parent's counter for the names of its monitors. */
	struct nm_adapter *mon_parent;
	uint32_t mon_flags;
	uint32_t mon_next;

	/* Bindings, for wake-ups. */
	struct nm_priv *bindings[NM_MAX_BINDINGS];

	/* Network namespace of a switch port or persistent port. */
	uint64_t ns;

	/*
	 * NIC ports: the host's device handle (NULL once closed), the
	 * device state (NM_NIC_*, written by the host's event path only),
	 * the switch ports wrapping it while attached ([0] the NIC, [1]
	 * its host stack), and polling (15.9).  A wrapper port points
	 * back at its NIC with nic_parent and says which side in nic_host.
	 */
	struct nmh_nic *nic;
	uint32_t nic_state;
	struct nm_adapter *bwrap[2];
	struct nm_adapter *nic_parent;
	uint32_t nic_host;
	uint32_t poll_first, poll_num, polling;

	struct nm_adapter *next;	/* in nm_core.named_ports */
	struct nmh_port_wait wait;	/* host port-wide wait queues */
};

/*
 * The operations of a port kind.  Adapters live in memory shared between
 * processes (user runtime) where code addresses differ from process to
 * process, so they store their kind, never a pointer to code.
 */
extern const struct nm_adapter_ops nm_vale_ops, nm_pipe_ops, nm_null_ops,
	nm_nic_ops, nm_bwrap_ops, nm_monitor_ops;

static inline const struct nm_adapter_ops *nma_ops(const struct nm_adapter *na)
{
	switch (na->kind) {
	case NM_KIND_PIPE:
		return &nm_pipe_ops;
	case NM_KIND_NULL:
		return &nm_null_ops;
	case NM_KIND_NIC:
		return &nm_nic_ops;
	case NM_KIND_BWRAP:
		return &nm_bwrap_ops;
	case NM_KIND_MONITOR:
		return &nm_monitor_ops;
	default:
		return &nm_vale_ops;
	}
}

/* A pipe: two end point adapters sharing the parent's region. */
struct nm_pipe {
	struct nm_adapter master;
	struct nm_adapter slave;
	struct nm_adapter *parent;
	char id[NETMAP_REQ_IFNAMSIZ];
	struct nm_pipe *next;		/* in parent->pipes */
};

/* ---------------------------------------------------------------- */
/* VALE switches                                                    */
/* ---------------------------------------------------------------- */

#define NM_BDG_MAXSLOTS	254	/* port slots 0..253 */
#define NM_BDG_BROADCAST 254
#define NM_BDG_NOPORT	255
#define NM_BDG_HASH	1024
#define NM_BDG_BATCH_MAX 1024
#define NM_MAX_BRIDGES_DEFAULT 8
#define NM_MAX_BRIDGES_LIMIT 64

struct nm_fwd_entry {
	uint8_t mac[6];
	uint8_t port;
	uint8_t valid;
};

struct nm_bdg {
	char name[IFNAMSIZ];		/* "vale0", without the colon */
	uint32_t namelen;
	uint64_t ns;			/* network namespace (nmh_netns_self) */
	uint32_t active_ports;
	/* ports[i] is the adapter at switch index i, or NULL. */
	struct nm_adapter *ports[NM_BDG_MAXSLOTS];
	struct nm_fwd_entry ht[NM_BDG_HASH];
	struct nmh_bdg_lock fwd_lock;
};

/* One slot of a batch being forwarded. */
struct nm_bdg_fwd {
	const uint8_t *buf;	/* source data (sender's memory) */
	uint16_t len;
	uint16_t flags;		/* NS_MOREFRAG of the source slot */
	uint16_t nfrags;	/* on the first fragment: slots of the packet */
	uint8_t dst;		/* destination port, broadcast or noport */
	uint8_t pad;
	uint32_t next;		/* next packet for the same destination */
};
#define NM_FT_NONE 0xffffffffu

/* ---------------------------------------------------------------- */
/* Bindings                                                         */
/* ---------------------------------------------------------------- */

struct nm_priv {
	struct nm_adapter *na;		/* NULL while unbound */
	struct netmap_if *nifp;
	uint32_t qfirst[2], qlast[2];	/* selected kring ranges */
	uint64_t flags;			/* nr_flags of the registration */
	uint32_t mode;
	uint32_t binding_idx;		/* slot in na->bindings */
	uint32_t sleeping;		/* waiting in poll (host managed) */
	uint32_t owner;			/* opener's identity (host: uid) */
	uint32_t extra_bufs;		/* extra buffers granted (20) */
	uint64_t host_id;		/* host's name for this binding */
	/* CSB mode (25.1): the application's arrays; 0 when off */
	uint64_t csb_atok, csb_ktoa;
	uint32_t kloop_state;		/* NM_KLOOP_* */
};

#define NM_KLOOP_RUNNING	0x1
#define NM_KLOOP_STOPPING	0x2

/* A sync loop being run (nm_kloop.c, 25.2). */
struct nm_kloop {
	struct nm_priv *priv;
	struct nm_kring **rings;	/* the bound rings, TX first */
	uint32_t *last_tail;		/* hwtail last published, per ring */
	uint32_t n;
	uint32_t sleep_us, mode;
	uint32_t events;		/* every ring has an ioeventfd */
	uint32_t irq;			/* some ring has an irqfd */
	void *host;			/* the host's state of the loop */
};

/* ---------------------------------------------------------------- */
/* Global state                                                     */
/* ---------------------------------------------------------------- */

struct nm_params {
	struct nm_pool_params global[NM_POOLS];
	struct nm_pool_params priv[NM_POOLS];
	uint32_t bridge_batch;
	uint32_t max_bridges;
	uint32_t no_timestamp;
	uint32_t verbose;
	uint32_t shared_regions;	/* 1: any opener may use any region */
	/* NIC ports (24) */
	uint32_t fwd;			/* NS_FORWARD on every slot */
	uint32_t admode;		/* 1: native only (none here) */
	uint32_t generic_ringsize;	/* slots when the device says none */
};

struct nm_core {
	struct nm_params params;
	struct nm_mem *mem_list;
	uint16_t last_mem_id;
	struct nm_bdg *bridges[NM_MAX_BRIDGES_LIMIT];
	struct nm_adapter *named_ports;	/* persistent ports by name */
	uint32_t host_has_netdevs;	/* kernel: system interfaces exist */
	/*
	 * The owner (nm_priv.owner) of the request being run, set by
	 * nm_ctrl/nm_legacy under the control lock: regions created by the
	 * request are its.
	 */
	uint32_t caller;
	/*
	 * The host backs region memory as objects are handed out
	 * (nmh_region_back), so a region sized generously costs nothing
	 * until used: an auto-created pipe parent's region then holds the
	 * 64 pipes of spec 16 (user runtime); else it holds one pipe of the
	 * geometry of the pipe that creates it, besides the 2 pipes of the
	 * spec's formula (kernel: vmalloc_user commits it all at once).
	 */
	uint32_t host_lazy_regions;
	uint32_t host_has_nics;		/* the nmh_nic_* interface works */
	/*
	 * NIC ports have host rings (21): the host can take the stack's
	 * transmissions and hand it frames (the kernel).  Without, a NIC
	 * port has none and asking for them fails with EOPNOTSUPP.
	 */
	uint32_t host_nic_host_rings;
};

/* Set by the host before any other core call. */
extern struct nm_core *nm_g;

void nm_core_init(struct nm_core *g);
/* Host shutdown, nothing bound any more: free the regions left. */
void nm_core_fini(void);
void nm_params_defaults(struct nm_params *p);

/* ---------------------------------------------------------------- */
/* Small helpers                                                    */
/* ---------------------------------------------------------------- */

/* Linux defines it; the other hosts' compilers understand it. */
#ifndef noinline
#define noinline __attribute__((noinline))
#endif

/*
 * A scratch array of a data path that the code fills before reading.
 * Kernels built with CONFIG_INIT_STACK_ALL_ZERO (Debian's, among others)
 * zero every local variable on entry: for the slot lists of the NIC
 * paths, 192 bytes per frame the rx_handler copies and 1536 bytes per
 * RX sync, whether or not anything arrived.  Only arrays whose every
 * read follows a write get this.
 */
#if defined(__has_attribute)
#if __has_attribute(__uninitialized__)
#define NM_UNINIT __attribute__((__uninitialized__))
#endif
#endif
#ifndef NM_UNINIT
#define NM_UNINIT
#endif

static inline uint32_t nm_next(uint32_t i, uint32_t n)
{
	return i + 1 == n ? 0 : i + 1;
}

static inline uint32_t nm_prev(uint32_t i, uint32_t n)
{
	return i == 0 ? n - 1 : i - 1;
}

/* Distance from a to b going forward on a ring of n slots. */
static inline uint32_t nm_dist(uint32_t a, uint32_t b, uint32_t n)
{
	return b >= a ? b - a : b + n - a;
}

size_t nm_strlcpy(char *dst, const char *src, size_t size);

/* Number of krings in direction t, host rings (or the fake one) included. */
static inline uint32_t nma_all_rings(const struct nm_adapter *na,
				     enum nm_txrx t)
{
	uint32_t h = na->num_host_rings[t];

	return na->num_rings[t] + (h ? h : 1);
}

/* ---------------------------------------------------------------- */
/* Entry points (nm_mem.c)                                          */
/* ---------------------------------------------------------------- */

/* Most extra buffers (20) of one binding, the 15.2 clamp: 128 * 4096. */
#define NM_EXTRA_BUFS_MAX (128u * 4096u)

struct nm_mem *nm_mem_global(void);
struct nm_mem *nm_mem_find(uint16_t id);
int nm_mem_may_use(const struct nm_mem *m);
/*
 * What a new private region is sized for (15.2): the rings of the port
 * that creates it, its extra buffers, and pipes that will use it as
 * their parent's region (npipes of the given rings and slots each).
 */
struct nm_mem_needs {
	const char *name;		/* of the port */
	uint32_t txr, txd, rxr, rxd;
	uint32_t extra_bufs;
	uint32_t npipes, pipe_txr, pipe_txd, pipe_rxr, pipe_rxd;
};
struct nm_mem *nm_mem_private_new(const struct nm_mem_needs *n, int *err);
/* Say which pool of m ran out, for port na (nmh_error_detail). */
void nm_mem_pool_full(const struct nm_mem *m, enum nm_pool_id id,
		      const struct nm_adapter *na, uint64_t need);
int nm_mem_ext_get(struct nmreq_opt_extmem *opt, struct nm_mem **out);
void nm_mem_get(struct nm_mem *m);
void nm_mem_put(struct nm_mem *m);
int nm_mem_finalize(struct nm_mem *m);
int nm_mem_pool_geometry(const struct nm_pool_params *p, enum nm_pool_id id,
			 int priv, struct nm_pool *out);
uint64_t nm_mem_size_of(const struct nm_pool_params *p, int priv, int *err);
uint32_t nm_mem_buf_alloc(struct nm_mem *m);
void nm_mem_buf_free(struct nm_mem *m, uint32_t idx);
void *nm_mem_if_alloc(struct nm_mem *m, size_t size);
void nm_mem_if_free(struct nm_mem *m, void *nifp);
struct netmap_ring *nm_mem_ring_alloc(struct nm_mem *m, uint32_t nslots);
void nm_mem_ring_free(struct nm_mem *m, struct netmap_ring *ring);
uint32_t nm_mem_extra_bufs_alloc(struct nm_mem *m, uint32_t *head,
				 uint32_t n);
void nm_mem_extra_bufs_free(struct nm_mem *m, struct nm_priv *priv);

/*
 * Freeing what a port or binding owns at teardown (docs/ARCHITECTURE.md,
 * "Buffers and their owners"): the candidates are the indices user space
 * left in its slots or list, and at most `owned` of them are freed, each
 * only if it is a valid index, currently allocated, not already taken,
 * and in no live ring or extra-buffer list of the region.
 */
struct nm_buf_release {
	struct nm_mem *m;
	uint32_t *live;		/* buffers other owners hold; NULL: free none */
	uint32_t left;
};
void nm_buf_release_begin(struct nm_buf_release *r, struct nm_mem *m,
			  uint32_t owned, struct nm_adapter *const *skip,
			  uint32_t nskip, const struct nm_priv *skip_priv);
void nm_buf_release(struct nm_buf_release *r, uint32_t idx);
void nm_buf_release_end(struct nm_buf_release *r);
/* Call fn for every port reachable from the switches and the registry. */
void nm_for_each_adapter(void (*fn)(struct nm_adapter *na, void *arg),
			 void *arg);
void nm_mem_reset_if_idle(struct nm_mem *m);

static inline uint32_t nm_mem_nbufs(const struct nm_mem *m)
{
	return m->pools[NM_BUF_POOL].objtotal;
}

static inline uint32_t nm_mem_bufsize(const struct nm_mem *m)
{
	return m->pools[NM_BUF_POOL].objsize;
}

/* Address of buffer idx; out-of-range indices resolve to buffer 0 (6.4). */
static inline uint8_t *nm_mem_buf(const struct nm_mem *m, uint32_t idx)
{
	const struct nm_pool *p = &m->pools[NM_BUF_POOL];

	if (idx >= p->objtotal)
		idx = 0;
	return (uint8_t *)m->base + p->offset + (uint64_t)idx * p->objsize;
}

/*
 * The buffer pool of a region loaded once, for loops over many slots:
 * nm_bufs_addr() is nm_mem_buf() without reading the pool every time.
 */
struct nm_bufs {
	uint8_t *base;
	uint32_t num;
	uint32_t size;
};

static inline void nm_bufs_init(struct nm_bufs *bb, const struct nm_mem *m)
{
	const struct nm_pool *p = &m->pools[NM_BUF_POOL];

	bb->base = (uint8_t *)m->base + p->offset;
	bb->num = p->objtotal;
	bb->size = p->objsize;
}

static inline uint8_t *nm_bufs_addr(const struct nm_bufs *bb, uint32_t idx)
{
	if (idx >= bb->num)
		idx = 0;
	return bb->base + (uint64_t)idx * bb->size;
}

static inline uint64_t nm_mem_ofs(const struct nm_mem *m, const void *p)
{
	return (uint64_t)((const char *)p - m->base);
}

/*
 * The virtio-net header conversion of one packet between two VALE ports
 * with different header lengths (nm_vnet.c, spec 15.8).
 */
#define NM_VNET_HDR_MAX 192	/* Ethernet, VLAN, IP and TCP headers */

struct nm_vnet_plan {
	uint32_t slots;		/* destination slots; 0: dropped */
	uint32_t shdr, dhdr;	/* header lengths of sender, destination */
	uint32_t flen;		/* frame length, sender's header excluded */
	int32_t csum_at;	/* checksum to complete at this frame offset */
	uint16_t csum;
	uint8_t v6, udp;
	/* segmentation (seg != 0): payload bytes per segment */
	uint32_t seg, mss, payload, hlen, l3, l4;
	uint8_t dvh[12];	/* the destination's header */
	uint8_t hdr[NM_VNET_HDR_MAX];	/* frame headers, replicated */
};

/* Where converted packets go: a leased range of a receive ring. */
struct nm_vnet_dst {
	struct netmap_slot *slot, *end;	/* the ring's slots */
	struct netmap_slot *ds;		/* next slot to fill */
	struct nm_bufs bufs;
	uint64_t omask, omax;		/* offsets (10.7) */
	uint32_t usable;		/* bytes usable after the offset */
	uint64_t bytes;
};

uint32_t nm_vnet_plan(const struct nm_bdg_fwd *ft, uint32_t nf, uint32_t shdr,
		      uint32_t dhdr, uint32_t frame_max, uint32_t usable,
		      struct nm_vnet_plan *p);
uint32_t nm_vnet_emit(const struct nm_bdg_fwd *ft, uint32_t nf,
		      const struct nm_vnet_plan *p, struct nm_vnet_dst *d);


/* ---------------------------------------------------------------- */
/* Adapters and rings (nm_adapter.c, nm_kring.c)                    */
/* ---------------------------------------------------------------- */

void nma_get(struct nm_adapter *na);
void nma_put(struct nm_adapter *na);
void nma_free(struct nm_adapter *na);
int nma_krings_create(struct nm_adapter *na);
void nma_krings_delete(struct nm_adapter *na);
int nma_rings_create(struct nm_adapter *na, struct nm_priv *priv);
void nma_rings_delete(struct nm_adapter *na);
void nma_notify_all(struct nm_adapter *na);
void nma_check_unused(struct nm_adapter *na);
int nm_kring_ring_alloc(struct nm_kring *k);
void nm_kring_ring_free(struct nm_kring *k, int free_bufs);
int nm_ring_fill_buffers(struct nm_kring *k);

int nm_txsync_prologue(struct nm_kring *kring, uint32_t *head);
int nm_rxsync_prologue(struct nm_kring *kring, uint32_t *head);
void nm_ring_repair(struct nm_kring *kring);
void nm_ring_reset_header(struct nm_kring *k);
void nm_sync_finalize(struct nm_kring *kring);

int nm_monitor_sync(struct nm_kring *kring, int flags);
void nm_monitor_tx_published(struct nm_kring *kring, uint32_t tail);
void nm_monitor_published(struct nm_kring *kring);

/*
 * The port's sync of one ring, after the prologue; rings that monitors
 * watch take the monitors' way (one predictable branch).
 */
static inline int nm_kring_sync(struct nm_kring *kring, int flags)
{
	const struct nm_adapter_ops *ops = nma_ops(kring->na);

	if (__builtin_expect(NM_READ_ONCE(kring->mon) != NULL, 0))
		return nm_monitor_sync(kring, flags);
	return kring->tx == NR_TX ? ops->txsync(kring, flags) :
				    ops->rxsync(kring, flags);
}

/*
 * New slots were published on kring (a receive ring got packets, or a
 * transmit ring got room): copy monitors see received frames here, even
 * if the ring's owner never reads them, then waiters are woken.
 */
static inline void nm_kring_notify(struct nm_kring *kring)
{
	if (__builtin_expect(NM_READ_ONCE(kring->mon) != NULL, 0))
		nm_monitor_published(kring);
	nmh_kring_notify(kring);
}
int nm_kring_try_busy(struct nm_kring *kring);
void nm_kring_unbusy(struct nm_kring *kring);
int nm_prologue_values(struct nm_kring *kring, uint32_t lo, uint32_t hi,
		       uint32_t head, uint32_t cur);
/* Offset of a slot's data, clamped to the ring's maximum (10.7). */
static inline uint64_t nm_slot_offset(const struct nm_kring *kring,
				      const struct netmap_slot *slot)
{
	uint64_t off;

	if (!kring->offset_mask)
		return 0;
	off = slot->ptr & kring->offset_mask;
	return off > kring->offset_max ? kring->offset_max : off;
}

/* ---------------------------------------------------------------- */
/* Registration and requests (nm_register.c, nm_ctrl.c)             */
/* ---------------------------------------------------------------- */

/* How a name is looked up (14.1). */
enum nm_lookup {
	NM_LOOKUP_CREATE = 1,	/* registration: may create the port */
	NM_LOOKUP_ONLY,		/* PORT_HDR_GET, VALE_DETACH: never create */
};

int nm_get_adapter(const char *name, struct nmreq_register *req,
		   enum nm_lookup how, struct nm_adapter **out);
/*
 * The options a registration uses (10.8): their bodies (NULL when
 * absent) and the outcome of each (0 or a negative errno).
 */
struct nm_reg_opts {
	struct nmreq_opt_offsets *off;
	struct nmreq_opt_extmem *ext;
	struct nmreq_opt_csb *csb;
	int off_err, ext_err, csb_err;
};

int nm_register(struct nm_priv *priv, const char *name,
		struct nmreq_register *req, struct nm_reg_opts *o);
void nm_priv_release(struct nm_priv *priv);
/* After a context died inside a control operation (see nm_register.c). */
int nm_recover(struct nm_priv *const *live, uint32_t nlive,
	       struct nm_priv *const *dead, uint32_t ndead);
int nm_port_info(const char *name, struct nmreq_port_info_get *info);
int nm_pools_info(const char *name, struct nmreq_pools_info *info);

int nm_ctrl(struct nm_priv *priv, void *uarg);

int nm_csb_enable(struct nm_priv *priv, const struct nmreq_opt_csb *o);
int nm_kloop_prepare(struct nm_priv *priv, uint32_t sleep_us,
		     struct nmreq_option *mode_opt, uint32_t mode,
		     struct nmreq_option *efd_opt, const int32_t *efds,
		     struct nm_kloop **out);
int nm_kloop_run(struct nm_kloop *kl);
int nm_kloop_request_stop(struct nm_priv *priv);
int nm_legacy(struct nm_priv *priv, unsigned int cmd, void *uarg);
int nm_sync(struct nm_priv *priv, enum nm_txrx t);
/* Poll processing of 12.1 without sleeping; returns revents. */
unsigned int nm_poll_scan(struct nm_priv *priv, unsigned int events);
/* Could a scan find more now?  Reads only (a spinning host's check). */
int nm_poll_peek(const struct nm_priv *priv, unsigned int events);

/* Persistent ports registry (named system-like ports). */
struct nm_adapter *nm_named_find(const char *name);

/* ---------------------------------------------------------------- */
/* Port kinds                                                       */
/* ---------------------------------------------------------------- */

int nm_vale_get(const char *name, struct nmreq_register *req,
		enum nm_lookup how, struct nm_adapter **out);
int nm_vale_is_name(const char *name);
void nm_vale_release_unused(struct nm_adapter *na);
int nm_vale_list(char *name, struct nmreq_vale_list *req);
int nm_vale_persist_create(const char *name, struct nmreq_register *req,
			   uint32_t flags, const struct nmreq_register *pipe_req,
			   struct nm_adapter **out);
int nm_vale_persist_delete(const char *name);
int nm_vale_attach(const char *name, struct nmreq_vale_attach *req);
int nm_vale_detach(const char *name, struct nmreq_vale_detach *req);
int nm_vale_polling(const char *name, int enable,
		    const struct nmreq_vale_polling *req);
/* A network namespace is gone: its switches and persistent ports go. */
void nm_vale_netns_gone(uint64_t ns);
int nm_vale_hdr_set(const char *name, uint32_t len);
int nm_vale_hdr_get(const char *name, uint32_t *len);
uint32_t nm_bdg_hash(const uint8_t *mac);

int nm_pipe_get(const char *name, struct nmreq_register *req,
		enum nm_lookup how, struct nm_adapter **out);
/* At most 64 pipes per parent (16). */
#define NM_MAX_PIPES 64
/*
 * The rings and slots of each direction of a new pipe's master end, from
 * the request of the end being opened (slave: the slave's) and the
 * parent's slots (the default).
 */
void nm_pipe_geometry(const struct nmreq_register *req, int slave,
		      const uint32_t parent_slots[2], uint32_t rings[2],
		      uint32_t slots[2]);

/* ---------------------------------------------------------------- */
/* Monitors (nm_monitor.c, spec 17)                                 */
/* ---------------------------------------------------------------- */

/*
 * A link from a monitored ring to the monitor ring it feeds.  The hooks
 * walk a ring's list under its mon_lock; control operations change it
 * under the control lock and mon_lock.
 */
struct nm_mon_link {
	struct nm_kring *mk;		/* the monitor's receive ring */
	uint32_t flags;			/* NM_MON_* */
	struct nm_mon_link *next;
};

/* nm_mon_link.flags and nm_adapter.mon_flags */
#define NM_MON_TX	0x1	/* watches transmit rings: NS_TXMON */
#define NM_MON_RX	0x2	/* watches receive rings */
#define NM_MON_ZCOPY	0x4	/* swaps buffers instead of copying */
#define NM_MON_CHAIN	0x8	/* zero-copy link from the previous monitor */
#define NM_MON_ORPHAN	0x10	/* the parent left netmap mode */

int nm_monitor_get(const char *name, struct nmreq_register *req,
		   enum nm_lookup how, struct nm_adapter **out);
int nm_monitor_bind(struct nm_adapter *na, struct nm_priv *priv);
void nm_monitor_orphan_all(struct nm_adapter *parent);

int nm_null_get(const char *name, struct nmreq_register *req,
		struct nm_adapter **out);

/* NIC ports (nm_nic.c); the nm_nic_* below are called by the host. */
int nm_nic_get(const char *name, struct nmreq_register *req,
	       struct nm_adapter **out);
void nm_nic_release_unused(struct nm_adapter *na);
int nm_nic_bind(struct nm_adapter *na, const struct nm_priv *priv, int on);
int nm_nic_host_wanted(struct nm_adapter *na, uint32_t txq, uint32_t *hq);
void nm_nic_event(struct nm_adapter *na, enum nm_txrx t, uint32_t q,
		  int host);
void nm_nic_state(struct nm_adapter *na, uint32_t state);
void nm_nic_work(struct nm_adapter *na);
void nm_nic_poll(struct nm_adapter *na, uint32_t i);
/* VALE side of attached NICs. */
int nm_nic_attach(struct nm_bdg *b, const char *swname, struct nm_adapter *nic,
		  struct nmreq_register *req, uint32_t *port_index);
int nm_nic_detach(struct nm_adapter *wrapper, uint32_t *port_index);
int nm_nic_polling(struct nm_adapter *wrapper, int enable,
		   const struct nmreq_vale_polling *req);
void nm_bwrap_flush(struct nm_kring *dk, uint32_t depth);
int nm_bdg_attach(struct nm_bdg *b, struct nm_adapter *na);
void nm_bdg_detach(struct nm_adapter *na);
int nm_vale_txsync_kernel(struct nm_kring *kring, uint32_t depth);

/* Counters of a VALE port (8.2). */
struct nm_vale_stats {
	uint64_t rx_pkts, rx_bytes, rx_drops, tx_pkts, tx_bytes;
};
int nm_vale_stats(const char *name, struct nm_vale_stats *st);

/*
 * The host's receive path, per frame (NIC ports, nm_nic.c): inline, as
 * the kernel's rx_handler calls them for every frame it receives (out of
 * line they were 12 % of the receiving CPU's samples in the emulated
 * guest of make vm-bench, much of it their calls and returns;
 * kmod/README.md).
 */

/* Is device RX queue q in netmap mode? */
static inline int nm_nic_rx_wanted(struct nm_adapter *na, uint32_t q)
{
	if (NM_READ_ONCE(na->flags) & NAF_KERNEL_OWNED)
		return 1;
	return q < na->num_rings[NR_RX] &&
	       NM_READ_ONCE(na->rings[NR_RX][q].users) != 0;
}

/*
 * Direct receive.  A host whose receive path runs beside the rings (the
 * kernel's rx_handler, in softirq on the CPU that received the frame)
 * may copy a frame straight into the next free slots of a user's RX
 * ring instead of queueing it for the RX sync: the buffer it came in is
 * then freed where it was allocated, and the sync only publishes.  The
 * slots are the kernel's ([nic_fill, hwcur - 1)), but they lie in memory
 * the user may write at any time, so every buffer index is read once
 * and checked against the region, every capacity capped at the buffer
 * (offsets, 10.7), as nm_nic_import does.  ring->tail and nr_hwtail
 * still move only in the RX sync (6.1): copy monitors, which catch up in
 * that sync, see every frame before the owner can take it.
 *
 * Fills of one ring are serialized by the host (its queue lock), and
 * exclude the sync's own fills from the host's queue (nmh_nic_rx_hold).
 * The sync moves nr_hwcur (store-release, after finishing with the
 * released slots) and reads nic_fill (load-acquire); the filler reads
 * nr_hwcur (acquire) and moves nic_fill (release, after writing the
 * slots).
 *
 * Ring q of a user's binding that takes direct fills, or NULL (ports
 * attached to a switch go through their wrapper; host rings are filled
 * by the sync alone).
 */
static inline struct nm_kring *nm_nic_rx_direct(struct nm_adapter *na,
						 uint32_t q)
{
	struct nm_kring *k;

	if ((NM_READ_ONCE(na->flags) & NAF_KERNEL_OWNED) ||
	    q >= na->num_rings[NR_RX] || !na->rings[NR_RX])
		return NULL;
	k = &na->rings[NR_RX][q];
	if (!NM_READ_ONCE(k->users) || !k->ring)
		return NULL;
	return k;
}

/*
 * The free slots from nic_fill on that a frame of len bytes takes (at
 * most max): their buffers and capacities in rb.  Returns how many; 0
 * when the ring has no room for it (the user has not released enough);
 * -EINVAL when the frame cannot be filled here (a slot with a buffer the
 * user broke, which the sync repairs; longer than max slots; empty):
 * the host queues it for the sync, which decides.
 */
static inline int nm_nic_rx_slots(struct nm_kring *k, uint32_t len,
				  struct nm_nic_rxbuf *rb, uint32_t max)
{
	struct nm_adapter *na = k->na;
	struct netmap_slot *slot = k->ring->slot;
	uint32_t n = k->nkr_num_slots, at = k->nic_fill;
	uint32_t room = n - 1 - nm_dist(nm_load_acquire(&k->nr_hwcur), at, n);
	uint32_t nbufs = nm_mem_nbufs(na->mem), got = 0, j;
	struct nm_bufs bb;

	if (!len)
		return -EINVAL;
	nm_bufs_init(&bb, na->mem);
	for (j = 0; got < len; j++, at = nm_next(at, n)) {
		struct netmap_slot *s = &slot[at];
		uint32_t idx = NM_READ_ONCE(s->buf_idx), cap;
		uint64_t off;

		if (j == room)
			return 0;
		if (j == max || idx < 2 || idx >= nbufs)
			return -EINVAL;
		off = nm_slot_offset(k, s);
		cap = off < bb.size ? bb.size - (uint32_t)off : 0;
		if (cap > k->buf_usable)
			cap = k->buf_usable;
		if (!cap)
			return -EINVAL;
		rb[j].buf = nm_bufs_addr(&bb, idx) + off;
		rb[j].cap = cap;
		got += cap;
	}
	return (int)j;
}

/* The host copied a frame into the n slots nm_nic_rx_slots gave it. */
static inline void nm_nic_rx_filled(struct nm_kring *k,
				    const struct nm_nic_rxbuf *rb, uint32_t n)
{
	struct netmap_slot *slot = k->ring->slot;
	uint32_t ns = k->nkr_num_slots, at = k->nic_fill, j;

	for (j = 0; j < n; j++, at = nm_next(at, ns)) {
		slot[at].len = (uint16_t)rb[j].len;
		slot[at].flags = rb[j].more ? NS_MOREFRAG : 0;
	}
	nm_store_release(&k->nic_fill, at);
}

#endif /* NM_CORE_H */
