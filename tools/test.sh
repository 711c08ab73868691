#!/usr/bin/env bash
# Builds and runs every test (unit tests, the source checks and the Node end-to-end tests) with
# one CMake preset, then clang-tidy over the C++ files changed since the merge base with main
# (a full tidy run takes longer than CI has; tools/tidy.sh alone checks everything):
# tools/test.sh [preset], default release. TIDY=skip leaves clang-tidy out, TIDY_BASE names
# another branch to compare with. Exits with ctest's exit code, or tidy's when ctest passed.
set -euo pipefail

preset=${1:-release}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

tools/bootstrap.sh

# End-to-end test dependencies (tus-js-client). tests/CMakeLists.txt registers the e2e tests
# only when node_modules exists, so this runs before CMake configures.
e2e=tests/e2e
if [[ -f $e2e/package-lock.json ]]; then
  if [[ ! -d $e2e/node_modules || $e2e/package-lock.json -nt $e2e/node_modules ]]; then
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$e2e/node_modules"
  fi
fi

# Configure when the build tree is new, or again when node_modules appeared after a configure
# that did not see it (otherwise the e2e tests would stay unregistered).
configure=false
if [[ ! -f build/$preset/CMakeCache.txt ]]; then
  configure=true
elif [[ -d $e2e/node_modules ]] && ! grep -qs 'e2e\.' "build/$preset/tests/CTestTestfile.cmake"; then
  configure=true
fi
if [[ $configure == true ]]; then
  cmake --preset "$preset"
fi
cmake --build --preset "$preset"

ctest_rc=0
ctest --preset "$preset" -j2 || ctest_rc=$?

tidy_rc=0
if [[ ${TIDY:-} != skip ]]; then
  TIDY_BUILD_DIR=build/$preset tools/tidy.sh --changed "${TIDY_BASE:-main}" || tidy_rc=$?
fi
exit $((ctest_rc != 0 ? ctest_rc : tidy_rc))
