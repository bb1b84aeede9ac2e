# SPDX-License-Identifier: BSD-2-Clause
#
# nmreplay (tools.md section 6, 8.3, 8.8; 9.4: NR-1 to NR-10): traces made
# by the test suite's generator (pcap-frames.py, not the tools under test)
# or by pkt-gen --pcap-out are replayed into a pipe; a pkt-gen receiver on
# the other end writes what arrives, which must be the trace byte for byte
# and in order, as many times as the loops; pacing, delay and loss are
# checked by counts and by lower bounds of the elapsed time; the input
# errors give one line and exit 1.

load helpers

# The fixtures of 9.4, made once for the file.
setup_file() {
	local d=$BATS_FILE_TMPDIR g=$BATS_TEST_DIRNAME/pcap-frames.py
	python3 "$g" trace "$d/t1.pcap" pcap 1000 mix 1000000
	python3 "$g" trace "$d/t1.pcapng" pcapng 1000 mix 1000000
	python3 "$g" trace "$d/t1-ns-be.pcap" pcap-ns-be 1000 mix 1000000
	python3 "$g" trace "$d/t1-be.pcap" pcap-be 1000 mix 1000000
	python3 "$g" trace "$d/t2.pcap" pcap 1000 1000 1000
	python3 "$g" trace "$d/t1-cap64.pcap" pcap 1000 mix 1000000 64
	python3 "$g" cut "$d/t1.pcap" "$d/t1-trunc.pcap" 500
	python3 "$g" make-linktype "$d/sll.pcap" 113 10
}

FX=$BATS_FILE_TMPDIR
B1=786207	# bytes of t1

# A receiver on the pipe's other end, writing what it gets to got.pcap.
start_receiver() {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -T 0 --pcap-out "$WORK/got.pcap" "$@"
}

replay() {
	run_tool nmreplay -i "netmap:$P{0" -T 0 "$@"
}

# The captured bytes of every record of a capture file, one line each.
record_bytes() {
	python3 "$PCAP_FRAMES" dump "$1" | cut -d' ' -f3
}

# got.pcap holds the frames of $1, $2 times over (default once), in order.
got_is() {
	local i
	for ((i = 0; i < ${2:-1}; i++)); do
		record_bytes "$1"
	done >"$WORK/want.hex"
	record_bytes "$WORK/got.pcap" >"$WORK/got.hex"
	assert_eq "$(wc -l <"$WORK/got.hex")" "$(wc -l <"$WORK/want.hex")" "records received"
	cmp -s "$WORK/want.hex" "$WORK/got.hex" || {
		echo "got.pcap differs from ${2:-1} x $1 at record $(cmp "$WORK/want.hex" "$WORK/got.hex" | grep -o 'line [0-9]*')"
		return 1
	}
}

@test "NR-1: one loop at top speed arrives byte for byte and in order" {
	require_pcap
	start_receiver -W
	replay -f "$FX/t1.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_line_re "$output" "^Sent 1000 packets $B1 bytes [0-9]+ events 786 bytes each in [0-9]+\.[0-9]{2} seconds\.$"
	assert_line_re "$output" "^Replay: 1 loops of 1000 packets, 0 dropped by -L, 0 truncated, 0 skipped, late_max 0 us\.$"
	assert_line_re "$stderr" "Loaded 1000 packets \($B1 bytes, span 0\.999000 s\) from 1 files$"
	assert_line_re "$stderr" "Ready to replay on netmap:$P\{0$"
	assert_line_re "$stderr" "port netmap:$P\{0: $NETMAP_BACKEND backend, pipe master$"
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Received 1000 packets $B1 bytes"
	got_is "$FX/t1.pcap"
	# and tshark reads the same 1000 valid frames
	require_tshark
	tshark_fields "$WORK/got.pcap" frame.len ip.checksum.status udp.checksum.status
	assert_eq "$(wc -l <"$WORK/fields")" 1000
	no_fields_where '$2 != 1 || $3 != 1'
}

@test "a capture written by pkt-gen --pcap-out replays byte for byte" {
	require_pcap
	start_rx src pkt-gen -i "netmap:$P}1" -f rx -W -T 0 --pcap-out "$WORK/src.pcap"
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 2000 -l 1514 -l 60 -s 10.0.0.1:1-10.0.0.9:999 -T 0
	assert_eq "$status" 0
	wait_bg src
	assert_eq "$bg_status" 0
	start_receiver -W
	replay -f "$WORK/src.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 2000 packets "
	wait_bg rx
	got_is "$WORK/src.pcap"
}

