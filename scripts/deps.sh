#!/bin/bash
# Install what building and testing need, on Debian 12, when it is missing:
# the one list of the packages the project uses.
#
#   scripts/deps.sh            build and test (what ./quickstart and make check use)
#   scripts/deps.sh vm         the kernel module tests in qemu (make vm-check)
#   scripts/deps.sh fresh      make fresh-check (debootstrap)
#   scripts/deps.sh --list G   print the packages of group G, install nothing
#
# Idempotent: does nothing when every package is already installed.  A test
# may skip only for what a machine cannot have; a package listed here is
# never a reason to skip (tests that need one fail without it).
set -euo pipefail

declare -A GROUP=(
	# compilers, autotools, libpcap for pkt-gen -P, git for the checkouts,
	# libxdp and libbpf for the user runtime's NIC ports over AF_XDP
	[build]="build-essential autoconf automake libtool pkg-config libpcap-dev git libxdp-dev libbpf-dev"
	# bats runs the end-to-end tests; tshark and python3 check frames and
	# pcap files; valgrind runs test/unit/memcheck.sh; util-linux has
	# setpriv and unshare (other users, pid and mount namespaces);
	# iproute2 and iputils-ping drive the guest's interfaces; procps has
	# ps and pgrep; xz-utils and zstd unpack kernel modules; clang and
	# its runtime (libFuzzer, sanitizers) build make fuzz's targets;
	# ethtool switches the offloads of the NIC tests' interfaces; strace
	# counts the system calls of a CSB application (csb bats file)
	[test]="bats tshark python3 valgrind util-linux iproute2 iputils-ping procps xz-utils zstd clang libclang-rt-14-dev ethtool strace"
	# qemu, the compiler of Debian's kernel headers, and what the
	# module build and the initramfs need
	[vm]="qemu-system-x86 gcc-12 make binutils libelf1 libssl3 xz-utils zstd"
	# a minimal Debian root for make fresh-check
	[fresh]="debootstrap"
)

list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

pkgs=()
for g in "${groups[@]}"; do
	[ -n "${GROUP[$g]:-}" ] || { echo "deps: unknown group $g (build, test, vm, fresh)" >&2; exit 2; }
	# shellcheck disable=SC2206
	pkgs+=(${GROUP[$g]})
done
if [ "$list" = 1 ]; then
	echo "${pkgs[*]}"
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing (a fresh root) or old: update once,
# and again if the install fails on a list that has since moved on.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
