#!/usr/bin/env bash
# A shaped cluster of N primitives on a real one-node cluster (issue 13): how long cibform takes
# to load it, to plan a 1% change with the transition preview and crm_verify, and to apply that
# change, and how big the one patch it sends is. Needs root (tests/cluster/single-node.sh).
#
#   tools/live-scale.sh [N]            default 10000
#   PREVIEW_TIMEOUT=600 tools/live-scale.sh 10000   (the full preview: the default cuts it at 10 s)
#
# The cluster is `examples/gencluster --lab`: the lab's name and node, `stop-all-resources` and
# no startup probes, so Pacemaker considers every resource and starts none. The node starts
# with cluster.yaml's CIB (LOAD=1: it starts empty and `apply cluster.yaml` loads it, one patch
# of every object). Steps, each timed (wall and CPU seconds of cibform and its children, peak
# RSS):
#   load     (LOAD=1) apply cluster.yaml to the empty cluster (--no-preview)
#   plan     plan changed.yaml with the defaults (preview within --preview-timeout, crm_verify)
#   plan-np  plan changed.yaml --no-preview
#   apply    apply changed.yaml (crm_verify on the new CIB, one patch;
#            tests/cluster/keep-patches/cibadmin keeps a copy of every patch sent)
#   again    plan changed.yaml --no-preview: must be no change
# Prints a Markdown table; exits non-zero when a step fails or the result is not one patch
# that converges. Run nothing else on the lab meanwhile: the bootstrap live test runs pcs,
# which kills every cluster daemon on the machine (`killall -9`). LOAD=1 past about 2,500
# primitives sends a patch the CIB manager cannot take within pacemakerd's patience (README,
# "Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${1:-10000}
pt=${PREVIEW_TIMEOUT:-}
[ "$(id -u)" = 0 ] || { echo "live-scale.sh: needs root (network namespaces)" >&2; exit 1; }

cargo build --quiet --release --bin cibform --example gencluster
tdir=${CARGO_TARGET_DIR:-target}
[[ $tdir == /* ]] || tdir=$root/$tdir
bin=$tdir/release
work=$(mktemp -d /tmp/cibform-scale.XXXXXX)
state=$work/state
stop() {
	bash tests/cluster/single-node.sh stop --dir "$state" >/dev/null 2>&1 || true
	rm -rf "$work"
}
[ -n "${KEEP:-}" ] || trap stop EXIT

"$bin/examples/gencluster" --lab "$n" "$work/gen"
# The generated CIB names the feature set of a later Pacemaker than some nodes run; the
# controller then refuses its own node update. Pacemaker fills the attribute in.
sed -i '1s/ crm_feature_set="[^"]*"//' "$work/gen/cib.xml"
mkdir -p "$work/patches"

# Pacemaker sends the CIB between its daemons compressed in one IPC message of at most 128 KiB
# by default; from about 5 MB of CIB that is too small (the CIB manager logs "Could not compress
# ... into less than IPC limit" and its clients give up), as on a real node, where
# PCMK_ipc_buffer in /etc/sysconfig/pacemaker raises it. The command-line tools take the
# daemons' size when they connect.
export CIBF_PCMK_IPC_BUFFER=${CIBF_PCMK_IPC_BUFFER:-$((4 * 1024 * 1024))}
echo "starting the one-node cluster..." >&2
seed=(--cib "$work/gen/cib.xml")
[ -z "${LOAD:-}" ] || seed=()
bash tests/cluster/single-node.sh start --dir "$state" "${seed[@]}" >/dev/null
on() { bash tests/cluster/on.sh "$state" t3021cent -- "$@"; }

printf '| step | exit | wall s | CPU s | peak RSS MiB | note |\n|---|---:|---:|---:|---:|---|\n'
failed=0
# step NAME NOTE-CMD cibform-args...: one timed run of cibform on the node
step() {
	local name=$1 rc=0 e u s m
	shift
	on env PATH="$root/tests/cluster/keep-patches:$PATH" CIBF_PATCH_DIR="$work/patches" NO_COLOR=1 /usr/bin/time -f '%e %U %S %M' -o "$work/t" \
		"$bin/cibform" "$@" --target local >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	read -r e u s m < <(grep '^[0-9]' "$work/t") || true
	local note
	note=$(grep -h -m1 -E '^Plan:|^No changes|cut short|preview' "$work/$name.out" "$work/$name.err" | head -1 || true)
	awk -v n="$name" -v rc="$rc" -v e="$e" -v u="$u" -v s="$s" -v m="$m" -v note="$note" \
		'BEGIN { printf "| %s | %s | %.2f | %.2f | %.0f | %s |\n", n, rc, e, u + s, m / 1024, note }'
	return "$rc"
}
wait_idle() { on crm_resource --wait --timeout=600s >/dev/null; }

[ -z "${LOAD:-}" ] || step load apply "$work/gen/cluster.yaml" --auto-approve --cib-only --no-preview || failed=1
wait_idle
rm -f "$work/patches/"*
plan_args=(plan "$work/gen/changed.yaml" --detailed-exitcode)
[ -z "$pt" ] || plan_args+=(--preview-timeout "$pt")
# Exit 2: the plan has changes, as it must.
rc=0
step plan "${plan_args[@]}" || rc=$?
[ "$rc" = 2 ] || failed=1
rc=0
step plan-np plan "$work/gen/changed.yaml" --no-preview --detailed-exitcode || rc=$?
[ "$rc" = 2 ] || failed=1
step apply apply "$work/gen/changed.yaml" --auto-approve --cib-only --no-preview || failed=1
step again plan "$work/gen/changed.yaml" --no-preview --detailed-exitcode || failed=1

cib_bytes=$(on cibadmin --query | wc -c)
patches=("$work/patches/"*.xml)
count=0
bytes=0
for p in "${patches[@]}"; do
	[ -e "$p" ] || continue
	count=$((count + 1))
	bytes=$((bytes + $(wc -c <"$p")))
done
changes=$(cat "${patches[@]}" 2>/dev/null | grep -c '<change ' || true)
echo
echo "N=$n: the CIB is $cib_bytes bytes; apply sent $count patch(es), $bytes bytes, $changes change elements"
[ "$count" = 1 ] || { echo "expected one patch" >&2; failed=1; }
grep -q '^No changes' "$work/again.out" || { echo "the second plan is not empty" >&2; failed=1; }
if [ "$failed" != 0 ]; then
	for f in "$work"/*.err; do echo "== $f" >&2; tail -5 "$f" >&2; done
fi
exit "$failed"
