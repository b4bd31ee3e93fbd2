// The OpenAPI document: valid OpenAPI 3.1 by a real validator, every route with every status it returns, shared
// components, the bearer scheme, the actor / request-id / conditional headers and a license.
import { compileErrors, validate } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi-document.js';
import { routes } from './routes.js';

type Op = {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
};
type Doc = {
  openapi: string;
  info: { license?: { name: string } };
  paths: Record<string, Record<string, Op>>;
  components: Record<string, Record<string, unknown>>;
  security: unknown[];
};
let doc: Doc;
beforeAll(async () => {
  doc = (await openApiDocument()) as unknown as Doc;
});
const op = (path: string, method: string) => doc.paths[path]![method]!;
const paramNames = (o: Op) => (o.parameters ?? []).map((p) => p.name);

describe('the OpenAPI document', () => {
  it('validates clean as OpenAPI 3.1 with @readme/openapi-parser', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('has every route of the table, with its request body and operationId', () => {
    const ids = new Set<string>();
    for (const r of routes) {
      const o = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(o, `${r.method} ${r.path}`).toBeDefined();
      expect(o!.requestBody !== undefined, `${r.method} ${r.path} body`).toBe(r.body !== undefined);
      ids.add(o!.operationId);
    }
    expect(ids.size).toBe(routes.length);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/facts/events']));
    expect(doc.paths['/mcp']).toBeUndefined();
  });

  it('names the statuses each route returns, as shared responses', () => {
    for (const r of routes) {
      const o = op(r.path, r.method.toLowerCase());
      const statuses = Object.keys(o.responses);
      for (const s of ['400', '401', '403', '405']) expect(statuses, `${r.method} ${r.path}`).toContain(s);
      if (r.params) expect(statuses, `${r.method} ${r.path}`).toContain('404');
      if (r.body) for (const s of ['408', '413', '415', '429', '503']) expect(statuses, `${r.method} ${r.path} ${s}`).toContain(s);
      if (r.conditional) expect(statuses).toContain('412');
      expect(o.responses['400']!.$ref).toBe('#/components/responses/BadRequest');
    }
    expect(Object.keys(op('/v1/blocks', 'post').responses)).toContain('409');
    expect(Object.keys(op('/v1/health', 'get').responses)).toContain('503');
    const responses = doc.components['responses'] as Record<string, { headers?: Record<string, unknown> }>;
    expect(responses['TooManyRequests']!.headers).toHaveProperty('Retry-After');
    expect(responses['ServiceUnavailable']!.headers).toHaveProperty('Retry-After');
  });

  it('refers to shared component schemas rather than inlining them', () => {
    const schemas = doc.components['schemas']!;
    for (const name of ['Problem', 'Block', 'VectorHit', 'Fact', 'Message']) expect(Object.keys(schemas).join(' ')).toContain(name);
    const block = op('/v1/blocks/{id}', 'get').responses['200'] as { content?: { 'application/json': { schema: { $ref?: string } } } };
    expect(block.content!['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/Block/);
  });

  it('strict bodies: unknown fields are not allowed', () => {
    const schema = op('/v1/memory', 'post').requestBody!.content['application/json']!.schema;
    expect(schema['additionalProperties']).toBe(false);
    expect(op('/v1/blocks/{id}', 'patch').requestBody!.content).toHaveProperty(['application/json-patch+json']);
  });

  it('the bearer scheme, the actor and request-id headers everywhere, If-Match / If-None-Match where they apply', () => {
    expect(doc.components['securitySchemes']).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(doc.security).toEqual([{ bearer: [] }, {}]);
    expect(doc.info.license?.name).toBeTruthy();
    for (const r of routes) {
      const refs = paramNames(op(r.path, r.method.toLowerCase()));
      expect(refs).toContain('X-HVS-Actor');
      expect(refs).toContain('X-Request-Id');
    }
    const get = op('/v1/blocks/{id}', 'get');
    expect(paramNames(get)).toContain('If-None-Match');
    expect(get.responses).toHaveProperty('304');
    expect(get.responses['200']!.headers).toHaveProperty('ETag');
    for (const m of ['put', 'patch', 'delete']) expect(paramNames(op('/v1/blocks/{id}', m)), m).toContain('If-Match');
    expect(op('/v1/vectors/{id}', 'get').responses).toHaveProperty('304');
  });
});
