# SPDX-License-Identifier: BSD-2-Clause
#
# NIC ports of the kernel module (spec 21, 22, 15.3, 15.9): the emulated
# adapter on veth pairs, VLAN devices and bridges, the host rings with and
# without offloads, transparent mode, NICs attached to VALE switches (ping
# and TCP through a switch), per-namespace switches, polling, and the
# teardown cases under traffic.  Every test builds its own network namespaces and veth
# pairs and deletes them: nothing touches the machine's interfaces.
#
# Runs in the vm-check guest, and on any host with the module loaded:
#	NETMAP_BACKEND=kernel bats test/bats/095-nic.bats	(as root)
# Removing the veth driver (rmmod veth) is only done where asked
# (NETMAP_TEST_RMMOD_VETH=1: the vm-check guest), as it deletes every
# veth device of the machine; the two e1000 NICs joined by a qemu hub are
# the guest's (NETMAP_TEST_QEMU_HUB names them): a host's own interfaces
# are never used.

load helpers
load nic-helpers

@test "NIC-1: pkt-gen tx on netmap:va and rx on netmap:vb, 1000 frames, emulated adapter" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	nic_send "$NA" va "$NB" vb 1000
	assert_line_re "$output" '^Sent 1000 packets 60000 bytes '
	assert_contains "$output" "Backend: kernel, system interface, emulated adapter, 1 tx rings, 1 rx rings"
}

@test "NIC-2: frames sent through the emulated adapter reach the peer's stack, counted by ip -s link" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	before=$(ifstat "$NB" vb rx_packets)
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 700
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 700 packets '
	assert_eq "$(($(ifstat "$NB" vb rx_packets) - before))" 700 "vb rx_packets"
	ip -n "$NB" -s link show vb
}

@test "NIC-3: frames of the stack arrive on netmap:vb, the driver's RX ring, in order" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -n 300 -W
	run ip netns exec "$NA" python3 "$NET" send va 300 200
	assert_eq "$output" "sent 300"
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 300 packets 60000 bytes '
}

@test "NIC-4: host RX ring: what the stack sends through va while its TX ring is bound" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	in_ns "$NA" start_rx a pkt-gen -i 'netmap:va*' -f rx -n 250 -W
	before=$(ifstat "$NB" vb rx_packets)
	run ip netns exec "$NA" python3 "$NET" send va 250
	assert_eq "$output" "sent 250"
	wait_bg a
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 250 packets 15000 bytes '
	# diverted, not transmitted
	assert_eq "$(($(ifstat "$NB" vb rx_packets) - before))" 0 "vb rx_packets"
}

@test "NIC-5: host TX ring: frames reach the stack as received ones" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	in_ns "$NA" start_rx c net count va "$(scaled 30)" 400 02:4e:4d:00:00:09
	in_ns "$NA" run_tool pkt-gen -i 'netmap:va^' -f tx -n 400 -S 02:4e:4d:00:00:09
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 400 packets '
	wait_bg c
	assert_eq "$(tail -n 1 <<<"$bg_out")" "count 400"
}

@test "NIC-6: offloads on: GSO and checksum-offload frames reach the host RX ring complete" {
	nic_setup
	veth_pair "$NA" va "$NB" vb 10.0.0.1 10.0.0.2
	ip -n "$NA" neigh add 10.0.0.2 lladdr "$(mac_of "$NB" vb)" dev va
	if command -v ethtool >/dev/null; then
		ip netns exec "$NA" ethtool -K va tx on gso on tso on sg on
		ip netns exec "$NA" ethtool -k va | grep -E '^(tx-checksumming|generic-segmentation-offload):'
	fi
	in_ns "$NA" start_rx a pkt-gen -i 'netmap:va*' -f rx -n 5 -W --pcap-out "$WORK/gso.pcap"
	run ip netns exec "$NA" python3 "$NET" udp-gso 10.0.0.2 9 1000 5000
	assert_eq "$output" "sent"
	wait_bg a
	assert_eq "$bg_status" 0
	run python3 "$NET" check-pcap "$WORK/gso.pcap"
	assert_eq "$output" "frames 5 ipv4 5 udp-payload 5000 bad 0"
}

