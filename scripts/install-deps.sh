#!/usr/bin/env bash
# Installs every Debian 12 package ukairo needs to build, test and benchmark.
# Idempotent and non-interactive: packages already present are skipped, and
# apt is only touched when something is missing.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --browser  also chromium (dashboard browser tests)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  librocksdb-dev
  capnproto libcapnp-dev
  libyaml-cpp-dev
  libboost-dev libboost-system-dev
  libssl-dev
  libeigen3-dev
  libbenchmark-dev
  libgtest-dev libgmock-dev
  nlohmann-json3-dev
  libcli11-dev
  wrk
  prometheus  # promtool and the server, for the /metrics tests (tests/gateway/prometheus_test.cc)
)
# Node.js (for the OpenAI SDK client test) may come from another Debian repo
# that bundles npm; only ask Debian for it when no node is on PATH.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi
if [[ "${1:-}" == "--browser" ]]; then
  packages+=(chromium chromium-driver)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
