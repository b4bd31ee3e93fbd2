// Server-Sent Events: the change feeds of the logs (and the fact stream) as `text/event-stream`, resumable by position.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EventTypeSchema } from '@hvs-nvm/events';
import { FeedStoreSchema, type FeedEvent, type HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createLogger } from '@hvs-nvm/runtime';
import type { Caller } from './auth.js';
import { operationIdOf, responsesOf } from './openapi.js';
import { HttpError } from './problem.js';
import type { Served } from './register-routes.js';

const log = createLogger('sse');

/** A comment line this often keeps proxies and clients from timing an idle feed out. */
const HEARTBEAT_MS = 15_000;
/** What a client waits before reconnecting (the SSE `retry:` field). */
const RETRY_MS = 1_000;

const Position = z.coerce.number().int().min(0);
const TypeList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  )
  .pipe(z.array(EventTypeSchema).min(1));

export const EventsQuery = z.strictObject({
  store: FeedStoreSchema.describe('which log: hvs (vectors, presence), mail (mailboxes) or nvm (blocks, facts)'),
  since: Position.optional().describe('deliver the events after this position (default: from the start)'),
  types: TypeList.optional().describe('comma-separated event types, e.g. BlockCreated,BlockUpdated'),
  stream: z.string().min(1).max(256).optional().describe('only streams whose id starts with this, e.g. block. or box.bob.'),
});
export type EventsQueryInput = z.input<typeof EventsQuery>;

export const FactEventsQuery = z.strictObject({
  since: Position.optional().describe('deliver the facts after this position (default: from the start)'),
});

/**
 * Where a reconnecting client resumes: its Last-Event-ID (the position of the last event it received) wins over
 * `since`, as the SSE specification has browsers send it on every automatic reconnect.
 */
function resumePosition(req: IncomingMessage, since: number | undefined): number | undefined {
  const header = req.headers['last-event-id'];
  if (header === undefined || header === '') return since;
  const parsed = Position.safeParse(Array.isArray(header) ? header[0] : header);
  if (!parsed.success)
    throw new HttpError(400, 'INVALID_LAST_EVENT_ID', `Last-Event-ID must be a position (an integer ≥ 0), got '${String(header)}'`);
  return parsed.data;
}

/** Whose view a feed shows: an agent's own; an operator's, or the agent the operator names in X-HVS-Actor. */
const viewerOf = (caller: Caller): string | undefined => caller.actor;

interface SseFrame {
  id: number;
  event: string;
  data: unknown;
}

/**
 * Streams frames from `source` to the response until the client goes away or the server closes: headers at once,
 * one frame per event (`id:` is the position), a heartbeat comment when idle, and backpressure honoured (a slow
 * client holds its own feed back, never the server's memory).
 */
async function stream(req: IncomingMessage, res: ServerResponse, open: (signal: AbortSignal) => AsyncIterable<SseFrame>): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  req.once('close', stop);
  res.once('close', stop);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    for await (const frame of open(abort.signal)) {
      if (abort.signal.aborted) break;
      const ok = res.write(`id: ${frame.id}\nevent: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`);
      if (!ok)
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            abort.signal.removeEventListener('abort', done);
            resolve();
          };
          res.once('drain', done);
          abort.signal.addEventListener('abort', done, { once: true });
        });
    }
  } catch (err) {
    // The headers are out: a failure can only end the stream (the client reconnects from its last id).
    if (!abort.signal.aborted) log.warn({ err }, 'change feed ended with an error');
  } finally {
    clearInterval(heartbeat);
    req.off('close', stop);
    res.end();
  }
}

