/**
 * The `regate` command: dispatches to a subcommand and turns every error into a message and an exit
 * code. Commands never call process.exit; main returns the code.
 */
import { readFileSync } from 'node:fs';
import { BundleError } from '@regate/bundle';
import { PolicyTestError } from '@regate/policy-test';
import { UsageError } from './args.js';
import { formatBundleError } from './bundle-errors.js';
import { APPROVALS_HELP, approvalsCommand } from './cmd-approvals.js';
import { AUDIT_HELP, auditCommand } from './cmd-audit.js';
import { BUILD_HELP, buildCommand } from './cmd-build.js';
import { CHECK_HELP, checkCommand } from './cmd-check.js';
import { CONFIG_HELP, configCommand } from './cmd-config.js';
import { DECIDE_HELP, decideCommand } from './cmd-decide.js';
import { EVAL_HELP, evalCommand } from './cmd-eval.js';
import { FMT_HELP, fmtCommand } from './cmd-fmt.js';
import { LOGIN_HELP, loginCommand } from './cmd-login.js';
import { SERVE_HELP, serveCommand } from './cmd-serve.js';
import { SIGN_HELP, signCommand } from './cmd-sign.js';
import { TEST_HELP, testCommand } from './cmd-test.js';
import { TOKEN_HELP, tokenCommand } from './cmd-token.js';
import { VERIFY_HELP, verifyCommand } from './cmd-verify.js';
import { EXIT, type IO, processIO } from './io.js';
import { CliError, formatError } from './report-errors.js';

export const HELP = `Usage: regate <command> [options]

regate is a policy-as-code gateway decided by Rego. These commands work on Rego policies and bundles:

Commands:
  test    run the policies' test_ rules (like 'opa test') and decision fixtures, with coverage and
          JUnit output
  eval    evaluate a query against policies, data and an input (like 'opa eval')
  check   parse and compile policies, reporting every error with file:row:col
  fmt     format policies in the canonical layout
  decide  decide an Action with a policy directory or bundle, and show which rules fired
  build   build an OPA bundle (.tar.gz) from a policy directory, optionally signed
  sign    sign a bundle tarball or directory (.signatures.json, like 'opa sign')
  verify  check a bundle's signature and every file's digest

The gateway:
  serve      run the gateway: the HTTP proxy, the admin API, the dev OIDC issuer
  config     check a gateway config file, or print its JSON Schema

On the gateway's store (or through its admin API with --gateway):
  audit      search, show, verify, export, replay and prune the audit trail; print the audit key
  approvals  list approval requests, approve or deny them (four-eyes)

Your identity:
  login      sign in to your OIDC provider (device flow) and store the token; --print prints it
  token      mint a token from the gateway's dev issuer, for local use

Run 'regate <command> --help' for a command's options, examples and exit codes.

Options:
  -h, --help      show this help
      --version   print the version
`;

const COMMANDS: Record<string, { run: (argv: string[], io: IO) => Promise<number>; help: string }> = {
  test: { run: testCommand, help: TEST_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
  check: { run: checkCommand, help: CHECK_HELP },
  fmt: { run: fmtCommand, help: FMT_HELP },
  decide: { run: decideCommand, help: DECIDE_HELP },
  build: { run: buildCommand, help: BUILD_HELP },
  sign: { run: signCommand, help: SIGN_HELP },
  verify: { run: verifyCommand, help: VERIFY_HELP },
  approvals: { run: approvalsCommand, help: APPROVALS_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
  login: { run: loginCommand, help: LOGIN_HELP },
  token: { run: tokenCommand, help: TOKEN_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
  config: { run: configCommand, help: CONFIG_HELP },
};

export async function main(argv: string[], io: IO = processIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help') {
    (cmd === undefined ? io.err : io.out)(HELP);
    return cmd === undefined ? EXIT.error : EXIT.ok;
  }
  if (cmd === '--version' || cmd === 'version') {
    io.out(`regate ${version()}\n`);
    return EXIT.ok;
  }
  if (cmd === 'help') {
    const topic = rest[0];
    const c = topic === undefined ? undefined : COMMANDS[topic];
    io.out(c ? c.help : HELP);
    return topic === undefined || c ? EXIT.ok : EXIT.error;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    io.err(
      cmd.startsWith('-')
        ? `regate: '${cmd}' comes before a command; put options after it, e.g. 'regate test ${cmd} policies/'. Run 'regate --help' for the commands.\n`
        : `regate: unknown command '${cmd}'. The commands are: ${Object.keys(COMMANDS).join(', ')}. Run 'regate --help' for more.\n`,
    );
    return EXIT.error;
  }
  try {
    return await c.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof PolicyTestError || err instanceof CliError) {
      io.err(`regate ${cmd}: ${err.message}\n`);
      return EXIT.error;
    }
    if (err instanceof BundleError) {
      io.err(`regate ${cmd}: ${formatBundleError(err)}`);
      return EXIT.error;
    }
    io.err(formatError(err));
    return EXIT.error;
  }
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
