// Security test: with the generated authorization config, the nats-server itself refuses what an agent may not do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type NatsConnection, type Status } from '@nats-io/nats-core';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { TempNatsServer, agentInboxPrefix, generateAuthConfig, mailboxConsumerName } from '@hvs-nvm/runtime';
import { decodeEventData, encodeEventData, mailNames, nvmNames, hvsNames, streamIds } from '@hvs-nvm/events';
import { EVENT_HEADERS as H, parseStoredMessage } from '@hvs-nvm/eventstore';
import { HVS } from '@hvs-nvm/hvs';
import { repoRoot } from '../support/child.js';

const COLL = 'sec';
const NS = 'secns';
// Filled in by `hvs-nvm auth generate` in beforeAll: the config under test is the one the CLI writes.
const WRITER = { user: 'writer', password: '' };
const RESPONDER = { user: 'hvs-nvm-responder', password: '' };
const AGENTS = [
  { id: 'alice', password: '' },
  { id: 'bob', password: '' },
];
const MAIL = mailNames(COLL);

let srv: TempNatsServer;
let dir: string;
let writerNc: NatsConnection;
let writerJsm: JetStreamManager;
let hvs: HVS;
const agents = new Map<string, { nc: NatsConnection; violations: string[] }>();

/** A raw nats.js connection as an agent, recording every permission violation the server reports to it. */
async function connectAgent(id: string): Promise<{ nc: NatsConnection; violations: string[] }> {
  const agent = id === RESPONDER.user ? { id, password: RESPONDER.password } : AGENTS.find((a) => a.id === id)!;
  const nc = await connect({
    servers: srv.url,
    user: agent.id,
    pass: agent.password,
    ...(id === RESPONDER.user ? {} : { inboxPrefix: agentInboxPrefix(agent.id) }),
    name: `agent:${id}`,
  });
  const violations: string[] = [];
  void (async () => {
    for await (const s of nc.status() as AsyncIterable<Status>) {
      if (s.type === 'error' && /permission/i.test(String(s.error))) violations.push(String(s.error));
    }
  })();
  return { nc, violations };
}

/** Headers and payload of a valid MessageSent event, as libs/eventstore writes them. */
function messageSent(from: string, to: string, body: unknown) {
  const messageId = randomUUID();
  const hdrs = natsHeaders();
  hdrs.set(H.type, 'MessageSent');
  hdrs.set(H.schema, '1');
  hdrs.set(H.occurredAt, new Date().toISOString());
  hdrs.set(H.actor, from);
  hdrs.set(H.eventId, messageId);
  hdrs.set(H.revision, '0');
  return { messageId, hdrs, payload: encodeEventData({ messageId, from, to, body }) };
}

async function lastSeq(stream: string): Promise<number> {
  return (await writerJsm.streams.info(stream)).state.last_seq;
}

