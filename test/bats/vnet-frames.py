# SPDX-License-Identifier: BSD-2-Clause
"""
Frames with virtio-net headers for the VALE header-conversion tests (spec
15.8), and a checker of what comes out, independent of the code under test.

  vnet-frames.py make OUT HDRLEN KIND PAYLOAD [MSS]
      Write a pcap file whose one record is a virtio-net header of HDRLEN
      bytes (10 or 12) followed by an Ethernet frame carrying PAYLOAD bytes:
        tcp4, tcp6   TCP over IPv4/IPv6, segmentation asked (gso_size MSS),
                     flags CWR|ACK|PSH|FIN, checksum field left partial
        udp4, udp6   UDP, segmentation asked (UFO)
        vlan4        tcp4 with an 802.1Q tag
        csum4        UDP/IPv4, no segmentation, "needs checksum"
        plain        UDP/IPv4 with valid checksums and a zeroed header
        badgso       tcp4 marked with an unknown gso_type (5)
        short        tcp4 cut inside its TCP header
  vnet-frames.py segments FILE KIND PAYLOAD MSS
      Check the frames of pcap FILE (what a port without header received):
      as many as ceil(PAYLOAD / MSS), each with the headers of the original
      fixed up (IP lengths, IPv4 id + i, TCP sequence, flags only where
      they belong, UDP length) and the right slice of the payload.  Prints
      "<n> segments" or fails with a message.  Checksums are left to
      tshark.
  vnet-frames.py frame KIND PAYLOAD
      Print the hex of the plain frame (no header) of KIND, for byte-exact
      comparisons.
"""
import importlib.util
import os
import struct
import sys

# The Internet checksum of pcap-frames.py (the helpers share one).
_spec = importlib.util.spec_from_file_location(
    "pcap_frames", os.path.join(os.path.dirname(os.path.abspath(__file__)), "pcap-frames.py"))
_pcap_frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pcap_frames)
csum = _pcap_frames.csum

SRC4, DST4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SRC6 = bytes([0xfd, 0] + [0] * 13 + [1])
DST6 = bytes([0xfd, 0] + [0] * 13 + [2])
MACS = bytes.fromhex("020000000002" "020000000001")
SEQ = 1000000
IPID = 0x1234
TCP_FLAGS = 0x80 | 0x10 | 0x08 | 0x01	# CWR ACK PSH FIN


def payload(n):
    return bytes((i * 13 + 7) & 0xFF for i in range(n))


def pseudo(v6, proto, length):
    if v6:
        return SRC6 + DST6 + struct.pack("!IxxxB", length, proto)
    return SRC4 + DST4 + struct.pack("!BBH", 0, proto, length)


def build(kind, n):
    """(frame, l3 offset, l4 offset, gso_type, proto) of a KIND frame."""
    v6 = kind.endswith("6")
    udp = kind.startswith("udp") or kind in ("csum4", "plain")
    proto = 17 if udp else 6
    data = payload(n)
    if udp:
        l4 = struct.pack("!HHHH", 4000, 5000, 8 + n, 0)
    else:
        l4 = struct.pack("!IIBBHHH", SEQ, 77, 5 << 4, TCP_FLAGS, 65535, 0, 0)
        l4 = struct.pack("!HH", 1234, 80) + l4
    seg = l4 + data
    if kind == "plain":
        c = 0xFFFF - csum(pseudo(False, 17, len(seg)) + seg)
        seg = seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]
    else:
        # what a stack leaves for the device: the folded pseudo-header sum
        ck = 6 if udp else 16
        part = csum(pseudo(v6, proto, len(seg)))
        seg = seg[:ck] + struct.pack("!H", part) + seg[ck + 2:]
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(seg), proto, 64) + SRC6 + DST6
        eth = MACS + b"\x86\xdd"
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), IPID, 0x4000,
                         64, proto, 0, SRC4, DST4)
        ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
        eth = MACS + b"\x08\x00"
    if kind == "vlan4":
        eth = MACS + b"\x81\x00\x00\x05\x08\x00"
    l3 = len(eth)
    gso = 0 if kind in ("csum4", "plain") else (3 if udp else (4 if v6 else 1))
    return eth + ip + seg, l3, l3 + len(ip), gso, proto


