// `hvs-nvm cut`: where the world's logs stand now, to read it again later with `--as-of`.
import type { Command } from 'commander';
import { formatAsOf } from '@hvs-nvm/hvs-nvm';
import { globals, openStack, print } from '../context.js';

export function registerHistory(program: Command): void {
  program
    .command('cut')
    .description('print where the world stands now ({ hvs, mail, nvm } stream positions): pass it to --as-of later')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const cut = await stack.integration.cut();
      print(opts, { cut, asOf: formatAsOf(cut) }, () => formatAsOf(cut));
    });
}
