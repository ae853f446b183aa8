/**
 * The audit log of one gateway instance: masks each event, numbers it, chains it and stores it, with
 * group commit — appends that arrive while a commit is being written wait for the next one and share it.
 * `append()` resolves only once its record is committed with the store's durability; when the store
 * fails, every append of that commit rejects with an AuditError and the caller blocks the action.
 *
 * Sequence numbers and hashes are assigned when a group is written, not when an event arrives, so a
 * failed commit leaves no gap: the next commit continues from the last record the store holds (re-read
 * after any failure, since a write that timed out may still have landed).
 */
import { hostname } from 'node:os';
import { canonicalJson } from './canonical.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { AuditError } from './errors.js';
import { type SigningKey, signText } from './keys.js';
import { prepareEvent, searchFields } from './prepare.js';
import type { AuditEvent, AuditRecord } from './record.js';
import { searchText } from './search-text.js';
import type { AuditStore, NewRecord, StoredCheckpoint } from './store.js';

export interface AuditLogOptions {
  store: AuditStore;
  /** This gateway's chain name (default: the host name). Two running gateways must not share one. */
  instance?: string;
  /** Signs checkpoints and prune events. */
  key: SigningKey;
  /** Injected for tests and replay; default `() => new Date()`. */
  clock?: () => Date;
  /** Sign a checkpoint after this many records (default 1000). */
  checkpointEvery?: number;
  /** …and at least this often while records arrive, in ms (default 10,000; 0 turns the timer off). */
  checkpointIntervalMs?: number;
  /** A commit that takes longer rejects its appends with ERR_AUDIT_STORE_TIMEOUT (default 5,000 ms). */
  timeoutMs?: number;
  /** Most events in one commit (default 512). */
  maxBatch?: number;
}

interface Pending {
  prepared: Record<string, unknown>;
  resolve: (record: AuditRecord) => void;
  reject: (err: unknown) => void;
}

export interface AuditLogStats {
  appended: number;
  commits: number;
  failedCommits: number;
  checkpoints: number;
}

export class AuditLog {
  readonly store: AuditStore;
  readonly instance: string;
  readonly key: SigningKey;
  readonly #clock: () => Date;
  readonly #checkpointEvery: number;
  readonly #timeoutMs: number;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #flushing = false;
  #scheduled = false;
  #closed = false;
  #head: { seq: number; hash: string };
  #headKnown = true;
  /** Where the next group chains on: the head plus the groups being committed. */
  #tail: { seq: number; hash: string };
  /** Bumped at each failed commit; groups hashed in an earlier epoch fail with #failure. */
  #epoch = 0;
  #failure: AuditError | undefined;
  /** Checkpoints being written, awaited by close(). */
  readonly #checkpointing = new Set<Promise<unknown>>();
  #checkpointed: number;
  #timer: NodeJS.Timeout | undefined;
  #idle: (() => void)[] = [];
  readonly stats: AuditLogStats = { appended: 0, commits: 0, failedCommits: 0, checkpoints: 0 };

