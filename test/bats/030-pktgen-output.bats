# SPDX-License-Identifier: BSD-2-Clause
#
# pkt-gen's output formats and errors (tools.md 9.1: PG-14, PG-15, PG-16,
# and 1.3, 1.7, 3.7, 8.1).

load helpers

PERIODIC_RE='^[0-9]{3}\.[0-9]{6} main_thread \[[0-9]+\] [0-9]+\.[0-9]{3} [KMGT]?pps \([0-9]+\.[0-9]{3} [KMGT]?pkts [0-9]+\.[0-9]{3} [KMGT]?bps in [0-9]+ usec\) [0-9]+\.[0-9]{2} avg_batch [0-9]+ min_space$'
PERIODIC_N_RE='^[0-9]{3}\.[0-9]{6} main_thread \[[0-9]+\] [0-9]+ pps \([0-9]+ pkts [0-9]+ bps in [0-9]+ usec\) [0-9]+\.[0-9]{2} avg_batch [0-9]+ min_space$'
SUMMARY1_RE='^(Sent|Received) [0-9]+ packets [0-9]+ bytes [0-9]+ events [0-9]+ bytes each in [0-9]+\.[0-9]{2} seconds\.$'
SUMMARY2_RE='^Speed: [0-9]+\.[0-9]{3} [KMGT]?pps Bandwidth: [0-9]+\.[0-9]{3} [KMGT]?bps \(raw [0-9]+\.[0-9]{3} [KMGT]?bps\)\. Average batch: [0-9]+\.[0-9]{2} pkts$'
SUMMARY2_N_RE='^Speed: [0-9]+ pps Bandwidth: [0-9]+ bps \(raw [0-9]+ bps\)\. Average batch: [0-9]+\.[0-9]{2} pkts$'

# Every line of $1 matching the prefix pattern $2 must match $3; at least $4.
all_lines_match() {
	local text=$1 sel=$2 re=$3 min=${4:-1} n
	n=$(grep -cE -- "$sel" <<<"$text" || true)
	if [ "$n" -lt "$min" ]; then
		echo "expected at least $min lines matching /$sel/, got $n"
		return 1
	fi
	if grep -E -- "$sel" <<<"$text" | grep -vqE -- "$re"; then
		echo "lines not matching /$re/:"
		grep -E -- "$sel" <<<"$text" | grep -vE -- "$re"
		return 1
	fi
}

@test "PG-14: periodic lines and summaries" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 2000 -W -T 200
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 2000 -R 2000 -T 200
	assert_eq "$status" 0
	all_lines_match "$stderr" ' main_thread ' "$PERIODIC_RE" 3
	all_lines_match "$output" '^(Sent|Received) ' "$SUMMARY1_RE"
	all_lines_match "$output" '^Speed: ' "$SUMMARY2_RE"
	wait_bg rx
	all_lines_match "$bg_err" ' main_thread ' "$PERIODIC_RE" 3
	all_lines_match "$bg_out" '^(Sent|Received) ' "$SUMMARY1_RE"
	all_lines_match "$bg_out" '^Speed: ' "$SUMMARY2_RE"
}

@test "PG-14: -N prints plain numbers; -A adds the rate window" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -W -T 200 -N
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 1000 -R 2000 -T 200 -A
	assert_eq "$status" 0
	assert_line_re "$stderr" ' main_thread \[[0-9]+\] [0-9.]+ [KMGT]?pps \[avg/std [0-9.]+ [KMGT]?/[0-9.]+ [KMGT]? pps\]\('
	wait_bg rx
	all_lines_match "$bg_err" ' main_thread ' "$PERIODIC_N_RE" 2
	all_lines_match "$bg_out" '^Speed: ' "$SUMMARY2_N_RE"
}

@test "PG-14: --per-ring lines" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 1000 -W
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 1000 -R 4000 -T 100 --per-ring
	assert_eq "$status" 0
	assert_line_re "$stderr" ' main_thread \[[0-9]+\] ring 0: [0-9.]+ [KMGT]?pps \([0-9.]+ [KMGT]?pkts [0-9.]+ [KMGT]?bps\)$'
	assert_contains "$output" "Ring 0: 1000 packets 60000 bytes"
	wait_bg rx
}

