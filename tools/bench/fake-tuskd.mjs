#!/usr/bin/env node
// A tiny, deliberately simple tus 1.0.0 server used only to test tusk-bench itself
// (tools/bench/selftest.mjs): with --bug it misbehaves in ways the benchmarks must catch.
//   --bug none       offsets are saved before every 204 (survives kill -9)
//   --bug lose-acks  offsets are saved lazily every 2 s: kill -9 loses acknowledged offsets (I1)
//   --bug corrupt    flips one byte of every upload at offset 1000 (byte-exactness)
// Flags accepted like tuskd: --host --port --data-dir (others ignored). Loopback only.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const flag = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
const host = flag('host', '127.0.0.1');
const port = Number(flag('port', '0'));
const dir = flag('data-dir', './fake-data');
const bug = flag('bug', 'none');
if (host !== '127.0.0.1') { console.error('fake-tuskd: loopback only'); process.exit(2); }
fs.mkdirSync(dir, { recursive: true });
const stateFile = path.join(dir, 'state.json');

let uploads = {};
try { uploads = JSON.parse(fs.readFileSync(stateFile, 'utf8')); } catch { uploads = {}; }
for (const [id, u] of Object.entries(uploads)) {
  try { fs.truncateSync(path.join(dir, id), u.offset); } catch { fs.writeFileSync(path.join(dir, id), ''); u.offset = 0; }
}
const save = () => { fs.writeFileSync(`${stateFile}.tmp`, JSON.stringify(uploads)); fs.renameSync(`${stateFile}.tmp`, stateFile); };
if (bug === 'lose-acks') setInterval(save, 2000).unref();

const tus = { 'Tus-Resumable': '1.0.0' };
const busy = new Set();

function fileSha(id) {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, id))).digest('hex');
}

const server = http.createServer((req, res) => {
  const m = /^\/files\/([0-9a-f]{32})?$/.exec(req.url);
  const id = m && m[1];
  const u = id && uploads[id];
  const reply = (status, headers = {}, body = '') => { res.writeHead(status, { ...tus, ...headers }); res.end(body); };
  if (!m) return reply(404);
  if (req.method === 'POST' && !id) {
    const length = Number(req.headers['upload-length']);
    if (!Number.isSafeInteger(length) || length < 0) return reply(400, {}, 'bad Upload-Length\n');
    const nid = crypto.randomBytes(16).toString('hex');
    fs.writeFileSync(path.join(dir, nid), '');
    uploads[nid] = { length, offset: 0 };
    save();
    req.resume();
    return reply(201, { Location: `http://${host}:${server.address().port}/files/${nid}`, 'Upload-Offset': '0' });
  }
  if (!u) { req.resume(); return reply(404); }
  if (req.method === 'HEAD') {
    const h = { 'Upload-Offset': String(u.offset), 'Upload-Length': String(u.length), 'Cache-Control': 'no-store' };
    if (u.offset === u.length) h['Upload-Sha256'] = fileSha(id);
    return reply(200, h);
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Length': String(u.offset) });
    return fs.createReadStream(path.join(dir, id)).pipe(res);
  }
  if (req.method === 'PATCH') {
    if (Number(req.headers['upload-offset']) !== u.offset) { req.resume(); return reply(409, {}, 'offset mismatch\n'); }
    if (busy.has(id)) { req.resume(); return reply(423); }
    busy.add(id);
    const fd = fs.openSync(path.join(dir, id), 'r+');
    let pos = u.offset;
    req.on('data', (d) => {
      const n = Math.min(d.length, u.length - pos);
      if (bug === 'corrupt' && pos <= 1000 && pos + n > 1000) { d = Buffer.from(d); d[1000 - pos] ^= 0xff; }
      fs.writeSync(fd, d, 0, n, pos);
      pos += n;
    });
    const done = () => {
      if (!busy.has(id)) return;
      busy.delete(id);
      fs.closeSync(fd);
      u.offset = pos;
      if (bug !== 'lose-acks') save();
    };
    req.on('end', () => { done(); reply(204, { 'Upload-Offset': String(u.offset) }); });
    req.on('close', done);
    return undefined;
  }
  req.resume();
  return reply(405);
});
server.listen(port, host, () => {
  process.stdout.write(`tuskd listening on http://${host}:${server.address().port}/files/\n`);
});
process.on('SIGTERM', () => { if (bug !== 'lose-acks') save(); process.exit(0); });
