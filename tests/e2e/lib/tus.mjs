// Helpers around tus-js-client: a promise per upload, an HTTP stack that can slow request bodies
// down and records every exchange, and an in-memory URL storage for resuming.
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tus from 'tus-js-client';

// Starts an upload; resolves when it succeeds, rejects with its error. Retries are off unless
// the caller sets retryDelays, so a failure surfaces at once.
export function runUpload(input, options) {
  let upload;
  const done = new Promise((resolve, reject) => {
    upload = new tus.Upload(input, {
      retryDelays: [],
      ...options,
      onSuccess: (...a) => { options.onSuccess?.(...a); resolve(upload); },
      onError: (err) => { options.onError?.(err); reject(err); },
    });
  });
  return { upload, done };
}

// A first attempt that fails midway: the upload, slowed to bytesPerSecond, is aborted once
// onProgress passes 40%. Resolves to {url, sent, stack} (url: where it was created).
// requestOptions go to the HTTP stack (e.g. {ca} to trust a TLS server's test certificate).
export async function uploadUntilAbort(data, options, bytesPerSecond, { requestOptions } = {}) {
  const stack = new RecordingHttpStack({ bytesPerSecond, requestOptions });
  let upload;
  let done;
  const aborted = new Promise((resolve, reject) => {
    ({ upload, done } = runUpload(data, {
      ...options,
      httpStack: stack,
      onProgress: (sent, total) => {
        if (sent >= 0.4 * total && !upload._e2eAborted) {
          upload._e2eAborted = true;
          upload.abort().then(() => resolve(sent), reject);
        }
      },
      onSuccess: () => reject(new Error('upload finished before it could be aborted')),
      onError: reject,
    }));
  });
  done.catch(() => {}); // failures reach `aborted` through onError
  upload.start();
  const sent = await aborted;
  return { url: upload.url, sent, stack };
}

// The second attempt: a new Upload that finds the aborted one in options.urlStorage and resumes
// it. Resolves to {upload, stack, previous} once it succeeds (throws unless exactly one
// previous upload is stored). requestOptions: as for uploadUntilAbort.
export async function resumePrevious(data, options, { requestOptions } = {}) {
  const stack = new RecordingHttpStack({ requestOptions });
  const { upload, done } = runUpload(data, { ...options, httpStack: stack });
  const previous = await upload.findPreviousUploads();
  if (previous.length !== 1) throw new Error(`expected one stored upload, found ${previous.length}`);
  upload.resumeFromPreviousUpload(previous[0]);
  upload.start();
  await done;
  return { upload, stack, previous };
}

// Slows a body to about bytesPerSecond, in pieces of at most 64 KiB; onPiece(bytesSoFar) runs
// after each piece is handed on.
function throttleTransform(bytesPerSecond, onPiece) {
  const started = Date.now();
  let sent = 0;
  const piece = 64 * 1024;
  return new Transform({
    async transform(chunk, _enc, callback) {
      try {
        for (let at = 0; at < chunk.length; at += piece) {
          const part = chunk.subarray(at, Math.min(chunk.length, at + piece));
          sent += part.length;
          const due = started + (sent / bytesPerSecond) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          this.push(part);
          onPiece?.(sent);
        }
        callback();
      } catch (err) {
        callback(err);
      }
    },
  });
}

// An httpStack for tus-js-client: the default Node stack, plus
// - bytesPerSecond (optional; a number or a function returning one, read per request): slows
//   request bodies down, so a test can act in the middle of a PATCH;
// - onBodyBytes(uploadOffset) (with bytesPerSecond): called as a slowed PATCH body goes out,
//   with the upload offset its bytes have reached (Upload-Offset + bytes sent in this request);
// - log: every exchange {method, url, reqOffset, status, resOffset} (or {error}) in order;
// - requestOptions: passed to the default stack (e.g. {agent}).
export class RecordingHttpStack {
  constructor({ bytesPerSecond = 0, onBodyBytes, requestOptions = {} } = {}) {
    this.inner = new tus.DefaultHttpStack(requestOptions);
    this.bytesPerSecond = bytesPerSecond;
    this.onBodyBytes = onBodyBytes;
    this.log = [];
  }

  createRequest(method, url) {
    return new RecordingRequest(this, this.inner.createRequest(method, url));
  }

  getName() {
    return 'RecordingHttpStack';
  }

  // The last Upload-Offset a 2xx response reported (HEAD 200, PATCH 204), or 0.
  lastAcknowledgedOffset() {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i];
      if (e.status >= 200 && e.status < 300 && e.resOffset !== undefined) return e.resOffset;
    }
    return 0;
  }

  patches() {
    return this.log.filter((e) => e.method === 'PATCH');
  }
}

class RecordingRequest {
  constructor(stack, inner) {
    this.stack = stack;
    this.inner = inner;
    this.body = null;
  }

  getMethod() { return this.inner.getMethod(); }
  getURL() { return this.inner.getURL(); }
  setHeader(h, v) { this.inner.setHeader(h, v); }
  getHeader(h) { return this.inner.getHeader(h); }
  setProgressHandler(fn) { this.inner.setProgressHandler(fn); }
  getUnderlyingObject() { return this.inner.getUnderlyingObject(); }

  abort() {
    if (this.body && typeof this.body.destroy === 'function') this.body.destroy();
    return this.inner.abort();
  }

  async send(body = null) {
    const rate = typeof this.stack.bytesPerSecond === 'function'
      ? this.stack.bytesPerSecond() : this.stack.bytesPerSecond;
    if (rate > 0 && body && (body instanceof Uint8Array || body instanceof Readable)) {
      const size = body instanceof Uint8Array ? body.length : body.size;
      const source = body instanceof Uint8Array ? Readable.from([body], { objectMode: false }) : body;
      const start = numberOrUndefined(this.inner.getHeader('Upload-Offset')) ?? 0;
      const onPiece = this.stack.onBodyBytes && ((sent) => this.stack.onBodyBytes(start + sent));
      const slowed = source.pipe(throttleTransform(rate, onPiece));
      source.on('error', (err) => slowed.destroy(err));
      slowed.size = size; // the default stack sets Content-Length from .size
      body = slowed;
    }
    this.body = body;
    const entry = {
      method: this.inner.getMethod(),
      url: this.inner.getURL(),
      reqOffset: numberOrUndefined(this.inner.getHeader('Upload-Offset')),
    };
    this.stack.log.push(entry);
    try {
      const res = await this.inner.send(body);
      entry.status = res.getStatus();
      entry.resOffset = numberOrUndefined(res.getHeader('Upload-Offset'));
      return res;
    } catch (err) {
      entry.error = err;
      throw err;
    }
  }
}

function numberOrUndefined(v) {
  return v === undefined || v === null || v === '' ? undefined : Number(v);
}

// urlStorage for tus-js-client kept in memory (what FileUrlStorage does, without a file).
export class MemoryUrlStorage {
  constructor() {
    this.items = new Map();
    this.next = 1;
  }

  async findAllUploads() {
    return [...this.items.entries()].map(([key, v]) => ({ ...v, urlStorageKey: key }));
  }

  async findUploadsByFingerprint(fingerprint) {
    return (await this.findAllUploads()).filter((u) => u.urlStorageKey.startsWith(`tus::${fingerprint}::`));
  }

  async removeUpload(urlStorageKey) {
    this.items.delete(urlStorageKey);
  }

  async addUpload(fingerprint, upload) {
    const key = `tus::${fingerprint}::${this.next++}`;
    this.items.set(key, upload);
    return key;
  }
}

export { tus };
