// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of pkt-gen's command line (tools.md 3.2, 8, 9.1 PG-16), driven
 * the ethtool way: rows of {expected exit status, arguments, expected
 * stderr line or stdout fragment} run through pg_parse_args(), the very
 * function pkt-gen's main() calls, with both streams captured.  Every
 * option appears with a valid and an invalid value; then the values the
 * parser derives (function, sizes, endpoints, -o aliases, ignored options)
 * are checked field by field.  Nothing is opened: no port, no file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nt_log.h"
#include "pg_options.h"
#include "cli_harness.h"
#include "tap.h"

/* ------------------------------------------------------------ harness */

CLI_TOOL_HARNESS("pkt-gen", struct pg_config, pg_parse_args, PG_ARGS_DONE)

/* ------------------------------------------------------------ rows */

#define V		"-i vale0:a "
#define PORT_FORM	"expected a port name such as vale0:a, netmap:eth0 or eth0"
#define SIZE_FORM	"expected SIZE, a range MIN-MAX, a mix SIZE:WEIGHT,... or imix, " \
			"with sizes from 16 to 65536"
#define COUNT_FORM	"expected a whole number with optional suffix K, M or G, such as " \
			"1000, 10K or 2M"
#define IP4_FORM	"expected A, A:PORT, A[:PORT]-B[:PORT], A:PORT-PORT or " \
			"A/LEN[:PORT[-PORT]], such as 10.0.0.1:1234"
#define IP6_FORM	"expected ADDR, [ADDR], [ADDR]:PORT or a range [A]:PORT-[B]:PORT, " \
			"such as [fd00::1]:1234"
#define MAC_FORM	"expected six hex octets separated by colons, such as " \
			"02:00:00:00:00:0a, or a range MAC-MAC"
#define DUR_FORM	"expected a duration such as 2, 1.5s, 500ms or 250us (units s, ms, " \
			"us, ns; bare numbers are seconds)"
#define RATE_FORM	"expected a number with optional prefix k, M or G and optional unit " \
			"pps or bps (bare numbers are pps), such as 1000, 1.5M, 2Mpps or 940Mbps"
#define TUPLE_FORM	"expected 1 to 4 non-negative integers separated by commas, such as " \
			"1024 or 1024,1024,2,2"
#define PCAP_IGNORED	"sends the file's frames as they are"

/* -i, -f, -n, -l: the options every run uses. */
static const struct row rows_basic[] = {
	{ 0, "-i vale0:a", NONE, NULL },
	{ 0, "--interface=netmap:eth0", NONE, NULL },
	{ 0, "-i 012345678901234567890123456789012345678901234567890123456789012", NONE, NULL },
	{ 2, "", ERR, "pkt-gen: missing -i; " PORT_FORM },
	{ 2, "-f tx", ERR, "pkt-gen: missing -i; " PORT_FORM },
	{ 2, "-i", ERR, "pkt-gen: -i: missing argument; " PORT_FORM },
	{ 2, "-i ''", ERR, "pkt-gen: -i '': empty port name; " PORT_FORM },
	{ 2, "-i 0123456789012345678901234567890123456789012345678901234567890123", ERR,
	  "pkt-gen: -i 0123456789012345678901234567890123456789012345678901234567890123: "
	  "port name too long; expected at most 63 characters" },

	{ 0, V "-f tx", NONE, NULL },
	{ 0, V "-f rx", NONE, NULL },
	{ 0, V "-f ping", NONE, NULL },
	{ 0, V "-f pong", NONE, NULL },
	{ 0, V "-f txseq", NONE, NULL },
	{ 0, V "--function=rxseq", NONE, NULL },
	{ 2, V "-f bogus", ERR,
	  "pkt-gen: -f bogus: unknown function; expected one of tx, rx, ping, pong, txseq, rxseq" },
	{ 2, V "-f TX", ERR,
	  "pkt-gen: -f TX: unknown function; expected one of tx, rx, ping, pong, txseq, rxseq" },
	{ 2, V "-f", ERR,
	  "pkt-gen: -f: missing argument; expected one of tx, rx, ping, pong, txseq, rxseq" },

	{ 0, V "-n 0", NONE, NULL },
	{ 0, V "-n 10K", NONE, NULL },
	{ 0, V "--count=2M", NONE, NULL },
	{ 2, V "-n 12x", ERR, "pkt-gen: -n 12x: invalid count; " COUNT_FORM },
	{ 2, V "-n -1", ERR, "pkt-gen: -n -1: invalid count; " COUNT_FORM },
	{ 2, V "-n ''", ERR, "pkt-gen: -n '': invalid count; " COUNT_FORM },

	{ 0, V "-l 16", NONE, NULL },
	{ 0, V "-l 65536", NONE, NULL },
	{ 0, V "-l 1000 -l 100", NONE, NULL },
	{ 0, V "-l 60-1514", NONE, NULL },
	{ 0, V "-l 1514-60", NONE, NULL },
	{ 0, V "-l 60:7,590:4,1514:1", NONE, NULL },
	{ 0, V "--size=imix", NONE, NULL },
	{ 2, V "-l 8", ERR,
	  "pkt-gen: -l 8: packet size out of range; expected an integer from 16 to 65536" },
	{ 2, V "-l 65537", ERR,
	  "pkt-gen: -l 65537: packet size out of range; expected an integer from 16 to 65536" },
	{ 2, V "-l abc", ERR, "pkt-gen: -l abc: invalid packet size; " SIZE_FORM },
	{ 2, V "-l 60:0", ERR,
	  "pkt-gen: -l 60:0: packet size weight out of range; expected an integer from 1 to "
	  "1000000" },
	{ 2, V "-l 100 -l 200", ERR,
	  "pkt-gen: -l 200: the second -l is the lower bound of a random range; expected a "
	  "size smaller than 100" },
	{ 2, V "-l 100 --size 100", ERR,
	  "pkt-gen: --size 100: the second -l is the lower bound of a random range; expected "
	  "a size smaller than 100" },
	{ 2, V "-l 100 -l 50 -l 20", ERR,
	  "pkt-gen: -l 20: too many -l options; at most 2 are accepted" },
	{ 2, V "-l imix -l 100", ERR,
	  "pkt-gen: -l imix: size ranges and mixes exclude a second -l" },
	{ 2, V "-l 100 -l 60-70", ERR,
	  "pkt-gen: -l 60-70: size ranges and mixes exclude a second -l" },
	{ 2, V "-l", ERR, "pkt-gen: -l: missing argument; " SIZE_FORM },
};

