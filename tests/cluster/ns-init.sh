#!/bin/bash
# Internal: runs as the "holder" of one cluster node's namespaces. lib.sh starts it as
#   ip netns exec NETNS unshare --mount --uts --propagation private -- ns-init.sh NODE NODEDIR
# so it is already inside the node's network namespace and in a fresh, private mount and UTS
# namespace. It gives the node its own view of every path corosync, pacemaker, the resource
# agents and pcs write to, records who it is, then sleeps forever: the namespaces live as long
# as this process (and whatever else runs in them) does. Nothing here is visible on the host.
set -euo pipefail

node=$1
dir=$2

# Node's hostname (pcs and crm_node -n use it; the cluster node name itself comes from the
# nodelist in corosync.conf).
printf '%s\n' "$node" >/proc/sys/kernel/hostname

# Per-node state directories over the host's: corosync config + authkey, corosync's runtime
# state, the CIB and scheduler inputs, the logs, and pacemaker/pcs config dirs (so a pcs
# command run "on" the node can never write into the host's).
bind() { mount --bind "$dir/$1" "$2"; }
bind etc-corosync /etc/corosync
bind lib-corosync /var/lib/corosync
bind log-corosync /var/log/corosync
bind lib-pacemaker /var/lib/pacemaker
bind log-pacemaker /var/log/pacemaker
bind etc-pacemaker /etc/pacemaker
if [[ -d /var/lib/pcsd ]]; then bind lib-pcsd /var/lib/pcsd; fi
# The cluster's names, as the reference case has them in /etc/hosts (ping t3022cent, pcs).
bind hosts /etc/hosts

# /run (= /var/run, a symlink on Debian) and /dev/shm as private tmpfs: corosync.pid, the
# resource agents' state (Dummy's state files, IPaddr2/send_arp pid files under
# /run/resource-agents, locks) and libqb's shared-memory IPC ring buffers in /dev/shm stay
# per node and vanish with the namespace. A tmpfs starts empty, so create what
# systemd-tmpfiles would have created at boot (see /usr/lib/tmpfiles.d/*.conf).
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
install -d -m 1755 /run/resource-agents /run/fence-agents
install -d -m 0750 -o hacluster -g haclient /run/crm
install -d -m 1777 /run/lock
install -d -m 0755 /run/corosync /run/pcsd
ln -s /dev/shm /run/shm

# Tell lib.sh who we are: the mount namespace id lets it verify a pid before entering or
# killing it (a recycled pid is then never mistaken for this node). pid last, atomically:
# its presence means "ready".
readlink /proc/self/ns/mnt >"$dir/mntns"
printf '%s\n' "$$" >"$dir/holder.pid.tmp"
mv "$dir/holder.pid.tmp" "$dir/holder.pid"

exec sleep infinity
