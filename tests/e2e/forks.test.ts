// End to end: forks through `hvs-nvm start` (POST/GET/DELETE /v1/forks, promote) and the CLI (`hvs-nvm fork` with
// another encoder and its progress bar, `forks`, `promote`, `--world`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, http, startStack, tempDir, type Stack } from './stack.js';

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let blockId: string;
const call = (method: string, path: string, body?: unknown) => http(stack.url, method, path, body);

beforeAll(async () => {
  tmp = tempDir('hvs-nvm-e2e-forks-');
  stack = await startStack(tmp.dir);
  expect((await call('POST', '/v1/memory', { content: 'Tides follow the moon.' })).status).toBe(201);
  blockId = (await call('POST', '/v1/blocks', { name: 'fork_doc', blockClass: 'documentation', content: 'v1' })).body.id;
});
afterAll(async () => {
  if (stack) expect(await stack.stop()).toBe(0);
  tmp.remove();
});

describe('/v1/forks', () => {
  it('forks the world, lists the fork, refuses a taken name, and deletes it without touching the parent', async () => {
    const made = await call('POST', '/v1/forks', { name: 'experiment' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'experiment', parent: 'default' });
    expect(made.body.cut.nvm).toBeGreaterThan(0);
    expect((await call('GET', '/v1/forks')).body.forks.map((f: { name: string }) => f.name)).toEqual(['experiment']);
    const again = await call('POST', '/v1/forks', { name: 'experiment' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('FORK_EXISTS');
    expect((await call('DELETE', '/v1/forks/experiment')).status).toBe(204);
    expect((await call('GET', '/v1/forks')).body.forks).toEqual([]);
    expect((await call('GET', `/v1/blocks/${blockId}`)).body.content).toBe('v1');
    expect((await call('DELETE', '/v1/forks/experiment')).status).toBe(404);
  });
});

describe('hvs-nvm fork / forks / promote', () => {
  it('re-embeds into a fork with another encoder (progress on stderr), and promote switches later commands to it', async () => {
    // The CLI attaches to the running server's embedded nats-server through the data dir.
    const forked = await cli(['fork', 'small', '--to-encoder', 'hashing', '--dimension', '32', '--data-dir', tmp.dir]);
    expect(forked.code, forked.stderr).toBe(0);
    expect(forked.stderr).toMatch(/re-embedding into 'small' \[#+\s*\] 100%/);
    expect(forked.stdout).toContain('re-embedded');
    const listed = await cli(['forks', '--data-dir', tmp.dir, '--json']);
    expect((listed.json[0] as { forks: { name: string; reembedded?: { dimension: number } }[] }).forks).toEqual([
      expect.objectContaining({ name: 'small', reembedded: expect.objectContaining({ dimension: 32 }) }),
    ]);
    const promoted = await cli(['promote', 'small', '--data-dir', tmp.dir, '--json']);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.json[0]).toEqual({ alias: 'default', world: 'small' });
    // Later commands open the alias: the fork, answering with its 32-d encoder.
    const found = await cli(['search', 'moon tides', '--data-dir', tmp.dir, '--encoder', 'hashing', '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.stringify(found.json)).toContain('Tides follow the moon.');
    const back = await cli(['promote', 'default', '--data-dir', tmp.dir, '--json']);
    expect(back.json[0]).toEqual({ alias: 'default', world: 'default' });
  });
});