@test "NR-2: -n 3 sends the trace exactly three times" {
	require_pcap
	start_receiver -W
	replay -f "$FX/t1.pcap" -n 3 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 3000 packets $((3 * B1)) bytes "
	assert_contains "$output" "Replay: 3 loops of 1000 packets, "
	wait_bg rx
	assert_contains "$bg_out" "Received 3000 packets $((3 * B1)) bytes"
	got_is "$FX/t1.pcap" 3
}

@test "NR-7: pcapng, nanosecond and big-endian captures replay like pcap" {
	require_pcap
	local f
	for f in t1.pcapng t1-ns-be.pcap t1-be.pcap; do
		start_receiver -W
		replay -f "$FX/$f" -n 1 -B 0
		assert_eq "$status" 0 "$f"
		assert_contains "$output" "Sent 1000 packets $B1 bytes "
		assert_contains "$stderr" "Loaded 1000 packets ($B1 bytes, span 0.999000 s) from 1 files"
		wait_bg rx
		got_is "$FX/t1.pcap"
	done
}

@test "NR-3: the trace's timing, sped up, over two loops" {
	require_pcap
	local rows=("-n 1|1000|0.99" "-n 1 -x 2|1000|0.49" "-n 1 -B real,2|1000|0.49" "-n 2|2000|1.99")
	local row args n secs
	for row in "${rows[@]}"; do
		IFS='|' read -r args n secs <<<"$row"
		start_receiver -W
		# shellcheck disable=SC2086
		replay -f "$FX/t1.pcap" $args
		assert_eq "$status" 0 "nmreplay $args"
		assert_contains "$output" "Sent $n packets "
		assert_seconds_at_least "$output" "$secs" "nmreplay $args"
		wait_bg rx
		assert_contains "$bg_out" "Received $n packets "
	done
}

@test "NR-4: a constant bandwidth, ether framing, a delay" {
	require_pcap
	local rows=("t2.pcap|-B 8M|0.99" "t2.pcap|-B ether,8M|1.02" "t2.pcap|-B 8Mbps -b 1|0.99"
		    "t1.pcap|-B 0 -D 200ms|0.2" "t1.pcap|-B 0 -D uniform,100ms,300ms|0.1")
	local row f args secs
	for row in "${rows[@]}"; do
		IFS='|' read -r f args secs <<<"$row"
		start_receiver -W
		# shellcheck disable=SC2086
		replay -f "$FX/$f" -n 1 $args
		assert_eq "$status" 0 "nmreplay $f $args"
		assert_contains "$output" "Sent 1000 packets "
		assert_seconds_at_least "$output" "$secs" "nmreplay $args"
		wait_bg rx
		assert_contains "$bg_out" "Received 1000 packets "
		got_is "$FX/$f"
	done
}

@test "NR-5: -L 1 drops everything; a seeded -L repeats its decisions" {
	require_pcap
	start_receiver
	replay -f "$FX/t1.pcap" -n 1 -B 0 -L 1
	assert_eq "$status" 0
	assert_line_re "$output" "^Sent nothing\.$"
	assert_contains "$output" "Replay: 1 loops of 1000 packets, 1000 dropped by -L, "
	assert_contains "$stderr" "plr nominal 1.000000e+00 actual 1.000000e+00"
	# stopped by a signal, the receiver counts what had arrived
	signal_bg rx TERM
	wait_bg rx
	assert_contains "$bg_out" "Received nothing."
	local sent=() i
	for i in 1 2; do
		start_receiver -W
		replay -f "$FX/t1.pcap" -n 1 -B 0 -L 0.5 --seed 7
		assert_eq "$status" 0
		sent[i]=$(summary_count "$output" Sent packets)
		local dropped
		dropped=$(sed -n 's/^Replay: .*, \([0-9]*\) dropped by -L.*/\1/p' <<<"$output")
		assert_eq "$((sent[i] + dropped))" 1000 "sent + dropped"
		wait_bg rx
		assert_contains "$bg_out" "Received ${sent[i]} packets "
	done
	assert_eq "${sent[1]}" "${sent[2]}" "the same seed, the same count"
}

@test "-L 0.1 with a fixed seed drops about 10%" {
	require_pcap
	start_receiver -W
	replay -f "$FX/t1.pcap" -n 5 -B 0 -L 0.1 --seed 1
	assert_eq "$status" 0
	local sent dropped
	sent=$(summary_count "$output" Sent packets)
	dropped=$(sed -n 's/^Replay: .*, \([0-9]*\) dropped by -L.*/\1/p' <<<"$output")
	assert_eq "$((sent + dropped))" 5000
	[ "$dropped" -ge 400 ] && [ "$dropped" -le 600 ] || { echo "dropped $dropped of 5000"; return 1; }
	assert_line_re "$stderr" "plr nominal 1\.000000e-01 actual $(awk -v d="$dropped" 'BEGIN { printf "%e", d / 5000 }')$"
	wait_bg rx
	assert_contains "$bg_out" "Received $sent packets "
}

