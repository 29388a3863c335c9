#!/usr/bin/env bash
# Tune benchmark (issue #5 target: 100 configurations of a simulated month in
# < 3 minutes on 2 cores). Runs `ukairo tune` over 100 candidates, each a
# 30-day month of the shipped sample (~1.93M requests: the fault scenario's
# faults with the default working-hours profile instead of its small-team
# thinning) through the shipped config, and prints the wall and CPU time.
#
#   bench/tune_month.sh [--threads N] [--candidates 100|16|4]
#
# Grid (5 x 5 x 2 x 2 = 100): the claude-opus and gpt-5.2 model
# budgets, cooldown time and retries. Writes the table and
# the recommended config under $TMPDIR; the table's first lines are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=0 candidates=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --candidates) candidates="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bin=build/tools/ukairo
[[ -x $bin ]] || { echo "build first: cmake --build build --target ukairo" >&2; exit 2; }
case "$candidates" in
  100) grid=(--grid 'budgets.model.claude-opus=30,40,50,60,70' --grid 'budgets.model[gpt-5.2]=20,30,40,50,60'
             --grid 'cooldown.cooldown_time_s=30,60' --grid 'retry.num_retries=2,3') ;;
  16) grid=(--grid 'budgets.model.claude-opus=30,40,50,60' --grid 'cooldown.cooldown_time_s=30,60'
            --grid 'retry.num_retries=2,3') ;;
  4) grid=(--grid 'budgets.model.claude-opus=30,40' --grid 'cooldown.cooldown_time_s=30,60') ;;
  *) echo "--candidates must be 100, 16 or 4" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -v '_profile_permille' data/scenarios/fault_month.yaml >"$work/scenario.yaml"
thread_flag=()
[[ $threads -gt 0 ]] && thread_flag=(--threads "$threads")
start=$(date +%s.%N)
set +e
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB max RSS' \
  "$bin" tune --config data/litellm_config.yaml \
  --trace data/traces/azure_code_sample.csv --format azure \
  --scenario "$work/scenario.yaml" --days 30 \
  --tag-mix 'Spec=1,Design=1,Review=1,Build=5,Fix=1,Verify=1' \
  "${grid[@]}" "${thread_flag[@]}" \
  --max-failed 0 \
  --out-config "$work/tuned.yaml" --out-table "$work/candidates.csv"
rc=$?
set -e
end=$(date +%s.%N)
echo "exit $rc (0: a candidate is feasible, 1: none is)"
head -5 "$work/candidates.csv"
echo "... $(($(wc -l <"$work/candidates.csv") - 1)) candidates"
awk -v s="$start" -v e="$end" -v n="$candidates" \
  'BEGIN { printf "%d candidates in %.1f s wall (%.2f s per candidate)\n", n, e - s, (e - s) / n }'
