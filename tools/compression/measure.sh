#!/usr/bin/env bash
# The measurements behind docs/compression.md, in one run on one machine:
#   1. levels 1, 3 and 6 (and none) on 256 MiB of text-like and of WAV-like content: PATCH
#      throughput and stored size, each upload checked byte-exact by GET + SHA-256;
#   2. the 256 MiB stored-size check at the default level, with a kill -9 in the middle of the
#      upload, recovery, resume and a byte-exact check;
#   3. one 1 GiB PATCH of incompressible content with --compression none, zstd and auto
#      (auto without and with a declared filetype);
#   4. HEAD latency on other connections while a compressed upload runs.
# Usage: tools/compression/measure.sh path/to/tuskd [work-dir [sections]]
#   a release build of tuskd; sections: any of levels crash 1g latency (default: all four);
#   LEVEL=n in the environment sets --compression-level of the latency section
# Needs curl, sha256sum and a C++20 compiler. Starts and stops its own tuskd processes (by PID).
set -euo pipefail

TUSKD=$(readlink -f "${1:?usage: measure.sh path/to/tuskd [work-dir]}")
WORK=${2:-$(mktemp -d /tmp/tuskd-compression-XXXXXX)}
SECTIONS=${3:-levels crash 1g latency}
HERE=$(cd "$(dirname "$0")" && pwd)
MIB=$((1 << 20))
CURL=(curl --noproxy '*' -sS)
mkdir -p "$WORK"
cd "$WORK"

log() { printf '%s\n' "$*" >&2; }

SERVER_PID=
PORT=
start_server() {  # start_server DATA_DIR [flags...]
  local dir=$1; shift
  : >"$dir.out"
  "$TUSKD" --host 127.0.0.1 --port 0 --data-dir "$dir" "$@" >"$dir.out" 2>"$dir.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    PORT=$(sed -nE 's|^tuskd listening on http://127.0.0.1:([0-9]+)/.*|\1|p' "$dir.out")
    [[ -n $PORT ]] && return 0
    sleep 0.1
  done
  log "tuskd did not start: $(cat "$dir.err")"; exit 1
}
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap 'stop_server' EXIT

create() {  # create LENGTH [filetype] -> prints the upload URL
  local meta=()
  [[ -n ${2:-} ]] && meta=(-H "Upload-Metadata: filetype $(printf %s "$2" | base64 -w0)")
  "${CURL[@]}" -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $1" \
    "${meta[@]}" "http://127.0.0.1:$PORT/files/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p'
}
patch() {  # patch URL OFFSET FILE [curl args...] -> prints seconds
  local url=$1 offset=$2 file=$3; shift 3
  "${CURL[@]}" -o /dev/null -w '%{time_total}' -X PATCH -H 'Tus-Resumable: 1.0.0' \
    -H 'Content-Type: application/offset+octet-stream' -H "Upload-Offset: $offset" \
    -T "$file" "$@" "$url"
}
head_offset() {
  "${CURL[@]}" -I -H 'Tus-Resumable: 1.0.0' "$1" | tr -d '\r' | sed -n 's/^[Uu]pload-[Oo]ffset: //p'
}
stored() { stat -c %s "$1/uploads/${2##*/}"; }
same() {  # same URL FILE: GET is byte-exact
  [[ $("${CURL[@]}" "$1" | sha256sum | cut -c1-64) == $(sha256sum <"$2" | cut -c1-64) ]]
}
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }

c++ -O2 -std=c++20 -o make_sample "$HERE/make_sample.cc"
log "samples in $WORK"
[[ -f text-256M ]] || ./make_sample text $((256 * MIB)) 1 >text-256M
[[ -f wav-256M ]] || ./make_sample wav $((256 * MIB)) 1 >wav-256M
[[ -f random-1G ]] || ./make_sample random $((1024 * MIB)) 1 >random-1G

