#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# The user runtime's isolation and cleanup (docs/ARCHITECTURE.md): state
# lives in a per-user directory (mode 0700), which other users cannot use,
# and nothing of a port outlives the processes that used it.

load helpers

@test "a runtime directory open to other users is refused" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	chmod 0755 "$NETMAP_RUNTIME_DIR"
	run_tool pkt-gen -i "$SW:a" -f rx --duration 0.2s
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open $SW:a: Permission denied (the runtime directory $NETMAP_RUNTIME_DIR has mode 0755; it must be 0700, or other users could use its switches: chmod 700 it, or set NETMAP_RUNTIME_DIR to another one)"
}

@test "another user cannot attach to a user's switches" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	[ "$(id -u)" = 0 ] || skip "needs root to run a command as another user"
	start_rx a pkt-gen -i "$SW:a" -f rx -T 0
	# The build tree may lie where only its owner can enter (/root): the
	# other user runs a copy of vale-ctl and libnetmap from a folder of
	# its own, so that what is checked is the runtime's refusal.
	local d=$WORK/nobody real=$TOOLS_DIR/.libs/vale-ctl
	mkdir -p "$d"
	[ -x "$real" ] || real=$(tool_path vale-ctl)
	cp "$real" "$d/vale-ctl"
	cp -P "$TOOLS_DIR"/.libs/libnetmap.so* "$d/" 2>/dev/null || true
	chmod 0755 "$WORK" "$d"
	chmod -R a+rX "$d"
	run timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		env NETMAP_BACKEND=user NETMAP_RUNTIME_DIR="$NETMAP_RUNTIME_DIR" \
		LD_LIBRARY_PATH="$d" "$d/vale-ctl"
	echo "$output"
	assert_eq "$status" 1
	assert_eq "$output" "vale-ctl: cannot open a netmap control descriptor: Permission denied (the runtime directory $NETMAP_RUNTIME_DIR belongs to uid 0, not to uid 65534: set NETMAP_RUNTIME_DIR to a directory of your own)"
	signal_bg a TERM
	wait_bg a
}

@test "ports of exited processes are gone from the listing" {
	start_rx a pkt-gen -i "$SW:a" -f rx -T 0
	start_rx b pkt-gen -i "$SW:b" -f rx -T 0
	run_tool vale-ctl
	assert_contains "$output" "$SW:a bridge_idx"
	signal_bg a KILL
	wait_bg a
	signal_bg b TERM
	wait_bg b
	run_tool vale-ctl
	assert_eq "$status" 0
	[[ "$output" != *"$SW:"* ]]
}

@test "files of another netmap version are refused with what to do" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	require_python
	run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 0
	# what a build with another arena version leaves: its version field
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(8)
    f.write((0x7fff).to_bytes(4, "little"))' "$NETMAP_RUNTIME_DIR/arena"
	local hint="the user runtime's files were made by another version of netmap; stop the programs using it, then run vale-ctl --cleanup"
	run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 1
	assert_eq "$stderr" "pkt-gen: cannot open $SW:a: $hint"
	run_tool vale-ctl
	assert_eq "$status" 1
	assert_eq "$stderr" "vale-ctl: cannot open a netmap control descriptor: $hint"
	run_tool vale-ctl --cleanup
	assert_eq "$status" 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 0
}

# Run a command in a mount namespace of its own with a tmpfs of size $1
# on $WORK/small (as root, or as root of a new user namespace).
in_small_tmpfs() {
	local size=$1
	shift
	mkdir -p "$WORK/small"
	local u=()
	[ "$(id -u)" = 0 ] || u=(-r)
	timeout -k 5 60 unshare "${u[@]}" -m bash -c '
		mount -t tmpfs -o size='"$size"' nmtest "$0" || exit 99
		"$@"' "$WORK/small" "$@"
}

@test "a full runtime file system is an error that names it, not a SIGBUS" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	in_small_tmpfs 1m true || skip "this machine refuses mount namespaces"
	local dir=$WORK/small/rt script=$WORK/full.sh
	cat >"$script" <<EOS
export NETMAP_RUNTIME_DIR=$dir
"$(tool_path pkt-gen)" -i '$SW:a@conf:rings=8,slots=4096' -f tx -n 100000 2>"$WORK/err1"
echo "status1 \$?"
"$(tool_path pkt-gen)" -i '$SW:b@conf:slots=64' -f tx -n 10 >/dev/null 2>"$WORK/err2"
echo "status2 \$?"
EOS
	run in_small_tmpfs 16m bash "$script"
	echo "$output"
	cat "$WORK/err1" "$WORK/err2" || true
	assert_contains "$output" "status1 1"
	assert_line_re "$(cat "$WORK/err1")" "^pkt-gen: cannot open $SW:a@conf:rings=8,slots=4096: Cannot allocate memory \\($dir is full: [0-9]+ MiB free of 16 MiB, [0-9]+ KiB needed; set NETMAP_RUNTIME_DIR to a directory on a larger file system\\)\$"
	assert_eq "$(wc -l <"$WORK/err1")" 1
	# a port that fits still works
	assert_contains "$output" "status2 0"
}

@test "a truncated arena file is refused with what to do, not a SIGBUS" {
	[ "$NETMAP_BACKEND" = user ] || skip "the user runtime only"
	local arena=$NETMAP_RUNTIME_DIR/arena size hint
	run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 0
	size=$(stat -c %s "$arena")
	hint="stop the programs using it, then run vale-ctl --cleanup"
	# shorter than a header, then a whole header but less than it records
	for cut in 100 $((size - 4096)); do
		truncate -s "$cut" "$arena"
		run_tool pkt-gen -i "$SW:a" -f tx -n 1
		assert_eq "$status" 1
		assert_line_re "$stderr" "^pkt-gen: cannot open $SW:a: Structure needs cleaning \\(the runtime's file $NETMAP_RUNTIME_DIR/arena has $cut bytes, fewer than the [0-9]+ its header needs: $hint\\)\$"
		run_tool vale-ctl
		assert_eq "$status" 1
		assert_contains "$stderr" "vale-ctl: cannot open a netmap control descriptor: Structure needs cleaning (the runtime's file"
	done
	run_tool vale-ctl --cleanup
	assert_eq "$status" 0
	run_tool pkt-gen -i "$SW:a" -f tx -n 1
	assert_eq "$status" 0
}
