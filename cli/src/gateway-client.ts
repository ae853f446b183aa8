/**
 * The admin API of a running gateway, for the commands that take `--gateway URL` (approvals, audit
 * search and export): the caller's own OIDC token instead of direct access to the store, so the
 * gateway's policy decides what they may see and do, and every call lands in the audit trail.
 */
import { UsageError } from './args.js';
import { storedToken } from './cmd-login.js';
import { CliError } from './report-errors.js';

/** The help lines of --gateway and --token, shared by the commands that take them. */
export const GATEWAY_HELP = `      --gateway <url>       use a running gateway's admin API (http://127.0.0.1:8081) instead of
                            the store: you act as the identity of your token, and the call is audited
      --token <token>       your OIDC token for --gateway (default: $REGATE_TOKEN, then the token
                            'regate login' stored)`;

export interface GatewayClientOptions {
  url: string;
  /** --token; else REGATE_TOKEN; else the stored login token. */
  token?: string;
  env?: Record<string, string | undefined>;
  /** The token `regate login` stored, when there is one. */
  storedToken?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
}

/** An error the gateway answered with: its HTTP status and the code from its JSON body. */
export class GatewayApiError extends CliError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export class GatewayClient {
  readonly base: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;

  private constructor(base: string, token: string, fetchImpl: typeof fetch) {
    this.base = base;
    this.#token = token;
    this.#fetch = fetchImpl;
  }

  static async connect(options: GatewayClientOptions): Promise<GatewayClient> {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(
        `--gateway must be the admin API's URL, e.g. http://127.0.0.1:8081, not '${options.url}'.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--gateway must be an http:// or https:// URL, not '${options.url}'.`);
    const env = options.env ?? process.env;
    const stored =
      options.storedToken ?? (() => storedToken({ env: env as NodeJS.ProcessEnv })?.access_token);
    const token = nonEmpty(options.token) ?? nonEmpty(env.REGATE_TOKEN) ?? nonEmpty(await stored());
    if (token === undefined)
      throw new CliError(
        'ERR_TOKEN_MISSING',
        "--gateway needs your OIDC token: pass --token <token>, set REGATE_TOKEN, or run 'regate login' (with the dev issuer: REGATE_TOKEN=$(regate token --user you))",
      );
    return new GatewayClient(url.toString().replace(/\/+$/, ''), token, options.fetch ?? fetch);
  }

  /** GET or POST a JSON route; resolves with the parsed body of a 2xx answer. */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.#call(method, path, body);
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        'ERR_GATEWAY_ANSWER',
        `${this.base}${path} did not answer JSON: is --gateway the admin API's URL?`,
      );
    }
  }

  /** GET a route whose answer is text (a JSON Lines export, a transcript). */
  async text(path: string): Promise<string> {
    return (await this.#call('GET', path)).text();
  }

  async #call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.#fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
      throw new CliError(
        'ERR_GATEWAY_UNREACHABLE',
        `cannot reach the gateway at ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}. Is it running, and is this its admin listener (admin.port)?`,
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let code = `ERR_GATEWAY_HTTP_${res.status}`;
    let message = `the gateway answered ${res.status} ${res.statusText}`;
    try {
      const parsed = JSON.parse(text) as { code?: unknown; error?: unknown };
      if (typeof parsed.code === 'string') code = parsed.code;
      if (typeof parsed.error === 'string') message = `the gateway answered ${res.status}: ${parsed.error}`;
    } catch {
      // not the admin API's JSON: keep the status line
    }
    throw new GatewayApiError(res.status, code, message);
  }
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/** What to do about an error code the admin API answered with. */
export function gatewayHint(code: string): string {
  switch (code) {
    case 'ERR_ADMIN_UNAUTHENTICATED':
      return "Your token is missing, expired or not from the gateway's issuer: get a new one ('regate login', or 'regate token' with the dev issuer).\n";
    case 'ERR_ADMIN_FORBIDDEN':
      return "The gateway's policy does not grant you this (its admin rules); ask whoever maintains the policy.\n";
    case 'ERR_ADMIN_AUDIT_UNAVAILABLE':
      return 'The gateway cannot write its audit trail, so it refuses admin calls until it can: check its store.\n';
    case 'ERR_GATEWAY_UNREACHABLE':
      return 'Check --gateway: the admin listener of a running gateway (admin.host and admin.port in its config).\n';
    case 'ERR_TOKEN_MISSING':
      return '';
    default:
      return '';
  }
}
