#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# vm-check: test netmap.ko inside a qemu guest booting Debian's own kernel.
#
# The machines this project is developed and tested on run kernels without
# module support, so the module is never loaded on the host.  This script:
#
#   1. installs what it needs (the "vm" group of scripts/deps.sh: qemu,
#      gcc-12, make...);
#   2. downloads Debian's kernel image and headers (apt-get download, then
#      dpkg -x into a cache folder: nothing goes into the host's /boot or
#      /lib/modules);
#   3. builds netmap.ko against those headers (kmod/kmod.mk, gcc-12) and
#      fails on any compiler warning;
#   4. boots the kernel under qemu (TCG, always under `timeout`) with the
#      host's root folder shared read-only over virtio-9p and two e1000
#      NICs joined only to each other by a qemu hub (no host network,
#      for the NIC tests); a busybox
#      initramfs mounts it, adds writable tmpfs for /tmp, /dev/shm, /run,
#      and runs test/vm/guest-tests.sh with the host's bash in a chroot, so
#      the guest runs the freshly built programs and the host's bats;
#   5. reads the guest's serial log: the run fails on any FAIL line, on a
#      missing end marker, and on any Oops, BUG, WARNING, lockdep, refcount,
#      "Call Trace", panic or leak report of the guest's kernel.
#
# Exit status: 0 all passed, 1 something failed, 0 with a "vm-check: SKIP"
# line when the host cannot run the guest at all (no qemu and no way to
# install it, no kernel packages reachable).  A module that does not build
# or a failing test is never a skip.
#
# Environment:
#   NETMAP_SRCDIR    top of the source tree   (default: from this script)
#   NETMAP_BUILDDIR  top of the build tree    (default: current folder)
#   VM_CACHE   downloaded kernels   (default ${XDG_CACHE_HOME:-~/.cache}/netmap-vm)
#   VM_WORK    per-run files         (default $NETMAP_BUILDDIR/test/vm/work)
#   VM_KERNEL  6.1 (bookworm, default) or 6.12 (bookworm-backports)
#   VM_KVER    exact kernel release, e.g. 6.1.0-56-amd64 (default: newest)
#   VM_FLAVOUR amd64 (default; the cloud-amd64 flavour has no 9p support)
#   VM_BUDGET  seconds the guest's tests may take (default 1860); bats
#              files that cannot start in time are reported as skipped
#   VM_TIMEOUT seconds before qemu is killed (default VM_BUDGET + 150)
#   VM_CPU     qemu -cpu model (default max,-cx16)
#   VM_MEM     guest memory in MiB (default 4096: 252 VALE ports need ~2.3 GB)
#   VM_APPEND  more guest kernel parameters (experiments: "tsc=reliable
#              clocksource=tsc" replaces the emulated HPET's clock reads)
#   VM_TESTS   space-separated test groups to run in the guest
#              (default: "module abi trust ringfuzz core poll fuzz
#              bats"; see guest-tests.sh; "bench" is make vm-bench's)
#   VM_FUZZ_OPS  operations of the guest ioctl fuzzer (group fuzz,
#              default 1000000)
#   VM_FUZZ_SECONDS  the fuzzer stops there if its operations are not
#              done (default 420: on a quiet 2-core host the 1,000,000
#              operations take about 300 s under TCG, so every default
#              run does them all; a loaded host stops short, saying how
#              many it did; 0 = no limit)
#   VM_FUZZ_SEED  its seed (default 1, so that every run repeats the same
#              operations; "-" takes the time).  The long campaign,
#              VM_FUZZ_OPS operations with a new seed and no time limit,
#              is `make vm-fuzz`.
#   VM_RINGFUZZ_SECONDS  how long the ring-corruption fuzzer runs (group
#              ringfuzz, default 60; seed 1)
#   VM_BATS    only the bats files whose names contain one of these words
#   VM_BATS_JOBS  bats files run at once in the guest (default 2)
#   VM_TOOL_TIMEOUT  TOOL_TIMEOUT of the bats helpers in the guest (default 90)
#   VM_TIMESCALE  NETMAP_TEST_TIMESCALE of the bats helpers in the guest: the
#              factor applied to the waits that give a tool time to act
#              (default 4)
#   VM_BENCH_SECONDS, VM_BENCH_ROUNDS  the bench group's runs (3 s, 3 rounds)
#   VM_BENCH_ONLY=rx  the bench group measures only the injected rx rows
#   VM_ALLOW_WARNINGS=1  do not fail on compiler warnings
#   VM_LOCK    a file to hold an flock(1) on while the guest runs (and
#              only then), for machines where several people run guests
#              one at a time (make fresh-check passes the host's)
set -uo pipefail

