# SPDX-License-Identifier: BSD-2-Clause
#
# pkt-gen over VALE switches (tools.md 9.1: PG-1, PG-2, PG-3, PG-5) and the
# switch behaviour users rely on: broadcast, learning, several senders,
# receivers that die.

load helpers

# Received count of a background receiver's summary.
rx_count() {
	summary_count "$1" Received packets
}

@test "PG-1: 1000 packets from one VALE port to another" {
	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W
	run_tool pkt-gen -i "$SW:a" -f tx -n 1000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000 packets 60000 bytes [0-9]+ events 60 bytes each in'
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(head -n 1 <<<"$bg_out")" "Receiving from $SW:b: 1 queues, 1 threads and 1 cpus."
	assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '
}

@test "PG-2: a broadcast reaches every other port, not the sender" {
	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W
	start_rx c pkt-gen -i "$SW:c" -f rx -n 1000 -W
	# the sender's own receive side, on another descriptor of the same
	# port: stopped once the sender is done, it counts what had reached it
	start_rx self pkt-gen -i "$SW:a/R" -f rx -T 0
	run_tool pkt-gen -i "$SW:a/T" -f tx -n 1000
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 1000 "port b"
	wait_bg c
	assert_eq "$(rx_count "$bg_out")" 1000 "port c"
	signal_bg self TERM
	wait_bg self
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received nothing."
}

@test "PG-3: a learned MAC gets unicast, the rest only the learning broadcast" {
	# b exits at its count; c runs until stopped, so that a frame wrongly
	# flooded to it would be counted however slow the machine is
	start_rx b pkt-gen -i "$SW:b/R" -f rx -n 500 -W -T 0
	start_rx c pkt-gen -i "$SW:c/R" -f rx -T 0
	run_tool pkt-gen -i "$SW:b/T" -f tx -n 1 -S 02:00:00:00:00:0b
	assert_eq "$status" 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 500 -S 02:00:00:00:00:0a -D 02:00:00:00:00:0b
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 500 "b: the unicast frames"
	# every frame was in c's ring before the senders exited, and a
	# receiver stopped by a signal counts what had arrived
	signal_bg c TERM
	wait_bg c
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 1 "c: only the learning broadcast"
}

@test "PG-3: an unknown destination MAC floods every port" {
	start_rx b pkt-gen -i "$SW:b" -f rx -n 500 -W
	start_rx c pkt-gen -i "$SW:c" -f rx -n 500 -W
	run_tool pkt-gen -i "$SW:a" -f tx -n 500 -S 02:00:00:00:00:0a -D 02:00:00:00:00:0e
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 500 "port b"
	wait_bg c
	assert_eq "$(rx_count "$bg_out")" 500 "port c"
}

@test "PG-5: two threads on two rings, exact per-ring split" {
	start_rx b pkt-gen -i "$SW:b@conf:rings=2" -f rx -n 1001 -W
	run_tool pkt-gen -i "$SW:a@conf:rings=2" -f tx -n 1001 -p 2 --per-ring
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1001 packets '
	assert_contains "$output" "Ring 0: 501 packets 30060 bytes"
	assert_contains "$output" "Ring 1: 500 packets 30000 bytes"
	assert_contains "$output" "Sending on $SW:a@conf:rings=2: 2 queues, 2 threads and 2 cpus."
	wait_bg b
	assert_line_re "$bg_out" '^Received 1001 packets '
}

@test "PG-5: twelve threads on twelve rings, each with a descriptor of its own" {
	# broadcast frames all go to RX ring 0 (15.5): room for the 1200
	start_rx b pkt-gen -i "$SW:b@conf:rings=12,slots=2048" -f rx -n 1200 -W
	run_tool pkt-gen -i "$SW:a@conf:rings=12" -f tx -n 1200 -p 12 --per-ring
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1200 packets '
	assert_contains "$output" "Ring 11: 100 packets 6000 bytes"
	wait_bg b
	assert_line_re "$bg_out" '^Received 1200 packets '
}

