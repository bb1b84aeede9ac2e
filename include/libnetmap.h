/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnetmap.h - the netmap user library: port specifications and the
 * nmport_* open sequence, helpers for NIOCCTRL requests (nmreq_*) and
 * library contexts (nmctx_*), source compatible with upstream libnetmap
 * (spec 14.2, 14.3), followed by the project's extensions.
 *
 * Upstream-compatible functions keep upstream conventions: they return -1
 * (or NULL) with errno set, and describe the failure in one message passed
 * to the error callback of the context.  The extensions at the end of the
 * file return a negative errno instead and never print.
 *
 * Every control operation goes through the backend layer, so a port opened
 * here is served either by the kernel module or by the user runtime; see
 * nmport_backend().
 */
#ifndef LIBNETMAP_H_
#define LIBNETMAP_H_

#include <poll.h>	/* struct pollfd, nfds_t */
#include <stddef.h>
#include <stdint.h>
#include <net/netmap_user.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nmctx;
struct nmem_d;
struct nmport_cleanup_d;

/* ------------------------------------------------------------------ */
/* Ports                                                               */
/* ------------------------------------------------------------------ */

/*
 * An open (or about to be opened) port.  Applications fill hdr and reg
 * between nmport_prepare() and nmport_open_desc() if they need to, and
 * read the fields below "read only" afterwards.
 */
struct nmport_d {
	struct nmreq_header hdr;	/* NIOCCTRL header; nr_body = &reg */
	struct nmreq_register reg;	/* request and reply of REGISTER */

	/* read only from here on */

	/*
	 * The mapped region.  Within one context two ports have the same
	 * mem iff they share the region, i.e. can swap buffers.
	 */
	struct nmem_d *mem;
	struct nmctx *ctx;		/* context the port was created with */
	int register_done;		/* nmport_register() succeeded */
	int mmap_done;			/* nmport_mmap() succeeded */
	struct nmreq_opt_extmem *extmem; /* EXTMEM option in hdr, or NULL */

	/* the fields below match those of struct nm_desc */
	int fd;				/* control descriptor, -1 if none */
	struct netmap_if *nifp;		/* this descriptor's netmap_if */
	uint16_t first_tx_ring;		/* bound TX rings: [first, last] */
	uint16_t last_tx_ring;		/* last < first when none is bound */
	uint16_t first_rx_ring;
	uint16_t last_rx_ring;
	uint16_t cur_tx_ring;		/* where nmport_inject() starts */
	uint16_t cur_rx_ring;

	/* internal: LIFO of undo actions registered by nmport_parse() */
	struct nmport_cleanup_d *clist;
};

/*
 * A mapped region, shared (reference counted) by every port of one
 * context that registered with the same nr_mem_id.
 */
struct nmem_d {
	void *mem;		/* start of the mapping */
	size_t size;		/* bytes mapped */
	int refcount;		/* ports using this mapping */
	int is_extmem;		/* user memory: never unmapped by the library */
	uint16_t mem_id;	/* nr_mem_id of the region */
	int backend;		/* internal: backend serving the region */
	struct nmem_d *next;	/* list of the context */
	struct nmem_d *prev;
};

/*
 * Open a port: nmport_prepare() then nmport_open_desc().  Returns the
 * port, or NULL with errno set (EINVAL for a malformed spec, EOPNOTSUPP
 * for a disabled option, otherwise the error of the failing step).
 */
struct nmport_d *nmport_open(const char *portspec);

/* Undo everything nmport_open() did, and free d.  NULL is ignored. */
void nmport_close(struct nmport_d *d);

/*
 * Copy one packet into the first bound TX ring, starting from
 * cur_tx_ring, with room for it; packets larger than a buffer are spread
 * over several slots linked by NS_MOREFRAG.  Ring offsets are ignored.
 * Returns size, or 0 when no ring has room.  Does not sync.
 */
int nmport_inject(struct nmport_d *d, const void *buf, size_t size);

/* Allocate an empty port descriptor using the default context. */
struct nmport_d *nmport_new(void);

/* Free a descriptor from nmport_new(), undoing what nmport_parse() set up. */
void nmport_delete(struct nmport_d *d);

/*
 * Parse portspec (grammar of spec 14.2) into d->hdr, d->reg and options.
 * Returns 0, or -1 with errno set and one message sent to the context.
 */
