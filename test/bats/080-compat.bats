#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# Unmodified netmap programs (docs/ARCHITECTURE.md, "Unmodified programs"):
# nm_raw, written against the raw interface as netmap(4) shows it and
# linked with nothing of ours, runs on the kernel module as it is and on
# the user runtime under netmap-run; nm_legacy (nm_open, nm_inject,
# nm_dispatch and plain poll) links -lnetmap and runs directly on both.
# Counts are exact, against our pkt-gen at the other end.

load helpers

# helpers.bash defines setup(); this file's setup runs it, then picks the
# command that runs nm_raw on this backend.
eval "$(declare -f setup | sed '1s/^setup/helpers_setup/')"

setup() {
	helpers_setup
	if [ "$NETMAP_BACKEND" = kernel ]; then
		RAW=(nm_raw)
	else
		RAW=(netmap-run "$(tool_path nm_raw)")
	fi
}

rx_count() {
	summary_count "$1" Received packets
}

@test "nm_raw sends through a pipe to pkt-gen, and receives from it" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 100000 -W
	run_tool "${RAW[@]}" tx "$P{0" 100000
	assert_eq "$status" 0
	assert_eq "$output" "nm_raw: sent 100000 of 100000 frames on $P{0 (poll)"
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 100000 packets 6000000 bytes '

	start_rx rx2 "${RAW[@]}" rx "$P}1" 100000
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 100000
	assert_eq "$status" 0
	wait_bg rx2
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "nm_raw: received 100000 of 100000 frames on $P}1 (poll), 0 out of order"
}

@test "nm_raw through a VALE switch to and from pkt-gen" {
	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W
	run_tool "${RAW[@]}" tx "$SW:a" 1000
	assert_eq "$status" 0
	assert_eq "$output" "nm_raw: sent 1000 of 1000 frames on $SW:a (poll)"
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '

	start_rx c "${RAW[@]}" rx "$SW:c" 1000
	run_tool pkt-gen -i "$SW:d" -f tx -n 1000
	assert_eq "$status" 0
	wait_bg c
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "nm_raw: received 1000 of 1000 frames on $SW:c (poll), 0 out of order"
}

@test "nm_raw waiting in ppoll, select, pselect, epoll and edge-triggered epoll" {
	local w i=0
	for w in ppoll select pselect epoll epoll-et; do
		i=$((i + 1))
		start_rx "rx$i" pkt-gen -i "netmap:$P}$i" -f rx -n 30000 -W
		run_tool "${RAW[@]}" -w "$w" tx "$P{$i" 30000
		assert_eq "$status" 0 "$w sender"
		assert_eq "$output" "nm_raw: sent 30000 of 30000 frames on $P{$i ($w)"
		wait_bg "rx$i"
		assert_eq "$(rx_count "$bg_out")" 30000 "$w: pkt-gen's count"

		start_rx "raw$i" "${RAW[@]}" -w "$w" rx "$SW:r$i" 1000
		run_tool pkt-gen -i "$SW:t$i" -f tx -n 1000
		assert_eq "$status" 0
		wait_bg "raw$i"
		assert_eq "$bg_status" 0 "$w receiver"
		assert_contains "$bg_out" "nm_raw: received 1000 of 1000 frames on $SW:r$i ($w), 0 out of order"
	done
}

@test "nm_raw to nm_raw: frames arrive once each and in order, every wait" {
	local w i=10
	for w in poll select epoll-et; do
		i=$((i + 1))
		start_rx "rx$i" "${RAW[@]}" -w "$w" -l 1514 rx "$P}$i" 50000
		run_tool "${RAW[@]}" -w "$w" -l 1514 tx "$P{$i" 50000
		assert_eq "$status" 0
		wait_bg "rx$i"
		assert_eq "$bg_status" 0
		assert_contains "$bg_out" "nm_raw: received 50000 of 50000 frames on $P}$i ($w), 0 out of order"
	done
}

