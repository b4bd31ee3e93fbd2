// Collections on a real nats-server: concurrent creates agree, a delete racing lazy opens never re-creates the
// streams, a fixed collection is refused, and a registry reopened (a restart) sees what the last one recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { HVS } from '@hvs-nvm/hvs';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { Collections } from './collections.js';

let srv: TempNatsServer;
let dir: string;
let hvs: HVS;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-collections-'));
  hvs = await HVS.open({ natsUrl: srv.url, storagePath: dir, collection: 'default', dimension: 3, geometry: 'euclidean' });
});
afterAll(async () => {
  await hvs?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const streams = async () => {
  const jsm = await jetstreamManager(hvs.eventStore.nc);
  return (await jsm.streams.names().next()).sort();
};

it('concurrent creates of one name: one creates it, the others find it; other settings are refused', async () => {
  const collections = await Collections.open({ fixed: [hvs] });
  try {
    const results = await Promise.all([1, 2, 3].map(() => collections.create({ name: 'c1', dimension: 2, geometry: 'spherical' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.map((r) => r.collection)).toEqual(
      Array(3).fill({ name: 'c1', dimension: 2, geometry: 'spherical', M: 16, efConstruction: 200, ef: 64 }),
    );
    await expect(collections.create({ name: 'c1', dimension: 2, geometry: 'euclidean' })).rejects.toMatchObject({
      status: 409,
      code: 'COLLECTION_MISMATCH',
    });
    expect((await collections.list()).map((c) => c.name)).toEqual(['c1', 'default']);
  } finally {
    await collections.close();
  }
});

it('a delete racing lazy opens leaves no stream behind; a fixed collection is refused', async () => {
  const maker = await Collections.open({ fixed: [hvs] });
  await maker.create({ name: 'c2', dimension: 3, geometry: 'euclidean' });
  await (await maker.hvs('c2')).storeVector([1, 2, 3], {}, { id: 'v' });
  await maker.close();
  // A fresh registry (as after a restart): c2 is known, not open.
  const collections = await Collections.open({ fixed: [hvs] });
  try {
    const before = [1, 2].map(() => collections.hvs('c2').then(() => 'open'));
    const deleted = collections.delete('c2');
    const after = collections.hvs('c2').then(
      () => 'open',
      (e: { code?: string }) => e.code,
    );
    expect(await Promise.all([...before, deleted.then(() => 'deleted'), after])).toEqual([
      'open',
      'open',
      'deleted',
      'COLLECTION_NOT_FOUND',
    ]);
    await expect(collections.hvs('c2')).rejects.toMatchObject({ status: 404, code: 'COLLECTION_NOT_FOUND' });
    expect(await streams()).not.toContain('HVS_c2');
    expect(await streams()).not.toContain('MAIL_c2');
    expect(await streams()).toContain('HVS_default');
    expect(() => collections.delete('default')).toThrow(expect.objectContaining({ code: 'COLLECTION_PROTECTED' }));
  } finally {
    await collections.close();
  }
});

it('a reopened registry (a restart) sees the collections and opens them with their settings', async () => {
  const first = await Collections.open({ fixed: [hvs] });
  await first.create({ name: 'c3', dimension: 4, geometry: 'hyperboloid', M: 8, ef: 20 });
  await (await first.hvs('c3')).storeVector([0.1, 0, 0, 0], {}, { id: 'x' });
  await first.close();
  const second = await Collections.open({ fixed: [hvs] });
  try {
    expect(await second.describe('c3')).toMatchObject({ dimension: 4, geometry: 'hyperboloid', M: 8, ef: 20, vectors: 1 });
    expect((await second.hvs('c3')).options).toMatchObject({ M: 8, ef: 20, efConstruction: 200 });
  } finally {
    await second.close();
  }
});
