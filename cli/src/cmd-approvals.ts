/**
 * `regate approvals list|show|approve|deny`: the approval requests held in the local store, and votes on
 * them — or, with `--gateway URL`, the same through a running gateway's admin API, as the identity of
 * the caller's OIDC token.
 */

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { GatewayError, type Identity } from '@regate/action';
import {
  type ApprovalRequest,
  ApprovalService,
  approvalStoreFor,
  describeRequirements,
  REQUEST_STATES,
  type RequestState,
  tally,
} from '@regate/approvals';
import { AuditLog, loadOrCreateSigningKey } from '@regate/audit';
import { bool, type OptionSpec, oneOf, type Parsed, parse, str, UsageError } from './args.js';
import { DEFAULT_KEY, defaultKeyFor, openAuditStore, STORE_HELP } from './audit-store.js';
import { GATEWAY_HELP, GatewayClient, gatewayHint } from './gateway-client.js';
import { EXIT, type IO } from './io.js';
import { CliError } from './report-errors.js';

export const APPROVALS_HELP = `Usage: regate approvals <list | show | approve | deny> [options]

Lists the approval requests that require_approval decisions opened, and approves or denies them, in the
gateway's store (the audit store: approval requests live beside the audit log). Every vote is checked
as the gateway checks it — only an approver the policy named may vote, never the requester, each
approver once — and is recorded in the audit trail before it takes effect.

  regate approvals list [--state pending] [--as <subject> [--groups a,b]] [--format pretty|json]
  regate approvals show <id> [--format pretty|json]
  regate approvals approve <id> --as <subject> [--groups a,b] [--reason <text>]
  regate approvals deny <id> --as <subject> [--groups a,b] --reason <text>

  regate approvals list|show|approve|deny ... --gateway <admin URL> [--token <token>] [--mine]

Who you are: with --gateway, the identity of your OIDC token — the gateway's policy decides whether you
may list and vote (its admin rules), the approval service whether you may vote on this request, and the
call is recorded in the audit trail. Without --gateway, the CLI works on the store directly and takes
your identity from --as and --groups; anyone who can write the store can vote as anyone, so keep the
store file (or the PostgreSQL credentials) to the people allowed to approve.

Options:
${STORE_HELP}
      --as <subject>        your subject, as in your OIDC token (approve, deny; with list, only the
                            requests you may vote on)
      --groups <a,b>        your groups, comma-separated (they match group:<name> approvers)
  -r, --reason <text>       why: required to deny, optional to approve; recorded in the audit trail
      --state <state>       list: pending (default), approved, denied, expired, cancelled or all
  -f, --format <fmt>        list: pretty (default) or json (the requests as the approval service holds
                            them)
      --limit <n>           list: at most this many requests, newest first (default 100)
${GATEWAY_HELP}
      --mine                list with --gateway: only the requests your token's identity may vote on
      --key <file>          the gateway's Ed25519 private key PEM, which signs the checkpoints of
                            the CLI's audit records (default ${DEFAULT_KEY}; it must exist, or the
                            records would not verify with the gateway's key)
      --instance <name>     the audit chain the CLI's votes are recorded in (default
                            regate-cli@<host name>; never a running gateway's own)
  -h, --help                show this help

Examples:
  regate approvals list
  regate approvals list --as bob --groups dba-leads --format json
  regate approvals approve apr_3Xk9... --as bob --groups dba-leads --reason "ticket OPS-42"
  regate approvals deny apr_3Xk9... --as bob --groups dba-leads --reason "not during the freeze"
  regate approvals list --state all --store /var/lib/regate/audit.db
  regate approvals list --gateway http://127.0.0.1:8081 --mine
  REGATE_TOKEN=$(regate token --user bob --groups admins) \\
    regate approvals approve apr_3Xk9... --gateway http://127.0.0.1:8081 --reason "ticket OPS-42"

Exit codes:
  0  listed or shown; the vote was recorded (the request is approved, denied, or still waits for more
     approvers)
  1  the vote was refused (you opened the request, you are not one of its approvers, you already voted,
     it is no longer pending, no request has that id), the gateway refused the call (no or a bad token,
     its policy does not grant it), the store or the audit trail failed (nothing changed), or bad usage
`;