int nmport_parse(struct nmport_d *d, const char *portspec);

/* Open a control descriptor and send the registration. 0 or -1/errno. */
int nmport_register(struct nmport_d *d);

/* Map (or reuse the mapping of) the region; compute the ring range. */
int nmport_mmap(struct nmport_d *d);

/* nmport_new() followed by nmport_parse(); NULL with errno on failure. */
struct nmport_d *nmport_prepare(const char *portspec);

/* nmport_register() followed by nmport_mmap(). 0 or -1/errno. */
int nmport_open_desc(struct nmport_d *d);

/*
 * Undo nmport_parse(): drop the options and mappings it set up (EXTMEM,
 * offsets); d stays allocated and can be parsed again.
 */
void nmport_undo_parse(struct nmport_d *d);
/* Undo nmport_prepare(): also frees d. */
void nmport_undo_prepare(struct nmport_d *d);
/* Undo nmport_register(): closes the control descriptor. */
void nmport_undo_register(struct nmport_d *d);
/* Undo nmport_mmap(): drops the reference on the region. */
void nmport_undo_mmap(struct nmport_d *d);
/* Undo nmport_open_desc(). */
void nmport_undo_open_desc(struct nmport_d *d);

/*
 * A new descriptor with the same parsed request as d (header and
 * register body, no options), ready for nmport_open_desc().  Fails with
 * EINVAL for an unregistered port that uses extmem.
 */
struct nmport_d *nmport_clone(struct nmport_d *d);

/* Use size bytes at base as the port's region (EXTMEM option). */
int nmport_extmem(struct nmport_d *d, void *base, size_t size);

/* nmport_extmem() on a shared mapping of the whole file fname. */
int nmport_extmem_from_file(struct nmport_d *d, const char *fname);

/* The pool parameters of the EXTMEM option, or NULL without one. */
struct nmreq_pools_info *nmport_extmem_getinfo(struct nmport_d *d);

/*
 * Attach an OFFSETS option: every slot starts with offset initial,
 * offsets up to maxoff are used, stored in the low bits bits of
 * slot.ptr (0 = 64), with at least mingap bytes between offsets sharing
 * a buffer (0 = no sharing).
 */
int nmport_offset(struct nmport_d *d, uint64_t initial, uint64_t maxoff,
		  uint64_t bits, uint64_t mingap);

/*
 * Enable or disable a port spec option by name ("offset" is disabled by
 * default).  0, or -1 with errno EOPNOTSUPP for an unknown option.
 */
int nmport_enable_option(const char *opt);
int nmport_disable_option(const char *opt);

/* ------------------------------------------------------------------ */
/* NIOCCTRL requests                                                   */
/* ------------------------------------------------------------------ */

/* Zero hdr and set version NETMAP_API, reqtype and body. */
void nmreq_header_init(struct nmreq_header *hdr, uint16_t reqtype, void *body);

/*
 * Decode the prefix and port name at *ppspec into hdr->nr_name (and
 * nr_version), advancing *ppspec past the name.  0 or -1/errno.
 */
int nmreq_header_decode(const char **ppspec, struct nmreq_header *hdr,
			struct nmctx *ctx);

/*
 * Decode the ring mode, flags and memory id at *pmode into reg (nr_mode,
 * nr_ringid, nr_flags, nr_mem_id), advancing *pmode to the first option
 * ('@' followed by a non-digit) or the end.  0 or -1/errno.
 */
int nmreq_register_decode(const char **pmode, struct nmreq_register *reg,
			  struct nmctx *ctx);

/*
 * Options of a port spec: "@name", "@name=value", "@name:k=v,k=v".  The
 * types are those of netmap's libnetmap, so that programs declaring
 * their own options build unchanged.
 */
#define NMREQ_OPT_MAXKEYS 16

/* What a key of an option accepts (nmreq_opt_key.flags). */
#define NMREQ_OPTK_ALLOWEMPTY	(1U << 0)	/* "key" alone: empty value */
#define NMREQ_OPTK_MUSTSET	(1U << 1)	/* the option needs this key */
#define NMREQ_OPTK_DEFAULT	(1U << 2)	/* "@name=value" assigns it */

struct nmreq_opt_key {
	const char *key;	/* name; '-' and '_' are equivalent */
	int id;			/* its value goes to keys[id] of the context */
	unsigned int flags;	/* NMREQ_OPTK_* */
};

