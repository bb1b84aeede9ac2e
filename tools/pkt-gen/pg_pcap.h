/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt-gen's pcap files (tools.md 8.8), through libpcap: the frames of a
 * -P template file, loaded once before the port is opened, and the
 * --pcap-out writer (Ethernet link type, nanosecond timestamps).  Without
 * libpcap (configure --without-pcap) loading and opening fail with a
 * message saying so.
 *
 * Nothing here prints: failures come back as one line of text, naming the
 * file and the problem, for the caller to print after "pkt-gen: ".
 * Private to pkt-gen.
 */
#ifndef PG_PCAP_H
#define PG_PCAP_H

#include <stddef.h>
#include <stdint.h>

/* The frames of a template file, back to back in file order. */
struct pg_tpl {
	uint8_t *data;
	struct pg_tpl_frame {
		uint64_t off;		/* in data */
		uint32_t len;		/* captured length: what is sent */
	} *frame;
	uint32_t count;
	uint64_t bytes;			/* sum of the lengths */
	uint32_t min_len, max_len;
};

/*
 * Load every record of a pcap or pcapng file of Ethernet frames.  Returns
 * 0, or -1 with err set ("cannot open t.pcap: No such file or directory",
 * "t.pcap: link type RAW; expected Ethernet", "t.pcap: no packets", ...).
 */
int pg_tpl_load(const char *path, struct pg_tpl *t, char *err, size_t errlen);
void pg_tpl_free(struct pg_tpl *t);

struct pg_pcap_out;

/*
 * Create (or truncate) path as a pcap file with nanosecond timestamps and
 * Ethernet link type, keeping at most snaplen bytes per record.  NULL with
 * err set on failure.
 */
struct pg_pcap_out *pg_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen);

/*
 * One record: caplen bytes of data (at most snaplen) of a len-byte packet
 * received at ts_ns (CLOCK_REALTIME).  Buffered; errors are sticky and
 * reported by pg_pcap_out_failed() and pg_pcap_out_close().
 */
void pg_pcap_out_write(struct pg_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len);

/* Has a write failed?  0, or the errno of the failure (sticky). */
int pg_pcap_out_failed(struct pg_pcap_out *o);

/* Records written so far. */
uint64_t pg_pcap_out_records(const struct pg_pcap_out *o);

/* Flush and close; 0, or the errno of the first failure. */
int pg_pcap_out_close(struct pg_pcap_out *o);

#endif /* PG_PCAP_H */