T0=$(date +%s)
SRCDIR=${NETMAP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${NETMAP_BUILDDIR:-$(pwd)}
SRCDIR=$(cd "$SRCDIR" && pwd)
BUILDDIR=$(cd "$BUILDDIR" && pwd)
CACHE=${VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netmap-vm}
WORK=${VM_WORK:-$BUILDDIR/test/vm/work}
SERIES=${VM_KERNEL:-6.1}
FLAVOUR=${VM_FLAVOUR:-amd64}
BUDGET=${VM_BUDGET:-1860}
TIMEOUT=${VM_TIMEOUT:-$((BUDGET + 150))}
MEM=${VM_MEM:-4096}
# -cx16: 6.12 double-faults under TCG with cmpxchg16b (SLUB fast path);
# "max" rather than qemu64: process start-up (bash) is about twice as fast.
CPU=${VM_CPU:-max,-cx16}
TESTS=${VM_TESTS:-module abi trust ringfuzz core poll fuzz bats}

elapsed() { echo $(($(date +%s) - T0)); }
step() { printf '=== [%4ss] %s\n' "$(elapsed)" "$*"; }
skip() {
	echo "vm-check: SKIP: $*"
	echo "vm-check: 0 passed, 0 failed (skipped) in $(elapsed)s"
	exit 0
}
die() {
	echo "vm-check: ERROR: $*" >&2
	echo "vm-check: 0 passed, 1 failed in $(elapsed)s"
	exit 1
}

export DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE" "$WORK" || die "cannot create $CACHE or $WORK"

# ---------------------------------------------------------------- tools
command -v dpkg-deb >/dev/null || skip "not a Debian system (no dpkg-deb)"
# The packages of the "vm" group of scripts/deps.sh, the project's one list.
if ! "$SRCDIR/scripts/deps.sh" vm >"$WORK/apt.log" 2>&1; then
	tail -5 "$WORK/apt.log"
	skip "cannot install $("$SRCDIR/scripts/deps.sh" --list vm)"
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not available"

# ---------------------------------------------------------------- kernel
# Private apt state for bookworm-backports, so the host's sources are
# never modified.
APT=(apt-get)
APT_CACHE=(apt-cache)
if [ "$SERIES" != 6.1 ]; then
	bp=$CACHE/apt-backports
	mkdir -p "$bp/lists/partial" "$bp/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" >"$bp/sources.list"
	opts=(-o "Dir::Etc::SourceList=$bp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
	      -o "Dir::State::Lists=$bp/lists" -o "Dir::Cache=$bp/cache")
	APT=(apt-get "${opts[@]}")
	APT_CACHE=(apt-cache "${opts[@]}")
	if [ ! -s "$bp/lists/lock" ] && ! ls "$bp/lists/"*Packages* >/dev/null 2>&1; then
		step "apt-get update (bookworm-backports, private lists)"
		"${APT[@]}" update -qq >"$WORK/apt.log" 2>&1 ||
			skip "cannot reach bookworm-backports"
	fi
fi

resolve_kver() {
	local dep
	dep=$("${APT_CACHE[@]}" depends "linux-image-$FLAVOUR" 2>/dev/null |
	      awk '/Depends: linux-image-[0-9]/{print $2}' | sort -V | tail -1)
	if [ "$SERIES" = 6.1 ]; then
		# The metapackage of bookworm proper points at a 6.1 kernel.
		case $dep in linux-image-6.1.*) ;; *) dep= ;; esac
	fi
	echo "${dep#linux-image-}"
}

KVER=${VM_KVER:-}
if [ -z "$KVER" ]; then
	KVER=$(resolve_kver)
	if [ -z "$KVER" ] && [ "$SERIES" = 6.1 ]; then
		step "apt-get update"
		apt-get update -qq >"$WORK/apt.log" 2>&1
		KVER=$(resolve_kver)
	fi
	[ -n "$KVER" ] || skip "cannot resolve the $SERIES kernel (linux-image-$FLAVOUR)"
fi
KROOT=$CACHE/root-$KVER
KDIR=$KROOT/usr/src/linux-headers-$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
MODDIR=$KROOT/lib/modules/$KVER

