/**
 * Proves a chain complete and unmodified, or names the first record that is not. Walks the records in
 * seq order recomputing `sha256(prev_hash ‖ body)` and following the `prev_hash` links, then holds the
 * chain against its signed checkpoints:
 *
 * - modified: a record's hash does not match its content, or a checkpoint signed another hash for it
 *   (the attacker rehashed everything after an edit);
 * - deleted: a record chains to one that is not there (a gap), or the chain does not start at seq 1
 *   and no signed prune event accounts for the missing start;
 * - inserted: a record that the next one chains over;
 * - reordered: records that chain to each other out of seq order;
 * - renumbered: a record whose chain position and seq disagree;
 * - truncated: a checkpoint signed a seq beyond the end of the log (its tail was cut);
 * - signature: a checkpoint or prune event whose Ed25519 signature does not verify.
 *
 * Records after the last checkpoint are reported (`unsigned`): their deletion from the tail cannot be
 * detected until the next checkpoint signs them, which is why checkpoints are taken every N records and
 * every few seconds, and on close.
 */
import type { KeyObject } from 'node:crypto';
import { chainHash, GENESIS_HASH } from './chain.js';
import { keyIdOf, verifyText } from './keys.js';
import { checkpointText, pruneText } from './log.js';
import type { PruneEvent } from './record.js';
import type { AuditStore, StoredCheckpoint, StoredRecord } from './store.js';

