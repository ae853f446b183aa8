/**
 * `regate serve -c gateway.yaml`: runs the gateway until SIGINT or SIGTERM, then stops it gracefully
 * (in-flight and held requests get the configured grace period; the audit trail is flushed and a last
 * checkpoint signed) and exits 0.
 */
import type { Gateway, LogLevel } from '@regate/gateway';
import { bool, type OptionSpec, oneOf, parse, str, UsageError } from './args.js';
import { EXIT, type IO } from './io.js';

export const SERVE_HELP = `Usage: regate serve [-c gateway.yaml] [--log-level info]

Runs the gateway: the HTTP proxy in front of the config's targets, deciding every request with the
policy and recording it in the audit trail, and the admin API (health, metrics, approvals, audit search;
the dev OIDC issuer when identity.dev). The log is JSON lines on stderr: one line per listener at start
(http, admin, dev issuer), the policy revision and the audit store.

SIGINT (Ctrl-C) or SIGTERM stops it: the listeners stop accepting, requests in flight and held for an
approval get shutdown.grace (default 10s) to finish, then the audit trail is flushed and signed.
'regate config check' shows what a config would serve without starting anything.

Options:
  -c, --config <file>     the config file (default gateway.yaml)
      --log-level <lvl>   debug, info, warn or error (default: log_level in the config, else info)
  -h, --help              show this help

Examples:
  regate serve -c examples/quickstart/gateway.yaml
  regate serve -c /etc/regate/gateway.yaml --log-level warn

Exit codes:
  0  stopped by SIGINT or SIGTERM, cleanly
  1  the config has problems, the gateway could not start (port in use, policy does not compile,
     audit store cannot be opened), or it did not stop cleanly
`;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

const OPTIONS: OptionSpec = {
  config: { type: 'string', short: 'c' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Where stop signals come from; tests pass their own. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export async function serveCommand(
  argv: string[],
  io: IO,
  options: { signals?: SignalSource; write?: (line: string) => void } = {},
): Promise<number> {
  const p = parse('serve', OPTIONS, argv);
  if (bool(p, 'help')) {
    io.out(SERVE_HELP);
    return EXIT.ok;
  }
  if (p.positionals.length > 0)
    throw new UsageError(
      `regate serve takes no arguments, got ${p.positionals.join(' ')}: give the config with -c <file>.`,
    );
  const given = str(p, 'log-level');
  const level = given === undefined ? undefined : oneOf('serve', 'log-level', given, LOG_LEVELS);
  const file = str(p, 'config') ?? 'gateway.yaml';
  // Loaded here, not at the top: every other command would pay for the gateway's start-up cost.
  const { ConfigError, createLogger, Gateway, GatewayStartError, loadConfig } = await import(
    '@regate/gateway'
  );
  let gateway: Gateway;
  try {
    const config = loadConfig(file);
    const logger = createLogger({
      level: level ?? config.logLevel,
      ...(options.write ? { write: options.write } : {}),
    });
    gateway = await Gateway.start(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof GatewayStartError) {
      io.err(`regate serve: ${err.message} [${err.code}]\n`);
      return EXIT.error;
    }
    throw err;
  }
  const signals = options.signals ?? process;
  const signal = await new Promise<string>((resolve) => {
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const done = (name: string) => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      resolve(name);
    };
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
  gateway.logger.info(`${signal}: stopping`);
  // A second signal while stopping is ignored: the grace period bounds how long stopping takes.
  const ignore = () =>
    gateway.logger.warn('already stopping; in-flight requests are given their grace period');
  signals.once('SIGINT', ignore);
  signals.once('SIGTERM', ignore);
  try {
    await gateway.stop();
    return EXIT.ok;
  } catch (err) {
    io.err(`regate serve: the gateway did not stop cleanly: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT.error;
  } finally {
    signals.off('SIGINT', ignore);
    signals.off('SIGTERM', ignore);
  }
}