def vnet_header(hdrlen, kind, frame, l4, gso, mss):
    flags = 0 if kind == "plain" else 1		# NEEDS_CSUM
    udp = gso == 3 or kind == "csum4"
    csum_off = 6 if udp else 16
    if kind == "badgso":
        gso = 5
    hlen = l4 + (8 if udp else 20)
    h = struct.pack("<BBHHHH", flags, gso, hlen, mss if gso else 0, l4,
                    csum_off) if kind != "plain" else bytes(10)
    return h + bytes(hdrlen - 10)


def write_pcap(path, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for r in records:
            f.write(struct.pack("<IIII", 0, 0, len(r), len(r)))
            f.write(r)


def read_pcap(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        out.append(data[pos + 16:pos + 16 + caplen])
        pos += 16 + caplen
    return out


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def make(out, hdrlen, kind, n, mss):
    frame, l3, l4, gso, proto = build("tcp4" if kind in ("badgso", "short") else kind, n)
    if kind == "short":
        frame = frame[:l4 + 12]
    write_pcap(out, [vnet_header(hdrlen, kind, frame, l4, gso, mss) + frame])


def segments(path, kind, n, mss):
    frame, l3, l4, gso, proto = build(kind, n)
    udp = proto == 17
    v6 = kind.endswith("6")
    hlen = l4 + (8 if udp else 20)
    data = payload(n)
    want = (n + mss - 1) // mss
    got = read_pcap(path)
    if len(got) != want:
        fail("%d frames, expected %d" % (len(got), want))
    for i, f in enumerate(got):
        part = data[i * mss:(i + 1) * mss]
        if len(f) != hlen + len(part):
            fail("segment %d: %d bytes, expected %d" % (i, len(f), hlen + len(part)))
        if f[:l3] != frame[:l3]:
            fail("segment %d: Ethernet header differs" % i)
        if f[hlen:] != part:
            fail("segment %d: payload differs" % i)
        l4len = len(f) - l4
        if v6:
            if struct.unpack("!H", f[l3 + 4:l3 + 6])[0] != l4len:
                fail("segment %d: IPv6 payload length" % i)
        else:
            tot, ipid = struct.unpack("!HH", f[l3 + 2:l3 + 6])
            if tot != len(f) - l3:
                fail("segment %d: IPv4 total length %d" % (i, tot))
            if ipid != (IPID + i) & 0xFFFF:
                fail("segment %d: IPv4 id %d, expected %d" % (i, ipid, IPID + i))
        if udp:
            if struct.unpack("!H", f[l4 + 4:l4 + 6])[0] != l4len:
                fail("segment %d: UDP length" % i)
            continue
        seq, = struct.unpack("!I", f[l4 + 4:l4 + 8])
        if seq != (SEQ + i * mss) & 0xFFFFFFFF:
            fail("segment %d: TCP sequence %d, expected %d" % (i, seq, SEQ + i * mss))
        flags = f[l4 + 13]
        expect = 0x10 | (0x80 if i == 0 else 0) | (0x09 if i == want - 1 else 0)
        if flags != expect:
            fail("segment %d: TCP flags 0x%02x, expected 0x%02x" % (i, flags, expect))
    print("%d segments" % len(got))


def main(argv):
    if len(argv) >= 5 and argv[1] == "make":
        make(argv[2], int(argv[3]), argv[4], int(argv[5]),
             int(argv[6]) if len(argv) > 6 else 1448)
    elif len(argv) == 6 and argv[1] == "segments":
        segments(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif len(argv) == 4 and argv[1] == "frame":
        print(build(argv[2], int(argv[3]))[0].hex())
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
