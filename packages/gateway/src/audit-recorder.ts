/**
 * Every write to the audit trail goes through here — the adapters' events, approval steps and admin
 * calls — so one place measures append latency, counts failures and knows whether the trail is
 * writable. Readiness (/readyz) reads that: the gateway is not ready while the last append failed.
 *
 * Recovery is noticed by the next append that succeeds. While no traffic arrives (a load balancer
 * stops sending it to an unready gateway), `probe()` appends a small `admin` record
 * (`audit.recovery_check`, with when the failure started) — at most once a second — so readiness comes
 * back by itself, and the trail says for how long it could not take records.
 */
import type { AuditEvent, AuditLog, AuditRecord } from '@regate/audit';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/** Codes that mean the store cannot take records (an invalid event is the caller's problem, not the store's). */
const STORE_FAILURES = new Set([
  'ERR_AUDIT_STORE_UNAVAILABLE',
  'ERR_AUDIT_STORE_TIMEOUT',
  'ERR_AUDIT_CLOSED',
  'ERR_AUDIT_CHAIN_CONFLICT',
]);

export interface AuditHealth {
  ok: boolean;
  /** RFC 3339: when appends started failing. */
  failedSince?: string;
  lastError?: string;
}

export interface AuditRecorderOptions {
  log: AuditLog;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: () => Date;
  /** Monotonic milliseconds, for latency. */
  now: () => number;
}

export class AuditRecorder {
  readonly log: AuditLog;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  readonly #clock: () => Date;
  readonly #now: () => number;
  #failedSince: Date | undefined;
  #lastError: string | undefined;
  #lastProbe = Number.NEGATIVE_INFINITY;

  constructor(options: AuditRecorderOptions) {
    this.log = options.log;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#now = options.now;
  }

  async append(event: AuditEvent): Promise<AuditRecord> {
    const t0 = this.#now();
    let record: AuditRecord;
    try {
      record = await this.log.append(event);
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      const label = typeof code === 'string' ? code : 'unknown';
      this.#metrics.auditAppendFailures.inc({ code: label });
      if (STORE_FAILURES.has(label)) {
        if (this.#failedSince === undefined) {
          this.#failedSince = this.#clock();
          this.#logger.error(
            'audit trail unavailable: actions and admin calls are refused until it recovers',
            {
              code: label,
              error: (err as Error)?.message,
            },
          );
        }
        this.#lastError = `${(err as Error)?.message ?? String(err)} [${label}]`;
      }
      throw err;
    }
    this.#metrics.auditAppendSeconds.observe((this.#now() - t0) / 1000);
    if (this.#failedSince !== undefined) {
      this.#logger.info('audit trail recovered', { failed_since: this.#failedSince.toISOString() });
      this.#failedSince = undefined;
      this.#lastError = undefined;
    }
    return record;
  }

  health(): AuditHealth {
    if (this.#failedSince === undefined) return { ok: true };
    const h: AuditHealth = { ok: false, failedSince: this.#failedSince.toISOString() };
    if (this.#lastError !== undefined) h.lastError = this.#lastError;
    return h;
  }

  /** While unhealthy, tries one small record (at most once a second by the clock); returns the health after. */
  async probe(): Promise<AuditHealth> {
    if (this.#failedSince === undefined) return this.health();
    const at = this.#clock().getTime();
    if (at - this.#lastProbe < 1000) return this.health();
    this.#lastProbe = at;
    const detail: Record<string, unknown> = { failed_since: this.#failedSince.toISOString() };
    if (this.#lastError !== undefined) detail.last_error = this.#lastError;
    await this.append({ type: 'admin', operation: 'audit.recovery_check', detail }).catch(() => {});
    return this.health();
  }
}
