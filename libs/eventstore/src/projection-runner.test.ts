// The projection runner: checkpoints never overlap (they share files), a forced one writes what came after a
// background one, and stop() returns only once no checkpoint is still writing. The runner's own logic runs over the
// in-memory event store; junk on the stream (which only JetStream can hold) over a real nats-server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { hvsNames } from '@hvs-nvm/events';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { EventStore, InMemoryEventStore, ProjectionRunner, type Projection, type RecordedEvent } from './index.js';

let srv: TempNatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  nc = await connect({ servers: srv.url });
});
afterAll(async () => {
  await nc?.close();
  await srv?.stop();
});

/** A view whose checkpoints are slow and which records whether two ever ran at once. */
class SlowView implements Projection {
  readonly name = 'slow';
  applied = 0;
  running = 0;
  overlapped = false;
  written: number[] = [];
  apply(_event: RecordedEvent): void {
    this.applied++;
  }
  async checkpoint(position: number): Promise<void> {
    if (++this.running > 1) this.overlapped = true;
    await new Promise((r) => setTimeout(r, 150));
    this.written.push(position);
    this.running--;
  }
}

it('serialises checkpoints, writes the latest on demand, and stop() waits for one under way', async () => {
  await using store = new InMemoryEventStore();
  const fact = (i: number) => ({
    type: 'FactAdded' as const,
    data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
  });
  for (let i = 0; i < 5; i++) await store.appendToStream(`fact.a${i}`, [fact(i)]);
  const view = new SlowView();
  // A checkpoint after every event: the background ones pile up behind each other unless serialised.
  const runner = new ProjectionRunner(store, view, { checkpointEveryEvents: 1 });
  await runner.start();
  for (let i = 5; i < 10; i++) await store.appendToStream(`fact.a${i}`, [fact(i)]);
  await runner.waitFor((await store.appendToStream('fact.last', [fact(10)])).position);
  const head = runner.position;
  await runner.checkpointNow();
  expect(view.written.at(-1)).toBe(head);
  // One more event, a background checkpoint starts for it; stop() must not return while it writes.
  await runner.waitFor((await store.appendToStream('fact.more', [fact(11)])).position);
  await runner.stop();
  expect(view.running).toBe(0);
  expect(view.written.at(-1)).toBe(runner.position);
  expect(view.overlapped).toBe(false);
  expect(view.applied).toBe(12);
});

/** A view that applies batches slowly and asynchronously, and checks what checkpoints see. */
class BatchView implements Projection {
  readonly name = 'batch';
  applied = new Set<number>();
  batches: number[] = [];
  snapshotsAhead = 0;
  apply(event: RecordedEvent): void {
    this.applied.add(event.position);
  }
  async applyBatch(events: readonly RecordedEvent[]) {
    this.batches.push(events.length);
    // Half now, half after a pause: a checkpoint or reader in between must not take the batch as applied.
    const half = Math.ceil(events.length / 2);
    events.slice(0, half).forEach((e) => this.applied.add(e.position));
    await new Promise((r) => setTimeout(r, 20));
    events.slice(half).forEach((e) => this.applied.add(e.position));
    return events
      .filter((e) => e.data && (e.data as { object?: string }).object === 'bad')
      .map((event) => ({ event, reason: 'bad object' }));
  }
  written: number[] = [];
  async checkpoint(position: number): Promise<void> {
    if ([...this.applied].some((p) => p > position)) this.snapshotsAhead++;
    this.written.push(position);
  }
}

it('applies catch-up in batches, releases readers only once a batch is applied, and parks what it refused', async () => {
  await using store = new InMemoryEventStore();
  const fact = (i: number, object = `o${i}`) => ({
    type: 'FactAdded' as const,
    data: { factId: `f${i}`, subject: 's', predicate: 'p', object, source: 'test', timestamp: i },
  });
  await store.appendNewStreams(
    Array.from({ length: 1500 }, (_, i) => ({ streamId: `fact.b${i}`, event: fact(i, i === 700 ? 'bad' : `o${i}`) })),
  );
  const view = new BatchView();
  const runner = new ProjectionRunner(store, view, { checkpointEveryEvents: 100, checkpointEveryMs: 5 });
  await runner.start();
  expect(view.applied.size).toBe(1500);
  // Catch-up came in batches, not one event at a time.
  expect(Math.max(...view.batches)).toBeGreaterThan(100);
  expect(runner.parked.map((p) => p.reason)).toEqual(['apply failed: bad object']);
  // Live: every reader released at a position finds its event applied.
  for (let i = 0; i < 50; i++) {
    const { position } = await store.appendToStream(`fact.c${i}`, [fact(2000 + i)]);
    await runner.waitFor(position);
    expect(view.applied.has(position)).toBe(true);
  }
  await runner.stop();
  expect(view.snapshotsAhead).toBe(0);
});

it('reaches the head when the last messages are junk that is parked, in catch-up and live', async () => {
  await using store = await EventStore.open(nc, { names: hvsNames('runner3') });
  const fact = (i: number) => ({
    type: 'FactAdded' as const,
    data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
  });
  const js = store.js;
  await store.appendNewStreams(Array.from({ length: 300 }, (_, i) => ({ streamId: `fact.d${i}`, event: fact(i) })));
  await js.publish('hvs.runner3.fact.junk1', new TextEncoder().encode('not an event'));
  await js.publish('hvs.runner3.fact.junk2', new TextEncoder().encode('nor this'));
  const view = new BatchView();
  const runner = new ProjectionRunner(store, view);
  // start() resolves once the view reflects the head: with the batch before the junk applied.
  await runner.start();
  expect(runner.position).toBe(await store.headPosition());
  expect(view.applied.size).toBe(300);
  expect(runner.parked).toHaveLength(2);
  // Live: an event, then junk, with nothing after it.
  await store.appendToStream('fact.live', [fact(1000)]);
  const junk = await js.publish('hvs.runner3.fact.junk3', new TextEncoder().encode('junk'));
  await runner.waitFor(junk.seq, 5_000);
  expect(view.applied.size).toBe(301);
  await runner.stop();
});

it('checkpoints during a long catch-up too, never ahead of the position it records', async () => {
  await using store = new InMemoryEventStore();
  const fact = (i: number) => ({
    type: 'FactAdded' as const,
    data: { factId: `f${i}`, subject: 's', predicate: 'p', object: `o${i}`, source: 'test', timestamp: i },
  });
  await store.appendNewStreams(Array.from({ length: 4000 }, (_, i) => ({ streamId: `fact.e${i}`, event: fact(i) })));
  const head = await store.headPosition();
  const view = new BatchView();
  // Batches keep coming back to back while catching up; a checkpoint is due every 10 ms.
  const runner = new ProjectionRunner(store, view, { checkpointEveryEvents: 1_000_000, checkpointEveryMs: 10 });
  await runner.start();
  const during = view.written.filter((p) => p < head);
  expect(during.length).toBeGreaterThan(0);
  expect(view.snapshotsAhead).toBe(0);
  await runner.stop();
});
