/**
 * The adapter's options, their defaults, and the checks `createHttpAdapter` runs on them before it
 * listens: a bad option is an ERR_HTTP_INVALID_OPTIONS at start, never a surprise on the first request.
 */
import type { TargetInfo } from '@regate/action';
import { MIN_HASH_KEY_BYTES } from '@regate/mask';
import { HttpAdapterError } from './errors.js';

export interface HttpRoute {
  /** The target's name, type (`http`) and labels, as the policy sees them. */
  target: TargetInfo;
  /** `http(s)://host:port[/base]`: where matching requests go. */
  upstream: string;
  /** At least one. The longest matching pathPrefix wins; host compares case-insensitively without port. */
  match: { host?: string; pathPrefix?: string };
  /** Remove pathPrefix from the path before forwarding. */
  stripPrefix?: boolean;
  /** Headers injected into every forwarded request (upstream credentials, already resolved). */
  headers?: Record<string, string>;
}

export interface HttpAdapterLimits {
  /** Request line plus headers (default 16 KiB); larger → 431. */
  maxHeaderBytes?: number;
  /** Request body (default 10 MiB); larger → 413. */
  maxBodyBytes?: number;
  /** JSON request bodies up to this size go into the Action as `http.body` (default 64 KiB). */
  maxActionBodyBytes?: number;
  /** A response that must be masked is buffered up to this size, decoded (default 10 MiB); larger → 502. */
  maxMaskedBodyBytes?: number;
  /** Time to receive the request headers (default 30 s). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request (default 300 s); keep it above approval.holdTimeoutMs. */
  requestTimeoutMs?: number;
  /** Time the upstream may stay silent, before and during its response (default 60 s). */
  upstreamTimeoutMs?: number;
}

export interface HttpAdapterOptions {
  routes: HttpRoute[];
  approval?: { mode: 'hold' | 'async'; holdTimeoutMs?: number };
  limits?: HttpAdapterLimits;
  /** Key of the `hash` mask strategy (at least 16 bytes). */
  maskHashKey: Buffer;
  /** Serve HTTPS when given. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Take the client address from X-Forwarded-For (its last entry: the one the trusted proxy added). */
  trustForwardedFor?: boolean;
}

export const DEFAULT_LIMITS = {
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 10 * 1024 * 1024,
  maxActionBodyBytes: 64 * 1024,
  maxMaskedBodyBytes: 10 * 1024 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  upstreamTimeoutMs: 60_000,
} as const;

export const DEFAULT_HOLD_TIMEOUT_MS = 120_000;

export type ResolvedLimits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

export interface ResolvedOptions {
  routes: HttpRoute[];
  approval: { mode: 'hold' | 'async'; holdTimeoutMs: number };
  limits: ResolvedLimits;
  maskHashKey: Buffer;
  tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  trustForwardedFor: boolean;
}

function invalid(message: string): never {
  throw new HttpAdapterError('ERR_HTTP_INVALID_OPTIONS', message);
}

export function resolveOptions(options: HttpAdapterOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') invalid('createHttpAdapter needs an options object');
  if (!Array.isArray(options.routes) || options.routes.length === 0) {
    invalid('routes must be a non-empty array: with no route every request would be refused');
  }
  if (!Buffer.isBuffer(options.maskHashKey) || options.maskHashKey.length < MIN_HASH_KEY_BYTES) {
    invalid(`maskHashKey must be a Buffer of at least ${MIN_HASH_KEY_BYTES} bytes`);
  }
  const limits: ResolvedLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS))
      invalid(`limits.${key} is not a limit (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      invalid(`limits.${key} must be a positive integer, not ${JSON.stringify(value)}`);
    }
    limits[key as keyof ResolvedLimits] = value;
  }
  if (limits.maxActionBodyBytes > limits.maxBodyBytes) {
    invalid('limits.maxActionBodyBytes must not exceed limits.maxBodyBytes');
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    invalid('limits.headersTimeoutMs must not exceed limits.requestTimeoutMs');
  }
  const mode = options.approval?.mode ?? 'hold';
  if (mode !== 'hold' && mode !== 'async')
    invalid(`approval.mode must be hold or async, not ${JSON.stringify(mode)}`);
  const holdTimeoutMs = options.approval?.holdTimeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS;
  if (!Number.isInteger(holdTimeoutMs) || holdTimeoutMs < 1) {
    invalid(`approval.holdTimeoutMs must be a positive integer, not ${JSON.stringify(holdTimeoutMs)}`);
  }
  if (options.tls !== undefined && (options.tls.cert === undefined || options.tls.key === undefined)) {
    invalid('tls needs both cert and key');
  }
  return {
    routes: options.routes,
    approval: { mode, holdTimeoutMs },
    limits,
    maskHashKey: options.maskHashKey,
    tls: options.tls,
    trustForwardedFor: options.trustForwardedFor === true,
  };
}
