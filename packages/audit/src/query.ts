/** Search-query checks and the pieces both stores share: page size, cursors, free-text terms. */
import { EFFECTS } from '@regate/action';
import { AuditError } from './errors.js';
import { EVENT_TYPES, OUTCOMES } from './record.js';
import type { SearchQuery } from './store.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

function bad(message: string): never {
  throw new AuditError('ERR_AUDIT_INVALID_QUERY', message);
}

export function validateQuery(q: SearchQuery): void {
  for (const key of ['since', 'until'] as const) {
    const v = q[key];
    if (v !== undefined && Number.isNaN(Date.parse(v))) bad(`${key}: ${JSON.stringify(v)} is not a time`);
  }
  if (q.effect !== undefined && !(EFFECTS as readonly string[]).includes(q.effect))
    bad(`effect must be one of ${EFFECTS.join(', ')}`);
  if (q.outcome !== undefined && !(OUTCOMES as readonly string[]).includes(q.outcome))
    bad(`outcome must be one of ${OUTCOMES.join(', ')}`);
  if (q.type !== undefined && !(EVENT_TYPES as readonly string[]).includes(q.type))
    bad(`type must be one of ${EVENT_TYPES.join(', ')}`);
  if (q.order !== undefined && q.order !== 'asc' && q.order !== 'desc') bad('order must be asc or desc');
  pageSize(q);
}

export function pageSize(q: SearchQuery): number {
  const n = q.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) bad(`limit must be an integer from 1 to ${MAX_PAGE}`);
  return n;
}

export function encodeCursor(time: string, instance: string, seq: number): string {
  return Buffer.from(JSON.stringify([time, instance, seq])).toString('base64url');
}

export function decodeCursor(cursor: string): { time: string; instance: string; seq: number } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && Number.isInteger(v[2]))
      return { time: v[0], instance: v[1], seq: v[2] as number };
  } catch {
    // falls through to the error below
  }
  bad('cursor is not one this store issued');
}

/** The words of a free-text query, each letter/digit run lower-cased; empty when there are none. */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 32);
}

/** An FTS5 MATCH expression: every word must appear, the last as a prefix (search as you type). */
export function ftsQuery(text: string): string | undefined {
  const words = searchWords(text);
  if (words.length === 0) return undefined;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' AND ');
}
