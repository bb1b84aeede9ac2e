# SPDX-License-Identifier: BSD-2-Clause
#
# lb (tools.md 7, 9.5 LB-1 to LB-8): flows spread by the symmetric hash
# over groups of pipes, every group getting every packet, overflow queues
# and drops, consumers that stall or die, the statistics lines, JSON,
# syslog, and pipe parents that go away with lb.
#
# The traffic is a pcap of known flows (lb-flows.py) sent by pkt-gen -P,
# and lb-flows.py, which computes the flow hash on its own, says how many
# frames each pipe must get; consumers are pkt-gen receivers that stop at
# exactly that count and write what they got to a pcap, which lb-flows.py
# checks frame by frame.

load helpers

LB_FLOWS="$BATS_TEST_DIRNAME/lb-flows.py"
# The distribution's interpreter when there is one: a version manager's
# shim in PATH can cost a second per start (more in the qemu guest).
PY=$(command -v /usr/bin/python3 || command -v python3 || echo python3)

# The module's parameters a test changed (name=old value), restored by
# teardown once the test's processes are gone and the region is unused.
SAVED_PARAMS=()

# Set module parameter $1 of the global region to $2 for this test.
set_region_param() {
	local f=/sys/module/netmap/parameters/$1
	SAVED_PARAMS+=("$1=$(cat "$f")")
	echo "$2" >"$f"
}

eval "$(declare -f teardown | sed '1s/^teardown/helpers_teardown/')"
teardown() {
	local kv
	helpers_teardown
	for kv in "${SAVED_PARAMS[@]}"; do
		echo "${kv#*=}" >"/sys/module/netmap/parameters/${kv%%=*}"
	done
}

# Pipe parents of this test: the input $P, groups $O, $A, $B.
names() {
	O=${P}o
	A=${P}a
	B=${P}b
}

flows() {
	"$PY" "$LB_FLOWS" "$@"
}

# lb in the background, ready once it prints its readiness line.
start_lb() {
	start_bg lb lb "$@"
	wait_ready_err lb '^[0-9]{3}\.[0-9]{6} [a-z_]+ \[[0-9]+\] Ready: '
}

# A consumer of pipe $2 that stops after exactly $3 packets, capturing them
# into $WORK/<name>.pcap; a pipe that gets nothing has no consumer.
start_consumer() {
	[ "$3" -gt 0 ] || return 0
	start_rx "$1" pkt-gen -i "netmap:$2" -f rx -n "$3" --pcap-out "$WORK/$1.pcap"
}

# Wait for consumers c<first>..c<last>: each exits 0 having received its count.
wait_consumers() {
	local prefix=$1 k
	shift
	k=0
	for n in "$@"; do
		if [ "$n" -gt 0 ]; then
			wait_bg "$prefix$k"
			assert_eq "$bg_status" 0 "$prefix$k exit status"
			assert_line_re "$bg_out" "^Received $n packets "
		fi
		k=$((k + 1))
	done
}

# The pcaps of consumers prefix0..prefixN-1 (missing for a pipe that got nothing).
pcaps() {
	local prefix=$1 n=$2 k
	for ((k = 0; k < n; k++)); do
		echo "$WORK/$prefix$k.pcap"
	done
}

# Stop lb with SIGINT; it exits 0 with its exit lines.
stop_lb() {
	signal_bg lb INT
	wait_bg lb
	assert_eq "$bg_status" 0 "lb exit status"
}

# lb's exit line for pipe $1 says $2 forwarded and $3 dropped.
assert_pipe_line() {
	assert_contains "$bg_out" "pipe $1: $2 packets forwarded, $3 dropped"
}

