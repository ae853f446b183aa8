/**
 * The approval service: opens a request for a `require_approval` Decision, lets eligible approvers vote,
 * expires what nobody decided in time, and tells the gateway holding the request how it ended.
 *
 * Rules, in the order votes are checked: the request must exist and be pending (one past its expiry is
 * expired first, and the vote refused); the requester never votes on their own request; the voter must
 * match an approver entry of some requirement; each subject votes once. A deny by any eligible approver
 * denies; the request is approved when every requirement has its count of distinct eligible approvers
 * (approvers.ts).
 *
 * Fail closed. Every change to a request is made under a claim (store.ts) in this order:
 *   1. claim the pending request (a conditional UPDATE: one gateway at a time per request);
 *   2. check the vote against the request as stored;
 *   3. append the audit record of the step and wait until it is committed;
 *   4. commit the change, if the claim is still ours, which releases the claim.
 * Recording before committing means no state a waiter can act on (`approved` forwards the held action)
 * exists without its audit record: if the audit append rejects, nothing is committed and the caller gets
 * ERR_APPROVAL_AUDIT_FAILED. The one window the other way — the record written, then the commit lost (the
 * store failed, the process died) — leaves the trail saying more than happened, never less, and the
 * request stays pending until it expires.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Action, Decision, Identity } from '@regate/action';
import { redactAction } from '@regate/audit';
import { matchesRequirement, normalizeRequirements, requirementsMet, sameSubject } from './approvers.js';
import type { ApprovalAudit, ApprovalAuditEvent } from './audit-event.js';
import { ApprovalError } from './errors.js';
import type { ApprovalOutcome, ApprovalRequest, ApprovalVote, RequestState, VoteKind } from './request.js';
import { isFinal } from './request.js';
import { type ApprovalStore, type Change, MAX_LIST_LIMIT } from './store.js';

/** Where the service reports what it cannot throw to a caller (a failed background sweep or poll). */
export interface ApprovalLogger {
  warn(message: string, detail?: Record<string, unknown>): void;
}

const silent: ApprovalLogger = { warn: () => {} };

export interface ApprovalServiceOptions {
  store: ApprovalStore;
  /** Every step is appended here before it takes effect (normally the gateway's AuditLog). */
  audit: ApprovalAudit;
  /** Injected for tests; default `() => new Date()`. Expiry and vote times follow it. */
  clock?: () => Date;
  /** Injected for tests; default `apr_` and 128 random bits (base64url). */
  ids?: () => string;
  /** How long a request waits when open() gives no timeout (default 10 minutes). */
  defaultTimeoutMs?: number;
  /** How often the service expires due requests by itself (default 1,000 ms; 0: only when sweep() is called). */
  sweepIntervalMs?: number;
  /**
   * How often waiters re-read their requests (default 1,000 ms; 0: never). SQLite relies on it to see
   * votes made by another process on the same file; PostgreSQL has NOTIFY and keeps it as a backstop.
   */
  pollMs?: number;
  /** How long a claim holds a request before another gateway may take it over (default 30,000 ms). */
  claimLeaseMs?: number;
  /** How long a vote waits for a request another gateway holds before ERR_APPROVAL_BUSY (default 10,000 ms). */
  claimWaitMs?: number;
  logger?: ApprovalLogger;
}

export interface OpenRequest {
  action: Action;
  decision: Decision;
  requester: Identity;
  /** Overrides the default timeout for this request, in ms. */
  timeoutMs?: number;
}

export interface ListOptions {
  state?: RequestState;
  /** Only requests this identity may vote on: it matches an approver entry and is not the requester. */
  approver?: Identity;
  /** Most requests returned, newest first (default 100, at most 1000). */
  limit?: number;
}

interface Waiter {
  resolve: (outcome: ApprovalOutcome) => void;
  reject: (err: unknown) => void;
}

interface Plan {
  change: Change;
  event: ApprovalAuditEvent;
  /** Thrown after the change is committed (a vote on a request that turned out to be expired). */
  after?: ApprovalError;
}

const DEFAULTS = {
  defaultTimeoutMs: 10 * 60_000,
  sweepIntervalMs: 1000,
  pollMs: 1000,
  claimLeaseMs: 30_000,
  claimWaitMs: 10_000,
};

