#!/usr/bin/env bash
# cibform's GitOps pipeline, all of its logic in one place; the CI files next to it only call it.
#
#   ci.sh plan    pull request: validate, play the failover scenarios, save the plan and post it
#                 as one sticky comment (updated in place, never duplicated, left alone when
#                 nothing changed)
#   ci.sh apply   merge: apply exactly the saved, reviewed plan; a stale one is refused
#   ci.sh drift   nightly: fail, showing the drift, when the cluster differs from the file
#
# Settings (environment):
#   CLUSTER_FILE       the cluster file (default cluster.yaml)
#   CIBFORM            the cibform command (default cibform)
#   CIBFORM_TARGET     --target (default: the file's `target:`, else its nodes over ssh)
#   CIBFORM_COROSYNC   --corosync PATH, for targets that are CIB files
#   CIBFORM_FLAGS      more global flags, split on spaces (e.g. --no-host-tools)
#   OUT_DIR            where plan.json, plan.md, failover.xml and drift.txt go (default cibform-out)
#   COMMENT_API        github | gitlab | dir:PATH | none; default github under GitHub Actions,
#                      gitlab under GitLab CI, none elsewhere. dir:PATH is the local stand-in: the
#                      pull request's comments are files in PATH, and PATH/log records each post
#   github: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, PR_NUMBER (else the event's)
#   gitlab: GITLAB_TOKEN (api scope), CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID
# Secrets (from the CI secret store; never printed, not even under `bash -x`):
#   CIBFORM_SSH_KEY          a private key for ssh:// targets (loaded into an ssh-agent)
#   CIBFORM_SSH_KNOWN_HOSTS  the nodes' host keys (known_hosts lines)
#   CIB_passwd, PCSD_PASSWORD  passed to cibform in the environment only
#   CIBFORM_PLAN_KEY         authenticates the saved plan (plan job) for the apply job; without
#                            it the plan's `policy:` opens no gate at apply (cibform reads it
#                            from the environment)
#
# Exit status: 0 done; 1 failed (a refusal, drift, a failing scenario, an error).

# Backticks in single quotes below are Markdown code spans, not command substitutions.
# shellcheck disable=SC2016
set -euo pipefail

CLUSTER_FILE=${CLUSTER_FILE:-cluster.yaml}
CIBFORM=${CIBFORM:-cibform}
OUT_DIR=${OUT_DIR:-cibform-out}
read -ra FLAGS <<<"${CIBFORM_FLAGS:-}"

say() { printf 'ci.sh: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# cibform with the global flags.
cib() { "$CIBFORM" "${FLAGS[@]}" "$@"; }

# The target and corosync flags every command that reads the cluster takes.
target_args() {
	TARGET_ARGS=()
	if [[ -n ${CIBFORM_TARGET:-} ]]; then TARGET_ARGS+=(--target "$CIBFORM_TARGET"); fi
	if [[ -n ${CIBFORM_COROSYNC:-} ]]; then TARGET_ARGS+=(--corosync "$CIBFORM_COROSYNC"); fi
	return 0
}

# --- secrets ------------------------------------------------------------------------------------

# Run "$@" with tracing off, whatever the caller set, and put tracing back afterwards.
quietly() {
	{
		local was
		was=$(set +o | grep -x 'set -o xtrace' || true)
		set +x
	} 2>/dev/null
	"$@"
	local rc=$?
	if [[ -n $was ]]; then set -x; fi
	return $rc
}

load_ssh_key() {
	[[ -n ${CIBFORM_SSH_KEY:-} ]] || return 0
	command -v ssh-agent >/dev/null || die "CIBFORM_SSH_KEY is set but ssh-agent is not installed"
	eval "$(ssh-agent -s)" >/dev/null
	trap 'ssh-agent -k >/dev/null 2>&1 || true' EXIT
	ssh-add -q - <<<"$CIBFORM_SSH_KEY" 2>/dev/null || die "CIBFORM_SSH_KEY is not a private key ssh-add accepts"
	unset CIBFORM_SSH_KEY
	if [[ -n ${CIBFORM_SSH_KNOWN_HOSTS:-} ]]; then
		mkdir -p "$HOME/.ssh"
		chmod 700 "$HOME/.ssh"
		printf '%s\n' "$CIBFORM_SSH_KNOWN_HOSTS" >>"$HOME/.ssh/known_hosts"
	fi
}

# --- the comment API: find, create, update ------------------------------------------------------
#
# Each adapter implements three functions:
#   api_find MARKER   prints "ID" of the first comment holding MARKER (nothing when none); its body
#                     goes to the file $BODY_NOW
#   api_create FILE   posts FILE's text as a new comment
#   api_update ID FILE  replaces that comment's text

comment_api() {
	local api=${COMMENT_API:-}
	if [[ -z $api ]]; then
		if [[ ${GITHUB_ACTIONS:-} == true ]]; then
			api=github
		elif [[ -n ${GITLAB_CI:-} ]]; then
			api=gitlab
		else
			api=none
		fi
	fi
	printf '%s' "$api"
}

# curl with the token passed on standard input (never on the command line, where `ps` shows it).
# Prints the response body; fails on an HTTP error, saying which request.
http() {
	local method=$1 url=$2 data=${3:-}
	local args=(-sS --fail-with-body -X "$method" --config - -H 'Accept: application/json')
	if [[ -n $data ]]; then args+=(-H 'Content-Type: application/json' --data-binary "@$data"); fi
	local out
	if ! out=$(quietly auth_header | curl "${args[@]}" "$url"); then
		say "the comment API refused $method $url: ${out:0:500}"
		return 1
	fi
	printf '%s' "$out"
}

auth_header() {
	case $API in
	github) printf 'header = "Authorization: Bearer %s"\nheader = "X-GitHub-Api-Version: 2022-11-28"\n' "${GITHUB_TOKEN:?GITHUB_TOKEN is not set}" ;;
	gitlab) printf 'header = "PRIVATE-TOKEN: %s"\n' "${GITLAB_TOKEN:?GITLAB_TOKEN is not set (a project access token with api scope)}" ;;
	esac
}

