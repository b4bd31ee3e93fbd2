// Builds the OpenAPI 3.1 document from the route table's zod schemas, so the docs cannot drift from validation.
import { z } from 'zod';
import type { Route } from './routes.js';
import { Problem } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(route: Route): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, obj] of [['path', route.params], ['query', route.query]] as const) {
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
  const problem = { description: 'an RFC 9457 problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  for (const route of routes) {
    const status = String(route.status ?? 200);
    const op: JsonSchema = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
      parameters: parametersOf(route),
      responses: {
        [status]:
          status === '204'
            ? { description: 'done' }
            : { description: 'ok', content: { 'application/json': { schema: route.response ? schemaOf(route.response, 'output') : {} } } },
        '400': problem,
        '401': problem,
        '404': problem,
        default: problem,
      },
    };
    if (route.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'HVS-NVM', version: info.version, description: 'Memory and messaging for teams of AI agents: vectors, memory blocks, mailboxes, facts, cache.' },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: schemaOf(Problem, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }, {}],
  };
}
