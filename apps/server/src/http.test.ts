// Unit tests of the HTTP layer: problem mapping, and the route table on Fastify (405/Allow, HEAD, percent-decoding,
// strict bodies, request ids, CORS) over a stand-in Api, through inject (no socket).
import { createServer as createHttpServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createLogger, type Logger } from '@hvs-nvm/runtime';
import { pino } from 'pino';
import type { Api } from './api.js';
import { buildApp } from './app.js';
import { Authenticator } from './auth.js';
import { BodyBudget } from './budget.js';
import { isLoopback } from './http.js';
import { McpHttpSessions } from './mcp-sessions.js';
import { HttpError, toProblem } from './problem.js';

describe('problem details', () => {
  it('a typed error keeps its code and status', () => {
    class VectorNotFound extends Error {
      readonly code = 'VECTOR_NOT_FOUND';
      readonly status = 404;
    }
    expect(toProblem(new VectorNotFound("vector 'x' not found"))).toEqual({
      type: 'urn:hvs-nvm:problem:VECTOR_NOT_FOUND',
      title: 'Not Found',
      status: 404,
      detail: "vector 'x' not found",
      code: 'VECTOR_NOT_FOUND',
    });
  });

  it('an unknown error is a bare 500 that leaks neither message nor stack', () => {
    const p = toProblem(new TypeError('secret /home/user/path at foo.ts:12'));
    expect(p).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(p)).not.toContain('secret');
  });

  it('a zod error is a 400 listing the bad paths', () => {
    const r = z.object({ k: z.number() }).safeParse({ k: 'x' });
    const p = toProblem(r.error);
    expect(p).toMatchObject({ status: 400, code: 'INVALID_REQUEST', issues: [{ path: 'k' }] });
  });

  it('HTTP-layer errors carry their own code', () => {
    expect(toProblem(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'json only'))).toMatchObject({
      status: 415,
      title: 'Unsupported Media Type',
    });
  });
});

/** The real app over a stand-in Api that records what the vector routes were asked for. */
async function testApp(options: { token?: string; corsOrigins?: string[]; logger?: Logger } = {}) {
  const asked: string[] = [];
  const api = {
    getVector: (id: string) => {
      asked.push(id);
      return { id, vector: [1], metadata: {} };
    },
    searchVectors: () => ({ results: [] }),
    storeMemory: (body: { content: string }) => ({ id: `m-${body.content.length}` }),
  } as unknown as Api;
  const mcp = new McpHttpSessions(api);
  const app = await buildApp({
    api,
    integration: {} as HVSNVMIntegration,
    auth: new Authenticator(options.token),
    budget: new BodyBudget(1024, 1024),
    bodyLimits: { maxBytes: 512, idleTimeoutMs: 1_000, timeoutMs: 1_000 },
    mcp,
    corsOrigins: options.corsOrigins ?? [],
    logger: options.logger ?? createLogger('test'),
    feeds: new Set(),
    baseUrl: () => '',
    version: 'test',
    serverFactory: (handler) => createHttpServer(handler),
  });
  return { app, asked, close: () => Promise.all([mcp.closeAll(), app.close()]) };
}

let t: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('routes on Fastify', () => {
  it('a literal path wins over a parameter: GET /v1/vectors/search is a 405, not a lookup of vector "search"', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/vectors/search' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(t.asked).not.toContain('search');
    const get = await t.app.inject({ method: 'GET', url: '/v1/vectors/abc' });
    expect(get.statusCode).toBe(200);
    expect(get.headers['etag']).toMatch(/^"[\w-]+"$/);
    expect((await t.app.inject({ method: 'PATCH', url: '/v1/vectors/abc' })).headers['allow']).toBe('GET, HEAD, DELETE');
    expect((await t.app.inject({ method: 'GET', url: '/v1/nothing' })).json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('HEAD runs a GET route, except one that takes messages from a mailbox', async () => {
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/vectors/abc' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const mail = await t.app.inject({ method: 'HEAD', url: '/v1/mailboxes/bob/messages' });
    expect(mail.statusCode).toBe(405);
    expect(mail.headers['allow']).toBe('GET');
  });

  it('path parameters are percent-decoded, and a bad escape is a 400', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/vectors/a%20b' });
    expect(t.asked).toContain('a b');
    const bad = await t.app.inject({ method: 'GET', url: '/v1/vectors/%E0%A4%A' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_PATH' });
  });

  it('an unknown body field is a 400 naming it, and nothing is called', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/memory', payload: { content: 'x', contnet: 'typo' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(res.json().detail).toContain('contnet');
    const nested = await t.app.inject({ method: 'POST', url: '/v1/vectors/search', payload: { vector: [1], filtre: {} } });
    expect(nested.json()).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect((await t.app.inject({ method: 'POST', url: '/v1/memory', payload: { content: 'fine' } })).statusCode).toBe(201);
  });

  it('every response carries its request id: the caller’s when valid, else a fresh one', async () => {
    const given = await t.app.inject({ method: 'GET', url: '/v1/vectors/abc', headers: { 'x-request-id': 'req-123' } });
    expect(given.headers['x-request-id']).toBe('req-123');
    const fresh = await t.app.inject({ method: 'GET', url: '/v1/vectors/abc', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the dashboard is public, but an API path however spelt stays behind the token', async () => {
    const c = await testApp({ token: 'admin-token-0123456789' });
    try {
      // Whether or not the dashboard is built here: never a 401 for its pages.
      const page = await c.app.inject({ method: 'GET', url: '/blocks' });
      expect([200, 503]).toContain(page.statusCode);
      for (const url of ['/v1/vectors/abc', '/%761/vectors/abc', '/v1/nothing', '/openapi.json', '/mcp']) {
        const res = await c.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(401);
      }
      expect(c.asked).toEqual([]);
      expect((await c.app.inject({ method: 'POST', url: '/blocks' })).statusCode).toBe(401);
    } finally {
      await c.close();
    }
  });

  it('CORS: an allowed origin gets its preflight answered without a token; others get no CORS headers', async () => {
    const c = await testApp({ token: 'admin-token-0123456789', corsOrigins: ['http://localhost:5173'] });
    try {
      const preflight = await c.app.inject({
        method: 'OPTIONS',
        url: '/v1/memory',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const other = await c.app.inject({ method: 'GET', url: '/v1/vectors/abc', headers: { origin: 'http://evil.example' } });
      expect(other.statusCode).toBe(401);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const ok = await c.app.inject({
        method: 'GET',
        url: '/v1/vectors/abc',
        headers: { origin: 'http://localhost:5173', authorization: 'Bearer admin-token-0123456789' },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    } finally {
      await c.close();
    }
    // Without origins configured, no CORS at all.
    const none = await t.app.inject({ method: 'GET', url: '/v1/vectors/abc', headers: { origin: 'http://localhost:5173' } });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('logs each request at info with its request id', async () => {
    const lines: { level: number; msg: string; reqId?: string; res?: { statusCode: number } }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const l = await testApp({ logger });
    try {
      await l.app.inject({ method: 'GET', url: '/v1/vectors/abc', headers: { 'x-request-id': 'logged-request-1' } });
    } finally {
      await l.close();
    }
    const mine = lines.filter((x) => x.reqId === 'logged-request-1');
    expect(mine.map((x) => [x.level, x.msg])).toEqual([
      [30, 'incoming request'],
      [30, 'request completed'],
    ]);
    expect(mine[1]!.res?.statusCode).toBe(200);
  });

  it('only loopback hosts count as loopback', () => {
    expect(['127.0.0.1', '127.0.0.2', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopback)).toBe(false);
  });
});
