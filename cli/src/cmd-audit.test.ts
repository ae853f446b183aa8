/**
 * `regate audit` as an auditor runs it: a gateway's working directory whose .regate/audit.db a real
 * AuditLog wrote (signed with .regate/audit-key.pem), and the real `regate` binary reading it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action, Decision, Identity } from '@regate/action';
import {
  type AuditEvent,
  AuditLog,
  type AuditRecord,
  loadOrCreateSigningKey,
  SqliteStore,
} from '@regate/audit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanup, regate, tree } from './test-support.js';

vi.setConfig({ testTimeout: 180_000 });
afterAll(cleanup);

const alice: Identity = { subject: 'alice', email: 'alice@example.com', groups: ['dba'], type: 'user' };
const bob: Identity = { subject: 'bob', groups: ['support'], type: 'user' };
const carol: Identity = { subject: 'carol', groups: ['web'], type: 'user' };

const HOUR = 3_600_000;
/** The SQL session ran three days ago; the SSH and HTTP sessions an hour ago. */
const OLD = Date.now() - 72 * HOUR;
const RECENT = Date.now() - HOUR;
const at = (base: number, seconds: number) => new Date(base + seconds * 1000).toISOString();

function decision(effect: Decision['effect'], reasons: string[] = []): Decision {
  return { effect, reasons, mask: [], approvals: [], policy: { revision: 'r1' } };
}

function action(id: string, who: Identity, session: string, part: Partial<Action>): Action {
  const protocol = part.sql ? 'postgres' : part.ssh ? 'ssh' : 'http';
  return {
    id,
    time: '2026-11-23T10:00:00.000Z',
    kind: part.sql ? 'sql.query' : part.ssh ? 'ssh.exec' : 'http.request',
    protocol,
    identity: who,
    session: { id: session },
    target: { name: part.sql ? 'prod-db' : part.ssh ? 'web-1' : 'admin-api', type: protocol },
    ...part,
  };
}

const sql = (text: string, type: string) => ({
  sql: { text, statements: [{ type, tables: [{ name: 'orders', access: 'read' as const }], columns: [] }] },
});

/** Ten records of instance gw-1, in seq order. */
const EVENTS: AuditEvent[] = [
  {
    type: 'session.start',
    time: at(OLD, 0),
    session: 's-sql',
    identity: alice,
    target: 'prod-db',
    protocol: 'postgres',
  },
  {
    type: 'action',
    time: at(OLD, 1),
    action: action('a1', alice, 's-sql', sql('SELECT * FROM orders WHERE id = 1', 'select')),
    decision: decision('allow'),
    outcome: 'forwarded',
    result: { rows: 1 },
  },
  {
    type: 'action',
    time: at(OLD, 2),
    action: action('a2', alice, 's-sql', sql('DELETE FROM orders', 'delete')),
    decision: decision('block', ['DELETE without WHERE']),
    outcome: 'blocked',
  },
  { type: 'session.end', time: at(OLD, 3), session: 's-sql', identity: alice, target: 'prod-db' },
  {
    type: 'session.start',
    time: at(RECENT, 0),
    session: 's-ssh',
    identity: bob,
    target: 'web-1',
    protocol: 'ssh',
  },
  {
    type: 'terminal',
    time: at(RECENT, 1),
    session: 's-ssh',
    identity: bob,
    target: 'web-1',
    header: { width: 100, height: 30 },
    events: [
      [0.5, 'o', '$ '],
      [1.0, 'i', 'l'],
      [1.2, 'o', 'ls\r\n'],
      [1.5, 'o', 'README.md\r\n$ '],
    ],
  },
  {
    type: 'action',
    time: at(RECENT, 2),
    action: action('a3', bob, 's-ssh', { ssh: { command: 'ls' } }),
    decision: decision('allow'),
    outcome: 'forwarded',
  },
  {
    type: 'terminal',
    time: at(RECENT, 12),
    session: 's-ssh',
    identity: bob,
    target: 'web-1',
    events: [[10, 'o', 'exit\r\n']],
  },
  { type: 'session.end', time: at(RECENT, 13), session: 's-ssh', identity: bob, target: 'web-1' },
  {
    type: 'action',
    time: at(RECENT, 20),
    action: action('a4', carol, 's-http', { http: { method: 'GET', path: '/api/users' } }),
    decision: decision('allow'),
    outcome: 'forwarded',
    result: { status: 200 },
  },
];

/** A gateway working directory: .regate/audit.db written by instance gw-1, signed by .regate/audit-key.pem. */
async function gatewayDir(): Promise<string> {
  const dir = tree({ 'README.txt': 'a gateway working directory\n' });
  mkdirSync(join(dir, '.regate'));
  const key = loadOrCreateSigningKey(join(dir, '.regate/audit-key.pem'));
  const log = await AuditLog.open({
    // Inline commits: the writer thread is the gateway's concern, not what these tests are about.
    store: new SqliteStore({ path: join(dir, '.regate/audit.db'), writer: 'inline' }),
    instance: 'gw-1',
    key,
    checkpointIntervalMs: 0,
  });
  for (const e of EVENTS) await log.append(e);
  await log.close();
  return dir;
}

