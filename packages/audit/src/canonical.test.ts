import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every level when given nested objects', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, A: true })).toBe(
      '{"A":true,"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    // U+00E9 sorts after "z" by code unit; "\u20ac" after it.
    expect(canonicalJson({ '€': 1, é: 2, z: 3 })).toBe('{"z":3,"é":2,"€":1}');
  });

  it('writes numbers in their shortest round-trip form when given RFC 8785 examples', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1, -0, 100, 4.5, 333333333.3333333])).toBe(
      '[1e+21,1e-7,0.1,0,100,4.5,333333333.3333333]',
    );
  });

  it('escapes only what JSON requires when given control characters and quotes', () => {
    expect(canonicalJson('a"b\\c\n\u0001é')).toBe('"a\\"b\\\\c\\n\\u0001é"');
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('drops undefined members and writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('refuses values JSON cannot hold when given NaN, a bigint, a Date or a Map', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/not JSON/);
    expect(() => canonicalJson({ x: 1n })).toThrow(/not JSON/);
    expect(() => canonicalJson({ x: new Date() })).toThrow(/not JSON/);
    expect(() => canonicalJson(new Map())).toThrow(/not JSON/);
  });

  it('gives the same text as JSON.stringify of a key-sorted copy when given a typical record', () => {
    const v = {
      type: 'action',
      seq: 3,
      action: { sql: { text: "SELECT 'x'" }, id: 'a' },
      list: [{ b: 1, a: 2 }],
    };
    const sorted = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(sorted)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.keys(x)
                .sort()
                .map((k) => [k, sorted((x as Record<string, unknown>)[k])]),
            )
          : x;
    expect(canonicalJson(v)).toBe(JSON.stringify(sorted(v)));
  });
});
