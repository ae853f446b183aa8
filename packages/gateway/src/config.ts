/**
 * Loading `gateway.yaml`: YAML → the zod schema (config-schema.ts) → paths and secrets resolved → a
 * typed GatewayConfig. Problems are reported together, each with its path (`targets[0].url`) and what is
 * expected, as a ConfigError: first every problem of shape, then, once the shape is right, every
 * reference that does not resolve.
 *
 * Paths: `data_dir`, `policy.dir`, `policy.bundle` and `file:` references are relative to the config
 * file; `audit.path` and `audit.signing_key` are relative to `data_dir`, where the gateway keeps its
 * state.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { IdentityType } from '@regate/action';
import type { Durability } from '@regate/audit';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type LOG_LEVELS, type RawConfig } from './config-schema.js';
import { isCredentialName } from './credential-name.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { isSecretRef, resolveSecret, type SecretContext } from './secrets.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpTargetConfig {
  name: string;
  type: 'http';
  url: string;
  match: { host?: string; pathPrefix?: string };
  stripPrefix: boolean;
  /** Resolved values (secrets included): never log them. */
  headers: Record<string, string>;
  labels: Record<string, string>;
}

/** A target of a protocol this version does not serve yet (accepted so a config can be written ahead). */
export interface LaterTargetConfig {
  name: string;
  type: 'postgres' | 'ssh';
  labels: Record<string, string>;
}

export type TargetConfig = HttpTargetConfig | LaterTargetConfig;

export type IdentitySettings =
  | { dev: true; audience: string; keyPath: string }
  | {
      dev: false;
      issuer: string;
      audience: string;
      algorithms?: string[];
      clockToleranceSec?: number;
      claims?: { subject?: string; email?: string; groups?: string; type?: string };
      defaultType?: IdentityType;
      introspection?: { clientId: string; clientSecret: string };
      allowInsecureHttp?: boolean;
    };

export type AuditSettings = {
  durability: Durability;
  signingKeyPath: string;
  timeoutMs?: number;
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
} & ({ store: 'sqlite'; path: string } | { store: 'postgres'; url: string });

export interface GatewayConfig {
  /** The config file, when loaded from one. */
  file?: string;
  /** The config file's directory: relative paths start here. */
  baseDir: string;
  dataDir: string;
  instance: string;
  logLevel: LogLevel;
  listeners: {
    http?: { port: number; host: string; tls?: { cert: string; key: string }; trustForwardedFor: boolean };
  };
  admin: { port: number; host: string; metricsPublic: boolean; maxBodyBytes: number };
  identity: IdentitySettings;
  policy: ({ dir: string } | { bundle: string; publicKey?: string }) & {
    entrypoint: string;
    timeoutMs?: number;
  };
  audit: AuditSettings;
  approvals: { httpMode: 'hold' | 'async'; holdTimeoutMs: number; defaultTimeoutMs: number };
  targets: TargetConfig[];
  limits: {
    maxBodyBytes?: number;
    maxHeaderBytes?: number;
    maxActionBodyBytes?: number;
    maxMaskedBodyBytes?: number;
    headersTimeoutMs?: number;
    requestTimeoutMs?: number;
    upstreamTimeoutMs?: number;
  };
  mask: { hashKey?: string };
  shutdown: { graceMs: number };
}

export interface LoadOptions {
  /** Where env: references are looked up (default process.env). */
  env?: Record<string, string | undefined>;
}