# Wait until one of lb's -o totals lines matches the extended regex $1;
# the set of lines it ends (pipes, then the totals) is left in $stats.
wait_stats() {
	local re=$1 limit i
	limit=$(scaled 20)
	limit=${limit%.*}
	for ((i = 0; i < limit * 20; i++)); do
		stats=$(awk -v re="$re" '
			/"output_ring":null/ { if ($0 ~ re) { print set $0; exit } set = ""; next }
			{ set = set $0 "\n" }' "$WORK/lb.out")
		[ -n "$stats" ] && return 0
		sleep 0.05
	done
	echo "no totals line of lb matches /$re/:"
	tail -n 5 "$WORK/lb.out" | sed 's/^/  out: /'
	return 1
}

wait_stats_received() {
	wait_stats "\"packets_received\":$1,"
}

# The value of key $2 in the -o line of interface $1 (a prefix) within $stats.
stat_of() {
	grep -F "\"interface\":\"$1" <<<"$stats" | sed -n "s/.*\"$2\":\\([0-9a-z.]*\\).*/\\1/p"
}

# The counts of lb's exit line for pipe $1: "forwarded dropped".
exit_counts() {
	sed -n "s/^pipe $1: \\([0-9]*\\) packets forwarded, \\([0-9]*\\) dropped$/\\1 \\2/p" <<<"$bg_out"
}

# lb on the input $P}0 spreads $3 frames of the pcap $1 (sent cycling,
# with the pkt-gen options in $SEND, if any) over group $O of $2 pipes;
# a consumer per pipe stops at the count lb-flows.py computes (want[]).
# Further arguments are lb options.  lb is left running.
spread() {
	local pcap=$1 npipes=$2 count=$3 k repeat
	shift 3
	repeat=$((count / $(flows count "$pcap")))
	read -r -a want <<<"$(flows expect "$npipes" "$repeat" "$pcap")"
	start_lb -i "netmap:$P}0" -p "$O:$npipes" "$@"
	for ((k = 0; k < npipes; k++)); do
		start_consumer "c$k" "$O}$k" "${want[$k]}"
	done
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$pcap" -n "$count" ${SEND:-}
	assert_eq "$status" 0
	wait_consumers c "${want[@]}"
}

@test "LB-1, LB-5: 64 flows over 4 pipes, each in the pipe its hash names; netmap's -o lines" {
	require_python
	names
	flows make "$WORK/f.pcap" flows 64
	SEND="-R 20000" spread "$WORK/f.pcap" 4 6400 -B 8192 -o 1
	# a set printed while some packets waited in overflow queues says
	# 6400 received and fewer forwarded: wait for the one with all
	wait_stats '"packets_received":6400,"packets_forwarded":6400,'
	stop_lb
	for k in 0 1 2 3; do
		assert_pipe_line "$O}$k" "${want[$k]}" 0
		[ "${want[$k]}" -gt 0 ]	# every consumer got at least one flow
	done
	assert_eq "$(tail -n 1 <<<"$bg_out")" "6400 packets forwarded.  0 packets dropped. Total 6400"
	flows check 4 $(pcaps c 4)
	assert_line_re "$bg_err" "port netmap:$P\\}0: (user|kernel) backend, pipe slave$"
	assert_line_re "$bg_err" "port netmap:$O\\{3/xT(@[0-9]+)?: (user|kernel) backend, pipe master$"
	assert_line_re "$bg_err" "pipe netmap:$O\\{0/xT(@[0-9]+)?: (zero copy|copy \\(.*\\))$"
	assert_line_re "$bg_err" "obtained [0-9]+ of 8192 extra buffers$"
	assert_line_re "$bg_err" "Ready: netmap:$P\\}0 -> 4 pipes in 1 groups$"

	# LB-5: every line before the exit lines is a statistics line, exact keys in order
	local rate='[0-9]+\.[0-9]{4}' ts='[0-9]+\.[0-9]{6}'
	local pipe_re="^\\{\"ts\":$ts,\"interface\":\"netmap:$O\\{[0-3]/xT(@[0-9]+)?\",\"output_ring\":[0-3],\"packets_forwarded\":[0-9]+,\"packets_dropped\":[0-9]+,\"data_forward_rate_Mbps\":$rate,\"data_drop_rate_Mbps\":$rate,\"packet_forward_rate_kpps\":$rate,\"packet_drop_rate_kpps\":$rate,\"overflow_queue_size\":[0-9]+\\}$"
	local total_re="^\\{\"ts\":$ts,\"interface\":\"netmap:$P\\}0\",\"output_ring\":null,\"packets_received\":[0-9]+,\"packets_forwarded\":[0-9]+,\"packets_dropped\":[0-9]+,\"non_ip_packets\":[0-9]+,\"data_forward_rate_Mbps\":$rate,\"data_drop_rate_Mbps\":$rate,\"packet_forward_rate_kpps\":$rate,\"packet_drop_rate_kpps\":$rate,\"free_buffer_slots\":[0-9]+\\}$"
	local lines nlines=0 line
	lines=$(head -n -5 <<<"$bg_out")
	while IFS= read -r line; do
		[[ $line =~ $pipe_re ]] || [[ $line =~ $total_re ]] || {
			echo "not a statistics line: $line"
			return 1
		}
		nlines=$((nlines + 1))
	done <<<"$lines"
	[ $((nlines % 5)) -eq 0 ] && [ "$nlines" -ge 5 ]
	# in the set that forwarded all 6400, each pipe's count is its consumer's
	for k in 0 1 2 3; do
		assert_eq "$(grep -F "\"output_ring\":$k," <<<"$stats" |
			sed -n 's/.*"packets_forwarded":\([0-9]*\).*/\1/p')" "${want[$k]}"
	done
	# the pipe lines of a set carry output_ring 0 to 3 in order, then the totals
	assert_eq "$(tail -n 5 <<<"$lines" | sed -n 's/.*"output_ring":\([0-9a-z]*\).*/\1/p' | tr '\n' ' ')" \
		"0 1 2 3 null "
}

