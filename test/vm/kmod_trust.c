// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel trusts nothing user space does: the module defects of issue
 * 8 (section 3), each as a test against /dev/netmap with raw system
 * calls.  Output is TAP; it runs in the vm-check guest as root (group
 * "trust"), and drops to uid 65534 where a check needs an ordinary user.
 *
 *  3.1  a thread's request must not let the data paths (mmap, poll, the
 *       sync ioctls) into a binding another thread is undoing;
 *  3.2  a sender waiting on NS_INDIRECT user memory that never comes
 *       (userfaultfd) must not block port adds (nor the control lock);
 *  3.3  null ports' ring and slot counts are clamped to what the region
 *       can hold; extra buffers are capped per binding;
 *  3.4  creating or removing a network device (VALE_NEWIF, a pipe's
 *       auto-created parent, VALE_DELIF) takes CAP_NET_ADMIN over the
 *       device's network namespace;
 *  3.5  a region is bound and mapped only by openers with its creator's
 *       uid, unless the module parameter shared_regions is 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <net/netmap.h>
#include <net/netmap_legacy.h>

#include "raw_ctrl.h"
#include "tap.h"

#define NOBODY 65534
#define PARAMS "/sys/module/netmap/parameters/"

#define ERR(call) ((call) < 0 ? errno : 0)

/* ---------------------------------------------------------------- */
/* Requests                                                         */
/* ---------------------------------------------------------------- */

static int dev_open(void)
{
	return open("/dev/netmap", O_RDWR | O_CLOEXEC);
}

struct port {
	int fd;
	struct nmreq_register reg;
	char *mem;
	struct netmap_if *nifp;
};

/* Open, register name with p->reg (mode and counts as set), map. */
static int port_open(struct port *p, const char *name, uint32_t mode)
{
	int err;

	p->fd = dev_open();
	if (p->fd < 0)
		return errno;
	p->reg.nr_mode = mode;
	err = raw_ctrl(p->fd, NETMAP_REQ_REGISTER, name, &p->reg);
	if (!err) {
		p->mem = mmap(NULL, p->reg.nr_memsize, PROT_READ | PROT_WRITE,
			      MAP_SHARED, p->fd, 0);
		if (p->mem == MAP_FAILED)
			err = errno;
	}
	if (err) {
		close(p->fd);
		p->fd = -1;
		p->mem = NULL;
		return err;
	}
	p->nifp = (struct netmap_if *)(p->mem + p->reg.nr_offset);
	return 0;
}

static void port_close(struct port *p)
{
	if (p->fd >= 0) {
		if (p->mem)
			munmap(p->mem, p->reg.nr_memsize);
		close(p->fd);
	}
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static struct netmap_ring *txring(struct port *p, unsigned int i)
{
	return (struct netmap_ring *)((char *)p->nifp + p->nifp->ring_ofs[i]);
}

static struct netmap_ring *rxring(struct port *p, unsigned int i)
{
	unsigned int k = p->nifp->ni_tx_rings + p->nifp->ni_host_tx_rings + i;

	return (struct netmap_ring *)((char *)p->nifp + p->nifp->ring_ofs[k]);
}

static long param_get(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? atol(buf) : -1;
}

static int param_set(const char *name, long v)
{
	char path[128];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return errno;
	r = fprintf(f, "%ld\n", v) < 0;
	return fclose(f) || r ? EIO : 0;
}

/* Does the kernel log hold a line containing what? */
static int klog_has(const char *what)
{
	int n = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int found;

	if (n <= 0)
		return 0;
	buf = calloc(1, (size_t)n + 1);
	if (!buf)
		return 0;
	n = klogctl(3, buf, n);		/* SYSLOG_ACTION_READ_ALL */
	found = n > 0 && strstr(buf, what) != NULL;
	free(buf);
	return found;
}

/*
 * Run fn(arg) in a child process as uid/gid 65534 (no capabilities) and
 * return what it returns (an errno, 0 for success), or -1 when the child
 * did not exit normally.  /dev/netmap is made world-accessible around
 * the call by the caller (as_nobody_begin/end).
 */
static int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(250);
		_exit(fn(arg) & 0xff);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void dev_world_rw(int on)
{
	chmod("/dev/netmap", on ? 0666 : 0600);
}

/* ---------------------------------------------------------------- */
/* 3.1: the data paths and a registration being undone              */
/* ---------------------------------------------------------------- */

struct race {
	int fd;
	volatile int stop;
	long regs, other_err;
	long probes, mmap_ok, poll_ok, sync_ok;
};

/*
 * A null port in the global region with an option the registration does
 * not consume: it registers, then is undone (10.8), over and over.
 */
static void *race_register(void *arg)
{
	struct race *r = arg;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct nmreq_register reg = {
			.nr_mode = NR_REG_NULL, .nr_mem_id = 1,
			.nr_tx_rings = 1, .nr_rx_rings = 1,
			.nr_tx_slots = 64, .nr_rx_slots = 64,
		};
		struct nmreq_option opt = {
			.nro_reqtype = NETMAP_REQ_OPT_MAX + 7,
		};
		int err = raw_ctrl_opts(r->fd, NETMAP_REQ_REGISTER, "race", &reg,
				    &opt);

		r->regs++;
		if (err != EOPNOTSUPP)
			r->other_err++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (r->regs < 20000 && t.tv_sec - t0.tv_sec < 4);
	r->stop = 1;
	return NULL;
}

/* Any request, then the data paths, which must all refuse. */
static void *race_probe(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN | POLLOUT };
		void *m;

		ioctl(r->fd, NIOCCTRL, NULL);
		m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, r->fd, 0);
		if (m != MAP_FAILED) {
			r->mmap_ok++;
			munmap(m, 4096);
		}
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLERR))
			r->poll_ok++;
		if (ioctl(r->fd, NIOCTXSYNC, NULL) == 0 || errno != ENXIO)
			r->sync_ok++;
		r->probes++;
	}
	return NULL;
}

