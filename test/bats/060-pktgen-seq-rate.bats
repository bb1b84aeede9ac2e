# SPDX-License-Identifier: BSD-2-Clause
#
# pkt-gen's checks of the path (tools.md 3.3, 3.6, 8.3, 8.5): rxseq counts
# the drops of a full VALE receiver, -R gives the requested count in the
# requested time, ping and pong work over VALE as over pipes.

load helpers

rx_count() {
	summary_count "$1" Received packets
}

# "Sequence check: <g> gaps, ..." -> g
seq_gaps() {
	sed -n 's/^Sequence check: \([0-9]*\) gaps, .*/\1/p' <<<"$1"
}

# The total_pkts of the JSON interval lines of background pkt-gen `name`
# (run with --json=$WORK/name.json and a report interval), one per line;
# complete lines only.
json_totals() {
	local data
	data=$(cat "$WORK/$1.json" 2>/dev/null; echo .)
	data=${data%.}
	case $data in
	*$'\n') ;;
	*$'\n'*) data=${data%$'\n'*}$'\n' ;;	# drop a line being written
	*) data= ;;
	esac
	sed -n 's/.*"type":"interval".*"total_pkts":\([0-9]*\).*/\1/p' <<<"$data"
}

# Wait until background pkt-gen `name` has reported at least n frames
# (its latest interval's total_pkts); fail if it exits first, or after
# TOOL_TIMEOUT seconds of polling.
wait_sent() {
	local name=$1 n=$2 i count
	for ((i = 0; i < TOOL_TIMEOUT * 50; i++)); do
		count=$(json_totals "$name" | tail -n 1)
		[ -n "$count" ] && [ "$count" -ge "$n" ] && return 0
		if ! kill -0 "${BG_PID[$name]}" 2>/dev/null; then
			echo "$name exited before counting $n frames (counted ${count:-0})"
			return 1
		fi
		sleep 0.02
	done
	echo "$name had counted ${count:-0} of $n frames after ${TOOL_TIMEOUT}s"
	return 1
}

# Print a count of background pkt-gen `name` taken after now: the
# total_pkts of the second interval line completed after this call starts.
# (The first may have been counted before; the second is counted after the
# first was written, which is after this call started.)  At least what
# `name` had counted when the call began.
count_after_now() {
	local name=$1 seen want i total
	seen=$(json_totals "$name" | wc -l)
	want=$((seen + 2))
	for ((i = 0; i < TOOL_TIMEOUT * 50; i++)); do
		total=$(json_totals "$name" | sed -n "${want}p")
		if [ -n "$total" ]; then
			echo "$total"
			return 0
		fi
		if ! kill -0 "${BG_PID[$name]}" 2>/dev/null; then
			echo "$name exited before reporting twice more" >&2
			return 1
		fi
		sleep 0.02
	done
	echo "$name did not report twice more in ${TOOL_TIMEOUT}s" >&2
	return 1
}

# True when a <= b (decimals allowed).
le() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'
}

@test "rxseq reports the frames a full VALE ring dropped (64-slot receiver)" {
	start_rx rx pkt-gen -i "$SW:b@conf:slots=64" -f rxseq -W -T 0
	# paced: batches of 200 frames (1 ms at 200 Kpps) over 0.1 s, so the
	# receiver sees frames after each drop; unpaced, the whole run can
	# end before the receiver has read its first 63 frames
	run_tool pkt-gen -i "$SW:a" -f txseq -n 20000 -R 200000 -T 0
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 20000 packets 1200000 bytes '
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "64 slots"
	local got gaps
	got=$(rx_count "$bg_out")
	gaps=$(seq_gaps "$bg_out")
	# a 200-packet batch cannot fit 63 free slots: the switch drops
	[ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 20000 ]
	[ -n "$gaps" ] && [ "$gaps" -ge 1 ]
	# each gap hides at least one frame; nothing arrives twice or late
	[ $((got + gaps)) -le 20000 ]
	assert_line_re "$bg_out" '^Sequence check: [0-9]+ gaps, 0 out of order, 0 fragment mismatches\.$'
	assert_line_re "$bg_err" 'rx_body \[[0-9]+\] Sequence GAP: exp [0-9]+ found [0-9]+$'
}