@test "lb: packets of one slot between packets of two and three, each whole in the pipe its hash names" {
	require_python
	names
	flows make "$WORK/f.pcap" sizes 64
	# a packet of several slots among packets of one goes whole, in order
	spread "$WORK/f.pcap" 4 6400 -B 8192
	stop_lb
	for k in 0 1 2 3; do
		assert_pipe_line "$O}$k" "${want[$k]}" 0
	done
	assert_eq "$(tail -n 1 <<<"$bg_out")" "6400 packets forwarded.  0 packets dropped. Total 6400"
	flows check 4 $(pcaps c 4)
	assert_eq "$(flows bytes $(pcaps c 4))" "$((100 * $(flows bytes "$WORK/f.pcap")))"
}

@test "LB-2: both directions of a flow reach the same pipe" {
	require_python
	names
	flows make "$WORK/b.pcap" bidir 16
	spread "$WORK/b.pcap" 4 1600 -B 8192
	stop_lb
	assert_eq "$(tail -n 1 <<<"$bg_out")" "1600 packets forwarded.  0 packets dropped. Total 1600"
	flows check 4 $(pcaps c 4)
}

@test "LB-3: two groups of 2 and 3 pipes each get every packet" {
	require_python
	names
	flows make "$WORK/f.pcap" flows 64
	read -r -a wa <<<"$(flows expect 2 1 "$WORK/f.pcap")"
	read -r -a wb <<<"$(flows expect 3 1 "$WORK/f.pcap")"
	start_lb -i "netmap:$P}0" -p "$A:2" -p "$B:3" -B 4096
	for k in 0 1; do start_consumer "a$k" "$A}$k" "$((wa[k] * 15))"; done
	for k in 0 1 2; do start_consumer "b$k" "$B}$k" "$((wb[k] * 15))"; done
	# 960 packets: 15 times each of the 64 flows, paced
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/f.pcap" -n 960 -R 10000
	assert_eq "$status" 0
	wait_consumers a "$((wa[0] * 15))" "$((wa[1] * 15))"
	wait_consumers b "$((wb[0] * 15))" "$((wb[1] * 15))" "$((wb[2] * 15))"
	stop_lb
	assert_eq "$(tail -n 1 <<<"$bg_out")" "1920 packets forwarded.  0 packets dropped. Total 1920"
	assert_line_re "$bg_err" "Ready: netmap:$P\\}0 -> 5 pipes in 2 groups$"
	flows check 2 $(pcaps a 2)
	flows check 3 $(pcaps b 3)
}