/* Traffic shape: -b, -4/-6, -s/-d, -S/-D, -z/-Z, --flows, -R, --max-burst. */
static const struct row rows_traffic[] = {
	{ 0, V "-b 0", NONE, NULL },
	{ 0, V "-b 8192", NONE, NULL },
	{ 2, V "-b 8193", ERR,
	  "pkt-gen: -b 8193: burst out of range; expected an integer from 0 to 8192" },
	{ 2, V "-b x", ERR, "pkt-gen: -b x: invalid burst; expected an integer from 0 to 8192" },

	{ 0, V "-4", NONE, NULL },
	{ 0, V "-6", NONE, NULL },
	{ 0, V "-6 -4 -d 10.1.0.2", NONE, NULL },
	{ 2, V "--ipv4=1", ERR, "pkt-gen: --ipv4 1: this option takes no value" },
	{ 2, V "--ipv6=yes", ERR, "pkt-gen: --ipv6 yes: this option takes no value" },

	{ 0, V "-d 10.1.0.2:80", NONE, NULL },
	{ 0, V "-d 10.1.0.1:2000-10.1.0.2:2001", NONE, NULL },
	{ 0, V "-d 10.1.0.0/24:7-9", NONE, NULL },
	{ 0, V "-6 -d [fd00::2]:99", NONE, NULL },
	{ 2, V "-d 10.1.0.300", ERR,
	  "pkt-gen: -d 10.1.0.300: invalid destination address; " IP4_FORM },
	{ 2, V "-6 -d 10.1.0.1", ERR,
	  "pkt-gen: -d 10.1.0.1: invalid destination address; " IP6_FORM },
	{ 2, V "--dst-ip=10.1.0.1:70000", ERR,
	  "pkt-gen: --dst-ip 10.1.0.1:70000: destination address port out of range; expected "
	  "an integer from 0 to 65535" },

	{ 0, V "-s 10.0.0.1:1000-10.0.0.1:1003", NONE, NULL },
	{ 0, V "-6 -s [fd00::1]:1000-[fd00::4]:1003", NONE, NULL },
	{ 2, V "-s 10.0.0", ERR, "pkt-gen: -s 10.0.0: invalid source address; " IP4_FORM },
	{ 2, V "-6 -s fd00::1:70000", ERR,
	  "pkt-gen: -s fd00::1:70000: invalid source address; " IP6_FORM },

	{ 0, V "-D 02:00:00:00:00:0b", NONE, NULL },
	{ 0, V "-D 2:0:0:0:0:b-2:0:0:0:0:c", NONE, NULL },
	{ 2, V "-D 02:00:00:00:00", ERR,
	  "pkt-gen: -D 02:00:00:00:00: invalid destination MAC; " MAC_FORM },
	{ 0, V "-S 02:00:00:00:00:0a", NONE, NULL },
	{ 2, V "-S zz:00:00:00:00:00", ERR,
	  "pkt-gen: -S zz:00:00:00:00:00: invalid source MAC; " MAC_FORM },

	{ 0, V "-z", NONE, NULL },
	{ 0, V "-Z", NONE, NULL },
	{ 2, V "--random-src=1", ERR, "pkt-gen: --random-src 1: this option takes no value" },

	{ 0, V "--flows 16", NONE, NULL },
	{ 2, V "--flows 0", ERR,
	  "pkt-gen: --flows 0: flow count out of range; expected an integer from 1 to 65536" },
	{ 2, V "-s 10.0.0.1:1000-10.0.0.1:1003 --flows 10", ERR,
	  "pkt-gen: --flows 10: conflicts with the source port range of -s "
	  "10.0.0.1:1000-10.0.0.1:1003" },
	{ 2, V "-s 10.0.0.1:65000 --flows 1000", ERR,
	  "pkt-gen: --flows 1000: too many flows from source port 65000; expected at most 536" },

	{ 0, V "-f tx -R 1000", NONE, NULL },
	{ 0, V "-f tx -R 1.5M", NONE, NULL },
	{ 0, V "-f tx -R 940Mbps", NONE, NULL },
	{ 0, V "-f ping -R 2kpps", NONE, NULL },
	{ 2, V "-R bogus", ERR, "pkt-gen: -R bogus: invalid rate; " RATE_FORM },
	{ 2, V "-R 1Mbpx", ERR, "pkt-gen: -R 1Mbpx: invalid rate; " RATE_FORM },
	{ 2, V "-R -5", ERR, "pkt-gen: -R -5: invalid rate; " RATE_FORM },
	{ 0, V "-f rx -R 1000", ERR,
	  "pkt-gen: warning: -R 1000: the rate applies to tx, txseq and ping; ignored for rx" },
	{ 0, V "-f pong --rate 5", ERR,
	  "pkt-gen: warning: --rate 5: the rate applies to tx, txseq and ping; ignored for pong" },
	{ 0, V "-f rx -R 0", NONE, NULL },

	{ 0, V "--max-burst 1", NONE, NULL },
	{ 2, V "--max-burst 0", ERR,
	  "pkt-gen: --max-burst 0: burst cap out of range; expected an integer from 1 to 8192" },
	{ 2, V "--max-burst 8193", ERR,
	  "pkt-gen: --max-burst 8193: burst cap out of range; expected an integer from 1 to "
	  "8192" },
};

