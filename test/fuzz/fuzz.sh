#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# make fuzz: build the libFuzzer targets of test/fuzz/ with clang
# (AddressSanitizer, UndefinedBehaviorSanitizer) and run each for
# FUZZ_SECONDS, starting from the seed corpus in test/fuzz/corpus/TARGET/
# (which also holds the reproducers of past findings, so they are re-run
# every time).  A target that crashes, leaks, trips a sanitizer or times
# out fails, and its input is kept in build/test/fuzz-out/work/TARGET/.
#
# Targets:
#   portspec      libnetmap's port specs, both grammars (fake backend)
#   ctrl          NIOCCTRL, options and legacy requests run by core/
#                 through the user-runtime host
#   pktgen_opts   pkt-gen's command line
#   valectl_opts  vale-ctl's command line
#   bridge_opts   bridge's command line
#   nmreplay_opts nmreplay's command line
#   lb_opts       lb's command line and its group naming
#   lb_hash       lb's header walk and symmetric flow hash, on any frame
#   pcap          the tools' pcap reader (tools/common/nt_pcap.c)
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_JOBS     targets run at once (default: the number of CPUs)
#   FUZZ_TARGETS  space-separated subset (default: all)
#   FUZZ_ARGS     extra libFuzzer arguments (e.g. -jobs=4 -workers=4)
#   FUZZ_CC       the compiler (default clang)
# Prints one line per target and "make fuzz: N passed, N failed".
# Longer campaigns: FUZZ_SECONDS=3600 make fuzz, or run a built target by
# hand (build/test/fuzz-out/fuzz_ctrl -help=1).
set -uo pipefail

SRC=${NETMAP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${NETMAP_BUILDDIR:-$(pwd)}/test/fuzz-out
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}
ALL="portspec ctrl pktgen_opts valectl_opts bridge_opts nmreplay_opts lb_opts lb_hash pcap"
TARGETS=${FUZZ_TARGETS:-$ALL}

command -v "$CC" >/dev/null || {
	echo "fuzz: $CC not found: run scripts/deps.sh (clang, libclang-rt-14-dev)"
	echo "make fuzz: 0 passed, 1 failed"
	exit 1
}
mkdir -p "$OUT"

CFLAGS=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -DHAVE_PROCESS_VM_READV=1
	-DHAVE_PCAP=1 -DPACKAGE_VERSION='"fuzz"' -Wall -Wno-unused-parameter
	-Werror=implicit-function-declaration -ftrivial-auto-var-init=pattern
	-I"$SRC/include" -I"$SRC/lib")

# The C files of a source list of the build (Makefile.am), test
# programs left out; run by hand, the lists are read from Makefile.am.
c_files() {
	local f
	for f in $1; do
		case $f in
		*.c) case $f in test/unit/test_*) ;; *) echo "$SRC/$f" ;; esac ;;
		esac
	done
}

