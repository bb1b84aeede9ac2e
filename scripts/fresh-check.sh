#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# make fresh-check: the README's two commands on a machine with nothing
# installed.  A minimal Debian 12 root (debootstrap --variant=minbase,
# from Debian's archive, kept as a tarball under ~/.cache/netmap-fresh so
# that reruns start in seconds) gets a clone of this checkout's HEAD in
# /root/netmap (a folder other users cannot enter, as on a machine used
# as root), and runs, chrooted, with the host's /dev, /dev/shm, /proc and
# /sys bound in a mount namespace of its own:
#
#     ./quickstart && ./run-tests
#
# It prints run-tests' last line ("N passed, N failed, N skipped") and
# exits with run-tests' status.  As root only (debootstrap, chroot,
# mounts).  run-tests includes the qemu module tests (about 15 minutes);
# NETMAP_VM_CHECK=0 leaves them out for quicker rounds, as it does for
# run-tests itself.  The full log: $FRESH_WORK/fresh-check.log, the
# test logs in $FRESH_WORK/logs.
#
# Environment:
#   FRESH_CACHE   the cached root   (default ${XDG_CACHE_HOME:-~/.cache}/netmap-fresh)
#   FRESH_WORK    the scratch root  (default a new folder under /var/tmp)
#   FRESH_KEEP=1  keep the scratch root afterwards
#   FRESH_MIRROR  Debian mirror     (default http://deb.debian.org/debian)
#   FRESH_CMD     what to run in the root instead, for a quicker look at one
#                 failure (default "./quickstart && ./run-tests")
#   FRESH_VM_LOCK the host's file that serialises qemu guests (default
#                 /tmp/netmap-vm.lock; empty: none): bound into the root,
#                 the guest run holds it (VM_LOCK of vm-check), the rest not
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netmap-fresh}
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
TARBALL=$CACHE/bookworm-minbase.tar

die() {
	echo "fresh-check: $*" >&2
	echo "fresh-check: 0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mounts)"
"$top/scripts/deps.sh" fresh || die "cannot install debootstrap"
mkdir -p "$CACHE" || die "cannot create $CACHE"

# The minimal root, made once.
if [ ! -s "$TARBALL" ]; then
	echo "fresh-check: debootstrap --variant=minbase bookworm (once, cached in $CACHE)"
	boot=$(mktemp -d /var/tmp/netmap-debootstrap.XXXXXX)
	if ! debootstrap --variant=minbase bookworm "$boot" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1; then
		tail -20 "$CACHE/debootstrap.log"
		rm -rf "$boot"
		die "debootstrap failed (log: $CACHE/debootstrap.log)"
	fi
	tar -C "$boot" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL" ||
		die "cannot write $TARBALL"
	rm -rf "$boot"
fi

WORK=${FRESH_WORK:-$(mktemp -d /var/tmp/netmap-fresh.XXXXXX)}
ROOT=$WORK/root
LOG=$WORK/fresh-check.log
mkdir -p "$ROOT" || die "cannot create $ROOT"
# The logs of the run stay in $WORK/logs, the root only with FRESH_KEEP=1.
cleanup() {
	local b=$ROOT/root/netmap/build

	mkdir -p "$WORK/logs"
	cp "$b"/test-suite.log "$b"/check.out "$b"/vm-check.out "$WORK/logs/" 2>/dev/null
	find "$b/test" -name '*.log' -exec cp --parents {} "$WORK/logs/" \; 2>/dev/null
	[ "${FRESH_KEEP:-0}" = 1 ] || rm -rf "$ROOT"
}
trap cleanup EXIT
echo "fresh-check: a fresh root in $ROOT"
tar -C "$ROOT" -xf "$TARBALL" || die "cannot unpack $TARBALL"
# "/" as on any machine (the tarball's "." came from a 0700 mktemp).
chmod 0755 "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
git clone -q "$top" "$ROOT/root/netmap" || die "cannot clone $top"
echo "fresh-check: cloned $(git -C "$top" log -1 --format='%h %s')"

# In a mount namespace of our own: the binds go away with it.
inner='
set -u
root=$1
# The root a mount point, as "/" is on a machine: tests make mount
# namespaces of their own, which needs one.
mount --bind "$root" "$root" || exit 98
for d in dev dev/shm proc sys; do
	mkdir -p "$root/$d"
	mount --rbind "/$d" "$root/$d" || exit 98
	mount --make-rslave "$root/$d"
done
if [ -n "$3" ]; then
	: >>"$root/tmp/netmap-vm.lock" && chmod 1777 "$root/tmp" &&
		mount --bind "$3" "$root/tmp/netmap-vm.lock" || exit 98
fi
exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	${NETMAP_VM_CHECK:+NETMAP_VM_CHECK=$NETMAP_VM_CHECK} \
	${3:+VM_LOCK=/tmp/netmap-vm.lock} \
	/bin/bash -c "cd /root/netmap && $2"
'
CMD=${FRESH_CMD:-./quickstart && ./run-tests}
VMLOCK=${FRESH_VM_LOCK-/tmp/netmap-vm.lock}
if [ -n "$VMLOCK" ]; then
	: >>"$VMLOCK" || die "cannot open $VMLOCK (FRESH_VM_LOCK)"
fi
echo "fresh-check: $CMD (log: $LOG)"
NETMAP_VM_CHECK=${NETMAP_VM_CHECK:-} unshare -m --propagation private \
	bash -c "$inner" fresh "$ROOT" "$CMD" "$VMLOCK" >"$LOG" 2>&1
status=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG" | tail -n 1)
if [ -z "$line" ]; then
	tail -n 30 "$LOG"
	die "run-tests gave no summary (status $status; log $LOG)"
fi
grep -E '^(FAIL|ERROR|XPASS)|^ *VMTEST: FAIL|^vm-check: |^make check: ' "$LOG" | tail -n 40
echo "fresh-check: $line"
[ "$status" = 0 ]
