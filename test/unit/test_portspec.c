// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the libnetmap port specification parser (spec 14.2):
 * a table of spec strings with the request each one must produce, or the
 * errno and message it must fail with; then the @share, @extmem and
 * @offset options, which need the (fake) backend or a file, and the
 * public nmreq_* helpers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libnetmap.h"
#include "tap.h"

#define FAKE_BACKEND_DECLS_ONLY
#include "fake_backend.c"

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define ALL	NR_REG_ALL_NIC

struct spec_case {
	const char *spec;
	int err;		/* expected errno; 0 = must parse */
	const char *msg;	/* error: fragment of the message */
	const char *name;	/* success: kernel name */
	uint32_t mode;
	uint16_t ringid;
	uint64_t flags;
	uint16_t mem_id;
	/* @conf results (checked when conf is set) */
	int conf;
	uint16_t tx_rings, rx_rings, host_tx_rings, host_rx_rings;
	uint32_t tx_slots, rx_slots;
};

#define GOOD(s, n, m, r, f, id) \
	{ .spec = s, .name = n, .mode = m, .ringid = r, .flags = f, .mem_id = id }
#define BAD(s, e, frag) { .spec = s, .err = e, .msg = frag }
#define CONF(s, n, txr, rxr, htx, hrx, txs, rxs)                             \
	{ .spec = s, .name = n, .mode = ALL, .conf = 1, .tx_rings = txr,     \
	  .rx_rings = rxr, .host_tx_rings = htx, .host_rx_rings = hrx,        \
	  .tx_slots = txs, .rx_slots = rxs }

/* 63 and 64 characters after "netmap:" */
#define N63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
#define N64 N63 "l"
#define N57 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcde"

