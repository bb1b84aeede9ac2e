#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write the seed corpus of test/fuzz/corpus/ (committed; run again only to
change the seeds).  Each target's input format is described at the top of
its fuzz_*.c file."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
API = 14


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---------------------------------------------------------------- portspec
for i, s in enumerate([
        "vale0:a", "vale0:a@2", "vale1:b@conf:rings=2,slots=512",
        "vale0:c@conf:tx-rings=2,rx-rings=3,tx-slots=256,rx-slots=128",
        "vale0:d@conf:extra-bufs=8", "netmap:p{0", "netmap:p}3",
        "netmap:eth0", "netmap:eth0-1", "netmap:eth0^", "netmap:eth0*",
        "netmap:eth0/T", "netmap:eth0/R", "netmap:eth0/x", "netmap:eth0/Rz",
        "netmap:eth0@offset:initial=8,max=64,bits=16",
        "netmap:eth0@conf:host-rings=2", "netmap:eth0-1/T@1",
        "vale2:x@conf:memid=3", "netmap:lo@extmem:file=/x,if-num=4",
        "eth0", "netmap:", "vale:", "netmap:a{", "netmap:a}99999",
        "vale0:a@bad:x=1", "netmap:eth0-999999"]):
    put("portspec", "seed-%02d" % i, s)

# ---------------------------------------------------------------- ctrl
REQ = dict(REGISTER=1, PORT_INFO_GET=2, VALE_ATTACH=3, VALE_DETACH=4,
           VALE_LIST=5, PORT_HDR_SET=6, PORT_HDR_GET=7, VALE_NEWIF=8,
           VALE_DELIF=9, VALE_POLLING_ENABLE=10, VALE_POLLING_DISABLE=11,
           POOLS_INFO_GET=12, SYNC_KLOOP_START=13, SYNC_KLOOP_STOP=14,
           CSB_ENABLE=15)
OPT = dict(EXTMEM=1, SYNC_KLOOP_EVENTFDS=2, CSB=3, SYNC_KLOOP_MODE=4,
           OFFSETS=9)


def hdr(reqtype, name, version=API):
    # nr_version u16, nr_reqtype u16, nr_reserved u32, nr_name[64],
    # nr_options u64, nr_body u64 (both replaced by the target)
    return struct.pack("<HHI64sQQ", version, reqtype, 0, name.encode(), 0, 0)


def register(mode=1, rings=0, slots=0, flags=0, extra=0, memid=0, ringid=0):
    # nr_offset, nr_memsize, nr_tx_slots, nr_rx_slots, nr_tx_rings,
    # nr_rx_rings, nr_host_tx_rings, nr_host_rx_rings, nr_mem_id,
    # nr_ringid, nr_mode, nr_extra_bufs, nr_flags
    return struct.pack("<QQIIHHHHHHII4xQ", 0, 0, slots, slots, rings, rings,
                       0, 0, memid, ringid, mode, extra, flags)


def opt(reqtype, body=b"", kind=0, size=0):
    h = struct.pack("<QIIQ", 0, reqtype, 0, size)
    return bytes([kind]) + (h + body).ljust(96, b"\0")


def ctrl(op, reqtype, name, body=b"", opts=(), bodykind=0, version=API):
    out = bytes([op]) + hdr(reqtype, name, version) + bytes([bodykind])
    out += body.ljust(64, b"\0") + bytes([len(opts)])
    for o in opts:
        out += o
    return out