@test "lb: 2 groups of 4 pipes, mixed traffic (VLAN, QinQ, IPv6, tunnels, fragments, non-IP)" {
	require_python
	names
	flows make "$WORK/m.pcap" mixed
	local nframes nonip
	nframes=$(flows count "$WORK/m.pcap")
	nonip=$(flows count "$WORK/m.pcap" non-ip)
	read -r -a want <<<"$(flows expect 4 10 "$WORK/m.pcap")"
	start_lb -i "netmap:$P}0" -p "$A:4" -p "$B:4" -B 8192 -o 1
	for k in 0 1 2 3; do
		start_consumer "a$k" "$A}$k" "${want[$k]}"
		start_consumer "b$k" "$B}$k" "${want[$k]}"
	done
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/m.pcap" -n "$((nframes * 10))"
	assert_eq "$status" 0
	wait_consumers a "${want[@]}"
	wait_consumers b "${want[@]}"
	wait_stats_received "$((nframes * 10))"
	assert_eq "$(stat_of "netmap:$P}0" non_ip_packets)" "$((nonip * 10))"
	stop_lb
	local total=$((nframes * 20))
	assert_eq "$(tail -n 1 <<<"$bg_out")" "$total packets forwarded.  0 packets dropped. Total $total"
	flows check 4 $(pcaps a 4)
	flows check 4 $(pcaps b 4)
	# pipe k of each group got the same frames, in the same order
	for k in 0 1 2 3; do
		[ "${want[$k]}" -gt 0 ] || continue
		assert_eq "$("$PY" "$BATS_TEST_DIRNAME/pcap-frames.py" dump "$WORK/a$k.pcap")" \
			"$("$PY" "$BATS_TEST_DIRNAME/pcap-frames.py" dump "$WORK/b$k.pcap")"
	done
}

@test "lb: zero copy from a VALE port into pipes of two groups" {
	require_python
	names
	# pipes of the input port itself share its memory region: zero copy,
	# and a packet goes on to group 2 once group 1's consumer released it
	flows make "$WORK/f.pcap" flows 64
	read -r -a want <<<"$(flows expect 2 15 "$WORK/f.pcap")"
	start_lb -i "$SW:in" -p 2 -p 2
	assert_line_re "$(cat "$WORK/lb.err")" "pipe $SW:in\\{0/xT@[0-9]+: zero copy$"
	assert_line_re "$(cat "$WORK/lb.err")" "pipe $SW:in\\{3/xT@[0-9]+: zero copy$"
	for k in 0 1; do
		start_consumer "a$k" "$SW:in}$k" "${want[$k]}"
		start_consumer "b$k" "$SW:in}$((k + 2))" "${want[$k]}"
	done
	# 960 frames: fewer than a VALE ring holds, so the switch drops none
	run_tool pkt-gen -i "$SW:src" -f tx -P "$WORK/f.pcap" -n 960
	assert_eq "$status" 0
	wait_consumers a "${want[@]}"
	wait_consumers b "${want[@]}"
	stop_lb
	assert_eq "$(tail -n 1 <<<"$bg_out")" "1920 packets forwarded.  0 packets dropped. Total 1920"
	flows check 2 $(pcaps a 2)
	flows check 2 $(pcaps b 2)
}