@test "NIC-7: offloads off: the same frames, segmented by the stack" {
	nic_setup
	command -v ethtool >/dev/null || skip "needs ethtool (scripts/deps.sh installs it)"
	veth_pair "$NA" va "$NB" vb 10.0.0.1 10.0.0.2
	ip -n "$NA" neigh add 10.0.0.2 lladdr "$(mac_of "$NB" vb)" dev va
	ip netns exec "$NA" ethtool -K va tx off gso off tso off sg off
	in_ns "$NA" start_rx a pkt-gen -i 'netmap:va*' -f rx -n 5 -W --pcap-out "$WORK/nogso.pcap"
	# (UDP GSO needs checksum offload: five plain datagrams instead)
	run ip netns exec "$NA" python3 "$NET" udp-send 10.0.0.2 9 5 1000
	assert_eq "$output" "sent 5"
	wait_bg a
	assert_eq "$bg_status" 0
	run python3 "$NET" check-pcap "$WORK/nogso.pcap"
	assert_eq "$output" "frames 5 ipv4 5 udp-payload 5000 bad 0"
}

@test "NIC-8: transparent mode (fwd): hardware RX to the host stack, host RX to the wire" {
	nic_setup
	[ -w $PARAMS/fwd ] || skip "needs the fwd module parameter"
	veth_pair "$NA" va "$NB" vb 10.0.0.1 10.0.0.2
	ip -n "$NA" neigh add 10.0.0.2 lladdr "$(mac_of "$NB" vb)" dev va
	echo 1 >$PARAMS/fwd
	# wire -> netmap:vb -> vb's stack (released slots go on at the next
	# sync: the receiver keeps running until the stack has them all)
	in_ns "$NB" start_rx u net udp-count 10.0.0.2 5000 "$(scaled 30)" 100
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx
	run ip netns exec "$NA" python3 "$NET" udp-send 10.0.0.2 5000 100
	assert_eq "$output" "sent 100"
	wait_bg u
	assert_eq "$(tail -n 1 <<<"$bg_out")" "count 100" "forwarded to vb's stack"
	signal_bg b TERM
	wait_bg b
	assert_line_re "$bg_out" '^Received 100 packets '
	# va's stack -> host RX ring of va -> its TX ring -> the wire
	in_ns "$NB" start_rx u2 net udp-count 10.0.0.2 5001 "$(scaled 30)" 60
	in_ns "$NA" start_rx a pkt-gen -i 'netmap:va*' -f rx
	run ip netns exec "$NA" python3 "$NET" udp-send 10.0.0.2 5001 60
	assert_eq "$output" "sent 60"
	wait_bg u2
	assert_eq "$(tail -n 1 <<<"$bg_out")" "count 60" "forwarded to the wire"
	signal_bg a TERM
	wait_bg a
	assert_line_re "$bg_out" '^Received 60 packets '
}

@test "NIC-9: vale-ctl -h: ping and TCP through NIC, switch and host stack" {
	nic_setup
	veth_pair "$NA" va "$NB" vb 10.0.0.1 10.0.0.2
	in_ns "$NA" run_tool vale-ctl -h "$SW:va"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl
	assert_contains "$output" "$SW:va"
	assert_contains "$output" "$SW:va^"
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 5
	assert_eq "$output" "replies 5"
	in_ns "$NB" start_rx srv net tcp-serve 10.0.0.2 7000 "$(scaled 60)"
	run ip netns exec "$NA" python3 "$NET" tcp-send 10.0.0.2 7000 300000 "$(scaled 60)"
	assert_eq "$output" "ok 300000"
	wait_bg srv
	assert_line_re "$bg_out" '^received 300000 '
	# busy while attached, usable again once detached
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 1
	assert_eq "$status" 1
	in_ns "$NA" run_tool vale-ctl -d "$SW:va"
	assert_eq "$status" 0
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 10
	assert_eq "$status" 0
}