levels() {
echo "## Levels: one 256 MiB PATCH each (default --checkpoint-bytes 64M)"
echo
echo "| content | compression | MiB/s | stored | of original | byte-exact |"
echo "|---|---|---|---|---|---|"
for sample in text-256M wav-256M; do
  size=$(stat -c %s $sample)
  for mode in none 1 3 6; do
    dir=$WORK/data-$sample-$mode
    if [[ $mode == none ]]; then start_server "$dir"; else
      start_server "$dir" --compression zstd --compression-level "$mode"; fi
    url=$(create "$size")
    secs=$(patch "$url" 0 $sample)
    bytes=$(stored "$dir" "$url")
    ok=no; same "$url" $sample && ok=yes
    label=$([[ $mode == none ]] && echo none || echo "zstd -$mode")
    echo "| ${sample%-256M} | $label | $(rate "$size" "$secs") | $bytes | $(pct "$bytes" "$size") % | $ok |"
    stop_server; rm -rf "$dir"
  done
done

}

crash() {
echo
echo "## 256 MiB at the default level through kill -9, recovery and resume"
echo
for sample in text-256M wav-256M; do
  size=$(stat -c %s $sample)
  dir=$WORK/data-crash-$sample
  start_server "$dir" --compression zstd
  url=$(create "$size")
  patch "$url" 0 $sample --limit-rate 40M >/dev/null 2>&1 &
  client=$!
  sleep 4
  kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  file_at_kill=$(stored "$dir" "$url")
  start_server "$dir" --compression zstd
  url=http://127.0.0.1:$PORT/files/${url##*/}  # the new process listens on a new port
  recovered=$(stored "$dir" "$url")
  offset=$(head_offset "$url")
  tail -c +$((offset + 1)) $sample >rest
  patch "$url" "$offset" rest >/dev/null
  final=$(head_offset "$url")
  bytes=$(stored "$dir" "$url")
  ok=no; same "$url" $sample && ok=yes
  echo "- ${sample%-256M}: killed with $file_at_kill bytes in the data file, $recovered after" \
    "recovery; HEAD said $offset; resumed to $final of $size; stored $bytes bytes" \
    "($(pct "$bytes" "$size") % of the original); byte-exact: $ok"
  stop_server; rm -rf "$dir" rest
done

}

one_gib() {
echo
echo "## One 1 GiB PATCH of incompressible (random) content"
echo
echo "| --compression | filetype | MiB/s | stored | byte-exact |"
echo "|---|---|---|---|---|"
size=$(stat -c %s random-1G)
for run in "none|" "zstd|" "auto|" "auto|video/mp4"; do
  mode=${run%%|*} type=${run#*|}
  dir=$WORK/data-1G-$mode
  start_server "$dir" --compression "$mode"
  url=$(create "$size" "$type")
  secs=$(patch "$url" 0 random-1G)
  bytes=$(stored "$dir" "$url")
  ok=no; same "$url" random-1G && ok=yes
  echo "| $mode | ${type:--} | $(rate "$size" "$secs") | $bytes | $ok |"
  stop_server; rm -rf "$dir"
done

}

latency() {
echo
echo "## HEAD latency on other connections while one upload streams"
echo
echo "| upload | HEADs | p50 ms | p99 ms | max ms |"
echo "|---|---|---|---|---|"
for mode in none zstd; do
  dir=$WORK/data-latency-$mode
  start_server "$dir" --compression "$mode" ${LEVEL:+--compression-level "$LEVEL"}
  probe=$(create 1)
  url=$(create $((256 * MIB)))
  patch "$url" 0 text-256M >/dev/null &
  client=$!
  sleep 0.3
  : >latencies
  while kill -0 "$client" 2>/dev/null; do
    "${CURL[@]}" -o /dev/null -I -w '%{time_total}\n' -H 'Tus-Resumable: 1.0.0' "$probe" \
      >>latencies
  done
  wait "$client" || true
  sort -n latencies | awk -v mode="$mode" '{ v[NR] = $1 * 1000 } END {
    printf "| text, %s | %d | %.2f | %.2f | %.2f |\n", mode, NR, v[int(NR * 0.5) + 1],
      v[int(NR * 0.99) + 1], v[NR] }'
  stop_server; rm -rf "$dir"
done
}

for section in $SECTIONS; do
  case $section in
    levels) levels ;; crash) crash ;; 1g) one_gib ;; latency) latency ;;
    *) log "unknown section $section"; exit 2 ;;
  esac
done
