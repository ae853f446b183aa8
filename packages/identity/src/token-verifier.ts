/**
 * TokenVerifier: a credential in, an Identity out, the way a careful resource server does it. The checks
 * run in this fixed order, and the first that fails decides the error code:
 *
 *  1. empty or missing                                    → ERR_TOKEN_MISSING
 *  2. not a JWS compact JWT (three base64url parts whose header is JSON with an `alg`): an opaque token,
 *     introspected when an introspection client is configured (`active: false` → ERR_TOKEN_INACTIVE),
 *     else, or when it is not even token characters       → ERR_TOKEN_MALFORMED
 *  3. header `alg` not in the allowlist (never none, HS*)  → ERR_TOKEN_ALGORITHM
 *  4. no JWKS key for the `kid`, after fetching it again  → ERR_TOKEN_KEY_UNKNOWN
 *  5. signature                                           → ERR_TOKEN_SIGNATURE
 *  6. `iss` ≠ the issuer                                  → ERR_TOKEN_ISSUER
 *  7. `aud` without the audience                          → ERR_TOKEN_AUDIENCE
 *  8. `exp` missing (ERR_TOKEN_CLAIMS: a token must expire) or passed → ERR_TOKEN_EXPIRED
 *  9. `nbf` or `iat` in the future                        → ERR_TOKEN_NOT_YET_VALID
 * 10. `cnf` (a sender-constrained token presented as a bearer token), subject, email, groups, type
 *                                                         → ERR_TOKEN_CLAIMS
 * Times 8 and 9 allow the clock tolerance. Introspected tokens go through 6 to 10 on the introspection
 * response (with `iss` and `exp` optional there). Fetching the issuer's metadata, keys or introspection
 * answer can fail anywhere with ERR_ISSUER_UNREACHABLE.
 */
import { type AdapterLogger, type Identity, SILENT_LOGGER } from '@regate/action';
import {
  type CompactVerifyResult,
  type CryptoKey,
  compactVerify,
  createLocalJWKSet,
  type JSONWebKeySet,
  errors as joseErrors,
} from 'jose';
import { identityFromClaims } from './claims.js';
import { type IdentityConfig, type ResolvedIdentityConfig, resolveIdentityConfig } from './config.js';
import { IdentityError } from './errors.js';
import { IssuerClient, type TokenKeySource } from './issuer-client.js';

export interface TokenVerifierOptions {
  /** The time tokens are checked against (default: the system clock). */
  clock?: () => Date;
  /** The fetch used for discovery, JWKS and introspection requests (default: global fetch). */
  fetch?: typeof fetch;
  logger?: AdapterLogger;
}

/** Longest token accepted, in characters: far above any real token, far below what would hurt. */
export const MAX_TOKEN_LENGTH = 32 * 1024;

const JWS_PART = /^[A-Za-z0-9_-]*$/;

/**
 * How many verified JWTs are remembered, so that a client's next request with the same token skips the
 * signature check. A key removed from the issuer's JWKS does not evict tokens it signed: they stay
 * accepted until they expire (restart the gateway after a key compromise). Opaque tokens are never
 * remembered: the issuer may revoke them, and introspection is how that is noticed.
 */
export const VERIFIED_CACHE_SIZE = 10_000;

