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
#       (pktgen.ko, its thread on CPU 0) offers frames as fast as it
#       can, the same load for every receiver and independent of it
#       (pkt-gen on netmap:va, the sender here before, gets its
#       completions only when the receiver frees the frames, so its rate
#       followed the receiver it was measuring).  pktgen's frames: 62
#       bytes (pkt_size 60 plus an MPLS label: ethertype 0x8847, which
#       nothing in the guest handles (mpls_router is not loaded), so
#       AF_PACKET's socket, bound to it, is the frame's only taker as
#       netmap's rx_handler is; IPv4 frames would also go through
#       ip_rcv).  Two loads, each receiver under both:
#       - injected (the rx figure): pktgen of nmbB in xmit_mode
#         netif_receive hands its skbs straight to vb's receive path
#         (netif_receive_skb, the rx_handler or packet_rcv) on CPU 0,
#         where a NIC's interrupt would run it, each skb 64 times
#         (burst 64: no allocation per frame); it offers 0.4-1.2 Mpps,
#         several times what either receiver takes, so the rate is the
#         receiver's: its kernel part on CPU 0 (a receiver whose part
#         there costs more gets less offered) and its process on CPU 1;
#       - napi: pktgen of nmbA sends through va (a new skb each,
#         clone_skb 0: veth takes no shared skb) and vb's NAPI thread on
#         CPU 1 does the receive work beside the receiver: the whole
#         receive path on one CPU, mostly work both receivers share.
#       What pktgen offered is printed beside each receiver: every frame
#       handed to vb's receive path, or to va together with those va
#       refused because vb's queue was full (pktgen's errors: the receive
#       side did not keep up).
#
# AF_PACKET is measured twice: one frame per system call (send/recv, the
# plain socket: generic_ratio_af_packet) and batches of 512 frames per
# sendmmsg/recvmmsg (generic_ratio_af_packet_mmsg).  VM_BENCH_ROUNDS
# rounds (default 3), each measuring every rate once in the same order;
# the ratios are taken within a round and reported as medians.  Prints
# "VMBENCH: " lines.  VM_BENCH_ONLY=rx measures only the receivers under
# the injected load (the rx and rx_per_cpu ratios; the others print n/a),
# for comparing two builds of the receive path in alternated runs.

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

# pktgen of namespace $PG_NS (its /proc/net/pktgen): "$2" written to file $1.
PG_NS=nmbA
kpg() {
	ip netns exec "$PG_NS" sh -c 'echo "$2" >"/proc/net/pktgen/$1"' kpg "$1" "$2"
}
VB_MAC=$(ip netns exec nmbB cat /sys/class/net/vb/address)
# Two loads, each set up once in its own namespace (pgctrl starts only
# the threads of its namespace): through the pair, pktgen of nmbA on va;
# injected, pktgen of nmbB on vb with xmit_mode netif_receive, each skb
# handed 64 times (burst 64: no allocation per frame, so that pktgen
# offers several times what either receiver takes).
for PG_NS in nmbA nmbB; do
	dev=va
	[ $PG_NS = nmbB ] && dev=vb
	kpg kpktgend_0 rem_device_all
	kpg kpktgend_0 "add_device $dev"
	[ $dev = vb ] && kpg vb "xmit_mode netif_receive"
	for c in "count 0" "clone_skb 0" "pkt_size 60" "mpls 0001000a" \
		"dst_mac $VB_MAC" "flag NO_TIMESTAMP" "delay 0"; do
		kpg $dev "$c" || echo "pktgen: '$c' refused" >&2
	done
	[ $dev = vb ] && { kpg vb "burst 64" || echo "pktgen: 'burst 64' refused" >&2; }
done
PG_NS=nmbA