am_list() {
	sed -n "/^$1 *=/,/[^\\]\$/p" "$SRC/Makefile.am" "$SRC"/*/*.am \
		"$SRC"/*/*/*.am 2>/dev/null | sed 's/^[^=]*=//; s/\\$//' |
		tr '\n' ' ' | sed 's/\$([a-z_]*)//g'
}

: "${FUZZ_SRC_CORE:=$(am_list libnmcore_la_SOURCES)}"
: "${FUZZ_SRC_LIB:=$(am_list nmlib_test_src)}"
: "${FUZZ_SRC_COMMON:=$(am_list libtoolcommon_la_SOURCES)}"
: "${FUZZ_SRC_PKTGEN:=$(am_list test_pktgen_opts_SOURCES)}"
: "${FUZZ_SRC_VALECTL:=$(am_list test_valectl_opts_SOURCES)}"
: "${FUZZ_SRC_BRIDGE:=$(am_list test_bridge_opts_SOURCES)}"
: "${FUZZ_SRC_NMREPLAY:=$(am_list test_nmreplay_opts_SOURCES)}"
: "${FUZZ_SRC_LB:=$(am_list test_lb_SOURCES)}"

# tools/common as an archive: a target links only the objects it uses.
common_lib() {
	local f o objs=()
	mkdir -p "$OUT/common"
	for f in $(c_files "$FUZZ_SRC_COMMON"); do
		o=$OUT/common/$(basename "$f" .c).o
		"$CC" "${CFLAGS[@]}" -c -o "$o" "$f" || return 1
		objs+=("$o")
	done
	rm -f "$OUT/libnt.a"
	ar rcs "$OUT/libnt.a" "${objs[@]}"
}

sources() {
	case $1 in
	portspec) echo "$SRC/test/fuzz/fuzz_portspec.c" \
		"$(c_files "$FUZZ_SRC_LIB") -I$SRC/core" ;;
	ctrl) echo "$SRC/test/fuzz/fuzz_ctrl.c $(c_files "$FUZZ_SRC_CORE")" \
		"-I$SRC/core -I$SRC/lib/rt -lpthread" ;;
	pktgen_opts) echo "$SRC/test/fuzz/fuzz_pktgen_opts.c" \
		"$(c_files "$FUZZ_SRC_PKTGEN")" \
		"-I$SRC/tools/common -I$SRC/tools/pkt-gen $OUT/libnt.a -lpcap -lm" ;;
	valectl_opts) echo "$SRC/test/fuzz/fuzz_valectl_opts.c" \
		"$(c_files "$FUZZ_SRC_VALECTL")" \
		"-I$SRC/tools/common -I$SRC/tools/vale-ctl $OUT/libnt.a -lpcap -lm" ;;
	bridge_opts) echo "$SRC/test/fuzz/fuzz_bridge_opts.c" \
		"$(c_files "$FUZZ_SRC_BRIDGE")" \
		"-I$SRC/tools/common -I$SRC/tools/bridge $OUT/libnt.a -lpcap -lm" ;;
	nmreplay_opts) echo "$SRC/test/fuzz/fuzz_nmreplay_opts.c" \
		"$(c_files "$FUZZ_SRC_NMREPLAY")" \
		"-I$SRC/tools/common -I$SRC/tools/nmreplay $OUT/libnt.a -lpcap -lm" ;;
	lb_opts) echo "$SRC/test/fuzz/fuzz_lb_opts.c" \
		"$(c_files "$FUZZ_SRC_LB")" \
		"-I$SRC/tools/common -I$SRC/tools/lb $OUT/libnt.a -lpcap -lm" ;;
	lb_hash) echo "$SRC/test/fuzz/fuzz_lb_hash.c $SRC/tools/lb/lb_hash.c" \
		"-I$SRC/tools/lb" ;;
	pcap) echo "$SRC/test/fuzz/fuzz_pcap.c -I$SRC/tools/common" \
		"$OUT/libnt.a -lpcap -lm" ;;
	*) return 1 ;;
	esac
}

build() {
	local t=$1 src
	src=$(sources "$t") || { echo "fuzz: unknown target $t"; return 1; }
	# shellcheck disable=SC2086
	"$CC" "${CFLAGS[@]}" -o "$OUT/fuzz_$t" $src >"$OUT/build-$t.log" 2>&1 ||
		{ cat "$OUT/build-$t.log"; return 1; }
}

# Run one target; writes its verdict line to $OUT/work/$t/verdict.
run() {
	local t=$1 w=$OUT/work/$1 rc runs rt
	rm -rf "$w"
	mkdir -p "$w/corpus"
	rt=$(mktemp -d /tmp/netmap-fuzz-rt.XXXXXX)
	chmod 700 "$rt"
	# shellcheck disable=SC2086
	NETMAP_RUNTIME_DIR=$rt ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1 \
		"$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=20 \
		-rss_limit_mb=2560 -print_final_stats=1 \
		-artifact_prefix="$w/" ${FUZZ_ARGS:-} \
		"$w/corpus" "$SRC/test/fuzz/corpus/$t" >"$w/log" 2>&1
	rc=$?
	rm -rf "$rt"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz: PASS $t: ${runs:-?} inputs in ${SECONDS_EACH}s," \
			"$(ls "$w/corpus" | wc -l) new in the corpus" >"$w/verdict"
	else
		{
			echo "fuzz: FAIL $t (status $rc): $(ls "$w"/crash-* "$w"/leak-* \
				"$w"/timeout-* "$w"/oom-* 2>/dev/null | head -1)"
			grep -E 'ERROR: |runtime error|SUMMARY' "$w/log" | head -5 |
				sed 's/^/    /'
		} >"$w/verdict"
	fi
}

pass=0
fail=0
rm -rf "$OUT/work"
common_lib >"$OUT/build-common.log" 2>&1 ||
	{ cat "$OUT/build-common.log"; echo "make fuzz: 0 passed, 1 failed"; exit 1; }
for t in $TARGETS; do
	build "$t" || { echo "fuzz: FAIL $t: does not build"; fail=$((fail + 1)); }
done
running=0
for t in $TARGETS; do
	[ -x "$OUT/fuzz_$t" ] || continue
	run "$t" &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for t in $TARGETS; do
	[ -f "$OUT/work/$t/verdict" ] || continue
	cat "$OUT/work/$t/verdict"
	if grep -q '^fuzz: PASS' "$OUT/work/$t/verdict"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "make fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