  private constructor(options: AuditLogOptions, head: { seq: number; hash: string }, checkpointed: number) {
    this.store = options.store;
    this.instance = options.instance ?? hostname();
    this.key = options.key;
    this.#clock = options.clock ?? (() => new Date());
    this.#checkpointEvery = options.checkpointEvery ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#head = head;
    this.#tail = head;
    this.#checkpointed = checkpointed;
    const interval = options.checkpointIntervalMs ?? 10_000;
    if (interval > 0) {
      this.#timer = setInterval(() => {
        if (this.#head.seq > this.#checkpointed) this.checkpoint().catch(() => {});
      }, interval);
      this.#timer.unref();
    }
  }

  /** Opens the store's tables and continues `instance`'s chain from its last record. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const instance = options.instance ?? hostname();
    if (instance === '' || instance.length > 200)
      throw new AuditError('ERR_AUDIT_INVALID_CONFIG', 'the audit instance name must be 1 to 200 characters');
    await options.store.init();
    const head = (await options.store.head(instance)) ?? { seq: 0, hash: GENESIS_HASH };
    const checkpoints = await options.store.checkpoints(instance);
    const last = checkpoints[checkpoints.length - 1];
    return new AuditLog({ ...options, instance }, head, last?.seq ?? 0);
  }

  /** The last committed record's seq and hash (seq 0 and the genesis hash for an empty chain). */
  get head(): { seq: number; hash: string } {
    return { ...this.#head };
  }

  /**
   * Masks, chains and stores `event`; resolves with the stored record once it is committed. Rejects with
   * ERR_AUDIT_INVALID_EVENT for an event that is not valid, and with ERR_AUDIT_STORE_UNAVAILABLE,
   * ERR_AUDIT_STORE_TIMEOUT or ERR_AUDIT_CLOSED when it could not be recorded.
   */
  append(event: AuditEvent): Promise<AuditRecord> {
    if (this.#closed) return Promise.reject(new AuditError('ERR_AUDIT_CLOSED', 'the audit log is closed'));
    let prepared: Record<string, unknown>;
    try {
      prepared = prepareEvent(event);
      if (prepared.time === undefined) prepared.time = this.#clock().toISOString();
    } catch (err) {
      return Promise.reject(
        err instanceof AuditError
          ? err
          : new AuditError(
              'ERR_AUDIT_INVALID_EVENT',
              `the event cannot be recorded: ${(err as Error).message}`,
              { cause: err },
            ),
      );
    }
    return new Promise<AuditRecord>((resolve, reject) => {
      this.#queue.push({ prepared, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate lets every append issued in this turn of the event loop join the same commit.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  /**
   * Writes queued events in groups. With a store that takes requests in order (`maxInFlight` > 1), the
   * next group is hashed while the previous one is being committed; each group names the hash it chains
   * to, and the store refuses it when that record is not there — so when a commit fails, the groups
   * behind it fail too, and nothing is ever stored after a gap.
   */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    const maxInFlight = Math.max(1, this.store.maxInFlight ?? 1);
    const inFlight = new Set<Promise<void>>();
    try {
      while (this.#queue.length > 0 || inFlight.size > 0) {
        while (this.#queue.length > 0 && inFlight.size < maxInFlight) {
          // With room for several commits, split what is queued between them, so one is hashed while
          // another is written (at least 16 a commit, to keep commits worth their overhead).
          const share = Math.max(16, Math.ceil(this.#queue.length / (maxInFlight - inFlight.size)));
          const batch = this.#queue.splice(0, Math.min(this.#maxBatch, share));
          const commit = this.#commit(batch).finally(() => inFlight.delete(commit));
          inFlight.add(commit);
          // Only the first commit may need to re-read the head; the others chain on the prediction.
          if (!this.#headKnown) break;
        }
        if (inFlight.size > 0) await Promise.race(inFlight);
      }
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
      else for (const done of this.#idle.splice(0)) done();
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const epoch = this.#epoch;
    if (!this.#headKnown) {
      try {
        const head = (await this.#withTimeout(this.store.head(this.instance))) ?? {
          seq: 0,
          hash: GENESIS_HASH,
        };
        this.#head = head;
        this.#tail = head;
        this.#headKnown = true;
      } catch (err) {
        for (const p of batch) p.reject(storeError(err, this.store));
        this.stats.failedCommits++;
        return;
      }
    }
    let { seq, hash } = this.#tail;
    const rows: NewRecord[] = [];
    const records: AuditRecord[] = [];
    const accepted: Pending[] = [];
    for (const p of batch) {
      // The prepared event becomes the record in place (its layout has these slots already: adding
      // properties to a copy costs more than the rest of the bookkeeping).
      const content = p.prepared;
      content.instance = this.instance;
      content.seq = seq + 1;
      let body: string;
      try {
        body = canonicalJson(content);
      } catch (err) {
        p.reject(
          new AuditError('ERR_AUDIT_INVALID_EVENT', `the event is not JSON: ${(err as Error).message}`, {
            cause: err,
          }),
        );
        continue;
      }
      seq += 1;
      const next = chainHash(hash, body);
      rows.push({
        instance: this.instance,
        seq,
        prev_hash: hash,
        hash: next,
        body,
        text: this.store.indexesText ? '' : searchText(p.prepared),
        fields: searchFields(p.prepared),
      });
      content.prev_hash = hash;
      content.hash = next;
      records.push(content as unknown as AuditRecord);
      accepted.push(p);
      hash = next;
    }
    if (rows.length === 0) return;
    this.#tail = { seq, hash };
    try {
      await this.#withTimeout(this.store.append(rows));
      if (epoch !== this.#epoch) throw this.#failure;
    } catch (err) {
      // A group behind a failed one fails with the first failure's error, not a chain conflict.
      const error = epoch !== this.#epoch && this.#failure ? this.#failure : storeError(err, this.store);
      if (epoch === this.#epoch) {
        this.#epoch++;
        this.#failure = error;
        this.#headKnown = false;
      }
      this.stats.failedCommits++;
      for (const p of accepted) p.reject(error);
      return;
    }
    this.#head = { seq, hash };
    this.stats.commits++;
    this.stats.appended += rows.length;
    for (let i = 0; i < accepted.length; i++) accepted[i]!.resolve(records[i]!);
    if (seq - this.#checkpointed >= this.#checkpointEvery) {
      this.#checkpointed = seq;
      const pending = this.checkpoint({ seq, hash }).catch(() => undefined);
      this.#checkpointing.add(pending);
      void pending.finally(() => this.#checkpointing.delete(pending));
    }
  }

  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AuditError(
              'ERR_AUDIT_STORE_TIMEOUT',
              `the audit store ${this.store.location} did not answer within ${this.#timeoutMs} ms`,
            ),
          ),
        this.#timeoutMs,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Signs the head (or `at`, a committed record) and stores the checkpoint; undefined for an empty chain. */
  async checkpoint(at?: { seq: number; hash: string }): Promise<StoredCheckpoint | undefined> {
    const { seq, hash } = at ?? this.#head;
    if (seq === 0) return undefined;
    const time = this.#clock().toISOString();
    const checkpoint: StoredCheckpoint = {
      instance: this.instance,
      seq,
      hash,
      time,
      key_id: this.key.keyId,
      signature: signText(this.key, checkpointText(this.instance, seq, hash, time)),
    };
    await this.#withTimeout(this.store.addCheckpoint(checkpoint));
    if (seq > this.#checkpointed) this.#checkpointed = seq;
    this.stats.checkpoints++;
    return checkpoint;
  }

  /** Resolves when every append issued so far has been committed or rejected. */
  drain(): Promise<void> {
    if (!this.#flushing && !this.#scheduled && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Deletes this instance's records older than `before`, keeping the rest verifiable: a signed `prune`
   * record at the head names the last deleted seq and its hash, which the first remaining record chains
   * to. Returns how many records were deleted (0 when none is older).
   */
  async prune(before: Date | string): Promise<{ records: number; throughSeq: number }> {
    const time = typeof before === 'string' ? new Date(before) : before;
    if (Number.isNaN(time.getTime()))
      throw new AuditError('ERR_AUDIT_INVALID_QUERY', `prune: ${String(before)} is not a time`);
    await this.drain();
    const iso = time.toISOString();
    const through = await this.store.lastSeqBefore(this.instance, iso);
    if (through === undefined || through < 1) return { records: 0, throughSeq: 0 };
    const anchor = await this.store.get(this.instance, through);
    if (!anchor) throw new AuditError('ERR_AUDIT_NOT_FOUND', `prune: record ${through} is missing`);
    const records = through - ((await firstSeq(this.store, this.instance)) ?? 1) + 1;
    // The prune event is recorded (and committed) before anything is deleted: if deleting fails, the log
    // says a prune was intended and verify still passes.
    await this.append({
      type: 'prune',
      before: iso,
      through_seq: through,
      anchor_hash: anchor.hash,
      records,
      key_id: this.key.keyId,
      signature: signText(this.key, pruneText(this.instance, iso, through, anchor.hash)),
    });
    const deleted = await this.store.deleteThrough(this.instance, through);
    return { records: deleted, throughSeq: through };
  }

  /** Commits what is queued, signs a last checkpoint, and closes the store. */
  async close(options: { closeStore?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.drain();
    await Promise.all(this.#checkpointing);
    if (this.#head.seq > this.#checkpointed) await this.checkpoint().catch(() => {});
    if (options.closeStore !== false) await this.store.close();
  }
}

async function firstSeq(store: AuditStore, instance: string): Promise<number | undefined> {
  for await (const page of store.scan(instance, 0, 1)) return page[0]?.seq;
  return undefined;
}

/** The text a checkpoint signature covers. */
export function checkpointText(instance: string, seq: number, hash: string, time: string): string {
  return canonicalJson({ instance, seq, hash, time });
}

/** The text a prune event's signature covers. */
export function pruneText(instance: string, before: string, throughSeq: number, anchorHash: string): string {
  return canonicalJson({ instance, before, through_seq: throughSeq, anchor_hash: anchorHash });
}

function storeError(err: unknown, store: AuditStore): AuditError {
  if (err instanceof AuditError) return err;
  return new AuditError(
    'ERR_AUDIT_STORE_UNAVAILABLE',
    `the audit store ${store.location} failed: ${(err as Error)?.message ?? String(err)}`,
    { cause: err },
  );
}
