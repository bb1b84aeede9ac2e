// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the pcap reader of the tools (nt_trace_load() in
 * tools/common/nt_pcap.c, on libpcap: pcap and pcapng), the input being
 * the file, read once strictly and once with NT_TRACE_ALLOW_TRUNCATED.
 * The file is a memfd opened through /proc/self/fd.  What was loaded
 * must be consistent: every record inside the data, the sums right.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nt_pcap.h"

static void check(const struct nt_trace *t)
{
	uint64_t bytes = 0, wire = 0;
	uint32_t i;

	for (i = 0; i < t->count; i++) {
		const struct nt_trace_rec *r = &t->rec[i];

		if (r->off + r->caplen > t->data_len || r->caplen > r->len ||
		    (i && r->ts_ns < t->rec[i - 1].ts_ns))
			__builtin_trap();
		bytes += r->caplen;
		wire += r->len;
	}
	if (bytes != t->bytes || wire != t->wire_bytes)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, NT_TRACE_ALLOW_TRUNCATED };
	char path[64], err[512];
	struct nt_trace_file info;
	struct nt_trace t;
	unsigned k;
	int fd = memfd_create("fuzz.pcap", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (k = 0; k < 2; k++) {
		memset(&t, 0, sizeof(t));
		if (!nt_trace_load(&t, path, &nt_trace_replay, flags[k], &info,
				   err, sizeof(err)))
			check(&t);
		nt_trace_free(&t);
	}
	close(fd);
	return 0;
}
