# SPDX-License-Identifier: BSD-2-Clause
#
# bridge (tools.md section 5, 8.10; 9.3: BR-1 to BR-6): pipes and VALE
# ports bridged in both directions with exact counts, zero copy checked by
# buffer index (a frame arrives in the buffer its sender filled), copies
# when the regions differ or with -c, multi-slot frames whole, loopback,
# the periodic and JSON output, the usage errors.

load helpers

# Start a bridge in the background as `name` and wait for "Ready to go".
start_bridge() {
	local name=$1
	shift
	start_bg "$name" bridge "$@"
	wait_ready_err "$name" 'Ready to go, '
}

# Stop a background bridge with a signal and collect its output.
stop_bridge() {
	signal_bg "$1" "${2:-INT}"
	wait_bg "$1"
}

# The buffer indexes of the slots a pkt-gen -X dump shows, one per line.
dump_bufs() {
	sed -n 's/^ring [0-9]* cur [0-9]* \[buf \([0-9]*\) .*/\1/p' "$1"
}

# Send n frames from $1 to a receiver on $2 through a running bridge;
# extra pkt-gen tx arguments follow.  Checks both counts.
send_through() {
	local from=$1 to=$2 n=$3
	shift 3
	start_rx rx pkt-gen -i "$to" -f rx -n "$n" -W -T 0 "${RX_ARGS[@]}"
	run_tool pkt-gen -i "$from" -f tx -n "$n" -T 0 "$@"
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_eq "$(summary_count "$bg_out" Received packets)" "$n" "received through the bridge"
}

@test "BR-1: two pipes, zero copy, N frames exactly once in each direction" {
	RX_ARGS=(-X)
	start_bridge br -i "netmap:$P}0" -i "netmap:$P{1"
	assert_contains "$(cat "$WORK/br.err")" "------- zerocopy supported"
	assert_line_re "$(cat "$WORK/br.err")" "Ready to go, netmap:$P\}0 0x0/1 <-> netmap:$P\{1 0x0/1\.$"
	assert_line_re "$(cat "$WORK/br.err")" "port netmap:$P\}0: $NETMAP_BACKEND backend, pipe slave$"
	send_through "netmap:$P{0" "netmap:$P}1" 300 -X
	# zero copy: every frame arrives in the buffer its sender filled
	printf '%s\n' "$output" >"$WORK/tx.dump"
	dump_bufs "$WORK/tx.dump" >"$WORK/tx.bufs"
	dump_bufs "$WORK/rx.out" >"$WORK/rx.bufs"
	assert_eq "$(wc -l <"$WORK/tx.bufs")" 300
	assert_eq "$(cat "$WORK/rx.bufs")" "$(cat "$WORK/tx.bufs")" "buffer indexes, in order"
	# the other direction
	RX_ARGS=()
	send_through "netmap:$P}1" "netmap:$P{0" 100000
	stop_bridge br
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^netmap:$P\}0 -> netmap:$P\{1: 300 packets 18000 bytes in [0-9]+\.[0-9]{2} seconds\.$"
	assert_line_re "$bg_out" "^netmap:$P\{1 -> netmap:$P\}0: 100000 packets 6000000 bytes in [0-9]+\.[0-9]{2} seconds\.$"
}

@test "BR-2: -c copies: same counts, other buffers" {
	RX_ARGS=(-X)
	start_bridge br -c -i "netmap:$P}0" -i "netmap:$P{1"
	assert_contains "$(cat "$WORK/br.err")" "------- zerocopy NOT supported (disabled by -c)"
	send_through "netmap:$P{0" "netmap:$P}1" 300 -X
	printf '%s\n' "$output" >"$WORK/tx.dump"
	dump_bufs "$WORK/tx.dump" | sort -u >"$WORK/tx.bufs"
	dump_bufs "$WORK/rx.out" | sort -u >"$WORK/rx.bufs"
	assert_eq "$(comm -12 "$WORK/tx.bufs" "$WORK/rx.bufs" | wc -l)" 0 "buffers shared by sender and receiver"
	RX_ARGS=()
	send_through "netmap:$P}1" "netmap:$P{0" 100000
	stop_bridge br TERM
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^netmap:$P\}0 -> netmap:$P\{1: 300 packets 18000 bytes in "
	assert_line_re "$bg_out" "^netmap:$P\{1 -> netmap:$P\}0: 100000 packets 6000000 bytes in "
}

