#!/bin/bash
# Smoke check of the real-cluster harness (root; ~20 s):
#   1. single node: start, `cibadmin --query` and a pcs-created Dummy resource via on.sh, stop;
#   2. two nodes: start, `crm_mon -1` from both, ping 192.168.33.31 (the ping host) from inside
#      t3021cent, stop.
# Exits non-zero on any failure; the clusters are always stopped on exit (trap). State lives in
# a fresh directory under ${TMPDIR:-/tmp}, removed on success and kept (for its logs) on failure.
# Only the pcs CLI is used: pcsd is never started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $EUID -eq 0 ]] || { echo "smoke: must run as root" >&2; exit 1; }

base=$(mktemp -d "${TMPDIR:-/tmp}/cibform-smoke.XXXXXX")
single=$base/single
two=$base/two
passed=0
failed=0

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	"$here/single-node.sh" stop --dir "$single" || rc=1
	"$here/two-node.sh" stop --dir "$two" || rc=1
	if ((rc == 0 && failed == 0)); then
		rm -rf -- "$base"
	else
		echo "smoke: state and logs kept in $base" >&2
	fi
	echo "smoke: $passed passed, $failed failed"
	((rc)) || ((failed == 0)) || rc=1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# check DESCRIPTION cmd...: run, count, show the output on failure.
last_out=
check() {
	local what=$1
	shift
	if last_out=$("$@" 2>&1); then
		passed=$((passed + 1))
		echo "ok   $what"
	else
		failed=$((failed + 1))
		echo "FAIL $what"
		printf '%s\n' "$last_out" | sed 's/^/     /'
	fi
}
# show DESCRIPTION cmd...: like check, and print the output.
show() {
	local what=$1 before=$failed
	shift
	check "$what" "$@"
	((failed != before)) || printf '%s\n' "$last_out" | sed 's/^/     /'
}
on() { "$here/on.sh" "$@"; }

secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

# --- single node -------------------------------------------------------------------------
t=$(date +%s.%N)
"$here/single-node.sh" start --dir "$single"
echo "single node started in $(secs "$t")"
check "single: cibadmin --query shows clst-01" \
	sh -c "'$here/on.sh' '$single' t3021cent -- cibadmin --query | grep -q 'name=\"cluster-name\" value=\"clst-01\"'"
check "single: pcs property set stonith-enabled=false" \
	on "$single" t3021cent -- pcs property set stonith-enabled=false
check "single: pcs resource create d1 ocf:pacemaker:Dummy" \
	on "$single" t3021cent -- pcs resource create d1 ocf:pacemaker:Dummy
check "single: d1 starts (crm_resource --wait)" \
	on "$single" t3021cent -- crm_resource --wait --timeout=20s
check "single: d1 running on t3021cent" \
	sh -c "'$here/on.sh' '$single' t3021cent -- crm_resource --locate -r d1 | grep -q t3021cent"
check "single: pcs resource delete d1" on "$single" t3021cent -- pcs resource delete d1
t=$(date +%s.%N)
"$here/single-node.sh" stop --dir "$single"
echo "single node stopped in $(secs "$t")"

# --- two nodes ---------------------------------------------------------------------------
t=$(date +%s.%N)
"$here/two-node.sh" start --dir "$two"
echo "two nodes started in $(secs "$t")"
for n in t3021cent t3022cent; do
	show "two: crm_mon -1 on $n" on "$two" "$n" -- crm_mon -1
	check "two: $n sees both nodes Online" \
		sh -c "'$here/on.sh' '$two' $n -- crm_mon -1 | grep -q 'Online: \[ t3021cent t3022cent \]'"
done
check "two: ping -c1 -W1 192.168.33.31 from t3021cent" \
	on "$two" t3021cent -- ping -c1 -W1 192.168.33.31
t=$(date +%s.%N)
"$here/two-node.sh" stop --dir "$two"
echo "two nodes stopped in $(secs "$t")"
