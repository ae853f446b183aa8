/**
 * Getting records out: JSON Lines (one stored record per line, with its chain fields, so an export can
 * be verified elsewhere), a session as an asciicast v2 recording (SSH terminal chunks), or as a
 * readable transcript (SQL statements, HTTP requests, commands, with decisions and outcomes).
 */
import { AuditError } from './errors.js';
import type { AsciicastEvent, AuditRecord } from './record.js';
import type { AuditStore, SearchQuery, StoredRecord } from './store.js';

/** The full record: the stored body with its chain fields. */
export function recordOf(row: StoredRecord): AuditRecord {
  const body = JSON.parse(row.body) as AuditRecord;
  body.prev_hash = row.prev_hash;
  body.hash = row.hash;
  return body;
}

/** Every record matching `query` (all pages), oldest first, as JSON Lines. */
export async function* exportJsonl(
  store: AuditStore,
  query: Omit<SearchQuery, 'cursor' | 'order'> = {},
): AsyncIterable<string> {
  let cursor: string | undefined;
  do {
    const page = await store.search({
      ...query,
      order: 'asc',
      limit: query.limit ?? 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const row of page.records) yield `${JSON.stringify(recordOf(row))}\n`;
    cursor = page.next;
  } while (cursor);
}

/** A session's records, oldest first; ERR_AUDIT_NOT_FOUND when there are none. */
export async function sessionRecords(store: AuditStore, session: string): Promise<AuditRecord[]> {
  const rows = await store.session(session);
  if (rows.length === 0)
    throw new AuditError('ERR_AUDIT_NOT_FOUND', `no audit records for session ${session}`);
  return rows.map(recordOf);
}

/**
 * The session's terminal stream as an asciicast v2 file: a header line, then one JSON array per event.
 * Chunks are recorded with times relative to the session's start, so they are written as they are.
 */
export function asciicast(records: readonly AuditRecord[]): string {
  const chunks = records.filter(
    (r): r is Extract<AuditRecord, { type: 'terminal' }> => r.type === 'terminal',
  );
  if (chunks.length === 0)
    throw new AuditError('ERR_AUDIT_NOT_FOUND', 'the session has no terminal recording');
  const first = chunks.find((c) => c.header) ?? chunks[0]!;
  const start = records.find((r) => r.type === 'session.start') ?? first;
  const header = {
    version: 2,
    width: first.header?.width ?? 80,
    height: first.header?.height ?? 24,
    timestamp: Math.floor(Date.parse(start.time) / 1000),
    ...(first.header?.title ? { title: first.header.title } : {}),
    ...(first.header?.env ? { env: first.header.env } : {}),
  };
  const lines = [JSON.stringify(header)];
  for (const c of chunks) for (const ev of c.events as AsciicastEvent[]) lines.push(JSON.stringify(ev));
  return `${lines.join('\n')}\n`;
}

/** A readable transcript of a session: one block per action, with who, what, decision and outcome. */
export function transcript(records: readonly AuditRecord[]): string {
  const out: string[] = [];
  for (const r of records) {
    const when = r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    switch (r.type) {
      case 'session.start':
        out.push(
          `${when}  session ${r.session} opened by ${r.identity?.subject ?? '?'} on ${r.target ?? '?'}`,
        );
        break;
      case 'session.end':
        out.push(`${when}  session ${r.session} closed${r.reason ? `: ${r.reason}` : ''}`);
        break;
      case 'action': {
        const a = r.action;
        const what =
          a.sql?.text ?? a.ssh?.command ?? (a.http ? `${a.http.method} ${a.http.path}` : undefined) ?? a.kind;
        const result = r.result
          ? ` (${[
              r.result.rows !== undefined ? `${r.result.rows} rows` : '',
              r.result.status !== undefined ? `status ${r.result.status}` : '',
              r.result.exit_status !== undefined ? `exit ${r.result.exit_status}` : '',
              r.result.bytes !== undefined ? `${r.result.bytes} bytes` : '',
            ]
              .filter(Boolean)
              .join(', ')})`
          : '';
        out.push(`${when}  ${r.identity?.subject ?? '?'}@${r.target ?? '?'}> ${what}`);
        out.push(
          `${' '.repeat(when.length)}  → ${r.decision.effect}, ${r.outcome}${result}${r.decision.reasons.length ? ` — ${r.decision.reasons.join('; ')}` : ''}${r.error ? ` — error: ${r.error}` : ''}`,
        );
        break;
      }
      case 'approval':
        out.push(
          `${when}  approval ${r.approval.id} ${r.approval.state}${r.approval.by ? ` by ${r.approval.by}` : ''}${r.approval.reason ? `: ${r.approval.reason}` : ''}`,
        );
        break;
      case 'terminal':
        break;
      default:
        out.push(`${when}  ${r.type}`);
    }
  }
  return `${out.join('\n')}\n`;
}
