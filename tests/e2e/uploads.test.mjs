// Uploads of several sizes with tus-js-client, each checked byte for byte with a GET.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expectSameBytes, headOffset, makeBuffer, makeTempDir, MiB, sha256, writeDataFile } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { RecordingHttpStack, runUpload } from './lib/tus.mjs';

const SIZES = [
  { name: '0 B', size: 0 },
  { name: '1 B', size: 1 },
  { name: '5 MiB', size: 5 * MiB },
  { name: '64 MiB', size: 64 * MiB, file: true }, // from a file: fs.ReadStream input
];
const MODES = [
  { name: 'one PATCH (default options)', options: {} },
  { name: 'chunkSize 1 MiB', options: { chunkSize: 1 * MiB } },
];

describe('uploads with tus-js-client', { timeout: 240_000 }, () => {
  let server;
  let inputs;
  before(async () => {
    server = await startServer();
    inputs = makeTempDir();
  });
  after(async () => {
    await server?.stop();
    inputs?.cleanup();
  });

  for (const mode of MODES) {
    for (const { name, size, file } of SIZES) {
      test(`${name}, ${mode.name}`, { timeout: 120_000 }, async () => {
        const seed = size + 7;
        let input;
        let expected;
        if (file) {
          const p = path.join(inputs.dir, `data-${size}`);
          expected = { length: size, sha256: await writeDataFile(p, size, seed) };
          input = createReadStream(p);
        } else {
          input = makeBuffer(size, seed);
          expected = { length: size, sha256: sha256(input) };
        }
        const stack = new RecordingHttpStack();
        const chunks = [];
        const { upload, done } = runUpload(input, {
          endpoint: server.url,
          httpStack: stack,
          metadata: { filename: `e2e-${size}.bin`, filetype: 'application/octet-stream' },
          onChunkComplete: (chunkSize, accepted) => chunks.push([chunkSize, accepted]),
          ...mode.options,
        });
        upload.start();
        await done;

        assert.ok(upload.url, 'upload has a URL');
        assert.ok(upload.url.startsWith(server.url), `upload URL ${upload.url} is under ${server.url}`);
        const creates = stack.log.filter((e) => e.method === 'POST');
        assert.equal(creates.length, 1, 'exactly one creation request');
        assert.equal(creates[0].status, 201, 'POST answers 201 Created');

        const patches = stack.patches();
        const chunk = mode.options.chunkSize ?? Infinity;
        const expectedPatches = size === 0 ? 0 : Math.ceil(size / Math.min(chunk, size));
        assert.equal(patches.length, expectedPatches, `PATCH count for ${size} B`);
        for (const p of patches) assert.equal(p.status, 204, `PATCH at ${p.reqOffset} answers 204`);
        if (patches.length) assert.equal(patches.at(-1).resOffset, size, 'last PATCH reports the full offset');

        assert.equal(await headOffset(upload.url), size, 'HEAD reports the full offset');
        await expectSameBytes(upload.url, expected);
      });
    }
  }
});
