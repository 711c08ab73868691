#!/usr/bin/env bash
# Builds the release preset and runs tuskd with development defaults; extra arguments are
# passed through after the defaults, so they override them (e.g. tools/run.sh --port 8080).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

tools/bootstrap.sh
if [[ ! -f build/release/CMakeCache.txt ]]; then
  cmake --preset release
fi
cmake --build --preset release

exec build/release/bin/tuskd --data-dir ./data --port 1080 --base-path /files/ "$@"
