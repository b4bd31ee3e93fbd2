// The dashboard's read routes against a real stack in this process: the 2-D vector map of a hyperboloid collection
// (a uniform sample in the Poincaré disk), agents with their mailbox counts, and the streams with projection lag.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createServer, type RunningServer } from '@hvs-nvm/server-app';

const ADMIN = 'dashboard-views-admin-token-000';
const CAROL = 'dashboard-views-carol-token-000';
let dir: string;
let integration: HVSNVMIntegration;
let server: RunningServer;

async function call(path: string, token = ADMIN, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the assertions check the shapes
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hvs-dashboard-views-'));
  const encoder = hashingEncoder(8);
  integration = await HVSNVMIntegration.open({ hvsPath: join(dir, 'hvs'), nvmPath: join(dir, 'nvm'), encoder, geometry: 'hyperboloid' });
  server = await createServer({
    integration,
    hvs: integration.hvs,
    nvm: integration.nvm,
    encoder,
    port: 0,
    token: ADMIN,
    agentTokens: { [CAROL]: 'carol' },
  });
  // Far from the origin along two axes: hyperboloid inputs are unbounded, their disk images are not.
  await integration.hvs.batchStoreVectors(
    Array.from({ length: 60 }, (_, i) => ({
      id: `p${i}`,
      vector: [10 * Math.cos(i), 10 * Math.sin(i), 0.1 * (i % 3), 0, 0, 0, 0, 0.01 * i],
      metadata: { i },
    })),
  );
  for (let i = 0; i < 5; i++) await integration.hvs.deleteVector(`p${i}`);
});

afterAll(async () => {
  await server?.close();
  await integration?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/vectors/map', () => {
  it('maps every live vector of a hyperboloid collection into the Poincaré disk, deleted ones left out', async () => {
    const r = await call('/v1/vectors/map?limit=1000');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      geometry: 'hyperboloid',
      dimension: 8,
      total: 55,
      sample: 'uniform-random',
      projection: 'poincare-disk',
    });
    const ids = r.body.points.map((p: { id: string }) => p.id).sort();
    expect(ids).toHaveLength(55);
    expect(ids).not.toContain('p0');
    for (const p of r.body.points) expect(Math.hypot(p.x, p.y)).toBeLessThan(1);
    // The points span two axes: the map keeps nearly all of their second moment.
    expect(r.body.kept[0] + r.body.kept[1]).toBeGreaterThan(0.99);
    expect(r.body.points.find((p: { id: string }) => p.id === 'p7').metadata).toEqual({ i: 7 });
  });

  it('samples at most limit points, the same ones for the same seed', async () => {
    const a = await call('/v1/vectors/map?limit=10&seed=3');
    const b = await call('/v1/vectors/map?limit=10&seed=3');
    const c = await call('/v1/vectors/map?limit=10&seed=4');
    const idsOf = (r: typeof a) => r.body.points.map((p: { id: string }) => p.id).sort();
    // Ten picked from 60 subjects; the deleted ones among them drop out.
    expect(idsOf(a).length).toBeLessThanOrEqual(10);
    expect(idsOf(a).length).toBeGreaterThan(0);
    expect(idsOf(a)).toEqual(idsOf(b));
    expect(idsOf(a)).not.toEqual(idsOf(c));
    expect((await call('/v1/vectors/map?limit=0')).status).toBe(400);
  });

  it('follows the log: what is stored or deleted after a first map shows in the next', async () => {
    const idsNow = async () => (await call('/v1/vectors/map?limit=1000')).body.points.map((p: { id: string }) => p.id);
    expect(await idsNow()).toContain('p10');
    await integration.hvs.storeVector([1, 2, 3, 0, 0, 0, 0, 0], { late: true }, { id: 'late-one' });
    await integration.hvs.deleteVector('p10');
    const ids = await idsNow();
    expect(ids).toContain('late-one');
    expect(ids).not.toContain('p10');
    expect(ids).toHaveLength(55);
  });
});

describe('GET /v1/agents', () => {
  it('counts each mailbox: depth, pending, unacknowledged, and shows the latest messages newest first', async () => {
    for (const n of [1, 2, 3]) await integration.hvs.sendMessage('alice', 'bob', { n });
    await integration.hvs.sendMessage('alice', 'carol', { n: 9 });
    // One of bob's messages taken and not acknowledged (explicit ack): delivered, awaiting its ack.
    const taken = await call('/v1/mailboxes/bob/messages?max=1&ack=explicit');
    expect(taken.body.messages).toHaveLength(1);
    const r = await call('/v1/agents?latest=2');
    expect(r.status).toBe(200);
    const bob = r.body.agents.find((a: { agentId: string }) => a.agentId === 'bob');
    expect(bob).toMatchObject({ depth: 3, pending: 3, unacknowledged: 1, deadLettered: 0 });
    expect(bob.latest.map((m: { body: { n: number } }) => m.body.n)).toEqual([3, 2]);
    expect(r.body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(expect.arrayContaining(['bob', 'carol']));
  });

  it("an agent sees only its own mailbox's counts", async () => {
    const r = await call('/v1/agents', CAROL);
    expect(r.status).toBe(200);
    expect(r.body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['carol']);
    expect(r.body.agents[0]).toMatchObject({ depth: 1, pending: 1 });
  });
});

describe('GET /v1/streams', () => {
  it('lists the three logs with their sizes, consumers and the projections’ lag', async () => {
    await integration.hvs.sync();
    const r = await call('/v1/streams');
    expect(r.status).toBe(200);
    const byStore = Object.fromEntries(r.body.streams.map((s: { store: string }) => [s.store, s]));
    expect(Object.keys(byStore).sort()).toEqual(['hvs', 'mail', 'nvm']);
    expect(byStore.hvs.messages).toBeGreaterThanOrEqual(67);
    expect(byStore.hvs.bytes).toBeGreaterThan(0);
    expect(byStore.hvs.projection).toMatchObject({ lag: 0, position: byStore.hvs.lastPosition });
    expect(byStore.mail.consumers.map((c: { name: string }) => c.name)).toContain('mbox_bob');
    expect(r.body.durability).toHaveProperty('serverVersion');
  });

  it('is for the operator only', async () => {
    expect((await call('/v1/streams', CAROL)).status).toBe(403);
  });
});
