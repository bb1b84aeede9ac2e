# SPDX-License-Identifier: BSD-2-Clause
#
# Sourced by guest-tests.sh for the "bench" group (make vm-bench): pkt-gen
# through a pipe and through VALE on the module, sleeping in poll (the
# default) and spinning (--busy-wait), in adjacent runs whose order flips
# every round, as make bench does on the user runtime.  Each run prints
#     VMBENCH <item> round=<r> mpps=<receiver's rate>
# which test/vm/vm-bench.sh turns into ratios; a run that fails is a FAIL.
# VM_BENCH_SECONDS (3) per run, VM_BENCH_ROUNDS (3).

bench_secs=${VM_BENCH_SECONDS:-3}
bench_rounds=${VM_BENCH_ROUNDS:-3}
BTOOLS=$(tools_dir)
. "$SRC/bench/stats.sh"


# bench_run item round kind(pipe|vale) [pkt-gen options]
bench_run() {
	local item=$1 r=$2 kind=$3 rxspec txspec sw dst=02:00:00:00:00:0b
	local rxpid i rate ok=1
	shift 3
	if [ "$kind" = pipe ]; then
		rxspec="netmap:vb$item$r}0" txspec="netmap:vb$item$r{0"
	else
		sw=vale${item:0:4}$r
		rxspec="$sw:rx" txspec="$sw:tx"
	fi
	LD_LIBRARY_PATH=$B/.libs "$BTOOLS/pkt-gen" -i "$rxspec" -f rx -a 1 -j \
		--idle 2s --duration $((bench_secs + 20))s "$@" \
		>/tmp/vb.rx 2>/tmp/vb.rx.err &
	rxpid=$!
	for i in $(seq 200); do
		grep -q '"type":"start"' /tmp/vb.rx 2>/dev/null && break
		kill -0 $rxpid 2>/dev/null || break
		sleep 0.1
	done
	if [ "$kind" = vale ]; then
		# teach the switch the receiver's address: learned unicast
		LD_LIBRARY_PATH=$B/.libs "$BTOOLS/pkt-gen" -i "$sw:rx" -f tx -n 1 \
			-S $dst >/dev/null 2>&1 || ok=0
	fi
	LD_LIBRARY_PATH=$B/.libs timeout $((bench_secs + 60)) "$BTOOLS/pkt-gen" \
		-i "$txspec" -f tx -l 60 -b 512 -a 0 -j --duration ${bench_secs}s \
		${sw:+-D $dst -S 02:00:00:00:00:01} "$@" >/tmp/vb.tx 2>/tmp/vb.tx.err ||
		ok=0
	wait $rxpid || ok=0
	rate=$(pg_rate /tmp/vb.rx)
	echo "VMBENCH $item round=$r mpps=$rate"
	if [ $ok = 1 ] && [ "$rate" != n/a ]; then
		pass "bench: $item round $r: $rate Mpps"
	else
		cat /tmp/vb.rx /tmp/vb.rx.err /tmp/vb.tx /tmp/vb.tx.err >$LOG 2>/dev/null
		fail "bench: $item round $r"
	fi
}

echo "guest bench: $bench_rounds rounds of ${bench_secs}s runs, pkt-gen on CPUs 0 and 1"
for r in $(seq "$bench_rounds"); do
	for pair in pipe vale60; do
		kind=${pair%60}
		if [ $((r % 2)) = 1 ]; then
			bench_run "${pair}_busy" "$r" "$kind" --busy-wait
			bench_run "${pair}_poll" "$r" "$kind"
		else
			bench_run "${pair}_poll" "$r" "$kind"
			bench_run "${pair}_busy" "$r" "$kind" --busy-wait
		fi
	done
done
