# SPDX-License-Identifier: BSD-2-Clause
#
# A debugging aid, not a test: the injected rx row of make vm-bench
# (guest-bench.sh's setup: pktgen of nmbB in xmit_mode netif_receive on
# CPU 0, burst 64, 62-byte MPLS frames into vb) with the netmap receiver
# run under several settings of the module's parameters, alternated
# within one guest boot, which keeps the boot-to-boot differences of the
# emulated machine out of the comparison (kmod/README.md, "What does not
# limit the rx row").  Run it with
#   make vm-check VM_TESTS=$PWD/../test/vm/guest-rx-ab.sh
# from a build folder.  The settings are the lines of
# $B/rx-ab.variants (B: the build folder, which the guest sees), one
# variant a line, each a list of PARAM=VALUE of /sys/module/netmap/
# parameters (default: "generic_mit=100000" and "generic_mit=0"), or
# PKTGEN=DIR to run the pkt-gen of another build folder DIR (the host's
# files are the guest's, read-only: DIR/.libs/pkt-gen with its library);
# RX_AB_ROUNDS rounds (5) of RX_AB_SECS seconds (4) per variant, and
# AF_PACKET's receiver once a round.  Output on the serial log (lines
# "RXAB: ").
RX_AB_ROUNDS=${RX_AB_ROUNDS:-5}
RX_AB_SECS=${RX_AB_SECS:-4}
if [ -f "$B/rx-ab.variants" ]; then
	mapfile -t variants <"$B/rx-ab.variants"
else
	variants=("generic_mit=100000" "generic_mit=0")
fi
. "$SRC/test/vm/guest-rxrow.sh" RXAB
kpg pgctrl start &
pg=$!
sleep 1
for round in $(seq "$RX_AB_ROUNDS"); do
	for v in "${variants[@]}"; do
		pgbin=$BT/pkt-gen lib=$B/.libs
		for pv in $v; do
			if [ "${pv%%=*}" = PKTGEN ]; then
				pgbin=${pv#*=}/.libs/pkt-gen lib=${pv#*=}/.libs
				continue
			fi
			echo "${pv#*=}" >"/sys/module/netmap/parameters/${pv%%=*}" ||
				echo "RXAB: cannot set $pv"
		done
		r=$(LD_LIBRARY_PATH=$lib ip netns exec nmbB timeout 60 "$pgbin" -i netmap:vb -f rx -a 1 \
			--duration "${RX_AB_SECS}s" 2>&1 | grep -o -E 'Speed: [0-9.]* [KM]pps|Average batch: [0-9.]*' | tr '\n' ' ')
		echo "RXAB: round $round [$v] netmap $r"
	done
	r=$(timeout 60 "$B/bench/af_packet" -r vb -R nmbB -e 0x8847 -d "$RX_AB_SECS" \
		-A 1 -b 1 2>&1 | grep -o 'mpps=[0-9.]*')
	echo "RXAB: round $round af_packet $r"
done
kpg pgctrl stop
wait $pg
rxrow_teardown
pass "rx-ab: done"