@test "LB-4: a pipe with no consumer queues into -B buffers, or drops without them" {
	names
	start_lb -i "netmap:$P}0" -p "$O:1" -B 4096 -o 1
	assert_line_re "$(cat "$WORK/lb.err")" "obtained 4096 of 4096 extra buffers$"
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 3000
	assert_eq "$status" 0
	wait_stats_received 3000
	local queued
	queued=$(stat_of "netmap:$O{0/" overflow_queue_size)
	[ "$queued" -gt 0 ]
	assert_eq "$(stat_of "netmap:$P}0" packets_dropped)" 0
	start_rx c0 pkt-gen -i "netmap:$O}0" -f rx -n 3000
	wait_bg c0
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 3000 packets 180000 bytes '
	stop_lb
	assert_pipe_line "$O}0" 3000 0

	# without -B: what the ring holds is forwarded, the rest dropped
	start_lb -i "netmap:$P}1" -p "${O}x:1" -o 1
	run_tool pkt-gen -i "netmap:$P{1" -f tx -n 3000
	assert_eq "$status" 0
	wait_stats_received 3000
	local fwd drop
	fwd=$(stat_of "netmap:$P}1" packets_forwarded)
	drop=$(stat_of "netmap:$P}1" packets_dropped)
	assert_eq "$((fwd + drop))" 3000
	[ "$drop" -gt 0 ]
	start_rx c1 pkt-gen -i "netmap:${O}x}0" -f rx -n "$fwd"
	wait_bg c1
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^Received $fwd packets "
	stop_lb
	assert_pipe_line "${O}x}0" "$fwd" "$drop"
}

@test "lb: a stalled consumer's pipe overflows into -B buffers, then drops, while the other receives" {
	require_python
	names
	# pipe 1's share fits in its ring: however late its consumer runs,
	# only the stalled pipe 0 takes buffers of the pool
	flows make "$WORK/f.pcap" lopsided 64
	read -r -a want <<<"$(flows expect 2 200 "$WORK/f.pcap")"
	[ "${want[0]}" -gt 5000 ]	# enough to fill the ring and 2048 buffers
	[ "${want[1]}" -le 1000 ]
	start_lb -i "netmap:$P}0" -p "$O:2" -B 2048 -o 1
	assert_line_re "$(cat "$WORK/lb.err")" "obtained 2048 of 2048 extra buffers$"
	start_consumer c0 "$O}0" "${want[0]}"
	signal_bg c0 STOP
	start_consumer c1 "$O}1" "${want[1]}"
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/f.pcap" -n 12800 -R 50000
	assert_eq "$status" 0
	wait_consumers c 0 "${want[1]}"	# the other consumer got all of its packets
	wait_stats_received 12800
	local fwd drop queued free
	fwd=$(stat_of "netmap:$O{0/" packets_forwarded)
	drop=$(stat_of "netmap:$O{0/" packets_dropped)
	queued=$(stat_of "netmap:$O{0/" overflow_queue_size)
	free=$(stat_of "netmap:$P}0" free_buffer_slots)
	assert_eq "$fwd" 1023 "the stalled ring holds 1023"
	[ "$queued" -gt $((2048 - 150)) ]	# the queue holds what the last reclaim left
	[ "$drop" -gt 0 ]
	assert_eq "$((fwd + queued + drop))" "${want[0]}" "every packet forwarded, queued or dropped"
	assert_eq "$free" "$((2048 - queued))" "free buffers"
	assert_eq "$(stat_of "netmap:$O{1/" packets_dropped)" 0
	# a new consumer in its place gets the ring, then the queue, in order
	kill -KILL "${BG_PID[c0]}"
	wait_bg c0
	start_consumer c2 "$O}0" "$((fwd + queued))"
	wait_bg c2
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^Received $((fwd + queued)) packets "
	stop_lb
	assert_eq "$(exit_counts "$O}0")" "$((fwd + queued)) $drop"
	assert_eq "$(exit_counts "$O}1")" "${want[1]} 0"
}

