/**
 * `regate login`: sign in to an OIDC provider with the OAuth 2.0 device authorization grant (RFC 8628)
 * and keep the tokens for other commands; `regate login --print` prints the stored access token.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { IdentityError, startDeviceLogin } from '@regate/identity';
import { bool, type OptionSpec, parse, str, UsageError } from './args.js';
import { EXIT, type IO } from './io.js';
import { CliError } from './report-errors.js';

export const LOGIN_HELP = `Usage: regate login --issuer <url> --client-id <id> [options]
       regate login --print

Signs you in to your OpenID Connect provider with the device authorization grant (RFC 8628): regate
prints a URL and a code on stderr, you open the URL in any browser, enter the code and sign in as usual,
and regate stores the tokens it receives in $XDG_CONFIG_HOME/regate/token.json (without XDG_CONFIG_HOME:
~/.config/regate/token.json), readable only by you. The access token is what you present to the gateway.

The client id is a public client registered at your provider with the device code grant enabled (ask
whoever runs the gateway which one). Use --audience or --resource when your provider needs to be told
which API the token is for, so that its audience is the gateway's.

Options:
      --issuer <url>        your provider's issuer URL (https://; http:// only for this machine)
      --client-id <id>      the client to sign in with
      --scope <scopes>      space-separated scopes to ask for (default "openid")
      --audience <aud>      ask for a token for this audience (the 'audience' parameter, as Auth0 names it)
      --resource <uri>      ask for a token for this resource (RFC 8707 resource indicator)
      --print               print the stored access token on stdout if it is still valid, and nothing
                            else (exit 1 when there is none or it expired)
  -h, --help                show this help

Examples:
  regate login --issuer https://idp.example.com/realms/acme --client-id regate-cli
  regate login --issuer https://acme.eu.auth0.com/ --client-id Xy12... --audience https://regate.acme.io
  curl -H "Authorization: Bearer $(regate login --print)" https://gateway.acme.io/orders

Exit codes:
  0  signed in and stored the tokens; --print: printed a valid token
  1  the provider cannot be reached or refused (unknown client, device flow not enabled), you denied the
     sign-in or the code expired, the tokens cannot be stored, no valid stored token (--print), or bad
     usage
`;

const OPTIONS: OptionSpec = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  audience: { type: 'string' },
  resource: { type: 'string' },
  print: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** What `regate login` keeps in token.json. */
export interface StoredToken {
  issuer: string;
  client_id: string;
  access_token: string;
  token_type: string;
  /** RFC 3339; absent when the provider did not say how long the token lives. */
  expires_at?: string;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  /** Who signed in, from the ID token or the access token, for messages. */
  subject?: string;
  obtained_at: string;
}

/** Seconds before expiry from which a stored token no longer counts as valid: it must outlive its use. */
const EXPIRY_MARGIN_SEC = 30;

/** Where the token is stored: $XDG_CONFIG_HOME/regate/token.json, else ~/.config/regate/token.json. */
export function tokenPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'regate', 'token.json');
}

/**
 * The stored token when there is one that is still valid (for other commands to present), else
 * undefined. A token whose lifetime is unknown counts as valid: the gateway decides.
 */
export function storedToken(options: { env?: NodeJS.ProcessEnv; now?: Date } = {}): StoredToken | undefined {
  const found = readStored(tokenPath(options.env));
  if (found === undefined || !isValid(found, options.now ?? new Date())) return undefined;
  return found;
}

export async function loginCommand(argv: string[], io: IO): Promise<number> {
  const p = parse('login', OPTIONS, argv);
  if (bool(p, 'help')) {
    io.out(LOGIN_HELP);
    return EXIT.ok;
  }
  if (p.positionals.length > 0)
    throw new UsageError(
      `regate login takes no arguments, got ${p.positionals.join(' ')}. Run 'regate login --help' for more.`,
    );
  if (bool(p, 'print')) return printStored(io);

  const issuer = str(p, 'issuer');
  const clientId = str(p, 'client-id');
  if (issuer === undefined || clientId === undefined)
    throw new UsageError(
      `regate login needs ${issuer === undefined ? '--issuer <url>' : ''}${issuer === undefined && clientId === undefined ? ' and ' : ''}${clientId === undefined ? '--client-id <id>' : ''}, e.g. 'regate login --issuer https://idp.example.com --client-id regate-cli'. Run 'regate login --help' for more.`,
    );
  const scope = str(p, 'scope');
  const audience = str(p, 'audience');
  const resource = str(p, 'resource');
  try {
    const login = await startDeviceLogin({
      issuer,
      clientId,
      ...(scope === undefined ? {} : { scope }),
      ...(audience === undefined ? {} : { audience }),
      ...(resource === undefined ? {} : { resource }),
    });
    io.err(
      `To sign in, open ${login.verificationUri} in a browser and enter the code ${login.userCode}\n` +
        (login.verificationUriComplete ? `  (or open ${login.verificationUriComplete})\n` : '') +
        'Waiting for you to finish signing in...\n',
    );
    const tokens = await login.wait();
    const now = new Date();
    const stored: StoredToken = {
      issuer,
      client_id: clientId,
      access_token: tokens.accessToken,
      token_type: tokens.tokenType,
      obtained_at: now.toISOString(),
    };
    if (tokens.expiresIn !== undefined)
      stored.expires_at = new Date(now.getTime() + tokens.expiresIn * 1000).toISOString();
    if (tokens.scope !== undefined) stored.scope = tokens.scope;
    if (tokens.refreshToken !== undefined) stored.refresh_token = tokens.refreshToken;
    if (tokens.idToken !== undefined) stored.id_token = tokens.idToken;
    if (tokens.subject !== undefined) stored.subject = tokens.subject;
    const path = tokenPath();
    writePrivate(path, `${JSON.stringify(stored, null, 2)}\n`);
    io.err(
      `Signed in${tokens.subject === undefined ? '' : ` as ${tokens.subject}`}. The token is stored in ${path}${stored.expires_at ? `, valid until ${stored.expires_at}` : ''}.\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof IdentityError) throw new CliError(err.code, `${err.message} [${err.code}]`);
    throw err;
  }
}

function printStored(io: IO): number {
  const path = tokenPath();
  const found = readStored(path);
  if (found === undefined)
    throw new CliError(
      'ERR_NOT_LOGGED_IN',
      `no stored token in ${path}: sign in first with 'regate login --issuer <url> --client-id <id>'`,
    );
  if (!isValid(found, new Date()))
    throw new CliError(
      'ERR_TOKEN_EXPIRED',
      `the stored token expired at ${found.expires_at}: sign in again with 'regate login --issuer ${found.issuer} --client-id ${found.client_id}'`,
    );
  io.out(`${found.access_token}\n`);
  return EXIT.ok;
}

function readStored(path: string): StoredToken | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const t = JSON.parse(text) as StoredToken;
    return typeof t?.access_token === 'string' && t.access_token !== '' ? t : undefined;
  } catch {
    return undefined;
  }
}

function isValid(token: StoredToken, now: Date): boolean {
  if (token.expires_at === undefined) return true;
  const exp = Date.parse(token.expires_at);
  return Number.isFinite(exp) && exp - EXPIRY_MARGIN_SEC * 1000 > now.getTime();
}

/** Writes a file only its owner can read, whole or not at all (directory created 0700). */
function writePrivate(path: string, text: string): void {
  const tmp = join(dirname(path), `.token.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CliError(
      'ERR_WRITE',
      `cannot store the token in ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
