// tusk-bench tls: what built-in TLS costs, plain HTTP against HTTPS (--tls-cert) in one run,
// each on a fresh tuskd and data dir:
//  - throughput of one --size upload in ONE streamed PATCH (as `single`), plus CPU per side;
//  - server memory per idle keep-alive connection: --connections sockets each do one HEAD and
//    stay open; VmRSS before and with them open, divided by their number. A TLS connection
//    keeps OpenSSL's session state even while idle, so this is where TLS can cost memory.
// The certificate is a throwaway self-signed one, made the same way as for the e2e tests.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import {
  DataSource, HOST, MiB, PIECE, createUpload, fmtMiB, getSha256, headUpload, makeTempDir, parseSize,
  patchStream, readProcCpuSeconds, readProcStatus, readSystemCpu, RssSampler, sleep, startServer,
} from './lib.mjs';
import { makeSelfSignedCert } from '../../tests/e2e/lib/tls.mjs';

const round = (x, digits) => Number(x.toFixed(digits));
const KiB = 1024;
const OPEN_AT_ONCE = 50; // connections handshaking at once: a burst, not a SYN flood

function serverFds(pid) {
  try { return fs.readdirSync(`/proc/${pid}/fd`).length; } catch { return null; }
}

// One PATCH of `size` streamed from `source`; resolves to the numbers and any problems.
async function measurePatch(server, agent, source, size, expected, ctx) {
  const options = { agent, timeoutMs: ctx.requestTimeout };
  const sampler = new RssSampler(server.pid, 50);
  await sleep(300);
  const idle = sampler.sample();
  const uploadPath = await createUpload(server.origin, server.basePath, size, options);
  const cpuServer0 = readProcCpuSeconds(server.pid);
  const cpuClient0 = process.cpuUsage();
  const sys0 = readSystemCpu();
  const t0 = process.hrtime.bigint();
  const res = await patchStream(server.origin, uploadPath, 0, size, source.range(0, size, PIECE), options);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuServer = readProcCpuSeconds(server.pid) - cpuServer0;
  const cu = process.cpuUsage(cpuClient0);
  const cpuClient = (cu.user + cu.system) / 1e6;
  const sys1 = readSystemCpu();

  const problems = [];
  if (res.status !== 204 || res.offset !== size) problems.push(`PATCH: ${res.status}, Upload-Offset ${res.offset} ${res.text.trim()}`);
  const head = await headUpload(server.origin, uploadPath, options);
  if (head.offset !== size) problems.push(`HEAD Upload-Offset ${head.offset}, expected ${size}`);
  const got = head.sha256 ? { sha256: head.sha256.toLowerCase(), bytes: size } : await getSha256(server.origin, uploadPath, options);
  if (got.sha256 !== expected || got.bytes !== size) problems.push(`stored sha256 ${got.sha256} (${got.bytes} B) != client ${expected}`);
  sampler.stop();
  return {
    seconds: round(seconds, 3), mib_per_s: round(size / MiB / seconds, 1),
    server_cpu_s: round(cpuServer, 2), client_cpu_s: round(cpuClient, 2),
    server_mib_per_cpu_s: cpuServer > 0 ? round(size / MiB / cpuServer, 0) : null,
    other_processes_cpu_s: round(Math.max(0, sys1.busy - sys0.busy - cpuServer - cpuClient), 2),
    machine_cpu_s_available: round(sys1.total - sys0.total, 2),
    server_idle_rss_mib: round(idle.rss / MiB, 1), server_peak_rss_mib: round(sampler.lastHwm / MiB, 1),
    verified_by: head.sha256 ? 'HEAD Upload-Sha256' : 'GET sha256', problems,
  };
}

