// `hvs-nvm import <file>`: bulk-load JSONL or .npy in batches with a progress bar; resumable, and reruns never duplicate.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { BatchItem, VectorRecord } from '@hvs-nvm/hvs';
import { globals, openStack, parseIntArg, print, UsageError } from '../context.js';
import { jsonlSource, npySource, type ImportRecord } from '../import/sources.js';

interface Progress {
  file: string;
  /** Every record up to and including this line is stored. */
  line: number;
  total: number;
  updatedAt: string;
}

const progressPath = (file: string) => `${file}.progress`;

function readProgress(file: string): Progress | undefined {
  const path = progressPath(file);
  if (!existsSync(path)) return undefined;
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as Progress;
    return Number.isInteger(p.line) && p.line >= 0 ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Written through the checkpoint writer (temp file, fsync, rename), so a crash never leaves a torn progress file. */
async function writeProgress(file: string, p: Progress): Promise<void> {
  const { writeCheckpointFile } = await import('@hvs-nvm/files');
  await writeCheckpointFile(progressPath(file), JSON.stringify(p));
}

/** Ids from the file's absolute path and the record's line: a rerun upserts the same ids instead of adding new ones. */
function idPrefix(file: string): string {
  return `import-${createHash('sha256').update(file).digest('hex').slice(0, 16)}`;
}

/** True when the store already holds exactly this record (a rerun), so writing it again would only cost time. */
function unchanged(item: BatchItem, stored: VectorRecord | null): boolean {
  if (!stored || JSON.stringify(stored.metadata) !== JSON.stringify(item.metadata ?? {})) return false;
  const v = item.vector;
  if (v.length !== stored.data.length) return false;
  const f32 = v instanceof Float32Array ? v : Float32Array.from(v);
  for (let i = 0; i < f32.length; i++) if (f32[i] !== stored.data[i]) return false;
  return true;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('bulk-load vectors or text: JSONL lines {id?, vector, metadata?} or {content, metadata?}, or a 2-D float32 .npy')
    .argument('<file>', 'a .jsonl (or .json lines) or .npy file')
    .option('--batch-size <n>', 'records per batch (each batch is one round of publishes)', '1000')
    .option('--restart', 'ignore the .progress file and import from the first line (ids stay the same, so nothing duplicates)')
    .option('--no-progress', 'no progress bar on stderr')
    .option(
      '--collection <name>',
      'the collection to store into (see `collections create`; default: the memory store’s, where text lines go)',
    )
    .addHelpText(
      'after',
      '\nProgress is remembered in <file>.progress after each stored batch; rerunning skips what is done.\n' +
        'Vectors must have the collection’s dimension (the memory store’s is the encoder’s: 512 for sentence, 256 for hashing).\n' +
        'Text lines are encoded and indexed for `search` (not kept as blocks).',
    )
    .action(
      async (fileArg: string, options: { batchSize: string; restart?: boolean; progress: boolean; collection?: string }, cmd: Command) => {
        const opts = globals(cmd);
        const file = resolve(fileArg);
        if (!existsSync(file)) throw new UsageError(`no such file: ${fileArg}`);
        const batchSize = parseIntArg(options.batchSize, '--batch-size');
        const source = extname(file).toLowerCase() === '.npy' ? await npySource(file) : await jsonlSource(file);
        const previous = options.restart ? undefined : readProgress(file);
        const skip = Math.min(previous?.line ?? 0, source.total);
        const prefix = idPrefix(file);

        await using stack = await openStack(opts);
        const { encoder } = stack;
        const hvs = options.collection !== undefined ? await stack.collections.hvs(options.collection) : stack.integration.hvs;

        const bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            noTTYOutput: true,
            notTTYSchedule: 500,
            etaBuffer: 50,
            format: `import ${basename(file)} |{bar}| {percentage}% | {value}/{total} lines | {speed}/s | ETA {eta_formatted}`,
          },
          cliProgress.Presets.shades_classic,
        );
        const started = Date.now();
        if (options.progress) bar.start(source.total, skip, { speed: 0 });
        let imported = 0;
        let alreadyStored = 0;
        let processed = 0;
        try {
          for await (const batch of source.batches(skip, batchSize)) {
            const texts = batch.filter((r): r is Extract<ImportRecord, { content: string }> => 'content' in r);
            const vectors = texts.length > 0 ? await encoder.encodeBatch(texts.map((r) => r.content)) : [];
            const byLine = new Map(texts.map((r, i) => [r.line, vectors[i]!]));
            const items: BatchItem[] = batch.map((r) => {
              const id = r.id ?? `${prefix}-${r.line}`;
              if ('content' in r) {
                // The integration's layout for unpersisted text, so `search` and search_memory find it.
                return { id, vector: byLine.get(r.line)!, metadata: { ...r.metadata, type: 'content', content: r.content } };
              }
              return { id, vector: r.vector, ...(r.metadata ? { metadata: r.metadata } : {}) };
            });
            try {
              const stored = await hvs.batchRetrieveVectors(items.map((i) => i.id!));
              const changed = items.filter((item, i) => !unchanged(item, stored[i]!));
              alreadyStored += items.length - changed.length;
              if (changed.length > 0) await hvs.batchStoreVectors(changed);
              imported += changed.length;
            } catch (err) {
              const e = err as Error;
              e.message = `lines ${batch[0]!.line}-${batch[batch.length - 1]!.line}: ${e.message}`;
              throw e;
            }
            const last = batch[batch.length - 1]!.line;
            processed += batch.length;
            await writeProgress(file, { file: basename(file), line: last, total: source.total, updatedAt: new Date().toISOString() });
            if (options.progress) bar.update(last, { speed: Math.round(processed / Math.max(0.001, (Date.now() - started) / 1000)) });
          }
          await writeProgress(file, { file: basename(file), line: source.total, total: source.total, updatedAt: new Date().toISOString() });
          if (options.progress) bar.update(source.total);
        } finally {
          if (options.progress) bar.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        const result = {
          file,
          imported,
          unchanged: alreadyStored,
          skipped: skip,
          total: source.total,
          seconds,
          progressFile: progressPath(file),
        };
        print(opts, result, () =>
          skip >= source.total && processed === 0
            ? `nothing to import: all ${source.total} lines of ${basename(file)} are in (use --restart to load them again)`
            : `imported ${imported} records from ${basename(file)} in ${seconds.toFixed(1)} s` +
              `${alreadyStored > 0 ? ` (${alreadyStored} were already stored as they are)` : ''}${skip > 0 ? ` (skipped ${skip} lines done before)` : ''}`,
        );
      },
    );
}
