/**
 * Requests in flight and held, for `stats()` and for a graceful `close()`: stop accepting, let them
 * finish within the grace period, then fail the rest (held ones with 503, the others cut off).
 */

export interface Tracked {
  /** Fails the exchange because the gateway is shutting down. */
  shutdown(): void;
}

export class Tracker {
  closing = false;
  readonly active = new Set<Tracked>();
  readonly held = new Set<Tracked>();
  private idleWaiters: (() => void)[] = [];

  add(t: Tracked): void {
    this.active.add(t);
  }

  done(t: Tracked): void {
    this.active.delete(t);
    this.held.delete(t);
    if (this.active.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
