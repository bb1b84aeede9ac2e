# SPDX-License-Identifier: BSD-2-Clause
#
# `make vm-bench`, in the vm-check guest (sourced by guest-tests.sh as the
# test group given in VM_TESTS): rates of the emulated adapter on a veth
# pair over the AF_PACKET baseline on the same pair, in the same guest.
# Times under emulation are not performance figures; their ratio is.
#
# The pair: va in namespace nmbA, vb in nmbB, vb in veth's NAPI mode (GRO
# on, and TSO off on va, without which veth passes frames not from a
# socket to netif_rx all the same) with threaded NAPI, its thread pinned
# to CPU 1.  Without it veth
# delivers with netif_rx and the peer's whole receive processing runs in
# the sender's softirq, on the sender's CPU: a sender then pays for the
# receiver, and a receiver's cost is paid by the sender.  With it the
# sender's CPU (0) only hands the frame to veth, and the receive
# processing runs on the receiver's CPU (1), as it would on two machines.
# Every measurement, subject and baseline, uses this one setup.
#
#   tx: frames/s a sender alone on CPU 0 pushes into va, nobody listening
#       on vb (pkt-gen on netmap:va against af_packet -t).  Both send
#       bench/af_packet's 60-byte frame of ethertype 0x88b5 (it writes it
#       as a pcap file, pkt-gen -P sends it), which vb's stack drops at
#       once (no handler for the type; an IPv4 frame would cost a failed
#       route lookup per frame and so hide the senders' difference).
#   rx: frames/s a receiver on CPU 1 reads from vb (pkt-gen on netmap:vb
#       against af_packet -r) while the kernel's packet generator
#       (pktgen.ko, its thread on CPU 0) floods va as fast as it can, the
#       same load for both receivers, independent of them (pkt-gen on
#       netmap:va, the sender here before, gets its completions only when
#       the receiver frees the frames, so its rate followed the receiver
#       it was measuring).  pktgen's frames: 62 bytes (pkt_size 60 plus
#       an MPLS label: ethertype 0x8847, which nothing in the guest
#       handles (mpls_router is not loaded), so AF_PACKET's socket,
#       bound to it, is the frame's only taker as netmap's rx_handler
#       is; IPv4 frames would also go through ip_rcv), a new skb each
#       (clone_skb 0: veth takes no shared skb).  What pktgen offered is
#       printed beside each receiver: a ratio measures the receivers only
#       when they got less than was offered.
#
# AF_PACKET is measured twice: one frame per system call (send/recv, the
# plain socket: generic_ratio_af_packet) and batches of 512 frames per
# sendmmsg/recvmmsg (generic_ratio_af_packet_mmsg).  VM_BENCH_ROUNDS
# rounds (default 3), each measuring every rate once in the same order;
# the ratios are taken within a round and reported as medians.  Prints
# "VMBENCH: " lines.

bench_secs=${VM_BENCH_SECS:-4}
bench_rounds=${VM_BENCH_ROUNDS:-3}
BT=$(tools_dir)
export LD_LIBRARY_PATH=$B/.libs
# median
. "$SRC/bench/stats.sh"
[ -d /sys/module/veth ] || insmod /tmp/veth.ko
[ -d /sys/module/pktgen ] || insmod /tmp/pktgen.ko

ip netns add nmbA
ip netns add nmbB
ip link add va netns nmbA type veth peer name vb netns nmbB
for n in nmbA nmbB; do
	ip netns exec "$n" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6'
done
ip -n nmbA link set va up
ip -n nmbB link set vb up
ip netns exec nmbB ethtool -K vb gro on >/dev/null
# veth takes the NAPI path only for frames GRO could merge: with TSO on
# the sender's side, frames not from a socket go through netif_rx.
ip netns exec nmbA ethtool -K va tso off >/dev/null
ip netns exec nmbB sh -c 'echo 1 >/sys/class/net/vb/threaded'
napi=$(pgrep '^napi/vb-')
for p in $napi; do taskset -pc 1 "$p" >/dev/null; done
[ -n "$napi" ] || echo "VMBENCH: no NAPI thread for vb: its receive work runs on the sender's CPU"

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

