#!/usr/bin/env bash
# Why tuskd does not use Pistache, measured: see README.md next to this script.
#
#   tools/why-not-pistache/run.sh
#
# Installs libpistache-dev (Debian 12: 0.0.5+ds-3) if it is missing, builds pistache_probe.cc with
# g++, runs the experiments on 127.0.0.1 (free ports only), prints a report and exits 0.
# Not part of the CMake build or the test suite (there is deliberately no CMakeLists.txt here).
#
# Environment:
#   SIZE_MIB=256     body size of every experiment
#   TUSKD_BIN=path   tuskd to compare with (default: build/release/bin/tuskd, then
#                    build/lead/bin/tuskd); SKIP_TUSKD=1 skips the comparison.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-256}
CLIENT_TIMEOUT=60  # seconds per client run; the whole script stays well under two minutes

WORK=$(mktemp -d "${TMPDIR:-/tmp}/why-not-pistache.XXXXXX")
STARTED_PIDS=()

say() { printf '%s\n' "$*"; }

# Ends one process this script started: TERM, then KILL if it has not gone after 3 s (a server
# stuck in its shutdown path must not outlive the demonstration).
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "  ($(cat "/proc/$pid/comm" 2>/dev/null || echo "pid $pid") did not exit within 3 s of" \
      "SIGTERM; sent SIGKILL)"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. Pistache --------------------------------------------------------------------------------
