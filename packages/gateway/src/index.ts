export type { AdminApiDeps } from './admin-api.js';
export { createAdminHandler } from './admin-api.js';
export type { AuditHealth, AuditRecorderOptions } from './audit-recorder.js';
export { AuditRecorder } from './audit-recorder.js';
export type { IdentitySetup } from './authenticator.js';
export { setUpIdentity } from './authenticator.js';
export type {
  AuditSettings,
  GatewayConfig,
  HttpTargetConfig,
  IdentitySettings,
  LaterTargetConfig,
  LoadOptions,
  LogLevel,
  TargetConfig,
} from './config.js';
export { formatPath, loadConfig, parseConfig } from './config.js';
export type { RawConfig } from './config-schema.js';
export { configSchema, gatewayJsonSchema, LOG_LEVELS } from './config-schema.js';
export { describeConfig } from './config-summary.js';
export type { Authenticator, ContextDeps } from './context.js';
export { createAdapterContext } from './context.js';
export { isCredentialName } from './credential-name.js';
export { devIssuerUrl } from './dev-issuer-url.js';
export type { ConfigProblem, GatewayErrorCode } from './errors.js';
export { ConfigError, GATEWAY_ERROR_CODES, GatewayStartError } from './errors.js';
export type { GatewayAddresses, GatewayOptions } from './gateway.js';
export { Gateway } from './gateway.js';
export type { IdOptions } from './ids.js';
export { idGenerator } from './ids.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger } from './logger.js';
export { maskHashKey } from './mask-key.js';
export type { Gauge } from './metrics.js';
export { Counter, GatewayMetrics, Histogram } from './metrics.js';
export { readPolicy } from './policy-source.js';
export type { SecretContext } from './secrets.js';
export { isSecretRef, resolveSecret } from './secrets.js';
export { parseDuration, parseSize } from './units.js';
