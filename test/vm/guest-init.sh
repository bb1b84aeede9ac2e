#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# /init of the vm-check initramfs (busybox).  Loads the virtio and 9p
# modules, mounts the host's root folder (read-only, virtio-9p) on /mnt,
# gives it writable tmpfs for /tmp, /dev/shm, /run and /var/tmp, and runs
# guest-tests.sh with the host's bash inside a chroot.  Folders the tests
# need that lie under the host's /tmp are bound back over the tmpfs.
# The last line on the console is "VMTEST-END rc=N", then power off.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /config

for m in $(cat /modules/order); do
	case $m in veth|pktgen) continue ;; esac	# loaded by the tests
	insmod /modules/$m.ko || echo "VMTEST: FAIL boot: insmod $m"
done

if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
	hostroot /mnt; then
	echo "VMTEST: FAIL boot: cannot mount the host root over 9p"
	echo "VMTEST-END rc=1"
	poweroff -f
fi
mount -o bind /mnt/tmp /hosttmp
for d in tmp dev/shm run var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs /mnt/$d
done
mount -t proc proc /mnt/proc
mount -t sysfs sys /mnt/sys
mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/shm /mnt/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /mnt/dev/shm
mount -t devpts devpts /mnt/dev/pts
# Huge pages for the EXTMEM tests, as a machine configured for them has.
mkdir -p /mnt/dev/hugepages
if mount -t hugetlbfs -o mode=1777 hugetlbfs /mnt/dev/hugepages; then
	echo 32 >/proc/sys/vm/nr_hugepages
fi
# What udev would add: bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /mnt/dev/fd
ln -sf /proc/self/fd/0 /mnt/dev/stdin
ln -sf /proc/self/fd/1 /mnt/dev/stdout
ln -sf /proc/self/fd/2 /mnt/dev/stderr
for p in $VM_KEEP; do
	case $p in
	/tmp/*)
		mkdir -p "/mnt$p"
		mount -o bind "/hosttmp${p#/tmp}" "/mnt$p"
		;;
	esac
done
# The host's veth.ko for tests that want a network device pair, pktgen.ko
# for the benchmark, and busybox's module tools for hosts without kmod
# (last in PATH).
cp /modules/veth.ko /mnt/tmp/veth.ko 2>/dev/null
cp /modules/pktgen.ko /mnt/tmp/pktgen.ko 2>/dev/null
mkdir -p /mnt/tmp/vmbin
cp /bin/busybox /mnt/tmp/vmbin/
for a in insmod rmmod lsmod; do ln -s busybox /mnt/tmp/vmbin/$a; done

chroot /mnt /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/tmp/vmbin \
	HOME=/tmp TERM=dumb LANG=C.UTF-8 \
	NETMAP_SRCDIR="$NETMAP_SRCDIR" NETMAP_BUILDDIR="$NETMAP_BUILDDIR" \
	NETMAP_KO="$NETMAP_KO" VM_TESTS="$VM_TESTS" VM_BUDGET="$VM_BUDGET" \
	VM_BATS="$VM_BATS" VM_BATS_JOBS="$VM_BATS_JOBS" VM_TOOL_TIMEOUT="$VM_TOOL_TIMEOUT" \
	VM_TIMESCALE="$VM_TIMESCALE" VM_FUZZ_OPS="$VM_FUZZ_OPS" \
	VM_RINGFUZZ_SECONDS="$VM_RINGFUZZ_SECONDS" \
	VM_BENCH_SECONDS="$VM_BENCH_SECONDS" VM_BENCH_ROUNDS="$VM_BENCH_ROUNDS" \
	VM_BENCH_ONLY="${VM_BENCH_ONLY:-}" \
	VM_FUZZ_SECONDS="$VM_FUZZ_SECONDS" VM_FUZZ_SEED="$VM_FUZZ_SEED" \
	/bin/bash "$NETMAP_SRCDIR/test/vm/guest-tests.sh"
rc=$?
echo "VMTEST-END rc=$rc"
sync
poweroff -f
