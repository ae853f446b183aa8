/** `regate token`: mint a token from the gateway's dev issuer, for local use. */
import { IDENTITY_TYPES, type IdentityType } from '@regate/action';
import { DEV_ISSUER_DEFAULTS, IdentityError, MAX_DEV_TTL_SEC, mintDevToken } from '@regate/identity';
import { bool, type OptionSpec, oneOf, parse, str, UsageError } from './args.js';
import { EXIT, type IO } from './io.js';
import { CliError } from './report-errors.js';

export const TOKEN_HELP = `Usage: regate token --user <subject> [options]

Mints a token from the gateway's dev issuer and prints it on stdout: a signed JWT access token that a
gateway running the dev issuer accepts as your identity, with no identity provider involved. For local
use only: anyone who can read the key file can mint a token for anyone. Against a real identity
provider, sign in with 'regate login' instead.

The key is the one the gateway creates when it starts with the dev issuer; start it once first. With
-c, the key, the issuer URL and the audience are taken from the gateway's config file.

Options:
  -u, --user <subject>      who the token is for (its subject); required
      --groups <a,b>        groups, comma-separated (input.identity.groups in policies)
      --email <address>     an email address (input.identity.email)
      --type <type>         user (default), service or agent (input.identity.type)
      --ttl <duration>      how long the token is valid: 90s, 15m, 1h (default), at most 24h
      --key <file>          the dev issuer's key (default ${DEV_ISSUER_DEFAULTS.keyPath})
      --issuer <url>        the dev issuer's URL, as the gateway serves it
                            (default ${DEV_ISSUER_DEFAULTS.issuer})
      --audience <aud>      the audience the gateway accepts (default ${DEV_ISSUER_DEFAULTS.audience})
  -c, --config <file>       the gateway's config: its dev issuer key (data_dir/dev-issuer.jwk), its
                            issuer URL (on the admin listener) and audience
  -h, --help                show this help

Examples:
  regate token --user alice --groups dba,ops
  curl -H "Authorization: Bearer $(regate token --user alice)" http://127.0.0.1:8080/orders
  regate token --user ci-bot --type agent --ttl 15m
  regate token -c examples/quickstart/gateway.yaml --user alice --groups analyst

Exit codes:
  0  the token was printed
  1  no key file (start the gateway once with the dev issuer, or pass --key), an unreadable key, or bad
     usage
`;

const OPTIONS: OptionSpec = {
  user: { type: 'string', short: 'u' },
  groups: { type: 'string' },
  email: { type: 'string' },
  type: { type: 'string' },
  ttl: { type: 'string' },
  key: { type: 'string' },
  issuer: { type: 'string' },
  audience: { type: 'string' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
};

export async function tokenCommand(argv: string[], io: IO): Promise<number> {
  const p = parse('token', OPTIONS, argv);
  if (bool(p, 'help')) {
    io.out(TOKEN_HELP);
    return EXIT.ok;
  }
  if (p.positionals.length > 0)
    throw new UsageError(
      `regate token takes no arguments, got ${p.positionals.join(' ')}; name the subject with --user. Run 'regate token --help' for more.`,
    );
  const user = str(p, 'user');
  if (user === undefined || user.trim() === '')
    throw new UsageError(
      "regate token needs --user <subject>, e.g. 'regate token --user alice --groups dba'. Run 'regate token --help' for more.",
    );
  const type =
    str(p, 'type') === undefined
      ? undefined
      : oneOf<IdentityType>('token', 'type', str(p, 'type') as string, IDENTITY_TYPES);
  const groups = str(p, 'groups')
    ?.split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const email = str(p, 'email');
  const fromConfig = await devIssuerOf(str(p, 'config'));
  const audience = str(p, 'audience') ?? fromConfig?.audience;
  try {
    const token = await mintDevToken({
      keyPath: str(p, 'key') ?? fromConfig?.keyPath ?? DEV_ISSUER_DEFAULTS.keyPath,
      issuer: str(p, 'issuer') ?? fromConfig?.issuer ?? DEV_ISSUER_DEFAULTS.issuer,
      subject: user,
      ttlSec: parseTtl(str(p, 'ttl') ?? '1h'),
      ...(groups === undefined ? {} : { groups }),
      ...(email === undefined ? {} : { email }),
      ...(type === undefined ? {} : { type }),
      ...(audience === undefined ? {} : { audience }),
    });
    io.out(`${token}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof IdentityError) throw new CliError(err.code, `${err.message} [${err.code}]`);
    throw err;
  }
}

/** The dev issuer a gateway config runs: its key file, URL and audience (undefined without -c). */
async function devIssuerOf(
  file: string | undefined,
): Promise<{ keyPath: string; issuer: string; audience: string } | undefined> {
  if (file === undefined) return undefined;
  // Loaded only with -c: the gateway package is large, and minting a token should stay quick.
  const { ConfigError, devIssuerUrl, loadConfig } = await import('@regate/gateway');
  try {
    const config = loadConfig(file);
    if (!config.identity.dev)
      throw new CliError(
        'ERR_NOT_DEV_ISSUER',
        `${config.file} identifies clients with ${config.identity.issuer}, not the dev issuer: get a token from that provider ('regate login').`,
      );
    return {
      keyPath: config.identity.keyPath,
      issuer: devIssuerUrl(config.admin),
      audience: config.identity.audience,
    };
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.code, `${err.message} [${err.code}]`);
    throw err;
  }
}

/** `90s`, `15m`, `1h`, `1d` or a number of seconds, within the dev issuer's limit. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m?.[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = m ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > MAX_DEV_TTL_SEC)
    throw new UsageError(
      `invalid --ttl '${text}' for 'regate token': give a duration between 1s and 24h, e.g. 90s, 15m or 1h.`,
    );
  return seconds;
}
