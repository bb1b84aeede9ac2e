# SPDX-License-Identifier: BSD-2-Clause
#
# tools.sh - the bridge and nmreplay rows of run-bench.sh, which sources it
# (bench/README.md, "bridge and nmreplay"): each subject runs next to a
# baseline of the same round, with the same receiver.
#
# These VMs have two CPUs, and a bridge makes three programs (sender,
# bridge, receiver): three spinning programs on two CPUs take turns by
# time slices and measure the scheduler.  So every program of these rows
# sleeps in poll() (no --busy-wait), and the bridge's baseline is pkt-gen
# through one pipe run the same way (pipe_sleep).  Uses run-bench.sh's
# $tmp, $secs, $pktgen, note, pg_ready and pg_rate.

bridge_bin=$builddir/bridge
nmreplay_bin=$builddir/nmreplay
tb_trace=$tmp/trace60.pcap	# 1000 frames of 60 bytes, 1 us apart

# A receiver on $1 (CPU 1) for item $2, sleeping in poll() (or with
# $3 = --busy-wait, spinning).
tb_rx() {
	timeout -k 2 $((secs + 12)) "$pktgen" -i "$1" -f rx -a 1 -j --idle 300ms \
		--duration $((secs + 6))s ${3:-} > "$tmp/$2.rx" 2> "$tmp/$2.rx.err" &
	tb_rxpid=$!
	pg_ready "$tmp/$2.rx" "$tb_rxpid" && return 0
	kill "$tb_rxpid" 2>/dev/null
	wait "$tb_rxpid" 2>/dev/null
	note "$2: receiver on $1 not ready"
	return 1
}

# Wait for the receiver of item $1, log everything, set V[$1,$2] to its rate.
tb_collect() {
	local item=$1 r=$2 ok=$3 f
	wait "$tb_rxpid" || ok=0
	for f in "$tmp/$item".*; do
		{ echo "[$item round $r: ${f##*.}]"; cat "$f"; } >> "$log"
	done
	V[$item,$r]=$(pg_rate "$tmp/$item.rx")
	[ "$ok" = 1 ] || { note "$item round $r: a program failed"; V[$item,$r]=n/a; }
	rm -f "$tmp/$item".*
}

# pkt-gen through one pipe, both sleeping: the bridge's baseline.
tb_pipe_sleep() {	# round
	local item=pipe_sleep r=$1 ok=1
	V[$item,$r]=n/a
	[ -n "$pktgen" ] || return
	tb_rx "netmap:tps$r}0" "$item" || return
	timeout -k 2 $((secs + 10)) "$pktgen" -i "netmap:tps$r{0" -f tx -a 0 -b 512 -j \
		--duration "${secs}s" > "$tmp/$item.tx" 2> "$tmp/$item.tx.err" || ok=0
	tb_collect "$item" "$r" "$ok"
}

# pkt-gen -> pipe -> bridge -> pipe -> pkt-gen.  zc: two pipes of one
# parent, which share a region (buffers swapped); copy: pipes of two
# parents (frames copied).
tb_bridge() {	# zc|copy round
	local mode=$1 r=$2 item=bridge_$1 ok=1 a b brpid
	V[$item,$r]=n/a
	[ -n "$pktgen" ] && [ -x "$bridge_bin" ] || return
	a=tb$r$mode
	b=$a; [ "$mode" = copy ] && b=${a}x
	tb_rx "netmap:$b}1" "$item" || return
	timeout -k 2 $((secs + 12)) "$bridge_bin" -i "netmap:$a}0" -i "netmap:$b{1" \
		--duration $((secs + 4))s > "$tmp/$item.br" 2> "$tmp/$item.br.err" &
	brpid=$!
	for _ in $(seq 60); do
		grep -q 'Ready to go' "$tmp/$item.br.err" 2>/dev/null && break
		sleep 0.05
	done
	timeout -k 2 $((secs + 10)) "$pktgen" -i "netmap:$a{0" -f tx -a 0 -b 512 -j \
		--duration "${secs}s" > "$tmp/$item.tx" 2> "$tmp/$item.tx.err" || ok=0
	wait "$brpid" || ok=0
	grep -q "zerocopy $([ "$mode" = zc ] && echo supported || echo 'NOT supported')" \
		"$tmp/$item.br.err" || { note "$item: unexpected zero copy mode"; ok=0; }
	tb_collect "$item" "$r" "$ok"
}

