# SPDX-License-Identifier: BSD-2-Clause
# Sourced by guest-tests.sh (group "module"): the module's own behaviour.
# Uses check/pass/fail, $PARAMS, $ABI and $KO from guest-tests.sh.

# ---------------------------------------------------------------- device
check "module: /dev/netmap is a root-only character device" \
	bash -c '[ -c /dev/netmap ] && [ "$(stat -c %a:%U /dev/netmap)" = 600:root ]'
check "module: opening /dev/netmap holds the module" bash -c '
	exec 3<>/dev/netmap
	[ "$(cat /sys/module/netmap/refcnt)" -ge 1 ] || exit 1
	rmmod netmap 2>/dev/null && exit 1
	exec 3>&-
	[ "$(cat /sys/module/netmap/refcnt)" = 0 ]'

# ---------------------------------------------------------------- parameters
# Defaults of spec 23.2 and 24.
declare -A dflt=(
	[if_size]=1024 [if_num]=100 [ring_size]=36864 [ring_num]=200
	[buf_size]=2048 [buf_num]=163840
	[priv_if_size]=1024 [priv_if_num]=2 [priv_ring_size]=20480
	[priv_ring_num]=4 [priv_buf_size]=2048 [priv_buf_num]=4098
	[verbose]=0 [no_timestamp]=0 [bridge_batch]=1024 [max_bridges]=8
	[debug]=0 [no_pendintr]=1 [txsync_retry]=2 [fwd]=0 [admode]=0
	[generic_mit]=100000 [generic_ringsize]=1024 [generic_rings]=1
	[generic_txqdisc]=1 [generic_hwcsum]=0 [ptnet_vnet_hdr]=1
	[default_pipes]=0
)
: >$LOG
bad=0
for p in "${!dflt[@]}"; do
	v=$(cat $PARAMS/$p 2>&1)
	[ "$v" = "${dflt[$p]}" ] || { echo "$p = '$v', expected ${dflt[$p]}" >>$LOG; bad=1; }
done
[ $bad = 0 ] && pass "module: ${#dflt[@]} parameters show the spec's defaults" ||
	fail "module: parameters show the spec's defaults"

: >$LOG
bad=0
for p in if_size if_num ring_size ring_num buf_size buf_num priv_if_size \
	priv_if_num priv_ring_size priv_ring_num priv_buf_size priv_buf_num \
	verbose no_timestamp bridge_batch debug no_pendintr txsync_retry fwd \
	admode generic_mit generic_ringsize generic_rings generic_txqdisc \
	generic_hwcsum ptnet_vnet_hdr default_pipes; do
	m=$(stat -c %a $PARAMS/$p)
	[ "$m" = 644 ] || { echo "$p mode $m" >>$LOG; bad=1; }
done
for p in max_bridges if_curr_size if_curr_num ring_curr_size ring_curr_num \
	buf_curr_size buf_curr_num; do
	m=$(stat -c %a $PARAMS/$p 2>&1)
	[ "$m" = 444 ] || { echo "$p mode $m" >>$LOG; bad=1; }
done
[ $bad = 0 ] && pass "module: writable parameters 0644, read-only ones 0444" ||
	fail "module: parameter modes"

check "module: parameters are writable and read back" bash -c "
	P=$PARAMS
	echo 2500 >\$P/bridge_batch && [ \$(cat \$P/bridge_batch) = 1024 ] &&
	echo 64 >\$P/bridge_batch && [ \$(cat \$P/bridge_batch) = 64 ] &&
	echo 1024 >\$P/bridge_batch &&
	echo 1 >\$P/verbose && [ \$(cat \$P/verbose) = 1 ] && echo 0 >\$P/verbose &&
	echo 3 >\$P/generic_rings && [ \$(cat \$P/generic_rings) = 3 ] &&
	echo 1 >\$P/generic_rings &&
	! echo -1 >\$P/if_num 2>/dev/null && [ \$(cat \$P/if_num) = 100 ] &&
	! echo 9 >\$P/max_bridges 2>/dev/null && [ \$(cat \$P/max_bridges) = 8 ]"

# Region parameters take effect at the next configuration of an unused
# global region (23.2); a null port in region 1 configures it.
check "module: *_curr_* are 0 before the global region is used" bash -c "
	[ \$(cat $PARAMS/buf_curr_num) = 0 ] && [ \$(cat $PARAMS/if_curr_num) = 0 ] &&
	[ \$(cat $PARAMS/buf_curr_size) = 2048 ]"