@test "NR-6: two files replay as one trace, in order" {
	require_pcap
	start_receiver -W
	replay -f "$FX/t1.pcap" -f "$FX/t2.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 2000 packets $((B1 + 1000000)) bytes "
	assert_contains "$output" "Replay: 1 loops of 2000 packets, "
	assert_contains "$stderr" "from 2 files"
	wait_bg rx
	record_bytes "$FX/t2.pcap" >"$WORK/t2.hex"
	{ record_bytes "$FX/t1.pcap"; cat "$WORK/t2.hex"; } >"$WORK/want.hex"
	record_bytes "$WORK/got.pcap" >"$WORK/got.hex"
	cmp "$WORK/want.hex" "$WORK/got.hex"
}

@test "NR-8: truncated records are sent at their original length, zero-filled" {
	require_pcap
	start_receiver -W
	replay -f "$FX/t1-cap64.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 1000 packets $B1 bytes "
	assert_contains "$output" ", 1000 truncated, 0 skipped, "
	wait_bg rx
	python3 - "$FX/t1.pcap" "$WORK/got.pcap" "$PCAP_FRAMES" <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("pf", sys.argv[3])
pf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pf)
want = pf.read_pcap(sys.argv[1])[3]
got = pf.read_pcap(sys.argv[2])[3]
assert len(got) == 1000, len(got)
for k, ((_, wlen, w), (cap, glen, g)) in enumerate(zip(want, got)):
    assert glen == wlen and cap == wlen, (k, wlen, glen, cap)
    assert g[:64] == w[:64] and g[64:] == bytes(len(g) - 64), k
EOF
}

@test "NR-9: usage errors exit 2, input errors 1, each on one line" {
	: >"$WORK/empty.pcap"
	local rows=(
		"2|-i netmap:PIPE{0|nmreplay: missing -f; expected a pcap or pcapng file"
		"2|-f W/t1.pcap|nmreplay: missing -i; expected a port name"
		"1|-i netmap:PIPE{0 -f W/missing.pcap|nmreplay: cannot read W/missing.pcap: No such file or directory"
		"1|-i netmap:PIPE{0 -f W/sll.pcap|nmreplay: W/sll.pcap: link type LINUX_SLL is not supported; only Ethernet captures can be replayed"
		"1|-i netmap:PIPE{0 -f W/empty.pcap|nmreplay: W/empty.pcap: no packets to replay"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -B fast|nmreplay: -B fast: unknown bandwidth model; expected RATE, constant,RATE, ether,RATE or real[,SPEEDUP]"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -b 0|nmreplay: -b 0: batch out of range"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -D uniform,5ms,1ms|nmreplay: -D uniform,5ms,1ms: the minimum delay is larger than the maximum"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -L 2|nmreplay: -L 2: probability out of range"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -x 0|nmreplay: -x 0: speed multiplier out of range"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -B 0 -x 2|nmreplay: -x 2: cannot be combined with -B"
		"2|-i netmap:PIPE{0 -f W/t1.pcap -C 1,2,3|nmreplay: -C 1,2,3: invalid CPU list"
		"1|-i netmap:nosuch0 -f W/t1.pcap|nmreplay: cannot open netmap:nosuch0: "
	)
	ln -s "$FX/t1.pcap" "$FX/sll.pcap" "$WORK/"
	check_error_rows nmreplay "-n 1 -T 0" "${rows[@]}"
	run_tool nmreplay -h
	assert_eq "$status" 0
	assert_contains "${lines[0]}" "Usage: nmreplay [OPTIONS]"
}

@test "NR-9: a truncated record stops the replay before it starts, or ends the file" {
	require_pcap
	start_receiver
	replay -f "$FX/t1-trunc.pcap" -n 1 -B 0
	assert_eq "$status" 1
	assert_eq "$(not_diag "$stderr")" "nmreplay: $FX/t1-trunc.pcap: record 500 is truncated (the file ends inside it); repair the file or use --allow-truncated"
	assert_eq "$output" ""
	signal_bg rx TERM
	wait_bg rx
	assert_contains "$bg_out" "Received nothing."
	start_receiver -W
	replay -f "$FX/t1-trunc.pcap" -n 1 -B 0 --allow-truncated
	assert_eq "$status" 0
	assert_contains "$output" "Sent 499 packets "
	assert_contains "$stderr" "nmreplay: warning: $FX/t1-trunc.pcap: record 500 is truncated (the file ends inside it); replaying the 499 records before it"
	wait_bg rx
	assert_contains "$bg_out" "Received 499 packets "
}

