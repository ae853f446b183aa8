/**
 * Signing in a person with the OAuth 2.0 device authorization grant (RFC 8628) through openid-client:
 * what `regate login` runs. The caller shows the verification URI and user code, then waits.
 */
import * as oidc from 'openid-client';
import { isLoopback } from './config.js';
import { IdentityError } from './errors.js';

export interface DeviceLoginOptions {
  issuer: string;
  clientId: string;
  /** Space-separated scopes (default `openid`). */
  scope?: string;
  /** Sent as `audience` (Auth0's parameter for the API a token is for). */
  audience?: string;
  /** Sent as `resource` (RFC 8707), to the device authorization and the token endpoint. */
  resource?: string;
  /** Limit on each request to the provider, in seconds (default 10). */
  timeoutSec?: number;
  fetch?: typeof fetch;
}

export interface DeviceTokens {
  accessToken: string;
  tokenType: string;
  /** Seconds the access token lives, when the provider says. */
  expiresIn?: number;
  scope?: string;
  refreshToken?: string;
  idToken?: string;
  /** Who signed in: the ID token's `sub`, else a JWT access token's. */
  subject?: string;
}

export interface DeviceLogin {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  /** Seconds until the user code expires. */
  expiresIn: number;
  /** Polls the token endpoint until the person finishes (or denies, or the code expires). */
  wait(options?: { signal?: AbortSignal }): Promise<DeviceTokens>;
}

const REASONS: Record<string, string> = {
  access_denied: 'the sign-in was denied',
  expired_token: 'the code expired before the sign-in was finished; sign in again',
  invalid_client: 'the provider does not know this client id (or it is not a public client)',
  unauthorized_client: 'this client may not use the device authorization grant',
  invalid_scope: 'the provider refused the requested scope',
  invalid_target: 'the provider refused the requested resource',
};

export async function startDeviceLogin(options: DeviceLoginOptions): Promise<DeviceLogin> {
  const fail = (message: string, cause?: unknown): never => {
    throw new IdentityError('ERR_DEVICE_LOGIN', message, cause === undefined ? undefined : { cause });
  };
  let issuer: URL;
  try {
    issuer = new URL(options.issuer);
  } catch {
    return fail(`the issuer '${options.issuer}' is not a URL, e.g. https://idp.example.com`);
  }
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
  if (issuer.protocol !== 'https:' && !insecure)
    fail(`the issuer must be an https:// URL (http:// only for this machine), got '${options.issuer}'`);

  const discovery: oidc.DiscoveryRequestOptions = {
    timeout: options.timeoutSec ?? 10,
    execute: insecure ? [oidc.allowInsecureRequests] : [],
  };
  if (options.fetch) discovery[oidc.customFetch] = options.fetch as oidc.CustomFetch;
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(issuer, options.clientId, undefined, oidc.None(), discovery);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return fail(
      `cannot reach the provider: discovery at ${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration failed (${cause?.code ?? (err as Error).message}); check the issuer URL`,
      err,
    );
  }
  if (config.serverMetadata().device_authorization_endpoint === undefined)
    fail(
      `the provider ${options.issuer} does not offer the device authorization grant (no device_authorization_endpoint): ask its administrator to enable it`,
    );

  const params: Record<string, string> = { scope: options.scope ?? 'openid' };
  if (options.audience !== undefined) params.audience = options.audience;
  if (options.resource !== undefined) params.resource = options.resource;
  const explain = (err: unknown, doing: string): never => {
    if (err instanceof oidc.ResponseBodyError)
      return fail(
        `cannot ${doing} at ${options.issuer}: ${REASONS[err.error] ?? err.error}${err.error_description ? ` (${err.error_description})` : ''}`,
      );
    if ((err as Error)?.name === 'AbortError' || (err as Error)?.name === 'TimeoutError')
      return fail(
        `cannot ${doing} at ${options.issuer}: the code expired or the wait was cancelled; sign in again`,
        err,
      );
    return fail(`cannot ${doing} at ${options.issuer}: ${(err as Error)?.message ?? String(err)}`, err);
  };

  let device: oidc.DeviceAuthorizationResponse;
  try {
    device = await oidc.initiateDeviceAuthorization(config, params);
  } catch (err) {
    return explain(err, 'start the sign-in');
  }
  return {
    verificationUri: device.verification_uri,
    ...(device.verification_uri_complete
      ? { verificationUriComplete: device.verification_uri_complete }
      : {}),
    userCode: device.user_code,
    expiresIn: device.expires_in,
    async wait(waitOptions = {}) {
      let tokens: Awaited<ReturnType<typeof oidc.pollDeviceAuthorizationGrant>>;
      try {
        tokens = await oidc.pollDeviceAuthorizationGrant(
          config,
          device,
          options.resource === undefined ? undefined : { resource: options.resource },
          waitOptions.signal ? { signal: waitOptions.signal } : undefined,
        );
      } catch (err) {
        return explain(err, 'finish the sign-in');
      }
      const result: DeviceTokens = {
        accessToken: tokens.access_token,
        tokenType: tokens.token_type ?? 'Bearer',
      };
      if (typeof tokens.expires_in === 'number') result.expiresIn = tokens.expires_in;
      if (tokens.scope !== undefined) result.scope = tokens.scope;
      if (tokens.refresh_token !== undefined) result.refreshToken = tokens.refresh_token;
      if (tokens.id_token !== undefined) result.idToken = tokens.id_token;
      const subject = tokens.claims()?.sub ?? jwtSubject(tokens.access_token);
      if (subject !== undefined) result.subject = subject;
      return result;
    },
  };
}

/** The `sub` of a JWT access token, read without verifying (for display only); undefined when opaque. */
function jwtSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}
