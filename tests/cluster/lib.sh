# shellcheck shell=bash
# Common code of the real-cluster test harness; sourced by single-node.sh, two-node.sh,
# on.sh, link.sh and node.sh. Needs root (network/mount namespaces, mounts, corosync).
#
# State directory layout (the common format every helper reads):
#   STATEDIR/.cibform-cluster        marker: this directory belongs to the harness
#   STATEDIR/kind                    single | two-node
#   STATEDIR/nodes/NAME/netns        network namespace name (cluster nodes, pinghost, switch)
#   STATEDIR/nodes/NAME/holder.pid   pid of the process holding the node's mount+uts namespaces
#   STATEDIR/nodes/NAME/mntns        that mount namespace's id, "mnt:[INODE]"
#   STATEDIR/nodes/NAME/{corosync,pacemakerd}.pid
#   STATEDIR/nodes/NAME/{etc,lib,log}-corosync, {lib,log}-pacemaker, ...  bind-mounted in the node
#   STATEDIR/nodes/NAME/{corosync,pacemakerd,holder}.out   daemons' stdout/stderr
# Only cluster nodes have holder.pid; pinghost and switch are bare network namespaces.
# Namespace names are "cibf-<6 hex of sha1(STATEDIR)>-NAME": unique per state directory, and
# a stale run of the same STATEDIR is found (and removed) by that prefix.

CIBF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CIBF_CLUSTER_NAME=clst-01
: "${CIBF_PCMK_STOP_TIMEOUT:=30}"     # s for pacemakerd to stop after SIGTERM, then SIGKILL
: "${CIBF_COROSYNC_STOP_TIMEOUT:=10}" # s for corosync to stop after SIGTERM, then SIGKILL

# Daemons, and the harness's own probes (crm_mon, corosync-cfgtool), run with a clean
# environment: nothing of the caller (CIB_file, CIB_*, PCMK_*) leaks into them.
CIBF_DAEMON_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root)
# A CIB whose compressed text passes Pacemaker's 128 KiB IPC limit (a CIB of about 5 MB) needs
# a larger buffer, in the daemons and their clients alike, as PCMK_ipc_buffer in
# /etc/sysconfig/pacemaker gives it on a real node: CIBF_PCMK_IPC_BUFFER (bytes) sets it.
[[ -z ${CIBF_PCMK_IPC_BUFFER:-} ]] || CIBF_DAEMON_ENV+=("PCMK_ipc_buffer=$CIBF_PCMK_IPC_BUFFER")

