import { fileURLToPath } from 'node:url';
import type { Identity } from '@regate/action';
import { describe, expect, it } from 'vitest';
import { ADMIN_OPERATIONS, loadPolicy, PolicyEngine } from './index.js';

const repo = fileURLToPath(new URL('../../../policies', import.meta.url));

const user = (subject: string, groups: string[], type: Identity['type'] = 'user'): Identity => ({
  subject,
  groups,
  type,
});

function engineWith(rego: string): PolicyEngine {
  const engine = new PolicyEngine();
  engine.activate({ revision: 'r1', modules: { 'p.rego': `package regate\n${rego}` } });
  return engine;
}

describe('PolicyEngine.authorizeAdmin', () => {
  it('grants what the starter policy gives admins and approvers when given the repository policies', async () => {
    const engine = new PolicyEngine();
    engine.activate(await loadPolicy(repo));
    for (const operation of ADMIN_OPERATIONS)
      expect(engine.authorizeAdmin({ identity: user('alice', ['admins']), operation }).allowed).toBe(true);
    const lead = user('bob', ['dba-leads']);
    expect(engine.authorizeAdmin({ identity: lead, operation: 'approvals.vote' }).allowed).toBe(true);
    const refused = engine.authorizeAdmin({ identity: lead, operation: 'audit.read' });
    expect(refused).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('bob may not audit.read'),
    });
    expect(
      engine.authorizeAdmin({ identity: user('bot', ['admins'], 'agent'), operation: 'policy.read' }).allowed,
    ).toBe(false);
  });

  it('refuses when no policy is active, or the operation or identity is not valid', () => {
    expect(
      new PolicyEngine().authorizeAdmin({ identity: user('alice', ['admins']), operation: 'audit.read' }),
    ).toEqual({ allowed: false, reason: 'no policy revision is active', revision: '' });
    const engine = engineWith('admin contains "audit.read"');
    expect(
      engine.authorizeAdmin({ identity: user('a', []), operation: 'audit.write' as 'audit.read' }).reason,
    ).toMatch(/unknown admin operation "audit.write"/);
    expect(
      engine.authorizeAdmin({ identity: { subject: '', groups: [], type: 'user' }, operation: 'audit.read' })
        .reason,
    ).toMatch(/identity.subject/);
    expect(engine.authorizeAdmin({ identity: user('a', []), operation: 'audit.read' })).toEqual({
      allowed: true,
      reason: 'granted by policy',
      revision: 'r1',
    });
  });

  it('refuses when the policy has no admin rule', () => {
    const engine = engineWith('allow := true');
    expect(engine.authorizeAdmin({ identity: user('a', ['admins']), operation: 'policy.read' }).allowed).toBe(
      false,
    );
  });

  it('fails closed when the admin rule has the wrong shape or its evaluation fails', () => {
    expect(
      engineWith('admin := 1').authorizeAdmin({ identity: user('a', []), operation: 'policy.read' }).reason,
    ).toMatch(/invalid policy: admin must be a set/);
    expect(
      engineWith('admin contains "everything"').authorizeAdmin({
        identity: user('a', []),
        operation: 'policy.read',
      }).reason,
    ).toMatch(/invalid policy: admin contains "everything"/);
    const failing = engineWith('admin contains op if { op := input.operation; 1 / 0 == 1 }');
    const strictDiv = failing.authorizeAdmin({ identity: user('a', []), operation: 'policy.read' });
    expect(strictDiv.allowed).toBe(false);
    const conflict = engineWith(
      'x := 1 if input.operation\nx := 2 if input.operation\nadmin contains "policy.read" if x',
    );
    expect(conflict.authorizeAdmin({ identity: user('a', []), operation: 'policy.read' })).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/policy evaluation failed/),
    });
  });
});
