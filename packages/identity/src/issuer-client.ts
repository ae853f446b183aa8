/**
 * The network side of token verification: OIDC discovery (openid-client), the issuer's JWKS (jose's
 * remote key set: cached, fetched again on an unknown `kid` no more than once per cooldown) and RFC 7662
 * introspection. Discovery that fails is tried again on the next request that needs it, so a gateway
 * started while its IdP is down recovers by itself; concurrent requests share one attempt.
 */
import type { AdapterLogger } from '@regate/action';
import {
  type CompactVerifyGetKey,
  createRemoteJWKSet,
  customFetch as joseCustomFetch,
  errors as joseErrors,
} from 'jose';
import * as oidc from 'openid-client';
import { checkFetchedUrl, type ResolvedIdentityConfig } from './config.js';
import { IdentityError } from './errors.js';

/** Where a TokenVerifier gets keys (and, for opaque tokens, introspection answers) from. */
export interface TokenKeySource {
  /** Resolves the verification key for a token's header; rejects with IdentityError or a jose error. */
  getKey: CompactVerifyGetKey;
  /** RFC 7662 introspection; absent when no introspection client is configured. */
  introspect?: ((token: string) => Promise<Record<string, unknown>>) | undefined;
  /** Resolves once the issuer's metadata and keys can be used; rejects with ERR_ISSUER_UNREACHABLE. */
  ready(): Promise<void>;
}

interface Discovered {
  client: oidc.Configuration;
  jwks: ReturnType<typeof createRemoteJWKSet>;
  jwksUri: URL;
}

export class IssuerClient implements TokenKeySource {
  readonly #config: ResolvedIdentityConfig;
  readonly #fetch: typeof fetch | undefined;
  readonly #logger: AdapterLogger;
  #discovered: Discovered | undefined;
  #pending: Promise<Discovered> | undefined;

  readonly getKey: CompactVerifyGetKey;
  readonly introspect: ((token: string) => Promise<Record<string, unknown>>) | undefined;

  constructor(config: ResolvedIdentityConfig, options: { fetch?: typeof fetch; logger: AdapterLogger }) {
    this.#config = config;
    this.#fetch = options.fetch;
    this.#logger = options.logger;
    this.getKey = async (header, token) => {
      const d = await this.#discover();
      try {
        return await d.jwks(header, token);
      } catch (err) {
        throw jwksFailure(err, d.jwksUri, config);
      }
    };
    this.introspect = config.introspection === undefined ? undefined : (token) => this.#introspect(token);
  }

  async ready(): Promise<void> {
    await this.#discover();
  }

