// `hvs-nvm blocks ls | get | history`: NVM memory blocks from the terminal.
import { Option, type Command } from 'commander';
import { BlockClassValue } from '@hvs-nvm/events';
import type { Block } from '@hvs-nvm/nvm';
import { globals, openStack, parseIntArg, print } from '../context.js';

const NAMESPACE_HELP = 'the NVM namespace (see `namespaces ls`; default: `default`)';

const row = (b: Block) => `${b.id}  v${b.version}  ${b.blockClass.padEnd(16)}  ${b.readonly ? 'ro' : 'rw'}  ${b.name}`;

export function registerBlocks(program: Command): void {
  const blocks = program.command('blocks').description('memory blocks: list, read, history');

  blocks
    .command('ls')
    .description('list the blocks, optionally by name or class')
    .option('--name <name>', 'only the block with this name')
    .addOption(new Option('--class <class>', 'only blocks of this class').choices(BlockClassValue.options))
    .option('--namespace <name>', NAMESPACE_HELP)
    .action(async (options: { name?: string; class?: (typeof BlockClassValue.options)[number]; namespace?: string }, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const list = await stack.api.inNamespace(options.namespace ?? 'default').listBlocks({
        ...(options.name ? { name: options.name } : {}),
        ...(options.class ? { class: options.class } : {}),
      });
      print(opts, { blocks: list }, () => (list.length === 0 ? 'no blocks' : list.map(row).join('\n')));
    });

  blocks
    .command('get')
    .description('show a block by id or name (optionally an earlier version; with the global --as-of, as it was then)')
    .argument('<idOrName>', 'block id, or its name')
    .option('--version <n>', 'that version of the block')
    .option('--namespace <name>', NAMESPACE_HELP)
    .action(async (idOrName: string, options: { version?: string; namespace?: string }, cmd: Command) => {
      const opts = globals(cmd);
      const version = options.version === undefined ? undefined : parseIntArg(options.version, '--version');
      // With --as-of the whole stack is a view of that moment: the block (and its name) as they were then.
      await using stack = await openStack(opts);
      const query = version !== undefined ? { version } : {};
      const api = stack.api.inNamespace(options.namespace ?? 'default');
      const byName = await api.getBlockByName(idOrName).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'BLOCK_NOT_FOUND') return undefined;
        throw err;
      });
      const block = await api.getBlock(byName ? byName.id : idOrName, query);
      print(opts, block, () => `${row(block)}\n\n${block.content}`);
    });

  blocks
    .command('history')
    .description('every version of a block, oldest first')
    .argument('<id>', 'block id')
    .option('--namespace <name>', NAMESPACE_HELP)
    .action(async (id: string, options: { namespace?: string }, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const versions = await stack.api.inNamespace(options.namespace ?? 'default').blockHistory(id);
      print(opts, { versions }, () =>
        versions
          .map(
            (v) =>
              `v${v.version}  ${v.at.toISOString()}  ${v.actor.padEnd(12)}  ${v.type.padEnd(14)}  ${v.content.replace(/\s+/g, ' ').slice(0, 60)}`,
          )
          .join('\n'),
      );
    });
}
