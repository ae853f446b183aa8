/**
 * The text a free-text search matches for a record: query text, command, HTTP request line, identity,
 * target, kind, reasons, errors. Pure and import-free, so the SQLite writer thread can rebuild it from a
 * stored body when it indexes in the background.
 */
export function searchText(record: Record<string, unknown>): string {
  const parts: string[] = [];
  const push = (v: unknown) => {
    if (typeof v === 'string' && v !== '') parts.push(v);
  };
  const a = record.action as
    | {
        sql?: { text?: unknown };
        ssh?: { command?: unknown };
        http?: { method?: unknown; path?: unknown };
        identity?: { email?: unknown };
      }
    | undefined;
  if (a) {
    push(a.sql?.text);
    push(a.ssh?.command);
    if (a.http) push(`${String(a.http.method)} ${String(a.http.path)}`);
    push(a.identity?.email);
  }
  const identity = record.identity as { subject?: unknown; email?: unknown } | undefined;
  push(identity?.subject);
  if (!a) push(identity?.email);
  push(record.target);
  push(record.kind);
  const decision = record.decision as { reasons?: unknown } | undefined;
  if (Array.isArray(decision?.reasons)) for (const r of decision.reasons) push(r);
  push(record.error);
  push(record.reason);
  push((record.approval as { reason?: unknown } | undefined)?.reason);
  push(record.operation);
  return parts.join('\n');
}