check "module: global region parameters apply when the region is unused" bash -c "
	P=$PARAMS
	echo 1000 >\$P/buf_num && echo 4096 >\$P/buf_size &&
	$ABI null 0 | grep -q . &&
	[ \$(cat \$P/buf_curr_num) = 1000 ] && [ \$(cat \$P/buf_curr_size) = 4096 ] &&
	[ \$(cat \$P/if_curr_num) = 100 ] && [ \$(cat \$P/ring_curr_size) = 36864 ]"
check "module: and are deferred while the region is in use" bash -c "
	P=$PARAMS
	$ABI null 4 >/tmp/null.out & h=\$!
	for i in \$(seq 50); do grep -q memsize /tmp/null.out && break; sleep 0.1; done
	echo 2000 >\$P/buf_num
	[ \$(cat \$P/buf_curr_num) = 1000 ] || { kill \$h; exit 1; }
	wait \$h
	$ABI null 0 >/dev/null && [ \$(cat \$P/buf_curr_num) = 2000 ] &&
	echo 163840 >\$P/buf_num && echo 2048 >\$P/buf_size &&
	$ABI null 0 | grep -q 'memsize 343019520' &&
	[ \$(cat \$P/buf_curr_num) = 163840 ]"
check "module: out-of-range region parameters fail the next registration" bash -c "
	P=$PARAMS
	echo 3 >\$P/if_num && ! $ABI null 0 2>/dev/null; r=\$?
	echo 100 >\$P/if_num; [ \$r = 0 ] && $ABI null 0 >/dev/null"

# ---------------------------------------------------------------- persistent ports
check "module: NEWIF creates an interface seen by ip link" bash -c "
	$ABI newif nmp0 && ip link show nmp0 | grep -q 'link/ether' &&
	[ \$(cat /sys/class/net/nmp0/mtu) = 1500 ] &&
	[ \$(cat /sys/module/netmap/refcnt) -ge 1 ]"
check "module: rmmod refuses while a persistent port exists" bash -c "! rmmod netmap"
check "module: the MTU cannot be changed (accepted, ignored)" bash -c "
	ip link set nmp0 mtu 9000; [ \$(cat /sys/class/net/nmp0/mtu) = 1500 ]"
check "module: the interface cannot be renamed" bash -c "
	! ip link set nmp0 name nmp0x 2>/dev/null && ip link show nmp0 >/dev/null"
check "module: frames from the host stack are dropped" bash -c "
	ip link set nmp0 up && ip addr add 10.99.0.1/24 dev nmp0 &&
	ping -c 2 -W 1 -I nmp0 10.99.0.2 >/dev/null 2>&1; true &&
	ip -s link show nmp0 | grep -q .; ip link set nmp0 down"
check "module: attach and detach the persistent port" bash -c "
	$ABI attach vale7:nmp0 && ! $ABI delif nmp0 2>/dev/null &&
	$ABI detach vale7:nmp0"
check "module: DELIF removes the interface" bash -c "
	$ABI delif nmp0 && ! ip link show nmp0 2>/dev/null"

# ---------------------------------------------------------------- robustness
check "module: a process killed mid-traffic leaves nothing behind" bash -c "
	$ABI traffic valeK:a & a=\$!
	$ABI traffic valeK:b & b=\$!
	sleep 3
	kill -9 \$a; sleep 0.5; kill -9 \$b; wait
	$ABI hold valeK:a 0 && $ABI churn 20"
check "module: rmmod refuses while a descriptor is open" bash -c "
	$ABI hold valeH:x 30 >/tmp/hold.out & h=\$!
	for i in \$(seq 50); do grep -q holding /tmp/hold.out && break; sleep 0.1; done
	! rmmod netmap 2>/dev/null; r=\$?
	kill \$h; wait; exit \$r"
check "module: 1000 opens and closes" "$ABI" churn 1000
check "module: rmmod and reload in the middle" bash -c "
	rmmod netmap && [ ! -e /dev/netmap ] && insmod $KO buf_num=50000 if_num=60 &&
	[ \$(cat $PARAMS/buf_num) = 50000 ] && [ \$(cat $PARAMS/if_num) = 60 ] &&
	[ \$(cat $PARAMS/ring_num) = 200 ] && rmmod netmap && insmod $KO"