tb_trace_ready() {
	[ -s "$tb_trace" ] ||
	python3 "$srcdir/test/bats/pcap-frames.py" trace "$tb_trace" pcap 1000 60 1000 \
		>> "$log" 2>&1
}

# The same 60-byte frames from the same trace: pkt-gen -P (it copies them
# into the slots too) and nmreplay --topspeed, each on CPU 0.
tb_pktgen_pcap() {	# round
	local item=pktgen_pcap r=$1 ok=1
	V[$item,$r]=n/a
	[ -n "$pktgen" ] && tb_trace_ready || return
	tb_rx "netmap:tpp$r}0" "$item" || return
	timeout -k 2 $((secs + 10)) "$pktgen" -i "netmap:tpp$r{0" -f tx -P "$tb_trace" -a 0 \
		-b 128 -j --duration "${secs}s" > "$tmp/$item.tx" 2> "$tmp/$item.tx.err" || ok=0
	tb_collect "$item" "$r" "$ok"
}

tb_nmreplay_top() {	# round
	local item=nmreplay_top r=$1 ok=1
	V[$item,$r]=n/a
	[ -n "$pktgen" ] && [ -x "$nmreplay_bin" ] && tb_trace_ready || return
	tb_rx "netmap:tnt$r}0" "$item" || return
	timeout -k 2 $((secs + 10)) "$nmreplay_bin" -i "netmap:tnt$r{0" -f "$tb_trace" \
		--topspeed -C 0 -T 0 --duration "${secs}s" > "$tmp/$item.nr" \
		2> "$tmp/$item.nr.err" || ok=0
	tb_collect "$item" "$r" "$ok"
}

# nmreplay -B ether,RATE of 60-byte frames: the achieved rate on the wire
# (frame bytes plus 24 per packet) from its JSON summary, and its relative
# error in RE[item,round]; V holds the packet rate.  The receiver spins,
# as a link drains at its rate: a sleeping one is woken per batch, and on
# these VMs waking an idle CPU can take up to a scheduler tick, in which
# the 1024-slot ring (0.7 ms at 1 Gbps, 69 us at 10 Gbps) fills and the
# pacer waits on the sink (bench/README.md).  nmreplay spins between
# packets at these rates anyway: two programs on two CPUs.
declare -A RE
tb_nmreplay_rate() {	# 1g|10g round
	local item=nmreplay_$1 r=$2 want ok=1 line
	case $1 in 1g) want=1e9 ;; 10g) want=10e9 ;; esac
	V[$item,$r]=n/a RE[$item,$r]=n/a
	[ -n "$pktgen" ] && [ -x "$nmreplay_bin" ] && tb_trace_ready || return
	tb_rx "netmap:tnr$r$1}0" "$item" --busy-wait || return
	timeout -k 2 $((secs + 10)) "$nmreplay_bin" -i "netmap:tnr$r$1{0" -f "$tb_trace" \
		-B "ether,$1" -C 0 -T 0 -j --duration "${secs}s" > "$tmp/$item.nr" \
		2> "$tmp/$item.nr.err" || ok=0
	line=$(grep '"type":"summary"' "$tmp/$item.nr" | tail -n 1)
	tb_collect "$item" "$r" "$ok"
	[ -n "$line" ] && [ "${V[$item,$r]}" != n/a ] || return
	read -r V[$item,$r] RE[$item,$r] < <(awk -v w="$want" -v l="$line" 'BEGIN {
		n = split(l, kv, /[,{}]/)
		for (i = 1; i <= n; i++) {
			split(kv[i], p, ":"); gsub(/"/, "", p[1]); f[p[1]] = p[2]
		}
		if (f["seconds"] + 0 <= 0) { print "n/a n/a"; exit }
		bps = (8 * f["bytes"] + 8 * 24 * f["pkts"]) / f["seconds"]
		e = (bps - w) / w; if (e < 0) e = -e
		printf "%.3f %.4g\n", f["pkts"] / f["seconds"] / 1e6, e }')
}
