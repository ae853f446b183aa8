/** startDeviceLogin against a real oidc-provider, the test playing the person at the browser. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeviceLogin } from './device-login.js';
import { IdentityError } from './errors.js';
import { approveDevice, CLI_CLIENT, startIssuer, type TestIssuer } from './test-support.js';
import { TokenVerifier } from './token-verifier.js';

let idp: TestIssuer;
beforeAll(async () => {
  idp = await startIssuer();
});
afterAll(() => idp.close());

describe('startDeviceLogin', () => {
  it('returns an access token for the person who signed in when they approve', async () => {
    const login = await startDeviceLogin({
      issuer: idp.issuer,
      clientId: CLI_CLIENT,
      resource: 'urn:regate',
    });
    expect(login.verificationUri).toBe(`${idp.issuer}/device`);
    expect(login.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const [tokens] = await Promise.all([
      login.wait(),
      approveDevice(login.verificationUri, login.userCode, 'bob'),
    ]);
    expect(tokens.subject).toBe('bob');
    expect(tokens.expiresIn).toBeGreaterThan(0);
    const verifier = await TokenVerifier.create({ issuer: idp.issuer, audience: 'regate' });
    expect(await verifier.verify(tokens.accessToken)).toMatchObject({
      subject: 'bob',
      groups: ['dev', 'ops'],
    });
  });

  it('fails with ERR_DEVICE_LOGIN when the person aborts the sign-in', async () => {
    const login = await startDeviceLogin({ issuer: idp.issuer, clientId: CLI_CLIENT });
    const [outcome] = await Promise.all([
      login.wait().then(
        () => undefined,
        (e: unknown) => e,
      ),
      approveDevice(login.verificationUri, login.userCode, 'alice', { deny: true }),
    ]);
    expect(outcome).toBeInstanceOf(IdentityError);
    expect(outcome).toMatchObject({ code: 'ERR_DEVICE_LOGIN' });
    expect((outcome as Error).message).toContain('the sign-in was denied');
  });

  it('stops waiting when the signal aborts', async () => {
    const login = await startDeviceLogin({ issuer: idp.issuer, clientId: CLI_CLIENT });
    const controller = new AbortController();
    const waiting = login.wait({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_DEVICE_LOGIN' });
  });

  it('refuses an http issuer on another host and a provider without the device flow', async () => {
    await expect(startDeviceLogin({ issuer: 'http://idp.example.com', clientId: 'x' })).rejects.toMatchObject(
      {
        code: 'ERR_DEVICE_LOGIN',
      },
    );
    await expect(startDeviceLogin({ issuer: 'not a url', clientId: 'x' })).rejects.toMatchObject({
      code: 'ERR_DEVICE_LOGIN',
    });
  });
});
