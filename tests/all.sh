#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests need (Pacemaker's
# tools, pcs, crmsh, corosync and the resource agents), then runs every test, including the ones
# against real Pacemaker tools and real clusters. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

need=(pacemaker pacemaker-cli-utils corosync pcs resource-agents crmsh iproute2 procps iputils-ping)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Tests that need the Pacemaker tools fail (not skip) when they are missing; live tests start
# real clusters in network namespaces (root needed; each is stopped by pid when its test ends).
export CIBFORM_REQUIRE_TOOLS=1
if [ "$(id -u)" -eq 0 ]; then
  export CIBFORM_LIVE=1
else
  echo "not root: the live-cluster tests (tests/live.rs) will be skipped" >&2
fi
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
export CARGO_TERM_COLOR=never
cargo fmt --all -- --check
cargo test --all-targets -- --test-threads=2
