// `hvs-nvm kb add | query | tail`: the shared knowledge base from the terminal.
import type { Command } from 'commander';
import type { Fact } from '@hvs-nvm/hvs-nvm';
import { globals, openStack, parseIntArg, print, untilSignal, type GlobalOptions } from '../context.js';

function printFact(opts: GlobalOptions, fact: Fact & { position?: number }): void {
  print(
    opts,
    fact,
    () => `${fact.subject} ${fact.predicate} ${fact.object}   (${fact.source}, ${new Date(fact.timestamp * 1000).toISOString()})`,
  );
}

export function registerKb(program: Command): void {
  const kb = program.command('kb').description('shared knowledge base: add, query, tail facts');

  kb.command('add')
    .description('add a fact')
    .argument('<subject>')
    .argument('<predicate>')
    .argument('<object>')
    .option('-s, --source <source>', 'where the fact comes from', 'cli')
    .action(async (subject: string, predicate: string, object: string, options: { source: string }, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      printFact(opts, await stack.api.addFact({ subject, predicate, object, source: options.source }));
    });

  kb.command('query')
    .description('facts nearest in meaning to a query')
    .argument('<query>')
    .option('-k, --k <k>', 'number of facts', '10')
    .action(async (query: string, options: { k: string }, cmd: Command) => {
      const opts = globals(cmd);
      const k = parseIntArg(options.k, '--k');
      await using stack = await openStack(opts);
      const { facts } = await stack.api.queryFacts({ query, k });
      if (opts.json) print(opts, { facts }, () => '');
      else if (facts.length === 0) print(opts, null, () => 'no facts');
      else for (const f of facts) printFact(opts, f);
    });

  kb.command('tail')
    .description('every fact from the log, oldest first; -f keeps following new ones')
    .option('--since <position>', 'from this log position')
    .option('-f, --follow', 'keep printing new facts until Ctrl-C')
    .action(async (options: { since?: string; follow?: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const since = options.since === undefined ? 1 : parseIntArg(options.since, '--since');
      await using stack = await openStack(opts);
      if (!options.follow) {
        for (const f of await stack.api.kb.history({ since })) printFact(opts, f);
        return;
      }
      const sub = stack.api.kb.subscribe((fact, position) => printFact(opts, { ...fact, position }), { since });
      await sub.caughtUp;
      await untilSignal();
      await sub.stop();
    });
}