@test "PG-15: JSON lines on both sides" {
	require_python
	start_rx rx pkt-gen -i "$SW:b" -f rx -n 1000 -W -j -T 100
	run_tool pkt-gen -i "$SW:a" -f tx -n 1000 -R 5000 -j -T 100
	assert_eq "$status" 0
	wait_bg rx
	assert_eq "$bg_status" 0
	local out
	for out in "$output" "$bg_out"; do
		python3 - "$out" <<'EOF'
import json, sys
objs = [json.loads(l) for l in sys.argv[1].splitlines()]
assert objs[0]["type"] == "start", objs[0]
s = objs[-1]
assert s["type"] == "summary" and s["pkts"] == 1000 and s["end"] == "count", s
assert s["exit_status"] == 0, s
iv = [o for o in objs if o["type"] == "interval"]
assert iv and sum(o["pkts"] for o in iv) == s["pkts"], iv
assert all(o["tool"] == "pkt-gen" for o in objs)
assert [k for k in objs[0]][:3] == ["tool", "type", "ts"]
EOF
	done
	# the human lines moved to stderr
	assert_line_re "$stderr" '^Sent 1000 packets '
	assert_line_re "$bg_err" '^Received 1000 packets '
}

@test "PG-15: --json=FILE keeps the human lines on stdout" {
	start_rx rx pkt-gen -i "netmap:$P}0" -f rx -n 100 -W
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100 --json="$WORK/tx.json"
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 100 packets '
	local start='{"tool":"pkt-gen","type":"start","ts":'
	assert_eq "$(head -c ${#start} "$WORK/tx.json")" "$start"
	assert_line_re "$(tail -n 1 "$WORK/tx.json")" '"type":"summary".*"pkts":100,'
	wait_bg rx
}

# status, arguments, stderr fragment
error_rows=(
	"2|-f rx|pkt-gen: missing -i; expected a port name"
	"2|-i VALE:a -f bogus|expected one of tx, rx, ping, pong, txseq, rxseq"
	"2|-i VALE:a -l 8|expected an integer from 16 to 65536"
	"2|-i VALE:a -n 12x|pkt-gen: -n 12x: invalid count"
	"2|-i VALE:a -F 64|pkt-gen: -F 64: "
	"2|-i VALE:a -H 11|pkt-gen: -H 11: "
	"2|-i VALE:a -o 128|pkt-gen: -o 128: unknown option bit 0x80"
	"2|-i VALE:a -l 100 -l 200|pkt-gen: -l 200: "
	"2|-i VALE:a -l 100 -l 50 -l 20|too many -l options"
	"2|-i VALE:a -l imix -l 100|exclude a second -l"
	"2|-i VALE:a -f ping -p 2|pkt-gen: -p 2: "
	"2|-i VALE:a -s 10.0.0.300|pkt-gen: -s 10.0.0.300: "
	"2|-i VALE:a -6 -d 10.0.0.1|pkt-gen: -d 10.0.0.1: "
	"2|-i VALE:a -C 1,2,3,4,5|pkt-gen: -C 1,2,3,4,5: "
	"2|-i VALE:a -T 5|pkt-gen: -T 5: "
	"2|-i VALE:a -x|pkt-gen: -x: unknown option"
	"2|-i VALE:a extra|pkt-gen: extra: unexpected argument"
	"2|-i VALE:a/q -f rx|pkt-gen: -i VALE:a/q: unknown flag 'q'"
	"2|-i netmap:x{ -f rx|pkt-gen: -i netmap:x{: empty pipe id"
	"2|-i 0123456789012345678901234567890123456789012345678901234567890123|port name too long"
	"1|-i netmap:nosuchif0 -f rx|pkt-gen: cannot open netmap:nosuchif0: "
	"1|-i nosuchif0 -f rx|pkt-gen: cannot open netmap:nosuchif0: "
	"1|-i VALE:a -f tx -P /nonexistent/t.pcap|pkt-gen: cannot read /nonexistent/t.pcap: "
	"2|-i VALE:a -f tx --pcap-out o.pcap|pkt-gen: --pcap-out o.pcap: "
	"2|-i VALE:a@conf:slots=1 -f tx|pkt-gen: -i VALE:a@conf:slots=1: the port has rings of 1 slot; a ring needs at least 2 slots to carry a packet (@conf:slots=2 or more)"
	"1|-i VALE:abcdefghijklmnop -f tx|pkt-gen: cannot open VALE:abcdefghijklmnop: Cannot allocate memory (the port name 'abcdefghijklmnop' has 16 characters; at most 15 are allowed)"
	"1|-i vale0123456789abcdef:a -f tx|pkt-gen: cannot open vale0123456789abcdef:a: Cannot allocate memory (the switch name 'vale0123456789abcdef' has 20 characters; at most 15 are allowed)"
	"1|-i VALE:a{0 -f tx -H 10|pkt-gen: cannot set the virtio-net header length of VALE:a{0 to 10: "
	"1|-i VALE:a -f tx -I|pkt-gen: -I: "
	"1|-i null -f tx|pkt-gen: -i null: "
)