@test "NIC-10: two namespaces joined only through a switch with both veth ends attached" {
	nic_setup 3
	veth_pair "$NA" ha "$NS" sa 10.0.0.1
	veth_pair "$NB" hb "$NS" sb 10.0.0.2
	in_ns "$NS" run_tool vale-ctl -a "$SW:sa"
	assert_eq "$status" 0
	in_ns "$NS" run_tool vale-ctl -a "$SW:sb"
	assert_eq "$status" 0
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 5
	assert_eq "$output" "replies 5"
	# ARP was learned through the switch
	run ip -n "$NA" neigh show 10.0.0.2
	assert_contains "$output" "$(mac_of "$NB" hb)"
	in_ns "$NB" start_rx srv net tcp-serve 10.0.0.2 7001 "$(scaled 60)"
	run ip netns exec "$NA" python3 "$NET" tcp-send 10.0.0.2 7001 300000 "$(scaled 60)"
	assert_eq "$output" "ok 300000"
	wait_bg srv
	assert_line_re "$bg_out" '^received 300000 '
	in_ns "$NS" run_tool vale-ctl -d "$SW:sa"
	assert_eq "$status" 0
	in_ns "$NS" run_tool vale-ctl -d "$SW:sb"
	assert_eq "$status" 0
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 1
	assert_eq "$output" "replies 0"
}

@test "NIC-11: polling threads forward, and stop cleanly" {
	nic_setup 3
	veth_pair "$NA" ha "$NS" sa 10.0.0.1
	veth_pair "$NB" hb "$NS" sb 10.0.0.2
	in_ns "$NS" run_tool vale-ctl -a "$SW:sa"
	in_ns "$NS" run_tool vale-ctl -a "$SW:sb"
	in_ns "$NS" run_tool vale-ctl -p "$SW:sa"
	assert_eq "$status" 0
	assert_eq "$(pgrep -c netmap-poll)" 1 "polling threads"
	in_ns "$NS" run_tool vale-ctl -d "$SW:sa"
	assert_eq "$status" 1 "a polling port cannot be detached"
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 5
	assert_eq "$output" "replies 5"
	in_ns "$NS" run_tool vale-ctl -P "$SW:sa"
	assert_eq "$status" 0
	assert_eq "$(pgrep -c netmap-poll)" 0 "polling threads"
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 2
	assert_eq "$output" "replies 2"
	# a CPU list: one thread per ring from CPU 0 (mode 1, first 0, one)
	in_ns "$NS" run_tool vale-ctl -p "$SW:sa" -C 1,0,1
	assert_eq "$status" 0
	assert_eq "$(pgrep -c netmap-poll)" 1 "polling threads"
	run ip netns exec "$NA" python3 "$NET" ping 10.0.0.2 2
	assert_eq "$output" "replies 2"
	in_ns "$NS" run_tool vale-ctl -P "$SW:sa"
	assert_eq "$status" 0
	assert_eq "$(pgrep -c netmap-poll)" 0 "polling threads"
	# two threads for the pair's single ring: refused
	in_ns "$NS" run_tool vale-ctl -p "$SW:sa" -C 1,0,2
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: failed to enable polling on $SW:sa: Invalid argument"
	assert_eq "$(pgrep -c netmap-poll)" 0 "polling threads"
	in_ns "$NS" run_tool vale-ctl -d "$SW:sa"
	assert_eq "$status" 0
}

