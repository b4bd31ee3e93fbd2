// As-of views of the whole world against a real nats-server: HVS search, NVM blocks/names/lists, mailboxes and facts
// answer as they were at a cut or a time; writes on a view are refused and change nothing; the live side is untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { HVS } from '@hvs-nvm/hvs';
import { BlockClass, NVM } from '@hvs-nvm/nvm';
import { HVSNVMIntegration } from '../integration.js';
import { SharedKnowledgeBase } from '../patterns/knowledge-base.js';
import { ReadOnlyViewError, type Cut } from '../index.js';

const encoder = hashingEncoder(64);
let srv: TempNatsServer;
let dir: string;
let integ: HVSNVMIntegration;
let cut: Required<Cut>;
let betweenTime: Date;
let blockId: string;
let alphaId: string;

const openOptions = () => ({
  hvsPath: join(dir, 'hvs'),
  nvmPath: join(dir, 'nvm'),
  natsUrl: srv.url,
  collection: 'asof',
  namespace: 'asof',
  encoder,
});

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-asof-'));
  integ = await HVSNVMIntegration.open(openOptions());
  const kb = new SharedKnowledgeBase(integ.nvm, integ.hvs, encoder);
  // The world before the cut.
  alphaId = await integ.store('alpha: the first memory about distributed agents');
  blockId = (await integ.nvm.createBlock({ name: 'plan', blockClass: BlockClass.DOCUMENTATION, content: 'plan v1' })).id;
  await kb.addFact('sky', 'is', 'blue', 'test');
  await integ.hvs.sendMessage('model_a', 'model_b', { n: 1 });
  // A checkpoint at the cut: the view must start from it (or one before), not from the live one taken later.
  await integ.nvm.snapshot();
  await integ.hvs.snapshot();
  cut = await integ.cut();
  await new Promise((r) => setTimeout(r, 50));
  betweenTime = new Date();
  await new Promise((r) => setTimeout(r, 50));
  // The world after it.
  await integ.nvm.updateBlock(blockId, 'plan v2');
  await integ.nvm.createBlock({ name: 'later', blockClass: BlockClass.DOCUMENTATION, content: 'made after the cut' });
  await integ.store('beta: a later memory about distributed agents');
  await integ.hvs.deleteVector(alphaId);
  await kb.addFact('grass', 'is', 'green', 'test');
  await integ.hvs.sendMessage('model_a', 'model_b', { n: 2 });
  await integ.nvm.snapshot();
  await integ.hvs.snapshot();
});
afterAll(async () => {
  await integ?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What a view of the world at the cut must answer, whichever way it was opened. */
async function expectWorldAtCut(past: HVSNVMIntegration): Promise<void> {
  expect(past.readOnly).toBe(true);
  // HVS: the deleted vector is still there, the later one is not.
  const found = await past.query('distributed agents', { k: 5 });
  expect(found.map((f) => f.content)).toContain('alpha: the first memory about distributed agents');
  expect(found.map((f) => f.content)).not.toContain('beta: a later memory about distributed agents');
  expect((await past.hvs.retrieveVector(alphaId)).id).toBe(alphaId);
  // NVM: the block's content then, names, lists and history.
  expect((await past.nvm.getBlock(blockId)).content).toBe('plan v1');
  expect((await past.nvm.getBlockByName('plan'))?.version).toBe(1);
  expect(await past.nvm.getBlockByName('later')).toBeNull();
  expect((await past.nvm.listBlocks()).map((b) => b.name)).not.toContain('later');
  expect((await past.nvm.blockHistory(blockId)).map((h) => h.content)).toEqual(['plan v1']);
  // Facts: the log's and the index's.
  const kb = new SharedKnowledgeBase(past.nvm, past.hvs, encoder);
  expect((await kb.history()).map((f) => f.object)).toEqual(['blue']);
  expect((await kb.queryFacts('grass is green', 5)).map((f) => f.object)).toEqual(['blue']);
  // Mailboxes: what had reached model_b by then, acknowledging nothing.
  expect((await past.hvs.receiveMessages('model_b')).map((m) => m.body)).toEqual([{ n: 1 }]);
  expect((await past.hvs.replayMessages('model_b')).map((m) => m.body)).toEqual([{ n: 1 }]);
  expect(await past.cut()).toEqual(cut);
}

describe('as-of views', () => {
  it('a view at a cut answers every read as the world was then, from a checkpoint at or before it', async () => {
    const past = await HVSNVMIntegration.open({ ...openOptions(), asOf: cut });
    try {
      await expectWorldAtCut(past);
      expect(past.nvm.restoredFromPosition).toBeGreaterThan(0);
      expect(past.nvm.restoredFromPosition).toBeLessThanOrEqual(cut.nvm);
      expect(past.hvs.stats().restoredFrom).toBeLessThanOrEqual(cut.hvs);
    } finally {
      await past.close();
    }
  });

  it('a view at a time answers as the same moment', async () => {
    const past = await HVSNVMIntegration.open({ ...openOptions(), asOf: betweenTime });
    try {
      await expectWorldAtCut(past);
    } finally {
      await past.close();
    }
  });

  it('HVS.open and NVM.open take asOf on their own', async () => {
    const hvs = await HVS.open({
      storagePath: join(dir, 'hvs'),
      natsUrl: srv.url,
      collection: 'asof',
      dimension: 64,
      geometry: 'spherical',
      asOf: { hvs: cut.hvs, mail: cut.mail },
    });
    const nvm = await NVM.open({ storagePath: join(dir, 'nvm'), natsUrl: srv.url, namespace: 'asof', encoder, asOf: { nvm: cut.nvm } });
    try {
      expect((await hvs.retrieveVector(alphaId)).id).toBe(alphaId);
      expect(await hvs.cut()).toEqual({ hvs: cut.hvs, mail: cut.mail });
      expect((await nvm.getBlock(blockId)).content).toBe('plan v1');
      expect(await nvm.cut()).toEqual({ nvm: cut.nvm });
      await expect(nvm.updateBlock(blockId, 'x')).rejects.toBeInstanceOf(ReadOnlyViewError);
      await expect(hvs.storeVector(new Float32Array(64).fill(0.1))).rejects.toBeInstanceOf(ReadOnlyViewError);
    } finally {
      await hvs.close();
      await nvm.close();
    }
  });

  it('writes on a view throw ReadOnlyViewError (READ_ONLY_VIEW, 409) and change nothing; the live world goes on', async () => {
    const past = await HVSNVMIntegration.open({ ...openOptions(), asOf: cut });
    const before = await integ.cut();
    try {
      const refused = await past.store('x').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ReadOnlyViewError);
      expect(refused).toMatchObject({ code: 'READ_ONLY_VIEW', status: 409 });
      await expect(past.nvm.createBlock({ name: 'nope', blockClass: BlockClass.DOCUMENTATION, content: 'x' })).rejects.toBeInstanceOf(
        ReadOnlyViewError,
      );
      await expect(past.nvm.deleteBlock(blockId)).rejects.toBeInstanceOf(ReadOnlyViewError);
      await expect(past.hvs.sendMessage('model_a', 'model_b', { n: 3 })).rejects.toBeInstanceOf(ReadOnlyViewError);
      await expect(past.hvs.connectModel('model_c')).rejects.toBeInstanceOf(ReadOnlyViewError);
      await expect(new SharedKnowledgeBase(past.nvm, past.hvs, encoder).addFact('a', 'b', 'c', 'd')).rejects.toBeInstanceOf(
        ReadOnlyViewError,
      );
      expect(await integ.cut()).toEqual(before);
      // The live world is as it was: the view disturbed neither its projection nor its mailbox.
      expect((await integ.nvm.getBlock(blockId)).content).toBe('plan v2');
      expect((await integ.hvs.receiveMessages('model_b')).map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await past.close();
    }
  });
});
