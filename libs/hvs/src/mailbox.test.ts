import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, InvalidAckTokenError, InvalidArgumentError, InvalidIdError, PayloadTooLargeError } from './index.js';

let srv: TempNatsServer;
let dir: string;
let n = 0;
const open = (collection: string, opts: Parameters<typeof HVS.open>[0] = {}) =>
  HVS.open({ storagePath: join(dir, `${collection}-${++n}`), natsUrl: srv.url, dimension: 4, collection, ...opts });

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-mail-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mailboxes', () => {
  it('delivers as the seed hub does: send, then receive oldest first, each once', async () => {
    await using hvs = await open('m1');
    await hvs.connectModel('model_a');
    await hvs.connectModel('model_b');
    const id1 = await hvs.sendMessage('model_a', 'model_b', { task: 'analyze', data: 'xyz' });
    const id2 = await hvs.sendMessage('model_a', 'model_b', { task: 'second' });
    const msgs = await hvs.receiveMessages('model_b');
    expect(msgs.map((m) => m.id)).toEqual([id1, id2]);
    expect(msgs[0]).toMatchObject({ from: 'model_a', to: 'model_b', body: { task: 'analyze', data: 'xyz' } });
    expect(msgs[0]!.sentAt).toBeInstanceOf(Date);
    expect(await hvs.receiveMessages('model_b')).toEqual([]);
  });

  it('waits as long as waitMs says: a short wait ends on time, a message sent meanwhile arrives at once', async () => {
    await using hvs = await open('mwait');
    await hvs.connectModel('waiter');
    let t0 = performance.now();
    expect(await hvs.receiveMessages('waiter', { waitMs: 150 })).toEqual([]);
    let took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    // Only the old 2 s pull floor is ruled out: a loaded CI machine may be slow, never that slow by design.
    expect(took).toBeLessThan(1900);
    t0 = performance.now();
    setTimeout(() => void hvs.sendMessage('someone', 'waiter', { late: true }), 200);
    const got = await hvs.receiveMessages('waiter', { waitMs: 10_000 });
    took = performance.now() - t0;
    expect(got.map((m) => m.body)).toEqual([{ late: true }]);
    expect(took).toBeLessThan(9_000); // well inside the 10 s wait: the message ended it
  });

  it('keeps mail for a model that has not connected yet', async () => {
    await using hvs = await open('m2');
    await hvs.sendMessage('model_a', 'late_model', { hello: 1 });
    await hvs.sendMessage('model_a', 'late_model', { hello: 2 });
    const conn = await hvs.connectModel('late_model');
    const got = await conn.receive();
    expect(got.map((m) => m.body)).toEqual([{ hello: 1 }, { hello: 2 }]);
  });

  it('broadcasts to every connected model except the sender and the excluded', async () => {
    await using hvs = await open('m3');
    for (const m of ['a', 'b', 'c', 'd']) await hvs.connectModel(m);
    const to = await hvs.broadcast('a', { note: 'hi' }, { exclude: ['c'] });
    expect(to.sort()).toEqual(['b', 'd']);
    expect(await hvs.receiveMessages('b')).toHaveLength(1);
    expect(await hvs.receiveMessages('d')).toHaveLength(1);
    expect(await hvs.receiveMessages('c')).toHaveLength(0);
    expect(await hvs.receiveMessages('a')).toHaveLength(0);
    expect((await hvs.listModels()).map((m) => m.modelId).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('replays a mailbox without disturbing pending mail', async () => {
    await using hvs = await open('m4');
    for (let i = 0; i < 5; i++) await hvs.sendMessage('x', 'y', { i });
    const all = await hvs.replayMessages('y');
    expect(all.map((m) => m.body)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    const fromThird = await hvs.replayMessages('y', { since: all[2]!.seq });
    expect(fromThird.map((m) => m.body)).toEqual([{ i: 2 }, { i: 3 }, { i: 4 }]);
    expect(await hvs.receiveMessages('y')).toHaveLength(5);
    expect(await hvs.replayMessages('y')).toHaveLength(5);
  });

  it('redelivers an unacknowledged message on the live iterator, then dead-letters it', async () => {
    await using hvs = await open('m5', { ackWaitMs: 300, maxDeliveries: 2 });
    const conn = await hvs.connectModel('worker');
    await hvs.sendMessage('boss', 'worker', { job: 1 });
    const seen: number[] = [];
    const ac = new AbortController();
    for await (const m of conn.messages({ signal: ac.signal })) {
      seen.push(m.deliveryCount);
      if (m.deliveryCount === 1) continue; // no ack: comes back after ackWaitMs
      m.nak(); // refused again: past maxDeliveries it is dead-lettered
      if (seen.length >= 2) {
        setTimeout(() => ac.abort(), 1500);
      }
    }
    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(await hvs.receiveMessages('worker')).toEqual([]);
  });

  it('a slow handler gets each message once: those fetched ahead do not time out while they wait', async () => {
    await using hvs = await open('m7', { ackWaitMs: 600, maxDeliveries: 3 });
    const conn = await hvs.connectModel('slow');
    for (let i = 0; i < 12; i++) await hvs.sendMessage('boss', 'slow', { i });
    const got: { i: number; deliveryCount: number }[] = [];
    const ac = new AbortController();
    for await (const m of conn.messages({ signal: ac.signal })) {
      await new Promise((r) => setTimeout(r, 150)); // 12 × 150 ms: the last ones wait 3× the ack wait
      got.push({ i: (m.body as { i: number }).i, deliveryCount: m.deliveryCount });
      await m.ack({ confirm: true });
      // Go on a while after the twelfth: a copy redelivered behind the handler's back would turn up now.
      if (got.length === 12) setTimeout(() => ac.abort(), 1500);
    }
    expect(got.map((g) => g.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(got.every((g) => g.deliveryCount === 1)).toBe(true);
  });

  it('unconfirmed acks of the live iterator are sent together, and are final: a nak or working() after ack() changes nothing', async () => {
    await using hvs = await open('mbatch', { ackWaitMs: 400 });
    const conn = await hvs.connectModel('batcher');
    for (let i = 0; i < 5; i++) await hvs.sendMessage('boss', 'batcher', { i });
    const got: number[] = [];
    for await (const m of conn.messages()) {
      got.push((m.body as { i: number }).i);
      await m.ack();
      m.nak();
      m.working();
      if (got.length === 5) break;
    }
    expect(got).toEqual([0, 1, 2, 3, 4]);
    // Past the ack wait: an ack held and never sent, or a nak that went out, would bring a message back.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await hvs.receiveMessages('batcher')).toEqual([]);
  });

  it('fetchMessages hands out without acking: ack() keeps them taken, release() and nak() give them back, tokens ack from any client', async () => {
    await using a = await open('mfetch', { ackWaitMs: 400 });
    await using b = await open('mfetch', { ackWaitMs: 400 });
    for (let i = 0; i < 6; i++) await a.sendMessage('x', 'rx', { i });
    const bodies = (ms: { body: unknown }[]) => ms.map((m) => (m.body as { i: number }).i);
    const first = await a.fetchMessages('rx', { max: 2 });
    expect(bodies(first.messages)).toEqual([0, 1]);
    await first.ack();
    const second = await a.fetchMessages('rx', { max: 2 });
    expect(bodies(second.messages)).toEqual([2, 3]);
    second.nak();
    // Given back at once: another client gets them (and the rest), never the acknowledged ones.
    const third = await b.fetchMessages('rx', { max: 10 });
    expect(bodies(third.messages)).toEqual([2, 3, 4, 5]);
    third.release();
    // Released without an ack: back after the ack wait, here to a client that never saw them.
    const [t2, t3] = third.messages;
    expect(await a.ackMessages('rx', [t2!.ackToken, t3!.ackToken])).toBe(2);
    const again = await a.receiveMessages('rx', { waitMs: 5000 });
    expect(bodies(again)).toEqual([4, 5]);
    expect(await b.receiveMessages('rx', { waitMs: 1000 })).toEqual([]);
    await expect(a.ackMessages('rx', ['not-a-token'])).rejects.toBeInstanceOf(InvalidAckTokenError);
    await expect(a.ackMessages('other', [t2!.ackToken])).rejects.toBeInstanceOf(InvalidAckTokenError);
  });

  it('refuses bad ids and bodies', async () => {
    await using hvs = await open('m6', { maxMessageBytes: 100 });
    await expect(hvs.sendMessage('a b', 'x', {})).rejects.toBeInstanceOf(InvalidIdError);
    await expect(hvs.sendMessage('a', 'x', undefined)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(hvs.sendMessage('a', 'x', { f: () => 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(hvs.sendMessage('a', 'x', { big: 'y'.repeat(200) })).rejects.toBeInstanceOf(PayloadTooLargeError);
    // Past MessageSent's nesting limit (the send's checks stand in for the append's schema check).
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    await using roomy = await open('m6deep');
    await expect(roomy.sendMessage('a', 'x', deep)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await roomy.replayMessages('x')).toEqual([]);
    expect(await hvs.replayMessages('x')).toEqual([]);
  });
});
