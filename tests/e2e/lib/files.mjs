// Deterministic test data and byte-exact checks of what the server stores.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export const KiB = 1024;
export const MiB = 1024 * 1024;
const BLOCK = 1 * MiB;

// A keystream of AES-128-CTR keyed by the seed: pseudo-random, reproducible, ~GB/s.
function generator(seed) {
  const key = createHash('sha256').update(`tuskd-e2e:${seed}`).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  const zeros = Buffer.alloc(BLOCK);
  return (n) => cipher.update(n === BLOCK ? zeros : zeros.subarray(0, n));
}

// size bytes of seeded pseudo-random data in one Buffer.
export function makeBuffer(size, seed = 1) {
  const out = Buffer.allocUnsafe(size);
  const next = generator(seed);
  for (let at = 0; at < size; at += BLOCK) {
    next(Math.min(BLOCK, size - at)).copy(out, at);
  }
  return out;
}

export function sha256(buffer) {
  return createHash('sha256').update(buffer).digest('hex');
}

// Writes size bytes of the same data as makeBuffer(size, seed) to file, 1 MiB at a time.
// Resolves to the data's sha256 (hex).
export async function writeDataFile(file, size, seed = 1) {
  const hash = createHash('sha256');
  const next = generator(seed);
  const out = createWriteStream(file);
  for (let at = 0; at < size; at += BLOCK) {
    const block = next(Math.min(BLOCK, size - at));
    hash.update(block);
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

// A temp dir for inputs; remove it with the returned cleanup().
export function makeTempDir(prefix = 'tuskd-e2e-input-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// http.request or https.request by the URL's scheme. `ca` (PEM) replaces the roots an https
// request trusts: a TLS test server's self-signed certificate.
function request(url, { ca, ...options }, onResponse) {
  if (new URL(url).protocol === 'https:') return https.request(url, { ...options, ca }, onResponse);
  return http.request(url, options, onResponse);
}

// GETs url and hashes the body as it streams in. Resolves to {status, headers, length, sha256}.
export function fetchDigest(url, { headers = {}, timeoutMs = 60_000, ca } = {}) {
  return new Promise((resolve, reject) => {
    const options = { headers: { 'Tus-Resumable': '1.0.0', ...headers }, agent: false, ca };
    const req = request(url, options, (res) => {
      const hash = createHash('sha256');
      let length = 0;
      res.on('data', (chunk) => { length += chunk.length; hash.update(chunk); });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, length, sha256: hash.digest('hex') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// Asserts-like check: throws with a precise message unless GET url returns exactly the bytes.
export async function expectSameBytes(url, { length, sha256: expected }, { ca } = {}) {
  const got = await fetchDigest(url, { ca });
  if (got.status !== 200) {
    throw new Error(`GET ${url}: expected status 200, got ${got.status}`);
  }
  if (got.length !== length) {
    throw new Error(`GET ${url}: expected ${length} body bytes, got ${got.length}`);
  }
  if (got.sha256 !== expected) {
    throw new Error(`GET ${url}: body sha256 ${got.sha256} differs from the file's ${expected}`);
  }
  return got;
}

// A bare request (HEAD by default) with the tus header; resolves to {status, headers, body}.
export function tusRequest(url, { method = 'HEAD', headers = {}, body, timeoutMs = 10_000, ca } = {}) {
  return new Promise((resolve, reject) => {
    const options = { method, headers: { 'Tus-Resumable': '1.0.0', ...headers }, agent: false, ca };
    const req = request(url, options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// HEAD url -> Upload-Offset as a number (throws on a non-200 or a missing header).
export async function headOffset(url, { ca } = {}) {
  const res = await tusRequest(url, { ca });
  if (res.status !== 200) throw new Error(`HEAD ${url}: expected 200, got ${res.status} ${res.body}`);
  const raw = res.headers['upload-offset'];
  if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`HEAD ${url}: bad Upload-Offset ${raw}`);
  return Number(raw);
}

// Polls HEAD until Upload-Offset is > 0 and has not changed for 300 ms (the server commits an
// interrupted body when it notices the disconnect, which may be a moment after the abort).
export async function offsetAfterAbort(url, { ca } = {}) {
  const deadline = Date.now() + 5000;
  let offset = await headOffset(url, { ca });
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    if (offset > 0 && Date.now() - stableSince >= 300) break;
    await sleep(50);
    const now = await headOffset(url, { ca });
    if (now !== offset) {
      offset = now;
      stableSince = Date.now();
    }
  }
  return offset;
}