/* Threads, CPUs, timing. */
static const struct row rows_run[] = {
	{ 0, V "-a 0", NONE, NULL },
	{ 2, V "-a 99999", ERR,
	  "pkt-gen: -a 99999: CPU out of range; expected CPU numbers from 0 to 1023" },
	{ 2, V "-a x", ERR,
	  "pkt-gen: -a x: invalid CPU; expected CPU numbers and ranges separated by commas, "
	  "such as 2, 0-3 or 0,2,4-7" },
	{ 2, V "-a 1000", ERRF, "pkt-gen: -a 1000: CPU 1000 is offline or not allowed" },

	{ 0, V "-c 0", NONE, NULL },
	{ 0, V "-c 1", NONE, NULL },
	{ 2, V "-c 1025", ERR,
	  "pkt-gen: -c 1025: CPU count out of range; expected an integer from 0 to 1024" },
	{ 2, V "-c 1000", ERRF, "pkt-gen: -c 1000: more CPUs than are online; expected 0 to " },

	{ 0, V "-p 1", NONE, NULL },
	{ 0, V "-f tx -p 64", NONE, NULL },
	{ 0, V "-f rx --threads=2", NONE, NULL },
	{ 2, V "-p 0", ERR,
	  "pkt-gen: -p 0: thread count out of range; expected an integer from 1 to 64" },
	{ 2, V "-p 65", ERR,
	  "pkt-gen: -p 65: thread count out of range; expected an integer from 1 to 64" },
	{ 2, V "-f ping -p 2", ERR, "pkt-gen: -p 2: ping runs a single thread; expected 1" },
	{ 2, V "-f pong -p 2", ERR, "pkt-gen: -p 2: pong runs a single thread; expected 1" },
	{ 2, V "-f txseq -p 3", ERR, "pkt-gen: -p 3: txseq runs a single thread; expected 1" },
	{ 2, V "-f rxseq --threads 2", ERR,
	  "pkt-gen: --threads 2: rxseq runs a single thread; expected 1" },

	{ 0, V "-T 0", NONE, NULL },
	{ 0, V "-T 10", NONE, NULL },
	{ 0, V "-T 500ms", NONE, NULL },
	{ 0, V "-T 2s", NONE, NULL },
	{ 2, V "-T 5", ERR,
	  "pkt-gen: -T 5: report interval out of range; expected 0 or a duration from 10 ms to "
	  "3600 s" },
	{ 2, V "-T 3601s", ERR,
	  "pkt-gen: -T 3601s: report interval out of range; expected 0 or a duration from 10 ms "
	  "to 3600 s" },

	{ 0, V "-w 0", NONE, NULL },
	{ 0, V "-w 500ms", NONE, NULL },
	{ 2, V "-w 3601", ERR,
	  "pkt-gen: -w 3601: link wait out of range; expected a duration from 0 s to 3600 s" },
	{ 2, V "-w x", ERR, "pkt-gen: -w x: invalid link wait; " DUR_FORM },

	{ 0, V "-W", NONE, NULL },
	{ 0, V "--idle 2s", NONE, NULL },
	{ 2, V "--idle 0", ERR,
	  "pkt-gen: --idle 0: idle time out of range; expected a duration from 1 ms to 3600 s" },
	{ 2, V "--exit-when-idle=1", ERR,
	  "pkt-gen: --exit-when-idle 1: this option takes no value" },

	{ 0, V "--duration 1s", NONE, NULL },
	{ 0, V "--duration 250ms", NONE, NULL },
	{ 2, V "--duration 0", ERR,
	  "pkt-gen: --duration 0: duration out of range; expected a duration from 1 ms to "
	  "31536000 s" },
	{ 2, V "--duration x", ERR, "pkt-gen: --duration x: invalid duration; " DUR_FORM },
};