@test "PG-16: usage and runtime errors, one line each" {
	check_error_rows pkt-gen "--duration 1s" "${error_rows[@]}"
}

@test "PG-16: a name with a control character is refused, and printed escaped" {
	run_tool pkt-gen -i "$SW:a"$'\n'"b" -f tx -n 1
	assert_eq "$status" 2
	assert_eq "$stderr" "pkt-gen: -i $SW:a\\nb: control character '\\n' in the port name; names are printable"
	run_tool pkt-gen -i "netmap:x"$'\x01' -f rx
	assert_eq "$status" 2
	assert_eq "$stderr" "pkt-gen: -i netmap:x\\x01: control character '\\x01' in the port name; names are printable"
}

@test "PG-16: NETMAP_BACKEND with another value says which values are known" {
	NETMAP_BACKEND=garbage run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open $SW:a: Invalid argument (NETMAP_BACKEND=garbage: expected kernel or user)"
}

@test "PG-16: -h and --help print the usage on stdout; --version" {
	run_tool pkt-gen -h
	assert_eq "$status" 0
	assert_contains "$output" "Usage: pkt-gen [OPTIONS]"
	assert_contains "$output" "--interface=port"
	assert_eq "$stderr" ""
	run_tool pkt-gen --help
	assert_eq "$status" 0
	assert_contains "$output" "Usage: pkt-gen [OPTIONS]"
	run_tool pkt-gen --version
	assert_eq "$status" 0
	assert_line_re "$output" '^pkt-gen [^ ]+ \(netmap API 14\)$'
}

@test "-C is deprecated but works; -R with rx is ignored with a warning" {
	run_tool pkt-gen -i "$SW:a" -f tx -n 10 -C 512,512
	assert_eq "$status" 0
	assert_contains "$stderr" "pkt-gen: warning: -C is deprecated; use the @conf: port option"
	assert_contains "$output" "512 slots"
	run_tool pkt-gen -i "$SW:b" -f rx -R 1000 --duration 0.2s
	assert_eq "$status" 0
	assert_contains "$stderr" "pkt-gen: warning: -R 1000: "
}

@test "start-up block: backend and port kind" {
	run_tool pkt-gen -i "$SW:a@conf:rings=2,slots=512" -f tx -n 1
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "Sending on $SW:a@conf:rings=2,slots=512: 2 queues, 1 threads and 1 cpus."
	assert_eq "${lines[1]}" "10.0.0.1 -> 10.1.0.1 (00:00:00:00:00:00 -> ff:ff:ff:ff:ff:ff)"
	assert_eq "${lines[2]}" "Backend: $NETMAP_BACKEND, VALE ephemeral port, 2 tx rings, 2 rx rings, 512 slots, buffer 2048 bytes"
	run_tool pkt-gen -i "netmap:$P}3" -f rx --duration 0.1s
	assert_eq "${lines[0]}" "Receiving from netmap:$P}3: 1 queues, 1 threads and 1 cpus."
	assert_line_re "${lines[1]}" "^Backend: $NETMAP_BACKEND, pipe slave, 1 tx rings, 1 rx rings, "
	# any name starting with "val" is a VALE port (spec 14.1), not an interface
	run_tool pkt-gen -i "valx${SW#vale}:a" -f tx -n 1 -T 0
	assert_eq "$status" 0
	assert_eq "$stderr" ""
	assert_eq "${lines[2]}" "Backend: $NETMAP_BACKEND, VALE ephemeral port, 1 tx rings, 1 rx rings, 1024 slots, buffer 2048 bytes"
}

@test "the man page synopsis matches --help" {
	local man="$BATS_TEST_DIRNAME/../../man/pkt-gen.8" opt
	[ -f "$man" ] || skip "man page not found"
	run_tool pkt-gen --help
	for opt in $(grep -oE '^  (-[a-zA-Z0-9], )?--[a-z-]+' <<<"$output" | grep -oE -- '--[a-z-]+'); do
		[ "$opt" = --help ] || [ "$opt" = --version ] && continue
		grep -q -- "${opt//-/\\\\-}" "$man" || grep -qF -- "$opt" "$man" || {
			echo "$opt missing from the man page"
			return 1
		}
	done
}
