/**
 * Who may use the gateway's admin API is policy too: the entry package's `admin` rule set names the
 * operations the caller may perform (`admin contains "audit.read" if ...`). The gateway asks once per
 * call with `{ identity, operation }` as input. Anything but a set (or array) of known operation names
 * containing the one asked for — no rule, an evaluation error, a timeout, a value of another shape —
 * refuses: the admin API fails closed like the data path.
 */
import { IDENTITY_TYPES, type Identity } from '@regate/action';
import { RegoSet, type Value } from '@regate/rego';

export const ADMIN_OPERATIONS = [
  'policy.read',
  'metrics.read',
  'audit.read',
  'audit.export',
  'approvals.read',
  'approvals.vote',
] as const;
export type AdminOperation = (typeof ADMIN_OPERATIONS)[number];

/** The Rego input of an admin authorization. */
export interface AdminInput {
  identity: Identity;
  operation: AdminOperation;
}

export interface AdminAuthorization {
  allowed: boolean;
  /** Why not (or "granted by policy"), for the 403 answer and the audit record. */
  reason: string;
  /** The policy revision that answered ('' when none is active). */
  revision: string;
}

const KNOWN = new Set<string>(ADMIN_OPERATIONS);

/** Reads the `admin` rule's value: the operations granted, or a reason the value is unusable. */
export function grantedOperations(v: Value | undefined): string[] | { invalid: string } {
  if (v === undefined) return [];
  const xs = v instanceof RegoSet ? [...v.values()] : Array.isArray(v) ? v : null;
  if (xs === null) return { invalid: 'admin must be a set of operation names' };
  const out: string[] = [];
  for (const x of xs) {
    if (typeof x !== 'string' || !KNOWN.has(x))
      return {
        invalid: `admin contains ${JSON.stringify(x)}, which is not one of ${ADMIN_OPERATIONS.join(', ')}`,
      };
    out.push(x);
  }
  return out;
}

/** What is wrong with an identity handed to authorizeAdmin, or undefined. */
export function identityProblem(identity: unknown): string | undefined {
  if (typeof identity !== 'object' || identity === null) return 'identity must be an object';
  const id = identity as Partial<Identity>;
  if (typeof id.subject !== 'string' || id.subject === '')
    return 'identity.subject must be a non-empty string';
  if (!Array.isArray(id.groups) || id.groups.some((g) => typeof g !== 'string'))
    return 'identity.groups must be an array of strings';
  if (!(IDENTITY_TYPES as readonly string[]).includes(id.type as string))
    return `identity.type must be one of ${IDENTITY_TYPES.join(', ')}`;
  return undefined;
}
