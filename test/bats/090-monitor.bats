# SPDX-License-Identifier: BSD-2-Clause
#
# Monitor ports (spec 17): copy monitors /t, /r, /rt and zero-copy
# monitors /z on VALE ports and pipes, several at once, what each sees and
# when, multi-slot frames, a monitor too slow to keep up, and either side
# closing first.  Counts are exact: a monitor sees every frame of the rings
# it watches, unless its own ring is full.

load helpers

rx_count() {
	summary_count "$1" Received packets
}

@test "monitors /r, /t, /rt and /z, several on each port, see exact counts" {
	# the holders keep both ports in netmap mode when the tools leave
	hold ha "$SW:a/R"
	hold hb "$SW:b/T"
	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W
	start_rx br pkt-gen -i "$SW:b/r" -f rx -n 1000 -W
	start_rx brt pkt-gen -i "$SW:b/rt" -f rx -n 1000 -W
	start_rx bz pkt-gen -i "$SW:b/z" -f rx -n 1000 -W
	start_rx bt pkt-gen -i "$SW:b/t" -f rx -T 0
	start_rx at pkt-gen -i "$SW:a/t" -f rx -n 1000 -W
	start_rx az pkt-gen -i "$SW:a/z" -f rx -n 1000 -W
	start_rx az2 pkt-gen -i "$SW:a/z" -f rx -n 1000 -W
	run_tool pkt-gen -i "$SW:a/T" -f tx -n 1000
	assert_eq "$status" 0
	for m in b br brt bz at az az2; do
		wait_bg "$m"
		assert_eq "$bg_status" 0 "$m"
		assert_eq "$(rx_count "$bg_out")" 1000 "$m"
	done
	# b transmitted nothing
	signal_bg bt TERM
	wait_bg bt
	assert_contains "$bg_out" "Received nothing."
}

@test "a copy monitor sees multi-slot frames whole, NS_TXMON only on transmit traffic" {
	hold ha "$SW:a/R"
	hold hb "$SW:b/T"
	start_rx b pkt-gen -i "$SW:b" -f rx -n 10 -W
	start_rx at pkt-gen -i "$SW:a/t" -f rx -n 10 -W -X
	start_rx br pkt-gen -i "$SW:b/r" -f rx -n 10 -W -X
	run_tool pkt-gen -i "$SW:a/T" -f tx -n 10 -l 3000
	assert_eq "$status" 0
	wait_bg at
	assert_line_re "$bg_out" '^Received 10 packets 30000 bytes '
	# TX: the sender's flags plus NS_TXMON (0x40): 2048 + 952 bytes
	assert_eq "$(grep -c 'flags 0x0060 len 2048\]$' <<<"$bg_out")" 10
	assert_eq "$(grep -c 'flags 0x0040 len 952\]$' <<<"$bg_out")" 10
	wait_bg br
	assert_line_re "$bg_out" '^Received 10 packets 30000 bytes '
	# RX: what the switch wrote, 2 slots (0x0200), no NS_TXMON
	assert_eq "$(grep -c 'flags 0x0220 len 2048\]$' <<<"$bg_out")" 10
	assert_eq "$(grep -c 'flags 0x0200 len 952\]$' <<<"$bg_out")" 10
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 10
}

@test "monitors on both ends of a pipe: copy and zero copy" {
	hold hm "netmap:$P{0"
	hold hs "netmap:$P}0"
	start_rx s pkt-gen -i "netmap:$P}0" -f rx -n 1000 -W
	start_rx mt pkt-gen -i "netmap:$P{0/t" -f rx -n 1000 -W
	start_rx sr pkt-gen -i "netmap:$P}0/r" -f rx -n 1000 -W
	start_rx sz pkt-gen -i "netmap:$P}0/z" -f rx -n 1000 -W --pcap-out "$WORK/z.pcap"
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 1000 -l 100
	assert_eq "$status" 0
	for m in s mt sr sz; do
		wait_bg "$m"
		assert_eq "$bg_status" 0 "$m"
		assert_line_re "$bg_out" '^Received 1000 packets 100000 bytes '
	done
	# the zero-copy monitor got the very buffers: frames intact
	run python3 "$BATS_TEST_DIRNAME/pcap-frames.py" dump "$WORK/z.pcap"
	assert_eq "$(awk '$1 == 100' <<<"$output" | wc -l)" 1000
}

@test "a copy monitor sees frames the port's owner never reads; a zero-copy one does not" {
	hold hb "$SW:b"
	start_rx br pkt-gen -i "$SW:b/r" -f rx -n 500 -W
	start_rx bz pkt-gen -i "$SW:b/z" -f rx -T 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 500
	assert_eq "$status" 0
	wait_bg br
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 500
	# (stopped by a signal, bz counts what had arrived)
	signal_bg bz TERM
	wait_bg bz
	assert_contains "$bg_out" "Received nothing."
}

@test "a monitor too slow to keep up drops the oldest frames of a batch and never slows the port" {
	hold hb "$SW:b"
	# a 64-slot monitor that reads only after the traffic: it keeps the
	# most recent 63 frames of the first batch of 512 (449..511); the next
	# batch finds it full
	start_rx m pkt-gen -i "$SW:b/r@conf:rx-slots=64" -f rxseq -w "$(scaled 3)" \
		-n 63 -W -X
	start_rx b2 pkt-gen -i "$SW:b/z" -f rx -T 0
	run_tool pkt-gen -i "$SW:a" -f txseq -n 600 -b 512
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 600 packets '
	wait_bg m
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 63
	assert_contains "$bg_out" "Sequence check: 0 gaps, 0 out of order"
	# the first frame's sequence number: payload bytes 42..45, big endian
	local first
	first=$(grep -m1 '^   32: ' <<<"$bg_out" | awk '{ print $12 $13 $14 $15 }')
	assert_eq "$((16#$first))" 449 "first sequence number the monitor kept"
}

@test "the port's user leaves first: the monitor gets a poll error; the monitor leaves first: traffic goes on" {
	hold hb "$SW:b"
	start_rx m pkt-gen -i "$SW:b/rt" -f rx -T 0
	signal_bg hb TERM
	wait_bg hb
	assert_eq "$bg_status" 0
	wait_bg m
	assert_eq "$bg_status" 1
	assert_contains "$bg_err" "poll on $SW:b/rt failed: the port reported an error"

	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W
	start_rx m2 pkt-gen -i "$SW:b/r" -f rx -T 0
	start_rx m3 pkt-gen -i "$SW:b/z" -f rx -T 0
	signal_bg m2 KILL
	signal_bg m3 TERM
	wait_bg m2
	wait_bg m3
	run_tool pkt-gen -i "$SW:a" -f tx -n 1000
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 1000
}

@test "a monitor of a port that nobody uses: EINVAL" {
	run_tool pkt-gen -i "$SW:nobody/r" -f rx --duration 1s
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open $SW:nobody/r: Invalid argument"
	# nothing was left behind: this test's switch has no port (other
	# files' switches may be listed: the module's switches are global)
	run_tool vale-ctl
	assert_eq "$status" 0
	[[ "$output" != *"$SW:"* ]] || { echo "left behind: $output"; false; }
}
