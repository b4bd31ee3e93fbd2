// deleteStoreStream on a real nats-server: the named store's stream and its events go, a neighbour's stay.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { deleteStoreStream, EventStore } from './index.js';

let srv: TempNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc = await connect({ servers: srv.url, name: 'stream-admin-test' });
});
afterAll(async () => {
  await nc?.close();
  await srv?.stop();
});

const fact = { type: 'FactAdded' as const, data: { factId: 'f1', subject: 's', predicate: 'p', object: 'o', source: 'x', timestamp: 1 } };

it('deletes one store’s stream and leaves the others', async () => {
  const a = await EventStore.open(nc, { names: hvsNames('a') });
  const ab = await EventStore.open(nc, { names: hvsNames('a_b') });
  await a.appendToStream('fact.f1', [fact]);
  await ab.appendToStream('fact.f1', [fact]);
  const jsm = await jetstreamManager(nc);

  expect(await deleteStoreStream(jsm, hvsNames('a'))).toBe(true);
  const names = (await jsm.streams.names().next()).sort();
  expect(names).toEqual(['HVS_a_b']);
  expect((await ab.readStream('fact.f1')).length).toBe(1);
  // Gone, and deleting it again is no error.
  expect(await deleteStoreStream(jsm, hvsNames('a'))).toBe(false);
  // Reopened, it is a new, empty stream.
  const again = await EventStore.open(nc, { names: hvsNames('a') });
  expect(await again.readStream('fact.f1')).toEqual([]);
  await Promise.all([a.close(), ab.close(), again.close()]);
});