static const struct spec_case cases[] = {
	/* prefixes (rule 1) */
	GOOD("netmap:eth0", "eth0", ALL, 0, 0, 0),
	GOOD("vale0:a", "vale0:a", ALL, 0, 0, 0),
	GOOD("netmap:vale0:a", "vale0:a", ALL, 0, 0, 0),
	GOOD("valeA_1:b", "valeA_1:b", ALL, 0, 0, 0),
	GOOD("vale:x", "vale:x", ALL, 0, 0, 0),
	GOOD("netmap:vale0:0", "vale0:0", ALL, 0, 0, 0),
	BAD("eth0", EINVAL, "missing prefix; expected 'netmap:<name>'"),
	BAD("", EINVAL, "missing prefix"),
	BAD("netmapx:eth0", EINVAL, "unknown prefix 'netmapx:'"),
	BAD("pcap:eth0", EINVAL, "unknown prefix 'pcap:'"),
	BAD("vale0", EINVAL, "missing ':' after switch name 'vale0'"),
	BAD("vale0-1", EINVAL, "missing ':' after switch name 'vale0'"),
	BAD("vale.0:a", EINVAL, "invalid character '.' in switch name 'vale.'"),
	BAD("netmap", EINVAL, "missing prefix"),

	/* names (rule 2) */
	GOOD("netmap:eth0.123", "eth0.123", ALL, 0, 0, 0),
	GOOD("netmap:eth0&", "eth0&", ALL, 0, 0, 0),
	GOOD("netmap:foo+", "foo+", ALL, 0, 0, 0),
	GOOD("netmap:eth0{3", "eth0{3", ALL, 0, 0, 0),
	GOOD("vale0:p}in", "vale0:p}in", ALL, 0, 0, 0),
	GOOD("netmap:pipe{a_1", "pipe{a_1", ALL, 0, 0, 0),
	GOOD("netmap:eth0{3-1", "eth0{3", NR_REG_ONE_NIC, 1, 0, 0),
	BAD("netmap:x{", EINVAL, "empty pipe id after '{'"),
	BAD("netmap:x}", EINVAL, "empty pipe id after '}'"),
	BAD("netmap:x{1}2", EINVAL, "invalid pipe id '1}2' after '{'"),
	BAD("netmap:x{a.b", EINVAL, "invalid pipe id 'a.b'"),
	BAD("netmap:x{-1", EINVAL, "empty pipe id after '{'"),
	BAD("netmap:", EINVAL, "empty port name after 'netmap:'"),
	BAD("netmap:-1", EINVAL, "empty port name after 'netmap:'"),
	BAD("vale0:", EINVAL, "empty port name after 'vale0:'"),
	BAD("vale0:^", EINVAL, "empty port name after 'vale0:'"),
	GOOD("netmap:" N63, N63, ALL, 0, 0, 0),
	BAD("netmap:" N64, EINVAL, "port name is 64 characters long; at most 63"),
	GOOD("vale0:" N57, "vale0:" N57, ALL, 0, 0, 0),
	BAD("vale0:" N57 "f", EINVAL, "port name is 64 characters long"),

	/* modes (rule 3) */
	GOOD("netmap:eth0^", "eth0", NR_REG_SW, 0, 0, 0),
	GOOD("netmap:eth0^3", "eth0", NR_REG_ONE_SW, 3, 0, 0),
	GOOD("netmap:eth0*", "eth0", NR_REG_NIC_SW, 0, 0, 0),
	GOOD("netmap:eth0-2", "eth0", NR_REG_ONE_NIC, 2, 0, 0),
	GOOD("netmap:eth0-0", "eth0", NR_REG_ONE_NIC, 0, 0, 0),
	GOOD("netmap:eth0-007", "eth0", NR_REG_ONE_NIC, 7, 0, 0),
	GOOD("netmap:eth0-4094", "eth0", NR_REG_ONE_NIC, 4094, 0, 0),
	GOOD("netmap:eth0^4094", "eth0", NR_REG_ONE_SW, 4094, 0, 0),
	BAD("netmap:eth0-4095", EINVAL,
	    "ring number in '-4095' out of range; expected at most 4094"),
	BAD("netmap:eth0^4095", EINVAL, "ring number in '^4095' out of range"),
	BAD("netmap:eth0-99999999999999999999999", EINVAL, "out of range"),
	BAD("netmap:eth0-", EINVAL, "missing ring number after '-'"),
	BAD("netmap:eth0-x", EINVAL, "missing ring number after '-'"),
	BAD("netmap:eth0-1x", EINVAL, "unexpected 'x' after ring mode '-1'; expected '/' or '@'"),
	BAD("netmap:eth0*1", EINVAL, "unexpected '1' after ring mode '*'"),
	BAD("netmap:eth0^^", EINVAL, "unexpected '^' after ring mode '^'"),
	BAD("netmap:eth0-1-2", EINVAL, "unexpected '-' after ring mode '-1'"),
	BAD("netmap:eth0*^", EINVAL, "unexpected '^' after ring mode '*'"),

	/* flags (rule 4) */
	GOOD("netmap:eth0/x", "eth0", ALL, 0, NR_EXCLUSIVE, 0),
	GOOD("netmap:eth0/z", "eth0", ALL, 0, NR_ZCOPY_MON, 0),
	GOOD("netmap:eth0/t", "eth0", ALL, 0, NR_MONITOR_TX, 0),
	GOOD("netmap:eth0/r", "eth0", ALL, 0, NR_MONITOR_RX, 0),
	GOOD("netmap:eth0/R", "eth0", ALL, 0, NR_RX_RINGS_ONLY, 0),
	GOOD("netmap:eth0/T", "eth0", ALL, 0, NR_TX_RINGS_ONLY, 0),
	GOOD("netmap:eth0/xztrRT", "eth0", ALL, 0,
	     NR_EXCLUSIVE | NR_ZCOPY_MON | NR_MONITOR_TX | NR_MONITOR_RX |
	     NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY, 0),
	GOOD("netmap:eth0/xx", "eth0", ALL, 0, NR_EXCLUSIVE, 0),
	GOOD("netmap:eth0-1/rt", "eth0", NR_REG_ONE_NIC, 1, NR_MONITOR_TX | NR_MONITOR_RX, 0),
	GOOD("netmap:eth0^/R", "eth0", NR_REG_SW, 0, NR_RX_RINGS_ONLY, 0),
	GOOD("netmap:eth0*/x@4", "eth0", NR_REG_NIC_SW, 0, NR_EXCLUSIVE, 4),
	BAD("netmap:eth0/", EINVAL, "empty flag list after '/'; expected one of x z t r R T"),
	BAD("netmap:eth0/@2", EINVAL, "empty flag list after '/'"),
	BAD("vale0:a/q", EINVAL, "unknown flag 'q'; expected one of x z t r R T"),
	BAD("netmap:eth0/xX", EINVAL, "unknown flag 'X'"),
	BAD("netmap:eth0/x/z", EINVAL, "unknown flag '/'"),
	BAD("netmap:eth0/x-1", EINVAL, "unknown flag '-'"),

	/* memory ids (rule 5) */
	GOOD("netmap:eth0@2", "eth0", ALL, 0, 0, 2),
	GOOD("vale0:a@65535", "vale0:a", ALL, 0, 0, 65535),
	GOOD("netmap:eth0-1@7", "eth0", NR_REG_ONE_NIC, 1, 0, 7),
	GOOD("netmap:eth0@2@2", "eth0", ALL, 0, 0, 2),
	BAD("netmap:eth0@2@3", EINVAL, "conflicting memory ids 2 and 3 (from '@3')"),
	BAD("netmap:eth0@0", EINVAL, "invalid memory id '@0'; expected a number from 1 to 65535"),
	BAD("netmap:eth0@65536", EINVAL, "invalid memory id '@65536'"),
	BAD("netmap:eth0@", EINVAL, "empty option after '@'"),
	BAD("netmap:eth0@2@", EINVAL, "empty option after '@'"),
	BAD("netmap:eth0@@2", EINVAL, "empty option after '@'"),
	BAD("netmap:eth0@2x", EINVAL, "unexpected 'x' after memory id '@2'"),
	BAD("netmap:eth0@2/x", EINVAL, "unexpected '/' after memory id '@2'"),

	/* @conf (rule 6) */
	CONF("netmap:eth0@conf:rings=2,slots=512", "eth0", 2, 2, 0, 0, 512, 512),
	CONF("vale0:a@conf=4", "vale0:a", 4, 4, 0, 0, 0, 0),
	CONF("vale0:a@conf:rings=4,tx-rings=2", "vale0:a", 2, 4, 0, 0, 0, 0),
	CONF("vale0:a@conf:tx-rings=2,rings=4", "vale0:a", 2, 4, 0, 0, 0, 0),
	CONF("vale0:a@conf:tx_rings=3,rx_rings=5", "vale0:a", 3, 5, 0, 0, 0, 0),
	CONF("netmap:eth0@conf:host-rings=2", "eth0", 0, 0, 2, 2, 0, 0),
	CONF("netmap:eth0@conf:host-tx-rings=2,host_rx_rings=3", "eth0", 0, 0, 2, 3, 0, 0),
	CONF("vale0:a@conf:tx-slots=64,rx-slots=128", "vale0:a", 0, 0, 0, 0, 64, 128),
	CONF("vale0:a@conf:slots=100000", "vale0:a", 0, 0, 0, 0, 100000, 100000),
	CONF("vale0:a@conf:rings=2@conf:slots=16", "vale0:a", 2, 2, 0, 0, 16, 16),
	CONF("vale0:a@conf:rings=65535", "vale0:a", 65535, 65535, 0, 0, 0, 0),
	BAD("vale0:a@conf:rings=65536", EINVAL,
	    "invalid value '65536' for key 'rings' in option 'conf'; "
	    "expected a number from 0 to 65535"),
	BAD("vale0:a@conf:rings=x", EINVAL, "invalid value 'x' for key 'rings'"),
	BAD("vale0:a@conf:rings=-1", EINVAL, "invalid value '-1' for key 'rings'"),
	BAD("vale0:a@conf:slots=4294967296", EINVAL, "invalid value '4294967296' for key 'slots'"),
	BAD("vale0:a@conf:ring=2", EINVAL,
	    "unknown key 'ring' in option 'conf'; expected one of rings, "
	    "host-rings, slots, tx-rings, rx-rings, host-tx-rings, "
	    "host-rx-rings, tx-slots, rx-slots"),
	BAD("vale0:a@conf:rings=2,rings=3", EINVAL, "duplicate key 'rings' in option 'conf'"),
	BAD("vale0:a@conf:tx-rings=2,tx_rings=3", EINVAL,
	    "duplicate key 'tx_rings' in option 'conf'"),
	BAD("vale0:a@conf", EINVAL, "empty option 'conf'"),
	BAD("vale0:a@conf:", EINVAL, "empty key list after 'conf:'"),
	BAD("vale0:a@conf=", EINVAL, "missing value after 'conf='"),
	BAD("vale0:a@conf:rings=", EINVAL, "missing value for key 'rings' in option 'conf'"),
	BAD("vale0:a@conf:rings", EINVAL, "missing '=' after key 'rings' in option 'conf'"),
	BAD("vale0:a@conf:rings=2,", EINVAL, "empty key in option 'conf'"),
	BAD("vale0:a@conf:=2", EINVAL, "empty key in option 'conf'"),

	/* other options */
	BAD("vale0:a@foo", EINVAL,
	    "unknown option 'foo'; expected one of share, conf, extmem, offset"),
	BAD("vale0:a@conf2:rings=1", EINVAL, "unknown option 'conf2'"),
	BAD("vale0:a@share", EINVAL, "option 'share' needs key 'port'"),
	BAD("vale0:a@share:", EINVAL, "empty key list after 'share:'"),
	BAD("vale0:a@share:prt=vale0:b", EINVAL,
	    "unknown key 'prt' in option 'share'; expected one of port"),
	BAD("vale0:a@extmem:if-num=3", EINVAL, "option 'extmem' needs key 'file'"),
	BAD("vale0:a@extmem:file=/x,if-num=z", EINVAL, "invalid value 'z' for key 'if-num'"),
	BAD("vale0:a@offset=64", EOPNOTSUPP,
	    "option 'offset' is disabled (enable it with nmport_enable_option(\"offset\"))"),
	BAD("vale0:a@offset:initial=64,bits=8", EOPNOTSUPP, "option 'offset' is disabled"),
};

