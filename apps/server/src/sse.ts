// Server-Sent Events: the change feeds of the logs (and the fact stream) as `text/event-stream`, resumable by position.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { EventTypeSchema } from '@hvs-nvm/events';
import { FeedStoreSchema, type FeedEvent, type HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createLogger } from '@hvs-nvm/runtime';
import type { Caller } from './auth.js';
import { HttpError, validationError } from './problem.js';

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
export async function serveEvents(
  integration: HVSNVMIntegration,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller,
): Promise<void> {
  const parsed = EventsQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw validationError(parsed.error, 'query string');
  const { store, types, stream: streamPrefix } = parsed.data;
  const since = resumePosition(req, parsed.data.since);
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
export async function serveFactEvents(integration: HVSNVMIntegration, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const parsed = FactEventsQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw validationError(parsed.error, 'query string');
  const since = resumePosition(req, parsed.data.since);
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
