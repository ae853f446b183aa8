/**
 * PolicyEngine: decides Actions with a compiled policy revision.
 *
 * - decide(action) never throws: an invalid action, no active policy, an evaluation error, a timeout
 *   or a rule value of the wrong shape all yield `block`, with a reason that says what went wrong.
 * - activate(source) compiles a revision and swaps it in atomically (decisions are synchronous, so a
 *   decision runs entirely on the revision it started with); a revision that fails to compile never
 *   replaces a working one.
 */
import { type Action, actionProblems, type Decision } from '@regate/action';
import {
  compile,
  type ModuleSource,
  type Policy,
  type PreparedQuery,
  type Probe,
  type ProbePoint,
  RegoCompileError,
  RegoError,
  type RegoVersion,
  type Seams,
} from '@regate/rego';
import {
  ADMIN_OPERATIONS,
  type AdminAuthorization,
  type AdminInput,
  grantedOperations,
  identityProblem,
} from './admin.js';
import { DECISION_RULES, type DecisionQueries, evaluateDecision, prepareDecision } from './decision.js';
import { PolicyActivationError } from './errors.js';
import { blocked } from './fold.js';
import { type EngineMetrics, type FailureKind, Metrics } from './metrics.js';

export interface PolicySource {
  /** Identifies the revision in every Decision (a bundle revision, a Git commit...). */
  revision: string;
  modules: Record<string, string> | ModuleSource[];
  data?: unknown;
  regoVersion?: RegoVersion;
}

export interface EngineOptions {
  /** Package holding allow/block/require_approval/mask, dotted (default `regate`). */
  entrypoint?: string;
  /** Wall-clock budget per decision in milliseconds (default 100). */
  timeoutMs?: number;
  /** Evaluation step budget per decision (default 1,000,000). */
  maxSteps?: number;
  /** Pin time and randomness (tests, replays). */
  seams?: Partial<Seams>;
  /** Receives `print` output from policies. */
  print?: (text: string) => void;
  /** Clock for latency metrics, in milliseconds. */
  now?: () => number;
}

/** A fired rule, for explanations: which rules of the entry package produced a value. */
export interface FiredRule {
  rule: string;
  file: string;
  row: number;
  text: string;
}

interface Revision {
  revision: string;
  policy: Policy;
  queries: DecisionQueries;
  /** `admin__ := [x | x := data.<entry>.admin]`: the admin API's authorization (admin.ts). */
  admin: PreparedQuery;
  /** Instrumented twin for explain(), compiled on first use. */
  explain?: { policy: Policy; queries: DecisionQueries };
  source: PolicySource;
}

/**
 * The rule a probe report names when it is one that shapes decisions: an allow, block, require_approval
 * or mask rule of the entry package or of a package below it (`regate.postgres.block`), so an
 * explanation names the protocol rule that decided and not only the entry package's union of them. A
 * default is left out: it has no body, it says what holds when no rule fired.
 */
export function firedRule(p: ProbePoint, entry: string): FiredRule | null {
  if (!p.rule.startsWith(`data.${entry}.`)) return null;
  const name = p.rule.slice(p.rule.lastIndexOf('.') + 1);
  if (!(DECISION_RULES as readonly string[]).includes(name) || p.text.startsWith('default ')) return null;
  return { rule: p.rule, file: p.file, row: p.row, text: p.text };
}

export class PolicyEngine {
  private active: Revision | null = null;
  private readonly metricsState = new Metrics();
  private readonly entry: string;
  private readonly timeoutMs: number;
  private readonly maxSteps: number;
  private readonly now: () => number;

