# SPDX-License-Identifier: BSD-2-Clause
#
# A debugging aid, not a test: the injected rx row of make vm-bench
# (guest-bench.sh's setup: pktgen of nmbB in xmit_mode netif_receive on
# CPU 0, burst 64, 62-byte MPLS frames into vb) with the netmap receiver
# run under several settings of the module's parameters, alternated
# within one guest boot, which keeps the boot-to-boot differences of the
# emulated machine out of the comparison (kmod/README.md, "What does not
# limit the rx row").  Run it with
#   make vm-check VM_TESTS=$PWD/../test/vm/guest-rx-ab.sh
# from a build folder.  The settings are the lines of
# $B/rx-ab.variants (B: the build folder, which the guest sees), one
# variant a line, each a list of PARAM=VALUE of /sys/module/netmap/
# parameters (default: "generic_mit=100000" and "generic_mit=0"), or
# PKTGEN=DIR to run the pkt-gen of another build folder DIR (the host's
# files are the guest's, read-only: DIR/.libs/pkt-gen with its library),
# ARGS=OPTION to give pkt-gen one more option (--busy-wait, say), or
# PGDELAY=NS to pace pktgen (its "delay" in ns between frames, 0: full
# speed; it stays set for the variants after);
# RX_AB_ROUNDS rounds (5) of RX_AB_SECS seconds (8) per variant, and
# AF_PACKET's receiver once a round.  Output on the serial log (lines
# "RXAB: ").
RX_AB_ROUNDS=${RX_AB_ROUNDS:-5}
RX_AB_SECS=${RX_AB_SECS:-8}
if [ -f "$B/rx-ab.variants" ]; then
	mapfile -t variants <"$B/rx-ab.variants"
else
	variants=("generic_mit=100000" "generic_mit=0")
fi
. "$SRC/test/vm/guest-rxrow.sh" RXAB
# "ns offered dropped idle busy" now: the clock, pktgen's count so far,
# vb's rx_dropped (frames netmap found no room for) and CPU 1's ticks.
rxab_window() {
	echo "$(date +%s%N) $(ip netns exec nmbB awk '/pkts-sofar:/ { print $2 }' \
		/proc/net/pktgen/vb) $(ip netns exec nmbB cat /sys/class/net/vb/statistics/rx_dropped)" \
		"$(awk '/^cpu1 / { print $5 + $6, $2 + $3 + $4 + $7 + $8 }' /proc/stat)"
}
# What pktgen offered since "$1" (rxab_window) and the share vb dropped.
rxab_window_delta() {
	echo "$1 $(rxab_window)" | awk '{ s = ($6 - $1) / 1e9; o = $7 - $2
		if (s > 0 && o > 0) printf " offered %.1f Kpps dropped %.1f %%", o / s / 1e3, 100 * ($8 - $3) / o
		i = $9 - $4; b = $10 - $5
		if (i + b > 0) printf " cpu1 idle %.0f %%", 100 * i / (i + b) }'
}
kpg pgctrl start &
pg=$!
sleep 1
for round in $(seq "$RX_AB_ROUNDS"); do
	for v in "${variants[@]}"; do
		pgbin=$BT/pkt-gen lib=$B/.libs args=()
		for pv in $v; do
			if [ "${pv%%=*}" = ARGS ]; then
				args+=("${pv#*=}")
				continue
			fi
			if [ "${pv%%=*}" = PGDELAY ]; then
				kpg vb "delay ${pv#*=}"
				continue
			fi
			if [ "${pv%%=*}" = PKTGEN ]; then
				pgbin=${pv#*=}/.libs/pkt-gen lib=${pv#*=}/.libs
				continue
			fi
			echo "${pv#*=}" >"/sys/module/netmap/parameters/${pv%%=*}" ||
				echo "RXAB: cannot set $pv"
		done
		LD_LIBRARY_PATH=$lib ip netns exec nmbB timeout 60 "$pgbin" -i netmap:vb -f rx -a 1 \
			--duration "${RX_AB_SECS}s" "${args[@]}" >/tmp/rxab.out 2>&1 &
		# The window: from pkt-gen's first report, a second into its
		# receive loop, for RX_AB_SECS - 3 seconds, clear of its exit.
		# Its start (exec, bind, link wait) takes 2-3 s in the guest,
		# and meanwhile vb's stack drops what pktgen offers: a window
		# from a fixed time after the launch counted those drops as
		# netmap's before 2026-12-07.
		t=0
		until grep -q min_space /tmp/rxab.out || [ $t -ge 200 ]; do
			sleep 0.05
			t=$((t + 1))
		done
		w0=$(rxab_window)
		sleep $((RX_AB_SECS - 3))
		w=$(rxab_window_delta "$w0")
		wait $!
		r=$(grep -o -E 'Speed: [0-9.]* [KM]pps|Average batch: [0-9.]*|[0-9]* slots' /tmp/rxab.out | tr '\n' ' ')
		# The mean of its per-second rates but the first and the last.
		r="$r$(awk '/min_space/ { v[++n] = $4 * ($5 == "Mpps" ? 1000 : 1) }
			END { for (i = 2; i < n; i++) { s += v[i]; k++ }
				if (k) printf " steady %.1f Kpps", s / k }' /tmp/rxab.out)"
		[ -n "$r" ] || r="failed: $(tail -n 1 /tmp/rxab.out)"
		echo "RXAB: round $round [$v] netmap $r$w"
	done
	r=$(timeout 60 "$B/bench/af_packet" -r vb -R nmbB -e 0x8847 -d "$RX_AB_SECS" \
		-A 1 -b 1 2>&1 | grep -o 'mpps=[0-9.]*')
	echo "RXAB: round $round af_packet $r"
done
kpg pgctrl stop
wait $pg
rxrow_teardown
pass "rx-ab: done"