@test "BR-3: two VALE switches: copies, 1000 frames each way" {
	RX_ARGS=()
	start_bridge br -i "$SW:x" -i "$SW2:y"
	assert_contains "$(cat "$WORK/br.err")" "------- zerocopy NOT supported"
	send_through "$SW:a" "$SW2:b" 1000
	send_through "$SW2:c" "$SW:d" 1000
	stop_bridge br
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^$SW:x -> $SW2:y: 1000 packets 60000 bytes in "
	assert_line_re "$bg_out" "^$SW2:y -> $SW:x: 1000 packets 60000 bytes in "
}

@test "multi-slot frames cross the bridge whole, zero copy and copying" {
	require_pcap
	local mode
	for mode in "" -c; do
		RX_ARGS=(--pcap-out "$WORK/o$mode.pcap")
		start_bridge br $mode -i "netmap:$P}0" -i "netmap:$P{1"
		send_through "netmap:$P{0" "netmap:$P}1" 1000 -l 5000
		stop_bridge br
		assert_eq "$bg_status" 0
		assert_line_re "$bg_out" "^netmap:$P\}0 -> netmap:$P\{1: 1000 packets 5000000 bytes in "
		# one record of 5000 bytes per frame
		assert_eq "$(python3 "$PCAP_FRAMES" dump "$WORK/o$mode.pcap" | awk '$1 == 5000 && $2 == 5000' | wc -l)" 1000
	done
}

@test "BR-4: -L sends what arrives back out of the port" {
	start_bridge br -L -i "netmap:$P}0"
	assert_contains "$(cat "$WORK/br.err")" "Ready to go, netmap:$P}0 0x0/1 <-> netmap:$P}0 0x0/1."
	run_tool pkt-gen -i "netmap:$P{0" -f ping -n 100
	assert_eq "$status" 0
	assert_contains "$output" "Sent 100 probes, received 100 replies, lost 0."
	stop_bridge br
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^netmap:$P\}0 -> netmap:$P\}0: 100 packets 6000 bytes in "
}

@test "BR-5: -T lines and -j intervals add up to the summary" {
	RX_ARGS=()
	start_bg br bridge -T 200 -j -i "netmap:$P}0" -i "netmap:$P{1"
	wait_ready br
	send_through "netmap:$P{0" "netmap:$P}1" 100000
	tsleep 0.5
	stop_bridge br
	assert_eq "$bg_status" 0
	python3 - "$WORK/br.out" "$P" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
p = sys.argv[2]
assert objs[0]["type"] == "start" and objs[0]["tool"] == "bridge", objs[0]
assert objs[0]["ports"] == ["netmap:%s}0" % p, "netmap:%s{1" % p], objs[0]
assert objs[0]["zerocopy"] is True
assert objs[-1]["type"] == "summary" and objs[-1]["exit_status"] == 0, objs[-1]
total = [0, 0]
for o in objs[1:-1]:
    assert o["type"] == "interval", o
    for i, d in enumerate(o["directions"]):
        total[i] += d["pkts"]
s = objs[-1]["directions"]
assert s[0]["from"] == "netmap:%s}0" % p and s[0]["to"] == "netmap:%s{1" % p, s
assert s[0]["pkts"] == 100000 and s[0]["bytes"] == 6000000, s
assert total == [100000, 0], total
EOF
	# the human lines moved to stderr; the periodic lines name the directions
	assert_line_re "$bg_err" "^netmap:$P\}0 -> netmap:$P\{1: 100000 packets 6000000 bytes in "
	assert_line_re "$bg_err" "^[0-9]{3}\.[0-9]{6} main_thread \[[0-9]+\] [0-9]+\.[0-9]{3} [KMGT]?pps \([0-9]+\.[0-9]{3} [KMGT]?pkts [0-9]+\.[0-9]{3} [KMGT]?bps in [0-9]+ usec\) netmap:$P\}0 -> netmap:$P\{1$"
}

