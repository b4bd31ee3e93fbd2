// Measures block update throughput under contention: N writers on one block vs N writers on N blocks (updates/s).
//
// Run: npx tsx --conditions=@hvs-nvm/source libs/nvm/bench/contention.ts [writers=8] [updatesPerWriter=200]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { BlockClass, ConcurrencyError, NVM, type Block } from '@hvs-nvm/nvm';

const writers = Number(process.argv[2] ?? 8);
const perWriter = Number(process.argv[3] ?? 200);

const srv = await TempNatsServer.start();
const dirs: string[] = [];
const open = async (namespace: string) => {
  const storagePath = mkdtempSync(join(tmpdir(), 'nvm-bench-'));
  dirs.push(storagePath);
  // A cheap encoder: this measures the write path, not embedding.
  return NVM.open({ storagePath, natsUrl: srv.url, namespace, encoder: hashingEncoder() });
};

const parse = (b: Block) => (JSON.parse(b.content) as { n: number }).n;

type Mode = 'expectedVersion' | 'function' | 'lastWriterWins';

/** Each writer runs `perWriter` increments on its block; returns updates/s and conflicts seen. */
async function run(label: string, sharedBlock: boolean, mode: Mode, clients: number): Promise<void> {
  const ns = `bench_${label.replace(/\W+/g, '_')}`;
  const nvms = await Promise.all(Array.from({ length: clients }, () => open(ns)));
  const blockCount = sharedBlock ? 1 : writers;
  const blocks: Block[] = [];
  for (let i = 0; i < blockCount; i++) {
    blocks.push(
      await nvms[0]!.createBlock({
        name: `counter_${i}`,
        blockClass: BlockClass.PROGRAM_STATE,
        content: { n: 0 },
      }),
    );
  }
  await Promise.all(nvms.map((n) => n.sync()));
  let conflicts = 0;
  const writer = async (w: number) => {
    const nvm = nvms[w % clients]!;
    const id = blocks[sharedBlock ? 0 : w]!.id;
    for (let i = 0; i < perWriter; i++) {
      if (mode === 'function') {
        await nvm.updateBlock(id, (b) => ({ n: parse(b) + 1 }));
      } else if (mode === 'lastWriterWins') {
        await nvm.updateBlock(id, { n: i });
      } else {
        for (;;) {
          const b = await nvm.getBlock(id);
          try {
            await nvm.updateBlock(id, { n: parse(b) + 1 }, { expectedVersion: b.version });
            break;
          } catch (err) {
            if (!(err instanceof ConcurrencyError)) throw err;
            conflicts++;
          }
        }
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const seconds = (performance.now() - t0) / 1000;
  const total = writers * perWriter;
  await nvms[0]!.sync();
  const counts = await Promise.all(blocks.map(async (b) => parse(await nvms[0]!.getBlock(b.id))));
  const sum = counts.reduce((a, b) => a + b, 0);
  const exact = mode === 'lastWriterWins' ? '(last writer wins)' : sum === total ? 'exact' : `LOST ${total - sum}`;
  console.log(
    `${label.padEnd(48)} ${String(Math.round(total / seconds)).padStart(6)} updates/s  ` +
      `(${total} in ${seconds.toFixed(2)} s, ${conflicts} conflicts, count ${exact})`,
  );
  await Promise.all(nvms.map((n) => n.close()));
}

console.log(`${writers} writers × ${perWriter} updates, nats-server ${srv.url}`);
try {
  await run(`${writers} writers, 1 block, expectedVersion, 1 client`, true, 'expectedVersion', 1);
  await run(`${writers} writers, 1 block, expectedVersion, ${writers} clients`, true, 'expectedVersion', writers);
  await run(`${writers} writers, 1 block, function update, 1 client`, true, 'function', 1);
  await run(`${writers} writers, 1 block, function update, ${writers} clients`, true, 'function', writers);
  await run(`${writers} writers, 1 block, last writer wins, 1 client`, true, 'lastWriterWins', 1);
  await run(`${writers} writers, ${writers} blocks, expectedVersion, 1 client`, false, 'expectedVersion', 1);
  await run(`${writers} writers, ${writers} blocks, function update, 1 client`, false, 'function', 1);
  await run(`${writers} writers, ${writers} blocks, function update, ${writers} clients`, false, 'function', writers);
} finally {
  await srv.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
