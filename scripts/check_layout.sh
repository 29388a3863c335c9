#!/usr/bin/env bash
# ctest `layout`: the module dependency direction, checked on the includes.
#
#   base/            uses nothing of ukairo's and no third-party library
#   ledger/          base/ only (plus its own generated Cap'n Proto headers)
#   router/core/     base/, ledger/, router/core/; no I/O, clock, threads,
#                    environment or yaml-cpp (the sans-IO core)
#   router/config/   base/, ledger/, router/core/ public headers, router/config/
#   router/gateway/  anything but router/core/internal/ and router/config/internal.h
#   sim/, tools/, bench/  anything but those two internal parts and the gateway
#                    (tools/ may use the gateway: `ukairo serve`)
#   tests/router/    the core's and config's own tests: may include internals
#
# Usage: scripts/check_layout.sh [--help]
set -uo pipefail
case "${1:-}" in -h | --help) sed -n '2,15p' "$0"; exit 0 ;; esac
cd "$(dirname "$0")/.."

fail=0
# report <file> <line> <why>
report() { echo "layout: $1: $2: $3"; fail=1; }

# check <folder regex> <forbidden include regex> <why>: every "..." or <...>
# include of a file under the folder is matched against the forbidden regex.
check() {
  local folder="$1" forbidden="$2" why="$3" f line
  while IFS= read -r f; do
    while IFS= read -r line; do
      report "$f" "$line" "$why"
    done < <(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($forbidden)" "$f" | cut -d: -f1-2 | tr ':' ' ' | awk '{print $1": "$0}' | cut -d' ' -f2-)
  done < <(git ls-files -- "$folder" | grep -E '\.(h|cc)$')
}

check 'base/' 'ledger/|router/|sim/|tools/|capnp|rocksdb|boost|yaml|nlohmann' \
  'base/ may include nothing of ukairo and no third-party library'
check 'ledger/' 'router/|sim/|tools/' 'ledger/ may not depend on the router, sim or tools'
check 'router/core/' 'router/config/|router/gateway/|sim/|tools/|yaml-cpp|boost|fstream|filesystem|chrono|thread|random|ctime|cstdio|iostream|nlohmann|rocksdb' \
  'the router core is sans-IO: no config loading, gateway, files, clock, threads or randomness'
check 'router/config/' 'router/gateway/|sim/|tools/|router/core/internal/' \
  'config/ uses the core through its public headers only'
check 'router/gateway/' 'sim/|tools/|router/core/internal/|router/config/internal.h' \
  'the gateway uses the core and config through their public headers only'
for top in sim/ bench/; do
  check "$top" 'router/gateway/|tools/|router/core/internal/|router/config/internal.h' \
    "$top may not use the gateway, the tools or the core's internals"
done
check 'tools/' 'router/core/internal/|router/config/internal.h' \
  "tools/ may not use the core's or config's internals"
for t in tests/ledger/ tests/sim/ tests/gateway/ tests/tools/; do
  check "$t" 'router/core/internal/|router/config/internal.h' \
    "only tests/router/ may include the core's or config's internals"
done

# The core reads no environment and no wall clock even without an include.
while IFS= read -r hit; do
  report "${hit%%:*}" "$(cut -d: -f2 <<<"$hit")" 'the core reads no environment or clock'
done < <(git ls-files -- router/core | grep -E '\.(h|cc)$' | xargs grep -nE '\b(getenv|time\(|clock_gettime|gettimeofday|std::rand|fopen)\b' 2>/dev/null)

if ((fail)); then exit 1; fi
echo "layout: ok"
