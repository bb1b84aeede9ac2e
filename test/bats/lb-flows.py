# SPDX-License-Identifier: BSD-2-Clause
"""
Traffic and checks for the lb tests (tools.md 7.3, 9.5), with the flow
hash computed here, independently of lb: a bit-by-bit Toeplitz hash under
the 40-byte key 0x6d 0x5a repeated, over source and destination address,
then source and destination port for TCP, UDP and SCTP; VLAN tags skipped,
tunnels hashed on their inner headers, fragments on addresses, anything
else on the last four bytes of the source and destination MAC.

  lb-flows.py make OUT KIND [N]
      Write a pcap of traffic:
        flows N   N UDP flows 10.0.0.1:1000+i -> 10.1.0.1:1234, a frame each
        bidir N   N port pairs, each as 10.0.0.1:p -> 10.1.0.1:q and back
        mixed     both directions of flows over VLAN, QinQ, IPv6, IP in IP,
                  GRE carrying Ethernet, IPv4 fragments and a non-IP type
        nonip     one frame of EtherType 0x88b5
        lopsided N  N flows of "flows" (ports 1000 on), of which N/16
                  hash to pipe 1 of 2 and the rest to pipe 0: a pipe that
                  fills its ring beside one whose share fits in its ring
        sizes N   the N flows of "flows", a frame each, of 60 bytes but
                  for every third (3042 bytes) and every seventh (5042):
                  packets of one slot between packets of two and three
  lb-flows.py expect N REPEAT PCAP
      The frames each of N pipes gets when every frame of PCAP is sent
      REPEAT times: N numbers on one line.
  lb-flows.py count PCAP [KIND]
      The frames of PCAP (of one kind of hash input: l4, addrs, non-ip).
  lb-flows.py bytes PCAP...
      The bytes of all frames of the files (a missing file has none).
  lb-flows.py check N PCAP...
      The files are what the consumers of pipes 0..N-1 captured (a
      missing file: a pipe that got nothing): every frame of file k must
      hash to pipe k, and the two directions of a flow must be in one
      file.  Prints a line per file; exits 1 with the first mismatch.
"""
import importlib.util
import os
import struct
import sys

_spec = importlib.util.spec_from_file_location(
    "pcap_frames", os.path.join(os.path.dirname(os.path.abspath(__file__)), "pcap-frames.py"))
pcap_frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pcap_frames)

KEY = bytes([0x6D, 0x5A] * 20)


