// Crash matrix: kill -9 of the nats-server in the middle of writes, of the writing client, and of a projection in
// the middle of applying. Afterwards every acknowledged vector, message and block version is present exactly once,
// and a projection restored from its checkpoint equals one rebuilt from the whole log (digests compared).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { NVM } from '@hvs-nvm/nvm';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { SharedKnowledgeBase } from '@hvs-nvm/hvs-nvm';
import { runFixture, type Child } from '../support/child.js';

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-crash-matrix-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Line = { vectors?: string[]; message?: string; version?: number; content?: string; fact?: string; error?: string; block?: string };
const lines = (c: Child) => c.lines as Line[];
const tally = (c: Child) => ({
  vectors: lines(c).flatMap((l) => l.vectors ?? []),
  messages: lines(c).flatMap((l) => (l.message ? [l.message] : [])),
  versions: lines(c).flatMap((l) => (l.version !== undefined ? [{ version: l.version, content: l.content! }] : [])),
  facts: lines(c).flatMap((l) => (l.fact ? [l.fact] : [])),
});

const openHvs = (path: string, extra: Partial<Parameters<typeof HVS.open>[0]> = {}) =>
  HVS.open({ natsUrl: srv.url, storagePath: path, collection: 'matrix', dimension: 8, ...extra });
const openNvm = (path: string) =>
  NVM.open({ natsUrl: srv.url, storagePath: path, namespace: 'matrix', actor: 'auditor', encoder: hashingEncoder() });

/** Order-independent digest of a whole HVS projection: ids, exact vector bytes and metadata. */
async function hvsDigest(hvs: HVS): Promise<{ count: number; digest: string }> {
  const count = await hvs.count();
  // k is at most 10,000: read the collection in slices of batch numbers. Each writer tags 20 vectors a batch and
  // several writers share the batch numbers, so a slice of 100 numbers holds at most a few thousand vectors; a
  // slice that fills k would mean the digest missed some, which must fail loudly rather than loop.
  const SLICE = 100;
  const K = 10_000;
  const all = [];
  for (let from = 0; all.length < count; from += SLICE) {
    const filter = { batch: { $gte: from, $lt: from + SLICE } };
    const slice = await hvs.semanticSearch(new Array(8).fill(0.01), { k: K, exact: true, filter });
    if (slice.length === K) throw new Error(`digest: batches ${from}..${from + SLICE - 1} hold ${K} vectors or more`);
    all.push(...slice);
    // Batch numbers are dense (a failed batch skips one): far past count means vectors without a batch number.
    if (from > count + 1000) throw new Error(`digest: found ${all.length} of ${count} vectors by batch number`);
  }
  const h = createHash('sha256');
  for (const r of all.sort((a, b) => (a.vector.id < b.vector.id ? -1 : 1))) {
    h.update(r.vector.id).update(Buffer.from(r.vector.data.buffer, r.vector.data.byteOffset, r.vector.data.byteLength));
    h.update(JSON.stringify(r.vector.metadata));
  }
  return { count: all.length, digest: h.digest('hex') };
}

async function nvmDigest(nvm: NVM): Promise<string> {
  const blocks = await nvm.listBlocks();
  const h = createHash('sha256');
  for (const b of blocks.sort((a, c) => (a.id < c.id ? -1 : 1))) {
    h.update(JSON.stringify([b.id, b.name, b.version, b.content, b.metadata, b.readonly, b.permissions]));
  }
  return h.digest('hex');
}