const OPTIONS: OptionSpec = {
  store: { type: 'string' },
  as: { type: 'string' },
  groups: { type: 'string' },
  reason: { type: 'string', short: 'r' },
  state: { type: 'string' },
  format: { type: 'string', short: 'f' },
  limit: { type: 'string' },
  key: { type: 'string' },
  instance: { type: 'string' },
  gateway: { type: 'string' },
  token: { type: 'string' },
  mine: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const SUBCOMMANDS = ['list', 'show', 'approve', 'deny'] as const;

export async function approvalsCommand(argv: string[], io: IO): Promise<number> {
  const p = parse('approvals', OPTIONS, argv);
  const [sub, ...args] = p.positionals;
  if (bool(p, 'help')) {
    io.out(APPROVALS_HELP);
    return EXIT.ok;
  }
  if (sub === undefined)
    throw new UsageError(
      `regate approvals needs a subcommand: ${SUBCOMMANDS.join(', ')}, e.g. 'regate approvals list'. Run 'regate approvals --help' for more.`,
    );
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(
      `unknown subcommand '${sub}' for 'regate approvals': use one of ${SUBCOMMANDS.join(', ')}. Run 'regate approvals --help' for more.`,
    );
  const which = sub as (typeof SUBCOMMANDS)[number];
  try {
    if (str(p, 'gateway') !== undefined) return await viaGateway(which, p, args, io);
    for (const name of ['token', 'mine'])
      if (p.values[name] !== undefined)
        throw new UsageError(`--${name} is for --gateway <url>. Run 'regate approvals --help' for more.`);
    if (which === 'list') return await list(p, args, io);
    if (which === 'show') return await show(p, args, io);
    return await vote(which, p, args, io);
  } catch (err) {
    if (err instanceof GatewayError || err instanceof CliError) {
      io.err(
        `regate approvals ${which}: ${err.message} [${err.code}]\n${hint(err.code)}${gatewayHint(err.code)}`,
      );
      return EXIT.error;
    }
    throw err;
  }
}

/** The admin API's routes for the same subcommands; the gateway checks who may do what. */
async function viaGateway(
  which: (typeof SUBCOMMANDS)[number],
  p: Parsed,
  args: string[],
  io: IO,
): Promise<number> {
  for (const name of ['store', 'as', 'groups', 'key', 'instance'])
    if (str(p, name) !== undefined)
      throw new UsageError(
        `--${name} does not go with --gateway: ${name === 'as' || name === 'groups' ? 'you act as the identity of your token' : 'the gateway uses its own store and key'}. Run 'regate approvals --help' for more.`,
      );
  const client = await GatewayClient.connect({
    url: str(p, 'gateway') as string,
    ...(str(p, 'token') !== undefined ? { token: str(p, 'token') as string } : {}),
  });
  if (which === 'list') {
    if (args.length > 0)
      throw new UsageError(`regate approvals list takes no arguments, got ${args.join(' ')}.`);
    const format = oneOf('approvals', 'format', str(p, 'format') ?? 'pretty', ['pretty', 'json'] as const);
    const state = oneOf('approvals', 'state', str(p, 'state') ?? 'pending', [
      ...REQUEST_STATES,
      'all',
    ] as const);
    const query = new URLSearchParams({ state, limit: String(limitOf(p)) });
    if (bool(p, 'mine')) query.set('mine', 'true');
    const { approvals } = await client.json<{ approvals: ApprovalRequest[] }>(
      'GET',
      `/v1/approvals?${query}`,
    );
    io.out(
      format === 'json' ? `${JSON.stringify(approvals, null, 2)}\n` : pretty(approvals, state, undefined),
    );
    return EXIT.ok;
  }
  if (bool(p, 'mine')) throw new UsageError('--mine is for list.');
  const id = oneId(which, args);
  if (which === 'show') {
    const format = oneOf('approvals', 'format', str(p, 'format') ?? 'pretty', ['pretty', 'json'] as const);
    const request = await client.json<ApprovalRequest>('GET', `/v1/approvals/${encodeURIComponent(id)}`);
    io.out(format === 'json' ? `${JSON.stringify(request, null, 2)}\n` : pretty([request], 'all', undefined));
    return EXIT.ok;
  }
  for (const name of ['state', 'format', 'limit'])
    if (str(p, name) !== undefined)
      throw new UsageError(`--${name} is for list, not ${which}. Run 'regate approvals --help' for more.`);
  const reason = str(p, 'reason');
  if (which === 'deny' && (reason === undefined || reason.trim() === ''))
    throw new UsageError(
      `regate approvals deny needs --reason: the requester and the audit trail are told why. Run 'regate approvals --help' for more.`,
    );
  const after = await client.json<ApprovalRequest>(
    'POST',
    `/v1/approvals/${encodeURIComponent(id)}/${which}`,
    reason === undefined ? {} : { reason },
  );
  const voter = after.votes[after.votes.length - 1]?.identity ?? {
    subject: 'you',
    groups: [],
    type: 'user' as const,
  };
  io.out(voteSummary(which, after, voter));
  return EXIT.ok;
}

function oneId(which: string, args: string[]): string {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0)
    throw new UsageError(
      `regate approvals ${which} takes one request id${extra.length > 0 ? `, got ${args.join(' ')}` : ''}, e.g. 'regate approvals ${which} apr_3Xk9...'. Run 'regate approvals list' for the ids.`,
    );
  return id;
}