/* Frames, buffers, output, flags. */
static const struct row rows_frames[] = {
	{ 0, V "-X", NONE, NULL },
	{ 0, V "-H 0", NONE, NULL },
	{ 0, V "-H 10", NONE, NULL },
	{ 0, V "-H 12", NONE, NULL },
	{ 2, V "-H 11", ERR,
	  "pkt-gen: -H 11: unknown virtio-net header length; expected one of 0, 10, 12" },
	{ 0, V "-N", NONE, NULL },

	{ 0, V "-F 1", NONE, NULL },
	{ 0, V "-F 63", NONE, NULL },
	{ 2, V "-F 64", ERR,
	  "pkt-gen: -F 64: fragment count out of range; expected an integer from 1 to 63" },
	{ 2, V "-F 0", ERR,
	  "pkt-gen: -F 0: fragment count out of range; expected an integer from 1 to 63" },
	{ 0, V "-M 1", NONE, NULL },
	{ 0, V "-M 65536", NONE, NULL },
	{ 2, V "-M 0", ERR,
	  "pkt-gen: -M 0: fragment size out of range; expected an integer from 1 to 65536" },
	{ 2, V "-M 65537", ERR,
	  "pkt-gen: -M 65537: fragment size out of range; expected an integer from 1 to 65536" },

	{ 0, V "-I", NONE, NULL },
	{ 0, V "-v -v -v", NONE, NULL },
	{ 0, V "-r", NONE, NULL },
	{ 0, V "-A", NONE, NULL },
	{ 0, V "-B", NONE, NULL },

	{ 0, V "-C 1024", ERR,
	  "pkt-gen: warning: -C is deprecated; use the @conf: port option instead (for example "
	  "vale0:a@conf:slots=512,rings=2)" },
	{ 0, V "--port-config=512,512,2,2", ERR,
	  "pkt-gen: warning: --port-config is deprecated; use the @conf: port option instead "
	  "(for example vale0:a@conf:slots=512,rings=2)" },
	{ 2, V "-C 1,2,3,4,5", ERR,
	  "pkt-gen: -C 1,2,3,4,5: port config has more than four numbers; " TUPLE_FORM },
	{ 2, V "-C x", ERR, "pkt-gen: -C x: invalid port config; " TUPLE_FORM },

	{ 0, V "-o 0", NONE, NULL },
	{ 0, V "-f tx -o 0x1f7f", NONE, NULL },
	{ 0, V "-o 4096", NONE, NULL },
	{ 2, V "-o 128", ERR,
	  "pkt-gen: -o 128: unknown option bit 0x80; expected a combination of 0x1f7f" },
	{ 2, V "-o 0x2000", ERR,
	  "pkt-gen: -o 0x2000: unknown option bit 0x2000; expected a combination of 0x1f7f" },
	{ 2, V "-o x", ERR,
	  "pkt-gen: -o x: invalid option; expected an integer from 0 to 4294967295, decimal or "
	  "0x hexadecimal" },
	{ 2, V "-o", ERR,
	  "pkt-gen: -o: missing argument; expected an integer made of the documented bits" },

	{ 0, V "-j", NONE, NULL },
	{ 0, V "--json", NONE, NULL },
	{ 0, V "--json=out.json", NONE, NULL },
	{ 2, V "-j x", ERR, "pkt-gen: x: unexpected argument; see --help" },
	{ 2, V "--json=", ERR, "pkt-gen: --json '': empty JSON file; expected a file name" },

	{ 0, V "--per-ring", NONE, NULL },
	{ 0, V "--sizes", NONE, NULL },
	{ 0, V "--histogram", NONE, NULL },
	{ 0, V "--busy-wait", NONE, NULL },
	{ 0, V "-f tx --timestamp", NONE, NULL },
	{ 0, V "-f ping --timestamp", NONE, NULL },
	{ 0, V "-f rx --latency", NONE, NULL },
	{ 2, V "-f txseq --timestamp", ERR,
	  "pkt-gen: --timestamp: txseq writes its own sequence numbers; use -f tx with "
	  "--timestamp" },
	{ 2, V "-f txseq -o 16", ERR,
	  "pkt-gen: --timestamp: txseq writes its own sequence numbers; use -f tx with "
	  "--timestamp" },
	{ 2, V "-f rxseq --latency", ERR,
	  "pkt-gen: --latency: rxseq checks txseq's sequence numbers; use -f rx with "
	  "--latency" },
	{ 0, V "-f pong --timestamp", ERR,
	  "pkt-gen: warning: --timestamp applies to tx; ignored for pong" },
	{ 0, V "-f tx --latency", ERR,
	  "pkt-gen: warning: --latency applies to rx; ignored for tx" },
	{ 2, V "--histogram=1", ERR, "pkt-gen: --histogram 1: this option takes no value" },
};

