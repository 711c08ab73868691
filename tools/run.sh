#!/usr/bin/env bash
# Builds the release preset and runs tuskd with development defaults (--data-dir ./data
# --port 1080 --base-path /files/). Arguments are passed through after the defaults; a default is
# left out when its flag is among the arguments or its TUSKD_* variable is set, since tuskd
# refuses a flag given twice (e.g. tools/run.sh --port 8080, TUSKD_PORT=8080 tools/run.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

tools/bootstrap.sh
if [[ ! -f build/release/CMakeCache.txt ]]; then
  cmake --preset release
fi
cmake --build --preset release

# given FLAG ARGS...: whether FLAG (as "--flag value" or "--flag=value") is among ARGS.
given() {
  local flag=$1 arg
  shift
  for arg in "$@"; do
    if [[ $arg == "$flag" || $arg == "$flag="* ]]; then
      return 0
    fi
  done
  return 1
}

defaults=()
add_default() {  # FLAG ENV_VAR VALUE
  if ! given "$1" "${args[@]}" && [[ -z ${!2:-} ]]; then
    defaults+=("$1" "$3")
  fi
}
args=("$@")
add_default --data-dir TUSKD_DATA_DIR ./data
add_default --port TUSKD_PORT 1080
add_default --base-path TUSKD_BASE_PATH /files/

exec build/release/bin/tuskd "${defaults[@]}" "$@"
