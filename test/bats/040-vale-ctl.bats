# SPDX-License-Identifier: BSD-2-Clause
#
# vale-ctl (tools.md 9.2: VC-1, VC-2, VC-3, VC-7, VC-8, and the kernel-only
# actions under the user runtime, 4.3).

load helpers

# Hold a port open with a receiver until the test stops it (release, or
# teardown's SIGKILL).
hold() {
	start_rx "$1" pkt-gen -i "$2" -f rx -T 0
}

release() {
	local n
	for n in "$@"; do
		signal_bg "$n" TERM
		wait_bg "$n"
	done
}

@test "VC-1: listings while ports are held, and after" {
	hold a "$SW:a"
	hold b "$SW:b"
	run_tool vale-ctl
	assert_eq "$status" 0
	assert_line_re "$output" "^$SW:a bridge_idx [0-9]+ port_idx 0$"
	assert_line_re "$output" "^$SW:b bridge_idx [0-9]+ port_idx 1$"
	local ba bb
	ba=$(sed -n "s/^$SW:a bridge_idx \([0-9]*\) .*/\1/p" <<<"$output")
	bb=$(sed -n "s/^$SW:b bridge_idx \([0-9]*\) .*/\1/p" <<<"$output")
	assert_eq "$ba" "$bb" "same switch"
	local all=$output
	run_tool vale-ctl -l
	assert_eq "$status" 0
	assert_eq "$output" "$all"
	run_tool vale-ctl -v
	assert_eq "$status" 0
	assert_eq "$output" "$all"
	run_tool vale-ctl -l "$SW:b"
	assert_eq "$status" 0
	assert_eq "$output" "bridge_idx: $ba"$'\n'"port_idx:   1"
	release a b
	run_tool vale-ctl
	assert_eq "$status" 0
	if grep -q "^$SW:" <<<"$output"; then
		echo "ports of $SW still listed"
		return 1
	fi
}

@test "VC-2: -l of a missing port, -l of a non-VALE name" {
	hold a "$SW:a"
	run_tool vale-ctl -l "$SW:zz"
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: port $SW:zz not found on switch $SW"
	run_tool vale-ctl -l "${SW}q:zz"
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: failed to list ${SW}q:zz: No such file or directory"
	run_tool vale-ctl -l eth0
	assert_eq "$status" 2
	assert_eq "$(wc -l <<<"$stderr")" 1
	release a
}

@test "VC-3: -g prints the geometry in six lines" {
	hold g "$SW:g@conf:rings=2,slots=512"
	run_tool vale-ctl -g "$SW:g"
	assert_eq "$status" 0
	assert_eq "${#lines[@]}" 6
	assert_line_re "${lines[0]}" '^memsize:    [1-9][0-9]*$'
	assert_eq "${lines[1]}" "tx_slots:   512"
	assert_eq "${lines[2]}" "rx_slots:   512"
	assert_eq "${lines[3]}" "tx_rings:   2"
	assert_eq "${lines[4]}" "rx_rings:   2"
	assert_line_re "${lines[5]}" '^mem_id:     [1-9][0-9]*$'
	run_tool vale-ctl -g "netmap:$SW:g"
	assert_eq "$status" 0
	assert_eq "${lines[3]}" "tx_rings:   2"
	run_tool vale-ctl -g nosuchif0
	assert_eq "$status" 1
	assert_line_re "$stderr" '^vale-ctl: failed to obtain info for nosuchif0: '
	release g
}