@test "lb: a consumer killed with kill -9 does not stop lb" {
	require_python
	names
	flows make "$WORK/f.pcap" flows 64
	read -r -a want <<<"$(flows expect 2 200 "$WORK/f.pcap")"
	start_lb -i "netmap:$P}0" -p "$O:2" -B 8192 -o 1
	start_consumer c0 "$O}0" "${want[0]}"
	start_consumer c1 "$O}1" "${want[1]}"
	# half of the traffic, then c0 dies in the middle of its flows
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/f.pcap" -n 6400
	assert_eq "$status" 0
	wait_stats_received 6400
	kill -KILL "${BG_PID[c0]}"
	wait_bg c0
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/f.pcap" -n 6400
	assert_eq "$status" 0
	wait_consumers c 0 "${want[1]}"
	wait_stats_received 12800
	local fwd drop queued
	fwd=$(stat_of "netmap:$O{0/" packets_forwarded)
	drop=$(stat_of "netmap:$O{0/" packets_dropped)
	queued=$(stat_of "netmap:$O{0/" overflow_queue_size)
	assert_eq "$((fwd + queued + drop))" "${want[0]}" "the dead consumer's packets accounted for"
	kill -0 "${BG_PID[lb]}"
	stop_lb
	assert_eq "$(exit_counts "$O}1")" "${want[1]} 0"
}

@test "LB-6: non-IP frames are counted and stay on one pipe" {
	require_python
	names
	flows make "$WORK/n.pcap" nonip
	spread "$WORK/n.pcap" 4 100 -o 1
	wait_stats_received 100
	assert_eq "$(stat_of "netmap:$P}0" non_ip_packets)" 100
	stop_lb
	flows check 4 $(pcaps c 4)
}

@test "LB-7: pipe parents go away when lb and its consumers exit or are killed" {
	names
	# a normal exit
	start_lb -i "netmap:$P}0" -p "$O:2" -p "$A:1"
	start_rx c9 pkt-gen -i "netmap:$O}0" -f rx --duration 1s
	wait_bg c9
	stop_lb
	run_tool vale-ctl -g "$O"
	assert_eq "$status" 1
	run_tool vale-ctl -g "$A"
	assert_eq "$status" 1
	# SIGKILL
	start_lb -i "netmap:$P}0" -p "$O:2"
	start_rx c0 pkt-gen -i "netmap:$O}0" -f rx
	start_rx c1 pkt-gen -i "netmap:$O}1" -f rx
	run_tool vale-ctl -g "$O"
	assert_eq "$status" 0 "the parent exists while lb runs"
	kill -KILL "${BG_PID[lb]}" "${BG_PID[c0]}" "${BG_PID[c1]}"
	wait_bg lb
	wait_bg c0
	wait_bg c1
	run_tool vale-ctl -g "$O"
	assert_eq "$status" 1 "no object named $O remains"
	if [ "$NETMAP_BACKEND" = kernel ]; then
		! ip link show "$O" 2>/dev/null
	fi
	# the same names work again
	start_lb -i "netmap:$P}0" -p "$O:2"
	start_rx c2 pkt-gen -i "netmap:$O}0" -f rx -n 100
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100 -s 10.0.0.1:1000 -d 10.1.0.1:1000
	stop_lb
	assert_eq "$(tail -n 1 <<<"$bg_out")" "100 packets forwarded.  0 packets dropped. Total 100"
}

@test "lb -j: start and summary objects; stdout holds only JSON" {
	names
	start_bg lb lb -i "netmap:$P}0" -p "$O:2" -j
	wait_ready lb
	run_tool pkt-gen -i "netmap:$P{0" -f tx -n 100 -s 10.0.0.1:1000 -d 10.1.0.1:1000
	stop_lb
	local first last
	first=$(head -n 1 <<<"$bg_out")
	last=$(tail -n 1 <<<"$bg_out")
	assert_eq "$(wc -l <<<"$bg_out")" 2
	assert_line_re "$first" "^\\{\"tool\":\"lb\",\"type\":\"start\",\"ts\":[0-9]+\\.[0-9]{6},\"version\":\"[^\"]+\",\"input\":\"netmap:$P\\}0\",\"groups\":1,\"pipes\":2\\}$"
	assert_line_re "$last" "^\\{\"tool\":\"lb\",\"type\":\"summary\",\"ts\":[0-9.]+,\"input\":\"netmap:$P\\}0\",\"seconds\":[0-9.]+,\"packets_received\":100,\"packets_forwarded\":100,\"packets_dropped\":0,\"non_ip_packets\":0,\"pipes\":\\[\\{\"interface\":\"netmap:$O\\{0/xT@[0-9]+\",\"group\":\"$O\",\"output_ring\":0,"
	assert_contains "$last" '"bytes_forwarded":6000}]'
	assert_contains "$last" '"exit_status":0}'
	assert_contains "$bg_err" "100 packets forwarded.  0 packets dropped. Total 100"
}

