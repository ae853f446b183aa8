/**
 * Durations (`500ms`, `30s`, `2m`, `1h`, `1d`, `1h30m`) and sizes (`512`, `64KiB`, `10MiB`, `1GB`) as
 * written in the config file. A bare number is a size in bytes; a duration always names its unit,
 * because `timeout: 30` reads as seconds to one person and milliseconds to another.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds, or an error message saying what is expected. */
export function parseDuration(text: string): number | { error: string } {
  const t = text.trim();
  if (!DURATION.test(t))
    return {
      error: `${JSON.stringify(text)} is not a duration: write a number with a unit, ms, s, m, h or d (500ms, 30s, 2m, 1h30m)`,
    };
  let ms = 0;
  for (const m of t.matchAll(DURATION_PART)) ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Bytes, or an error message saying what is expected. */
export function parseSize(text: string | number): number | { error: string } {
  if (typeof text === 'number') {
    if (Number.isInteger(text) && text >= 0) return text;
    return {
      error: `${text} is not a size: give a whole number of bytes, or a size with a unit (64KiB, 10MiB)`,
    };
  }
  const m = SIZE.exec(text.trim());
  const unit = m?.[2] === '' ? 'b' : m?.[2]?.toLowerCase();
  if (!m || unit === undefined || SIZE_UNITS[unit] === undefined)
    return {
      error: `${JSON.stringify(text)} is not a size: write bytes or a number with a unit, B, KB, KiB, MB, MiB, GB or GiB (64KiB, 10MiB)`,
    };
  return Math.round(Number(m[1]) * SIZE_UNITS[unit]!);
}
