/**
 * `regate login` against a real OpenID Provider (oidc-provider, in this process on port 0): the real
 * binary runs the device flow while the test plays the person at the browser, driving the provider's
 * own verification and sign-in pages with fetch.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenVerifier } from '@regate/identity';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The identity package's test issuer: a test-only import of another package's test support.
import {
  approveDevice,
  CLI_CLIENT,
  startIssuer,
  type TestIssuer,
} from '../../packages/identity/src/test-support.js';
import { storedToken, tokenPath } from './cmd-login.js';
import { BIN, type CliResult, cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 120_000 });

let idp: TestIssuer;
beforeAll(async () => {
  idp = await startIssuer();
});
afterAll(async () => {
  await idp.close();
  cleanup();
});

/** Runs `regate ...args` with XDG_CONFIG_HOME=config; `onStderr` sees stderr as it arrives. */
function login(
  args: string[],
  config: string,
  onStderr: (all: string) => void = () => {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, REGATE_FROM_SOURCE: '1', NO_COLOR: '1', XDG_CONFIG_HOME: config },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('regate login', () => {
  it('signs in through the device flow, stores the token 0600 and prints it with --print', async () => {
    const config = tree({ 'README.txt': 'config home\n' });
    let approval: Promise<void> | undefined;
    const r = await login(
      [
        'login',
        '--issuer',
        idp.issuer,
        '--client-id',
        CLI_CLIENT,
        '--scope',
        'openid email',
        '--resource',
        'urn:regate',
      ],
      config,
      (stderr) => {
        const m = /open (\S+) in a browser and enter the code (\S+)/.exec(stderr);
        if (m && !approval) approval = approveDevice(m[1] as string, m[2] as string, 'alice');
      },
    );
    await approval;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${idp.issuer}/device?user_code=`);
    expect(r.stderr).toMatch(/Signed in as alice\. The token is stored in .*token\.json, valid until /);

    const path = join(config, 'regate', 'token.json');
    expect(tokenPath({ XDG_CONFIG_HOME: config })).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    expect(stored).toMatchObject({
      issuer: idp.issuer,
      client_id: CLI_CLIENT,
      token_type: 'bearer',
      subject: 'alice',
    });

    // The token is a real access token the gateway accepts as alice, with her groups.
    const verifier = await TokenVerifier.create({ issuer: idp.issuer, audience: 'regate' });
    expect(await verifier.verify(stored.access_token as string)).toMatchObject({
      subject: 'alice',
      groups: ['dba'],
    });

    const printed = await login(['login', '--print'], config);
    expect(printed).toEqual({ code: 0, stdout: `${stored.access_token}\n`, stderr: '' });
    expect(storedToken({ env: { XDG_CONFIG_HOME: config } })?.access_token).toBe(stored.access_token);
  });

  it('refuses --print when no token is stored, or when the stored one expired', async () => {
    const config = tree({ 'README.txt': 'config home\n' });
    const none = await login(['login', '--print'], config);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('no stored token');

    mkdirSync(join(config, 'regate'), { recursive: true });
    writeFileSync(
      join(config, 'regate', 'token.json'),
      JSON.stringify({
        issuer: idp.issuer,
        client_id: CLI_CLIENT,
        access_token: 'old-token',
        token_type: 'Bearer',
        expires_at: '2020-01-01T00:00:00.000Z',
        obtained_at: '2020-01-01T00:00:00.000Z',
      }),
    );
    const expired = await login(['login', '--print'], config);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toBe('');
    expect(expired.stderr).toContain(
      `sign in again with 'regate login --issuer ${idp.issuer} --client-id ${CLI_CLIENT}'`,
    );
    expect(storedToken({ env: { XDG_CONFIG_HOME: config } })).toBeUndefined();
    expect(
      storedToken({ env: { XDG_CONFIG_HOME: config }, now: new Date('2019-12-31T00:00:00Z') })?.access_token,
    ).toBe('old-token');
  });

  it('fails with what to fix when the client is unknown or the issuer is unreachable', async () => {
    const config = tree({ 'README.txt': 'config home\n' });
    const unknown = await login(['login', '--issuer', idp.issuer, '--client-id', 'no-such-client'], config);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('the provider does not know this client id');
    expect(unknown.stderr).toContain('[ERR_DEVICE_LOGIN]');

    const gone = await startIssuer();
    await gone.close();
    const unreachable = await login(['login', '--issuer', gone.issuer, '--client-id', CLI_CLIENT], config);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(
      `discovery at ${gone.issuer}/.well-known/openid-configuration failed (ECONNREFUSED)`,
    );
    expect(() => statSync(join(config, 'regate', 'token.json'))).toThrow();
  });

  it('refuses bad usage: a missing --client-id, an http issuer on another host', async () => {
    const missing: CliResult = await regate(['login', '--issuer', 'https://idp.example.com']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('needs --client-id <id>');
    const http = await regate(['login', '--issuer', 'http://idp.example.com', '--client-id', 'x']);
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('https://');
    const help = await regate(['login', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: regate login --issuer <url> --client-id <id>');
  });
});
