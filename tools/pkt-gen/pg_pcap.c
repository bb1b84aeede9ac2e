// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen's pcap files (tools.md 8.8): -P templates in, --pcap-out out.
 * libpcap reads pcap (microsecond or nanosecond) and pcapng alike; the
 * writer is a "dead" handle with nanosecond precision, so the file's magic
 * says nanoseconds and every record's fraction field holds them.  Built
 * --without-pcap, the same functions fail with a clear message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pg_pcap.h"

#ifdef HAVE_PCAP
#include <pcap/pcap.h>

#define PG_TPL_MAX_FRAMES	(1u << 30)
#define PG_OUT_BUFFER		(1 << 16)	/* stdio buffer of the output file */

/* ================================================================ templates */

void pg_tpl_free(struct pg_tpl *t)
{
	free(t->data);
	free(t->frame);
	memset(t, 0, sizeof(*t));
}

/* Append one frame; -1 when out of memory. */
static int tpl_add(struct pg_tpl *t, const uint8_t *data, uint32_t len, uint32_t *frames_cap,
		   uint64_t *data_cap)
{
	if (t->count == *frames_cap) {
		uint32_t cap = *frames_cap ? *frames_cap * 2 : 64;
		struct pg_tpl_frame *f = realloc(t->frame, (size_t)cap * sizeof(*f));

		if (!f)
			return -1;
		t->frame = f;
		*frames_cap = cap;
	}
	if (t->bytes + len > *data_cap) {
		uint64_t cap = *data_cap ? *data_cap : 4096;
		uint8_t *d;

		while (cap < t->bytes + len)
			cap *= 2;
		d = realloc(t->data, (size_t)cap);
		if (!d)
			return -1;
		t->data = d;
		*data_cap = cap;
	}
	if (len)
		memcpy(t->data + t->bytes, data, len);
	t->frame[t->count].off = t->bytes;
	t->frame[t->count].len = len;
	if (!t->count || len < t->min_len)
		t->min_len = len;
	if (len > t->max_len)
		t->max_len = len;
	t->count++;
	t->bytes += len;
	return 0;
}

int pg_tpl_load(const char *path, struct pg_tpl *t, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	uint32_t frames_cap = 0;
	uint64_t data_cap = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct stat st;
	pcap_t *p;
	FILE *f;
	int dlt, r;

	memset(t, 0, sizeof(*t));
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
		snprintf(err, errlen, "cannot read %s: the file is empty", path);
		fclose(f);
		return -1;
	}
	/* nanosecond precision: a nanosecond file is read at full resolution */
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!p) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 pcap_err[0] ? pcap_err : "not a pcap or pcapng file");
		fclose(f);
		return -1;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		if (name)
			snprintf(err, errlen, "cannot use %s: link type %s; expected Ethernet "
				 "(EN10MB)", path, name);
		else
			snprintf(err, errlen, "cannot use %s: link type %d; expected Ethernet "
				 "(EN10MB)", path, dlt);
		pcap_close(p);
		return -1;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		if (t->count == PG_TPL_MAX_FRAMES) {
			snprintf(err, errlen, "cannot use %s: more than %u records", path,
				 PG_TPL_MAX_FRAMES);
			goto err_close;
		}
		if (tpl_add(t, data, h->caplen, &frames_cap, &data_cap)) {
			snprintf(err, errlen, "cannot load %s: out of memory at record %u", path,
				 t->count + 1);
			goto err_close;
		}
	}
	if (r != PCAP_ERROR_BREAK) {
		snprintf(err, errlen, "cannot read %s: record %u: %s", path, t->count + 1,
			 pcap_geterr(p));
		goto err_close;
	}
	if (!t->count) {
		snprintf(err, errlen, "cannot use %s: the file holds no packets", path);
		goto err_close;
	}
	pcap_close(p);
	return 0;

err_close:
	pcap_close(p);
	pg_tpl_free(t);
	return -1;
}

/* ================================================================ output */

struct pg_pcap_out {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	FILE *f;
	char *buf;		/* f's buffer */
	uint32_t snaplen;
	uint64_t records;
	int err;		/* errno of the first failure, sticky */
};

struct pg_pcap_out *pg_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen)
{
	struct pg_pcap_out *o = calloc(1, sizeof(*o));

	if (!o) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(ENOMEM));
		return NULL;
	}
	o->snaplen = snaplen;
	o->buf = malloc(PG_OUT_BUFFER);
	o->f = o->buf ? fopen(path, "wb") : NULL;
	if (!o->f) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(o->buf ? errno : ENOMEM));
		goto err_free;
	}
	setvbuf(o->f, o->buf, _IOFBF, PG_OUT_BUFFER);
	o->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!o->dead) {
		snprintf(err, errlen, "cannot open %s: libpcap refused the handle", path);
		goto err_fclose;
	}
	o->dumper = pcap_dump_fopen(o->dead, o->f);
	if (!o->dumper) {
		snprintf(err, errlen, "cannot open %s: %s", path, pcap_geterr(o->dead));
		goto err_dead;
	}
	return o;

err_dead:
	pcap_close(o->dead);
err_fclose:
	fclose(o->f);
err_free:
	free(o->buf);
	free(o);
	return NULL;
}

void pg_pcap_out_write(struct pg_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h;

	if (caplen > o->snaplen)
		caplen = o->snaplen;
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u);	/* nanoseconds: see above */
	h.caplen = caplen;
	h.len = len;
	errno = 0;
	pcap_dump((u_char *)o->dumper, &h, data);
	o->records++;
	/* the stream's buffer is written out here now and then: keep why it failed */
	if (__builtin_expect(!o->err && ferror(o->f), 0))
		o->err = errno ? errno : EIO;
}

int pg_pcap_out_failed(struct pg_pcap_out *o)
{
	return o->err;
}

uint64_t pg_pcap_out_records(const struct pg_pcap_out *o)
{
	return o->records;
}

int pg_pcap_out_close(struct pg_pcap_out *o)
{
	int err = o->err;

	errno = 0;
	if (!err && pcap_dump_flush(o->dumper))
		err = errno ? errno : EIO;
	pcap_dump_close(o->dumper);	/* closes o->f */
	pcap_close(o->dead);
	free(o->buf);
	free(o);
	return err;
}

#else /* !HAVE_PCAP: configured --without-pcap */

#define PG_NO_PCAP	"this build has no libpcap support (configured --without-pcap)"

int pg_tpl_load(const char *path, struct pg_tpl *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	snprintf(err, errlen, "cannot open %s: %s", path, PG_NO_PCAP);
	return -1;
}

void pg_tpl_free(struct pg_tpl *t)
{
	memset(t, 0, sizeof(*t));
}

struct pg_pcap_out *pg_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen)
{
	(void)snaplen;
	snprintf(err, errlen, "cannot open %s: %s", path, PG_NO_PCAP);
	return NULL;
}

void pg_pcap_out_write(struct pg_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len)
{
	(void)o, (void)ts_ns, (void)data, (void)caplen, (void)len;
}

int pg_pcap_out_failed(struct pg_pcap_out *o)
{
	(void)o;
	return EIO;
}

uint64_t pg_pcap_out_records(const struct pg_pcap_out *o)
{
	(void)o;
	return 0;
}

int pg_pcap_out_close(struct pg_pcap_out *o)
{
	(void)o;
	return EIO;
}

#endif /* HAVE_PCAP */
