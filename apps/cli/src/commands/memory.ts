// `hvs-nvm store | search | get`: agent memory (the integration) from the terminal.
import type { Command } from 'commander';
import { VectorNotFoundError } from '@hvs-nvm/hvs';
import { globals, NotFoundError, openStack, parseIntArg, parseJsonArg, print, UsageError } from '../context.js';

function metadataArg(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const value = parseJsonArg(text, '--metadata');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--metadata must be a JSON object');
  return value as Record<string, unknown>;
}

export function registerMemory(program: Command): void {
  program
    .command('store')
    .description('store text in memory: indexed for semantic search and kept as a block')
    .argument('<text>', 'the text to remember')
    .option('-m, --metadata <json>', 'metadata as a JSON object')
    .option('--no-persist', 'index only; do not keep an NVM block')
    .action(async (text: string, options: { metadata?: string; persist: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const metadata = metadataArg(options.metadata);
      await using stack = await openStack(opts);
      const { id } = await stack.api.storeMemory({ content: text, persist: options.persist, ...(metadata ? { metadata } : {}) });
      print(opts, { id }, () => id);
    });

  program
    .command('search')
    .description('find stored memory by meaning')
    .argument('<query>', 'what to look for')
    .option('-k, --k <k>', 'number of results', '10')
    .action(async (query: string, options: { k: string }, cmd: Command) => {
      const opts = globals(cmd);
      const k = parseIntArg(options.k, '--k');
      await using stack = await openStack(opts);
      const { results } = await stack.api.searchMemory({ query, k });
      print(opts, { results }, () =>
        results.length === 0
          ? 'no matches'
          : results.map((r) => `${r.score.toFixed(3)}  ${r.id}  ${r.content.replace(/\s+/g, ' ').slice(0, 100)}`).join('\n'),
      );
    });

  program
    .command('get')
    .description('show a stored memory or vector by id (or a block by id)')
    .argument('<id>', 'the id store printed, a vector id, or a block id')
    .action(async (id: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      let out: Record<string, unknown>;
      try {
        // A stored memory is in the memory store's collection; a vector of /v1/vectors in `default` (the same one unless
        // `start --dimension` gave `default` another shape).
        const memory = stack.integration.hvs.options.collection;
        const v = await stack.api.getVector(id, memory).catch((e: unknown) => {
          if (e instanceof VectorNotFoundError && memory !== 'default') return stack.api.getVector(id, 'default');
          throw e;
        });
        const blockId = v.metadata['nvm_block_id'];
        const content = typeof blockId === 'string' ? (await stack.api.getBlock(blockId)).content : v.metadata['content'];
        out = {
          kind: 'vector',
          id: v.id,
          metadata: v.metadata,
          createdAt: v.createdAt,
          ...(content !== undefined ? { content } : {}),
          dimension: v.vector.length,
        };
      } catch (err) {
        if (!(err instanceof VectorNotFoundError)) throw err;
        const block = await stack.api.getBlock(id).catch((e: unknown) => {
          throw (e as { status?: number }).status === 404 ? new NotFoundError(`nothing stored under '${id}'`) : e;
        });
        out = { kind: 'block', ...block };
      }
      print(opts, out, () => {
        const text = out['content'];
        const rest = Object.fromEntries(Object.entries(out).filter(([k]) => k !== 'content'));
        return `${JSON.stringify(rest, null, 2)}${text !== undefined ? `\n\n${String(text)}` : ''}`;
      });
    });
}
