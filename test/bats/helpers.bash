# SPDX-License-Identifier: BSD-2-Clause
#
# Helpers for the end-to-end tests of the tools (tools.md section 9).
#
# Every test gets a private user-runtime directory and a scratch directory,
# unique switch and pipe names, and a teardown that kills what the test left
# running.  Tools always run under a timeout, so a hang fails fast; their
# command line and output are printed, which bats shows only when a test
# fails.
#
#	load helpers
#	run_tool pkt-gen -i "$SW:a" -f tx -n 1000	# sets status, output, stderr, lines
#	start_rx b pkt-gen -i "$SW:b" -f rx -n 1000 -W	# background, waits for readiness
#	wait_bg b					# sets bg_status, bg_out, bg_err

# Where the built tools are: make check sets NETMAP_TOOLS_DIR.
if [ -z "${NETMAP_TOOLS_DIR:-}" ]; then
	for d in "$BATS_TEST_DIRNAME/../.." "$BATS_TEST_DIRNAME/../../build"; do
		if [ -x "$d/pkt-gen" ]; then
			NETMAP_TOOLS_DIR=$(cd "$d" && pwd)
			break
		fi
	done
fi
TOOLS_DIR=${NETMAP_TOOLS_DIR:-.}
CHECK_FRAMES="$BATS_TEST_DIRNAME/check-frames.py"

# Seconds before a foreground tool is declared hung.
TOOL_TIMEOUT=${TOOL_TIMEOUT:-30}

# How much slower than a normal machine this one is: the qemu guest of
# test/vm sets it (emulation is 10-20 times slower), and every wait that
# gives a tool time to act, rather than asserting a time, is multiplied
# by it.
TIMESCALE=${NETMAP_TEST_TIMESCALE:-1}

# Seconds (a decimal) times TIMESCALE.
scaled() {
	awk -v s="$1" -v k="$TIMESCALE" 'BEGIN { printf "%g\n", s * k }'
}

# sleep, scaled.
tsleep() {
	sleep "$(scaled "$1")"
}

setup() {
	export NETMAP_BACKEND=${NETMAP_BACKEND:-user}
	NETMAP_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nmrt.XXXXXX")
	export NETMAP_RUNTIME_DIR
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/nmtest.XXXXXX")
	# Names unique to this test (9: nothing is shared between tests).
	local id=$(($$ % 10000))t${BATS_TEST_NUMBER}
	SW=vale${id}
	SW2=vale${id}x
	P=p${id}
	BG_NAMES=()
	declare -gA BG_PID=()
}

teardown() {
	local n
	for n in "${BG_NAMES[@]}"; do
		kill -KILL "${BG_PID[$n]}" 2>/dev/null || true
	done
	for n in "${BG_NAMES[@]}"; do
		wait "${BG_PID[$n]}" 2>/dev/null || true
	done
	rm -rf "$NETMAP_RUNTIME_DIR" "$WORK"
}

# Skip, loudly, scenarios that need the kernel backend and root.
require_kernel() {
	if [ "$NETMAP_BACKEND" != kernel ]; then
		skip "needs the kernel backend (NETMAP_BACKEND=kernel, netmap module, root)"
	fi
	if [ "$(id -u)" != 0 ]; then
		skip "needs root for the kernel backend"
	fi
}

# scripts/deps.sh installs python3: without it the test fails, not skips.
require_python() {
	command -v python3 >/dev/null || {
		echo "python3 is not installed (scripts/deps.sh installs it)"
		return 1
	}
}

# Path of a tool of the build.
tool_path() {
	echo "$TOOLS_DIR/$1"
}

# Run a tool in the foreground under a timeout.  Sets status, output
# (stdout), stderr and lines (stdout lines) like bats' run, and prints the
# command and everything it printed (bats shows it only on failure).
run_tool() {
	local t=$1
	shift
	# (bats runs tests with errexit: keep a failing tool from ending the test)
	timeout -k 5 "$TOOL_TIMEOUT" "$(tool_path "$t")" "$@" \
		>"$WORK/run.out" 2>"$WORK/run.err" && status=0 || status=$?
	output=$(cat "$WORK/run.out")
	stderr=$(cat "$WORK/run.err")
	mapfile -t lines <"$WORK/run.out"
	{
		echo "\$ $t $*  (exit $status)"
		sed 's/^/  out: /' "$WORK/run.out"
		sed 's/^/  err: /' "$WORK/run.err"
	}
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		echo "  $t hit the ${TOOL_TIMEOUT}s timeout"
	fi
	return 0
}