static void check_case(const struct spec_case *c)
{
	struct nmport_d *d = nmport_new();
	int ret;

	clear_msgs();
	errno = 0;
	ret = nmport_parse(d, c->spec);
	if (c->err == 0) {
		if (!ok(ret == 0, "'%s' parses", c->spec)) {
			printf("#   errno %d, message: %s\n", errno, last_msg);
		} else {
			int good = !strcmp(d->hdr.nr_name, c->name) &&
				   d->reg.nr_mode == c->mode &&
				   d->reg.nr_ringid == c->ringid &&
				   d->reg.nr_flags == c->flags &&
				   d->reg.nr_mem_id == c->mem_id &&
				   d->hdr.nr_version == NETMAP_API &&
				   d->hdr.nr_reqtype == NETMAP_REQ_REGISTER &&
				   d->hdr.nr_body == (uintptr_t)&d->reg &&
				   d->hdr.nr_options == 0 && nmsgs == 0;

			if (c->conf)
				good = good && d->reg.nr_tx_rings == c->tx_rings &&
				       d->reg.nr_rx_rings == c->rx_rings &&
				       d->reg.nr_host_tx_rings == c->host_tx_rings &&
				       d->reg.nr_host_rx_rings == c->host_rx_rings &&
				       d->reg.nr_tx_slots == c->tx_slots &&
				       d->reg.nr_rx_slots == c->rx_slots;
			if (!ok(good, "'%s' -> name %s mode %u ring %u flags 0x%llx mem %u",
				c->spec, c->name, c->mode, c->ringid,
				(unsigned long long)c->flags, c->mem_id))
				printf("#   got name %s mode %u ring %u flags 0x%llx "
				       "mem %u rings %u/%u host %u/%u slots %u/%u, "
				       "%d messages\n", d->hdr.nr_name,
				       d->reg.nr_mode, d->reg.nr_ringid,
				       (unsigned long long)d->reg.nr_flags,
				       d->reg.nr_mem_id, d->reg.nr_tx_rings,
				       d->reg.nr_rx_rings, d->reg.nr_host_tx_rings,
				       d->reg.nr_host_rx_rings, d->reg.nr_tx_slots,
				       d->reg.nr_rx_slots, nmsgs);
		}
	} else {
		char prefix[512];
		int good;

		snprintf(prefix, sizeof(prefix), "invalid port spec '%s': ",
			 c->spec);
		good = ret == -1 && errno == c->err && nmsgs == 1 &&
		       strncmp(last_msg, prefix, strlen(prefix)) == 0 &&
		       strstr(last_msg, c->msg) != NULL;
		if (!ok(good, "'%s' fails with %s: %s", c->spec,
			c->err == EINVAL ? "EINVAL" : "EOPNOTSUPP", c->msg))
			printf("#   ret %d errno %d, %d messages, last: %s\n",
			       ret, errno, nmsgs, last_msg);
	}
	nmport_delete(d);
}

