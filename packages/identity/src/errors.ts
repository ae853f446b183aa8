import { GatewayError } from '@regate/action';

/**
 * Every error `@regate/identity` raises, with what it means. README.md lists the same table (a test keeps
 * the two in sync). The ERR_TOKEN_* codes are the client's problem (answer 401); ERR_ISSUER_UNREACHABLE
 * and ERR_INTROSPECTION_FAILED are the gateway's side (answer 503, the client may retry); the last two are
 * raised while starting, never for a token; ERR_DEVICE_LOGIN only by `regate login`.
 */
export const IDENTITY_ERROR_CODES = {
  ERR_TOKEN_MISSING: 'no token was presented, or it is empty',
  ERR_TOKEN_MALFORMED:
    'the token is not a signed JWT (JWS compact form) this gateway can read, and is not an opaque token it can introspect',
  ERR_TOKEN_INACTIVE:
    'the issuer’s introspection endpoint says the opaque token is not active (revoked, expired or unknown)',
  ERR_TOKEN_ALGORITHM: 'the token’s `alg` is not in the allowed list (`none` and HS* are never allowed)',
  ERR_TOKEN_KEY_UNKNOWN:
    'no key in the issuer’s JWKS matches the token’s `kid`, even after fetching the JWKS again',
  ERR_TOKEN_SIGNATURE:
    'the signature does not verify with the issuer’s key: the token was altered or signed by someone else',
  ERR_TOKEN_ISSUER: 'the token’s `iss` is not the configured issuer',
  ERR_TOKEN_AUDIENCE: 'the token’s `aud` does not contain the configured audience',
  ERR_TOKEN_EXPIRED: 'the token’s `exp` has passed (beyond the clock tolerance)',
  ERR_TOKEN_NOT_YET_VALID: 'the token’s `nbf` or `iat` is in the future (beyond the clock tolerance)',
  ERR_TOKEN_CLAIMS:
    'a claim is missing, of the wrong type or out of bounds: no `exp`, no subject, too many or too long groups, an unknown identity type, a sender-constrained (`cnf`) token',
  ERR_ISSUER_UNREACHABLE:
    'the issuer’s discovery document, JWKS or introspection endpoint cannot be fetched (down, timed out, not the issuer it claims to be)',
  ERR_INTROSPECTION_FAILED:
    'the introspection endpoint answered with an error (wrong client id or secret, client not allowed to introspect)',
  ERR_DEVICE_LOGIN:
    'a device-flow sign-in failed: the provider is unreachable or has no device flow, refused the client, the person denied it, or the code expired',
  ERR_IDENTITY_CONFIG:
    'the identity configuration is invalid (issuer URL, http:// for a non-loopback host without allowInsecureHttp, empty audience, a disallowed algorithm)',
  ERR_IDENTITY_KEY: 'the dev issuer’s key file is missing, cannot be created, read or parsed',
} as const;

export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_CODES;

/**
 * An error raised by `@regate/identity`; `code` is one of IDENTITY_ERROR_CODES. It satisfies
 * `AuthenticationFailure` from @regate/action. Messages say what is wrong and what to do; they never
 * contain the token.
 */
export class IdentityError extends GatewayError {
  declare readonly code: IdentityErrorCode;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IdentityError';
  }
}
