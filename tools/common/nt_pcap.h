/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capture files through libpcap (tools.md 6.5, 8.8): traces of Ethernet
 * frames read into memory once (pkt-gen -P, nmreplay -f; pcap with
 * microsecond or nanosecond stamps in either byte order, and pcapng), and
 * the writer of pkt-gen --pcap-out (nanosecond pcap, Ethernet).
 *
 * A trace is the packet data of one or more files back to back, plus a
 * 24-byte record per packet: memory use is the data and the records,
 * whatever the tool does with them afterwards.  Loading never prints:
 * failures come back as one line naming the file, for the caller to
 * print after "<tool>: ".  Built --without-pcap, loading and opening fail
 * with a message saying so.
 */
#ifndef NT_PCAP_H
#define NT_PCAP_H

#include <stddef.h>
#include <stdint.h>

struct nt_trace_rec {
	uint64_t off;		/* of the captured bytes, in data */
	uint64_t ts_ns;		/* capture time (ns since the epoch); never goes backwards */
	uint32_t caplen;	/* bytes in the file */
	uint32_t len;		/* length on the wire: at least caplen */
};

struct nt_trace {
	uint8_t *data;
	uint64_t data_len, data_cap;
	struct nt_trace_rec *rec;
	uint32_t count, rec_cap;
	uint64_t bytes;			/* sum of caplen */
	uint64_t wire_bytes;		/* sum of len */
	uint32_t min_len, max_len;	/* of caplen */
	uint32_t max_wire_len;		/* of len */
	uint32_t truncated;		/* records with caplen < len */
};

/* How the tool uses the frames, for the messages: "send"/"sent", "replay"/"replayed". */
struct nt_trace_use {
	const char *verb;
	const char *done;
};

extern const struct nt_trace_use nt_trace_send, nt_trace_replay;

/* nt_trace_load() flags */
#define NT_TRACE_ALLOW_TRUNCATED	0x1u	/* a truncated last record ends the file */
#define NT_TRACE_HINT_ALLOW		0x2u	/* the error suggests --allow-truncated */

/* What one nt_trace_load() added. */
struct nt_trace_file {
	uint32_t first, count;		/* records [first, first + count) */
	uint32_t backwards;		/* stamps that went backwards (kept as zero gaps) */
	uint32_t truncated_at;		/* with ALLOW_TRUNCATED: the record cut short, 0 if none */
};

/*
 * Append every record of a capture file to t (zeroed before the first
 * call).  Returns 0, or -1 with err set and t as it was before the call:
 *	"cannot read t.pcap: No such file or directory"
 *	"cannot read t.pcap: <libpcap's message>"
 *	"t.pcap: link type LINUX_SLL is not supported; only Ethernet captures can be replayed"
 *	"t.pcap: record 500 is truncated (the file ends inside it); repair the file[ or use
 *	 --allow-truncated]"
 *	"t.pcap: no packets to replay"
 *	"t.pcap: not enough memory to hold the trace; 1073741824 bytes needed"
 */
int nt_trace_load(struct nt_trace *t, const char *path, const struct nt_trace_use *use,
		  unsigned flags, struct nt_trace_file *info, char *err, size_t errlen);

void nt_trace_free(struct nt_trace *t);

static inline const uint8_t *nt_trace_frame(const struct nt_trace *t, uint32_t k)
{
	return t->data + t->rec[k].off;
}

/* ------------------------------------------------------------ writer */

struct nt_pcap_out;

/*
 * Create (or truncate) path as a pcap file with nanosecond timestamps and
 * Ethernet link type, keeping at most snaplen bytes per record.  NULL with
 * err set on failure.
 */
struct nt_pcap_out *nt_pcap_out_open(const char *path, uint32_t snaplen, char *err,
				     size_t errlen);

/*
 * One record: caplen bytes of data (at most snaplen) of a len-byte packet
 * received at ts_ns (CLOCK_REALTIME).  Buffered; errors are sticky and
 * reported by nt_pcap_out_failed() and nt_pcap_out_close().
 */
void nt_pcap_out_write(struct nt_pcap_out *o, uint64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t len);

/* Has a write failed?  0, or the errno of the failure (sticky). */
int nt_pcap_out_failed(struct nt_pcap_out *o);

/* Records written so far. */
uint64_t nt_pcap_out_records(const struct nt_pcap_out *o);

/* Flush and close; 0, or the errno of the first failure. */
int nt_pcap_out_close(struct nt_pcap_out *o);

#endif /* NT_PCAP_H */