const JWT_CHECKS = { from: 'token', requireIssuer: true, requireExpiry: true } as const;
// RFC 6750 §2.1 b64token: what an opaque bearer token may be made of.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export class TokenVerifier {
  readonly #config: ResolvedIdentityConfig;
  readonly #keys: TokenKeySource;
  readonly #clock: () => Date;
  /** Claims of tokens whose signature verified, by token (oldest first, at most VERIFIED_CACHE_SIZE). */
  readonly #verified = new Map<string, Record<string, unknown>>();

  private constructor(config: ResolvedIdentityConfig, keys: TokenKeySource, clock: () => Date) {
    this.#config = config;
    this.#keys = keys;
    this.#clock = clock;
  }

  /**
   * A verifier for an OIDC issuer, found by discovery. Rejects only for an invalid configuration
   * (ERR_IDENTITY_CONFIG): when the issuer cannot be reached now, the verifier is returned anyway and
   * discovery is tried again on each token until it succeeds (`ready()` tells whether it has).
   */
  static async create(config: IdentityConfig, options: TokenVerifierOptions = {}): Promise<TokenVerifier> {
    const resolved = resolveIdentityConfig(config);
    const client = new IssuerClient(resolved, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      logger: options.logger ?? SILENT_LOGGER,
    });
    await client.ready().catch(() => {
      // Logged by the client; verify() reports ERR_ISSUER_UNREACHABLE until the issuer answers.
    });
    return new TokenVerifier(resolved, client, options.clock ?? (() => new Date()));
  }

  /**
   * A verifier over fixed public keys, with no network at all (the dev issuer, or an issuer whose keys
   * are configured by hand). Same checks; opaque tokens are refused.
   */
  static fromJwks(
    config: Omit<IdentityConfig, 'introspection'>,
    jwks: JSONWebKeySet,
    options: Pick<TokenVerifierOptions, 'clock'> = {},
  ): TokenVerifier {
    const resolved = resolveIdentityConfig(config);
    if (!Array.isArray(jwks?.keys) || jwks.keys.some((k) => 'd' in k || k.kty === 'oct'))
      throw new IdentityError(
        'ERR_IDENTITY_CONFIG',
        'the key set must hold public keys only (no private or symmetric keys)',
      );
    const local = createLocalJWKSet(jwks);
    return new TokenVerifier(
      resolved,
      { getKey: local, ready: async () => {} },
      options.clock ?? (() => new Date()),
    );
  }

  get issuer(): string {
    return this.#config.issuer;
  }

  get audience(): string {
    return this.#config.audience;
  }

  /** Resolves once the issuer's metadata is known; rejects with ERR_ISSUER_UNREACHABLE while it is not. */
  ready(): Promise<void> {
    return this.#keys.ready();
  }

  /** The identity a token proves, or an IdentityError saying why it proves none. */
  async verify(token: string): Promise<Identity> {
    if (typeof token !== 'string' || token.trim() === '')
      throw new IdentityError(
        'ERR_TOKEN_MISSING',
        'no token was presented: send an OIDC access token (Authorization: Bearer <token>); get one with `regate login` or `regate token`',
      );
    if (token.length > MAX_TOKEN_LENGTH)
      throw new IdentityError(
        'ERR_TOKEN_MALFORMED',
        `the token is longer than ${MAX_TOKEN_LENGTH} characters; it is not a token this gateway accepts`,
      );
    const parts = token.split('.');
    const header = parts.length === 3 ? jwsHeader(parts) : undefined;
    if (header === undefined) return this.#verifyOpaque(token, parts.length);
    return this.#verifyJwt(token, header);
  }

  async #verifyJwt(token: string, header: Record<string, unknown>): Promise<Identity> {
    // A token seen before skips the signature (the costly step: every request of a client carries the
    // same token); its claims are checked again, times against the clock of now.
    const seen = this.#verified.get(token);
    if (seen !== undefined) {
      try {
        return this.#checkClaims(seen, JWT_CHECKS);
      } catch (err) {
        this.#verified.delete(token);
        throw err;
      }
    }
    const c = this.#config;
    const alg = header.alg as string;
    if (!c.algorithms.includes(alg))
      throw new IdentityError(
        'ERR_TOKEN_ALGORITHM',
        /^(none|HS\d+)$/i.test(alg)
          ? `the token uses alg '${alg.slice(0, 20)}', which is never accepted (unsigned or shared-secret); get a token from the configured issuer`
          : `the token uses alg '${alg.slice(0, 20)}', which is not allowed here (allowed: ${c.algorithms.join(', ')})`,
      );
    const result = await this.#checkSignature(token);
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(result.payload));
    } catch {
      claims = undefined;
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw new IdentityError(
        'ERR_TOKEN_MALFORMED',
        'the token is signed but its payload is not a JSON object of claims',
      );
    const identity = this.#checkClaims(claims as Record<string, unknown>, JWT_CHECKS);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE)
      this.#verified.delete(this.#verified.keys().next().value as string);
    this.#verified.set(token, claims as Record<string, unknown>);
    return identity;
  }

  async #checkSignature(token: string): Promise<CompactVerifyResult> {
    const options = { algorithms: [...this.#config.algorithms] };
    try {
      return await compactVerify(token, this.#keys.getKey, options);
    } catch (err) {
      // No `kid` and several keys fit: try each, as jose documents for this case.
      if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        for await (const key of err as unknown as AsyncIterable<CryptoKey>) {
          try {
            return await compactVerify(token, key, options);
          } catch (inner) {
            if (!(inner instanceof joseErrors.JWSSignatureVerificationFailed))
              throw joseFailure(inner, this.#config);
          }
        }
        throw joseFailure(new joseErrors.JWSSignatureVerificationFailed(), this.#config);
      }
      throw joseFailure(err, this.#config);
    }
  }

  async #verifyOpaque(token: string, partCount: number): Promise<Identity> {
    const introspect = this.#keys.introspect;
    // Three parts that are not a JWS, or characters no token has, are garbage: never sent to the issuer.
    if (partCount === 3 || !B64TOKEN.test(token))
      throw new IdentityError(
        'ERR_TOKEN_MALFORMED',
        'the token is not a JWT (header.payload.signature, base64url) nor an opaque OAuth token: send the access token exactly as the issuer gave it',
      );
    if (introspect === undefined)
      throw new IdentityError(
        'ERR_TOKEN_MALFORMED',
        partCount === 5
          ? 'the token is an encrypted JWT (JWE), which this gateway cannot read: ask the issuer for a signed JWT access token'
          : 'the token is not a JWT and this gateway has no introspection client for opaque tokens: ask the issuer for JWT access tokens, or configure identity.introspection',
      );
    const answer = await introspect(token);
    if (answer.active !== true)
      throw new IdentityError(
        'ERR_TOKEN_INACTIVE',
        'the issuer says this token is not active (revoked, expired or unknown): get a new token',
      );
    return this.#checkClaims(answer, {
      from: 'introspection response',
      requireIssuer: false,
      requireExpiry: false,
      subjectFallback: answer.client_id,
    });
  }

  /** Steps 6 to 10 of the order above. */
  #checkClaims(
    claims: Record<string, unknown>,
    how: { from: string; requireIssuer: boolean; requireExpiry: boolean; subjectFallback?: unknown },
  ): Identity {
    const c = this.#config;
    if (claims.iss !== undefined || how.requireIssuer) {
      if (claims.iss !== c.issuer)
        throw new IdentityError(
          'ERR_TOKEN_ISSUER',
          `the ${how.from} was issued by ${typeof claims.iss === 'string' ? `'${claims.iss.slice(0, 200)}'` : 'no issuer'}, not ${c.issuer}: get a token from ${c.issuer}`,
        );
    }
    const aud = claims.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.includes(c.audience))
      throw new IdentityError(
        'ERR_TOKEN_AUDIENCE',
        `the ${how.from} is not meant for this gateway: its audience does not include '${c.audience}'; request a token for that audience`,
      );

    const now = this.#clock().getTime() / 1000;
    const tolerance = c.clockToleranceSec;
    const exp = numericDate(claims, 'exp', how.from);
    if (exp === undefined) {
      if (how.requireExpiry)
        throw new IdentityError(
          'ERR_TOKEN_CLAIMS',
          `the ${how.from} has no expiry (exp): tokens that never expire are refused`,
        );
    } else if (exp <= now - tolerance)
      throw new IdentityError(
        'ERR_TOKEN_EXPIRED',
        `the ${how.from} expired at ${isoTime(exp)}: get a new token`,
      );
    for (const name of ['nbf', 'iat'] as const) {
      const t = numericDate(claims, name, how.from);
      if (t !== undefined && t > now + tolerance)
        throw new IdentityError(
          'ERR_TOKEN_NOT_YET_VALID',
          `the ${how.from} is not valid before ${isoTime(t)} (${name}); if that is now, the clocks of the issuer and the gateway disagree`,
        );
    }
    if (claims.cnf !== undefined)
      throw new IdentityError(
        'ERR_TOKEN_CLAIMS',
        `the ${how.from} is bound to a key (cnf: DPoP or mutual TLS) and cannot be used as a plain bearer token here`,
      );
    return identityFromClaims(claims, c, {
      from: how.from,
      ...(how.subjectFallback === undefined ? {} : { subjectFallback: how.subjectFallback }),
    });
  }
}

