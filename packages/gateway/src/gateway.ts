/**
 * The composition root: `Gateway.start(config)` builds the policy engine, the audit log, the approval
 * service on the same store, identity, the AdapterContext, the HTTP adapter and the admin API, and
 * `stop()` takes them down in the order that loses nothing:
 *
 *   1. the HTTP adapter stops accepting and lets in-flight and held requests finish within the grace
 *      period (the admin API stays up meanwhile, so a held request can still be approved), then fails
 *      what is left cleanly (503) — each recorded;
 *   2. the admin API closes;
 *   3. the approval service closes (pending waits end);
 *   4. the audit log flushes, signs a last checkpoint and closes its store.
 *
 * A start that fails half-way closes what it had opened, in the same order.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter, type HttpAdapter, type HttpRoute } from '@regate/adapter-http';
import { ApprovalService, approvalStoreFor } from '@regate/approvals';
import {
  AuditLog,
  type AuditLogOptions,
  type AuditStore,
  loadOrCreateSigningKey,
  PostgresStore,
  pgClient,
  SqliteStore,
} from '@regate/audit';
import { PolicyEngine } from '@regate/engine';
import { createAdminHandler } from './admin-api.js';
import { AuditRecorder } from './audit-recorder.js';
import { type IdentitySetup, setUpIdentity } from './authenticator.js';
import type { GatewayConfig, HttpTargetConfig } from './config.js';
import { createAdapterContext } from './context.js';
import { GatewayStartError } from './errors.js';
import { idGenerator } from './ids.js';
import { createLogger, type Logger } from './logger.js';
import { maskHashKey } from './mask-key.js';
import { GatewayMetrics } from './metrics.js';
import { readPolicy } from './policy-source.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Wall clock for records, ids, token checks and approvals (tests pin it). */
  clock?: () => Date;
  /** Monotonic milliseconds, for latency metrics. */
  now?: () => number;
}

export interface GatewayAddresses {
  /** `http://127.0.0.1:8080` (https when TLS is configured); absent without http targets. */
  http?: string;
  admin: string;
  /** The dev issuer's URL, when identity.dev. */
  devIssuer?: string;
}

interface GatewayState {
  phase: 'starting' | 'running' | 'stopping';
}