it('kill -9 of the nats-server mid-write, then of the writer: every acknowledged vector, message, block version and fact is there exactly once', async () => {
  const child = runFixture('tests/faults/fixtures/writer.ts', [srv.url, join(dir, 'writer'), 'a']);
  const enough = (n: number) => () => {
    const t = tally(child);
    return t.vectors.length >= 20 * n && t.messages.length >= 5 * n && t.versions.length >= n && t.facts.length >= n;
  };
  await child.until(enough(10));
  const beforeCrash = tally(child);
  await srv.crashAndRestart();
  // The writer rides out the restart (its clients reconnect) and goes on acknowledging all three kinds of write.
  await child.until(() => {
    const t = tally(child);
    return (
      t.vectors.length >= beforeCrash.vectors.length + 200 &&
      t.messages.length >= beforeCrash.messages.length + 50 &&
      t.versions.length >= beforeCrash.versions.length + 10 &&
      t.facts.length >= beforeCrash.facts.length + 10
    );
  }, 90_000);
  await child.kill9();
  const acked = tally(child);
  const blockId = lines(child).find((l) => l.block)!.block!;

  // Vectors: a reader rebuilding from the whole log finds every acknowledged id, each once.
  await using reader = await openHvs(join(dir, 'reader-1'));
  const found = await reader.batchRetrieveVectors(acked.vectors);
  expect(found.filter((v) => v === null)).toHaveLength(0);
  const { count } = await hvsDigest(reader);
  // The batch in flight when the writer died may have landed in part (never twice: one stream per id).
  expect(count).toBeGreaterThanOrEqual(acked.vectors.length);
  expect(count - acked.vectors.length).toBeLessThanOrEqual(20);

  // Messages: the mailbox hands out every acknowledged message exactly once.
  const received: string[] = [];
  for (;;) {
    const batch = await reader.receiveMessages('rx', { max: 256 });
    if (batch.length === 0) break;
    received.push(...batch.map((m) => m.id));
  }
  expect(new Set(received).size).toBe(received.length);
  const got = new Set(received);
  expect(acked.messages.filter((id) => !got.has(id))).toEqual([]);

  // Block versions: contiguous history, each acknowledged version with the content it was acknowledged with,
  // and the counter equals the number of updates (no lost update across the crash).
  await using nvm = await openNvm(join(dir, 'auditor-1'));
  const history = await nvm.blockHistory(blockId);
  const versions = history.map((e) => e.version);
  expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
  const block = await nvm.getBlock(blockId);
  expect(block.content).toBe(String(block.version - 1));
  for (const v of acked.versions) {
    expect(v.version).toBeLessThanOrEqual(block.version);
    expect(v.content).toBe(String(v.version - 1));
  }
  // Facts: each acknowledged fact is in the log exactly once.
  await using kbHvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, 'kb-reader'), collection: 'matrixkb', dimension: 16 });
  // The knowledge base's block is a system block: its pattern reads through the owner NVM (opened without an actor).
  await using owner = await NVM.open({
    natsUrl: srv.url,
    storagePath: join(dir, 'kb-owner'),
    namespace: 'matrix',
    encoder: hashingEncoder(),
  });
  const kb = new SharedKnowledgeBase(owner, kbHvs, hashingEncoder(16));
  const logged = (await kb.history()).map((f) => f.factId);
  expect(new Set(logged).size).toBe(logged.length);
  const inLog = new Set(logged);
  expect(acked.facts.filter((id) => !inLog.has(id))).toEqual([]);
  console.log(`[crash-matrix] facts acked ${acked.facts.length}, in the log ${logged.length}`);
  console.log(
    `[crash-matrix] server kill -9 + writer kill -9: vectors acked ${acked.vectors.length} found ${count}, ` +
      `messages acked ${acked.messages.length} received ${received.length}, block versions acked ${acked.versions.length} final ${block.version}`,
  );
}, 180_000);

it('kill -9 of a projection mid-apply: restored from its checkpoint it equals a rebuild from the log', async () => {
  // A backlog to apply: the first test's writes plus more of this one's.
  const child = runFixture('tests/faults/fixtures/writer.ts', [srv.url, join(dir, 'writer-2'), 'b']);
  await child.until(() => tally(child).vectors.length >= 10_000, 120_000);
  await child.kill9();

  // A projection process that checkpoints often, killed once at least one checkpoint is on disk.
  const path = join(dir, 'projector');
  const projector = runFixture('tests/faults/fixtures/projector.ts', [srv.url, path]);
  const manifest = join(path, 'hvs', 'projection', 'matrix-euclidean-8', 'position.json');
  await projector.until((l) => l.some((x) => (x as { nvm?: number }).nvm !== undefined), 60_000);
  const deadline = Date.now() + 60_000;
  while (!existsSync(manifest)) {
    if (Date.now() > deadline)
      throw new Error(
        `no checkpoint within 60 s; lines ${JSON.stringify(projector.lines)}; files ${JSON.stringify(readdirSync(path, { recursive: true }))}; stderr: ${projector.stderr().slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 1));
  }
  await projector.kill9();
  // Killed while the HVS projection was still catching up (it prints its position once it has).
  const finished = projector.lines.some((l) => (l as { hvs?: number }).hvs !== undefined);

  await using restored = await openHvs(join(path, 'hvs'));
  expect(restored.stats().restoredFrom).toBeGreaterThan(0);
  await using rebuilt = await openHvs(join(dir, 'rebuild'));
  expect(rebuilt.stats().restoredFrom).toBe(0);
  await restored.sync();
  await rebuilt.sync();
  const digests = [await hvsDigest(restored), await hvsDigest(rebuilt)];
  const head = (await rebuilt.stats()).position;
  console.log(
    `[crash-matrix] projection killed ${finished ? 'after' : 'during'} catch-up; restored from position ${restored.stats().restoredFrom} of ${head}, ${digests[1]!.count} vectors`,
  );
  expect(digests[0]).toEqual(digests[1]);

  await using nvmRestored = await openNvm(join(path, 'nvm'));
  await using nvmRebuilt = await openNvm(join(dir, 'nvm-rebuild'));
  expect(nvmRestored.restoredFromPosition).toBeGreaterThan(0);
  expect(await nvmDigest(nvmRestored)).toBe(await nvmDigest(nvmRebuilt));
}, 180_000);
