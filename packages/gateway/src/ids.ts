/**
 * Time-sortable unique ids for actions and sessions, in the layout of a ULID: 10 characters of
 * milliseconds since the epoch and 16 of randomness, Crockford base32 (no I, L, O, U), 26 in all. Ids
 * made in the same millisecond increment the random part, so ids from one generator sort in the order
 * they were made even when the clock does not move (or steps back: the last time is kept).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TIME = 2 ** 48 - 1;

export interface IdOptions {
  clock?: () => Date;
  /** 10 random bytes (80 bits); injected by tests. */
  random?: () => Uint8Array;
}

export function idGenerator(options: IdOptions = {}): () => string {
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? (() => randomBytes(10));
  let lastTime = -1;
  let last: Uint8Array = new Uint8Array(10);
  return () => {
    let time = clock().getTime();
    if (!Number.isFinite(time) || time < 0) time = 0;
    if (time > MAX_TIME) throw new RangeError('the clock is past the year 10889');
    if (time <= lastTime) {
      time = lastTime;
      last = increment(last);
    } else {
      lastTime = time;
      last = Uint8Array.from(random().subarray(0, 10));
    }
    return encodeTime(time) + encodeRandom(last);
  };
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** 80 bits as 16 base32 characters, most significant first. */
function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function increment(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 255) {
      out[i]!++;
      return out;
    }
    out[i] = 0;
  }
  // 2^80 ids in one millisecond: not reachable; wrapping would break the order, so refuse.
  throw new RangeError('too many ids in one millisecond');
}
