/**
 * Masking a decoded response body under a `mask` decision: JSON through `maskJsonText` (field rules by
 * path, then detectors and patterns; untouched bytes stay as they were), text through `maskText`
 * (detectors and patterns). Anything else cannot be masked honestly — a PDF or an image may hold the
 * same data in a form no detector reads — so it is refused (ERR_HTTP_UNMASKABLE), never passed through.
 */
import type { Masker } from '@regate/mask';
import { isJson, isText, type MediaType } from './content-type.js';
import { HttpAdapterError } from './errors.js';

export interface MaskedBody {
  body: Buffer;
  /** A new Content-Type when the body was re-encoded as UTF-8. */
  contentType: string | undefined;
}

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

function unmaskable(message: string, cause?: unknown): HttpAdapterError {
  return new HttpAdapterError('ERR_HTTP_UNMASKABLE', message, cause === undefined ? undefined : { cause });
}

function decodeText(body: Buffer, charset: string | undefined): string {
  const label = charset === undefined || UTF8.has(charset) ? 'utf-8' : charset;
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch (err) {
    throw unmaskable(`the response's charset ${label} is not one the gateway can decode to mask it`, err);
  }
  try {
    return decoder.decode(body);
  } catch (err) {
    throw unmaskable(`the response is not valid ${label} text`, err);
  }
}

/** The refusal for a body of this type, or undefined when it can be masked (JSON or text). */
export function unmaskableType(type: MediaType | undefined): HttpAdapterError | undefined {
  if (isJson(type) || isText(type)) return undefined;
  return unmaskable(
    type === undefined
      ? 'the response has no Content-Type, so it cannot be masked'
      : `the response is ${type.essence}, which cannot be masked (only JSON and text can)`,
  );
}

/** The masked body; throws ERR_HTTP_UNMASKABLE when it is not JSON or text, or does not decode. */
export function maskBody(masker: Masker, type: MediaType | undefined, body: Buffer): MaskedBody {
  if (isJson(type)) {
    // RFC 8259 §8.1: JSON exchanged between systems is UTF-8.
    const text = decodeText(body, undefined);
    let masked: string;
    try {
      masked = masker.maskJsonText(text);
    } catch (err) {
      throw unmaskable('the response says it is JSON but does not parse, so it cannot be masked', err);
    }
    return { body: Buffer.from(masked, 'utf8'), contentType: undefined };
  }
  if (isText(type)) {
    const charset = type!.charset;
    const masked = masker.maskText(decodeText(body, charset));
    const reencoded = charset !== undefined && !UTF8.has(charset);
    return {
      body: Buffer.from(masked, 'utf8'),
      contentType: reencoded ? `${type!.essence}; charset=utf-8` : undefined,
    };
  }
  throw unmaskableType(type)!;
}
