#!/bin/bash
# pcsd on a node of a harness cluster (single-node.sh or two-node.sh), without systemd:
#
#   pcsd.sh start STATEDIR NODE PASSWORD_FILE [BIND_ADDR]
#   pcsd.sh stop  STATEDIR NODE
#   pcsd.sh new-cert STATEDIR NODE      (stop, delete pcsd's certificate, start: pcsd makes a new one)
#
# The `hacluster` password (first line of PASSWORD_FILE) is set in a copy of /etc/shadow that
# only this pcsd sees (pcsd-init.sh); the host's is never touched. BIND_ADDR defaults to
# 0.0.0.0 (inside the node's network namespace: only the node's own addresses). start returns
# once pcsd accepts TLS connections on port 2224 (~3 s; CIBF_PCSD_TIMEOUT, default 30 s), or
# fails with the logs' tails. stop sends SIGTERM to every process in this pcsd's own mount
# namespace (both halves and the workers), waits up to 10 s, then SIGKILLs what is left.
# Leftovers are also killed by the cluster's own `stop` (they live in the node's network
# namespace). pcsd's `systemctl` is systemctl-standin.sh (it starts and stops corosync and
# pacemaker as the harness does). State: NODEDIR/{pcsd,pcsd-ruby}.{pid,out}, pcsd.mntns,
# pcsd-shadow, pcsd-systemctl, log-pcsd/.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CIBF_TAG=pcsd

usage() {
	sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[[ $# -ge 3 ]] || usage
action=$1
cibf_need_root
dir=$(cibf_statedir "$2")
node=$3
nd=$dir/nodes/$node
[[ -d $nd ]] || cibf_die "no node '$node' in $dir"

# Pid of pcsd half NAME (pcsd|pcsd-ruby) when it runs in this pcsd's mount namespace.
pcsd_pid() {
	local pid
	[[ -f $nd/$1.pid && -f $nd/pcsd.mntns ]] || return 0
	pid=$(<"$nd/$1.pid")
	[[ $(readlink "/proc/$pid/ns/mnt" 2>/dev/null) == "$(<"$nd/pcsd.mntns")" ]] && printf '%s\n' "$pid"
	return 0
}

# Pids of every process in this pcsd's mount namespace: both halves and the Python half's
# workers (which outlive a SIGKILLed parent). Only the node's network namespace is searched.
pcsd_all_pids() {
	local want p
	[[ -f $nd/pcsd.mntns && -f $nd/netns ]] || return 0
	want=$(<"$nd/pcsd.mntns")
	for p in $(ip netns pids "$(<"$nd/netns")" 2>/dev/null); do
		[[ $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$want" ]] && printf '%s\n' "$p"
	done
	return 0
}

stop() {
	local i
	local -a pids
	mapfile -t pids < <(pcsd_all_pids)
	# SIGCONT too: a stopped process would not act on SIGTERM.
	((${#pids[@]} == 0)) || kill -TERM "${pids[@]}" 2>/dev/null || true
	((${#pids[@]} == 0)) || kill -CONT "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		mapfile -t pids < <(pcsd_all_pids)
		((${#pids[@]})) || break
		sleep 0.2
	done
	if ((${#pids[@]})); then
		cibf_log "SIGKILL pcsd processes left on $node: ${pids[*]}"
		kill -KILL "${pids[@]}" 2>/dev/null || true
	fi
	rm -f -- "$nd/pcsd.pid" "$nd/pcsd-ruby.pid"
}

# The node's /etc/shadow for pcsd: the host's, with hacluster's password replaced.
make_shadow() {
	local pw hash
	pw=$(head -n1 -- "$1")
	[[ -n $pw ]] || cibf_die "empty password file $1"
	hash=$(printf '%s\n' "$pw" | openssl passwd -6 -stdin)
	awk -F: -v OFS=: -v h="$hash" '$1 == "hacluster" { $2 = h } { print }' /etc/shadow >"$nd/pcsd-shadow.tmp"
	chmod 0640 "$nd/pcsd-shadow.tmp"
	mv -- "$nd/pcsd-shadow.tmp" "$nd/pcsd-shadow"
}

start() {
	local bind=$1 i t0
	t0=$(cibf_now)
	[[ -z $(pcsd_pid pcsd) ]] || cibf_die "pcsd already runs on $node"
	[[ -f $nd/pcsd-shadow ]] || cibf_die "no password set for $node (start with PASSWORD_FILE)"
	rm -f -- "$nd/pcsd.pid" "$nd/pcsd-ruby.pid" "$nd/pcsd.mntns"
	mkdir -p -- "$nd/log-pcsd"
	printf '#!/bin/bash\nexec %q %q "$@"\n' "$CIBF_DIR/systemctl-standin.sh" "$nd" >"$nd/pcsd-systemctl"
	chmod 0755 "$nd/pcsd-systemctl"
	cibf_nsenter_cmd "$dir" "$node"
	(cd / && exec "${CIBF_NSENTER[@]}" "${CIBF_DAEMON_ENV[@]}" setsid unshare --mount --propagation private -- \
		"$CIBF_DIR/pcsd-init.sh" "$nd" "$bind" </dev/null >>"$nd/pcsd-init.out" 2>&1 &)
	for ((i = 0; i < ${CIBF_PCSD_TIMEOUT:-30} * 5; i++)); do
		if [[ -n $(pcsd_pid pcsd) ]] &&
			cibf_on "$dir" "$node" timeout 2 openssl s_client -connect 127.0.0.1:2224 </dev/null >/dev/null 2>&1; then
			cibf_log "pcsd on $node answers after $(cibf_since "$t0") s"
			return 0
		fi
		sleep 0.2
	done
	for f in pcsd-init.out pcsd.out pcsd-ruby.out; do
		[[ -s $nd/$f ]] && tail -n 20 -- "$nd/$f" >&2
	done
	stop
	cibf_die "pcsd on $node did not answer within ${CIBF_PCSD_TIMEOUT:-30} s"
}

case $action in
start)
	[[ $# -ge 4 ]] || usage
	make_shadow "$4"
	printf '%s\n' "${5:-0.0.0.0}" >"$nd/pcsd.bind"
	start "${5:-0.0.0.0}"
	;;
stop) stop ;;
new-cert)
	stop
	rm -f -- "$nd/lib-pcsd/pcsd.crt" "$nd/lib-pcsd/pcsd.key"
	start "$(cat -- "$nd/pcsd.bind" 2>/dev/null || echo 0.0.0.0)"
	;;
*) usage ;;
esac