@test "lb -s: statistics lines to syslog, identity lb, LOCAL1.INFO" {
	[ "$(id -u)" = 0 ] || skip "needs root to listen on /dev/log"
	require_python
	names
	# Listen on /dev/log: lb's own, in a private mount namespace when a
	# system logger owns it, else the path itself for the test's duration.
	cat >"$WORK/syslog.py" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	open(sys.argv[2] + ".ready", "w").close()
	with open(sys.argv[2], "w") as out:
	    while True:
	        m = s.recv(65536)
	        if m == b"END":   # the test's own, after lb's last line
	            break
	        out.write(m.decode() + "\n")
	        out.flush()
	EOF
	local logsock=/dev/log ns=()
	if [ -e /dev/log ]; then
		logsock=$WORK/log.sock
		ns=(unshare -m sh -c 'mount --bind "$0" /dev/log && exec "$@"' "$logsock")
	fi
	"$PY" "$WORK/syslog.py" "$logsock" "$WORK/syslog.txt" \
		>"$WORK/listener.out" 2>"$WORK/listener.err" &
	BG_NAMES+=(listener)
	BG_PID[listener]=$!
	wait_until_ready listener "$TOOL_TIMEOUT" test -e "$WORK/syslog.txt.ready"
	# lb runs until it has sent two sets of statistics (each ends with
	# the totals line, "output_ring":null), then stops on SIGINT: waits on
	# what it logged, not on time (a --duration raced its one-second
	# schedule on a loaded machine)
	"${ns[@]}" "$(tool_path lb)" -i "netmap:$P}0" -p "$O:2" -s 1 \
		>"$WORK/lb.out" 2>"$WORK/lb.err" &
	BG_NAMES+=(lb)
	BG_PID[lb]=$!
	wait_until_ready lb "$TOOL_TIMEOUT" \
		eval '[ "$(grep -c "\"output_ring\":null" "$WORK/syslog.txt")" -ge 2 ]'
	signal_bg lb INT
	wait_bg lb
	local st=$bg_status
	# every datagram lb sent is queued before the listener's end marker
	"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"END", sys.argv[1])' "$logsock"
	wait_bg listener
	[ "$logsock" = /dev/log ] && rm -f /dev/log
	assert_eq "$st" 0
	cat "$WORK/syslog.txt"
	# <142> is LOCAL1 (17) * 8 + INFO (6); sets of three lines (two
	# pipes, then the totals), at least two of them, and nothing else
	local sets
	sets=$(grep -c '"output_ring":null' "$WORK/syslog.txt")
	[ "$sets" -ge 2 ] || { echo "$sets sets of statistics, at least 2 expected"; return 1; }
	assert_eq "$(grep -cE '^<142>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} lb\[[0-9]+\]: \{"ts":' "$WORK/syslog.txt")" $((3 * sets))
	assert_eq "$(grep -c . "$WORK/syslog.txt")" $((3 * sets))
}

@test "LB-8: usage errors exit 2 with one line; -h prints the usage" {
	names
	run_tool lb
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0" -p 0
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0" -p :4
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0" -p "$O:2" -b 0
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0" -p "$O:2" -b 70000
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0" -z
	assert_eq "$status" 2
	run_tool lb -i "netmap:$P}0"
	assert_eq "$status" 2
	assert_eq "$stderr" "lb: the input netmap:$P}0 is a pipe: name the pipe groups with -p name:n, such as -p out:2"
	run_tool lb -i "netmap:$P}0" -p 4
	assert_eq "$status" 2
	assert_eq "$stderr" "lb: -p 4: the input netmap:$P}0 is a pipe: name the group, such as out:4"
	run_tool lb -i "netmap:$P}0" -p "a/b:2"
	assert_eq "$status" 2
	assert_eq "$(wc -l <<<"$stderr")" 1
	run_tool lb -h
	assert_eq "$status" 0
	assert_contains "$output" "Usage: lb [OPTIONS]"
	run_tool vale-ctl -g "$O"
	assert_eq "$status" 1 "a usage error opens nothing"
}