/* ------------------------------------------------------------------ */
/* Options that talk to the backend or to files                        */
/* ------------------------------------------------------------------ */

static void test_exact_messages(void)
{
	static struct nmctx other_ctx;
	struct nmport_d *d = nmport_new();

	clear_msgs();
	nmport_parse(d, "vale0:a/q");
	is_str(last_msg, "invalid port spec 'vale0:a/q': unknown flag 'q'; "
	       "expected one of x z t r R T", "exact message for an unknown flag");
	clear_msgs();
	nmport_parse(d, "netmap:x{");
	is_str(last_msg, "invalid port spec 'netmap:x{': empty pipe id after '{'",
	       "exact message for an empty pipe id");
	is_str(nmport_last_error(&capture_ctx), last_msg,
	       "nmport_last_error() returns the last message of the context");
	is_str(nmport_last_error(NULL), last_msg,
	       "nmport_last_error(NULL) returns the last message of the thread");
	is_str(nmport_last_error(&other_ctx), "",
	       "nmport_last_error() of another context is empty");
	nmport_delete(d);
}

static void test_share(void)
{
	const struct fake_req *r;
	struct nmport_d *d;

	fake_reset();
	fake.info_mem_id = 3;
	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@share:port=vale0:b"), 0, "@share:port= parses");
	is_int(d->reg.nr_mem_id, 3, "@share takes the mem_id of the shared port");
	r = fake_last(NIOCCTRL, NETMAP_REQ_PORT_INFO_GET);
	ok(r != NULL, "@share sends PORT_INFO_GET");
	if (r) {
		is_str(r->hdr.nr_name, "vale0:b", "PORT_INFO_GET names the shared port");
		is_int(r->hdr.nr_version, NETMAP_API, "PORT_INFO_GET has version 14");
	}
	is_int(fake_open_fds(), 0, "@share closes its control descriptor");
	nmport_delete(d);

	d = nmport_new();
	is_int(nmport_parse(d, "netmap:eth0@share=netmap:eth1-1"), 0,
	       "@share=<port> uses the default key");
	r = fake_last(NIOCCTRL, NETMAP_REQ_PORT_INFO_GET);
	is_str(r ? r->hdr.nr_name : NULL, "eth1", "@share=netmap:eth1-1 asks eth1");
	nmport_delete(d);

	d = nmport_new();
	is_int(nmport_parse(d, "vale0:a@3@share:port=vale0:b"), 0,
	       "@3 then @share with the same id parses");
	nmport_delete(d);

	d = nmport_new();
	clear_msgs();
	errno = 0;
	is_int(nmport_parse(d, "vale0:a@2@share:port=vale0:b"), -1,
	       "@2 then @share of a port in region 3 fails");
	is_int(errno, EINVAL, "conflicting ids give EINVAL");
	ok(strstr(last_msg, "conflicting memory ids 2 and 3 (from @share)") != NULL,
	   "message names the conflict: %s", last_msg);
	nmport_delete(d);

	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@share:port=vale0:b@2"), -1,
	       "@share of region 3 then @2 fails");
	ok(strstr(last_msg, "conflicting memory ids 3 and 2") != NULL,
	   "message names the conflict: %s", last_msg);
	nmport_delete(d);

	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@share:port=eth1"), -1,
	       "@share of a name without prefix fails");
	ok(strstr(last_msg, "invalid port spec 'vale0:a@share:port=eth1': "
		  "missing prefix") != NULL, "and quotes the whole spec: %s", last_msg);
	nmport_delete(d);

	fake.ioctl_err = ENXIO;
	d = nmport_new();
	clear_msgs();
	errno = 0;
	is_int(nmport_parse(d, "vale0:a@share:port=netmap:nosuch0"), -1,
	       "@share of a missing port fails");
	is_int(errno, ENXIO, "with the errno of PORT_INFO_GET");
	is_str(last_msg, "cannot get the memory region of nosuch0: No such device or address",
	       "message names the shared port");
	is_int(nmsgs, 1, "one message");
	is_int(fake_open_fds(), 0, "no descriptor left open");
	nmport_delete(d);

	fake.ioctl_err = 0;
	fake.open_err = EACCES;
	d = nmport_new();
	clear_msgs();
	errno = 0;
	is_int(nmport_parse(d, "vale0:a@share:port=vale0:b"), -1,
	       "@share without a control descriptor fails");
	is_int(errno, EACCES, "with the errno of nmb_open");
	nmport_delete(d);
	fake_reset();
}

