// RSS of a process whose NVM block view holds B blocks × V versions (applied straight to a BlockView, no server):
// what the view costs per block version. `npx tsx --expose-gc --conditions=@hvs-nvm/source libs/nvm/scripts/block-history-rss.ts [B] [V]`.
import { randomBytes, randomUUID } from 'node:crypto';
import { BlockView } from '../src/block-view.js';

const blocks = Number(process.argv[2] ?? 1000);
const versions = Number(process.argv[3] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
const rssMb = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

const view = new BlockView('bench', { name: 'none', dimension: 8 }, '/nonexistent');
const before = rssMb();
let position = 0;
const metadata = { eventId: randomUUID(), type: 'BlockCreated', schemaVersion: 1, occurredAt: new Date().toISOString(), actor: 'system' };
for (let b = 0; b < blocks; b++) {
  const blockId = `b${b}`;
  for (let v = 0; v < versions; v++) {
    // ~200 bytes of content per version, each different and flat (a template over one repeated string would be a
    // rope sharing it, and measure nothing).
    const content = `block ${b} version ${v}: ${randomBytes(90).toString('hex')}`;
    const event =
      v === 0
        ? {
            type: 'BlockCreated',
            data: { blockId, name: blockId, blockClass: 'documentation', content, readonly: false, metadata: {}, permissions: {} },
          }
        : { type: 'BlockUpdated', data: { blockId, content } };
    view.apply({ ...event, streamId: `block.${blockId}`, revision: v, position: ++position, metadata, recordedAt: new Date() } as never);
  }
  // The embedding queue is drained by the client; it holds one job per block at most.
  view.pendingEmbeddings.clear();
}
const after = rssMb();
let held = 0;
for (const record of view.blocks.values()) held += (record as { history?: unknown[] }).history?.length ?? 1;
const perVersion = ((after - before) * 2 ** 20) / (blocks * versions);
console.log(
  JSON.stringify({
    blocks,
    versions,
    rssBeforeMb: +before.toFixed(1),
    rssAfterMb: +after.toFixed(1),
    bytesPerVersion: Math.round(perVersion),
    versionsHeld: held,
    heapUsedMb: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1),
  }),
);