# CPU ticks of vb's NAPI threads so far.
napi_ticks() {
	local t=0 p
	for p in $napi; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# Mpps pktgen offered over its last run: every frame it handed to va
# (pkts-sofar) plus those va refused because vb's queue was full (errors:
# they count too, the receive side did not keep up), or every frame it
# handed to vb's receive path (pkts-sofar, whatever became of them).
pg_offered() {
	local dev=va
	[ "$PG_NS" = nmbB ] && dev=vb
	ip netns exec "$PG_NS" cat "/proc/net/pktgen/$dev" | awk -v dev=$dev '
		/Result: OK:/ { us = $3 + 0 }
		/pkts-sofar:/ { n = $2; if (dev == "va") n += $4 }
		END { if (us > 0) printf "%.4f\n", n / us; else print "" }'
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
	pg_offered >/tmp/nmb-offered
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
# The three receivers under pktgen of namespace $1 (nmbA: through the
# pair; nmbB: injected), in this order: af_packet one frame per call,
# af_packet batches of 512, pkt-gen on netmap:vb.  Sets RX (Mpps), OFF
# (offered Mpps) and PC (Mpps per CPU second), each "a/m/n".
rx_three() {
	local a m n oa om on ca cm cn
	PG_NS=$1
	a=$(afp_rx_rate 1); oa=$(cat /tmp/nmb-offered) ca=$(cat /tmp/nmb-pc)
	m=$(afp_rx_rate 512); om=$(cat /tmp/nmb-offered) cm=$(cat /tmp/nmb-pc)
	n=$(nm_rx_rate); on=$(cat /tmp/nmb-offered) cn=$(cat /tmp/nmb-pc)
	PG_NS=nmbA
	RX="${a:-n/a}/${m:-n/a}/${n:-n/a}"
	OFF="${oa:-n/a}/${om:-n/a}/${on:-n/a}"
	PC="${ca:-n/a}/${cm:-n/a}/${cn:-n/a}"
}
# Field $2 (1-3) of "a/m/n" $1, empty for n/a.
f3() { local v; v=$(echo "$1" | cut -d/ -f"$2"); [ "$v" = n/a ] || echo "$v"; }

r1=() rxm=() t1=() txm=() p1=() pm=() v1=() vm=() q1=() qm=() missing=0
only_rx=0
[ "${VM_BENCH_ONLY:-}" = rx ] && only_rx=1
for r in $(seq "$bench_rounds"); do
	afp1_tx= afpm_tx= nm_tx= vrx=// voff=// vpc=//
	if [ $only_rx = 0 ]; then
		afp1_tx=$(afp_tx_rate 1)
		afpm_tx=$(afp_tx_rate 512)
		nm_tx=$(nm_tx_rate)
	fi
	rx_three nmbB
	irx=$RX ioff=$OFF ipc=$PC
	if [ $only_rx = 0 ]; then
		rx_three nmbA
		vrx=$RX voff=$OFF vpc=$PC
	fi
	echo "VMBENCH: round=$r generic_tx_mpps=${nm_tx:-n/a}" \
		"af_packet_tx_mpps=${afp1_tx:-n/a} af_packet_mmsg_tx_mpps=${afpm_tx:-n/a}"
	echo "VMBENCH: round=$r injected rx_mpps=$irx offered_mpps=$ioff" \
		"rx_mpps_per_cpu_s=$ipc"
	echo "VMBENCH: round=$r napi rx_mpps=$vrx offered_mpps=$voff" \
		"rx_mpps_per_cpu_s=$vpc"
	t1+=("$(ratio "$nm_tx" "$afp1_tx")")
	txm+=("$(ratio "$nm_tx" "$afpm_tx")")
	r1+=("$(ratio "$(f3 "$irx" 3)" "$(f3 "$irx" 1)")")
	rxm+=("$(ratio "$(f3 "$irx" 3)" "$(f3 "$irx" 2)")")
	q1+=("$(ratio "$(f3 "$ipc" 3)" "$(f3 "$ipc" 1)")")
	qm+=("$(ratio "$(f3 "$ipc" 3)" "$(f3 "$ipc" 2)")")
	v1+=("$(ratio "$(f3 "$vrx" 3)" "$(f3 "$vrx" 1)")")
	vm+=("$(ratio "$(f3 "$vrx" 3)" "$(f3 "$vrx" 2)")")
	p1+=("$(ratio "$(f3 "$vpc" 3)" "$(f3 "$vpc" 1)")")
	pm+=("$(ratio "$(f3 "$vpc" 3)" "$(f3 "$vpc" 2)")")
	echo "VMBENCH: round=$r generic_ratio_af_packet tx=${t1[-1]} rx=${r1[-1]}" \
		"rx_per_cpu=${q1[-1]} _mmsg tx=${txm[-1]} rx=${rxm[-1]} rx_per_cpu=${qm[-1]}" \
		"napi: rx=${v1[-1]} rx_per_cpu=${p1[-1]} _mmsg rx=${vm[-1]} rx_per_cpu=${pm[-1]}"
	if [ $only_rx = 0 ]; then
		need=("$nm_tx" "$afp1_tx" "$(f3 "$irx" 1)" "$(f3 "$irx" 3)" \
			"$(f3 "$vrx" 1)" "$(f3 "$vrx" 3)")
	else
		need=("$(f3 "$irx" 1)" "$(f3 "$irx" 3)")
	fi
	for v in "${need[@]}"; do
		[ -n "$v" ] || missing=$((missing + 1))
	done
done
echo "VMBENCH: (tx: 60-byte frames of ethertype 0x88b5 into va, nobody on vb;" \
	"rx: pktgen's 62-byte MPLS frames at full speed, injected into vb's receive" \
	"path on CPU 0 (netif_receive, burst 64), or through va and vb's NAPI thread" \
	"on CPU 1 (napi); receivers on CPU 1; Mpps and what pktgen offered quoted" \
	"per receiver af_packet/mmsg/generic; ${bench_secs}s each, kernel $(uname -r))"
echo "VMBENCH: generic_ratio_af_packet tx=$(median "${t1[@]}")" \
	"rx=$(median "${r1[@]}") (median of $bench_rounds rounds; rx injected)"
echo "VMBENCH: generic_ratio_af_packet_mmsg tx=$(median "${txm[@]}")" \
	"rx=$(median "${rxm[@]}") (median of $bench_rounds rounds)"
echo "VMBENCH: generic_ratio_af_packet_rx_per_cpu plain=$(median "${q1[@]}")" \
	"mmsg=$(median "${qm[@]}") (injected: frames per CPU second of the receiving" \
	"process, median of $bench_rounds rounds)"
echo "VMBENCH: generic_ratio_af_packet_napi rx=$(median "${v1[@]}")" \
	"mmsg=$(median "${vm[@]}") rx_per_cpu plain=$(median "${p1[@]}")" \
	"mmsg=$(median "${pm[@]}") (through the pair, frames per CPU second of the" \
	"receiver and vb's NAPI thread, median of $bench_rounds rounds)"
if [ "$missing" = 0 ]; then
	pass "bench: emulated adapter and AF_PACKET rates measured"
else
	cat /tmp/afp.out >$LOG
	fail "bench: $missing measurements failed"
fi
for PG_NS in nmbA nmbB; do kpg kpktgend_0 rem_device_all; done
ip netns del nmbA
ip netns del nmbB