# CIBF_TAG: prefix of the progress lines (set by the calling script).
CIBF_TAG=${CIBF_TAG:-cluster}
cibf_log() { printf '%s %s: %s\n' "$(date +%H:%M:%S.%3N)" "${CIBF_TAG:-cluster}" "$*" >&2; }
cibf_die() {
	cibf_log "error: $*"
	exit 1
}
cibf_need_root() { [[ $EUID -eq 0 ]] || cibf_die "must run as root (namespaces, mounts, corosync)"; }
cibf_now() { date +%s.%N; }
cibf_since() { awk -v a="$1" -v b="$(cibf_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Absolute state directory; refuse places that the node namespaces hide or that are the very
# host directories the harness must never touch.
cibf_statedir() {
	local d
	d=$(realpath -m -- "$1")
	[[ $d != / ]] || cibf_die "refusing state dir /"
	case "$d/" in
	/run/* | /var/run/* | /dev/* | /proc/* | /sys/* | /etc/* | /var/lib/corosync/* | \
		/var/log/corosync/* | /var/lib/pacemaker/* | /var/log/pacemaker/* | /var/lib/pcsd/*)
		cibf_die "refusing state dir $d: hidden or shared inside the node namespaces"
		;;
	esac
	printf '%s\n' "$d"
}

cibf_prefix() { printf 'cibf-%s' "$(printf '%s' "$1" | sha1sum | cut -c1-6)"; }

# Start from an empty state directory. An existing one must be ours (marker) or empty.
cibf_reset_statedir() {
	local d=$1 kind=$2
	if [[ -e $d ]]; then
		[[ -d $d ]] || cibf_die "$d exists and is not a directory"
		if [[ ! -e $d/.cibform-cluster && -n $(ls -A -- "$d") ]]; then
			cibf_die "$d is not empty and was not made by this harness; refusing to wipe it"
		fi
		rm -rf -- "$d"
	fi
	mkdir -p -- "$d/nodes"
	: >"$d/.cibform-cluster"
	printf '%s\n' "$kind" >"$d/kind"
}

# Names of the cluster nodes (entries with a namespace holder) recorded in STATEDIR.
cibf_cluster_nodes() {
	local d=$1 n
	[[ -d $d/nodes ]] || return 0
	for n in "$d"/nodes/*/; do
		[[ -e $n/holder.pid || -e $n/etc-corosync ]] && basename "$n"
	done
	return 0
}

# --- network namespaces ------------------------------------------------------------------

# Create the bare network namespace PREFIX-NAME for entry NAME, loopback up, IPv6 off (no
# link-local/DAD/router-solicitation chatter on the test segments).
cibf_netns_create() {
	local d=$1 name=$2 ns
	ns="$(cibf_prefix "$d")-$name"
	mkdir -p -- "$d/nodes/$name"
	# Recorded before it exists, so a failure right after still gets cleaned up.
	printf '%s\n' "$ns" >"$d/nodes/$name/netns"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	nsenter --net="/run/netns/$ns" -- sh -c \
		'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' ||
		true
}

cibf_netns_of() {
	local f=$1/nodes/$2/netns
	[[ -f $f ]] || cibf_die "no node '$2' in $1"
	cat -- "$f"
}

# --- entering a node -----------------------------------------------------------------------

# Pid of the namespace holder of cluster node NAME, verified to still be in the recorded
# mount namespace (never a recycled pid, never the host). Empty when there is none.
cibf_holder_pid() {
	local nd=$1/nodes/$2 pid want have
	[[ -f $nd/holder.pid && -f $nd/mntns ]] || return 0
	pid=$(<"$nd/holder.pid")
	want=$(<"$nd/mntns")
	have=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null) || return 0
	[[ $have == "$want" ]] && printf '%s\n' "$pid"
	return 0
}

# Sets CIBF_NSENTER to the nsenter command line that runs a command inside NAME. The network
# namespace is always given by its /run/netns file, so a command can never land in the host's.
cibf_nsenter_cmd() {
	local d=$1 name=$2 ns pid
	ns=$(cibf_netns_of "$d" "$name")
	[[ -e /run/netns/$ns ]] || cibf_die "network namespace $ns of '$name' is gone (cluster stopped?)"
	if [[ -e $d/nodes/$name/holder.pid || -e $d/nodes/$name/etc-corosync ]]; then
		pid=$(cibf_holder_pid "$d" "$name")
		[[ -n $pid ]] || cibf_die "the namespace holder of '$name' is gone (cluster stopped?)"
		# setns() into a mount namespace resets the cwd to its /; keep the caller's (the same
		# files are visible there) so relative paths such as `pcs -f cib.xml` work.
		CIBF_NSENTER=(nsenter --target "$pid" --mount --uts --net="/run/netns/$ns" --wd="$PWD" --)
	else
		CIBF_NSENTER=(nsenter --net="/run/netns/$ns" --)
	fi
}

cibf_on() {
	local d=$1 name=$2
	shift 2
	cibf_nsenter_cmd "$d" "$name"
	"${CIBF_NSENTER[@]}" "$@"
}

# --- cluster nodes -------------------------------------------------------------------------

# corosync.conf as pcs writes it for the reference case (knet, encrypted). Args: "two_node"
# or "", then "NAME NODEID ADDR0 [ADDR1]" per node.
cibf_corosync_conf() {
	local two_node=$1 spec name id a0 a1
	shift
	cat <<EOF
totem {
    version: 2
    cluster_name: $CIBF_CLUSTER_NAME
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
}

nodelist {
EOF
	for spec in "$@"; do
		read -r name id a0 a1 <<<"$spec"
		printf '    node {\n        ring0_addr: %s\n' "$a0"
		[[ -z $a1 ]] || printf '        ring1_addr: %s\n' "$a1"
		printf '        name: %s\n        nodeid: %s\n    }\n\n' "$name" "$id"
	done
	cat <<EOF
}

quorum {
    provider: corosync_votequorum
EOF
	[[ -z $two_node ]] || printf '    two_node: 1\n'
	cat <<EOF
}

logging {
    to_stderr: no
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: no
    timestamp: on
}
EOF
}

