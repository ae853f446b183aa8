/**
 * What a gateway configures to accept an issuer's tokens, and its validation: an invalid configuration
 * fails at start with ERR_IDENTITY_CONFIG rather than refusing (or worse, accepting) tokens later.
 */
import { IDENTITY_TYPES, type IdentityType } from '@regate/action';
import { IdentityError } from './errors.js';

export interface ClaimsMapping {
  /** The claim holding the subject (default `sub`). */
  subject?: string;
  /** The claim holding the email (default `email`). */
  email?: string;
  /** A claim name or dot path to the groups (default `groups`; e.g. `realm_access.roles`). */
  groups?: string;
  /** The claim holding the identity type, `user`, `service` or `agent` (default: none, so `defaultType`). */
  type?: string;
}

export interface IdentityConfig {
  /** The issuer identifier, exactly as the tokens' `iss` and the discovery document's `issuer` say it. */
  issuer: string;
  /** The audience this gateway accepts: a token's `aud` must contain it. */
  audience: string;
  /** Allowed JWS algorithms (default: RS256-512, PS256-512, ES256-512, EdDSA). `none` and HS* are refused. */
  algorithms?: string[];
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockToleranceSec?: number;
  claims?: ClaimsMapping;
  /** The type of identities whose token has no type claim (default `user`). */
  defaultType?: IdentityType;
  /** Client credentials for RFC 7662 introspection of opaque (non-JWT) tokens; without them they are refused. */
  introspection?: {
    clientId: string;
    clientSecret: string;
    /** How the client authenticates to the introspection endpoint (default client_secret_basic). */
    authMethod?: 'client_secret_basic' | 'client_secret_post';
  };
  /** Allow an http:// issuer. Default: allowed for loopback hosts (127.0.0.0/8, ::1, localhost) only. */
  allowInsecureHttp?: boolean;
  /** Time limit for each request to the issuer (discovery, JWKS, introspection), in seconds (default 5). */
  timeoutSec?: number;
}

/** The configuration with every default applied; what TokenVerifier works from. */
export interface ResolvedIdentityConfig {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSec: number;
  claims: { subject: string; email: string; groups: string; type: string | undefined };
  defaultType: IdentityType;
  introspection:
    | { clientId: string; clientSecret: string; authMethod: 'client_secret_basic' | 'client_secret_post' }
    | undefined;
  allowInsecureHttp: boolean;
  timeoutSec: number;
}

/** The asymmetric JWS algorithms a token may use; the default allowlist is all of them. */
export const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

// `Ed25519` is the fully-specified name for EdDSA over Ed25519 (RFC 9864); allowed when configured.
const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set([...DEFAULT_ALGORITHMS, 'Ed25519']);

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
export const DEFAULT_TIMEOUT_SEC = 5;

export function resolveIdentityConfig(config: IdentityConfig): ResolvedIdentityConfig {
  const bad = (message: string): never => {
    throw new IdentityError('ERR_IDENTITY_CONFIG', message);
  };
  if (typeof config !== 'object' || config === null) bad('the identity configuration must be an object');
  const issuer = config.issuer;
  if (typeof issuer !== 'string' || issuer === '')
    bad('identity.issuer is missing: set it to the OIDC issuer URL');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return bad(
      `identity.issuer '${issuer}' is not a URL: set it to the issuer identifier, e.g. https://idp.example.com`,
    );
  }
  if (url.search !== '' || url.hash !== '')
    bad(
      `identity.issuer '${issuer}' has a query or fragment: an issuer identifier has neither (OpenID Connect Discovery §2)`,
    );
  if (url.username !== '' || url.password !== '')
    bad(`identity.issuer must not carry a user name or password`);
  const allowInsecureHttp = config.allowInsecureHttp ?? isLoopback(url);
  if (url.protocol === 'http:' && !allowInsecureHttp)
    bad(
      `identity.issuer '${issuer}' uses http://, which lets anyone on the path swap the signing keys: use https://, or set allowInsecureHttp: true for a test issuer`,
    );
  else if (url.protocol !== 'http:' && url.protocol !== 'https:')
    bad(`identity.issuer '${issuer}' must be an https:// URL`);

  if (typeof config.audience !== 'string' || config.audience === '')
    bad(`identity.audience is missing: set it to the audience your issuer puts in tokens for this gateway`);

  const algorithms = config.algorithms ?? [...DEFAULT_ALGORITHMS];
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    bad(`identity.algorithms must list at least one algorithm, e.g. [RS256]`);
  for (const alg of algorithms)
    if (!SUPPORTED_ALGORITHMS.has(alg))
      bad(
        /^(none|HS\d+)$/i.test(String(alg))
          ? `identity.algorithms must not contain '${alg}': unsigned and shared-secret (HMAC) tokens are never accepted`
          : `identity.algorithms: '${alg}' is not a supported algorithm; use any of ${[...SUPPORTED_ALGORITHMS].join(', ')}`,
      );

  const clockToleranceSec = config.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0 || clockToleranceSec > 600)
    bad(`identity.clockToleranceSec must be between 0 and 600 seconds, got ${clockToleranceSec}`);
  const timeoutSec = config.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0 || timeoutSec > 120)
    bad(`identity.timeoutSec must be more than 0 and at most 120 seconds, got ${timeoutSec}`);

  const c = config.claims ?? {};
  for (const key of ['subject', 'email', 'groups', 'type'] as const) {
    const v = c[key];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      bad(`identity.claims.${key} must be a claim name, got ${JSON.stringify(v)}`);
  }
  const defaultType = config.defaultType ?? 'user';
  if (!(IDENTITY_TYPES as readonly string[]).includes(defaultType))
    bad(`identity.defaultType must be one of ${IDENTITY_TYPES.join(', ')}, got '${defaultType}'`);

  let introspection: ResolvedIdentityConfig['introspection'];
  if (config.introspection !== undefined) {
    const { clientId, clientSecret, authMethod = 'client_secret_basic' } = config.introspection;
    if (typeof clientId !== 'string' || clientId === '') bad('identity.introspection.clientId is missing');
    if (typeof clientSecret !== 'string' || clientSecret === '')
      bad('identity.introspection.clientSecret is missing');
    if (authMethod !== 'client_secret_basic' && authMethod !== 'client_secret_post')
      bad(`identity.introspection.authMethod must be client_secret_basic or client_secret_post`);
    introspection = { clientId, clientSecret, authMethod };
  }

  return {
    issuer,
    audience: config.audience,
    algorithms: [...algorithms],
    clockToleranceSec,
    claims: {
      subject: c.subject ?? 'sub',
      email: c.email ?? 'email',
      groups: c.groups ?? 'groups',
      type: c.type,
    },
    defaultType,
    introspection,
    allowInsecureHttp,
    timeoutSec,
  };
}

/** Whether a URL names this machine: plain http there exposes nothing to the network. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses an http:// URL the issuer published (jwks_uri) unless http is allowed for this issuer. */
export function checkFetchedUrl(what: string, value: unknown, config: ResolvedIdentityConfig): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new IdentityError(
      'ERR_ISSUER_UNREACHABLE',
      `the issuer ${config.issuer} published an invalid ${what}`,
    );
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && config.allowInsecureHttp)) return url;
  throw new IdentityError(
    'ERR_ISSUER_UNREACHABLE',
    `the issuer ${config.issuer} published ${what} ${url.href}, which is not https://; refusing to fetch keys over it`,
  );
}
