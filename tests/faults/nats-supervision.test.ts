// Crash matrix, embedded-server row: kill -9 of the nats-server under a running `hvs-nvm start`. The server says it
// is degraded (503) while NATS is away, a write then fails at once with a typed 503 instead of hanging, the
// supervisor restarts nats-server on the same port and store, and afterwards health is ok, writes succeed and every
// acknowledged write is still there.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isProcessAlive } from '@hvs-nvm/runtime';
import { http, startStack, tempDir, type Stack } from '../e2e/stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack | undefined;
beforeAll(() => {
  tmp = tempDir('hvs-nvm-nats-supervision-');
});
afterAll(async () => {
  await stack?.stop();
  tmp.remove();
});

const lockOf = (dataDir: string) =>
  JSON.parse(readFileSync(join(dataDir, 'hvs', 'jetstream', 'server.lock'), 'utf8')) as { serverPid: number; port: number };

/** Listens on `port` as soon as the dead server has let go of it; accepted connections are closed at once. */
async function holdPort(port: number): Promise<Server> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const srv = createServer((sock) => sock.destroy());
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return srv;
    if (Date.now() > deadline)
      throw new Error(`port ${port} stayed busy: the supervisor restarted nats-server before the test could hold it`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('kill -9 of the embedded nats-server: health 503 and fast typed write errors during the gap, then a restart on the same port with nothing lost', async () => {
  stack = await startStack(tmp.dir);
  const { url } = stack;
  const dimension = (await http(url, 'GET', '/v1/stats')).body.hvs.dimension as number;
  const vector = (i: number) => Array.from({ length: dimension }, (_, j) => Math.cos(i * 3 + j));
  expect(await http(url, 'GET', '/v1/health')).toMatchObject({ status: 200, body: { status: 'ok' } });

  const acked: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await http(url, 'POST', '/v1/vectors', { id: `before-${i}`, vector: vector(i) });
    expect(r.status).toBe(201);
    acked.push(`before-${i}`);
  }
  const sent = await http(url, 'POST', '/v1/messages', { from: 'a', to: 'b', body: { n: 1 } });
  expect(sent.status).toBe(201);

  const { serverPid, port } = lockOf(tmp.dir);
  process.kill(serverPid, 'SIGKILL');
  // Holding the port keeps the supervisor's restarts failing, so the gap lasts as long as this test needs.
  const held = await holdPort(port);
  let released = false;
  try {
    const degraded = await until(
      'health to say degraded',
      () => http(url, 'GET', '/v1/health'),
      (r) => r.status === 503,
    );
    expect(degraded.body).toMatchObject({ status: 'degraded', reason: expect.any(String) });

    const started = Date.now();
    // A generous ceiling: before the fix the write hung for a minute; now it answers within the reconnect wait.
    const res = await fetch(`${url}/v1/vectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'during-gap', vector: vector(999) }),
      signal: AbortSignal.timeout(15_000),
    });
    const gapWriteMs = Date.now() - started;
    const problem = (await res.json()) as { code: string; status: number };
    expect(res.status).toBe(503);
    expect(problem.code).toBe('EVENT_STORE_UNAVAILABLE');
    console.log(`[crash-matrix] embedded nats-server kill -9: a write during the gap failed in ${gapWriteMs} ms with ${problem.code}`);
    await new Promise<void>((r) => held.close(() => r()));
    released = true;

    const recovered = await until(
      'health to be ok again',
      () => http(url, 'GET', '/v1/health'),
      (r) => r.status === 200,
      90_000,
    );
    expect(recovered.body.status).toBe('ok');
  } finally {
    if (!released) held.close();
  }
  const restarted = lockOf(tmp.dir);
  expect(restarted.port).toBe(port);
  expect(restarted.serverPid).not.toBe(serverPid);
  expect(isProcessAlive(restarted.serverPid)).toBe(true);

  for (let i = 0; i < 20; i++) {
    const r = await http(url, 'POST', '/v1/vectors', { id: `after-${i}`, vector: vector(100 + i) });
    expect(r.status).toBe(201);
    acked.push(`after-${i}`);
  }
  for (const id of acked) expect((await http(url, 'GET', `/v1/vectors/${id}`)).status, id).toBe(200);
  const mail = await http(url, 'GET', '/v1/mailboxes/b/messages?max=10');
  expect(mail.status).toBe(200);
  expect((mail.body.messages as { id: string }[]).map((m) => m.id)).toContain(sent.body.id);
  // The restarted server has the whole log: a fresh start on the same data dir finds every acknowledged vector.
  await stack.stop();
  stack = await startStack(tmp.dir);
  for (const id of acked) expect((await http(stack.url, 'GET', `/v1/vectors/${id}`)).status, id).toBe(200);
}, 240_000);