// A raw connection that sends one HEAD and resolves, still open, once the response head is in.
// Raw sockets (not an Agent) so exactly one connection per HEAD is certain.
function openIdleConnection(server, uploadPath, ca, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = ca
      ? tls.connect({ host: HOST, port: server.port, ca, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: HOST, port: server.port });
    let head = '';
    const fail = (err) => { socket.destroy(); reject(err); };
    socket.setTimeout(timeoutMs, () => fail(new Error(`connection ${ca ? 'TLS ' : ''}HEAD: no answer in ${timeoutMs} ms`)));
    socket.once(ca ? 'secureConnect' : 'connect', () => {
      socket.write(`HEAD ${uploadPath} HTTP/1.1\r\nHost: ${HOST}:${server.port}\r\nTus-Resumable: 1.0.0\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    socket.on('data', function onData(d) {
      head += d;
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      if (!/^HTTP\/1\.1 200 /.test(head)) { fail(new Error(`HEAD answered ${head.split('\r\n')[0]}`)); return; }
      socket.closedByServer = false;
      socket.on('end', () => { socket.closedByServer = true; });
      resolve(socket);
    });
    socket.on('error', fail);
  });
}

// Opens `count` idle connections (OPEN_AT_ONCE handshaking at a time), reads the server's VmRSS
// and fds with all of them open, checks a new request is still served, then closes them.
async function holdConnections(server, agent, uploadPath, count, ca, ctx) {
  const sockets = [];
  const t0 = Date.now();
  try {
    while (sockets.length < count) {
      const n = Math.min(OPEN_AT_ONCE, count - sockets.length);
      sockets.push(...await Promise.all(Array.from({ length: n }, () =>
        openIdleConnection(server, uploadPath, ca, ctx.requestTimeout))));
    }
    const openSeconds = (Date.now() - t0) / 1000;
    await sleep(1000); // let the io threads finish with the last ones
    const status = readProcStatus(server.pid);
    const fds = serverFds(server.pid);
    const closedEarly = sockets.filter((s) => s.closedByServer || s.destroyed).length;
    const probe = await headUpload(server.origin, uploadPath, { agent, timeoutMs: ctx.requestTimeout });
    return { openSeconds, rss: status.rss, fds, closedEarly, probeStatus: probe.status };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

// Server VmRSS before, with `count` idle connections open (each after one HEAD) and after they
// closed; then the same count again: if memory freed on close is reused, the second round does
// not grow (glibc keeps freed heap, so RSS rarely drops; growth per round would be a leak).
async function measureIdleConnections(server, agent, count, ca, ctx) {
  const uploadPath = await createUpload(server.origin, server.basePath, 1, { agent, timeoutMs: ctx.requestTimeout });
  await headUpload(server.origin, uploadPath, { agent, timeoutMs: ctx.requestTimeout }); // warm the path
  await sleep(500);
  const before = readProcStatus(server.pid);
  const fdsBefore = serverFds(server.pid);
  const first = await holdConnections(server, agent, uploadPath, count, ca, ctx);
  await sleep(1000);
  const closed = readProcStatus(server.pid);
  const second = await holdConnections(server, agent, uploadPath, count, ca, ctx);
  const problems = [];
  for (const [i, r] of [first, second].entries()) {
    if (r.closedEarly) problems.push(`round ${i + 1}: ${r.closedEarly} of ${count} idle connections closed before the measurement`);
    if (r.probeStatus !== 200) problems.push(`round ${i + 1}: HEAD on a new connection while ${count} were open: ${r.probeStatus}`);
  }
  return {
    connections: count, open_seconds: round(first.openSeconds, 2),
    server_fds_before: fdsBefore, server_fds_open: first.fds,
    server_rss_before_mib: round(before.rss / MiB, 1), server_rss_open_mib: round(first.rss / MiB, 1),
    server_rss_after_close_mib: round(closed.rss / MiB, 1), server_rss_open_again_mib: round(second.rss / MiB, 1),
    kib_per_connection: round((first.rss - before.rss) / KiB / count, 1),
    kib_per_connection_again: round((second.rss - closed.rss) / KiB / count, 1), problems,
  };
}

export async function benchTls(opts, ctx, log) {
  const size = parseSize(opts.size ?? '1G');
  const connections = Number(opts.connections ?? 1000);
  if (!(connections > 0)) throw new Error('--connections must be > 0');
  const cert = makeSelfSignedCert();
  process.once('exit', cert.cleanup); // also when a signal or --timeout ends the run (no finally then)
  try {
    const source = new DataSource(`tls-${size}`, size);
    log(`tls: ${fmtMiB(size)} MiB in one PATCH and ${connections} idle keep-alive connections, plain HTTP vs HTTPS ` +
        `(self-signed EC P-256); computing the client sha256 first (not timed)`);
    const expected = await source.sha256();
    const modes = [
      { name: 'http', args: [], agent: () => new http.Agent() },
      { name: 'https', args: ['--tls-cert', cert.certPath, '--tls-key', cert.keyPath], ca: cert.cert,
        agent: () => new https.Agent({ ca: cert.cert }) },
    ];
    // Every measurement on its own fresh server, so one's peak does not hide in the other's.
    const onServer = async (mode, fn) => {
      const server = await startServer({ bin: ctx.bin, dataDir: makeTempDir(ctx.workDir), extraArgs: [...ctx.serverArgs, ...mode.args] });
      const agent = mode.agent();
      try {
        const r = await fn(server, agent);
        return { ...r, server_exit: await server.stop() };
      } finally {
        agent.destroy();
        await server.stop(); // a no-op after the stop above; stops the server when fn threw
      }
    };

    const result = { bench: 'tls', size, connections, sha256: expected, patch: {}, idle: {}, problems: [] };
    for (const mode of modes) {
      const r = await onServer(mode, (server, agent) => measurePatch(server, agent, source, size, expected, ctx));
      result.patch[mode.name] = r;
      result.problems.push(...r.problems.map((p) => `${mode.name} PATCH: ${p}`));
      log(`  ${mode.name.padEnd(5)} PATCH ${fmtMiB(size)} MiB in ${r.seconds} s = ${r.mib_per_s} MiB/s ` +
          `(server CPU ${r.server_cpu_s} s = ${r.server_mib_per_cpu_s} MiB per CPU-s, client CPU ${r.client_cpu_s} s, ` +
          `others ${r.other_processes_cpu_s} of ${r.machine_cpu_s_available} CPU-s); peak RSS ${r.server_peak_rss_mib} MiB; ` +
          `${r.problems.length ? 'FAILED' : 'ok'} (${r.verified_by})`);
    }
    for (const mode of modes) {
      const r = await onServer(mode, (server, agent) => measureIdleConnections(server, agent, connections, mode.ca, ctx));
      result.idle[mode.name] = r;
      result.problems.push(...r.problems.map((p) => `${mode.name} idle: ${p}`));
      log(`  ${mode.name.padEnd(5)} ${connections} idle connections (opened in ${r.open_seconds} s; server fds ` +
          `${r.server_fds_before} -> ${r.server_fds_open}): VmRSS ${r.server_rss_before_mib} -> ${r.server_rss_open_mib} MiB ` +
          `= ${r.kib_per_connection} KiB per connection; closed: ${r.server_rss_after_close_mib} MiB; ` +
          `${connections} again: ${r.server_rss_open_again_mib} MiB (+${r.kib_per_connection_again} KiB per connection)`);
    }
    for (const p of result.problems) log(`  PROBLEM: ${p}`);
    result.https_vs_http_throughput = round(result.patch.https.mib_per_s / result.patch.http.mib_per_s, 2);
    result.ok = result.problems.length === 0;
    return result;
  } finally {
    cert.cleanup();
  }
}