@test "lb: an input that cannot be opened exits 1" {
	run_tool lb -i netmap:nosuch0 -p x:2
	assert_eq "$status" 1
	assert_line_re "$stderr" '^lb: cannot open netmap:nosuch0: '
	assert_eq "$(wc -l <<<"$stderr")" 1
}

# The module's global region is shared by every NIC port: its new geometry
# would starve (or wait for) another test's ports, so in the guest this
# test runs with no other bats file beside it (test/vm/guest-tests.sh).
# bats test_tags=vm:alone
@test "lb: 128 pipes in 4 groups on one input open and forward" {
	require_python
	names
	local C=${P}c D=${P}d k g n in="netmap:$P}0" in_re="netmap:$P\\}0"
	if [ "$NETMAP_BACKEND" = kernel ]; then
		# The module allocates a region whole when it is made, so a pipe
		# parent made on demand has room for a few pipes only; like a
		# netmap user, give the global region room for 128 pipes (4 rings,
		# 2048 buffers each) and put the input, hence every pipe, in it.
		set_region_param if_num 1024
		set_region_param ring_num 1024
		set_region_param buf_num 280000
		in+="@1"
		in_re+="@1"
	fi
	flows make "$WORK/two.pcap" flows 2
	read -r -a want <<<"$(flows expect 32 500 "$WORK/two.pcap")"
	start_lb -i "$in" -p "$A:32" -p "$B:32" -p "$C:32" -p "$D:32" -B 4096
	assert_line_re "$(cat "$WORK/lb.err")" "Ready: $in_re -> 128 pipes in 4 groups$"
	assert_eq "$(grep -cE " pipe netmap:[^ ]+\\{[0-9]+/xT(@[0-9]+)?: (zero copy|copy \\(.*\\))$" \
		"$WORK/lb.err")" 128
	# a consumer on every pipe the two flows go to, in each group
	for g in "$A" "$B" "$C" "$D"; do
		for ((k = 0; k < 32; k++)); do
			[ "${want[$k]}" -gt 0 ] || continue
			start_consumer "$g.$k" "$g}$k" "${want[$k]}"
		done
	done
	run_tool pkt-gen -i "netmap:$P{0" -f tx -P "$WORK/two.pcap" -n 1000
	assert_eq "$status" 0
	for g in "$A" "$B" "$C" "$D"; do
		for ((k = 0; k < 32; k++)); do
			[ "${want[$k]}" -gt 0 ] || continue
			wait_bg "$g.$k"
			assert_eq "$bg_status" 0
			assert_line_re "$bg_out" "^Received ${want[$k]} packets "
		done
	done
	stop_lb
	for g in "$A" "$B" "$C" "$D"; do
		for ((k = 0; k < 32; k++)); do
			assert_eq "$(exit_counts "$g}$k")" "${want[$k]} 0"
		done
	done
	assert_eq "$(tail -n 1 <<<"$bg_out")" "4000 packets forwarded.  0 packets dropped. Total 4000"
}

@test "lb: a pipe that finds its region's pool empty says which pool" {
	# pipes of a VALE port live in the port's region, sized when the port
	# was created: lb cannot move them elsewhere
	run_tool lb -i "$SW:in" -p 16
	assert_eq "$status" 1
	assert_eq "$(grep -c '^lb: ' <<<"$stderr")" 1	# one error line, after the backend line
	assert_line_re "$stderr" "^lb: cannot open $SW:in\\{[0-9]+/xT: Cannot allocate memory"
	if [ "$NETMAP_BACKEND" = user ]; then
		assert_line_re "$stderr" "Cannot allocate memory \\(memory region [0-9]+ has no free (ring|buffer|interface) object"
	fi
}