/* -P, --pcap-out, --snaplen (8.8). */
static const struct row rows_pcap[] = {
	{ 0, V "-f tx -P t.pcap", NONE, NULL },
	{ 0, V "-f tx --pcap-template=t.pcap -n 9 -R 10 -F 2", NONE, NULL },
	{ 2, V "-P ''", ERR,
	  "pkt-gen: -P '': empty pcap file; expected a pcap or pcapng file of Ethernet frames" },
	{ 2, V "-f tx -P", ERR,
	  "pkt-gen: -P: missing argument; expected a pcap or pcapng file of Ethernet frames" },
	{ 0, V "-f rx -P t.pcap", ERR,
	  "pkt-gen: warning: -P t.pcap: pcap templates apply to tx; ignored for rx" },
	{ 0, V "-f txseq -P t.pcap", ERR,
	  "pkt-gen: warning: -P t.pcap: pcap templates apply to tx; ignored for txseq" },
	{ 0, V "-f ping -P t.pcap", ERR,
	  "pkt-gen: warning: -P t.pcap: pcap templates apply to tx; ignored for ping" },
	{ 0, V "-f tx -P t.pcap -l 100", ERR,
	  "pkt-gen: warning: -l ignored: -P t.pcap " PCAP_IGNORED },
	{ 0, V "-f tx -P t.pcap -6", ERR, "pkt-gen: warning: -6 ignored: -P t.pcap " PCAP_IGNORED },
	{ 0, V "-f tx --size 100 -P t.pcap --dst-ip 10.1.0.9", ERR,
	  "pkt-gen: warning: --size, --dst-ip ignored: -P t.pcap " PCAP_IGNORED },
	{ 0, V "-f tx -P t.pcap -l 100 -s 10.0.0.2 -d 10.1.0.2 -S 02:00:00:00:00:01 "
	  "-D 02:00:00:00:00:02 -z -Z --flows 4 --timestamp", ERR,
	  "pkt-gen: warning: -l, -s, -d, -S, -D, -z, -Z, --flows, --timestamp ignored: "
	  "-P t.pcap " PCAP_IGNORED },
	{ 0, V "-f tx -P t.pcap -o 0x610", ERR,
	  "pkt-gen: warning: -z, -Z, --timestamp ignored: -P t.pcap " PCAP_IGNORED },

	{ 0, V "-f rx --pcap-out o.pcap", NONE, NULL },
	{ 0, V "-f rxseq --pcap-out=o.pcap -p 1", NONE, NULL },
	{ 0, V "-f pong --pcap-out o.pcap --snaplen 1", NONE, NULL },
	{ 0, V "-f rx --pcap-out o.pcap --snaplen 262144", NONE, NULL },
	{ 2, V "-f tx --pcap-out o.pcap", ERR,
	  "pkt-gen: --pcap-out o.pcap: writes what rx, rxseq and pong receive; not used by tx" },
	{ 2, V "-f ping --pcap-out=o.pcap", ERR,
	  "pkt-gen: --pcap-out o.pcap: writes what rx, rxseq and pong receive; not used by "
	  "ping" },
	{ 2, V "-f txseq --pcap-out o.pcap", ERR,
	  "pkt-gen: --pcap-out o.pcap: writes what rx, rxseq and pong receive; not used by "
	  "txseq" },
	{ 2, V "-f rx -p 2 --pcap-out o.pcap", ERR,
	  "pkt-gen: -p 2: --pcap-out o.pcap writes from a single thread; expected 1" },
	{ 2, V "--pcap-out ''", ERR,
	  "pkt-gen: --pcap-out '': empty pcap file; expected a file name" },
	{ 2, V "-f rx --pcap-out o.pcap --snaplen 0", ERR,
	  "pkt-gen: --snaplen 0: snap length out of range; expected an integer from 1 to 262144" },
	{ 2, V "-f rx --pcap-out o.pcap --snaplen 262145", ERR,
	  "pkt-gen: --snaplen 262145: snap length out of range; expected an integer from 1 to "
	  "262144" },
	{ 2, V "-f rx --pcap-out o.pcap --snaplen 1k", ERR,
	  "pkt-gen: --snaplen 1k: invalid snap length; expected an integer from 1 to 262144" },
	{ 0, V "-f rx --snaplen 100", ERR,
	  "pkt-gen: warning: --snaplen 100: only used with --pcap-out; ignored" },
};

