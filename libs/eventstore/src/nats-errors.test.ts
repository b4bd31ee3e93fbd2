// Our classification of NATS errors, against errors a real nats-server makes happen: no responders, a timeout,
// JetStream missing, and a wrong last sequence (optimistic concurrency), each recognised by the client's own types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { RequestError, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, JetStreamApiError } from '@nats-io/jetstream';
import { CodedError, hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import {
  EventStore,
  EventStoreError,
  isNatsError,
  isNoResponders,
  isTimeout,
  isTransient,
  isWrongLastSequence,
  WrongExpectedVersionError,
  type AnyNewEvent,
} from './index.js';

let js: TempNatsServer;
let plain: TempNatsServer;
let nc: NatsConnection;
let ncPlain: NatsConnection;

beforeAll(async () => {
  js = await TempNatsServer.start();
  plain = await TempNatsServer.start({ noJetStream: true });
  nc = await connect({ servers: js.url, name: 'nats-errors-test' });
  ncPlain = await connect({ servers: plain.url, name: 'nats-errors-test-plain' });
});
afterAll(async () => {
  await nc?.close();
  await ncPlain?.close();
  await js?.stop();
  await plain?.stop();
});

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const fact = (i: number): AnyNewEvent => ({
  type: 'FactAdded',
  data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
});

describe('NATS error classification', () => {
  it('a request nobody listens to is "no responders": transient, not a timeout', async () => {
    const err = await failure(() => nc.request('nobody.listens.here', new Uint8Array(), { timeout: 5000 }));
    expect(err).toBeInstanceOf(RequestError);
    // Why names cannot be trusted: nats-core 3.4 names the cause 'NoResponders', not 'NoRespondersError'.
    expect((err as Error).name).toBe('RequestError');
    expect(((err as Error).cause as Error).name).toBe('NoResponders');
    expect([isNoResponders(err), isTimeout(err), isTransient(err), isNatsError(err)]).toEqual([true, false, true, true]);
  });

  it('a request whose responder never answers is a timeout: transient, not "no responders"', async () => {
    const silent = nc.subscribe('silent.service');
    await nc.flush();
    const err = await failure(() => nc.request('silent.service', new Uint8Array(), { timeout: 200 }));
    silent.unsubscribe();
    expect([isTimeout(err), isNoResponders(err), isTransient(err), isNatsError(err)]).toEqual([true, false, true, true]);
  });

  it('a server without JetStream answers no JetStream request: "no responders", transient', async () => {
    const err = await failure(() => jetstreamManager(ncPlain, { timeout: 2000 }));
    expect((err as Error).name).toBe('JetStreamNotEnabled');
    expect([isNoResponders(err), isTransient(err), isNatsError(err)]).toEqual([true, true, true]);
  });

  it('a publish expecting another last subject sequence is a wrong last sequence, and not transient', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'WLS', subjects: ['wls.>'] });
    const client = jetstream(nc);
    await client.publish('wls.a', new Uint8Array([1]));
    const err = await failure(() => client.publish('wls.a', new Uint8Array([2]), { expect: { lastSubjectSequence: 7 } }));
    expect(err).toBeInstanceOf(JetStreamApiError);
    expect([isWrongLastSequence(err), isTransient(err), isNoResponders(err), isNatsError(err)]).toEqual([true, false, false, true]);
  });

  it('a stale expected revision refused by the server becomes WrongExpectedVersionError (412)', async () => {
    const a = await EventStore.open(nc, { names: hvsNames('nats_errors') });
    const b = await EventStore.open(nc, { names: hvsNames('nats_errors') });
    try {
      await a.appendToStream('s.one', [fact(0)], { expectedRevision: 'no_stream' });
      // b moves the stream on; a still has revision 0 cached as the tip, so only the server can refuse it.
      await b.appendToStream('s.one', [fact(1)], { expectedRevision: 0 });
      const err = await failure(() => a.appendToStream('s.one', [fact(2)], { expectedRevision: 0 }));
      expect(err).toBeInstanceOf(WrongExpectedVersionError);
      expect(err).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', status: 412, actual: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('our own errors are CodedErrors and no NATS error', () => {
    const ours = new WrongExpectedVersionError('s', 0, 1);
    expect(ours).toBeInstanceOf(EventStoreError);
    expect(ours).toBeInstanceOf(CodedError);
    expect([isNatsError(ours), isTransient(ours), isNatsError(new Error('timeout no responders 503'))]).toEqual([false, false, false]);
  });
});
