#!/usr/bin/env bash
# ctest entry: installs the pinned SDKs (npm ci, from package-lock.json)
# into a copy of this folder under the build tree, starts a fake provider and
# `ukairo serve` on 127.0.0.1, and runs the named test file, or by default
# every OpenAI one (openai_sdk_test.mjs: chat, embeddings, models;
# responses_sdk_test.mjs: the Responses API; then openai_sdk_keys_test.mjs
# against a second gateway with a master key), with node's test runner
# against them. Each ctest entry gets its own work dir, so they may run in
# parallel.
# Usage: run.sh <ukairo binary> <work dir> [test file]
set -euo pipefail
bin="$1"
work="$2"
test_file="${3:-}"
if [[ -n $test_file ]]; then tests=("$test_file"); else tests=(openai_sdk_test.mjs responses_sdk_test.mjs); fi
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here"/*_sdk_test.mjs "$here/openai_sdk_keys_test.mjs" "$work/"
cd "$work"
if [[ ! -d node_modules/openai || ! -d node_modules/@anthropic-ai/sdk ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# Old logs would hand out a previous run's ports.
rm -f fake.log gw.log
"$bin" fake-provider --port 0 >fake.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening fake.log && break; sleep 0.05; done
fake=$(sed -n 's/.*:\([0-9]*\)$/\1/p' fake.log)
cat >config.yaml <<YAML
model_list:
  - model_name: primary
    litellm_params: {model: openai/sdk-model, api_base: "http://127.0.0.1:$fake/v1"}
    model_info: {input_cost_per_token: "0.000001", output_cost_per_token: "0.000002"}
  - model_name: claude
    litellm_params: {model: anthropic/sdk-claude, api_base: "http://127.0.0.1:$fake"}
    model_info: {input_cost_per_token: "0.000003", output_cost_per_token: "0.000015",
                 cache_read_input_token_cost: "0.0000003",
                 cache_creation_input_token_cost: "0.00000375"}
ukairo:
  tiers:
    - {name: build, tags: [Build], chain: [primary]}
    - {name: high, tags: [Spec], chain: [claude]}
  default_tag: Build
YAML
rm -rf ledger
"$bin" serve --config config.yaml --ledger ledger --port 0 >gw.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "serving on" gw.log && break; sleep 0.05; done
port=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\) .*#\1#p' gw.log)
[[ -n $port ]] || { cat gw.log >&2; exit 1; }
UKAIRO_PORT="$port" node --test-reporter=spec --test "${tests[@]}" 2>&1 || {
  echo "--- gateway log" >&2; cat gw.log >&2; exit 1; }

[[ -z $test_file ]] || exit 0
# The same with a master key: client keys made with /key/generate (issue 13).
sed 's/^ukairo:/general_settings:\n  master_key: os.environ\/UKAIRO_SDK_MASTER_KEY\nukairo:/' \
  config.yaml >config_keys.yaml
export UKAIRO_SDK_MASTER_KEY="sk-sdk-master-$$-$RANDOM"
rm -rf ledger_keys gw_keys.log
"$bin" serve --config config_keys.yaml --ledger ledger_keys --port 0 >gw_keys.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "serving on" gw_keys.log && break; sleep 0.05; done
port=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\) .*#\1#p' gw_keys.log)
[[ -n $port ]] || { cat gw_keys.log >&2; exit 1; }
UKAIRO_PORT="$port" UKAIRO_MASTER_KEY="$UKAIRO_SDK_MASTER_KEY" \
  node --test-reporter=spec --test openai_sdk_keys_test.mjs 2>&1 || {
  echo "--- gateway log" >&2; cat gw_keys.log >&2; exit 1; }
