// tuskd killed with SIGKILL in the middle of an upload, restarted on the same data dir: every
// offset the client saw acknowledged must survive (invariant I1), and the client resumes to a
// byte-exact file.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';

import { expectSameBytes, headOffset, makeBuffer, MiB, sha256 } from './lib/files.mjs';
import { startServer } from './lib/server.mjs';
import { RecordingHttpStack, runUpload } from './lib/tus.mjs';

const SIZE = 32 * MiB;

// The same upload path on another server (after a restart the port may differ).
function onServer(uploadUrl, serverUrl) {
  const u = new URL(uploadUrl);
  const s = new URL(serverUrl);
  u.protocol = s.protocol;
  u.host = s.host;
  return u.toString();
}

// Uploads data slowly and SIGKILLs the server once the client has sent killAt of it (in the
// middle of a PATCH body). Resolves to {url, lastAcked, stack} once the client saw the failure.
async function uploadUntilKill(server, data, { killAt, chunkSize, bytesPerSecond }) {
  const agent = new http.Agent({ keepAlive: false });
  let killed = false;
  const stack = new RecordingHttpStack({
    bytesPerSecond,
    requestOptions: { agent },
    onBodyBytes: (offset) => {
      if (!killed && offset >= killAt * data.length) {
        killed = true;
        process.kill(server.pid, 'SIGKILL');
      }
    },
  });
  const { upload, done } = runUpload(data, {
    endpoint: server.url,
    httpStack: stack,
    ...(chunkSize ? { chunkSize } : {}),
    metadata: { filename: 'crash.bin' },
  });
  upload.start();
  await assert.rejects(done, 'the upload fails when the server dies');
  assert.ok(killed, 'the server was killed during the upload');
  await server.kill('SIGKILL'); // reap it
  agent.destroy();
  assert.ok(upload.url, 'the upload had been created');
  return { url: upload.url, lastAcked: stack.lastAcknowledgedOffset(), stack };
}

async function resumeOn(server, data, url) {
  const stack = new RecordingHttpStack();
  const { upload, done } = runUpload(data, {
    endpoint: server.url,
    uploadUrl: url,
    httpStack: stack,
    chunkSize: 4 * MiB,
  });
  upload.start();
  await done;
  assert.ok(!stack.log.some((e) => e.method === 'POST'), 'resumed, not created anew');
  return stack;
}

describe('SIGKILL during an upload, restart, resume', { timeout: 240_000 }, () => {
  const servers = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  test('chunkSize 1 MiB: acknowledged offsets survive kill -9', { timeout: 90_000 }, async (t) => {
    const server = await startServer();
    servers.push(server);
    const data = makeBuffer(SIZE, 99);
    const expected = { length: SIZE, sha256: sha256(data) };

    const first = await uploadUntilKill(server, data, { killAt: 0.45, chunkSize: 1 * MiB, bytesPerSecond: 24 * MiB });
    assert.ok(first.lastAcked > 0, `the client saw an acknowledged offset before the kill (log: ${describeLog(first.stack)})`);

    await server.restart();
    const url = onServer(first.url, server.url);
    const offset = await headOffset(url);
    assert.ok(offset >= first.lastAcked,
      `HEAD after restart reports ${offset}, below the ${first.lastAcked} acknowledged before the kill`);
    assert.ok(offset <= SIZE);

    t.diagnostic(`acknowledged before the kill: ${first.lastAcked}; HEAD after restart: ${offset}`);
    const stack = await resumeOn(server, data, url);
    assert.equal(stack.patches()[0].reqOffset, offset, 'the client resumed at the recovered offset');
    assert.equal(await headOffset(url), SIZE);
    await expectSameBytes(url, expected);
  });

  test('one PATCH with --checkpoint-bytes 4M: kill -9 mid-body, restart, resume', { timeout: 90_000 }, async (t) => {
    const server = await startServer({ args: ['--checkpoint-bytes', '4M'] });
    servers.push(server);
    const data = makeBuffer(SIZE, 100);
    const expected = { length: SIZE, sha256: sha256(data) };

    const first = await uploadUntilKill(server, data, { killAt: 0.75, bytesPerSecond: 24 * MiB });
    await server.restart();
    const url = onServer(first.url, server.url);
    const offset = await headOffset(url);
    assert.ok(offset >= first.lastAcked);
    // ~24 MiB were written to the socket before the kill: the server had read most of them and
    // must have committed at least one 4 MiB checkpoint.
    assert.ok(offset > 0, `HEAD after restart reports ${offset}: no checkpoint inside the long PATCH survived`);
    assert.ok(offset < SIZE);

    t.diagnostic(`acknowledged before the kill: ${first.lastAcked}; HEAD after restart: ${offset}`);
    const stack = await resumeOn(server, data, url);
    assert.equal(stack.patches()[0].reqOffset, offset);
    await expectSameBytes(url, expected);
  });
});

function describeLog(stack) {
  return JSON.stringify(stack.log.map(({ method, reqOffset, status, resOffset, error }) =>
    ({ method, reqOffset, status, resOffset, error: error?.message })));
}
