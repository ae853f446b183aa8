import { GatewayError } from '@regate/action';

/**
 * Every error `@regate/gateway` raises or answers with, and what it means. README.md lists the same
 * table (a test keeps the two in sync). The ERR_ADMIN_* codes are the `code` of the admin API's JSON
 * error bodies.
 */
export const GATEWAY_ERROR_CODES = {
  ERR_CONFIG_READ: 'the config file cannot be read, or it is not YAML',
  ERR_CONFIG_INVALID:
    'the config has problems; each is listed with its path (targets[0].url) and what is expected',
  ERR_GATEWAY_UNSUPPORTED:
    'the config asks for something this version does not serve yet (postgres or ssh targets)',
  ERR_GATEWAY_POLICY: 'the policy directory or bundle cannot be read, verified or compiled',
  ERR_GATEWAY_IDENTITY:
    'the identity setup failed (the dev issuer key cannot be created, the OIDC settings are wrong)',
  ERR_GATEWAY_LISTEN: 'a listener cannot bind its address (the port is in use, or the host is not local)',
  ERR_GATEWAY_STATE: 'the gateway was used in the wrong state (stopped twice, started from a stopped one)',
  ERR_ADMIN_UNAUTHENTICATED: 'an admin call without a valid bearer token (401)',
  ERR_ADMIN_FORBIDDEN: "the caller's identity is not granted the operation by the policy's admin rules (403)",
  ERR_ADMIN_BAD_REQUEST: 'an admin call with a malformed body, query parameter or id (400)',
  ERR_ADMIN_NOT_FOUND: 'no such admin route, or no approval request or session with that id (404)',
  ERR_ADMIN_METHOD: 'the route exists but not for this HTTP method (405)',
  ERR_ADMIN_BODY_TOO_LARGE: 'the request body is larger than the admin limit (413)',
  ERR_ADMIN_AUDIT_UNAVAILABLE: 'the audit trail cannot record the call, so it is refused (503)',
  ERR_ADMIN_INTERNAL: 'an unexpected failure while answering an admin call (500); the log has the details',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

/** An error raised by `@regate/gateway`; `code` is one of GATEWAY_ERROR_CODES. */
export class GatewayStartError extends GatewayError {
  declare readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayStartError';
  }
}

/** One problem in a config file: where (`targets[0].url`) and what is wrong and expected. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** The config cannot be used: every problem found, each with its path. */
export class ConfigError extends GatewayError {
  declare readonly code: 'ERR_CONFIG_READ' | 'ERR_CONFIG_INVALID';
  readonly problems: ConfigProblem[];
  /** The config file, when the config came from one. */
  readonly file: string | undefined;

  constructor(
    code: 'ERR_CONFIG_READ' | 'ERR_CONFIG_INVALID',
    problems: ConfigProblem[],
    file?: string,
    options?: { cause?: unknown },
  ) {
    const where = file ?? 'the config';
    const list = problems.map((p) => `  ${p.path === '' ? '(top level)' : p.path}: ${p.message}`).join('\n');
    super(
      code,
      `${where} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${list}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ConfigError';
    this.problems = problems;
    this.file = file;
  }
}