# pkt-gen sending the same frame on netmap:va: Mpps.
nm_tx_rate() {
	ip netns exec nmbA timeout $((bench_secs + 60)) "$BT/pkt-gen" -i netmap:va \
		-f tx -P "$FRAME" -a 0 --duration "${bench_secs}s" 2>/dev/null | pg_mpps
}

# pktgen of nmbA (its /proc/net/pktgen): "$2" written to file $1.
kpg() {
	ip netns exec nmbA sh -c 'echo "$2" >"/proc/net/pktgen/$1"' kpg "$1" "$2"
}
VB_MAC=$(ip netns exec nmbB cat /sys/class/net/vb/address)
kpg kpktgend_0 rem_device_all
kpg kpktgend_0 "add_device va"
for c in "count 0" "clone_skb 0" "pkt_size 60" "mpls 0001000a" \
	"dst_mac $VB_MAC" "flag NO_TIMESTAMP" "delay 0"; do
	kpg va "$c" || echo "pktgen: '$c' refused" >&2
done

# CPU ticks of vb's NAPI threads so far.
napi_ticks() {
	local t=0 p
	for p in $napi; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# Receiver "$@" (in nmbB, in the background) while pktgen floods va from
# one second after its start until it ends.  Leaves in /tmp/nmb-offered
# what pktgen sent (Mpps over its whole run) and in /tmp/nmb-rxcpu the CPU
# seconds of the receive side: the receiver's processes (this subshell's
# children) and vb's NAPI thread while the receiver ran.
flooded() {
	local rx pg t0 t1
	t0=$(napi_ticks)
	"$@" &
	rx=$!
	sleep 1
	kpg pgctrl start &	# returns when stopped
	pg=$!
	wait $rx
	t1=$(napi_ticks)
	kpg pgctrl stop
	wait $pg
	ip netns exec nmbA cat /proc/net/pktgen/va |
		sed -n 's/^ *\([0-9]*\)pps .*/\1/p' |
		awk '{ printf "%.4f\n", $1 / 1e6; exit }' >/tmp/nmb-offered
	times >/tmp/nmb-times	# here: a subshell's own children count zero
	tail -n 1 /tmp/nmb-times | awk -v n=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '{
		s = n / hz
		for (i = 1; i <= 2; i++) {
			split($i, a, /[ms]/); s += a[1] * 60 + a[2]
		}
		printf "%.3f\n", s }' >/tmp/nmb-rxcpu
}

# Mpps per CPU second of the receive side: frames $1 over /tmp/nmb-rxcpu.
per_cpu() {
	awk -v f="$1" -v c="$(cat /tmp/nmb-rxcpu)" 'BEGIN {
		if (f + 0 > 0 && c + 0 > 0) printf "%.4f\n", f / c / 1e6; else print "n/a" }'
}

# pkt-gen rx on netmap:vb: Mpps (and per CPU second in /tmp/nmb-pc).
nm_rx_rate() {
	flooded ip netns exec nmbB timeout $((bench_secs + 60)) "$BT/pkt-gen" \
		-i netmap:vb -f rx -a 1 --duration "$((bench_secs + 3))s" \
		>/tmp/nmrx.out 2>/dev/null
	per_cpu "$(sed -n 's/^Received \([0-9]*\) packets.*/\1/p' /tmp/nmrx.out)" >/tmp/nmb-pc
	pg_mpps </tmp/nmrx.out
}

# af_packet receiving alone with batch $1: Mpps (and per CPU second in
# /tmp/nmb-pc).
afp_rx_rate() {
	flooded timeout $((bench_secs + 60)) "$B/bench/af_packet" -r vb -R nmbB \
		-e 0x8847 -d "$bench_secs" -A 1 -b "$1" >/tmp/afp.out 2>&1
	per_cpu "$(sed -n 's/^af_packet mpps=.* total=\([0-9]*\).*/\1/p' /tmp/afp.out)" >/tmp/nmb-pc
	sed -n 's/^af_packet mpps=\([0-9.]*\) .*/\1/p' /tmp/afp.out
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "n/a"
		else printf "%.2f", a / b }'
}

