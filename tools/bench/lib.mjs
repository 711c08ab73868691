// Shared pieces of the tuskd load generator: server lifecycle, RSS sampling, a deterministic
// streaming data generator, sha256 helpers and a small tus 1.0.0 client over node:http.
// Node built-ins only. All traffic goes to 127.0.0.1.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST = '127.0.0.1';
export const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Arguments and sizes

const SIZE_UNITS = { '': 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB };

// "1G" -> 1073741824 (binary units, optional "iB"/"B"); throws on anything else.
export function parseSize(text) {
  const m = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const value = Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()];
  if (!Number.isSafeInteger(value)) throw new Error(`size too large: ${text}`);
  return value;
}

// "10s", "200ms", "2m", "5" (seconds) -> milliseconds.
export function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(String(text).trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const scale = { ms: 1, s: 1000, m: 60000 }[m[2] || 's'];
  return Math.round(Number(m[1]) * scale);
}

// --name value / --name=value / --flag (boolean). Repeated --server-arg values are collected.
export function parseArgs(argv, booleans = []) {
  const out = { _: [], 'server-arg': [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { out._.push(a); continue; }
    let name = a.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    else if (booleans.includes(name)) value = true;
    else {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      value = argv[++i];
    }
    if (name === 'server-arg') out[name].push(value);
    else out[name] = value;
  }
  return out;
}

export function fmtMiB(bytes) { return (bytes / MiB).toFixed(1); }

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// Rejects with `message` after `ms` unless `promise` settles first.
export function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${message}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32) for reproducible kill moments and choices.

export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic data: AES-128-CTR keystream (key and IV derived from a seed string), so any
// stream can be regenerated from any offset without keeping it. AES-NI; through node's
// cipher.update about 1.5-2.5 GiB per CPU-second here.

// 64 KiB pieces: measured fastest through node's cipher.update (fewer page faults than 256K+).
export const PIECE = 64 * 1024;
const ZEROS = Buffer.alloc(PIECE);

export class DataSource {
  constructor(seed, size) {
    const digest = crypto.createHash('sha256').update(`tusk-bench:${seed}`).digest();
    this.key = digest.subarray(0, 16);
    this.iv = digest.subarray(16, 32);
    this.size = size;
  }

  // Generator of Buffers covering [start, end) in pieces of at most `piece` bytes.
  *range(start = 0, end = this.size, piece = PIECE) {
    if (start < 0 || end > this.size || start > end) throw new Error(`bad range ${start}-${end}`);
    const cur = this.cursor(start);
    while (cur.pos < end) yield cur.read(Math.min(piece, end - cur.pos));
  }

  // A cursor: read(n) returns the next n bytes (n <= PIECE) of the stream from `start` on.
  cursor(start = 0) {
    const iv = Buffer.from(this.iv);
    addToCounter(iv, Math.floor(start / 16));
    const cipher = crypto.createCipheriv('aes-128-ctr', this.key, iv);
    if (start % 16) cipher.update(ZEROS.subarray(0, start % 16));
    const size = this.size;
    let pos = start;
    return {
      get pos() { return pos; },
      read(n) {
        n = Math.min(n, PIECE, size - pos);
        pos += n;
        return cipher.update(ZEROS.subarray(0, n));
      },
    };
  }

  // sha256 (hex) of the whole stream, computed by regenerating it. Yields to the event loop
  // every 4 MiB so signals and timers stay responsive.
  async sha256() {
    const h = crypto.createHash('sha256');
    let n = 0;
    for (const buf of this.range()) {
      h.update(buf);
      if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    return h.digest('hex');
  }
}

// Adds n to the 128-bit big-endian counter in `iv` (what aes-ctr increments per block).
function addToCounter(iv, n) {
  let carry = BigInt(n);
  for (let i = 15; i >= 0 && carry > 0n; i--) {
    const sum = BigInt(iv[i]) + (carry & 0xffn);
    iv[i] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
}

export function sha256Hex(buf) { return crypto.createHash('sha256').update(buf).digest('hex'); }

// sha256 (hex) and byte count of a readable stream (e.g. an http response), streaming.
export function sha256Stream(stream) {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    let bytes = 0;
    stream.on('data', (d) => { h.update(d); bytes += d.length; });
    stream.on('end', () => resolve({ sha256: h.digest('hex'), bytes }));
    stream.on('error', reject);
    stream.on('aborted', () => reject(new Error('response aborted')));
  });
}

