/**
 * The gateway's config file, as written (YAML, snake_case keys): one zod schema, from which the JSON
 * Schema for editors is generated (gateway.schema.json, `regate config schema`). Durations and sizes are
 * parsed here; paths and secret references are resolved by config.ts, which knows where the file is.
 */
import { IDENTITY_TYPES } from '@regate/action';
import { DURABILITIES } from '@regate/audit';
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const duration = (description: string) =>
  z
    .string()
    .meta({ description: `${description} A duration: 500ms, 30s, 2m, 1h.` })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (typeof ms === 'number') return ms;
      ctx.addIssue({ code: 'custom', message: ms.error });
      return z.NEVER;
    });

const size = (description: string) =>
  z
    .union([z.string(), z.number()])
    .meta({ description: `${description} A size: bytes, or 64KiB, 10MiB, 1GB.` })
    .transform((text, ctx) => {
      const bytes = parseSize(text);
      if (typeof bytes === 'number') return bytes;
      ctx.addIssue({ code: 'custom', message: bytes.error });
      return z.NEVER;
    });

/** A secret: never inline (STYLE.md). */
const secretRef = (description: string) =>
  z
    .string()
    .regex(/^(env|file):.+$/s, {
      message: 'secrets are not written in the config: write env:NAME (an environment variable) or file:path',
    })
    .meta({ description: `${description} A reference: env:NAME or file:path.` });

const port = z.int().min(0).max(65535).meta({ description: 'TCP port (0: any free port).' });
const host = z
  .string()
  .min(1)
  .meta({ description: 'Address to bind: 127.0.0.1, 0.0.0.0, ::1, a host name.' });
const labels = z
  .record(z.string().min(1), z.string())
  .meta({ description: 'Target labels the policy sees as input.target.labels (env: prod, team: payments).' });
const targetName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    message: 'a target name is 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  .meta({ description: 'The name policies and the audit trail use (input.target.name).' });

const httpTarget = z
  .strictObject({
    name: targetName,
    type: z.literal('http'),
    url: z
      .url({
        protocol: /^https?$/,
        message: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:9090',
      })
      .meta({ description: 'The upstream: http(s)://host:port[/base path].' }),
    match: z
      .strictObject({
        host: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Route requests for this Host (without port).' }),
        path_prefix: z
          .string()
          .startsWith('/', { message: 'a path prefix starts with /, e.g. /api' })
          .optional()
          .meta({ description: 'Route requests whose path starts with this; the longest prefix wins.' }),
      })
      .refine((m) => m.host !== undefined || m.path_prefix !== undefined, {
        message: 'give host, path_prefix or both: a target with neither would never be chosen',
      }),
    strip_prefix: z.boolean().default(false).meta({ description: 'Remove path_prefix before forwarding.' }),
    headers: z.record(z.string().min(1), z.string()).default({}).meta({
      description:
        'Headers injected upstream (credentials the gateway holds). A value env:NAME or file:path is resolved; a header whose name looks secret must be a reference.',
    }),
    labels: labels.default({}),
  })
  .meta({ description: 'An HTTP service behind the gateway.' });

// PostgreSQL and SSH targets are accepted so a config can be written ahead; `regate serve` refuses
// them until their adapters exist.
const laterTarget = (type: 'postgres' | 'ssh') =>
  z
    .looseObject({ name: targetName, type: z.literal(type), labels: labels.optional() })
    .meta({ description: `A ${type} target (not served yet by this version).` });

const target = z.discriminatedUnion('type', [httpTarget, laterTarget('postgres'), laterTarget('ssh')]);

