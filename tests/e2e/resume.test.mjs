// An upload aborted mid-way and resumed by a new tus.Upload through findPreviousUploads() and
// resumeFromPreviousUpload(): the server must keep the bytes it received (HEAD > 0) and the
// resumed upload must continue from there, byte-exact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { expectSameBytes, headOffset, makeBuffer, MiB, offsetAfterAbort, sha256 } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { MemoryUrlStorage, resumePrevious, uploadUntilAbort } from './lib/tus.mjs';

const SIZE = 24 * MiB;
const RATE = 16 * MiB; // bytes/s while the first attempt runs: ~1.5 s for the whole file

async function resumeAfterAbort(t, server, { chunkSize, fingerprintName }) {
  const data = makeBuffer(SIZE, 4242 + (chunkSize ?? 0));
  const expected = { length: SIZE, sha256: sha256(data) };
  const urlStorage = new MemoryUrlStorage();
  const common = {
    endpoint: server.url,
    urlStorage,
    fingerprint: async () => fingerprintName,
    metadata: { filename: `${fingerprintName}.bin` },
    ...(chunkSize ? { chunkSize } : {}),
  };

  const first = await uploadUntilAbort(data, common, RATE);
  assert.ok(first.url, 'the first attempt created the upload');
  const offset = await offsetAfterAbort(first.url);
  assert.ok(offset > 0, `HEAD after the abort reports Upload-Offset ${offset}, expected > 0 ` +
    `(the client had sent ${first.sent} of ${SIZE} bytes)`);
  assert.ok(offset < SIZE, `HEAD after the abort reports ${offset}, expected < ${SIZE}`);

  t.diagnostic(`aborted after ${first.sent} bytes sent; HEAD after the abort: ${offset}`);
  const { upload, stack, previous } = await resumePrevious(data, common);
  assert.equal(previous.length, 1, 'urlStorage holds the aborted upload');
  assert.equal(previous[0].uploadUrl, first.url);

  assert.equal(upload.url, first.url, 'the resumed upload kept its URL');
  assert.ok(!stack.log.some((e) => e.method === 'POST'), 'no new upload was created');
  const head = stack.log.find((e) => e.method === 'HEAD');
  assert.ok(head, 'the resumed upload asked for the offset');
  assert.ok(head.resOffset >= offset, `its HEAD saw ${head.resOffset}, at least the ${offset} seen after the abort`);
  const patches = stack.patches();
  assert.ok(patches.length >= 1, 'the resumed upload sent PATCHes');
  assert.equal(patches[0].reqOffset, head.resOffset, 'the first PATCH continued at the committed offset');
  assert.equal(patches.at(-1).resOffset, SIZE);

  assert.equal(await headOffset(first.url), SIZE);
  await expectSameBytes(first.url, expected);
}

describe('abort and resume with tus-js-client', { timeout: 180_000 }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  test('one PATCH for the whole file, aborted at ~40%, resumed', { timeout: 60_000 }, async (t) => {
    await resumeAfterAbort(t, server, { fingerprintName: 'resume-single-patch' });
  });

  test('chunkSize 1 MiB, aborted at ~40%, resumed', { timeout: 60_000 }, async (t) => {
    await resumeAfterAbort(t, server, { chunkSize: 1 * MiB, fingerprintName: 'resume-chunked' });
  });
});