@test "packets the port never took are not counted as sent" {
	require_pcap
	# nobody opens the pipe's other end: the TX ring fills (1023 slots),
	# nothing leaves it, and --duration ends the second loop
	replay -f "$FX/t1.pcap" -n 2 -B 0 --duration "$(scaled 1)s"
	assert_eq "$status" 3
	assert_line_re "$output" "^Sent nothing\.$"
	assert_contains "$output" "Replay: 1 loops of 1000 packets, 0 dropped by -L, "
	assert_eq "$(not_diag "$stderr")" "nmreplay: warning: 1023 packets placed on netmap:$P{0 were never taken by the port (nothing read them); they are not counted as sent"
}

@test "JSON intervals add up to the summary, whether or not the port took everything" {
	require_pcap
	require_python
	# the receiver takes one loop and exits; what the sender places then
	# stays on the ring, and --duration ends the replay
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -T 0
	run_tool nmreplay -i "netmap:$P{0" -f "$FX/t1.pcap" -n 3 -B 0 -j -T 100 \
		--duration "$(scaled 1)s"
	assert_eq "$status" 3
	wait_bg rx
	assert_eq "$bg_status" 0
	assert_eq "$(json_intervals_add_up "$WORK/run.out")" "1000 $B1"
	assert_line_re "$(not_diag "$stderr")" "^nmreplay: warning: [0-9]+ packets placed on netmap:$P\{0 were never taken by the port "

	# nobody opens the other end
	run_tool nmreplay -i "netmap:$P{1" -f "$FX/t1.pcap" -n 2 -B 0 -j -T 100 \
		--duration "$(scaled 1)s"
	assert_eq "$status" 3
	assert_eq "$(json_intervals_add_up "$WORK/run.out")" "0 0"
	assert_contains "$stderr" "1023 packets placed on netmap:$P{1 were never taken by the port"

	# a receiver reads everything
	start_rx rx2 pkt-gen -i "netmap:$P}2" -f rx -n 5000 -T 0
	run_tool nmreplay -i "netmap:$P{2" -f "$FX/t1.pcap" -n 5 -B 0 -j -T 100
	assert_eq "$status" 0
	wait_bg rx2
	assert_eq "$(json_intervals_add_up "$WORK/run.out")" "5000 $((5 * B1))"
	assert_eq "$(grep -c "warning" <<<"$stderr")" 0
}

@test "not enough memory for the trace: one line with the size needed" {
	require_pcap
	# a 256 MiB capture (a valid header, then a hole) under a 64 MiB data limit
	python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))" "$WORK/big.pcap"
	truncate -s 256M "$WORK/big.pcap"
	timeout -k 5 "$TOOL_TIMEOUT" bash -c 'ulimit -d 65536 && exec "$@"' nmreplay \
		"$(tool_path nmreplay)" -i "netmap:$P{0" -f "$WORK/big.pcap" -n 1 \
		>"$WORK/run.out" 2>"$WORK/run.err" && status=0 || status=$?
	cat "$WORK/run.err"
	assert_eq "$status" 1
	assert_line_re "$(cat "$WORK/run.err")" "^nmreplay: $WORK/big\.pcap: not enough memory to hold the trace; [0-9]+ bytes needed$"
	assert_eq "$(grep -c '^nmreplay: ' "$WORK/run.err")" 1
}

@test "NR-10: a signal stops the replay with a summary: exit 0, or 3 with -n" {
	require_pcap
	local n
	for n in "" "-n 100"; do
		start_receiver
		# shellcheck disable=SC2086
		start_bg nr nmreplay -i "netmap:$P{0" -T 0 -f "$FX/t1.pcap" $n
		wait_ready_err nr 'Ready to replay'
		tsleep 1
		signal_bg nr INT
		wait_bg nr
		assert_eq "$bg_status" "$([ -n "$n" ] && echo 3 || echo 0)" "nmreplay $n"
		assert_line_re "$bg_out" "^Sent [0-9]+ packets "
		assert_line_re "$bg_out" "^Replay: [0-9]+ loops of 1000 packets, "
		signal_bg rx TERM
		wait_bg rx
	done
}

