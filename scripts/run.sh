#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, then simulates a
# month of the shipped sample traffic (data/traces/, derived from the Azure
# LLM traces) with data/litellm_config.yaml under a fault scenario
# (data/scenarios/fault_month.yaml) and prints the summary JSON.
# The summary is also written to out/simulate_fault_month.json, and the
# self-contained HTML report (charts, opens offline) to
# out/simulate_fault_month.html.
# Extra arguments go to `ukairo simulate` (e.g. --seed 7, --days 7).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="${UKAIRO_JOBS:-2}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target ukairo
mkdir -p out
./build/tools/ukairo simulate \
  --config data/litellm_config.yaml \
  --trace data/traces/azure_code_sample.csv --format azure \
  --scenario data/scenarios/fault_month.yaml \
  --days 30 \
  --out out/simulate_fault_month.json \
  --html out/simulate_fault_month.html "$@"
cat out/simulate_fault_month.json
echo "HTML report: $(pwd)/out/simulate_fault_month.html (open it in a browser; no network needed)" >&2
