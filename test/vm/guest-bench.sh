# SPDX-License-Identifier: BSD-2-Clause
#
# `make vm-bench`, in the vm-check guest (sourced by guest-tests.sh as the
# test group given in VM_TESTS): rates of the emulated adapter on a veth
# pair over the AF_PACKET baseline on the same pair, in the same guest.
# Times under emulation are not performance figures; their ratio is.
#
# Both sides of every comparison move the same frames, fed the same way:
# bench/af_packet's 60-byte frame of ethertype 0x88b5 (it writes it as a
# pcap file, pkt-gen -P sends it), which vb's stack drops at once when
# nobody listens (no handler for the type).  An IPv4 frame would cost the
# peer a failed route lookup per frame, on the sender's CPU (veth delivers
# in the sender's softirq), the same for both senders, and so hide their
# difference.
#
#   tx: frames/s a sender alone pushes into va, nobody listening on vb
#       (pkt-gen on netmap:va against af_packet -t);
#   rx: frames/s a receiver reads from vb while one and the same sender,
#       pkt-gen on netmap:va, floods va (pkt-gen on netmap:vb against
#       af_packet -r).
#
# AF_PACKET is measured twice: one frame per system call (send/recv, the
# plain socket: generic_ratio_af_packet) and batches of 512 frames per
# sendmmsg/recvmmsg (generic_ratio_af_packet_mmsg).  Senders are pinned to
# CPU 0, receivers to CPU 1.  Prints "VMBENCH: " lines.

bench_secs=${VM_BENCH_SECS:-4}
BT=$(tools_dir)
export LD_LIBRARY_PATH=$B/.libs
[ -d /sys/module/veth ] || insmod /tmp/veth.ko

ip netns add nmbA
ip netns add nmbB
ip link add va netns nmbA type veth peer name vb netns nmbB
for n in nmbA nmbB; do
	ip netns exec "$n" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6'
done
ip -n nmbA link set va up
ip -n nmbB link set vb up

# Mpps from pkt-gen's "Speed: N [KM]pps" line on stdin.
pg_mpps() {
	awk '/^Speed: / { v = $2; u = $3
		if (u == "Kpps") v /= 1000; else if (u == "pps") v /= 1000000
		printf "%.4f\n", v; exit }'
}

FRAME=/tmp/nmb-frame.pcap
"$B/bench/af_packet" -w "$FRAME" -l 60

# af_packet sending alone with batch $1: Mpps.
afp_tx_rate() {
	timeout $((bench_secs + 60)) "$B/bench/af_packet" -t va -T nmbA \
		-d "$bench_secs" -a 0 -b "$1" >/tmp/afp.out 2>&1
	sed -n 's/^af_packet tx_mpps=\([0-9.]*\) .*/\1/p' /tmp/afp.out
}

# pkt-gen sending the same frame on netmap:va for $1 seconds: Mpps.
nm_tx() {
	ip netns exec nmbA timeout $(($1 + 60)) "$BT/pkt-gen" -i netmap:va -f tx \
		-P "$FRAME" -a 0 --duration "$1s" 2>/dev/null | pg_mpps
}

# Receiver "$@" (in nmbB, in the background) while nm_tx floods va.
flooded() {
	"$@" &
	local rx=$!
	sleep 1
	nm_tx $((bench_secs + 2)) >/dev/null
	wait $rx
}

# pkt-gen rx on netmap:vb: Mpps.
nm_rx_rate() {
	flooded ip netns exec nmbB timeout $((bench_secs + 60)) "$BT/pkt-gen" \
		-i netmap:vb -f rx -a 1 --duration "$((bench_secs + 4))s" \
		>/tmp/nmrx.out 2>/dev/null
	pg_mpps </tmp/nmrx.out
}

# af_packet receiving alone with batch $1: Mpps.
afp_rx_rate() {
	flooded timeout $((bench_secs + 60)) "$B/bench/af_packet" -r vb -R nmbB \
		-d "$bench_secs" -A 1 -b "$1" >/tmp/afp.out 2>&1
	sed -n 's/^af_packet mpps=\([0-9.]*\) .*/\1/p' /tmp/afp.out
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

afp1_tx=$(afp_tx_rate 1)
afpm_tx=$(afp_tx_rate 512)
nm_tx=$(nm_tx "$bench_secs")
afp1_rx=$(afp_rx_rate 1)
afpm_rx=$(afp_rx_rate 512)
nm_rx=$(nm_rx_rate)
echo "VMBENCH: generic_tx_mpps=${nm_tx:-n/a} generic_rx_mpps=${nm_rx:-n/a}" \
	"af_packet_tx_mpps=${afp1_tx:-n/a} af_packet_rx_mpps=${afp1_rx:-n/a}" \
	"af_packet_mmsg_tx_mpps=${afpm_tx:-n/a} af_packet_mmsg_rx_mpps=${afpm_rx:-n/a}" \
	"(veth, the same 60-byte frames of ethertype 0x88b5, ${bench_secs}s each, kernel $(uname -r))"
echo "VMBENCH: generic_ratio_af_packet tx=$(ratio "${nm_tx:-0}" "${afp1_tx:-0}")" \
	"rx=$(ratio "${nm_rx:-0}" "${afp1_rx:-0}")"
echo "VMBENCH: generic_ratio_af_packet_mmsg tx=$(ratio "${nm_tx:-0}" "${afpm_tx:-0}")" \
	"rx=$(ratio "${nm_rx:-0}" "${afpm_rx:-0}")"
if [ -n "$nm_tx" ] && [ -n "$nm_rx" ] && [ -n "$afp1_tx" ] && [ -n "$afp1_rx" ]; then
	pass "bench: emulated adapter and AF_PACKET rates measured"
else
	cat /tmp/afp.out >$LOG
	fail "bench: a measurement failed"
fi
ip netns del nmbA
ip netns del nmbB