# NIC-12 counts the module's references, which every open descriptor of
# any test holds: in the guest it runs with no other bats file beside it
# (test/vm/guest-tests.sh), or another file's ports opening in the same
# minute would hide the reference the namespace released.
# bats test_tags=vm:alone
@test "NIC-12: switches and persistent ports belong to their namespace" {
	nic_setup
	in_ns "$NA" run_tool vale-ctl -n "nmp$BATS_TEST_NUMBER"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl -a "$SW:nmp$BATS_TEST_NUMBER"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl
	assert_contains "$output" "$SW:nmp$BATS_TEST_NUMBER"
	# another namespace sees neither the switch nor the port
	in_ns "$NB" run_tool vale-ctl
	[[ "$output" != *"$SW:"* ]]
	in_ns "$NB" run_tool vale-ctl -l "$SW:nmp$BATS_TEST_NUMBER"
	assert_eq "$status" 1
	run ip -n "$NB" link show "nmp$BATS_TEST_NUMBER"
	assert_eq "$status" 1
	# the same switch name there is another switch
	in_ns "$NB" start_rx b pkt-gen -i "$SW:b" -f rx -n 10 -W
	in_ns "$NB" run_tool pkt-gen -i "$SW:a" -f tx -n 10
	wait_bg b
	assert_line_re "$bg_out" '^Received 10 packets '
	# deleting the namespace releases the port (its module reference).
	# The namespace goes in a workqueue, slowly under emulation: wait up
	# to a minute for the count to fall.
	refs=$(cat /sys/module/netmap/refcnt)
	ip netns del "$NA"
	for i in $(seq 600); do
		[ "$(cat /sys/module/netmap/refcnt)" -lt "$refs" ] && break
		sleep 0.1
	done
	now=$(cat /sys/module/netmap/refcnt)
	[ "$now" -lt "$refs" ] || {
		echo "module references: $refs before the namespace went, $now a minute after"
		false
	}
}

# Start a sender on netmap:$2 in namespace $1 that runs until stopped.
long_tx() {
	in_ns "$1" start_bg tx pkt-gen -i "netmap:$2" -f tx
	in_ns "$NB" start_bg rx pkt-gen -i netmap:vb -f rx
	wait_ready tx
	tsleep 1
}

# The sender saw the port fail or was stopped, within the tool timeout;
# the receiver too (it may have seen POLLERR and exited already).
tx_ended() {
	signal_bg tx TERM 2>/dev/null || true
	wait_bg tx
	[ "$bg_status" != 137 ] || { echo "the sender hung"; return 1; }
	signal_bg rx TERM 2>/dev/null || true
	wait_bg rx
}

# After a teardown case: 100 frames from netmap:va to netmap:vb again.
va_to_vb_works() {
	nic_send "$NA" va "$NB" vb 100
}

@test "NIC-13: ip link set down under traffic stops the rings; up again works" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	long_tx "$NA" va
	ip -n "$NA" link set va down
	tsleep 1
	tx_ended
	ip -n "$NA" link set va up
	va_to_vb_works
}

@test "NIC-14: MTU changes and carrier loss under traffic" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	long_tx "$NA" va
	ip -n "$NA" link set va mtu 9000
	ip -n "$NB" link set vb mtu 9000
	ip -n "$NB" link set vb down	# va loses its carrier
	tsleep 1
	ip -n "$NB" link set vb up
	ip -n "$NA" link set va mtu 1500
	tx_ended
	va_to_vb_works
}

@test "NIC-15: ip link del under traffic: the port fails, nothing hangs" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	long_tx "$NA" va
	timeout 30 ip -n "$NA" link del va
	tsleep 1
	tx_ended
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 1
	assert_eq "$status" 1
}

@test "NIC-16: deleting an attached NIC's namespace, under traffic" {
	nic_setup 3
	veth_pair "$NA" ha "$NS" sa 10.0.0.1
	veth_pair "$NB" hb "$NS" sb 10.0.0.2
	in_ns "$NS" run_tool vale-ctl -a "$SW:sa"
	in_ns "$NS" run_tool vale-ctl -h "$SW:sb"
	in_ns "$NA" start_bg fl net udp-send 10.0.0.2 5000 20000
	tsleep 1
	timeout 30 ip netns del "$NS"
	wait_bg fl
	assert_line_re "$bg_out" '^sent [0-9]+$'
	# the switch side of both pairs went with the namespace
	run ip -n "$NA" link show ha
	assert_eq "$status" 1
	run ip -n "$NB" link show hb
	assert_eq "$status" 1
}

