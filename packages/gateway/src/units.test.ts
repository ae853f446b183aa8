import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from './units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1.5s', 1500],
    [' 10s ', 10_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '2 minutes', '1w', '-5s', 's', '1h 30m'])('refuses %j with what it expects', (text) => {
    expect(parseDuration(text)).toEqual({ error: expect.stringContaining('write a number with a unit') });
  });
});

describe('parseSize', () => {
  it.each([
    ['10MiB', 10 * 1024 * 1024],
    ['64KiB', 65_536],
    ['1KB', 1000],
    ['1GiB', 1024 ** 3],
    ['512', 512],
    ['512B', 512],
    ['10 MB', 10_000_000],
    [4096, 4096],
  ] as const)('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'ten', '10 parsecs', '10TB', '-1'])('refuses %j with what it expects', (text) => {
    expect(parseSize(text)).toEqual({ error: expect.stringContaining('is not a size') });
  });

  it('refuses a fraction of a byte or a negative number', () => {
    expect(parseSize(1.5)).toEqual({ error: expect.stringContaining('whole number of bytes') });
    expect(parseSize(-1)).toEqual({ error: expect.stringContaining('whole number of bytes') });
  });
});
