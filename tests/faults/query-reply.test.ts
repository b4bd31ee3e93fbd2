// Security test: a query names its own reply subject, and the responder publishes there with its own permissions.
// A real projector must answer only to inboxes, so no caller can make it write into a stream; and a message that did
// land on a collection's stream cannot keep the collection from opening.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { decodeEventData, encodeEventData, hvsNames, mailNames, nvmNames, querySubject } from '@hvs-nvm/events';
import { HVS } from '@hvs-nvm/hvs';
import { runFixture, type Child } from '../support/child.js';

const COLL = 'qreply';
const NS = 'qreplyns';
let srv: TempNatsServer;
let dir: string;
let nc: NatsConnection;
let jsm: JetStreamManager;
let projector: Child;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-qreply-'));
  projector = runFixture(
    'apps/projector/src/main.ts',
    ['--data-dir', dir, '--collection', COLL, '--dimension', '4', '--geometry', 'euclidean', '--namespace', NS, '--encoder', 'hashing'],
    { NATS_URL: srv.url, HVS_NVM_LOG_LEVEL: 'warn' },
  );
  await projector.until((l) => l.some((x) => (x as { ready?: boolean }).ready === true), 90_000);
  nc = await connect({ servers: srv.url });
  jsm = await jetstreamManager(nc);
  // The mail stream exists once a client has opened the collection's mail; make it so for the "mail" reply subject.
  await using opener = await HVS.open({
    natsUrl: srv.url,
    storagePath: join(dir, 'opener'),
    collection: COLL,
    dimension: 4,
    geometry: 'euclidean',
  });
  await opener.connectModel('bob');
});

afterAll(async () => {
  await projector?.kill9();
  await nc?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lastSeq = async (stream: string) => (await jsm.streams.info(stream)).state.last_seq;

/** Collects whatever anyone publishes on a subject (a plain subscription sees every publish, stored or not). */
function watch(subject: string): { sub: Subscription; got: string[] } {
  const got: string[] = [];
  const sub = nc.subscribe(subject, { callback: (_err, m) => got.push(m.subject) });
  return { sub, got };
}

it('a projector answers a query only to an inbox: a reply subject on a store stream gets nothing written there', async () => {
  const forged = [
    { query: querySubject('hvs', COLL, 'count'), args: {}, reply: `${hvsNames(COLL).prefix}.collection`, stream: hvsNames(COLL).stream },
    {
      query: querySubject('hvs', COLL, 'count'),
      args: {},
      reply: `${mailNames(COLL).prefix}.box.bob.alice.forged`,
      stream: mailNames(COLL).stream,
    },
    {
      query: querySubject('nvm', NS, 'list'),
      args: { actor: 'system' },
      reply: `${nvmNames(NS).prefix}.block.forged`,
      stream: nvmNames(NS).stream,
    },
  ];
  const before = new Map<string, number>();
  for (const f of forged) before.set(f.stream, await lastSeq(f.stream));
  const watched = forged.map((f) => watch(f.reply));
  await nc.flush();

  for (const f of forged) nc.publish(f.query, encodeEventData(f.args), { reply: f.reply });
  // The same queries with an inbox are answered: the service is up and did see the forged ones first (one
  // connection's messages arrive in order, and the projector handles them in order).
  for (const f of forged) {
    const answer = decodeEventData((await nc.request(f.query, encodeEventData(f.args), { timeout: 10_000 })).data) as Record<
      string,
      unknown
    >;
    expect(answer).not.toHaveProperty('error');
  }
  await nc.flush();

  for (const [i, f] of forged.entries()) {
    expect(watched[i]!.got, `a reply was published on ${f.reply}`).toEqual([]);
    expect(await lastSeq(f.stream), `${f.stream} grew`).toBe(before.get(f.stream));
    watched[i]!.sub.unsubscribe();
  }
  // The collection still opens (before the fix: COLLECTION_UNSETTLED until an operator deleted the message).
  await using again = await HVS.open({
    natsUrl: srv.url,
    storagePath: join(dir, 'again'),
    collection: COLL,
    dimension: 4,
    geometry: 'euclidean',
  });
  expect(await again.count()).toBeGreaterThanOrEqual(0);
});

it("a collection's configuration is its first valid CollectionConfigured event, whatever else its stream holds", async () => {
  const coll = 'qconf';
  await jsm.streams.add({ name: hvsNames(coll).stream, subjects: [`${hvsNames(coll).prefix}.>`] });
  const js = (await import('@nats-io/jetstream')).jetstream(nc);
  // A foreign message before any configuration: the first client still configures the collection.
  await js.publish(`${hvsNames(coll).prefix}.collection`, new TextEncoder().encode('{"count":0}'));
  const open = (dimension: number, path: string) =>
    HVS.open({ natsUrl: srv.url, storagePath: join(dir, path), collection: coll, dimension, geometry: 'euclidean' });
  {
    await using first = await open(4, 'conf-1');
    await first.storeVector([1, 2, 3, 4], { n: 1 });
  }
  // A foreign message after it, newest on the stream: the configuration still decides, both ways.
  await js.publish(`${hvsNames(coll).prefix}.collection`, new TextEncoder().encode('{"count":1}'));
  await using second = await open(4, 'conf-2');
  expect(await second.count()).toBe(1);
  await expect(open(8, 'conf-3')).rejects.toMatchObject({ code: 'COLLECTION_MISMATCH' });
});