static void test_bound_race(void)
{
	struct race r = { 0 };
	pthread_t a, b;

	r.fd = dev_open();
	if (!ok(r.fd >= 0, "3.1: open /dev/netmap"))
		return;
	pthread_create(&b, NULL, race_probe, &r);
	pthread_create(&a, NULL, race_register, &r);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("# %ld undone registrations, %ld probes\n", r.regs, r.probes);
	is_int(r.other_err, 0, "3.1: every registration with an unconsumed "
	       "option fails with EOPNOTSUPP");
	ok(r.probes > 100, "3.1: the probing thread ran (%ld rounds)", r.probes);
	is_int(r.mmap_ok, 0, "3.1: mmap never maps a binding being undone");
	is_int(r.poll_ok, 0, "3.1: poll says POLLERR throughout");
	is_int(r.sync_ok, 0, "3.1: NIOCTXSYNC says ENXIO throughout");
	{
		struct port p = { .fd = -1 };

		/* The descriptor is still usable for a real registration. */
		p.reg.nr_mem_id = 1;
		p.reg.nr_tx_rings = p.reg.nr_rx_rings = 1;
		p.reg.nr_tx_slots = p.reg.nr_rx_slots = 64;
		p.reg.nr_mode = NR_REG_NULL;
		is_errno(raw_ctrl(r.fd, NETMAP_REQ_REGISTER, "race", &p.reg), 0,
			 "3.1: then a registration without options succeeds");
		p.mem = mmap(NULL, p.reg.nr_memsize, PROT_READ, MAP_SHARED,
			     r.fd, 0);
		ok(p.mem != MAP_FAILED, "3.1: and the region maps");
		if (p.mem != MAP_FAILED)
			munmap(p.mem, p.reg.nr_memsize);
	}
	close(r.fd);
}

/* ---------------------------------------------------------------- */
/* 3.3: null port counts, extra buffers                             */
/* ---------------------------------------------------------------- */