/** Runs a forbidden action: it must fail (refused, or no answer), and the server must report a violation for it. */
async function refused(agent: string, subject: string, action: () => Promise<unknown>): Promise<string> {
  const { violations } = agents.get(agent)!;
  const before = violations.length;
  let error: unknown;
  try {
    await action();
  } catch (err) {
    error = err;
  }
  expect(error, `${agent}: ${subject} should have been refused`).toBeDefined();
  // The server's -ERR 'Permissions Violation …' arrives asynchronously; give it a moment.
  for (let i = 0; i < 50 && !violations.slice(before).some((v) => v.includes(subject)); i++) await new Promise((r) => setTimeout(r, 20));
  expect(violations.slice(before).join('\n')).toContain(subject);
  return String(error);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hvs-faults-auth-'));
  const conf = join(dir, 'auth.conf');
  const creds = join(dir, 'credentials.json');
  const generated = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@hvs-nvm/source',
      'apps/cli/src/main.ts',
      'auth',
      'generate',
      '--agent',
      'alice,bob',
      '--collection',
      COLL,
      '--namespace',
      NS,
      '--writer',
      WRITER.user,
      '-o',
      conf,
      '--credentials',
      creds,
      '--json',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  expect(generated.status, generated.stderr).toBe(0);
  const written = JSON.parse(readFileSync(creds, 'utf8')) as {
    writer: { password: string };
    responder: { user: string; password: string };
    agents: { id: string; password: string }[];
  };
  expect(statSync(conf).mode & 0o777).toBe(0o600);
  WRITER.password = written.writer.password;
  expect(written.responder.user).toBe(RESPONDER.user);
  RESPONDER.password = written.responder.password;
  for (const a of AGENTS) a.password = written.agents.find((w) => w.id === a.id)!.password;
  // The CLI writes exactly what the library generates for these inputs.
  expect(readFileSync(conf, 'utf8')).toBe(
    generateAuthConfig({ collection: COLL, namespace: NS, agents: AGENTS, writer: WRITER, responder: RESPONDER }),
  );
  srv = await TempNatsServer.start({ args: ['-c', conf] });
  // HVS.open has no credential options yet: openNatsEndpoint reads NATS_USER / NATS_PASSWORD (and the responder's
  // NATS_RESPONDER_USER / NATS_RESPONDER_PASSWORD) through loadConfig.
  const env = {
    NATS_USER: WRITER.user,
    NATS_PASSWORD: WRITER.password,
    NATS_RESPONDER_USER: RESPONDER.user,
    NATS_RESPONDER_PASSWORD: RESPONDER.password,
  };
  Object.assign(process.env, env);
  try {
    hvs = await HVS.open({ natsUrl: srv.url, storagePath: join(dir, 'hvs'), collection: COLL, dimension: 4, actor: 'server' });
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
  // As apps/projector does: queries are served on a connection of the responder identity.
  await hvs.serveQueries();
  // The trusted writer creates the mailboxes (durable consumers) and the NVM stream.
  for (const a of AGENTS) await hvs.connectModel(a.id);
  writerNc = await connect({ servers: srv.url, user: WRITER.user, pass: WRITER.password });
  writerJsm = await jetstreamManager(writerNc);
  await writerJsm.streams.add({ name: nvmNames(NS).stream, subjects: [`${nvmNames(NS).prefix}.>`] });
  for (const a of AGENTS) agents.set(a.id, await connectAgent(a.id));
  agents.set(RESPONDER.user, await connectAgent(RESPONDER.user));
});

