# SPDX-License-Identifier: BSD-2-Clause
"""
Write and read pcap files for the pkt-gen tests (tools.md 8.8) without
libpcap, so that what pkt-gen writes is checked by an independent reader.

  pcap-frames.py make OUT [pcap|pcapng] [SIZE...]
      Write one Ethernet frame per SIZE (default 60 123 1514), each
      different: IPv4/UDP frames with valid checksums whose payload byte i
      of frame k is (k * 7 + i) & 0xff.
  pcap-frames.py make-linktype OUT LINKTYPE [COUNT]
      COUNT (default 1) 60-byte records under another link type (101 = raw
      IP, 113 = LINUX_SLL).
  pcap-frames.py trace OUT FORMAT COUNT SIZE GAP_NS [SNAP]
      A trace for nmreplay (tools.md 9.4): COUNT IPv4/UDP frames, GAP_NS
      nanoseconds apart, of SIZE bytes or, with SIZE "mix", of sizes
      varying over 66..1514; frame k carries k (32 bits, big-endian) as
      its first payload bytes.  FORMAT: pcap (microseconds, little-endian),
      pcap-be (big-endian), pcap-ns, pcap-ns-be (nanoseconds) or pcapng.
      With SNAP, each record keeps only its first SNAP bytes (the original
      length is kept).
  pcap-frames.py cut IN OUT K
      IN (a pcap file) ending inside record K (1-based).
  pcap-frames.py dump FILE
      One line per record: "<caplen> <len> <hex of the captured bytes>".
      Reads pcap (microsecond or nanosecond magic, either byte order).
  pcap-frames.py info FILE
      "<magic> <linktype> <snaplen>" of a pcap file: magic is usec or nsec.
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def udp_frame(k, size):
    """An IPv4/UDP frame of `size` bytes (at least 42), valid checksums."""
    payload = bytes((k * 7 + i) & 0xFF for i in range(size - 42))
    src, dst = bytes([10, 9, 0, k + 1]), bytes([10, 9, 1, k + 1])
    ulen = 8 + len(payload)
    udp = struct.pack("!HHHH", 4000 + k, 5000 + k, ulen, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
    uc = 0xFFFF - csum(pseudo + udp)
    udp = udp[:6] + struct.pack("!H", uc or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, k, 0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
    eth = bytes([0x02, 0, 0, 0, 0, 0x10 + k, 0x02, 0, 0, 0, 0, 0x20 + k, 0x08, 0x00])
    return eth + ip + udp


def write_pcap(path, frames, linktype=1):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for k, d in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + k, k, len(d), len(d)) + d)


def trace_frame(k, size):
    """An IPv4/UDP frame of `size` bytes carrying k, valid checksums."""
    payload = (struct.pack("!I", k) + bytes((k * 7 + i) & 0xFF for i in range(size - 46)))
    payload = payload[:size - 42]
    src, dst = bytes([10, 9, 0, k % 250 + 1]), bytes([10, 9, 1, k % 250 + 1])
    ulen = 8 + len(payload)
    udp = struct.pack("!HHHH", 4000 + k % 1000, 5000, ulen, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 17, ulen)
    uc = 0xFFFF - csum(pseudo + udp)
    udp = udp[:6] + struct.pack("!H", uc or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, k & 0xFFFF, 0x4000, 64, 17, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
    eth = bytes([0x02, 0, 0, 0, 0, 0x10, 0x02, 0, 0, 0, 0, 0x20, 0x08, 0x00])
    return eth + ip + udp


def write_trace(path, fmt, frames, gap_ns, snap=None):
    """frames with time stamps gap_ns apart, in one of the capture formats."""
    t0 = 1700000000 * 10**9
    if fmt == "pcapng":
        with open(path, "wb") as f:
            f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
            f.write(block(0x00000001, struct.pack("<HHI", 1, 0, 262144)))
            for k, d in enumerate(frames):
                ts = (t0 + k * gap_ns) // 1000
                cap = d[:snap] if snap else d
                f.write(block(0x00000006, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF,
                                                      len(cap), len(d)) + cap))
        return
    endian = ">" if fmt.endswith("-be") else "<"
    nsec = fmt.startswith("pcap-ns")
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", 0xA1B23C4D if nsec else 0xA1B2C3D4, 2, 4, 0,
                            0, 262144, 1))
        for k, d in enumerate(frames):
            ts = t0 + k * gap_ns
            frac = ts % 10**9 if nsec else ts % 10**9 // 1000
            cap = d[:snap] if snap else d
            f.write(struct.pack(endian + "IIII", ts // 10**9, frac, len(cap), len(d)) + cap)


def cut_inside(src, dst, k):
    """Copy a pcap file, ending in the middle of record k (1-based)."""
    data = open(src, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    for _ in range(k - 1):
        off += 16 + struct.unpack(endian + "I", data[off + 8:off + 12])[0]
    caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
    open(dst, "wb").write(data[:off + 16 + caplen // 2])


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def write_pcapng(path, frames):
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(0x00000001, struct.pack("<HHI", 1, 0, 262144)))
        for k, d in enumerate(frames):
            ts = (1700000000 + k) * 1000000
            f.write(block(0x00000006, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF,
                                                  len(d), len(d)) + d))


def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    for endian in "<>":
        m = struct.unpack(endian + "I", magic)[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        sys.exit("%s: not a pcap file" % path)
    _, _, _, _, _, snaplen, linktype = struct.unpack(endian + "IHHiIII", data[:24])
    recs, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            sys.exit("%s: truncated record header" % path)
        _, _, caplen, length = struct.unpack(endian + "IIII", data[off:off + 16])
        if off + 16 + caplen > len(data):
            sys.exit("%s: truncated record" % path)
        recs.append((caplen, length, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    kind = "nsec" if m == 0xA1B23C4D else "usec"
    return kind, linktype, snaplen, recs


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "make":
        fmt = argv[3] if len(argv) > 3 else "pcap"
        sizes = [int(s) for s in argv[4:]] or [60, 123, 1514]
        frames = [udp_frame(k, s) for k, s in enumerate(sizes)]
        (write_pcapng if fmt == "pcapng" else write_pcap)(argv[2], frames)
    elif cmd == "make-linktype":
        count = int(argv[4]) if len(argv) > 4 else 1
        write_pcap(argv[2], [udp_frame(0, 60)[14:]] * count, int(argv[3]))
    elif cmd == "trace":
        count, size, gap = int(argv[4]), argv[5], int(argv[6])
        sizes = [66 + (k * 397) % 1449 if size == "mix" else int(size) for k in range(count)]
        write_trace(argv[2], argv[3], [trace_frame(k, s) for k, s in enumerate(sizes)], gap,
                    int(argv[7]) if len(argv) > 7 else None)
    elif cmd == "cut":
        cut_inside(argv[2], argv[3], int(argv[4]))
    elif cmd == "dump":
        for caplen, length, d in read_pcap(argv[2])[3]:
            print(caplen, length, d.hex())
    elif cmd == "info":
        kind, linktype, snaplen, _ = read_pcap(argv[2])
        print(kind, linktype, snaplen)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
