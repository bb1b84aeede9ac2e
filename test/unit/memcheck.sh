#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# The unit test programs again, under valgrind's memcheck: a read of an
# uninitialised value or outside an object fails the check even where the
# optimised program happens to survive it (an enum word the option parser
# rejected once indexed the value table with an uninitialised index, and
# -O2 code read it without crashing).  TAP, one line per program.
# valgrind is installed by scripts/deps.sh: without it this fails.
set -u
B=${NETMAP_TOOLS_DIR:-.}
PROGS=(test_abi test_core test_common_parse test_common_opt test_common_stats
       test_portspec test_nmport test_legacy test_pktgen_opts test_valectl_opts
       test_bridge_opts test_nmreplay_opts test_nmreplay_sched test_lb)

echo "1..${#PROGS[@]}"
if ! command -v valgrind >/dev/null; then
	for i in "${!PROGS[@]}"; do
		echo "not ok $((i + 1)) - ${PROGS[$i]} under memcheck: valgrind is not installed (scripts/deps.sh installs it)"
	done
	exit 1
fi
log=$(mktemp "${TMPDIR:-/tmp}/memcheck.XXXXXX")
trap 'rm -f "$log"' EXIT
export NETMAP_RUNTIME_DIR
rc=0
for i in "${!PROGS[@]}"; do
	p=${PROGS[$i]}
	NETMAP_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nmrt.XXXXXX")
	valgrind -q --error-exitcode=99 "$B/$p" >/dev/null 2>"$log"
	st=$?
	rm -rf "$NETMAP_RUNTIME_DIR"
	# Memory errors only: the program's own checks are those of its
	# plain run (several measure time, which valgrind stretches).
	if [ "$st" != 99 ] && ! grep -q '^==[0-9]*==' "$log"; then
		note=
		[ "$st" = 0 ] || note=" (its own checks: exit $st)"
		echo "ok $((i + 1)) - $p under memcheck: no error$note"
	else
		echo "not ok $((i + 1)) - $p under memcheck (exit $st)"
		sed 's/^/# /' "$log" | head -40
		rc=1
	fi
done
exit $rc