afterAll(async () => {
  for (const a of agents.values()) await a.nc.close();
  await writerNc?.close();
  await hvs?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the server refuses what an agent may not do', () => {
  it('an agent cannot connect with a wrong password', async () => {
    await expect(connect({ servers: srv.url, user: 'alice', pass: 'wrong', reconnect: false })).rejects.toThrow(/authorization/i);
  });

  it('an agent cannot send mail as another agent', async () => {
    const { nc } = agents.get('alice')!;
    const before = await lastSeq(MAIL.stream);
    const forged = messageSent('bob', 'alice', { forged: true });
    const subject = `${MAIL.prefix}.${streamIds.message('alice', 'bob', forged.messageId)}`;
    await refused('alice', subject, () =>
      jetstream(nc, { timeout: 2000 }).publish(subject, forged.payload, { headers: forged.hdrs, msgID: forged.messageId }),
    );
    expect(await lastSeq(MAIL.stream)).toBe(before);
  });

  it("an agent cannot read another agent's mailbox", async () => {
    await hvs.sendMessage('alice', 'bob', { for: 'bob only' });
    const bobPending = async () => (await writerJsm.consumers.info(MAIL.stream, mailboxConsumerName('bob'))).num_pending;
    expect(await bobPending()).toBe(1);
    const { nc } = agents.get('alice')!;
    const js = jetstream(nc, { timeout: 2000 });
    await refused('alice', `$JS.API.CONSUMER.INFO.${MAIL.stream}.mbox_bob`, () => js.consumers.get(MAIL.stream, 'mbox_bob'));
    // Pulling directly, without the info lookup, is refused too.
    const next = `$JS.API.CONSUMER.MSG.NEXT.${MAIL.stream}.mbox_bob`;
    await refused('alice', next, () => nc.request(next, JSON.stringify({ batch: 1, expires: 1e9 }), { timeout: 2000 }));
    // Nor can it snoop on replies: other agents' inboxes, raw mail subjects, or the stream subjects.
    for (const subject of ['_INBOX.>', `${agentInboxPrefix('bob')}.>`, `${MAIL.prefix}.>`, '>']) {
      const sub = nc.subscribe(subject);
      await refused('alice', subject, () => sub.closed.then((err) => Promise.reject(err ?? new Error('closed'))));
    }
    expect(await bobPending()).toBe(1);
  });

  it('an agent cannot query the block view (its queries would choose whose permissions apply)', async () => {
    const { nc } = agents.get('alice')!;
    const subject = `hvsnvm.q.nvm.${NS}.get`;
    await refused('alice', subject, () => nc.request(subject, encodeEventData({ id: 'x', actor: 'system' }), { timeout: 2000 }));
  });

  it('an agent cannot append raw events to the vector or block streams', async () => {
    const { nc } = agents.get('alice')!;
    const js = jetstream(nc, { timeout: 2000 });
    for (const [stream, subject] of [
      [hvsNames(COLL).stream, `${hvsNames(COLL).prefix}.vec.x`],
      [nvmNames(NS).stream, `${nvmNames(NS).prefix}.block.x`],
    ] as const) {
      const before = await lastSeq(stream);
      await refused('alice', subject, () => js.publish(subject, new Uint8Array([1, 2, 3])));
      expect(await lastSeq(stream)).toBe(before);
    }
  });

  it('an agent cannot create or delete streams and consumers', async () => {
    const { nc } = agents.get('alice')!;
    const jsm = await jetstreamManager(nc, { timeout: 2000 });
    await refused('alice', '$JS.API.STREAM.CREATE.EVIL', () => jsm.streams.add({ name: 'EVIL', subjects: ['evil.>'] }));
    await refused('alice', `$JS.API.STREAM.DELETE.${MAIL.stream}`, () => jsm.streams.delete(MAIL.stream));
    // A consumer of its own on the mail stream would read everyone's mail.
    // nats.js on a 2.9 server uses the named create API ($JS.API.CONSUMER.CREATE.<stream>.<name>); the older
    // durable and ephemeral create subjects are refused as well.
    await refused('alice', `$JS.API.CONSUMER.CREATE.${MAIL.stream}.spy`, () =>
      jsm.consumers.add(MAIL.stream, { durable_name: 'spy', ack_policy: AckPolicy.None }),
    );
    for (const subject of [`$JS.API.CONSUMER.DURABLE.CREATE.${MAIL.stream}.spy`, `$JS.API.CONSUMER.CREATE.${MAIL.stream}`]) {
      const config = JSON.stringify({ stream_name: MAIL.stream, config: { durable_name: 'spy', ack_policy: 'none' } });
      await refused('alice', subject, () => nc.request(subject, config, { timeout: 2000 }));
    }
    await refused('alice', `$JS.API.CONSUMER.DELETE.${MAIL.stream}.mbox_bob`, () => jsm.consumers.delete(MAIL.stream, 'mbox_bob'));
    await refused('alice', `$JS.API.DIRECT.GET.${MAIL.stream}`, () => jsm.direct.getMessage(MAIL.stream, { seq: 1 }));
    const names = (await writerJsm.streams.names().next()).sort();
    expect(names).not.toContain('EVIL');
    expect(names).toContain(MAIL.stream);
    expect((await writerJsm.consumers.info(MAIL.stream, 'mbox_bob')).name).toBe('mbox_bob');
  });
});