@test "rxseq counts the frames lost while the receiver was stopped" {
	# Every step waits on a count, never on time, so the stop holds
	# however fast or slow the machine: the receiver is stopped once the
	# sender (which runs until told to stop) has sent 1000 frames, and
	# resumed once the sender has sent 3000 more, counted after the stop.
	# At most 1024 of those fit the receiver's ring: at least 1976 are
	# dropped, less the one batch (1 ms of traffic) that the sender counts
	# before its sync, hence "at least 1900".  The sender is stopped once
	# the receiver has read 1100 frames after its resumption: more than
	# its ring held, so it has read past the drops.  (-W's idle time does
	# not count the stop: pkt-gen counts only idle time it sees pass.)
	local rate s0 r0
	rate=$(awk -v k="$TIMESCALE" 'BEGIN { printf "%d", 5000 / k }')
	start_rx rx pkt-gen -i "$SW:b" -f rxseq -W -T 50 --json="$WORK/rx.json"
	start_bg tx pkt-gen -i "$SW:a" -f txseq -R "$rate" -T 50 --json="$WORK/tx.json"
	wait_sent tx 1000
	signal_bg rx STOP
	s0=$(count_after_now tx)
	wait_sent tx $((s0 + 3000))
	signal_bg rx CONT
	r0=$(count_after_now rx)
	wait_sent rx $((r0 + 1100))
	signal_bg tx INT
	wait_bg tx
	assert_eq "$bg_status" 0
	local sent
	sent=$(summary_count "$bg_out" Sent packets)
	[ -n "$sent" ] && [ "$sent" -ge $((s0 + 3000)) ]
	wait_bg rx
	assert_eq "$bg_status" 0
	local got gaps line exp found
	got=$(rx_count "$bg_out")
	gaps=$(seq_gaps "$bg_out")
	[ -n "$got" ] && [ "$got" -le $((sent - 1900)) ]
	[ -n "$gaps" ] && [ "$gaps" -ge 1 ]
	# each gap hides at least one frame; nothing arrives twice or late
	[ $((got + gaps)) -le "$sent" ]
	assert_line_re "$bg_out" '^Sequence check: [0-9]+ gaps, 0 out of order, 0 fragment mismatches\.$'
	if [ "$gaps" = 1 ]; then
		# one gap: its size is exactly what did not arrive
		line=$(grep -m1 'Sequence GAP' <<<"$bg_err")
		exp=$(sed 's/.* exp \([0-9]*\) found.*/\1/' <<<"$line")
		found=$(sed 's/.* found \([0-9]*\)$/\1/' <<<"$line")
		assert_eq $((got + found - exp)) "$sent" "received + dropped"
	fi
}

@test "-R 20000 -n 20000 takes about one second, and nothing is lost" {
	local t0 t1
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 20000 -W -T 0
	t0=$(date +%s.%N)
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 20000 -R 20000 -T 0
	t1=$(date +%s.%N)
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 20000 packets 1200000 bytes '
	local secs
	secs=$(summary_seconds "$output")
	le 0.95 "$secs"
	le "$secs" 5
	# the wall time includes starting a process (no upper bound: a
	# loaded machine or an emulator can take any time to start one)
	le 0.95 "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	# the "achieved" warning comes exactly when the rate was not met
	# (under 95%: over 1.0526 s, as when the sender got no CPU for a
	# while), and stderr holds nothing else
	local warning='^pkt-gen: warning: requested 20\.000 Kpps, achieved [0-9.]+ Kpps$'
	if le "$secs" 1.04; then
		assert_eq "$stderr" ""
	elif le 1.06 "$secs"; then
		assert_line_re "$stderr" "$warning"
	fi
	if [ -n "$stderr" ]; then
		assert_eq "$(wc -l <<<"$stderr")" 1 "stderr lines"
		assert_line_re "$stderr" "$warning"
	fi
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 20000
}

@test "-R in bits per second with a size mix, over VALE" {
	# 60:1,1000:1 averages 530 bytes: 2.12 Mbps is 500 packets per second
	start_rx rx pkt-gen -i "$SW:b" -f rx -n 500 -W -T 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 500 -l 60:1,1000:1 -R 2.12Mbps -T 0
	assert_eq "$status" 0
	le 0.95 "$(summary_seconds "$output")"
	le "$(summary_seconds "$output")" 5
	wait_bg rx
	assert_eq "$(rx_count "$bg_out")" 500
}

@test "ping and pong over VALE" {
	start_rx pong pkt-gen -i "$SW:b" -f pong -n 500 -T 0
	run_tool pkt-gen -i "$SW:a" -f ping -n 500 -T 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 500 probes, received 500 replies, lost 0."
	assert_line_re "$(tail -n 1 <<<"$stderr")" 'RTT over 500 packets: min [0-9]+ av [0-9]+ ns$'
	wait_bg pong
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received 500 packets, sent 500 replies."
}

@test "ping and pong over VALE with IPv6, unicast MACs and -R" {
	local t0 t1
	start_rx pong pkt-gen -i "$SW:b" -f pong -n 200 -6 -T 0
	t0=$(date +%s.%N)
	run_tool pkt-gen -i "$SW:a" -f ping -n 200 -6 -S 02:00:00:00:00:0a \
		-D 02:00:00:00:00:0b -R 1000 -T 0
	t1=$(date +%s.%N)
	assert_eq "$status" 0
	assert_contains "$output" "Sent 200 probes, received 200 replies, lost 0."
	# 200 probes at 1000 per second: at least 0.199 s
	le 0.19 "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	wait_bg pong
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received 200 packets, sent 200 replies."
}
