# SPDX-License-Identifier: BSD-2-Clause
"""
Check the frames of a pkt-gen -X dump (tools.md 3.7) read on stdin: slots
chained with NS_MOREFRAG are joined into one frame, then every frame's
Ethernet/IPv4/IPv6/UDP lengths and checksums are verified and the payload
compared with pkt-gen's pattern (3.4).

Prints one line per frame, "<len> <src>:<sport> <dst>:<dport>", and exits 1
with a message on stderr at the first bad frame.  Options:
  --payload   also check the payload pattern and the final 0 byte
  --probe     skip the first 12 payload bytes in the pattern check
  --seq       skip the first 4 payload bytes in the pattern check
"""
import ipaddress
import re
import sys

NS_MOREFRAG = 0x20
HEAD = re.compile(r"^ring (\d+) cur (\d+) \[buf (\d+) flags 0x([0-9a-f]{4}) len (\d+)\]$")
LINE = re.compile(r"^ *(\d+): ((?:[0-9a-f]{2} ){1,16})")
PATTERN = b"netmap pkt-gen DIRECT payload\n"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def fail(n, msg):
    sys.stderr.write("frame %d: %s\n" % (n, msg))
    sys.exit(1)


def frames(lines):
    cur, want, chain = None, 0, b""
    for line in lines:
        line = line.rstrip("\n")
        m = HEAD.match(line)
        if m:
            if cur is not None:
                chain += bytes(cur)
                if not more:
                    yield chain
                    chain = b""
            more = int(m.group(4), 16) & NS_MOREFRAG
            want = int(m.group(5))
            cur = bytearray()
            continue
        m = LINE.match(line)
        if m and cur is not None:
            cur += bytes.fromhex(m.group(2).replace(" ", ""))
    if cur is not None:
        chain += bytes(cur)
        yield chain


def check(n, f, args):
    if len(f) < 14:
        return "%d" % len(f)
    etype = int.from_bytes(f[12:14], "big")
    if etype == 0x0800:
        if len(f) < 42:
            return "%d" % len(f)
        ip = f[14:34]
        if ip[0] != 0x45 or ip[9] != 17:
            fail(n, "not IPv4/UDP")
        if int.from_bytes(ip[2:4], "big") != len(f) - 14:
            fail(n, "IPv4 total length %d for a %d-byte frame" %
                 (int.from_bytes(ip[2:4], "big"), len(f)))
        if csum(ip) != 0xFFFF:
            fail(n, "bad IPv4 header checksum")
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        pseudo = ip[12:20] + b"\0\x11"
        udp_off = 34
    elif etype == 0x86DD:
        if len(f) < 62:
            return "%d" % len(f)
        ip = f[14:54]
        if ip[6] != 17:
            fail(n, "not IPv6/UDP")
        if int.from_bytes(ip[4:6], "big") != len(f) - 54:
            fail(n, "IPv6 payload length %d for a %d-byte frame" %
                 (int.from_bytes(ip[4:6], "big"), len(f)))
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        pseudo = ip[8:40] + b"\0\0\0\x11"
        udp_off = 54
    else:
        fail(n, "unknown EtherType 0x%04x" % etype)
    udp = f[udp_off:]
    ulen = int.from_bytes(udp[4:6], "big")
    if ulen != len(udp):
        fail(n, "UDP length %d for %d bytes" % (ulen, len(udp)))
    if etype == 0x0800:
        pseudo += ulen.to_bytes(2, "big")
    else:
        pseudo = pseudo[:32] + ulen.to_bytes(4, "big") + b"\0\0\0\x11"
    if csum(pseudo + udp) != 0xFFFF:
        fail(n, "bad UDP checksum")
    if args.get("payload"):
        pay = udp[8:]
        skip = 12 if args.get("probe") else 4 if args.get("seq") else 0
        if pay and pay[-1] != 0:
            fail(n, "last payload byte is not 0")
        body = pay[:-1]
        expect = (PATTERN * (len(body) // len(PATTERN) + 1))[:len(body)]
        if body[skip:] != expect[skip:]:
            fail(n, "payload differs from the pattern")
    sport = int.from_bytes(udp[0:2], "big")
    dport = int.from_bytes(udp[2:4], "big")
    return "%d %s:%d %s:%d" % (len(f), src, sport, dst, dport)


def main():
    args = {a.lstrip("-"): True for a in sys.argv[1:]}
    n = 0
    for n, f in enumerate(frames(sys.stdin), 1):
        print(check(n, f, args))
    if n == 0:
        fail(0, "no frames in the dump")


main()
