# SPDX-License-Identifier: BSD-2-Clause
#
# User memory as a port's region (EXTMEM, spec 10.3 and 23.6), driven with
# libnetmap's @extmem:file= port option: pkt-gen sends from and receives
# into files the applications map, ports naming the same memory share one
# region, huge pages where the machine has them.  The errno of every bad
# request is checked by test_core.

load helpers

# The hugetlbfs this file mounted and the huge pages it reserved, when the
# machine had none (root): undone after the test, whatever it did.
HP_MNT=""
HP_OLD=""
eval "common_teardown() $(declare -f teardown | sed 1d)"
teardown() {
	common_teardown
	if [ -n "$HP_MNT" ]; then
		umount "$HP_MNT" || true
		rmdir "$HP_MNT" || true
	fi
	if [ -n "$HP_OLD" ]; then
		echo "$HP_OLD" >/proc/sys/vm/nr_hugepages || true
	fi
}

rx_count() {
	summary_count "$1" Received packets
}

# mem_id PORT: the region of a port, from vale-ctl -g.
mem_id() {
	run_tool vale-ctl -g "$1" >&2
	sed -n 's/^mem_id: *//p' <<<"$output"
}

# traffic DIR: 1000 frames from a port on a file of DIR to one on another
# file of DIR and back, exact counts both ways.
traffic() {
	local dir=$1 a b
	a=$(mktemp "$dir/nmext.a.XXXXXX")
	b=$(mktemp "$dir/nmext.b.XXXXXX")
	truncate -s 16M "$a" "$b"
	start_rx rb pkt-gen -i "$SW:b@extmem:file=$b" -f rx -n 1000 -W
	run_tool pkt-gen -i "$SW:a@extmem:file=$a" -f tx -n 1000 -l 1000
	assert_eq "$status" 0
	assert_line_re "$output" '^Sent 1000 packets 1000000 bytes '
	wait_bg rb
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 1000 packets 1000000 bytes '
	# and the other way, multi-slot frames into the receiver's user memory
	start_rx ra pkt-gen -i "$SW:a@extmem:file=$a" -f rx -n 100 -W
	run_tool pkt-gen -i "$SW:b@extmem:file=$b" -f tx -n 100 -l 5000
	assert_eq "$status" 0
	wait_bg ra
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" '^Received 100 packets 500000 bytes '
	rm -f "$a" "$b"
}

@test "pkt-gen sends from and receives into user memory (a shared file)" {
	traffic "$WORK"
}

@test "ports naming the same memory share one region; it goes with the last" {
	local f="$WORK/shared" ida idb
	truncate -s 16M "$f"
	empty_pcap
	start_rx ha nm-send -p "$SW:a@extmem:file=$f" "$WORK/empty.pcap"
	start_rx hb nm-send -p "$SW:b@extmem:file=$f" "$WORK/empty.pcap"
	ida=$(mem_id "$SW:a")
	idb=$(mem_id "$SW:b")
	[ -n "$ida" ]
	assert_eq "$idb" "$ida" "mem_id of b"
	signal_bg hb TERM
	wait_bg hb
	assert_eq "$bg_status" 0
	assert_eq "$(mem_id "$SW:a")" "$ida" "a keeps the region"
	signal_bg ha TERM
	wait_bg ha
	assert_eq "$bg_status" 0
	# nothing holds the region any more: the same file gets a new one
	start_rx hb2 nm-send -p "$SW:b@extmem:file=$f" "$WORK/empty.pcap"
	idb=$(mem_id "$SW:b")
	[ -n "$idb" ] && [ "$idb" != "$ida" ] ||
		{ echo "region $ida was not released (b: $idb)"; return 1; }
}

@test "huge pages: user memory in hugetlbfs" {
	local dir="" free
	while read -r _ mnt type _; do
		if [ "$type" = hugetlbfs ] && [ -w "$mnt" ]; then
			dir=$mnt
			break
		fi
	done </proc/mounts
	# none mounted: root mounts one for the test, as a user would
	if [ -z "$dir" ] && [ "$(id -u)" = 0 ]; then
		HP_MNT=$(mktemp -d "${TMPDIR:-/tmp}/nmhuge.XXXXXX")
		mount -t hugetlbfs -o mode=0700 nmtest "$HP_MNT" ||
			{ echo "cannot mount hugetlbfs on $HP_MNT"; return 1; }
		dir=$HP_MNT
	fi
	[ -n "$dir" ] || skip "no writable hugetlbfs mount, and mounting one needs root"
	# two 16 MB files: 16 pages of 2 MB; root reserves what is missing
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "$free" -lt 16 ] && [ "$(id -u)" = 0 ]; then
		HP_OLD=$(cat /proc/sys/vm/nr_hugepages)
		echo $((HP_OLD + 16 - free)) >/proc/sys/vm/nr_hugepages
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	fi
	[ "$free" -ge 16 ] ||
		skip "the kernel could not give 16 free huge pages (only $free: memory too fragmented, or not root)"
	traffic "$dir"
	# the user runtime too, when the kernel module is the backend
	if [ "$NETMAP_BACKEND" = kernel ]; then
		NETMAP_BACKEND=user traffic "$dir"
	fi
}
