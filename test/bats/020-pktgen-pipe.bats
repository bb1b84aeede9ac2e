# SPDX-License-Identifier: BSD-2-Clause
#
# pkt-gen over netmap pipes (tools.md 9.1: PG-4, PG-6, PG-7, PG-8, PG-10,
# PG-11, PG-12, PG-13, PG-17, PG-18): exact counts, pacing, ping/pong,
# size mixes, packet contents and termination.

load helpers

rx_count() {
	summary_count "$1" Received packets
}

# True when $1 >= $2 (decimals allowed).
at_least() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

@test "PG-4: a million packets through a pipe arrive exactly once" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000000 -W
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 1000000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000000 packets 60000000 bytes '
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000000 packets 60000000 bytes '
}

@test "PG-6: -R paces packets and bits on an absolute schedule" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 3000 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 3000 -R 1000 -T 0
	assert_eq "$status" 0
	at_least "$(summary_seconds "$output")" 2.99
	wait_bg rx
	assert_eq "$(rx_count "$bg_out")" 3000

	start_rx rx2 pkt-gen -i "netmap:$P}1" -f rx -n 1000 -W -T 0
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 1000 -l 1000 -R 8Mbps -T 0
	assert_eq "$status" 0
	at_least "$(summary_seconds "$output")" 0.99
	wait_bg rx2
	assert_eq "$(rx_count "$bg_out")" 1000
}

@test "PG-7: ping and pong over a pipe" {
	start_rx pong pkt-gen -i "netmap:$P}0" -f pong -n 1000
	run_tool pkt-gen -i "netmap:$P{0" -f ping -n 1000
	assert_eq "$status" 0
	assert_contains "$output" "Sent 1000 probes, received 1000 replies, lost 0."
	assert_line_re "$(tail -n 1 <<<"$stderr")" 'RTT over 1000 packets: min [0-9]+ av [0-9]+ ns$'
	local re='^RTT min ([0-9]+) avg [0-9]+ max ([0-9]+) stddev [0-9]+ ns; p50 ([0-9]+) p90 ([0-9]+) p99 ([0-9]+) p99.9 ([0-9]+) ns$'
	local line
	line=$(grep -E "$re" <<<"$output")
	[[ $line =~ $re ]]
	local min=${BASH_REMATCH[1]} max=${BASH_REMATCH[2]} p50=${BASH_REMATCH[3]}
	local p90=${BASH_REMATCH[4]} p99=${BASH_REMATCH[5]} p999=${BASH_REMATCH[6]}
	[ "$min" -le "$p50" ] && [ "$p50" -le "$p90" ] && [ "$p90" -le "$p99" ] &&
		[ "$p99" -le "$p999" ] && [ "$p999" -le "$max" ]
	wait_bg pong
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received 1000 packets, sent 1000 replies."
}

@test "PG-7: ping over IPv6 with a histogram" {
	start_rx pong pkt-gen -i "netmap:$P}0" -f pong -n 200 -6
	run_tool pkt-gen -i "netmap:$P{0" -f ping -n 200 -6 --histogram
	assert_eq "$status" 0
	assert_contains "$output" "Sent 200 probes, received 200 replies, lost 0."
	# histogram lines: lower upper count, counts adding up to the replies
	assert_eq "$(grep -E '^[0-9]+ [0-9]+ [0-9]+$' <<<"$output" | awk '{ n += $3 } END { print n }')" 200
	wait_bg pong
	assert_eq "$bg_status" 0
}

@test "PG-8: imix sizes counted on both sides" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --sizes -n 1200 -W
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l imix -n 1200
	assert_eq "$status" 0
	wait_bg rx
	local out
	for out in "$output" "$bg_out"; do
		assert_contains "$out" "Size 60: 700 packets 42000 bytes"
		assert_contains "$out" "Size 590: 400 packets 236000 bytes"
		assert_contains "$out" "Size 1514: 100 packets 151400 bytes"
		assert_line_re "$out" '^(Sent|Received) 1200 packets 429400 bytes '
	done
}

@test "PG-9: random sizes have valid lengths and checksums" {
	require_python
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --sizes -n 2000 -W -X -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l 1000 -l 100 -n 2000
	assert_eq "$status" 0
	wait_bg rx
	assert_line_re "$bg_out" '^Received 2000 packets '
	python3 "$CHECK_FRAMES" --payload <"$WORK/rx.out" >"$WORK/frames"
	assert_eq "$(wc -l <"$WORK/frames")" 2000
	# every size in [100, 999]
	assert_eq "$(awk '$1 < 100 || $1 > 999' "$WORK/frames" | wc -l)" 0
}