@test "--busy-wait (bridge-b) forwards; --duration stops it with its summary" {
	# Forwarding, stopped by a signal once the frames are through: a
	# --duration here would race the start of the sender on a loaded machine
	# (the spinning bridge itself takes a core).
	start_bridge br --busy-wait -i "netmap:$P}0" -i "netmap:$P{1"
	RX_ARGS=()
	send_through "netmap:$P{0" "netmap:$P}1" 10000
	stop_bridge br
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^netmap:$P\}0 -> netmap:$P\{1: 10000 packets 600000 bytes in "
	# --duration alone ends a spinning bridge, with its summary
	start_bridge br2 --busy-wait --duration 1s -i "netmap:$P}2" -i "netmap:$P{3"
	wait_bg br2
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^netmap:$P\}2 -> netmap:$P\{3: 0 packets 0 bytes in [0-9.]+ seconds"
}

@test "BR-6: usage and open errors: one line, exit 2 or 1" {
	local rows=(
		"2||bridge: missing -i; expected a port name such as vale0:a, netmap:eth0 or eth0"
		"2|-b 0 -i netmap:PIPE}0 -i netmap:PIPE{1|bridge: -b 0: burst out of range; expected an integer from 1 to 8192"
		"2|-b 9000 -i netmap:PIPE}0 -i netmap:PIPE{1|bridge: -b 9000: burst out of range"
		"2|-i netmap:PIPE}0 -i netmap:PIPE{1 -i netmap:PIPE}2|bridge: -i netmap:PIPE}2: too many -i options; at most 2 are accepted"
		"2|netmap:PIPE}0 netmap:PIPE{1 0|bridge: 0: burst out of range"
		"2|-i netmap:PIPE}0 netmap:PIPE{1|bridge: netmap:PIPE{1: ports are given both with -i and as arguments; use one form"
		"2|-L -i netmap:PIPE}0 -i netmap:PIPE{1|bridge: -L: loops one port back; give one port"
		"2|-i VALE:x|bridge: -i VALE:x: a VALE port has no host stack to bridge with; use -L to send its packets back out of it, or give a second port"
		"2|-i netmap:PIPE}0|bridge: -i netmap:PIPE}0: a pipe has no host stack to bridge with; use -L"
		"2|-i netmap:PIPE{|bridge: -i netmap:PIPE{: empty pipe id"
		"2|-T 5 -i netmap:PIPE}0 -i netmap:PIPE{1|bridge: -T 5: report interval out of range"
		"1|-i netmap:nosuch0 -i netmap:nosuch1|bridge: cannot open netmap:nosuch0: "
	)
	check_error_rows bridge "" "${rows[@]}"
	run_tool bridge -h
	assert_eq "$status" 0
	assert_contains "${lines[0]}" "Usage: bridge [OPTIONS] [A [B [burst]]]"
	assert_eq "$stderr" ""
}

# Two network namespaces of this test joined by a veth pair: va
# (10.0.0.1) in NSA, where bridge runs ($WORK/ns/bridge), and vb
# (10.0.0.2) in NSB.  Skips, saying why, where there is no veth driver;
# teardown deletes both namespaces and so the pair.
veth_in_namespaces() {
	[ "$(id -u)" = 0 ] && command -v ip >/dev/null || skip "needs root and ip(8) for a veth pair"
	NSA=nmbra$(($$ % 10000))t$BATS_TEST_NUMBER
	NSB=nmbrb$(($$ % 10000))t$BATS_TEST_NUMBER
	ip netns add "$NSA"
	ip netns add "$NSB"
	# veth: built in, or a module (the vm-check guest's is in /tmp)
	if ! ip link add va netns "$NSA" type veth peer name vb netns "$NSB" 2>/dev/null; then
		{ insmod /tmp/veth.ko || modprobe veth; } 2>/dev/null &&
			ip link add va netns "$NSA" type veth peer name vb netns "$NSB" ||
			skip "this kernel has no veth driver"
	fi
	ip -n "$NSA" addr add 10.0.0.1/24 dev va
	ip -n "$NSB" addr add 10.0.0.2/24 dev vb
	ip -n "$NSA" link set va up
	ip -n "$NSB" link set vb up
	mkdir -p "$WORK/ns"
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$NSA" "$(tool_path bridge)" \
		>"$WORK/ns/bridge"
	chmod +x "$WORK/ns/bridge"
}

