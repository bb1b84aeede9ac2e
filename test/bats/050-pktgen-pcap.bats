# SPDX-License-Identifier: BSD-2-Clause
#
# pkt-gen and pcap files (tools.md 8.8; 9.1: PG-9, PG-10, PG-11, PG-12):
# receivers write what they get with --pcap-out, tshark checks every frame's
# lengths and checksums, and -P templates come back byte for byte.

load helpers

rx_count() {
	summary_count "$1" Received packets
}

# Every IPv4/UDP frame: checksums good (status 1), lengths match the frame.
check_ipv4_frames() {
	tshark_fields "$1" frame.len frame.cap_len ip.len udp.length ip.checksum.status \
		udp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" "$2" "frames in $1"
	no_fields_where '$1 != $2 || $3 != $1 - 14 || $4 != $1 - 34 || $5 != 1 || $6 != 1'
}

# Every IPv6/UDP frame: UDP checksum good, lengths match the frame.
check_ipv6_frames() {
	tshark_fields "$1" frame.len frame.cap_len ipv6.plen udp.length udp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" "$2" "frames in $1"
	no_fields_where '$1 != $2 || $3 != $1 - 54 || $4 != $1 - 54 || $5 != 1'
}

@test "PG-9: random sizes in the pcap have valid lengths and checksums" {
	require_pcap
	require_tshark
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --sizes --pcap-out "$WORK/o.pcap" \
		-n 10000 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l 1000 -l 100 -n 10000 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_eq "$(rx_count "$bg_out")" 10000
	# the Size lines (64 sizes, then "other") add up to the count, within [100, 999]
	assert_eq "$(awk '/^Size [0-9a-z]+:/ { n += $3 } END { print n }' <<<"$bg_out")" 10000
	assert_eq "$(awk '/^Size [0-9]+:/ { s = $2 + 0; if (s < 100 || s > 999) print }' \
		<<<"$bg_out")" ""
	check_ipv4_frames "$WORK/o.pcap" 10000
	no_fields_where '$1 < 100 || $1 > 999'
}

@test "PG-10: 5000-byte frames are one record each, over a pipe and over VALE" {
	require_pcap
	require_tshark
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -W --pcap-out "$WORK/pipe.pcap" -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -l 5000 -n 1000 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 5000000 bytes '
	check_ipv4_frames "$WORK/pipe.pcap" 1000
	no_fields_where '$1 != 5000'

	start_rx rx2 pkt-gen -i "$SW:b" -f rx -n 300 -W --pcap-out "$WORK/vale.pcap" -T 0
	run_tool pkt-gen -i "$SW:a" -f tx -l 5000 -n 300 -T 0
	assert_eq "$status" 0
	wait_bg rx2
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 300 packets 1500000 bytes '
	check_ipv4_frames "$WORK/vale.pcap" 300
	no_fields_where '$1 != 5000'
}

@test "PG-11: the default frame, as tshark decodes it" {
	require_pcap
	require_tshark
	local before after
	before=$(date +%s)
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/o.pcap" -n 100 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	after=$(date +%s)
	check_ipv4_frames "$WORK/o.pcap" 100
	tshark_fields "$WORK/o.pcap" frame.len eth.dst ip.src udp.srcport ip.dst udp.dstport
	assert_eq "$(sort -u "$WORK/fields")" \
		"$(printf '60\tff:ff:ff:ff:ff:ff\t10.0.0.1\t1234\t10.1.0.1\t1234')"
	# the payload (byte 42 on) is the pattern cut to 17 bytes, then a 0 byte
	tshark_fields "$WORK/o.pcap" udp.payload
	local text
	text=$(printf 'netmap pkt-gen DI' | od -An -tx1 | tr -d ' \n')00
	assert_eq "$(sort -u "$WORK/fields")" "$text"
	# nanosecond pcap, Ethernet, default snap length; receive times of this run
	assert_eq "$(python3 "$PCAP_FRAMES" info "$WORK/o.pcap")" "nsec 1 65535"
	tshark_fields "$WORK/o.pcap" frame.time_epoch
	no_fields_where "\$1 < $before || \$1 > $after + 1"
	assert_eq "$(sort -c -n "$WORK/fields" && echo sorted)" sorted
}

@test "PG-12: -P sends the file's frames in order, cycling, byte for byte" {
	require_pcap
	require_python
	python3 "$PCAP_FRAMES" make "$WORK/t3.pcap"
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/o.pcap" -n 9 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/t3.pcap" -n 9 -T 0
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 9 packets 5091 bytes '
	assert_eq "$stderr" ""
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 9 packets 5091 bytes '
	python3 "$PCAP_FRAMES" dump "$WORK/t3.pcap" >"$WORK/in"
	python3 "$PCAP_FRAMES" dump "$WORK/o.pcap" >"$WORK/out"
	assert_eq "$(sort -u "$WORK/in" | wc -l)" 3
	assert_eq "$(cat "$WORK/out")" "$(cat "$WORK/in" "$WORK/in" "$WORK/in")"
}

