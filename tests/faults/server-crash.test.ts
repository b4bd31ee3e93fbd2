// Crash matrix, server row: kill -9 of `hvs-nvm start` (HTTP API + projections) in the middle of requests. Every
// write it acknowledged (HTTP 201) is there after a restart, exactly once; the restarted server answers at once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { http, startStack, tempDir, type Stack } from '../e2e/stack.js';

let srv: TempNatsServer;
let tmp: ReturnType<typeof tempDir>;
let stack: Stack | undefined;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  tmp = tempDir('hvs-nvm-server-crash-');
});
afterAll(async () => {
  await stack?.stop();
  await srv.stop();
  tmp.remove();
});

it('kill -9 of the server mid-request: every acknowledged vector, block version and message survives, once', async () => {
  const env = { NATS_URL: srv.url };
  stack = await startStack(tmp.dir, [], env);
  const first = stack;
  const dimension = (await http(first.url, 'GET', '/v1/stats')).body.hvs.dimension as number;
  const vector = (i: number) => Array.from({ length: dimension }, (_, j) => Math.sin(i * 7 + j));
  const acked = { vectors: [] as string[], messages: [] as string[], blocks: 0 };
  let failures = 0;
  let stop = false;
  const created = await http(first.url, 'POST', '/v1/blocks', { name: 'server-crash-log', blockClass: 'documentation', content: '' });
  expect(created.status).toBe(201);
  const blockId = created.body.id as string;

  // Four writers keep requests in flight until the server dies under them.
  let n = 0;
  const writer = async (kind: number) => {
    while (!stop) {
      const i = n++;
      try {
        if (kind === 0 || kind === 1) {
          const r = await http(first.url, 'POST', '/v1/vectors', { id: `s-${i}`, vector: vector(i), metadata: { i } });
          if (r.status === 201) acked.vectors.push(`s-${i}`);
        } else if (kind === 2) {
          const r = await http(first.url, 'POST', '/v1/messages', { from: 'writer', to: 'reader', body: { i } });
          if (r.status === 201) acked.messages.push(r.body.id as string);
        } else {
          const r = await http(first.url, 'GET', `/v1/blocks/${blockId}`);
          const u = await http(first.url, 'PUT', `/v1/blocks/${blockId}`, {
            content: `${r.body.content as string}${i};`,
            expectedVersion: r.body.version as number,
          });
          if (u.status === 200) acked.blocks++;
        }
      } catch {
        failures++; // the connection died with the server: the outcome of this request is unknown
        return;
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  const deadline = Date.now() + 60_000;
  while (acked.vectors.length < 200 || acked.messages.length < 50 || acked.blocks < 20) {
    if (Date.now() > deadline)
      throw new Error(
        `too few writes acknowledged: ${JSON.stringify({ v: acked.vectors.length, m: acked.messages.length, b: acked.blocks })}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  await first.child.kill9();
  stop = true;
  await Promise.all(writers);

  stack = await startStack(tmp.dir, [], env);
  const second = stack;
  for (const id of acked.vectors) {
    const r = await http(second.url, 'GET', `/v1/vectors/${id}`);
    expect(r.status, id).toBe(200);
  }
  const stats = (await http(second.url, 'GET', '/v1/stats')).body;
  // At most the requests in flight at the kill landed unacknowledged; one stream per id, so none twice.
  expect(stats.hvs.vectors).toBeGreaterThanOrEqual(acked.vectors.length);
  expect(stats.hvs.vectors - acked.vectors.length).toBeLessThanOrEqual(2);

  const block = (await http(second.url, 'GET', `/v1/blocks/${blockId}`)).body;
  // Version 1 is the creation; each acknowledged update is one version, and the content has each of them once.
  expect(block.version).toBeGreaterThanOrEqual(acked.blocks + 1);
  expect(block.version).toBeLessThanOrEqual(acked.blocks + 2);
  const parts = (block.content as string).split(';').filter(Boolean);
  expect(new Set(parts).size).toBe(parts.length);
  expect(parts.length).toBe(block.version - 1);

  const received: string[] = [];
  for (;;) {
    const r = await http(second.url, 'GET', '/v1/mailboxes/reader/messages?max=256');
    expect(r.status).toBe(200);
    const batch = r.body.messages as { id: string }[];
    if (batch.length === 0) break;
    received.push(...batch.map((m) => m.id));
  }
  expect(new Set(received).size).toBe(received.length);
  const got = new Set(received);
  expect(acked.messages.filter((id) => !got.has(id))).toEqual([]);
  console.log(
    `[crash-matrix] server kill -9: vectors acked ${acked.vectors.length} found ${stats.hvs.vectors}, messages acked ` +
      `${acked.messages.length} received ${received.length}, block updates acked ${acked.blocks} versions ${block.version}, ` +
      `requests cut by the kill ${failures}`,
  );
}, 180_000);
