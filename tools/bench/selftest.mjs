#!/usr/bin/env node
// Tests tusk-bench itself against fake-tuskd.mjs: a correct fake must pass, each deliberate bug
// must be caught (non-zero exit), and the server must be gone after SIGINT and after --timeout.
// Usage: node tools/bench/selftest.mjs      (takes ~30 s; needs no tuskd build)

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bench = path.join(here, 'tusk-bench.mjs');
const fake = path.join(here, 'fake-tuskd.mjs');

function run(args, { interruptAfterMs, timeoutMs = 120000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bench, ...args, '--bin', fake], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let interrupted = false;
    child.stdout.on('data', (d) => {
      out += d;
      // Interrupt only once the server runs, so the test is about stopping it.
      if (interruptAfterMs && !interrupted && /tuskd pid \d+/.test(out)) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const pids = [...out.matchAll(/tuskd pid (\d+)/g)].map((m) => Number(m[1]));
      const lines = out.trim().split('\n');
      let json = null;
      try { json = JSON.parse(lines[lines.length - 1]); } catch { /* none */ }
      resolve({ code, signal, out, err, pids, json });
    });
  });
}

// A process that exists and is not a zombie (a zombie has exited; only its reaping is pending).
function alive(pid) {
  try { return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
}

const cases = [
  ['crash, correct server', ['crash', '--uploads', '4', '--size', '2M', '--chunk', '256K', '--rounds', '2', '--seed', '7',
    '--server-arg', '--bug none'], (r) => r.code === 0 && r.json?.violations === 0],
  ['crash, server loses acknowledged offsets', ['crash', '--uploads', '4', '--size', '2M', '--chunk', '256K', '--rounds', '1',
    '--seed', '7', '--kill-from', '0.5', '--kill-to', '0.9', '--server-arg', '--bug lose-acks'],
  (r) => r.code === 1 && r.json?.per_round?.[0]?.lost_below_ack > 0],
  ['crash, server corrupts bytes', ['crash', '--uploads', '2', '--size', '1M', '--chunk', '256K', '--rounds', '1', '--seed', '3',
    '--server-arg', '--bug corrupt'], (r) => r.code === 1 && r.json?.violations > 0],
  ['single, correct server', ['single', '--size', '8M', '--verify-get', '--server-arg', '--bug none'],
    (r) => (r.code === 0 || r.code === 2) && r.json?.ok === true],
  ['single, server corrupts bytes', ['single', '--size', '8M', '--server-arg', '--bug corrupt'],
    (r) => r.code === 1 && r.json?.ok === false],
  ['slow, correct server', ['slow', '--uploads', '8', '--size', '1M', '--trickle-for', '1s', '--server-arg', '--bug none'],
    (r) => (r.code === 0 || r.code === 2) && r.json?.ok === true && r.json?.verified === 8],
  ['slow, server corrupts bytes', ['slow', '--uploads', '4', '--size', '1M', '--trickle-for', '1s', '--server-arg', '--bug corrupt'],
    (r) => r.code === 1 && r.json?.problem_count === 4],
];

let failures = 0;
for (const [name, args, check] of cases) {
  const r = await run(args);
  const leaked = r.pids.filter(alive);
  const ok = check(r) && leaked.length === 0;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (exit ${r.code}${leaked.length ? `, server still running: ${leaked}` : ''})`);
  if (!ok) console.log(r.out.slice(-2000), r.err.slice(-2000));
}

// SIGINT in the middle of a run, and the whole-run watchdog: the server must not outlive us.
for (const [name, args, opt] of [
  ['SIGINT stops the server', ['slow', '--uploads', '4', '--size', '1M', '--trickle-for', '30s'], { interruptAfterMs: 1000 }],
  ['--timeout stops the server', ['slow', '--uploads', '4', '--size', '1M', '--trickle-for', '30s', '--timeout', '8s'], {}],
]) {
  const r = await run(args, opt);
  await new Promise((res) => setTimeout(res, 300));
  const leaked = r.pids.filter(alive);
  const ok = r.pids.length > 0 && leaked.length === 0 && r.code !== 0;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (exit ${r.code} ${r.signal ?? ''}, server pids ${r.pids}, still running: ${leaked.length ? leaked : 'none'})`);
  for (const pid of leaked) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

console.log(failures ? `selftest: ${failures} FAILED` : 'selftest: all ok');
process.exit(failures ? 1 : 0);
