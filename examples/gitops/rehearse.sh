#!/usr/bin/env bash
# A rehearsal of the whole GitOps story through ci.sh, with the pull request's comment thread
# replaced by ci.sh's local stand-in (COMMENT_API=dir:PATH, which records every post):
#
#   rehearse.sh --offline   the cluster is a CIB file (no Pacemaker tools needed; hand edits
#                           are made in the XML, as pcs -f would)
#   rehearse.sh --live      the cluster is the real two-node namespace cluster of
#                           tests/cluster/two-node.sh (root; started and stopped here), reached
#                           over "ssh" (a stand-in that enters the nodes' namespaces); hand edits
#                           are made with pcs on a node
#
# The story: PR 1 plans a change (comment created; a re-run leaves it alone; a push updates it,
# never a second comment) → a merge of another version of the file is refused → merge applies
# the reviewed plan → hand edit → nightly drift detected, with the drift shown → fix PR 2 takes
# the edit into the file (no changes) → another hand edit before the merge → the merge refuses
# the stale plan, saying how to re-plan → re-plan (comment updated) → merge applies → nightly
# clean. Every step's outcome is checked; it ends with "N passed, N failed".
#
# CIBFORM: the cibform binary (default: cibform on PATH).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
mode=${1:-}
[[ $mode == --offline || $mode == --live ]] || {
	sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
CIBFORM=$(command -v "${CIBFORM:-cibform}") || {
	echo "rehearse.sh: no cibform binary (set CIBFORM)" >&2
	exit 1
}
export CIBFORM NO_COLOR=1
# The CI secret that authenticates the saved plan between the plan and the apply job (a fixed
# rehearsal key; a real one comes from `openssl rand -hex 32`).
export CIBFORM_PLAN_KEY=rehearsal-key-0123456789abcdef

W=$(mktemp -d "${TMPDIR:-/tmp}/cibform-rehearsal-XXXXXX")
passed=0
failed=0
state=$W/state

finish() {
	local rc=$?
	if [[ $mode == --live && -e $state ]]; then
		for n in t3021cent t3022cent; do
			bash "$repo/tests/cluster/on.sh" "$state" "$n" -- crm_attribute -t crm_config -n maintenance-mode -v true >/dev/null 2>&1 || true
		done
		bash "$repo/tests/cluster/two-node.sh" stop --dir "$state" >/dev/null 2>&1 || true
	fi
	echo "$passed passed, $failed failed"
	if ((rc == 0)); then rm -rf "$W"; else echo "rehearse.sh: the scratch files are in $W" >&2; fi
	exit "$rc"
}
trap finish EXIT

# check WHAT CMD...: one step's outcome; the story stops at the first that does not hold.
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok - $what"
	else
		failed=$((failed + 1))
		echo "not ok - $what"
		exit 1
	fi
}
has() { grep -qF -- "$2" "$1" || { echo "  \`$1\` does not contain: $2" >&2 && sed 's/^/  | /' "$1" >&2 && false; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "  \`$1\` contains: $2" >&2 && false; }; }
is() { [[ $1 == "$2" ]] || { echo "  expected \`$2\`, got \`$1\`" >&2 && false; }; }

# ci JOB CHECKOUT ARTIFACT THREAD: run one CI job in a checkout; its exit status in $RC, its
# output in $W/out.
ci() {
	local job=$1 checkout=$2 artifact=$3 thread=${4:-none}
	RC=0
	(
		cd "$W/$checkout"
		OUT_DIR="$W/$artifact" COMMENT_API=$thread "$BASH" "$here/ci.sh" "$job"
	) >"$W/out" 2>&1 || RC=$?
	cp "$W/out" "$W/$job-$checkout-$artifact.log"
}

# A pull request: a checkout of main with its cluster file replaced.
pr() {
	mkdir -p "$W/$1"
	cp "$2" "$W/$1/cluster.yaml"
}
merge() { cp "$W/$1/cluster.yaml" "$W/main/cluster.yaml"; }
comments() { find "$W/$1-thread" -name 'comment-*.md' | wc -l; }

# --- the cluster ------------------------------------------------------------------------------

set_property_by_hand() { # NAME VALUE
	if [[ $mode == --live ]]; then
		bash "$repo/tests/cluster/on.sh" "$state" t3022cent -- pcs property set "$1=$2" >/dev/null
	else
		# What pcs -f does: the value, and a new epoch.
		local epoch
		epoch=$(grep -oE '<cib [^>]*' "$W/cib.xml" | grep -oE ' epoch="[0-9]+"' | grep -oE '[0-9]+')
		sed -i -E -e "s/(name=\"$1\" value=)\"[^\"]*\"/\1\"$2\"/" \
			-e "/<cib /s/ epoch=\"$epoch\"/ epoch=\"$((epoch + 1))\"/" "$W/cib.xml"
	fi
}

