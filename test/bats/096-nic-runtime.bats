# SPDX-License-Identifier: BSD-2-Clause
#
# NIC ports of the user runtime, without the kernel module (lib/rt/nic.c):
# netmap:IFNAME over AF_XDP and over AF_PACKET (TPACKET_V3), on veth pairs
# between network namespaces this file makes and deletes.  Exact counts
# and frames checked by tshark in both modes, the mode on the tools'
# start-up line, the choice (automatic, forced, the missing capability
# named), host rings refused, several queues and processes, and the
# interface going down, deleted, or its process killed while a port is
# open, a poll on a NIC port and a pipe woken by every frame, and AF_XDP
# within a small RLIMIT_MEMLOCK.
#
# Runs on this machine's kernel in make check (root: namespaces, and NIC
# ports need CAP_NET_RAW).  A kernel without veth or AF_XDP sockets skips
# what needs them, saying so.

load helpers
load nic-helpers

# Rate of the senders: a receiver descheduled for 100 ms on a busy
# machine must not lose frames (its rings hold about 3000 of them).
RATE=20000

nic_rt_setup() {
	[ "$NETMAP_BACKEND" = user ] || skip "user runtime NIC ports (NETMAP_BACKEND=user)"
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces; NIC ports need CAP_NET_RAW)"
	nic_namespaces
}

# Skip, loudly, where the kernel has no AF_XDP sockets.
require_xdp() {
	python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW)' 2>/dev/null ||
		skip "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS): AF_XDP mode untested"
}

# The words of the backend line for a mode.
mode_words() {
	case $1 in
	xdp) echo "emulated adapter over AF_XDP (native XDP, copy mode)" ;;
	packet) echo "emulated adapter over AF_PACKET (TPACKET_V3; NETMAP_NIC_MODE=packet)" ;;
	esac
}

# Every frame of pcap $1 is pkt-gen's default frame, checksums valid; $2 of them.
check_default_frames() {
	require_tshark
	tshark_fields "$1" frame.len eth.dst ip.src udp.srcport ip.dst udp.dstport \
		ip.checksum.status udp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" "$2" "frames in $1"
	assert_eq "$(sort -u "$WORK/fields")" \
		"$(printf '60\tff:ff:ff:ff:ff:ff\t10.0.0.1\t1234\t10.1.0.1\t1234\t1\t1')"
}

# pkt-gen tx on netmap:va to pkt-gen rx on netmap:vb in mode $1, while a
# packet socket on vb counts what the stack would see.
exchange() {
	local mode=$1 count=5000
	nic_rt_setup
	[ "$mode" = xdp ] && require_xdp
	veth_pair "$NA" va "$NB" vb
	export NETMAP_NIC_MODE=$mode
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -n $count -W -w 0 -T 0 \
		--pcap-out "$WORK/rx.pcap"
	# (AF_XDP mode: none come, the window is the test's length)
	in_ns "$NB" start_rx stack net count vb "$([ "$mode" = xdp ] && echo 6 || echo 30)" \
		$count "$(mac_of "$NA" va)"
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n $count -R $RATE -w 0 -T 0
	assert_eq "$status" 0
	assert_line_re "$output" "^Sent $count packets $((count * 60)) bytes "
	assert_contains "$output" "Backend: user, system interface, $(mode_words "$mode"), 1 tx rings, 1 rx rings"
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^Received $count packets $((count * 60)) bytes "
	check_default_frames "$WORK/rx.pcap" $count
	# AF_XDP takes the frames from the stack, as the module does; packet
	# sockets only copy them
	wait_bg stack 35
	if [ "$mode" = xdp ]; then
		assert_eq "$(tail -n 1 <<<"$bg_out")" "count 0"
	else
		assert_eq "$(tail -n 1 <<<"$bg_out")" "count $count"
	fi
	# nothing left on the interface once the ports are closed
	assert_eq "$(ip -n "$NB" -d link show vb | grep -c 'prog/xdp')" 0
}

@test "RT-NIC-1: AF_XDP: pkt-gen netmap:va -> netmap:vb, exact counts, frames checked by tshark" {
	exchange xdp
}

@test "RT-NIC-2: AF_PACKET: pkt-gen netmap:va -> netmap:vb, exact counts, frames checked by tshark" {
	exchange packet
}

