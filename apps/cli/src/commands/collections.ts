// `hvs-nvm collections ls | show | create | rm`: the server's collections (the registry the HTTP API serves), on the data dir.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { configOf, globals, openStack, parseIntArg, print, type GlobalOptions } from '../context.js';

/**
 * Creating or deleting beside a running server would delete streams under the collections it holds open: over its
 * HTTP API instead (POST / DELETE /v1/collections).
 */
async function refuseIfServed(opts: GlobalOptions): Promise<void> {
  const { DataDirServedError, readServerLock } = await import('@hvs-nvm/runtime');
  const dataDir = resolve((await configOf(opts)).dataDir);
  const holder = readServerLock(dataDir);
  if (holder) throw new DataDirServedError(dataDir, holder);
}

const line = (c: { name: string; dimension: number; geometry: string; M: number; efConstruction: number; ef: number }) =>
  `${c.name.padEnd(24)} ${String(c.dimension).padStart(6)}-d ${c.geometry.padEnd(11)} M=${c.M} efConstruction=${c.efConstruction} ef=${c.ef}`;

export function registerCollections(program: Command): void {
  const collections = program.command('collections').description('vector collections: name, dimension, geometry, index parameters');

  collections
    .command('ls')
    .description('list the collections')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const listed = await stack.api.listCollections();
      print(opts, listed, () => (listed.collections.length === 0 ? 'no collections' : listed.collections.map(line).join('\n')));
    });

  collections
    .command('show')
    .description('a collection’s settings and how many vectors it holds')
    .argument('<name>', 'the collection')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const info = await stack.api.getCollection(name);
      print(opts, info, () => `${line(info)}  vectors=${info.vectors}`);
    });

  collections
    .command('create')
    .description('create a collection (or find it with the same settings; other settings are refused)')
    .argument('<name>', 'the collection: 1-64 characters of A-Z a-z 0-9 _ -')
    .requiredOption('--dimension <n>', 'the length of every vector')
    .addOption(new Option('--geometry <geometry>', 'distance').choices(['euclidean', 'spherical', 'hyperboloid']).default('euclidean'))
    .option('--m <n>', 'HNSW graph degree (default 16)')
    .option('--ef-construction <n>', 'HNSW build-time candidate list (default 200)')
    .option('--ef <n>', 'HNSW default search-time candidate list (default 64)')
    .action(
      async (
        name: string,
        options: {
          dimension: string;
          geometry: 'euclidean' | 'spherical' | 'hyperboloid';
          m?: string;
          efConstruction?: string;
          ef?: string;
        },
        cmd: Command,
      ) => {
        const opts = globals(cmd);
        const input = {
          name,
          dimension: parseIntArg(options.dimension, '--dimension'),
          geometry: options.geometry,
          ...(options.m !== undefined ? { M: parseIntArg(options.m, '--m') } : {}),
          ...(options.efConstruction !== undefined ? { efConstruction: parseIntArg(options.efConstruction, '--ef-construction') } : {}),
          ...(options.ef !== undefined ? { ef: parseIntArg(options.ef, '--ef') } : {}),
        };
        await refuseIfServed(opts);
        await using stack = await openStack(opts);
        const created = await stack.api.createCollection(input);
        print(opts, created, () => `${created.created ? 'created' : 'exists'}  ${line(created)}`);
      },
    );

  collections
    .command('rm')
    .description('delete a collection with all its vectors and mail (not `default` nor the memory store’s)')
    .argument('<name>', 'the collection')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await refuseIfServed(opts);
      await using stack = await openStack(opts);
      await stack.api.deleteCollection(name);
      print(opts, { deleted: name }, () => `deleted ${name}`);
    });
}
