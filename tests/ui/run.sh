#!/usr/bin/env bash
# ctest entry: installs the pinned playwright-core (npm ci, from
# package-lock.json) into a copy of this folder under the build tree, starts
# two fake providers and `ukairo serve` on 127.0.0.1 with a tiny premium
# budget, and runs dashboard_test.mjs (node's test runner) which drives the
# dashboard in Debian's headless Chromium (/usr/bin/chromium).
# Usage: run.sh <ukairo binary> <work dir> <artifacts dir>
set -euo pipefail
bin="$1"
work="$2"
artifacts="$3"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "ui test: /usr/bin/chromium is missing; run scripts/install-deps.sh --browser" >&2
  exit 1
fi
mkdir -p "$work" "$artifacts"
cp "$here/package.json" "$here/package-lock.json" "$here/dashboard_test.mjs" "$work/"
cd "$work"
if [[ ! -d node_modules/playwright-core ]]; then npm ci --no-audit --no-fund --loglevel=error; fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() {  # wait_for <file> <pattern>: bounded, 10 s
  for _ in $(seq 200); do grep -qs "$2" "$1" && return 0; sleep 0.05; done
  echo "ui test: '$2' never appeared in $1" >&2; cat "$1" >&2; return 1
}
# Old logs go first: a background job truncates its log only when it starts,
# and wait_for must not read the previous run's port.
rm -f fake-*.log gw.log
ports=()
for name in premium backup; do
  "$bin" fake-provider --port 0 >"fake-$name.log" 2>&1 &
  pids+=($!)
  wait_for "fake-$name.log" listening
  ports+=("$(sed -n 's/.*:\([0-9]*\)$/\1/p' "fake-$name.log")")
done
# Each premium request costs 4 × $0.00001 + 10 × $0.0001 = $0.00104; the
# limit $0.0045 lets four through (92 %: 80 and 90 fire), then 100 % fires
# and the scope stops until someone decides at the gate. The Design tag's
# $0.003 runs out after premium and then backup requests: then Design
# requests are refused (429) until a decision.
cat >config.yaml <<YAML
model_list:
  - model_name: premium
    litellm_params: {model: openai/premium-model, api_base: "http://127.0.0.1:${ports[0]}/v1"}
    model_info: {input_cost_per_token: "0.00001", output_cost_per_token: "0.0001"}
  - model_name: backup
    litellm_params: {model: openai/backup-model, api_base: "http://127.0.0.1:${ports[1]}/v1"}
    model_info: {input_cost_per_token: "0.000001", output_cost_per_token: "0.00001"}
general_settings:
  master_key: os.environ/UKAIRO_UI_MASTER_KEY
ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec, Design], chain: [premium, backup]}
    - {name: build, tags: [Build], chain: [backup]}
  budgets:
    model: {premium: "0.0045"}
    tag: {Spec: "10", Design: "0.003"}
    tier: {high: "20"}
    global: "100"
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 90, action: warn}
    - {threshold_pct: 100, action: stop_and_fallback}
  health_check: {enabled: true, interval_s: 300}
YAML
export UKAIRO_UI_MASTER_KEY="sk-ui-test-master"
rm -rf ledger
"$bin" serve --config config.yaml --ledger ledger --port 0 >gw.log 2>&1 &
pids+=($!)
wait_for gw.log "serving on"
port=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\) .*#\1#p' gw.log)
[[ -n $port ]] || { cat gw.log >&2; exit 1; }
UKAIRO_PORT="$port" UKAIRO_ARTIFACTS="$artifacts" \
  node --test-reporter=spec --test dashboard_test.mjs 2>&1 || {
  echo "--- gateway log" >&2; cat gw.log >&2; exit 1; }