static void test_null_clamp(void)
{
	long if_size = param_get("if_curr_size");
	long ring_size = param_get("ring_curr_size");
	long entries = (if_size - 56) / 8, max_slots = (ring_size - 256) / 16;
	struct port p = { .fd = -1 };
	int err;

	ok(if_size > 0 && ring_size > 0, "3.3: region 1 geometry: netmap_if "
	   "%ld bytes (%ld ring offsets), rings %ld bytes (%ld slots)",
	   if_size, entries, ring_size, max_slots);
	p.reg.nr_mem_id = 1;
	p.reg.nr_tx_rings = p.reg.nr_rx_rings = 65535;
	p.reg.nr_tx_slots = p.reg.nr_rx_slots = 16;
	err = port_open(&p, "clamp", NR_REG_NULL);
	is_errno(err, 0, "3.3: null port asking 65535 rings each way");
	if (!err) {
		is_int(p.reg.nr_tx_rings, (entries - 2) / 2,
		       "3.3: tx rings clamped to half the ring offsets");
		is_int(p.reg.nr_rx_rings, entries - 2 - (entries - 2) / 2,
		       "3.3: rx rings get the rest (fake host rings counted)");
		is_int(p.nifp->ni_tx_rings, p.reg.nr_tx_rings,
		       "3.3: the netmap_if shows the tx rings honoured");
		is_int(p.nifp->ni_rx_rings, p.reg.nr_rx_rings,
		       "3.3: the netmap_if shows the rx rings honoured");
		is_int(rxring(&p, p.reg.nr_rx_rings - 1)->num_slots, 16,
		       "3.3: the last rx ring is there, 16 slots");
	}
	port_close(&p);

	memset(&p, 0, sizeof(p));
	p.reg.nr_mem_id = 1;
	p.reg.nr_tx_rings = 3;
	p.reg.nr_rx_rings = 0;
	p.reg.nr_tx_slots = 65535;
	err = port_open(&p, "clamp", NR_REG_NULL);
	is_errno(err, 0, "3.3: null port asking 65535 slots");
	if (!err) {
		is_int(p.reg.nr_tx_slots, max_slots,
		       "3.3: slots clamped to what a ring object holds");
		is_int(p.reg.nr_tx_rings, 3, "3.3: 3 tx rings as asked");
		is_int(p.reg.nr_rx_rings, 0, "3.3: 0 rx rings as asked");
		is_int(txring(&p, 2)->num_slots, max_slots,
		       "3.3: the rings have that many slots");
	}
	port_close(&p);
}

static uint32_t list_len(struct port *p, uint32_t nbufs)
{
	struct netmap_ring *r = txring(p, 0);
	uint32_t idx = p->nifp->ni_bufs_head, n = 0;

	while (idx >= 2 && idx < nbufs && n <= nbufs) {
		n++;
		idx = *(uint32_t *)((char *)r + r->buf_ofs +
				   (size_t)idx * r->nr_buf_size);
	}
	return n;
}

static void test_extra_bufs(void)
{
	long nbufs = param_get("buf_curr_num");
	struct port a = { .fd = -1 }, b = { .fd = -1 }, c = { .fd = -1 };
	int err;

	a.reg.nr_mem_id = 1;
	a.reg.nr_tx_rings = 1;
	a.reg.nr_tx_slots = 64;
	a.reg.nr_extra_bufs = 1000000;
	err = port_open(&a, "xb", NR_REG_NULL);
	is_errno(err, 0, "3.3: null port in region 1 asking 1000000 extra "
		 "buffers");
	if (err)
		return;
	ok(a.reg.nr_extra_bufs > 0 &&
	   a.reg.nr_extra_bufs <= (uint32_t)(nbufs - 2 - 64) / 2,
	   "3.3: granted %u, at most half of the %ld free buffers of the "
	   "shared region", a.reg.nr_extra_bufs, nbufs - 2 - 64);
	is_int(list_len(&a, (uint32_t)nbufs), a.reg.nr_extra_bufs,
	       "3.3: ni_bufs_head lists that many");
	ok(klog_has("extra buffers asked, at most"),
	   "3.3: the kernel log says why fewer were granted");

	b.reg.nr_mem_id = 1;
	b.reg.nr_tx_rings = 1;
	b.reg.nr_tx_slots = 64;
	b.reg.nr_extra_bufs = 1000000;
	err = port_open(&b, "xb", NR_REG_NULL);
	is_errno(err, 0, "3.3: a second binding asking as many");
	if (!err)
		ok(b.reg.nr_extra_bufs > 0 &&
		   b.reg.nr_extra_bufs <= a.reg.nr_extra_bufs / 2 + 64,
		   "3.3: gets half of what was left (%u)", b.reg.nr_extra_bufs);
	c.reg.nr_mem_id = 1;
	c.reg.nr_tx_rings = c.reg.nr_rx_rings = 4;
	c.reg.nr_tx_slots = c.reg.nr_rx_slots = 1024;
	is_errno(port_open(&c, "xb", NR_REG_NULL), 0,
		 "3.3: a third binding still gets 8 rings of 1024 buffers");
	port_close(&c);
	port_close(&b);
	port_close(&a);

	memset(&a, 0, sizeof(a));
	a.reg.nr_tx_slots = a.reg.nr_rx_slots = 64;
	a.reg.nr_extra_bufs = 1000;
	err = port_open(&a, "valeTX:e", NR_REG_ALL_NIC);
	is_errno(err, 0, "3.3: VALE port with its own region, 1000 extra "
		 "buffers");
	if (!err) {
		struct nmreq_pools_info pi = { 0 };

		is_int(a.reg.nr_extra_bufs, 1000,
		       "3.3: all granted: the region was sized for them");
		raw_ctrl(a.fd, NETMAP_REQ_POOLS_INFO_GET, "valeTX:e", &pi);
		is_int(list_len(&a, pi.nr_buf_pool_objtotal), 1000,
		       "3.3: ni_bufs_head lists 1000");
	}
	port_close(&a);
}

