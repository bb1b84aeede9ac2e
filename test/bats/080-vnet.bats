# SPDX-License-Identifier: BSD-2-Clause
#
# Virtio-net headers across VALE ports of different header lengths (spec
# 15.8): software segmentation (TSO over IPv4 and IPv6, UFO), checksum
# completion, header conversion between lengths 0, 10 and 12, and what
# the tools do with them (pkt-gen -H, vale-ctl --vnet-hdr and -g).
# Segments are checked by tshark (checksums) and by vnet-frames.py
# (lengths, sequence numbers, flags, payload), independently of the code.

load helpers

VNET="$BATS_TEST_DIRNAME/vnet-frames.py"

rx_count() {
	summary_count "$1" Received packets
}

# segment KIND PAYLOAD MSS SEGMENTS [SEGSIZE]: one frame with a 10-byte
# header asking for segmentation (gso_size MSS), from port a (header 10) to
# port b (no header), which must get SEGMENTS frames of SEGSIZE payload
# bytes (default MSS); leaves them in $WORK/out.pcap.
segment() {
	local kind=$1 n=$2 mss=$3 want=$4 size=${5:-$3}
	python3 "$VNET" make "$WORK/in.pcap" 10 "$kind" "$n" "$mss"
	start_rx b pkt-gen -i "$SW:b" -f rx -n "$want" -W --pcap-out "$WORK/out.pcap"
	run_tool nm-send -H 10 "$SW:a" "$WORK/in.pcap"
	assert_eq "$status" 0
	assert_contains "$output" "sent 1 packets"
	wait_bg b
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" "$want" "segments received"
	run python3 "$VNET" segments "$WORK/out.pcap" "$kind" "$n" "$size"
	echo "$output"
	assert_eq "$status" 0
	assert_eq "$output" "$want segments"
}

@test "a 64 KB TCP/IPv4 frame with a header comes out as MSS-sized segments" {
	require_tshark
	segment tcp4 64000 1448 45
	tshark_fields "$WORK/out.pcap" frame.len ip.len ip.checksum.status tcp.len \
		tcp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" 45
	# 44 full segments of 1448 bytes, the last one 288; all checksums good
	assert_eq "$(awk -F'\t' '$4 == 1448' "$WORK/fields" | wc -l)" 44
	no_fields_where '$1 != $2 + 14 || $3 != 1 || $5 != 1 || ($4 != 1448 && $4 != 288)'
}

@test "a 64 KB TCP/IPv6 frame comes out as segments with valid checksums" {
	require_tshark
	segment tcp6 64000 1440 45
	tshark_fields "$WORK/out.pcap" frame.len ipv6.plen tcp.len tcp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" 45
	no_fields_where '$1 != $2 + 54 || $4 != 1 || ($3 != 1440 && $3 != 640)'
}

@test "UFO: a UDP/IPv4 datagram is cut into UDP frames, each checksummed" {
	require_tshark
	segment udp4 8000 1000 8
	tshark_fields "$WORK/out.pcap" frame.len udp.length ip.checksum.status udp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" 8
	no_fields_where '$1 != 1042 || $2 != 1008 || $3 != 1 || $4 != 1'
}

@test "UFO over IPv6, and TSO of a VLAN-tagged frame" {
	require_tshark
	segment udp6 8000 1000 8
	tshark_fields "$WORK/out.pcap" udp.length udp.checksum.status
	no_fields_where '$1 != 1008 || $2 != 1'
	segment vlan4 10000 1448 7
	tshark_fields "$WORK/out.pcap" vlan.id tcp.checksum.status ip.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" 7
	no_fields_where '$1 != 5 || $2 != 1 || $3 != 1'
}

@test "a segment never exceeds the destination's frame size: MSS 9000 gives 1514-byte frames" {
	require_tshark
	# 1514 - 54 header bytes = 1460 of payload per frame, not 9000
	segment tcp4 4380 9000 3 1460
	tshark_fields "$WORK/out.pcap" frame.len tcp.checksum.status
	no_fields_where '$1 != 1514 || $2 != 1'
}

@test "needs-checksum without segmentation: the checksum is completed, frame unchanged" {
	require_tshark
	python3 "$VNET" make "$WORK/in.pcap" 10 csum4 3000
	start_rx b pkt-gen -i "$SW:b" -f rx -n 1 -W --pcap-out "$WORK/out.pcap"
	run_tool nm-send -H 10 "$SW:a" "$WORK/in.pcap"
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 1
	tshark_fields "$WORK/out.pcap" frame.len udp.length udp.checksum.status ip.checksum.status
	assert_eq "$(cat "$WORK/fields")" "$(printf '3042\t3008\t1\t1')"
}

