/**
 * HTTP sessions. An HTTP session is one client connection, one identity and one target: the first
 * request of such a triple decides a `session.open` Action and records `session.start`; later requests
 * of the triple share its session id; `session.end` is recorded when the connection closes. A refused
 * session.open leaves no session, so the next request decides again.
 */
import type { Socket } from 'node:net';
import type { Identity } from '@regate/action';

export interface OpenSession {
  id: string;
  identity: Identity;
  /** The target's name. */
  target: string;
}

export interface Connection {
  /** Used as the session id of refusals that happen before any session exists (401s). */
  readonly id: string;
  readonly sessions: Map<string, OpenSession>;
  /** Session opens in progress, so concurrent requests of one triple decide session.open once. */
  readonly opening: Map<string, Promise<void>>;
}

export function sessionKey(identity: Identity, target: string): string {
  return JSON.stringify([identity.issuer ?? '', identity.subject, target]);
}

export class SessionRegistry {
  private readonly connections = new WeakMap<Socket, Connection>();
  private openCount = 0;

  constructor(
    private readonly newId: () => string,
    /** Called once per open session when its connection closes. */
    private readonly onEnd: (session: OpenSession) => void,
  ) {}

  get activeSessions(): number {
    return this.openCount;
  }

  connection(socket: Socket): Connection {
    let c = this.connections.get(socket);
    if (c !== undefined) return c;
    const conn: Connection = { id: this.newId(), sessions: new Map(), opening: new Map() };
    this.connections.set(socket, conn);
    socket.once('close', () => {
      for (const s of conn.sessions.values()) {
        this.openCount--;
        this.onEnd(s);
      }
      conn.sessions.clear();
    });
    c = conn;
    return c;
  }

  /** Marks a session open (after its session.start was recorded). */
  add(conn: Connection, key: string, session: OpenSession, socket: Socket): boolean {
    // The connection closed while session.open was being decided: nothing to open, and no end to record.
    if (socket.destroyed) return false;
    conn.sessions.set(key, session);
    this.openCount++;
    return true;
  }
}