@test "a run that fails opening a ring leaves no descriptor behind" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime's files only"
	# few descriptors: -p 4 opens the port and a ring or two, then fails
	local n failed=0
	for n in 8 9 10 11; do
		run bash -c "ulimit -n $n && exec '$(tool_path pkt-gen)' -i '$SW:a@conf:rings=4' -f tx -p 4 -n 10"
		echo "ulimit -n $n: exit $status: $output"
		if [[ "$output" == *"cannot open ring "[1-9]" of $SW:a@conf:rings=4: Too many open files"* ]]; then
			failed=$((failed + 1))
			assert_eq "$status" 1
			# nobody has reaped it: what is left is what pkt-gen left
			assert_eq "$(ls "$NETMAP_RUNTIME_DIR" | grep -c '^s')" 0
		fi
	done
	[ "$failed" -ge 1 ]
}

@test "a port that does not fit a shared region says which pool is full" {
	start_rx a pkt-gen -i "$SW:a" -f rx -T 0
	run_tool vale-ctl -g "$SW:a"
	local mem
	mem=$(sed -n 's/^mem_id: *//p' <<<"$output")
	[ -n "$mem" ]
	run_tool pkt-gen -i "$SW:b@$mem@conf:rings=16" -f tx -n 1
	assert_eq "$status" 1
	if [ "$NETMAP_BACKEND" = user ]; then
		assert_line_re "$stderr" "^pkt-gen: cannot open $SW:b@$mem@conf:rings=16: Cannot allocate memory \\(memory region $mem has no free (buffer|ring) object for $SW:b: its [0-9]+ were sized when $SW:a was created; give that port more rings or slots when it is created, or use fewer pipes, rings or slots here\\)\$"
	else
		assert_eq "$stderr" "pkt-gen: cannot open $SW:b@$mem@conf:rings=16: Cannot allocate memory"
	fi
	signal_bg a TERM
	wait_bg a
}

@test "PG-5: -p larger than the ring count exits 2 naming -p and the ring" {
	run_tool pkt-gen -i "$SW:c" -f tx -p 2
	assert_eq "$status" 2
	assert_eq "$(wc -l <<<"$stderr")" 1
	assert_contains "$stderr" "pkt-gen: -p 2: "
	assert_contains "$stderr" "1 tx ring"
}

@test "two paced senders into one receiver lose nothing" {
	# The switch never blocks a sender: a receiver (or a sender preempted
	# inside its lease, which holds back what the other one delivers) that
	# stalls while the ring fills makes frames drop, by design.  10 Kpps
	# in all fill the 4096 slots in 400 ms, longer than a loaded machine
	# stalls a niced process; each sender still completes a batch every
	# millisecond, so a lease table that filled up behind a preempted
	# sender (issue 8, 2.10: 32 entries, 32 ms) would still drop frames.
	start_rx b pkt-gen -i "$SW:b@conf:slots=4096" -f rx -n 20000 -W
	start_bg a1 pkt-gen -i "$SW:a1" -f tx -n 10000 -R 5000 -T 0
	start_bg a2 pkt-gen -i "$SW:a2" -f tx -n 10000 -R 5000 -T 0
	wait_bg a1
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Sent 10000 packets '
	wait_bg a2
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Sent 10000 packets '
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 20000
}

@test "a receiver killed with SIGKILL stops neither the sender nor the switch" {
	start_rx b pkt-gen -i "$SW:b" -f rx -T 0
	start_bg a pkt-gen -i "$SW:a" -f tx -n 20000 -R 20000 -T 0
	sleep 0.3
	signal_bg b KILL
	wait_bg b
	assert_eq "$bg_status" 137
	wait_bg a
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Sent 20000 packets '
	# the switch still forwards to a receiver that comes afterwards
	start_rx c pkt-gen -i "$SW:c" -f rx -n 1000 -W
	run_tool pkt-gen -i "$SW:a" -f tx -n 1000
	assert_eq "$status" 0
	wait_bg c
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 1000
}

@test "frames larger than a buffer cross the switch whole" {
	start_rx b pkt-gen -i "$SW:b" -f rx -n 300 -W --sizes
	run_tool pkt-gen -i "$SW:a" -f tx -n 300 -l 5000 -R 20000
	assert_eq "$status" 0
	wait_bg b
	assert_line_re "$bg_out" '^Received 300 packets 1500000 bytes '
	assert_contains "$bg_out" "Size 5000: 300 packets 1500000 bytes"
}
