/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript's shortest round-trip form, strings with JSON's minimal escaping. The
 * hash of a record is taken over these bytes, so any two writers (and any later verifier, in any
 * language) that hold the same record produce the same hash.
 *
 * Only JSON values are accepted: `undefined` members of objects are dropped (as JSON.stringify does),
 * anything else that is not JSON (a function, a bigint, NaN, a Date, a Map, a cycle) is a TypeError, so
 * an event that cannot be reproduced from its stored text is never hashed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

const MAX_DEPTH = 256;

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`not JSON: the number ${value}`);
      // ECMAScript Number::toString is the form RFC 8785 §3.2.2.3 prescribes; -0 serializes as 0.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`not JSON: a ${typeof value}`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new TypeError(`not JSON: nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item = value[i];
      out += item === undefined ? 'null' : write(item, depth + 1);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`not JSON: a ${(value as object).constructor?.name ?? 'non-plain'} object`);
  }
  const record = value as Record<string, unknown>;
  // String comparison and the default sort both compare UTF-16 code units, as RFC 8785 §3.2.3 requires;
  // keys that are in order already (common for objects built in a fixed layout) are not sorted again.
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${keyPrefix(key)}${write(member, depth + 1)}`;
  }
  return `${out}}`;
}

// Records repeat the same few dozen keys: their quoted forms are kept (up to a bound).
const KEY_PREFIXES = new Map<string, string>();

function keyPrefix(key: string): string {
  let prefix = KEY_PREFIXES.get(key);
  if (prefix === undefined) {
    prefix = `${quote(key)}:`;
    if (KEY_PREFIXES.size < 4096) KEY_PREFIXES.set(key, prefix);
  }
  return prefix;
}

// Characters JSON must escape, and surrogates (which JSON.stringify escapes when unpaired).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