const identity = z
  .strictObject({
    dev: z.boolean().optional().meta({
      description:
        'Run a local dev OIDC issuer on the admin listener at /dev-issuer (key in data_dir/dev-issuer.jwk); mint tokens with `regate token`. For trying regate, not for production.',
    }),
    issuer: z
      .url({
        message: 'must be the issuer URL of your OIDC provider, e.g. https://idp.example.com/realms/main',
      })
      .optional()
      .meta({
        description: "Your OIDC provider's issuer URL (discovery at /.well-known/openid-configuration).",
      }),
    audience: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'The aud tokens must carry (dev default: regate).' }),
    algorithms: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'Accepted JWS algorithms (default: the asymmetric ones; never none or HS*).' }),
    clock_tolerance: duration('Allowed clock skew for exp/nbf/iat (default 30s).').optional(),
    claims: z
      .strictObject({
        subject: z.string().min(1).optional(),
        email: z.string().min(1).optional(),
        groups: z.string().min(1).optional().meta({ description: 'A dot path, e.g. realm_access.roles.' }),
        type: z.string().min(1).optional(),
      })
      .optional()
      .meta({ description: 'Which token claims hold the subject, email, groups and identity type.' }),
    default_type: z
      .enum(IDENTITY_TYPES)
      .optional()
      .meta({ description: 'Identity type when the token has none.' }),
    introspection: z
      .strictObject({ client_id: z.string().min(1), client_secret: secretRef('The client secret.') })
      .optional()
      .meta({ description: 'RFC 7662 introspection of opaque tokens.' }),
    allow_insecure_http: z
      .boolean()
      .optional()
      .meta({ description: 'Allow an http:// issuer that is not on a loopback address (testing only).' }),
  })
  .superRefine((v, ctx) => {
    if (v.dev === true) {
      for (const key of ['issuer', 'introspection', 'algorithms', 'claims'] as const)
        if (v[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `dev: true runs the local dev issuer, which has no ${key} setting: remove ${key}, or remove dev to use your OIDC provider`,
          });
      return;
    }
    if (v.issuer === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message:
          'say how clients are identified: issuer (and audience) of your OIDC provider, or dev: true for a local dev issuer',
      });
    if (v.audience === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['audience'],
        message:
          'the audience tokens must carry (their aud claim) is required with an issuer, e.g. audience: regate',
      });
  })
  .meta({ description: 'How clients are identified: OIDC bearer tokens.' });

const policy = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A policy directory (OPA bundle layout), e.g. ./policies.' }),
    bundle: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A bundle file (.tar.gz) built by `regate build`.' }),
    public_key: secretRef('PEM public key the bundle signature must verify with.').optional(),
    entrypoint: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, {
        message: 'must be a dotted Rego package path, e.g. regate',
      })
      .default('regate')
      .meta({ description: 'The package holding allow/block/require_approval/mask/admin.' }),
    timeout: duration('Budget per decision (default 100ms); over it, the action is blocked.').optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.dir === undefined) === (v.bundle === undefined))
      ctx.addIssue({
        code: 'custom',
        path: v.dir === undefined ? [] : ['bundle'],
        message:
          v.dir === undefined
            ? 'give the policy as dir: ./policies (a directory) or bundle: policy.tar.gz (a file)'
            : 'give dir or bundle, not both',
      });
    if (v.public_key !== undefined && v.bundle === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['public_key'],
        message: 'public_key verifies a bundle file: use it with bundle, not dir',
      });
  })
  .meta({ description: 'The Rego policy the gateway decides with.' });

const audit = z
  .strictObject({
    store: z
      .enum(['sqlite', 'postgres'])
      .default('sqlite')
      .meta({ description: 'Where the audit trail is kept.' }),
    path: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'sqlite: the database file (default audit.db in data_dir).' }),
    url: z.string().min(1).optional().meta({
      description: 'postgres: the server URL, as a reference (env:AUDIT_PG_URL) when it holds a password.',
    }),
    durability: z.enum(DURABILITIES).default('process').meta({
      description: 'process: survives kill -9; strict: also survives power loss (fsync per commit).',
    }),
    signing_key: z
      .string()
      .min(1)
      .default('audit-key.pem')
      .meta({ description: 'Ed25519 key signing checkpoints (relative to data_dir; created when missing).' }),
    timeout: duration('A commit slower than this fails (default 5s): the action is blocked.').optional(),
    checkpoint_every: z
      .int()
      .positive()
      .optional()
      .meta({ description: 'Sign a checkpoint every N records (1000).' }),
    checkpoint_interval: duration('…and at least this often while records arrive (10s).').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.store === 'sqlite' && v.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'url is for store: postgres; sqlite takes path',
      });
    if (v.store === 'postgres') {
      if (v.url === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'store: postgres needs url, e.g. url: env:AUDIT_PG_URL (postgres://user:password@host/db)',
        });
      if (v.path !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          message: 'path is for store: sqlite; postgres takes url',
        });
    }
  })
  .meta({ description: 'The tamper-evident audit trail (approval requests live in the same store).' });