/* ---------------------------------------------------------------- */
/* 3.5: regions are their creator's                                 */
/* ---------------------------------------------------------------- */

struct reg_try {
	const char *name;
	uint32_t mode;
	uint16_t mem_id;
};

/* Register (and map) as described; the errno. */
static int try_register(void *arg)
{
	const struct reg_try *t = arg;
	struct port p = { .fd = -1 };
	int err;

	p.reg.nr_mem_id = t->mem_id;
	p.reg.nr_tx_slots = p.reg.nr_rx_slots = 64;
	if (t->mode == NR_REG_NULL)
		p.reg.nr_tx_rings = p.reg.nr_rx_rings = 1;
	err = port_open(&p, t->name, t->mode);
	port_close(&p);
	return err;
}

static int try_as_nobody(const char *name, uint32_t mode, uint16_t mem_id)
{
	struct reg_try t = { name, mode, mem_id };

	return as_nobody(try_register, &t);
}

static void test_region_owner(void)
{
	struct port a = { .fd = -1 }, pp = { .fd = -1 };
	uint16_t mem;
	int err;

	is_int(param_get("shared_regions"), 0,
	       "3.5: shared_regions is 0 by default");
	a.reg.nr_tx_slots = a.reg.nr_rx_slots = 64;
	err = port_open(&a, "valeTR:a", NR_REG_ALL_NIC);
	is_errno(err, 0, "3.5: root creates valeTR:a");
	if (err)
		return;
	mem = a.reg.nr_mem_id;
	dev_world_rw(1);
	is_errno(try_as_nobody("valeTR:a", NR_REG_ALL_NIC, 0), EPERM,
		 "3.5: another uid cannot bind root's port (EPERM)");
	is_errno(try_as_nobody("valeTR:u", NR_REG_ALL_NIC, mem), EPERM,
		 "3.5: nor create a port in root's region %u", mem);
	is_errno(try_as_nobody("nul", NR_REG_NULL, mem), EPERM,
		 "3.5: nor a null port in it");
	is_errno(try_as_nobody("valeTR:u", NR_REG_ALL_NIC, 0), 0,
		 "3.5: it can create its own port on the same switch");
	is_errno(try_as_nobody("nul", NR_REG_NULL, 1), 0,
		 "3.5: and a null port in the global region (shared)");
	pp.reg.nr_tx_slots = pp.reg.nr_rx_slots = 64;
	err = port_open(&pp, "trp{0", NR_REG_ALL_NIC);
	is_errno(err, 0, "3.5: root opens pipe end trp{0");
	if (!err)
		is_errno(try_as_nobody("trp}0", NR_REG_ALL_NIC, 0),
			 EPERM, "3.5: another uid cannot open its peer");
	is_errno(param_set("shared_regions", 1), 0, "3.5: shared_regions=1");
	is_errno(try_as_nobody("valeTR:a", NR_REG_ALL_NIC, 0), 0,
		 "3.5: then another uid may bind root's port");
	if (!err)
		is_errno(try_as_nobody("trp}0", NR_REG_ALL_NIC, 0), 0,
			 "3.5: and open the pipe's peer");
	is_errno(param_set("shared_regions", 0), 0, "3.5: shared_regions=0");
	dev_world_rw(0);
	port_close(&pp);
	port_close(&a);
}

