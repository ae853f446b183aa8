/** `regate config check|schema` through the real binary, on real files. */
import { gatewayJsonSchema } from '@regate/gateway';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 120_000 });
afterAll(cleanup);

const GOOD = `
data_dir: state
instance: gw-1
listeners:
  http: { port: 8080 }
identity: { dev: true }
policy: { dir: policies }
targets:
  - name: orders-api
    type: http
    url: http://127.0.0.1:9090
    match: { path_prefix: /api }
    headers: { x-api-key: file:api-key.txt }
`;

const BAD = `
identity: { issuer: not-a-url, audience: regate }
policy: { dir: policies, bundle: b.tar.gz }
listners: {}
approvals: { hold_timeout: 2 minutes }
targets:
  - { name: api, type: http, url: ftp://x, match: {} }
`;

describe('regate config', () => {
  it.concurrent('check prints what a valid config serves, without its secrets, and exits 0', async () => {
    const dir = tree({ 'gateway.yaml': GOOD, 'api-key.txt': 'k-123\n' });
    const r = await regate(['config', 'check', '-c', 'gateway.yaml'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${dir}/gateway.yaml is valid`);
    expect(r.stdout).toContain('http listener   http://127.0.0.1:8080');
    expect(r.stdout).toContain(
      `dev issuer at http://127.0.0.1:8081/dev-issuer (audience regate, key ${dir}/state/dev-issuer.jwk)`,
    );
    expect(r.stdout).toContain(
      `audit           sqlite ${dir}/state/audit.db (durability process, instance gw-1)`,
    );
    expect(r.stdout).toContain('orders-api: http http://127.0.0.1:9090 for path /api, injects x-api-key');
    expect(r.stdout).not.toContain('k-123');
  });

  it.concurrent('check lists every problem with its path and exits 1', async () => {
    const dir = tree({ 'gateway.yaml': BAD });
    const r = await regate(['config', 'check', '-c', 'gateway.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    for (const line of [
      `regate config check: ${dir}/gateway.yaml has 6 problems:`,
      '  identity.issuer: must be the issuer URL of your OIDC provider',
      '  policy.bundle: give dir or bundle, not both',
      '  approvals.hold_timeout: "2 minutes" is not a duration',
      '  targets[0].url: must be an http:// or https:// URL',
      '  targets[0].match: give host, path_prefix or both',
      '  listners: unknown setting: did you mean listeners?',
      '[ERR_CONFIG_INVALID]',
    ])
      expect(r.stderr).toContain(line);
  });

  it.concurrent('check names a missing secret by its config path, and a missing file', async () => {
    const dir = tree({
      'gateway.yaml': GOOD.replace('file:api-key.txt', 'env:REGATE_TEST_NEVER_SET'),
      'tls.yaml': `${GOOD.replace('port: 8080', 'port: 8080, tls: { cert: file:cert.pem, key: file:key.pem }')}`,
    });
    const r = await regate(['config', 'check'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'targets[0].headers.x-api-key: the environment variable REGATE_TEST_NEVER_SET is not set',
    );
    const tls = await regate(['config', 'check', '-c', 'tls.yaml'], { cwd: dir });
    expect(tls.stderr).toContain(`listeners.http.tls.cert: the file ${dir}/cert.pem does not exist`);
    const none = await regate(['config', 'check', '-c', 'nope.yaml'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`there is no config file at ${dir}/nope.yaml`);
    expect(none.stderr).toContain('[ERR_CONFIG_READ]');
  });

  it.concurrent('schema prints the JSON Schema editors use; bad usage says what to do', async () => {
    const r = await regate(['config', 'schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(gatewayJsonSchema());
    const none = await regate(['config']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('regate config needs a subcommand: check or schema');
    const unknown = await regate(['config', 'lint']);
    expect(unknown.stderr).toContain("unknown subcommand 'lint' for 'regate config'");
  });
});