def toeplitz(data, key=KEY):
    """Hash of data: XOR of the 32 key bits starting at each set input bit."""
    keybits = int.from_bytes(key, "big")
    nkey = len(key) * 8
    h = 0
    for i in range(len(data) * 8):
        if data[i // 8] >> (7 - i % 8) & 1:
            h ^= (keybits >> (nkey - 32 - i)) & 0xFFFFFFFF
    return h


def ip4_tuple(p, depth):
    """(tuple bytes, kind) of an IPv4 packet, or None if p is not one."""
    if len(p) < 20 or p[0] >> 4 != 4:
        return None
    ihl = (p[0] & 15) * 4
    if ihl < 20 or ihl > len(p):
        return None
    total = int.from_bytes(p[2:4], "big")
    if ihl <= total < len(p):
        p = p[:total]
    t = p[12:20]
    if int.from_bytes(p[6:8], "big") & 0x3FFF:
        return t, "addrs"
    return l4(p[9], p[ihl:], t, depth)


def ip6_tuple(p, depth):
    if len(p) < 40 or p[0] >> 4 != 6:
        return None
    plen = int.from_bytes(p[4:6], "big")
    if plen and 40 + plen < len(p):
        p = p[:40 + plen]
    t, nxt, off = p[8:40], p[6], 40
    for _ in range(8):
        if nxt in (0, 43, 60):
            if off + 8 > len(p):
                return t, "addrs"
            nxt, off = p[off], off + (p[off + 1] + 1) * 8
        elif nxt == 51:
            if off + 8 > len(p):
                return t, "addrs"
            nxt, off = p[off], off + (p[off + 1] + 2) * 4
        elif nxt == 44:
            if off + 8 > len(p):
                return t, "addrs"
            if int.from_bytes(p[off + 2:off + 4], "big") & 0xFFF9:
                return t, "addrs"
            nxt, off = p[off], off + 8
        else:
            break
    if off > len(p):
        return t, "addrs"
    return l4(nxt, p[off:], t, depth)


def l4(proto, p, t, depth):
    if proto in (6, 17, 132):
        return (t + p[:4], "l4") if len(p) >= 4 else (t, "addrs")
    inner = None
    if depth < 4:
        if proto == 4:
            inner = ip4_tuple(p, depth + 1)
        elif proto == 41:
            inner = ip6_tuple(p, depth + 1)
        elif proto == 47 and len(p) >= 4:
            flags, etype = int.from_bytes(p[0:2], "big"), int.from_bytes(p[2:4], "big")
            if flags & 7 == 0 and not flags & 0x4000:
                hl = 4 + sum(4 for bit in (0x8000, 0x2000, 0x1000) if flags & bit)
                if hl <= len(p):
                    inner = {0x0800: ip4_tuple, 0x86DD: ip6_tuple,
                             0x6558: ether_tuple}.get(etype, lambda *_: None)(p[hl:],
                                                                             depth + 1)
    return inner if inner else (t, "addrs")


def ether_tuple(f, depth=0):
    if len(f) < 14:
        return None
    etype, off = int.from_bytes(f[12:14], "big"), 14
    for _ in range(2):
        if etype not in (0x8100, 0x88A8):
            break
        if off + 4 > len(f):
            return None
        etype, off = int.from_bytes(f[off + 2:off + 4], "big"), off + 4
    if etype == 0x0800:
        return ip4_tuple(f[off:], depth)
    if etype == 0x86DD:
        return ip6_tuple(f[off:], depth)
    return None


_hashes = {}


def flow_hash(frame):
    """(hash, kind, flow) of a frame; flow is the same for both directions.
    Traffic repeats a few frames: each distinct frame is hashed once."""
    frame = bytes(frame)
    if frame not in _hashes:
        _hashes[frame] = _flow_hash(frame)
    return _hashes[frame]


def _flow_hash(frame):
    r = ether_tuple(frame)
    if r is None:
        t, kind = (frame[8:12] + frame[2:6]) if len(frame) >= 12 else b"", "non-ip"
    else:
        t, kind = r
    half = 4 if len(t) in (8, 12) else 16
    ends = sorted([t[:half] + t[2 * half:2 * half + 2], t[half:2 * half] + t[2 * half + 2:]])
    return toeplitz(t), kind, (kind,) + tuple(ends)


# ------------------------------------------------------------------ traffic

def csum(data):
    return pcap_frames.csum(data)


def eth(src_last, dst_last, etype, tags=()):
    h = bytes([2, 0, 0, 0, 0, dst_last, 2, 0, 0, 0, 0, src_last])
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype)


