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
import type { ActionEvent, AuditEvent, AuditLog, AuditRecord } from '@regate/audit';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/** Codes that mean the store cannot take records (an invalid event is the caller's problem, not the store's). */
const STORE_FAILURES = new Set([
  'ERR_AUDIT_STORE_UNAVAILABLE',
  'ERR_AUDIT_STORE_TIMEOUT',
  'ERR_AUDIT_CLOSED',
  'ERR_AUDIT_CHAIN_CONFLICT',
]);

/** Refused actions waiting to be recorded as refused, at most (see #correctLater). */
const MAX_CORRECTIONS = 10_000;

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
  /** Actions refused because their record failed, to be recorded as refused once the store is back. */
  readonly #corrections: ActionEvent[] = [];
  #correcting = false;

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
        if (event.type === 'action') this.#correctLater(event, label);
      }
      throw err;
    }
    this.#metrics.auditAppendSeconds.observe((this.#now() - t0) / 1000);
    if (this.#failedSince !== undefined) {
      this.#logger.info('audit trail recovered', { failed_since: this.#failedSince.toISOString() });
      this.#failedSince = undefined;
      this.#lastError = undefined;
    }
    if (this.#corrections.length > 0) void this.#recordCorrections();
    return record;
  }

  /**
   * The adapter refuses an action whose record failed (503, not forwarded). A commit that timed out may
   * still land, though, leaving a record that says `forwarded`; and a commit that failed outright left
   * no trace of the refusal. So the refusal itself is recorded once the store takes records again: the
   * same action, outcome `error`, saying it was not forwarded. Bounded: past MAX_CORRECTIONS the
   * oldest are dropped, and the log says how many.
   */
  #correctLater(event: ActionEvent, code: string): void {
    if (this.#corrections.length >= MAX_CORRECTIONS) {
      this.#corrections.shift();
      this.#metrics.auditAppendFailures.inc({ code: 'correction_dropped' });
    }
    const { result: _result, ...rest } = event;
    this.#corrections.push({
      ...rest,
      outcome: 'error',
      error: `refused and not forwarded: the audit trail did not confirm the record of this action (${code}); an earlier record of it with another outcome, if the store took it late, is superseded by this one`,
    });
  }

  async #recordCorrections(): Promise<void> {
    if (this.#correcting) return;
    this.#correcting = true;
    try {
      while (this.#corrections.length > 0 && this.#failedSince === undefined) {
        const next = this.#corrections[0] as ActionEvent;
        try {
          await this.log.append(next);
        } catch {
          return; // the store failed again: the next successful append retries
        }
        this.#corrections.shift();
      }
    } finally {
      this.#correcting = false;
    }
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