/** The JOSE header of a three-part token when it is one (base64url JSON object with a string `alg`). */
function jwsHeader(parts: string[]): Record<string, unknown> | undefined {
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || p === '' || !JWS_PART.test(h) || !JWS_PART.test(p) || !JWS_PART.test(s)) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    if (typeof (header as { alg?: unknown }).alg !== 'string') return undefined;
    return header as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function numericDate(claims: Record<string, unknown>, name: string, from: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new IdentityError('ERR_TOKEN_CLAIMS', `the ${from}'s '${name}' claim is not a number of seconds`);
  return v;
}

function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? `${seconds}` : d.toISOString();
}

/** jose's verification errors as identity error codes. */
function joseFailure(err: unknown, config: ResolvedIdentityConfig): IdentityError {
  if (err instanceof IdentityError) return err;
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return new IdentityError(
      'ERR_TOKEN_KEY_UNKNOWN',
      `no signing key of ${config.issuer} matches the token's key id (kid), even after fetching the issuer's keys again: the token was signed by another issuer or with a retired key; get a new token`,
    );
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return new IdentityError(
      'ERR_TOKEN_ALGORITHM',
      `the token's algorithm is not allowed here (allowed: ${config.algorithms.join(', ')})`,
    );
  if (err instanceof joseErrors.JOSENotSupported)
    return new IdentityError(
      'ERR_TOKEN_MALFORMED',
      `the token uses a JOSE feature this gateway does not support: ${err.message}`,
    );
  if (err instanceof joseErrors.JWSInvalid)
    return new IdentityError('ERR_TOKEN_MALFORMED', `the token is not a valid JWS: ${err.message}`);
  // A bad signature, and anything else that stops verification (a key of the wrong type for the alg):
  // the token is not proven, so it is refused as unsigned by the issuer.
  return new IdentityError(
    'ERR_TOKEN_SIGNATURE',
    `the token's signature does not verify with ${config.issuer}'s key: it was altered, or not signed by that issuer`,
  );
}