# The seed CIB: the given file, or an empty one. dc-deadtime=2s (unless the file sets it):
# otherwise every start waits out the 20 s default before electing a DC.
cibf_make_seed_cib() {
	local d=$1 src=${2:-}
	if [[ -n $src ]]; then
		cp -- "$src" "$d/seed-cib.xml"
	else
		cibadmin --empty >"$d/seed-cib.xml"
	fi
	if ! CIB_file="$d/seed-cib.xml" crm_attribute -t crm_config -n dc-deadtime -G -q >/dev/null 2>&1; then
		CIB_file="$d/seed-cib.xml" crm_attribute -t crm_config -n dc-deadtime -v 2s
	fi
}

# Per-node directories, config, authkey, CIB and /etc/hosts (from STATEDIR/authkey,
# STATEDIR/seed-cib.xml, STATEDIR/hosts); then the namespaces and their holder.
# Args: STATEDIR NAME COROSYNC_CONF_FILE
cibf_node_create() {
	local d=$1 name=$2 conf=$3 nd=$1/nodes/$2 ns i
	cibf_netns_create "$d" "$name"
	ns=$(<"$nd/netns")
	mkdir -p "$nd"/{etc-corosync/uidgid.d,lib-corosync,log-corosync,etc-pacemaker,lib-pcsd}
	mkdir -p "$nd"/lib-pacemaker/{cib,pengine,blackbox,cores} "$nd"/log-pacemaker/bundles
	chown -R hacluster:haclient "$nd/lib-pacemaker" "$nd/log-pacemaker"
	chmod 0750 "$nd"/lib-pacemaker/*
	chmod 0770 "$nd/log-pacemaker" "$nd/log-pacemaker/bundles"
	chmod 0700 "$nd/lib-pcsd"
	install -m 0644 "$conf" "$nd/etc-corosync/corosync.conf"
	install -m 0400 "$d/authkey" "$nd/etc-corosync/authkey"
	install -m 0600 -o hacluster -g haclient "$d/seed-cib.xml" "$nd/lib-pacemaker/cib/cib.xml"
	install -m 0644 "$d/hosts" "$nd/hosts"

	# In a subshell so that it is not a job of this shell (no "Killed" notices at stop).
	(setsid ip netns exec "$ns" unshare --mount --uts --propagation private -- \
		"$CIBF_DIR/ns-init.sh" "$name" "$nd" </dev/null >>"$nd/holder.out" 2>&1 &)
	for ((i = 0; i < 100; i++)); do
		[[ -n $(cibf_holder_pid "$d" "$name") ]] && return 0
		sleep 0.1
	done
	cat -- "$nd/holder.out" >&2 || true
	cibf_die "namespace holder of $name did not come up"
}

# Pid of daemon PIDNAME (corosync|pacemakerd) on NAME if it runs (in the node's namespace).
cibf_daemon_pid() {
	local nd=$1/nodes/$2 pid
	[[ -f $nd/$3.pid && -f $nd/mntns ]] || return 0
	pid=$(<"$nd/$3.pid")
	[[ $(readlink "/proc/$pid/ns/mnt" 2>/dev/null) == "$(<"$nd/mntns")" ]] && printf '%s\n' "$pid"
	return 0
}

cibf_start_corosync() {
	local d=$1 name=$2 i
	cibf_spawn_daemon "$d" "$name" corosync corosync -f
	for ((i = 0; i < 150; i++)); do
		[[ -n $(cibf_daemon_pid "$d" "$name" corosync) ]] || cibf_die "corosync died on $name"
		cibf_on "$d" "$name" "${CIBF_DAEMON_ENV[@]}" corosync-cfgtool -s >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cibf_die "corosync on $name not answering after 15 s"
}

cibf_start_pacemaker() {
	# pacemakerd stays in the foreground in 2.1.5; log to a file, not syslog.
	cibf_spawn_daemon "$1" "$2" pacemakerd pacemakerd
}

# Start one daemon inside node NAME, detached (own session, stdio to NODEDIR/PIDNAME.out),
# with a clean environment; its pid goes to NODEDIR/PIDNAME.pid.
# Args: STATEDIR NAME PIDNAME binary args...
cibf_spawn_daemon() {
	local d=$1 name=$2 pidname=$3
	shift 3
	local -a envs=()
	[[ $pidname == pacemakerd ]] &&
		envs=(PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none)
	rm -f -- "$d/nodes/$name/$pidname.pid"
	local nd=$d/nodes/$name i
	cibf_nsenter_cmd "$d" "$name"
	# shellcheck disable=SC2016
	(cd / && exec "${CIBF_NSENTER[@]}" "${CIBF_DAEMON_ENV[@]}" "${envs[@]}" setsid sh -c \
		'echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$nd/$pidname.pid" "$@" \
		</dev/null >>"$nd/$pidname.out" 2>&1 &)
	for ((i = 0; i < 50; i++)); do
		[[ -s $nd/$pidname.pid ]] && return 0
		sleep 0.1
	done
	cibf_die "$pidname did not start on $name"
}

# Wait until every node in NODES sees all NODES online and a DC. Args: STATEDIR TIMEOUT NODES...
cibf_wait_online() {
	local d=$1 timeout=$2 n m xml ok
	shift 2
	local deadline=$((SECONDS + timeout))
	while :; do
		ok=1
		for n in "$@"; do
			for m in corosync pacemakerd; do
				[[ -n $(cibf_daemon_pid "$d" "$n" "$m") ]] || {
					cibf_log "$m is not running on $n"
					return 1
				}
			done
			xml=$(cibf_on "$d" "$n" "${CIBF_DAEMON_ENV[@]}" crm_mon -1 --output-as=xml 2>/dev/null) || {
				ok=0
				break
			}
			grep -q '<current_dc present="true"' <<<"$xml" || {
				ok=0
				break
			}
			for m in "$@"; do
				grep -Eq "<node name=\"$m\" [^>]*online=\"true\"" <<<"$xml" || {
					ok=0
					break 2
				}
			done
		done
		((ok)) && return 0
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

cibf_dump_logs() {
	local d=$1 n f
	for n in $(cibf_cluster_nodes "$d"); do
		for f in holder.out corosync.out pacemakerd.out log-corosync/corosync.log log-pacemaker/pacemaker.log; do
			[[ -s $d/nodes/$n/$f ]] || continue
			printf '==== %s: %s (tail; all in %s) ====\n' "$n" "$f" "$d/nodes/$n" >&2
			tail -n 20 -- "$d/nodes/$n/$f" >&2 || true
		done
	done
}

# During a start: on any failure (or Ctrl-C), dump the logs' tails and stop everything.
# Cancel with `trap - EXIT INT TERM` once started.
cibf_cleanup_on_failure() {
	CIBF_CLEANUP_DIR=$1
	trap cibf__on_exit EXIT
	trap 'exit 130' INT TERM
}
cibf__on_exit() {
	local rc=$?
	trap - EXIT
	if ((rc)); then
		cibf_log "start failed (rc $rc); cleaning up"
		# Logs help on a failure, not on an interruption (SIGINT/SIGTERM).
		((rc == 130)) || cibf_dump_logs "$CIBF_CLEANUP_DIR"
		cibf_stop_all "$CIBF_CLEANUP_DIR"
	fi
	exit "$rc"
}

# --- stopping ------------------------------------------------------------------------------

# SIGTERM daemon PIDNAME on every node given, wait up to TIMEOUT s for all of them to exit.
# Returns 1 if some are still running. Args: STATEDIR PIDNAME TIMEOUT NODES...
cibf_term_wait() {
	local d=$1 pidname=$2 timeout=$3 n pid left
	shift 3
	for n in "$@"; do
		pid=$(cibf_daemon_pid "$d" "$n" "$pidname")
		[[ -z $pid ]] || kill -TERM "$pid" 2>/dev/null || true
	done
	local deadline=$((SECONDS + timeout))
	while :; do
		left=0
		for n in "$@"; do
			[[ -z $(cibf_daemon_pid "$d" "$n" "$pidname") ]] || left=1
		done
		((left)) || return 0
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# Pids of all processes in mount namespace MNTNS ("mnt:[INODE]").
cibf_mntns_pids() {
	local want=$1 p
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$want" ]] && printf '%s\n' "${p#/proc/}"
	done
	return 0
}

# SIGKILL every process still in the namespaces of this STATEDIR, wait for them to go.
cibf_kill_leftovers() {
	local d=$1 n ns pids i p others
	local -a holders=()
	for n in "$d"/nodes/*/holder.pid; do
		[[ -f $n ]] && holders+=("$(<"$n")")
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=()
		for n in "$d"/nodes/*/; do
			[[ -f $n/mntns ]] && mapfile -t -O "${#pids[@]}" pids < <(cibf_mntns_pids "$(<"$n/mntns")")
		done
		for ns in $(cibf_list_netns "$d"); do
			mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null || true)
		done
		((${#pids[@]})) || return 0
		mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -un)
		[[ $i == 1 ]] || sleep 0.2
		# The holders (sleep) are expected here; name anything else, it did not stop by itself.
		others=
		for p in "${pids[@]}"; do
			[[ " ${holders[*]} " == *" $p "* ]] || others+=" $p($(cat "/proc/$p/comm" 2>/dev/null))"
		done
		[[ -z $others ]] || cibf_log "SIGKILL processes left in the namespaces:$others"
		kill -KILL "${pids[@]}" 2>/dev/null || true
	done
	cibf_log "warning: processes survive SIGKILL: ${pids[*]}"
}

# Wait (up to 3 s) until none of the given pids is a zombie any more.
cibf_wait_reaped() {
	local i p z
	for ((i = 0; i < 30; i++)); do
		z=0
		for p in "$@"; do
			[[ $(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) == Z ]] && z=1
		done
		((z)) || return 0
		sleep 0.1
	done
	cibf_log "warning: zombie(s) not reaped by their parent yet"
}

# Network namespaces of this STATEDIR: recorded ones and any with its prefix.
cibf_list_netns() {
	local d=$1 prefix f
	prefix=$(cibf_prefix "$d")
	{
		for f in "$d"/nodes/*/netns; do [[ -f $f ]] && cat -- "$f"; done
		ip netns list 2>/dev/null | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }'
	} | sort -u
}