def ip4(src, dst, proto, payload, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", 0xFFFF - csum(h)) + h[12:] + payload


def ip6(src, dst, nxt, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, 64, bytes(src),
                       bytes(dst)) + payload


def udp(sport, dport, n=18):
    return struct.pack("!HHHH", sport, dport, 8 + n, 0) + bytes(n)


def pad(frame):
    return frame + bytes(max(0, 60 - len(frame)))


A4, B4 = [10, 0, 0, 1], [10, 1, 0, 1]
A6 = [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [1]
B6 = [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [2]


def traffic(kind, n):
    frames = []
    if kind == "flows":
        frames = [pad(eth(1, 2, 0x0800) + ip4(A4, B4, 17, udp(1000 + i, 1234)))
                  for i in range(n)]
    elif kind == "lopsided":
        want, i = [n - n // 16, n // 16], 0
        while want[0] or want[1]:
            f = pad(eth(1, 2, 0x0800) + ip4(A4, B4, 17, udp(1000 + i, 1234)))
            pipe = flow_hash(f)[0] % 2
            if want[pipe]:
                frames.append(f)
                want[pipe] -= 1
            i += 1
    elif kind == "bidir":
        for i in range(n):
            p, q = 2000 + 7 * i, 3000 + 11 * i
            frames.append(pad(eth(1, 2, 0x0800) + ip4(A4, B4, 17, udp(p, q))))
            frames.append(pad(eth(2, 1, 0x0800) + ip4(B4, A4, 17, udp(q, p))))
    elif kind == "mixed":
        for i in range(8):
            p, q = 4000 + i, 5000 + 3 * i
            for s, d, sp, dp, m, n2 in ((A4, B4, p, q, 1, 2), (B4, A4, q, p, 2, 1)):
                frames.append(pad(eth(m, n2, 0x0800, [(0x8100, 10)]) +
                                  ip4(s, d, 6, udp(sp, dp))))
                frames.append(pad(eth(m, n2, 0x0800, [(0x88A8, 20), (0x8100, 10)]) +
                                  ip4(s, d, 17, udp(sp, dp))))
                frames.append(pad(eth(m, n2, 0x0800) +
                                  ip4([192, 168, 0, m], [192, 168, 0, n2], 4,
                                      ip4(s, d, 17, udp(sp, dp)))))
                frames.append(pad(eth(m, n2, 0x0800) +
                                  ip4([192, 168, 0, m], [192, 168, 0, n2], 47,
                                      struct.pack("!HH", 0, 0x6558) +
                                      eth(m, n2, 0x0800) + ip4(s, d, 17, udp(sp, dp)))))
                frames.append(pad(eth(m, n2, 0x0800) + ip4(s, d, 17, udp(sp, dp), 0x2000)))
                frames.append(pad(eth(m, n2, 0x0800) +
                                  ip4(s, d, 17, bytes(16), 0x0003)))
            for s, d, sp, dp, m, n2 in ((A6, B6, p, q, 1, 2), (B6, A6, q, p, 2, 1)):
                frames.append(pad(eth(m, n2, 0x86DD) + ip6(s, d, 17, udp(sp, dp))))
            frames.append(pad(eth(0x30 + i, 0x40 + i, 0x88B5)))
            frames.append(pad(eth(0x40 + i, 0x30 + i, 0x88B5)))
    elif kind == "nonip":
        frames = [pad(eth(1, 2, 0x88B5))]
    elif kind == "sizes":
        for i in range(n):
            size = 5000 if i % 7 == 6 else 3000 if i % 3 == 2 else 18
            frames.append(pad(eth(1, 2, 0x0800) + ip4(A4, B4, 17, udp(1000 + i, 1234, size))))
    else:
        sys.exit("unknown traffic %s" % kind)
    return frames


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "make":
        n = int(argv[4]) if len(argv) > 4 else 1
        pcap_frames.write_pcap(argv[2], traffic(argv[3], n))
    elif cmd == "expect":
        n, repeat = int(argv[2]), int(argv[3])
        counts = [0] * n
        for _, _, d in pcap_frames.read_pcap(argv[4])[3]:
            counts[flow_hash(d)[0] % n] += repeat
        print(" ".join(str(c) for c in counts))
    elif cmd == "count":
        recs = pcap_frames.read_pcap(argv[2])[3]
        print(sum(1 for _, _, d in recs if len(argv) < 4 or flow_hash(d)[1] == argv[3]))
    elif cmd == "bytes":
        print(sum(len(d) for path in argv[2:] if os.path.exists(path)
                  for _, _, d in pcap_frames.read_pcap(path)[3]))
    elif cmd == "check":
        n, files = int(argv[2]), argv[3:]
        where = {}
        for k, path in enumerate(files):
            frames, flows = 0, set()
            recs = pcap_frames.read_pcap(path)[3] if os.path.exists(path) else []
            for _, _, d in recs:
                h, kind, flow = flow_hash(d)
                if h % n != k:
                    sys.exit("%s: a %s frame hashes to pipe %d (hash 0x%08x): %s"
                             % (path, kind, h % n, h, d.hex()))
                if where.setdefault(flow, k) != k:
                    sys.exit("%s: flow %s is also in file %d" % (path, flow, where[flow]))
                frames += 1
                flows.add(flow)
            print("pipe %d: %d frames, %d flows" % (k, frames, len(flows)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