@test "PG-9: IPv6, ranges and multi-slot frames have valid checksums" {
	require_python
	local args
	for args in "-6 -l 63-1500" "-l 60 -F 3" "-l 4000 -M 1000" "-6 -l 200 -z -Z" \
		"-l 16" "-l 41"; do
		start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 50 -W -X -T 0
		# shellcheck disable=SC2086
		run_tool pkt-gen -i "netmap:$P{0" -f tx -n 50 $args
		assert_eq "$status" 0 "$args"
		wait_bg rx
		python3 "$CHECK_FRAMES" --payload <"$WORK/rx.out" >"$WORK/frames"
		assert_eq "$(wc -l <"$WORK/frames")" 50 "$args"
	done
}

@test "PG-10: 5000-byte frames through a pipe" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -W --sizes
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l 5000 -n 1000
	assert_eq "$status" 0
	wait_bg rx
	assert_line_re "$bg_out" '^Received 1000 packets 5000000 bytes '
	assert_contains "$bg_out" "Size 5000: 1000 packets 5000000 bytes"
}

@test "PG-11: the default frame" {
	require_python
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 100 -W -X -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100
	assert_eq "$status" 0
	wait_bg rx
	python3 "$CHECK_FRAMES" --payload <"$WORK/rx.out" >"$WORK/frames"
	assert_eq "$(sort -u "$WORK/frames")" "60 10.0.0.1:1234 10.1.0.1:1234"
	assert_eq "$(wc -l <"$WORK/frames")" 100
	# destination MAC and payload text in the dump
	assert_contains "$(grep -m1 '^    0: ' "$WORK/rx.out")" "    0: ff ff ff ff ff ff 00 00 00 00 00 00 08 00 45 10"
	assert_contains "$(grep -m1 '^   32: ' "$WORK/rx.out")" "6e 65 74 6d 61 70 ..........netmap"
	assert_contains "$(grep -m1 '^   48: ' "$WORK/rx.out")" " pkt-gen DI."
}

@test "PG-12: the address odometer" {
	require_python
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 32 -W -X -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 32 -s 10.0.0.1:1000-10.0.0.1:1003 \
		-d 10.1.0.1:2000-10.1.0.2:2001
	assert_eq "$status" 0
	wait_bg rx
	python3 "$CHECK_FRAMES" --payload <"$WORK/rx.out" | awk '{ print $2, $3 }' >"$WORK/tuples"
	local expect="" a dp sp
	for a in 1 2; do
		for dp in 2000 2001; do
			for sp in 1000 1001 1002 1003; do
				expect+="10.0.0.1:$sp 10.1.0.$a:$dp"$'\n'
			done
		done
	done
	assert_eq "$(head -n 16 "$WORK/tuples")" "${expect%$'\n'}"
	assert_eq "$(tail -n 16 "$WORK/tuples")" "${expect%$'\n'}"
	assert_eq "$(sort -u "$WORK/tuples" | wc -l)" 16
}

@test "PG-13: txseq and rxseq agree" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rxseq -n 5000 -W
	run_tool pkt-gen -i "netmap:$P{0" -f txseq -n 5000
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Sequence check: 0 gaps, 0 out of order, 0 fragment mismatches."
}

@test "one-way latency with --timestamp and --latency" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 500 -W --latency
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 500 --timestamp -R 50000
	assert_eq "$status" 0
	wait_bg rx
	assert_contains "$bg_out" "Received 500 stamped packets, missing 0, reordered 0."
	assert_line_re "$bg_out" '^Latency min [0-9]+ avg [0-9]+ max [0-9]+ stddev [0-9]+ ns; p50 '
}

@test "PG-17: a count not reached exits 3; an idle port receives nothing" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 200 -W
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 3
	assert_line_re "$bg_out" '^Received 100 packets '

	run_tool pkt-gen -i "netmap:$P}1" -f rx --duration 1s
	assert_eq "$status" 0
	assert_contains "$output" "Received nothing."
}

@test "PG-18: SIGTERM stops the sender with a summary; nothing is lost" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -W -T 0
	start_bg tx pkt-gen -i "netmap:$P{0" -f tx -T 0
	wait_ready tx
	sleep 1
	signal_bg tx TERM
	wait_bg tx
	assert_eq "$bg_status" 0
	local sent
	sent=$(summary_count "$bg_out" Sent packets)
	[ -n "$sent" ] && [ "$sent" -gt 0 ]
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" "$sent"
}

