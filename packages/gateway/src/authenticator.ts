/**
 * Identity for the gateway: the dev issuer (a local OIDC issuer served on the admin listener, for
 * trying regate) or a TokenVerifier for the configured OIDC provider.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterLogger } from '@regate/action';
import { DevIssuer, type IdentityConfig, TokenVerifier } from '@regate/identity';
import type { GatewayConfig } from './config.js';
import type { Authenticator } from './context.js';
import { devIssuerUrl } from './dev-issuer-url.js';
import { GatewayStartError } from './errors.js';

export interface IdentitySetup {
  authenticator: Authenticator;
  /** The dev issuer's discovery and JWKS handler (false for other URLs), when identity.dev. */
  devHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The dev issuer's URL, when identity.dev. */
  devIssuer?: string;
}

export async function setUpIdentity(
  settings: GatewayConfig['identity'],
  admin: { host: string; port: number },
  clock: () => Date,
  logger: AdapterLogger,
): Promise<IdentitySetup> {
  try {
    if (settings.dev) {
      const issuer = devIssuerUrl(admin);
      const dev = await DevIssuer.open({ keyPath: settings.keyPath, issuer, audience: settings.audience });
      const verifier = await dev.verifier({ clock });
      return { authenticator: verifier, devHandler: (req, res) => dev.handler(req, res), devIssuer: issuer };
    }
    const config: IdentityConfig = { issuer: settings.issuer, audience: settings.audience };
    if (settings.algorithms) config.algorithms = settings.algorithms;
    if (settings.clockToleranceSec !== undefined) config.clockToleranceSec = settings.clockToleranceSec;
    if (settings.claims) config.claims = settings.claims;
    if (settings.defaultType) config.defaultType = settings.defaultType;
    if (settings.introspection) config.introspection = settings.introspection;
    if (settings.allowInsecureHttp !== undefined) config.allowInsecureHttp = settings.allowInsecureHttp;
    return { authenticator: await TokenVerifier.create(config, { clock, logger }) };
  } catch (err) {
    throw new GatewayStartError(
      'ERR_GATEWAY_IDENTITY',
      `identity cannot be set up: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  }
}
