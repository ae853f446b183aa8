/**
 * Turns an AuditEvent into what is stored: checked, copied, top-level search fields filled from the
 * Action, and every free-form string passed through `@regate/mask`'s audit redaction — query text with
 * SQL lexical rules, command lines with shell rules, everything else (paths, bodies, result samples,
 * terminal output, reasons) with the detectors. Identity, session, target and times are structural and
 * kept as they are: an auditor must see who did what where.
 */
import { type Action, type Decision, EFFECTS } from '@regate/action';
import { isSecretName, REDACTED, redactForAudit, redactValueForAudit } from '@regate/mask';
import { AuditError } from './errors.js';
import { APPROVAL_STATES, type AuditEvent, EVENT_TYPES, type EventType, OUTCOMES } from './record.js';
import type { SearchFields } from './store.js';

const TYPES = new Set<string>(EVENT_TYPES);
const OUTCOME_SET = new Set<string>(OUTCOMES);
const EFFECT_SET = new Set<string>(EFFECTS);
const STATE_SET = new Set<string>(APPROVAL_STATES);

function invalid(message: string): never {
  throw new AuditError('ERR_AUDIT_INVALID_EVENT', message);
}

function requireString(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') invalid(`${what} must be a non-empty string`);
}

/**
 * The masked, normalized copy of `event` that the log hashes and stores (without time/seq/instance).
 * Only the fields of the event's type are kept: a field this version does not know is dropped rather
 * than stored unmasked. The copy is built with one fixed layout (not spread and extended), which keeps
 * it cheap on the append path.
 */
export function prepareEvent(event: AuditEvent): Record<string, unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    invalid('an audit event must be an object');
  const type = (event as { type?: unknown }).type;
  if (typeof type !== 'string' || !TYPES.has(type))
    invalid(`unknown audit event type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}`);
  const e = event as AuditEvent & Record<string, unknown>;
  if (e.time !== undefined && (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))))
    invalid(`time ${JSON.stringify(e.time)} is not an RFC 3339 time`);
  const out: Record<string, unknown> = {
    type,
    time: e.time,
    session: e.session,
    identity: e.identity,
    target: e.target,
    kind: e.kind,
    effect: e.effect,
    outcome: e.outcome,
    // Filled by the log when the record is chained (prev_hash and hash after the body is hashed).
    instance: undefined,
    seq: undefined,
    prev_hash: undefined,
    hash: undefined,
  };
  switch (type as EventType) {
    case 'action': {
      const a = e.action as Action | undefined;
      const d = e.decision as Decision | undefined;
      if (typeof a !== 'object' || a === null) invalid('an action event needs `action`');
      if (typeof d !== 'object' || d === null) invalid('an action event needs `decision`');
      if (!OUTCOME_SET.has(e.outcome as string))
        invalid(`outcome ${JSON.stringify(e.outcome)} is not one of ${OUTCOMES.join(', ')}`);
      if (!EFFECT_SET.has(d.effect))
        invalid(`decision.effect ${JSON.stringify(d.effect)} is not one of ${EFFECTS.join(', ')}`);
      if (!Array.isArray(d.reasons)) invalid('decision.reasons must be an array');
      out.session ??= a.session?.id;
      out.identity ??= a.identity;
      out.target ??= a.target?.name;
      out.kind ??= a.kind;
      out.effect ??= d.effect;
      out.action = redactAction(a);
      out.decision = {
        effect: d.effect,
        reasons: d.reasons.length === 0 ? d.reasons : d.reasons.map(redactText),
        mask: d.mask,
        approvals: d.approvals,
        policy: d.policy,
      };
      if (e.result !== undefined) out.result = redactValueForAudit(e.result);
      if (e.error !== undefined) out.error = redactText(e.error as string);
      if (e.approval !== undefined) out.approval = e.approval;
      break;
    }
    case 'session.start':
      requireString(e.session, 'session.start.session');
      out.protocol = e.protocol;
      out.client = e.client;
      break;
    case 'session.end':
      requireString(e.session, 'session.end.session');
      if (e.reason !== undefined) out.reason = redactText(e.reason as string);
      out.exit_status = e.exit_status;
      break;
    case 'approval': {
      const approval = e.approval as Extract<AuditEvent, { type: 'approval' }>['approval'] | undefined;
      if (typeof approval !== 'object' || approval === null) invalid('an approval event needs `approval`');
      requireString(approval.id, 'approval.id');
      if (!STATE_SET.has(approval.state))
        invalid(
          `approval.state ${JSON.stringify(approval.state)} is not one of ${APPROVAL_STATES.join(', ')}`,
        );
      out.approval =
        approval.reason === undefined ? approval : { ...approval, reason: redactText(approval.reason) };
      out.action_id = e.action_id;
      break;
    }
    case 'terminal': {
      requireString(e.session, 'terminal.session');
      const events = e.events as unknown;
      if (!Array.isArray(events)) invalid('a terminal event needs `events` (asciicast v2 events)');
      out.header = e.header;
      out.events = events.map((ev: unknown, i: number) => {
        if (
          !Array.isArray(ev) ||
          typeof ev[0] !== 'number' ||
          typeof ev[1] !== 'string' ||
          typeof ev[2] !== 'string'
        )
          invalid(`terminal.events[${i}] is not an asciicast v2 event [time, code, data]`);
        return ev[1] === 'o' || ev[1] === 'i' ? [ev[0], ev[1], redactText(ev[2])] : ev;
      });
      break;
    }
    case 'admin':
      requireString(e.operation, 'admin.operation');
      out.operation = e.operation;
      if (e.detail !== undefined) out.detail = redactValueForAudit(e.detail);
      break;
    case 'prune':
      out.before = e.before;
      out.through_seq = e.through_seq;
      out.anchor_hash = e.anchor_hash;
      out.records = e.records;
      out.key_id = e.key_id;
      out.signature = e.signature;
      break;
  }
  if (out.effect !== undefined && !EFFECT_SET.has(out.effect as string))
    invalid(`effect ${JSON.stringify(out.effect)} is not one of ${EFFECTS.join(', ')}`);
  if (out.outcome !== undefined && !OUTCOME_SET.has(out.outcome as string))
    invalid(`outcome ${JSON.stringify(out.outcome)} is not one of ${OUTCOMES.join(', ')}`);
  return out;
}