@test "NIC-17: rmmod of the device's driver while a port is open" {
	[ "${NETMAP_TEST_RMMOD_VETH:-0}" = 1 ] ||
		skip "removes every veth device: only where NETMAP_TEST_RMMOD_VETH=1 (the vm-check guest)"
	nic_setup 3
	veth_pair "$NA" va "$NB" vb
	veth_pair "$NA" wa "$NS" wb
	in_ns "$NS" run_tool vale-ctl -a "$SW:wb"
	long_tx "$NA" va
	timeout 60 rmmod veth
	tsleep 1
	tx_ended
	run ip -n "$NA" link show va
	assert_eq "$status" 1
	# the switch port of the vanished device can still be detached
	in_ns "$NS" run_tool vale-ctl -d "$SW:wb"
	assert_eq "$status" 0
	insmod /tmp/veth.ko 2>/dev/null || modprobe veth
}

@test "NIC-18: two e1000 NICs on one qemu hub, driven by pkt-gen through the emulated adapter" {
	qemu_hub_up
	start_rx b pkt-gen -i "netmap:$e1" -f rx -n 1000 -W
	run_tool pkt-gen -i "netmap:$e0" -f tx -n 1000 -R 5000
	ip link set "$e0" down
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000 packets 60000 bytes '
	assert_contains "$output" "system interface, emulated adapter"
	wait_bg b
	ip link set "$e1" down
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '
}

@test "NIC-19: a persistent port on a second switch joins the two; it leaves the second first (15.3)" {
	nic_setup
	local p=nmw$BATS_TEST_NUMBER
	in_ns "$NA" run_tool vale-ctl -n "$p"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl -a "$SW:$p"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl -h "$SW2:$p"
	assert_eq "$status" 1 "a persistent port has no host stack"
	assert_eq "$stderr" "vale-ctl: failed to attach $SW2:$p: Invalid argument"
	in_ns "$NA" run_tool vale-ctl -a "$SW2:$p"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl
	assert_contains "$output" "$SW:$p"
	assert_contains "$output" "$SW2:$p"
	# kernel-owned while wrapped
	in_ns "$NA" run_tool pkt-gen -i "netmap:$p" -f tx -n 1
	assert_eq "$status" 1
	# switch 1 -> the port -> switch 2, and back
	in_ns "$NA" start_rx b pkt-gen -i "$SW2:b" -f rx -n 1000 -W
	in_ns "$NA" run_tool pkt-gen -i "$SW:a" -f tx -n 1000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000 packets 60000 bytes '
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 60000 bytes '
	in_ns "$NA" start_rx c pkt-gen -i "$SW:c" -f rx -n 500 -W
	in_ns "$NA" run_tool pkt-gen -i "$SW2:d" -f tx -n 500 -l 1514
	assert_eq "$status" 0
	wait_bg c
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 500 packets 757000 bytes '
	# detached from the second switch first, then from the first
	in_ns "$NA" run_tool vale-ctl -d "$SW:$p"
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: failed to detach $SW:$p: Device or resource busy"
	in_ns "$NA" run_tool vale-ctl -r "$p"
	assert_eq "$status" 1
	in_ns "$NA" run_tool vale-ctl -d "$SW2:$p"
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl -d "$SW:$p"
	assert_eq "$status" 0
	in_ns "$NA" run_tool pkt-gen -i "netmap:$p" -f tx -n 1
	assert_eq "$status" 0
	in_ns "$NA" run_tool vale-ctl -r "$p"
	assert_eq "$status" 0
}

