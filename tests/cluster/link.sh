#!/bin/bash
# Cut or restore a NIC inside a node of a harness cluster:
#
#   link.sh STATEDIR NODE IFACE up|down|show
#
# e.g. `link.sh /tmp/cibform-cluster-two t3021cent ens192 down` = `ip link set ens192 down`
# run in t3021cent's network namespace: its veth peer on the switch loses carrier, so the node
# loses knet link 0 and the ping host. Works on any entry (pinghost's eth0 too).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG="link"

[[ $# -eq 4 && $4 =~ ^(up|down|show)$ ]] || {
	sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
cibf_need_root
dir=$(cibf_statedir "$1")
ns=$(cibf_netns_of "$dir" "$2")
[[ -e /run/netns/$ns ]] || cibf_die "network namespace $ns of '$2' is gone (cluster stopped?)"
if [[ $4 == show ]]; then
	exec ip -n "$ns" -br link show dev "$3"
fi
ip -n "$ns" link set dev "$3" "$4"
cibf_log "$2: $3 $4"
