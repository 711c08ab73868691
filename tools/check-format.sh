#!/usr/bin/env bash
# Fails (exit 1, with clang-format's file:line diagnostics) when a .cc or .h, tracked or new and
# not ignored, is not formatted as .clang-format says. Debian 12's clang-format 14; another
# version may format some constructs differently, so the versioned binary is preferred.
# Usage: tools/check-format.sh [root]; to fix: git ls-files '*.cc' '*.h' | xargs clang-format-14 -i
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"

clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z $clang_format ]]; then
  echo "check-format: clang-format-14 not found (Debian: apt-get install clang-format-14)" >&2
  exit 1
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -d '' tracked < <(git ls-files -z --cached --others --exclude-standard -- '*.cc' '*.h')
  files=()
  for f in "${tracked[@]}"; do [[ -f $f ]] && files+=("$f"); done  # not deleted but uncommitted
else
  mapfile -d '' files < <(find . -path ./build -prune -o -name node_modules -prune -o \
    \( -name '*.cc' -o -name '*.h' \) -type f -print0)
fi

# Two processes, as the machine has two cores; xargs exits non-zero if any of them failed.
if printf '%s\0' "${files[@]}" | xargs -0 -n 40 -P 2 "$clang_format" --dry-run -Werror; then
  echo "check-format: ${#files[@]} files formatted"
else
  echo "check-format: files above need clang-format -i" >&2
  exit 1
fi