const SWEEP_BATCH = 100;

export function newRequestId(): string {
  return `apr_${randomBytes(16).toString('base64url')}`;
}

export class ApprovalService {
  readonly store: ApprovalStore;
  readonly #audit: ApprovalAudit;
  readonly #clock: () => Date;
  readonly #ids: () => string;
  readonly #defaultTimeoutMs: number;
  readonly #pollMs: number;
  readonly #claimLeaseMs: number;
  readonly #claimWaitMs: number;
  readonly #logger: ApprovalLogger;
  readonly #waiters = new Map<string, Set<Waiter>>();
  /** Expiry of the requests being waited on, once read. */
  readonly #expiries = new Map<string, string>();
  #sweepTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #polling = false;
  #sweeping = false;
  #unsubscribe: (() => Promise<void>) | undefined;
  #closed = false;

  private constructor(options: ApprovalServiceOptions, resolved: typeof DEFAULTS) {
    this.store = options.store;
    this.#audit = options.audit;
    this.#clock = options.clock ?? (() => new Date());
    this.#ids = options.ids ?? newRequestId;
    this.#defaultTimeoutMs = resolved.defaultTimeoutMs;
    this.#pollMs = resolved.pollMs;
    this.#claimLeaseMs = resolved.claimLeaseMs;
    this.#claimWaitMs = resolved.claimWaitMs;
    this.#logger = options.logger ?? silent;
    if (resolved.sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => {
        if (this.#sweeping) return;
        this.#sweeping = true;
        this.sweep()
          .catch((err) => this.#logger.warn('approval expiry sweep failed', { error: String(err) }))
          .finally(() => {
            this.#sweeping = false;
          });
      }, resolved.sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  /** Creates the store's tables when missing and starts listening for changes made elsewhere. */
  static async start(options: ApprovalServiceOptions): Promise<ApprovalService> {
    if (!options?.store || !options.audit)
      throw new ApprovalError(
        'ERR_APPROVAL_INVALID_CONFIG',
        'an ApprovalService needs a store and an audit log',
      );
    const resolved = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const value = options[key];
      if (value === undefined) continue;
      const positive = key === 'defaultTimeoutMs' || key === 'claimLeaseMs';
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0))
        throw new ApprovalError(
          'ERR_APPROVAL_INVALID_CONFIG',
          `${key} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds, not ${JSON.stringify(value)}`,
        );
      resolved[key] = value;
    }
    await options.store.init();
    const service = new ApprovalService(options, resolved);
    service.#unsubscribe = await options.store.subscribe((id) => {
      if (service.#waiters.has(id)) void service.#check(id);
    });
    return service;
  }