if [ ! -f "$KROOT/.complete" ]; then
	step "downloading kernel $KVER (image, headers)"
	debs=$CACHE/debs
	mkdir -p "$debs"
	hdeps=$("${APT_CACHE[@]}" depends "linux-headers-$KVER" 2>/dev/null |
		awk '/Depends: linux-(headers|kbuild|compiler)/{print $2}')
	(cd "$debs" && "${APT[@]}" download -qq "linux-image-$KVER" \
		"linux-headers-$KVER" $hdeps >"$WORK/download.log" 2>&1) ||
		{ tail -5 "$WORK/download.log"; skip "cannot download kernel $KVER"; }
	rm -rf "$KROOT"
	mkdir -p "$KROOT"
	for p in "linux-image-$KVER" "linux-headers-$KVER" $hdeps; do
		f=$(ls -t "$debs/${p}_"*.deb 2>/dev/null | head -1)
		[ -n "$f" ] || die "missing package $p"
		dpkg-deb -x "$f" "$KROOT" || die "cannot extract $f"
	done
	# The flavour headers include the -common ones by absolute path.
	sed -i "s|^include /usr/src/|include $KROOT/usr/src/|" "$KDIR/Makefile"
	touch "$KROOT/.complete"
fi
[ -f "$VMLINUZ" ] && [ -d "$KDIR" ] || die "kernel files missing in $KROOT"
# A static busybox for the initramfs, from bookworm (any kernel series).
BUSYBOX=$CACHE/busybox/bin/busybox
if [ ! -x "$BUSYBOX" ]; then
	step "downloading busybox-static"
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get download -qq busybox-static >"$WORK/download.log" 2>&1) ||
		{ tail -5 "$WORK/download.log"; skip "cannot download busybox-static"; }
	f=$(ls -t "$CACHE"/debs/busybox-static_*.deb | head -1)
	dpkg-deb -x "$f" "$CACHE/busybox" || die "cannot extract $f"
fi

# ---------------------------------------------------------------- module
step "building netmap.ko for $KVER"
MODOUT=$WORK/$KVER
mkdir -p "$MODOUT"
kbopts=()
# 6.12 headers want pahole for BTF of modules; it is optional.
command -v pahole >/dev/null || kbopts+=(CONFIG_DEBUG_INFO_BTF_MODULES=)
if ! make -f "$SRCDIR/kmod/kmod.mk" KDIR="$KDIR" NM_OUT="$MODOUT" KCC=gcc-12 \
	"${kbopts[@]}" >"$WORK/kbuild.log" 2>&1; then
	cat "$WORK/kbuild.log"
	die "netmap.ko does not build against $KVER"
fi
if grep -q 'warning:' "$WORK/kbuild.log"; then
	grep -B2 -A6 'warning:' "$WORK/kbuild.log"
	[ "${VM_ALLOW_WARNINGS:-0}" = 1 ] || die "compiler warnings building netmap.ko"
fi
KO=$MODOUT/kmod/netmap.ko
vermagic=$(strings -a "$KO" | grep '^vermagic=' | head -1)
case "$vermagic" in "vermagic=$KVER "*) ;; *) die "vermagic mismatch: $vermagic";; esac

# ---------------------------------------------------------------- initramfs
step "building the initramfs"
INITRD=$WORK/initrd-$KVER.gz
IR=$WORK/initramfs
rm -rf "$IR"
mkdir -p "$IR"/{bin,dev,proc,sys,mnt,hosttmp,modules}
cp "$BUSYBOX" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"

# Kernel modules the guest needs, with their dependencies, in load order.
declare -A seen=()
order=()
modpath() { find "$MODDIR/kernel" -name "$1.ko*" | head -1; }
addmod() {
	local m=$1 f d
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	f=$(modpath "$m")
	[ -n "$f" ] || return 0	# built into the kernel
	case $f in
	*.ko.xz) xz -dc "$f" >"$IR/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$IR/modules/$m.ko" ;;
	*) cp "$f" "$IR/modules/$m.ko" ;;
	esac || die "cannot unpack $f"
	for d in $(strings -a "$IR/modules/$m.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		addmod "$d"
	done
	order+=("$m")
}
# e1000: the guest's two NICs on a qemu hub; 8021q and bridge: VLAN and
# bridge devices for the emulated adapter (test/bats/095-nic.bats);
# pktgen: the load of the receive benchmark (test/vm/guest-bench.sh).
for m in virtio_pci 9pnet_virtio 9p veth e1000 8021q bridge pktgen; do addmod "$m"; done
# The guest reaches the host's files over virtio-9p only.
if [ -z "${seen[9p]:-}" ] || { [ -z "$(modpath 9p)" ] &&
	! grep -q '/9p\.ko' "$MODDIR/modules.builtin" 2>/dev/null; }; then
	die "kernel $KVER has no 9p file system (the cloud-amd64 flavour has none): use VM_FLAVOUR=amd64"
fi
printf '%s\n' "${order[@]}" >"$IR/modules/order"

