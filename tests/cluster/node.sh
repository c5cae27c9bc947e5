#!/bin/bash
# Stop, crash or restart the cluster daemons of one node while its namespaces stay up (for
# failover tests):
#
#   node.sh STATEDIR NODE stop                     SIGTERM pacemakerd, then corosync (clean leave)
#   node.sh STATEDIR NODE stop corosync|pacemakerd SIGTERM that daemon only, wait for it to exit
#   node.sh STATEDIR NODE kill [corosync|pacemakerd]  SIGKILL one daemon (default corosync)
#   node.sh STATEDIR NODE start                    start corosync and pacemakerd if not running,
#                                                  wait until NODE is Online with a DC (60 s)
#   node.sh STATEDIR NODE start corosync|pacemakerd  start that daemon only if not running (no wait
#                                                  for Online: the other nodes may not be up yet)
#   node.sh STATEDIR NODE start|stop corosync-qdevice  the quorum device daemon (foreground, no systemd)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG="node"

usage() {
	sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[[ $# -ge 3 ]] || usage
cibf_need_root
dir=$(cibf_statedir "$1")
node=$2
action=$3
[[ -n $(cibf_holder_pid "$dir" "$node") ]] || cibf_die "no running namespaces for node '$node' in $dir"

daemon=${4:-}
[[ -z $daemon || $daemon =~ ^(corosync|pacemakerd|corosync-qdevice)$ ]] || usage

case $action in
stop)
	if [[ -n $daemon ]]; then
		timeout=$CIBF_COROSYNC_STOP_TIMEOUT
		[[ $daemon == corosync ]] || timeout=$CIBF_PCMK_STOP_TIMEOUT
		cibf_term_wait "$dir" "$daemon" "$timeout" "$node" ||
			cibf_die "$daemon on $node did not stop within ${timeout}s"
		cibf_log "$node: $daemon stopped"
		exit 0
	fi
	cibf_term_wait "$dir" pacemakerd "$CIBF_PCMK_STOP_TIMEOUT" "$node" ||
		cibf_die "pacemakerd on $node did not stop within ${CIBF_PCMK_STOP_TIMEOUT}s"
	cibf_term_wait "$dir" corosync "$CIBF_COROSYNC_STOP_TIMEOUT" "$node" ||
		cibf_die "corosync on $node did not stop within ${CIBF_COROSYNC_STOP_TIMEOUT}s"
	cibf_log "$node: pacemaker and corosync stopped"
	;;
kill)
	daemon=${daemon:-corosync}
	[[ $daemon =~ ^(corosync|pacemakerd)$ ]] || usage
	pid=$(cibf_daemon_pid "$dir" "$node" "$daemon")
	[[ -n $pid ]] || cibf_die "$daemon is not running on $node"
	kill -KILL "$pid"
	cibf_log "$node: SIGKILLed $daemon ($pid)"
	;;
start)
	if [[ -n $daemon ]]; then
		if [[ -z $(cibf_daemon_pid "$dir" "$node" "$daemon") ]]; then
			case $daemon in
			corosync) cibf_start_corosync "$dir" "$node" ;;
			corosync-qdevice) cibf_start_qdevice "$dir" "$node" ;;
			*) cibf_start_pacemaker "$dir" "$node" ;;
			esac
		fi
		exit 0
	fi
	t0=$(cibf_now)
	# Pacemaker daemons orphaned by a crash must not linger next to the new ones.
	if [[ -z $(cibf_daemon_pid "$dir" "$node" pacemakerd) ]]; then
		for p in $(cibf_mntns_pids "$(<"$dir/nodes/$node/mntns")"); do
			if [[ $(cat "/proc/$p/comm" 2>/dev/null) == pacemaker-* ]]; then
				kill -KILL "$p" 2>/dev/null || true
			fi
		done
	fi
	[[ -n $(cibf_daemon_pid "$dir" "$node" corosync) ]] || cibf_start_corosync "$dir" "$node"
	[[ -n $(cibf_daemon_pid "$dir" "$node" pacemakerd) ]] || cibf_start_pacemaker "$dir" "$node"
	cibf_wait_online "$dir" 60 "$node" || cibf_die "$node not Online with a DC within 60 s"
	cibf_log "$node: Online with a DC after $(cibf_since "$t0") s"
	;;
*) usage ;;
esac
