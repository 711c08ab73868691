#!/usr/bin/env bash
# The layer rule: which folder's C++ files may #include which folders. Reads every quoted (and
# every <base/...>-style) include of every .cc/.h, tracked or new, and exits 1, listing file:line and the
# rule broken, when a file includes a folder it may not. Usage: tools/check-layers.sh [root]
#
#   base                      base
#   compress, predict,        base and itself
#   protocol
#   store                     base, compress, store
#   server                    everything
#   tools/tuskctl             base, compress, store, tools/tuskctl
#   tools/<other>             nothing of ours (stand-alone programs built outside CMake)
#   tests/common              base, compress, tests/common (test_content.h decodes zstd frames)
#   tests/<layer>             what <layer> may, plus tests/common and tests/<layer>
#   tests/server, tests/tuskctl  everything
#
# A folder is the first path component (protocol/ietf is protocol, server/http is server), or
# the first two under tests/ and tools/. Includes are followed transitively through files that
# keep the rule, so a tests/common header cannot carry compress into tests/predict.
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
exec python3 - "$root" <<'PYTHON'
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1])
LAYERS = ["base", "compress", "predict", "protocol", "store", "server"]
EVERYTHING = None  # may include any folder

RULES = {
    "base": {"base"},
    "compress": {"base", "compress"},
    "predict": {"base", "predict"},
    "protocol": {"base", "protocol"},
    "store": {"base", "compress", "store"},
    "server": EVERYTHING,
    "tools/tuskctl": {"base", "compress", "store", "tools/tuskctl"},
    "tests/common": {"base", "compress", "tests/common"},
    "tests/server": EVERYTHING,
    "tests/tuskctl": EVERYTHING,
}
for layer in LAYERS:
    if RULES[layer] is not EVERYTHING:
        RULES.setdefault("tests/" + layer, RULES[layer] | {"tests/common", "tests/" + layer})

INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)')
TOP_FOLDERS = set(LAYERS) | {"tests", "tools"}


def folder_of(path):
    parts = path.split("/")
    if parts[0] in ("tests", "tools") and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def rule_for(folder):
    if folder in RULES:
        return RULES[folder]
    if folder.startswith("tools/"):
        return set()
    return "missing"


def describe(allowed):
    return "anything" if allowed is EVERYTHING else ", ".join(sorted(allowed)) or "nothing of ours"


def sources():
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--", "*.cc", "*.h"],
                             check=True, capture_output=True, text=True).stdout
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the tree
        files = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in ("build", "node_modules", ".git")]
            files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames
                      if f.endswith((".cc", ".h"))]
    return sorted(f for f in files if os.path.isfile(os.path.join(ROOT, f)))


def resolve(including, spelled, quoted):
    """The repository path an include names, or None for a system or third-party header."""
    if quoted:  # quotes search the including file's directory first, then the root (-I)
        beside = os.path.normpath(os.path.join(os.path.dirname(including), spelled))
        if not beside.startswith("..") and os.path.isfile(os.path.join(ROOT, beside)):
            return beside
    elif spelled.split("/")[0] not in TOP_FOLDERS:
        return None
    rooted = os.path.normpath(spelled)
    if not rooted.startswith("..") and os.path.isfile(os.path.join(ROOT, rooted)):
        return rooted
    return None


def includes_of(path, cache={}):
    if path not in cache:
        found = []
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m:
                    target = resolve(path, m.group(1) or m.group(2), m.group(1) is not None)
                    if target is not None:
                        found.append((number, target))
        cache[path] = found
    return cache[path]


def allows(allowed, folder):
    return allowed is EVERYTHING or folder in allowed


def check(path):
    folder = folder_of(path)
    allowed = rule_for(folder)
    if allowed == "missing":
        return [f"{path}:1: folder {folder} has no layer rule; add one to tools/check-layers.sh"]
    errors = []
    for number, target in includes_of(path):
        target_folder = folder_of(target)
        if not allows(allowed, target_folder):
            errors.append(f'{path}:{number}: includes "{target}": {folder} may include '
                          f"{describe(allowed)}, not {target_folder}")
            continue
        # Follow the include through files that themselves keep the rule.
        chain, seen, stack = {target: [target]}, {target}, [target]
        while stack:
            current = stack.pop()
            current_rule = rule_for(folder_of(current))
            for _, nested in includes_of(current):
                nested_folder = folder_of(nested)
                if nested in seen or current_rule == "missing" or not allows(current_rule,
                                                                             nested_folder):
                    continue
                seen.add(nested)
                chain[nested] = chain[current] + [nested]
                if not allows(allowed, nested_folder):
                    errors.append(f'{path}:{number}: includes "{target}", which brings in '
                                  f"{nested_folder} ({' -> '.join(chain[nested])}): {folder} "
                                  f"may include {describe(allowed)}")
                    continue
                stack.append(nested)
    return errors


files = sources()
errors = [e for f in files for e in check(f)]
for e in errors:
    print(e)
if errors:
    print(f"check-layers: {len(errors)} include(s) break the layer rule "
          "(the rule is at the top of tools/check-layers.sh)", file=sys.stderr)
    sys.exit(1)
print(f"check-layers: {len(files)} files keep the layer rule")
PYTHON
