#!/usr/bin/env node
// tusk-bench: load generator and benchmarks for tuskd (tus 1.0.0). Node built-ins only.
//
//   node tools/bench/tusk-bench.mjs single --size 1G
//   node tools/bench/tusk-bench.mjs slow   --uploads 200 --size 8M
//   node tools/bench/tusk-bench.mjs crash  --uploads 20 --size 16M --rounds 3 [--seed N]
//   node tools/bench/tusk-bench.mjs concat --size 1G --parts 4
//   node tools/bench/tusk-bench.mjs tls    --size 1G --connections 1000
//   node tools/bench/tusk-bench.mjs metadata --clients 16 --seconds 5
//
// Common options: --bin PATH (or TUSKD_BIN; default build/release/bin/tuskd), --work-dir DIR
// (parent of the temporary data dirs; default the OS temp dir), --server-arg ARG (repeatable,
// passed to tuskd), --timeout DURATION (whole run), --keep (keep the data dirs).
//
// Each subcommand prints a short human summary and, last, one JSON line with the numbers.
// Exit status: 0 all good; 1 a correctness violation or an error; 2 correct but a
// memory target missed (single: peak RSS >= 64 MiB, slow: >= 96 MiB).

import crypto from 'node:crypto';
import http from 'node:http';
import {
  DataSource, MiB, PIECE, RssSampler, createUpload, fmtMiB, getSha256, headUpload,
  installExitHandlers, isExiting, killServersAndExit, machineInfo, makeTempDir, parseArgs, parseDuration, parseSize,
  patchStream, prng, readProcCpuSeconds, readSystemCpu, resolveBin, waitForQuiet, setKeepTemp, sleep, startServer, withTimeout,
} from './lib.mjs';
import { benchConcat } from './bench-concat.mjs';
import { benchTls } from './bench-tls.mjs';
import { benchMetadata } from './bench-metadata.mjs';

const USAGE = `usage: tusk-bench.mjs <single|slow|crash|concat|tls|metadata> [options]
  single  --size 1G                    one upload in ONE streamed PATCH: MiB/s, server peak RSS, sha256
          [--verify-get]               also GET the upload and hash it (default: only when HEAD has no Upload-Sha256)
  slow    --uploads 200 --size 8M      concurrent uploads held open mid-body: server peak RSS
          [--initial SIZE]             bytes each client sends at full speed first (default: size/2)
          [--trickle-bytes 1K] [--trickle-interval 200ms] [--trickle-for 10s]
  crash   --uploads 20 --size 16M      chunked uploads, kill -9 at a seeded random moment, restart,
          [--chunk 1M] [--rounds 3]    resume, check acknowledged offsets survived and bytes are exact
          [--seed N] [--kill-from 0.05] [--kill-to 0.95] [--head-prob 0.15]
  concat  --size 1G --parts 4          parallel partial uploads, then the final that joins them:
                                       parts MiB/s, join latency, server peak RSS, sha256
  tls     --size 1G --connections 1000 plain HTTP vs HTTPS (self-signed cert, made with openssl):
                                       one-PATCH MiB/s and CPU, server KiB per idle keep-alive
                                       connection (each after one HEAD)
  metadata --clients 16 --seconds 5    HEAD latency on one upload while the clients POST hostile
                                       Upload-Metadata (the most accepted; ~15,800 keys)
  common  --bin PATH  --work-dir DIR  --server-arg ARG (repeatable)  --timeout DURATION  --keep
          --request-timeout DURATION (per-request inactivity, default 120s)
          --wait-idle 0.8 [--wait-max 10m]  first wait until the machine is this idle (shared hosts)`;

const MEM_TARGET = { single: 64 * MiB, slow: 96 * MiB };

function log(msg) { process.stdout.write(`${msg}\n`); }

class Violation extends Error {}