  constructor(private readonly opts: EngineOptions = {}) {
    this.entry = opts.entrypoint ?? 'regate';
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(this.entry)) {
      throw new TypeError(`entrypoint must be a dotted package path such as "regate", got "${this.entry}"`);
    }
    this.timeoutMs = opts.timeoutMs ?? 100;
    this.maxSteps = opts.maxSteps ?? 1_000_000;
    this.now = opts.now ?? (() => performance.now());
  }

  /** The active revision, or null before the first successful activation. */
  get revision(): string | null {
    return this.active?.revision ?? null;
  }

  get entrypoint(): string {
    return this.entry;
  }

  /**
   * Compiles `source` and makes it the active revision. Throws PolicyActivationError (code
   * ERR_POLICY_ACTIVATION, cause: the RegoCompileError) and keeps the current revision when it fails.
   */
  activate(source: PolicySource): void {
    let next: Revision;
    try {
      const policy = compile({
        modules: source.modules,
        data: source.data,
        ...(source.regoVersion ? { options: { regoVersion: source.regoVersion } } : {}),
      });
      next = {
        revision: source.revision,
        policy,
        queries: prepareDecision(policy, this.entry),
        admin: policy.prepare(`admin__ := [x | x := data.${this.entry}.admin]`),
        source,
      };
    } catch (err) {
      this.metricsState.activationsFailed++;
      const msg = err instanceof RegoCompileError || err instanceof RegoError ? err.message : String(err);
      throw new PolicyActivationError(source.revision, msg, { cause: err });
    }
    this.active = next;
    this.metricsState.activationsSucceeded++;
  }

  /** Decides `action`. Never throws; anything wrong is a `block` with the reason. */
  decide(action: unknown): Decision {
    const t0 = this.now();
    const d = this.decideInner(action, this.active);
    this.metricsState.observe(d.effect, (this.now() - t0) / 1000);
    return d;
  }

  /** Decides and reports which rules of the entry package fired (for `regate decide`). */
  explain(action: unknown): { decision: Decision; fired: FiredRule[] } {
    const rev = this.active;
    if (rev === null) return { decision: this.decideInner(action, null), fired: [] };
    if (!rev.explain) {
      const policy = compile({
        modules: rev.source.modules,
        data: rev.source.data,
        options: {
          instrument: true,
          ...(rev.source.regoVersion ? { regoVersion: rev.source.regoVersion } : {}),
        },
      });
      rev.explain = { policy, queries: prepareDecision(policy, this.entry) };
    }
    const fired = new Map<string, FiredRule>();
    const probe: Probe = {
      entered: () => {},
      failed: () => {},
      ruleSucceeded: (p: ProbePoint) => {
        const r = firedRule(p, this.entry);
        if (r !== null) fired.set(`${r.file}:${r.row}`, r);
      },
    };
    const decision = this.decideInner(action, { ...rev, ...rev.explain }, probe);
    return {
      decision,
      fired: [...fired.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row)),
    };
  }

  /**
   * May `input.identity` perform `input.operation` on the admin API? Never throws: no active policy, an
   * unknown operation, an evaluation error or an `admin` value of the wrong shape all refuse.
   */
  authorizeAdmin(input: AdminInput): AdminAuthorization {
    const rev = this.active;
    if (rev === null) return { allowed: false, reason: 'no policy revision is active', revision: '' };
    const refuse = (reason: string): AdminAuthorization => ({
      allowed: false,
      reason,
      revision: rev.revision,
    });
    if (!(ADMIN_OPERATIONS as readonly string[]).includes(input?.operation))
      return refuse(`unknown admin operation ${JSON.stringify(input?.operation)}`);
    const problem = identityProblem(input.identity);
    if (problem !== undefined) return refuse(`invalid identity: ${problem}`);
    let value: unknown;
    try {
      const rs = rev.admin.evaluate({
        input: { identity: input.identity, operation: input.operation },
        timeoutMs: this.timeoutMs,
        maxSteps: this.maxSteps,
        raw: true,
        ...(this.opts.seams ? { seams: this.opts.seams } : {}),
      });
      value = (rs[0]?.bindings.admin__ as unknown[] | undefined)?.[0];
    } catch (err) {
      return refuse(`policy evaluation failed: ${err instanceof RegoError ? err.message : String(err)}`);
    }
    const granted = grantedOperations(value as Parameters<typeof grantedOperations>[0]);
    if (!Array.isArray(granted)) return refuse(`invalid policy: ${granted.invalid}`);
    return granted.includes(input.operation)
      ? { allowed: true, reason: 'granted by policy', revision: rev.revision }
      : refuse(
          `${input.identity.subject} may not ${input.operation}: not granted by the policy's admin rules`,
        );
  }

  metrics(): EngineMetrics {
    return this.metricsState.snapshot(this.revision);
  }

  private fail(kind: FailureKind, revision: string, reason: string): Decision {
    this.metricsState.failures[kind]++;
    return blocked(revision, reason);
  }

  private decideInner(action: unknown, rev: Revision | null, probe?: Probe): Decision {
    if (rev === null) return this.fail('no_policy', '', 'no policy revision is active');
    const problems = actionProblems(action);
    if (problems.length > 0) {
      return this.fail(
        'invalid_action',
        rev.revision,
        `invalid action: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      );
    }
    let d: Decision;
    try {
      d = evaluateDecision(
        rev.policy,
        rev.queries,
        {
          input: action as Action,
          // validated against the Action schema just above: JSON values only
          trustedInput: true,
          timeoutMs: this.timeoutMs,
          maxSteps: this.maxSteps,
          ...(this.opts.seams ? { seams: this.opts.seams } : {}),
          ...(this.opts.print ? { print: this.opts.print } : {}),
          ...(probe ? { probe } : {}),
        },
        rev.revision,
      );
    } catch (err) {
      if (err instanceof RegoError && err.code === 'eval_cancel_error') {
        return this.fail('timeout', rev.revision, `policy evaluation stopped: ${err.detail}`);
      }
      const msg = err instanceof RegoError ? err.message : `internal error: ${String(err)}`;
      return this.fail('evaluation_error', rev.revision, `policy evaluation failed: ${msg}`);
    }
    if (d.effect === 'block' && d.reasons[0]?.startsWith('invalid policy:'))
      this.metricsState.failures.invalid_rule_value++;
    return d;
  }
}