async function show(p: Parsed, args: string[], io: IO): Promise<number> {
  const id = oneId('show', args);
  for (const name of ['reason', 'key', 'instance', 'state', 'limit', 'as', 'groups'])
    if (str(p, name) !== undefined)
      throw new UsageError(`--${name} is not for show. Run 'regate approvals --help' for more.`);
  const format = oneOf('approvals', 'format', str(p, 'format') ?? 'pretty', ['pretty', 'json'] as const);
  const store = await openAuditStore(str(p, 'store'));
  try {
    const approvals = approvalStoreFor(store);
    const request = (await approvals.hasTables()) ? await approvals.get(id) : undefined;
    if (!request)
      throw new CliError(
        'ERR_APPROVAL_NOT_FOUND',
        `no approval request has the id ${id} in ${store.location}`,
      );
    io.out(format === 'json' ? `${JSON.stringify(request, null, 2)}\n` : pretty([request], 'all', undefined));
    return EXIT.ok;
  } finally {
    await store.close().catch(() => {});
  }
}

async function list(p: Parsed, args: string[], io: IO): Promise<number> {
  if (args.length > 0)
    throw new UsageError(
      `regate approvals list takes no arguments, got ${args.join(' ')}. Run 'regate approvals --help' for more.`,
    );
  for (const name of ['reason', 'key', 'instance'])
    if (str(p, name) !== undefined)
      throw new UsageError(
        `--${name} is for approve and deny, not list. Run 'regate approvals --help' for more.`,
      );
  const format = oneOf('approvals', 'format', str(p, 'format') ?? 'pretty', ['pretty', 'json'] as const);
  const state = oneOf('approvals', 'state', str(p, 'state') ?? 'pending', [
    ...REQUEST_STATES,
    'all',
  ] as const);
  const limit = limitOf(p);
  const approver = identityOf(p, false);
  const store = await openAuditStore(str(p, 'store'));
  try {
    const approvals = approvalStoreFor(store);
    // Listing never writes: a store where no request was ever opened has no approval tables, and none
    // are created for it.
    if (!(await approvals.hasTables())) {
      io.out(format === 'json' ? '[]\n' : pretty([], state, approver));
      return EXIT.ok;
    }
    // …and an audit log that refuses every append stands in for the real one.
    const service = await ApprovalService.start({
      store: approvals,
      audit: { append: () => Promise.reject(new Error('regate approvals list does not write')) },
      sweepIntervalMs: 0,
      pollMs: 0,
    });
    const options: { state?: RequestState; approver?: Identity; limit: number } = { limit };
    if (state !== 'all') options.state = state;
    if (approver) options.approver = approver;
    const requests = await service.list(options);
    await service.close();
    if (format === 'json') io.out(`${JSON.stringify(requests, null, 2)}\n`);
    else io.out(pretty(requests, state, approver));
    return EXIT.ok;
  } finally {
    await store.close().catch(() => {});
  }
}