struct nmreq_parse_ctx;

/* Applies the values an option was given; 0, or -1 with errno set. */
typedef int (*nmreq_opt_parser_cb)(struct nmreq_parse_ctx *pctx);

/* Flags of an option parser (nmreq_opt_parser.flags) */
#define NMREQ_OPTF_DISABLED	(1U << 0)	/* rejected with EOPNOTSUPP */
#define NMREQ_OPTF_ALLOWEMPTY	(1U << 1)	/* "@name" alone is accepted */

/*
 * One option: its name, the function that applies the values found, and
 * its keys.  Parsers form a list through next (a NULL next or prefix
 * ends it).  default_key is the index in keys[] of the key "@name=value"
 * assigns (-1: none; a key flagged NMREQ_OPTK_DEFAULT also is);
 * nr_keys counts the keys (0: up to the first NULL key).
 */
struct nmreq_opt_parser {
	const char *prefix;
	nmreq_opt_parser_cb parse;
	int default_key;
	int nr_keys;
	unsigned int flags;	/* NMREQ_OPTF_* */
	struct nmreq_opt_parser *next;
	struct nmreq_opt_key keys[NMREQ_OPT_MAXKEYS];
};

/* What a parse callback receives. */
struct nmreq_parse_ctx {
	struct nmctx *ctx;		/* for error messages */
	void *token;			/* the caller's token */
	/* keys[id]: the value of the key with that id, or NULL if absent */
	const char *keys[NMREQ_OPT_MAXKEYS];
	const struct nmreq_opt_parser *parser;	/* the option being parsed */
	const char *spec;		/* whole spec, for error messages */
};

/*
 * Decode the options in opt (a string of "@..." items) with the list of
 * parsers starting at parsers, passing token to them.  0 or -1/errno (EINVAL for a syntax
 * error, EOPNOTSUPP for a disabled option, or what a parser returned).
 */
int nmreq_options_decode(const char *opt, struct nmreq_opt_parser *parsers,
			 void *token, struct nmctx *ctx);

/*
 * Decode the port name at *ppspec, ask the port its region with
 * PORT_INFO_GET and return the mem_id (> 0), or -1 with errno set.
 * *ppspec is advanced past the name.
 */
int nmreq_get_mem_id(const char **ppspec, struct nmctx *ctx);

/* Insert o at the front of the option list of h. */
void nmreq_push_option(struct nmreq_header *h, struct nmreq_option *o);
/* Unlink o from the option list of h (no-op if absent). */
void nmreq_remove_option(struct nmreq_header *h, struct nmreq_option *o);
/* First option of type t, or NULL. */
struct nmreq_option *nmreq_find_option(struct nmreq_header *h, uint32_t t);
/* free() every option of h (they must come from malloc) and empty the list. */
void nmreq_free_options(struct nmreq_header *h);
/* "extmem", "sync-kloop-eventfds", "csb", "sync-kloop-mode", "offsets", "unknown" */
const char *nmreq_option_name(uint32_t nro_reqtype);

/* Iterate o_ over the option list of the header h_. */
#define nmreq_foreach_option(h_, o_)                                          \
	for ((o_) = (struct nmreq_option *)(uintptr_t)((h_)->nr_options);     \
	     (o_) != NULL;                                                    \
	     (o_) = (struct nmreq_option *)(uintptr_t)((o_)->nro_next))

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

typedef void (*nmctx_error_cb)(struct nmctx *ctx, const char *msg);
typedef void *(*nmctx_malloc_cb)(struct nmctx *ctx, size_t size);
typedef void (*nmctx_free_cb)(struct nmctx *ctx, void *p);
typedef void (*nmctx_lock_cb)(struct nmctx *ctx, int lock);

/*
 * Callbacks and shared state of a group of ports.  A NULL callback means
 * the library default (print to stderr when verbose, malloc, free, no
 * locking).  The error callback receives one complete message, without a
 * trailing newline, for each failure.
 */
struct nmctx {
	int verbose;		/* the default error callback prints if set */
	nmctx_error_cb error;
	nmctx_malloc_cb malloc;
	nmctx_free_cb free;
	nmctx_lock_cb lock;	/* lock(ctx, 1) / lock(ctx, 0) */

	struct nmem_d *mem_descs;	/* internal: mapped regions */
};