# Paths the guest must see although they may lie under /tmp (tmpfs there).
cat >"$IR/config" <<EOF
NETMAP_SRCDIR='$SRCDIR'
NETMAP_BUILDDIR='$BUILDDIR'
NETMAP_KO='$KO'
VM_TESTS='$TESTS'
VM_BUDGET='$BUDGET'
VM_BATS='${VM_BATS:-}'
VM_FUZZ_OPS='${VM_FUZZ_OPS:-1000000}'
VM_FUZZ_SECONDS='${VM_FUZZ_SECONDS:-420}'
VM_FUZZ_SEED='${VM_FUZZ_SEED:-1}'
VM_RINGFUZZ_SECONDS='${VM_RINGFUZZ_SECONDS:-60}'
VM_BATS_JOBS='${VM_BATS_JOBS:-2}'
VM_TOOL_TIMEOUT='${VM_TOOL_TIMEOUT:-90}'
VM_TIMESCALE='${VM_TIMESCALE:-4}'
VM_BENCH_SECONDS='${VM_BENCH_SECONDS:-3}'
VM_BENCH_ROUNDS='${VM_BENCH_ROUNDS:-3}'
VM_BENCH_ONLY='${VM_BENCH_ONLY:-}'
VM_KEEP='$SRCDIR $BUILDDIR $WORK'
EOF
cp "$SRCDIR/test/vm/guest-init.sh" "$IR/init"
chmod +x "$IR/init"
(cd "$IR" && find . | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null | gzip -1) >"$INITRD" ||
	die "cannot build the initramfs"

# ---------------------------------------------------------------- boot
if [ -n "${VM_LOCK:-}" ]; then
	step "waiting for the lock $VM_LOCK"
	exec 9>>"$VM_LOCK" || die "cannot open $VM_LOCK (VM_LOCK)"
	flock 9 || die "cannot lock $VM_LOCK (VM_LOCK)"
fi
step "booting $KVER under qemu (TCG, timeout ${TIMEOUT}s)"
SERIAL=$WORK/serial-$KVER.log
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg -cpu "$CPU" -smp 2 -m "$MEM" -nic none \
	-netdev hubport,id=hp0,hubid=0 -device e1000,netdev=hp0,mac=52:54:00:4e:4d:01 \
	-netdev hubport,id=hp1,hubid=0 -device e1000,netdev=hp1,mac=52:54:00:4e:4d:02 \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=5 rdinit=/init ${VM_APPEND:-}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-nographic -no-reboot </dev/null 2>&1 | tee "$SERIAL" | tr -d '\r'
qrc=${PIPESTATUS[0]}
[ -n "${VM_LOCK:-}" ] && exec 9>&-
step "qemu exited with status $qrc"

# ---------------------------------------------------------------- verdict
# qemu that could not start (no TCG, no memory): nothing from the guest.
if [ "$qrc" -ne 0 ] && [ "$qrc" -ne 124 ] && [ "$qrc" -ne 137 ] &&
	! grep -qE 'SeaBIOS|VMTEST|^\[ *[0-9]+\.[0-9]+\]' "$SERIAL"; then
	skip "qemu cannot run here: $(grep -m1 'qemu-system' "$SERIAL")"
fi
pass=$(tr -d '\r' <"$SERIAL" | grep -c '^VMTEST: PASS ' || true)
fail=$(tr -d '\r' <"$SERIAL" | grep -c '^VMTEST: FAIL ' || true)
skipped=$(tr -d '\r' <"$SERIAL" | grep -c '^VMTEST: SKIP ' || true)
problems=()
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	problems+=("the guest timed out after ${TIMEOUT}s")
elif ! grep -q 'VMTEST-END' "$SERIAL"; then
	problems+=("the guest did not finish its tests (status $qrc)")
fi
kerr='Oops|BUG:|WARNING:|Call Trace|Kernel panic|lockdep|possible recursive locking|circular locking|refcount_t|general protection|soft lockup|hard LOCKUP|rcu_sched detected stall|blocked for more than|netmap: leaked|UBSAN|KASAN|list_add corruption|list_del corruption'
if tr -d '\r' <"$SERIAL" | grep -qE "$kerr"; then
	problems+=("the guest kernel reported errors:")
	tr -d '\r' <"$SERIAL" | grep -nE "$kerr" | head -20 | sed 's/^/    /'
	fail=$((fail + 1))
fi
for p in "${problems[@]}"; do echo "vm-check: $p"; done
if [ ${#problems[@]} -gt 0 ] && [ "$fail" -eq 0 ]; then
	fail=1
fi
echo
tr -d '\r' <"$SERIAL" | grep '^VMTEST: FAIL ' | sed 's/^/  /'
echo "vm-check: $pass passed, $fail failed, $skipped skipped in $(elapsed)s (kernel $KVER, log $SERIAL)"
[ "$fail" -eq 0 ]