# The comments' collection URL and one comment's URL, per forge.
thread_url() {
	case $API in
	github)
		local pr=${PR_NUMBER:-}
		if [[ -z $pr && -n ${GITHUB_EVENT_PATH:-} ]]; then pr=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH"); fi
		[[ -n $pr ]] || die "no pull request number: set PR_NUMBER, or run on a pull_request event"
		printf '%s/repos/%s/issues/%s/comments' "${GITHUB_API_URL:-https://api.github.com}" "${GITHUB_REPOSITORY:?}" "$pr"
		;;
	gitlab)
		[[ -n ${CI_MERGE_REQUEST_IID:-} ]] || die "no merge request: CI_MERGE_REQUEST_IID is not set (run in a merge request pipeline)"
		printf '%s/projects/%s/merge_requests/%s/notes' "${CI_API_V4_URL:?}" "${CI_PROJECT_ID:?}" "$CI_MERGE_REQUEST_IID"
		;;
	esac
}

comment_url() {
	case $API in
	github) printf '%s/repos/%s/issues/comments/%s' "${GITHUB_API_URL:-https://api.github.com}" "$GITHUB_REPOSITORY" "$1" ;;
	gitlab) printf '%s/%s' "$(thread_url)" "$1" ;;
	esac
}

json_body() { jq -Rs '{body: .}' <"$1" >"$1.json"; }

api_find() {
	local marker=$1 page=1 base list found
	base=$(thread_url)
	case $API in
	dir:*)
		found=$(grep -lF -- "$marker" "${API#dir:}"/comment-*.md 2>/dev/null | sort -V | head -n 1 || true)
		[[ -n $found ]] || return 0
		cp "$found" "$BODY_NOW"
		basename "$found" .md
		return 0
		;;
	esac
	while :; do
		list=$(http GET "$base?per_page=100&page=$page")
		[[ $(jq 'length' <<<"$list") -gt 0 ]] || return 0
		found=$(jq -r --arg m "$marker" 'map(select(.body | contains($m))) | first | .id // empty' <<<"$list")
		if [[ -n $found ]]; then
			jq -r --arg id "$found" 'map(select((.id | tostring) == $id)) | first | .body' <<<"$list" >"$BODY_NOW"
			printf '%s' "$found"
			return 0
		fi
		page=$((page + 1))
	done
}

api_create() {
	case $API in
	dir:*)
		local dir=${API#dir:} n=1
		while [[ -e $dir/comment-$n.md ]]; do n=$((n + 1)); done
		cp "$1" "$dir/comment-$n.md"
		echo "create comment-$n" >>"$dir/log"
		;;
	*)
		json_body "$1"
		http POST "$(thread_url)" "$1.json" >/dev/null
		;;
	esac
}