eval "helpers_$(declare -f teardown)"
teardown() {
	helpers_teardown
	[ -z "${NSA:-}" ] || ip netns del "$NSA" 2>/dev/null
	[ -z "${NSB:-}" ] || ip netns del "$NSB" 2>/dev/null
	return 0
}

@test "a NIC and its host stack: ping crosses bridge -i netmap:va (kernel)" {
	require_kernel
	veth_in_namespaces
	TOOLS_DIR=$WORK/ns start_bridge br -w 0 -i netmap:va
	assert_line_re "$(cat "$WORK/br.err")" "port netmap:va: kernel backend, system interface"
	assert_line_re "$(cat "$WORK/br.err")" "port netmap:va\\^: kernel backend, system interface"
	assert_contains "$(cat "$WORK/br.err")" "------- zerocopy supported"
	# the stack of NSA reaches vb only through the bridge: va is in netmap mode
	run timeout -k 5 "$TOOL_TIMEOUT" ip netns exec "$NSA" ping -c 5 -i 0.2 -W "$(scaled 5)" 10.0.0.2
	echo "$output"
	stop_bridge br
	assert_eq "$status" 0 "ping through the bridge"
	assert_contains "$output" "5 packets transmitted, 5 received"
	assert_eq "$bg_status" 0
	# the stack's frames (an ARP request, 5 echo requests) out, the replies in
	local out in
	out=$(sed -n 's/^netmap:va^ -> netmap:va: \([0-9]*\) packets .*/\1/p' <<<"$bg_out")
	in=$(sed -n 's/^netmap:va -> netmap:va^: \([0-9]*\) packets .*/\1/p' <<<"$bg_out")
	[ "${out:-0}" -ge 6 ] && [ "${in:-0}" -ge 6 ] || {
		echo "expected at least 6 frames each way, got out ${out:-none} in ${in:-none}"
		return 1
	}
}

@test "a NIC and its host stack on the user runtime: one clear line" {
	[ "$NETMAP_BACKEND" = user ] || skip "the kernel backend bridges NICs (the test above)"
	veth_in_namespaces
	TOOLS_DIR=$WORK/ns run_tool bridge -w 0 --duration 1s -i netmap:va
	assert_eq "$status" 1
	# NIC ports work without the module, but not their host rings
	assert_eq "$stderr" "bridge: cannot open netmap:va^: Operation not supported (va has no host rings (^, *) without the kernel module: the user runtime cannot take the host stack's frames)"
}

@test "-v logs the poll rounds and the batches; without -v the bridge is quiet" {
	RX_ARGS=()
	start_bridge br -v -i "netmap:$P}0" -i "netmap:$P{1"
	send_through "netmap:$P{0" "netmap:$P}1" 1000
	stop_bridge br
	assert_eq "$bg_status" 0
	assert_line_re "$bg_err" "move \[[0-9]+\] [0-9]+ packets [0-9]+ bytes netmap:$P\}0 -> netmap:$P\{1$"
	assert_line_re "$bg_err" "poll \[[0-9]+\] netmap:$P\}0 events 0x[0-9a-f]+ revents 0x[0-9a-f]+ \| netmap:$P\{1$"
	start_bridge quiet -i "netmap:$P}2" -i "netmap:$P{3"
	stop_bridge quiet
	assert_eq "$(not_diag "$bg_err" | wc -l)" 0
	assert_eq "$(grep -cE ' (move|poll) \[' <<<"$bg_err")" 0
}
