/**
 * The two servers `npm run bench:http` measures regate against, run as child processes so that each
 * has an event loop of its own, as the gateway has:
 *
 *   tsx test/bench/http-servers.ts upstream            a JSON API answering GET /customers/1
 *   tsx test/bench/http-servers.ts forwarder <url>     a bare Node reverse proxy to <url>
 *
 * Each prints `listening <port>` on stdout once it accepts connections. The forwarder is what any Node
 * proxy pays before deciding, masking or recording anything: one keep-alive agent, headers copied,
 * bodies piped.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const [mode, upstreamUrl] = process.argv.slice(2);

const CUSTOMER = JSON.stringify({
  id: 1,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+1 415 555 0101',
  card: '4111 1111 1111 1111',
  ssn: '123-45-6789',
  city: 'London',
});

function upstream() {
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(CUSTOMER),
      });
      res.end(CUSTOMER);
    });
  });
}

function forwarder(target: URL) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return createServer((req, res) => {
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
}

const server =
  mode === 'upstream'
    ? upstream()
    : mode === 'forwarder' && upstreamUrl
      ? forwarder(new URL(upstreamUrl))
      : undefined;
if (!server) {
  console.error('usage: http-servers.ts upstream | forwarder <upstream url>');
  process.exit(2);
}
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
