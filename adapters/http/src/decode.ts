/**
 * Content codings (RFC 9110 §8.4) of responses that must be masked: a masked body is decoded, masked
 * and sent back uncompressed. Decoding is bounded by the output size, so a compression bomb ends in
 * ERR_HTTP_RESPONSE_TOO_LARGE instead of memory exhaustion.
 */
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { HttpAdapterError } from './errors.js';

const decoders = {
  gzip: promisify<Buffer, ZlibOptions, Buffer>(gunzip),
  deflate: promisify<Buffer, ZlibOptions, Buffer>(inflate),
  deflateRaw: promisify<Buffer, ZlibOptions, Buffer>(inflateRaw),
  br: promisify<Buffer, ZlibOptions, Buffer>(brotliDecompress),
};

/** Reads a whole stream, refusing more than `limit` bytes (the stream is destroyed then). */
export function collect(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        stream.destroy();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks, bytes)));
    stream.on('error', reject);
    stream.on('close', () => {
      if (!stream.readableEnded)
        reject(new Error('the upstream closed the connection before the body ended'));
    });
  });
}

function tooLarge(limit: number): HttpAdapterError {
  return new HttpAdapterError(
    'ERR_HTTP_RESPONSE_TOO_LARGE',
    `the response must be masked and is larger than ${limit} bytes`,
  );
}

/** The codings of a Content-Encoding header, in the order they were applied (`identity` dropped). */
export function contentCodings(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/** Undoes the codings, last applied first. Unknown codings and corrupt data are ERR_HTTP_UNMASKABLE. */
export async function decodeContent(
  body: Buffer,
  codings: readonly string[],
  limit: number,
): Promise<Buffer> {
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!;
    const decode =
      coding === 'gzip' || coding === 'x-gzip'
        ? decoders.gzip
        : coding === 'br'
          ? decoders.br
          : coding === 'deflate'
            ? // "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send it raw.
              isZlibHeader(out)
              ? decoders.deflate
              : decoders.deflateRaw
            : undefined;
    if (decode === undefined) {
      throw new HttpAdapterError(
        'ERR_HTTP_UNMASKABLE',
        `the response is encoded with ${coding}, which the gateway cannot decode to mask it`,
      );
    }
    if (out.length === 0) continue;
    try {
      out = await decode(out, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
      throw new HttpAdapterError('ERR_HTTP_UNMASKABLE', `the response's ${coding} encoding is corrupt`, {
        cause: err,
      });
    }
  }
  return out;
}

/** RFC 1950 §2.2: CM = 8 and the header is a multiple of 31. */
function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}
