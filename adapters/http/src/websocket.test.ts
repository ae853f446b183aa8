import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  route,
  startGateway,
  startUpstream,
  type TestContext,
  type TestGateway,
  type TestUpstream,
  testContext,
} from './test-support.js';

let upstream: TestUpstream;
let gw: TestGateway;
let ctx: TestContext;
let upgrades: IncomingMessage[];

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

// RFC 6455 §4.2.2: the accept value is the base64 SHA-1 of the key and the protocol's GUID.
const accept = (key: string) =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

async function setup(): Promise<void> {
  ctx = testContext();
  upgrades = [];
  upstream = await startUpstream();
  // The upstream completes the handshake and then echoes whatever bytes arrive.
  upstream.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(req);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
    );
    socket.on('data', (d) => socket.write(d));
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  });
  gw = await startGateway(ctx, { routes: [route(upstream.url)] });
}

afterEach(async () => {
  await gw?.close();
  await upstream?.close();
});

/** Speaks the client side of the opening handshake by hand; resolves with the head and the socket. */
function handshake(
  path: string,
  token?: string,
): Promise<{ head: string; socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(gw.port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    let data = '';
    socket.on('error', reject);
    socket.on('data', function onData(chunk) {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ head: data, socket, closed });
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
        (token === undefined ? '' : `Authorization: Bearer ${token}\r\n`) +
        '\r\n',
    );
  });
}

describe('createHttpAdapter: WebSocket', () => {
  it('decides the upgrade as http.request and then proxies the connection both ways when allowed', async () => {
    await setup();
    const { head, socket } = await handshake('/live/feed?room=1', 'alice-token');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).toContain(`sec-websocket-accept: ${accept(KEY).toLowerCase()}`);
    const echoed = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write('hello through the gateway');
    expect(await echoed).toBe('hello through the gateway');
    socket.destroy();

    const [event] = ctx.actionEvents();
    expect(event).toMatchObject({ outcome: 'forwarded', action: { kind: 'http.request' } });
    expect(event!.action.http).toMatchObject({ method: 'GET', path: '/live/feed', query: { room: ['1'] } });
    expect(event!.action.http!.headers!.upgrade).toBe('websocket');
    expect(event!.action.http!.headers!.authorization).toBeUndefined();
    expect(upgrades[0]!.url).toBe('/live/feed?room=1');
    expect(upgrades[0]!.headers.authorization).toBeUndefined();
    expect(upgrades[0]!.headers['x-upstream-key']).toBe('upstream-secret');
  });

  it('writes 403 on the socket and closes it when the policy blocks the upgrade', async () => {
    await setup();
    const { head, closed } = await handshake('/blocked/feed', 'alice-token');
    expect(head).toMatch(/^HTTP\/1\.1 403 /);
    expect(head).toContain('"code":"ERR_HTTP_BLOCKED"');
    await closed;
    expect(upgrades).toHaveLength(0);
    expect(ctx.actionEvents().map((e) => e.outcome)).toEqual(['blocked']);
  });

  it('writes 401 on the socket when the upgrade carries no token', async () => {
    await setup();
    const { head, closed } = await handshake('/live/feed');
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toContain('www-authenticate: Bearer realm="regate"');
    await closed;
    expect(upgrades).toHaveLength(0);
  });

  it('refuses the upgrade when the decision masks: WebSocket messages cannot be masked', async () => {
    await setup();
    const { head } = await handshake('/masked/feed', 'alice-token');
    expect(head).toMatch(/^HTTP\/1\.1 403 /);
    expect(head).toContain('ERR_HTTP_WEBSOCKET_UNMASKABLE');
    expect(upgrades).toHaveLength(0);
  });

  it('answers 502 on the socket when the upstream is gone', async () => {
    await setup();
    await upstream.close();
    const { head } = await handshake('/live/feed', 'alice-token');
    expect(head).toMatch(/^HTTP\/1\.1 502 /);
    expect(head).toContain('ERR_HTTP_UPSTREAM_UNAVAILABLE');
  });
});