static void test_extmem(void)
{
	char path[] = "/tmp/test_portspec_extmemXXXXXX";
	char spec[256];
	struct nmreq_pools_info *pi;
	struct nmreq_option *o;
	struct nmport_d *d;
	int fd = mkstemp(path);

	ok(fd >= 0 && ftruncate(fd, 1 << 20) == 0, "temporary extmem file");
	close(fd);

	d = nmport_new();
	snprintf(spec, sizeof(spec), "vale0:a@extmem:file=%s,if-num=3,if-size=1024,"
		 "ring-num=4,ring-size=8192,buf-num=100,buf-size=2048", path);
	clear_msgs();
	is_int(nmport_parse(d, spec), 0, "@extmem with every key parses");
	pi = nmport_extmem_getinfo(d);
	ok(pi != NULL && d->extmem != NULL, "the port has an extmem option");
	if (pi) {
		is_int(pi->nr_memsize, 1 << 20, "nr_memsize is the file size");
		is_int(pi->nr_if_pool_objtotal, 3, "if-num");
		is_int(pi->nr_if_pool_objsize, 1024, "if-size");
		is_int(pi->nr_ring_pool_objtotal, 4, "ring-num");
		is_int(pi->nr_ring_pool_objsize, 8192, "ring-size");
		is_int(pi->nr_buf_pool_objtotal, 100, "buf-num");
		is_int(pi->nr_buf_pool_objsize, 2048, "buf-size");
		ok(d->extmem->nro_usrptr != 0, "nro_usrptr points to the mapped file");
		memset((void *)(uintptr_t)d->extmem->nro_usrptr, 0xab, 4096);
	}
	o = nmreq_find_option(&d->hdr, NETMAP_REQ_OPT_EXTMEM);
	ok(o == (struct nmreq_option *)d->extmem, "the option is in the header's list");
	nmport_delete(d);

	d = nmport_new();
	snprintf(spec, sizeof(spec), "vale0:a@extmem=%s", path);
	is_int(nmport_parse(d, spec), 0, "@extmem=<file> uses the default key");
	pi = nmport_extmem_getinfo(d);
	is_int(pi ? pi->nr_if_pool_objtotal : 99, 0, "unset keys stay 0 (kernel defaults)");
	nmport_undo_prepare(d);

	d = nmport_new();
	snprintf(spec, sizeof(spec), "vale0:a@extmem=%s@extmem=%s", path, path);
	clear_msgs();
	is_int(nmport_parse(d, spec), -1, "two @extmem options fail");
	ok(strstr(last_msg, "extmem already set") != NULL, "message: %s", last_msg);
	is_int(d->hdr.nr_options, 0, "a failed parse leaves no option behind");
	ok(d->extmem == NULL, "and no extmem");
	nmport_delete(d);

	d = nmport_new();
	snprintf(spec, sizeof(spec), "vale0:a@extmem=%s@conf:rings=x", path);
	is_int(nmport_parse(d, spec), -1, "@extmem followed by a bad option fails");
	is_int(d->hdr.nr_options, 0, "the extmem option is undone");
	nmport_delete(d);

	unlink(path);
	d = nmport_new();
	clear_msgs();
	errno = 0;
	snprintf(spec, sizeof(spec), "vale0:a@extmem:file=%s", path);
	is_int(nmport_parse(d, spec), -1, "@extmem of a missing file fails");
	is_int(errno, ENOENT, "with ENOENT");
	ok(strstr(last_msg, "cannot open extmem file") != NULL && strstr(last_msg, path),
	   "message names the file: %s", last_msg);
	nmport_delete(d);
}

