// Child process of the memory scenario: builds one index (HVS or raw hnswlib-node) and reports its resident-memory growth as a JSON line.
import { HVS } from '@hvs-nvm/hvs';
import { mixture, row } from './support/data.js';
import { addRows, newRawIndex } from './support/raw-hnsw.js';
import { settledMemory } from './support/settle.js';
import { untilSearchable } from './support/context.js';

const [mode, nArg, url, efArg] = process.argv.slice(2);
const n = Number(nArg);
const efConstruction = Number(efArg);
const D = 128;

async function main(): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || !['raw', 'hvs', 'hvs-int8'].includes(mode ?? '')) {
    throw new Error('usage: memory-child raw|hvs|hvs-int8 N URL EF');
  }
  const set = mixture(n, D, 3);
  let before: NodeJS.MemoryUsage;
  let after: NodeJS.MemoryUsage;
  // The data set stays referenced to the end in both modes: freed in one only, it would shrink that side's growth.
  let hold: unknown;
  if (mode === 'raw') {
    before = await settledMemory();
    const index = newRawIndex('l2', D, n, 16, efConstruction);
    addRows(index, set);
    after = await settledMemory();
    hold = [index, set];
  } else {
    const dir = `${process.env['TMPDIR'] ?? '/tmp'}/hvs-nvm-bench-mem-${process.pid}`;
    const quantization = mode === 'hvs-int8' ? 'int8' : 'none';
    const hvs = await HVS.open({
      storagePath: dir,
      natsUrl: url,
      collection: `mem${process.pid}`,
      dimension: D,
      efConstruction,
      quantization,
    });
    // A first write warms the code paths (zod, codec, nats), so their one-off allocations are not counted per vector.
    await hvs.storeVector(row(set, 0), {}, { id: 'warm' });
    await hvs.deleteVector('warm');
    await hvs.sync();
    before = await settledMemory();
    for (let start = 0; start < n; start += 10_000) {
      const items = [];
      for (let i = start; i < Math.min(n, start + 10_000); i++) items.push({ vector: row(set, i) });
      await hvs.batchStoreVectors(items);
    }
    await untilSearchable(hvs);
    if ((await hvs.count()) !== n) throw new Error('memory: not every vector was applied');
    after = await settledMemory();
    hold = [hvs, set];
  }
  const delta = (k: keyof NodeJS.MemoryUsage) => after[k] - before[k];
  console.log(
    JSON.stringify({
      mode,
      n,
      rssBytes: delta('rss'),
      heapUsedBytes: delta('heapUsed'),
      heapTotalBytes: delta('heapTotal'),
      externalBytes: delta('external'),
      arrayBuffersBytes: delta('arrayBuffers'),
      held: hold !== undefined,
    }),
  );
  // The checkpoint on close is not part of the measurement.
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