# Start a tool in the background as `name`; stdout and stderr go to
# $WORK/name.out and $WORK/name.err.  The recorded pid is the tool's own
# (the libtool wrapper execs it), so signals reach it directly;
# wait_bg bounds the wait instead of timeout(1).
start_bg() {
	local name=$1 t=$2
	shift 2
	"$(tool_path "$t")" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID[$name]=$!
	BG_NAMES+=("$name")
	echo "\$ $t $* &  ($name, pid ${BG_PID[$name]})"
}

# Poll, while `name` runs, until the command after the limit succeeds, at
# most `limit` seconds (scaled by the caller).
wait_until_ready() {
	local name=$1 limit=$2 i
	shift 2
	limit=${limit%.*}
	[ "${limit:-0}" -ge 1 ] || limit=1
	for ((i = 0; i < limit * 50; i++)); do
		if "$@"; then
			return 0
		fi
		if ! kill -0 "${BG_PID[$name]}" 2>/dev/null; then
			# it may have become ready and finished its work
			# between the two checks (a receiver whose packets
			# were all waiting for it)
			"$@" && return 0
			echo "$name exited before it was ready:"
			sed 's/^/  err: /' "$WORK/$name.err"
			return 1
		fi
		sleep 0.02
	done
	echo "$name not ready after ${limit}s"
	return 1
}

# Is the first line of the file complete?
first_line_done() {
	[ -s "$1" ] && [ "$(head -c 4096 "$1" | wc -l)" -ge 1 ]
}

# Wait until the first stdout line of `name` is complete (its readiness
# line, tools.md 1.4), at most $2 seconds (default 10, scaled).
wait_ready() {
	wait_until_ready "$1" "${2:-$(scaled 10)}" first_line_done "$WORK/$1.out"
}

# Wait until `name` printed a line matching the extended regex $2 on
# stderr: the readiness line of bridge and nmreplay ("Ready to go",
# "Ready to replay", tools.md 1.4), at most $3 seconds (default 10, scaled).
wait_ready_err() {
	wait_until_ready "$1" "${3:-$(scaled 10)}" grep -qE -- "$2" "$WORK/$1.err"
}

# start_bg followed by wait_ready.
start_rx() {
	start_bg "$@"
	wait_ready "$1"
}

