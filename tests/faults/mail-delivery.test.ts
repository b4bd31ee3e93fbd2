// Crash matrix, mail row: kill -9 of `hvs-nvm start` while it hands out mail. Nothing handed out is lost: a response
// cut by the crash, or explicit-mode messages never acknowledged, come back after the ack wait; acknowledged ones do not.
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { http, startStack, tempDir, type Stack } from '../e2e/stack.js';

let srv: TempNatsServer;
let tmp: ReturnType<typeof tempDir>;
let stack: Stack | undefined;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  tmp = tempDir('hvs-nvm-mail-delivery-');
});
afterAll(async () => {
  await stack?.stop();
  await srv.stop();
  tmp.remove();
});

/** Sends `n` messages to `to` over HTTP, a few at a time; returns their ids in order. */
async function sendMany(url: string, to: string, n: number, bodyBytes: number): Promise<string[]> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  const pad = 'x'.repeat(bodyBytes);
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const r = await http(url, 'POST', '/v1/messages', { from: 'alice', to, body: { i, pad } });
      expect(r.status).toBe(201);
      ids[i] = r.body.id as string;
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
  return ids;
}

/**
 * Starts a mailbox read and stops reading after its first bytes: the response is far larger than the socket
 * buffers, so the server cannot finish writing it while this reader holds still.
 */
function stalledRead(url: string, path: string): Promise<{ status: number; destroy(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, (res) => {
      res.once('data', () => {
        res.pause();
        resolve({ status: res.statusCode ?? 0, destroy: () => req.destroy() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads a mailbox until every id in `want` has come, or the deadline passes; returns every id received. */
async function drain(url: string, model: string, want: string[], deadlineMs: number): Promise<string[]> {
  const missing = new Set(want);
  const received: string[] = [];
  const deadline = Date.now() + deadlineMs;
  while (missing.size > 0 && Date.now() < deadline) {
    const r = await http(url, 'GET', `/v1/mailboxes/${model}/messages?max=2000&waitMs=2000`);
    expect(r.status).toBe(200);
    for (const m of r.body.messages as { id: string }[]) {
      received.push(m.id);
      missing.delete(m.id);
    }
  }
  return received;
}

it('kill -9 mid-response of a mailbox read, and of explicit-ack reads: every message sent is received at least once', async () => {
  const env = { NATS_URL: srv.url };
  stack = await startStack(tmp.dir, [], env);
  const first = stack;

  // bob: 1,000 messages of ~24 KB, one read of all of them, cut by the crash while the server writes it out.
  const bobIds = await sendMany(first.url, 'bob', 1000, 24 * 1024);
  // carol: read in explicit mode (fully, tokens in hand), then only some tokens acknowledged, after the restart.
  const carolIds = await sendMany(first.url, 'carol', 40, 16);
  const explicit = await http(first.url, 'GET', '/v1/mailboxes/carol/messages?max=100&ack=explicit');
  expect(explicit.status).toBe(200);
  const handedOut = explicit.body.messages as { id: string; ackToken: string }[];
  expect(handedOut.map((m) => m.id)).toEqual(carolIds);
  expect(explicit.body.ackWaitMs).toBeGreaterThan(0);
  // Handed out but not acknowledged: nobody else gets them meanwhile.
  expect((await http(first.url, 'GET', '/v1/mailboxes/carol/messages')).body.messages).toEqual([]);

  const cut = await stalledRead(first.url, '/v1/mailboxes/bob/messages?max=1000');
  expect(cut.status).toBe(200);
  await first.child.kill9();
  cut.destroy();

  stack = await startStack(tmp.dir, [], env);
  const second = stack;
  // Tokens outlive the server that gave them out: they name the delivery, not a connection.
  const acked = handedOut.filter((_m, i) => i % 2 === 0);
  const ack = await http(second.url, 'POST', '/v1/mailboxes/carol/ack', { tokens: acked.map((m) => m.ackToken) });
  expect(ack).toMatchObject({ status: 200, body: { acked: acked.length } });

  // Redelivery waits for the ack wait (30 s by default) to run out on the messages the dead server held.
  const bobGot = await drain(second.url, 'bob', bobIds, 90_000);
  const lostBob = bobIds.filter((id) => !bobGot.includes(id));
  const unacked = handedOut.filter((_m, i) => i % 2 === 1).map((m) => m.id);
  const carolGot = await drain(second.url, 'carol', unacked, 60_000);
  console.log(
    `[crash-matrix] mail kill -9 mid-response: bob sent ${bobIds.length}, received after restart ${new Set(bobGot).size}, ` +
      `lost ${lostBob.length}; carol explicit: acked ${acked.length}, redelivered ${carolGot.length} of ${unacked.length} unacked`,
  );
  expect(lostBob).toEqual([]);
  expect([...new Set(carolGot)].sort()).toEqual([...unacked].sort());
  // The acknowledged half was released at the same moment as the rest: had its acks been lost, it would be here too.
  expect(carolGot.filter((id) => acked.some((m) => m.id === id))).toEqual([]);
}, 240_000);