/* ---------------------------------------------------------------- */
/* 3.4: network devices take CAP_NET_ADMIN                          */
/* ---------------------------------------------------------------- */

static int try_ifreq(uint16_t type, const char *name)
{
	struct nmreq_vale_newif nif = { 0 };
	int fd = dev_open(), err;

	if (fd < 0)
		return errno;
	err = raw_ctrl(fd, type, name, type == NETMAP_REQ_VALE_NEWIF ? &nif : NULL);
	close(fd);
	return err;
}

static int try_newif(void *arg)
{
	return try_ifreq(NETMAP_REQ_VALE_NEWIF, arg);
}

static int try_delif(void *arg)
{
	return try_ifreq(NETMAP_REQ_VALE_DELIF, arg);
}

/*
 * The capability decides, not the uid: uid 65534 holding CAP_NET_ADMIN
 * (kept across setuid, then made effective) creates and removes trn2.
 * Returns 0, an errno, or 200 + step when the credentials could not be
 * set up.
 */
static int try_newif_capable(void *arg)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	const char *name = arg;
	int err;

	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 201;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &hdr, data))
		return 202;
	err = try_newif((void *)name);
	if (err)
		return err;
	if (!if_nametoindex(name))
		return 203;
	return try_delif((void *)name);
}

/* Run fn(arg) in a child process as root; what it returns, or -1. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn(arg) & 0xff);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_netdev_admin(void)
{
	int r;

	dev_world_rw(1);
	is_errno(as_nobody(try_newif, (void *)"trn0"), EPERM,
		 "3.4: VALE_NEWIF without CAP_NET_ADMIN: EPERM");
	ok(!if_nametoindex("trn0"), "3.4: and no interface trn0");
	is_errno(try_as_nobody("trq{0", NR_REG_ALL_NIC, 0), EPERM,
		 "3.4: a pipe whose parent would be created: EPERM");
	ok(!if_nametoindex("trq"), "3.4: and no interface trq");
	is_errno(try_newif("tr{1"), EINVAL, "VALE_NEWIF of a name with a "
		 "brace (a pipe's name, never found again): EINVAL");
	is_errno(try_newif("trn1"), 0, "3.4: root creates trn1");
	is_errno(as_nobody(try_delif, (void *)"trn1"), EPERM,
		 "3.4: VALE_DELIF without CAP_NET_ADMIN: EPERM");
	ok(if_nametoindex("trn1") > 0, "3.4: trn1 is still there");
	is_errno(try_delif("trn1"), 0, "3.4: root removes it");
	r = in_child(try_newif_capable, (void *)"trn2");
	is_errno(r, 0, "3.4: uid 65534 with CAP_NET_ADMIN creates and "
		 "removes trn2");
	ok(!if_nametoindex("trn2"), "3.4: trn2 is gone");
	dev_world_rw(0);
}

/* ---------------------------------------------------------------- */
/* 3.2: NS_INDIRECT on a page that does not come                    */
/* ---------------------------------------------------------------- */

struct uf_sender {
	struct port *p;
	volatile int done;
	int err;
};

static void *uf_send(void *arg)
{
	struct uf_sender *s = arg;

	s->err = ERR(ioctl(s->p->fd, NIOCTXSYNC, NULL));
	s->done = 1;
	return NULL;
}

struct uf_adder {
	volatile int done;
	int reg_err, list_err;
	struct port c;
};

/* Port add on the same switch, then another control request. */
static void *uf_add(void *arg)
{
	struct uf_adder *a = arg;
	struct nmreq_vale_list l = { 0 };
	int fd;

	a->c.reg.nr_tx_slots = a->c.reg.nr_rx_slots = 64;
	a->reg_err = port_open(&a->c, "valeTU:c", NR_REG_ALL_NIC);
	fd = dev_open();
	a->list_err = raw_ctrl(fd, NETMAP_REQ_VALE_LIST, "valeTU:c", &l);
	close(fd);
	a->done = 1;
	return NULL;
}

static int wait_flag(volatile int *flag, int seconds)
{
	int i;

	for (i = 0; i < seconds * 100 && !*flag; i++)
		usleep(10000);
	return *flag;
}