export class Gateway {
  readonly config: GatewayConfig;
  readonly engine: PolicyEngine;
  readonly audit: AuditLog;
  readonly approvals: ApprovalService;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly addresses: GatewayAddresses;
  readonly #http: HttpAdapter | undefined;
  readonly #admin: Server;
  readonly #state: GatewayState;
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    config: GatewayConfig;
    engine: PolicyEngine;
    audit: AuditLog;
    approvals: ApprovalService;
    metrics: GatewayMetrics;
    logger: Logger;
    addresses: GatewayAddresses;
    http: HttpAdapter | undefined;
    admin: Server;
    /** Shared with the admin API: ready only while running. */
    state: GatewayState;
  }) {
    this.config = parts.config;
    this.engine = parts.engine;
    this.audit = parts.audit;
    this.approvals = parts.approvals;
    this.metrics = parts.metrics;
    this.logger = parts.logger;
    this.addresses = parts.addresses;
    this.#http = parts.http;
    this.#admin = parts.admin;
    this.#state = parts.state;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  static async start(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
    const logger = options.logger ?? createLogger({ level: config.logLevel });
    const clock = options.clock ?? (() => new Date());
    const now = options.now ?? (() => performance.now());
    const later = config.targets.filter((t) => t.type !== 'http');
    if (later.length > 0)
      throw new GatewayStartError(
        'ERR_GATEWAY_UNSUPPORTED',
        `${later.map((t) => `${t.name} (${t.type})`).join(', ')}: ${later.length === 1 ? 'this target type is' : 'these target types are'} not served by this version of regate yet; only http targets are. Remove ${later.length === 1 ? 'it' : 'them'} from targets to start.`,
      );
    const cleanup: (() => Promise<unknown>)[] = [];
    const undo = async () => {
      for (const step of cleanup.reverse()) await step().catch(() => {});
    };
    try {
      mkdirSync(config.dataDir, { recursive: true });
      const metrics = new GatewayMetrics();

      // Policy first: without one there is nothing to decide with.
      const engine = new PolicyEngine({
        entrypoint: config.policy.entrypoint,
        ...(config.policy.timeoutMs !== undefined ? { timeoutMs: config.policy.timeoutMs } : {}),
      });
      const source = await readPolicy(config.policy);
      try {
        engine.activate(source);
      } catch (err) {
        throw new GatewayStartError(
          'ERR_GATEWAY_POLICY',
          `the policy does not compile: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const activatedAt = clock().toISOString();
      logger.info(`policy revision ${source.revision} active`, {
        entrypoint: config.policy.entrypoint,
        from: 'dir' in config.policy ? config.policy.dir : config.policy.bundle,
      });

      // The audit trail, and approvals in the same store.
      const key = loadOrCreateSigningKey(config.audit.signingKeyPath);
      if (key.created) logger.info('created the audit signing key', { path: config.audit.signingKeyPath });
      const store: AuditStore =
        config.audit.store === 'sqlite'
          ? new SqliteStore({ path: config.audit.path, durability: config.audit.durability })
          : new PostgresStore({ client: pgClient(config.audit.url), durability: config.audit.durability });
      const logOptions: AuditLogOptions = { store, instance: config.instance, key, clock };
      if (config.audit.timeoutMs !== undefined) logOptions.timeoutMs = config.audit.timeoutMs;
      if (config.audit.checkpointEvery !== undefined)
        logOptions.checkpointEvery = config.audit.checkpointEvery;
      if (config.audit.checkpointIntervalMs !== undefined)
        logOptions.checkpointIntervalMs = config.audit.checkpointIntervalMs;
      let audit: AuditLog;
      try {
        audit = await AuditLog.open(logOptions);
      } catch (err) {
        await store.close().catch(() => {});
        throw err;
      }
      cleanup.push(() => audit.close());
      logger.info(`audit store ${store.kind} ${store.location}`, {
        instance: audit.instance,
        durability: store.durability,
        head: audit.head.seq,
      });
      const recorder = new AuditRecorder({ log: audit, metrics, logger, clock, now });
      const approvals = await ApprovalService.start({
        store: approvalStoreFor(store),
        audit: recorder,
        clock,
        defaultTimeoutMs: config.approvals.defaultTimeoutMs,
        logger,
      });
      cleanup.push(() => approvals.close());

      // The admin listener first: the dev issuer's URL names its port.
      let identity: IdentitySetup | undefined;
      const state: GatewayState = { phase: 'starting' };
      const admin = createServer(
        createAdminHandler({
          engine,
          authenticate: (token) => {
            if (!identity)
              return Promise.reject(Object.assign(new Error('starting'), { code: 'ERR_STARTING' }));
            return identity.authenticator.verify(token);
          },
          recorder,
          approvals,
          store,
          metrics,
          logger: logger.child({ listener: 'admin' }),
          metricsPublic: config.admin.metricsPublic,
          maxBodyBytes: config.admin.maxBodyBytes,
          activatedAt: () => activatedAt,
          devIssuer: () => identity?.devHandler,
          phase: () => state.phase,
        }),
      );
      const adminAddress = await listen(admin, config.admin.port, config.admin.host, 'admin');
      cleanup.push(() => closeServer(admin));
      const adminUrl = urlOf('http', adminAddress);
      logger.info(`admin listening on ${adminUrl}`);

      identity = await setUpIdentity(
        config.identity,
        { host: config.admin.host, port: adminAddress.port },
        clock,
        logger.child({ component: 'identity' }),
      );
      if (identity.devIssuer)
        logger.info(`dev issuer at ${identity.devIssuer}`, { audience: devAudience(config) });

      const ctx = createAdapterContext({
        authenticator: identity.authenticator,
        engine,
        recorder,
        approvals,
        metrics,
        logger: logger.child({ listener: 'http' }),
        clock,
        now,
        newId: idGenerator({ clock }),
      });

      let http: HttpAdapter | undefined;
      const addresses: GatewayAddresses = { admin: adminUrl };
      if (identity.devIssuer) addresses.devIssuer = identity.devIssuer;
      const httpTargets = config.targets.filter((t): t is HttpTargetConfig => t.type === 'http');
      const listener = config.listeners.http;
      if (listener && httpTargets.length > 0) {
        const adapter = createHttpAdapter(
          {
            routes: httpTargets.map(routeOf),
            approval: { mode: config.approvals.httpMode, holdTimeoutMs: config.approvals.holdTimeoutMs },
            limits: config.limits,
            maskHashKey: maskHashKey(config.dataDir, config.mask.hashKey),
            ...(listener.tls ? { tls: listener.tls } : {}),
            trustForwardedFor: listener.trustForwardedFor,
          },
          ctx,
        );
        http = adapter;
        let address: AddressInfo;
        try {
          address = await adapter.listen(listener.port, listener.host);
        } catch (err) {
          throw listenError(err, 'http', listener.host, listener.port);
        }
        cleanup.push(() => adapter.close({ graceMs: 0 }));
        addresses.http = urlOf(listener.tls ? 'https' : 'http', address);
        logger.info(`http listening on ${addresses.http}`, { targets: httpTargets.map((t) => t.name) });
        metrics.addGauge({
          name: 'regate_active_sessions',
          help: 'Open sessions (client connection, identity and target), by protocol.',
          read: () => [{ labels: { protocol: 'http' }, value: adapter.stats().activeSessions }],
        });
        metrics.addGauge({
          name: 'regate_held_requests',
          help: 'Requests held for an approval, by protocol.',
          read: () => [{ labels: { protocol: 'http' }, value: adapter.stats().heldRequests }],
        });
        metrics.addGauge({
          name: 'regate_active_requests',
          help: 'Requests in flight, by protocol.',
          read: () => [{ labels: { protocol: 'http' }, value: adapter.stats().activeRequests }],
        });
      } else if (httpTargets.length === 0) {
        logger.warn('no targets: only the admin API is served');
      }
      metrics.addGauge({
        name: 'regate_policy_info',
        help: 'The active policy revision (value 1).',
        read: () => [
          {
            labels: {
              revision: engine.revision ?? '',
              entrypoint: engine.entrypoint,
              activated_at: activatedAt,
            },
            value: 1,
          },
        ],
      });
      metrics.addGauge({
        name: 'regate_audit_up',
        help: '1 while the audit trail takes records, 0 after an append failed (until one succeeds).',
        read: () => [{ value: recorder.health().ok ? 1 : 0 }],
      });

      state.phase = 'running';
      return new Gateway({
        config,
        engine,
        audit,
        approvals,
        metrics,
        logger,
        addresses,
        http,
        admin,
        state,
      });
    } catch (err) {
      await undo();
      throw err;
    }
  }

  /**
   * Stops the gateway (see the top of this file). Resolves once the audit trail is closed; calling it
   * again returns the same promise.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? this.config.shutdown.graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#state.phase = 'stopping';
    this.logger.info('stopping', { grace_ms: graceMs });
    const errors: unknown[] = [];
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
        this.logger.error(`stopping: ${what} failed`, { error: (err as Error)?.message });
      }
    };
    if (this.#http) await step('the http listener', () => (this.#http as HttpAdapter).close({ graceMs }));
    await step('the admin listener', () => closeServer(this.#admin));
    await step('approvals', () => this.approvals.close());
    await step('the audit log', () => this.audit.close());
    this.logger.info('stopped', { audit_head: this.audit.head.seq });
    if (errors.length > 0) throw errors[0];
  }
}

function devAudience(config: GatewayConfig): string | undefined {
  return config.identity.dev ? config.identity.audience : undefined;
}

function routeOf(t: HttpTargetConfig): HttpRoute {
  const route: HttpRoute = {
    target: { name: t.name, type: 'http', labels: t.labels },
    upstream: t.url,
    match: t.match,
    stripPrefix: t.stripPrefix,
  };
  if (Object.keys(t.headers).length > 0) route.headers = t.headers;
  return route;
}

function urlOf(scheme: 'http' | 'https', a: AddressInfo): string {
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${scheme}://${host}:${a.port}`;
}

function listen(server: Server, port: number, host: string, name: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(listenError(err, name, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function listenError(err: unknown, name: string, host: string, port: number): GatewayStartError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is in use: stop what holds it, or choose another port'
      : code === 'EADDRNOTAVAIL'
        ? 'that address is not one of this machine'
        : code === 'EACCES'
          ? 'binding a port below 1024 needs privileges: choose a port above 1023'
          : ((err as Error)?.message ?? String(err));
  return new GatewayStartError(
    'ERR_GATEWAY_LISTEN',
    `the ${name} listener cannot bind ${host}:${port}: ${why}`,
    {
      cause: err,
    },
  );
}

/** Stops accepting, lets answers in progress finish, then drops idle keep-alive connections. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // A client holding a connection open past its last answer must not keep the gateway up.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