# vale-ctl $2... in namespace $1 succeeds.
vc_ok() {
	local ns=$1
	shift
	in_ns "$ns" run_tool vale-ctl "$@"
	assert_eq "$status" 0 "vale-ctl $*"
}

@test "NIC-20: two persistent ports on the same two switches (a loop): frames stop, nothing hangs" {
	nic_setup
	local p=nmx$BATS_TEST_NUMBER q=nmy$BATS_TEST_NUMBER n
	for n in "$p" "$q"; do
		vc_ok "$NA" -n "$n"
		vc_ok "$NA" -a "$SW:$n"
		vc_ok "$NA" -a "$SW2:$n"
	done
	# every broadcast goes round the loop a bounded number of times
	in_ns "$NA" start_rx b pkt-gen -i "$SW2:b" -f rx -n 100 -W
	in_ns "$NA" run_tool pkt-gen -i "$SW:a" -f tx -n 100 -R 1000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 100 packets '
	wait_bg b
	assert_eq "$bg_status" 0
	for n in "$p" "$q"; do
		vc_ok "$NA" -d "$SW2:$n"
		vc_ok "$NA" -d "$SW:$n"
		vc_ok "$NA" -r "$n"
	done
}

@test "NIC-21: the emulated adapter on a VLAN device and on a bridge" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	ip -n "$NA" link add link va name vla type vlan id 10 ||
		skip "this kernel has no 802.1Q VLAN support (8021q)"
	ip -n "$NB" link add link vb name vlb type vlan id 10
	ip -n "$NA" link set vla up
	ip -n "$NB" link set vlb up
	# tagged on the wire, untagged on either VLAN device
	nic_send "$NA" vla "$NB" vlb 300
	assert_contains "$output" "system interface, emulated adapter"
	# a bridge with vb as its port: its own traffic, both ways
	ip -n "$NB" link add br0 type bridge ||
		skip "this kernel has no Ethernet bridge (bridge)"
	ip -n "$NB" link set vb master br0
	ip -n "$NB" link set br0 up
	nic_send "$NA" va "$NB" br0 200
	nic_send "$NB" br0 "$NA" va 200
}

@test "NIC-22: receive notifications with generic_mit off and at 20 ms: every frame arrives" {
	nic_setup
	[ -w $PARAMS/generic_mit ] || skip "needs the module's generic_mit parameter writable (as root)"
	veth_pair "$NA" va "$NB" vb
	# below 32768 ns: every frame wakes the reader
	echo 0 >$PARAMS/generic_mit
	nic_send "$NA" va "$NB" vb 300
	# one wake-up per 20 ms: the frames between are woken for by the timer
	echo 20000000 >$PARAMS/generic_mit
	nic_send "$NA" va "$NB" vb 300
	nic_send "$NB" vb "$NA" va 300
}

@test "NIC-23: the frames of one TX ring arrive in order while the sender moves between CPUs" {
	nic_setup
	local ncpu pid c=0
	ncpu=$(nproc)
	[ "$ncpu" -ge 2 ] || skip "needs 2 CPUs to move the sender between (this machine has $ncpu)"
	veth_pair "$NA" va "$NB" vb
	# veth receives on the transmitting CPU's backlog: a sender that
	# moves must not have its later frames overtake the earlier ones
	# (the rate keeps the receiver's ring from overflowing)
	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rxseq -n 10000 -W
	in_ns "$NA" start_bg a pkt-gen -i netmap:va -f txseq -n 10000 -R 20000
	pid=${BG_PID[a]}
	while kill -0 "$pid" 2>/dev/null; do
		taskset -a -p -c "$c" "$pid" >/dev/null 2>&1 || true
		c=$((1 - c))
		sleep 0.01
	done
	wait_bg a
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Sent 10000 packets '
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 10000 packets '
	assert_contains "$bg_out" "Sequence check: 0 gaps, 0 out of order, 0 fragment mismatches."
}