async function vote(kind: 'approve' | 'deny', p: Parsed, args: string[], io: IO): Promise<number> {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0)
    throw new UsageError(
      `regate approvals ${kind} takes one request id${extra.length > 0 ? `, got ${args.join(' ')}` : ''}, e.g. 'regate approvals ${kind} apr_3Xk9... --as bob${kind === 'deny' ? ' --reason "why"' : ''}'. Run 'regate approvals list' for the ids.`,
    );
  for (const name of ['state', 'format', 'limit'])
    if (str(p, name) !== undefined)
      throw new UsageError(`--${name} is for list, not ${kind}. Run 'regate approvals --help' for more.`);
  const approver = identityOf(p, true)!;
  const reason = str(p, 'reason');
  if (kind === 'deny' && (reason === undefined || reason.trim() === ''))
    throw new UsageError(
      `regate approvals deny needs --reason: the requester and the audit trail are told why. Run 'regate approvals --help' for more.`,
    );
  const keyPath = str(p, 'key') ?? defaultKeyFor(str(p, 'store'));
  if (!existsSync(keyPath))
    throw new CliError(
      'ERR_KEY_MISSING',
      `there is no signing key at ${keyPath}: the CLI's audit records are signed with the gateway's key, or they do not verify. Give the gateway's private key with --key <file>.`,
    );
  const key = loadOrCreateSigningKey(keyPath);
  const store = await openAuditStore(str(p, 'store'), 'write');
  let audit: AuditLog | undefined;
  let service: ApprovalService | undefined;
  try {
    audit = await AuditLog.open({
      store,
      instance: str(p, 'instance') ?? `regate-cli@${hostname()}`,
      key,
      checkpointIntervalMs: 0,
    });
    service = await ApprovalService.start({
      store: approvalStoreFor(store),
      audit,
      sweepIntervalMs: 0,
      pollMs: 0,
    });
    const after =
      kind === 'approve'
        ? await service.approve(id, approver, reason)
        : await service.deny(id, approver, reason ?? '');
    io.out(voteSummary(kind, after, approver));
    return EXIT.ok;
  } finally {
    await service?.close();
    // Closing the log signs a checkpoint over the CLI's records, then closes the store.
    if (audit) await audit.close().catch(() => {});
    else await store.close().catch(() => {});
  }
}

function identityOf(p: Parsed, required: boolean): Identity | undefined {
  const subject = str(p, 'as');
  const groups = (str(p, 'groups') ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  if (subject === undefined || subject.trim() === '') {
    if (required)
      throw new UsageError(
        `say who you are with --as <subject> (and --groups for group approvers), e.g. --as bob --groups dba-leads. Run 'regate approvals --help' for more.`,
      );
    if (groups.length > 0) throw new UsageError('--groups needs --as <subject>.');
    return undefined;
  }
  return { subject: subject.trim(), groups, type: 'user' };
}

function limitOf(p: Parsed): number {
  const text = str(p, 'limit');
  if (text === undefined) return 100;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`invalid --limit '${text}': give a whole number from 1 to 1000.`);
  return n;
}

