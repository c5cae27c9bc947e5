#!/bin/bash
# The reference case's two-node cluster "clst-01", each node in its own namespaces:
#
#   two-node.sh start  [--dir STATEDIR] [--cib FILE] [--bare] [--spare-link] [--spare-node | --spare-nodes 1|2]
#                      [--qnetd-host | --qnetd-hosts 1|2]
#   two-node.sh stop   [--dir STATEDIR]
#   two-node.sh status [--dir STATEDIR]
#
# STATEDIR defaults to /tmp/cibform-cluster-two; --cib seeds both nodes' CIB (default: empty).
# Nodes t3021cent (nodeid 1) and t3022cent (nodeid 2); knet link 0 on ens192
# (192.168.33.21/24, .22/24), link 1 on ens224 (192.168.22.21/24, .22/24); two_node: 1;
# "pinghost" answers ping at 192.168.33.31 on the link-0 segment. Run commands with
# `on.sh STATEDIR NODE -- cmd...` (NODE: t3021cent, t3022cent, pinghost, switch), cut a
# NIC with `link.sh STATEDIR NODE IFACE down|up`, crash/restart a node's daemons with
# node.sh. The nodes' /etc/hosts name every address as the reference case does
# (t3021cent, t3021cent-22, ..., pinghost). Start returns once both nodes see both Online
# with a DC (CIBF_START_TIMEOUT, default 90 s). Seed CIB, stop and status: as single-node.sh.
# --bare: the same hosts and links with no cluster (no corosync.conf, key or CIB; nothing
# started), for a bootstrap through pcsd (pcsd.sh).
# --spare-link wires a third segment, ens256 192.168.44.21/.22 (bridge br-l2), that corosync.conf
# does not use: room to add knet link 2 to the running cluster.
# --spare-node adds a third host, t3024cent (nodeid 3 when it joins; 192.168.33.24, 192.168.22.24,
# and .44.24 with --spare-link; .33.23 is the reference VIP), wired like the others and named in
# every /etc/hosts, with no cluster (no corosync.conf, key or CIB; nothing started): room for
# a node to join through the file. --spare-nodes 2 adds a fourth such host too, t3025cent (nodeid 4;
# 192.168.33.25, 192.168.22.25, .44.25), for two nodes joining at once; --spare-nodes 1 is --spare-node.
# --qnetd-host adds a host `qnetd` (192.168.33.30 on the link-0 segment, named in every
# /etc/hosts) running corosync-qnetd in the foreground with its own CA (`corosync-qnetd-certutil
# -i` in its own /etc/corosync), for a quorum device; no cluster there. `on.sh ... qnetd --`
# runs commands on it; stop kills qnetd by pid.
# --qnetd-hosts 2 adds a second such host, `qnetd2` (192.168.33.32, its own CA), for a device
# moving to another qnetd host; --qnetd-hosts 1 is --qnetd-host.
#
# Topology (every address exists only inside namespaces made here; the host namespace gets
# no address, route or interface, and never sends to them):
#
#   cibf-H-t3021cent            cibf-H-switch                cibf-H-t3022cent
#     ens192 .33.21 ---- n1l0 -[ br-l0 ]- n2l0 ---- ens192 .33.22
#                                  |
#                                 phl0 ---- eth0 .33.31  cibf-H-pinghost
#                                 (qnl0 ---- eth0 .33.30  cibf-H-qnetd, qn2l0 ---- .33.32 qnetd2)
#     ens224 .22.21 ---- n1l1 -[ br-l1 ]- n2l1 ---- ens224 .22.22
#
# One bridge per link in a dedicated "switch" namespace gives each link its own L2 segment,
# which link 0 needs since three namespaces share it. Every veth is created directly with
# its ends in the target namespaces (`ip -n SWITCH link add ... peer ... netns NODE`), so no
# interface ever appears in the host namespace, even briefly.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG=two-node

usage() {
	sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

action=${1:-}
[[ $# -gt 0 ]] && shift
dir=/tmp/cibform-cluster-two
cib=
bare=
spare=
spare_node=
qnetd=
while [[ $# -gt 0 ]]; do
	case $1 in
	--dir) dir=${2:?}; shift 2 ;;
	--cib) cib=$(realpath -- "${2:?}"); shift 2 ;;
	--bare) bare=1; shift ;;
	--spare-link) spare=1; shift ;;
	--spare-node) spare_node=1; shift ;;
	--spare-nodes)
		[[ ${2:-} == [12] ]] || usage
		spare_node=$2; shift 2 ;;
	--qnetd-host) qnetd=1; shift ;;
	--qnetd-hosts)
		[[ ${2:-} == [12] ]] || usage
		qnetd=$2; shift 2 ;;
	*) usage ;;
	esac
done
cibf_need_root
dir=$(cibf_statedir "$dir")
timeout=${CIBF_START_TIMEOUT:-90} # s until Online with a DC

# name nodeid host-part: addresses are 192.168.33.<host> (link 0) and 192.168.22.<host> (link 1)
NODES=("t3021cent 1 21" "t3022cent 2 22")
NODE_NAMES=(t3021cent t3022cent)
# the spare hosts, in the order --spare-nodes counts
SPARE_NODES=("t3024cent 3 24" "t3025cent 4 25")
# name host-part (192.168.33.<host>) switch-port of each qnetd host, in the order --qnetd-hosts counts
QNETD_HOSTS=("qnetd 30 qnl0" "qnetd2 32 qn2l0")

