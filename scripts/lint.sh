#!/usr/bin/env bash
# Project lint (run by ctest as `lint`): the rules that keep the router core
# and the ledger deterministic and money exact.
#  1. No wall clock, sleep, or unseeded randomness in ledger/, router/ and
#     sim/ (the live gateway in router/gateway/ is the one place allowed).
#  2. No float or double near money names anywhere in the code.
#  3. No source file over 1000 lines (split by purpose first).
#  4. No bare assert() in the product code: invariants are UKAIRO_CHECK (on in
#     every build) or UKAIRO_DCHECK (hot paths), see base/check.h.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

clock=$(grep -rnE 'std::chrono::(system|steady|high_resolution)_clock::now|(^|[^_a-zA-Z:.>])s?rand\(|std::random_device|sleep_for|sleep_until|usleep\(|time\(NULL\)|time\(nullptr\)|gettimeofday|clock_gettime' \
  base ledger router sim --include='*.cc' --include='*.h' | grep -v '^router/gateway/')
if [[ -n "$clock" ]]; then
  echo "lint: clock, sleep or unseeded randomness outside router/gateway/:"
  echo "$clock"
  status=1
fi

money=$(grep -rnE '\b(double|float)\b[^;(]*\b(cost|price|spend|budget|usd|nanos|amount)' \
  base ledger router sim tools --include='*.cc' --include='*.h')
if [[ -n "$money" ]]; then
  echo "lint: floating point near money (money is integers):"
  echo "$money"
  status=1
fi

big=$(find base ledger router sim tools tests bench -name '*.cc' -o -name '*.h' | xargs wc -l \
  | awk '$2 != "total" && $1 > 1000 {print "  " $2 " (" $1 " lines)"}')
if [[ -n "$big" ]]; then
  echo "lint: files over 1000 lines:"
  echo "$big"
  status=1
fi

bare=$(grep -rnE '(^|[^_a-zA-Z])assert\(' base ledger router sim tools --include='*.cc' --include='*.h')
if [[ -n "$bare" ]]; then
  echo "lint: assert() compiles out of release builds; use UKAIRO_CHECK / UKAIRO_DCHECK:"
  echo "$bare"
  status=1
fi

if [[ $status -eq 0 ]]; then echo "lint: ok"; fi
exit $status