# NIC-M: monitors of NIC ports (spec 17 on the ports of 22): copy monitors
# /t, /r, /rt and zero-copy monitors /z of netmap:IFNAME, on the hardware
# rings and on the host rings, while pkt-gen moves an exact count of frames
# through a veth pair the test creates; what each monitor sees is compared
# byte for byte with what the receiver got.  Then either side closing
# first, and a sender whose device queue stops (e1000).  They live in this
# file, not a file of their own, because NIC-12 counts the module's
# references and NIC-17 unloads veth: a NIC file run beside them in the
# guest (two bats files at a time) would see its pairs vanish.

FRAMES=$BATS_TEST_DIRNAME/pcap-frames.py

# dump NAME: the frames of $WORK/NAME.pcap, one hex line each.
dump() {
	python3 "$FRAMES" dump "$WORK/$1.pcap"
}

# same_frames REF NAME...: every capture holds exactly REF's frames, in
# order, and REF holds N different frames (no frame seen twice).
same_frames() {
	local ref=$1 n=$2 m
	shift 2
	dump "$ref" >"$WORK/$ref.dump"
	assert_eq "$(wc -l <"$WORK/$ref.dump")" "$n" "$ref frames"
	assert_eq "$(sort -u "$WORK/$ref.dump" | wc -l)" "$n" "$ref different frames"
	for m in "$@"; do
		dump "$m" >"$WORK/$m.dump"
		cmp "$WORK/$ref.dump" "$WORK/$m.dump" ||
			{ echo "$m did not see $ref's frames"; diff "$WORK/$ref.dump" "$WORK/$m.dump" | head; return 1; }
	done
}

# mon NAME NS PORT ARGS...: a monitor (pkt-gen rx) in namespace NS,
# writing what it receives to $WORK/NAME.pcap.
mon() {
	local name=$1 ns=$2 port=$3
	shift 3
	in_ns "$ns" start_rx "$name" pkt-gen -i "$port" -f rx --pcap-out "$WORK/$name.pcap" "$@"
}

@test "NIC-M1: NIC monitors /t, /r, /rt and /z of both ends of a veth pair: 1000 frames each, bytes checked" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	# the holders keep both ports in netmap mode when the tools leave
	in_ns "$NA" hold ha netmap:va
	in_ns "$NB" hold hb netmap:vb
	mon b "$NB" netmap:vb -n 1000 -W
	mon br "$NB" netmap:vb/r -n 1000 -W
	mon brt "$NB" netmap:vb/rt -n 1000 -W
	mon bz "$NB" netmap:vb/z -n 1000 -W
	mon bt "$NB" netmap:vb/t -T 0
	mon at "$NA" netmap:va/t -n 1000 -W
	mon art "$NA" netmap:va/rt -n 1000 -W
	mon az "$NA" netmap:va/z -n 1000 -W
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f txseq -n 1000 -l 100
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000 packets 100000 bytes '
	for m in b br brt bz at art az; do
		wait_bg "$m"
		assert_eq "$bg_status" 0 "$m"
		assert_line_re "$bg_out" '^Received 1000 packets 100000 bytes '
	done
	same_frames b 1000 br brt bz at art az
	# vb transmitted nothing
	signal_bg bt TERM
	wait_bg bt
	assert_contains "$bg_out" "Received nothing."
}

