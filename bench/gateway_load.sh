#!/usr/bin/env bash
# Load benchmark of the live gateway (issue #4): the fake provider directly
# and through `ukairo serve` (ledger on, WAL before every answer) in the same
# run, with wrk from Debian. Prints req/s, p50/p99 latency and the overhead,
# then the same for the fallback path (first deployment answers 429).
#
#   bench/gateway_load.sh [--duration 10] [--connections 32] [--threads 2]
#
# Loopback only (127.0.0.1). Bounded: each wrk run lasts --duration seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=10 connections=32 threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh" >&2; exit 2; }
bin=build/tools/ukairo
[[ -x $bin ]] || { echo "build first: cmake --build build --target ukairo" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_fake() {  # $1 = log file; prints the port
  "$bin" fake-provider --port 0 --threads 1 >"$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q listening "$1"; then sed -n 's/.*:\([0-9]*\)$/\1/p' "$1"; return; fi
    sleep 0.05
  done
  echo "fake provider did not start" >&2; exit 1
}
primary=$(start_fake "$work/fake1.log")
second=$(start_fake "$work/fake2.log")

cat >"$work/config.yaml" <<YAML
model_list:
  - model_name: primary
    litellm_params: {model: openai/bench-primary, api_base: "http://127.0.0.1:$primary/v1"}
    model_info: {input_cost_per_token: "0.000001", output_cost_per_token: "0.000002"}
  - model_name: second
    litellm_params: {model: openai/bench-second, api_base: "http://127.0.0.1:$second/v1"}
    model_info: {input_cost_per_token: "0.000001", output_cost_per_token: "0.000002"}
ukairo:
  tiers:
    - {name: build, tags: [Build], chain: [primary, second]}
  default_tag: Build
  budgets:
    model: {primary: 1000000, second: 1000000}
YAML

"$bin" serve --config "$work/config.yaml" --ledger "$work/ledger" --port 0 --threads 1 ${UKAIRO_SERVE_FLAGS:-} \
  >"$work/gw.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "serving on" "$work/gw.log" && break; sleep 0.05; done
gw=$(sed -n 's#.*http://127.0.0.1:\([0-9]*\) .*#\1#p' "$work/gw.log")
[[ -n $gw ]] || { cat "$work/gw.log" >&2; exit 1; }

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"primary","max_tokens":16,"messages":[{"role":"user","content":"hello, benchmark"}]}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout,
    summary.requests))
end
LUA

run() {  # $1 = port, $2 = path
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" \
    "http://127.0.0.1:$1$2" | sed -n 's/^RESULT //p'
}

echo "# ukairo gateway load ($(nproc) cores, ${connections} connections, ${duration}s each)" >&2
direct=$(run "$primary" /v1/chat/completions)
through=$(run "$gw" /v1/chat/completions)
curl -s "http://127.0.0.1:$primary/_fake/config" -d '{"status":429,"retry_after_s":0}' >/dev/null
fallback=$(run "$gw" /v1/chat/completions)

printf "| path | req/s | p50 ms | p99 ms | errors | requests |\n|---|---|---|---|---|---|\n"
printf "| fake provider direct | %s | %s | %s | %s | %s |\n" $direct
printf "| through ukairo (ledger on) | %s | %s | %s | %s | %s |\n" $through
printf "| through ukairo, primary 429 → fallback | %s | %s | %s | %s | %s |\n" $fallback
read -r _ d50 d99 _ _ <<<"$direct"
read -r _ t50 t99 _ _ <<<"$through"
awk -v a="$t50" -v b="$d50" -v c="$t99" -v d="$d99" \
  'BEGIN { printf "\noverhead: p50 %+.3f ms, p99 %+.3f ms\n", a - b, c - d }'
events=$("$bin" ledger stats --ledger "$work/ledger" 2>/dev/null | head -3 || true)
echo "$events" >&2
