#!/usr/bin/env bash
# ctest `architecture_doc`: every repository path that docs/ARCHITECTURE.md
# names in backticks exists, so the page cannot drift from the tree.
set -uo pipefail
cd "$(dirname "$0")/.."
doc=docs/ARCHITECTURE.md
missing=0
count=0
while read -r path; do
  count=$((count + 1))
  if [[ ! -e "$path" ]]; then
    echo "architecture_doc: $doc names $path, which does not exist"
    missing=1
  fi
done < <(grep -oE '`(base|ledger|router|sim|tools|tests|bench|data|scripts|docs)/[^` ]*`' "$doc" |
         tr -d '`' | sed 's/[.,]*$//' | sort -u)
if ((count == 0)); then echo "architecture_doc: no paths found in $doc"; exit 1; fi
if ((missing)); then exit 1; fi
echo "architecture_doc: ok ($count paths)"
