#!/usr/bin/env bash
# ctest `standalone`: the repository stands alone. No tracked file other than
# documentation (*.md) may name the folder that sits beside some checkouts of
# this project (the workplace's read-only "shared" folder): a user's clone does
# not have it, so a build, test or script that reads it works only where it
# happens to exist. Data the project needs is copied into data/ instead.
set -uo pipefail
cd "$(dirname "$0")/.."
pattern='[.][.]/shared|/work/[s]hared'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files -- ':!*.md')
else  # an exported tree without .git: every file but build output
  files=$(find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune \
            -o -type f ! -name '*.md' -print)
fi
hits=$(printf '%s\n' "$files" | grep -v '^$' | xargs -d '\n' grep -nE "$pattern" -- 2>/dev/null)
if [[ -n "$hits" ]]; then
  echo "standalone: these files refer outside the repository (copy the data into data/):"
  echo "$hits"
  exit 1
fi
echo "standalone: ok ($(printf '%s\n' "$files" | grep -c .) files checked)"
