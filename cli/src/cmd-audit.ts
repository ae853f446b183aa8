/**
 * `regate audit search|show|verify|export|replay|prune|key`: the gateway's audit trail, read from its
 * store. Only `prune` writes (a signed prune record, then the deletion) and `key` may create the key.
 * `search` and `export` also work through a running gateway's admin API (`--gateway URL`), as the
 * identity of the caller's token: the gateway's policy decides, and the call is itself audited.
 */

import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EFFECTS, type Effect, GatewayError } from '@regate/action';
import {
  AuditLog,
  type AuditRecord,
  type AuditStore,
  asciicast,
  EVENT_TYPES,
  type EventType,
  exportJsonl,
  keyIdOf,
  loadOrCreateSigningKey,
  OUTCOMES,
  type Outcome,
  parsePublicKey,
  publicKeyPem,
  recordOf,
  type SearchQuery,
  type SigningKey,
  sessionRecords,
  transcript,
  type VerifyReport,
  verifyChain,
} from '@regate/audit';
import { bool, type OptionSpec, oneOf, type Parsed, parse, str, strs, UsageError } from './args.js';
import { DEFAULT_KEY, DEFAULT_STORE, defaultKeyFor, openAuditStore, STORE_HELP } from './audit-store.js';
import { GATEWAY_HELP, GatewayClient, gatewayHint } from './gateway-client.js';
import { EXIT, type IO } from './io.js';
import { play, playLength, recordingOf } from './replay.js';
import { CliError } from './report-errors.js';

export const AUDIT_HELP = `Usage: regate audit <search | show | verify | export | replay | prune | key> [options]

The gateway's audit trail: sessions, every Action with its Decision and outcome, approvals and SSH
terminal recordings, hash-chained per gateway instance and signed at checkpoints with the gateway's
Ed25519 key. These commands work on the store the gateway writes (default ${DEFAULT_STORE}); only
prune changes it.

Subcommands:
  search   find records by identity, group, target, kind, type, effect, outcome, session, time or text
  show     print one record in full
  verify   prove each chain complete and unmodified, or name the first record that is not
  export   write records as JSON Lines, or a session as an asciicast recording or a transcript
  replay   play a session back: an SSH terminal recording, or a SQL or HTTP transcript
  prune    delete records older than a date; the chain stays verifiable (the prune is signed)
  key      print the gateway's public audit key, creating the key when there is none

Run 'regate audit <subcommand> --help' for its options, defaults, examples and exit codes.

Examples:
  regate audit search --identity alice --since 24h
  regate audit show gw-1:1042
  regate audit verify --key gateway-audit.pub.pem
  regate audit replay ses_3Xk9 --speed 2
`;

/** Help text after the option column, wrapped to the width of the rest of the help. */
function wrapped(text: string, indent = 28, width = 104): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const FILTER_OPTIONS: OptionSpec = {
  instance: { type: 'string' },
  identity: { type: 'string' },
  group: { type: 'string' },
  target: { type: 'string' },
  kind: { type: 'string' },
  type: { type: 'string' },
  effect: { type: 'string' },
  outcome: { type: 'string' },
  session: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  text: { type: 'string' },
};

const FILTER_HELP = `      --identity <who>      the identity's subject or email
      --group <group>       one of the identity's groups
      --target <name>       the target's name (e.g. prod-db)
      --kind <kind>         the Action kind (sql.query, ssh.exec, http.request, ...)
      --type <type>         ${wrapped(`the record type: ${EVENT_TYPES.join(', ')}`)}
      --effect <effect>     ${wrapped(`the Decision's effect: ${EFFECTS.join(', ')}`)}
      --outcome <outcome>   ${wrapped(`what happened: ${OUTCOMES.join(', ')}`)}
      --session <id>        one session's records
      --instance <name>     one gateway instance's chain
      --since <time>        records at or after this time: RFC 3339 (2026-11-23T10:00:00Z, or a date
                            2026-11-23, UTC) or an age: 30m, 24h, 7d, 2w
      --until <time>        records before this time (same forms)
      --text <words>        free text: records whose query, command, path, names or reasons hold every
                            word (the last word as a prefix)`;

const COMMON_OPTIONS: OptionSpec = {
  store: { type: 'string' },
  gateway: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** The subcommands that also work through the admin API. */
const VIA_GATEWAY = ['search', 'export'];

export const SEARCH_HELP = `Usage: regate audit search [filters] [--limit n] [--cursor c] [--format pretty|json|jsonl]

Finds audit records, newest first, a page at a time. Every filter given must match.