/* The command line as a whole: help, version, unknown words, syntax. */
static const struct row rows_syntax[] = {
	{ 0, "-h", OUT, "Usage: pkt-gen [OPTIONS]\n" },
	{ 0, "--help", OUT, "Usage: pkt-gen [OPTIONS]\n" },
	{ 0, V "-h -f bogus", OUT, "Usage: pkt-gen [OPTIONS]\n" },
	{ 0, "--version", OUT, "pkt-gen " PACKAGE_VERSION " (netmap API 14)\n" },
	{ 2, "--help=3", ERR, "pkt-gen: --help 3: this option takes no value" },
	{ 2, V "-x", ERR, "pkt-gen: -x: unknown option; see --help" },
	{ 2, V "-Wx", ERR, "pkt-gen: -x: unknown option; see --help" },
	{ 2, V "--bogus", ERR, "pkt-gen: --bogus: unknown option; see --help" },
	{ 2, V "--c 5", ERR, "pkt-gen: --c: ambiguous option; could be --count, --cpus" },
	{ 2, V "extra", ERR, "pkt-gen: extra: unexpected argument; see --help" },
	{ 2, V "-- -n", ERR, "pkt-gen: -n: unexpected argument; see --help" },
	{ 0, V "-WvX -n5 -l60", NONE, NULL },
	{ 0, "-n 3 --interface vale0:b -f tx", NONE, NULL },
};

/* ------------------------------------------------------------ derived values */

static void test_defaults(void)
{
	is_int(run("-i vale0:a"), 0, "defaults: parse");
	is_str(cfg.iface, "vale0:a", "defaults: -i stored");
	is_int(cfg.fn, F_RX, "defaults: -f rx");
	is_int(cfg.sender, 0, "defaults: rx is not a sender");
	is_int(cfg.count, 0, "defaults: -n 0");
	ok(cfg.frame_sizes.kind == NT_SIZE_FIXED && cfg.frame_sizes.count == 1 &&
	   cfg.frame_sizes.entry[0].size == 60, "defaults: -l 60");
	is_str(cfg.size_text, "60", "defaults: size text");
	is_int(cfg.burst, 0, "defaults: -b 0 (512 chosen later)");
	is_int(cfg.ep.af, 4, "defaults: IPv4");
	is_int(cfg.ep.ip4_lo[PG_SRC], 0x0a000001, "defaults: source 10.0.0.1");
	is_int(cfg.ep.ip4_lo[PG_DST], 0x0a010001, "defaults: destination 10.1.0.1");
	ok(cfg.ep.port_lo[PG_SRC] == 1234 && cfg.ep.port_hi[PG_DST] == 1234,
	   "defaults: ports 1234");
	ok(cfg.ep.mac_lo[PG_DST] == 0xffffffffffffull && cfg.ep.mac_lo[PG_SRC] == 0,
	   "defaults: broadcast destination, zero source MAC");
	is_int(cfg.threads, 1, "defaults: -p 1");
	is_int(cfg.report_ns, 1000000000, "defaults: -T 1000 ms");
	is_int(cfg.frags, 1, "defaults: -F 1");
	is_int(cfg.snaplen, PG_SNAPLEN_DEFAULT, "defaults: --snaplen 65535");
	ok(cfg.pcap == NULL && cfg.pcap_out == NULL, "defaults: no pcap files");
	is_int(cfg.idle_ns, 0, "defaults: no idle timeout without -W");
	ok(!cfg.busy && !cfg.dump && !cfg.rubbish && !cfg.access && !cfg.always_copy,
	   "defaults: flags off");

	is_int(run_as("/usr/bin/pkt-gen-b", "-i vale0:a"), 0, "pkt-gen-b: parse");
	is_int(cfg.busy, 1, "pkt-gen-b busy-waits (3.1)");
	is_int(run_as("./pkt-gen", "-i vale0:a --busy-wait"), 0, "--busy-wait: parse");
	is_int(cfg.busy, 1, "--busy-wait");
}

