// Unit tests of the HTTP layer's pure parts: problem mapping, the route table, OpenAPI coverage, loopback checks.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isLoopback } from './http.js';
import { openApiDocument } from './openapi.js';
import { HttpError, toProblem } from './problem.js';
import { routes } from './routes.js';
import { compileRoutes, resolveRoute } from './router.js';

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

describe('routes and OpenAPI', () => {
  it('every route appears in the OpenAPI document with its request schema', () => {
    const doc = openApiDocument(routes, { version: 'test' }) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op!.requestBody !== undefined).toBe(r.body !== undefined);
    }
  });

  it('paths match with their parameters and nothing else', () => {
    const table = compileRoutes(routes);
    const match = (path: string) => table.filter((c) => c.pattern.test(path)).map((c) => `${c.route.method} ${c.route.path}`);
    expect(match('/v1/blocks/abc/history')).toEqual(['GET /v1/blocks/{id}/history']);
    expect(match('/v1/vectors/search')).toContain('POST /v1/vectors/search');
    expect(match('/v1/vectors/a/b')).toEqual([]);
  });

  it('a literal path wins over a parameter: GET /v1/vectors/search is a 405, not a lookup of vector "search"', () => {
    const table = compileRoutes(routes);
    expect(resolveRoute(table, 'GET', '/v1/vectors/search')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(resolveRoute(table, 'POST', '/v1/vectors/search')).toMatchObject({
      kind: 'route',
      route: { method: 'POST', path: '/v1/vectors/search' },
    });
    expect(resolveRoute(table, 'GET', '/v1/vectors/abc')).toMatchObject({
      kind: 'route',
      route: { path: '/v1/vectors/{id}' },
      params: { id: 'abc' },
    });
    expect(resolveRoute(table, 'PATCH', '/v1/vectors/abc')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'DELETE'] });
    expect(resolveRoute(table, 'GET', '/v1/nothing')).toEqual({ kind: 'not-found' });
  });

  it('HEAD runs a GET route, except one that takes messages from a mailbox', () => {
    const table = compileRoutes(routes);
    expect(resolveRoute(table, 'HEAD', '/v1/health')).toMatchObject({
      kind: 'route',
      head: true,
      route: { method: 'GET', path: '/v1/health' },
    });
    expect(resolveRoute(table, 'HEAD', '/v1/mailboxes/bob/messages')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
  });

  it('path parameters are percent-decoded, and a bad escape is a 400', () => {
    const table = compileRoutes(routes);
    expect(resolveRoute(table, 'GET', '/v1/vectors/a%20b')).toMatchObject({ params: { id: 'a b' } });
    expect(() => resolveRoute(table, 'GET', '/v1/vectors/%E0%A4%A')).toThrow(
      expect.objectContaining({ status: 400, code: 'INVALID_PATH' }),
    );
  });

  it('only loopback hosts count as loopback', () => {
    expect(['127.0.0.1', '127.0.0.2', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopback)).toBe(false);
  });
});