/** GET /v1/events: one log's change feed as Server-Sent Events. */
async function serveEvents(
  integration: HVSNVMIntegration,
  req: IncomingMessage,
  res: ServerResponse,
  query: z.output<typeof EventsQuery>,
  caller: Caller,
): Promise<void> {
  const { store, types, stream: streamPrefix } = query;
  const since = resumePosition(req, query.since);
  const viewer = viewerOf(caller);
  await stream(req, res, async function* (signal) {
    const feed = integration.changes({
      store,
      ...(since !== undefined ? { since } : {}),
      ...(types ? { types } : {}),
      ...(streamPrefix ? { streamPrefix } : {}),
      ...(viewer ? { actor: viewer } : {}),
      signal,
    });
    for await (const e of feed) yield { id: e.position, event: e.type, data: e satisfies FeedEvent };
  });
}

/** GET /v1/facts/events: every fact of the shared knowledge base as it is added, as Server-Sent Events. */
async function serveFactEvents(
  integration: HVSNVMIntegration,
  req: IncomingMessage,
  res: ServerResponse,
  query: z.output<typeof FactEventsQuery>,
): Promise<void> {
  const since = resumePosition(req, query.since);
  await stream(req, res, async function* (signal) {
    // The fact streams are readable by every agent: no viewer restriction applies to them.
    const feed = integration.nvm.eventStore.subscribeToAll({
      fromPosition: (since ?? 0) + 1,
      filter: 'fact.>',
      types: ['FactAdded'],
      signal,
    });
    try {
      for await (const e of feed) {
        if (e.type !== 'FactAdded') continue;
        yield { id: e.position, event: 'fact', data: { position: e.position, ...e.data } };
      }
    } finally {
      await feed.stop();
    }
  });
}

const FEEDS = [
  {
    path: '/v1/events',
    summary: 'A log’s change feed as Server-Sent Events (id: the position; resumable with Last-Event-ID or since)',
    query: EventsQuery,
    serve: (integration: HVSNVMIntegration, req: IncomingMessage, res: ServerResponse, query: unknown, caller: Caller) =>
      serveEvents(integration, req, res, query as z.output<typeof EventsQuery>, caller),
  },
  {
    path: '/v1/facts/events',
    summary: 'Every fact of the shared knowledge base as it is added, as Server-Sent Events',
    query: FactEventsQuery,
    serve: (integration: HVSNVMIntegration, req: IncomingMessage, res: ServerResponse, query: unknown) =>
      serveFactEvents(integration, req, res, query as z.output<typeof FactEventsQuery>),
  },
];

const LastEventIdHeader = z.looseObject({
  'last-event-id': z.string().optional().describe('the position of the last event received: the feed resumes after it'),
});

/**
 * Registers the feeds. Once the query is valid, the response is taken over from Fastify (headers set so far are
 * kept) and streamed until the client goes away or the server closes (`feeds` holds them for close()).
 */
export function registerFeeds(app: FastifyInstance, integration: HVSNVMIntegration, feeds: Set<ServerResponse>): Served[] {
  for (const feed of FEEDS) {
    const docs = {
      method: 'GET' as const,
      path: feed.path,
      summary: feed.summary,
      tag: 'feeds',
      query: feed.query,
      handle: () => undefined,
    };
    const responses = responsesOf(docs);
    responses['200'] = {
      description: 'text/event-stream: `retry:`, then one `id:`/`event:`/`data:` frame per event, and `: keep-alive` comments',
      content: { 'text/event-stream': { schema: z.string() } },
    };
    app.route({
      method: 'GET',
      url: feed.path,
      exposeHeadRoute: false,
      schema: {
        operationId: operationIdOf('GET', feed.path),
        summary: feed.summary,
        tags: ['feeds'],
        querystring: feed.query,
        headers: LastEventIdHeader,
        response: responses,
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        // Refused before the stream starts: a problem like any other route's.
        resumePosition(request.raw, undefined);
        for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
        reply.hijack();
        feeds.add(reply.raw);
        reply.raw.once('close', () => feeds.delete(reply.raw));
        await feed.serve(integration, request.raw, reply.raw, request.query, request.caller);
      },
    });
  }
  return FEEDS.map((f) => ({ method: 'GET', path: f.path, sideEffects: true }));
}