/** Runs SQL on the directory's store, as someone with write access to the file would. */
async function tamper(dir: string, statement: string): Promise<void> {
  const store = new SqliteStore({ path: join(dir, '.regate/audit.db') });
  store.db.prepare(statement).run();
  await store.close();
}

function jsonl(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

describe('regate audit search', () => {
  it.concurrent('prints one line per record, newest first, filtered by identity, effect and time', async () => {
    const dir = await gatewayDir();
    const blocked = await regate(['audit', 'search', '--effect', 'block'], { cwd: dir });
    expect(blocked.stderr).toBe('');
    expect(blocked.code).toBe(0);
    expect(blocked.stdout).toBe(
      `${at(OLD, 2).replace(/\.\d+Z$/, 'Z')}  gw-1:3  alice  prod-db  sql.query  block/blocked  DELETE FROM orders\n`,
    );
    const alices = await regate(['audit', 'search', '--identity', 'alice'], { cwd: dir });
    expect(
      alices.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['gw-1:4', 'gw-1:3', 'gw-1:2', 'gw-1:1']);
    expect(alices.stdout).toContain('session s-sql opened (postgres)');
    const recent = await regate(['audit', 'search', '--since', '24h', '--format', 'json'], { cwd: dir });
    const seqs = (JSON.parse(recent.stdout) as { records: AuditRecord[] }).records.map((r) => r.seq);
    expect(seqs).toEqual([10, 9, 8, 7, 6, 5]);
    const text = await regate(['audit', 'search', '--text', 'api users', '--format', 'jsonl'], { cwd: dir });
    expect(jsonl(text.stdout).map((r) => r.seq)).toEqual([10]);
    const group = await regate(['audit', 'search', '--group', 'support', '--type', 'terminal'], { cwd: dir });
    expect(group.stdout).toContain('gw-1:8');
    expect(group.stdout).toContain('terminal recording of session s-ssh, 1 events');
    expect(group.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it.concurrent('pages with --limit and --cursor: every record once, the cursor in json and on stderr', async () => {
    const dir = await gatewayDir();
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await regate(
        ['audit', 'search', '--limit', '4', '--format', 'json', ...(cursor ? ['--cursor', cursor] : [])],
        { cwd: dir },
      );
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { records: AuditRecord[]; next?: string };
      seen.push(...out.records.map((x) => x.seq));
      cursor = out.next;
      if (!cursor) break;
    }
    expect(seen).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const pretty = await regate(['audit', 'search', '--limit', '3'], { cwd: dir });
    expect(pretty.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(pretty.stderr).toMatch(/^more records: run the same search with --cursor \S+\n$/);
  });
});

describe('regate audit show', () => {
  it.concurrent('prints the full record as JSON, by instance:seq or by seq alone', async () => {
    const dir = await gatewayDir();
    const r = await regate(['audit', 'show', 'gw-1:3'], { cwd: dir });
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as AuditRecord & { type: 'action' };
    expect(record).toMatchObject({ instance: 'gw-1', seq: 3, type: 'action', outcome: 'blocked' });
    expect(record.action.sql?.text).toBe('DELETE FROM orders');
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    const bare = await regate(['audit', 'show', '3'], { cwd: dir });
    expect(bare.stdout).toBe(r.stdout);
    const missing = await regate(['audit', 'show', 'gw-1:99'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no record gw-1:99 in .regate/audit.db [ERR_RECORD_NOT_FOUND]');
  });
});

describe('regate audit verify', () => {
  it.concurrent('verifies an untouched log with the default key and exits 0', async () => {
    const dir = await gatewayDir();
    const r = await regate(['audit', 'verify'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\.regate\/audit\.db: signatures checked with key [0-9a-f]{16} \(\.regate\/audit-key\.pem\)\n/,
    );
    expect(r.stdout).toContain('gw-1: verified\n  records      10, seq 1..10 (head ');
    expect(r.stdout).toContain('  unsigned     0 records after the last checkpoint\n');
    expect(r.stdout).toMatch(/the chain verifies\n$/);
    const json = await regate(['audit', 'verify', '--format', 'json', '--instance', 'gw-1'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      signaturesChecked: true,
      chains: [
        { instance: 'gw-1', ok: true, records: 10, firstSeq: 1, lastSeq: 10, unsigned: 0, problems: [] },
      ],
    });
  });

  it.concurrent('names record 3 as modified and exits 1 when a row was edited', async () => {
    const dir = await gatewayDir();
    await tamper(dir, "UPDATE audit_records SET body = replace(body, 'alice', 'mallory') WHERE seq = 3");
    const r = await regate(['audit', 'verify'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('gw-1: NOT verified — 1 problem; the first bad record is seq 3 (modified)\n');
    expect(r.stdout).toContain(
      '    seq 3  modified  record 3 was modified: its content does not hash to its stored hash\n',
    );
    expect(r.stdout).toMatch(/1 of 1 chain does NOT verify\n$/);
    const json = await regate(['audit', 'verify', '--format', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).chains[0].problems[0]).toMatchObject({ kind: 'modified', seq: 3 });
  });

  it.concurrent('names a deleted record, and warns that signatures were not checked without a key', async () => {
    const dir = await gatewayDir();
    await tamper(dir, 'DELETE FROM audit_records WHERE seq = 5');
    await tamper(dir, 'DELETE FROM audit_checkpoints');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, '.regate/audit-key.pem'));
    const r = await regate(['audit', 'verify'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warning: signatures were NOT checked');
    expect(r.stdout).toContain('the first bad record is seq 6 (deleted)');
    expect(r.stdout).toContain('records 5..5 were deleted');
    expect(r.stdout).toContain('checkpoints  none: nothing is signed yet');
  });
});

describe('regate audit export', () => {
  it.concurrent('writes JSON Lines that parse, one line per matching record', async () => {
    const dir = await gatewayDir();
    const all = await regate(['audit', 'export'], { cwd: dir });
    expect(all.code).toBe(0);
    const records = jsonl(all.stdout);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(records[0]?.prev_hash).toBe('0'.repeat(64));
    const ssh = await regate(['audit', 'export', '--session', 's-ssh', '-o', 'ssh.jsonl'], { cwd: dir });
    expect(ssh.stderr).toBe('exported 5 records to ssh.jsonl\n');
    expect(jsonl(readFileSync(join(dir, 'ssh.jsonl'), 'utf8')).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9]);
  });

  it.concurrent('exports an SSH session as asciicast v2 and a SQL session as a transcript', async () => {
    const dir = await gatewayDir();
    const cast = await regate(['audit', 'export', '--session', 's-ssh', '--format', 'cast', '-o', 's.cast'], {
      cwd: dir,
    });
    expect(cast.code).toBe(0);
    const [header, ...events] = readFileSync(join(dir, 's.cast'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(header!)).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(events.map((l) => JSON.parse(l))).toEqual([
      [0.5, 'o', '$ '],
      [1.0, 'i', 'l'],
      [1.2, 'o', 'ls\r\n'],
      [1.5, 'o', 'README.md\r\n$ '],
      [10, 'o', 'exit\r\n'],
    ]);
    const t = await regate(['audit', 'export', '--session', 's-sql', '--format', 'transcript'], { cwd: dir });
    expect(t.stdout).toContain('alice@prod-db> DELETE FROM orders\n');
    expect(t.stdout).toContain('→ block, blocked — DELETE without WHERE');
    const none = await regate(['audit', 'export', '--session', 's-sql', '--format', 'cast'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the session has no terminal recording [ERR_AUDIT_NOT_FOUND]');
  });
});

describe('regate audit replay', () => {
  it.concurrent('plays the terminal output of an SSH session, and prints a SQL session transcript', async () => {
    const dir = await gatewayDir();
    const ssh = await regate(['audit', 'replay', 's-ssh', '--no-wait'], { cwd: dir });
    expect(ssh.code).toBe(0);
    expect(ssh.stdout).toBe('$ ls\r\nREADME.md\r\n$ exit\r\n');
    expect(ssh.stderr).toContain('session s-ssh, recorded at 100x30');
    const fast = await regate(['audit', 'replay', 's-ssh', '--speed', '100', '--idle-limit', '1'], {
      cwd: dir,
    });
    expect(fast.stdout).toBe(ssh.stdout);
    expect(fast.stderr).toContain('(0.0s at 100x)');
    const sqlSession = await regate(['audit', 'replay', 's-sql'], { cwd: dir });
    expect(sqlSession.stdout).toContain('session s-sql opened by alice on prod-db');
    expect(sqlSession.stdout).toContain('alice@prod-db> SELECT * FROM orders WHERE id = 1');
    const missing = await regate(['audit', 'replay', 's-nope'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no audit records for session s-nope [ERR_AUDIT_NOT_FOUND]');
  });
});

describe('regate audit prune', () => {
  it.concurrent('removes records older than --before with a signed prune, and the chain still verifies', async () => {
    const dir = await gatewayDir();
    const dry = await regate(['audit', 'prune', '--before', '24h', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toMatch(/^gw-1: would prune 4 records older than \S+ \(seq 1\.\.4\)\n$/);
    const r = await regate(['audit', 'prune', '--before', '24h'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^gw-1: pruned 4 records older than \S+ \(seq 1\.\.4\); the prune is recorded as seq 11/,
    );
    expect(r.stdout).toContain('gw-1: the chain verifies: 7 records, seq 5..11, signed through seq 11\n');
    const verify = await regate(['audit', 'verify'], { cwd: dir });
    expect(verify.code).toBe(0);
    const left = await regate(['audit', 'export'], { cwd: dir });
    expect(jsonl(left.stdout).map((x) => x.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(jsonl(left.stdout).at(-1)).toMatchObject({ type: 'prune', through_seq: 4, records: 4 });
    const again = await regate(['audit', 'prune', '--before', '24h'], { cwd: dir });
    expect(again.stdout).toMatch(/^gw-1: nothing to prune: no record is older than /);
  });

  it.concurrent('refuses without the signing key, and refuses a chain that does not verify', async () => {
    const dir = await gatewayDir();
    const noKey = await regate(['audit', 'prune', '--before', '24h', '--key', 'nope.pem'], { cwd: dir });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('there is no signing key at nope.pem');
    expect(noKey.stderr).toContain('[ERR_KEY_MISSING]');
    await tamper(dir, "UPDATE audit_records SET body = replace(body, 'alice', 'mallory') WHERE seq = 3");
    const broken = await regate(['audit', 'prune', '--before', '24h'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('the first bad record is seq 3 (modified)');
    expect(broken.stderr).toContain('nothing was pruned: a chain does not verify');
    const left = await regate(['audit', 'export'], { cwd: dir });
    expect(jsonl(left.stdout)).toHaveLength(10);
  });
});

describe('regate audit key', () => {
  it.concurrent('prints the public key PEM, creating the key when missing and saying so', async () => {
    const dir = await gatewayDir();
    const r = await regate(['audit', 'key'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const fresh = await regate(['audit', 'key', '--key', 'keys/new.pem'], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain(
      'there was no key at keys/new.pem, so a new Ed25519 key was created there',
    );
    expect(fresh.stdout).toContain('-----BEGIN PUBLIC KEY-----');
    expect(fresh.stdout).not.toBe(r.stdout);
    expect(existsSync(join(dir, 'keys/new.pem'))).toBe(true);
    // The printed public key verifies the gateway's signatures.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'gw.pub.pem'), r.stdout);
    const ok = await regate(['audit', 'verify', '--key', 'gw.pub.pem'], { cwd: dir });
    expect(ok.code).toBe(0);
    const wrong = await regate(['audit', 'verify', '--key', 'keys/new.pem'], { cwd: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('signature');
  });
});

describe('regate audit usage', () => {
  it.concurrent('explains bad arguments and a missing store, with exit code 1', async () => {
    const dir = tree({ 'README.txt': 'no store here\n' });
    const cases: [string[], string][] = [
      [['audit'], 'regate audit needs a subcommand: search, show, verify, export, replay, prune, key'],
      [['audit', 'frob'], "unknown subcommand 'frob' for 'regate audit'"],
      [
        ['audit', 'search', '--effect', 'maybe'],
        "invalid --effect 'maybe' for 'regate audit search': use one of",
      ],
      [['audit', 'search', '--since', 'yesterday'], "invalid --since 'yesterday'"],
      [['audit', 'search', '--limit', '0'], "invalid --limit '0'"],
      [['audit', 'search', '--identiy', 'x'], 'Did you mean --identity?'],
      [['audit', 'show'], 'regate audit show takes one record'],
      [['audit', 'replay', 's1', '--speed', 'fast'], "invalid --speed 'fast'"],
      [['audit', 'prune'], 'regate audit prune needs --before <time>'],
      [['audit', 'export', '--format', 'cast'], '--format cast exports one session: give it with --session'],
      [['audit', 'verify'], 'there is no audit store at .regate/audit.db'],
      [['audit', 'search', '--store', 'postgres://u:secret@127.0.0.1:1/regate'], '[ERR_STORE_UNREADABLE]'],
    ];
    const results = await Promise.all(cases.map(([args]) => regate(args, { cwd: dir })));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(1);
      expect(r.stderr).toContain(cases[i]![1]);
      expect(r.stderr).not.toContain('secret');
    });
  });

  it.concurrent('answers --help for each subcommand with its options, defaults and an example', async () => {
    const subs = ['search', 'show', 'verify', 'export', 'replay', 'prune', 'key'];
    const results = await Promise.all(subs.map((sub) => regate(['audit', sub, '--help'])));
    for (const [i, sub] of subs.entries()) {
      const r = results[i]!;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: regate audit ${sub}`));
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('Exit codes:');
    }
    const top = await regate(['--help']);
    expect(top.stdout).toContain('audit      search, show, verify, export, replay and prune the audit trail');
  });
});
