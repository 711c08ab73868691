// tusk-bench concat: one file of --size sent as --parts partial uploads at once (what
// tus-js-client's parallelUploads does), then the final upload that joins them. Measures the
// parts' aggregate MiB/s, the join (POST final until its 201: tuskd copies every part once and
// hashes it before answering), the server's peak RSS, and checks the final's SHA-256.
import {
  DataSource, MiB, PIECE, RssSampler, TUS, createUpload, fmtMiB, headUpload, makeTempDir,
  parseSize, patchStream, readAll, request, sleep, startServer,
} from './lib.mjs';

const round = (x, digits) => Number(x.toFixed(digits));

export async function benchConcat(opts, ctx, log) {
  const size = parseSize(opts.size ?? '1G');
  const parts = Number(opts.parts ?? 4);
  const source = new DataSource(`concat-${size}`, size);
  log(`concat: ${fmtMiB(size)} MiB in ${parts} parallel parts, then one final upload; ` +
      'computing the client sha256 first (not timed)');
  const expected = await source.sha256();

  const server = await startServer({ bin: ctx.bin, dataDir: makeTempDir(ctx.workDir), extraArgs: ctx.serverArgs });
  log(`tuskd pid ${server.pid} on ${server.origin}${server.basePath}`);
  const sampler = new RssSampler(server.pid, 50);
  await sleep(300);
  const idle = sampler.sample();
  sampler.startWindow();

  const step = Math.ceil(size / parts / PIECE) * PIECE;
  const ranges = Array.from({ length: parts }, (_, i) => [Math.min(size, i * step), Math.min(size, (i + 1) * step)]);
  const options = { timeoutMs: ctx.requestTimeout };
  let t0 = process.hrtime.bigint();
  const paths = await Promise.all(ranges.map(async ([start, end]) => {
    const path = await createUpload(server.origin, server.basePath, end - start,
      { ...options, headers: { 'Upload-Concat': 'partial' } });
    const res = await patchStream(server.origin, path, 0, end - start, source.range(start, end, PIECE), options);
    if (res.status !== 204) throw new Error(`PATCH of part ${path}: ${res.status} ${res.text.trim()}`);
    return path;
  }));
  const partsSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  t0 = process.hrtime.bigint();
  const { res } = await request({
    origin: server.origin, method: 'POST', path: server.basePath, timeoutMs: ctx.requestTimeout,
    headers: { ...TUS, 'Upload-Concat': `final;${paths.join(' ')}`, 'Content-Length': '0' },
  });
  const text = await readAll(res);
  const joinSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const during = sampler.endWindow();

  const problems = [];
  if (res.statusCode !== 201) problems.push(`POST final: ${res.statusCode} ${text.trim()}`);
  if (res.headers['upload-offset'] !== String(size)) {
    problems.push(`POST final: Upload-Offset ${res.headers['upload-offset']}, expected ${size} (joined before the 201)`);
  }
  const finalPath = res.headers.location ? new URL(res.headers.location).pathname : null;
  if (finalPath) {
    const head = await headUpload(server.origin, finalPath, options);
    if (head.offset !== size) problems.push(`HEAD Upload-Offset ${head.offset}, expected ${size}`);
    if (head.sha256 !== expected) problems.push(`HEAD Upload-Sha256 ${head.sha256} != client ${expected}`);
  }
  sampler.stop();
  const peak = sampler.lastHwm;
  const exit = await server.stop();

  const result = {
    bench: 'concat', size, parts,
    parts_seconds: round(partsSeconds, 3), parts_mib_per_s: round(size / MiB / partsSeconds, 1),
    join_ms: round(joinSeconds * 1000, 1), join_mib_per_s: round(size / MiB / joinSeconds, 1),
    server_idle_rss_mib: round(idle.rss / MiB, 1), server_peak_rss_mib: round(peak / MiB, 1),
    server_max_sampled_rss_mib: round(during.maxRss / MiB, 1),
    sha256: expected, server_exit: exit, ok: problems.length === 0, problems,
  };
  log(`  ${parts} parts: ${fmtMiB(size)} MiB in ${partsSeconds.toFixed(2)} s = ${result.parts_mib_per_s} MiB/s`);
  log(`  join (POST final -> 201, complete): ${result.join_ms} ms = ${result.join_mib_per_s} MiB/s`);
  log(`  server RSS: idle ${fmtMiB(idle.rss)} MiB, peak (VmHWM) ${fmtMiB(peak)} MiB`);
  log(`  integrity: ${problems.length ? 'FAILED' : 'ok'} (HEAD Upload-Sha256), sha256 ${expected}`);
  for (const p of problems) log(`  PROBLEM: ${p}`);
  return result;
}
