import type { Identity } from '@regate/action';
import { describe, expect, it } from 'vitest';
import {
  matchesApprover,
  normalizeRequirements,
  parseApprover,
  requirementsMet,
  tally,
} from './approvers.js';
import { ApprovalError } from './errors.js';
import type { ApprovalVote } from './request.js';

const person = (subject: string, groups: string[] = []): Identity => ({ subject, groups, type: 'user' });
const alice = person('alice', ['dev']);
const vote = (who: Identity, kind: 'approve' | 'deny' = 'approve'): ApprovalVote => ({
  subject: who.subject,
  identity: who,
  vote: kind,
  at: '2026-11-23T10:00:00.000Z',
});

describe('parseApprover', () => {
  it('reads group:, user: and bare subjects when given approver entries', () => {
    expect(parseApprover('group:dba')).toEqual({ kind: 'group', group: 'dba' });
    expect(parseApprover('user:bob')).toEqual({ kind: 'user', subject: 'bob' });
    expect(parseApprover('bob')).toEqual({ kind: 'user', subject: 'bob' });
  });
});

describe('matchesApprover', () => {
  it('matches a group entry by the identity groups and a user entry by subject', () => {
    const bob = person('bob', ['dba']);
    expect(matchesApprover(bob, 'group:dba')).toBe(true);
    expect(matchesApprover(bob, 'group:security')).toBe(false);
    expect(matchesApprover(bob, 'user:bob')).toBe(true);
    expect(matchesApprover(bob, 'bob')).toBe(true);
    expect(matchesApprover(bob, 'user:dba')).toBe(false);
  });
});

describe('requirementsMet', () => {
  const twoDbas = [{ approvers: ['group:dba'], count: 2 }];

  it('counts distinct eligible approvers when a requirement needs two', () => {
    const bob = person('bob', ['dba']);
    const carol = person('carol', ['dba']);
    expect(requirementsMet(twoDbas, [vote(bob)], alice)).toBe(false);
    expect(requirementsMet(twoDbas, [vote(bob), vote(bob)], alice)).toBe(false);
    expect(requirementsMet(twoDbas, [vote(bob), vote(carol)], alice)).toBe(true);
  });

  it('never counts the requester or a non-matching voter when tallying', () => {
    const requester = person('alice', ['dba']);
    const bob = person('bob', ['dba']);
    const eve = person('eve', ['dev']);
    const t = tally(twoDbas, [vote(requester), vote(bob), vote(eve)], requester);
    expect(t[0]).toMatchObject({ approvedBy: ['bob'], needed: 1 });
  });

  it('needs every requirement met when the decision has several', () => {
    const reqs = [
      { approvers: ['group:dba'], count: 1 },
      { approvers: ['group:security'], count: 1 },
    ];
    const bob = person('bob', ['dba']);
    const sam = person('sam', ['security']);
    expect(requirementsMet(reqs, [vote(bob)], alice)).toBe(false);
    expect(requirementsMet(reqs, [vote(bob), vote(sam)], alice)).toBe(true);
    // One person in both groups meets both requirements (requirements are independent).
    expect(requirementsMet(reqs, [vote(person('pat', ['dba', 'security']))], alice)).toBe(true);
  });

  it('ignores deny votes when counting approvals', () => {
    expect(requirementsMet([{ approvers: ['bob'], count: 1 }], [vote(person('bob'), 'deny')], alice)).toBe(
      false,
    );
  });
});

describe('normalizeRequirements', () => {
  it('fills in count 1 when a requirement gives none', () => {
    expect(normalizeRequirements([{ approvers: ['group:dba'], reason: 'prod' }], alice)).toEqual([
      { approvers: ['group:dba'], count: 1, reason: 'prod' },
    ]);
  });

  it.each([
    ['no requirement', []],
    ['no approvers', [{ approvers: [] }]],
    ['an empty entry', [{ approvers: ['group:'] }]],
    ['count 0', [{ approvers: ['group:dba'], count: 0 }]],
    ['a fractional count', [{ approvers: ['group:dba'], count: 1.5 }]],
    ['only the requester as approver', [{ approvers: ['user:alice'] }]],
    ['fewer named users than the count', [{ approvers: ['user:bob', 'alice'], count: 2 }]],
  ])('refuses %s with ERR_APPROVAL_INVALID_REQUEST', (_name, approvals) => {
    let error: unknown;
    try {
      normalizeRequirements(approvals as never, alice);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApprovalError);
    expect((error as ApprovalError).code).toBe('ERR_APPROVAL_INVALID_REQUEST');
  });
});
