#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs inside the vm-check guest (see vm-check.sh), as root, in a chroot of
# the host's root folder: the host's bash, bats and the freshly built
# programs of the build tree.  Prints one line per check:
#     VMTEST: PASS <group>: <name>
#     VMTEST: FAIL <group>: <name>
#     VMTEST: SKIP <group>: <name>
# followed, for failures, by the output of the check (indented).  All
# groups share a time budget of VM_BUDGET seconds (default 1860).
#
# Groups (VM_TESTS): module  parameters, device node, persistent ports,
#                            rmmod refusals, kill mid-traffic, open churn
#                    abi     test/vm/abi_conformance (raw ioctls)
#                    trust   test/vm/kmod_trust: races, user memory
#                            that never comes, clamps, capabilities
#                            and region ownership (raw ioctls)
#                    fuzz    test/vm/ioctl_fuzz: VM_FUZZ_OPS (default
#                            1000000) random ioctl, mmap, ring and close
#                            operations, 4 processes x 2 threads, for at
#                            most VM_FUZZ_SECONDS (default 420; 0: no
#                            limit), seed VM_FUZZ_SEED (default 1)
#                    ringfuzz  test_ring_fuzz against the module: a
#                            corrupter's random rings and slots on a
#                            switch and a pipe, honest peers checking
#                            indices, counts and payloads, for
#                            VM_RINGFUZZ_SECONDS (default 60), seed 1
#                    core    test_core with NETMAP_BACKEND=kernel
#                    poll    test_poll: poll, ppoll, select, epoll on the
#                            module, and the lost wake-up stress test
#                    bench   pkt-gen sleeping in poll and spinning
#                            (guest-bench-poll.sh), and the emulated
#                            adapter against AF_PACKET (guest-bench.sh):
#                            make vm-bench
#                    bats    test/bats/*.bats with NETMAP_BACKEND=kernel
#                            (VM_BATS: name filters; VM_BATS_JOBS: files
#                            run at once, default 2)
#                    /path   a script sourced here (uses check, pass, fail)
# The module is loaded first and must unload at the end.
set -u
SRC=$NETMAP_SRCDIR
B=$NETMAP_BUILDDIR
KO=$NETMAP_KO
ABI=$B/abi_conformance
LOG=/tmp/vmtest.log
PARAMS=/sys/module/netmap/parameters
export NETMAP_BACKEND=kernel
npass=0
nfail=0

pass() {
	echo "VMTEST: PASS $*"
	npass=$((npass + 1))
}

fail() {
	echo "VMTEST: FAIL $*"
	nfail=$((nfail + 1))
	[ -s $LOG ] && sed 's/^/    | /' $LOG | tail -40
}

# check <group: name> <command...>: the command's status decides.
check() {
	local name=$1 t0=$SECONDS
	shift
	if timeout 300 "$@" >$LOG 2>&1; then
		pass "$name ($((SECONDS - t0))s)"
	else
		echo "(exit status $?)" >>$LOG
		fail "$name ($((SECONDS - t0))s)"
	fi
}

# TAP in $2 (of a program that exited with status $3) as VMTEST lines:
# "ok" is PASS (SKIP with a "# skip" directive), "not ok" is FAIL.
tap_report() {
	local group=$1 file=$2 status=$3
	awk -v g="$group" '
		/^ok / {
			sub(/^ok /, "")
			print (tolower($0) ~ / # skip/ ? "VMTEST: SKIP " : "VMTEST: PASS ") g ": " $0
			next
		}
		/^not ok / { sub(/^not ok /, ""); print "VMTEST: FAIL " g ": " $0; next }
		/^#/ { print "    " $0 }
	' "$file"
	npass=$((npass + $(grep -c '^ok ' "$file")))
	nfail=$((nfail + $(grep -c '^not ok ' "$file")))
	if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$file"; then
		tail -20 "$file" >$LOG
		case $status in
		124|137) echo "(killed at the time budget)" >>$LOG ;;
		esac
		fail "$group: exit status $status"
	elif ! grep -qE '^(not )?ok ' "$file"; then
		cp "$file" $LOG
		fail "$group: no test ran"
	fi
}