@test "PG-12: -P reads pcapng, counts packets not passes, splits large frames" {
	require_pcap
	require_python
	python3 "$PCAP_FRAMES" make "$WORK/t.pcapng" pcapng 60 5000 700
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/o.pcap" -n 7 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/t.pcapng" -n 7 -l 100 -s 10.0.0.9 -T 0
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 7 packets 11580 bytes '
	assert_eq "$stderr" \
		"pkt-gen: warning: -l, -s ignored: -P $WORK/t.pcapng sends the file's frames as they are"
	wait_bg rx
	assert_eq "$bg_status" 0
	# pcap-frames.py reads pcap only: the same frames written as pcap
	python3 "$PCAP_FRAMES" make "$WORK/t.pcap" pcap 60 5000 700
	python3 "$PCAP_FRAMES" dump "$WORK/t.pcap" >"$WORK/in"
	python3 "$PCAP_FRAMES" dump "$WORK/o.pcap" >"$WORK/out"
	assert_eq "$(cat "$WORK/out")" "$(cat "$WORK/in" "$WORK/in"; head -n 1 "$WORK/in")"
}

@test "PG-12: the address odometer, as tshark decodes it" {
	require_pcap
	require_tshark
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/o.pcap" -n 32 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 32 -s 10.0.0.1:1000-10.0.0.1:1003 \
		-d 10.1.0.1:2000-10.1.0.2:2001 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	check_ipv4_frames "$WORK/o.pcap" 32
	tshark_fields "$WORK/o.pcap" ip.src udp.srcport ip.dst udp.dstport
	local expect="" a dp sp
	for a in 1 2; do
		for dp in 2000 2001; do
			for sp in 1000 1001 1002 1003; do
				expect+="10.0.0.1	$sp	10.1.0.$a	$dp"$'\n'
			done
		done
	done
	assert_eq "$(head -n 16 "$WORK/fields")" "${expect%$'\n'}"
	assert_eq "$(tail -n 16 "$WORK/fields")" "${expect%$'\n'}"
}

@test "IPv6 frames, ranges and random sizes pass tshark's checksum checks" {
	require_pcap
	require_tshark
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/v6.pcap" -n 500 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -6 -n 500 -l 63-1500 \
		-s '[fd00::1]:1000-[fd00::4]:1003' -d '[fd00:0:0:1::1]:7' -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	check_ipv6_frames "$WORK/v6.pcap" 500
	tshark_fields "$WORK/v6.pcap" ipv6.src ipv6.dst
	assert_eq "$(cut -f1 "$WORK/fields" | sort -u | wc -l)" 4
	assert_eq "$(cut -f2 "$WORK/fields" | sort -u)" "fd00:0:0:1::1"

	start_rx rx2 pkt-gen -i "netmap:$P}1" -f rx --pcap-out "$WORK/v4.pcap" -n 2000 -W -T 0
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 2000 -l 60-1514 -z -Z -T 0
	assert_eq "$status" 0
	wait_bg rx2
	assert_eq "$bg_status" 0
	check_ipv4_frames "$WORK/v4.pcap" 2000
	no_fields_where '$1 < 60 || $1 > 1514'
	# sizes really vary
	[ "$(cut -f1 "$WORK/fields" | sort -u | wc -l)" -gt 100 ]
}

@test "multi-slot frames (-F, -M) are one record; --snaplen truncates" {
	require_pcap
	require_tshark
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx --pcap-out "$WORK/f.pcap" -n 50 -W -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 50 -l 1000 -F 4 -T 0
	assert_eq "$status" 0
	wait_bg rx
	check_ipv4_frames "$WORK/f.pcap" 50
	no_fields_where '$1 != 1000'

	start_rx rx2 pkt-gen -i "netmap:$P}1" -f rx --pcap-out "$WORK/s.pcap" --snaplen 100 \
		-n 50 -W -T 0
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 50 -l 3000 -M 700 -T 0
	assert_eq "$status" 0
	wait_bg rx2
	assert_line_re "$bg_out" '^Received 50 packets 150000 bytes '
	assert_eq "$(python3 "$PCAP_FRAMES" info "$WORK/s.pcap")" "nsec 1 100"
	tshark_fields "$WORK/s.pcap" frame.len frame.cap_len
	assert_eq "$(sort -u "$WORK/fields")" "$(printf '3000\t100')"
	assert_eq "$(wc -l <"$WORK/fields")" 50
}