# Stop everything of STATEDIR: pacemakerd on all nodes (SIGTERM, in parallel), then corosync,
# then SIGKILL whatever is left in the namespaces, then delete the namespaces. The mounts live
# only in the nodes' private mount namespaces and go away with their last process; the only
# host-side mounts are the /run/netns/* files, which `ip netns del` removes. Idempotent.
cibf_stop_all() {
	local d=$1 t0 ns f
	local -a nodes recorded=()
	t0=$(cibf_now)
	mapfile -t nodes < <(cibf_cluster_nodes "$d")
	for f in "$d"/nodes/*/{holder,corosync,pacemakerd,corosync-qdevice,corosync-qnetd}.pid; do
		[[ -f $f ]] && recorded+=("$(<"$f")")
	done
	if ((${#nodes[@]})); then
		cibf_term_wait "$d" pacemakerd "$CIBF_PCMK_STOP_TIMEOUT" "${nodes[@]}" ||
			cibf_log "pacemakerd still running after ${CIBF_PCMK_STOP_TIMEOUT}s; will SIGKILL"
		cibf_term_wait "$d" corosync-qdevice "$CIBF_COROSYNC_STOP_TIMEOUT" "${nodes[@]}" ||
			cibf_log "corosync-qdevice still running after ${CIBF_COROSYNC_STOP_TIMEOUT}s; will SIGKILL"
		cibf_term_wait "$d" corosync "$CIBF_COROSYNC_STOP_TIMEOUT" "${nodes[@]}" ||
			cibf_log "corosync still running after ${CIBF_COROSYNC_STOP_TIMEOUT}s; will SIGKILL"
	fi
	((${#nodes[@]} == 0)) || cibf_term_wait "$d" corosync-qnetd "$CIBF_COROSYNC_STOP_TIMEOUT" "${nodes[@]}" ||
		cibf_log "corosync-qnetd still running after ${CIBF_COROSYNC_STOP_TIMEOUT}s; will SIGKILL"
	cibf_kill_leftovers "$d"
	for ns in $(cibf_list_netns "$d"); do
		[[ ! -e /run/netns/$ns ]] || ip netns del "$ns" || cibf_log "warning: could not delete netns $ns"
	done
	# Our daemons are orphans (parent: the host's pid 1). Once dead they linger as zombies until
	# it reaps them; wait a moment so no "[corosync] <defunct>" is left behind when we return.
	cibf_wait_reaped "${recorded[@]}"
	if [[ -d $d/nodes ]]; then
		rm -f -- "$d"/nodes/*/{holder,corosync,pacemakerd,corosync-qdevice,corosync-qnetd}.pid "$d"/nodes/*/mntns
	fi
	cibf_log "stopped in $(cibf_since "$t0") s"
}

# Print the state of every entry; exit status 0 all up, 3 nothing running, 1 partly.
cibf_status() {
	local d=$1 n up=0 down=0 h c p ns
	local -a nodes
	mapfile -t nodes < <(cibf_cluster_nodes "$d")
	for n in "${nodes[@]}"; do
		ns=$(cat -- "$d/nodes/$n/netns" 2>/dev/null || echo '?')
		h=$(cibf_holder_pid "$d" "$n")
		c=$(cibf_daemon_pid "$d" "$n" corosync)
		p=$(cibf_daemon_pid "$d" "$n" pacemakerd)
		printf '%s: netns=%s holder=%s corosync=%s pacemakerd=%s\n' "$n" "$ns" \
			"${h:-down}" "${c:-down}" "${p:-down}"
		for h in "$h" "$c" "$p"; do if [[ -n $h ]]; then up=1; else down=1; fi; done
	done
	((up)) || return 3
	for n in "${nodes[@]}"; do
		if [[ -n $(cibf_daemon_pid "$d" "$n" pacemakerd) ]]; then
			cibf_on "$d" "$n" "${CIBF_DAEMON_ENV[@]}" crm_mon -1 || true
			break
		fi
	done
	((down)) && return 1
	return 0
}

# --- quorum device (corosync-qnetd host, corosync-qdevice on the nodes) ---------------------

# A host for corosync-qnetd: namespaces like a node's (its own /etc/corosync, /run), no cluster
# (no corosync.conf, key or CIB). Args: STATEDIR NAME
cibf_qnetd_create() {
	local d=$1 name=$2
	cibf_node_create "$d" "$name" "$d/corosync.conf"
	rm -f -- "$d/nodes/$name"/etc-corosync/{corosync.conf,authkey} "$d/nodes/$name/lib-pacemaker/cib/cib.xml"
}

# Its CA (`corosync-qnetd-certutil -i`, as `pcs qdevice setup model net` does), then
# corosync-qnetd in the foreground (pid in NODEDIR/corosync-qnetd.pid), until it answers.
cibf_start_qnetd() {
	local d=$1 name=$2 i
	cibf_on "$d" "$name" "${CIBF_DAEMON_ENV[@]}" sh -c \
		'install -d -m 0770 /run/corosync-qnetd && corosync-qnetd-certutil -i' >>"$d/nodes/$name/certutil.out" 2>&1 ||
		cibf_die "corosync-qnetd-certutil -i failed on $name"
	cibf_spawn_daemon "$d" "$name" corosync-qnetd corosync-qnetd -f
	for ((i = 0; i < 100; i++)); do
		[[ -n $(cibf_daemon_pid "$d" "$name" corosync-qnetd) ]] || cibf_die "corosync-qnetd died on $name"
		cibf_on "$d" "$name" "${CIBF_DAEMON_ENV[@]}" corosync-qnetd-tool -s >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cibf_die "corosync-qnetd on $name not answering after 10 s"
}

# corosync-qdevice in the foreground on a node (what `systemctl start corosync-qdevice` does).
cibf_start_qdevice() {
	local d=$1 name=$2
	cibf_on "$d" "$name" install -d -m 0770 /run/corosync-qdevice
	cibf_spawn_daemon "$d" "$name" corosync-qdevice corosync-qdevice -f
}