@test "VC-7: usage errors exit 2; --help exits 0" {
	local args
	for args in "-a $SW:x -d $SW:x" "-n valefoo" "-C 1,2,3,4,5 -n vy" "-x" "-a eth0" \
		"-d $SW" "-p :eth0" "-n 0123456789abcdef" "-p $SW:b -C 2,0" "-p $SW:b -C 0,0,2" \
		"-n vy -m -1" "-n vy -m 65536"; do
		# shellcheck disable=SC2086
		run_tool vale-ctl $args
		assert_eq "$status" 2 "vale-ctl $args"
		assert_eq "$(wc -l <<<"$stderr")" 1 "one line for vale-ctl $args"
		assert_line_re "$stderr" '^vale-ctl: '
	done
	run_tool vale-ctl --help
	assert_eq "$status" 0
	assert_contains "$output" "Usage: vale-ctl [OPTIONS]"
	assert_eq "$stderr" ""
	run_tool vale-ctl --version
	assert_eq "$status" 0
	assert_line_re "$output" '^vale-ctl [^ ]+ \(netmap API 14\)$'
}

@test "VC-7: names with control characters are refused, and printed escaped" {
	run_tool vale-ctl -n "$SW:a"$'\n'
	assert_eq "$status" 2
	assert_eq "$stderr" "vale-ctl: -n $SW:a\\n: control character '\\n' in the name; names are printable"
	run_tool vale-ctl -a "$SW:x"$'\x1b'
	assert_eq "$status" 2
	assert_eq "$stderr" "vale-ctl: -a $SW:x\\x1b: control character '\\x1b' in the name; names are printable"
	# nothing was made (the guest lists other files' switches too)
	run_tool vale-ctl
	assert_eq "$status" 0
	[[ "$output" != *"$SW:"* ]] || { echo "a refused name made a port: $output"; false; }
}

@test "VC-7: kernel-only actions under the user runtime" {
	[ "$NETMAP_BACKEND" = user ] || skip "user runtime behaviour"
	hold b "$SW:b"
	local row action args
	local why
	for row in "attach|-a $SW:eth0|switches of the user runtime cannot take system interfaces" \
		"attach|-h $SW:eth0|switches of the user runtime cannot take system interfaces" \
		"create|-n vx$$|the user runtime cannot make network interfaces" \
		"enable polling on|-p $SW:b|the user runtime has no polling threads" \
		"disable polling on|-P $SW:b|the user runtime has no polling threads"; do
		IFS='|' read -r action args why <<<"$row"
		# shellcheck disable=SC2086
		run_tool vale-ctl $args
		assert_eq "$status" 1 "vale-ctl $args"
		assert_eq "$stderr" "vale-ctl: failed to $action ${args#* }: Operation not supported ($why; load the netmap module)"
	done
	run_tool vale-ctl --stats
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: --stats is not supported by the user backend"
	release b
}

@test "VC-7: polling on an ephemeral port fails (kernel)" {
	require_kernel
	hold b "$SW:b"
	run_tool vale-ctl -p "$SW:b"
	assert_eq "$status" 1
	assert_contains "$stderr" "vale-ctl: failed to enable polling on $SW:b:"
	release b
}

@test "VC-8: JSON rows" {
	require_python
	hold a "$SW:a"
	hold b "$SW:b"
	run_tool vale-ctl -j
	assert_eq "$status" 0
	python3 - "$output" "$SW" <<'EOF'
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines()]
mine = [r for r in rows if r["port"].startswith(sys.argv[2] + ":")]
assert len(mine) == 2, rows
for r in rows:
    assert r["tool"] == "vale-ctl" and r["type"] == "port", r
    assert {"port", "bridge_idx", "port_idx"} <= set(r), r
EOF
	release a b
}

@test "--cleanup removes the runtime files only when nobody uses them" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime's files only"
	hold a "$SW:a"
	run_tool vale-ctl --cleanup
	assert_eq "$status" 1
	assert_contains "$stderr" "vale-ctl: failed to clean up the user runtime: Device or resource busy"
	release a
	[ -e "$NETMAP_RUNTIME_DIR/arena" ]
	run_tool vale-ctl --cleanup
	assert_eq "$status" 0
	[ ! -e "$NETMAP_RUNTIME_DIR" ]
	run_tool vale-ctl
	assert_eq "$status" 0
}