static void test_values(void)
{
	is_int(run("-i vale0:a -f tx -f txseq"), 0, "last -f wins: parse");
	ok(cfg.fn == F_TXSEQ && cfg.sender, "last -f wins: txseq, a sender");
	is_int(run("-i vale0:a -n 10K -n 2M"), 0, "last -n wins: parse");
	is_int(cfg.count, 2000000, "-n 2M after -n 10K");

	is_int(run("-i vale0:a -f tx -l 1000 -l 100"), 0, "two -l: parse");
	ok(cfg.frame_sizes.kind == NT_SIZE_RANGE && cfg.range_lo == 100 && cfg.range_hi == 999,
	   "two -l: uniform in [second, first)");
	is_str(cfg.size_text, "100-999", "two -l: size text");
	is_int(run("-i vale0:a -l 1514-60"), 0, "reversed range: parse");
	ok(cfg.frame_sizes.kind == NT_SIZE_RANGE && cfg.range_lo == 60 && cfg.range_hi == 1514,
	   "reversed range swapped");
	is_int(run("-i vale0:a -l 100-100"), 0, "empty range: parse");
	ok(cfg.frame_sizes.kind == NT_SIZE_FIXED && cfg.frame_sizes.entry[0].size == 100,
	   "A-A is the fixed size A");
	is_int(run("-i vale0:a -l imix"), 0, "imix: parse");
	ok(cfg.frame_sizes.kind == NT_SIZE_MIX && cfg.frame_sizes.count == 3 &&
	   cfg.frame_sizes.entry[2].size == 1514 && cfg.frame_sizes.entry[0].weight == 7,
	   "imix is 60:7,590:4,1514:1");
	is_str(cfg.size_text, "imix", "imix: size text as typed");

	is_int(run("-i vale0:a -6"), 0, "-6: parse");
	is_int(cfg.ep.af, 6, "-6: IPv6");
	ok(cfg.ep.ip6_lo[PG_SRC] == (((pg_u128)0xfd00) << 112 | 1), "-6: source fd00::1");
	ok(cfg.ep.ip6_lo[PG_DST] == (((pg_u128)0xfd00) << 112 | ((pg_u128)1) << 64 | 1),
	   "-6: destination fd00:0:0:1::1");
	is_int(run("-i vale0:a -6 -4"), 0, "-6 -4: parse");
	is_int(cfg.ep.af, 4, "last of -4/-6 wins");

	is_int(run("-i vale0:a -s 10.0.0.1:1000-10.0.0.1:1003 -d 10.1.0.2:2001-10.1.0.1:2000"), 0,
	       "ranges: parse");
	ok(cfg.ep.port_lo[PG_SRC] == 1000 && cfg.ep.port_hi[PG_SRC] == 1003,
	   "ranges: source ports 1000-1003");
	ok(cfg.ep.ip4_lo[PG_DST] == 0x0a010001 && cfg.ep.ip4_hi[PG_DST] == 0x0a010002 &&
	   cfg.ep.port_lo[PG_DST] == 2000 && cfg.ep.port_hi[PG_DST] == 2001,
	   "ranges: a reversed destination range is swapped");
	is_int(run("-i vale0:a -s 10.0.0.1:5000 --flows 8"), 0, "--flows: parse");
	ok(cfg.ep.port_lo[PG_SRC] == 5000 && cfg.ep.port_hi[PG_SRC] == 5007,
	   "--flows 8: source ports 5000-5007");
	is_int(run("-i vale0:a -S 02:00:00:00:00:0a -D 2:0:0:0:0:b-2:0:0:0:0:c"), 0, "MACs: parse");
	ok(cfg.ep.mac_lo[PG_SRC] == 0x02000000000aull &&
	   cfg.ep.mac_lo[PG_DST] == 0x02000000000bull &&
	   cfg.ep.mac_hi[PG_DST] == 0x02000000000cull, "MACs stored, range kept");

	is_int(run("-i vale0:a -f tx -o 0x1f7f"), 0, "-o all bits: parse");
	ok(cfg.dump && cfg.rubbish && cfg.ep.random[PG_SRC] && cfg.ep.random[PG_DST] &&
	   cfg.pps_stats && cfg.timestamp && cfg.indirect && cfg.access && cfg.always_copy,
	   "-o bits are aliases of -X -r -z -Z -A --timestamp -I, access and copy");
	is_int(run("-i vale0:a -f rx -r"), 0, "-r with rx: parse");
	is_int(cfg.rubbish, 0, "-r only applies to senders");
	is_int(run("-i vale0:a -f rx -o 8"), 0, "-o 8: parse");
	is_int(cfg.always_copy, 1, "-o 8 (memcpy) copies");

	is_int(run("-i vale0:a -f rx -W"), 0, "-W: parse");
	is_int(cfg.idle_ns, 1000000000, "-W: one second");
	is_int(run("-i vale0:a -f rxseq --idle 250ms"), 0, "--idle: parse");
	ok(cfg.idle_flag && cfg.idle_ns == 250000000, "--idle implies -W with its time");
	is_int(run("-i vale0:a -f tx -W"), 0, "-W with tx: parse");
	is_int(cfg.idle_ns, 0, "-W only applies to receivers");

	is_int(run("-i vale0:a -f tx -R 940Mbps"), 0, "-R bps: parse");
	ok(cfg.rate.value == 940e6 && cfg.rate.unit == NT_UNIT_BPS, "-R 940Mbps");
	is_int(run("-i vale0:a -f tx -R 1.5M"), 0, "-R pps: parse");
	ok(cfg.rate.value == 1.5e6 && cfg.rate.unit == NT_UNIT_PPS, "-R 1.5M is pps");
	is_int(run("-i vale0:a -T 500ms -w 0.5 --duration 2"), 0, "durations: parse");
	ok(cfg.report_ns == 500000000 && cfg.wait_ns == 500000000 &&
	   cfg.duration_ns == 2000000000, "-T in ms, -w and --duration in seconds");
	is_int(run("-i vale0:a -C 1024,512,2"), 0, "-C: parse");
	ok(cfg.conf_given && cfg.conf.count == 3 && cfg.conf.value[1] == 512, "-C tuple stored");
	is_int(run("-i vale0:a -vvv --verbose"), 0, "-v: parse");
	is_int(cfg.verbose, 4, "-v counts");
	is_int(run("-i vale0:a --json=o.json"), 0, "--json=FILE: parse");
	ok(cfg.json_given && cfg.json_file && !strcmp(cfg.json_file, "o.json"), "--json=FILE");
	is_int(run("-i vale0:a -jW"), 0, "-jW: parse");
	ok(cfg.json_given && !cfg.json_file && cfg.idle_flag, "-jW is -j -W");
}

