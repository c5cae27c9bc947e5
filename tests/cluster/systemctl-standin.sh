#!/bin/bash
# Internal: the `systemctl` pcsd sees on a harness node (pcsd.sh bind-mounts a wrapper over
# /bin/systemctl in pcsd's own mount namespace only). There is no systemd here; this answers
# pcs's questions (`is-active`, `is-enabled`, `list-unit-files`) from the node's daemons as
# the harness tracks them, and `start`/`stop` corosync, pacemaker and corosync-qdevice the way
# lib.sh does: in the node's own mount namespace (entered through its holder), pid files in
# NODEDIR, so the cluster's `stop` stops them like any other. enable/disable and the rest
# succeed and do nothing. Every call is logged to NODEDIR/systemctl.log.
#
#   systemctl-standin.sh NODEDIR systemctl-args...
set -uo pipefail
nd=$1
shift
printf '%s %s\n' "$(date +%T.%3N)" "$*" >>"$nd/systemctl.log"
args=()
for a in "$@"; do [[ $a == -* ]] || args+=("$a"); done
cmd=${args[0]:-}
unit=${args[1]:-}
unit=${unit%.service}
path=PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Pid of DAEMON (corosync|pacemakerd|corosync-qdevice) when it runs in the node's own mount namespace.
daemon_pid() {
	local pid
	[[ -f $nd/$1.pid && -f $nd/mntns ]] || return 0
	pid=$(<"$nd/$1.pid")
	[[ $(readlink "/proc/$pid/ns/mnt" 2>/dev/null) == "$(<"$nd/mntns")" ]] && printf '%s\n' "$pid"
	return 0
}

daemon_of() {
	case $1 in
	corosync) echo corosync ;;
	pacemaker) echo pacemakerd ;;
	corosync-qdevice) echo corosync-qdevice ;;
	esac
}

# Run a command in the node's own mount and UTS namespaces (the network one is already the node's).
in_node() { nsenter --target "$(<"$nd/holder.pid")" --mount --uts -- "$@"; }

spawn() {
	local name=$1 i
	shift
	rm -f -- "$nd/$name.pid"
	# shellcheck disable=SC2016
	(cd / && exec nsenter --target "$(<"$nd/holder.pid")" --mount --uts -- env -i "$path" LANG=C.UTF-8 HOME=/root \
		PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none setsid sh -c \
		'echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$nd/$name.pid" "$@" \
		</dev/null >>"$nd/$name.out" 2>&1 &)
	for ((i = 0; i < 50; i++)); do
		[[ -s $nd/$name.pid ]] && return 0
		sleep 0.1
	done
	return 1
}

start() {
	local d i
	d=$(daemon_of "$1")
	[[ -n $d ]] || return 0
	[[ -z $(daemon_pid "$d") ]] || return 0
	if [[ $d == corosync ]]; then
		spawn corosync corosync -f || return 1
		for ((i = 0; i < 150; i++)); do
			in_node env -i "$path" corosync-cfgtool -s >/dev/null 2>&1 && return 0
			[[ -n $(daemon_pid corosync) ]] || return 1
			sleep 0.1
		done
		return 1
	fi
	if [[ $d == corosync-qdevice ]]; then
		in_node install -d -m 0770 /run/corosync-qdevice || return 1
		spawn corosync-qdevice corosync-qdevice -f
		return
	fi
	spawn pacemakerd pacemakerd
}

stop() {
	local d pid i
	d=$(daemon_of "$1")
	[[ -n $d ]] || return 0
	pid=$(daemon_pid "$d")
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		[[ -z $(daemon_pid "$d") ]] && return 0
		sleep 0.1
	done
	return 1
}

case $cmd in
is-active)
	d=$(daemon_of "$unit")
	if [[ -n $d && -n $(daemon_pid "$d") ]]; then
		echo active
		exit 0
	fi
	echo inactive
	exit 3
	;;
is-enabled)
	echo disabled
	exit 1
	;;
list-unit-files)
	printf '%s\n' "corosync.service disabled enabled" "pacemaker.service disabled enabled" "pcsd.service enabled enabled" \
		"corosync-qdevice.service disabled enabled"
	;;
start) start "$unit" ;;
stop) stop "$unit" ;;
restart) stop "$unit" && start "$unit" ;;
*) exit 0 ;;
esac
