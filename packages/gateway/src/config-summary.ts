/** What `regate config check` prints for a good config: what the gateway would serve, no secrets. */
import type { GatewayConfig } from './config.js';
import { devIssuerUrl } from './dev-issuer-url.js';

export function describeConfig(c: GatewayConfig): string[] {
  const lines: string[] = [];
  const http = c.listeners.http;
  if (http) lines.push(`http listener   ${http.tls ? 'https' : 'http'}://${http.host}:${http.port}`);
  lines.push(
    `admin listener  http://${c.admin.host}:${c.admin.port}${c.admin.metricsPublic ? ' (metrics public)' : ''}`,
  );
  lines.push(
    c.identity.dev
      ? `identity        dev issuer at ${devIssuerUrl(c.admin)} (audience ${c.identity.audience}, key ${c.identity.keyPath})`
      : `identity        OIDC issuer ${c.identity.issuer} (audience ${c.identity.audience})`,
  );
  lines.push(
    'dir' in c.policy
      ? `policy          directory ${c.policy.dir} (entrypoint ${c.policy.entrypoint})`
      : `policy          bundle ${c.policy.bundle}${c.policy.publicKey ? ' (signature verified)' : ''} (entrypoint ${c.policy.entrypoint})`,
  );
  lines.push(
    c.audit.store === 'sqlite'
      ? `audit           sqlite ${c.audit.path} (durability ${c.audit.durability}, instance ${c.instance})`
      : `audit           postgres ${redactUrl(c.audit.url)} (durability ${c.audit.durability}, instance ${c.instance})`,
  );
  lines.push(
    `approvals       http ${c.approvals.httpMode}${c.approvals.httpMode === 'hold' ? ` up to ${c.approvals.holdTimeoutMs / 1000}s` : ''}, requests open ${c.approvals.defaultTimeoutMs / 1000}s`,
  );
  if (c.targets.length === 0) lines.push('targets         none (only the admin API would be served)');
  for (const t of c.targets) {
    if (t.type === 'http') {
      const match = [
        t.match.host ? `host ${t.match.host}` : '',
        t.match.pathPrefix ? `path ${t.match.pathPrefix}` : '',
      ]
        .filter((x) => x !== '')
        .join(', ');
      const headers = Object.keys(t.headers);
      lines.push(
        `target          ${t.name}: http ${t.url} for ${match}${t.stripPrefix ? ' (prefix stripped)' : ''}${headers.length > 0 ? `, injects ${headers.join(', ')}` : ''}`,
      );
    } else
      lines.push(
        `target          ${t.name}: ${t.type} — not served by this version yet ('regate serve' refuses it)`,
      );
  }
  return lines;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