@test "a sender thread in poll(POLLOUT) and a receiver thread in poll(POLLIN)" {
	run_tool "${RAW[@]}" threads "$P{0" "$P}0" 200000
	assert_eq "$status" 0
	assert_contains "$output" "nm_raw: sent 200000 of 200000 frames on $P{0 (poll)"
	assert_contains "$output" "nm_raw: received 200000 of 200000 frames on $P}0 (poll), 0 out of order"
	run_tool "${RAW[@]}" -w epoll threads "$P{1" "$P}1" 200000
	assert_eq "$status" 0
	assert_contains "$output" "nm_raw: received 200000 of 200000 frames on $P}1 (epoll), 0 out of order"
}

@test "fork: the child sends on the inherited descriptor after the parent closed it" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 5000 -W
	run_tool "${RAW[@]}" fork "$P{0" 5000
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "nm_raw: after the parent's close the child holds the port"
	assert_eq "${lines[1]}" "nm_raw: sent 5000 of 5000 frames on $P{0 (poll)"
	assert_eq "${lines[2]}" "nm_raw: after the child's exit the port is free"
	wait_bg rx
	assert_eq "$(rx_count "$bg_out")" 5000
}

@test "dup: the port lives until the last descriptor is closed" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 5000 -W
	run_tool "${RAW[@]}" dup "$P{0" 5000
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "nm_raw: after closing the original the dup holds the port"
	assert_eq "${lines[1]}" "nm_raw: sent 5000 of 5000 frames on $P{0 (poll)"
	assert_eq "${lines[2]}" "nm_raw: after closing the dup the port is free"
	wait_bg rx
	assert_eq "$(rx_count "$bg_out")" 5000
}

@test "nm_legacy (nm_open, nm_inject, nm_dispatch, plain poll) with -lnetmap alone" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 50000 -W
	run_tool nm_legacy tx "netmap:$P{0" 50000
	assert_eq "$status" 0
	assert_eq "$output" "nm_legacy: sent 50000 of 50000 frames"
	wait_bg rx
	assert_eq "$(rx_count "$bg_out")" 50000

	start_rx rx2 nm_legacy rx "$SW:b" 1000
	run_tool pkt-gen -i "$SW:a" -f tx -n 1000
	assert_eq "$status" 0
	wait_bg rx2
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "nm_legacy: received 1000 of 1000 frames"
}

@test "errors reach the program as the kernel reports them" {
	# a pipe name ending with its brace: EINVAL (spec 16)
	run_tool "${RAW[@]}" tx "$P{" 10
	assert_eq "$status" 1
	assert_eq "$stderr" "nm_raw: NIOCREGIF $P{: Invalid argument"
	# a name starting with "val" that is no VALE name: ENOMEM (spec 14.1)
	run_tool "${RAW[@]}" tx "vale!x:a" 10
	assert_eq "$status" 1
	assert_eq "$stderr" "nm_raw: NIOCREGIF vale!x:a: Cannot allocate memory"
}

@test "without netmap-run, the raw program finds no /dev/netmap on the user runtime" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	[ ! -e /dev/netmap ] || skip "/dev/netmap exists on this machine"
	run_tool nm_raw tx "$P{0" 10
	assert_eq "$status" 1
	assert_eq "$stderr" "nm_raw: open /dev/netmap: No such file or directory"
}

@test "netmap-run leaves other programs' descriptors alone" {
	require_python
	[ "$NETMAP_BACKEND" = user ] || skip "netmap-run is for the user runtime"
	run_tool netmap-run python3 -c '
import os, select, socket
r, w = os.pipe()
os.write(w, b"x")
p = select.poll(); p.register(r, select.POLLIN)
assert p.poll(1000) == [(r, select.POLLIN)]
e = select.epoll(); e.register(r, select.EPOLLIN)
assert e.poll(1) == [(r, select.EPOLLIN)]
assert select.select([r], [], [], 1)[0] == [r]
d = os.dup(r); os.dup2(w, d); os.close(d)
a, b = socket.socketpair(); a.send(b"hi"); assert b.recv(2) == b"hi"
pid = os.fork()
if pid == 0: os._exit(7)
assert os.waitpid(pid, 0)[1] >> 8 == 7
print("ok")'
	assert_eq "$status" 0
	assert_eq "$output" "ok"
}

@test "netmap-run without a command prints its usage" {
	run_tool netmap-run
	assert_eq "$status" 2
	assert_contains "$stderr" "usage: netmap-run CMD [ARGS...]"
}
