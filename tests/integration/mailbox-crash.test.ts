import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { runFixture } from '../support/child.js';

let srv: TempNatsServer;
let dir: string;
beforeAll(async () => {
  srv = await TempNatsServer.start();
  dir = mkdtempSync(join(tmpdir(), 'hvs-mailcrash-'));
});
afterAll(async () => {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('a message received but not acknowledged by a model killed with kill -9 is delivered again, once', async () => {
  await using hvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, 'sender'), collection: 'crash', dimension: 4 });
  const worker = runFixture('tests/integration/fixtures/mailbox-worker.ts', [srv.url, join(dir, 'worker'), 'crash']);
  await worker.until((lines) => lines.some((l) => (l as { ready?: boolean }).ready));
  const ids = [await hvs.sendMessage('boss', 'worker', { job: 1 }), await hvs.sendMessage('boss', 'worker', { job: 2 })];
  await worker.until((lines) => lines.filter((l) => (l as { received?: string }).received).length >= 2);
  await worker.kill9();
  const received = worker.lines.flatMap((l) => ((l as { received?: string }).received ? [(l as { received: string }).received] : []));
  expect(received).toEqual(ids);

  // After the ack wait, the unacknowledged messages come back to the next reader of the mailbox, each once.
  await new Promise((r) => setTimeout(r, 1200));
  const again = await hvs.receiveMessages('worker', { waitMs: 3000 });
  expect(again.map((m) => m.id)).toEqual(ids);
  expect(await hvs.receiveMessages('worker')).toEqual([]);
});