offsets = struct.pack("<QQIIQ", 64, 0, 16, 0, 0)  # max, initial, bits, align, gap
seeds = {
    "reg-vale": ctrl(8, 1, "vale0:a", register()),
    "reg-vale-geo": ctrl(8, 1, "vale0:b", register(rings=2, slots=64)),
    "reg-vale-extra": ctrl(8, 1, "vale0:c", register(slots=64, extra=16)),
    "reg-pipe": ctrl(8, 1, "p{0", register(slots=64)),
    "reg-pipe-slave": ctrl(8, 1, "p}1", register(slots=64)),
    "reg-null": ctrl(8, 1, "n", register(mode=7, rings=1, slots=64, memid=1)),
    "reg-offsets": ctrl(8, 1, "vale0:o", register(slots=64),
                        [opt(OPT["OFFSETS"], offsets)]),
    "reg-unknown-opt": ctrl(0, 1, "vale0:u", register(slots=64),
                            [opt(77), opt(OPT["CSB"])]),
    "reg-dup-opt": ctrl(0, 1, "vale0:u", register(slots=64),
                        [opt(OPT["OFFSETS"], offsets),
                         opt(OPT["OFFSETS"], offsets)]),
    "reg-eventfds": ctrl(0, 1, "vale0:e", register(slots=64),
                         [opt(OPT["SYNC_KLOOP_EVENTFDS"], size=40)]),
    "reg-one-nic": ctrl(8, 1, "vale0:r", register(mode=4, ringid=1, rings=2,
                                                  slots=64)),
    "reg-twice": ctrl(7, 1, "vale0:t", register(slots=64)) +
    hdr(1, "vale0:t") + b"\0" + register(slots=64).ljust(64, b"\0") + b"\0",
    "info": ctrl(0, 2, "vale0:i", b""),
    "info-region": ctrl(0, 2, "", struct.pack("<QIIHHHHHH", 0, 0, 0, 0, 0,
                                              0, 0, 1, 0)),
    "attach": ctrl(0, 3, "vale0:x", register()),
    "detach": ctrl(0, 4, "vale0:x", b""),
    "list-all": ctrl(0, 5, "", b""),
    "list-one": ctrl(0, 5, "vale0:", b""),
    "hdr-set": ctrl(0, 6, "vale0:a", struct.pack("<II", 12, 0)),
    "hdr-get": ctrl(0, 7, "vale0:a", b""),
    "newif": ctrl(0, 8, "nm0", b""),
    "delif": ctrl(0, 9, "nm0", b"", bodykind=1),
    "polling": ctrl(0, 10, "vale0:a", b""),
    "pools": ctrl(0, 12, "vale0:a", b""),
    "kloop": ctrl(0, 13, "vale0:a", struct.pack("<I", 100)),
    "csb": ctrl(0, 15, "vale0:a", b"", bodykind=1),
    "bad-version": ctrl(0, 5, "", b"", version=13),
    "bad-body": ctrl(0, 1, "vale0:a", register(), bodykind=2),
    "short-body": ctrl(0, 1, "vale0:a", register(), bodykind=3),
    "opt-loop": ctrl(0, 1, "vale0:a", register(),
                     [opt(77, kind=3), opt(78, kind=3)]),
}
for name, data in seeds.items():
    put("ctrl", name, data)


def nmreq(name, cmd=0, flags=0, ringid=0, arg1=0, arg2=0, arg3=0, version=API):
    # nr_name[16], nr_version, nr_offset, nr_memsize, nr_tx_slots,
    # nr_rx_slots, nr_tx_rings, nr_rx_rings, nr_ringid, nr_cmd, nr_arg1,
    # nr_arg2, nr_arg3, nr_flags, spare2
    return struct.pack("<16sIIIIIHHHHHHIII", name.encode(), version, 0, 0, 0,
                       0, 0, 0, ringid, cmd, arg1, arg2, arg3, flags, 0)


legacy = {
    "regif": (4 | 8, nmreq("vale0:l")),
    "regif-pipe": (4 | 8, nmreq("q", flags=3, ringid=2)),   # PIPE_MASTER
    "regif-extra": (4, nmreq("vale0:l", arg3=4)),
    "ginfo": (5, nmreq("vale0:l")),
    "bdg-list": (5, nmreq("", cmd=4)),
    "bdg-attach": (4, nmreq("vale0:l", cmd=1)),
    "bdg-vnet": (4, nmreq("vale0:l", cmd=3, arg1=10)),
    "bdg-newif": (4, nmreq("nm1", cmd=5)),
    "regif-old": (4, nmreq("vale0:l", version=11)),
}
for name, (op, data) in legacy.items():
    put("ctrl", "legacy-" + name, bytes([op]) + data)
put("ctrl", "legacy-config", bytes([6]) + b"vale0:".ljust(272, b"\0"))

# ---------------------------------------------------------------- tools
for i, args in enumerate([
        "-i vale0:a -f tx -n 100 -l 60", "-i vale0:b -f rx",
        "-i netmap:p{0 -f txseq -R 1000 -b 64", "-i vale0:a -f ping -w 1",
        "-i vale0:a -f tx -S 02:00:00:00:00:01 -D ff:ff:ff:ff:ff:ff",
        "-i vale0:a -f tx -s 10.0.0.1:1234-10.0.0.9:1240 -d 10.1.0.1",
        "-i vale0:a -f tx -H 10 -z -Z", "-i vale0:a -f rx -X -T 500",
        "-i vale0:a -f tx -P /tmp/x.pcap", "-i vale0:a -f rx --pcap-out /tmp/y",
        "-i vale0:a -f tx -p 4 -c 2 -a 1", "-h", "-V", "-i vale0:a -f nope",
        "-i vale0:a -f tx -M 4 -N -C tx=2,rx=3",
        "--interface vale0:a --function tx --count 1M --length 1514"]):
    put("pktgen_opts", "seed-%02d" % i, args.replace(" ", "\0"))