static void test_pcap_values(void)
{
	is_int(run("-i vale0:a -f tx -P t.pcap -l imix -z --timestamp"), 0, "-P: parse");
	is_str(cfg.pcap, "t.pcap", "-P kept for tx");
	ok(cfg.frame_sizes.kind == NT_SIZE_FIXED && cfg.frame_sizes.entry[0].size == 60,
	   "-P: the ignored -l leaves no size mix behind");
	is_str(cfg.size_text, "pcap", "-P: size text");
	ok(!cfg.ep.random[PG_SRC] && !cfg.timestamp, "-P: -z and --timestamp switched off");
	is_int(run("-i vale0:a -f rx -P t.pcap"), 0, "-P with rx: parse");
	ok(cfg.pcap == NULL && !cfg.pcap_given, "-P dropped for rx");

	is_int(run("-i vale0:a -f pong --pcap-out o.pcap --snaplen 128"), 0, "--pcap-out: parse");
	ok(cfg.pcap_out && !strcmp(cfg.pcap_out, "o.pcap") && cfg.snaplen == 128,
	   "--pcap-out and --snaplen stored");
}

/* --help documents every option of the table (and so the man page test can rely on it). */
static void test_help(void)
{
	static const char *const longs[] = {
		"--interface=port", "--function=func", "--count=count", "--size=size",
		"--burst=burst", "--ipv4", "--ipv6", "--dst-ip=endpoint", "--src-ip=endpoint",
		"--dst-mac=mac", "--src-mac=mac", "--affinity=cpu", "--cpus=cpus",
		"--threads=threads", "--report-interval=ms", "--wait-link=secs",
		"--exit-when-idle", "--idle=dur", "--rate=rate", "--dump", "--vnet-hdr=len",
		"--pcap-template=file", "--random-src", "--random-dst", "--no-normalize",
		"--frags=n", "--frag-size=bytes", "--indirect", "--verbose", "--rubbish",
		"--pps-stats", "--framing", "--port-config=spec", "--options=bits", "--json",
		"--duration=dur", "--per-ring", "--sizes", "--histogram", "--timestamp",
		"--latency", "--busy-wait", "--max-burst=n", "--flows=n", "--pcap-out=file",
		"--snaplen=bytes", "--help", "--version", NULL,
	};
	unsigned i;

	is_int(run("--help"), 0, "--help: exit 0");
	for (i = 0; longs[i]; i++)
		ok(cli_out && strstr(cli_out, longs[i]), "--help lists %s", longs[i]);
	ok(strstr(cli_out, "-P, --pcap-template=file"), "--help pairs -P with its long name");
	is_str(cli_err, "", "--help: nothing on stderr");
}

/* Machine-dependent messages, built from this machine's CPU count. */
static void test_cpu_messages(void)
{
	char want[256];

	snprintf(want, sizeof(want),
		 "pkt-gen: -c 1000: more CPUs than are online; expected 0 to %u\n",
		 nt_online_cpus());
	is_int(run("-i vale0:a -c 1000"), 2, "-c above online: exit 2");
	is_str(cli_err, want, "-c above online: exact line");
	snprintf(want, sizeof(want), "-i vale0:a -c %u", nt_online_cpus());
	is_int(run(want), 0, "-c equal to the online CPUs is accepted");
}

int main(void)
{
	ROWS(rows_basic);
	ROWS(rows_traffic);
	ROWS(rows_run);
	ROWS(rows_frames);
	ROWS(rows_pcap);
	ROWS(rows_syntax);
	test_defaults();
	test_values();
	test_pcap_values();
	test_help();
	test_cpu_messages();
	cli_check_synopsis(pg_tool_table(), "pkt-gen.8");
	free(cli_out);
	free(cli_err);
	return tap_done();
}