// ---------------------------------------------------------------------------------------------
// Server lifecycle. Every started server is registered and killed (SIGKILL) when this process
// exits, whatever the reason: normal end, error, SIGINT/SIGTERM, uncaught exception.

const liveServers = new Set();
const tempDirs = new Set();
let keepTemp = false;

export function setKeepTemp(keep) { keepTemp = !!keep; }

function killAllNow() {
  for (const s of liveServers) {
    try { process.kill(s.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  liveServers.clear();
}

function removeTempDirs() {
  if (keepTemp) return;
  for (const dir of tempDirs) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  tempDirs.clear();
}

// SIGKILLs every live server, waits (at most 3 s) until each has exited and been reaped, removes
// the temp dirs and exits. Used on signals, errors and the run watchdog.
let exiting = false;
export function isExiting() { return exiting; }
export async function killServersAndExit(code) {
  if (exiting) return new Promise(() => {}); // already on the way out: never continue
  exiting = true;
  const waits = [...liveServers].map((s) => s.exited);
  killAllNow();
  await Promise.race([Promise.all(waits), sleep(3000)]);
  removeTempDirs();
  process.exit(code);
}

let handlersInstalled = false;
export function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort (synchronous): nothing can be awaited in 'exit'.
  process.on('exit', () => { killAllNow(); removeTempDirs(); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\ntusk-bench: ${sig}, stopping the server\n`);
      killServersAndExit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`tusk-bench: uncaught: ${err && err.stack || err}\n`);
    killServersAndExit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`tusk-bench: unhandled rejection: ${err && err.stack || err}\n`);
    killServersAndExit(1);
  });
}

// A fresh directory for one server's data. Defaults to the OS temp dir; --work-dir overrides
// (so the data can live on the disk you mean to measure).
export function makeTempDir(parent = os.tmpdir(), prefix = 'tusk-bench-') {
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  tempDirs.add(dir);
  return dir;
}

export function resolveBin(opts) {
  const bin = opts.bin || process.env.TUSKD_BIN || path.join(REPO_ROOT, 'build/release/bin/tuskd');
  const abs = path.resolve(bin);
  try { fs.accessSync(abs, fs.constants.X_OK); } catch {
    throw new Error(`tuskd binary not found or not executable: ${abs} (use --bin or TUSKD_BIN)`);
  }
  return abs;
}

// Starts tuskd on 127.0.0.1 with --port 0 and waits for its "listening" line.
// Returns { pid, port, origin, basePath, child, exited, stderrTail(), stop(), kill9() }.
export async function startServer({ bin, dataDir, extraArgs = [], startTimeoutMs = 30000 }) {
  const args = ['--host', HOST, '--port', '0', '--data-dir', dataDir, ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { pid: child.pid, child, args, port: 0, origin: '', basePath: '' };
  if (!child.pid) throw new Error(`could not spawn ${bin}`);
  liveServers.add(server);

  const errLines = [];
  let errBuf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    errBuf += d;
    let nl;
    while ((nl = errBuf.indexOf('\n')) >= 0) {
      errLines.push(errBuf.slice(0, nl));
      if (errLines.length > 200) errLines.shift();
      errBuf = errBuf.slice(nl + 1);
    }
  });
  server.stderrTail = (n = 20) => errLines.slice(-n).join('\n');
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      liveServers.delete(server);
      server.exitInfo = { code, signal };
      resolve(server.exitInfo);
    });
  });

  let outBuf = '';
  child.stdout.setEncoding('utf8');
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      outBuf += d;
      const m = /listening on (https?):\/\/127\.0\.0\.1:(\d+)(\/\S*)/.exec(outBuf); // https: --tls-cert
      if (m) resolve({ scheme: m[1], port: Number(m[2]), basePath: m[3] });
      if (outBuf.length > 65536) outBuf = outBuf.slice(-4096);
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`tuskd exited before listening (code ${code}, signal ${signal}):\n${server.stderrTail()}`)));
    child.on('error', reject);
  });
  try {
    const { scheme, port, basePath } = await withTimeout(listening, startTimeoutMs, 'tuskd listening line');
    server.port = port;
    server.basePath = basePath;
    server.origin = `${scheme}://${HOST}:${port}`;
  } catch (err) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    throw err;
  }

  // Graceful stop (SIGTERM), then SIGKILL after `graceMs`.
  server.stop = async (graceMs = 15000) => {
    if (server.exitInfo) return server.exitInfo;
    try { process.kill(server.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
    const info = await server.exited;
    clearTimeout(timer);
    return info;
  };
  server.kill9 = async () => {
    if (server.exitInfo) return server.exitInfo;
    try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ }
    return withTimeout(server.exited, 10000, 'tuskd exit after SIGKILL');
  };
  return server;
}

// ---------------------------------------------------------------------------------------------
// RSS sampling from /proc/<pid>/status every `intervalMs`. VmHWM is the kernel's own peak, so
// it is exact even if a sample is late; the sampled VmRSS maximum is kept per window too.

export function readProcStatus(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM'), threads: Number((/^Threads:\s+(\d+)/m.exec(text) || [])[1] || 0) };
}

export class RssSampler {
  constructor(pid, intervalMs = 50) {
    this.pid = pid;
    this.samples = 0;
    this.maxRss = 0;
    this.lastHwm = 0;
    this.windowMax = null;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample() {
    try {
      const s = readProcStatus(this.pid);
      this.samples++;
      this.last = s;
      if (s.rss > this.maxRss) this.maxRss = s.rss;
      if (s.hwm) this.lastHwm = s.hwm;
      if (this.windowMax !== null && s.rss > this.windowMax) this.windowMax = s.rss;
      return s;
    } catch {
      return null; // process gone
    }
  }

  // Starts a window: windowMax tracks the largest sampled VmRSS until endWindow().
  startWindow() { const s = this.sample(); this.windowMax = s ? s.rss : 0; this.windowSamples0 = this.samples; }
  endWindow() {
    this.sample();
    const r = { maxRss: this.windowMax, samples: this.samples - this.windowSamples0, hwm: this.lastHwm };
    this.windowMax = null;
    return r;
  }

  stop() { this.sample(); clearInterval(this.timer); }
}

// ---------------------------------------------------------------------------------------------
// Minimal tus client over node:http, or node:https for an https origin: then pass an https.Agent
// whose `ca` trusts the server's certificate. Every request has an inactivity timeout.

function httpModule(url) { return url.protocol === 'https:' ? https : http; }

export const TUS = { 'Tus-Resumable': '1.0.0' };

export function request({ origin, method, path: urlPath, headers = {}, agent, timeoutMs = 60000, body }) {
  return new Promise((resolve, reject) => {
    const u = new URL(urlPath, origin);
    if (u.hostname !== HOST) { reject(new Error(`refusing non-loopback URL ${u}`)); return; }
    const req = httpModule(u).request({
      host: HOST, port: u.port, method, path: u.pathname + u.search, headers, agent: agent ?? false,
    }, (res) => resolve({ req, res }));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${u.pathname}: no activity for ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else if (method !== 'PATCH' || headers['Content-Length'] === '0') req.end();
    // else: the caller streams the body (see patchStream)
  });
}

// Reads a response to the end (small bodies only: error texts).
export async function readAll(res, limit = 65536) {
  const chunks = [];
  let n = 0;
  for await (const c of res) { if (n < limit) { chunks.push(c); n += c.length; } }
  return Buffer.concat(chunks).toString('utf8');
}

export async function createUpload(origin, basePath, length, { agent, timeoutMs, headers = {} } = {}) {
  const { res } = await request({
    origin, method: 'POST', path: basePath, agent, timeoutMs,
    headers: { ...TUS, 'Upload-Length': String(length), 'Content-Length': '0', ...headers },
  });
  const text = await readAll(res);
  if (res.statusCode !== 201) throw new Error(`POST: status ${res.statusCode}: ${text.trim()}`);
  const loc = res.headers.location;
  if (!loc) throw new Error('POST: 201 without Location');
  return new URL(loc, origin).pathname; // keep the path only: the port changes across restarts
}

export async function headUpload(origin, uploadPath, { agent, timeoutMs } = {}) {
  const { res } = await request({ origin, method: 'HEAD', path: uploadPath, agent, timeoutMs, headers: { ...TUS } });
  res.resume();
  await new Promise((r) => res.on('end', r));
  const offset = res.headers['upload-offset'];
  return {
    status: res.statusCode,
    offset: offset === undefined ? null : Number(offset),
    length: res.headers['upload-length'] === undefined ? null : Number(res.headers['upload-length']),
    sha256: res.headers['upload-sha256'] || null,
  };
}

export async function getSha256(origin, uploadPath, { agent, timeoutMs } = {}) {
  const { res } = await request({ origin, method: 'GET', path: uploadPath, agent, timeoutMs });
  if (res.statusCode !== 200) {
    const text = await readAll(res);
    throw new Error(`GET ${uploadPath}: status ${res.statusCode}: ${text.trim()}`);
  }
  return sha256Stream(res);
}

// One PATCH at `offset` whose body is produced by `pieces` (an iterable or async iterable of
// Buffers totalling `length`). Writes respect backpressure; `onWrite(n)` is called after each
// piece. `beforePiece(i)` may await (used to trickle). Resolves { status, offset, text }.
export async function patchStream(origin, uploadPath, offset, length, pieces,
                                  { agent, timeoutMs = 60000, onWrite, beforePiece, onResponseHeaders } = {}) {
  const u = new URL(uploadPath, origin);
  const req = httpModule(u).request({
    host: HOST, port: u.port, method: 'PATCH', path: u.pathname, agent: agent ?? false,
    headers: {
      ...TUS,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(length),
    },
  });
  req.setTimeout(timeoutMs, () => req.destroy(new Error(`PATCH ${u.pathname}: no activity for ${timeoutMs} ms`)));
  let responded = null;
  const response = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      responded = res;
      if (onResponseHeaders) onResponseHeaders(res);
      readAll(res).then((text) => resolve({
        status: res.statusCode,
        offset: res.headers['upload-offset'] === undefined ? null : Number(res.headers['upload-offset']),
        text,
      }), reject);
    });
    req.on('error', reject);
  });
  response.catch(() => {}); // observed below; avoid an unhandled rejection while writing
  let sent = 0;
  let i = 0;
  let bodyFlushedAt = null;
  try {
    for await (const buf of pieces) {
      if (responded || req.destroyed) break; // the server answered early (error) or the socket died
      if (beforePiece) await beforePiece(i);
      if (responded || req.destroyed) break;
      i++;
      if (!req.write(buf)) {
        await new Promise((resolve) => {
          const done = () => {
            req.off('drain', done); req.off('close', done); req.off('response', done); resolve();
          };
          req.on('drain', done);
          req.on('close', done);
          req.on('response', done);
        });
      }
      sent += buf.length;
      if (onWrite) onWrite(buf.length);
    }
    if (!responded && !req.destroyed) req.end(() => { bodyFlushedAt = process.hrtime.bigint(); });
  } catch (err) {
    req.destroy(err);
  }
  const result = await response;
  result.sent = sent;
  result.bodyFlushedAt = bodyFlushedAt; // hrtime when the last body byte was handed to the kernel
  result.respondedAt = process.hrtime.bigint();
  return result;
}

// CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat.
const CLK_TCK = 100; // Linux USER_HZ on every mainstream build
export function readProcCpuSeconds(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  } catch {
    return null;
  }
}

// Whole-machine CPU time from /proc/stat, in seconds: { busy, total }. The delta of busy over a
// window minus what tuskd and the client used is what other processes took from the run.
export function readSystemCpu() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number); // user nice system idle iowait irq softirq steal
  const idle = v[3] + (v[4] || 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

// Waits (at most maxWaitMs) until the machine was at least `idleFraction` idle over a 2 s
// sample. Returns the last measured idle fraction and how long it waited.
export async function waitForQuiet(idleFraction, maxWaitMs, log = () => {}) {
  const t0 = Date.now();
  let idle = 0;
  let warned = false;
  for (;;) {
    const a = readSystemCpu();
    await sleep(2000);
    const b = readSystemCpu();
    idle = 1 - (b.busy - a.busy) / Math.max(1e-9, b.total - a.total);
    if (idle >= idleFraction || Date.now() - t0 >= maxWaitMs) break;
    if (!warned) { log(`waiting for the machine to be ${Math.round(idleFraction * 100)}% idle (now ${Math.round(idle * 100)}%)...`); warned = true; }
  }
  return { idle: Math.round(idle * 100) / 100, waited_ms: Date.now() - t0 };
}

// ---------------------------------------------------------------------------------------------
// Machine description for reports.

export function machineInfo() {
  let cpu = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not linux */ }
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu,
    kernel: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
  };
}