# Run a TAP program under the remaining time budget and report it.
tap() {
	local group=$1 status=0
	shift
	timeout -k 5 "$(budget_left)" "$@" >$LOG.tap 2>&1 || status=$?
	tap_report "$group" $LOG.tap $status
}

# Seconds left of the guest's budget (VM_BUDGET), at least 30.
budget_left() {
	local left=$((DEADLINE - SECONDS))
	echo $((left > 30 ? left : 30))
}

kmsg_mark() { echo "vm-check: $*" >/dev/kmsg; }

# The tools for bats.  Programs linked with libtool are wrapper scripts
# (bash, then sed, then the program) and every process start is slow
# under emulation: point at the real binaries in .libs instead, with the
# library path the wrapper would have set.
tools_dir() {
	local d=/tmp/vmtools f n
	mkdir -p $d
	for f in "$B"/*; do
		n=$(basename "$f")
		[ -f "$f" ] && [ -x "$f" ] || continue
		if [ -x "$B/.libs/$n" ] && head -c 2 "$f" | grep -q '#!'; then
			ln -sf "$B/.libs/$n" $d/$n
		else
			ln -sf "$f" $d/$n
		fi
	done
	echo $d
}

# The guest's e1000 NICs (vm-check.sh puts two on one qemu hub), by MAC.
qemu_hub_nics() {
	local n out=
	for n in /sys/class/net/*; do
		case $(cat "$n/address" 2>/dev/null) in
		52:54:00:4e:4d:0[12]) out="$out ${n##*/}" ;;
		esac
	done
	echo $out
}

# Run bats file $2 as job $1 (its tap, status and time in /tmp/bats.$1.*),
# only the tests the tag filter $3 selects, within the time budget: too
# little time left and it is not started ("skipped").
bats_start() (
	local i=$1 f=$2 tags=$3 t0=$SECONDS left=$((DEADLINE - SECONDS))

	if [ $left -lt 60 ]; then
		echo skipped >/tmp/bats.$i.rc
		return
	fi
	cd /tmp && NETMAP_TOOLS_DIR=$TOOLS NETMAP_SRCDIR=$SRC \
		TOOL_TIMEOUT=${VM_TOOL_TIMEOUT:-90} NETMAP_TEST_RMMOD_VETH=1 \
		NETMAP_TEST_QEMU_HUB="$(qemu_hub_nics)" \
		NETMAP_TEST_TIMESCALE=${VM_TIMESCALE:-4} \
		timeout -k 5 $left bats --tap --filter-tags "$tags" "$f" \
		>/tmp/bats.$i.tap 2>&1
	echo $? >/tmp/bats.$i.rc
	echo $((SECONDS - t0)) >/tmp/bats.$i.time
)