for i, args in enumerate([
        "", "-l", "-l vale0:a", "-n p0", "-d p0", "-a vale0:p0", "-A vale0:p0",
        "-h vale0:p0", "-g vale0:a", "-r p0", "-C 2,512,2,512 -n p1",
        "-m 3 -n p2", "-p vale0:x", "-P vale0:x", "--json -l", "--cleanup",
        "--stats vale0", "-n p0 -m -1", "-x"]):
    put("valectl_opts", "seed-%02d" % i, args.replace(" ", "\0"))

for i, args in enumerate([
        "-i netmap:a -i netmap:b", "-i vale0:a -i vale0:b -b 64", "-h",
        "-i netmap:p{0 -L", "-i netmap:a -i netmap:b -c", "-b 0",
        "-i a -i b -i c"]):
    put("bridge_opts", "seed-%02d" % i, args.replace(" ", "\0"))

for i, args in enumerate([
        "-i netmap:p{0 -f /tmp/x.pcap", "-h", "-i vale0:a -f t.pcap -B 1G",
        "-i vale0:a -f t.pcap -D 10ms -L 0.1", "-i vale0:a -f t.pcap -l 2",
        "-f t.pcap"]):
    put("nmreplay_opts", "seed-%02d" % i, args.replace(" ", "\0"))

for i, args in enumerate([
        "-i netmap:eth0", "-i netmap:p}0 -p out:4 -p cap:1", "-h",
        "-i vale0:a -p 2 -p 2 -B 4096 -b 512 -o 1 -s 5 -W -w 0 -j",
        "-i eth0 -p out:40 -p out:30", "-i eth0 -p :4", "-p x:", "-i a -p 0",
        "-i eth0 --json=/tmp/x --duration 1s -v"]):
    put("lb_opts", "seed-%02d" % i, args.replace(" ", "\0"))

# ---------------------------------------------------------------- lb_hash
eth4 = bytes(12) + b"\x08\x00"
ip4 = bytes.fromhex("450000280001000040110000") + bytes([10, 0, 0, 1, 10, 1, 0, 1])
udp = struct.pack("!HHHH", 1000, 2000, 8, 0)
ip6 = (bytes.fromhex("6000000000081140") + bytes(15) + b"\x01" + bytes(15) + b"\x02")
put("lb_hash", "ipv4-udp", eth4 + ip4 + udp)
put("lb_hash", "vlan2-ipv4", bytes(12) + bytes.fromhex("88a8000a8100000b0800") + ip4 + udp)
put("lb_hash", "ipv4-frag", eth4 + ip4[:6] + b"\x20\x00" + ip4[8:] + udp)
put("lb_hash", "ipv6-udp", bytes(12) + b"\x86\xdd" + ip6 + udp)
put("lb_hash", "ipip", eth4 + ip4[:9] + b"\x04" + ip4[10:] + ip4 + udp)
put("lb_hash", "gre-eth", eth4 + ip4[:9] + b"\x2f" + ip4[10:] +
    struct.pack("!HH", 0x2000, 0x6558) + bytes(4) + eth4 + ip4 + udp)
put("lb_hash", "non-ip", bytes.fromhex("0200000000020200000000010805") + bytes(46))

# ---------------------------------------------------------------- pcap
frame = bytes.fromhex("ffffffffffff020000000001") + b"\x08\x00" + bytes(46)


def pcap(magic, link=1, frames=(frame,)):
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, link)
    for k, f in enumerate(frames):
        out += struct.pack("<IIII", 1 + k, 500, len(f), len(f)) + f
    return out


put("pcap", "usec", pcap(0xa1b2c3d4, frames=(frame, frame[:14], frame * 2)))
put("pcap", "nsec", pcap(0xa1b23c4d))
put("pcap", "raw-link", pcap(0xa1b2c3d4, link=101))
put("pcap", "empty", pcap(0xa1b2c3d4, frames=()))
put("pcap", "truncated", pcap(0xa1b2c3d4)[:-10])


def block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = block(1, struct.pack("<HHI", 1, 0, 65535))
epb = block(6, struct.pack("<IIIII", 0, 0, 1, len(frame), len(frame)) +
            frame.ljust((len(frame) + 3) & ~3, b"\0"))
put("pcap", "pcapng", shb + idb + epb + epb)