main_file() {
	local text
	text=$(sed '/^# Failover tests/,$d' "$repo/examples/clst-01/cluster.yaml")
	if [[ $mode == --live ]]; then
		# The lab nodes run no squid or unbound units: runnable stand-ins, as the live tests do;
		# the failover scenarios are kept (the real scheduler plays them).
		text=$(sed -e 's/{ agent: systemd:squid }/{ agent: ocf:pacemaker:Dummy }/' \
			-e 's/{ agent: systemd:unbound }/{ agent: ocf:pacemaker:Dummy }/' \
			"$repo/examples/clst-01/cluster.yaml")
	fi
	printf '%s\n' "$text" | sed 's/^  stonith-enabled: false$/  stonith-enabled: false\n  dc-deadtime: 2s\n  cluster-recheck-interval: 15min/'
}

mkdir -p "$W/main"
main_file >"$W/main/cluster.yaml"
if [[ $mode == --live ]]; then
	[[ $(id -u) -eq 0 ]] || { echo "rehearse.sh --live needs root (network namespaces)" >&2 && exit 1; }
	bash "$repo/tests/cluster/two-node.sh" start --dir "$state" >/dev/null
	mkdir -p "$W/bin"
	# "ssh HOST CMD" enters the node's namespaces; any other host fails as ssh does.
	cat >"$W/bin/ssh" <<SSH
#!/usr/bin/env bash
host=""
while [ \$# -gt 0 ]; do
	case "\$1" in
	-o|-p|-l) shift 2 ;;
	--) shift; break ;;
	-*) shift ;;
	*) host=\$1; shift ;;
	esac
done
case "\$host" in
t3021cent|t3022cent) exec bash "$repo/tests/cluster/on.sh" "$state" "\$host" -- sh -c "\$1" ;;
*) echo "ssh: Could not resolve hostname \$host" >&2; exit 255 ;;
esac
SSH
	chmod +x "$W/bin/ssh"
	export PATH="$W/bin:$PATH" CIBFORM_TARGET=ssh://t3021cent,t3022cent
	"$CIBFORM" apply "$W/main/cluster.yaml" --target "$CIBFORM_TARGET" --auto-approve --wait 90 >"$W/out" 2>&1 ||
		{ cat "$W/out" >&2 && exit 1; }
	# The failover scenarios need pingd on both nodes and rg-01 running.
	for _ in $(seq 120); do
		mon=$(bash "$repo/tests/cluster/on.sh" "$state" t3021cent -- crm_mon -1 -A)
		if [[ $(grep -c 'pingd' <<<"$mon") -ge 2 && $mon == *"rs-systemd-squid"*Started* ]]; then break; fi
		sleep 1
	done
else
	export CIBFORM_TARGET=file:$W/cib.xml CIBFORM_FLAGS=--no-host-tools
	cat >"$W/cib.xml" <<'CIB'
<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes/><resources/><constraints/></configuration>
  <status/>
</cib>
CIB
	"$CIBFORM" --no-host-tools apply "$W/main/cluster.yaml" --target "$CIBFORM_TARGET" --auto-approve >"$W/out" 2>&1 ||
		{ cat "$W/out" >&2 && exit 1; }
fi
echo "# the cluster runs main's cluster.yaml ($mode)"

# --- PR 1: a change, planned, re-planned, pushed again, merged ------------------------------------

sed 's/cluster-recheck-interval: 15min/cluster-recheck-interval: 12min/' "$W/main/cluster.yaml" >"$W/pr1.yaml"
pr pr-1 "$W/pr1.yaml"
ci plan pr-1 pr-1-artifact "dir:$W/pr-1-thread"
check "PR 1: the plan job passes" is "$RC" 0
check "PR 1: the plan is posted as a comment with the hidden marker" has "$W/pr-1-thread/comment-1.md" "<!-- cibform plan: cluster.yaml -->"
check "PR 1: the comment shows the change" has "$W/pr-1-thread/comment-1.md" "**0 to add, 1 to change, 0 to destroy**"
if [[ $mode == --live ]]; then
	check "PR 1: the comment shows the failover tests" has "$W/pr-1-thread/comment-1.md" "5/5 hold"
	check "PR 1: the JUnit report is saved" has "$W/pr-1-artifact/failover.xml" "<testsuite"
