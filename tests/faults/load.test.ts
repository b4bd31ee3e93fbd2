// Load test: 20 agents (in-process HVS clients, one connection each) mail each other concurrently; every message arrives once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureGc } from '../support/gc.js';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS, type ModelConnection } from '@hvs-nvm/hvs';
import { NVM, BlockClass } from '@hvs-nvm/nvm';
import { hashingEncoder } from '@hvs-nvm/encoders';

const AGENTS = Number(process.env['HVS_LOAD_AGENTS'] ?? 20);
const PER_AGENT = Number(process.env['HVS_LOAD_MESSAGES'] ?? 1000);
/** Sends each agent keeps in flight. */
const IN_FLIGHT = 8;
const COLL = 'load';
const RECEIVE_MODE = process.env['HVS_LOAD_RECEIVE'] ?? 'live';
/** Read-modify-write increments each agent makes per round on the shared counter blocks. */
const UPDATES_PER_AGENT = Number(process.env['HVS_LOAD_UPDATES'] ?? 25);
const SHARED_BLOCKS = 4;
/** receiveMessages calls that threw (fetch mode only). */
const receiveErrors: string[] = [];

let srv: TempNatsServer;
let dir: string;
const clients: { id: string; hvs: HVS; nvm: NVM; conn: ModelConnection }[] = [];
const counters: string[] = [];

beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-load-'));
  for (let i = 0; i < AGENTS; i++) {
    const id = `agent${String(i).padStart(2, '0')}`;
    const hvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, id), collection: COLL, dimension: 4, actor: id });
    const nvm = await NVM.open({
      natsUrl: srv.url,
      storagePath: join(dir, `${id}-nvm`),
      namespace: COLL,
      actor: id,
      encoder: hashingEncoder(16),
    });
    clients.push({ id, hvs, nvm, conn: await hvs.connectModel(id) });
  }
  for (let b = 0; b < SHARED_BLOCKS; b++) {
    const block = await clients[0]!.nvm.createBlock({
      name: `shared-counter-${b}`,
      blockClass: BlockClass.SHARED_KNOWLEDGE,
      content: '0',
      permissions: { read: ['*'], write: ['*'] },
    });
    counters.push(block.id);
  }
});

afterAll(async () => {
  for (const c of clients) {
    await c.nvm.close();
    await c.hvs.close();
  }
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

interface RoundResult {
  messages: number;
  seconds: number;
  msgsPerSecond: number;
}

/** Every agent sends PER_AGENT messages to random others while receiving its own; checks exactly-once delivery. */
async function round(n: number): Promise<RoundResult> {
  const sentTo = new Map<string, Set<string>>(clients.map((c) => [c.id, new Set<string>()]));
  const received = new Map<string, string[]>(clients.map((c) => [c.id, []]));
  let sending = true;
  const start = performance.now();

  const senders = clients.map(async ({ id, hvs }) => {
    const others = clients.filter((c) => c.id !== id);
    let next = 0;
    const lane = async () => {
      for (let k = next++; k < PER_AGENT; k = next++) {
        const to = others[Math.floor(Math.random() * others.length)]!.id;
        const mid = await hvs.sendMessage(id, to, { round: n, from: id, k });
        sentTo.get(to)!.add(mid);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  });
  // Receivers: each agent's live mailbox iterator (consume with explicit ack), as a long-running agent reads.
  // HVS_LOAD_RECEIVE=fetch polls receiveMessages instead (also exactly once; slightly slower).
  const poll = async ({ id, hvs }: (typeof clients)[number]) => {
    const mine = received.get(id)!;
    const deadline = Date.now() + 60_000;
    while ((sending || mine.length < sentTo.get(id)!.size) && Date.now() < deadline) {
      try {
        for (const m of await hvs.receiveMessages(id, { max: 256, waitMs: 100 })) mine.push(m.id);
      } catch (err) {
        receiveErrors.push(String(err));
      }
    }
  };
  const receivers =
    RECEIVE_MODE === 'fetch'
      ? clients.map(poll)
      : clients.map(async ({ id, conn }) => {
          const mine = received.get(id)!;
          const stop = new AbortController();
          const timer = setTimeout(() => stop.abort(), 120_000);
          const check = setInterval(() => {
            if (!sending && mine.length >= sentTo.get(id)!.size) stop.abort();
          }, 20);
          try {
            for await (const m of conn.messages({ signal: stop.signal })) {
              expect(m.to).toBe(id);
              await m.ack();
              mine.push(m.id);
            }
          } finally {
            clearTimeout(timer);
            clearInterval(check);
          }
        });
  // Shared blocks: every agent increments the counters (read-modify-write, retried on conflict) while mailing.
  const updaters = clients.map(async ({ nvm }) => {
    for (let u = 0; u < UPDATES_PER_AGENT; u++) {
      await nvm.updateBlock(counters[u % SHARED_BLOCKS]!, (b) => String(Number(b.content) + 1));
    }
  });
  await Promise.all([...senders, ...updaters]);
  sending = false;
  await Promise.all(receivers);
  const seconds = (performance.now() - start) / 1000;

  // Nothing more arrives (no duplicate redelivered late), and each mailbox got exactly what was sent to it.
  const late = await Promise.all(clients.map(({ id, hvs }) => hvs.receiveMessages(id, { max: 256, waitMs: 200 })));
  expect(late.flat()).toEqual([]);
  if (receiveErrors.length > 0) console.log('[load] receiveMessages errors:', receiveErrors.length, receiveErrors[0]);
  for (const { id } of clients) {
    const got = received.get(id)!;
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(sentTo.get(id));
  }
  const messages = AGENTS * PER_AGENT;
  expect([...received.values()].reduce((s, r) => s + r.length, 0)).toBe(messages);
  // No lost update: the counters add up to every increment of every round so far, one version each.
  await clients[0]!.nvm.sync();
  let total = 0;
  for (const id of counters) {
    const b = await clients[0]!.nvm.getBlock(id);
    expect(b.version).toBe(Number(b.content) + 1);
    total += Number(b.content);
  }
  expect(total).toBe(AGENTS * UPDATES_PER_AGENT * n);
  return { messages, seconds: Number(seconds.toFixed(2)), msgsPerSecond: Math.round(messages / seconds) };
}

/** Heap in use after full collections (vitest's workers have no --expose-gc: gc is made callable at run time). */
function heapAfterGc(): number {
  if (!ensureGc()) throw new Error('gc() is not available');
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

it(`${AGENTS} agents each send ${PER_AGENT} messages to random others and update shared blocks: every message is delivered exactly once, no update is lost, and memory stays flat over three rounds`, async () => {
  const rss0 = process.memoryUsage().rss;
  const rounds = [];
  const heap: number[] = [];
  for (let n = 1; n <= 3; n++) {
    rounds.push(await round(n));
    heap.push(heapAfterGc());
  }
  const rss3 = process.memoryUsage().rss;
  console.log(
    '[load report]',
    JSON.stringify({
      agents: AGENTS,
      receive: RECEIVE_MODE,
      perAgent: PER_AGENT,
      blockUpdatesPerRound: AGENTS * UPDATES_PER_AGENT,
      rounds,
      heapAfterGcMb: heap.map(mb),
      rssMb: { before: mb(rss0), after: mb(rss3) },
      natsServerPid: srv.server.pid,
    }),
  );
  // The first round warms up (JIT, connections, consumers); after it, 20,000 more messages may not leave more than
  // the block versions they add (500 a round, kept for history) and noise: well under 16 MB.
  expect(heap[2]! - heap[1]!).toBeLessThan(16 * 2 ** 20);
}, 300_000);
