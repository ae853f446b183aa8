/**
 * Media types (RFC 9110 §8.3): which bodies are JSON (their fields can be masked by path and captured
 * into the Action), which are text (masked by detectors and patterns), and their charset.
 */

export interface MediaType {
  /** `type/subtype`, lower case. */
  essence: string;
  /** The charset parameter, lower case, when given. */
  charset: string | undefined;
}

export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const [head, ...params] = header.split(';');
  const essence = head!.trim().toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(essence)) return undefined;
  let charset: string | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return { essence, charset };
}

/** application/json and any `+json` type (application/problem+json, application/vnd.api+json…). */
export function isJson(type: MediaType | undefined): boolean {
  if (type === undefined) return false;
  return type.essence === 'application/json' || type.essence.endsWith('+json');
}

/** text/* and XML: bodies detectors and patterns can read as text. */
export function isText(type: MediaType | undefined): boolean {
  if (type === undefined) return false;
  const e = type.essence;
  return e.startsWith('text/') || e === 'application/xml' || e.endsWith('+xml');
}
