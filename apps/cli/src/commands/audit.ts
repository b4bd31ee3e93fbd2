// `hvs-nvm audit <id>`: who changed a vector, block, fact, mailbox or stored memory, when, in which call, and how.
import { Option, type Command } from 'commander';
import { globals, openStack, print } from '../context.js';

const KINDS = ['vector', 'block', 'fact', 'mailbox', 'memory'] as const;

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the changes to a vector, block, fact, mailbox or stored memory, oldest first, read from the event log')
    .argument('<id>', 'the id (a block id, a vector or memory id, a fact id, or a model id for its mailbox)')
    .addOption(
      new Option('--kind <kind>', 'what the id names (default: the first of block, vector, fact, mailbox that has events)').choices(KINDS),
    )
    .option('--diff', 'print the diff of each block version')
    .action(async (id: string, options: { kind?: (typeof KINDS)[number]; diff?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const entries = await stack.integration.audit(id, options.kind ? { kind: options.kind === 'memory' ? 'vector' : options.kind } : {});
      print(opts, { id, entries }, () =>
        entries
          .map((e) => {
            const head = `${e.time}  ${e.store}@${e.position}  ${e.type.padEnd(18)}  by ${e.actor}${e.correlationId ? `  call ${e.correlationId}` : ''}`;
            return options.diff && e.diff ? `${head}\n${e.diff}` : head;
          })
          .join('\n'),
      );
    });
}
