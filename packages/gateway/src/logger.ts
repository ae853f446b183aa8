/**
 * The gateway's application log: one JSON object per line on stderr (time, level, msg, then the
 * details), filtered by level. Values under a key that names a credential (token, password, secret,
 * authorization, …, see credential-name.ts) are replaced before anything is written, so a
 * detail passed carelessly does not leak a secret. The audit trail is a separate store, never this log.
 */
import type { AdapterLogger } from '@regate/action';
import type { LogLevel } from './config.js';
import { isCredentialName } from './credential-name.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger extends AdapterLogger {
  /** A logger whose lines also carry `fields` (a listener, a connection). */
  child(fields: Record<string, unknown>): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  clock?: () => Date;
}

export function createLogger(options: LoggerOptions = {}, fields: Record<string, unknown> = {}): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const clock = options.clock ?? (() => new Date());
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, detail?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    const entry: Record<string, unknown> = { time: clock().toISOString(), level: lvl, msg };
    for (const [k, v] of Object.entries(fields)) entry[k] = redact(k, v, 0);
    if (detail) for (const [k, v] of Object.entries(detail)) entry[k] = redact(k, v, 0);
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ time: entry.time, level: lvl, msg, detail: '[unserializable]' });
    }
    write(`${line}\n`);
  };
  return {
    level,
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
    child: (more) => createLogger(options, { ...fields, ...more }),
  };
}

function redact(key: string, value: unknown, depth: number): unknown {
  if (isCredentialName(key)) return '[redacted]';
  if (value instanceof Error) return value.message;
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact('', v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redact(k, v, depth + 1);
  return out;
}
