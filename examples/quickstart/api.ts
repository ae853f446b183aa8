/**
 * The example JSON API the quickstart puts behind regate: customers with emails, card numbers and SSNs
 * (all fictitious; the card numbers are the networks' published test numbers), a notes endpoint that
 * answers plain text, an event stream, and /admin routes. It knows nothing about regate: the gateway
 * in front of it decides, masks, holds and records.
 *
 *   npx tsx examples/quickstart/api.ts [port]      (default 9090; `npm start` runs it for you)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface Customer {
  id: number;
  name: string;
  email: string;
  phone: string;
  card: string;
  ssn: string;
  city: string;
}

export const CUSTOMERS: Customer[] = [
  {
    id: 1,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+1 415 555 0101',
    card: '4111 1111 1111 1111',
    ssn: '123-45-6789',
    city: 'London',
  },
  {
    id: 2,
    name: 'Grace Hopper',
    email: 'grace@example.com',
    phone: '+1 212 555 0199',
    card: '5555 5555 5555 4444',
    ssn: '219-09-9999',
    city: 'New York',
  },
  {
    id: 3,
    name: 'Alan Turing',
    email: 'alan@example.org',
    phone: '+44 20 7946 0018',
    card: '3782 822463 10005',
    ssn: '078-05-1120',
    city: 'Manchester',
  },
];

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const users: { id: number; name: string; role: string }[] = [{ id: 1, name: 'root', role: 'admin' }];

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  let m: RegExpMatchArray | null;
  if (method === 'GET' && path === '/') {
    json(res, 200, {
      service: 'regate quickstart example API',
      routes: [
        'GET /customers',
        'GET /customers/:id',
        'GET /customers/:id/notes',
        'GET /events',
        'GET /admin/stats',
        'GET /admin/users',
        'POST /admin/users',
      ],
    });
  } else if (method === 'GET' && path === '/customers') {
    const city = url.searchParams.get('city');
    json(res, 200, { customers: city ? CUSTOMERS.filter((c) => c.city === city) : CUSTOMERS });
  } else if (method === 'GET' && (m = path.match(/^\/customers\/(\d+)$/))) {
    const c = CUSTOMERS.find((x) => x.id === Number(m?.[1]));
    if (c) json(res, 200, c);
    else json(res, 404, { error: 'no such customer' });
  } else if (method === 'GET' && (m = path.match(/^\/customers\/(\d+)\/notes$/))) {
    const c = CUSTOMERS.find((x) => x.id === Number(m?.[1]));
    if (!c) return json(res, 404, { error: 'no such customer' });
    const text = `Call notes for ${c.name}\nReached at ${c.email}, ${c.phone}.\nPaid with card ${c.card}.\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  } else if (method === 'GET' && path === '/events') {
    // Server-sent events, one a second, five in all: a response that streams.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const timer = setInterval(() => {
      n++;
      res.write(`data: {"event": ${n}, "orders_open": ${40 + n}}\n\n`);
      if (n === 5) {
        clearInterval(timer);
        res.end();
      }
    }, 1000);
    req.on('close', () => clearInterval(timer));
  } else if (method === 'GET' && path === '/admin/stats') {
    json(res, 200, {
      customers: CUSTOMERS.length,
      users: users.length,
      uptime_s: Math.round(process.uptime()),
    });
  } else if (method === 'GET' && path === '/admin/users') {
    json(res, 200, { users });
  } else if (method === 'POST' && path === '/admin/users') {
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (err) {
      return json(res, 400, { error: `invalid JSON body: ${(err as Error).message}` });
    }
    const name = (body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name === '') return json(res, 400, { error: 'name is required' });
    const user = { id: users.length + 1, name, role: String((body as { role?: unknown }).role ?? 'user') };
    users.push(user);
    json(res, 201, user);
  } else {
    json(res, 404, { error: `no route for ${method} ${path}` });
  }
}

/** Starts the example API; resolves with the server once it listens. */
export function startExampleApi(port = 9090, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.argv[2] ?? 9090);
  const server = await startExampleApi(port);
  const { port: bound } = server.address() as AddressInfo;
  console.log(`example API listening on http://127.0.0.1:${bound}`);
}
