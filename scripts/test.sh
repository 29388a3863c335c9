#!/usr/bin/env bash
# Installs dependencies, builds everything and runs the whole test suite
# through ctest. This is the README's test command and what CI runs.
#
#   scripts/test.sh             build/ (RelWithDebInfo): the whole suite.
#   scripts/test.sh --sanitize  two more trees, each built and run separately:
#     build-asan/  Debug -O1, AddressSanitizer + UndefinedBehaviorSanitizer
#                  (and libstdc++ assertions), no bench/: the whole suite,
#                  the Node SDK and dashboard tests included (they drive the
#                  instrumented `ukairo serve`);
#     build-tsan/  Debug -O1, ThreadSanitizer: only `ukairo` and the
#                  tests/gateway and tests/ledger executables (ctest labels
#                  gateway, ledger).
#   Any sanitizer report fails the run, also one from a process whose exit
#   status nobody checks (a background `ukairo serve`): reports go to
#   <tree>/sanitizer-logs/, which must be empty after ctest.
# UKAIRO_JOBS (default 2) sets the build and ctest parallelism. ccache is
# used when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
sanitize=0
case "${1:-}" in
  "") ;;
  --sanitize) sanitize=1 ;;
  -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
  *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
esac
jobs="${UKAIRO_JOBS:-2}"
cmake_args=()
if command -v ccache >/dev/null 2>&1; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

t0=$SECONDS
stage() { echo "== test.sh [$(date +%H:%M:%S), +$((SECONDS - t0))s]: $*"; }

./scripts/install-deps.sh --browser  # chromium for the dashboard test

if ((!sanitize)); then
  stage "configure and build build/ (RelWithDebInfo)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_args[@]}" >/dev/null
  cmake --build build -j "$jobs"
  stage "ctest in build/"
  cd build
  ctest --output-on-failure -j "$jobs" --timeout 300
  stage "done"
  exit 0
fi

# Sanitizer runtime options. Every report ends the process with exit code 66
# (no tool keeps going after its first report) and is written to
# $logs/<tool>.<pid>, so that reports from processes whose output or status
# a test does not look at are still seen.
sanitizer_env() {  # sanitizer_env <logs dir>
  local logs="$1" supp="$root/tests/sanitizers"
  export ASAN_OPTIONS="halt_on_error=1:exitcode=66:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
  export LSAN_OPTIONS="exitcode=66:suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:exitcode=66:print_stacktrace=1:log_path=$logs/ubsan"
  export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$supp/tsan.supp:print_suppressions=0:log_path=$logs/tsan"
}

# Runs ctest in a sanitizer tree; fails when a test fails or any process
# wrote a sanitizer report.
sanitized_ctest() {  # sanitized_ctest <tree> [ctest args...]
  local tree="$1" logs="$root/$1/sanitizer-logs" status=0
  shift
  rm -rf "$logs"
  mkdir -p "$logs"
  (
    sanitizer_env "$logs"
    cd "$root/$tree"
    # GCC 12's ThreadSanitizer cannot map its shadow memory when the kernel
    # randomizes mmap with more than 28 bits; run without ASLR then.
    wrap=()
    if [[ $tree == build-tsan ]] && (($(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0) > 28)) &&
      command -v setarch >/dev/null 2>&1; then
      wrap=(setarch "$(uname -m)" -R)
    fi
    "${wrap[@]}" ctest --output-on-failure -j "$jobs" --timeout 300 "$@"
  ) || status=1
  local f reports=()
  while IFS= read -r f; do reports+=("$f"); done < <(find "$logs" -type f | sort)
  if ((${#reports[@]})); then
    echo "== test.sh: ${#reports[@]} sanitizer report(s) in $tree:" >&2
    for f in "${reports[@]}"; do
      echo "---- $f" >&2
      cat "$f" >&2
    done
    status=1
  fi
  return $status
}

# -O1: the sanitized tests (the simulator's, Eigen's) run several times
# faster than at -O0; -g1 (line tables, inlined frames: all a sanitizer
# stack needs) compiles about a fifth faster than -g.
sanitize_args=(-DCMAKE_BUILD_TYPE=Debug -DUKAIRO_BUILD_BENCH=OFF -DUKAIRO_TEST_TIMEOUT=300 "${cmake_args[@]}")
failed=()

stage "configure and build build-asan/ (Debug -O1, AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan "${sanitize_args[@]}" -DUKAIRO_SANITIZE=address,undefined \
  "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -O1 -D_GLIBCXX_ASSERTIONS" >/dev/null
cmake --build build-asan -j "$jobs"
stage "ctest in build-asan/ (the whole suite)"
sanitized_ctest build-asan || failed+=(build-asan)

stage "configure and build build-tsan/ (Debug -O1, ThreadSanitizer: ukairo, gateway and ledger tests)"
cmake -S . -B build-tsan "${sanitize_args[@]}" -DUKAIRO_SANITIZE=thread \
  "-DCMAKE_CXX_FLAGS_DEBUG=-g1 -O1" >/dev/null
cmake --build build-tsan -j "$jobs" --target ukairo ukairo_tests_gateway ukairo_tests_ledger
stage "ctest in build-tsan/ (labels gateway, ledger)"
sanitized_ctest build-tsan -L '^(gateway|ledger)$' || failed+=(build-tsan)

if ((${#failed[@]})); then
  stage "FAILED in ${failed[*]}"
  exit 1
fi
stage "done: no test failed and no sanitizer reported anything"
