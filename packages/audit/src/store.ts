/**
 * What a store must do. The log (log.ts) owns the chain — numbering, hashing, masking, checkpoints —
 * and hands stores finished rows; a store only keeps them durably and finds them again. SQLite
 * (sqlite-store.ts) and PostgreSQL (postgres-store.ts) implement it and pass the same contract tests.
 *
 * Rows are keyed by (instance, seq): each gateway instance writes its own chain, so several instances
 * share one PostgreSQL store without contending for a head.
 */
import type { Effect } from '@regate/action';
import type { EventType, Outcome } from './record.js';

export const DURABILITIES = ['process', 'strict'] as const;
/**
 * `process`: a committed record survives `kill -9` of the gateway (SQLite WAL without fsync per commit;
 * PostgreSQL `synchronous_commit = off`, the server holds it). `strict`: it also survives power loss
 * (fsync per group commit; PostgreSQL `synchronous_commit = on`).
 */
export type Durability = (typeof DURABILITIES)[number];

/** One record as stored: `body` is the canonical JSON the hash was taken over. */
export interface StoredRecord {
  instance: string;
  seq: number;
  prev_hash: string;
  hash: string;
  body: string;
}

/** The fields a search filters on, taken from the same prepared event as the body. */
export interface SearchFields {
  time: string;
  type: string;
  session: string | null;
  subject: string | null;
  email: string | null;
  target: string | null;
  kind: string | null;
  effect: string | null;
  outcome: string | null;
}

/** A row to append: the record plus the text free-text search should match and the search fields. */
export interface NewRecord extends StoredRecord {
  text: string;
  fields: SearchFields;
}

export interface StoredCheckpoint {
  instance: string;
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  /** Ed25519 over canonical JSON of {instance, seq, hash, time}, base64url. */
  signature: string;
}

export interface SearchQuery {
  instance?: string;
  /** Identity subject or email. */
  identity?: string;
  group?: string;
  target?: string;
  kind?: string;
  type?: EventType;
  effect?: Effect;
  outcome?: Outcome;
  session?: string;
  /** RFC 3339, inclusive. */
  since?: string;
  /** RFC 3339, exclusive. */
  until?: string;
  /** Free text: words all of which must appear (FTS5 / PostgreSQL full-text, prefix match on the last). */
  text?: string;
  /** Page size, 1..1000 (default 50). */
  limit?: number;
  /** From a previous page's `next`. */
  cursor?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
}

export interface SearchPage {
  records: StoredRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  next?: string;
}

export interface AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly durability: Durability;
  /** A name for messages: the file path or the server address (never a password). */
  readonly location: string;
  /**
   * How many append() calls the log may have outstanding. More than 1 only for a store that commits them
   * in the order they were made (default 1).
   */
  readonly maxInFlight?: number;
  /**
   * True for a store that builds its free-text index from the stored bodies itself (SQLite, in the
   * background); the log then leaves `NewRecord.text` empty.
   */
  readonly indexesText?: boolean;
  /** Creates the tables when they do not exist. Idempotent. */
  init(): Promise<void>;
  /** The last record of `instance`'s chain, if any. */
  head(instance: string): Promise<{ seq: number; hash: string } | undefined>;
  /**
   * Appends rows in one transaction: all are committed, with the durability promised, or none and the
   * promise rejects. A row whose (instance, seq) exists, or a first row whose `prev_hash` is not the hash
   * of the record at `seq - 1`, is ERR_AUDIT_CHAIN_CONFLICT.
   */
  append(rows: readonly NewRecord[]): Promise<void>;
  addCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /** `instance`'s checkpoints, oldest first. */
  checkpoints(instance: string): Promise<StoredCheckpoint[]>;
  /** `instance`'s records in seq order from `fromSeq` (inclusive), read in pages of `batch`. */
  scan(instance: string, fromSeq?: number, batch?: number): AsyncIterable<StoredRecord[]>;
  /** The chain names in the store. */
  instances(): Promise<string[]>;
  get(instance: string, seq: number): Promise<StoredRecord | undefined>;
  search(query: SearchQuery): Promise<SearchPage>;
  /** Every record of a session, in time order (all instances). */
  session(id: string): Promise<StoredRecord[]>;
  /** Deletes `instance`'s records and checkpoints with seq ≤ throughSeq; returns how many records. */
  deleteThrough(instance: string, throughSeq: number): Promise<number>;
  /**
   * Seqs of records whose stored search fields disagree with their body (someone edited a column to
   * hide a record from searches); only for stores that keep such fields beside the body.
   */
  fieldMismatches?(instance: string, limit: number): Promise<number[]>;
  /** The highest seq of `instance` whose record time is before `time`, if any. */
  lastSeqBefore(instance: string, time: string): Promise<number | undefined>;
  close(): Promise<void>;
}