describe('what an agent may do still works', () => {
  it('an agent sends mail as itself and the recipient pulls it from its own mailbox', async () => {
    const alice = agents.get('alice')!;
    const bob = agents.get('bob')!;
    const sent = messageSent('alice', 'bob', { hello: 'bob' });
    const subject = `${MAIL.prefix}.${streamIds.message('bob', 'alice', sent.messageId)}`;
    const ack = await jetstream(alice.nc).publish(subject, sent.payload, {
      headers: sent.hdrs,
      msgID: sent.messageId,
      expect: { lastSubjectSequence: 0 },
    });
    expect(ack.stream).toBe(MAIL.stream);

    const consumer = await jetstream(bob.nc).consumers.get(MAIL.stream, mailboxConsumerName('bob'));
    const got: { id: string; from: string }[] = [];
    for await (const m of await consumer.fetch({ max_messages: 10, expires: 1000 })) {
      const parsed = parseStoredMessage(MAIL.prefix, m.subject, m.seq, m.headers, m.data);
      if (parsed.kind === 'event' && parsed.event.type === 'MessageSent')
        got.push({ id: parsed.event.data.messageId, from: parsed.event.data.from });
      await m.ackAck();
    }
    // The message the writer sent earlier (left pending by the refused reads) and alice's own.
    expect(got.map((g) => g.id)).toContain(sent.messageId);
    expect(got.find((g) => g.id === sent.messageId)?.from).toBe('alice');
    expect((await writerJsm.consumers.info(MAIL.stream, mailboxConsumerName('bob'))).num_ack_pending).toBe(0);
  });

  it('a body that lies about its sender passes the server but receivers drop it', async () => {
    const alice = agents.get('alice')!;
    // Subject says alice (allowed), body says bob: the server cannot see inside the payload.
    const lie = messageSent('bob', 'bob', { lie: true });
    const subject = `${MAIL.prefix}.${streamIds.message('bob', 'alice', lie.messageId)}`;
    await jetstream(alice.nc).publish(subject, lie.payload, { headers: lie.hdrs, msgID: lie.messageId });
    const received = await hvs.receiveMessages('bob', { waitMs: 500 });
    expect(received.map((m) => m.id)).not.toContain(lie.messageId);
  });

  it('an agent receives mail sent to it through its own mailbox consumer', async () => {
    const id = await hvs.sendMessage('bob', 'alice', { hi: 'alice' });
    const alice = agents.get('alice')!;
    const consumer = await jetstream(alice.nc).consumers.get(MAIL.stream, mailboxConsumerName('alice'));
    const ids: string[] = [];
    for await (const m of await consumer.fetch({ max_messages: 10, expires: 1000 })) {
      const parsed = parseStoredMessage(MAIL.prefix, m.subject, m.seq, m.headers, m.data);
      if (parsed.kind === 'event' && parsed.event.type === 'MessageSent') ids.push(parsed.event.data.messageId);
      await m.ackAck();
    }
    expect(ids).toEqual([id]);
    expect(alice.violations).not.toContainEqual(expect.stringContaining('mbox_alice'));
  });
});

describe('the query responder answers queries and nothing else', () => {
  it('the responder identity cannot publish to the store subjects', async () => {
    const { nc } = agents.get(RESPONDER.user)!;
    for (const [stream, subject] of [
      [hvsNames(COLL).stream, `${hvsNames(COLL).prefix}.collection`],
      [hvsNames(COLL).stream, `${hvsNames(COLL).prefix}.vec.x`],
      [MAIL.stream, `${MAIL.prefix}.box.bob.alice.x`],
      [nvmNames(NS).stream, `${nvmNames(NS).prefix}.block.x`],
    ] as const) {
      const before = await lastSeq(stream);
      // A core publish is what a forged reply subject would make the responder do.
      nc.publish(subject, new Uint8Array([1]));
      await refused(RESPONDER.user, subject, () => jetstream(nc, { timeout: 2000 }).publish(subject, new Uint8Array([1, 2, 3])));
      expect(await lastSeq(stream)).toBe(before);
    }
  });

  it("an agent's query is answered on its own inbox by the service running as the responder", async () => {
    await hvs.storeVector([1, 0, 0, 0]);
    const { nc } = agents.get('alice')!;
    const reply = await nc.request(`hvsnvm.q.hvs.${COLL}.count`, encodeEventData({ minPosition: 0 }), { timeout: 10_000 });
    expect(decodeEventData(reply.data)).toMatchObject({ count: expect.any(Number) });
    // The same query with a store subject as its reply: dropped by the service, and the server would refuse it.
    const before = await lastSeq(hvsNames(COLL).stream);
    nc.publish(`hvsnvm.q.hvs.${COLL}.count`, encodeEventData({}), { reply: `${hvsNames(COLL).prefix}.collection` });
    await nc.request(`hvsnvm.q.hvs.${COLL}.count`, encodeEventData({}), { timeout: 10_000 });
    expect(await lastSeq(hvsNames(COLL).stream)).toBe(before);
  });
});
