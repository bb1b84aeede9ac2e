# SPDX-License-Identifier: BSD-2-Clause
#
# CSB mode and the sync loop (spec 25): nm-csb opens two ports in CSB mode,
# runs the sync loop of each in a thread of its own (SYNC_KLOOP_START) and
# moves an exact number of frames between them through the CSB entries
# alone.  strace counts the system calls: no NIOCTXSYNC or NIOCRXSYNC at
# all, and on the kernel backend exactly six NIOCCTRL requests (two
# registrations, two STARTs, two STOPs) for the whole transfer.  (The
# errno of every bad request is checked by test_core.)

load helpers

# csb ARGS...: nm-csb under strace; sets status, output, and the counts
# nsync (sync ioctls) and nctrl (NIOCCTRL requests).
csb() {
	timeout -k 5 "$TOOL_TIMEOUT" strace -f --seccomp-bpf -e trace=ioctl \
		-o "$WORK/strace.log" "$(tool_path nm-csb)" "$@" \
		>"$WORK/csb.out" 2>"$WORK/csb.err" && status=0 || status=$?
	output=$(cat "$WORK/csb.out")
	echo "\$ nm-csb $*  (exit $status)"
	sed 's/^/  out: /' "$WORK/csb.out"
	sed 's/^/  err: /' "$WORK/csb.err"
	nsync=$(grep -cE '0x69, 0x9[45],' "$WORK/strace.log" || true)
	nctrl=$(grep -cE '0x69, 0x97,' "$WORK/strace.log" || true)
}

check_counts() {
	assert_eq "$status" 0
	assert_contains "$output" "moved $1 frames in order"
	assert_eq "$nsync" 0 "sync system calls"
	if [ "$NETMAP_BACKEND" = kernel ]; then
		assert_eq "$nctrl" 6 "NIOCCTRL requests"
	else
		assert_eq "$nctrl" 0 "ioctl calls (the user runtime makes none)"
	fi
}

@test "CSB through a pipe, loops sleeping between rounds: exact count, no sync call" {
	csb -s 50 "netmap:$P{0" "netmap:$P}0" 20000
	check_counts 20000
}

@test "CSB through a pipe, event-driven loops (eventfds): exact count, no sync call" {
	csb -e "netmap:$P{0" "netmap:$P}0" 20000
	check_counts 20000
}

@test "CSB through a VALE switch, both loop modes: exact counts, no sync call" {
	csb -s 50 "$SW:a" "$SW:b" 20000
	check_counts 20000
	csb -e "$SW:a" "$SW:b" 20000
	check_counts 20000
}
