# SPDX-License-Identifier: BSD-2-Clause
#
# The injected rx row's setup (guest-bench.sh), for the debugging aids
# guest-prof.sh and guest-rx-ab.sh: vb in namespace nmbB, its peer va,
# and pktgen of nmbB in xmit_mode netif_receive on CPU 0 (burst 64,
# 62-byte MPLS frames to vb's address), not started.  $1: the prefix of
# the aid's output lines.  kpg FILE LINE writes LINE to pktgen's FILE.
BT=$(tools_dir)
export LD_LIBRARY_PATH=$B/.libs
[ -d /sys/module/veth ] || insmod /tmp/veth.ko
[ -d /sys/module/pktgen ] || insmod /tmp/pktgen.ko
kpg() { ip netns exec nmbB sh -c 'echo "$2" >"/proc/net/pktgen/$1"' kpg "$1" "$2"; }
ip netns add nmbB
ip link add vb netns nmbB type veth peer name va
ip -n nmbB link set vb up
ip link set va up
VB_MAC=$(ip netns exec nmbB cat /sys/class/net/vb/address)
kpg kpktgend_0 rem_device_all
kpg kpktgend_0 "add_device vb"
kpg vb "xmit_mode netif_receive"
for c in "count 0" "clone_skb 0" "pkt_size 60" "mpls 0001000a" \
	"dst_mac $VB_MAC" "flag NO_TIMESTAMP" "delay 0" "burst 64"; do
	kpg vb "$c" || echo "$1: pktgen: '$c' refused"
done

rxrow_teardown() {
	kpg kpktgend_0 rem_device_all
	ip netns del nmbB
}
