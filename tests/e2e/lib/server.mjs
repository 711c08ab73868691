// Starts tuskd for a test: a fresh data dir, a free loopback port, the URL parsed from the one
// line tuskd prints when it is ready. Always stop it in after(): stop() kills by PID and removes
// the data dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 12_000; // tuskd's default --shutdown-timeout is 10 s
const READY_LINE = /^tuskd listening on (https?:\/\/[^\s/]+:(\d+)\/\S*)$/; // https with --tls-cert

export function tuskdBinary() {
  return process.env.TUSKD_BIN || path.resolve(here, '../../../build/release/bin/tuskd');
}

// Safety net: a test runner that dies without running after() must not leave servers behind.
const live = new Set();
process.on('exit', () => {
  for (const proc of live) {
    try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

function tail(text, max = 8192) {
  return text.length > max ? `...${text.slice(-max)}` : text;
}

// Spawns one tuskd process and resolves once its ready line is seen.
function spawnTuskd({ port, dataDir, args }) {
  const bin = tuskdBinary();
  const argv = ['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...args];
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc);
    let stdout = '';
    let stderr = '';
    let ready = false;
    const exited = new Promise((res) => proc.once('exit', (code, signal) => {
      live.delete(proc);
      res({ code, signal });
    }));
    const fail = (why) => {
      clearTimeout(timer);
      try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`tuskd did not start (${why}): ${bin} ${argv.join(' ')}\n` +
        `stdout: ${tail(stdout)}\nstderr: ${tail(stderr)}`));
    };
    const timer = setTimeout(() => fail(`no ready line within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { stderr = tail(stderr + d, 65536); });
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      if (ready) return; // keep draining so tuskd never blocks on a full pipe
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      const line = stdout.slice(0, nl).trim();
      const m = READY_LINE.exec(line);
      if (!m) {
        fail(`unexpected first stdout line ${JSON.stringify(line)}`);
        return;
      }
      ready = true;
      clearTimeout(timer);
      resolve({ proc, url: m[1], port: Number(m[2]), exited, stderr: () => stderr });
    });
    proc.once('error', (err) => fail(`spawn error: ${err.message}`));
    exited.then(({ code, signal }) => {
      if (!ready) fail(`exited early with code ${code} signal ${signal}`);
    });
  });
}

// startServer({args}) -> {url, port, dataDir, proc, pid, kill(signal), restart(), stop(), stderr()}
// url ends with the base path (default /files/). restart() starts a new process on the same data
// dir (same port if it is free, else a new one): use the url it returns (the handle is updated
// too).
export async function startServer({ args = [], dataDir } = {}) {
  const ownDir = !dataDir;
  dataDir = dataDir || mkdtempSync(path.join(tmpdir(), 'tuskd-e2e-'));
  const handle = { dataDir, args };
  let current;

  const adopt = (started) => {
    current = started;
    Object.assign(handle, { url: started.url, port: started.port, proc: started.proc, pid: started.proc.pid });
    return handle;
  };

  // Sends a signal by PID and waits for the exit; escalates to SIGKILL when it takes too long.
  handle.kill = async (signal = 'SIGTERM') => {
    const { proc, exited } = current;
    if (proc.exitCode === null && proc.signalCode === null) {
      try { process.kill(proc.pid, signal); } catch { /* gone */ }
    }
    let timer;
    const timeout = new Promise((res) => { timer = setTimeout(() => res(null), STOP_TIMEOUT_MS); });
    let result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === null) {
      try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ }
      result = { ...(await exited), escalated: true };
      console.error(`# e2e: tuskd (pid ${proc.pid}) did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; ` +
        `killed it. stderr: ${tail(current.stderr(), 2000)}`);
    }
    return result;
  };

  handle.restart = async () => {
    await handle.kill('SIGTERM');
    try {
      return adopt(await spawnTuskd({ port: handle.port, dataDir, args }));
    } catch (first) {
      // The old port may be taken by now; any free port will do (tests use the returned url).
      try {
        return adopt(await spawnTuskd({ port: 0, dataDir, args }));
      } catch (second) {
        second.message += `\n(first attempt on port ${handle.port}: ${first.message})`;
        throw second;
      }
    }
  };

  handle.stop = async () => {
    const result = current ? await handle.kill('SIGTERM') : null;
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    return result;
  };

  handle.stderr = () => (current ? current.stderr() : '');

  try {
    return adopt(await spawnTuskd({ port: 0, dataDir, args }));
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
