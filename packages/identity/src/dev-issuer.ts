/**
 * The dev issuer: an OIDC issuer for local use with no IdP and no network. It mints signed JWT access
 * tokens with a key kept in a file, serves its discovery document and JWKS from the gateway's admin
 * listener (so any OIDC client, and TokenVerifier.create, can use it), and verifies its own tokens with
 * the same checks as any issuer. Never for production: whoever can read the key file can be anyone.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentityType } from '@regate/action';
import { type JSONWebKeySet, SignJWT } from 'jose';
import type { IdentityConfig } from './config.js';
import { type DevKey, type DevKeyAlgorithm, loadOrCreateDevKey, readDevKey } from './dev-key.js';
import { IdentityError } from './errors.js';
import { TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';

/** Where the gateway and `regate token` look for the dev issuer by default. */
export const DEV_ISSUER_DEFAULTS = {
  keyPath: '.regate/dev-issuer.jwk',
  issuer: 'http://127.0.0.1:8081/dev-issuer',
  audience: 'regate',
} as const;

/** The claim the dev issuer writes the identity type in (user, service, agent). */
export const DEV_TYPE_CLAIM = 'regate_type';

/** Longest lifetime of a dev token: a day, so a forgotten one does not live forever. */
export const MAX_DEV_TTL_SEC = 24 * 3600;

export interface DevTokenClaims {
  subject: string;
  groups?: string[];
  email?: string;
  type?: IdentityType;
  /** Lifetime in seconds (default 3600, at most MAX_DEV_TTL_SEC). */
  ttlSec?: number;
  /** Audience of this token (default: the issuer's). */
  audience?: string;
}

export interface DevIssuerOptions {
  keyPath: string;
  /** The issuer URL, e.g. http://127.0.0.1:8081/dev-issuer: where the handler is reachable. */
  issuer: string;
  audience?: string;
  /** The algorithm of a newly created key (default EdDSA); an existing key keeps its own. */
  algorithm?: DevKeyAlgorithm;
  /** The time tokens are minted at (default: the system clock). */
  clock?: () => Date;
}

export class DevIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly #key: DevKey;
  readonly #clock: () => Date;
  readonly #path: string;

  private constructor(issuer: string, audience: string, key: DevKey, clock: () => Date) {
    this.issuer = issuer;
    this.audience = audience;
    this.#key = key;
    this.#clock = clock;
    this.#path = new URL(issuer).pathname.replace(/\/$/, '');
  }

  /** Loads the key at keyPath, or generates it there (mode 0600, directory created). */
  static async open(options: DevIssuerOptions): Promise<DevIssuer> {
    const issuer = checkIssuer(options.issuer);
    const key = await loadOrCreateDevKey(options.keyPath, options.algorithm);
    return new DevIssuer(
      issuer,
      options.audience ?? DEV_ISSUER_DEFAULTS.audience,
      key,
      options.clock ?? (() => new Date()),
    );
  }

  get kid(): string {
    return this.#key.kid;
  }

  get algorithm(): DevKeyAlgorithm {
    return this.#key.alg;
  }

  /** The public key set served at <issuer>/jwks. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.#key.publicJwk }] };
  }

  /** The OpenID Provider metadata served at <issuer>/.well-known/openid-configuration. */
  metadata(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer.replace(/\/$/, '')}/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.#key.alg],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'email', 'groups', DEV_TYPE_CLAIM],
    };
  }

  /** The IdentityConfig a gateway uses to accept this issuer's tokens (through discovery). */
  identityConfig(): IdentityConfig {
    return {
      issuer: this.issuer,
      audience: this.audience,
      claims: { type: DEV_TYPE_CLAIM },
      allowInsecureHttp: true,
    };
  }

  /**
   * Serves the discovery document and the JWKS; returns false for any other URL so the caller can route
   * it elsewhere (the gateway mounts this on its admin listener).
   */
  handler(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0];
    let body: unknown;
    if (path === `${this.#path}/.well-known/openid-configuration`) body = this.metadata();
    else if (path === `${this.#path}/jwks`) body = this.jwks();
    else return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method_not_allowed' }));
      return true;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': path.endsWith('/jwks') ? 'application/jwk-set+json' : 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  }

  /** A signed JWT access token for these claims. */
  mint(claims: DevTokenClaims): Promise<string> {
    return signDevToken(this.#key, this.issuer, claims.audience ?? this.audience, claims, this.#clock());
  }

  /** A TokenVerifier over this issuer's key (no discovery request), with the same checks as any issuer. */
  verifier(
    options: Pick<TokenVerifierOptions, 'clock'> & { clockToleranceSec?: number } = {},
  ): TokenVerifier {
    const { clockToleranceSec, ...rest } = options;
    const { introspection: _none, ...config } = this.identityConfig();
    return TokenVerifier.fromJwks(
      {
        ...config,
        algorithms: [this.#key.alg],
        ...(clockToleranceSec === undefined ? {} : { clockToleranceSec }),
      },
      this.jwks(),
      rest,
    );
  }
}

export interface MintDevTokenOptions extends DevTokenClaims {
  keyPath: string;
  issuer: string;
  clock?: () => Date;
}

/**
 * Mints a dev token from the key file alone (the CLI's `regate token`); the key must exist: it is created
 * by the gateway's dev issuer, never here, so a typo in the path cannot produce a key nobody trusts.
 */
export async function mintDevToken(options: MintDevTokenOptions): Promise<string> {
  const issuer = checkIssuer(options.issuer);
  let key: DevKey;
  try {
    key = await readDevKey(options.keyPath);
  } catch (err) {
    if (err instanceof IdentityError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
      throw new IdentityError(
        'ERR_IDENTITY_KEY',
        `no dev issuer key at ${options.keyPath}: start the gateway once with the dev issuer, or pass --key <file> (the gateway creates the key when it first starts)`,
        { cause: err.cause },
      );
    throw err;
  }
  return signDevToken(
    key,
    issuer,
    options.audience ?? DEV_ISSUER_DEFAULTS.audience,
    options,
    (options.clock ?? (() => new Date()))(),
  );
}

async function signDevToken(
  key: DevKey,
  issuer: string,
  audience: string,
  claims: DevTokenClaims,
  now: Date,
): Promise<string> {
  const bad = (message: string): never => {
    throw new IdentityError('ERR_TOKEN_CLAIMS', message);
  };
  if (typeof claims.subject !== 'string' || claims.subject === '')
    bad('a dev token needs a subject (--user)');
  const ttl = claims.ttlSec ?? 3600;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_DEV_TTL_SEC)
    bad(`a dev token lives between 1 second and ${MAX_DEV_TTL_SEC} seconds (24h), got ${ttl}`);
  if (typeof audience !== 'string' || audience === '') bad('a dev token needs an audience');
  const iat = Math.floor(now.getTime() / 1000);
  const payload: Record<string, unknown> = {};
  if (claims.email !== undefined) payload.email = claims.email;
  if (claims.groups !== undefined) payload.groups = [...claims.groups];
  if (claims.type !== undefined) payload[DEV_TYPE_CLAIM] = claims.type;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject(claims.subject)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

function checkIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new IdentityError(
      'ERR_IDENTITY_CONFIG',
      `the dev issuer URL '${issuer}' is not a URL, e.g. ${DEV_ISSUER_DEFAULTS.issuer}`,
    );
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '')
    throw new IdentityError(
      'ERR_IDENTITY_CONFIG',
      `the dev issuer URL '${issuer}' must be an http(s) URL without query or fragment`,
    );
  return issuer;
}