/*
 * The default context, used by nmport_new()/nmport_open(): verbose,
 * printing "message\n" on stderr, and thread safe (pthread mutex).  It is
 * always thread safe here; LIBNETMAP_NOTHREADSAFE has no effect.
 */
struct nmctx *nmctx_get(void);

/* Make ctx the default context (NULL restores the built-in one); returns the old one. */
struct nmctx *nmctx_set_default(struct nmctx *ctx);

/* Make the built-in default context thread safe (it already is). */
void nmctx_set_threadsafe(void);

/* Format a message and pass it to the error callback of ctx. */
void nmctx_ferror(struct nmctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void *nmctx_malloc(struct nmctx *ctx, size_t size);
void nmctx_free(struct nmctx *ctx, void *p);
void nmctx_lock(struct nmctx *ctx);
void nmctx_unlock(struct nmctx *ctx);

/* ================================================================== */
/* Project extensions (not in upstream libnetmap)                      */
/*                                                                     */
/* These return 0 or a negative errno (or a string) and never print.  */
/* ================================================================== */

/*
 * ioctl(2) on a netmap control descriptor of either backend (or on any
 * other descriptor): 0, or -1 with errno set.
 */
int nm_ioctl(int fd, unsigned long request, void *arg);

/*
 * poll(2) that also works for netmap descriptors of the user runtime,
 * mixed freely with other descriptors: same return value and errno.
 */
int nm_poll(struct pollfd *fds, nfds_t nfds, int timeout);

/* NIOCTXSYNC / NIOCRXSYNC on the port: 0 or -errno. */
int nmport_txsync(struct nmport_d *d);
int nmport_rxsync(struct nmport_d *d);

/* "kernel" or "user": the backend serving the port; "none" before registration. */
const char *nmport_backend(const struct nmport_d *d);

/*
 * What the parsed request names, in the kernel's resolution order:
 * "null port", "monitor", "pipe master", "pipe slave",
 * "VALE ephemeral port" or "system interface".
 */
const char *nmport_kind(const struct nmport_d *d);

/*
 * For a registered system interface: 1 when the kernel serves it through
 * the emulated adapter (NR_PORT_EMULATED of PORT_INFO_GET), 0 when it
 * says otherwise or does not tell (a kernel without the extension), or
 * -errno.
 */
int nmport_emulated(const struct nmport_d *d);

/*
 * For a registered system interface: how it is served, in the words the
 * tools print, written into buf (len bytes): "emulated adapter" on the
 * kernel module; on the user runtime (no module) "emulated adapter over
 * AF_XDP (native XDP, copy mode)" and the like, or "emulated adapter
 * over AF_PACKET (TPACKET_V3; why AF_XDP is not used)".  Returns 1 when
 * written, 0 when the backend does not tell (a kernel without the
 * extension), or -errno.
 */
int nmport_adapter(const struct nmport_d *d, char *buf, size_t len);

/*
 * The last message this thread reported through ctx (NULL: through any
 * context), or "" if none.  Valid until the next message of this thread.
 */
const char *nmport_last_error(const struct nmctx *ctx);

/* nmport_new() with an explicit context (NULL: the default one). */
struct nmport_d *nmport_new_with_ctx(struct nmctx *ctx);

/*
 * A bare, unbound control descriptor of the selected backend, for
 * requests that do not bind a port (VALE_LIST, PORT_INFO_GET,
 * VALE_NEWIF...) sent with nm_ioctl().  Like open(2): the descriptor, or
 * -1 with errno set.  Close it with nm_control_close().
 */
int nm_control_open(void);
int nm_control_close(int fd);

/* "kernel" or "user": the backend serving a control descriptor. */
const char *nm_control_backend(int fd);

/*
 * Why the last failed netmap call of this thread failed, where an errno
 * alone does not say (which directory is full, which memory pool ran
 * out, which environment variable is wrong), as one line without a
 * final period, or "" when there is nothing to add.  Valid until the
 * thread's next netmap call; libnetmap's own messages (nmport_last_error)
 * include it.
 */
const char *nm_error_detail(void);

/*
 * Remove the user runtime's shared files (under $NETMAP_RUNTIME_DIR, by
 * default /dev/shm/netmap-<uid>) when no process is attached to them.
 * Returns 0, -EBUSY while some process is attached, or another -errno.
 */
int nm_runtime_cleanup(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBNETMAP_H_ */
