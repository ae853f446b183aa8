/**
 * Async approvals (202 and retry): what the adapter remembers about each approval it opened, so a retry
 * with `Regate-Approval: <id>` can be checked against the request that was approved and used once. It
 * lives in this process's memory — a retry that reaches another gateway instance is refused with
 * ERR_HTTP_APPROVAL_ELSEWHERE — and is bounded: entries past their expiry are dropped, and at most
 * `maxEntries` are kept (the oldest go first).
 */

export interface AsyncApprovalEntry {
  id: string;
  /** The requester's subject. */
  subject: string;
  /** The id of the Action the approval was opened for. */
  actionId: string;
  fingerprint: string;
  /** Epoch milliseconds after which the approval cannot be approved any more. */
  expiresAt: number;
  used: boolean;
}

/** How long an entry is kept past its expiry, so a late retry still gets "expired", not "unknown". */
const GRACE_MS = 60 * 60 * 1000;

export class AsyncApprovals {
  private readonly entries = new Map<string, AsyncApprovalEntry>();

  constructor(
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  remember(entry: AsyncApprovalEntry): void {
    const now = this.now();
    for (const [id, e] of this.entries) {
      if (e.expiresAt + GRACE_MS < now) this.entries.delete(id);
    }
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(entry.id, entry);
  }

  get(id: string): AsyncApprovalEntry | undefined {
    return this.entries.get(id);
  }
}
