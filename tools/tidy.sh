#!/usr/bin/env bash
# Runs clang-tidy 14 (the checks in .clang-tidy) over our C++ sources, two at a time, and exits
# 1 when it finds anything. Uses the compile_commands.json of a configured build directory.
#
#   tools/tidy.sh [paths...]          every translation unit under the given files or folders
#                                     (all of them when none is given); a header stands for the
#                                     translation units that include it
#   tools/tidy.sh --changed [base]    the files changed since the merge base with `base`
#                                     (default main), committed or not
#
# Environment: TIDY_BUILD_DIR (default build/debug, else the first build/* with a compilation
# database), TIDY_JOBS (default 2). A diagnostic in a header is printed once, however many
# translation units include it; a summary per folder and per check ends the output.
#
# A full run is slow: 187 translation units took 51 minutes on the shared 2-core machine (3,100 s
# of CPU, so 26 minutes at best on two idle cores), more than CI has to spare. tools/test.sh
# therefore runs `--changed`; run it in full before a release or after changing .clang-tidy.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

clang_tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z $clang_tidy ]]; then
  echo "tidy: clang-tidy-14 not found (Debian: apt-get install clang-tidy-14)" >&2
  exit 1
fi

build_dir=${TIDY_BUILD_DIR:-}
if [[ -z $build_dir ]]; then
  for candidate in build/debug build/*; do
    if [[ -f $candidate/compile_commands.json ]]; then
      build_dir=$candidate
      break
    fi
  done
fi
if [[ -z $build_dir || ! -f $build_dir/compile_commands.json ]]; then
  echo "tidy: no compile_commands.json; configure first (cmake --preset debug)" >&2
  exit 1
fi

paths=()
if [[ ${1:-} == --changed ]]; then
  base_ref=${2:-main}
  if ! git rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null; then
    if git rev-parse --verify --quiet "origin/$base_ref^{commit}" >/dev/null; then
      base_ref=origin/$base_ref
    else
      echo "tidy: no $base_ref to compare with, nothing checked (tools/tidy.sh checks everything)"
      exit 0
    fi
  fi
  merge_base=$(git merge-base HEAD "$base_ref")
  mapfile -t paths < <({
    git diff --name-only "$merge_base" -- '*.cc' '*.h'
    git ls-files --others --exclude-standard -- '*.cc' '*.h'
  } | sort -u)
  if ((${#paths[@]} == 0)); then
    echo "tidy: no C++ file changed since $base_ref"
    exit 0
  fi
else
  paths=("$@")
fi

exec python3 - "$clang_tidy" "$build_dir" "${TIDY_JOBS:-2}" "${paths[@]}" <<'PYTHON'
import collections
import concurrent.futures
import json
import os
import re
import resource
import subprocess
import sys
import time

clang_tidy, build_dir, jobs, *wanted = sys.argv[1:]
root = os.getcwd()
FOLDERS = "base|compress|predict|protocol|store|server|tools|tests"
DIAGNOSTIC = re.compile(r"^(/[^:]+):(\d+):(\d+): (warning|error): (.*) \[([^\]]+)\]$")

with open(os.path.join(build_dir, "compile_commands.json")) as f:
    units = sorted({os.path.relpath(os.path.realpath(e["file"]), root) for e in json.load(f)})
units = [u for u in units if not u.startswith("..") and os.path.isfile(u)]


def units_for(path):
    path = os.path.normpath(path)
    if os.path.isdir(path):
        return [u for u in units if path == "." or u.startswith(path + "/")]
    if path in units:
        return [path]
    if path.endswith(".h"):  # the units that include it, the one named after it first
        stem = path[:-2] + ".cc"
        if stem in units:
            return [stem]
        spelled = re.compile(r'^\s*#\s*include\s*"([^"]*/)?' + re.escape(os.path.basename(path)))
        found = []
        for u in units:
            with open(u, encoding="utf-8", errors="replace") as f:
                if any(spelled.match(line) for line in f):
                    found.append(u)
        return found[:1]
    return []


selected = units
if wanted:
    selected = sorted({u for p in wanted for u in units_for(p)})
if not selected:
    print("tidy: nothing to check among " + " ".join(wanted))
    sys.exit(0)

header_filter = "^" + re.escape(root) + "/(" + FOLDERS + ")/"


# Boost 1.74 enables co_await for clang only with libc++'s <experimental/coroutine>; clang 14
# parses libstdc++'s <coroutine> fine, so say so, or every coroutine of server/ is an error.
EXTRA_ARGS = ["--extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1"]


def run(unit):
    started = time.monotonic()
    proc = subprocess.run([clang_tidy, "-p", build_dir, "--quiet", "--header-filter=" + header_filter]
                          + EXTRA_ARGS + [unit], capture_output=True, text=True, errors="replace")
    return unit, proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


started = time.monotonic()
seen = set()
by_folder = collections.Counter()
by_check = collections.Counter()
failed_units = []
seconds_per_unit = {}
outside = set()  # diagnostics in headers that are not ours: reported, not counted
with concurrent.futures.ThreadPoolExecutor(max_workers=int(jobs)) as pool:
    for unit, code, output, seconds in pool.map(run, selected):
        seconds_per_unit[unit] = seconds
        block, keep = [], False
        printed = []
        for line in output.splitlines() + [""]:
            m = DIAGNOSTIC.match(line)
            if m or line == "" or line.endswith("warnings generated.") or \
                    line.endswith("warning generated."):
                if keep and block:
                    printed.append("\n".join(block))
                block, keep = [], False
                if not m:
                    continue
                path = os.path.relpath(m.group(1), root)
                key = (path, m.group(2), m.group(3), m.group(6))
                if key in seen:
                    continue
                if path.startswith(".."):  # the analyzer followed a path into Boost or libstdc++
                    outside.add(key)
                    continue
                seen.add(key)
                keep = True
                parts = path.split("/")
                folder = "/".join(parts[:2]) if parts[0] in ("tests", "tools") else parts[0]
                by_folder[folder] += 1
                by_check[m.group(6)] += 1
                block = [path + line[len(m.group(1)):]]
            elif keep:
                block.append(line.replace(root + "/", ""))
        if printed:
            print("\n".join(printed), flush=True)
        if code != 0 and not printed:
            failed_units.append(unit)
            print(f"tidy: clang-tidy failed on {unit}:\n{output}", flush=True)

elapsed = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
total = sum(by_folder.values())
print(f"tidy: {len(selected)} translation units in {elapsed:.0f} s with {jobs} jobs "
      f"({usage.ru_utime + usage.ru_stime:.0f} s of CPU): {total} finding(s)", file=sys.stderr)
if outside:
    print(f"  ignored: {len(outside)} diagnostic(s) inside system headers", file=sys.stderr)
slowest = sorted(seconds_per_unit.items(), key=lambda item: -item[1])[:5]
print("  slowest: " + ", ".join(f"{unit} {seconds:.0f} s" for unit, seconds in slowest),
      file=sys.stderr)
for folder, count in sorted(by_folder.items()):
    print(f"  {folder}: {count}", file=sys.stderr)
for check, count in by_check.most_common():
    print(f"  [{check}]: {count}", file=sys.stderr)
sys.exit(1 if total or failed_units else 0)
PYTHON