@test "the trace is read once: loops go on after the file is gone" {
	require_pcap
	cp "$FX/t1.pcap" "$WORK/once.pcap"
	start_receiver -W
	start_bg nr nmreplay -i "netmap:$P{0" -T 0 -f "$WORK/once.pcap" -n 3 -x 2
	wait_ready_err nr 'Ready to replay'
	rm "$WORK/once.pcap"
	wait_bg nr
	assert_eq "$bg_status" 0
	assert_contains "$bg_out" "Replay: 3 loops of 1000 packets, "
	assert_eq "$(grep -c 'Loaded 1000 packets' "$WORK/nr.err")" 1
	wait_bg rx
	got_is "$FX/t1.pcap" 3
}

@test "-j: start, intervals and a summary that add up" {
	require_pcap
	start_receiver -W
	run_tool nmreplay -i "netmap:$P{0" -f "$FX/t1.pcap" -n 2 -x 4 -T 100 -j
	assert_eq "$status" 0
	wait_bg rx
	python3 - "$WORK/run.out" "$FX/t1.pcap" "netmap:$P{0" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = objs[0]
assert s["type"] == "start" and s["tool"] == "nmreplay", s
assert s["port"] == sys.argv[3] and s["files"] == [sys.argv[2]], s
assert s["trace_pkts"] == 1000 and s["trace_bytes"] == 786207 and s["loops"] == 2, s
assert s["bandwidth"] is None and s["loss"] is None, s
e = objs[-1]
assert e["type"] == "summary" and e["end"] == "count" and e["exit_status"] == 0, e
assert e["pkts"] == 2000 and e["bytes"] == 2 * 786207 and e["loops_completed"] == 2, e
iv = [o for o in objs[1:-1]]
assert iv and all(o["type"] == "interval" for o in iv), iv
assert sum(o["pkts"] for o in iv) == 2000 and iv[-1]["total_pkts"] == 2000, iv
assert {o["loop"] for o in iv} <= {1, 2}, iv
EOF
	assert_contains "$stderr" "Sent 2000 packets "
}

@test "frames longer than a buffer go out whole; over 65535 bytes they are skipped" {
	require_pcap
	python3 "$PCAP_FRAMES" trace "$WORK/big.pcap" pcap 10 5000 1000
	start_receiver -W
	replay -f "$WORK/big.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 10 packets 50000 bytes "
	assert_contains "$output" ", 0 truncated, 0 skipped, "
	wait_bg rx
	got_is "$WORK/big.pcap"
	# a 60-byte frame, a 70000-byte record, a 60-byte frame
	python3 - "$WORK/huge.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for k, n in enumerate((60, 70000, 60)):
        f.write(struct.pack("<IIII", 1700000000, k, n, n) + bytes([k + 1]) * n)
PY
	start_receiver -W
	replay -f "$WORK/huge.pcap" -n 1 -B 0
	assert_eq "$status" 0
	assert_contains "$output" "Sent 2 packets 120 bytes "
	assert_contains "$output" "Replay: 1 loops of 3 packets, 0 dropped by -L, 0 truncated, 1 skipped, "
	wait_bg rx
	assert_contains "$bg_out" "Received 2 packets 120 bytes "
}

@test "time stamps that go backwards are zero gaps, with one warning per file" {
	require_pcap
	python3 "$PCAP_FRAMES" trace "$WORK/back.pcap" pcap 10 60 -100000000
	start_receiver -W
	replay -f "$WORK/back.pcap" -f "$WORK/back.pcap" -n 1
	assert_eq "$status" 0
	assert_contains "$output" "Sent 20 packets 1200 bytes "
	assert_eq "$(grep -c "^nmreplay: warning: $WORK/back.pcap: 9 time stamps go backwards; replayed as zero gaps$" <<<"$stderr")" 2
	assert_contains "$stderr" "Loaded 20 packets (1200 bytes, span 0.000000 s) from 2 files"
	wait_bg rx
	got_is "$WORK/back.pcap" 2
}

@test "-v describes the files and the schedule" {
	require_pcap
	start_receiver -W
	replay -v -f "$FX/t1.pcap" -n 1 -B ether,100M -D uniform,1ms,2ms -L 0 --seed 3
	assert_eq "$status" 0
	assert_line_re "$stderr" "load \[[0-9]+\] $FX/t1\.pcap: 1000 packets, records 1 to 1000 of the trace, span 0\.999000 s$"
	assert_line_re "$stderr" "sched \[[0-9]+\] pacing constant bit rate \(rate 1e\+08, speed-up 1, framing 24 bytes\), delay uniform \(1000000\.\.2000000 ns\), loss plr \(0\), gap 0 ns, seed 3, batch 128$"
	wait_bg rx
	got_is "$FX/t1.pcap"
}