export const PROBLEM_KINDS = [
  'modified',
  'deleted',
  'inserted',
  'reordered',
  'renumbered',
  'truncated',
  'signature',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface VerifyProblem {
  kind: ProblemKind;
  /** The record the problem is found at (the first one affected). */
  seq: number;
  message: string;
}

export interface VerifyReport {
  instance: string;
  ok: boolean;
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  headHash?: string;
  checkpoints: number;
  /** The newest checkpoint whose signature verified. */
  lastCheckpoint?: { seq: number; time: string };
  /** Records after the last checkpoint: correct so far, but a cut tail here is not detectable yet. */
  unsigned: number;
  /** False when no public key was given, so signatures were not checked. */
  signaturesChecked: boolean;
  /** In chain order; the first is the first record that is wrong. At most `maxProblems`. */
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** Public keys that may have signed checkpoints (the gateway's, and earlier ones after a rotation). */
  publicKeys?: KeyObject[];
  /** Stop collecting after this many problems (default 100). */
  maxProblems?: number;
  batch?: number;
}

const WINDOW = 256;

export async function verifyChain(
  store: AuditStore,
  instance: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const maxProblems = options.maxProblems ?? 100;
  const keys = new Map((options.publicKeys ?? []).map((k) => [keyIdOf(k), k]));
  const signaturesChecked = keys.size > 0;
  const problems: VerifyProblem[] = [];
  const explained = new Set<number>();
  const report = (kind: ProblemKind, seq: number, message: string) => {
    if (problems.length < maxProblems) problems.push({ kind, seq, message });
    explained.add(seq);
  };

  // The search-column check reads every body too; a store may run it beside the walk (SQLite: on a
  // thread of its own), so it starts first and is collected at the end.
  const mismatches = store.fieldMismatches?.(instance, maxProblems);
  mismatches?.catch(() => {});
  const checkpoints = await store.checkpoints(instance);
  const goodCheckpoints: StoredCheckpoint[] = [];
  for (const c of checkpoints) {
    if (!signaturesChecked) {
      goodCheckpoints.push(c);
      continue;
    }
    const key = keys.get(c.key_id);
    if (!key)
      report(
        'signature',
        c.seq,
        `checkpoint at seq ${c.seq} (${c.time}) is signed by key ${c.key_id}, which is not a key given to verify`,
      );
    else if (!verifyText(key, checkpointText(c.instance, c.seq, c.hash, c.time), c.signature))
      report(
        'signature',
        c.seq,
        `checkpoint at seq ${c.seq} (${c.time}) has a signature that does not verify: the checkpoint was altered`,
      );
    else goodCheckpoints.push(c);
  }
  let nextCheckpoint = 0;

  // Recent records by hash, and a one-record lookahead, to tell an insertion or a swap from a deletion.
  const recent = new Map<string, StoredRecord>();
  const prunes: StoredRecord[] = [];
  let prev: StoredRecord | undefined;
  let first: StoredRecord | undefined;
  let count = 0;

  const step = (r: StoredRecord, next: StoredRecord | undefined) => {
    count++;
    if (r.body.includes('"type":"prune"')) prunes.push(r);
    if (prev === undefined) first = r;
    const computed = chainHash(r.prev_hash, r.body);
    if (computed !== r.hash) {
      if (!explained.has(r.seq))
        report(
          'modified',
          r.seq,
          `record ${r.seq} was modified: its content does not hash to its stored hash`,
        );
    } else if (prev === undefined) {
      // The start of the chain is checked after the walk (genesis, or a signed prune).
    } else if (r.prev_hash !== prev.hash) {
      const earlier = recent.get(r.prev_hash);
      if (earlier !== undefined && earlier.seq < prev.seq) {
        if (prev.prev_hash === earlier.hash && !explained.has(prev.seq))
          report(
            'inserted',
            prev.seq,
            `record ${prev.seq} was inserted: record ${r.seq} chains over it to record ${earlier.seq}`,
          );
        else if (!explained.has(r.seq))
          report(
            'reordered',
            r.seq,
            `record ${r.seq} is out of order: it follows record ${earlier.seq} in the chain`,
          );
      } else if (next !== undefined && next.hash === r.prev_hash) {
        report(
          'reordered',
          r.seq,
          `records ${r.seq} and ${next.seq} are out of order: record ${r.seq} chains to record ${next.seq}`,
        );
        explained.add(next.seq);
      } else if (!explained.has(r.seq)) {
        report(
          'deleted',
          r.seq,
          r.seq > prev.seq + 1
            ? `records ${prev.seq + 1}..${r.seq - 1} were deleted: record ${r.seq} chains to a record that is not there`
            : `a record before ${r.seq} was deleted: record ${r.seq} chains to a record that is not there`,
        );
      }
    } else if (next !== undefined && next.prev_hash === prev.hash && next.prev_hash !== r.hash) {
      // r chains correctly, but the record after it chains over it: r was slipped in.
      report(
        'inserted',
        r.seq,
        `record ${r.seq} was inserted: record ${next.seq} chains over it to record ${prev.seq}`,
      );
      explained.add(next.seq);
    } else if (r.seq !== prev.seq + 1 && !explained.has(r.seq)) {
      report('renumbered', r.seq, `record ${r.seq} was renumbered: it chains directly to record ${prev.seq}`);
    }
    while (nextCheckpoint < goodCheckpoints.length && goodCheckpoints[nextCheckpoint]!.seq <= r.seq) {
      const c = goodCheckpoints[nextCheckpoint++]!;
      if (c.seq === r.seq && c.hash !== r.hash && !explained.has(r.seq))
        report(
          'modified',
          r.seq,
          `record ${r.seq} was modified: a checkpoint signed at ${c.time} holds another hash for it (the chain after it was rewritten)`,
        );
      else if (c.seq < r.seq && !explained.has(c.seq))
        report(
          'deleted',
          c.seq,
          `record ${c.seq} was deleted: a checkpoint signed at ${c.time} vouches for it`,
        );
    }
    recent.set(r.hash, r);
    if (recent.size > WINDOW) recent.delete(recent.keys().next().value as string);
    prev = r;
  };

  // Each record is checked with the next one in hand, to tell a swap from a deletion.
  let held: StoredRecord | undefined;
  for await (const page of store.scan(instance, 0, options.batch)) {
    for (const r of page) {
      if (held) step(held, r);
      held = r;
    }
  }
  if (held) step(held, undefined);

  const last = prev as StoredRecord | undefined;
  const start = first as StoredRecord | undefined;
  if (start && start.seq === 1 && start.prev_hash !== GENESIS_HASH)
    report(
      'deleted',
      1,
      'record 1 does not start a chain: records before it were deleted or it was replaced',
    );
  if (start && start.seq > 1) checkStart(start);

  function checkStart(r: StoredRecord) {
    const prune = prunes
      .map((p) => JSON.parse(p.body) as PruneEvent & { instance: string })
      .find((p) => p.through_seq === r.seq - 1 && p.anchor_hash === r.prev_hash);
    if (!prune) {
      report('deleted', r.seq, `records 1..${r.seq - 1} were deleted: no prune event accounts for them`);
      return;
    }
    if (!signaturesChecked) return;
    const key = keys.get(prune.key_id);
    if (
      !key ||
      !verifyText(
        key,
        pruneText(prune.instance, prune.before, prune.through_seq, prune.anchor_hash),
        prune.signature,
      )
    )
      report(
        'signature',
        r.seq,
        `the prune event that removed records 1..${r.seq - 1} is not signed by a key given to verify`,
      );
  }

  for (; nextCheckpoint < goodCheckpoints.length; nextCheckpoint++) {
    const c = goodCheckpoints[nextCheckpoint]!;
    report(
      'truncated',
      c.seq,
      last
        ? `the log was truncated: it ends at record ${last.seq}, but a checkpoint signed at ${c.time} vouches for records up to ${c.seq}`
        : `the log was truncated: it is empty, but a checkpoint signed at ${c.time} vouches for records up to ${c.seq}`,
    );
  }

  if (mismatches) {
    for (const seq of await mismatches)
      if (!explained.has(seq))
        report(
          'modified',
          seq,
          `record ${seq} was modified: its search columns do not match its content (edited to change what searches find)`,
        );
  }

  const lastGood = goodCheckpoints[goodCheckpoints.length - 1];
  problems.sort((a, b) => a.seq - b.seq);
  const result: VerifyReport = {
    instance,
    ok: problems.length === 0,
    records: count,
    checkpoints: checkpoints.length,
    unsigned: last ? last.seq - Math.min(last.seq, lastGood?.seq ?? 0) : 0,
    signaturesChecked,
    problems,
  };
  if (start) result.firstSeq = start.seq;
  if (last) {
    result.lastSeq = last.seq;
    result.headHash = last.hash;
  }
  if (lastGood) result.lastCheckpoint = { seq: lastGood.seq, time: lastGood.time };
  return result;
}
