// The HTTP server: bearer auth (admin and per-agent tokens), JSON bodies, routing to the Api, problem+json errors,
// /openapi.json and MCP at /mcp.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { z } from 'zod';
import { createLogger } from '@hvs-nvm/runtime';
import { Api, type ApiDeps } from './api.js';
import { AgentTokensSchema, Authenticator } from './auth.js';
import { responseSent } from './delivery.js';
import { handleMcpHttp, SERVER_INFO } from './mcp.js';
import { openApiDocument } from './openapi.js';
import { HttpError, toProblem, validationError } from './problem.js';
import { compileRoutes, resolveRoute, routes } from './routes.js';

export const ServerOptionsSchema = z.object({
  /** The admin token: its bearer is the trusted operator. A token (this or agentTokens) is required off loopback. */
  token: z.string().min(16, 'an API token has at least 16 characters').optional(),
  /** Per-agent tokens (token → agent id): their bearer acts as that agent only. */
  agentTokens: AgentTokensSchema.optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8765),
  maxBodyBytes: z.number().int().positive().default(64 * 1024 * 1024),
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
    super(400, 'INSECURE_BIND', `refusing to listen on non-loopback host '${host}' without API tokens (pass an admin token or agent tokens)`);
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

async function readBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is ${declared} bytes, more than the limit of ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is more than the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, not '${type || 'no content type'}'`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, 'INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`);
  }
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
  const { token, agentTokens, host, port, maxBodyBytes } = parsed.data;
  const auth = new Authenticator(token, agentTokens);
  if (!auth.required && !isLoopback(host)) throw new InsecureBindError(host);

  const log = createLogger('http');
  const api = new Api({ integration, hvs, nvm, encoder, ...(cacheTtlSeconds !== undefined ? { cacheTtlSeconds } : {}) });
  const table = compileRoutes(routes);
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'INVALID_PATH', 'the request target is not a valid URL path');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    // Everything, the OpenAPI document included, is behind the token when one is set: the document names every
    // route and schema, which is for callers who may use them.
    const caller = auth.authenticate(req.headers);
    if (url.pathname === '/openapi.json') {
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
      }
      sendJson(res, 200, openApiDocument(routes, { version: SERVER_INFO.version, serverUrl: baseUrl }));
      return;
    }
    if (url.pathname === '/mcp') {
      const body = method === 'POST' ? await readBody(req, maxBodyBytes) : undefined;
      await handleMcpHttp(api, req, res, body, caller);
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
    const raw = route.body ? await readBody(req, maxBodyBytes) : undefined;
    const body = parse(route.body, raw, 'body');
    const result = await route.handle({ api, params, query, body, caller, sent: () => responseSent(res) });
    // For HEAD, node sends the headers (content-length included) and drops the body.
    sendJson(res, route.status ?? 200, result ?? null);
  }

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const problem = toProblem(err);
      if (problem.status >= 500) log.error({ err, method: req.method, url: req.url }, 'request failed');
      if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer realm="hvs-nvm"');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, problem.status, problem, 'application/problem+json');
    });
  });
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
      server.close(() => resolve());
      server.closeIdleConnections();
      // Long-polling mailbox reads must not hold shutdown hostage.
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    }));
  return { url: baseUrl, mcpUrl: `${baseUrl}/mcp`, port: address.port, server, api, close, [Symbol.asyncDispose]: close };
}
