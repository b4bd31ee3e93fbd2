// Security test: the embedded nats-server is no open door. It refuses connections without its generated credentials
// (kept under the data dir, mode 0600), processes attaching through the lock file use them, and only the operator
// learns its URL from /v1/health.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { credentialsFile, serverConfigFile } from '@hvs-nvm/runtime';
import { HVS } from '@hvs-nvm/hvs';
import { runFixture } from '../support/child.js';
import { http, startStack, type Stack } from '../e2e/stack.js';

let dir: string;
let stack: Stack | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-embedded-auth-'));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('the embedded server refuses a connection without its credentials; an attaching process uses them', async () => {
  const storagePath = join(dir, 'lib');
  await using hvs = await HVS.open({ storagePath, dimension: 4, geometry: 'euclidean' });
  await hvs.storeVector([1, 0, 0, 0]);
  const url = hvs.stats().natsUrl;
  await expect(connect({ servers: url, reconnect: false })).rejects.toThrow(/authorization/i);
  await expect(connect({ servers: url, user: 'hvs-nvm', pass: 'guessed-password', reconnect: false })).rejects.toThrow(/authorization/i);

  const storeDir = join(storagePath, 'jetstream');
  for (const file of [credentialsFile(storeDir), serverConfigFile(storeDir)]) expect(statSync(file).mode & 0o777, file).toBe(0o600);
  const creds = JSON.parse(readFileSync(credentialsFile(storeDir), 'utf8')) as { writer: { user: string; password: string } };
  const nc = await connect({ servers: url, user: creds.writer.user, pass: creds.writer.password, reconnect: false });
  await nc.close();

  const child = runFixture('tests/faults/fixtures/embedded-client.ts', [storagePath], { HVS_NVM_LOG_LEVEL: 'warn' });
  await child.until((l) => l.some((x) => (x as { count?: number }).count !== undefined), 60_000);
  expect(child.lines.at(-1)).toMatchObject({ count: 2, natsUrl: url });
  expect(await child.exited).toBe(0);
});

it('/v1/health names the NATS URL to the operator only, and that URL is no use without credentials', async () => {
  const adminToken = 'admin-token-0123456789abcdef';
  const tokens = join(dir, 'agent-tokens.json');
  writeFileSync(tokens, JSON.stringify({ 'alice-token-0123456789abcdef': 'alice' }), { mode: 0o600 });
  stack = await startStack(join(dir, 'stack'), ['--token', adminToken, '--agent-tokens', tokens]);
  const admin = await http(stack.url, 'GET', '/v1/health', undefined, { authorization: `Bearer ${adminToken}` });
  expect(admin.status).toBe(200);
  expect(admin.body).toMatchObject({ status: 'ok', embedded: true, natsUrl: expect.stringMatching(/^nats:\/\/127\.0\.0\.1:\d+$/) });
  const agent = await http(stack.url, 'GET', '/v1/health', undefined, { authorization: 'Bearer alice-token-0123456789abcdef' });
  expect(agent.status).toBe(200);
  expect(agent.body.status).toBe('ok');
  expect(agent.body).not.toHaveProperty('natsUrl');
  expect(JSON.stringify(agent.body)).not.toContain('nats://');
  const agentStats = await http(stack.url, 'GET', '/v1/stats', undefined, { authorization: 'Bearer alice-token-0123456789abcdef' });
  expect(agentStats.status).toBe(200);
  expect(JSON.stringify(agentStats.body)).not.toContain('nats://');
  await expect(connect({ servers: admin.body.natsUrl as string, reconnect: false })).rejects.toThrow(/authorization/i);
});