fi
ci plan pr-1 pr-1-artifact "dir:$W/pr-1-thread"
check "PR 1: a re-run with no change leaves the comment alone" is "$(tail -n 1 "$W/pr-1-thread/log")" "unchanged comment-1"
sed -i 's/cluster-recheck-interval: 12min/cluster-recheck-interval: 10min/' "$W/pr-1/cluster.yaml"
cp "$W/pr-1/cluster.yaml" "$W/pr1-second-push.yaml"
cp "$W/pr1.yaml" "$W/pr-1/cluster.yaml" # the merge below first gets the first push's file
merge pr-1
cp "$W/pr1-second-push.yaml" "$W/pr-1/cluster.yaml"
ci plan pr-1 pr-1-artifact "dir:$W/pr-1-thread"
check "PR 1: a push updates the one comment" is "$(tail -n 1 "$W/pr-1-thread/log")" "update comment-1"
check "PR 1: never a second comment" is "$(comments pr-1)" 1
check "PR 1: the updated comment shows the new value" has "$W/pr-1-thread/comment-1.md" '"10min"'
ci apply main pr-1-artifact
check "merge of a file the plan was not made from: refused" is "$RC" 1
check "merge of a file the plan was not made from: says so" has "$W/out" "made from another version of cluster.yaml"
merge pr-1
ci apply main pr-1-artifact
check "merge: the reviewed plan is applied" is "$RC" 0
check "merge: the result is verified against the merged file" has "$W/out" "verified: the cluster now matches cluster.yaml"
ci apply main pr-1-artifact
check "a re-run of the merge job: nothing to apply, no error" is "$RC" 0
check "a re-run of the merge job: says the cluster already matches" has "$W/out" "already matches cluster.yaml"
ci drift main nightly-1
check "nightly after the merge: no drift" is "$RC" 0

# --- a hand edit, caught at night ----------------------------------------------------------------

set_property_by_hand cluster-recheck-interval 7min
ci drift main nightly-2
check "nightly after a hand edit: fails" is "$RC" 1
check "nightly after a hand edit: shows the drift" has "$W/out" 'cluster-recheck-interval: "7min" → "10min"'
check "nightly after a hand edit: says what to do" has "$W/out" "drift: the cluster differs from cluster.yaml"

# --- PR 2 takes the edit into the file; the cluster moves again before the merge -----------------

sed 's/cluster-recheck-interval: 10min/cluster-recheck-interval: 7min/' "$W/main/cluster.yaml" >"$W/pr2.yaml"
pr pr-2 "$W/pr2.yaml"
ci plan pr-2 pr-2-artifact "dir:$W/pr-2-thread"
check "PR 2: the plan job passes" is "$RC" 0
check "PR 2: the comment says the file now matches the cluster" has "$W/pr-2-thread/comment-1.md" "No changes."
check "PR 2: PR 1's thread is not touched" is "$(wc -l <"$W/pr-1-thread/log")" 3
set_property_by_hand cluster-recheck-interval 8min
merge pr-2
ci apply main pr-2-artifact
check "merge of a stale plan: refused" is "$RC" 1
check "merge of a stale plan: says how to re-plan" has "$W/out" "re-run the plan job of the pull request"
check "merge of a stale plan: shows what changed" has "$W/out" "cluster-recheck-interval"
ci plan pr-2 pr-2-artifact "dir:$W/pr-2-thread"
check "PR 2 re-planned: the comment is updated" is "$(tail -n 1 "$W/pr-2-thread/log")" "update comment-1"
check "PR 2 re-planned: the comment shows the change" has "$W/pr-2-thread/comment-1.md" '+ cluster-recheck-interval: "7min"'
check "PR 2 re-planned: still one comment" is "$(comments pr-2)" 1
ci apply main pr-2-artifact
check "merge of the re-planned PR 2: applied" is "$RC" 0
ci drift main nightly-3
check "nightly after the fix: clean" is "$RC" 0
check "nightly after the fix: says so" has "$W/out" "no drift"

# --- secrets are never printed, even under bash -x -----------------------------------------------

if command -v ssh-keygen >/dev/null && command -v ssh-agent >/dev/null; then
	ssh-keygen -q -t ed25519 -N '' -C rehearsal -f "$W/key" >/dev/null
	key=$(cat "$W/key")
	secret=$(sed -n 2p "$W/key")
	RC=0
	(cd "$W/pr-2" && CIBFORM_SSH_KEY=$key CIB_passwd=pw-never-shown OUT_DIR="$W/pr-2-artifact" \
		COMMENT_API="dir:$W/pr-2-thread" "$BASH" -x "$here/ci.sh" plan) >"$W/out" 2>&1 || RC=$?
	check "a plan job with an ssh key passes" is "$RC" 0
	check "the ssh key is not in the job's output (bash -x)" lacks "$W/out" "$secret"
	check "the password is not in the job's output (bash -x)" lacks "$W/out" "pw-never-shown"
else
	echo "# skipped the secret check: no ssh-keygen or ssh-agent on this host"
fi
