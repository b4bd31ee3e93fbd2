// `hvs-nvm start` on NATS_URL with a data dir that does not exist yet: it creates it (it exited with ENOENT on server.json).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { http, startStack, tempDir } from '../e2e/stack.js';

let nats: TempNatsServer;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  nats = await TempNatsServer.start();
  tmp = tempDir('hvs-nvm-faults-natsurl-');
});
afterAll(async () => {
  await nats?.stop();
  tmp?.remove();
});

it('start with NATS_URL and a fresh --data-dir creates the dir and serves', async () => {
  const dataDir = join(tmp.dir, 'fresh', 'data');
  const stack = await startStack(dataDir, [], { NATS_URL: nats.url });
  try {
    expect(stack.info.natsUrl).toBe(nats.url);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
    expect((await http(stack.url, 'GET', '/v1/health')).status).toBe(200);
  } finally {
    expect(await stack.stop()).toBe(0);
  }
});