const approvals = z
  .strictObject({
    http_mode: z.enum(['hold', 'async']).default('hold').meta({
      description: 'hold: the HTTP request waits; async: 202 with the approval id, retried by the client.',
    }),
    hold_timeout: duration('How long an HTTP request is held (default 2m).').prefault('2m'),
    default_timeout: duration('How long an approval request stays open (default 10m).').prefault('10m'),
  })
  .meta({ description: 'require_approval decisions.' });

const limits = z
  .strictObject({
    max_body: size('Largest request body (default 10MiB).').optional(),
    max_header: size('Largest request header block (default 16KiB).').optional(),
    max_action_body: size('JSON bodies up to this go into the Action (default 64KiB).').optional(),
    max_masked_body: size('Largest response body that can be masked (default 10MiB).').optional(),
    headers_timeout: duration('Time to receive request headers.').optional(),
    request_timeout: duration('Time to receive a whole request.').optional(),
    upstream_timeout: duration('Time for the upstream to answer (504 after).').optional(),
  })
  .meta({ description: 'Limits of the HTTP listener.' });

export const configSchema = z
  .strictObject({
    data_dir: z.string().min(1).default('.regate').meta({
      description: 'Keys, SQLite files and the dev issuer key (relative to this file; default .regate).',
    }),
    instance: z.string().min(1).max(200).optional().meta({
      description: "This gateway's audit chain name (default: the host name); unique per running gateway.",
    }),
    log_level: z.enum(LOG_LEVELS).default('info').meta({ description: 'Log level (JSON lines on stderr).' }),
    listeners: z
      .strictObject({
        http: z
          .strictObject({
            port: port.default(8080),
            host: host.default('127.0.0.1'),
            tls: z
              .strictObject({ cert: secretRef('PEM certificate chain.'), key: secretRef('PEM private key.') })
              .optional()
              .meta({ description: 'Serve HTTPS.' }),
            trust_forwarded_for: z.boolean().default(false).meta({
              description: 'Take the client address from X-Forwarded-For (behind a trusted proxy only).',
            }),
          })
          .optional()
          .meta({ description: 'The HTTP proxy listener (needed by http targets).' }),
      })
      .prefault({}),
    admin: z
      .strictObject({
        port: port.default(8081),
        host: host.default('127.0.0.1'),
        metrics_public: z
          .boolean()
          .default(false)
          .meta({ description: 'Serve /metrics without a token (when the network is trusted).' }),
        max_body: size('Largest admin request body (default 64KiB).').prefault('64KiB'),
      })
      .prefault({})
      .meta({ description: 'The admin API: health, metrics, policy, approvals, audit.' }),
    identity,
    policy,
    audit: audit.prefault({}),
    approvals: approvals.prefault({}),
    targets: z.array(target).default([]).meta({ description: 'What the gateway proxies to.' }),
    limits: limits.prefault({}),
    mask: z
      .strictObject({
        hash_key: secretRef(
          'Key of the hash masking strategy (default: a random key kept in data_dir/mask-hash.key).',
        ).optional(),
      })
      .prefault({}),
    shutdown: z
      .strictObject({
        grace: duration('How long in-flight and held requests may finish on stop (default 10s).').prefault(
          '10s',
        ),
      })
      .prefault({}),
  })
  .meta({ title: 'regate gateway config', description: 'regate serve -c gateway.yaml' });

/** The config as written, after zod (durations in ms, sizes in bytes; paths and secrets not yet resolved). */
export type RawConfig = z.output<typeof configSchema>;

/** The JSON Schema editors validate the YAML with. */
export function gatewayJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