@test "RT-NIC-3: the mode is chosen, printed by every tool, forced by NETMAP_NIC_MODE" {
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb
	local auto=packet
	python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW)' 2>/dev/null && auto=xdp
	unset NETMAP_NIC_MODE
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 1 -w 0 -T 0
	assert_eq "$status" 0
	if [ $auto = xdp ]; then
		assert_contains "$output" "Backend: user, system interface, $(mode_words xdp), "
	else
		assert_contains "$output" "Backend: user, system interface, emulated adapter over AF_PACKET (TPACKET_V3; this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)), "
	fi
	NETMAP_NIC_MODE=packet in_ns "$NA" run_tool bridge -w 0 --duration 0.2s -i netmap:va \
		-i "netmap:$P{1"
	assert_eq "$status" 0
	assert_contains "$stderr" "port netmap:va: user backend, system interface, $(mode_words packet)"
	NETMAP_NIC_MODE=bogus in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 1 -w 0
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open netmap:va: Invalid argument (NETMAP_NIC_MODE=bogus: expected xdp, packet or auto)"
	in_ns "$NA" run_tool pkt-gen -i netmap:nonesuch -f tx -n 1 -w 0
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open netmap:nonesuch: No such device or address (no network interface nonesuch in this network namespace)"
}

# The tools of namespace $1 with the capabilities $2 (setpriv's syntax)
# taken out of their bounding set: what a program not run as root has;
# with $3, an RLIMIT_MEMLOCK of $3 bytes.
without_caps() {
	local dir=$WORK/caps-$1$2${3:-} t
	mkdir -p "$dir"
	for t in pkt-gen; do
		printf '#!/bin/sh\nexec ip netns exec %s %s setpriv --bounding-set=%s %s "$@"\n' \
			"$1" "${3:+prlimit --memlock=$3}" "$2" "$(tool_path "$t")" >"$dir/$t"
		chmod +x "$dir/$t"
	done
	echo "$dir"
}

@test "RT-NIC-4: without CAP_BPF AF_PACKET serves and says why; without CAP_NET_RAW one line names it" {
	nic_rt_setup
	require_xdp
	veth_pair "$NA" va "$NB" vb
	local nobpf noraw
	nobpf=$(without_caps "$NA" -bpf,-sys_admin)
	noraw=$(without_caps "$NA" -net_raw)
	unset NETMAP_NIC_MODE
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -n 100 -W -w 0 -T 0
	TOOLS_DIR=$nobpf run_tool pkt-gen -i netmap:va -f tx -n 100 -w 0 -T 0
	assert_eq "$status" 0
	assert_contains "$output" "Backend: user, system interface, emulated adapter over AF_PACKET (TPACKET_V3; AF_XDP needs CAP_NET_ADMIN and CAP_BPF: missing CAP_BPF), "
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 100 packets 6000 bytes '
	NETMAP_NIC_MODE=xdp TOOLS_DIR=$nobpf run_tool pkt-gen -i netmap:va -f tx -n 1 -w 0
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open netmap:va: Operation not permitted (va: NETMAP_NIC_MODE=xdp: AF_XDP needs CAP_NET_ADMIN and CAP_BPF: missing CAP_BPF)"
	TOOLS_DIR=$noraw run_tool pkt-gen -i netmap:va -f tx -n 1 -w 0
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open netmap:va: Operation not permitted (va: NIC ports without the kernel module need CAP_NET_RAW (AF_PACKET and AF_XDP sockets), and CAP_NET_ADMIN and CAP_BPF for AF_XDP: missing CAP_NET_RAW (run as root))"
}

@test "RT-NIC-5: host rings (^, *) need the module: EOPNOTSUPP, saying so" {
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb
	local spec mode
	for mode in xdp packet; do
		for spec in 'netmap:va^' 'netmap:va*' 'netmap:va^0'; do
			NETMAP_NIC_MODE=$mode in_ns "$NA" run_tool pkt-gen -i "$spec" -f rx -w 0
			assert_eq "$status" 1 "$spec ($mode)"
			assert_eq "$stderr" "pkt-gen: cannot open $spec: Operation not supported (va has no host rings (^, *) without the kernel module: the user runtime cannot take the host stack's frames)"
		done
	done
}

@test "RT-NIC-6: AF_XDP, four queues: each ring gets its own queue's frames, one process per queue" {
	nic_rt_setup
	require_xdp
	veth_pair "$NA" va "$NB" vb "" "" numtxqueues 4 numrxqueues 4
	export NETMAP_NIC_MODE=xdp
	local q
	for q in 0 1 2 3; do
		in_ns "$NB" start_rx r$q pkt-gen -i netmap:vb-$q -f rx -n 1000 -W -w 0 -T 0
	done
	# a queue belongs to one process at a time
	in_ns "$NB" run_tool pkt-gen -i netmap:vb-2 -f rx -w 0
	assert_eq "$status" 1
	assert_line_re "$stderr" "^pkt-gen: cannot open netmap:vb-2: Device or resource busy \(vb: queue 2 is served by another process \(pid ${BG_PID[r2]}\): without the kernel module a NIC queue belongs to one process at a time\)$"
	# veth hands what TX queue i sends to RX queue i of its peer
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -p 4 -n 4000 -R $RATE -w 0 -T 0
	assert_eq "$status" 0
	assert_contains "$output" "Backend: user, system interface, $(mode_words xdp), 4 tx rings, 4 rx rings"
	for q in 0 1 2 3; do
		wait_bg r$q
		assert_eq "$bg_status" 0 "ring $q"
		assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '
	done
}

