// MCP over streamable HTTP with sessions: one MCP server per session, bound to the caller who opened it, so that
// resource subscriptions can send notifications on the session's GET stream; idle sessions expire.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Api } from './api.js';
import type { Caller } from './auth.js';
import { responseSent } from './delivery.js';
import { createMcpServer } from './mcp.js';
import { HttpError } from './problem.js';

export interface McpSessionLimits {
  /** Sessions open at once, in all. */
  maxSessions: number;
  /** Sessions one caller (a token's agent, or the operator) may hold at once. */
  maxSessionsPerCaller: number;
  /** A session with no request and no open notification stream for this long is closed. */
  idleTimeoutMs: number;
}

const DEFAULT_LIMITS: McpSessionLimits = { maxSessions: 256, maxSessionsPerCaller: 16, idleTimeoutMs: 10 * 60_000 };

interface Session {
  id: string;
  /** Who opened it: only they may use it. */
  owner: string;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  results: ResultTracker;
  lastUsedMs: number;
  /** Open GET streams (server → client notifications): a listening session is not idle. */
  streams: number;
}

/**
 * When each request's result reached the client: with JSON responses, a POST's HTTP response carries the results of
 * the requests in its body, so a result is sent when that response is (mail is acknowledged only then).
 */
class ResultTracker {
  private readonly pending = new Map<RequestId, Promise<boolean>>();

  track(body: unknown, res: ServerResponse): void {
    const messages = Array.isArray(body) ? (body as unknown[]) : [body];
    let sent: Promise<boolean> | undefined;
    for (const m of messages) {
      const id = (m as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' && typeof id !== 'number') continue;
      sent ??= responseSent(res);
      this.pending.set(id, sent);
      void sent.then(() => this.pending.delete(id));
    }
  }

  /** Unknown ids count as not sent: their mail comes back after the ack wait rather than being lost. */
  sent(id: RequestId): Promise<boolean> {
    return this.pending.get(id) ?? Promise.resolve(false);
  }
}

const ownerOf = (caller: Caller) => `${caller.kind}:${caller.actor ?? ''}`;

export class McpHttpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly limits: McpSessionLimits;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly api: Api,
    limits: Partial<McpSessionLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.limits.idleTimeoutMs)).unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Answers one MCP request. An initialize request without a session opens one (its id comes back in
   * Mcp-Session-Id); every other request names its session, which must be the caller's own: an unknown or foreign
   * session id is a 404, as the MCP specification has servers answer an expired session, so the client starts anew.
   */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session || session.owner !== ownerOf(caller)) {
        throw new HttpError(404, 'MCP_SESSION_NOT_FOUND', 'no such MCP session (it expired or was closed): initialize a new one');
      }
      session.lastUsedMs = Date.now();
      if (req.method === 'POST') session.results.track(body, res);
      if (req.method === 'GET') {
        session.streams++;
        res.once('close', () => {
          session.streams--;
          session.lastUsedMs = Date.now();
        });
      }
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      if (req.method === 'GET') res.setHeader('allow', 'POST, DELETE');
      throw new HttpError(
        req.method === 'GET' ? 405 : 400,
        'MCP_SESSION_REQUIRED',
        'open an MCP session first: POST an initialize request; then send its Mcp-Session-Id with every request',
      );
    }
    this.admit(caller);
    await this.open(req, res, body, caller);
  }

  /** Refuses a new session over the limits, after closing the sessions that have expired. */
  private admit(caller: Caller): void {
    const owner = ownerOf(caller);
    const over = () =>
      this.sessions.size >= this.limits.maxSessions ||
      [...this.sessions.values()].filter((s) => s.owner === owner).length >= this.limits.maxSessionsPerCaller;
    if (!over()) return;
    this.sweep();
    if (!over()) return;
    throw new HttpError(
      429,
      'TOO_MANY_MCP_SESSIONS',
      `too many MCP sessions (at most ${this.limits.maxSessionsPerCaller} per caller, ${this.limits.maxSessions} in all): ` +
        'close one (DELETE /mcp with its Mcp-Session-Id) or wait for idle ones to expire',
    );
  }

  private async open(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller): Promise<void> {
    const results = new ResultTracker();
    results.track(body, res);
    const server = createMcpServer(this.api, caller, (id) => results.sent(id));
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        session = { id, owner: ownerOf(caller), server, transport, results, lastUsedMs: Date.now(), streams: 0 };
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        void this.close(id);
      },
    });
    transport.onclose = () => {
      if (session) this.sessions.delete(session.id);
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // An initialize that failed leaves no session behind.
    if (!session) await server.close();
  }

  private async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  }

  /** Closes the sessions idle for longer than the idle timeout. */
  private sweep(): void {
    const cutoff = Date.now() - this.limits.idleTimeoutMs;
    for (const s of [...this.sessions.values()]) {
      if (s.streams === 0 && s.lastUsedMs < cutoff) {
        // Gone from the map at once, so that admit() counts it out; its transport closes in the background.
        this.sessions.delete(s.id);
        void s.transport.close().catch(() => undefined);
        void s.server.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}