Options:
${FILTER_HELP}
      --limit <n>           records per page, 1 to 1000 (default 50)
      --cursor <c>          the next page: the cursor a previous search printed (with the same filters)
  -f, --format <fmt>        pretty (default): one line per record — time, instance:seq, identity,
                            target, kind, effect/outcome, what (the next page's cursor on stderr);
                            json: {"records": [...], "next": "<cursor>"} with full records;
                            jsonl: one full record per line (the cursor on stderr)
${STORE_HELP}
${GATEWAY_HELP}
  -h, --help                show this help

Examples:
  regate audit search --identity alice --since 24h
  regate audit search --gateway http://127.0.0.1:8081 --target example-api --effect block
  regate audit search --target prod-db --effect block --format json
  regate audit search --text "delete customers" --since 2026-11-01 --until 2026-12-01
  regate audit search --limit 100 --cursor eyJ0aW1lIjoi...

Exit codes:
  0  searched (also when nothing matched)
  1  the store could not be read, or bad usage
`;

export const SHOW_HELP = `Usage: regate audit show <instance:seq | seq> [options]

Prints one record in full, as pretty JSON: the masked event as stored, with its instance, seq, time,
prev_hash and hash. A bare seq is enough when the store holds one chain (or with --instance).

Options:
      --instance <name>     the chain a bare seq belongs to
${STORE_HELP}
  -h, --help                show this help

Examples:
  regate audit show gw-1:1042
  regate audit show 1042 --store /var/lib/regate/audit.db

Exit codes:
  0  printed
  1  no such record, the store could not be read, or bad usage
`;

export const VERIFY_HELP = `Usage: regate audit verify [--instance i] [--key <file>] [--format pretty|json]

Proves each gateway instance's chain complete and unmodified: recomputes every record's hash, follows
the prev_hash links, checks the signed checkpoints and prune events, and names the first record that
was modified, deleted, inserted, reordered or renumbered, and a tail truncated after a checkpoint. For
each chain it prints the records, their range, the checkpoints, the unsigned tail (records after the
last checkpoint: a cut there is not detectable until the next checkpoint signs them) and each problem.

Options:
      --instance <name>     verify this chain only (default: every chain in the store)
      --key <file>          the gateway's key, to check signatures with: its public key PEM ('regate
                            audit key' prints it) or its private key PEM; repeat it for keys used
                            before a rotation (default: audit-key.pem beside the --store file, or
                            ${DEFAULT_KEY}, when that file exists; without a key, signatures are
                            not checked and a warning says so)
  -f, --format <fmt>        pretty (default) or json: {"ok", "signaturesChecked", "keys", "chains":
                            [{"instance", "ok", "records", "firstSeq", "lastSeq", "checkpoints",
                            "unsigned", "problems": [{"kind", "seq", "message"}], ...}]}
${STORE_HELP}
  -h, --help                show this help

Examples:
  regate audit verify
  regate audit verify --key gateway-audit.pub.pem --instance gw-1
  regate audit verify --store /backup/audit.db --key gateway-audit.pub.pem --format json

Exit codes:
  0  every chain verifies
  1  a chain does not verify (each problem is printed), the store or key could not be read, or bad usage
`;

export const EXPORT_HELP = `Usage: regate audit export [--format jsonl] [filters] [-o file]
       regate audit export --session <id> --format cast|transcript [-o file]

Writes audit records out. jsonl: every record matching the filters (all pages, oldest first), one full
record per line with its chain fields, so the export can be checked elsewhere. cast: an SSH session's
terminal recording as an asciicast v2 file (play it with 'asciinema play'). transcript: a session as
readable text — each statement, command or request with who, the Decision and the outcome.

Options:
  -f, --format <fmt>        jsonl (default), cast or transcript (these two need --session)
  -o, --output <file>       write to this file (written whole or not at all; default standard output)
${FILTER_HELP}
${STORE_HELP}
${GATEWAY_HELP}
  -h, --help                show this help

Examples:
  regate audit export --since 30d -o last-month.jsonl
  regate audit export --identity alice --target prod-db
  regate audit export --session ses_3Xk9 --format cast -o ses_3Xk9.cast
  regate audit export --session ses_7Qp2 --format transcript
  regate audit export --gateway http://127.0.0.1:8081 --session ses_7Qp2 --format transcript

Exit codes:
  0  exported (also when nothing matched)
  1  the session has no records or no terminal recording, the store could not be read, the file could
     not be written, or bad usage
`;

export const REPLAY_HELP = `Usage: regate audit replay <session> [--speed 2] [--idle-limit 2] [--no-wait]

Plays a session back. An SSH session with a terminal recording is played in this terminal with the
timing it was recorded with; a SQL or HTTP session (or an SSH session without a recording) prints its
transcript: each statement, command or request with who, the Decision and the outcome.

Options:
      --speed <factor>      play this many times faster, e.g. 2 or 0.5 (default 1, real time)
      --idle-limit <secs>   shorten every pause longer than this many seconds to it, like asciinema's
                            --idle-time-limit (default: no limit)
      --no-wait             print the recording at once, without its pauses
${STORE_HELP}
  -h, --help                show this help

Examples:
  regate audit replay ses_3Xk9
  regate audit replay ses_3Xk9 --speed 4 --idle-limit 1
  regate audit replay ses_3Xk9 --no-wait | less -R
  regate audit replay ses_7Qp2 > ses_7Qp2.txt

Exit codes:
  0  played
  1  the session has no records, the store could not be read, or bad usage
`;

export const PRUNE_HELP = `Usage: regate audit prune --before <time> [--instance i] [--key <file>] [--dry-run]

Deletes the records older than a time, keeping what remains verifiable: first a prune record naming the
last deleted record and its hash is appended to the chain and signed with the gateway's key, then the
older records (and their checkpoints) are deleted, and the chain is verified again. A chain that does
not verify is not pruned: pruning would delete the evidence.

Run it with the gateway stopped, or on chains no running gateway writes: the prune record is appended
to the chain, so a gateway writing the same chain fails its next commit (ERR_AUDIT_CHAIN_CONFLICT).

Options:
      --before <time>       delete records older than this: RFC 3339 (2026-08-01T00:00:00Z, or a date
                            2026-08-01, UTC) or an age: 90d, 12w, 24h (required)
      --instance <name>     prune this chain only (default: every chain in the store)
      --key <file>          the gateway's Ed25519 private key PEM, which signs the prune (default
                            ${DEFAULT_KEY}; it must exist: a prune signed by another key
                            does not verify against the gateway's)
      --dry-run             say what would be deleted, and change nothing
${STORE_HELP}
  -h, --help                show this help

Examples:
  regate audit prune --before 90d --dry-run
  regate audit prune --before 90d
  regate audit prune --before 2026-01-01 --instance gw-1 --key /etc/regate/audit-key.pem

Exit codes:
  0  pruned (or nothing was old enough) and every pruned chain verifies
  1  a chain does not verify (before or after), the key is missing, the store could not be written, or
     bad usage
`;

export const KEY_HELP = `Usage: regate audit key [--key <file>]

Prints the public half of the gateway's Ed25519 audit key as SPKI PEM: give it to whoever verifies the
audit trail ('regate audit verify --key <file>'). When the key file does not exist, a new key is
created there (mode 0600), as the gateway does on its first start, and stderr says so.

Options:
      --key <file>          the private key PEM (default ${DEFAULT_KEY}, the gateway's default)
  -h, --help                show this help

Examples:
  regate audit key > gateway-audit.pub.pem
  regate audit key --key /etc/regate/audit-key.pem

Exit codes:
  0  printed
  1  the key could not be read, parsed or created, or bad usage
`;

interface Subcommand {
  help: string;
  options: OptionSpec;
  run: (p: Parsed, io: IO) => Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  search: {
    help: SEARCH_HELP,
    options: {
      ...FILTER_OPTIONS,
      limit: { type: 'string' },
      cursor: { type: 'string' },
      format: { type: 'string', short: 'f' },
      ...COMMON_OPTIONS,
    },
    run: search,
  },
  show: { help: SHOW_HELP, options: { instance: { type: 'string' }, ...COMMON_OPTIONS }, run: show },
  verify: {
    help: VERIFY_HELP,
    options: {
      instance: { type: 'string' },
      key: { type: 'string', multiple: true },
      format: { type: 'string', short: 'f' },
      ...COMMON_OPTIONS,
    },
    run: verify,
  },
  export: {
    help: EXPORT_HELP,
    options: {
      ...FILTER_OPTIONS,
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      ...COMMON_OPTIONS,
    },
    run: exportRecords,
  },
  replay: {
    help: REPLAY_HELP,
    options: {
      speed: { type: 'string' },
      'idle-limit': { type: 'string' },
      wait: { type: 'boolean' },
      ...COMMON_OPTIONS,
    },
    run: replay,
  },
  prune: {
    help: PRUNE_HELP,
    options: {
      before: { type: 'string' },
      instance: { type: 'string' },
      key: { type: 'string' },
      'dry-run': { type: 'boolean' },
      ...COMMON_OPTIONS,
    },
    run: prune,
  },
  key: {
    help: KEY_HELP,
    options: { key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    run: key,
  },
};

export async function auditCommand(argv: string[], io: IO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    const topic = sub === 'help' ? rest[0] : undefined;
    io.out(topic !== undefined && SUBCOMMANDS[topic] ? SUBCOMMANDS[topic].help : AUDIT_HELP);
    return EXIT.ok;
  }
  const names = Object.keys(SUBCOMMANDS).join(', ');
  if (sub === undefined)
    throw new UsageError(
      `regate audit needs a subcommand: ${names}, e.g. 'regate audit search --since 24h'. Run 'regate audit --help' for more.`,
    );
  const command = SUBCOMMANDS[sub];
  if (!command)
    throw new UsageError(
      sub.startsWith('-')
        ? `'${sub}' comes before the subcommand; put options after it, e.g. 'regate audit verify ${sub} ...'. The subcommands are: ${names}.`
        : `unknown subcommand '${sub}' for 'regate audit': use one of ${names}. Run 'regate audit --help' for more.`,
    );
  const p = parse(`audit ${sub}`, command.options, rest);
  if (bool(p, 'help')) {
    io.out(command.help);
    return EXIT.ok;
  }
  if (str(p, 'gateway') !== undefined) {
    if (!VIA_GATEWAY.includes(sub))
      throw new UsageError(
        `regate audit ${sub} works on the store itself, not through --gateway: run it where the store is, with --store. Through the admin API: ${VIA_GATEWAY.join(', ')}.`,
      );
    if (str(p, 'store') !== undefined)
      throw new UsageError(
        'give --store or --gateway, not both: --gateway reads the store the gateway writes.',
      );
  } else if (str(p, 'token') !== undefined) throw new UsageError('--token is for --gateway <url>.');
  try {
    return await command.run(p, io);
  } catch (err) {
    if (err instanceof GatewayError || err instanceof CliError) {
      io.err(`regate audit ${sub}: ${err.message} [${err.code}]\n${hint(err.code)}${gatewayHint(err.code)}`);
      return EXIT.error;
    }
    throw err;
  }
}

// --- search ---------------------------------------------------------------------------------------

async function search(p: Parsed, io: IO): Promise<number> {
  noArguments(p, 'search', 'give filters as options, e.g. --identity alice or --text "drop table"');
  const format = oneOf('audit search', 'format', str(p, 'format') ?? 'pretty', [
    'pretty',
    'json',
    'jsonl',
  ] as const);
  const query = queryOf(p, 'search');
  const limit = str(p, 'limit');
  if (limit !== undefined) query.limit = intOption('audit search', 'limit', limit, 1, 1000);
  const cursor = str(p, 'cursor');
  if (cursor !== undefined) query.cursor = cursor;
  const print = (records: AuditRecord[], next: string | undefined, location: string): number => {
    if (format === 'json') {
      io.out(`${JSON.stringify(next ? { records, next } : { records }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (format === 'jsonl') for (const r of records) io.out(`${JSON.stringify(r)}\n`);
    else io.out(prettyLines(records));
    if (records.length === 0) io.err(`no audit records match in ${location}\n`);
    if (next) io.err(`more records: run the same search with --cursor ${next}\n`);
    return EXIT.ok;
  };
  const gateway = await gatewayOf(p);
  if (gateway) {
    const page = await gateway.json<{ records: AuditRecord[]; next?: string }>(
      'GET',
      `/v1/audit/records?${searchParams(query)}`,
    );
    return print(page.records, page.next, gateway.base);
  }
  return withStore(p, async (store) => {
    const page = await store.search(query);
    return print(page.records.map(recordOf), page.next, store.location);
  });
}

/** The admin API client for --gateway, or undefined when the command works on the store. */
async function gatewayOf(p: Parsed): Promise<GatewayClient | undefined> {
  const url = str(p, 'gateway');
  if (url === undefined) return undefined;
  const token = str(p, 'token');
  return GatewayClient.connect({ url, ...(token !== undefined ? { token } : {}) });
}

/** A search query as the admin API's query parameters (`text` is `q` there). */
function searchParams(query: SearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) params.set(key === 'text' ? 'q' : key, String(value));
  return params;
}

/** One line per record, columns aligned across the page. */
function prettyLines(records: readonly AuditRecord[]): string {
  const rows = records.map((r) => [
    shortTime(r.time),
    `${r.instance}:${r.seq}`,
    r.identity?.subject ?? '-',
    r.target ?? '-',
    r.kind ?? r.type,
    r.effect || r.outcome ? `${r.effect ?? '-'}/${r.outcome ?? '-'}` : '-',
    whatOf(r),
  ]);
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function shortTime(time: string): string {
  return time.replace(/\.\d+Z$/, 'Z');
}

/** What the record is about, in a few words. */
function whatOf(r: AuditRecord): string {
  switch (r.type) {
    case 'action': {
      const a = r.action;
      return oneLine(a.sql?.text ?? a.ssh?.command ?? (a.http ? `${a.http.method} ${a.http.path}` : a.kind));
    }
    case 'session.start':
      return `session ${r.session} opened${r.protocol ? ` (${r.protocol})` : ''}`;
    case 'session.end':
      return `session ${r.session} closed${r.reason ? `: ${oneLine(r.reason)}` : ''}`;
    case 'approval':
      return `approval ${r.approval.id} ${r.approval.state}${r.approval.by ? ` by ${r.approval.by}` : ''}`;
    case 'terminal':
      return `terminal recording of session ${r.session}, ${r.events.length} events`;
    case 'admin':
      return `admin: ${r.operation}`;
    case 'prune':
      return `pruned ${r.records} records before ${r.before} (through seq ${r.through_seq})`;
  }
}

function oneLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// --- show -----------------------------------------------------------------------------------------

async function show(p: Parsed, io: IO): Promise<number> {
  const [ref, ...extra] = p.positionals;
  if (ref === undefined || extra.length > 0)
    throw new UsageError(
      `regate audit show takes one record, as instance:seq or seq${extra.length > 0 ? `, got ${p.positionals.join(' ')}` : ''}, e.g. 'regate audit show gw-1:1042'. Run 'regate audit show --help' for more.`,
    );
  const m = /^(?:(.+):)?(\d+)$/.exec(ref);
  if (!m)
    throw new UsageError(
      `'${ref}' is not a record reference: give instance:seq (e.g. gw-1:1042) or a seq. 'regate audit search' prints them.`,
    );
  const seq = Number(m[2]);
  return withStore(p, async (store) => {
    const instance = m[1] ?? str(p, 'instance') ?? (await onlyInstance(store, 'show'));
    const row = await store.get(instance, seq);
    if (!row)
      throw new CliError(
        'ERR_RECORD_NOT_FOUND',
        `there is no record ${instance}:${seq} in ${store.location}`,
      );
    io.out(`${JSON.stringify(recordOf(row), null, 2)}\n`);
    return EXIT.ok;
  });
}

/** The store's one chain, for a command given a bare seq; a UsageError naming them when there are more. */
async function onlyInstance(store: AuditStore, sub: string): Promise<string> {
  const instances = await store.instances();
  if (instances.length === 1) return instances[0]!;
  if (instances.length === 0)
    throw new CliError('ERR_RECORD_NOT_FOUND', `${store.location} holds no records`);
  throw new UsageError(
    `${store.location} holds ${instances.length} chains (${instances.join(', ')}): name one, as instance:seq or with --instance. Run 'regate audit ${sub} --help' for more.`,
  );
}

// --- verify ---------------------------------------------------------------------------------------

async function verify(p: Parsed, io: IO): Promise<number> {
  noArguments(p, 'verify', 'name one chain with --instance');
  const format = oneOf('audit verify', 'format', str(p, 'format') ?? 'pretty', ['pretty', 'json'] as const);
  const given = strs(p, 'key');
  const defaultKey = defaultKeyFor(str(p, 'store'));
  const keyFiles = given.length > 0 ? given : existsSync(defaultKey) ? [defaultKey] : [];
  const publicKeys = keyFiles.map((file) => parsePublicKey(readKeyFile(file), file));
  if (publicKeys.length === 0)
    io.err(
      `regate audit verify: warning: signatures were NOT checked — no --key was given and ${defaultKey} does not exist. Give the gateway's public key with --key <file> ('regate audit key' prints it) to check that the checkpoints were signed by the gateway.\n`,
    );
  return withStore(p, async (store) => {
    const only = str(p, 'instance');
    const instances = only !== undefined ? [only] : await store.instances();
    const reports: VerifyReport[] = [];
    for (const instance of instances) reports.push(await verifyChain(store, instance, { publicKeys }));
    if (only !== undefined && reports[0]?.records === 0 && reports[0].checkpoints === 0) {
      const known = await store.instances();
      throw new CliError(
        'ERR_RECORD_NOT_FOUND',
        `${store.location} holds no chain named ${only}${known.length > 0 ? `; its chains are: ${known.join(', ')}` : ''}`,
      );
    }
    const ok = reports.every((r) => r.ok);
    const keyIds = publicKeys.map(keyIdOf);
    if (format === 'json') {
      io.out(
        `${JSON.stringify({ ok, store: store.location, signaturesChecked: keyIds.length > 0, keys: keyIds, chains: reports }, null, 2)}\n`,
      );
      return ok ? EXIT.ok : EXIT.error;
    }
    if (reports.length === 0) {
      io.out(`${store.location} holds no audit records: there is nothing to verify.\n`);
      return EXIT.ok;
    }
    const signed =
      keyIds.length > 0
        ? `signatures checked with key ${keyIds.join(', ')} (${keyFiles.join(', ')})`
        : 'signatures NOT checked';
    io.out(`${store.location}: ${signed}\n\n`);
    for (const r of reports) io.out(prettyReport(r));
    const bad = reports.filter((r) => !r.ok).length;
    io.out(
      bad === 0
        ? `${reports.length === 1 ? 'the chain verifies' : `all ${reports.length} chains verify`}\n`
        : `${bad} of ${reports.length} ${reports.length === 1 ? 'chain does' : 'chains do'} NOT verify\n`,
    );
    return ok ? EXIT.ok : EXIT.error;
  });
}

function prettyReport(r: VerifyReport): string {
  const out: string[] = [];
  const first = r.problems[0];
  out.push(
    r.ok
      ? `${r.instance}: verified`
      : `${r.instance}: NOT verified — ${r.problems.length} ${r.problems.length === 1 ? 'problem' : 'problems'}; the first bad record is seq ${first?.seq} (${first?.kind})`,
  );
  out.push(
    `  records      ${r.records === 0 ? 'none' : `${r.records}, seq ${r.firstSeq}..${r.lastSeq}${r.headHash ? ` (head ${r.headHash.slice(0, 16)}…)` : ''}`}`,
  );
  out.push(
    `  checkpoints  ${
      r.checkpoints === 0
        ? 'none: nothing is signed yet'
        : `${r.checkpoints}${r.lastCheckpoint ? `, the last${r.signaturesChecked ? ' good one' : ''} at seq ${r.lastCheckpoint.seq} (${r.lastCheckpoint.time})` : ''}`
    }`,
  );
  out.push(
    `  unsigned     ${r.unsigned} ${r.unsigned === 1 ? 'record' : 'records'} after the last checkpoint${r.unsigned > 0 ? ' (a cut there is not detectable until the next checkpoint)' : ''}`,
  );
  if (!r.ok) {
    out.push('  problems, first bad record first:');
    const width = Math.max(...r.problems.map((x) => x.kind.length));
    for (const x of r.problems) out.push(`    seq ${x.seq}  ${x.kind.padEnd(width)}  ${x.message}`);
  }
  return `${out.join('\n')}\n\n`;
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(
      'ERR_KEY_UNREADABLE',
      `cannot read the key ${file}: ${e.code === 'ENOENT' ? 'there is no such file' : (e.code ?? e.message)}`,
    );
  }
}

// --- export ---------------------------------------------------------------------------------------

async function exportRecords(p: Parsed, io: IO): Promise<number> {
  noArguments(p, 'export', 'give filters as options, e.g. --session <id>');
  const format = oneOf('audit export', 'format', str(p, 'format') ?? 'jsonl', [
    'jsonl',
    'cast',
    'transcript',
  ] as const);
  const query = queryOf(p, 'export');
  const session = query.session;
  if (format !== 'jsonl') {
    if (session === undefined)
      throw new UsageError(
        `--format ${format} exports one session: give it with --session <id>, e.g. 'regate audit export --session ses_3Xk9 --format ${format}'.`,
      );
    const others = Object.keys(FILTER_OPTIONS).filter((k) => k !== 'session' && str(p, k) !== undefined);
    if (others.length > 0)
      throw new UsageError(
        `--format ${format} exports a whole session; --${others.join(', --')} only filter --format jsonl.`,
      );
  }
  const output = str(p, 'output');
  const gateway = await gatewayOf(p);
  if (gateway) {
    const sink = output === undefined ? stdoutSink(io) : fileSink(output);
    try {
      let count = 0;
      if (format === 'jsonl') {
        let cursor: string | undefined;
        do {
          const params = searchParams({ ...query, order: 'asc', limit: 1000, ...(cursor ? { cursor } : {}) });
          const page = await gateway.json<{ records: AuditRecord[]; next?: string }>(
            'GET',
            `/v1/audit/records?${params}`,
          );
          for (const r of page.records) sink.write(`${JSON.stringify(r)}\n`);
          count += page.records.length;
          cursor = page.next;
        } while (cursor);
      } else {
        const text = await gateway.text(
          `/v1/audit/sessions/${encodeURIComponent(session!)}?format=${format === 'cast' ? 'asciicast' : 'transcript'}`,
        );
        sink.write(text);
        count = 1;
      }
      sink.commit();
      if (output !== undefined && format === 'jsonl')
        io.err(`exported ${count} ${count === 1 ? 'record' : 'records'} to ${output}\n`);
      else if (output !== undefined) io.err(`exported session ${session} to ${output}\n`);
      else if (count === 0) io.err(`no audit records match in ${gateway.base}\n`);
      return EXIT.ok;
    } catch (err) {
      sink.abort();
      throw err;
    }
  }
  return withStore(p, async (store) => {
    const sink = output === undefined ? stdoutSink(io) : fileSink(output);
    try {
      let count = 0;
      if (format === 'jsonl') {
        for await (const line of exportJsonl(store, query)) {
          sink.write(line);
          count++;
        }
      } else {
        const records = await sessionRecords(store, session!);
        sink.write(format === 'cast' ? asciicast(records) : transcript(records));
        count = records.length;
      }
      sink.commit();
      if (output !== undefined)
        io.err(`exported ${count} ${count === 1 ? 'record' : 'records'} to ${output}\n`);
      else if (count === 0) io.err(`no audit records match in ${store.location}\n`);
      return EXIT.ok;
    } catch (err) {
      sink.abort();
      throw err;
    }
  });
}

interface Sink {
  write(text: string): void;
  commit(): void;
  abort(): void;
}

function stdoutSink(io: IO): Sink {
  return { write: (t) => io.out(t), commit: () => {}, abort: () => {} };
}

/** Streams into a temporary file beside `path` and renames it over `path` on commit. */
function fileSink(path: string): Sink {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w', 0o644);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(
      'ERR_WRITE',
      `cannot write the export to ${path}: ${e.code === 'ENOENT' ? `the directory ${dirname(path)} does not exist` : (e.code ?? e.message)}`,
    );
  }
  return {
    write: (text) => {
      writeSync(fd, text);
    },
    commit: () => {
      closeSync(fd);
      try {
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        const e = err as NodeJS.ErrnoException;
        throw new CliError(
          'ERR_WRITE',
          `cannot write the export to ${path}: ${e.code === 'EISDIR' ? `${path} is a directory` : (e.code ?? e.message)}`,
        );
      }
    },
    abort: () => {
      try {
        closeSync(fd);
      } catch {
        // already closed by a failed commit
      }
      rmSync(tmp, { force: true });
    },
  };
}

