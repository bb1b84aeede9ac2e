# SPDX-License-Identifier: BSD-2-Clause
#
# A debugging aid, not a test: profiles of the receivers of make vm-bench's
# injected rx row in the vm-check guest (VM_TESTS=/path/to/this/file).
# The setup is guest-bench.sh's (vb in nmbB, pktgen of nmbB in xmit_mode
# netif_receive on CPU 0, burst 64, 62-byte MPLS frames); for pkt-gen on
# netmap:vb and af_packet -r (one frame per call), it prints:
#  - the host's perf (perf record -a, cpu-clock) shares of each CPU's
#    samples by symbol (PROF_SECS seconds of the load);
#  - over a second window: each CPU's busy and idle ticks, interrupts
#    and IPIs per CPU, the receiver's context switches, the frames
#    pktgen handed over.
# Output on the serial log (lines "PROF: ").
PROF_SECS=${PROF_SECS:-4}
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
P() { sed 's/^/PROF: /'; }
. "$SRC/test/vm/guest-rxrow.sh" PROF
pg_sofar() { ip netns exec nmbB cat /proc/net/pktgen/vb | awk '/pkts-sofar:/ { print $2 }'; }
echo "PROF: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

# Per CPU idle and interrupt counts over a window.
cpu_idle() { awk '/^cpu[01] / { printf "%s idle+iowait %d busy %d; ", $1, $5 + $6, $2 + $3 + $4 + $7 + $8 }' /proc/stat; echo; }
irqs() { grep -E '^ *(LOC|RES|CAL|TLB|HPET|[0-9]+):' /proc/interrupts | awk '{ print $1, $2, $3, $NF }'; }

# $1 name; rest: the receiver command
profile() {
	local name=$1 rx s0 s1 pg
	shift
	"$@" >/tmp/prof-rx.out 2>&1 &
	rx=$!
	sleep 1
	kpg pgctrl start &
	pg=$!
	sleep 1
	perf record -q -o /tmp/prof.data -a -g -e cpu-clock -F 997 -- sleep "$PROF_SECS" \
		>/dev/null 2>&1
	s0=$(pg_sofar)
	i0=$(cpu_idle); irqs >/tmp/irq0
	p=$(pgrep -n -x pkt-gen || pgrep -n -x af_packet)
	c0=$(grep ctxt /proc/$p/status | tr -s ' \t' ' ' | tr '\n' ' ')
	sleep "$PROF_SECS"
	c1=$(grep ctxt /proc/$p/status | tr -s ' \t' ' ' | tr '\n' ' ')
	i1=$(cpu_idle); irqs >/tmp/irq1
	s1=$(pg_sofar)
	wait $rx
	kpg pgctrl stop
	wait $pg
	echo "PROF: ==== $name: pktgen handed over $((s1 - s0)) frames in the counted ${PROF_SECS}s"
	P </tmp/prof-rx.out | tail -n 12
	ip netns exec nmbB cat /proc/net/pktgen/vb | grep -E 'Result|pkts-sofar' | P
	ip netns exec nmbB ip -s link show vb | P
	echo "PROF: -- over the counted window: /proc/stat ticks before: $i0"
	echo "PROF:    after: $i1"
	echo "PROF:    receiver $p ($(cat /proc/$p/comm)) before: $c0"
	echo "PROF:    after: $c1"
	paste /tmp/irq0 /tmp/irq1 | awk '{ print "PROF:    irq", $1, "cpu0", $6 - $2, "cpu1", $7 - $3, $4 }'
	for c in 0 1; do
		echo "PROF: -- perf, CPU $c, by symbol"
		perf report -i /tmp/prof.data --kallsyms=/proc/kallsyms --stdio --no-children \
			--cpu $c --percentage relative --sort comm,sym -g none \
			--percent-limit 0.7 2>/dev/null | grep -v '^#' | grep . | head -45 | P
	done
	echo "PROF: -- perf, callers of chosen symbols"
	perf report -i /tmp/prof.data --kallsyms=/proc/kallsyms --stdio --no-children \
		--sort sym -G --percent-limit 2 2>/dev/null | grep -v '^#' | grep . | head -150 | P
	rm -f /tmp/prof.data
}

profile netmap ip netns exec nmbB timeout 60 "$BT/pkt-gen" -i netmap:vb -f rx -a 1 \
	--duration "$((2 * PROF_SECS + 3))s"
profile af_packet timeout 60 "$B/bench/af_packet" -r vb -R nmbB -e 0x8847 \
	-d "$((2 * PROF_SECS + 2))" -A 1 -b 1
rxrow_teardown
pass "prof: done"
