// tus-js-client speaking the IETF resumable-upload draft to tuskd: protocol 'ietf-draft-03'
// (interop version 5) and 'ietf-draft-05' (interop version 6). Whole-file and chunked uploads,
// data sent with the creation request, and an abort resumed by a new Upload, each checked byte
// for byte with a GET (SHA-256) and with the draft's own HEAD.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { expectSameBytes, KiB, makeBuffer, MiB, sha256, tusRequest } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { MemoryUrlStorage, RecordingHttpStack, resumePrevious, runUpload, uploadUntilAbort } from './lib/tus.mjs';

const PROTOCOLS = [
  { protocol: 'ietf-draft-03', interop: '5' },
  { protocol: 'ietf-draft-05', interop: '6' },
];
const MODES = [
  { name: 'whole file in one PATCH', size: 4 * MiB, options: {} },
  { name: 'chunkSize 256 KiB', size: 3 * MiB + 123, options: { chunkSize: 256 * KiB } },
  {
    name: 'data sent with the creation request',
    size: 2 * MiB,
    options: { uploadDataDuringCreation: true, chunkSize: 1 * MiB },
  },
];

// The draft's offset retrieval: {status, offset, complete}.
async function draftHead(url, interop) {
  const res = await tusRequest(url, { headers: { 'Upload-Draft-Interop-Version': interop } });
  return {
    status: res.status,
    offset: Number(res.headers['upload-offset']),
    complete: res.headers['upload-complete'] === '?1',
  };
}

// HEAD until the offset is > 0 and stays put for 300 ms (an aborted body is committed when the
// server notices the disconnect, a moment after the abort).
async function settledOffset(url, interop) {
  const deadline = Date.now() + 5000;
  let { offset } = await draftHead(url, interop);
  let since = Date.now();
  while (Date.now() < deadline && !(offset > 0 && Date.now() - since >= 300)) {
    await sleep(50);
    const now = (await draftHead(url, interop)).offset;
    if (now !== offset) {
      offset = now;
      since = Date.now();
    }
  }
  return offset;
}

describe('IETF draft uploads with tus-js-client', { timeout: 300_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  for (const { protocol, interop } of PROTOCOLS) {
    for (const mode of MODES) {
      test(`${protocol}: ${mode.name}`, { timeout: 60_000 }, async () => {
        const data = makeBuffer(mode.size, mode.size + Number(interop));
        const stack = new RecordingHttpStack();
        const { upload, done } = runUpload(data, {
          endpoint: server.url,
          protocol,
          httpStack: stack,
          metadata: { filename: `ietf-${interop}.bin`, filetype: 'application/octet-stream' },
          ...mode.options,
        });
        upload.start();
        await done;

        assert.ok(upload.url?.startsWith(server.url), `upload URL ${upload.url}`);
        const creates = stack.log.filter((e) => e.method === 'POST');
        assert.equal(creates.length, 1, 'one creation request');
        assert.equal(creates[0].status, 201, 'creation answers 201 (after its 104)');
        const appends = stack.patches();
        const chunk = mode.options.chunkSize ?? Infinity;
        const sentWithCreation = mode.options.uploadDataDuringCreation ? Math.min(chunk, mode.size) : 0;
        assert.equal(appends.length, Math.ceil((mode.size - sentWithCreation) / Math.min(chunk, mode.size)));
        for (const p of appends) assert.equal(p.status, 201, `append at ${p.reqOffset} answers 201`);
        const last = appends.at(-1) ?? creates[0];
        assert.equal(last.resOffset, mode.size, 'the last answer reports the whole upload');

        const head = await draftHead(upload.url, interop);
        assert.deepEqual(head, { status: 204, offset: mode.size, complete: true });
        await expectSameBytes(upload.url, { length: mode.size, sha256: sha256(data) });
      });
    }

    test(`${protocol}: aborted at ~40%, resumed by a new Upload`, { timeout: 60_000 }, async (t) => {
      const size = 16 * MiB;
      const data = makeBuffer(size, 77 + Number(interop));
      const urlStorage = new MemoryUrlStorage();
      const common = {
        endpoint: server.url,
        protocol,
        urlStorage,
        fingerprint: async () => `ietf-resume-${interop}`,
      };
      const first = await uploadUntilAbort(data, common, 16 * MiB);
      const offset = await settledOffset(first.url, interop);
      assert.ok(offset > 0 && offset < size, `HEAD after the abort reports ${offset}`);
      t.diagnostic(`kept ${offset} of ${size} bytes after the abort`);

      const { upload, stack } = await resumePrevious(data, common);

      assert.equal(upload.url, first.url, 'the resumed upload kept its URL');
      assert.ok(!stack.log.some((e) => e.method === 'POST'), 'no new upload was created');
      const head = stack.log.find((e) => e.method === 'HEAD');
      assert.equal(head?.status, 204, 'the draft HEAD answers 204');
      assert.equal(stack.patches()[0].reqOffset, head.resOffset, 'the append resumed at the offset');
      await expectSameBytes(upload.url, { length: size, sha256: sha256(data) });
    });
  }
});