@test "RT-NIC-7: AF_PACKET, four queues: one receiver of all rings gets every frame" {
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb "" "" numtxqueues 4 numrxqueues 4
	export NETMAP_NIC_MODE=packet
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -n 4000 -W -w 0 -T 0
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -p 4 -n 4000 -R $RATE -w 0 -T 0
	assert_eq "$status" 0
	assert_contains "$output" "Backend: user, system interface, $(mode_words packet), 4 tx rings, 4 rx rings"
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 4000 packets 240000 bytes '
}

@test "RT-NIC-8: -N and @conf geometry on a NIC port" {
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb "" "" numtxqueues 2 numrxqueues 2
	local mode
	for mode in xdp packet; do
		[ $mode = xdp ] && ! python3 -c 'import socket; socket.socket(44, 3)' 2>/dev/null &&
			continue
		NETMAP_NIC_MODE=$mode in_ns "$NB" start_rx b$mode pkt-gen \
			-i 'netmap:vb-1@conf:slots=512' -f rx -n 300 -W -w 0 -T 0
		assert_contains "$(cat "$WORK/b$mode.out")" "2 tx rings, 2 rx rings, 512 slots"
		NETMAP_NIC_MODE=$mode in_ns "$NA" run_tool pkt-gen -i netmap:va-1 -f tx -n 300 \
			-R $RATE -w 0 -T 0
		assert_eq "$status" 0
		assert_contains "$output" "2 tx rings, 2 rx rings, 1024 slots"
		if [ $mode = packet ]; then
			# veth records no receive queue without XDP: ring 0 has them all
			signal_bg b$mode INT
		fi
		wait_bg b$mode
		if [ $mode = xdp ]; then
			assert_eq "$bg_status" 0
			assert_line_re "$bg_out" '^Received 300 packets 18000 bytes '
		else
			assert_eq "$bg_status" 3	# the count was not reached
			assert_line_re "$bg_out" '^Received nothing'
		fi
	done
}

# The modes this kernel has.
modes() {
	python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW)' 2>/dev/null && echo xdp
	echo packet
}

# 100 frames from netmap:$1 (namespace NA) to netmap:$2 (NB).
hundred() {
	in_ns "$NB" start_rx h pkt-gen -i "netmap:$2" -f rx -n 100 -W -w 0 -T 0
	in_ns "$NA" run_tool pkt-gen -i "netmap:$1" -f tx -n 100 -w 0 -T 0
	assert_eq "$status" 0
	wait_bg h
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 100 packets 6000 bytes '
}

@test "RT-NIC-9: ip link set down: receiver and sender stop with one clear line; up again works" {
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb
	local mode
	for mode in $(modes); do
		export NETMAP_NIC_MODE=$mode
		in_ns "$NB" start_rx b$mode pkt-gen -i netmap:vb -f rx -w 0 -T 0
		in_ns "$NA" start_rx a$mode pkt-gen -i netmap:va -f tx -R 1000 -w 0 -T 0
		ip -n "$NB" link set vb down
		wait_bg b$mode 10
		assert_eq "$bg_status" 1 "$mode"
		assert_contains "$bg_err" "pkt-gen: thread 0: poll on netmap:vb failed: vb is down: its rings are stopped until it is up"
		ip -n "$NA" link set va down
		wait_bg a$mode 10
		assert_eq "$bg_status" 1 "$mode"
		assert_line_re "$bg_err" '^pkt-gen: thread 0: (txsync on netmap:va failed: Input/output error \(va is down: its rings are stopped until it is up\)|poll on netmap:va failed: va is down: its rings are stopped until it is up)$'
		ip -n "$NA" link set va up
		ip -n "$NB" link set vb up
		link_up_wait "$NA" va
		link_up_wait "$NB" vb
		hundred va vb
	done
}