  /**
   * Opens a request for `action`, which `decision` (effect require_approval) holds: records it, then
   * stores it as pending. Rejects with ERR_APPROVAL_INVALID_REQUEST for a Decision it cannot hold,
   * ERR_APPROVAL_AUDIT_FAILED when it cannot be recorded; the gateway blocks the action on either.
   */
  async open(request: OpenRequest): Promise<ApprovalRequest> {
    this.#assertOpen();
    const { action, decision, requester } = request;
    if (decision?.effect !== 'require_approval')
      throw new ApprovalError(
        'ERR_APPROVAL_INVALID_REQUEST',
        `only a require_approval Decision opens an approval request, not ${JSON.stringify(decision?.effect)}`,
      );
    if (typeof requester?.subject !== 'string' || requester.subject === '')
      throw new ApprovalError('ERR_APPROVAL_INVALID_REQUEST', 'the requester has no subject');
    const requirements = normalizeRequirements(decision.approvals, requester);
    const timeoutMs = request.timeoutMs ?? this.#defaultTimeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new ApprovalError(
        'ERR_APPROVAL_INVALID_REQUEST',
        `the approval timeout must be a positive number of milliseconds, not ${JSON.stringify(timeoutMs)}`,
      );
    const now = this.#clock();
    const stored: ApprovalRequest = {
      id: this.#ids(),
      state: 'pending',
      // Stored redacted, as the audit trail stores it: approvers see the statement or command with its
      // secrets masked; the held request itself stays in the gateway's memory and runs unchanged.
      action: redactAction(action),
      requester,
      requirements,
      reasons: [...decision.reasons],
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + timeoutMs).toISOString(),
      votes: [],
    };
    const approvers = [...new Set(requirements.flatMap((r) => r.approvers))];
    const approval: ApprovalAuditEvent['approval'] = {
      id: stored.id,
      state: 'requested',
      approvers,
      expires_at: stored.expires_at,
    };
    // One requirement fits the record's approvers/count; with several, `count` would be ambiguous, so the
    // record lists every approver entry and the stored request keeps the exact requirements.
    if (requirements.length === 1) approval.count = requirements[0]!.count;
    else approval.requirements = requirements.map((r) => ({ approvers: r.approvers, count: r.count }));
    if (stored.reasons.length > 0) approval.reason = stored.reasons.join('; ');
    // Recorded before it is stored: a request nobody can see yet cannot be voted on, and when recording
    // fails there is no request left behind.
    await this.#record(this.#event(stored, approval, 'approval_requested', requester));
    await this.store.insert({
      id: stored.id,
      action: stored.action,
      requester,
      requirements,
      reasons: stored.reasons,
      created_at: stored.created_at,
      expires_at: stored.expires_at,
    });
    return stored;
  }

  /** The request, or undefined when no request has that id. */
  get(id: string): Promise<ApprovalRequest | undefined> {
    this.#assertOpen();
    return this.store.get(id);
  }

  /** Requests, newest first; a pending request past its expiry stays pending here until a sweep expires it. */
  async list(options: ListOptions = {}): Promise<ApprovalRequest[]> {
    this.#assertOpen();
    const { approver, state, limit } = options;
    const query: { state?: RequestState; limit?: number } = {};
    if (state !== undefined) query.state = state;
    if (approver === undefined) {
      if (limit !== undefined) query.limit = limit;
      return this.store.list(query);
    }
    query.limit = MAX_LIST_LIMIT;
    const mine = (await this.store.list(query)).filter(
      (r) =>
        !sameSubject(approver, r.requester) && r.requirements.some((q) => matchesRequirement(approver, q)),
    );
    return mine.slice(0, limit ?? 100);
  }

  /** Approves as `approver`; resolves with the request after the vote (approved once every requirement is met). */
  approve(id: string, approver: Identity, reason?: string): Promise<ApprovalRequest> {
    return this.#vote(id, approver, 'approve', reason);
  }

  /** Denies as `approver`, with the reason the requester will see; one eligible deny ends the request. */
  deny(id: string, approver: Identity, reason: string): Promise<ApprovalRequest> {
    if (typeof reason !== 'string' || reason.trim() === '')
      return Promise.reject(
        new ApprovalError(
          'ERR_APPROVAL_INVALID_VOTE',
          'a deny needs a reason, for the requester and the audit trail',
          {
            requestId: id,
          },
        ),
      );
    return this.#vote(id, approver, 'deny', reason);
  }

  /** Ends a pending request without a decision (the client went away); `by` is the subject doing it. */
  async cancel(id: string, options: { by?: string; reason?: string } = {}): Promise<ApprovalRequest> {
    this.#assertOpen();
    return this.#change(id, async (request, now) => {
      const at = now.toISOString();
      const approval: ApprovalAuditEvent['approval'] = { id, state: 'cancelled' };
      const change: Change = { state: 'cancelled', decided_at: at };
      if (options.by !== undefined) approval.by = change.decided_by = options.by;
      if (options.reason !== undefined) approval.reason = change.decision_reason = options.reason;
      return { change, event: this.#event(request, approval) };
    });
  }

  /**
   * Resolves with how the request ended — `approved`, `denied`, `expired` or `cancelled` — as soon as it
   * does, whichever gateway made the change. A request past its expiry is expired (and recorded) first.
   * Rejects with ERR_APPROVAL_NOT_FOUND for an unknown id, with the signal's reason when it aborts, and
   * with ERR_APPROVAL_CLOSED when the service closes; the gateway blocks on any rejection.
   */
  wait(id: string, options: { signal?: AbortSignal } = {}): Promise<ApprovalOutcome> {
    if (this.#closed) return Promise.reject(closedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ApprovalOutcome>((resolve, reject) => {
      const onAbort = () => {
        this.#removeWaiter(id, waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.#waiters.get(id);
      if (!set) this.#waiters.set(id, (set = new Set()));
      set.add(waiter);
      this.#startPolling();
      void this.#check(id);
    });
  }

  /** Expires every pending request past its expiry (each recorded once); resolves with how many. */
  async sweep(): Promise<number> {
    this.#assertOpen();
    const now = this.#clock();
    let expired = 0;
    let failure: unknown;
    for (const id of await this.store.due(now.toISOString(), SWEEP_BATCH)) {
      try {
        if (await this.#expire(id)) expired++;
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
    return expired;
  }

  /** Stops the timers and the listener; pending waits reject with ERR_APPROVAL_CLOSED. The store stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.#stopPolling();
    for (const [id, set] of this.#waiters) {
      for (const w of set) w.reject(closedError(id));
    }
    this.#waiters.clear();
    await this.#unsubscribe?.().catch(() => {});
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  #vote(
    id: string,
    approver: Identity,
    vote: VoteKind,
    reason: string | undefined,
  ): Promise<ApprovalRequest> {
    try {
      this.#assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    if (typeof approver?.subject !== 'string' || approver.subject === '' || !Array.isArray(approver.groups))
      return Promise.reject(
        new ApprovalError(
          'ERR_APPROVAL_INVALID_VOTE',
          'the approver identity needs a subject and a groups list',
          {
            requestId: id,
          },
        ),
      );
    return this.#change(id, async (request, now) => {
      const at = now.toISOString();
      if (at >= request.expires_at) {
        return {
          ...this.#expiryPlan(request, at),
          after: new ApprovalError(
            'ERR_APPROVAL_NOT_PENDING',
            `approval request ${id} expired at ${request.expires_at}`,
            {
              requestId: id,
            },
          ),
        };
      }
      if (sameSubject(approver, request.requester))
        throw new ApprovalError(
          'ERR_APPROVAL_SELF_APPROVAL',
          `${approver.subject} opened approval request ${id} and cannot ${vote} it: another approver must`,
          { requestId: id },
        );
      if (!request.requirements.some((r) => matchesRequirement(approver, r)))
        throw new ApprovalError(
          'ERR_APPROVAL_NOT_APPROVER',
          `${approver.subject} is not an approver of request ${id}; it needs ${describeRequirements(request)}`,
          { requestId: id },
        );
      if (request.votes.some((v) => v.subject === approver.subject))
        throw new ApprovalError(
          'ERR_APPROVAL_ALREADY_VOTED',
          `${approver.subject} already voted on request ${id}; each approver counts once`,
          { requestId: id },
        );
      const cast: ApprovalVote = { subject: approver.subject, identity: approver, vote, at };
      if (reason !== undefined && reason !== '') cast.reason = reason;
      const approval: ApprovalAuditEvent['approval'] = { id, state: 'requested', by: approver.subject };
      if (cast.reason !== undefined) approval.reason = cast.reason;
      const change: Change = { vote: cast };
      let outcome: ApprovalAuditEvent['outcome'] = 'approval_requested';
      if (vote === 'deny') {
        approval.state = outcome = change.state = 'denied';
      } else if (requirementsMet(request.requirements, [...request.votes, cast], request.requester)) {
        approval.state = outcome = change.state = 'approved';
      }
      if (change.state !== undefined) {
        change.decided_at = at;
        change.decided_by = approver.subject;
        if (vote === 'deny' && reason !== undefined) change.decision_reason = reason;
      }
      return { change, event: this.#event(request, approval, outcome, approver) };
    });
  }

  #expiryPlan(request: ApprovalRequest, at: string): Plan {
    return {
      change: { state: 'expired', decided_at: at },
      event: this.#event(
        request,
        { id: request.id, state: 'expired', expires_at: request.expires_at },
        'expired',
      ),
    };
  }

  /** Expires `id` if it is still pending and due; false when there was nothing to do or another gateway holds it. */
  async #expire(id: string): Promise<boolean> {
    try {
      await this.#change(
        id,
        async (request, now) => {
          const at = now.toISOString();
          return at >= request.expires_at ? this.#expiryPlan(request, at) : undefined;
        },
        { waitForClaim: false },
      );
      return true;
    } catch (err) {
      if (
        err instanceof ApprovalError &&
        (err.code === 'ERR_APPROVAL_NOT_PENDING' || err.code === 'ERR_APPROVAL_BUSY')
      )
        return false;
      if (err instanceof NothingToDo) return false;
      throw err;
    }
  }

  /**
   * Claims `id`, asks `plan` what to do with it, records that, commits it (see the top of this file). The
   * claim is released whatever happens before the commit.
   */
  async #change(
    id: string,
    plan: (request: ApprovalRequest, now: Date) => Promise<Plan | undefined>,
    options: { waitForClaim?: boolean } = {},
  ): Promise<ApprovalRequest> {
    const token = randomUUID();
    // Waiting for another gateway's claim is measured in real time: it is about that gateway, not policy time.
    const giveUp = Date.now() + (options.waitForClaim === false ? 0 : this.#claimWaitMs);
    let now: Date;
    for (let attempt = 0; ; attempt++) {
      now = this.#clock();
      const claimed = await this.store.claim(
        id,
        token,
        now.toISOString(),
        new Date(now.getTime() + this.#claimLeaseMs).toISOString(),
      );
      if (claimed === 'claimed') break;
      if (claimed === 'missing')
        throw new ApprovalError('ERR_APPROVAL_NOT_FOUND', `no approval request has the id ${id}`, {
          requestId: id,
        });
      if (claimed === 'closed') {
        const current = await this.store.get(id);
        throw new ApprovalError(
          'ERR_APPROVAL_NOT_PENDING',
          `approval request ${id} is already ${current?.state ?? 'closed'}${current?.decided_by ? ` (by ${current.decided_by})` : ''}`,
          { requestId: id },
        );
      }
      if (Date.now() >= giveUp)
        throw new ApprovalError(
          'ERR_APPROVAL_BUSY',
          `approval request ${id} is being changed by another gateway; try again`,
          { requestId: id },
        );
      await delay(Math.min(5 * 2 ** attempt, 100));
    }
    let committed = false;
    try {
      const request = await this.store.get(id);
      if (!request)
        throw new ApprovalError('ERR_APPROVAL_NOT_FOUND', `no approval request has the id ${id}`, {
          requestId: id,
        });
      const step = await plan(request, now);
      if (step === undefined) throw new NothingToDo();
      await this.#record(step.event);
      if (!(await this.store.commit(id, token, step.change)))
        throw new ApprovalError(
          'ERR_APPROVAL_CONFLICT',
          `approval request ${id} was taken over by another gateway while this change was recorded; nothing was changed, try again`,
          { requestId: id },
        );
      committed = true;
      this.#wake(id);
      if (step.after) throw step.after;
      return applyChange(request, step.change);
    } finally {
      if (!committed) await this.store.release(id, token).catch(() => {});
    }
  }

  async #record(event: ApprovalAuditEvent): Promise<void> {
    try {
      await this.#audit.append(event);
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      throw new ApprovalError(
        'ERR_APPROVAL_AUDIT_FAILED',
        `the audit trail did not record that approval request ${event.approval.id} is ${event.approval.state}${event.approval.by ? ` (by ${event.approval.by})` : ''}, so nothing was changed: ${(err as Error)?.message ?? String(err)}${typeof code === 'string' ? ` [${code}]` : ''}`,
        { requestId: event.approval.id, cause: err },
      );
    }
  }

  #event(
    request: ApprovalRequest,
    approval: ApprovalAuditEvent['approval'],
    outcome?: ApprovalAuditEvent['outcome'],
    actor?: Identity,
  ): ApprovalAuditEvent {
    const a = request.action;
    const event: ApprovalAuditEvent = { type: 'approval', approval, effect: 'require_approval' };
    if (typeof a?.id === 'string') event.action_id = a.id;
    if (typeof a?.session?.id === 'string') event.session = a.session.id;
    if (typeof a?.target?.name === 'string') event.target = a.target.name;
    if (typeof a?.kind === 'string') event.kind = a.kind;
    if (outcome !== undefined) event.outcome = outcome;
    if (actor !== undefined) event.identity = actor;
    return event;
  }

  #wake(id: string): void {
    if (this.#waiters.has(id)) void this.#check(id);
  }

  /** Reads `id` and settles its waiters when it has ended; expires it when it is due. */
  async #check(id: string): Promise<void> {
    let request: ApprovalRequest | undefined;
    try {
      request = await this.store.get(id);
    } catch (err) {
      this.#failWaiters(id, err);
      return;
    }
    if (!request) {
      this.#settle(id, (w) =>
        w.reject(
          new ApprovalError('ERR_APPROVAL_NOT_FOUND', `no approval request has the id ${id}`, {
            requestId: id,
          }),
        ),
      );
      return;
    }
    this.#expiries.set(id, request.expires_at);
    if (isFinal(request.state)) {
      const outcome = request.state;
      this.#settle(id, (w) => w.resolve(outcome));
      return;
    }
    if (this.#clock().toISOString() >= request.expires_at) await this.#expireForWaiters(id);
  }

  async #expireForWaiters(id: string): Promise<void> {
    try {
      if (await this.#expire(id)) return; // the commit woke the waiters
      // Another gateway holds it or just ended it: the next notification or poll settles the waiters.
    } catch (err) {
      // The expiry could not be recorded: the request is over (its time is up) but cannot be shown as
      // expired, so the waiter gets the error and blocks.
      this.#settle(id, (w) => w.reject(err));
    }
  }

  /** A read failed: waiters whose request is past its expiry get the error (they cannot wait longer). */
  #failWaiters(id: string, err: unknown): void {
    this.#logger.warn('approval store read failed', { id, error: String(err) });
    const expires = this.#expiries.get(id);
    if (expires === undefined || this.#clock().toISOString() >= expires)
      this.#settle(id, (w) => w.reject(err));
  }

  #settle(id: string, fn: (w: Waiter) => void): void {
    const set = this.#waiters.get(id);
    if (!set) return;
    this.#waiters.delete(id);
    this.#expiries.delete(id);
    for (const w of set) fn(w);
    if (this.#waiters.size === 0) this.#stopPolling();
  }

  #removeWaiter(id: string, waiter: Waiter): void {
    const set = this.#waiters.get(id);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) {
      this.#waiters.delete(id);
      this.#expiries.delete(id);
    }
    if (this.#waiters.size === 0) this.#stopPolling();
  }

  #startPolling(): void {
    if (this.#pollTimer || this.#pollMs <= 0) return;
    this.#pollTimer = setInterval(() => void this.#poll(), this.#pollMs);
  }

  #stopPolling(): void {
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#waiters.size === 0) return;
    this.#polling = true;
    try {
      const ids = [...this.#waiters.keys()];
      let states: Map<string, RequestState>;
      try {
        states = await this.store.states(ids);
      } catch (err) {
        for (const id of ids) this.#failWaiters(id, err);
        return;
      }
      const now = this.#clock().toISOString();
      await Promise.all(
        ids.map((id) => {
          const state = states.get(id);
          const expires = this.#expiries.get(id);
          if (state === undefined || isFinal(state) || expires === undefined || now >= expires)
            return this.#check(id);
          return undefined;
        }),
      );
    } finally {
      this.#polling = false;
    }
  }
}

/** Thrown inside #change when the plan has nothing to do (an expiry that is not due after all). */
class NothingToDo extends Error {}

function closedError(id?: string): ApprovalError {
  return new ApprovalError(
    'ERR_APPROVAL_CLOSED',
    'the approval service is closed',
    id === undefined ? undefined : { requestId: id },
  );
}

function applyChange(request: ApprovalRequest, change: Change): ApprovalRequest {
  const out: ApprovalRequest = {
    ...request,
    votes: change.vote ? [...request.votes, change.vote] : request.votes,
  };
  if (change.state !== undefined) out.state = change.state;
  if (change.decided_at !== undefined) out.decided_at = change.decided_at;
  if (change.decided_by !== undefined) out.decided_by = change.decided_by;
  if (change.decision_reason !== undefined) out.decision_reason = change.decision_reason;
  return out;
}

/** "2 of group:dba, user:carol; 1 of group:security" */
export function describeRequirements(request: Pick<ApprovalRequest, 'requirements'>): string {
  return request.requirements.map((r) => `${r.count} of ${r.approvers.join(', ')}`).join('; ');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
