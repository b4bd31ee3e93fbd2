// `hvs-nvm namespaces ls | show | create | rm`: the server's NVM namespaces (the registry the HTTP API serves), on the data dir.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { configOf, globals, openStack, print, type GlobalOptions } from '../context.js';

/**
 * Creating or deleting beside a running server would delete the stream of a namespace it holds open: over its HTTP
 * API instead (POST / DELETE /v1/namespaces).
 */
async function refuseIfServed(opts: GlobalOptions): Promise<void> {
  const { DataDirServedError, readServerLock } = await import('@hvs-nvm/runtime');
  const dataDir = resolve((await configOf(opts)).dataDir);
  const holder = readServerLock(dataDir);
  if (holder) throw new DataDirServedError(dataDir, holder);
}

export function registerNamespaces(program: Command): void {
  const namespaces = program.command('namespaces').description('NVM namespaces: each its own blocks, names and facts');

  namespaces
    .command('ls')
    .description('list the namespaces with how many blocks each holds')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const listed = await stack.api.listNamespaces();
      print(opts, listed, () =>
        listed.namespaces.length === 0
          ? 'no namespaces'
          : listed.namespaces.map((n) => `${n.name.padEnd(24)} ${String(n.blocks).padStart(8)} blocks`).join('\n'),
      );
    });

  namespaces
    .command('show')
    .description('a namespace’s block count and where its log stands')
    .argument('<name>', 'the namespace')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const info = await stack.api.getNamespace(name);
      print(opts, info, () => `${info.name.padEnd(24)} ${info.blocks} blocks  position=${info.position}`);
    });

  namespaces
    .command('create')
    .description('create a namespace (or find it)')
    .argument('<name>', 'the namespace: 1-64 characters of A-Z a-z 0-9 _ -')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await refuseIfServed(opts);
      await using stack = await openStack(opts);
      const created = await stack.api.createNamespace({ name });
      print(opts, created, () => `${created.created ? 'created' : 'exists'}  ${created.name}`);
    });

  namespaces
    .command('rm')
    .description('delete a namespace with every block, name and fact in it (not `default`, nor a fork)')
    .argument('<name>', 'the namespace')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await refuseIfServed(opts);
      await using stack = await openStack(opts);
      await stack.api.deleteNamespace(name);
      print(opts, { deleted: name }, () => `deleted ${name}`);
    });
}