api_update() {
	case $API in
	dir:*)
		cp "$2" "${API#dir:}/$1.md"
		echo "update $1" >>"${API#dir:}/log"
		;;
	github)
		json_body "$2"
		http PATCH "$(comment_url "$1")" "$2.json" >/dev/null
		;;
	gitlab)
		json_body "$2"
		http PUT "$(comment_url "$1")" "$2.json" >/dev/null
		;;
	esac
}

# The text that counts when comparing two versions of the comment: the CIB's num_updates moves
# with every status update of a live cluster, so it alone does not make a new comment.
comparable() { sed -E 's/\(CIB ([0-9]+)\.([0-9]+)\.[0-9]+\)/(CIB \1.\2)/' "$1"; }

# Post FILE as the one comment holding MARKER: update it when its text changed, else leave it.
post_sticky() {
	local marker=$1 file=$2 id
	API=$(comment_api)
	case $API in
	none)
		say "COMMENT_API is none: not posting the plan (it is in $file)"
		return 0
		;;
	dir:*) mkdir -p "${API#dir:}" ;;
	github | gitlab)
		if ! command -v jq >/dev/null || ! command -v curl >/dev/null; then die "posting to $API needs curl and jq"; fi
		;;
	*) die "COMMENT_API must be github, gitlab, dir:PATH or none, not \`$API\`" ;;
	esac
	BODY_NOW=$(mktemp)
	id=$(api_find "$marker")
	if [[ -z $id ]]; then
		api_create "$file"
		say "posted the plan as a new comment"
	elif [[ "$(comparable "$BODY_NOW")" == "$(comparable "$file")" ]]; then
		[[ $API != dir:* ]] || echo "unchanged $id" >>"${API#dir:}/log"
		say "the plan comment is up to date: not touched"
	else
		api_update "$id" "$file"
		say "updated the plan comment"
	fi
	rm -f "$BODY_NOW"
}

# --- the three jobs -----------------------------------------------------------------------------

# The comment's hidden marker: one sticky comment per cluster file.
marker() { printf '<!-- cibform plan: %s -->' "$(tr -c 'A-Za-z0-9._/\n-' '_' <<<"$CLUSTER_FILE")"; }

# The digest that binds a saved plan to the cluster file it was made from.
inputs_digest() { sha256sum <"$CLUSTER_FILE" | cut -d' ' -f1; }

cmd_plan() {
	mkdir -p "$OUT_DIR"
	local body=$OUT_DIR/comment.md errors=$OUT_DIR/errors.txt failed=0 tested=0
	rm -f "$OUT_DIR/plan.json" "$OUT_DIR/plan.md" "$OUT_DIR/plan.inputs" "$errors"
	target_args
	{
		marker
		echo
	} >"$body"
	local valid=0
	cib validate "$CLUSTER_FILE" 2>"$errors" || valid=$?
	cat "$errors" >&2
	if ((valid != 0)); then
		{
			printf '### cibform: `%s` is not valid\n\n```text\n' "$CLUSTER_FILE"
			cat "$errors"
			printf '```\n'
		} >>"$body"
		post_sticky "$(marker)" "$body"
		die "$CLUSTER_FILE is not valid"
	fi
	cib test "$CLUSTER_FILE" "${TARGET_ARGS[@]}" --junit "$OUT_DIR/failover.xml" >&2 || tested=1
	if cib plan "$CLUSTER_FILE" "${TARGET_ARGS[@]}" --format markdown --out "$OUT_DIR/plan.json" \
		>"$OUT_DIR/plan.md" 2>"$errors"; then
		cat "$OUT_DIR/plan.md" >>"$body"
		if [[ $(wc -c <"$body") -gt 60000 ]]; then
			{
				marker
				printf '\n### cibform plan\n\nThe plan is too long for a comment: see `plan.md` in the job'"'"'s artifacts.\n\n'
				grep -m 1 -E '^Target ' "$OUT_DIR/plan.md" || true
			} >"$body"
		fi
	else
		failed=1
		{
			printf '### cibform could not plan `%s`\n\n```text\n' "$CLUSTER_FILE"
			cat "$errors"
			printf '```\n'
		} >>"$body"
	fi
	cat "$errors" >&2
	post_sticky "$(marker)" "$body"
	((failed == 0)) || die "the plan failed (see above)"
	((tested == 0)) || die "a failover scenario does not hold (see above and $OUT_DIR/failover.xml)"
	# Only a plan whose job passed can be applied: the digest binds it to this cluster file.
	inputs_digest >"$OUT_DIR/plan.inputs"
	say "plan saved to $OUT_DIR/plan.json: merging applies exactly this plan"
}