static void test_offset_option(void)
{
	struct nmreq_opt_offsets *off;
	struct nmport_d *d;

	is_int(nmport_enable_option("offset"), 0, "nmport_enable_option(\"offset\")");
	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@offset:initial=64,bits=16"), 0,
	       "@offset parses once enabled");
	off = (struct nmreq_opt_offsets *)nmreq_find_option(&d->hdr, NETMAP_REQ_OPT_OFFSETS);
	ok(off != NULL, "an OFFSETS option is attached");
	if (off) {
		is_int(off->nro_initial_offset, 64, "initial offset");
		is_int(off->nro_max_offset, 64, "max offset = initial");
		is_int(off->nro_offset_bits, 16, "bits");
		is_int(off->nro_min_gap, 0, "no gap");
	}
	nmport_delete(d);

	d = nmport_new();
	is_int(nmport_parse(d, "vale0:a@offset=32"), 0, "@offset=N uses the default key");
	off = (struct nmreq_opt_offsets *)nmreq_find_option(&d->hdr, NETMAP_REQ_OPT_OFFSETS);
	is_int(off ? off->nro_offset_bits : 99, 0, "bits default to 0");
	nmport_delete(d);

	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@offset:bits=8"), -1, "@offset needs initial");
	ok(strstr(last_msg, "option 'offset' needs key 'initial'") != NULL,
	   "message: %s", last_msg);
	nmport_delete(d);

	d = nmport_new();
	clear_msgs();
	is_int(nmport_parse(d, "vale0:a@offset:initial=1,bits=65"), -1, "more than 64 bits fail");
	ok(strstr(last_msg, "expected a number from 0 to 64") != NULL, "message: %s", last_msg);
	nmport_delete(d);

	d = nmport_new();
	is_int(nmport_parse(d, "vale0:a@offset=1@offset=2"), -1, "two @offset fail");
	is_int(d->hdr.nr_options, 0, "and leave no option behind");
	nmport_delete(d);

	is_int(nmport_disable_option("offset"), 0, "nmport_disable_option(\"offset\")");
	d = nmport_new();
	errno = 0;
	is_int(nmport_parse(d, "vale0:a@offset=32"), -1, "@offset is disabled again");
	is_int(errno, EOPNOTSUPP, "EOPNOTSUPP");
	nmport_delete(d);

	errno = 0;
	is_int(nmport_enable_option("bogus"), -1, "enabling an unknown option fails");
	is_int(errno, EOPNOTSUPP, "with EOPNOTSUPP");
	is_int(nmport_disable_option(NULL), -1, "disabling NULL fails");
}

static void test_kind(void)
{
	static const struct {
		const char *spec;
		const char *kind;
	} kinds[] = {
		{ "netmap:eth0", "system interface" },
		{ "netmap:eth0-1/x", "system interface" },
		{ "vale0:a", "VALE ephemeral port" },
		{ "netmap:vale1:b^", "VALE ephemeral port" },
		{ "netmap:eth0{1", "pipe master" },
		{ "vale0:p}in", "pipe slave" },
		{ "vale0:p{in", "pipe master" },
		{ "netmap:eth0/r", "monitor" },
		{ "vale0:a{1/t", "monitor" },
		{ "netmap:eth0/z", "monitor" },
		/* the kernel takes any name starting with "val" as VALE (14.1) */
		{ "netmap:valid0", "VALE ephemeral port" },
		{ "netmap:valx:a", "VALE ephemeral port" },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct nmport_d *d = nmport_new();

		nmport_parse(d, kinds[i].spec);
		is_str(nmport_kind(d), kinds[i].kind, "kind of %s", kinds[i].spec);
		nmport_delete(d);
	}
	{
		struct nmport_d *d = nmport_new();

		nmport_parse(d, "netmap:x");
		d->reg.nr_mode = NR_REG_NULL;
		is_str(nmport_kind(d), "null port", "NR_REG_NULL is a null port");
		is_str(nmport_backend(d), "none", "no backend before registration");
		nmport_delete(d);
	}
}

