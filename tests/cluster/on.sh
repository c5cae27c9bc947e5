#!/bin/bash
# Run a command "on" a node of a harness cluster (single-node.sh or two-node.sh):
#
#   on.sh STATEDIR NODE -- cmd args...
#
# Cluster nodes: enters the node's mount, UTS and network namespaces (its /etc/corosync,
# /var/lib/pacemaker, /run, /dev/shm, hostname, interfaces and the abstract IPC sockets of
# its daemons), e.g. `on.sh /tmp/x t3021cent -- cibadmin --query`, `... -- crm_mon -1`,
# `... -- pcs resource create ...`, `... -- ip -br addr`. "pinghost" and "switch" (two-node)
# are bare network namespaces. The caller's environment and working directory are kept. The
# command's exit status is on.sh's; it is never run in the host's namespaces.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG=on

[[ $# -ge 4 && $3 == -- ]] || {
	sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
cibf_need_root
dir=$(cibf_statedir "$1")
node=$2
shift 3
cibf_nsenter_cmd "$dir" "$node"
exec "${CIBF_NSENTER[@]}" "$@"
