import { describe, expect, it } from 'vitest';
import { idGenerator } from './ids.js';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('idGenerator', () => {
  it('makes 26-character Crockford base32 ids whose first 10 characters encode the time', () => {
    const id = idGenerator({ clock: () => new Date(1_469_918_176_385), random: () => new Uint8Array(10) })();
    expect(id).toMatch(CROCKFORD);
    // The ULID spec's example time.
    expect(id.slice(0, 10)).toBe('01ARYZ6S41');
    expect(id.slice(10)).toBe('0000000000000000');
  });

  it('sorts ids in the order they were made when the clock stands still or steps back', () => {
    let t = 1_700_000_000_000;
    const next = idGenerator({ clock: () => new Date(t) });
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) t -= 5000; // the clock steps back
      if (i === 700) t += 10_000;
      ids.push(next());
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the increment across bytes of the random part', () => {
    const next = idGenerator({
      clock: () => new Date(0),
      random: () => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 255]),
    });
    const a = next();
    const b = next();
    expect(b > a).toBe(true);
    expect(b.slice(0, 10)).toBe(a.slice(0, 10));
  });

  it('makes different ids in different generators (random part)', () => {
    const clock = () => new Date(1_700_000_000_000);
    expect(idGenerator({ clock })()).not.toBe(idGenerator({ clock })());
  });
});
