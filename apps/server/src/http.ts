// The HTTP server: bearer auth (admin and per-agent tokens), bounded JSON bodies, routing to the Api, conditional
// requests, problem+json errors, /openapi.json and MCP at /mcp.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { CORRELATION_ID_PATTERN, withCall } from '@hvs-nvm/eventstore';
import { createLogger } from '@hvs-nvm/runtime';
import { Api, type ApiDeps } from './api.js';
import { AgentTokensSchema, Authenticator } from './auth.js';
import { responseSent } from './delivery.js';
import { SERVER_INFO } from './mcp.js';
import { McpHttpSessions } from './mcp-sessions.js';
import { openApiDocument } from './openapi.js';
import { readJsonBody, type BodyLimits } from './body.js';
import { BodyBudget, RetryLaterError } from './budget.js';
import { noneMatchHits } from './preconditions.js';
import { HttpError, toProblem, validationError } from './problem.js';
import { headerOf, routes } from './routes.js';
import { compileRoutes, resolveRoute } from './router.js';
import { serveEvents, serveFactEvents } from './sse.js';
import { dashboardHandler, isDashboardPath } from './dashboard.js';

const MiB = 1024 * 1024;

export const ServerOptionsSchema = z
  .object({
    /** The admin token: its bearer is the trusted operator. A token (this or agentTokens) is required off loopback. */
    token: z.string().min(16, 'an API token has at least 16 characters').optional(),
    /** Per-agent tokens (token → agent id): their bearer acts as that agent only. */
    agentTokens: AgentTokensSchema.optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8765),
    /** Largest request body: a batch of ~1,000 768-d vectors as JSON. Bigger batches are split by the client. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(8 * MiB),
    /** Bytes of request bodies read or handled at once, server-wide: over it, 503 with Retry-After. */
    maxInFlightBodyBytes: z
      .number()
      .int()
      .positive()
      .default(64 * MiB),
    /** The same, per agent token: over it, 429 with Retry-After. */
    maxCallerBodyBytes: z
      .number()
      .int()
      .positive()
      .default(16 * MiB),
    /** Time to receive a request's headers (node's server.headersTimeout; 408 and closed after it). */
    headersTimeoutMs: z.number().int().positive().default(10_000),
    /** Time to receive a whole request, body included (server.requestTimeout and the body read's deadline). */
    requestTimeoutMs: z.number().int().positive().default(60_000),
    /** Longest pause between two chunks of a body (408 and closed after it). */
    bodyIdleTimeoutMs: z.number().int().positive().default(10_000),
  })
  .refine((o) => o.maxBodyBytes <= o.maxCallerBodyBytes && o.maxCallerBodyBytes <= o.maxInFlightBodyBytes, {
    message: 'need maxBodyBytes ≤ maxCallerBodyBytes ≤ maxInFlightBodyBytes (else a body within the limit could never be read)',
  })
  .refine((o) => o.headersTimeoutMs <= o.requestTimeoutMs && o.bodyIdleTimeoutMs <= o.requestTimeoutMs, {
    message: 'need headersTimeoutMs and bodyIdleTimeoutMs ≤ requestTimeoutMs',
  });
