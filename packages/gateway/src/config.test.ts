import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config.js';
import { gatewayJsonSchema } from './config-schema.js';
import { describeConfig } from './config-summary.js';
import { ConfigError } from './errors.js';
import { removeTempTrees, tempTree } from './test-support.js';

afterAll(removeTempTrees);

const EXAMPLE = `
data_dir: .regate
instance: gw-1
listeners:
  http: { port: 8080, host: 127.0.0.1, tls: { cert: file:cert.pem, key: file:key.pem } }
admin: { port: 8081, host: 127.0.0.1, metrics_public: false }
identity:
  dev: true
policy: { dir: ./policies, entrypoint: regate }
audit:  { store: sqlite, path: audit.db, durability: process, signing_key: audit-signing.key }
approvals: { http_mode: hold, hold_timeout: 2m, default_timeout: 10m }
targets:
  - { name: orders-api, type: http, url: http://127.0.0.1:9090, match: { path_prefix: /api },
      strip_prefix: false, headers: { x-api-key: env:ORDERS_API_KEY, x-env: dev }, labels: { env: dev } }
limits: { max_body: 10MiB, max_action_body: 64KiB, upstream_timeout: 30s }
`;

/** The errors parseConfig reports for `raw`, as [path, message] pairs. */
function problems(raw: unknown, env: Record<string, string> = {}, baseDir = tempTree()): [string, string][] {
  try {
    parseConfig(raw, { baseDir, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => [p.path, p.message]);
  }
  throw new Error('expected a ConfigError');
}

const base = { identity: { dev: true }, policy: { dir: 'policies' } };
const http = { name: 'api', type: 'http', url: 'http://127.0.0.1:9090', match: { path_prefix: '/api' } };

describe('loadConfig', () => {
  it('parses the example config with its secrets resolved and its paths made absolute', () => {
    const dir = tempTree({ 'gateway.yaml': EXAMPLE, 'cert.pem': 'CERT\n', 'key.pem': 'KEY\n' });
    const c = loadConfig(join(dir, 'gateway.yaml'), { env: { ORDERS_API_KEY: 's3cret' } });
    expect(c.file).toBe(join(dir, 'gateway.yaml'));
    expect(c.dataDir).toBe(join(dir, '.regate'));
    expect(c.instance).toBe('gw-1');
    expect(c.listeners.http).toEqual({
      port: 8080,
      host: '127.0.0.1',
      tls: { cert: 'CERT', key: 'KEY' },
      trustForwardedFor: false,
    });
    expect(c.admin).toEqual({ port: 8081, host: '127.0.0.1', metricsPublic: false, maxBodyBytes: 64 * 1024 });
    expect(c.identity).toEqual({
      dev: true,
      audience: 'regate',
      keyPath: join(dir, '.regate', 'dev-issuer.jwk'),
    });
    expect(c.policy).toEqual({ dir: join(dir, 'policies'), entrypoint: 'regate' });
    expect(c.audit).toEqual({
      store: 'sqlite',
      path: join(dir, '.regate', 'audit.db'),
      durability: 'process',
      signingKeyPath: join(dir, '.regate', 'audit-signing.key'),
    });
    expect(c.approvals).toEqual({ httpMode: 'hold', holdTimeoutMs: 120_000, defaultTimeoutMs: 600_000 });
    expect(c.targets).toEqual([
      {
        name: 'orders-api',
        type: 'http',
        url: 'http://127.0.0.1:9090',
        match: { pathPrefix: '/api' },
        stripPrefix: false,
        headers: { 'x-api-key': 's3cret', 'x-env': 'dev' },
        labels: { env: 'dev' },
      },
    ]);
    expect(c.limits).toEqual({
      maxBodyBytes: 10 * 1024 * 1024,
      maxActionBodyBytes: 64 * 1024,
      upstreamTimeoutMs: 30_000,
    });
    expect(c.shutdown).toEqual({ graceMs: 10_000 });
  });

  it('parses the quickstart config of the repository', () => {
    const file = new URL('../../../examples/quickstart/gateway.yaml', import.meta.url).pathname;
    const c = loadConfig(file, { env: {} });
    expect(c.identity.dev).toBe(true);
    expect(c.targets.map((t) => t.name)).toEqual(['example-api']);
  });

  it('fills in the defaults when a config names only identity and policy', () => {
    const dir = tempTree();
    const c = parseConfig(base, { baseDir: dir, env: {} });
    expect(c.instance).toBe(hostname());
    expect(c.logLevel).toBe('info');
    expect(c.audit).toMatchObject({
      store: 'sqlite',
      path: join(dir, '.regate', 'audit.db'),
      durability: 'process',
    });
    expect(c.audit.signingKeyPath).toBe(join(dir, '.regate', 'audit-key.pem'));
    expect(c.admin.port).toBe(8081);
    expect(c.targets).toEqual([]);
    expect(c.listeners).toEqual({});
  });

  it('reports a missing file, YAML that does not parse and an empty file as ERR_CONFIG_READ / INVALID', () => {
    const dir = tempTree({
      'bad.yaml': 'identity: { dev: true\npolicy: [',
      'empty.yaml': '',
      'dup.yaml': 'a: 1\na: 2\n',
    });
    expect(() => loadConfig(join(dir, 'none.yaml'))).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_READ',
        message: expect.stringContaining('there is no config file'),
      }),
    );
    expect(() => loadConfig(join(dir, 'bad.yaml'))).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_READ',
        message: expect.stringMatching(/not valid YAML.*line \d+/),
      }),
    );
    expect(() => loadConfig(join(dir, 'dup.yaml'))).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_READ' }),
    );
    expect(() => loadConfig(join(dir, 'empty.yaml'))).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: expect.stringContaining('must be a mapping'),
      }),
    );
  });

  it('names the file and every problem in the error message', () => {
    const dir = tempTree({ 'g.yaml': 'identity: {}\npolicy: { dir: p }\nlistners: {}\n' });
    const err = (() => {
      try {
        loadConfig(join(dir, 'g.yaml'));
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.message).toContain(join(dir, 'g.yaml'));
    expect(err?.message).toContain('listners: unknown setting: did you mean listeners?');
    expect(err?.message).toContain('identity.issuer:');
  });
});

