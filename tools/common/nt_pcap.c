// SPDX-License-Identifier: BSD-2-Clause
/*
 * Capture files (tools.md 6.5, 8.8): traces in, --pcap-out out.  libpcap
 * reads pcap (microsecond or nanosecond, either byte order) and pcapng
 * alike, opened with nanosecond precision so that nothing is rounded; the
 * writer is a "dead" handle with nanosecond precision, so the file's magic
 * says nanoseconds and every record's fraction field holds them.  Built
 * --without-pcap, the same functions fail with a clear message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nt_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

const struct nt_trace_use nt_trace_send = { "send", "sent" };
const struct nt_trace_use nt_trace_replay = { "replay", "replayed" };

void nt_trace_free(struct nt_trace *t)
{
	if (t->data)
		munmap(t->data, t->data_cap);
	free(t->rec);
	memset(t, 0, sizeof(*t));
}

#ifdef HAVE_PCAP
#include <pcap/pcap.h>

#define TRACE_MAX_RECORDS	(1u << 31)
#define TRACE_FIRST_RECORDS	1024
#define TRACE_DATA_STEP		(2u << 20)	/* the data grows in huge pages */
#define TRACE_READ_BUFFER	(1u << 20)	/* stdio buffer: few reads for a large file */
#define OUT_BUFFER		(1 << 16)	/* stdio buffer of the output file */

/* ================================================================ traces */

static void no_memory(const char *path, uint64_t needed, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: not enough memory to hold the trace; %llu bytes needed", path,
		 (unsigned long long)needed);
}

/*
 * Room for `more` data bytes; -1 when out of memory.  The data is one
 * anonymous mapping grown with mremap() (no copy) and backed by huge
 * pages where the system allows: a 1 GB trace then costs hundreds of
 * page faults while it loads, not hundreds of thousands.
 */
static int reserve_data(struct nt_trace *t, uint64_t more)
{
	uint64_t cap = t->data_cap ? t->data_cap : TRACE_DATA_STEP;
	void *d;

	if (t->data_len + more <= t->data_cap)
		return 0;
	while (cap < t->data_len + more)
		cap *= 2;
	cap = (cap + TRACE_DATA_STEP - 1) / TRACE_DATA_STEP * TRACE_DATA_STEP;
	if (cap != (size_t)cap)
		return -1;
	if (t->data)
		d = mremap(t->data, t->data_cap, (size_t)cap, MREMAP_MAYMOVE);
	else
		d = mmap(NULL, (size_t)cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (d == MAP_FAILED)
		return -1;
	madvise(d, (size_t)cap, MADV_HUGEPAGE);
	t->data = d;
	t->data_cap = cap;
	return 0;
}

/* Room for one more record; -1 when out of memory. */
static int reserve_record(struct nt_trace *t)
{
	uint32_t cap;
	struct nt_trace_rec *r;

	if (t->count < t->rec_cap)
		return 0;
	cap = t->rec_cap ? t->rec_cap * 2 : TRACE_FIRST_RECORDS;
	r = realloc(t->rec, (size_t)cap * sizeof(*r));
	if (!r)
		return -1;
	t->rec = r;
	t->rec_cap = cap;
	return 0;
}

/* Is libpcap's error about a file that ends inside a record? */
static int is_truncation(const char *msg)
{
	return strstr(msg, "truncated") != NULL;
}

/* Forget what a failed load added; keep the (possibly grown) allocations. */
static void forget_since(struct nt_trace *t, const struct nt_trace *before)
{
	uint8_t *data = t->data;
	struct nt_trace_rec *rec = t->rec;
	uint64_t data_cap = t->data_cap;
	uint32_t rec_cap = t->rec_cap;

	*t = *before;
	t->data = data;
	t->rec = rec;
	t->data_cap = data_cap;
	t->rec_cap = rec_cap;
}

int nt_trace_load(struct nt_trace *t, const char *path, const struct nt_trace_use *use,
		  unsigned flags, struct nt_trace_file *info, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	const struct nt_trace saved = *t;
	struct nt_trace_file file;
	uint64_t last_ts = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct stat st;
	pcap_t *p;
	FILE *f;
	int dlt, r;

	memset(&file, 0, sizeof(file));
	file.first = t->count;
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, TRACE_READ_BUFFER);
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size == 0) {
			snprintf(err, errlen, "%s: no packets to %s (the file is empty)", path,
				 use->verb);
			fclose(f);
			return -1;
		}
		/* the packet data is smaller than the file: one allocation */
		if (reserve_data(t, (uint64_t)st.st_size)) {
			no_memory(path, t->data_len + (uint64_t)st.st_size +
				  (uint64_t)t->count * sizeof(struct nt_trace_rec), err, errlen);
			fclose(f);
			return -1;
		}
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
		char num[16];

		snprintf(num, sizeof(num), "%d", dlt);
		snprintf(err, errlen, "%s: link type %s is not supported; only Ethernet captures "
			 "can be %s", path, name ? name : num, use->done);
		goto fail;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		struct nt_trace_rec *rec;
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;

		if (t->count == TRACE_MAX_RECORDS) {
			snprintf(err, errlen, "%s: more than %u records", path, TRACE_MAX_RECORDS);
			goto fail;
		}
		if (reserve_record(t) || reserve_data(t, h->caplen)) {
			no_memory(path, t->data_len + (uint64_t)(st.st_size > 0 ? st.st_size : 0) +
				  2ull * t->count * sizeof(*rec), err, errlen);
			goto fail;
		}
		/* a stamp that goes backwards is a zero gap (6.5) */
		if (file.count && ts < last_ts) {
			ts = last_ts;
			file.backwards++;
		}
		last_ts = ts;
		rec = &t->rec[t->count];
		rec->off = t->data_len;
		rec->ts_ns = ts;
		rec->caplen = h->caplen;
		rec->len = h->len > h->caplen ? h->len : h->caplen;
		if (h->caplen)
			memcpy(t->data + t->data_len, data, h->caplen);
		t->data_len += h->caplen;
		if (!t->count || rec->caplen < t->min_len)
			t->min_len = rec->caplen;
		if (rec->caplen > t->max_len)
			t->max_len = rec->caplen;
		if (rec->len > t->max_wire_len)
			t->max_wire_len = rec->len;
		if (rec->caplen < rec->len)
			t->truncated++;
		t->bytes += rec->caplen;
		t->wire_bytes += rec->len;
		t->count++;
		file.count++;
	}
	if (r != PCAP_ERROR_BREAK) {
		const char *msg = pcap_geterr(p);

		if (!is_truncation(msg)) {
			snprintf(err, errlen, "cannot read %s: record %u: %s", path, file.count + 1,
				 msg);
			goto fail;
		}
		if (!(flags & NT_TRACE_ALLOW_TRUNCATED)) {
			snprintf(err, errlen, "%s: record %u is truncated (the file ends inside "
				 "it); repair the file%s", path, file.count + 1,
				 flags & NT_TRACE_HINT_ALLOW ? " or use --allow-truncated" : "");
			goto fail;
		}
		file.truncated_at = file.count + 1;
	}
	if (!file.count) {
		snprintf(err, errlen, "%s: no packets to %s", path, use->verb);
		goto fail;
	}
	pcap_close(p);
	if (info)
		*info = file;
	return 0;

