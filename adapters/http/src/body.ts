/**
 * Request bodies, within bounds. A body is buffered before the decision only when it must be (a small
 * JSON body the policy reads, or an async-approval retry whose body is compared with the approved one);
 * everything else streams to the upstream after the decision, counted, and is cut off at maxBodyBytes.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { HttpAdapterError } from './errors.js';

export interface BodyPrefix {
  chunks: Buffer[];
  bytes: number;
  /** True when the whole body is in `chunks`. */
  complete: boolean;
}

/** Whether a request announces a body (RFC 9112 §6.3: Content-Length or Transfer-Encoding). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** The Content-Length, or undefined (Node's parser has already refused malformed or conflicting ones). */
export function contentLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined || req.headers['transfer-encoding'] !== undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Reads the body until it ends or more than `maxBytes` arrived; the stream is paused again after. Memory:
 * at most `maxBytes` plus one chunk. Rejects when the client goes away before the end.
 */
export function readPrefix(req: IncomingMessage, maxBytes: number): Promise<BodyPrefix> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (complete: boolean): void => {
      cleanup();
      req.pause();
      resolve({ chunks, bytes, complete });
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > maxBytes) done(false);
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => {
      cleanup();
      reject(new Error('the client closed the connection while sending the body'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
    };
    if (req.readableEnded) {
      resolve({ chunks, bytes, complete: true });
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
    req.resume();
  });
}

/** Counts what passes and fails with ERR_HTTP_BODY_TOO_LARGE once more than `limit` bytes went through. */
export class BodyLimit extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  /** Set when the limit was passed (also before anyone listened for the error). */
  failure: HttpAdapterError | undefined;

  constructor(private readonly limit: number) {
    super();
    // Whoever consumes the body reads `failure` or listens too; an unheard error must not crash the process.
    this.on('error', () => {});
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.failure = new HttpAdapterError(
        'ERR_HTTP_BODY_TOO_LARGE',
        `the request body is larger than ${this.limit} bytes`,
      );
      callback(this.failure);
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/** The body to send upstream: the buffered prefix, then the rest of the request, within `limit`. */
export function bodySource(req: IncomingMessage, prefix: BodyPrefix, limit: number): BodyLimit {
  const out = new BodyLimit(limit);
  for (const c of prefix.chunks) out.write(c);
  if (prefix.complete || req.readableEnded) out.end();
  else req.pipe(out);
  return out;
}

/** SHA-256 (hex) of a whole body; nothing is kept but the hash. Rejects with ERR_HTTP_BODY_TOO_LARGE. */
export async function hashRest(req: IncomingMessage, prefix: BodyPrefix, limit: number): Promise<string> {
  const counter = bodySource(req, prefix, limit);
  return new Promise((resolve, reject) => {
    counter.on('error', (err) => {
      req.unpipe(counter);
      reject(err);
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection while sending the body'));
    });
    counter.on('data', () => {});
    counter.on('end', () => resolve(counter.hash.digest('hex')));
  });
}

export function sha256(chunks: readonly Buffer[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}
