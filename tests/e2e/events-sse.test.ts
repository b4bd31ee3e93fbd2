// End to end: the live change feed over Server-Sent Events — 20 subscribers across a server restart, resumption by
// Last-Event-ID, filters, and per-agent views.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';
import { FollowingSubscriber, parseSse } from '../support/sse.js';

const created: Stack[] = [];
afterAll(async () => {
  for (const s of created) await s.stop();
});

async function start(dir: string, args: string[] = []): Promise<Stack> {
  const s = await startStack(dir, args);
  created.push(s);
  return s;
}

const createBlock = (base: string, name: string, headers: Record<string, string> = {}, permissions?: unknown) =>
  http(
    base,
    'POST',
    '/v1/blocks',
    { name, blockClass: 'documentation', content: `content of ${name}`, ...(permissions ? { permissions } : {}) },
    headers,
  );

/** The positions of a feed up to now: reads until `count` events came. */
async function read(base: string, path: string, count: number, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: { id: number; event: string; data: Record<string, unknown> }[] = [];
  for await (const e of parseSse(res.body!, abort.signal)) {
    out.push({ id: Number(e.id), event: e.event, data: JSON.parse(e.data) as Record<string, unknown> });
    if (out.length >= count) break;
  }
  abort.abort();
  return out;
}

describe('GET /v1/events', () => {
  it('20 subscribers across a server restart: every event once, in order', async () => {
    const tmp = tempDir('hvs-nvm-e2e-sse-');
    try {
      let stack = await start(tmp.dir);
      let base = stack.url;
      const subscribers = Array.from(
        { length: 20 },
        () => new FollowingSubscriber(() => base, '/v1/events?store=nvm&types=BlockCreated,BlockUpdated'),
      );
      for (let i = 0; i < 10; i++) expect((await createBlock(base, `before_${i}`)).status).toBe(201);
      await expect.poll(() => Math.min(...subscribers.map((s) => s.events.length)), { timeout: 20_000 }).toBe(10);

      // Restart on the same data dir: the subscribers lose their stream and reconnect with their last id.
      expect(await stack.stop()).toBe(0);
      stack = await start(tmp.dir);
      base = stack.url;
      for (let i = 0; i < 10; i++) {
        const b = await createBlock(base, `after_${i}`);
        expect(b.status).toBe(201);
        expect((await http(base, 'PUT', `/v1/blocks/${b.body.id}`, { content: `v2 of after_${i}` })).status).toBe(200);
      }
      await expect.poll(() => Math.min(...subscribers.map((s) => s.events.length)), { timeout: 30_000 }).toBe(30);
      await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show itself
      await Promise.all(subscribers.map((s) => s.stop()));

      const reference = await read(base, '/v1/events?store=nvm&types=BlockCreated,BlockUpdated', 30);
      const ids = reference.map((e) => e.id);
      expect(new Set(ids).size).toBe(30);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(reference.filter((e) => e.event === 'BlockCreated')).toHaveLength(20);
      for (const s of subscribers) expect(s.events.map((e) => Number(e.id))).toEqual(ids);
      expect(reference[0]!.data).toMatchObject({
        store: 'nvm',
        type: 'BlockCreated',
        position: ids[0],
        actor: 'system',
        summary: "block 'before_0' (documentation) created: content of before_0",
      });
    } finally {
      tmp.remove();
    }
  });

  it('since, Last-Event-ID and stream filters; bad queries are 400', async () => {
    const tmp = tempDir('hvs-nvm-e2e-sse2-');
    try {
      const stack = await start(tmp.dir);
      await http(stack.url, 'POST', '/v1/messages', { from: 'a', to: 'b', body: { n: 1 } });
      await http(stack.url, 'POST', '/v1/messages', { from: 'a', to: 'c', body: { n: 2 } });
      await http(stack.url, 'POST', '/v1/messages', { from: 'a', to: 'b', body: { n: 3 } });
      const toB = await read(stack.url, '/v1/events?store=mail&stream=box.b.', 2);
      expect(toB.map((e) => e.data['summary'] as string)).toEqual(['a → b: {"n":1}', 'a → b: {"n":3}']);
      const after = await read(stack.url, `/v1/events?store=mail&since=${toB[0]!.id}`, 1);
      expect(after[0]!.data['summary']).toBe('a → c: {"n":2}');
      // Last-Event-ID wins over since: a reconnecting browser sends it.
      const resumed = await read(stack.url, '/v1/events?store=mail&since=0', 1, { 'last-event-id': String(after[0]!.id) });
      expect(resumed[0]!.data['summary']).toBe('a → b: {"n":3}');
      for (const q of ['store=blocks', 'store=nvm&since=-1', 'store=nvm&types=Nope', 'store=nvm&colour=red']) {
        expect((await http(stack.url, 'GET', `/v1/events?${q}`)).status, q).toBe(400);
      }
      expect((await http(stack.url, 'GET', '/v1/events?store=nvm', undefined, { 'last-event-id': 'x' })).status).toBe(400);
      expect((await http(stack.url, 'POST', '/v1/events?store=nvm', {})).status).toBe(405);

      await http(stack.url, 'POST', '/v1/facts', { subject: 'NATS', predicate: 'is', object: 'a message bus', source: 'test' });
      const facts = await read(stack.url, '/v1/facts/events', 1);
      expect(facts[0]).toMatchObject({ event: 'fact', data: { subject: 'NATS', predicate: 'is', object: 'a message bus' } });
    } finally {
      tmp.remove();
    }
  });

  it('an agent token sees only what that agent may read', async () => {
    const tmp = tempDir('hvs-nvm-e2e-sse3-');
    try {
      const file = join(tmp.dir, 'agent-tokens.json');
      const generated = await cli(['auth', 'tokens', '--agent', 'alice,bob', '-o', file, '--json']);
      const tokens = Object.fromEntries(
        (generated.json[0] as { tokens: { agent: string; token: string }[] }).tokens.map((t) => [t.agent, `Bearer ${t.token}`]),
      );
      const stack = await start(tmp.dir, ['--agent-tokens', file]);
      const bob = { authorization: tokens['bob']! };
      const alice = { authorization: tokens['alice']! };
      expect((await createBlock(stack.url, 'bobs_secret', bob, { read: ['bob'], write: ['bob'] })).status).toBe(201);
      expect((await createBlock(stack.url, 'for_all', bob, { read: ['*'], write: ['bob'] })).status).toBe(201);
      await http(stack.url, 'POST', '/v1/messages', { from: 'bob', to: 'bob', body: { note: 'to self' } }, bob);
      await http(stack.url, 'POST', '/v1/messages', { from: 'alice', to: 'alice', body: { note: 'mine' } }, alice);
      const seen = await read(stack.url, '/v1/events?store=nvm&types=BlockCreated', 1, alice);
      expect(seen[0]!.data['summary']).toContain("'for_all'");
      const mail = await read(stack.url, '/v1/events?store=mail', 1, alice);
      expect(mail[0]!.data['summary']).toBe('alice → alice: {"note":"mine"}');
      expect((await http(stack.url, 'GET', '/v1/events?store=nvm')).status).toBe(401);
    } finally {
      tmp.remove();
    }
  });
});