@test "RT-NIC-10: ip link del under traffic: both ends fail clearly, nothing hangs, the name works again" {
	nic_rt_setup
	local mode
	for mode in $(modes); do
		export NETMAP_NIC_MODE=$mode
		veth_pair "$NA" va "$NB" vb
		in_ns "$NB" start_rx b$mode pkt-gen -i netmap:vb -f rx -w 0 -T 0
		in_ns "$NA" start_rx a$mode pkt-gen -i netmap:va -f tx -R 2000 -w 0 -T 0
		tsleep 0.3
		ip -n "$NA" link del va
		# (deleting takes the interface down first: a side that looks
		# in between says so)
		wait_bg a$mode 10
		assert_eq "$bg_status" 1 "$mode"
		assert_line_re "$bg_err" '^pkt-gen: thread 0: (txsync on netmap:va failed: Input/output error \(va (was removed: close the port|is down: .*)\)|poll on netmap:va failed: va (was removed: close the port|is down: .*))$'
		wait_bg b$mode 10
		assert_eq "$bg_status" 1 "$mode"
		assert_line_re "$bg_err" '^pkt-gen: thread 0: poll on netmap:vb failed: vb (was removed: close the port|is down: .*)$'
		# the dead ports are gone with their processes: a new pair of
		# the same names is a new port
		assert_eq "$(ls "$NETMAP_RUNTIME_DIR")" arena
		veth_pair "$NA" va "$NB" vb
		hundred va vb
		ip -n "$NA" link del va
	done
}

@test "RT-NIC-11: AF_XDP: a receiver killed with SIGKILL takes its XDP program and queue along" {
	nic_rt_setup
	require_xdp
	veth_pair "$NA" va "$NB" vb
	export NETMAP_NIC_MODE=xdp
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -w 0 -T 0
	assert_eq "$(ip -n "$NB" -d link show vb | grep -c 'prog/xdp')" 1
	signal_bg b KILL
	wait_bg b
	assert_eq "$bg_status" 137
	# the kernel closed its sockets and its hold on the program
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(ip -n "$NB" -d link show vb | grep -c 'prog/xdp')" = 0 ] && break
		sleep 0.05
	done
	assert_eq "$(ip -n "$NB" -d link show vb | grep -c 'prog/xdp')" 0
	hundred va vb
}

@test "RT-NIC-12: a poll on a NIC port and a netmap pipe sleeps on the NIC's sockets: every frame wakes it" {
	# Two runtime descriptors alone would sleep on their futex words
	# (futex_waitv); a NIC's frames are signalled on its sockets only, so
	# a set with a NIC port must sleep in ppoll() on them.  nm_raw waits
	# without a time limit (-t 0) on vb and an idle pipe: a frame that
	# arrives while it sleeps and does not wake it hangs it for good.
	nic_rt_setup
	veth_pair "$NA" va "$NB" vb
	local raw mode
	raw=$(tool_path nm_raw)
	for mode in $(modes); do
		export NETMAP_NIC_MODE=$mode
		in_ns "$NB" start_rx b$mode netmap-run "$raw" -t 0 -x "$P{1" rx vb 20
		# 10 a second: each frame comes to a receiver asleep
		in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 20 -R 10 -w 0 -T 0
		assert_eq "$status" 0 "$mode"
		wait_bg b$mode 30
		assert_eq "$bg_status" 0 "$mode"
		assert_contains "$bg_out" "nm_raw: received 20 of 20 frames on vb (poll), 0 out of order"
	done
}

@test "RT-NIC-13: AF_XDP within RLIMIT_MEMLOCK: a smaller receive area serves; too small, one line says what to raise" {
	# A UMEM is pinned memory, charged to RLIMIT_MEMLOCK without
	# CAP_IPC_LOCK.  8 MiB (a common default) cannot hold the 16 MiB of
	# receive frames a queue asks for first; twice the ring fits.
	nic_rt_setup
	require_xdp
	veth_pair "$NA" va "$NB" vb
	export NETMAP_NIC_MODE=xdp
	local small tiny
	small=$(without_caps "$NB" -ipc_lock 8388608)
	tiny=$(without_caps "$NB" -ipc_lock 1048576)
	TOOLS_DIR=$small start_rx b pkt-gen -i netmap:vb -f rx -n 100 -W -w 0 -T 0
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 100 -w 0 -T 0
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Backend: user, system interface, $(mode_words xdp), "
	assert_line_re "$bg_out" '^Received 100 packets 6000 bytes '
	TOOLS_DIR=$tiny run_tool pkt-gen -i netmap:vb -f rx -n 1 -w 0
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open netmap:vb: No buffer space available (vb: queue 0: cannot register AF_XDP memory: No buffer space available (over RLIMIT_MEMLOCK: raise it (ulimit -l) or grant CAP_IPC_LOCK))"
}
