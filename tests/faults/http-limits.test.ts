// Resource limits of the real HTTP server (`hvs-nvm start`): concurrent large bodies get 429/503 with Retry-After and the
// server's peak RSS stays bounded; slow headers, a stalled body and a trickled body are cut off by the timeouts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, tempDir, type Stack } from '../e2e/stack.js';
import { openUpload, rawExchange, within, type Answer } from './raw-http.js';

const MiB = 1024 * 1024;
const ADMIN = 'admin-token-for-limit-tests';
const TOKENS = { 'alice-token-0123456789': 'alice', 'bob-token-0123456789ab': 'bob' };

/** The peak resident set of a process (VmHWM), in bytes. */
function peakRssBytes(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Valid JSON of exactly `bytes` bytes that any body route parses and then refuses quickly (no such vector field). */
function paddedBody(bytes: number): Buffer {
  const head = '{"vector":[1],"pad":"';
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(bytes - head.length - tail.length) + tail);
}

/** Resolves once `n` of the uploads have been answered (the refused ones: the admitted ones wait for their body). */
async function firstAnswers(uploads: { answer: Promise<Answer>; responded: boolean }[], n: number): Promise<Answer[]> {
  await within(
    20_000,
    `${n} answers`,
    new Promise<void>((resolve) => {
      const tick = () => (uploads.filter((u) => u.responded).length >= n ? resolve() : setTimeout(tick, 20));
      tick();
    }),
  );
  return Promise.all(uploads.filter((u) => u.responded).map((u) => u.answer));
}