fail:
	pcap_close(p);
	forget_since(t, &saved);
	return -1;
}

/* ================================================================ output */

struct nt_pcap_out {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	FILE *f;
	char *buf;		/* f's buffer */
	uint32_t snaplen;
	uint64_t records;
	int err;		/* errno of the first failure, sticky */
};

struct nt_pcap_out *nt_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen)
{
	struct nt_pcap_out *o = calloc(1, sizeof(*o));

	if (!o) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(ENOMEM));
		return NULL;
	}
	o->snaplen = snaplen;
	o->buf = malloc(OUT_BUFFER);
	o->f = o->buf ? fopen(path, "wb") : NULL;
	if (!o->f) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(o->buf ? errno : ENOMEM));
		goto err_free;
	}
	setvbuf(o->f, o->buf, _IOFBF, OUT_BUFFER);
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

void nt_pcap_out_write(struct nt_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
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

int nt_pcap_out_failed(struct nt_pcap_out *o)
{
	return o->err;
}

uint64_t nt_pcap_out_records(const struct nt_pcap_out *o)
{
	return o->records;
}

int nt_pcap_out_close(struct nt_pcap_out *o)
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

#define NO_PCAP	"this build has no libpcap support (configured --without-pcap)"

int nt_trace_load(struct nt_trace *t, const char *path, const struct nt_trace_use *use,
		  unsigned flags, struct nt_trace_file *info, char *err, size_t errlen)
{
	(void)t, (void)use, (void)flags, (void)info;
	snprintf(err, errlen, "cannot read %s: %s", path, NO_PCAP);
	return -1;
}

struct nt_pcap_out *nt_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen)
{
	(void)snaplen;
	snprintf(err, errlen, "cannot open %s: %s", path, NO_PCAP);
	return NULL;
}

void nt_pcap_out_write(struct nt_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len)
{
	(void)o, (void)ts_ns, (void)data, (void)caplen, (void)len;
}

int nt_pcap_out_failed(struct nt_pcap_out *o)
{
	(void)o;
	return EIO;
}

uint64_t nt_pcap_out_records(const struct nt_pcap_out *o)
{
	(void)o;
	return 0;
}

int nt_pcap_out_close(struct nt_pcap_out *o)
{
	(void)o;
	return EIO;
}

#endif /* HAVE_PCAP */
