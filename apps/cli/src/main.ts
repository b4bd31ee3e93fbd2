// The `hvs-nvm` command: parses arguments, runs one subcommand on the data dir's stack, maps errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, exitCodeOf, reportError, type GlobalOptions } from './context.js';
import { registerAudit } from './commands/audit.js';
import { registerAuth } from './commands/auth.js';
import { registerBlocks } from './commands/blocks.js';
import { registerCollections } from './commands/collections.js';
import { registerImport } from './commands/import.js';
import { registerKb } from './commands/kb.js';
import { registerMail } from './commands/mail.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerMemory } from './commands/memory.js';
import { registerStart } from './commands/start.js';
import { registerTaxonomy } from './commands/taxonomy.js';

export function buildProgram(): Command {
  const program = new Command('hvs-nvm')
    .description('Memory and messaging for teams of AI agents: vectors (HVS), memory blocks (NVM), mailboxes and facts on NATS JetStream.')
    // Not --version: `blocks get --version <n>` names a block version, and commander would let the program's flag
    // take it over wherever it appears.
    .version('0.1.0', '-V, --cli-version', 'print the hvs-nvm version')
    .option('-d, --data-dir <dir>', 'data directory: HVS under <dir>/hvs, NVM under <dir>/nvm [env HVS_NVM_DATA_DIR, default ./data]')
    .option('--nats-url <url>', 'NATS server(s) to use instead of the embedded one [env NATS_URL]')
    .addOption(new Option('--encoder <name>', 'text encoder').choices(['sentence', 'hashing']).default('sentence').env('HVS_NVM_ENCODER'))
    .option('--json', 'machine-readable output: one JSON value per line')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime error, 2 usage or invalid input, 3 not found.\nEvery command takes the options above; see `hvs-nvm <command> --help`.',
    );
  registerStart(program);
  registerMemory(program);
  registerBlocks(program);
  registerCollections(program);
  registerMail(program);
  registerKb(program);
  registerImport(program);
  registerTaxonomy(program);
  registerMaintenance(program);
  registerAuth(program);
  registerAudit(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeOf(err); // commander has printed the message or help
    reportError(program.opts<GlobalOptions>(), err);
    return exitCodeOf(err);
  }
}

// Exit explicitly: a lingering handle (a NATS reconnect timer, a stdin reader) must not keep a finished command alive.
process.exitCode = await main(process.argv.slice(2));
process.exit();