// Runs `worker(item, index)` over items with at most `limit` running at once.
async function pool(items, limit, worker) {
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

// ---------------------------------------------------------------------------------------------
// single: one upload of SIZE in one PATCH, streamed from the generator.

async function benchSingle(opts, ctx) {
  const size = parseSize(opts.size ?? '1G');
  const source = new DataSource(`single-${size}`, size);

  log(`single: ${fmtMiB(size)} MiB in one PATCH; computing the client sha256 first (not timed)`);
  let t0 = process.hrtime.bigint();
  const expected = await source.sha256();
  const hashSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const server = await startServer({ bin: ctx.bin, dataDir: makeTempDir(ctx.workDir), extraArgs: ctx.serverArgs });
  log(`tuskd pid ${server.pid} on ${server.origin}${server.basePath}`);
  const sampler = new RssSampler(server.pid, 50);
  await sleep(300);
  const idle = sampler.sample();

  const uploadPath = await createUpload(server.origin, server.basePath, size, { timeoutMs: ctx.requestTimeout });
  const cpuServer0 = readProcCpuSeconds(server.pid);
  const cpuClient0 = process.cpuUsage();
  const sys0 = readSystemCpu();
  sampler.startWindow();
  t0 = process.hrtime.bigint();
  const res = await patchStream(server.origin, uploadPath, 0, size, source.range(0, size, PIECE),
    { timeoutMs: ctx.requestTimeout });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sendSeconds = res.bodyFlushedAt ? Number(res.bodyFlushedAt - t0) / 1e9 : null;
  const during = sampler.endWindow();
  const cpuServer = readProcCpuSeconds(server.pid) - cpuServer0;
  const cu = process.cpuUsage(cpuClient0);
  const cpuClient = (cu.user + cu.system) / 1e6;
  const sys1 = readSystemCpu();
  const cpuOthers = Math.max(0, sys1.busy - sys0.busy - cpuServer - cpuClient);
  const cpuAvailable = sys1.total - sys0.total;

  const problems = [];
  if (res.status !== 204) problems.push(`PATCH answered ${res.status}: ${res.text.trim()}`);
  if (res.offset !== size) problems.push(`PATCH Upload-Offset ${res.offset}, expected ${size}`);

  const head = await headUpload(server.origin, uploadPath, { timeoutMs: ctx.requestTimeout });
  if (head.offset !== size) problems.push(`HEAD Upload-Offset ${head.offset}, expected ${size}`);
  let verifiedBy = [];
  if (head.sha256) {
    verifiedBy.push('HEAD Upload-Sha256');
    if (head.sha256.toLowerCase() !== expected) problems.push(`HEAD Upload-Sha256 ${head.sha256} != client ${expected}`);
  }
  if (!head.sha256 || opts['verify-get']) {
    verifiedBy.push('GET sha256');
    const got = await getSha256(server.origin, uploadPath, { timeoutMs: ctx.requestTimeout });
    if (got.bytes !== size || got.sha256 !== expected) {
      problems.push(`GET returned ${got.bytes} bytes sha256 ${got.sha256}, client ${expected}`);
    }
  }
  sampler.stop();
  const peak = sampler.lastHwm;
  const exit = await server.stop();

  const mibps = size / MiB / seconds;
  const result = {
    bench: 'single', size, seconds: round(seconds, 3), mib_per_s: round(mibps, 1),
    body_sent_seconds: sendSeconds === null ? null : round(sendSeconds, 3),
    last_byte_to_204_ms: sendSeconds === null ? null : round((seconds - sendSeconds) * 1000, 1),
    server_peak_rss_bytes: peak, server_peak_rss_mib: round(peak / MiB, 1),
    server_idle_rss_mib: round(idle.rss / MiB, 1), server_max_sampled_rss_during_patch_mib: round(during.maxRss / MiB, 1),
    rss_samples: during.samples, server_cpu_s: round(cpuServer, 2), client_cpu_s: round(cpuClient, 2),
    server_mib_per_cpu_s: cpuServer > 0 ? round(size / MiB / cpuServer, 0) : null,
    other_processes_cpu_s: round(cpuOthers, 2), machine_cpu_s_available: round(cpuAvailable, 2),
    client_sha256_prepass_mib_per_s: round(size / MiB / hashSeconds, 0),
    sha256: expected, verified_by: verifiedBy, server_exit: exit,
    target_peak_rss_mib: MEM_TARGET.single / MiB, target_met: peak < MEM_TARGET.single,
    ok: problems.length === 0, problems,
  };
  log(`  PATCH ${fmtMiB(size)} MiB in ${seconds.toFixed(2)} s = ${mibps.toFixed(1)} MiB/s ` +
      `(server CPU ${cpuServer.toFixed(2)} s, client CPU ${cpuClient.toFixed(2)} s; ` +
      `last body byte sent at ${sendSeconds?.toFixed(2)} s, 204 ${result.last_byte_to_204_ms} ms later)`);
  log(`  other processes used ${cpuOthers.toFixed(2)} of the ${cpuAvailable.toFixed(2)} CPU-seconds the machine had during the PATCH`);
  log(`  server RSS: idle ${fmtMiB(idle.rss)} MiB, peak (VmHWM) ${fmtMiB(peak)} MiB ` +
      `[target < ${MEM_TARGET.single / MiB} MiB: ${result.target_met ? 'met' : 'MISSED'}]`);
  log(`  integrity: ${problems.length ? 'FAILED' : 'ok'} (${verifiedBy.join(' + ')}), sha256 ${expected}`);
  for (const p of problems) log(`  PROBLEM: ${p}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// slow: N uploads, each one PATCH that sends part of its body, then trickles, then finishes.

async function benchSlow(opts, ctx) {
  const uploads = Number(opts.uploads ?? 200);
  const size = parseSize(opts.size ?? '8M');
  const initial = opts.initial !== undefined ? parseSize(opts.initial) : Math.floor(size / 2);
  const trickleBytes = parseSize(opts['trickle-bytes'] ?? '1K');
  const trickleInterval = parseDuration(opts['trickle-interval'] ?? '200ms');
  const trickleFor = parseDuration(opts['trickle-for'] ?? '10s');
  if (!(uploads > 0) || initial >= size || trickleBytes <= 0) throw new Error('bad slow options');
  // Trickling may never finish a body: leave at least this much for the final burst.
  const trickleLimit = size - Math.max(1, Math.min(PIECE, size - initial) >> 1);

  log(`slow: ${uploads} uploads x ${fmtMiB(size)} MiB; each sends ${fmtMiB(initial)} MiB, then ` +
      `${trickleBytes} B every ${trickleInterval} ms for ${trickleFor / 1000} s after all are open, then the rest`);
  const server = await startServer({ bin: ctx.bin, dataDir: makeTempDir(ctx.workDir), extraArgs: ctx.serverArgs });
  log(`tuskd pid ${server.pid} on ${server.origin}${server.basePath}`);
  const sampler = new RssSampler(server.pid, 50);
  await sleep(300);
  const idle = sampler.sample();

  const paths = await pool(Array.from({ length: uploads }), 16, () =>
    createUpload(server.origin, server.basePath, size, { timeoutMs: ctx.requestTimeout }));
  const probePath = await createUpload(server.origin, server.basePath, 1, { timeoutMs: ctx.requestTimeout });

  let openCount = 0;
  let finish = false;
  let allOpenResolve;
  const allOpen = new Promise((r) => { allOpenResolve = r; });
  const hashes = paths.map(() => null);
  const t0 = Date.now();

  async function* body(i) {
    const source = new DataSource(`slow-${i}`, size);
    const cur = source.cursor(0);
    const h = crypto.createHash('sha256');
    const emit = (n) => { const b = cur.read(n); h.update(b); return b; };
    while (cur.pos < initial) yield emit(initial - cur.pos);
    if (++openCount === uploads) allOpenResolve();
    while (!finish && cur.pos + trickleBytes <= trickleLimit) {
      await sleep(trickleInterval);
      if (finish) break;
      yield emit(trickleBytes);
    }
    while (cur.pos < size) yield emit(size - cur.pos);
    hashes[i] = h.digest('hex');
  }

  const patches = paths.map((p, i) => patchStream(server.origin, p, 0, size, body(i), { timeoutMs: ctx.requestTimeout })
    .catch((err) => ({ status: 0, offset: null, text: String(err.message || err) })));

  // Wait until every client is mid-body (bounded), then hold them all open for trickleFor.
  const openDeadline = Math.max(60000, uploads * 500);
  let allOpenAt = null;
  try {
    await withTimeout(allOpen, openDeadline, `all ${uploads} uploads mid-body`);
    allOpenAt = Date.now();
  } catch (err) {
    log(`  WARNING: ${err.message} (${openCount} open)`);
  }
  const hwmAtAllOpen = sampler.sample()?.hwm ?? null;
  sampler.startWindow();
  const probes = [];
  const windowEnd = Date.now() + trickleFor;
  while (Date.now() < windowEnd) {
    const p0 = Date.now();
    try {
      const h = await headUpload(server.origin, probePath, { timeoutMs: 10000 });
      probes.push(h.status === 200 ? Date.now() - p0 : -1);
    } catch { probes.push(-1); }
    await sleep(Math.max(0, Math.min(1000, windowEnd - Date.now())));
  }
  const open = sampler.endWindow();
  const openAtWindowEnd = openCount;
  finish = true;

  const results = await withTimeout(Promise.all(patches), Math.max(120000, uploads * 2000), 'slow uploads finishing');
  const finishSeconds = (Date.now() - t0) / 1000;
  const problems = [];
  const failed = new Set();
  const problem = (i, msg) => { failed.add(i); problems.push(`upload ${i}: ${msg}`.trim()); };
  results.forEach((r, i) => {
    if (r.status !== 204 || r.offset !== size) problem(i, `PATCH ${r.status} offset ${r.offset} ${r.text.trim()}`);
  });
  const heads = await pool(paths, 16, (p) => headUpload(server.origin, p, { timeoutMs: ctx.requestTimeout }).catch((e) => ({ status: 0, error: e.message })));
  heads.forEach((h, i) => {
    if (h.status !== 200 || h.offset !== size) problem(i, `HEAD ${h.status} offset ${h.offset} ${h.error ?? ''}`);
    else if (!h.sha256) problem(i, 'complete but HEAD has no Upload-Sha256');
    else if (!hashes[i] || h.sha256.toLowerCase() !== hashes[i]) problem(i, `Upload-Sha256 ${h.sha256} != client ${hashes[i]}`);
  });
  sampler.stop();
  const exit = await server.stop();

  const okProbes = probes.filter((x) => x >= 0);
  const peakOpen = open.hwm; // VmHWM at the end of the window: the peak up to and during it
  const result = {
    bench: 'slow', uploads, size, initial, trickle_bytes: trickleBytes, trickle_interval_ms: trickleInterval,
    trickle_for_ms: trickleFor, all_open: allOpenAt !== null, open_at_window_end: openAtWindowEnd,
    seconds_to_all_open: allOpenAt ? round((allOpenAt - t0) / 1000, 2) : null,
    server_idle_rss_mib: round(idle.rss / MiB, 1),
    server_hwm_when_all_open_mib: hwmAtAllOpen ? round(hwmAtAllOpen / MiB, 1) : null,
    server_max_sampled_rss_while_open_mib: round(open.maxRss / MiB, 1), rss_samples_while_open: open.samples,
    server_peak_rss_while_open_mib: round(peakOpen / MiB, 1), server_peak_rss_bytes: peakOpen,
    server_peak_rss_overall_mib: round(sampler.lastHwm / MiB, 1),
    head_probe_ms: { count: probes.length, failed: probes.length - okProbes.length, max: okProbes.length ? Math.max(...okProbes) : null },
    seconds_total: round(finishSeconds, 2), verified: uploads - failed.size,
    server_exit: exit, target_peak_rss_mib: MEM_TARGET.slow / MiB, target_met: peakOpen < MEM_TARGET.slow,
    ok: problems.length === 0 && allOpenAt !== null, problems: problems.slice(0, 20), problem_count: problems.length,
  };
  log(`  all ${uploads} mid-body after ${result.seconds_to_all_open ?? '?'} s; held ${trickleFor / 1000} s trickling`);
  log(`  server RSS: idle ${result.server_idle_rss_mib} MiB, peak while all open (VmHWM) ${result.server_peak_rss_while_open_mib} MiB ` +
      `(max sampled VmRSS ${result.server_max_sampled_rss_while_open_mib} MiB) ` +
      `[target < ${MEM_TARGET.slow / MiB} MiB: ${result.target_met ? 'met' : 'MISSED'}]`);
  log(`  HEAD probe on an idle upload while open: ${okProbes.length}/${probes.length} ok, max ${result.head_probe_ms.max} ms`);
  log(`  finished: ${result.verified}/${uploads} uploads complete with matching Upload-Sha256 (${finishSeconds.toFixed(1)} s total)`);
  for (const p of problems.slice(0, 20)) log(`  PROBLEM: ${p}`);
  if (problems.length > 20) log(`  ... ${problems.length - 20} more problems`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// crash: chunked uploads, kill -9 at a seeded moment, restart, resume, verify.

async function crashRound(roundNo, seed, opts, ctx) {
  const uploads = Number(opts.uploads ?? 20);
  const size = parseSize(opts.size ?? '16M');
  const chunk = parseSize(opts.chunk ?? '1M');
  const killFrom = Number(opts['kill-from'] ?? 0.05);
  const killTo = Number(opts['kill-to'] ?? 0.95);
  const headProb = Number(opts['head-prob'] ?? 0.15);
  const rand = prng(seed);
  const total = uploads * size;
  const killAtBytes = Math.floor(total * (killFrom + rand() * (killTo - killFrom)));
  const violations = [];
  const violate = (msg) => { violations.push(msg); log(`  VIOLATION: ${msg}`); };

  log(`round ${roundNo}: seed ${seed}, kill -9 once the clients have sent ${killAtBytes} of ${total} bytes ` +
      `(${(100 * killAtBytes / total).toFixed(1)}%)`);
  const dataDir = makeTempDir(ctx.workDir);
  let server = await startServer({ bin: ctx.bin, dataDir, extraArgs: ctx.serverArgs });
  let agent = new http.Agent({ keepAlive: true, maxSockets: uploads });

  const state = [];
  for (let i = 0; i < uploads; i++) {
    const path = await createUpload(server.origin, server.basePath, size, { agent, timeoutMs: ctx.requestTimeout });
    state.push({ i, path, source: new DataSource(`crash-${seed}-${i}`, size), acked: 0, sent: 0, offset: 0,
                 headsBefore: 0, patchesBefore: 0, errorBefore: null });
  }

  let sentTotal = 0;
  let killed = false;
  let killPromise = null;
  const killedAtMs = { t: 0 };
  const t0 = Date.now();
  const kill = () => {
    if (killed) return;
    killed = true;
    killedAtMs.t = Date.now() - t0;
    killPromise = server.kill9();
  };

  async function runUntilKill(s) {
    const maxSteps = Math.ceil(size / chunk) * 2 + 10;
    for (let step = 0; step < maxSteps && !killed && s.offset < size; step++) {
      if (rand() < headProb) {
        const h = await headUpload(server.origin, s.path, { agent, timeoutMs: ctx.requestTimeout });
        s.headsBefore++;
        if (h.status !== 200 || h.offset === null) throw new Error(`HEAD status ${h.status}`);
        s.acked = Math.max(s.acked, h.offset);
        if (h.offset !== s.offset) violate(`upload ${s.i}: HEAD offset ${h.offset} != last acknowledged ${s.offset} (before the kill)`);
        if (killed) break;
      }
      const end = Math.min(size, s.offset + chunk);
      let written = 0;
      const res = await patchStream(server.origin, s.path, s.offset, end - s.offset, s.source.range(s.offset, end, PIECE), {
        agent, timeoutMs: ctx.requestTimeout,
        onWrite: (n) => {
          written += n;
          s.sent = Math.max(s.sent, s.offset + written);
          sentTotal += n;
          if (sentTotal >= killAtBytes) kill();
        },
      });
      s.patchesBefore++;
      if (res.status !== 204 || res.offset === null) {
        if (killed) break; // a response cut by the kill
        throw new Error(`PATCH status ${res.status}: ${res.text.trim()}`);
      }
      // A 204 that reached us counts as acknowledged even if it arrived after SIGKILL was sent.
      s.acked = Math.max(s.acked, res.offset);
      if (res.offset !== end) violate(`upload ${s.i}: PATCH to ${end} answered Upload-Offset ${res.offset}`);
      s.offset = res.offset;
    }
  }

  await Promise.all(state.map((s) => runUntilKill(s).catch((err) => {
    if (!killed) { s.errorBefore = String(err.message || err); violate(`upload ${s.i}: before the kill: ${s.errorBefore}`); }
  })));
  if (!killed) {
    log('  all uploads finished before the kill point; killing now');
    kill();
  }
  const exitInfo = await killPromise;
  agent.destroy();
  const ackedAtKill = state.map((s) => s.acked);
  const completeBeforeKill = state.filter((s) => s.acked === size).length;
  log(`  killed pid ${server.pid} at ${killedAtMs.t} ms (${exitInfo.signal ?? exitInfo.code}); ` +
      `${completeBeforeKill}/${uploads} uploads acknowledged complete before it`);

  // Restart on the same data dir and check the acknowledged offsets survived.
  const r0 = Date.now();
  server = await startServer({ bin: ctx.bin, dataDir, extraArgs: ctx.serverArgs, startTimeoutMs: 60000 });
  const restartMs = Date.now() - r0;
  agent = new http.Agent({ keepAlive: true, maxSockets: uploads });
  let keptBeyondAck = 0;
  let lostBelowAck = 0;
  const heads = await Promise.all(state.map((s) => headUpload(server.origin, s.path, { agent, timeoutMs: ctx.requestTimeout })
    .catch((e) => ({ status: 0, offset: null, error: e.message }))));
  heads.forEach((h, idx) => {
    const s = state[idx];
    if (h.status !== 200 || h.offset === null) { violate(`upload ${s.i}: HEAD after restart: status ${h.status} ${h.error ?? ''}`); return; }
    if (h.offset < s.acked) { lostBelowAck++; violate(`upload ${s.i}: HEAD after restart ${h.offset} < acknowledged ${s.acked} (I1)`); }
    if (h.offset > size) violate(`upload ${s.i}: HEAD after restart ${h.offset} > length ${size}`);
    if (h.offset > s.sent && h.offset !== s.acked) violate(`upload ${s.i}: HEAD after restart ${h.offset} > bytes ever sent ${s.sent}`);
    keptBeyondAck += Math.max(0, h.offset - s.acked);
    s.offset = h.offset;
  });

  // Resume every upload from HEAD's offset, then verify it byte for byte.
  await Promise.all(state.map(async (s) => {
    if (s.offset === null || s.offset > size) return;
    try {
      const maxSteps = Math.ceil(size / chunk) + 5;
      for (let step = 0; step < maxSteps && s.offset < size; step++) {
        const end = Math.min(size, s.offset + chunk);
        const res = await patchStream(server.origin, s.path, s.offset, end - s.offset, s.source.range(s.offset, end, PIECE),
          { agent, timeoutMs: ctx.requestTimeout });
        if (res.status !== 204 || res.offset !== end) throw new Error(`resume PATCH at ${s.offset}: status ${res.status} offset ${res.offset} ${res.text.trim()}`);
        s.offset = res.offset;
      }
      if (s.offset !== size) throw new Error(`resume stopped at ${s.offset}`);
      const expected = await s.source.sha256();
      const h = await headUpload(server.origin, s.path, { agent, timeoutMs: ctx.requestTimeout });
      if (h.offset !== size) throw new Error(`HEAD after completion: offset ${h.offset}`);
      if (!h.sha256) throw new Error('HEAD after completion: no Upload-Sha256');
      if (h.sha256.toLowerCase() !== expected) throw new Error(`Upload-Sha256 ${h.sha256} != client ${expected}`);
      const got = await getSha256(server.origin, s.path, { agent, timeoutMs: ctx.requestTimeout });
      if (got.bytes !== size || got.sha256 !== expected) throw new Error(`GET: ${got.bytes} bytes, sha256 ${got.sha256} != ${expected}`);
      s.verified = true;
    } catch (err) {
      violate(`upload ${s.i}: ${err.message || err}`);
    }
  }));
  agent.destroy();
  const stopInfo = await server.stop();
  if (stopInfo.code !== 0) log(`  note: tuskd exit after SIGTERM: code ${stopInfo.code} signal ${stopInfo.signal}`);

  const verified = state.filter((s) => s.verified).length;
  log(`  restart ${restartMs} ms; after restart no offset below an acknowledged one: ${lostBelowAck === 0 ? 'yes' : `NO (${lostBelowAck})`}; ` +
      `${fmtMiB(keptBeyondAck)} MiB kept beyond the last acknowledgements; ${verified}/${uploads} completed byte-exact`);
  return {
    round: roundNo, seed, kill_at_bytes: killAtBytes, kill_at_fraction: round3(killAtBytes / total), killed_at_ms: killedAtMs.t,
    complete_before_kill: completeBeforeKill, acked_bytes_at_kill: ackedAtKill.reduce((a, b) => a + b, 0),
    sent_bytes_at_kill: state.reduce((a, s) => a + s.sent, 0),
    kept_beyond_ack_bytes: keptBeyondAck, lost_below_ack: lostBelowAck, restart_ms: restartMs,
    verified, uploads, stop_exit: stopInfo, violations,
  };
}

async function benchCrash(opts, ctx) {
  const rounds = Number(opts.rounds ?? 3);
  const baseSeed = opts.seed !== undefined ? Number(opts.seed) >>> 0 : (Date.now() & 0x7fffffff) >>> 0;
  if (!(rounds > 0 && rounds <= 1000)) throw new Error('--rounds must be 1..1000');
  log(`crash: ${opts.uploads ?? 20} uploads x ${opts.size ?? '16M'} in ${opts.chunk ?? '1M'} PATCHes, ${rounds} rounds, seed ${baseSeed}`);
  const results = [];
  for (let r = 1; r <= rounds; r++) results.push(await crashRound(r, (baseSeed + r - 1) >>> 0, opts, ctx));
  const violations = results.reduce((a, r) => a + r.violations.length, 0);
  log(`crash: ${rounds} rounds, ${violations === 0 ? 'no violations' : `${violations} VIOLATIONS`} (seed ${baseSeed}; ` +
      `rerun one round with --seed <its seed> --rounds 1)`);
  return {
    bench: 'crash', seed: baseSeed, rounds, uploads: Number(opts.uploads ?? 20), size: parseSize(opts.size ?? '16M'),
    chunk: parseSize(opts.chunk ?? '1M'), violations, ok: violations === 0,
    per_round: results.map((r) => ({ ...r, violations: r.violations.slice(0, 10) })),
  };
}

// ---------------------------------------------------------------------------------------------

function round(x, digits) { const f = 10 ** digits; return Math.round(x * f) / f; }
function round3(x) { return round(x, 3); }

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv, ['keep', 'verify-get', 'help']);
  const cmd = opts._[0];
  if (opts.help || !['single', 'slow', 'crash', 'concat', 'tls', 'metadata'].includes(cmd)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(opts.help ? 0 : 1);
  }
  installExitHandlers();
  setKeepTemp(opts.keep);
  const ctx = {
    bin: resolveBin(opts),
    workDir: opts['work-dir'],
    serverArgs: opts['server-arg'].flatMap((a) => a.split(/\s+/).filter(Boolean)),
    requestTimeout: parseDuration(opts['request-timeout'] ?? '120s'),
  };
  for (const a of ctx.serverArgs) {
    if (/^--(host|port|data-dir)\b/.test(a)) throw new Error(`--server-arg ${a}: tusk-bench sets host, port and data dir itself`);
  }
  const defaultTimeout = { single: '15m', slow: '15m', crash: '30m', concat: '15m', tls: '20m', metadata: '5m' }[cmd];
  const timeoutMs = parseDuration(opts.timeout ?? defaultTimeout);
  const watchdog = setTimeout(() => {
    process.stderr.write(`tusk-bench: ${cmd} exceeded --timeout ${timeoutMs} ms; stopping\n`);
    killServersAndExit(1);
  }, timeoutMs);

  const machine = machineInfo();
  log(`tusk-bench ${cmd}: ${new Date().toISOString()}; ${machine.nproc} cpus (${machine.cpu}), ${machine.kernel}, ` +
      `load ${machine.loadavg.join(' ')}; bin ${ctx.bin}`);
  let quiet = null;
  if (opts['wait-idle'] !== undefined) {
    quiet = await waitForQuiet(Number(opts['wait-idle']), parseDuration(opts['wait-max'] ?? '10m'), log);
    log(`machine idle ${Math.round(quiet.idle * 100)}% after waiting ${(quiet.waited_ms / 1000).toFixed(0)} s`);
  }
  const bench = { single: benchSingle, slow: benchSlow, crash: benchCrash,
                  concat: (o, c) => benchConcat(o, c, log), tls: (o, c) => benchTls(o, c, log),
                  metadata: (o, c) => benchMetadata(o, c, log) }[cmd];
  let result;
  try {
    result = await bench(opts, ctx);
  } catch (err) {
    clearTimeout(watchdog);
    if (isExiting()) await new Promise(() => {}); // interrupted: the signal handler exits
    process.stderr.write(`tusk-bench ${cmd}: error: ${err && err.stack || err}\n`);
    log(JSON.stringify({ bench: cmd, ok: false, error: String(err && err.message || err), date: new Date().toISOString(), machine }));
    await killServersAndExit(1);
  }
  clearTimeout(watchdog);
  const final = { ...result, date: new Date().toISOString(), command: `node tools/bench/tusk-bench.mjs ${argv.join(' ')}`,
                  bin: ctx.bin, server_args: ctx.serverArgs, idle_before: quiet, machine: { ...machine, loadavg_end: machineInfo().loadavg } };
  log(JSON.stringify(final));
  let code = 0;
  if (!result.ok) code = 1;
  else if (result.target_met === false) code = 2;
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`tusk-bench: ${err && err.message || err}\n`);
  killServersAndExit(1);
});