/* ------------------------------------------------------------------ */
/* The nmreq_* helpers on their own                                    */
/* ------------------------------------------------------------------ */

static int opt_calls;
static char opt_seen[32];

static int test_opt_parse(struct nmreq_parse_ctx *pctx)
{
	opt_calls++;
	/* the values only live during the call */
	snprintf(opt_seen, sizeof(opt_seen), "%s", pctx->keys[1] ? pctx->keys[1] : "");
	return *(int *)pctx->token;
}

static void test_nmreq_helpers(void)
{
	struct nmreq_opt_parser parsers[] = {
		{ .prefix = "thing", .parse = test_opt_parse,
		  .keys = { { "a_b", 0, NMREQ_OPTK_DEFAULT }, { "c", 1, 0 } } },
		{ .prefix = NULL },
	};
	struct nmreq_option o1, o2, o3, *o, *heap;
	struct nmreq_register reg;
	struct nmreq_header hdr;
	const char *p;
	int token = 0, n;

	nmreq_header_init(&hdr, NETMAP_REQ_PORT_INFO_GET, &reg);
	ok(hdr.nr_version == NETMAP_API && hdr.nr_reqtype == NETMAP_REQ_PORT_INFO_GET &&
	   hdr.nr_body == (uintptr_t)&reg && hdr.nr_options == 0 && hdr.nr_name[0] == 0,
	   "nmreq_header_init");

	p = "netmap:eth0-3/x@conf:rings=1";
	is_int(nmreq_header_decode(&p, &hdr, &capture_ctx), 0, "nmreq_header_decode");
	is_str(hdr.nr_name, "eth0", "name decoded");
	is_str(p, "-3/x@conf:rings=1", "pointer left at the mode");
	memset(&reg, 0, sizeof(reg));
	is_int(nmreq_register_decode(&p, &reg, &capture_ctx), 0, "nmreq_register_decode");
	ok(reg.nr_mode == NR_REG_ONE_NIC && reg.nr_ringid == 3 && reg.nr_flags == NR_EXCLUSIVE,
	   "mode, ring and flags decoded");
	is_str(p, "@conf:rings=1", "pointer left at the options");
	p = "@7@conf";
	memset(&reg, 0, sizeof(reg));
	is_int(nmreq_register_decode(&p, &reg, &capture_ctx), 0, "register_decode of '@7@conf'");
	is_int(reg.nr_mem_id, 7, "memory id decoded");
	is_str(p, "@conf", "options left");

	clear_msgs();
	p = "vale0:a-1x";
	is_int(nmreq_header_decode(&p, &hdr, &capture_ctx), 0, "header of 'vale0:a-1x'");
	is_int(nmreq_register_decode(&p, &reg, &capture_ctx), -1, "mode '-1x' fails");
	is_str(last_msg, "invalid port spec '-1x': unexpected 'x' after ring mode "
	       "'-1'; expected '/' or '@'", "message of the public decoder quotes its input");

	is_int(nmreq_options_decode("@thing:a-b=1,c=two", parsers, &token, &capture_ctx), 0,
	       "nmreq_options_decode with a custom parser");
	is_int(opt_calls, 1, "parser called once");
	is_str(opt_seen, "two", "values passed by key index");
	is_int(nmreq_options_decode("@thing=5@thing:c=x", parsers, &token, &capture_ctx), 0,
	       "two options, default key");
	is_int(opt_calls, 3, "parser called for each");
	token = -1;
	is_int(nmreq_options_decode("@thing=5", parsers, &token, &capture_ctx), -1,
	       "a parser failure is returned");
	clear_msgs();
	is_int(nmreq_options_decode("@3", parsers, &token, &capture_ctx), -1,
	       "a memory id is not an option");
	ok(strstr(last_msg, "unexpected memory id '@3'") != NULL, "message: %s", last_msg);
	parsers[0].flags = NMREQ_OPTF_DISABLED;
	errno = 0;
	is_int(nmreq_options_decode("@thing=1", parsers, &token, &capture_ctx), -1,
	       "a disabled parser");
	is_int(errno, EOPNOTSUPP, "gives EOPNOTSUPP");
	is_int(nmreq_options_decode("", parsers, &token, &capture_ctx), 0,
	       "no options at all");

	/* option lists */
	memset(&o1, 0, sizeof(o1));
	memset(&o2, 0, sizeof(o2));
	memset(&o3, 0, sizeof(o3));
	o1.nro_reqtype = NETMAP_REQ_OPT_EXTMEM;
	o2.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	o3.nro_reqtype = NETMAP_REQ_OPT_CSB;
	nmreq_header_init(&hdr, NETMAP_REQ_REGISTER, NULL);
	nmreq_push_option(&hdr, &o1);
	nmreq_push_option(&hdr, &o2);
	nmreq_push_option(&hdr, &o3);
	n = 0;
	nmreq_foreach_option(&hdr, o)
		n++;
	is_int(n, 3, "nmreq_foreach_option visits 3 options");
	ok(hdr.nr_options == (uintptr_t)&o3 && o3.nro_next == (uintptr_t)&o2 &&
	   o2.nro_next == (uintptr_t)&o1 && o1.nro_next == 0, "push inserts at the front");
	ok(nmreq_find_option(&hdr, NETMAP_REQ_OPT_OFFSETS) == &o2, "find OFFSETS");
	ok(nmreq_find_option(&hdr, NETMAP_REQ_OPT_SYNC_KLOOP_MODE) == NULL, "find a missing type");
	nmreq_remove_option(&hdr, &o2);
	ok(o3.nro_next == (uintptr_t)&o1 && o2.nro_next == 0, "remove from the middle");
	nmreq_remove_option(&hdr, &o3);
	ok(hdr.nr_options == (uintptr_t)&o1, "remove the head");
	nmreq_remove_option(&hdr, &o3);
	ok(hdr.nr_options == (uintptr_t)&o1, "removing an absent option is a no-op");
	nmreq_remove_option(&hdr, &o1);
	is_int(hdr.nr_options, 0, "remove the last one");

	heap = calloc(1, sizeof(*heap));
	nmreq_push_option(&hdr, heap);
	nmreq_push_option(&hdr, calloc(1, sizeof(*heap)));
	nmreq_free_options(&hdr);
	is_int(hdr.nr_options, 0, "nmreq_free_options empties the list");

	is_str(nmreq_option_name(NETMAP_REQ_OPT_EXTMEM), "extmem", "option name 1");
	is_str(nmreq_option_name(NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS), "sync-kloop-eventfds",
	       "option name 2");
	is_str(nmreq_option_name(NETMAP_REQ_OPT_CSB), "csb", "option name 3");
	is_str(nmreq_option_name(NETMAP_REQ_OPT_SYNC_KLOOP_MODE), "sync-kloop-mode",
	       "option name 4");
	is_str(nmreq_option_name(NETMAP_REQ_OPT_OFFSETS), "offsets", "option name 5");
	is_str(nmreq_option_name(0), "unknown", "option name 0");
	is_str(nmreq_option_name(1234), "unknown", "option name 1234");
}

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

