// The HTTP server: its options and limits, the node server with our timeouts, the Fastify app (app.ts) on it, and
// an orderly close (feeds ended, MCP sessions closed, long polls cut after a grace period).
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { z } from 'zod';
import { createLogger } from '@hvs-nvm/runtime';
import { Api, type ApiDeps } from './api.js';
import { buildApp } from './app.js';
import { Collections } from './collections.js';
import { DEFAULT_NAMESPACE, Namespaces } from './namespaces.js';
import { AgentTokensSchema, Authenticator } from './auth.js';
import type { BodyLimits } from './body.js';
import { BodyBudget } from './budget.js';
import { SERVER_INFO } from './mcp.js';
import { McpHttpSessions } from './mcp-sessions.js';
import { HttpError, validationError } from './problem.js';

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
    /** Browser origins allowed to call the API (CORS), e.g. `http://localhost:5173`; `*` for any. None by default. */
    corsOrigins: z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)])).default([]),
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

/** Starts the HTTP API (and MCP at /mcp) and resolves once it listens. */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { integration, hvs, nvm, encoder, cacheTtlSeconds, collections: given, namespaces: givenNamespaces, ...rest } = options;
  const parsed = ServerOptionsSchema.safeParse(rest);
  if (!parsed.success) throw validationError(parsed.error, 'server options');
  const { token, agentTokens, host, port, maxBodyBytes, headersTimeoutMs, requestTimeoutMs, bodyIdleTimeoutMs } = parsed.data;
  const budget = new BodyBudget(parsed.data.maxInFlightBodyBytes, parsed.data.maxCallerBodyBytes);
  const bodyLimits: BodyLimits = { maxBytes: maxBodyBytes, idleTimeoutMs: bodyIdleTimeoutMs, timeoutMs: requestTimeoutMs };
  const auth = new Authenticator(token, agentTokens);
  if (!auth.required && !isLoopback(host)) throw new InsecureBindError(host);

  const log = createLogger('http');
  // Without a registry from the caller, one of its own, whose `default` is `hvs` (closed with the server).
  const collections =
    given ?? (await Collections.open({ fixed: [hvs], reasons: { [hvs.options.collection]: 'the server’s own collection' } }));
  // The same for namespaces: `default` is `nvm`; the others open on the same server, under the same storage path.
  const namespaces =
    givenNamespaces ??
    (await Namespaces.open({
      fixed: { [DEFAULT_NAMESPACE]: nvm },
      reasons: { [DEFAULT_NAMESPACE]: 'the block routes without a namespace use it' },
      storagePath: nvm.storagePath,
      connection: hvs.natsConnectionOptions(),
      encoder,
    }).catch(async (err: unknown) => {
      if (!given) await collections.close();
      throw err;
    }));
  const closeCollections = async () => {
    if (!givenNamespaces) await namespaces.close();
    if (!given) await collections.close();
  };
  const api = new Api({
    integration,
    hvs,
    nvm,
    encoder,
    collections,
    namespaces,
    ...(cacheTtlSeconds !== undefined ? { cacheTtlSeconds } : {}),
  });
  const feeds = new Set<ServerResponse>();
  const mcp = new McpHttpSessions(api);
  let baseUrl = '';
  const app = await buildApp({
    api,
    integration,
    auth,
    budget,
    bodyLimits,
    mcp,
    corsOrigins: parsed.data.corsOrigins,
    logger: log,
    feeds,
    baseUrl: () => baseUrl,
    version: SERVER_INFO.version,
    serverFactory: (handler) => {
      const server = createHttpServer(
        {
          headersTimeout: headersTimeoutMs,
          requestTimeout: requestTimeoutMs,
          // How often node checks the two timeouts above (its default, 30 s, would let a slow client stay that much longer).
          connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
        },
        handler,
      );
      server.keepAliveTimeout = 5_000;
      return server;
    },
  });
  try {
    await app.listen({ port, host });
  } catch (err) {
    // The port is taken (or the host unknown): nothing of this server stays behind.
    await mcp.closeAll();
    await app.close();
    await api.close();
    await closeCollections();
    throw err;
  }
  const server = app.server;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${shownHost}:${address.port}`;
  log.info({ url: baseUrl, adminToken: token !== undefined, agentTokens: Object.keys(agentTokens ?? {}).length }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Feeds never end by themselves, nor do MCP notification streams: they do not hold a shutdown back.
      for (const feed of feeds) feed.destroy();
      void mcp.closeAll();
      // Long-polling mailbox reads must not hold shutdown hostage either.
      const cut = setTimeout(() => server.closeAllConnections(), 2_000).unref();
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
        // The cache's invalidation projection stops with the server (the stores are closed by whoever opened them).
        await api.close();
        await closeCollections();
      }
    })());
  return { url: baseUrl, mcpUrl: `${baseUrl}/mcp`, port: address.port, server, api, close, [Symbol.asyncDispose]: close };
}
