# SPDX-License-Identifier: BSD-2-Clause
#
# `make vm-bench`, in the vm-check guest (sourced by guest-tests.sh as the
# test group given in VM_TESTS): rates of the emulated adapter on a veth
# pair over the AF_PACKET baseline on the same pair, in the same guest.
# Times under emulation are not performance figures; their ratio is.
#
#   tx: frames/s a sender pushes into va (pkt-gen on netmap:va against
#       bench/af_packet's sender), the peer's stack dropping them;
#   rx: frames/s a receiver reads from vb while a sender of its own kind
#       floods va (pkt-gen on netmap:vb against af_packet's receiver).
#
# AF_PACKET is measured twice: one frame per system call (send/recv, the
# plain socket: generic_ratio_af_packet) and batches of 512 frames per
# sendmmsg/recvmmsg (generic_ratio_af_packet_mmsg).  The sender and the
# receiver are pinned to CPUs 0 and 1.  Prints "VMBENCH: " lines.

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

# af_packet with batch $1: "rx_mpps tx_mpps".
afp_rates() {
	timeout $((bench_secs + 60)) "$B/bench/af_packet" -t va -r vb -T nmbA -R nmbB \
		-d "$bench_secs" -a 0 -A 1 -b "$1" >/tmp/afp.out 2>&1
	sed -n 's/.*af_packet mpps=\([0-9.]*\).*tx_mpps=\([0-9.]*\).*/\1 \2/p' /tmp/afp.out
}

# pkt-gen tx on netmap:va alone: Mpps.
nm_tx_rate() {
	ip netns exec nmbA timeout $((bench_secs + 60)) "$BT/pkt-gen" -i netmap:va -f tx \
		-a 0 --duration "${bench_secs}s" 2>/dev/null | pg_mpps
}

# pkt-gen rx on netmap:vb while pkt-gen tx floods netmap:va: Mpps.
nm_rx_rate() {
	ip netns exec nmbB timeout $((bench_secs + 60)) "$BT/pkt-gen" -i netmap:vb -f rx \
		-a 1 --duration "$((bench_secs + 2))s" >/tmp/nmrx.out 2>/dev/null &
	local rx=$!
	sleep 1
	ip netns exec nmbA timeout $((bench_secs + 60)) "$BT/pkt-gen" -i netmap:va -f tx \
		-a 0 --duration "${bench_secs}s" >/dev/null 2>&1
	wait $rx
	pg_mpps </tmp/nmrx.out
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

read -r afp1_rx afp1_tx <<<"$(afp_rates 1)"
read -r afpm_rx afpm_tx <<<"$(afp_rates 512)"
nm_tx=$(nm_tx_rate)
nm_rx=$(nm_rx_rate)
echo "VMBENCH: generic_tx_mpps=${nm_tx:-n/a} generic_rx_mpps=${nm_rx:-n/a}" \
	"af_packet_tx_mpps=${afp1_tx:-n/a} af_packet_rx_mpps=${afp1_rx:-n/a}" \
	"af_packet_mmsg_tx_mpps=${afpm_tx:-n/a} af_packet_mmsg_rx_mpps=${afpm_rx:-n/a}" \
	"(veth, 60-byte frames, ${bench_secs}s each, kernel $(uname -r))"
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
