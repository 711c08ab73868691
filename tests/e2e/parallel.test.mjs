// tus-js-client's parallelUploads: the file goes up as partial uploads at once, then one
// final upload (Upload-Concat: final;...) joins them. Checked byte for byte, with and without
// compression at rest, and with the parts removed after the join (--concat-remove-parts).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { expectSameBytes, makeBuffer, MiB, sha256, tusRequest } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { RecordingHttpStack, runUpload } from './lib/tus.mjs';

const SERVERS = [
  { name: 'default server', args: [] },
  { name: '--compression zstd', args: ['--compression', 'zstd'] },
  { name: '--concat-remove-parts', args: ['--concat-remove-parts'], partsRemoved: true },
];

describe('parallel uploads (concatenation) with tus-js-client', { timeout: 300_000 }, () => {
  const servers = [];
  after(async () => {
    for (const server of servers) await server.stop();
  });

  for (const { name, args, partsRemoved } of SERVERS) {
    test(`64 MiB in 4 parallel parts, ${name}`, { timeout: 120_000 }, async () => {
      const server = await startServer({ args });
      servers.push(server);
      const size = 64 * MiB;
      // Text-like content, so that compression has something to do.
      const input = Buffer.from(makeBuffer(size, 99).map((b) => 0x61 + (b % 16)));
      const expected = { length: size, sha256: sha256(input) };
      const stack = new RecordingHttpStack();
      const { upload, done } = runUpload(input, {
        endpoint: server.url,
        httpStack: stack,
        parallelUploads: 4,
        metadata: { filename: 'parallel.bin', filetype: 'application/octet-stream' },
      });
      upload.start();
      await done;

      const posts = stack.log.filter((e) => e.method === 'POST');
      assert.equal(posts.length, 5, 'four partial uploads and one final upload');
      for (const post of posts) assert.equal(post.status, 201);

      const head = await tusRequest(upload.url);
      assert.equal(head.status, 200);
      assert.equal(head.headers['upload-offset'], String(size), 'the final upload is complete');
      assert.equal(head.headers['upload-length'], String(size));
      assert.match(head.headers['upload-concat'], /^final;\/files\/[0-9a-f]+( \/files\/[0-9a-f]+){3}$/);
      assert.equal(head.headers['upload-sha256'], expected.sha256, 'SHA-256 of the joined bytes');
      await expectSameBytes(upload.url, expected);

      const parts = head.headers['upload-concat'].slice('final;'.length).split(' ');
      for (const part of parts) {
        const partHead = await tusRequest(new URL(part, server.url).href);
        assert.equal(partHead.status, partsRemoved ? 410 : 200, `part ${part} after the join`);
        if (!partsRemoved) assert.equal(partHead.headers['upload-concat'], 'partial');
      }
    });
  }
});
