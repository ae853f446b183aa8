/**
 * Claims → Identity: which claims become the subject, email, groups and type, with bounds so an absurd
 * token is refused (ERR_TOKEN_CLAIMS) instead of flowing into policy evaluation and the audit trail.
 */
import { IDENTITY_TYPES, type Identity, type IdentityType } from '@regate/action';
import type { ResolvedIdentityConfig } from './config.js';
import { IdentityError } from './errors.js';

/** Longest subject or group name accepted, in characters. */
export const MAX_CLAIM_LENGTH = 1024;
/** Most groups accepted in one token. */
export const MAX_GROUPS = 1024;
/** Longest email accepted (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 320;

/**
 * The value at `path`: the claim of that exact name when there is one (so namespaced claims such as
 * `https://example.com/groups` work), else the dot path through nested objects (`realm_access.roles`).
 * Only own properties are read, never inherited ones such as `constructor`.
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, part))
      return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export interface ClaimsSource {
  /** Where the claims come from, for messages: "token" or "introspection response". */
  from: string;
  /** When the subject claim is absent, use this (introspection: `client_id`, per RFC 9068 §2.2). */
  subjectFallback?: unknown;
}

export function identityFromClaims(
  claims: Record<string, unknown>,
  config: Pick<ResolvedIdentityConfig, 'claims' | 'defaultType'>,
  source: ClaimsSource = { from: 'token' },
): Identity {
  const refuse = (message: string): never => {
    throw new IdentityError('ERR_TOKEN_CLAIMS', message);
  };
  const names = config.claims;

  let subject = claimAt(claims, names.subject);
  if (subject === undefined) subject = source.subjectFallback;
  if (typeof subject !== 'string' || subject === '')
    refuse(
      `the ${source.from} has no subject: claim '${names.subject}' is ${subject === undefined ? 'missing' : 'not a non-empty string'}; set identity.claims.subject to the claim your issuer uses`,
    );
  const sub = subject as string;
  if (sub.length > MAX_CLAIM_LENGTH)
    refuse(`the ${source.from}'s subject is longer than ${MAX_CLAIM_LENGTH} characters`);

  const identity: Identity = {
    subject: sub,
    groups: groupsOf(claimAt(claims, names.groups), names.groups, source.from),
    type: typeOf(claims, config, source.from),
  };

  const email = claimAt(claims, names.email);
  if (email !== undefined) {
    if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH)
      refuse(
        `the ${source.from}'s '${names.email}' claim must be a string of at most ${MAX_EMAIL_LENGTH} characters`,
      );
    if (email !== '') identity.email = email as string;
  }
  if (typeof claims.iss === 'string') identity.issuer = claims.iss;
  return identity;
}

/** A list of strings is the groups; one string is one group; anything else (absent, a number, an object) is none. */
function groupsOf(value: unknown, claim: string, from: string): string[] {
  if (typeof value === 'string') value = [value];
  if (!Array.isArray(value)) return [];
  if (value.length > MAX_GROUPS)
    throw new IdentityError(
      'ERR_TOKEN_CLAIMS',
      `the ${from} has ${value.length} groups in '${claim}'; at most ${MAX_GROUPS} are accepted`,
    );
  const groups = new Set<string>();
  for (const g of value) {
    // A list with a non-string in it is not what the issuer meant to send: refuse rather than guess.
    if (typeof g !== 'string' || g === '' || g.length > MAX_CLAIM_LENGTH)
      throw new IdentityError(
        'ERR_TOKEN_CLAIMS',
        `the ${from}'s '${claim}' claim holds a group that is not a non-empty string of at most ${MAX_CLAIM_LENGTH} characters`,
      );
    groups.add(g);
  }
  return [...groups];
}

function typeOf(
  claims: Record<string, unknown>,
  config: Pick<ResolvedIdentityConfig, 'claims' | 'defaultType'>,
  from: string,
): IdentityType {
  const claim = config.claims.type;
  if (claim === undefined) return config.defaultType;
  const value = claimAt(claims, claim);
  if (value === undefined) return config.defaultType;
  if (typeof value === 'string' && (IDENTITY_TYPES as readonly string[]).includes(value))
    return value as IdentityType;
  throw new IdentityError(
    'ERR_TOKEN_CLAIMS',
    `the ${from}'s '${claim}' claim must be one of ${IDENTITY_TYPES.join(', ')}, got ${JSON.stringify(value).slice(0, 60)}`,
  );
}