# Wait for `name` to exit, at most $2 seconds (default TOOL_TIMEOUT), then
# kill it; sets bg_status (137 when killed), bg_out and bg_err.
wait_bg() {
	local name=$1 limit=${2:-$TOOL_TIMEOUT} i pid=${BG_PID[$1]}
	for ((i = 0; i < limit * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name still running after ${limit}s: killed"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" && bg_status=0 || bg_status=$?
	bg_out=$(cat "$WORK/$name.out")
	bg_err=$(cat "$WORK/$name.err")
	{
		echo "$name exited with $bg_status"
		sed 's/^/  out: /' "$WORK/$name.out"
		sed 's/^/  err: /' "$WORK/$name.err"
	}
}

# Send a signal to a background tool.
signal_bg() {
	kill -"$2" "${BG_PID[$1]}"
}

# The number after "<word> " in the summary line that starts with `prefix`:
#	summary_count "$output" Sent packets
summary_count() {
	echo "$1" | sed -n "s/^$2 \([0-9]*\) $3 .*/\1/p" | head -n 1
}

# The JSON lines in file $1 (pkt-gen or nmreplay -j) end in a summary
# whose packets and bytes, and per-ring counts when it has them, are the
# sums of the interval objects' (tools.md 2.3); prints "<pkts> <bytes>".
json_intervals_add_up() {
	python3 - "$1" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = objs[-1]
assert s["type"] == "summary", s
iv = [o for o in objs if o["type"] == "interval"]
assert iv, "no interval objects"
for k in ("pkts", "bytes"):
    got = sum(o[k] for o in iv)
    assert got == s[k], "the intervals add up to %d %s, the summary says %d" % (got, k, s[k])
for r in s.get("rings", []):
    for k in ("pkts", "bytes"):
        got = sum(x[k] for o in iv for x in o["rings"] if x["ring"] == r["ring"])
        assert got == r[k], "ring %d: the intervals add up to %d %s, the summary says %d" % (
            r["ring"], got, k, r[k])
print(s["pkts"], s["bytes"])
EOF
}

# Fail with a message unless $1 = $2.
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "expected '$2', got '$1'${3:+ ($3)}"
		return 1
	fi
}

# Fail unless the text contains the string.
assert_contains() {
	if ! grep -qF -- "$2" <<<"$1"; then
		echo "expected to find '$2' in:"
		echo "$1" | sed 's/^/  | /'
		return 1
	fi
}

# Fail unless the text contains a line matching the extended regex.
assert_line_re() {
	if ! grep -qE -- "$2" <<<"$1"; then
		echo "expected a line matching /$2/ in:"
		echo "$1" | sed 's/^/  | /'
		return 1
	fi
}

# The lines of a text that are not diagnostics (tools.md 1.5: those begin
# with "SSS.UUUUUU NAME [LINE] ").
not_diag() {
	grep -vE '^[0-9]{3}\.[0-9]{6} [^ ]+ \[[0-9]+\] ' <<<"$1" || true
}

# check_error_rows TOOL "EXTRA ARGS" ROW...: each ROW is
# "status|arguments|stderr fragment".  TOOL run with the arguments and the
# extra ones exits with the status, prints exactly one line on stderr
# besides diagnostics (1.3), containing the fragment, and nothing on
# stdout.  In arguments and
# fragments VALE:, PIPE and W/ stand for the test's switch, its pipe parent
# and its scratch folder.
check_error_rows() {
	local tool=$1 extra=$2 row st args frag
	shift 2
	for row in "$@"; do
		IFS='|' read -r st args frag <<<"$row"
		args=${args//VALE:/$SW:}
		args=${args//PIPE/$P}
		args=${args//W\//$WORK/}
		frag=${frag//VALE:/$SW:}
		frag=${frag//PIPE/$P}
		frag=${frag//W\//$WORK/}
		# shellcheck disable=SC2086
		run_tool "$tool" $args $extra
		assert_eq "$status" "$st" "$tool $args"
		assert_eq "$(not_diag "$stderr" | wc -l)" 1 "one stderr line for $tool $args"
		assert_contains "$(not_diag "$stderr")" "$frag"
		assert_eq "$output" "" "nothing on stdout for $tool $args"
	done
}

# Elapsed seconds of a pkt-gen summary ("... in 2.99 seconds.").
summary_seconds() {
	echo "$1" | sed -n 's/^\(Sent\|Received\) .* in \([0-9.]*\) seconds\.$/\2/p' | head -n 1
}

# Fail unless the summary in $1 took at least $2 seconds (a lower bound:
# tests never bound a time from above).
assert_seconds_at_least() {
	local s
	s=$(summary_seconds "$1")
	awk -v s="$s" -v min="$2" 'BEGIN { exit !(s != "" && s >= min) }' || {
		echo "the run took ${s:-?} s, at least $2 expected${3:+ ($3)}"
		return 1
	}
}

# ---------------------------------------------------------------- pcap files

PCAP_FRAMES="$BATS_TEST_DIRNAME/pcap-frames.py"

# pkt-gen configured --without-pcap cannot run these scenarios.
require_pcap() {
	if "$(tool_path pkt-gen)" -i "$SW:probe" -f tx -P /nonexistent/probe.pcap 2>&1 |
		grep -q 'no libpcap support'; then
		skip "pkt-gen was built --without-pcap"
	fi
}

# scripts/deps.sh installs tshark: without it these tests fail, not skip.
require_tshark() {
	command -v tshark >/dev/null || {
		echo "tshark is not installed (scripts/deps.sh installs it)"
		return 1
	}
}

# tshark_fields FILE FIELD...: one tab-separated line per frame in
# $WORK/fields, with IPv4, UDP and TCP checksum validation switched on.
tshark_fields() {
	local file=$1 f args=()
	shift
	for f in "$@"; do
		args+=(-e "$f")
	done
	if ! tshark -r "$file" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-o tcp.check_checksum:TRUE -T fields "${args[@]}" >"$WORK/fields" \
		2>"$WORK/tshark.err"; then
		echo "tshark -r $file failed:"
		sed 's/^/  | /' "$WORK/tshark.err"
		return 1
	fi
}

# Fail listing the lines of $WORK/fields that the awk condition selects.
no_fields_where() {
	local bad
	bad=$(awk -F'\t' "$1" "$WORK/fields" | head -n 5)
	if [ -n "$bad" ]; then
		echo "frames matching { $1 }:"
		echo "$bad" | sed 's/^/  | /'
		return 1
	fi
}

# An empty capture: nm-send with it opens a port and sends nothing.
empty_pcap() {
	python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))' "$WORK/empty.pcap"
}

# hold NAME PORT: keep PORT bound, never syncing it, until the test ends.
hold() {
	[ -f "$WORK/empty.pcap" ] || empty_pcap
	start_rx "$1" nm-send -p "$2" "$WORK/empty.pcap"
}