describe('request bodies within a byte budget', () => {
  let tmp: ReturnType<typeof tempDir>;
  let stack: Stack;
  beforeAll(async () => {
    tmp = tempDir('hvs-nvm-faults-budget-');
    const file = join(tmp.dir, 'agent-tokens.json');
    writeFileSync(file, JSON.stringify(TOKENS), { mode: 0o600 });
    stack = await startStack(join(tmp.dir, 'data'), [
      '--token',
      ADMIN,
      '--agent-tokens',
      file,
      '--max-body-bytes',
      String(4 * MiB),
      '--max-caller-body-bytes',
      String(8 * MiB),
      '--max-in-flight-body-bytes',
      String(16 * MiB),
    ]);
  });
  afterAll(async () => {
    expect(await stack?.stop()).toBe(0);
    tmp?.remove();
  });

  it('an agent with two 3 MiB bodies in flight gets 429 with Retry-After for more; the admitted ones complete', async () => {
    const body = paddedBody(3 * MiB);
    const headers = { authorization: 'Bearer alice-token-0123456789', 'content-type': 'application/json', 'content-length': body.length };
    const uploads = Array.from({ length: 4 }, () => openUpload(stack.url, '/v1/vectors/search', headers));
    const refused = await firstAnswers(uploads, 2);
    expect(refused.map((a) => a.status)).toEqual([429, 429]);
    for (const a of refused) {
      expect(a.headers['retry-after']).toBe('1');
      expect(JSON.parse(a.body)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    }
    const admitted = uploads.filter((u) => !u.responded);
    expect(admitted).toHaveLength(2);
    await Promise.all(admitted.map((u) => u.send(body)));
    for (const a of await Promise.all(admitted.map((u) => u.answer))) expect(a.status).toBe(400);
    // Released: the next one is admitted.
    const again = openUpload(stack.url, '/v1/vectors/search', headers);
    await again.send(body);
    expect((await again.answer).status).toBe(400);
  });

  it('past the server-wide budget every caller gets 503 with Retry-After', async () => {
    const body = paddedBody(3 * MiB);
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', 'content-length': body.length };
    // 5 × 3 MiB fit in 16 MiB; the sixth does not.
    const uploads = Array.from({ length: 6 }, () => openUpload(stack.url, '/v1/vectors/search', headers));
    const refused = await firstAnswers(uploads, 1);
    expect(refused.map((a) => [a.status, a.headers['retry-after']])).toEqual([[503, '1']]);
    const bob = openUpload(stack.url, '/v1/vectors/search', { ...headers, authorization: 'Bearer bob-token-0123456789ab' });
    expect((await within(20_000, 'bob', bob.answer)).status).toBe(503);
    const admitted = uploads.filter((u) => !u.responded);
    await Promise.all(admitted.map((u) => u.send(body)));
    for (const a of await Promise.all(admitted.map((u) => u.answer))) expect(a.status).toBe(400);
  });

  it('sixty bodies held open at once leave the server’s peak RSS bounded; the 60 MB ones are refused unread', async () => {
    const pid = stack.child.proc.pid!;
    const before = peakRssBytes(pid);
    // 60 uploads of 3.9 MiB each (each within the size limit), half by an agent, each sending its first 3 MiB and
    // then holding: a server that admits them all holds 180 MiB at once.
    const size = Math.floor(3.9 * MiB);
    const uploads = Array.from({ length: 60 }, (_v, i) =>
      openUpload(stack.url, '/v1/vectors/search', {
        authorization: i % 2 === 0 ? 'Bearer alice-token-0123456789' : `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'content-length': size,
      }),
    );
    // And the report's case: 60 MB bodies, refused from their Content-Length before a byte is read.
    const huge = Array.from({ length: 8 }, () =>
      openUpload(stack.url, '/v1/vectors/search', {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'content-length': 60 * MiB,
      }),
    );
    const part = Buffer.alloc(3 * MiB, 0x20);
    for (const u of uploads) if (!u.responded) u.req.write(part);
    // Give the server time to take in what was sent and to answer the refused ones: until 56 are answered, or it has
    // grown by 150 MB, or for at most 10 s (on a loaded machine the last refusals can take seconds to arrive).
    const deadline = Date.now() + 10_000;
    // Refused: answered, or closed by the server while we were still writing (then the 429 may never be read).
    const answered = () => uploads.filter((u) => u.responded || u.failed).length;
    while (Date.now() < deadline && peakRssBytes(pid) - before < 150 * MiB && answered() < 56) await new Promise((r) => setTimeout(r, 100));
    const grownMb = (peakRssBytes(pid) - before) / MiB;
    const refused = answered();
    for (const u of [...uploads, ...huge]) u.req.destroy();
    expect(grownMb, `peak RSS grew by ${grownMb.toFixed(0)} MB`).toBeLessThan(100);
    // At most 16 MiB (four of these) are admitted; the others were answered 429/503 at once.
    expect(refused).toBeGreaterThanOrEqual(56);
    for (const s of await Promise.all(
      huge.map((u) =>
        u.answer.then(
          (a) => a.status,
          () => 0,
        ),
      ),
    ))
      expect([0, 413]).toContain(s);
  });

  it('the budget is free again once those uploads are gone', async () => {
    const body = paddedBody(3 * MiB);
    const headers = { authorization: 'Bearer alice-token-0123456789', 'content-type': 'application/json', 'content-length': body.length };
    await within(
      20_000,
      'budget freed',
      (async () => {
        for (;;) {
          const u = openUpload(stack.url, '/v1/vectors/search', headers);
          await u.send(body);
          const { status } = await u.answer;
          if (status === 400) return;
          expect([429, 503]).toContain(status);
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
    );
  });
});

describe('slow clients are cut off', () => {
  let tmp: ReturnType<typeof tempDir>;
  let stack: Stack;
  beforeAll(async () => {
    tmp = tempDir('hvs-nvm-faults-slow-');
    stack = await startStack(join(tmp.dir, 'data'), [
      '--headers-timeout-ms',
      '1000',
      '--request-timeout-ms',
      '3000',
      '--body-idle-timeout-ms',
      '500',
    ]);
  });
  afterAll(async () => {
    expect(await stack?.stop()).toBe(0);
    tmp?.remove();
  });

  const statusLine = (reply: string) => reply.split('\r\n')[0] ?? '';

  it('headers that never finish: the connection is closed with 408', async () => {
    const reply = await within(20_000, 'slow headers', rawExchange(stack.url, 'POST /v1/memory HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    expect(statusLine(reply)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('a body that stops arriving: 408 REQUEST_TIMEOUT, and the connection is closed', async () => {
    const head =
      'POST /v1/memory HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"content": "';
    const reply = await within(20_000, 'stalled body', rawExchange(stack.url, head));
    expect(statusLine(reply)).toBe('HTTP/1.1 408 Request Timeout');
    expect(reply).toContain('REQUEST_TIMEOUT');
  });

  it('a body trickled a byte at a time is cut off by the request deadline', async () => {
    const head =
      'POST /v1/memory HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"content": "';
    const reply = await within(20_000, 'trickled body', rawExchange(stack.url, head, { chunk: 'x', everyMs: 100 }));
    expect(statusLine(reply)).toMatch(/^HTTP\/1\.1 408/);
  });
});
