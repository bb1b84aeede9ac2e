#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# vm-bench: measurements of the kernel module inside the qemu guest of
# vm-check.sh (group "bench"), in one boot:
# - test/vm/guest-bench.sh: the emulated adapter's tx and rx rates on a
#   veth pair against AF_PACKET on the same pair, VM_BENCH_ROUNDS rounds
#   (the generic_ratio_af_packet lines, medians of the rounds' ratios,
#   printed as the guest wrote them);
# - test/vm/guest-bench-poll.sh: the poll-over-busy-wait ratios of issue 13,
#   pkt-gen through a pipe and through VALE, each sleeping in poll and
#   spinning (--busy-wait) in adjacent runs.  Writes
#   BUILDDIR/bench/vm-results.json and prints a table; the ratios are taken
#   within a round and reported as medians.
# Exit status: vm-check's.  The whole guest log is BUILDDIR/bench/vm-bench.log.
#
# The guest is emulated (TCG): its absolute rates are far below the
# host's and mean little; the ratios compare two ways of doing the same
# thing on the same emulated machine.  VM_BENCH_SECONDS (3 per poll run),
# VM_BENCH_ROUNDS (3), VM_BENCH_SECS (4 per adapter run), and the variables
# of vm-check.sh (VM_KERNEL...) apply.
set -uo pipefail

SRCDIR=${NETMAP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# median
. "$SRCDIR/bench/stats.sh"
BUILDDIR=${NETMAP_BUILDDIR:-$(pwd)}
out=$BUILDDIR/bench/vm-results.json
log=$BUILDDIR/bench/vm-bench.log
target=0.6
mkdir -p "$BUILDDIR/bench" || exit 1

VM_TESTS=bench VM_BUDGET=${VM_BUDGET:-1200} \
	NETMAP_SRCDIR="$SRCDIR" NETMAP_BUILDDIR="$BUILDDIR" \
	bash "$SRCDIR/test/vm/vm-check.sh" >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" | grep -E '^(VMBENCH:|VMTEST: FAIL|vm-check:)' | sed 's/^VMBENCH: //'

declare -A V
rounds=0
while read -r _ item r m; do
	r=${r#round=} m=${m#mpps=}
	V[$item,$r]=$m
	[ "$r" -gt "$rounds" ] && rounds=$r
done < <(tr -d '\r' <"$log" | grep '^VMBENCH ')

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "n/a" || b == "n/a" || a == "" || b == "" || b + 0 == 0) print "n/a"
		else printf "%.4g\n", a / b }'
}
jnum() { case $1 in n/a|"") echo null ;; *) echo "$1" ;; esac; }

kver=$(tr -d '\r' <"$log" | sed -n 's/^guest: \([^,]*\),.*/\1/p' | head -1)
echo
printf '%-22s' "module, Mpps"
for r in $(seq "$rounds"); do printf ' %10s' "round $r"; done
printf ' %10s\n' median
declare -A MED RM
for item in pipe_busy pipe_poll vale60_busy vale60_poll; do
	vals=()
	printf '%-22s' "$item"
	for r in $(seq "$rounds"); do
		printf ' %10s' "${V[$item,$r]:-n/a}"
		vals+=("${V[$item,$r]:-n/a}")
	done
	MED[$item]=$(median "${vals[@]}")
	printf ' %10s\n' "${MED[$item]}"
done
misses=0
for k in pipe vale60; do
	vals=()
	printf '%-22s' "${k}_poll_ratio_busy"
	for r in $(seq "$rounds"); do
		x=$(ratio "${V[${k}_poll,$r]:-n/a}" "${V[${k}_busy,$r]:-n/a}")
		vals+=("$x")
		printf ' %10s' "$x"
	done
	RM[$k]=$(median "${vals[@]}")
	vd=$(awk -v v="${RM[$k]}" -v t=$target 'BEGIN {
		if (v == "n/a") print "n/a"; else print (v + 0 >= t ? "ok" : "MISS") }')
	[ "$vd" = ok ] || misses=$((misses + 1))
	printf ' %10s  >= %s %s\n' "${RM[$k]}" "$target" "$vd"
done
{
	echo "{"
	echo "  \"pipe_poll_ratio_busy\": $(jnum "${RM[pipe]}"),"
	echo "  \"vale60_poll_ratio_busy\": $(jnum "${RM[vale60]}"),"
	for item in pipe_busy pipe_poll vale60_busy vale60_poll; do
		echo "  \"${item}_mpps\": $(jnum "${MED[$item]}"),"
	done
	echo "  \"target\": $target,"
	echo "  \"targets_missed\": $misses,"
	echo "  \"rounds\": $rounds,"
	echo "  \"kernel\": \"${kver:-unknown}\","
	echo "  \"date\": \"$(date -u +%FT%TZ)\","
	echo "  \"source\": \"$(git -C "$SRCDIR" describe --always --dirty 2>/dev/null || echo unknown)\""
	echo "}"
} >"$out"
echo "results: $out (log: $log)"
exit "$rc"