function pretty(requests: ApprovalRequest[], state: string, approver: Identity | undefined): string {
  if (requests.length === 0) {
    const what = state === 'all' ? 'approval requests' : `${state} approval requests`;
    return `no ${what}${approver ? ` that ${approver.subject} may vote on` : ''}\n`;
  }
  const now = new Date().toISOString();
  const out: string[] = [];
  for (const r of requests) {
    const a = r.action;
    const overdue =
      r.state === 'pending' && now >= r.expires_at
        ? ' (past its expiry: it will be expired, not decided)'
        : '';
    out.push(`${r.id}  ${r.state}${overdue}`);
    out.push(
      `  ${a.kind} on ${a.target?.name ?? '?'} by ${r.requester.subject}, session ${a.session?.id ?? '?'}`,
    );
    const what = a.sql?.text ?? a.ssh?.command ?? (a.http ? `${a.http.method} ${a.http.path}` : undefined);
    if (what !== undefined) out.push(`  ${oneLine(what)}`);
    if (r.reasons.length > 0) out.push(`  why: ${r.reasons.join('; ')}`);
    out.push(`  requested ${r.created_at}, expires ${r.expires_at}`);
    out.push(`  needs: ${describeRequirements(r)}`);
    if (r.state === 'pending') {
      const t = tally(r.requirements, r.votes, r.requester);
      const missing = t
        .filter((x) => x.needed > 0)
        .map((x) => `${x.needed} more of ${x.requirement.approvers.join(', ')}`);
      if (missing.length > 0) out.push(`  waiting for: ${missing.join('; ')}`);
    }
    for (const v of r.votes)
      out.push(
        `  ${v.vote === 'approve' ? 'approved' : 'denied'} by ${v.subject} at ${v.at}${v.reason ? `: ${v.reason}` : ''}`,
      );
    if (r.state !== 'pending' && r.decided_at)
      out.push(
        `  ${r.state} at ${r.decided_at}${r.decided_by ? ` by ${r.decided_by}` : ''}${r.decision_reason ? `: ${r.decision_reason}` : ''}`,
      );
    out.push('');
  }
  return out.join('\n');
}

function voteSummary(kind: 'approve' | 'deny', r: ApprovalRequest, approver: Identity): string {
  if (r.state === 'approved')
    return `${r.id} approved: ${approver.subject}'s vote completed it (${describeRequirements(r)})\n`;
  if (r.state === 'denied') return `${r.id} denied by ${approver.subject}: ${r.decision_reason ?? ''}\n`;
  const missing = tally(r.requirements, r.votes, r.requester)
    .filter((x) => x.needed > 0)
    .map((x) => `${x.needed} more of ${x.requirement.approvers.join(', ')}`);
  return `${approver.subject}'s ${kind === 'approve' ? 'approval' : 'vote'} of ${r.id} is recorded; it still waits for ${missing.join('; ')}\n`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function hint(code: string): string {
  switch (code) {
    case 'ERR_APPROVAL_SELF_APPROVAL':
      return 'Another approver must decide it: nobody approves their own request.\n';
    case 'ERR_APPROVAL_NOT_APPROVER':
      return 'Check --as and --groups: they must match an approver the policy named for this request.\n';
    case 'ERR_APPROVAL_NOT_FOUND':
      return "Run 'regate approvals list --state all' for the ids in this store (and check --store).\n";
    case 'ERR_APPROVAL_NOT_PENDING':
    case 'ERR_APPROVAL_ALREADY_VOTED':
      return "Nothing was changed. 'regate approvals list --state all' shows where it stands.\n";
    case 'ERR_APPROVAL_BUSY':
    case 'ERR_APPROVAL_CONFLICT':
      return 'Nothing was changed; try again.\n';
    case 'ERR_APPROVAL_AUDIT_FAILED':
      return 'Nothing was changed: a vote that cannot be recorded is not taken. Check that the store can be written.\n';
    default:
      if (code.startsWith('ERR_AUDIT_') || code === 'ERR_APPROVAL_STORE_UNAVAILABLE')
        return 'Check --store: the file must be readable and writable, the PostgreSQL server reachable.\n';
      return '';
  }
}
