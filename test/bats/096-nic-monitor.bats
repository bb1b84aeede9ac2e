# SPDX-License-Identifier: BSD-2-Clause
#
# Monitors of NIC ports (spec 17 on the ports of 22): copy monitors /t,
# /r, /rt and zero-copy monitors /z of netmap:IFNAME, on the hardware
# rings and on the host rings, while pkt-gen moves an exact count of
# frames through a veth pair the test creates; what each monitor sees is
# compared byte for byte with what the receiver got.  Then either side
# closing first, and a sender whose device queue stops (e1000).
#
# Runs in the vm-check guest, and on any host with the module loaded:
#	NETMAP_BACKEND=kernel bats test/bats/096-nic-monitor.bats	(as root)
# Only veth pairs in namespaces of its own are used; the e1000 NICs on a
# qemu hub only where NETMAP_TEST_QEMU_HUB names them (the guest's).

load helpers
load nic-helpers

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

@test "NIC monitors /t, /r, /rt and /z of both ends of a veth pair: 1000 frames each, bytes checked" {
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

@test "NIC monitors of the host rings (^): the stack's frames on host RX, pkt-gen's on host TX" {
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

@test "NIC monitor closing first: traffic goes on; the port's user closing first: the monitor gets a poll error" {
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

@test "NIC monitor /t of an e1000 sender at full rate: every frame once, even when the queue stops" {
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