# veth between the switch's bridge BR (port SWPORT) and NS's interface IFACE with ADDR.
wire() {
	local sw=$1 br=$2 swport=$3 ns=$4 iface=$5 addr=$6
	ip -n "$sw" link add "$swport" type veth peer name "$iface" netns "$ns"
	ip -n "$sw" link set "$swport" master "$br" up
	ip -n "$ns" addr add "$addr" dev "$iface"
	ip -n "$ns" link set "$iface" up
}

start() {
	local t0 sw ph spec name id host ns port
	local -a specs=()
	t0=$(cibf_now)
	[[ ! -e $dir/.cibform-cluster ]] || cibf_stop_all "$dir"
	cibf_reset_statedir "$dir" two-node
	cibf_cleanup_on_failure "$dir"

	corosync-keygen -l -k "$dir/authkey" >/dev/null 2>&1
	for spec in "${NODES[@]}"; do
		read -r name id host <<<"$spec"
		specs+=("$name $id 192.168.33.$host 192.168.22.$host")
	done
	cibf_corosync_conf two_node "${specs[@]}" >"$dir/corosync.conf"
	cibf_make_seed_cib "$dir" "$cib"
	{
		printf '127.0.0.1\tlocalhost\n'
		for spec in "${NODES[@]}" "${SPARE_NODES[@]:0:${spare_node:-0}}"; do
			read -r name id host <<<"$spec"
			printf '192.168.33.%s\t%s\n192.168.22.%s\t%s-22\n' "$host" "$name" "$host" "$name"
		done
		printf '192.168.33.31\tpinghost\n'
		for spec in "${QNETD_HOSTS[@]:0:${qnetd:-0}}"; do
			read -r name host _ <<<"$spec"
			printf '192.168.33.%s\t%s\n' "$host" "$name"
		done
	} >"$dir/hosts"

	# The switch: one bridge per knet link. No STP (a single bridge cannot loop), so ports
	# forward as soon as they are up.
	cibf_netns_create "$dir" switch
	sw=$(cibf_netns_of "$dir" switch)
	local -a bridges=(br-l0 br-l1)
	[[ -z $spare ]] || bridges+=(br-l2)
	for br in "${bridges[@]}"; do
		ip -n "$sw" link add "$br" type bridge stp_state 0 forward_delay 0
		ip -n "$sw" link set "$br" up
	done

	for spec in "${NODES[@]}" "${SPARE_NODES[@]:0:${spare_node:-0}}"; do
		read -r name id host <<<"$spec"
		cibf_node_create "$dir" "$name" "$dir/corosync.conf"
		ns=$(cibf_netns_of "$dir" "$name")
		wire "$sw" br-l0 "n${id}l0" "$ns" ens192 "192.168.33.$host/24"
		wire "$sw" br-l1 "n${id}l1" "$ns" ens224 "192.168.22.$host/24"
		[[ -z $spare ]] || wire "$sw" br-l2 "n${id}l2" "$ns" ens256 "192.168.44.$host/24"
	done

	for spec in "${SPARE_NODES[@]:0:${spare_node:-0}}"; do
		# A host with no cluster: no corosync.conf, key or CIB; nothing started there.
		read -r name _ <<<"$spec"
		rm -f -- "$dir/nodes/$name"/etc-corosync/{corosync.conf,authkey} "$dir/nodes/$name/lib-pacemaker/cib/cib.xml"
	done

	cibf_netns_create "$dir" pinghost
	ph=$(cibf_netns_of "$dir" pinghost)
	wire "$sw" br-l0 phl0 "$ph" eth0 192.168.33.31/24
	for spec in "${QNETD_HOSTS[@]:0:${qnetd:-0}}"; do
		read -r name host port <<<"$spec"
		cibf_qnetd_create "$dir" "$name"
		wire "$sw" br-l0 "$port" "$(cibf_netns_of "$dir" "$name")" eth0 "192.168.33.$host/24"
		cibf_start_qnetd "$dir" "$name"
	done
	cibf_log "namespaces and links ready after $(cibf_since "$t0") s (prefix $(cibf_prefix "$dir"))"
	if [[ -n $bare ]]; then
		# Hosts with no cluster yet (for a bootstrap): no corosync.conf, key or CIB, nothing started.
		for name in "${NODE_NAMES[@]}"; do
			rm -f -- "$dir/nodes/$name"/etc-corosync/{corosync.conf,authkey} "$dir/nodes/$name/lib-pacemaker/cib/cib.xml"
		done
		cibf_log "bare hosts ready (no cluster) after $(cibf_since "$t0") s (state in $dir)"
		trap - EXIT INT TERM
		return 0
	fi

	# corosync on both before pacemaker on either, as `pcs cluster start --all` does.
	for name in "${NODE_NAMES[@]}"; do cibf_start_corosync "$dir" "$name"; done
	cibf_log "corosync up on both after $(cibf_since "$t0") s"
	for name in "${NODE_NAMES[@]}"; do cibf_start_pacemaker "$dir" "$name"; done
	cibf_wait_online "$dir" "$timeout" "${NODE_NAMES[@]}" ||
		cibf_die "nodes not both Online with a DC within $timeout s"
	cibf_log "both nodes Online with a DC after $(cibf_since "$t0") s (state in $dir)"
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