@test "NIC-M2: NIC monitors of the host rings (^): the stack's frames on host RX, pkt-gen's on host TX" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	# the TX ring bound: what the stack sends through va goes to host RX
	in_ns "$NA" hold ha 'netmap:va*'
	mon a "$NA" 'netmap:va*' -n 250 -W
	mon hr "$NA" 'netmap:va^/r' -n 250 -W
	mon hz "$NA" 'netmap:va^/z' -n 250 -W
	mon hwr "$NA" netmap:va/r -T 0
	run ip netns exec "$NA" python3 "$NET" send va 250 200
	assert_eq "$output" "sent 250"
	for m in a hr hz; do
		wait_bg "$m"
		assert_eq "$bg_status" 0 "$m"
		assert_line_re "$bg_out" '^Received 250 packets 50000 bytes '
	done
	same_frames a 250 hr hz
	# the hardware RX ring carried none of it
	signal_bg hwr TERM
	wait_bg hwr
	assert_contains "$bg_out" "Received nothing."

	# host TX: frames handed to the stack, seen by /t of the host ring
	mon ht "$NA" 'netmap:va^/t' -n 400 -W
	in_ns "$NA" start_rx c net count va "$(scaled 30)" 400 02:4e:4d:00:00:09
	in_ns "$NA" run_tool pkt-gen -i 'netmap:va^' -f txseq -n 400 -S 02:4e:4d:00:00:09
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 400 packets 24000 bytes '
	wait_bg c
	assert_eq "$(tail -n 1 <<<"$bg_out")" "count 400"
	wait_bg ht
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 400 packets 24000 bytes '
	dump ht >"$WORK/ht.dump"
	assert_eq "$(sort -u "$WORK/ht.dump" | wc -l)" 400 "different frames"
	# each one from the source address given (bytes 6..11)
	assert_eq "$(awk 'substr($3, 13, 12) == "024e4d000009"' "$WORK/ht.dump" | wc -l)" 400
}

@test "NIC-M3: NIC monitor closing first: traffic goes on; the port's user closing first: the monitor gets a poll error" {
	nic_setup
	veth_pair "$NA" va "$NB" vb
	in_ns "$NB" hold hb netmap:vb
	mon m "$NB" netmap:vb/rt -T 0
	signal_bg hb TERM
	wait_bg hb
	assert_eq "$bg_status" 0
	wait_bg m
	assert_eq "$bg_status" 1
	assert_contains "$bg_err" "poll on netmap:vb/rt failed: the port reported an error"

	in_ns "$NB" hold hb2 netmap:vb
	mon b "$NB" netmap:vb -n 1000 -W
	mon m2 "$NB" netmap:vb/r -T 0
	mon m3 "$NB" netmap:vb/z -T 0
	in_ns "$NA" hold ha netmap:va
	mon m4 "$NA" netmap:va/t -T 0
	signal_bg m2 KILL
	signal_bg m3 TERM
	signal_bg m4 KILL
	wait_bg m2
	wait_bg m3
	wait_bg m4
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 1000
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 1000
	# a monitor opened again sees the next frames (a NIC's frames reach
	# its ring, and so a monitor, when its owner syncs: a receiver again)
	mon b2 "$NB" netmap:vb -n 200 -W
	mon m5 "$NB" netmap:vb/r -n 200 -W
	in_ns "$NA" run_tool pkt-gen -i netmap:va -f tx -n 200
	assert_eq "$status" 0
	for m in b2 m5; do
		wait_bg "$m"
		assert_eq "$bg_status" 0 "$m"
		assert_eq "$(rx_count "$bg_out")" 200 "$m"
	done
}

@test "NIC-M4: NIC monitor /t of an e1000 sender at full rate: every frame once, even when the queue stops" {
	qemu_hub_up
	require_python
	hold h "netmap:$e0"
	# a monitor ring larger than the run: nothing dropped if it lags
	start_rx t pkt-gen -i "netmap:$e0/t@conf:rx-slots=4096" -f rx -n 3000 -W \
		--pcap-out "$WORK/t.pcap"
	run_tool pkt-gen -i "netmap:$e0" -f txseq -n 3000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 3000 packets 180000 bytes '
	wait_bg t
	local t_status=$bg_status t_out=$bg_out
	signal_bg h TERM
	wait_bg h
	ip link set "$e0" down
	ip link set "$e1" down
	assert_eq "$t_status" 0
	assert_line_re "$t_out" '^Received 3000 packets 180000 bytes '
	dump t >"$WORK/t.dump"
	assert_eq "$(sort -u "$WORK/t.dump" | wc -l)" 3000 "different frames"
}
