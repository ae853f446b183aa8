/**
 * For the identity tests: a real OpenID Provider (oidc-provider 9) in this process, over plain http on
 * 127.0.0.1 and port 0. It issues real tokens:
 * - JWT access tokens (RFC 9068, `typ: at+jwt`) through resource indicators (RFC 8707): the resource
 *   `urn:regate` gives a JWT for audience `regate`, `urn:other` a JWT for audience `other`, and
 *   `urn:regate:opaque` an opaque token for audience `regate` (to introspect). Access tokens rather than
 *   ID tokens, because an access token is what a resource server like the gateway is meant to receive;
 * - for the client-credentials client `svc` (groups dba, ops; type service) and, through the device
 *   flow of the public client `cli`, for any user who signs in (groups from USERS).
 * The server can be made to hang or answer 503 (an issuer that is down), and its keys can be rotated.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const SVC = { id: 'svc', secret: 'svc-secret-0123456789' };
export const GATEWAY_CLIENT = { id: 'gateway', secret: 'gateway-secret-0123456789' };
export const CLI_CLIENT = 'regate-cli';

/** Users who can sign in through the device flow, with their groups. */
export const USERS: Record<string, { groups: string[]; email: string }> = {
  alice: { groups: ['dba'], email: 'alice@example.com' },
  bob: { groups: ['dev', 'ops'], email: 'bob@example.com' },
  carol: { groups: ['admins'], email: 'carol@example.com' },
  dave: { groups: ['admins'], email: 'dave@example.com' },
};

export interface SigningKey {
  kid: string;
  /** The private JWK (with kid, alg, use) as the provider holds it. */
  jwk: JWK;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, jwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }, privateKey, publicJwk };
}

export type IssuerMode = 'up' | 'hang' | 'unavailable';

export interface TestIssuer {
  issuer: string;
  /** The keys the provider signs with, the first one in use. */
  keys: SigningKey[];
  /** Requests served, by path (e.g. how many times `/jwks` was fetched). */
  hits: Map<string, number>;
  setMode(mode: IssuerMode): void;
  /** Starts signing with `key`; the old keys stay published (a rotation, as an IdP does it). */
  rotate(key: SigningKey): void;
  /** A client-credentials access token of `svc` for a resource (default `urn:regate`). */
  serviceToken(resource?: string): Promise<string>;
  /** Revokes a token (RFC 7009) as `svc`. */
  revoke(token: string): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuer(options: { keys?: SigningKey[] } = {}): Promise<TestIssuer> {
  const keys = options.keys ?? [await signingKey('key-1')];
  const hits = new Map<string, number>();
  let mode: IssuerMode = 'up';
  const hung: ServerResponse[] = [];
  let handle: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (mode === 'hang') {
      hung.push(res);
      return;
    }
    if (mode === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = (signing: SigningKey[]) => {
    const provider = new Provider(issuer, providerConfig(signing));
    // RFC 8628 §3.2 lets the server choose the polling interval; 1 s keeps the CLI's device-flow test short.
    provider.use(async (ctx, next) => {
      await next();
      if (
        ctx.path === '/device/auth' &&
        ctx.status === 200 &&
        typeof ctx.body === 'object' &&
        ctx.body !== null
      )
        (ctx.body as Record<string, unknown>).interval = 1;
    });
    handle = provider.callback();
  };
  build(keys);

  const tokenRequest = async (path: string, body: Record<string, string>): Promise<Response> =>
    fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${SVC.id}:${SVC.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body),
    });

  return {
    issuer,
    keys,
    hits,
    setMode(m) {
      mode = m;
      if (m === 'up') for (const res of hung.splice(0)) res.destroy();
    },
    rotate(key) {
      keys.unshift(key);
      build(keys);
    },
    async serviceToken(resource = 'urn:regate') {
      const res = await tokenRequest('/token', {
        grant_type: 'client_credentials',
        resource,
        scope: 'regate',
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async revoke(token) {
      const res = await tokenRequest('/token/revocation', { token });
      if (res.status !== 200) throw new Error(`revocation failed: HTTP ${res.status}`);
    },
    async close() {
      for (const res of hung.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function providerConfig(keys: SigningKey[]): Record<string, unknown> {
  return {
    jwks: { keys: keys.map((k) => k.jwk) },
    clients: [
      {
        client_id: SVC.id,
        client_secret: SVC.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: GATEWAY_CLIENT.id,
        client_secret: GATEWAY_CLIENT.secret,
        grant_types: [],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: CLI_CLIENT,
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:regate',
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: 'regate',
          audience: resource === 'urn:other' ? 'other' : 'regate',
          accessTokenFormat: resource === 'urn:regate:opaque' ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { accountId?: string; clientId?: string }) => {
      if (token.accountId !== undefined) return { groups: USERS[token.accountId]?.groups ?? [] };
      if (token.clientId === SVC.id)
        return { groups: ['dba', 'ops'], realm_access: { roles: ['admin'] }, regate_type: 'service' };
      return undefined;
    },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: USERS[id]?.email }),
    }),
    ttl: {
      ClientCredentials: 600,
      AccessToken: 3600,
      DeviceCode: 600,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
    },
  };
}

/**
 * Completes a device-flow sign-in the way a person in a browser would: opens the verification page,
 * enters the user code, confirms (or aborts, with `deny`), signs in as `user` on the provider's login
 * form and consents. Every
 * step is a real request to the provider's interaction endpoints; cookies are carried along.
 */
export async function approveDevice(
  verificationUri: string,
  userCode: string,
  user: string,
  options: { deny?: boolean } = {},
): Promise<void> {
  const jar = new Map<string, string>();
  let url = verificationUri;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, verificationUri), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      init = {};
      continue;
    }
    const html = await res.text();
    if (res.status !== 200)
      throw new Error(`device approval: HTTP ${res.status} at ${url}: ${html.slice(0, 300)}`);
    if (
      html.includes('Sign-in Success') ||
      (options.deny && html.includes('Sign-in request was interrupted'))
    )
      return;
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`device approval: no form at ${url}`);
    const fields = new URLSearchParams();
    for (const input of (form[2] ?? '').matchAll(/<(?:input|button)([^>]*)>/g)) {
      const attrs = input[1] ?? '';
      const name = /name="([^"]*)"/.exec(attrs)?.[1];
      if (!name || name === 'abort') continue;
      const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
      fields.set(
        name,
        name === 'user_code' && value === ''
          ? userCode
          : name === 'login'
            ? user
            : name === 'password'
              ? 'any'
              : value,
      );
    }
    // The confirmation page's [ Abort ] button (outside the form) posts the same fields with abort=yes.
    if (options.deny && fields.get('confirm') === 'yes') {
      fields.delete('confirm');
      fields.set('abort', 'yes');
    }
    url = form[1] ?? url;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    };
  }
  throw new Error('device approval did not finish in 20 steps');
}
