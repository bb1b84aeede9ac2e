#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Runs inside the vm-check guest (see vm-check.sh), as root, in a chroot of
# the host's root folder: the host's bash, bats and the freshly built
# programs of the build tree.  Prints one line per check:
#     VMTEST: PASS <group>: <name>
#     VMTEST: FAIL <group>: <name>
# followed, for failures, by the output of the check (indented).
#
# Groups (VM_TESTS): module  parameters, device node, persistent ports,
#                            rmmod refusals, kill mid-traffic, open churn
#                    abi     test/vm/abi_conformance (raw ioctls)
#                    core    test_core with NETMAP_BACKEND=kernel
#                    bats    every test/bats/*.bats with NETMAP_BACKEND=kernel
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

# TAP output of one program or bats file, one VMTEST line per test.
tap() {
	local group=$1 line status=0
	shift
	timeout 600 "$@" >$LOG.tap 2>&1
	status=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "$group: ${line#ok }" ;;
		"not ok "*)
			: >$LOG
			fail "$group: ${line#not ok }"
			;;
		"#"*) echo "    $line" ;;
		esac
	done <$LOG.tap
	if ! grep -qE '^(not )?ok ' $LOG.tap || { [ $status -ne 0 ] && ! grep -q '^not ok' $LOG.tap; }; then
		cp $LOG.tap $LOG
		fail "$group: exit status $status"
	fi
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

echo "guest: $(uname -r), $(nproc) cpus, tests: $VM_TESTS"
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
	core) tap core "$B/test_core" ;;
	bats)
		TOOLS=$(tools_dir)
		export LD_LIBRARY_PATH=$B/.libs
		found=0
		for f in "$SRC"/test/bats/*.bats; do
			[ -e "$f" ] || continue
			found=1
			t0=$SECONDS
			(cd /tmp && NETMAP_TOOLS_DIR=$TOOLS NETMAP_SRCDIR=$SRC \
				tap "bats $(basename "$f")" bats --tap "$f")
			echo "    ($(basename "$f"): $((SECONDS - t0))s)"
		done
		[ $found = 1 ] || echo "    (no bats files under $SRC/test/bats)"
		;;
	/*) . "$group" ;;	# a script of checks (debugging aid)
	*) echo "unknown test group $group" >$LOG; fail "group $group" ;;
	esac
done

# Counters of subshells are lost: recount from the console is the host's job.
kmsg_mark "unloading netmap"
check "module: rmmod netmap at the end" rmmod netmap
check "module: /dev/netmap gone after rmmod" test ! -e /dev/netmap
dmesg | grep -E 'netmap' | tail -5 | sed 's/^/    dmesg: /'
exit $((nfail > 0))
