# SPDX-License-Identifier: BSD-2-Clause
"""
Network helpers of the NIC tests (095-nic.bats), standard library only,
so that the tests need neither ping, nc nor tcpdump.  Every command is
bounded in time and prints one result line.

  nic-net.py send IFACE COUNT [SIZE]
      Send COUNT Ethernet frames of SIZE bytes (default 60, ethertype
      0x88b5, source 02:4e:4d:00:00:01, broadcast) on IFACE (AF_PACKET).
      Prints "sent COUNT".
  nic-net.py count IFACE SECONDS [EXPECT [SRCMAC]]
      Count the frames of ethertype 0x88b5 (or, with SRCMAC, of that
      source address) that IFACE receives (not those it sends) for
      SECONDS, or until EXPECT came.  Prints "ready", then "count N".
  nic-net.py udp-send DST PORT COUNT [SIZE]
      Send COUNT UDP datagrams of SIZE payload bytes.  Prints "sent N".
  nic-net.py udp-count ADDR PORT SECONDS EXPECT
      Count datagrams received on ADDR:PORT until EXPECT came or SECONDS
      passed.  Prints "ready", then "count N".
  nic-net.py udp-gso DST PORT SEGSIZE TOTAL
      Send one UDP GSO datagram (UDP_SEGMENT) of TOTAL bytes in segments
      of SEGSIZE from this namespace to DST:PORT.  Prints "sent".
  nic-net.py check-pcap FILE
      Check every IPv4 frame of a pcap file: header checksum, and the
      TCP/UDP checksum.  Prints "frames N ipv4 M udp-payload BYTES
      bad K" (K must be 0).
  nic-net.py ping DST COUNT
      ICMP echo (raw socket), one second per reply at most.  Prints
      "replies N".
  nic-net.py tcp-serve ADDR PORT SECONDS
      Accept one connection, read until EOF, print "received BYTES
      SHA256", send the digest back.
  nic-net.py tcp-send DST PORT BYTES SECONDS
      Connect, send BYTES pseudo-random bytes, read the digest back.
      Prints "ok BYTES" when the server got them intact.
"""
import hashlib
import importlib.util
import os
import select
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5
SRC = bytes.fromhex("024e4d000001")
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


# The Internet checksum of pcap-frames.py, the other tests' frame maker.
_spec = importlib.util.spec_from_file_location(
    "pcap_frames", os.path.join(os.path.dirname(os.path.abspath(__file__)), "pcap-frames.py"))
_pf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pf)
csum = _pf.csum


def cmd_send(iface, count, size=60):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for k in range(int(count)):
        hdr = b"\xff" * 6 + SRC + struct.pack("!H", ETHERTYPE)
        body = struct.pack("!I", k) + bytes((k + i) & 0xFF for i in range(int(size) - 18))
        s.send(hdr + body)
    print("sent", count)


def cmd_count(iface, seconds, expect=None, srcmac=None):
    src = bytes.fromhex(srcmac.replace(":", "")) if srcmac else None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: no drops
    s.bind((iface, 0))
    end = time.time() + float(seconds)
    n = 0
    print("ready", flush=True)
    while time.time() < end and (expect is None or n < int(expect)):
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        data, addr = s.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:
            continue
        if len(data) < 14:
            continue
        if src is not None:
            n += data[6:12] == src
        elif struct.unpack("!H", data[12:14])[0] == ETHERTYPE:
            n += 1
    print("count", n)


def cmd_udp_send(dst, port, count, size=32):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    try:
        for k in range(int(count)):
            s.sendto(struct.pack("!I", k) + b"u" * (int(size) - 4), (dst, int(port)))
            sent += 1
    except OSError as e:  # the interface went away (teardown tests)
        print("error", e.errno)
    print("sent", sent)


def cmd_udp_count(addr, port, seconds, expect):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: no drops
    s.bind((addr, int(port)))
    end = time.time() + float(seconds)
    n = 0
    print("ready", flush=True)
    while time.time() < end and n < int(expect):
        r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
        if not r:
            break
        s.recv(65535)
        n += 1
    print("count", n)


def cmd_udp_gso(dst, port, segsize, total):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_UDP, 103, int(segsize))  # UDP_SEGMENT
    s.sendto(bytes(i & 0xFF for i in range(int(total))), (dst, int(port)))
    print("sent")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def cmd_check_pcap(path):
    frames = ipv4 = bad = payload = 0
    for fr in read_pcap(path):
        frames += 1
        if len(fr) < 34 or struct.unpack("!H", fr[12:14])[0] != 0x0800:
            continue
        ipv4 += 1
        ihl = (fr[14] & 15) * 4
        ip = fr[14:14 + ihl]
        tot = struct.unpack("!H", fr[16:18])[0]
        if csum(ip) != 0xFFFF:
            bad += 1
            continue
        proto = fr[23]
        l4 = fr[14 + ihl:14 + tot]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(l4))
        if proto in (6, 17):
            if proto == 17 and l4[6:8] == b"\0\0":
                pass  # no UDP checksum
            elif csum(pseudo + l4) != 0xFFFF:
                bad += 1
                continue
            if proto == 17:
                payload += len(l4) - 8
    print("frames", frames, "ipv4", ipv4, "udp-payload", payload, "bad", bad)


def cmd_ping(dst, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    got = 0
    for seq in range(int(count)):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"netmap-nic-test"
        c = 0xFFFF - csum(body)
        body = body[:2] + struct.pack("!H", c) + body[4:]
        try:
            s.sendto(body, (dst, 0))
        except OSError as e:  # no route: no reply either
            print("error", e.errno)
            break
        end = time.time() + 1.0
        while time.time() < end:
            r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
            if not r:
                break
            data = s.recv(2048)
            ihl = (data[0] & 15) * 4
            t, _, _, i, q = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if t == 0 and i == ident and q == seq:
                got += 1
                break
    print("replies", got)


def pattern(n):
    out = bytearray()
    h = b"netmap"
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def cmd_tcp_serve(addr, port, seconds):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(float(seconds))
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(float(seconds))
    h = hashlib.sha256()
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    c.sendall(h.hexdigest().encode())
    c.close()
    print("received", n, h.hexdigest())


def cmd_tcp_send(dst, port, nbytes, seconds):
    data = pattern(int(nbytes))
    c = socket.create_connection((dst, int(port)), timeout=float(seconds))
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = c.recv(128)
        if not d:
            break
        got += d
    if got.decode() == hashlib.sha256(data).hexdigest():
        print("ok", len(data))
    else:
        print("mismatch", got.decode())


def main():
    cmds = {
        "send": cmd_send, "count": cmd_count, "udp-gso": cmd_udp_gso,
        "udp-send": cmd_udp_send, "udp-count": cmd_udp_count,
        "check-pcap": cmd_check_pcap, "ping": cmd_ping,
        "tcp-serve": cmd_tcp_serve, "tcp-send": cmd_tcp_send,
    }
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