static void test_indirect_uffd(void)
{
	struct port a = { .fd = -1 }, b = { .fd = -1 };
	struct uf_sender s = { 0 };
	struct uf_adder ad = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register ureg;
	struct uffdio_copy cp;
	char *frame;
	struct uffd_msg msg;
	struct pollfd pfd;
	struct netmap_ring *r;
	pthread_t st, at;
	long page = sysconf(_SC_PAGESIZE);
	char *mem;
	int uffd, got_fault, added;

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		tap_skip("3.2: userfaultfd: %s (kernel without CONFIG_USERFAULTFD)",
		     strerror(errno));
		return;
	}
	if (!ok(ioctl(uffd, UFFDIO_API, &api) == 0, "3.2: userfaultfd API"))
		return;
	mem = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ureg.range.start = (uintptr_t)mem;
	ureg.range.len = page;
	ureg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (!ok(ioctl(uffd, UFFDIO_REGISTER, &ureg) == 0,
		"3.2: a page registered for missing-page faults"))
		return;
	a.reg.nr_tx_slots = a.reg.nr_rx_slots = 64;
	b.reg.nr_tx_slots = b.reg.nr_rx_slots = 64;
	if (!ok(port_open(&a, "valeTU:a", NR_REG_ALL_NIC) == 0 &&
		port_open(&b, "valeTU:b", NR_REG_ALL_NIC) == 0,
		"3.2: sender valeTU:a and receiver valeTU:b"))
		goto out;
	r = txring(&a, 0);
	r->slot[0].flags = NS_INDIRECT;
	r->slot[0].ptr = (uintptr_t)mem;
	r->slot[0].len = 60;
	r->head = r->cur = 1;
	s.p = &a;
	pthread_create(&st, NULL, uf_send, &s);
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	got_fault = poll(&pfd, 1, 30000) == 1 &&
		    read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.event == UFFD_EVENT_PAGEFAULT;
	ok(got_fault && !s.done,
	   "3.2: the sender's NIOCTXSYNC waits on the indirect page");
	pthread_create(&at, NULL, uf_add, &ad);
	added = wait_flag(&ad.done, 30);
	ok(added, "3.2: a port add on that switch completes meanwhile");
	if (added) {
		is_errno(ad.reg_err, 0, "3.2: valeTU:c registered");
		is_errno(ad.list_err, 0, "3.2: VALE_LIST completes too");
	}
	ok(!s.done, "3.2: the sender still waits");
	/*
	 * Let the page come, with a broadcast frame: the sender forwards,
	 * the adder (if stuck) ends.
	 */
	frame = calloc(1, page);
	memset(frame, 0xff, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x07", 6);
	memset(frame + 12, 0x3c, 48);
	cp.dst = (uintptr_t)mem;
	cp.src = (uintptr_t)frame;
	cp.len = page;
	cp.mode = 0;
	cp.copy = 0;
	ok(ioctl(uffd, UFFDIO_COPY, &cp) == 0, "3.2: the page arrives");
	free(frame);
	pthread_join(st, NULL);
	pthread_join(at, NULL);
	is_errno(s.err, 0, "3.2: NIOCTXSYNC then returns 0");
	{
		struct netmap_ring *rr = rxring(&b, 0);

		ioctl(b.fd, NIOCRXSYNC, NULL);
		is_int(rr->tail - rr->head, 1, "3.2: valeTU:b receives the frame");
		is_int(rr->slot[rr->head].len, 60, "3.2: of 60 bytes");
		ok(!memcmp((char *)rr + rr->buf_ofs + (size_t)rr->slot[rr->head]
			   .buf_idx * rr->nr_buf_size + 6,
			   "\x02\x00\x00\x00\x00\x07", 6),
		   "3.2: copied from the indirect page");
	}
	port_close(&ad.c);
out:
	port_close(&b);
	port_close(&a);
	munmap(mem, page);
	close(uffd);
}

/* With arguments, only the sections named (3.1 ... 3.5). */
static int want(int argc, char **argv, const char *section)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], section))
			return 1;
	return argc < 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (want(argc, argv, "3.3")) {
		test_null_clamp();
		test_extra_bufs();
	}
	if (want(argc, argv, "3.5"))
		test_region_owner();
	if (want(argc, argv, "3.4"))
		test_netdev_admin();
	if (want(argc, argv, "3.2"))
		test_indirect_uffd();
	if (want(argc, argv, "3.1"))
		test_bound_race();
	return tap_done();
}
