// The change feed against a real nats-server: history after a position, live events, filters, and per-agent views.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { BlockClass, InvalidArgumentError } from '@hvs-nvm/nvm';
import { HVSNVMIntegration } from '../integration.js';
import type { ChangeFeedOptions } from './change-feed.js';
import type { FeedEvent } from './feed-event.js';

let srv: TempNatsServer;
let dir: string;
let integ: HVSNVMIntegration;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-feed-'));
  integ = await HVSNVMIntegration.open({
    hvsPath: join(dir, 'hvs'),
    nvmPath: join(dir, 'nvm'),
    natsUrl: srv.url,
    collection: 'feed',
    namespace: 'feed',
    encoder: hashingEncoder(64),
  });
});
afterAll(async () => {
  await integ.close();
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads a feed until `count` events came, then stops it. */
async function take(options: ChangeFeedOptions, count: number): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  if (count === 0) return out;
  for await (const e of integ.changes(options)) {
    out.push(e);
    if (out.length >= count) break;
  }
  return out;
}

/** The events of a feed up to and including the first whose summary contains `sentinel`. */
async function until(options: ChangeFeedOptions, sentinel: string): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  for await (const e of integ.changes(options)) {
    out.push(e);
    if (e.summary.includes(sentinel)) break;
  }
  return out;
}

