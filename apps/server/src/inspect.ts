// Read-only views for the dashboard and operators: agents with their mailbox counts, the logs' streams and projection
// lag, and a uniform sample of the stored vectors on a 2-D map. Nothing here appends an event.
import { z } from 'zod';
import { mailboxConsumer, seededRandom } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';
import type { ApiDeps } from './api.js';
import type { Caller } from './auth.js';
import { fitAxes, project, type Axes } from './map2d.js';
import { HttpError } from './problem.js';
import { StreamIds } from './stream-ids.js';

// ---- schemas (the one source of the routes' types and of the OpenAPI document)

export const AgentsQuery = z.object({
  latest: z.coerce.number().int().min(0).max(100).default(5).describe('how many of each mailbox’s latest messages to include'),
});

export const AgentOut = z.object({
  agentId: z.string(),
  connectedAt: z.string().optional().describe('when it last connected (presence), if it ever did'),
  lastSeenAt: z.string().optional(),
  depth: z.number().int().describe('messages ever sent to its mailbox (still in the log)'),
  pending: z.number().int().describe('messages not yet delivered, plus delivered and not yet acknowledged'),
  unacknowledged: z.number().int().describe('of those, delivered and awaiting an ack'),
  deadLettered: z.number().int().describe('messages given up on after too many deliveries'),
  latest: z.array(
    z.object({ id: z.string(), from: z.string(), to: z.string(), body: z.unknown(), sentAt: z.string(), seq: z.number().int() }),
  ),
});

export const AgentsOut = z.object({ agents: z.array(AgentOut) });

export const StreamOut = z.object({
  store: z.enum(['hvs', 'mail', 'nvm']),
  stream: z.string(),
  messages: z.number().int(),
  bytes: z.number().int(),
  firstPosition: z.number().int(),
  lastPosition: z.number().int(),
  replicas: z.number().int(),
  storage: z.string(),
  consumers: z.array(
    z.object({
      name: z.string(),
      pending: z.number().int().describe('messages not yet delivered to it'),
      unacknowledged: z.number().int(),
      deliveredPosition: z.number().int(),
    }),
  ),
  projection: z
    .object({ name: z.string(), position: z.number().int(), lag: z.number().int().describe('lastPosition − position') })
    .optional(),
});

export const StreamsOut = z.object({
  durability: z.record(z.string(), z.unknown()).describe('how JetStream syncs writes to disk (the setting in force)'),
  embedded: z.boolean(),
  streams: z.array(StreamOut),
});

export const VectorMapQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).default(5_000).describe('at most this many vectors (a uniform random sample)'),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .default(1)
    .describe('the sample’s random seed: the same seed, the same sample'),
});

export const VectorMapOut = z.object({
  geometry: z.string(),
  dimension: z.number().int(),
  total: z.number().int().describe('vectors in the collection'),
  sample: z.literal('uniform-random').describe('how the points were chosen'),
  projection: z
    .enum(['poincare-disk', 'pca'])
    .describe(
      'poincare-disk: the Poincaré-ball images projected on the plane of most second moment; pca: the first two principal components',
    ),
  kept: z
    .tuple([z.number(), z.number()])
    .describe('share of the second moment (about the origin for the disk, the mean for PCA) each axis keeps'),
  points: z.array(z.object({ id: z.string(), x: z.number(), y: z.number(), metadata: z.record(z.string(), z.unknown()) })),
});

// ---- operations

const iso = (d: Date | undefined) => d?.toISOString();

/** One follower per log and filter, for the life of the process (the stores outlive requests). */
const followers = new WeakMap<EventStore, Map<string, StreamIds>>();
function streamIdsOf(es: EventStore, filter: string): StreamIds {
  let byFilter = followers.get(es);
  if (!byFilter) followers.set(es, (byFilter = new Map()));
  let ids = byFilter.get(filter);
  if (!ids) byFilter.set(filter, (ids = new StreamIds(es, filter)));
  return ids;
}

/** The operator sees every agent; an agent only itself (others' mailbox counts are theirs). */
export async function listAgents(deps: ApiDeps, caller: Caller, latest: number): Promise<z.input<typeof AgentsOut>> {
  const mail = deps.hvs.mailEventStore;
  const { stream } = mail.names;
  // Each message is its own stream, named for its recipient: box.<to>.<from>.<id>, and dlq.<to>.<id> once given up.
  const [boxes, dead] = await Promise.all([streamIdsOf(mail, 'box.>').current(), streamIdsOf(mail, 'dlq.>').current()]);
  const counts = new Map<string, { depth: number; deadLettered: number }>();
  const countOf = (agent: string) => counts.get(agent) ?? counts.set(agent, { depth: 0, deadLettered: 0 }).get(agent)!;
  for (const id of boxes) countOf(id.split('.')[1]!).depth++;
  for (const id of dead) countOf(id.split('.')[1]!).deadLettered++;
  const presence = new Map((await deps.hvs.listModels()).map((m) => [m.modelId, m]));
  for (const id of presence.keys()) countOf(id);
  const consumers = new Map<string, { pending: number; unacknowledged: number }>();
  for await (const c of await mail.jsm.consumers.list(stream)) {
    consumers.set(c.name, { pending: c.num_pending + c.num_ack_pending, unacknowledged: c.num_ack_pending });
  }
  const ids = [...counts.keys()].filter((id) => caller.kind === 'operator' || id === caller.actor).sort();
  const agents = await Promise.all(
    ids.map(async (agentId) => {
      const { depth, deadLettered } = counts.get(agentId)!;
      // No consumer yet: nothing was ever delivered, so everything in the mailbox is pending.
      const c = consumers.get(mailboxConsumer(agentId)) ?? { pending: depth, unacknowledged: 0 };
      // A replay reads the whole mailbox: fine at dashboard scale, and it never touches acks.
      const history = latest > 0 && depth > 0 ? await deps.hvs.replayMessages(agentId) : [];
      const p = presence.get(agentId);
      return {
        agentId,
        ...(p ? { connectedAt: iso(p.connectedAt), lastSeenAt: iso(p.lastSeenAt) } : {}),
        depth,
        ...c,
        deadLettered,
        latest: history
          .slice(-latest)
          .reverse()
          .map((m) => ({ ...m, sentAt: m.sentAt.toISOString() })),
      };
    }),
  );
  return { agents };
}

