# SPDX-License-Identifier: BSD-2-Clause
#
# stats.sh - what bench/run-bench.sh, test/vm/vm-bench.sh and the guest's
# bench group (test/vm/guest-bench-poll.sh) read from pkt-gen and how they
# summarise rounds; each sources it.

# pkt-gen's receiver rate (Mpps) from its JSON summary in file $1, or n/a.
# A receiver whose frames all came in one batch ("seconds":0) measured
# nothing (its pps would be the batch over no time): n/a.
pg_rate() {
	local sum pps sec
	sum=$(grep '"type":"summary"' "$1" 2>/dev/null | tail -n 1)
	pps=$(sed -n 's/.*"pps":[ ]*\([0-9.eE+-]*\).*/\1/p' <<<"$sum")
	sec=$(sed -n 's/.*"seconds":[ ]*\([0-9.eE+-]*\).*/\1/p' <<<"$sum")
	awk -v p="${pps:-0}" -v s="${sec:-0}" 'BEGIN {
		if (p + 0 > 0 && s + 0 > 0) printf "%.3f\n", p / 1e6; else print "n/a" }'
}

# The median of the numbers given (n/a and empty ignored), or n/a.
median() {
	printf '%s\n' "$@" | awk '$1 != "n/a" && $1 != "" { v[n++] = $1 + 0 }
		END {
			if (!n) { print "n/a"; exit }
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			m = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf "%.4g\n", m
		}'
}
