// What tus-java-client (and curl) do, with Node's http module: PATCH bodies sent with
// `Transfer-Encoding: chunked` after waiting for `100 Continue`; and a bad PATCH refused before
// its body is sent.
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { expectSameBytes, headOffset, KiB, makeBuffer, MiB, sha256, tusRequest } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';

const CONTINUE_TIMEOUT_MS = 5000;

async function createUpload(serverUrl, length) {
  const res = await tusRequest(serverUrl, {
    method: 'POST',
    headers: { 'Upload-Length': String(length), 'Content-Length': '0' },
  });
  assert.equal(res.status, 201, `POST ${serverUrl}: ${res.body}`);
  assert.ok(res.headers.location, 'POST answers with a Location');
  return new URL(res.headers.location, serverUrl).toString();
}

// Sends the head of a PATCH with Expect: 100-continue and waits for the server's first word:
// resolves to {kind: 'continue'} or {kind: 'response', res, body}; rejects after timeoutMs.
function patchHead(url, headers, timeoutMs = CONTINUE_TIMEOUT_MS) {
  const req = http.request(url, {
    method: 'PATCH',
    agent: false,
    headers: {
      'Tus-Resumable': '1.0.0',
      'Content-Type': 'application/offset+octet-stream',
      Expect: '100-continue',
      ...headers,
    },
  });
  const first = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no 100 Continue (nor a final response) within ${timeoutMs} ms after the PATCH head`));
    }, timeoutMs);
    req.once('continue', () => { clearTimeout(timer); resolve({ kind: 'continue' }); });
    req.once('response', (res) => {
      clearTimeout(timer);
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ kind: 'response', res, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
  req.flushHeaders(); // the head goes out now; no body byte is written yet
  return { req, first };
}

function responseOf(req) {
  return new Promise((resolve, reject) => {
    req.once('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('error', reject);
  });
}

describe('tus-java-client style requests', { timeout: 120_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('PATCH with Expect: 100-continue and Transfer-Encoding: chunked', { timeout: 60_000 }, async () => {
    const size = 3 * MiB + 12345;
    const data = makeBuffer(size, 31337);
    const url = await createUpload(server.url, size);

    const { req, first } = patchHead(url, { 'Upload-Offset': '0', 'Transfer-Encoding': 'chunked' });
    const response = responseOf(req);
    const word = await first;
    assert.equal(word.kind, 'continue',
      `expected 100 Continue before the body, got ${word.res?.statusCode} ${word.body}`);

    // The body in several chunks of uneven sizes, with small pauses, as a streaming client would.
    const sizes = [1, 100, 64 * KiB, 1 * MiB, 7, 512 * KiB];
    let at = 0;
    for (let i = 0; at < size; i++) {
      const n = Math.min(sizes[i % sizes.length], size - at);
      if (!req.write(data.subarray(at, at + n))) await new Promise((r) => req.once('drain', r));
      at += n;
      if (i % 3 === 0) await sleep(5);
    }
    // All data is out; the last-chunk (0\r\n\r\n) follows in a later segment, as when
    // HttpURLConnection's stream is closed after the last write. The server must wait for it
    // rather than answer while the body is still open (it once answered 413 here).
    await sleep(200);
    req.end();
    const res = await response;
    assert.equal(res.status, 204, `PATCH: ${res.body}`);
    assert.equal(res.headers['upload-offset'], String(size));

    assert.equal(await headOffset(url), size);
    await expectSameBytes(url, { length: size, sha256: sha256(data) });
  });

  test('Expect: 100-continue with a wrong Upload-Offset gets 409 before any body byte', { timeout: 30_000 }, async () => {
    const size = 1 * MiB;
    const data = makeBuffer(size, 2718);
    const url = await createUpload(server.url, size);

    // A first part, so the committed offset is 1000.
    const part = await tusRequest(url, {
      method: 'PATCH',
      headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: data.subarray(0, 1000),
    });
    assert.equal(part.status, 204, `first PATCH: ${part.body}`);
    assert.equal(part.headers['upload-offset'], '1000');

    for (const headers of [
      { 'Upload-Offset': '0', 'Content-Length': String(size) },      // behind the committed offset
      { 'Upload-Offset': '5000', 'Transfer-Encoding': 'chunked' },   // ahead of it
    ]) {
      const { req, first } = patchHead(url, headers);
      let word;
      try {
        word = await first;
      } finally {
        req.destroy(); // never send the body
      }
      assert.equal(word.kind, 'response',
        `PATCH ${JSON.stringify(headers)}: the server sent 100 Continue instead of refusing the offset`);
      assert.equal(word.res.statusCode, 409, `PATCH ${JSON.stringify(headers)}: ${word.body}`);
    }

    // Nothing changed, and the upload still completes.
    assert.equal(await headOffset(url), 1000);
    const rest = await tusRequest(url, {
      method: 'PATCH',
      headers: { 'Upload-Offset': '1000', 'Content-Type': 'application/offset+octet-stream' },
      body: data.subarray(1000),
    });
    assert.equal(rest.status, 204, rest.body);
    await expectSameBytes(url, { length: size, sha256: sha256(data) });
  });
});
