#!/usr/bin/env python3
"""Clients for the why-not-pistache experiments (driven by run.sh).

Raw sockets on 127.0.0.1 only: no proxy, no HTTP library that could buffer, retry or add
Expect: 100-continue behind our back. Timestamps are time.monotonic_ns(), which is
CLOCK_MONOTONIC, the same clock as std::chrono::steady_clock in pistache_probe, so client and
server times can be subtracted.

Each subcommand prints human-readable report lines, and one final "RESULT key=value ..." line that
run.sh copies into its summary.
"""

import argparse
import socket
import statistics
import sys
import threading
import time

HOST = "127.0.0.1"
MIB = 1 << 20
CHUNK = bytes(range(256)) * (MIB // 256)  # 1 MiB of non-constant bytes


def now_ns():
    return time.monotonic_ns()


def ms(ns):
    return ns / 1e6


def proc_kib(pid, field):
    """One 'VmXXX:  N kB' field of /proc/<pid>/status, as measured from outside the server."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def connect(port, timeout=30.0):
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock, method="GET"):
    """Reads one HTTP/1.1 response; returns (status, headers dict lower-cased, body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            raise ConnectionError("connection closed before a full response head")
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    no_body = method == "HEAD" or status in (204, 304)
    length = 0 if no_body else int(headers.get("content-length", 0))
    while len(rest) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    return status, headers, rest[:length]


def request(port, method, path, headers=None, body=b""):
    """One request on a fresh connection (Connection: close)."""
    with connect(port) as sock:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PATCH", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return read_response(sock, method)


def pistache_stats(port):
    status, _, body = request(port, "GET", "/stats")
    if status != 200:
        raise RuntimeError(f"/stats answered {status}")
    return {k: int(v) for k, v in (kv.split("=") for kv in body.decode().split())}


def send_body(sock, size, rate_mib_s=0.0, on_progress=None, stop_at=None):
    """Sends `size` (or `stop_at`) body bytes in 1 MiB chunks, paced to rate_mib_s if > 0.

    on_progress(sent) is called after each chunk. Returns (first_byte_ns, last_byte_ns, sent).
    """
    limit = size if stop_at is None else stop_at
    sent = 0
    first = now_ns()
    while sent < limit:
        n = min(len(CHUNK), limit - sent)
        sock.sendall(CHUNK[:n])
        sent += n
        if on_progress:
            on_progress(sent)
        if rate_mib_s > 0:
            due = first + int(sent / (rate_mib_s * MIB) * 1e9)
            delay = due - now_ns()
            if delay > 0:
                time.sleep(delay / 1e9)
    return first, now_ns(), sent


def patch_head(port, size, extra=None):
    lines = [f"PATCH /files/probe HTTP/1.1", f"Host: {HOST}:{port}",
             "Content-Type: application/offset+octet-stream", f"Content-Length: {size}"]
    for name, value in (extra or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- Experiment 1a/1b: the handler sees the body only when all of it is in memory ---------------

def cmd_buffered(args):
    size = args.size_mib * MIB
    hwm_before = proc_kib(args.pid, "VmHWM")
    print(f"  server VmHWM before: {hwm_before / 1024:.1f} MiB")
    samples = []  # (percent, handler calls so far, server VmRSS MiB)
    marks = {size * q // 4 for q in (1, 2, 3)}

    def on_progress(sent):
        if sent in marks:
            # /stats goes over a second connection; the worker answers it between two paced
            # chunks, so it shows what the application knows while the body is still arriving.
            calls = pistache_stats(args.port)["calls"]
            samples.append((100 * sent // size, calls, proc_kib(args.pid, "VmRSS") / 1024))

    calls_before = pistache_stats(args.port)["calls"]
    with connect(args.port, timeout=120) as sock:
        sock.sendall(patch_head(args.port, size))
        first, last, _ = send_body(sock, size, args.rate_mib_s, on_progress)
        status, _, _ = read_response(sock, "PATCH")
        answered = now_ns()
    stats = pistache_stats(args.port)
    hwm_after = proc_kib(args.pid, "VmHWM")

    for pct, calls, rss in samples:
        print(f"  {pct:3d}% of the body sent: handler calls so far {calls - calls_before}, "
              f"server VmRSS {rss:.1f} MiB")
    entry = stats["last_entry_ns"]
    print(f"  PATCH of {args.size_mib} MiB: status {status}; "
          f"body sent in {ms(last - first):.0f} ms")
    print(f"  handler entered {ms(entry - first):.0f} ms after the first body byte was sent, "
          f"{ms(entry - last):+.1f} ms relative to the last one, with "
          f"{stats['last_body_bytes']} body bytes (= {stats['last_body_bytes'] / MIB:.1f} MiB)")
    print(f"  server VmHWM after: {hwm_after / 1024:.1f} MiB "
          f"(+{(hwm_after - hwm_before) / 1024:.1f} MiB for a {args.size_mib} MiB body)")
    print(f"RESULT status={status} handler_after_first_ms={ms(entry - first):.0f} "
          f"handler_after_last_ms={ms(entry - last):.1f} body_bytes={stats['last_body_bytes']} "
          f"hwm_before_mib={hwm_before / 1024:.1f} hwm_after_mib={hwm_after / 1024:.1f} "
          f"hwm_growth_mib={(hwm_after - hwm_before) / 1024:.1f} "
          f"response_ms={ms(answered - last):.1f}")


# --- Experiment 1c: a body cut mid-way never reaches the handler ---------------------------------

def cmd_cut(args):
    size = args.size_mib * MIB
    cut = int(size * args.fraction)
    calls_before = pistache_stats(args.port)["calls"]
    rss_before = proc_kib(args.pid, "VmRSS")
    with connect(args.port, timeout=120) as sock:
        sock.sendall(patch_head(args.port, size))
        send_body(sock, size, args.rate_mib_s, stop_at=cut)
        time.sleep(0.3)  # let the worker drain the socket
        held = pistache_stats(args.port)
        rss_held = proc_kib(args.pid, "VmRSS")
        # Closing with the body incomplete: what a dropped mobile connection looks like.
    time.sleep(0.5)
    after = pistache_stats(args.port)
    rss_after = proc_kib(args.pid, "VmRSS")
    reached = after["calls"] - calls_before
    kept = after["total_body"] - held["total_body"] if reached else 0
    print(f"  sent {cut / MIB:.0f} of {args.size_mib} MiB, then closed the connection")
    print(f"  while the connection was open: handler calls {held['calls'] - calls_before}, "
          f"server VmRSS {rss_before / 1024:.1f} -> {rss_held / 1024:.1f} MiB "
          f"(the bytes are inside Pistache, out of the application's reach)")
    print(f"  after the close: handler calls {reached}, bytes the application could keep {kept}, "
          f"server VmRSS {rss_after / 1024:.1f} MiB")
    print(f"RESULT cut_mib={cut / MIB:.0f} handler_calls={reached} bytes_kept={kept} "
          f"rss_held_growth_mib={(rss_held - rss_before) / 1024:.1f}")


# --- Experiment 2: one fast upload starves small requests on the same worker ---------------------

def probe_loop(port, path, headers, stop, interval_s, out):
    """Sends small requests on one keep-alive connection until stop is set; appends
    (start_ns, latency_ns) to out. Reconnects if the server closes the connection."""
    sock = None
    # Explicit keep-alive: Pistache 0.0.5 answers a request without a Connection header with
    # "Connection: Close" (and then keeps the connection open anyway).
    head = [f"HEAD {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: keep-alive"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode()
    while not stop.is_set():
        start = now_ns()
        try:
            if sock is None:
                sock = connect(port, timeout=60)
            sock.sendall(raw)
            _, resp_headers, _ = read_response(sock, "HEAD")
            if resp_headers.get("connection", "").lower() == "close":
                sock.close()
                sock = None
        except (ConnectionError, OSError):
            if sock is not None:
                sock.close()
            sock = None
            continue
        out.append((start, now_ns() - start))
        time.sleep(interval_s)
    if sock is not None:
        sock.close()


def summarize(lat_ns):
    lat = sorted(lat_ns)
    p50 = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return ms(p50), ms(p99), ms(lat[-1])


def run_starvation(port, upload_head, size, probe_path, probe_headers, interval_s, baseline_s,
                   label):
    """Baseline probes, then probes while one PATCH body streams as fast as loopback allows."""
    stop = threading.Event()
    base = []
    # Daemon threads: a Ctrl-C in the main thread must end the process, not wait for the probes.
    t = threading.Thread(target=probe_loop, daemon=True,
                         args=(port, probe_path, probe_headers, stop, interval_s, base))
    t.start()
    time.sleep(baseline_s)
    stop.set()
    t.join()

    stop = threading.Event()
    during = []
    t = threading.Thread(target=probe_loop, daemon=True,
                         args=(port, probe_path, probe_headers, stop, interval_s, during))
    t.start()
    time.sleep(0.1)
    with connect(port, timeout=120) as sock:
        sock.sendall(upload_head)
        # One sendall per 64 MiB keeps the GIL released for long stretches, so the client pushes
        # at loopback speed while the probe thread still gets to run.
        big = CHUNK * 64
        first = now_ns()
        sent = 0
        while sent < size:
            n = min(len(big), size - sent)
            sock.sendall(memoryview(big)[:n])
            sent += n
        last = now_ns()
        status, _, _ = read_response(sock, "PATCH")
        answered = now_ns()
    time.sleep(0.1)
    stop.set()
    t.join()

    in_flight = [(s, l) for s, l in during if s < answered and s + l > first]
    b50, b99, bmax = summarize([l for _, l in base])
    print(f"  [{label}] without upload: {len(base)} HEADs, p50 {b50:.2f} ms, p99 {b99:.2f} ms, "
          f"max {bmax:.2f} ms")
    secs = (answered - first) / 1e9
    print(f"  [{label}] upload: {size // MIB} MiB PATCH, status {status}, body sent in "
          f"{ms(last - first):.0f} ms, answered after {secs * 1000:.0f} ms "
          f"({size / MIB / secs:.0f} MiB/s)")
    if in_flight:
        d50, d99, dmax = summarize([l for _, l in in_flight])
        print(f"  [{label}] during upload: {len(in_flight)} HEAD(s), p50 {d50:.2f} ms, "
              f"p99 {d99:.2f} ms, max {dmax:.2f} ms")
    else:
        d50 = d99 = dmax = float("nan")
        print(f"  [{label}] during upload: no HEAD completed")
    return (f"base_p50_ms={b50:.2f} base_max_ms={bmax:.2f} during_n={len(in_flight)} "
            f"during_p50_ms={d50:.2f} during_max_ms={dmax:.2f} upload_ms={secs * 1000:.0f} "
            f"upload_status={status}")


def cmd_starve(args):
    size = args.size_mib * MIB
    result = run_starvation(args.port, patch_head(args.port, size), size, "/files/other", None,
                            args.interval_ms / 1000, args.baseline_s, args.label)
    print(f"RESULT {result}")


# --- tuskd: the same two experiments against our server ------------------------------------------

TUS = {"Tus-Resumable": "1.0.0"}


def tus_create(port, base, length):
    status, headers, _ = request(port, "POST", base, {**TUS, "Upload-Length": str(length)})
    if status != 201:
        raise RuntimeError(f"POST {base} answered {status}")
    location = headers["location"]
    # Location may be absolute; keep only the path.
    if "://" in location:
        location = "/" + location.split("://", 1)[1].split("/", 1)[1]
    return location


def tus_offset(port, path):
    status, headers, _ = request(port, "HEAD", path, TUS)
    return status, int(headers.get("upload-offset", -1))


def tus_patch_head(port, path, size, offset=0):
    return patch_head(port, size, {**TUS, "Upload-Offset": str(offset)}).replace(
        b"/files/probe", path.encode(), 1)


def cmd_tuskd_cut(args):
    size = args.size_mib * MIB
    cut = int(size * args.fraction)
    path = tus_create(args.port, args.base, size)
    hwm_before = proc_kib(args.pid, "VmHWM")
    with connect(args.port, timeout=120) as sock:
        sock.sendall(tus_patch_head(args.port, path, size))
        send_body(sock, size, args.rate_mib_s, stop_at=cut)
        time.sleep(0.3)
    closed = now_ns()
    # The commit on disconnect runs on tuskd's commit pool (fdatasync + RocksDB batch): poll.
    status, offset = tus_offset(args.port, path)
    while offset <= 0 and now_ns() - closed < 5e9:
        time.sleep(0.05)
        status, offset = tus_offset(args.port, path)
    hwm_after = proc_kib(args.pid, "VmHWM")
    print(f"  sent {cut / MIB:.0f} of {args.size_mib} MiB in one PATCH, then closed the connection")
    print(f"  HEAD {path}: status {status}, Upload-Offset {offset} ({offset / MIB:.1f} MiB kept)")
    print(f"  tuskd VmHWM {hwm_before / 1024:.1f} -> {hwm_after / 1024:.1f} MiB "
          f"(+{(hwm_after - hwm_before) / 1024:.1f} MiB)")
    print(f"RESULT cut_bytes={cut} upload_offset={offset} hwm_growth_mib="
          f"{(hwm_after - hwm_before) / 1024:.1f}")


def cmd_tuskd_starve(args):
    size = args.size_mib * MIB
    upload = tus_create(args.port, args.base, size)
    other = tus_create(args.port, args.base, 1)
    result = run_starvation(args.port, tus_patch_head(args.port, upload, size), size, other, TUS,
                            args.interval_ms / 1000, args.baseline_s, args.label)
    print(f"RESULT {result}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)

    def add(name, func, pid=True, fraction=False, starve=False, tus=False):
        p = sub.add_parser(name)
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--size-mib", type=int, default=256)
        if pid:
            p.add_argument("--pid", type=int, required=True)
            p.add_argument("--rate-mib-s", type=float, default=128.0)
        if fraction:
            p.add_argument("--fraction", type=float, default=0.5)
        if starve:
            p.add_argument("--interval-ms", type=float, default=10.0)
            p.add_argument("--baseline-s", type=float, default=1.0)
        if tus:
            p.add_argument("--base", default="/files/")
        if starve:
            p.add_argument("--label", default="tuskd" if tus else "pistache")
        p.set_defaults(func=func)

    add("buffered", cmd_buffered)
    add("cut", cmd_cut, fraction=True)
    add("starve", cmd_starve, pid=False, starve=True)
    add("tuskd-cut", cmd_tuskd_cut, fraction=True, tus=True)
    add("tuskd-starve", cmd_tuskd_starve, pid=False, starve=True, tus=True)
    args = parser.parse_args()
    try:
        args.func(args)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