async function streamOf(
  store: 'hvs' | 'mail' | 'nvm',
  es: EventStore,
  projection?: { name: string; position: number },
): Promise<z.input<typeof StreamOut>> {
  const { stream } = es.names;
  const info = await es.jsm.streams.info(stream);
  const consumers: z.input<typeof StreamOut>['consumers'] = [];
  for await (const c of await es.jsm.consumers.list(stream)) {
    consumers.push({ name: c.name, pending: c.num_pending, unacknowledged: c.num_ack_pending, deliveredPosition: c.delivered.stream_seq });
  }
  return {
    store,
    stream,
    messages: info.state.messages,
    bytes: info.state.bytes,
    firstPosition: info.state.first_seq,
    lastPosition: info.state.last_seq,
    replicas: info.config.num_replicas,
    storage: String(info.config.storage),
    consumers,
    ...(projection ? { projection: { ...projection, lag: Math.max(0, info.state.last_seq - projection.position) } } : {}),
  };
}

/** The three logs, their consumers, and how far behind each projection of this server is. Operator only. */
export async function listStreams(deps: ApiDeps, caller: Caller): Promise<z.input<typeof StreamsOut>> {
  if (caller.kind !== 'operator') {
    throw new HttpError(403, 'PERMISSION_DENIED', `agent '${caller.actor}' may not read the streams (they count every agent's traffic)`);
  }
  const s = deps.hvs.stats();
  const streams = await Promise.all([
    streamOf('hvs', deps.hvs.eventStore, { name: 'hvs index', position: s.position }),
    streamOf('mail', deps.hvs.mailEventStore),
    streamOf('nvm', deps.nvm.eventStore, { name: 'nvm block view', position: deps.nvm.position }),
  ]);
  return { durability: { ...s.durability }, embedded: s.embedded, streams };
}

/** Vectors read from the read model at once while mapping (bounds the memory a 100k map takes). */
const MAP_CHUNK = 5_000;
/** Vectors the map's axes are fitted on (a uniform sample already): each power-iteration step costs 2·n·d. */
const FIT_POINTS = 500;

/**
 * A uniform random sample of the stored vectors, placed on a 2-D map (map2d.ts). The ids come from the log's
 * streams (one per vector, `vec.<id>`; see stream-ids.ts), a reservoir picks `limit`, the first chunk
 * of them fits the axes, and every chunk is then read and projected; deleted vectors drop out. Coordinates, not
 * vectors, go to the browser: 100k 256-d vectors would be ~500 MB of JSON, their map is ~2 MB plus metadata.
 */
export async function mapVectors(deps: ApiDeps, limit: number, seed: number): Promise<z.input<typeof VectorMapOut>> {
  const vectors = streamIdsOf(deps.hvs.eventStore, 'vec.>');
  const next = seededRandom(seed);
  const picked: string[] = [];
  let seen = 0;
  // Sorted first: the same seed picks the same sample whatever order the ids were learnt in.
  for (const streamId of [...(await vectors.current())].sort()) {
    const id = streamId.slice('vec.'.length);
    seen++;
    if (picked.length < limit) picked.push(id);
    else {
      const j = Math.floor(next() * seen);
      if (j < limit) picked[j] = id;
    }
  }
  const geometry = deps.hvs.geometry;
  let axes: Axes | undefined;
  const points: z.input<typeof VectorMapOut>['points'] = [];
  for (let i = 0; i < picked.length; i += MAP_CHUNK) {
    const chunk = picked.slice(i, i + MAP_CHUNK);
    const found = await deps.hvs.batchRetrieveVectors(chunk);
    found.forEach((r, k) => r === null && vectors.forget(`vec.${chunk[k]}`));
    const records = found.filter((r) => r !== null);
    axes ??= fitAxes(
      records.slice(0, FIT_POINTS).map((r) => r.data),
      geometry,
    );
    for (const r of records) {
      const [x, y] = project(axes, r.data);
      points.push({ id: r.id, x, y, metadata: r.metadata });
    }
  }
  return {
    geometry,
    dimension: deps.hvs.dimension,
    total: await deps.hvs.count(),
    sample: 'uniform-random',
    projection: geometry === 'hyperboloid' ? 'poincare-disk' : 'pca',
    kept: axes?.kept ?? [0, 0],
    points,
  };
}
