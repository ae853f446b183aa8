/**
 * `regate serve` as a user runs it: the real binary in a child process with a config file, `regate token
 * -c` for a dev token, real `curl` through the proxy, SIGTERM to stop, and `regate audit verify` after.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/support/free-port.js';
import { BIN, cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 180_000 });
afterAll(cleanup);

const POLICIES = new URL('../../policies', import.meta.url).pathname;

/** A port free right now (the gateway's config names fixed ports: `regate token -c` reads them). */
async function upstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Serving {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `regate serve` and resolves once it logged `line` (or rejects when it exits first). */
function serve(args: string[], cwd: string, line: RegExp): Promise<Serving> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd,
    env: { ...process.env, REGATE_FROM_SOURCE: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (line.test(err)) resolve({ child, stderr: () => err, exited });
    });
    void exited.then((code) =>
      reject(new Error(`regate serve exited with ${code} before /${line.source}/:\n${err}`)),
    );
  });
}

describe('regate serve', () => {
  it('serves the config, logs one line per listener, stops on SIGTERM with the audit trail verifiable', async () => {
    const up = await upstream();
    const [http, admin] = [await freePort(), await freePort()];
    const dir = tree({
      'gateway.yaml': [
        'data_dir: state',
        'instance: gw-cli',
        `listeners: { http: { port: ${http}, host: 127.0.0.1 } }`,
        `admin: { port: ${admin}, host: 127.0.0.1 }`,
        'identity: { dev: true }',
        `policy: { dir: ${POLICIES} }`,
        'targets:',
        `  - { name: example-api, type: http, url: "${up.url}", match: { path_prefix: / }, labels: { env: dev } }`,
        '',
      ].join('\n'),
    });
    const s = await serve(['-c', 'gateway.yaml', '--log-level', 'info'], dir, /http listening on/);
    try {
      const lines = s
        .stderr()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: string; msg: string });
      const msgs = lines.map((l) => l.msg);
      expect(msgs).toContain(`http listening on http://127.0.0.1:${http}`);
      expect(msgs).toContain(`admin listening on http://127.0.0.1:${admin}`);
      expect(msgs).toContain(`dev issuer at http://127.0.0.1:${admin}/dev-issuer`);
      expect(msgs.some((m) => /^policy revision sha256:[0-9a-f]{12} active$/.test(m))).toBe(true);
      expect(msgs).toContain(`audit store sqlite ${dir}/state/audit.db`);

      const token = await regate(['token', '-c', 'gateway.yaml', '--user', 'alice', '--groups', 'analyst'], {
        cwd: dir,
      });
      expect(token.stderr).toBe('');
      expect(token.code).toBe(0);
      const { stdout } = await promisify(execFile)('curl', [
        '-sS',
        '-H',
        `Authorization: Bearer ${token.stdout.trim()}`,
        `http://127.0.0.1:${http}/customers/1`,
      ]);
      expect(JSON.parse(stdout)).toEqual({ path: '/customers/1', authorization: null });
      // No token: refused, and the log never carries one.
      const refused = await fetch(`http://127.0.0.1:${http}/customers/1`);
      expect(refused.status).toBe(401);
      expect(s.stderr()).not.toContain(token.stdout.trim());

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.stderr()).toMatch(/"msg":"SIGTERM: stopping"/);
      expect(s.stderr()).toMatch(/"msg":"stopped"/);
    } finally {
      s.child.kill('SIGKILL');
      up.server.close();
    }
    const verify = await regate(
      ['audit', 'verify', '--store', 'state/audit.db', '--key', 'state/audit-key.pem'],
      {
        cwd: dir,
      },
    );
    expect(verify.stdout).toContain('the chain verifies');
    expect(verify.code).toBe(0);
  });

  it('exits 1 naming every problem of a bad config, and a port in use', async () => {
    const dir = tree({ 'bad.yaml': 'identity: {}\npolicy: { dir: p }\n' });
    const bad = await regate(['serve', '-c', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('identity.issuer: say how clients are identified');
    expect(bad.stderr).toContain('[ERR_CONFIG_INVALID]');

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const busy = tree({
      'gateway.yaml': `data_dir: state\nadmin: { port: ${port} }\nidentity: { dev: true }\npolicy: { dir: ${POLICIES} }\n`,
    });
    const r = await regate(['serve', '-c', join(busy, 'gateway.yaml'), '--log-level', 'error'], {
      cwd: busy,
    });
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the admin listener cannot bind 127.0.0.1:${port}: the port is in use`);
    expect(r.stderr).toContain('[ERR_GATEWAY_LISTEN]');

    const level = await regate(['serve', '--log-level', 'loud'], { cwd: dir });
    expect(level.stderr).toContain(
      "invalid --log-level 'loud' for 'regate serve': use one of debug, info, warn, error",
    );
  });
});
