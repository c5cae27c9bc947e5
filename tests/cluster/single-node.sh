#!/bin/bash
# A real single-node corosync + pacemaker cluster "clst-01" for tests, isolated from the host.
#
#   single-node.sh start  [--name NODE] [--dir STATEDIR] [--cib FILE]
#   single-node.sh stop   [--dir STATEDIR]
#   single-node.sh status [--dir STATEDIR]
#
# NODE defaults to t3021cent, STATEDIR to /tmp/cibform-cluster-single; --cib seeds the CIB
# (default: empty; dc-deadtime=2s is added unless set; stonith-enabled is left at its
# default, so resources only start once a test sets it to false). Run commands on the node
# with `on.sh STATEDIR NODE -- cmd...`. Progress goes to stderr; start returns once
# `crm_mon` shows the node Online with a DC (CIBF_START_TIMEOUT, default 60 s; then the logs'
# tails are printed and everything is stopped). stop: SIGTERM pacemakerd, then corosync
# (CIBF_PCMK_STOP_TIMEOUT 30 s, CIBF_COROSYNC_STOP_TIMEOUT 10 s), then SIGKILL what is left;
# idempotent. status exits 0 when running, 3 when stopped, 1 when partly up. Needs root.
#
# The node gets its own network namespace (with only lo, up) besides its own mount and UTS
# namespaces. libqb IPC endpoints (cib_rw, crmd, attrd, ...) are *abstract* unix sockets,
# which are per network namespace: in the host's, they would collide with any other cluster
# (a host pacemaker, a second test run) and the CLI tools could talk to the wrong one. Inside
# its own namespace corosync can also bind 127.0.0.1 without clashing with anything.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG=single-node # used by lib.sh

usage() {
	sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

action=${1:-}
[[ $# -gt 0 ]] && shift
node=t3021cent
dir=/tmp/cibform-cluster-single
cib=
while [[ $# -gt 0 ]]; do
	case $1 in
	--name) node=${2:?}; shift 2 ;;
	--dir) dir=${2:?}; shift 2 ;;
	--cib) cib=$(realpath -- "${2:?}"); shift 2 ;;
	*) usage ;;
	esac
done
[[ $node =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || cibf_die "bad node name: $node"
cibf_need_root
dir=$(cibf_statedir "$dir")
timeout=${CIBF_START_TIMEOUT:-60} # s until Online with a DC

start() {
	local t0
	t0=$(cibf_now)
	# Leftovers of an earlier run of this STATEDIR would hold the same namespace names.
	[[ ! -e $dir/.cibform-cluster ]] || cibf_stop_all "$dir"
	cibf_reset_statedir "$dir" single
	# From here on, any failure tears down whatever was started.
	cibf_cleanup_on_failure "$dir"

	corosync-keygen -l -k "$dir/authkey" >/dev/null 2>&1
	cibf_corosync_conf "" "$node 1 127.0.0.1" >"$dir/corosync.conf"
	cibf_make_seed_cib "$dir" "$cib"
	printf '127.0.0.1\tlocalhost %s\n' "$node" >"$dir/hosts"
	cibf_node_create "$dir" "$node" "$dir/corosync.conf"
	cibf_log "namespaces of $node ready ($(cibf_netns_of "$dir" "$node"))"
	cibf_start_corosync "$dir" "$node"
	cibf_log "corosync up after $(cibf_since "$t0") s"
	cibf_start_pacemaker "$dir" "$node"
	cibf_wait_online "$dir" "$timeout" "$node" || cibf_die "$node not Online with a DC within $timeout s"
	cibf_log "$node Online with a DC after $(cibf_since "$t0") s (state in $dir)"
	trap - EXIT INT TERM
}

case $action in
start) start ;;
stop)
	if [[ -e $dir/.cibform-cluster ]] || [[ -n $(cibf_list_netns "$dir") ]]; then
		cibf_stop_all "$dir"
	fi
	;;
status) cibf_status "$dir" ;;
*) usage ;;
esac