@test "pong and rxseq write what they receive" {
	require_pcap
	require_tshark
	start_rx pong pkt-gen -i "netmap:$P}0" -f pong -n 200 --pcap-out "$WORK/pong.pcap" -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f ping -n 200 -T 0
	assert_eq "$status" 0
	wait_bg pong
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received 200 packets, sent 200 replies."
	check_ipv4_frames "$WORK/pong.pcap" 200

	start_rx rx pkt-gen -i "netmap:$P}1" -f rxseq -n 3000 -W --pcap-out "$WORK/seq.pcap" -T 0
	run_tool pkt-gen -i "netmap:$P{1" -f txseq -n 3000 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Sequence check: 0 gaps, 0 out of order, 0 fragment mismatches."
	check_ipv4_frames "$WORK/seq.pcap" 3000
	# the sequence number: the first four payload bytes, big-endian, from 0
	tshark_fields "$WORK/seq.pcap" udp.payload
	assert_eq "$(cut -c1-8 "$WORK/fields" | head -n 3 | tr '\n' ' ')" \
		"00000000 00000001 00000002 "
}

@test "-P and --pcap-out errors: one line, exit 1 or 2" {
	require_pcap
	require_python
	: >"$WORK/empty.pcap"
	echo "not a capture" >"$WORK/text.pcap"
	python3 "$PCAP_FRAMES" make-linktype "$WORK/raw.pcap" 101
	python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))" \
		"$WORK/nopk.pcap"
	python3 "$PCAP_FRAMES" make "$WORK/big.pcap" pcap 60 3000
	local rows=(
		"1|-f tx -P W/nosuch.pcap|pkt-gen: cannot read W/nosuch.pcap: No such file or directory"
		"1|-f tx -P W/empty.pcap|pkt-gen: W/empty.pcap: no packets to send (the file is empty)"
		"1|-f tx -P W/text.pcap|pkt-gen: cannot read W/text.pcap: "
		"1|-f tx -P W/raw.pcap|pkt-gen: W/raw.pcap: link type RAW is not supported; only Ethernet captures can be sent"
		"1|-f tx -P W/nopk.pcap|pkt-gen: W/nopk.pcap: no packets to send"
		"1|-f tx -P W/big.pcap -M 40|pkt-gen: cannot send W/big.pcap: record 2 needs 75 slots of 40 bytes; at most 64 are allowed"
		"2|-f tx --pcap-out W/o.pcap|pkt-gen: --pcap-out W/o.pcap: writes what rx, rxseq and pong receive; not used by tx"
		"2|-f rx -p 2 --pcap-out W/o.pcap|pkt-gen: -p 2: --pcap-out W/o.pcap writes from a single thread; expected 1"
		"2|-f rx --pcap-out W/o.pcap --snaplen 0|pkt-gen: --snaplen 0: snap length out of range"
		"1|-f rx --pcap-out /nonexistent/o.pcap|pkt-gen: cannot open /nonexistent/o.pcap: No such file or directory"
	)
	check_error_rows pkt-gen "-i $SW:a -T 0 --duration 0.2s" "${rows[@]}"
	[ ! -e "$WORK/o.pcap" ]
}

@test "--pcap-out: a write error exits 1 after the summary" {
	require_pcap
	[ -w /dev/full ] || skip "/dev/full not available"
	start_rx rx pkt-gen -i "$SW:b" -f rx -n 500 -W --pcap-out /dev/full -T 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 500 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 1
	assert_line_re "$bg_out" '^Received [0-9]+ packets '
	assert_line_re "$bg_err" '^pkt-gen: (thread 0: )?cannot write /dev/full: No space left on device$'
}

@test "-P is ignored with a warning outside tx; --snaplen alone is ignored" {
	run_tool pkt-gen -i "$SW:b" -f rx -P "$WORK/none.pcap" --snaplen 100 --duration 0.2s -T 0
	assert_eq "$status" 0
	assert_contains "$stderr" "pkt-gen: warning: --snaplen 100: only used with --pcap-out; ignored"
	assert_contains "$stderr" \
		"pkt-gen: warning: -P $WORK/none.pcap: pcap templates apply to tx; ignored for rx"
}

@test "-W: a receiver blocked writing its pcap is not idle" {
	require_pcap
	require_python
	# The reader of the FIFO waits 2.5 s before draining it: pkt-gen's
	# receiving thread blocks in the write meanwhile, longer than the
	# 1-second -W timeout, and must still get every frame.
	mkfifo "$WORK/fifo"
	( exec 5<"$WORK/fifo"; sleep "$(scaled 2.5)"; cat <&5 >"$WORK/o.pcap" ) \
		3>&- >/dev/null 2>&1 &
	BG_PID[reader]=$!
	BG_NAMES+=(reader)
	# (-b 16: the first rounds fit in the FIFO, so packets have been counted)
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 2000 -W -b 16 --pcap-out "$WORK/fifo" -T 0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 2000 -l 1000 -T 0
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 2000 packets 2000000 bytes '
	wait "${BG_PID[reader]}"
	assert_eq "$(python3 "$PCAP_FRAMES" dump "$WORK/o.pcap" | wc -l)" 2000
}