@test "bad headers are dropped: unknown gso_type, truncated TCP header" {
	start_rx b pkt-gen -i "$SW:b/R" -f rx -T 0
	python3 "$VNET" make "$WORK/bad1.pcap" 10 badgso 3000
	python3 "$VNET" make "$WORK/bad2.pcap" 10 short 3000
	python3 "$VNET" make "$WORK/good.pcap" 10 plain 100
	run_tool nm-send -H 10 "$SW:a" "$WORK/bad1.pcap"
	assert_eq "$status" 0
	run_tool nm-send -H 10 "$SW:a" "$WORK/bad2.pcap"
	assert_eq "$status" 0
	run_tool nm-send -H 10 "$SW:a" "$WORK/good.pcap"
	assert_eq "$status" 0
	# the good frame went through after the bad ones: b saw one frame
	# (stopped by a signal, b counts what had arrived)
	signal_bg b TERM
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 1
}

@test "header conversion 10 -> 0, 12 and 10: stripped, rewritten, kept" {
	# b: no header; c: 12 bytes (set by -H 12); d: 10 bytes, like a
	start_rx b pkt-gen -i "$SW:b" -f rx -n 100 -W --pcap-out "$WORK/b.pcap"
	start_rx c pkt-gen -i "$SW:c" -f rx -n 100 -W -H 12 -X
	start_rx d pkt-gen -i "$SW:d" -f rx -n 100 -W -H 10
	run_tool pkt-gen -i "$SW:a" -f tx -n 100 -H 10
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 100 packets 6000 bytes '
	wait_bg b
	assert_eq "$(rx_count "$bg_out")" 100 "b"
	run python3 "$BATS_TEST_DIRNAME/pcap-frames.py" dump "$WORK/b.pcap"
	assert_eq "$(awk '$1 != 60' <<<"$output" | wc -l)" 0 "60-byte frames on b"
	wait_bg c
	assert_eq "$(rx_count "$bg_out")" 100 "c"
	# every packet is one 72-byte slot: 12 zero bytes, then the frame
	assert_eq "$(grep -c '^ring 0 cur [0-9]* \[buf [0-9]* flags 0x0100 len 72\]$' <<<"$bg_out")" 100
	assert_eq "$(grep -c '^    0: 00 00 00 00 00 00 00 00 00 00 00 00 ff ff ff ff ' <<<"$bg_out")" 100
	wait_bg d
	assert_eq "$(rx_count "$bg_out")" 100 "d"
	assert_line_re "$bg_out" '^Received 100 packets 6000 bytes '
}

@test "a port without header sends to a port with one: a zeroed header is added" {
	start_rx c pkt-gen -i "$SW:c" -f rx -n 10 -W -H 10 -X
	run_tool pkt-gen -i "$SW:a" -f tx -n 10
	assert_eq "$status" 0
	wait_bg c
	assert_eq "$(rx_count "$bg_out")" 10
	assert_eq "$(grep -c 'flags 0x0100 len 70\]$' <<<"$bg_out")" 10
	assert_eq "$(grep -c '^    0: 00 00 00 00 00 00 00 00 00 00 ff ff ff ff ff ff ' <<<"$bg_out")" 10
}

@test "vale-ctl --vnet-hdr sets a port's header length, -g shows it" {
	start_rx a pkt-gen -i "$SW:a" -f rx -T 0
	run_tool vale-ctl --vnet-hdr "$SW:a,12"
	assert_eq "$status" 0
	assert_eq "$output" ""
	run_tool vale-ctl -g "$SW:a"
	assert_eq "$status" 0
	assert_eq "${#lines[@]}" 7
	assert_eq "${lines[6]}" "vnet_hdr:   12"
	run_tool vale-ctl -j -g "$SW:a"
	assert_contains "$output" '"mem_id":'
	assert_contains "$output" '"vnet_hdr":12}'
	run_tool vale-ctl --vnet-hdr "$SW:a,0"
	assert_eq "$status" 0
	run_tool vale-ctl -g "$SW:a"
	assert_eq "${#lines[@]}" 6
	run_tool vale-ctl --vnet-hdr "$SW:a,11"
	assert_eq "$status" 2
	assert_contains "$stderr" "invalid virtio-net header length '11'; expected 0, 10 or 12"
	run_tool vale-ctl --vnet-hdr "$SW:nosuch,10"
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: failed to set the virtio-net header length of $SW:nosuch: No such device or address"
}
