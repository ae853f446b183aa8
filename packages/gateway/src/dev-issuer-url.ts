/**
 * Where the dev issuer lives: on the admin listener, at /dev-issuer. `regate token -c gateway.yaml`
 * computes the same URL from the config, so the tokens it mints carry the issuer the gateway checks.
 */

/** The dev issuer's URL for an admin listener; on a wildcard address, the loopback one. */
export function devIssuerUrl(admin: { host: string; port: number }): string {
  const wildcard = admin.host === '0.0.0.0' || admin.host === '::' || admin.host === '';
  const host = wildcard ? '127.0.0.1' : admin.host.includes(':') ? `[${admin.host}]` : admin.host;
  return `http://${host}:${admin.port}/dev-issuer`;
}