// --- replay ---------------------------------------------------------------------------------------

async function replay(p: Parsed, io: IO): Promise<number> {
  const [session, ...extra] = p.positionals;
  if (session === undefined || extra.length > 0)
    throw new UsageError(
      `regate audit replay takes one session id${extra.length > 0 ? `, got ${p.positionals.join(' ')}` : ''}, e.g. 'regate audit replay ses_3Xk9'. 'regate audit search --type session.start' lists sessions.`,
    );
  const speedText = str(p, 'speed');
  const speed = speedText === undefined ? 1 : positiveNumber('speed', speedText, 'e.g. 2 or 0.5');
  const idleText = str(p, 'idle-limit');
  const idleLimit =
    idleText === undefined ? undefined : positiveNumber('idle-limit', idleText, 'in seconds, e.g. 2');
  const wait = p.values.wait !== false;
  return withStore(p, async (store) => {
    const records = await sessionRecords(store, session);
    const recording = recordingOf(records);
    if (!recording) {
      io.out(transcript(records));
      return EXIT.ok;
    }
    const length = wait
      ? ` (${formatSeconds(playLength(recording.events, speed, idleLimit))} at ${speed}x)`
      : '';
    io.err(
      `regate audit replay: session ${session}, recorded at ${recording.width}x${recording.height}${length}; Ctrl-C stops\n`,
    );
    await play(recording.events, {
      write: (text) => io.out(text),
      speed,
      wait,
      ...(idleLimit === undefined ? {} : { idleLimit }),
    });
    io.err(`\nregate audit replay: end of session ${session}\n`);
    return EXIT.ok;
  });
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

// --- prune ----------------------------------------------------------------------------------------

async function prune(p: Parsed, io: IO): Promise<number> {
  noArguments(p, 'prune', 'give the time with --before');
  const beforeText = str(p, 'before');
  if (beforeText === undefined)
    throw new UsageError(
      `regate audit prune needs --before <time>: an RFC 3339 time or an age such as 90d, e.g. 'regate audit prune --before 90d'. Run 'regate audit prune --help' for more.`,
    );
  const before = timeOption('audit prune', 'before', beforeText);
  const dryRun = bool(p, 'dry-run');
  const keyPath = str(p, 'key') ?? defaultKeyFor(str(p, 'store'));
  let key: SigningKey | undefined;
  if (existsSync(keyPath)) key = loadOrCreateSigningKey(keyPath);
  else if (!dryRun)
    throw new CliError(
      'ERR_KEY_MISSING',
      `there is no signing key at ${keyPath}: a prune must be signed with the gateway's key, or it does not verify. Give the gateway's private key with --key <file>.`,
    );
  const where = str(p, 'store');
  // The chains to prune, each verified first with the key that will sign the prune.
  const instances = await withStore(p, async (store) => {
    const all = await store.instances();
    const only = str(p, 'instance');
    if (only !== undefined && !all.includes(only))
      throw new CliError(
        'ERR_RECORD_NOT_FOUND',
        `${store.location} holds no chain named ${only}${all.length > 0 ? `; its chains are: ${all.join(', ')}` : ''}`,
      );
    const chosen = only !== undefined ? [only] : all;
    const plans: { instance: string; first: number; through: number | undefined }[] = [];
    let broken = false;
    for (const instance of chosen) {
      const report = await verifyChain(store, instance, key ? { publicKeys: [key.publicKey] } : {});
      if (!report.ok) {
        broken = true;
        io.out(prettyReport(report));
      }
      plans.push({
        instance,
        first: report.firstSeq ?? 1,
        through: await store.lastSeqBefore(instance, before),
      });
    }
    if (broken)
      throw new CliError(
        'ERR_CHAIN_NOT_VERIFIED',
        'nothing was pruned: a chain does not verify (above), and pruning would delete the evidence. Find out what happened first (regate audit verify).',
      );
    return plans;
  });
  if (instances.length === 0) {
    io.out(`${where ?? DEFAULT_STORE} holds no audit records: there is nothing to prune.\n`);
    return EXIT.ok;
  }
  let ok = true;
  for (const { instance, first, through } of instances) {
    if (through === undefined || through < first) {
      io.out(`${instance}: nothing to prune: no record is older than ${before}\n`);
      continue;
    }
    const n = through - first + 1;
    if (dryRun) {
      io.out(
        `${instance}: would prune ${n} ${n === 1 ? 'record' : 'records'} older than ${before} (seq ${first}..${through})\n`,
      );
      continue;
    }
    // Each chain gets its own store connection: AuditLog.open initialises the store's writer.
    const store = await openAuditStore(where, 'write');
    const log = await AuditLog.open({ store, instance, key: key!, checkpointIntervalMs: 0 });
    try {
      const result = await log.prune(before);
      await log.close({ closeStore: false });
      const report = await verifyChain(store, instance, { publicKeys: [key!.publicKey] });
      io.out(
        `${instance}: pruned ${result.records} ${result.records === 1 ? 'record' : 'records'} older than ${before} (seq ${first}..${result.throughSeq}); the prune is recorded as seq ${report.lastSeq ?? '?'}, signed with key ${key!.keyId}\n`,
      );
      if (report.ok)
        io.out(
          `${instance}: the chain verifies: ${report.records} records, seq ${report.firstSeq}..${report.lastSeq}, signed through seq ${report.lastCheckpoint?.seq ?? '-'}\n`,
        );
      else {
        ok = false;
        io.out(prettyReport(report));
      }
    } finally {
      await log.close({ closeStore: false }).catch(() => {});
      await store.close().catch(() => {});
    }
  }
  return ok ? EXIT.ok : EXIT.error;
}

// --- key ------------------------------------------------------------------------------------------

async function key(p: Parsed, io: IO): Promise<number> {
  noArguments(p, 'key', 'give the key file with --key <file>');
  const path = str(p, 'key') ?? DEFAULT_KEY;
  const k = loadOrCreateSigningKey(path);
  if (k.created)
    io.err(
      `regate audit key: there was no key at ${path}, so a new Ed25519 key was created there (key id ${k.keyId}, mode 0600). If a gateway already signs with another key, give that one with --key.\n`,
    );
  io.out(publicKeyPem(k));
  return EXIT.ok;
}

// --- shared ---------------------------------------------------------------------------------------

async function withStore<T>(p: Parsed, fn: (store: AuditStore) => Promise<T>): Promise<T> {
  const store = await openAuditStore(str(p, 'store'));
  try {
    return await fn(store);
  } finally {
    await store.close().catch(() => {});
  }
}

function noArguments(p: Parsed, sub: string, what: string): void {
  if (p.positionals.length > 0)
    throw new UsageError(
      `regate audit ${sub} takes no arguments, got ${p.positionals.join(' ')}: ${what}. Run 'regate audit ${sub} --help' for more.`,
    );
}

/** The search filters given as options. */
function queryOf(p: Parsed, sub: string): SearchQuery {
  const command = `audit ${sub}`;
  const q: SearchQuery = {};
  for (const name of ['instance', 'identity', 'group', 'target', 'kind', 'session', 'text'] as const) {
    const v = str(p, name);
    if (v !== undefined) q[name] = v;
  }
  const type = str(p, 'type');
  if (type !== undefined) q.type = oneOf<EventType>(command, 'type', type, EVENT_TYPES);
  const effect = str(p, 'effect');
  if (effect !== undefined) q.effect = oneOf<Effect>(command, 'effect', effect, EFFECTS);
  const outcome = str(p, 'outcome');
  if (outcome !== undefined) q.outcome = oneOf<Outcome>(command, 'outcome', outcome, OUTCOMES);
  const since = str(p, 'since');
  if (since !== undefined) q.since = timeOption(command, 'since', since);
  const until = str(p, 'until');
  if (until !== undefined) q.until = timeOption(command, 'until', until);
  return q;
}

const AGE_UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * A time option as an RFC 3339 string: an RFC 3339 time, a date (midnight UTC), or an age before now
 * (`90d`, `24h`, `1h30m`).
 */
export function timeOption(command: string, name: string, text: string, now: Date = new Date()): string {
  const s = text.trim();
  if (/^(\d+[smhdw])+$/.test(s)) {
    let ms = 0;
    for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * AGE_UNIT_MS[unit!]!;
    return new Date(now.getTime() - ms).toISOString();
  }
  if (RFC3339.test(s) && !Number.isNaN(Date.parse(s))) return new Date(s).toISOString();
  throw new UsageError(
    `invalid --${name} '${text}' for 'regate ${command}': give an RFC 3339 time with its zone (2026-11-23T10:00:00Z), a date (2026-11-23, UTC), or an age before now (30m, 24h, 7d, 2w).`,
  );
}

function intOption(command: string, name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(
      `invalid --${name} '${text}' for 'regate ${command}': give a whole number from ${min} to ${max}.`,
    );
  return n;
}

function positiveNumber(name: string, text: string, example: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(
      `invalid --${name} '${text}' for 'regate audit replay': give a positive number, ${example}.`,
    );
  return n;
}

function hint(code: string): string {
  switch (code) {
    case 'ERR_STORE_UNREADABLE':
    case 'ERR_AUDIT_STORE_UNAVAILABLE':
    case 'ERR_AUDIT_STORE_TIMEOUT':
      return `Check --store: it must name the gateway's audit store (a SQLite file, default ${DEFAULT_STORE}, or a PostgreSQL URL), readable by you.\n`;
    case 'ERR_AUDIT_KEY':
    case 'ERR_KEY_UNREADABLE':
      return "Check --key: it must be the gateway's Ed25519 key as PEM (the public key 'regate audit key' prints, or the private key).\n";
    case 'ERR_AUDIT_INVALID_QUERY':
      return 'Check the filters; a --cursor must come from the same search of the same store.\n';
    case 'ERR_AUDIT_NOT_FOUND':
    case 'ERR_RECORD_NOT_FOUND':
      return "'regate audit search' lists what the store holds (--type session.start for sessions).\n";
    case 'ERR_AUDIT_CHAIN_CONFLICT':
      return 'A gateway is writing this chain: stop it, then prune again (the chain is unchanged or verifiable).\n';
    default:
      return '';
  }
}