  #discover(): Promise<Discovered> {
    if (this.#discovered) return Promise.resolve(this.#discovered);
    this.#pending ??= this.#discoverOnce().then(
      (d) => {
        this.#discovered = d;
        this.#pending = undefined;
        this.#logger.info('identity: discovered the OIDC issuer', {
          issuer: this.#config.issuer,
          jwks_uri: d.jwksUri.href,
        });
        return d;
      },
      (err: unknown) => {
        this.#pending = undefined;
        this.#logger.warn('identity: OIDC discovery failed; tried again on the next token', {
          issuer: this.#config.issuer,
          error: (err as Error).message,
        });
        throw err;
      },
    );
    return this.#pending;
  }

  async #discoverOnce(): Promise<Discovered> {
    const c = this.#config;
    const wellKnown = `${c.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const intro = c.introspection;
    const options: oidc.DiscoveryRequestOptions = {
      timeout: c.timeoutSec,
      execute: c.allowInsecureHttp ? [oidc.allowInsecureRequests] : [],
    };
    if (this.#fetch) options[oidc.customFetch] = this.#fetch as oidc.CustomFetch;
    let client: oidc.Configuration;
    try {
      client = await oidc.discovery(
        new URL(c.issuer),
        // Without introspection no client is involved: openid-client still wants an id, and only the
        // metadata is used.
        intro?.clientId ?? c.audience,
        intro?.clientSecret,
        intro === undefined
          ? oidc.None()
          : intro.authMethod === 'client_secret_post'
            ? oidc.ClientSecretPost(intro.clientSecret)
            : oidc.ClientSecretBasic(intro.clientSecret),
        options,
      );
    } catch (err) {
      throw new IdentityError(
        'ERR_ISSUER_UNREACHABLE',
        `cannot discover the OIDC issuer: GET ${wellKnown} failed (${reason(err, c.timeoutSec)}). Check that identity.issuer is right and reachable from the gateway; it is tried again on the next token.`,
        { cause: err },
      );
    }
    const metadata = client.serverMetadata();
    if (metadata.jwks_uri === undefined)
      throw new IdentityError(
        'ERR_ISSUER_UNREACHABLE',
        `the OIDC issuer ${c.issuer} publishes no jwks_uri in ${wellKnown}, so its tokens cannot be verified`,
      );
    const jwksUri = checkFetchedUrl('jwks_uri', metadata.jwks_uri, c);
    const jwks = createRemoteJWKSet(jwksUri, {
      timeoutDuration: Math.ceil(c.timeoutSec * 1000),
      ...(this.#fetch ? { [joseCustomFetch]: this.#fetch } : {}),
    });
    return { client, jwks, jwksUri };
  }

  async #introspect(token: string): Promise<Record<string, unknown>> {
    const d = await this.#discover();
    const endpoint = d.client.serverMetadata().introspection_endpoint;
    if (endpoint === undefined)
      throw new IdentityError(
        'ERR_INTROSPECTION_FAILED',
        `the OIDC issuer ${this.#config.issuer} publishes no introspection_endpoint, so opaque tokens cannot be checked; remove identity.introspection or use JWT access tokens`,
      );
    try {
      return (await oidc.tokenIntrospection(d.client, token)) as Record<string, unknown>;
    } catch (err) {
      const refused =
        err instanceof oidc.ResponseBodyError
          ? `HTTP ${err.status}, ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`
          : err instanceof oidc.WWWAuthenticateChallengeError
            ? `HTTP ${err.status}, ${err.cause.map((c) => c.parameters.error ?? c.scheme).join(', ')}`
            : undefined;
      if (refused !== undefined)
        throw new IdentityError(
          'ERR_INTROSPECTION_FAILED',
          `the introspection endpoint ${endpoint} refused the gateway's request (${refused}). Check identity.introspection.clientId and clientSecret, and that this client may introspect.`,
        );
      throw new IdentityError(
        'ERR_ISSUER_UNREACHABLE',
        `cannot introspect the token: POST ${endpoint} failed (${reason(err, this.#config.timeoutSec)}); try again`,
        { cause: err },
      );
    }
  }
}

/** Maps a failure from the remote key set: unknown kid stays a jose error for the verifier to map. */
function jwksFailure(err: unknown, jwksUri: URL, config: ResolvedIdentityConfig): unknown {
  if (
    err instanceof joseErrors.JWKSNoMatchingKey ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys ||
    err instanceof IdentityError
  )
    return err;
  if (
    err instanceof joseErrors.JWKSInvalid ||
    err instanceof joseErrors.JWKSTimeout ||
    !(err instanceof joseErrors.JOSEError) ||
    err.constructor === joseErrors.JOSEError
  )
    return new IdentityError(
      'ERR_ISSUER_UNREACHABLE',
      `cannot fetch the issuer's signing keys from ${jwksUri.href} (${reason(err, config.timeoutSec)}); try again`,
      { cause: err },
    );
  return err;
}

/** A short reason for a failed request: the network error code, a timeout, or the HTTP status. */
export function reason(err: unknown, timeoutSec: number): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || err instanceof joseErrors.JWKSTimeout)
    return `no answer within ${timeoutSec} s`;
  const cause = e?.cause as { code?: string; status?: number; message?: string } | undefined;
  if (cause instanceof Response) return `${e.message ?? 'unexpected answer'}: HTTP ${cause.status}`;
  if (cause && typeof cause === 'object') {
    if ((cause as { name?: string }).name === 'TimeoutError') return `no answer within ${timeoutSec} s`;
    if (typeof cause.code === 'string') return cause.code;
  }
  return e?.message ?? String(err);
}
