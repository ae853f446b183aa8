import { readFileSync } from 'node:fs';
import { GatewayError } from '@regate/action';
import { describe, expect, it } from 'vitest';
import { APPROVAL_ERROR_CODES, ApprovalError } from './errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('ApprovalError', () => {
  it('is a GatewayError with a stable code and the request id when raised about a request', () => {
    const err = new ApprovalError('ERR_APPROVAL_NOT_PENDING', 'approval request apr_1 is already approved', {
      requestId: 'apr_1',
    });
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('ERR_APPROVAL_NOT_PENDING');
    expect(err.requestId).toBe('apr_1');
    expect(err.name).toBe('ApprovalError');
  });

  it('has every code documented in the README table, and no undocumented one', () => {
    const documented = [...readme.matchAll(/^\| `(ERR_APPROVAL_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(APPROVAL_ERROR_CODES).sort());
  });
});
