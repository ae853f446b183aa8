export { claimAt, identityFromClaims, MAX_CLAIM_LENGTH, MAX_EMAIL_LENGTH, MAX_GROUPS } from './claims.js';
export type { ClaimsMapping, IdentityConfig, ResolvedIdentityConfig } from './config.js';
export { DEFAULT_ALGORITHMS, isLoopback, resolveIdentityConfig } from './config.js';
export type { DevIssuerOptions, DevTokenClaims, MintDevTokenOptions } from './dev-issuer.js';
export {
  DEV_ISSUER_DEFAULTS,
  DEV_TYPE_CLAIM,
  DevIssuer,
  MAX_DEV_TTL_SEC,
  mintDevToken,
} from './dev-issuer.js';
export type { DevKeyAlgorithm } from './dev-key.js';
export type { DeviceLogin, DeviceLoginOptions, DeviceTokens } from './device-login.js';
export { startDeviceLogin } from './device-login.js';
export type { IdentityErrorCode } from './errors.js';
export { IDENTITY_ERROR_CODES, IdentityError } from './errors.js';
export type { TokenVerifierOptions } from './token-verifier.js';
export { MAX_TOKEN_LENGTH, TokenVerifier } from './token-verifier.js';
