/** `regate token` as a developer runs it: the real binary, a dev issuer key made by the gateway's code. */
import { join } from 'node:path';
import { DevIssuer } from '@regate/identity';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 120_000 });
afterAll(cleanup);

/** A working directory where the gateway has run once: its dev issuer key is in .regate/. */
async function gatewayDir(): Promise<{ dir: string; dev: DevIssuer }> {
  const dir = tree({ 'README.txt': 'a gateway working directory\n' });
  const dev = await DevIssuer.open({
    keyPath: join(dir, '.regate/dev-issuer.jwk'),
    issuer: 'http://127.0.0.1:8081/dev-issuer',
  });
  return { dir, dev };
}

describe('regate token', () => {
  it('prints a token the dev issuer accepts as the identity asked for, with the default key and issuer', async () => {
    const { dir, dev } = await gatewayDir();
    const r = await regate(
      [
        'token',
        '--user',
        'alice',
        '--groups',
        'dba, ops',
        '--email',
        'alice@example.com',
        '--type',
        'agent',
        '--ttl',
        '15m',
      ],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(r.stdout).toBe(`${token}\n`);
    expect(await dev.verifier().verify(token)).toEqual({
      subject: 'alice',
      groups: ['dba', 'ops'],
      email: 'alice@example.com',
      issuer: 'http://127.0.0.1:8081/dev-issuer',
      type: 'agent',
    });
    const claims = decodeJwt(token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('uses --key, --issuer and --audience when given', async () => {
    const dir = tree({ 'README.txt': 'x\n' });
    const dev = await DevIssuer.open({
      keyPath: join(dir, 'keys/dev.jwk'),
      issuer: 'http://127.0.0.1:9999/idp',
      audience: 'staging',
    });
    const r = await regate(
      [
        'token',
        '-u',
        'bob',
        '--key',
        'keys/dev.jwk',
        '--issuer',
        'http://127.0.0.1:9999/idp',
        '--audience',
        'staging',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(await dev.verifier().verify(r.stdout.trim())).toMatchObject({
      subject: 'bob',
      groups: [],
      type: 'user',
    });
  });

  it('says how to get a key when there is none', async () => {
    const dir = tree({ 'README.txt': 'x\n' });
    const r = await regate(['token', '--user', 'alice'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no dev issuer key at .regate/dev-issuer.jwk');
    expect(r.stderr).toContain('start the gateway once with the dev issuer, or pass --key');
    expect(r.stderr).toContain('[ERR_IDENTITY_KEY]');
  });

  it('refuses bad usage: no --user, an unknown --type, a --ttl beyond a day, an argument', async () => {
    const { dir } = await gatewayDir();
    const noUser = await regate(['token'], { cwd: dir });
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toContain('needs --user <subject>');
    const badType = await regate(['token', '--user', 'a', '--type', 'root'], { cwd: dir });
    expect(badType.stderr).toContain('use one of user, service, agent');
    const longTtl = await regate(['token', '--user', 'a', '--ttl', '2d'], { cwd: dir });
    expect(longTtl.code).toBe(1);
    expect(longTtl.stderr).toContain("invalid --ttl '2d'");
    const arg = await regate(['token', 'alice'], { cwd: dir });
    expect(arg.stderr).toContain('name the subject with --user');
  });

  it('prints its help when asked, and is listed in regate --help', async () => {
    const r = await regate(['token', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: regate token --user <subject>');
    expect((await regate(['--help'])).stdout).toMatch(/token +mint a token from the gateway's dev issuer/);
  });
});
