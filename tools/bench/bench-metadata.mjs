// tusk-bench metadata: whether hostile Upload-Metadata can slow other clients. --clients
// connections each POST, back to back, a creation whose Upload-Metadata fills most of the
// 64 KiB head: either the most tuskd accepts (256 pairs with long values, 201) or a header of
// ~15,800 short keys (refused, 400; once 0.4 s of io-thread CPU each). Meanwhile one more client
// sends HEADs on an unrelated upload; its latency percentiles, against the same HEADs on an
// idle server, are the result.
import { TUS, createUpload, makeTempDir, readAll, request, startServer } from './lib.mjs';

const round = (x, digits) => Number(x.toFixed(digits));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
}

// The metadata of each kind, each under 63 KiB so the whole head fits in 64 KiB.
function hostileMetadata(kind) {
  if (kind === 'many-keys') {
    const keys = [];
    for (let i = 0, size = 0; size < 63000; ++i) { const k = `k${i}`; keys.push(k); size += k.length + 1; }
    return keys.join(',');
  }
  const value = Buffer.alloc(180, 'v').toString('base64');  // 240 characters
  return Array.from({ length: 256 }, (_, i) => `key${i} ${value}`).join(',');
}

async function timedHeads(origin, path, durationMs) {
  const latencies = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    const { res } = await request({ origin, method: 'HEAD', path, headers: { ...TUS } });
    res.resume();
    await new Promise((r) => res.on('end', r));
    if (res.statusCode !== 200) throw new Error(`HEAD: ${res.statusCode}`);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

function summary(latencies) {
  return {
    heads: latencies.length, p50_ms: round(percentile(latencies, 0.5), 2),
    p99_ms: round(percentile(latencies, 0.99), 2), max_ms: round(latencies.at(-1) ?? 0, 2),
  };
}

export async function benchMetadata(opts, ctx, log) {
  const clients = Number(opts.clients ?? 16);
  const seconds = Number(opts.seconds ?? 5);
  const server = await startServer({ bin: ctx.bin, dataDir: makeTempDir(ctx.workDir), extraArgs: ctx.serverArgs });
  log(`metadata: ${clients} clients POSTing hostile Upload-Metadata for ${seconds} s each kind, ` +
      'HEAD latency on another upload meanwhile');
  const target = await createUpload(server.origin, server.basePath, 1000);
  const result = { bench: 'metadata', clients, seconds, idle: summary(await timedHeads(server.origin, target, 2000)) };
  log(`  idle server: HEAD p50 ${result.idle.p50_ms} ms, p99 ${result.idle.p99_ms} ms`);
  for (const kind of ['most-accepted', 'many-keys']) {
    const metadata = hostileMetadata(kind);
    const statuses = {};
    let stop = false;
    const post = async () => {
      while (!stop) {
        const { res } = await request({
          origin: server.origin, method: 'POST', path: server.basePath,
          headers: { ...TUS, 'Upload-Length': '10', 'Upload-Metadata': metadata, 'Content-Length': '0' },
        });
        await readAll(res);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      }
    };
    const posters = Array.from({ length: clients }, post);
    const heads = await timedHeads(server.origin, target, seconds * 1000);
    stop = true;
    await Promise.all(posters);
    const posts = Object.values(statuses).reduce((a, b) => a + b, 0);
    result[kind] = { metadata_bytes: metadata.length, posts, posts_per_s: round(posts / seconds, 1), statuses, ...summary(heads) };
    log(`  ${kind} (${metadata.length} bytes): ${result[kind].posts_per_s} POST/s ${JSON.stringify(statuses)}; ` +
        `HEAD p50 ${result[kind].p50_ms} ms, p99 ${result[kind].p99_ms} ms, max ${result[kind].max_ms} ms`);
  }
  result.server_exit = await server.stop();
  result.ok = true;
  return result;
}
