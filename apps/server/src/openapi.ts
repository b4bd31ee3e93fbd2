// Builds the OpenAPI 3.1 document from the route table's zod schemas, so the docs cannot drift from validation.
import { z } from 'zod';
import type { Route } from './routes.js';
import { Problem } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ENTITY_TAGS = { type: 'string', description: '* or a list of entity tags, as sent in ETag ("3" for block version 3)' };

function parametersOf(route: Route): JsonSchema[] {
  const out: JsonSchema[] = [];
  if (route.etag && route.method === 'GET')
    out.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      schema: ENTITY_TAGS,
      description: 'answer 304 when the current ETag matches',
    });
  if (route.conditional)
    out.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      schema: ENTITY_TAGS,
      description: 'act only when the current ETag matches (else 412)',
    });
  for (const [where, obj] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!obj) continue;
    const json = schemaOf(obj, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema });
    }
  }
  return out;
}

export function openApiDocument(routes: Route[], info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const problem = {
    description: 'an RFC 9457 problem',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  const etagHeader = {
    ETag: { description: 'strong entity tag of the representation ("<version>" for blocks)', schema: { type: 'string' } },
  };
  const retryAfter = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };
  for (const route of routes) {
    const status = String(route.status ?? 200);
    const extra: Record<string, JsonSchema> = {};
    if (route.etag && route.method === 'GET')
      extra['304'] = { description: 'not modified: If-None-Match matched the current ETag', headers: etagHeader };
    if (route.conditional) extra['412'] = { ...problem, description: 'precondition failed: If-Match did not match the current ETag' };
    if (route.body) {
      extra['408'] = { ...problem, description: 'the body arrived too slowly' };
      extra['413'] = { ...problem, description: 'the body is larger than the server’s limit' };
      extra['415'] = { ...problem, description: 'the body is not application/json (charset utf-8 if any)' };
      extra['429'] = { ...problem, description: 'this agent has too many request-body bytes in flight', headers: retryAfter };
      extra['503'] = { ...problem, description: 'the server has too many request-body bytes in flight', headers: retryAfter };
    }
    const ok: JsonSchema = {
      description: 'ok',
      content: { 'application/json': { schema: route.response ? schemaOf(route.response, 'output') : {} } },
    };
    if (route.etag) ok['headers'] = etagHeader;
    const op: JsonSchema = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
      parameters: parametersOf(route),
      responses: {
        [status]: status === '204' ? { description: 'done' } : ok,
        '400': problem,
        '401': problem,
        '404': problem,
        ...extra,
        default: problem,
      },
    };
    if (route.body) {
      const schema = schemaOf(route.body, 'input');
      op['requestBody'] = {
        required: true,
        content: Object.fromEntries((route.bodyTypes ?? ['application/json']).map((t) => [t, { schema }])),
      };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'HVS-NVM',
      version: info.version,
      description: 'Memory and messaging for teams of AI agents: vectors, memory blocks, mailboxes, facts, cache.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: schemaOf(Problem, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }, {}],
  };
}