if [[ $(dpkg-query -W -f='${Status}' libpistache-dev 2>/dev/null) != "install ok installed" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    say "libpistache-dev is not installed and this is not root. Install it with:"
    say "  sudo apt-get install -y libpistache-dev"
    say "then run $0 again."
    exit 1
  fi
  say "Installing libpistache-dev ..."
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update only when the package lists do not know the package yet.
  if ! apt-get install -y -qq libpistache-dev >"$WORK/apt.log" 2>&1; then
    apt-get update -qq >>"$WORK/apt.log" 2>&1
    if ! apt-get install -y -qq libpistache-dev >>"$WORK/apt.log" 2>&1; then
      cat "$WORK/apt.log" >&2
      exit 1
    fi
  fi
fi
PISTACHE_VERSION=$(dpkg-query -W -f='${Version}' libpistache-dev 2>/dev/null || echo unknown)

# --- 2. Build -----------------------------------------------------------------------------------
PISTACHE_FLAGS=$(pkg-config --cflags --libs libpistache 2>/dev/null || echo -lpistache)
# shellcheck disable=SC2086  # PISTACHE_FLAGS is a list of flags
g++ -std=c++17 -O2 -Wall -Wextra -o "$WORK/pistache_probe" "$HERE/pistache_probe.cc" \
  $PISTACHE_FLAGS -pthread

# --- Helpers ------------------------------------------------------------------------------------
# start_server LOG CMD... : starts CMD in the background with stdout+stderr in LOG, remembers its
# pid for the trap and waits (<= 10 s) for its "listening" line. Sets SERVER_PID.
start_server() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do
    grep -q 'listening on' "$log" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "server did not start:" >&2
  cat "$log" >&2
  exit 1
}

finish_server() {
  stop_pid "$SERVER_PID"
  local kept=()
  local pid
  for pid in "${STARTED_PIDS[@]}"; do [[ $pid == "$SERVER_PID" ]] || kept+=("$pid"); done
  STARTED_PIDS=("${kept[@]+"${kept[@]}"}")
}

start_probe() {
  start_server "$WORK/probe.log" "$WORK/pistache_probe" --threads 1
  PROBE_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/probe.log")
}

# start_tuskd NAME FLAGS... : one tuskd io thread (so every connection shares it, as with
# threads(1) in Pistache) on a fresh data dir. Sets SERVER_PID and TUSKD_PORT.
start_tuskd() {
  start_server "$WORK/tuskd.log" "$TUSKD" --host 127.0.0.1 --port 0 --threads 1 \
    --data-dir "$WORK/tuskd-data-$1" "${@:2}"
  TUSKD_PORT=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$WORK/tuskd.log")
}

# client OUT SUBCOMMAND ARGS... : runs one probe_client.py experiment, shows its report lines and
# keeps its RESULT line in OUT.
client() {
  local out=$1
  shift
  # --foreground: stay in our process group, so a Ctrl-C reaches the client too.
  timeout --foreground "$CLIENT_TIMEOUT" \
    python3 "$HERE/probe_client.py" "$@" --size-mib "$SIZE_MIB" >"$out"
  grep -v '^RESULT ' "$out" || true
}

# val FILE KEY : a value from the RESULT line in FILE.
val() { sed -n "s/^RESULT .*\b$2=\([^ ]*\).*/\1/p" "$1"; }

# --- 3. Experiments -----------------------------------------------------------------------------
say "why-not-pistache: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
say "Pistache $PISTACHE_VERSION (Http::Endpoint, threads(1)); bodies of $SIZE_MIB MiB"
say ""

say "1a/1b. Buffered body: one $SIZE_MIB MiB PATCH, paced at 128 MiB/s"
start_probe
client "$WORK/buffered.out" buffered --port "$PROBE_PORT" --pid "$SERVER_PID"
finish_server
say ""

say "1c. Interrupted body: a $SIZE_MIB MiB PATCH cut at 50% (client closes the socket)"
start_probe
client "$WORK/cut.out" cut --port "$PROBE_PORT" --pid "$SERVER_PID"
finish_server
say ""

say "2. Starvation: HEADs on a second connection to the same worker, before and during one"
say "   $SIZE_MIB MiB PATCH sent as fast as loopback allows"
start_probe
client "$WORK/starve.out" starve --port "$PROBE_PORT"
finish_server
say ""

TUSKD=${TUSKD_BIN:-}
if [[ -z $TUSKD ]]; then
  for candidate in "$ROOT/build/release/bin/tuskd" "$ROOT/build/lead/bin/tuskd"; do
    if [[ -x $candidate ]]; then
      TUSKD=$candidate
      break
    fi
  done
fi
if [[ ${SKIP_TUSKD:-0} == 1 ]]; then
  say "tuskd: SKIP_TUSKD=1; comparison skipped."
  TUSKD=""
elif [[ -z $TUSKD || ! -x $TUSKD ]]; then
  say "tuskd: no binary (build/release/bin/tuskd, build/lead/bin/tuskd or TUSKD_BIN);" \
    "comparison skipped."
  TUSKD=""
else
  say "tuskd (${TUSKD#"$ROOT"/}, --threads 1): the same cut PATCH and the same starvation test"
  start_tuskd default
  client "$WORK/tuskd-cut.out" tuskd-cut --port "$TUSKD_PORT" --pid "$SERVER_PID"
  client "$WORK/tuskd-starve.out" tuskd-starve --port "$TUSKD_PORT"
  finish_server
  # With no checkpoint inside the body, a HEAD can only be served when tuskd's body loop
  # suspends; this run shows how long that is (see README, "tuskd's side").
  start_tuskd nocheckpoint --checkpoint-bytes 1G
  client "$WORK/tuskd-starve-1g.out" tuskd-starve --port "$TUSKD_PORT" \
    --label "tuskd --checkpoint-bytes 1G"
  finish_server
fi
say ""

# --- 4. Summary ---------------------------------------------------------------------------------
B=$WORK/buffered.out C=$WORK/cut.out S=$WORK/starve.out
say "Summary (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
say "  Pistache handler entered $(val "$B" handler_after_first_ms) ms after the first body byte," \
  "$(val "$B" handler_after_last_ms) ms relative to the last, with $(val "$B" body_bytes) bytes;"
say "    VmHWM $(val "$B" hwm_before_mib) -> $(val "$B" hwm_after_mib) MiB" \
  "(+$(val "$B" hwm_growth_mib) MiB for a $SIZE_MIB MiB body)."
say "  Cut at 50%: Pistache handler calls $(val "$C" handler_calls)," \
  "bytes kept $(val "$C" bytes_kept) (while open, +$(val "$C" rss_held_growth_mib) MiB RSS)."
if [[ -n $TUSKD ]]; then
  say "    tuskd kept Upload-Offset $(val "$WORK/tuskd-cut.out" upload_offset) of" \
    "$(val "$WORK/tuskd-cut.out" cut_bytes) bytes sent" \
    "(VmHWM +$(val "$WORK/tuskd-cut.out" hwm_growth_mib) MiB)."
fi
say "  HEAD latency, Pistache: p50 $(val "$S" base_p50_ms) ms idle; during the upload" \
  "$(val "$S" during_n) HEAD(s), max $(val "$S" during_max_ms) ms" \
  "(upload took $(val "$S" upload_ms) ms)."
if [[ -n $TUSKD ]]; then
  T=$WORK/tuskd-starve.out
  say "  HEAD latency, tuskd: p50 $(val "$T" base_p50_ms) ms idle; during the upload" \
    "$(val "$T" during_n) HEAD(s), p50 $(val "$T" during_p50_ms) ms," \
    "max $(val "$T" during_max_ms) ms (upload took $(val "$T" upload_ms) ms)."
  T=$WORK/tuskd-starve-1g.out
  say "    with --checkpoint-bytes 1G: $(val "$T" during_n) HEAD(s) during the upload," \
    "max $(val "$T" during_max_ms) ms (upload took $(val "$T" upload_ms) ms)."
fi
exit 0
