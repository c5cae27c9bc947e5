#!/bin/bash
# Internal: runs pcsd inside one harness node, in a mount namespace of its own nested in the
# node's (pcsd.sh starts it as `unshare --mount --propagation private -- pcsd-init.sh NODEDIR
# BINDADDR` through the node's nsenter). Only pcsd sees what is mounted here:
#   - NODEDIR/pcsd-shadow over /etc/shadow: the `hacluster` password of this node, so the
#     host's /etc/shadow is never changed;
#   - NODEDIR/log-pcsd over /var/log/pcsd: pcsd's log stays with the node;
#   - NODEDIR/pcsd-systemctl over /bin/systemctl when present: a stand-in that answers pcsd's
#     questions about corosync/pacemaker as this node's daemons are (no systemd here).
# Starts the Ruby half in the background and execs the Python half; records both pids and
# this mount namespace's id (pcsd.sh verifies a pid against it before signalling it).
set -euo pipefail
nd=$1
bind_addr=$2
mount --bind "$nd/pcsd-shadow" /etc/shadow
mount --bind "$nd/log-pcsd" /var/log/pcsd
if [[ -x $nd/pcsd-systemctl ]]; then mount --bind "$nd/pcsd-systemctl" /bin/systemctl; fi
readlink /proc/self/ns/mnt >"$nd/pcsd.mntns"
set -a
# shellcheck disable=SC1091
. /etc/default/pcsd
set +a
export PCSD_BIND_ADDR=$bind_addr
cd /var/lib/pcsd
/usr/share/pcsd/pcsd >>"$nd/pcsd-ruby.out" 2>&1 &
echo "$!" >"$nd/pcsd-ruby.pid"
echo "$$" >"$nd/pcsd.pid"
exec /usr/sbin/pcsd >>"$nd/pcsd.out" 2>&1