/**
 * Redacting a statement costs ~10 µs, and gateways see the same statement text over and over (prepared
 * statements, ORMs, dashboards), so results are kept by text, for the most recent CACHE_SIZE texts of
 * each kind. The cache holds only texts the gateway already holds, and their redacted forms.
 */
const CACHE_SIZE = 4096;
const MAX_CACHED_LENGTH = 4096;
const caches = { sql: new Map<string, string>(), command: new Map<string, string>() };

function redactCached(text: string, kind: 'sql' | 'command'): string {
  if (typeof text !== 'string' || text.length > MAX_CACHED_LENGTH) return redactForAudit(text, kind);
  const cache = caches[kind];
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const redacted = redactForAudit(text, kind);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(text, redacted);
  return redacted;
}

function redactText(text: string): string {
  return typeof text === 'string' ? redactForAudit(text, 'text') : text;
}

/**
 * A copy of an Action as the audit trail stores it: SQL text, command lines, argv and the HTTP request
 * redacted. The approvals store keeps pending Actions this way too; the held request itself stays in
 * the gateway's memory and runs unchanged.
 */
export function redactAction(a: Action): Action {
  const copy: Action = { ...a };
  if (a.sql) {
    copy.sql = {
      ...a.sql,
      text: redactCached(a.sql.text, 'sql'),
      statements: a.sql.statements.map((s) =>
        s.parse_error === undefined ? s : { ...s, parse_error: redactText(s.parse_error) },
      ),
    };
  }
  if (a.ssh) {
    const ssh = { ...a.ssh };
    if (ssh.command !== undefined) ssh.command = redactCached(ssh.command, 'command');
    if (ssh.argv !== undefined) ssh.argv = redactArgv(ssh.argv);
    copy.ssh = ssh;
  }
  if (a.http) copy.http = redactValueForAudit(a.http) as NonNullable<Action['http']>;
  return copy;
}

/**
 * Each argv word is redacted as a command line of its own (which catches `--password=x`, URLs with
 * passwords and detector hits); a word that follows a secret-named option (`-p`, `--token`) is
 * redacted whole, as the command-line rules do for the joined line.
 */
function redactArgv(argv: string[]): string[] {
  return argv.map((word, i) => {
    const prev = argv[i - 1];
    if (
      prev !== undefined &&
      /^--?[A-Za-z]/.test(prev) &&
      !prev.includes('=') &&
      isSecretName(prev.replace(/^-+/, ''))
    )
      return REDACTED;
    return redactCached(word, 'command');
  });
}

/** The search fields of a prepared event (with its time filled in). */
export function searchFields(prepared: Record<string, unknown>): SearchFields {
  const identity = prepared.identity as { subject?: unknown; email?: unknown } | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    time: prepared.time as string,
    type: prepared.type as string,
    session: str(prepared.session),
    subject: str(identity?.subject),
    email: str(identity?.email),
    target: str(prepared.target),
    kind: str(prepared.kind),
    effect: str(prepared.effect),
    outcome: str(prepared.outcome),
  };
}
