/** `regate config check|schema`: the gateway config file, checked without starting anything. */
import { bool, type OptionSpec, parse, str, UsageError } from './args.js';
import { EXIT, type IO } from './io.js';

export const CONFIG_HELP = `Usage: regate config <check | schema> [options]

The gateway's config file (the one 'regate serve -c' runs).

  regate config check [-c gateway.yaml]   read the config, resolve its env: and file: references, and
                                          print what the gateway would serve — or every problem, each
                                          with its path (targets[0].url) and what is expected
  regate config schema                    print the config's JSON Schema, for editors (YAML language
                                          servers: # yaml-language-server: $schema=<file>)

Options:
  -c, --config <file>   the config file (default gateway.yaml)
  -h, --help            show this help

Examples:
  regate config check -c examples/quickstart/gateway.yaml
  regate config schema > gateway.schema.json

Exit codes:
  0  the config is valid (check); the schema was printed (schema)
  1  the config has problems (each printed), or bad usage
`;

const OPTIONS: OptionSpec = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
};

export async function configCommand(argv: string[], io: IO): Promise<number> {
  const p = parse('config', OPTIONS, argv);
  if (bool(p, 'help')) {
    io.out(CONFIG_HELP);
    return EXIT.ok;
  }
  const [sub, ...extra] = p.positionals;
  // Loaded here, not at the top: every other command would pay for the gateway's start-up cost.
  const { ConfigError, describeConfig, gatewayJsonSchema, loadConfig } = await import('@regate/gateway');
  if (sub === undefined)
    throw new UsageError(
      "regate config needs a subcommand: check or schema, e.g. 'regate config check -c gateway.yaml'. Run 'regate config --help' for more.",
    );
  if (extra.length > 0)
    throw new UsageError(
      `regate config ${sub} takes no arguments, got ${extra.join(' ')}: give the file with -c <file>.`,
    );
  if (sub === 'schema') {
    if (str(p, 'config') !== undefined)
      throw new UsageError('regate config schema takes no -c: the schema is the same for every file.');
    io.out(`${JSON.stringify(gatewayJsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  }
  if (sub !== 'check')
    throw new UsageError(`unknown subcommand '${sub}' for 'regate config': use check or schema.`);
  const file = str(p, 'config') ?? 'gateway.yaml';
  try {
    const config = loadConfig(file);
    io.out(
      `${config.file} is valid\n${describeConfig(config)
        .map((l) => `  ${l}\n`)
        .join('')}`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`regate config check: ${err.message} [${err.code}]\n`);
      return EXIT.error;
    }
    throw err;
  }
}