describe('change feed', () => {
  it('delivers every event after a position in order, then live ones, with actor, time and a summary', async () => {
    const { hvs, nvm } = integ;
    const start = await hvs.eventStore.headPosition();
    await hvs.storeVector(new Float32Array(64).fill(0.5), { note: 'first' }, { id: 'v1' });
    await hvs.storeVector(new Float32Array(64).fill(0.25), { note: 'second' }, { id: 'v2' });
    const got = await take({ store: 'hvs', since: start }, 2);
    expect(got.map((e) => [e.type, e.stream])).toEqual([
      ['VectorStored', 'vec.v1'],
      ['VectorStored', 'vec.v2'],
    ]);
    expect(got[0]).toMatchObject({ store: 'hvs', position: start + 1, actor: expect.any(String) });
    expect(new Date(got[0]!.time).getTime()).toBeGreaterThan(0);
    expect(got[0]!.summary).toBe('vector v1 stored: {"note":"first"}');

    // Resuming after the first position gives the second, exactly; a live event arrives without a new subscription.
    const resumed = integ.changes({ store: 'hvs', since: got[0]!.position });
    const first = await resumed.next();
    expect(first.value).toMatchObject({ stream: 'vec.v2', position: got[1]!.position });
    const live = resumed.next();
    await hvs.deleteVector('v1');
    expect((await live).value).toMatchObject({ type: 'VectorDeleted', summary: 'vector v1 deleted' });
    await resumed.return(undefined);

    const block = await nvm.createBlock({
      name: 'feed_doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'A note about   NATS\nJetStream',
    });
    const [created] = await take({ store: 'nvm', streamPrefix: `block.${block.id}` }, 1);
    expect(created!.summary).toBe("block 'feed_doc' (documentation) created: A note about NATS JetStream");
  });

  it('filters by type and stream prefix', async () => {
    const { hvs } = integ;
    const start = await hvs.mailEventStore.headPosition();
    await hvs.sendMessage('f_a', 'f_b', { n: 1 });
    await hvs.sendMessage('f_c', 'f_d', { n: 2 });
    await hvs.sendMessage('f_a', 'f_d', { n: 3 });
    const toD = await take({ store: 'mail', since: start, streamPrefix: 'box.f_d.' }, 2);
    expect(toD.map((e) => e.summary)).toEqual(['f_c → f_d: {"n":2}', 'f_a → f_d: {"n":3}']);
    const sent = await take({ store: 'mail', since: start, types: ['MessageSent'] }, 3);
    expect(sent.every((e) => e.type === 'MessageSent')).toBe(true);
  });

  it('an agent sees only what it may read: its own mail, readable blocks (deleted ones too), no cache entries', async () => {
    const { hvs, nvm } = integ;
    const mailStart = await hvs.mailEventStore.headPosition();
    await hvs.sendMessage('alice', 'bob', { secret: 'for bob' });
    await hvs.sendMessage('carol', 'alice', { hi: 'alice' });
    await hvs.sendMessage('carol', 'dave', { secret: 'for dave' });
    await hvs.sendMessage('carol', 'alice', { end: 'sentinel' });
    const aliceMail = await until({ store: 'mail', since: mailStart, actor: 'alice' }, 'sentinel');
    expect(aliceMail.map((e) => e.summary)).toEqual([
      'alice → bob: {"secret":"for bob"}',
      'carol → alice: {"hi":"alice"}',
      'carol → alice: {"end":"sentinel"}',
    ]);

    const nvmStart = await nvm.eventStore.headPosition();
    const open = await nvm.createBlock({ name: 'open_doc', blockClass: BlockClass.DOCUMENTATION, content: 'for everyone' });
    const bobs = await nvm.createBlock({
      name: 'bob_doc',
      blockClass: BlockClass.DOCUMENTATION,
      content: 'bob only',
      permissions: { read: ['bob'], write: ['bob'] },
    });
    await nvm.updateBlock(bobs.id, 'bob only, v2');
    await nvm.deleteBlock(bobs.id);
    await nvm.updateBlock(open.id, 'for everyone, v2 (sentinel)');
    const streamsOf = (events: FeedEvent[]) => [...new Set(events.map((e) => e.stream))].filter((s) => s.startsWith('block.'));
    const asAlice = await until({ store: 'nvm', since: nvmStart, actor: 'alice' }, 'sentinel');
    expect(streamsOf(asAlice)).toEqual([`block.${open.id}`]);
    const asBob = await until({ store: 'nvm', since: nvmStart, actor: 'bob' }, 'sentinel');
    expect(streamsOf(asBob)).toEqual([`block.${open.id}`, `block.${bobs.id}`]);
    expect(asBob.filter((e) => e.stream === `block.${bobs.id}`).map((e) => e.type)).toEqual([
      'BlockCreated',
      'BlockUpdated',
      'BlockDeleted',
    ]);
    // Bob may read both blocks, so he sees what the owner sees, name claims included; alice sees less.
    const asOwner = await until({ store: 'nvm', since: nvmStart }, 'sentinel');
    expect(asBob.map((e) => e.position)).toEqual(asOwner.map((e) => e.position));
    expect(asOwner.some((e) => e.type === 'BlockNameClaimed')).toBe(true);
    expect(asAlice.length).toBeLessThan(asOwner.length);
  });

  it('a patch of a block is shown to the agents who may read it, and hidden from the others', async () => {
    const { nvm } = integ;
    const nvmStart = await nvm.eventStore.headPosition();
    const bobs = await nvm.createBlock({
      name: 'bob_list',
      blockClass: BlockClass.PROGRAM_STATE,
      content: { items: [] },
      permissions: { read: ['bob'], write: ['bob'] },
    });
    await nvm.patchBlock(bobs.id, [{ op: 'add', path: '/items/-', value: 'secret' }]);
    const open = await nvm.createBlock({ name: 'open_list', blockClass: BlockClass.PROGRAM_STATE, content: { items: [] } });
    await nvm.patchBlock(open.id, [{ op: 'add', path: '/items/-', value: 'sentinel' }]);
    const patchesFor = async (actor: string) =>
      (await until({ store: 'nvm', since: nvmStart, actor }, 'sentinel')).filter((e) => e.type === 'BlockPatched').map((e) => e.stream);
    expect(await patchesFor('alice')).toEqual([`block.${open.id}`]);
    expect(await patchesFor('bob')).toEqual([`block.${bobs.id}`, `block.${open.id}`]);
  });

  it('refuses bad options with a typed error', async () => {
    const feed = integ.changes({ store: 'blocks' as 'nvm' });
    await expect(feed.next()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(integ.changes({ store: 'nvm', since: -1 }).next()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