@test "packets the port never took are not counted as sent" {
	# the receiver takes 1000 packets and exits; the sender refills the
	# ring (1023 slots), nothing reads it, and --duration ends the run
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 5000 -B --per-ring -T 0 \
		--duration "$(scaled 1)s"
	assert_eq "$status" 3
	assert_line_re "$output" '^Sent 1000 packets 60000 bytes [0-9]+ events 60 bytes each in '
	assert_line_re "$output" '^Ring 0: 1000 packets 60000 bytes$'
	assert_eq "$(not_diag "$stderr")" "pkt-gen: warning: 1023 packets placed on netmap:$P{0 were never taken by the port (nothing read them); they are not counted as sent"
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '

	# nobody opens the other end: nothing is sent, in the JSON summary too
	run_tool pkt-gen -i "netmap:$P{1" -f tx -j -T 0 --duration "$(scaled 1)s"
	assert_eq "$status" 0
	assert_line_re "$(tail -n 1 <<<"$output")" '^\{"tool":"pkt-gen","type":"summary",.*"pkts":0,"bytes":0,'
	assert_contains "$stderr" "1023 packets placed on netmap:$P{1 were never taken by the port"
}

@test "JSON intervals add up to the summary, whether or not the port took everything" {
	require_python
	# the receiver takes 1000 packets (sizes from 60 to 4000 bytes: some
	# span two slots) and exits; what the sender places then stays on the ring
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l 60-4000 -j -T 100 --duration "$(scaled 1)s"
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	local got
	got=$(json_intervals_add_up "$WORK/run.out")
	assert_eq "${got% *}" 1000
	assert_line_re "$bg_out" "^Received 1000 packets ${got#* } bytes "
	assert_line_re "$(not_diag "$stderr")" "^pkt-gen: warning: [0-9]+ packets placed on netmap:$P\{0 were never taken by the port "

	# nobody opens the other end: nothing in the intervals either
	run_tool pkt-gen -i "netmap:$P{1" -f tx -j -T 100 --duration "$(scaled 1)s"
	assert_eq "$status" 0
	assert_eq "$(json_intervals_add_up "$WORK/run.out")" "0 0"
	assert_contains "$stderr" "1023 packets placed on netmap:$P{1 were never taken by the port"

	# a receiver reads everything
	start_rx rx2 pkt-gen -i "netmap:$P}2" -f rx -n 200000 -T 0
	run_tool pkt-gen -i "netmap:$P{2" -f tx -n 200000 -l 60-4000 -j -T 100
	assert_eq "$status" 0
	wait_bg rx2
	got=$(json_intervals_add_up "$WORK/run.out")
	assert_eq "${got% *}" 200000
	assert_line_re "$bg_out" "^Received 200000 packets ${got#* } bytes "
	assert_eq "$(grep -c "warning" <<<"$stderr")" 0
}

@test "SIGINT stops a receiver; a count then exits 3" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 10 -T 0
	signal_bg rx INT
	wait_bg rx
	assert_eq "$bg_status" 3
	assert_contains "$bg_out" "Received nothing."
}

@test "a sender waiting for room in poll() never sleeps on room a sync already found" {
	# A sender that found no room syncs, and then asks poll() for room
	# beyond the tail (cur = tail).  When that sync had found the
	# receiver's last release, no more room ever came: both sides slept
	# until pkt-gen's 100 ms poll timeout, 10-15 times a second
	# (docs/ARCHITECTURE.md, "Sleeping in poll").  The runtime counts
	# the poll() calls that ended by timeout (NETMAP_POLL_STATS).
	[ "$NETMAP_BACKEND" = user ] ||
		skip "NETMAP_POLL_STATS counts the user runtime's poll() calls only"
	# a small ring: many waits for room, and a run of a second or two
	start_rx rx pkt-gen -i "netmap:$P}0@conf:slots=64" -f rx -n 10000000 -W -T 0
	export NETMAP_POLL_STATS=$WORK/tx.stats
	run_tool pkt-gen -i "netmap:$P{0@conf:slots=64" -f tx -n 10000000 -b 32 -T 0
	unset NETMAP_POLL_STATS
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 10000000 packets '
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 10000000 packets '
	cat "$WORK/tx.stats"
	assert_line_re "$(cat "$WORK/tx.stats")" '^netmap-poll pid=[0-9]+ calls=[0-9]+ .* timeouts=0 '
}
