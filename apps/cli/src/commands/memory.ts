// `hvs-nvm store | search | get` and `hvs-nvm memory ls | get | update | rm | history`: agent memory (the integration)
// from the terminal.
import { Option, type Command } from 'commander';
import { globals, NotFoundError, openStack, parseIntArg, parseJsonArg, print, UsageError } from '../context.js';

function metadataArg(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const value = parseJsonArg(text, '--metadata');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--metadata must be a JSON object');
  return value as Record<string, unknown>;
}

interface ScopeFlags {
  agent?: string;
  user?: string;
  run?: string;
}

/** --agent, --user and --run: the scope of a memory call. */
function withScope(cmd: Command): Command {
  return cmd
    .option('--agent <id>', 'the agent the memory belongs to')
    .option('--user <id>', 'the user it is about')
    .option('--run <id>', 'the run it came from');
}

const scopeOf = (o: ScopeFlags) => ({
  ...(o.agent ? { agentId: o.agent } : {}),
  ...(o.user ? { userId: o.user } : {}),
  ...(o.run ? { runId: o.run } : {}),
});

export function registerMemory(program: Command): void {
  withScope(
    program
      .command('store')
      .description('store text in memory: indexed for semantic search and kept as a block')
      .argument('<text>', 'the text to remember')
      .option('-m, --metadata <json>', 'metadata as a JSON object')
      .option('--no-persist', 'index only; do not keep an NVM block'),
  ).action(async (text: string, options: { metadata?: string; persist: boolean } & ScopeFlags, cmd: Command) => {
    const opts = globals(cmd);
    const metadata = metadataArg(options.metadata);
    await using stack = await openStack(opts);
    const { id } = await stack.api.storeMemory({
      content: text,
      persist: options.persist,
      ...(metadata ? { metadata } : {}),
      ...scopeOf(options),
    });
    print(opts, { id }, () => id);
  });

  withScope(
    program
      .command('search')
      .description('find stored memory by meaning and keyword')
      .argument('<query>', 'what to look for')
      .option('-k, --k <k>', 'number of results', '10')
      .addOption(new Option('--mode <mode>', 'hybrid (default), dense or keyword').choices(['hybrid', 'dense', 'keyword']))
      .option('--filter <json>', 'a metadata filter as a JSON object')
      .option('--rerank', 'rerank the top k by cross-similarity'),
  ).action(
    async (
      query: string,
      options: { k: string; mode?: 'hybrid' | 'dense' | 'keyword'; filter?: string; rerank?: boolean } & ScopeFlags,
      cmd: Command,
    ) => {
      const opts = globals(cmd);
      const k = parseIntArg(options.k, '--k');
      const filter = options.filter === undefined ? undefined : metadataArg(options.filter);
      await using stack = await openStack(opts);
      const { results } = await stack.api.searchMemory({
        query,
        k,
        ...(options.mode ? { mode: options.mode } : {}),
        ...(filter ? { filter } : {}),
        ...(options.rerank ? { rerank: true } : {}),
        ...scopeOf(options),
      });
      print(opts, { results }, () =>
        results.length === 0
          ? 'no matches'
          : results.map((r) => `${r.score.toFixed(3)}  ${r.id}  ${r.content.replace(/\s+/g, ' ').slice(0, 100)}`).join('\n'),
      );
    },
  );

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
          if ((e as { code?: string }).code === 'VECTOR_NOT_FOUND' && memory !== 'default') return stack.api.getVector(id, 'default');
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
        const { VectorNotFoundError } = await import('@hvs-nvm/hvs');
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

  registerMemoryLifecycle(program);
}

const memoryRow = (m: { id: string; version: number; updatedAt: string; content: string }) =>
  `${m.id}  v${m.version}  ${m.updatedAt}  ${m.content.replace(/\s+/g, ' ').slice(0, 80)}`;

function registerMemoryLifecycle(program: Command): void {
  const memory = program.command('memory').description('stored memories: list, read, update, delete, history');

  withScope(
    memory
      .command('ls')
      .description('list memories in creation order, a page at a time')
      .option('--filter <json>', 'a metadata filter as a JSON object')
      .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
      .option('--limit <n>', 'memories per page', '100'),
  ).action(async (options: { filter?: string; cursor?: string; limit: string } & ScopeFlags, cmd: Command) => {
    const opts = globals(cmd);
    const filter = options.filter === undefined ? undefined : metadataArg(options.filter);
    const limit = parseIntArg(options.limit, '--limit');
    await using stack = await openStack(opts);
    const page = await stack.api.listMemories({
      limit,
      ...(filter ? { filter } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...scopeOf(options),
    });
    print(opts, page, () =>
      [
        page.memories.length === 0 ? 'no memories' : page.memories.map(memoryRow).join('\n'),
        ...(page.nextCursor ? [`more: --cursor ${page.nextCursor}`] : []),
      ].join('\n'),
    );
  });

  withScope(memory.command('get').description('show a memory').argument('<id>', 'the id store printed')).action(
    async (id: string, options: ScopeFlags, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const m = await stack.api.getMemory(id, scopeOf(options));
      print(opts, m, () => `${memoryRow(m)}\n\n${m.content}`);
    },
  );

  withScope(
    memory
      .command('update')
      .description('replace a memory’s content (re-embedded; the id stays)')
      .argument('<id>', 'the memory id')
      .argument('<text>', 'the new content')
      .option('-m, --metadata <json>', 'new metadata as a JSON object'),
  ).action(async (id: string, text: string, options: { metadata?: string } & ScopeFlags, cmd: Command) => {
    const opts = globals(cmd);
    const metadata = metadataArg(options.metadata);
    await using stack = await openStack(opts);
    const m = await stack.api.updateMemory(id, { content: text, ...(metadata ? { metadata } : {}) }, scopeOf(options));
    print(opts, m, () => memoryRow(m));
  });

  withScope(memory.command('rm').description('delete a memory (its block and its vector)').argument('<id>', 'the memory id')).action(
    async (id: string, options: ScopeFlags, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      await stack.api.deleteMemory(id, scopeOf(options));
      print(opts, { deleted: id }, () => `deleted ${id}`);
    },
  );

  withScope(memory.command('history').description('every version of a memory, oldest first').argument('<id>', 'the memory id')).action(
    async (id: string, options: ScopeFlags, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const { versions } = await stack.api.memoryHistory(id, scopeOf(options));
      print(opts, { versions }, () =>
        versions
          .map((v) => `v${v.version}  ${v.type.padEnd(7)}  ${v.at}  ${v.actor}  ${v.content.replace(/\s+/g, ' ').slice(0, 80)}`)
          .join('\n'),
      );
    },
  );
}