/** Reads and checks a config file; throws ConfigError listing every problem. */
export function loadConfig(file: string, options: LoadOptions = {}): GatewayConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      'ERR_CONFIG_READ',
      [
        {
          path: '',
          message:
            code === 'ENOENT'
              ? `there is no config file at ${path}: write one (see 'regate config schema') or pass -c <file>`
              : `the config file cannot be read: ${(err as Error).message}`,
        },
      ],
      path,
      { cause: err },
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      'ERR_CONFIG_READ',
      doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML: ${e.message.split('\n')[0]}${e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : ''}`,
      })),
      path,
    );
  const raw = doc.toJS() as unknown;
  return parseConfig(raw, { baseDir: dirname(path), file: path, env: options.env ?? process.env });
}

/** Checks a config object (parsed YAML) and resolves its paths and secrets. */
export function parseConfig(
  raw: unknown,
  options: { baseDir: string; file?: string; env?: Record<string, string | undefined> },
): GatewayConfig {
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(
      'ERR_CONFIG_INVALID',
      [
        {
          path: '',
          message: `the config must be a mapping of settings (identity:, policy:, targets:, ...), not ${describe(raw)}`,
        },
      ],
      options.file,
    );
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    throw new ConfigError(
      'ERR_CONFIG_INVALID',
      parsed.error.issues.flatMap((i) => explainIssue(i)),
      options.file,
    );
  const problems: ConfigProblem[] = [];
  const config = resolveConfig(
    parsed.data,
    { baseDir: options.baseDir, env: options.env ?? process.env },
    problems,
  );
  if (options.file !== undefined) config.file = options.file;
  if (problems.length > 0) throw new ConfigError('ERR_CONFIG_INVALID', problems, options.file);
  return config;
}

function resolveConfig(raw: RawConfig, ctx: SecretContext, problems: ConfigProblem[]): GatewayConfig {
  const secret = (path: string, ref: string): string => {
    const r = resolveSecret(ref, ctx);
    if ('error' in r) {
      problems.push({ path, message: r.error });
      return '';
    }
    return r.value;
  };
  const fromBase = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  const dataDir = fromBase(raw.data_dir);
  const fromData = (p: string) => (isAbsolute(p) ? p : resolve(dataDir, p));

  const listeners: GatewayConfig['listeners'] = {};
  const h = raw.listeners.http;
  if (h) {
    listeners.http = { port: h.port, host: h.host, trustForwardedFor: h.trust_forwarded_for };
    if (h.tls)
      listeners.http.tls = {
        cert: secret('listeners.http.tls.cert', h.tls.cert),
        key: secret('listeners.http.tls.key', h.tls.key),
      };
  }

  let identity: IdentitySettings;
  const i = raw.identity;
  if (i.dev === true) {
    identity = { dev: true, audience: i.audience ?? 'regate', keyPath: resolve(dataDir, 'dev-issuer.jwk') };
  } else {
    identity = { dev: false, issuer: i.issuer ?? '', audience: i.audience ?? '' };
    if (i.algorithms) identity.algorithms = i.algorithms;
    if (i.clock_tolerance !== undefined) identity.clockToleranceSec = i.clock_tolerance / 1000;
    if (i.claims) {
      const claims: { subject?: string; email?: string; groups?: string; type?: string } = {};
      for (const k of ['subject', 'email', 'groups', 'type'] as const) {
        const v = i.claims[k];
        if (v !== undefined) claims[k] = v;
      }
      identity.claims = claims;
    }
    if (i.default_type) identity.defaultType = i.default_type;
    if (i.introspection)
      identity.introspection = {
        clientId: i.introspection.client_id,
        clientSecret: secret('identity.introspection.client_secret', i.introspection.client_secret),
      };
    if (i.allow_insecure_http !== undefined) identity.allowInsecureHttp = i.allow_insecure_http;
  }

  const p = raw.policy;
  const policy: GatewayConfig['policy'] =
    p.dir !== undefined
      ? { dir: fromBase(p.dir), entrypoint: p.entrypoint }
      : { bundle: fromBase(p.bundle ?? ''), entrypoint: p.entrypoint };
  if ('bundle' in policy && p.public_key !== undefined)
    policy.publicKey = secret('policy.public_key', p.public_key);
  if (p.timeout !== undefined) policy.timeoutMs = p.timeout;

  const a = raw.audit;
  let audit: AuditSettings;
  const common = { durability: a.durability, signingKeyPath: fromData(a.signing_key) };
  if (a.store === 'postgres') {
    let url = a.url ?? '';
    if (isSecretRef(url)) url = secret('audit.url', url);
    else if (hasPassword(url))
      problems.push({
        path: 'audit.url',
        message:
          'the URL holds a password, and secrets are not written in the config: write url: env:AUDIT_PG_URL',
      });
    if (url !== '' && !/^postgres(ql)?:\/\//.test(url))
      problems.push({ path: 'audit.url', message: 'must be a postgres://user@host:5432/db URL' });
    audit = { ...common, store: 'postgres', url };
  } else {
    audit = { ...common, store: 'sqlite', path: fromData(a.path ?? 'audit.db') };
  }
  if (a.timeout !== undefined) audit.timeoutMs = a.timeout;
  if (a.checkpoint_every !== undefined) audit.checkpointEvery = a.checkpoint_every;
  if (a.checkpoint_interval !== undefined) audit.checkpointIntervalMs = a.checkpoint_interval;

  const targets: TargetConfig[] = [];
  const names = new Map<string, number>();
  const routes = new Map<string, number>();
  raw.targets.forEach((t, n) => {
    const at = `targets[${n}]`;
    const seen = names.get(t.name);
    if (seen !== undefined)
      problems.push({
        path: `${at}.name`,
        message: `targets[${seen}] is also named ${t.name}: each target needs its own name (policies and the audit trail tell them apart by it)`,
      });
    names.set(t.name, n);
    if (t.type !== 'http') {
      targets.push({ name: t.name, type: t.type, labels: { ...(t.labels ?? {}) } });
      return;
    }
    const match: HttpTargetConfig['match'] = {};
    if (t.match.host !== undefined) match.host = t.match.host.toLowerCase();
    if (t.match.path_prefix !== undefined) match.pathPrefix = t.match.path_prefix;
    const key = `${match.host ?? '*'} ${match.pathPrefix ?? ''}`;
    const clash = routes.get(key);
    if (clash !== undefined)
      problems.push({
        path: `${at}.match`,
        message: `targets[${clash}] matches the same requests: give each target its own host or path_prefix`,
      });
    routes.set(key, n);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(t.headers)) {
      const hp = `${at}.headers${pathKey(name)}`;
      if (isSecretRef(value)) headers[name.toLowerCase()] = secret(hp, value);
      else if (isCredentialName(name))
        problems.push({
          path: hp,
          message: `${name} carries a credential, and secrets are not written in the config: write env:NAME or file:path`,
        });
      else headers[name.toLowerCase()] = value;
    }
    targets.push({
      name: t.name,
      type: 'http',
      url: t.url,
      match,
      stripPrefix: t.strip_prefix,
      headers,
      labels: { ...t.labels },
    });
  });
  if (targets.some((t) => t.type === 'http') && !listeners.http)
    problems.push({
      path: 'listeners.http',
      message: 'the http targets need an http listener: add listeners: { http: { port: 8080 } }',
    });

  const l = raw.limits;
  const limits: GatewayConfig['limits'] = {};
  if (l.max_body !== undefined) limits.maxBodyBytes = l.max_body;
  if (l.max_header !== undefined) limits.maxHeaderBytes = l.max_header;
  if (l.max_action_body !== undefined) limits.maxActionBodyBytes = l.max_action_body;
  if (l.max_masked_body !== undefined) limits.maxMaskedBodyBytes = l.max_masked_body;
  if (l.headers_timeout !== undefined) limits.headersTimeoutMs = l.headers_timeout;
  if (l.request_timeout !== undefined) limits.requestTimeoutMs = l.request_timeout;
  if (l.upstream_timeout !== undefined) limits.upstreamTimeoutMs = l.upstream_timeout;

  const mask: GatewayConfig['mask'] = {};
  if (raw.mask.hash_key !== undefined) {
    const key = secret('mask.hash_key', raw.mask.hash_key);
    if (key !== '' && Buffer.byteLength(key) < 16)
      problems.push({ path: 'mask.hash_key', message: 'the hash key must be at least 16 bytes' });
    mask.hashKey = key;
  }

  return {
    baseDir: ctx.baseDir,
    dataDir,
    instance: raw.instance ?? hostname(),
    logLevel: raw.log_level,
    listeners,
    admin: {
      port: raw.admin.port,
      host: raw.admin.host,
      metricsPublic: raw.admin.metrics_public,
      maxBodyBytes: raw.admin.max_body,
    },
    identity,
    policy,
    audit,
    approvals: {
      httpMode: raw.approvals.http_mode,
      holdTimeoutMs: raw.approvals.hold_timeout,
      defaultTimeoutMs: raw.approvals.default_timeout,
    },
    targets,
    limits,
    mask,
    shutdown: { graceMs: raw.shutdown.grace },
  };
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

// --- explaining zod's issues ------------------------------------------------------------------------

type Issue = z.core.$ZodIssue & { input?: unknown };

/** `['targets', 0, 'url']` → `targets[0].url`; keys that are not plain words are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' && /^[A-Za-z_][\w-]*$/.test(String(seg)) ? String(seg) : pathKey(String(seg));
  }
  return out;
}

function pathKey(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v === 'number' ? 'the number' : `the ${typeof v}`} ${String(v)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  nan: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  record: 'a mapping',
};

function explainIssue(issue: Issue): ConfigProblem[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return [{ path, message: `is required: give ${expected}` }];
      return [{ path, message: `expected ${expected}, got ${describe(issue.input)}` }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `unknown setting${suggest(key, knownKeys(issue.path))}`,
      }));
    case 'invalid_value':
      return [
        {
          path,
          message: `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describe(issue.input)}`,
        },
      ];
    case 'invalid_union': {
      const u = issue as Issue & { discriminator?: string; options?: unknown[] };
      if (u.discriminator !== undefined) {
        const given =
          typeof issue.input === 'object' && issue.input !== null
            ? (issue.input as Record<string, unknown>)[u.discriminator]
            : issue.input;
        const options = (u.options ?? []).map((o) => JSON.stringify(o)).join(', ');
        return [
          {
            path,
            message:
              given === undefined
                ? `is required: one of ${options}`
                : `must be one of ${options}, not ${describe(given)}`,
          },
        ];
      }
      return [{ path, message: `expected text or a number, got ${describe(issue.input)}` }];
    }
    case 'too_small':
      if (issue.origin === 'string') return [{ path, message: 'must not be empty' }];
      if (issue.origin === 'array') return [{ path, message: `needs at least ${issue.minimum} entries` }];
      return [{ path, message: `must be at least ${issue.minimum}, not ${describe(issue.input)}` }];
    case 'too_big':
      if (issue.origin === 'string')
        return [{ path, message: `must be at most ${issue.maximum} characters` }];
      return [{ path, message: `must be at most ${issue.maximum}, not ${describe(issue.input)}` }];
    case 'invalid_format':
      return [
        {
          path,
          message: issue.message.startsWith('Invalid') ? `is not a valid ${issue.format}` : issue.message,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

/** The keys the schema allows at `path`, for "did you mean" hints. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let s: unknown = configSchema;
  const unwrap = (x: unknown): unknown => {
    for (let n = 0; n < 10; n++) {
      const def = (x as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return x;
      if (def.innerType) x = def.innerType;
      else if (def.in) x = def.in;
      else return x;
    }
    return x;
  };
  for (const seg of path) {
    s = unwrap(s);
    const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (typeof seg === 'number' && def.element) s = def.element;
    else if (def.shape) s = (def.shape as Record<string, unknown>)[String(seg)];
    else return [];
  }
  s = unwrap(s);
  const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  if (def?.shape) return Object.keys(def.shape as Record<string, unknown>);
  if (Array.isArray(def?.options))
    return [
      ...new Set(
        (def.options as { _zod: { def: { shape?: Record<string, unknown> } } }[]).flatMap((o) =>
          Object.keys(o._zod.def.shape ?? {}),
        ),
      ),
    ];
  return [];
}

function suggest(given: string, known: string[]): string {
  if (known.length === 0) return '';
  let close: string | undefined;
  let best = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(given.toLowerCase(), k);
    if (d < best && d <= Math.max(2, Math.floor(k.length / 3))) {
      best = d;
      close = k;
    }
  }
  return close
    ? `: did you mean ${close}? The settings here are ${known.join(', ')}`
    : `: the settings here are ${known.join(', ')}`;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