# Compare the target with the cluster file; 0 when they match, 2 when they differ (the
# difference in $OUT_DIR/verify.txt), else an error.
matches_file() {
	target_args
	local rc=0
	NO_COLOR=1 cib plan "$CLUSTER_FILE" "${TARGET_ARGS[@]}" --no-preview --detailed-exitcode >"$OUT_DIR/verify.txt" || rc=$?
	return $rc
}

cmd_apply() {
	local plan=$OUT_DIR/plan.json log=$OUT_DIR/apply.txt
	[[ -f $CLUSTER_FILE ]] || die "no cluster file \`$CLUSTER_FILE\` (set CLUSTER_FILE)"
	[[ -f $plan && -f $OUT_DIR/plan.inputs ]] ||
		die "no reviewed plan in $OUT_DIR (plan.json and plan.inputs, written when the plan job passes): the merge job must fetch the pull request's plan job artifact"
	if [[ $(inputs_digest) != "$(cat "$OUT_DIR/plan.inputs")" ]]; then
		die "the reviewed plan was made from another version of $CLUSTER_FILE than the one merged; nothing was applied. Re-run the plan job on the pull request (it must be up to date with the main branch), review the new plan, then merge"
	fi
	local rc=0
	cib apply "$plan" ${CIBFORM_TARGET:+--target "$CIBFORM_TARGET"} --auto-approve 2>&1 | tee "$log" || rc=$?
	if ((rc != 0)); then
		if ! grep -qE 'changed since this plan was made|configuration was edited' "$log"; then
			die "apply failed (see above)"
		fi
		# A re-run of a merge job that already applied: the cluster holds the reviewed file.
		rc=0
		matches_file || rc=$?
		if ((rc == 0)); then
			say "the cluster already matches $CLUSTER_FILE, the file this plan was made from: nothing to apply"
			return 0
		fi
		die "refused: the cluster changed after the plan was reviewed, so the reviewed plan no longer says what apply would do; nothing was applied. To re-plan: re-run the plan job of the pull request (or push to it), review the new plan comment, and run this job again"
	fi
	say "applied the reviewed plan"
	# A saved plan holds no cluster file: check the result against the merged one.
	rc=0
	matches_file || rc=$?
	case $rc in
	0) say "verified: the cluster now matches $CLUSTER_FILE" ;;
	2)
		cat "$OUT_DIR/verify.txt"
		die "applied, but the cluster still differs from $CLUSTER_FILE (shown above)"
		;;
	*) die "applied, but the result could not be checked (exit $rc)" ;;
	esac
}

cmd_drift() {
	[[ -f $CLUSTER_FILE ]] || die "no cluster file \`$CLUSTER_FILE\` (set CLUSTER_FILE)"
	mkdir -p "$OUT_DIR"
	target_args
	local report=$OUT_DIR/drift.txt rc=0
	NO_COLOR=1 cib plan "$CLUSTER_FILE" "${TARGET_ARGS[@]}" --detailed-exitcode >"$report" || rc=$?
	case $rc in
	0) say "no drift: the cluster matches $CLUSTER_FILE" ;;
	2)
		cat "$report"
		if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
			printf '### cibform: the cluster drifted from `%s`\n\n```text\n%s\n```\n' "$CLUSTER_FILE" "$(cat "$report")" >>"$GITHUB_STEP_SUMMARY"
		fi
		die "drift: the cluster differs from $CLUSTER_FILE (shown above). Put the change in the file with a pull request, or apply the file to undo it"
		;;
	*) die "the drift check could not run (exit $rc)" ;;
	esac
}

main() {
	[[ $# -eq 1 ]] || die "usage: ci.sh plan|apply|drift"
	quietly load_ssh_key
	case $1 in
	plan) cmd_plan ;;
	apply) cmd_apply ;;
	drift) cmd_drift ;;
	*) die "usage: ci.sh plan|apply|drift (not \`$1\`)" ;;
	esac
}

main "$@"