# The bats suite, VM_BATS_JOBS files at a time (default 2, one per vCPU),
# files matching VM_BATS (default: all), within the time budget: a file
# that cannot start any more is reported as skipped, a file still running
# at the deadline is killed and fails.  Emulation is 10-20 times slower
# than the host, so the tools' timeout (helpers.bash) is raised to 90 s
# and the waits that give a tool time to act are scaled by VM_TIMESCALE.
# A test tagged `# bats test_tags=vm:alone` changes what every port of the
# module shares (the global region's geometry) or counts what every port
# holds (the module's references): it runs after the others, with no other
# bats file beside it.
run_bats() {
	local jobs=${VM_BATS_JOBS:-2} running=0 i=0 f n
	local -a files=() alone=()

	TOOLS=$(tools_dir)
	export LD_LIBRARY_PATH=$B/.libs
	for f in "$SRC"/test/bats/*.bats; do
		[ -e "$f" ] || continue
		if [ -n "${VM_BATS:-}" ]; then
			for n in $VM_BATS; do
				case $(basename "$f") in *"$n"*) files+=("$f"); break ;; esac
			done
		else
			files+=("$f")
		fi
	done
	[ ${#files[@]} -gt 0 ] || { echo "    (no bats files under $SRC/test/bats)"; return; }
	rm -f /tmp/bats.*
	for f in "${files[@]}"; do
		i=$((i + 1))
		bats_start $i "$f" '!vm:alone' &
		running=$((running + 1))
		if [ $running -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for f in "${files[@]}"; do
		grep -q '^# bats test_tags=.*vm:alone' "$f" || continue
		i=$((i + 1))
		alone+=("$f")
		bats_start $i "$f" vm:alone
	done
	i=0
	for f in "${files[@]}" "${alone[@]}"; do
		i=$((i + 1))
		n=$(basename "$f")
		[ $i -le ${#files[@]} ] || n="$n (vm:alone)"
		if [ "$(cat /tmp/bats.$i.rc)" = skipped ]; then
			echo "VMTEST: SKIP bats $n: not started, time budget (VM_BUDGET) used up"
			continue
		fi
		tap_report "bats $n" /tmp/bats.$i.tap "$(cat /tmp/bats.$i.rc)"
		echo "    ($n: $(cat /tmp/bats.$i.time)s)"
	done
}

DEADLINE=$((SECONDS + ${VM_BUDGET:-1860}))
echo "guest: $(uname -r), $(nproc) cpus, tests: $VM_TESTS, budget ${VM_BUDGET:-1860}s"
kmsg_mark "loading netmap"
check "module: insmod netmap.ko" insmod "$KO"
if [ ! -d /sys/module/netmap ]; then
	echo "VMTEST-SUMMARY $npass passed, $nfail failed"
	exit 1
fi

for group in $VM_TESTS; do
	kmsg_mark "group $group"
	case $group in
	module) . "$SRC/test/vm/guest-module.sh" ;;
	abi) tap abi "$ABI" ;;
	trust) tap trust "$B/kmod_trust" ;;
	fuzz)
		tap fuzz "$B/ioctl_fuzz" "${VM_FUZZ_OPS:-1000000}" 4 2 \
			"${VM_FUZZ_SEED:-1}" "${VM_FUZZ_SECONDS:-420}"
		# What the fuzzer left is found now, not at the end; if the
		# module stays in use, say what holds it: its reference count,
		# the processes with /dev/netmap open, the interfaces
		# (persistent ports are some) and the switches' ports.
		check "fuzz: rmmod afterwards, nothing leaked" bash -c '
			rmmod netmap && exit 0
			echo "netmap refcnt: $(cat /sys/module/netmap/refcnt)"
			for fd in /proc/[0-9]*/fd/*; do
				[ "$(readlink "$fd")" = /dev/netmap ] &&
				echo "open by ${fd#/proc/}: $(tr "\0" " " \
					<"${fd%/fd/*}/cmdline")"
			done 2>/dev/null
			echo "interfaces:" $(ls /sys/class/net)
			echo "switch ports:"; "$1/vale-ctl" -l 2>&1 | head -20
			exit 1' holders "$B"
		check "fuzz: the module unloaded with nothing leaked" bash -c '
			dmesg | tail -n 5 | grep -q "netmap: unloaded, nothing leaked"'
		check "fuzz: insmod again" insmod "$KO"
		;;
	ringfuzz) tap ringfuzz "$B/test_ring_fuzz" 1000000 1 both \
			"${VM_RINGFUZZ_SECONDS:-60}" ;;
	core) tap core "$B/test_core" ;;
	poll) NETMAP_TEST_TIMESCALE=${VM_TIMESCALE:-4} tap poll "$B/test_poll" ;;
	bench) . "$SRC/test/vm/guest-bench.sh"
		[ "${VM_BENCH_ONLY:-}" = rx ] ||
			. "$SRC/test/vm/guest-bench-poll.sh" ;;
	bats) run_bats ;;
	/*) if [ -f "$group" ]; then
		. "$group"	# a script of checks (debugging aid)
	    else
		echo "no such file: $group (the guest sees the host's / read-only, not its /tmp)" >$LOG
		fail "group $group"
	    fi ;;
	*) echo "unknown test group $group" >$LOG; fail "group $group" ;;
	esac
done

kmsg_mark "unloading netmap"
check "module: rmmod netmap at the end" rmmod netmap
check "module: /dev/netmap gone after rmmod" test ! -e /dev/netmap
dmesg | grep -E 'netmap' | tail -5 | sed 's/^/    dmesg: /'
exit $((nfail > 0))
