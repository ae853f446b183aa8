/**
 * Answers the gateway writes itself (refusals, 202 for async approvals), in JSON, either on a
 * ServerResponse or — for WebSocket upgrades, which have none — straight on the socket.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { REQUEST_ID_HEADER } from './headers.js';

export interface Reply {
  /** True once a status line went out (nothing else can be answered then). */
  readonly started: boolean;
  /** Sends a JSON answer and ends the exchange; `close` ends the connection after it. */
  json(
    status: number,
    body: Record<string, unknown>,
    options?: { headers?: Record<string, string>; close?: boolean },
  ): void;
  /** Drops the exchange without an answer (an answer already started, or the client is gone). */
  abort(): void;
}

export function responseReply(res: ServerResponse, requestId: () => string | undefined): Reply {
  return {
    get started() {
      return res.headersSent;
    },
    json(status, body, options) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const text = JSON.stringify(body);
      const id = requestId();
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
        ...(id === undefined ? {} : { [REQUEST_ID_HEADER]: id }),
        ...(options?.close === true ? { connection: 'close' } : {}),
        ...options?.headers,
      });
      res.end(text);
    },
    abort() {
      res.destroy();
    },
  };
}

export function socketReply(socket: Duplex, requestId: () => string | undefined): Reply {
  let started = false;
  return {
    get started() {
      return started;
    },
    json(status, body, options) {
      if (started || socket.destroyed) {
        socket.destroy();
        return;
      }
      started = true;
      const text = JSON.stringify(body);
      const id = requestId();
      const headers: Record<string, string | number> = {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
        ...(id === undefined ? {} : { [REQUEST_ID_HEADER]: id }),
        ...options?.headers,
        // An upgrade that is refused ends its connection: there is no HTTP exchange to keep alive.
        connection: 'close',
      };
      let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      socket.end(`${head}\r\n${text}`, () => socket.destroy());
    },
    abort() {
      started = true;
      socket.destroy();
    },
  };
}

/** Writes a bare status on a raw socket (Node's parser errors, before any request exists) and closes. */
export function writeRawError(socket: Duplex, status: number, body: Record<string, unknown>): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}