export type ServerOptions = ApiDeps & z.input<typeof ServerOptionsSchema>;

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8765`. */
  url: string;
  mcpUrl: string;
  port: number;
  server: Server;
  api: Api;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class InsecureBindError extends HttpError {
  constructor(host: string) {
    super(
      400,
      'INSECURE_BIND',
      `refusing to listen on non-loopback host '${host}' without API tokens (pass an admin token or agent tokens)`,
    );
  }
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function sendJson(res: ServerResponse, status: number, value: unknown, contentType = 'application/json'): void {
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': `${contentType}; charset=utf-8`, 'content-length': Buffer.byteLength(text) }).end(text);
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, where);
  return r.data;
}

/** Starts the HTTP API (and MCP at /mcp) and resolves once it listens. */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { integration, hvs, nvm, encoder, cacheTtlSeconds, ...rest } = options;
  const parsed = ServerOptionsSchema.safeParse(rest);
  if (!parsed.success) throw validationError(parsed.error, 'server options');
  const { token, agentTokens, host, port, maxBodyBytes, headersTimeoutMs, requestTimeoutMs, bodyIdleTimeoutMs } = parsed.data;
  const budget = new BodyBudget(parsed.data.maxInFlightBodyBytes, parsed.data.maxCallerBodyBytes);
  const bodyLimits: BodyLimits = { maxBytes: maxBodyBytes, idleTimeoutMs: bodyIdleTimeoutMs, timeoutMs: requestTimeoutMs };
  const auth = new Authenticator(token, agentTokens);
  if (!auth.required && !isLoopback(host)) throw new InsecureBindError(host);

  const log = createLogger('http');
  const api = new Api({ integration, hvs, nvm, encoder, ...(cacheTtlSeconds !== undefined ? { cacheTtlSeconds } : {}) });
  const table = compileRoutes(routes);
  const feeds = new Set<ServerResponse>();
  const mcp = new McpHttpSessions(api);
  const dashboard = dashboardHandler();
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'INVALID_PATH', 'the request target is not a valid URL path');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    // The dashboard's files are public (they hold no data); the page asks for a token and sends it on every API call.
    if ((method === 'GET' || method === 'HEAD') && isDashboardPath(url.pathname)) return dashboard(req, res);
    // Everything, the OpenAPI document included, is behind the token when one is set: the document names every
    // route and schema, which is for callers who may use them.
    const caller = auth.authenticate(req.headers);
    // Charged to the agent (the operator only counts server-wide), until the response has gone.
    const lease = budget.lease(caller.kind === 'agent' ? caller.actor : undefined);
    res.once('close', () => lease.release());
    const readBody = (accepted?: readonly string[]) => readJsonBody(req, bodyLimits, lease, accepted);
    if (url.pathname === '/openapi.json') {
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
      }
      sendJson(res, 200, openApiDocument(routes, { version: SERVER_INFO.version, serverUrl: baseUrl }));
      return;
    }
    if (url.pathname === '/mcp') {
      // Sessions: POST carries requests, GET (with a session) the server's notification stream, DELETE ends one.
      if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
        res.setHeader('allow', 'POST, GET, DELETE');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /mcp (allowed: POST, GET, DELETE)`);
      }
      const body = method === 'POST' ? await readBody() : undefined;
      await mcp.handle(req, res, body, caller);
      return;
    }
    if (url.pathname === '/v1/events' || url.pathname === '/v1/facts/events') {
      if (method !== 'GET') {
        res.setHeader('allow', 'GET');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname} (allowed: GET)`);
      }
      // Feeds never end by themselves: close() ends them, so they do not hold a shutdown back.
      feeds.add(res);
      res.once('close', () => feeds.delete(res));
      if (url.pathname === '/v1/events') await serveEvents(integration, req, res, url, caller);
      else await serveFactEvents(integration, req, res, url);
      return;
    }
    const resolved = resolveRoute(table, method, url.pathname);
    if (resolved.kind === 'not-found') throw new HttpError(404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`);
    if (resolved.kind === 'method-not-allowed') {
      res.setHeader('allow', resolved.allow.join(', '));
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname} (allowed: ${resolved.allow.join(', ')})`);
    }
    const { route } = resolved;
    const params = parse(route.params, resolved.params, 'path') ?? {};
    const query = parse(route.query, Object.fromEntries(url.searchParams), 'query string') ?? {};
    const raw = route.body ? await readBody(route.bodyTypes) : undefined;
    const body = parse(route.body, raw, 'body');
    const result = await route.handle({ api, params, query, body, caller, headers: req.headers, sent: () => responseSent(res) });
    const etag = route.etag?.(result);
    if (etag !== undefined) {
      res.setHeader('etag', etag);
      if ((method === 'GET' || method === 'HEAD') && noneMatchHits(headerOf(req.headers, 'if-none-match'), etag)) {
        res.writeHead(304).end();
        return;
      }
    }
    // For HEAD, node sends the headers (content-length included) and drops the body.
    sendJson(res, route.statusOf?.(result) ?? route.status ?? 200, result ?? null);
  }

  const server = createHttpServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // How often node checks the two timeouts above (its default, 30 s, would let a slow client stay that much longer).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    (req, res) => {
      // One request, one call: every event it appends carries its request id (the caller's X-Request-Id, if valid).
      const given = req.headers['x-request-id'];
      const requestId = typeof given === 'string' && CORRELATION_ID_PATTERN.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', requestId);
      withCall(() => handle(req, res), requestId).catch((err: unknown) => {
        const problem = toProblem(err);
        if (problem.status >= 500) log.error({ err, method: req.method, url: req.url, requestId }, 'request failed');
        if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer realm="hvs-nvm"');
        if (err instanceof RetryLaterError) res.setHeader('retry-after', String(err.retryAfterSeconds));
        // A refused or cut-off body is not read to its end: close the connection after the answer.
        if (!req.complete) res.setHeader('connection', 'close');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendJson(res, problem.status, problem, 'application/problem+json');
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${shownHost}:${address.port}`;
  log.info({ url: baseUrl, adminToken: token !== undefined, agentTokens: Object.keys(agentTokens ?? {}).length }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      // The cache's invalidation projection stops with the server (the stores are closed by whoever opened them).
      server.close(() => void api.close().finally(resolve));
      server.closeIdleConnections();
      for (const feed of feeds) feed.destroy();
      void mcp.closeAll();
      // Long-polling mailbox reads must not hold shutdown hostage.
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    }));
  return { url: baseUrl, mcpUrl: `${baseUrl}/mcp`, port: address.port, server, api, close, [Symbol.asyncDispose]: close };
}
