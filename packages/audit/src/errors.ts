import { GatewayError } from '@regate/action';

/**
 * Every error `@regate/audit` raises, with what it means. README.md lists the same table (a test keeps
 * the two in sync). A caller that gets any of them from `append()` must treat the action as `block`.
 */
export const AUDIT_ERROR_CODES = {
  ERR_AUDIT_STORE_UNAVAILABLE:
    'the store cannot be written or read: the file is read-only, the disk is full, or the PostgreSQL server is unreachable',
  ERR_AUDIT_STORE_TIMEOUT: 'the store did not answer within the configured time',
  ERR_AUDIT_CLOSED: 'the log was closed (or failed and closed itself); nothing more can be appended',
  ERR_AUDIT_INVALID_EVENT:
    'an event given to append() is not a valid audit event (unknown type, missing field, not JSON)',
  ERR_AUDIT_CHAIN_CONFLICT:
    'another writer appended to this instance’s chain: two gateways must not share an instance name',
  ERR_AUDIT_KEY:
    'the signing key file cannot be read, created or parsed, or a public key given for verification is not Ed25519',
  ERR_AUDIT_INVALID_QUERY: 'a search query has an invalid field (bad time, page size, cursor or effect)',
  ERR_AUDIT_NOT_FOUND: 'no record or session with that id',
  ERR_AUDIT_INVALID_CONFIG: 'the store options are invalid (unknown durability, empty path or URL)',
} as const;

export type AuditErrorCode = keyof typeof AUDIT_ERROR_CODES;

/** An error raised by `@regate/audit`; `code` is one of AUDIT_ERROR_CODES. */
export class AuditError extends GatewayError {
  declare readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditError';
  }
}
