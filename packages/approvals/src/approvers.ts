/**
 * Who may vote, and when a request is approved. An approver entry is `group:<name>` (anyone whose
 * identity lists the group), `user:<subject>` or a bare subject. A request is approved when every
 * requirement has `count` distinct approvers, other than the requester, who matched one of its entries
 * when they voted. Requirements are independent: one approver who matches two requirements counts
 * towards both (a policy that wants two different people writes one requirement with `count: 2`).
 */
import type { ApprovalRequirement, Identity } from '@regate/action';
import { ApprovalError } from './errors.js';
import type { ApprovalVote, NormalizedRequirement } from './request.js';

export type ApproverEntry = { kind: 'user'; subject: string } | { kind: 'group'; group: string };

export function parseApprover(entry: string): ApproverEntry {
  if (entry.startsWith('group:')) return { kind: 'group', group: entry.slice('group:'.length) };
  if (entry.startsWith('user:')) return { kind: 'user', subject: entry.slice('user:'.length) };
  return { kind: 'user', subject: entry };
}

/** Whether `identity` is named by `entry`. */
export function matchesApprover(identity: Identity, entry: string): boolean {
  const e = parseApprover(entry);
  return e.kind === 'user' ? identity.subject === e.subject : identity.groups.includes(e.group);
}

/** Whether `identity` matches any entry of `requirement`. */
export function matchesRequirement(
  identity: Identity,
  requirement: { approvers: readonly string[] },
): boolean {
  return requirement.approvers.some((entry) => matchesApprover(identity, entry));
}

/** Whether the same person: compared by subject, so a second token for the requester is still the requester. */
export function sameSubject(a: Identity, b: Identity): boolean {
  return a.subject === b.subject;
}

/** How far each requirement is: distinct eligible approving subjects against the count needed. */
export function tally(
  requirements: readonly NormalizedRequirement[],
  votes: readonly ApprovalVote[],
  requester: Identity,
): { requirement: NormalizedRequirement; approvedBy: string[]; needed: number }[] {
  return requirements.map((requirement) => {
    const approvedBy = new Set<string>();
    for (const v of votes) {
      if (v.vote !== 'approve' || v.subject === requester.subject) continue;
      if (matchesRequirement(v.identity, requirement)) approvedBy.add(v.subject);
    }
    return {
      requirement,
      approvedBy: [...approvedBy],
      needed: Math.max(0, requirement.count - approvedBy.size),
    };
  });
}

/** True when every requirement has its count of distinct eligible approvers. */
export function requirementsMet(
  requirements: readonly NormalizedRequirement[],
  votes: readonly ApprovalVote[],
  requester: Identity,
): boolean {
  return tally(requirements, votes, requester).every((t) => t.needed === 0);
}

/**
 * The Decision's requirements, checked and with `count` filled in. A requirement that nobody but the
 * requester could ever meet (only `user:` entries, fewer other subjects than `count`) is refused here, so
 * the gateway blocks at once instead of holding the request until it expires.
 */
export function normalizeRequirements(
  approvals: readonly ApprovalRequirement[] | undefined,
  requester: Identity,
): NormalizedRequirement[] {
  const bad = (message: string): never => {
    throw new ApprovalError('ERR_APPROVAL_INVALID_REQUEST', message);
  };
  if (!Array.isArray(approvals) || approvals.length === 0)
    bad('the Decision has no approval requirement: a require_approval Decision must name its approvers');
  return approvals!.map((r, i) => {
    const where = `approval requirement ${i + 1}`;
    if (typeof r !== 'object' || r === null) bad(`${where} is not an object`);
    if (!Array.isArray(r.approvers) || r.approvers.length === 0)
      bad(`${where} names no approvers; give group:<name> or user:<subject> entries`);
    for (const entry of r.approvers) {
      if (typeof entry !== 'string' || entry === '' || entry === 'group:' || entry === 'user:')
        bad(`${where} has an empty approver entry ${JSON.stringify(entry)}`);
    }
    const count = r.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      bad(`${where} has count ${JSON.stringify(r.count)}; it must be a whole number of at least 1`);
    const entries = r.approvers.map(parseApprover);
    if (entries.every((e) => e.kind === 'user')) {
      const others = new Set(entries.map((e) => (e.kind === 'user' ? e.subject : '')));
      others.delete(requester.subject);
      if (others.size < count)
        bad(
          `${where} can never be met: it needs ${count} approver${count === 1 ? '' : 's'} from ${r.approvers.join(', ')}, and the requester (${requester.subject}) cannot approve their own request`,
        );
    }
    const out: NormalizedRequirement = { approvers: [...r.approvers], count };
    if (typeof r.reason === 'string' && r.reason !== '') out.reason = r.reason;
    return out;
  });
}
