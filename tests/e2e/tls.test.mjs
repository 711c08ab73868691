// tuskd serving HTTPS (--tls-cert/--tls-key) to tus-js-client: whole-file and chunked uploads
// and an abort/resume, each checked byte for byte with a GET over https; and a plain-HTTP
// request to the TLS port, which must get a readable 400 rather than a hang or TLS garbage.
// The client trusts a throwaway self-signed certificate through the HTTP stack's `ca` option.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { expectSameBytes, headOffset, KiB, makeBuffer, MiB, offsetAfterAbort, sha256, tusRequest } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { makeSelfSignedCert } from './lib/tls.mjs';
import { MemoryUrlStorage, RecordingHttpStack, resumePrevious, runUpload, uploadUntilAbort } from './lib/tus.mjs';

const SIZE = 32 * MiB;
const RATE = 16 * MiB; // bytes/s while the attempt to abort runs: ~2 s for the whole file

describe('uploads over HTTPS with tus-js-client', { timeout: 240_000 }, () => {
  let cert;
  let server;
  let ca; // request options that trust the test certificate
  before(async () => {
    cert = makeSelfSignedCert();
    ca = { ca: cert.cert };
    server = await startServer({ args: ['--tls-cert', cert.certPath, '--tls-key', cert.keyPath] });
  });
  after(async () => {
    await server?.stop();
    cert?.cleanup();
  });

  // One upload of SIZE with the given tus options; checks the https URLs, that every PATCH was
  // accepted, HEAD and the bytes a GET returns.
  async function uploadAndCheck(seed, options) {
    const data = makeBuffer(SIZE, seed);
    const stack = new RecordingHttpStack({ requestOptions: ca });
    const { upload, done } = runUpload(data, {
      endpoint: server.url,
      httpStack: stack,
      metadata: { filename: `tls-${seed}.bin` },
      ...options,
    });
    upload.start();
    await done;

    assert.ok(server.url.startsWith('https://127.0.0.1:'), `tuskd announced ${server.url}`);
    assert.ok(upload.url.startsWith(server.url), `upload URL ${upload.url} (Location) is under ${server.url}`);
    const patches = stack.patches();
    for (const p of patches) assert.equal(p.status, 204, `PATCH at ${p.reqOffset} answers 204`);
    assert.equal(patches.at(-1).resOffset, SIZE, 'last PATCH reports the full offset');
    assert.equal(await headOffset(upload.url, ca), SIZE, 'HEAD reports the full offset');
    await expectSameBytes(upload.url, { length: SIZE, sha256: sha256(data) }, ca);
    return patches;
  }

  test('32 MiB in one PATCH (default chunkSize)', { timeout: 60_000 }, async () => {
    const patches = await uploadAndCheck(101, {});
    assert.equal(patches.length, 1, 'one PATCH for the whole file');
  });

  test('32 MiB in 256 KiB chunks', { timeout: 60_000 }, async () => {
    const patches = await uploadAndCheck(102, { chunkSize: 256 * KiB });
    assert.equal(patches.length, SIZE / (256 * KiB), 'one PATCH per chunk');
  });

  test('aborted at ~40%, resumed from the previous upload', { timeout: 60_000 }, async (t) => {
    const data = makeBuffer(SIZE, 103);
    const common = {
      endpoint: server.url,
      urlStorage: new MemoryUrlStorage(),
      fingerprint: async () => 'tls-resume',
      metadata: { filename: 'tls-resume.bin' },
    };
    const first = await uploadUntilAbort(data, common, RATE, { requestOptions: ca });
    assert.ok(first.url?.startsWith('https://127.0.0.1:'), `the first attempt created ${first.url}`);
    const offset = await offsetAfterAbort(first.url, ca);
    assert.ok(offset > 0 && offset < SIZE, `HEAD after the abort reports ${offset}, expected 0 < offset < ${SIZE} ` +
      `(the client had sent ${first.sent} bytes)`);
    t.diagnostic(`aborted after ${first.sent} bytes sent; HEAD after the abort: ${offset}`);

    const { upload, stack } = await resumePrevious(data, common, { requestOptions: ca });
    assert.equal(upload.url, first.url, 'the resumed upload kept its URL');
    assert.ok(!stack.log.some((e) => e.method === 'POST'), 'no new upload was created');
    const patches = stack.patches();
    assert.ok(patches.length >= 1 && patches[0].reqOffset >= offset,
      `the first resumed PATCH starts at ${patches[0]?.reqOffset}, at least the ${offset} kept`);
    assert.equal(await headOffset(first.url, ca), SIZE);
    await expectSameBytes(first.url, { length: SIZE, sha256: sha256(data) }, ca);
  });

  test('plain HTTP to the TLS port gets a clear-text 400', { timeout: 20_000 }, async () => {
    const res = await tusRequest(`http://127.0.0.1:${server.port}/files/`, { method: 'GET' });
    assert.equal(res.status, 400);
    assert.match(res.body, /^Client sent an HTTP request to an HTTPS server\./);
  });
});
