#!/usr/bin/env bash
# Installs dependencies, builds everything and runs the whole test suite
# through ctest. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --browser  # chromium for the dashboard test
jobs="${UKAIRO_JOBS:-2}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
cd build
ctest --output-on-failure -j "$jobs" --timeout 300