if [ -d /sys/module/mpls_router ]; then
	echo "VMBENCH: mpls_router is loaded: AF_PACKET's frames would also go to it"
fi
r1=() rxm=() t1=() txm=() p1=() pm=() missing=0
for r in $(seq "$bench_rounds"); do
	afp1_tx=$(afp_tx_rate 1)
	afpm_tx=$(afp_tx_rate 512)
	nm_tx=$(nm_tx_rate)
	afp1_rx=$(afp_rx_rate 1)
	off1=$(cat /tmp/nmb-offered) pc1=$(cat /tmp/nmb-pc)
	afpm_rx=$(afp_rx_rate 512)
	offm=$(cat /tmp/nmb-offered) pcm=$(cat /tmp/nmb-pc)
	nm_rx=$(nm_rx_rate)
	offn=$(cat /tmp/nmb-offered) pcn=$(cat /tmp/nmb-pc)
	echo "VMBENCH: round=$r generic_tx_mpps=${nm_tx:-n/a} generic_rx_mpps=${nm_rx:-n/a}" \
		"af_packet_tx_mpps=${afp1_tx:-n/a} af_packet_rx_mpps=${afp1_rx:-n/a}" \
		"af_packet_mmsg_tx_mpps=${afpm_tx:-n/a} af_packet_mmsg_rx_mpps=${afpm_rx:-n/a}" \
		"offered_rx_mpps=${off1:-n/a}/${offm:-n/a}/${offn:-n/a}" \
		"rx_mpps_per_cpu_s=${pc1:-n/a}/${pcm:-n/a}/${pcn:-n/a}"
	t1+=("$(ratio "$nm_tx" "$afp1_tx")")
	r1+=("$(ratio "$nm_rx" "$afp1_rx")")
	txm+=("$(ratio "$nm_tx" "$afpm_tx")")
	rxm+=("$(ratio "$nm_rx" "$afpm_rx")")
	p1+=("$(ratio "$pcn" "$pc1")")
	pm+=("$(ratio "$pcn" "$pcm")")
	echo "VMBENCH: round=$r generic_ratio_af_packet tx=${t1[-1]} rx=${r1[-1]}" \
		"rx_per_cpu=${p1[-1]} _mmsg tx=${txm[-1]} rx=${rxm[-1]} rx_per_cpu=${pm[-1]}"
	for v in "$nm_tx" "$nm_rx" "$afp1_tx" "$afp1_rx"; do
		[ -n "$v" ] || missing=$((missing + 1))
	done
done
echo "VMBENCH: (veth, vb's receive work in a NAPI thread on CPU 1; tx: 60-byte" \
	"frames of ethertype 0x88b5; rx: pktgen's 62-byte MPLS frames at full speed," \
	"offered Mpps quoted per receiver af_packet/mmsg/generic; ${bench_secs}s each," \
	"kernel $(uname -r))"
echo "VMBENCH: generic_ratio_af_packet tx=$(median "${t1[@]}")" \
	"rx=$(median "${r1[@]}") (median of $bench_rounds rounds)"
echo "VMBENCH: generic_ratio_af_packet_mmsg tx=$(median "${txm[@]}")" \
	"rx=$(median "${rxm[@]}") (median of $bench_rounds rounds)"
echo "VMBENCH: generic_ratio_af_packet_rx_per_cpu plain=$(median "${p1[@]}")" \
	"mmsg=$(median "${pm[@]}") (frames per CPU second of the receiver and vb's" \
	"NAPI thread, median of $bench_rounds rounds)"
if [ "$missing" = 0 ]; then
	pass "bench: emulated adapter and AF_PACKET rates measured"
else
	cat /tmp/afp.out >$LOG
	fail "bench: $missing measurements failed"
fi
kpg kpktgend_0 rem_device_all
ip netns del nmbA
ip netns del nmbB