describe('parseConfig errors', () => {
  const cases: { name: string; raw: unknown; env?: Record<string, string>; expected: [string, RegExp][] }[] =
    [
      { name: 'no identity', raw: { policy: { dir: 'p' } }, expected: [['identity', /is required/]] },
      { name: 'no policy', raw: { identity: { dev: true } }, expected: [['policy', /is required/]] },
      {
        name: 'neither dev nor issuer',
        raw: { ...base, identity: {} },
        expected: [
          ['identity.issuer', /dev: true for a local dev issuer/],
          ['identity.audience', /audience/],
        ],
      },
      {
        name: 'dev with an issuer',
        raw: { ...base, identity: { dev: true, issuer: 'https://idp.example.com' } },
        expected: [['identity.issuer', /dev: true runs the local dev issuer/]],
      },
      {
        name: 'an issuer that is not a URL',
        raw: { ...base, identity: { issuer: 'idp', audience: 'regate' } },
        expected: [['identity.issuer', /issuer URL/]],
      },
      {
        name: 'an unknown identity type',
        raw: { ...base, identity: { issuer: 'https://i', audience: 'a', default_type: 'robot' } },
        expected: [['identity.default_type', /one of "user", "service", "agent", not the text "robot"/]],
      },
      {
        name: 'policy with both dir and bundle',
        raw: { ...base, policy: { dir: 'a', bundle: 'b.tar.gz' } },
        expected: [['policy.bundle', /dir or bundle, not both/]],
      },
      {
        name: 'policy with neither',
        raw: { ...base, policy: {} },
        expected: [['policy', /dir: \.\/policies/]],
      },
      {
        name: 'a public key for a directory',
        raw: { ...base, policy: { dir: 'p', public_key: 'file:k.pem' } },
        expected: [['policy.public_key', /with bundle/]],
      },
      {
        name: 'a bad entrypoint',
        raw: { ...base, policy: { dir: 'p', entrypoint: 'data/regate' } },
        expected: [['policy.entrypoint', /dotted Rego package path/]],
      },
      {
        name: 'an unknown top-level key',
        raw: { ...base, listners: {} },
        expected: [['listners', /unknown setting: did you mean listeners\?/]],
      },
      {
        name: 'an unknown nested key',
        raw: { ...base, admin: { prot: 1 } },
        expected: [['admin.prot', /did you mean port\?/]],
      },
      {
        name: 'a port of the wrong type and range',
        raw: { ...base, admin: { port: 'x' }, listeners: { http: { port: 70000 } } },
        expected: [
          ['listeners.http.port', /at most 65535/],
          ['admin.port', /expected a number, got the text "x"/],
        ],
      },
      {
        name: 'a duration without a unit',
        raw: { ...base, approvals: { hold_timeout: 120 } },
        expected: [['approvals.hold_timeout', /expected text, got the number 120/]],
      },
      {
        name: 'a duration that does not parse',
        raw: { ...base, approvals: { default_timeout: '2 minutes' } },
        expected: [['approvals.default_timeout', /not a duration: write a number with a unit/]],
      },
      {
        name: 'a size that does not parse',
        raw: { ...base, limits: { max_body: '10 parsecs' } },
        expected: [['limits.max_body', /not a size/]],
      },
      {
        name: 'an unknown http mode',
        raw: { ...base, approvals: { http_mode: 'wait' } },
        expected: [['approvals.http_mode', /one of "hold", "async"/]],
      },
      {
        name: 'a target without type',
        raw: { ...base, targets: [{ name: 'a', url: 'http://x' }] },
        expected: [['targets[0].type', /is required: one of "http", "postgres", "ssh"/]],
      },
      {
        name: 'a target of an unknown type',
        raw: { ...base, targets: [{ name: 'a', type: 'ftp' }] },
        expected: [['targets[0].type', /not the text "ftp"/]],
      },
      {
        name: 'a target URL that is not http',
        raw: { ...base, listeners: { http: {} }, targets: [{ ...http, url: 'ftp://x' }] },
        expected: [['targets[0].url', /http:\/\/ or https:\/\/ URL/]],
      },
      {
        name: 'a target without a match',
        raw: { ...base, listeners: { http: {} }, targets: [{ ...http, match: {} }] },
        expected: [['targets[0].match', /give host, path_prefix or both/]],
      },
      {
        name: 'a path prefix without a slash',
        raw: { ...base, listeners: { http: {} }, targets: [{ ...http, match: { path_prefix: 'api' } }] },
        expected: [['targets[0].match.path_prefix', /starts with \//]],
      },
      {
        name: 'a bad target name',
        raw: { ...base, listeners: { http: {} }, targets: [{ ...http, name: 'my api' }] },
        expected: [['targets[0].name', /1-100 letters/]],
      },
      {
        name: 'two targets with one name',
        raw: { ...base, listeners: { http: {} }, targets: [http, { ...http, match: { path_prefix: '/b' } }] },
        expected: [['targets[1].name', /targets\[0\] is also named api/]],
      },
      {
        name: 'two targets matching the same requests',
        raw: { ...base, listeners: { http: {} }, targets: [http, { ...http, name: 'b' }] },
        expected: [['targets[1].match', /targets\[0\] matches the same requests/]],
      },
      {
        name: 'http targets without an http listener',
        raw: { ...base, targets: [http] },
        expected: [['listeners.http', /need an http listener/]],
      },
      {
        name: 'an inline secret in a TLS key',
        raw: { ...base, listeners: { http: { tls: { cert: 'file:c.pem', key: '-----BEGIN' } } } },
        expected: [['listeners.http.tls.key', /secrets are not written in the config/]],
      },
      {
        name: 'an inline credential header',
        raw: {
          ...base,
          listeners: { http: {} },
          targets: [{ ...http, headers: { Authorization: 'Bearer abc' } }],
        },
        expected: [['targets[0].headers.Authorization', /carries a credential/]],
      },
      {
        name: 'a missing environment variable',
        raw: {
          ...base,
          listeners: { http: {} },
          targets: [{ ...http, headers: { 'x-api-key': 'env:API_KEY' } }],
        },
        expected: [['targets[0].headers.x-api-key', /API_KEY is not set/]],
      },
      {
        name: 'a missing secret file',
        raw: { ...base, listeners: { http: { tls: { cert: 'file:nope.pem', key: 'file:nope.key' } } } },
        expected: [
          ['listeners.http.tls.cert', /nope\.pem does not exist/],
          ['listeners.http.tls.key', /nope\.key does not exist/],
        ],
      },
      {
        name: 'postgres audit without a URL',
        raw: { ...base, audit: { store: 'postgres' } },
        expected: [['audit.url', /store: postgres needs url/]],
      },
      {
        name: 'a postgres URL with an inline password',
        raw: { ...base, audit: { store: 'postgres', url: 'postgres://u:pw@db/regate' } },
        expected: [['audit.url', /holds a password/]],
      },
      {
        name: 'a sqlite store with a URL',
        raw: { ...base, audit: { url: 'postgres://db/x' } },
        expected: [['audit.url', /url is for store: postgres/]],
      },
      {
        name: 'an unknown durability',
        raw: { ...base, audit: { durability: 'fsync' } },
        expected: [['audit.durability', /one of "process", "strict"/]],
      },
      {
        name: 'a short mask hash key',
        raw: { ...base, mask: { hash_key: 'env:K' } },
        env: { K: 'short' },
        expected: [['mask.hash_key', /at least 16 bytes/]],
      },
      {
        name: 'a list where a mapping belongs',
        raw: { ...base, admin: [] },
        expected: [['admin', /expected a mapping \(key: value lines\), got a list/]],
      },
    ];

  for (const c of cases)
    it(`reports ${c.name} at its path`, () => {
      const got = problems(c.raw, c.env ?? {});
      expect(got.length, JSON.stringify(got)).toBe(c.expected.length);
      for (const [path, message] of c.expected) {
        const hit = got.find(([p]) => p === path);
        expect(hit, `no problem at ${path} in ${JSON.stringify(got)}`).toBeDefined();
        expect(hit?.[1]).toMatch(message);
      }
    });
});

describe('parseConfig secrets and paths', () => {
  it('resolves env: and file: references, file paths relative to the config file', () => {
    const dir = tempTree({ 'secrets/introspect.txt': 'client-s3cret\n', 'hash.key': '0123456789abcdef0123' });
    const c = parseConfig(
      {
        ...base,
        identity: {
          issuer: 'https://idp.example.com',
          audience: 'regate',
          introspection: { client_id: 'gw', client_secret: 'file:secrets/introspect.txt' },
          claims: { groups: 'realm_access.roles' },
          clock_tolerance: '45s',
        },
        audit: { store: 'postgres', url: 'env:AUDIT_PG_URL' },
        mask: { hash_key: 'file:hash.key' },
      },
      { baseDir: dir, env: { AUDIT_PG_URL: 'postgres://gw:pw@db:5432/audit' } },
    );
    expect(c.identity).toEqual({
      dev: false,
      issuer: 'https://idp.example.com',
      audience: 'regate',
      introspection: { clientId: 'gw', clientSecret: 'client-s3cret' },
      claims: { groups: 'realm_access.roles' },
      clockToleranceSec: 45,
    });
    expect(c.audit).toMatchObject({ store: 'postgres', url: 'postgres://gw:pw@db:5432/audit' });
    expect(c.mask.hashKey).toBe('0123456789abcdef0123');
    expect(describeConfig(c).join('\n')).not.toContain(':pw@');
  });

  it('accepts postgres and ssh targets, which serve refuses later', () => {
    const c = parseConfig(
      {
        ...base,
        targets: [
          { name: 'db', type: 'postgres', host: 'db', port: 5432 },
          { name: 'box', type: 'ssh' },
        ],
      },
      { baseDir: tempTree(), env: {} },
    );
    expect(c.targets).toEqual([
      { name: 'db', type: 'postgres', labels: {} },
      { name: 'box', type: 'ssh', labels: {} },
    ]);
    expect(describeConfig(c).join('\n')).toContain('db: postgres — not served by this version yet');
  });
});

describe('gateway.schema.json', () => {
  it('is what npm run gen:schemas writes from the config schema', () => {
    const committed = JSON.parse(readFileSync(new URL('../gateway.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(gatewayJsonSchema());
  });

  it('describes the settings editors complete', () => {
    const schema = gatewayJsonSchema() as { properties: Record<string, { description?: string }> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['identity', 'policy', 'audit', 'targets', 'listeners', 'admin', 'approvals']),
    );
    expect(schema.properties.data_dir?.description).toMatch(/relative to this file/);
  });

  it('is written to a file editors can point at (stays parseable JSON)', () => {
    const dir = tempTree();
    writeFileSync(join(dir, 's.json'), JSON.stringify(gatewayJsonSchema()));
    expect(() => JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))).not.toThrow();
  });
});
