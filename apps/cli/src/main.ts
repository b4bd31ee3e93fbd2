// The `hvs-nvm` command: parses arguments, runs one subcommand on the data dir's stack, maps errors to exit codes.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { configOf, EXIT, exitCodeOf, followParent, reportError, type GlobalOptions } from './context.js';
import { registerAudit } from './commands/audit.js';
import { registerAuth } from './commands/auth.js';
import { registerBlocks } from './commands/blocks.js';
import { registerCollections } from './commands/collections.js';
import { registerHistory } from './commands/history.js';
import { registerImport } from './commands/import.js';
import { registerKb } from './commands/kb.js';
import { registerMail } from './commands/mail.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerMemory } from './commands/memory.js';
import { registerNamespaces } from './commands/namespaces.js';
import { registerStart } from './commands/start.js';
import { registerTaxonomy } from './commands/taxonomy.js';

/** This package's version (src/ and dist/ both sit one level below package.json). */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('hvs-nvm')
    .description('Memory and messaging for teams of AI agents: vectors (HVS), memory blocks (NVM), mailboxes and facts on NATS JetStream.')
    // Commander's flag is not --version: `blocks get --version <n>` names a block version, and commander would let the
    // program's flag take it over wherever it appears. `hvs-nvm --version` alone is handled in main().
    .version(VERSION, '-V, --cli-version', 'print the hvs-nvm version (also `hvs-nvm --version`)')
    .option('-d, --data-dir <dir>', 'data directory: HVS under <dir>/hvs, NVM under <dir>/nvm [env HVS_NVM_DATA_DIR, default ./data]')
    .option('--nats-url <url>', 'NATS server(s) to use instead of the embedded one [env NATS_URL]')
    .addOption(new Option('--encoder <name>', 'text encoder').choices(['sentence', 'hashing']).default('sentence').env('HVS_NVM_ENCODER'))
    .option('--json', 'machine-readable output: one JSON value per line')
    .option('--world <name>', 'the world (fork) to open, after its alias set by `hvs-nvm promote` [default: default]')
    .option(
      '--as-of <point>',
      'read the world as it was at an ISO 8601 time or a cut (hvs:12,mail:3,nvm:40, from `hvs-nvm cut`); writes are refused',
    )
    .addOption(
      new Option(
        '--projection <where>',
        'where the collections of /v1/collections are read: this process (local) or apps/projector processes over NATS (remote)',
      )
        .choices(['local', 'remote'])
        .env('HVS_NVM_PROJECTION'),
    )
    .addOption(
      new Option(
        '--shards <spec>',
        'with --projection remote: the projector shards (apps/projector --shard i/N) of every collection (N), of named ones (name=N,…), or both',
      ).env('HVS_NVM_SHARDS'),
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .hook('preAction', async (_program, action) => {
      if ((await configOf(action.optsWithGlobals<GlobalOptions>())).exitWithParent) followParent();
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime error, 2 usage or invalid input, 3 not found.\nEvery command takes the options above; see `hvs-nvm <command> --help`.',
    );
  registerStart(program);
  registerMemory(program);
  registerBlocks(program);
  registerCollections(program);
  registerNamespaces(program);
  registerMail(program);
  registerKb(program);
  registerImport(program);
  registerTaxonomy(program);
  registerMaintenance(program);
  registerAuth(program);
  registerAudit(program);
  registerHistory(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `--version` among options only (no command given) is the program's version, as users expect of a CLI.
  if (argv.includes('--version') && argv.every((a) => a.startsWith('-'))) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeOf(err); // commander has printed the message or help
    await reportError(program.opts<GlobalOptions>(), err);
    return exitCodeOf(err);
  }
}

// Exit explicitly: a lingering handle (a NATS reconnect timer, a stdin reader) must not keep a finished command alive.
process.exitCode = await main(process.argv.slice(2));
process.exit();