static int allocs, frees, locks;

static void *count_malloc(struct nmctx *ctx, size_t size)
{
	(void)ctx;
	allocs++;
	return malloc(size);
}

static void count_free(struct nmctx *ctx, void *p)
{
	(void)ctx;
	frees++;
	free(p);
}

static void count_lock(struct nmctx *ctx, int lock)
{
	(void)ctx;
	locks += lock ? 1 : -1;
}

static void test_contexts(void)
{
	struct nmctx own = { .error = capture_error, .malloc = count_malloc,
			     .free = count_free, .lock = count_lock };
	struct nmctx quiet = { 0 };
	struct nmctx *old;
	struct nmport_d *d;

	ok(nmctx_get() == &capture_ctx, "nmctx_get returns the installed default");
	d = nmport_new_with_ctx(&own);
	ok(d && d->ctx == &own, "nmport_new_with_ctx uses the given context");
	clear_msgs();
	is_int(nmport_parse(d, "netmap:eth0@conf:rings=zz"), -1, "parse error in own ctx");
	is_int(nmsgs, 1, "reported through the own context's callback");
	nmport_delete(d);
	ok(allocs > 0 && allocs == frees, "allocations go through the context (%d/%d)",
	   allocs, frees);
	is_int(locks, 0, "locks are balanced");

	old = nmctx_set_default(&quiet);
	ok(old == &capture_ctx, "nmctx_set_default returns the previous default");
	d = nmport_new();
	ok(d && d->ctx == &quiet, "nmport_new uses the new default");
	clear_msgs();
	is_int(nmport_parse(d, "bad"), -1, "error with a silent context");
	is_int(nmsgs, 0, "not seen by the old callback");
	ok(strstr(nmport_last_error(&quiet), "missing prefix") != NULL,
	   "but nmport_last_error still has it");
	nmport_delete(d);
	old = nmctx_set_default(NULL);
	ok(old == &quiet, "set_default(NULL) returns the previous one");
	ok(nmctx_get() != &quiet && nmctx_get() != &capture_ctx && nmctx_get()->verbose,
	   "and restores the built-in verbose context");
	nmctx_set_threadsafe();
	nmctx_lock(nmctx_get());
	nmctx_unlock(nmctx_get());
	ok(1, "the built-in context locks and unlocks");
	nmctx_set_default(&capture_ctx);
}

int main(void)
{
	size_t i;

	fake_reset();
	nmctx_set_default(&capture_ctx);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	test_exact_messages();
	test_share();
	test_extmem();
	test_offset_option();
	test_kind();
	test_nmreq_helpers();
	test_contexts();
	is_int(fake_open_fds(), 0, "no control descriptor left open");
	fake_reset();
	nmctx_set_default(NULL);
	return tap_done();
}
