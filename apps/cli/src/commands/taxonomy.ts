// `hvs-nvm import taxonomy <edges>`: embeds a hierarchy (child→parent pairs) in the hyperboloid and stores every node.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { configOf, globals, parseIntArg, print, storePaths, UsageError } from '../context.js';

/** Header words a first line may carry instead of an edge. */
const HEADER = new Set(['child', 'id1', 'source', 'hyponym']);

/** Reads `child<TAB>parent` (.tsv), `child,parent[,…]` (.csv) or JSONL `{"child","parent"}` / `["child","parent"]`. */
export function readEdges(file: string): [string, string][] {
  const ext = extname(file).toLowerCase();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const edges: [string, string][] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let pair: unknown[];
    if (ext === '.jsonl' || ext === '.json' || line.startsWith('{') || line.startsWith('[')) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UsageError(`${basename(file)} line ${i + 1}: not JSON`);
      }
      pair = Array.isArray(v) ? v : [(v as Record<string, unknown>)?.child, (v as Record<string, unknown>)?.parent];
    } else {
      pair = line.split(ext === '.csv' ? ',' : '\t').map((s) => s.trim());
      if (edges.length === 0 && HEADER.has(String(pair[0]).toLowerCase())) return;
    }
    const [child, parent] = pair;
    if (typeof child !== 'string' || typeof parent !== 'string' || child === '' || parent === '')
      throw new UsageError(`${basename(file)} line ${i + 1}: expected a child and a parent name`);
    edges.push([child, parent]);
  });
  if (edges.length === 0) throw new UsageError(`${basename(file)} has no edges`);
  return edges;
}

/** A stable id per node name (names may hold characters ids may not). */
const nodeId = (collection: string, name: string) =>
  `node-${createHash('sha256').update(`${collection}\u0000${name}`).digest('hex').slice(0, 32)}`;

export function registerTaxonomy(program: Command): void {
  const importCommand = program.commands.find((c) => c.name() === 'import');
  if (!importCommand) throw new Error('register the import command before import taxonomy');
  importCommand
    .command('taxonomy')
    .description('embed a hierarchy of child→parent edges in the hyperboloid and store every node (name, depth)')
    .argument('<edges>', '.tsv (child<TAB>parent), .csv (child,parent) or .jsonl ({"child","parent"} or [child, parent])')
    .option('--dimension <d>', 'embedding dimension (≥ 2; ≥ 3 uses the cone construction)', '10')
    .option('--collection <name>', 'HVS collection to store into (hyperboloid geometry)', 'taxonomy')
    .option('--seed <n>', 'seed for a reproducible embedding', '1')
    .option('--batch-size <n>', 'nodes per store batch', '1000')
    .option('--no-progress', 'no progress bar on stderr')
    .action(
      async (
        fileArg: string,
        options: { dimension: string; collection: string; seed: string; batchSize: string; progress: boolean },
        cmd: Command,
      ) => {
        const opts = globals(cmd);
        // `import --collection` is the parent's option too: commander gives it to `import` when it comes first.
        const parentCollection = (cmd.parent?.opts() as { collection?: string } | undefined)?.collection;
        if (parentCollection !== undefined) options = { ...options, collection: parentCollection };
        const file = resolve(fileArg);
        if (!existsSync(file)) throw new UsageError(`no such file: ${fileArg}`);
        const dimension = parseIntArg(options.dimension, '--dimension');
        if (dimension < 2) throw new UsageError('--dimension must be at least 2');
        const seed = parseIntArg(options.seed, '--seed');
        const batchSize = parseIntArg(options.batchSize, '--batch-size');
        const edges = readEdges(file);
        const started = Date.now();
        const bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            noTTYOutput: true,
            notTTYSchedule: 500,
            format: `taxonomy ${basename(file)} {stage} |{bar}| {value}/{total}`,
          },
          cliProgress.Presets.shades_classic,
        );
        const [{ HVS }, { embedHierarchy }] = await Promise.all([import('@hvs-nvm/hvs'), import('@hvs-nvm/hyperbolic')]);
        let embedding;
        try {
          if (options.progress) bar.start(1, 0, { stage: 'embed' });
          embedding = await embedHierarchy(edges, {
            dimension,
            seed,
            onProgress: (p) => {
              if (options.progress && p.epochs > 0) bar.setTotal(p.epochs);
              if (options.progress)
                bar.update(p.phase === 'done' ? Math.max(1, p.epochs) : p.epoch, { stage: p.phase === 'train' ? 'train' : 'embed' });
            },
          }).catch((err: unknown) => {
            // A cycle, a self-loop or a bad option is the user's input: exit code 2 with the lib's message.
            const e = err as { status?: number; message?: string };
            if (e.status === 400) throw new UsageError(e.message ?? String(err));
            throw err;
          });
          const config = await configOf(opts);
          await using hvs = await HVS.open({
            storagePath: storePaths(resolve(config.dataDir)).hvsPath,
            ...(config.natsUrl ? { natsUrl: config.natsUrl } : {}),
            dimension,
            geometry: 'hyperboloid',
            collection: options.collection,
          });
          const n = embedding.nodes.length;
          if (options.progress) {
            bar.setTotal(n);
            bar.update(0, { stage: 'store' });
          }
          for (let start = 0; start < n; start += batchSize) {
            const end = Math.min(n, start + batchSize);
            const items = [];
            for (let i = start; i < end; i++) {
              items.push({
                id: nodeId(options.collection, embedding.nodes[i]!),
                vector: embedding.vectors[i]!,
                metadata: { name: embedding.nodes[i]!, depth: embedding.depths[i]! },
              });
            }
            await hvs.batchStoreVectors(items);
            if (options.progress) bar.update(end, { stage: 'store' });
          }
        } finally {
          if (options.progress) bar.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        const result = { file, collection: options.collection, dimension, nodes: embedding.nodes.length, edges: edges.length, seconds };
        print(
          opts,
          result,
          () =>
            `embedded ${result.nodes} nodes (${result.edges} edges) of ${basename(file)} at d=${dimension} into collection '${options.collection}' in ${seconds.toFixed(1)} s`,
        );
      },
    );
}
