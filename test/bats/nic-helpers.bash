# SPDX-License-Identifier: BSD-2-Clause
#
# Network namespaces and veth pairs for the NIC tests, on either backend
# (095-nic.bats: the kernel module's NIC ports, nic_setup; 096-nic-runtime.bats:
# the user runtime's, nic_namespaces).  Every test makes its own namespaces
# and deletes them: nothing touches the machine's interfaces.  Loaded
# after helpers.bash.
#
#	load helpers
#	load nic-helpers
#	nic_namespaces			# NA and NB, tools wrapped to run in them
#	veth_pair "$NA" va "$NB" vb
#	in_ns "$NB" start_rx b pkt-gen -i netmap:vb -f rx -n 1000 -W

NET=$BATS_TEST_DIRNAME/nic-net.py
PARAMS=/sys/module/netmap/parameters

eval "helpers_$(declare -f teardown)"

# nic_namespaces [3]: skip unless ip(8) and veth are there; two network
# namespaces NA and NB (three with NS), IPv6 off (no stray frames), each
# with wrappers of the tools that run inside it ($WORK/ns-NAME).
nic_namespaces() {
	command -v ip >/dev/null || skip "needs ip (iproute2: scripts/deps.sh installs it)"
	require_python
	local id=$(($$ % 10000))t${BATS_TEST_NUMBER} n t
	NA=nma$id
	NB=nmb$id
	NS=nms$id
	# $1 = 3: a third namespace for the switch side (NS)
	NSS=("$NA" "$NB")
	[ "${1:-2}" = 3 ] && NSS+=("$NS")
	for n in "${NSS[@]}"; do
		ip netns add "$n"
		ns_sh "$n" 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
			echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6;
			ip link set lo up'
		mkdir -p "$WORK/ns-$n"
		for t in pkt-gen vale-ctl nm-send bridge netmap-run; do
			printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$n" \
				"$(tool_path "$t")" >"$WORK/ns-$n/$t"
			chmod +x "$WORK/ns-$n/$t"
		done
		printf '#!/bin/sh\nexec ip netns exec %s python3 %s "$@"\n' "$n" "$NET" \
			>"$WORK/ns-$n/net"
		chmod +x "$WORK/ns-$n/net"
	done
	# veth: built in, or a module (the vm-check guest's is in /tmp)
	if ! ip -n "$NA" link add nmprobe type veth peer name nmprobe2 2>/dev/null; then
		{ insmod /tmp/veth.ko || modprobe veth; } 2>/dev/null &&
			ip -n "$NA" link add nmprobe type veth peer name nmprobe2 ||
			skip "this kernel has no veth driver"
	fi
	ip -n "$NA" link del nmprobe
}

# nic_setup [3]: the kernel module's NIC ports (095-nic.bats): skip unless
# the kernel backend and the module are there; then nic_namespaces.
nic_setup() {
	require_kernel
	[ -e /dev/netmap ] || skip "needs the netmap module loaded (/dev/netmap)"
	NIC_KERNEL=1
	nic_namespaces "$@"
}

# The common teardown, then the namespaces (and their interfaces) go; the
# module's fwd parameter back to 0 and generic_mit to its default after a
# test of the kernel's ports.
teardown() {
	helpers_teardown
	local n
	for n in "${NSS[@]:-}"; do
		[ -n "$n" ] && ip netns del "$n" 2>/dev/null
	done
	if [ -n "${NIC_KERNEL:-}" ]; then
		[ -w $PARAMS/fwd ] && echo 0 >$PARAMS/fwd
		# spec 24's default
		[ -w $PARAMS/generic_mit ] && echo 100000 >$PARAMS/generic_mit
	fi
	return 0
}

# A shell command inside namespace $1.
ns_sh() {
	ip netns exec "$1" sh -c "$2"
}

# run_tool / start_bg / start_rx with the tools of namespace $1.
in_ns() {
	local TOOLS_DIR=$WORK/ns-$1
	shift
	"$@"
}

# A veth pair $2 (in namespace $1) - $4 (in namespace $3), up, with
# addresses $5 and $6 (/24) when given; more arguments go to ip link add
# (numtxqueues 4 numrxqueues 4).
veth_pair() {
	local a=$1 va=$2 b=$3 vb=$4 ia=${5:-} ib=${6:-}
	shift 6 2>/dev/null || shift $#
	ip link add "$va" netns "$a" "$@" type veth peer name "$vb" netns "$b" "$@"
	ip -n "$a" link set "$va" up
	ip -n "$b" link set "$vb" up
	[ -z "$ia" ] || ip -n "$a" addr add "$ia/24" dev "$va"
	[ -z "$ib" ] || ip -n "$b" addr add "$ib/24" dev "$vb"
	link_up_wait "$a" "$va"
	link_up_wait "$b" "$vb"
}

# Wait (at most 10 s) until interface $2 of namespace $1 is operationally
# up: the kernel starts its queues (linkwatch, a work item) a moment after
# the carrier comes on, and frames sent before that are dropped.
link_up_wait() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(ns_sh "$1" "cat /sys/class/net/$2/operstate")" = up ] && return 0
		sleep 0.05
	done
	echo "# $2 (namespace $1) is not up after 10 s" >&2
	return 1
}

# nic_send NS1 IF1 NS2 IF2 N: N frames of 60 bytes from netmap:IF1 (in
# namespace NS1) to netmap:IF2 (in NS2), counted exactly and in bytes on
# the receiving side; $output holds the sender's output.
nic_send() {
	in_ns "$3" start_rx b pkt-gen -i "netmap:$4" -f rx -n "$5" -W
	in_ns "$1" run_tool pkt-gen -i "netmap:$2" -f tx -n "$5"
	assert_eq "$status" 0
	wait_bg b
	assert_eq "$bg_status" 0
	assert_line_re "$bg_out" "^Received $5 packets $(($5 * 60)) bytes "
}

# Statistic $3 of interface $2 in namespace $1.
ifstat() {
	ns_sh "$1" "cat /sys/class/net/$2/statistics/$3"
}

mac_of() {
	ns_sh "$1" "cat /sys/class/net/$2/address"
}

rx_count() {
	summary_count "$1" Received packets
}

# qemu_hub_up: skip unless the vm-check guest's two e1000 NICs on a qemu
# hub are named (NETMAP_TEST_QEMU_HUB); set e0 and e1 to them, up, with
# their carrier.
qemu_hub_up() {
	[ -n "${NETMAP_TEST_QEMU_HUB:-}" ] ||
		skip "needs the vm-check guest's two NICs on a qemu hub (NETMAP_TEST_QEMU_HUB)"
	require_kernel
	local i
	read -r e0 e1 <<<"$NETMAP_TEST_QEMU_HUB"
	[ -n "$e1" ] || { echo "expected two NICs in NETMAP_TEST_QEMU_HUB"; return 1; }
	ip link set "$e0" up
	ip link set "$e1" up
	for i in $(seq 200); do
		[ "$(cat /sys/class/net/$e0/carrier)$(cat /sys/class/net/$e1/carrier)" = 11 ] && break
		sleep 0.1
	done
}
