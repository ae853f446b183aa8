/**
 * The AdapterContext the gateway hands each protocol adapter (packages/action/src/adapter.ts): identity
 * from the token verifier, decisions from the policy engine (counted and timed), records into the audit
 * trail through the AuditRecorder, approvals through the ApprovalService on the same store.
 */
import {
  ACTION_KINDS,
  type Action,
  type AdapterContext,
  type AdapterEvent,
  type ApprovalResult,
  type ApprovalStatus,
  type Decision,
  type HeldApproval,
  type Identity,
} from '@regate/action';
import { ApprovalError, type ApprovalService } from '@regate/approvals';
import type { AuditEvent } from '@regate/audit';
import type { PolicyEngine } from '@regate/engine';
import type { AuditRecorder } from './audit-recorder.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';

/** What turns a bearer token into an identity (TokenVerifier, or the dev issuer's verifier). */
export interface Authenticator {
  verify(token: string): Promise<Identity>;
}

export interface ContextDeps {
  authenticator: Authenticator;
  engine: PolicyEngine;
  recorder: AuditRecorder;
  approvals: ApprovalService;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: () => Date;
  /** Monotonic milliseconds, for latency. */
  now: () => number;
  newId: () => string;
}

const KINDS = new Set<string>(ACTION_KINDS);

export function createAdapterContext(deps: ContextDeps): AdapterContext {
  const { engine, metrics, approvals } = deps;
  return {
    async authenticate(token) {
      try {
        return await deps.authenticator.verify(token);
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        if (typeof code === 'string') {
          metrics.authFailures.inc({ code });
          throw err;
        }
        // Not an identity error (a bug, a network failure inside the verifier): refused all the same,
        // with a code the adapter can answer 401 with.
        metrics.authFailures.inc({ code: 'ERR_AUTHENTICATION' });
        deps.logger.error('token verification failed unexpectedly', { error: (err as Error)?.message });
        throw Object.assign(new Error('the token could not be verified; try again, or get a new token'), {
          code: 'ERR_AUTHENTICATION',
        });
      }
    },

    decide(action: Action): Decision {
      const t0 = deps.now();
      const decision = engine.decide(action);
      metrics.decisionSeconds.observe((deps.now() - t0) / 1000);
      const kind = typeof action?.kind === 'string' && KINDS.has(action.kind) ? action.kind : 'invalid';
      metrics.decisions.inc({ effect: decision.effect, kind });
      return decision;
    },

    async record(event: AdapterEvent) {
      // AdapterEvent is the subset of AuditEvent an adapter may write.
      await deps.recorder.append(event as AuditEvent);
    },

    async requestApproval(action, decision, options = {}): Promise<HeldApproval> {
      const request = await approvals.open({
        action,
        decision,
        requester: action.identity,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      metrics.approvalsOpened.inc();
      const id = request.id;
      return {
        id,
        expiresAt: request.expires_at,
        async wait(waitOptions = {}): Promise<ApprovalResult> {
          const state = await approvals.wait(id, waitOptions.signal ? { signal: waitOptions.signal } : {});
          const result: ApprovalResult = { state };
          const ended = await approvals.get(id).catch(() => undefined);
          if (ended?.decided_by !== undefined) result.by = ended.decided_by;
          if (ended?.decision_reason !== undefined) result.reason = ended.decision_reason;
          return result;
        },
        async cancel(reason: string) {
          try {
            await approvals.cancel(id, { reason, by: action.identity.subject });
          } catch (err) {
            // Already decided or expired: "a request already ended is left as it is".
            if (err instanceof ApprovalError && err.code === 'ERR_APPROVAL_NOT_PENDING') return;
            throw err;
          }
        },
      };
    },

    async approvalStatus(id: string): Promise<ApprovalStatus | undefined> {
      const r = await approvals.get(id);
      if (!r) return undefined;
      return {
        id: r.id,
        state: r.state,
        requester: r.requester.subject,
        actionId: r.action.id,
        expiresAt: r.expires_at,
      };
    },

    newId: deps.newId,
    clock: deps.clock,
    logger: deps.logger,
  };
}
