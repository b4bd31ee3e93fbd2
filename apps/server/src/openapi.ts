// The OpenAPI 3.1 document, by @fastify/swagger from the routes' zod schemas (so the docs cannot drift from validation):
// every status each route returns, shared component schemas, responses and headers, the bearer scheme, a license.
import type { SwaggerOptions } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Route } from './route.js';
import { components, Problem } from './schemas.js';

type Json = Record<string, unknown>;

/** The shared error responses, by status: each an RFC 9457 problem. */
const ERROR_RESPONSES: Record<string, { name: string; description: string; retryAfter?: true }> = {
  '400': { name: 'BadRequest', description: 'invalid input (schema, JSON, unknown field, header): nothing was changed' },
  '401': { name: 'Unauthorized', description: 'a bearer token is required and was missing or unknown' },
  '403': { name: 'Forbidden', description: 'the caller may not do this (permissions, or X-HVS-Actor naming another agent)' },
  '404': { name: 'NotFound', description: 'no such resource' },
  '405': { name: 'MethodNotAllowed', description: 'the path does not serve this method (see Allow)' },
  '408': { name: 'RequestTimeout', description: 'the body arrived too slowly (the connection is closed)' },
  '409': { name: 'Conflict', description: 'conflicts with the current state (a block of that name exists, a store is closing)' },
  '412': { name: 'PreconditionFailed', description: 'If-Match did not match the current ETag' },
  '413': { name: 'PayloadTooLarge', description: 'the body is larger than the server’s limit' },
  '415': { name: 'UnsupportedMediaType', description: 'the body is not of an accepted media type (charset utf-8 if any)' },
  '422': { name: 'UnprocessableContent', description: 'well-formed, but cannot be applied to the current state (a JSON Patch)' },
  '429': { name: 'TooManyRequests', description: 'this agent has too many request-body bytes in flight', retryAfter: true },
  '503': { name: 'ServiceUnavailable', description: 'the server is busy or degraded', retryAfter: true },
};

const problemResponse = (status: string) => ({
  description: ERROR_RESPONSES[status]!.description,
  content: { 'application/problem+json': { schema: Problem } },
});

/** A stable operationId: `POST /v1/vectors/search` → `postV1VectorsSearch`, `{id}` → `By_id`. */
export function operationIdOf(method: string, path: string): string {
  return `${method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`;
}

/** The statuses a route answers besides its success: every one it can return, from what it declares. */
export function errorStatusesOf(route: Route): string[] {
  const out = new Set(['400', '401', '403', '405']);
  if (route.params) out.add('404');
  if (route.conditional) out.add('412');
  if (route.body) for (const s of ['408', '413', '415', '429', '503']) out.add(s);
  if (route.statusOf) out.add('503');
  for (const s of route.errors ?? []) out.add(String(s));
  return [...out].sort();
}

/** The Fastify response schemas of a route (zod), keyed by status: success, 304 where it has an ETag, and its errors. */
export function responsesOf(route: Route): Record<string, unknown> {
  const status = String(route.status ?? 200);
  const out: Record<string, unknown> = {
    [status]: status === '204' ? z.undefined().describe('done') : (route.response ?? z.unknown()).describe(route.summary),
  };
  if (route.etag && route.method === 'GET') out['304'] = z.undefined().describe('not modified: If-None-Match matched the current ETag');
  for (const s of errorStatusesOf(route)) out[s] = problemResponse(s);
  return out;
}

const ENTITY_TAGS = { type: 'string', description: '* or a list of entity tags, as sent in ETag ("3" for block version 3)' };
const PARAMETERS: Record<string, Json> = {
  Actor: {
    name: 'X-HVS-Actor',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description:
      'the agent the call acts as: for the admin token (or no token), any agent; for an agent token, only its own agent (else 403)',
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'a correlation id recorded on every event the call appends (echoed back; a fresh UUID if absent or invalid)',
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    schema: ENTITY_TAGS,
    description: 'act only when the current ETag matches (else 412)',
  },
  IfNoneMatch: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    schema: ENTITY_TAGS,
    description: 'answer 304 when the current ETag matches',
  },
};
const HEADERS: Json = {
  ETag: { description: 'strong entity tag of the representation ("<version>" for blocks)', schema: { type: 'string' } },
  RetryAfter: { description: 'seconds to wait before retrying', schema: { type: 'integer' } },
  RequestId: { description: 'the request’s correlation id', schema: { type: 'string' } },
};
const SECURITY_SCHEMES = {
  bearer: { type: 'http' as const, scheme: 'bearer', description: 'the admin token, or an agent token (see apps/server/README.md)' },
};
const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

/**
 * Finishes the document: each error response a shared `components.responses` entry, the header parameters on
 * every operation (If-Match where a 412 can come, If-None-Match where a 304 can), ETag / X-Request-Id / Retry-After
 * response headers, and the components themselves.
 */
function finish(doc: Json): Json {
  const paths = (doc['paths'] ?? {}) as Record<string, Record<string, Json>>;
  for (const ops of Object.values(paths)) {
    for (const op of Object.values(ops)) {
      const responses = (op['responses'] ?? {}) as Record<string, Json>;
      // Inline (not $ref'd): clients and tools read a parameter's name without resolving anything.
      const params = [PARAMETERS['Actor'], PARAMETERS['RequestId']];
      if (responses['412']) params.push(PARAMETERS['IfMatch']);
      if (responses['304']) params.push(PARAMETERS['IfNoneMatch']);
      op['parameters'] = [...((op['parameters'] as unknown[] | undefined) ?? []), ...params];
      for (const [status, response] of Object.entries(responses)) {
        const shared = ERROR_RESPONSES[status];
        if (shared) {
          responses[status] = ref('responses', shared.name);
          continue;
        }
        const headers: Json = { 'X-Request-Id': ref('headers', 'RequestId') };
        if (responses['304'] || responses['412']) headers['ETag'] = ref('headers', 'ETag');
        response['headers'] = { ...((response['headers'] as Json | undefined) ?? {}), ...headers };
      }
      responses['default'] = {
        description: 'an unexpected error',
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      };
    }
  }
  const c = (doc['components'] ?? {}) as Json;
  const responses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([, r]) => [
      r.name,
      {
        description: r.description,
        ...(r.retryAfter ? { headers: { 'Retry-After': ref('headers', 'RetryAfter') } } : {}),
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
      },
    ]),
  );
  doc['components'] = {
    ...c,
    schemas: referencedOnly(doc, (c['schemas'] ?? {}) as Json),
    responses,
    headers: HEADERS,
    securitySchemes: SECURITY_SCHEMES,
  };
  return doc;
}

/**
 * The component schemas something refers to: the registry yields an input and an output variant of each (`Block`,
 * `BlockInput`), and most are used one way only.
 */
function referencedOnly(doc: Json, schemas: Json): Json {
  const kept = { ...schemas };
  for (;;) {
    const text = JSON.stringify({ ...doc, components: { schemas: kept } });
    const unused = Object.keys(kept).filter((name) => {
      const refs = text.split(`"#/components/schemas/${name}"`).length - 1;
      const self = JSON.stringify(kept[name]).split(`"#/components/schemas/${name}"`).length - 1;
      return refs - self === 0;
    });
    if (unused.length === 0) return kept;
    for (const name of unused) delete kept[name];
  }
}

const transformObject = createJsonSchemaTransformObject({ schemaRegistry: components });

export function swaggerOptions(version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'HVS-NVM',
        version,
        description: 'Memory and messaging for teams of AI agents: vectors, memory blocks, mailboxes, facts, cache.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      // Without a token configured, no credentials are needed: both are listed.
      security: [{ bearer: [] }, {}],
    },
    transform: createJsonSchemaTransform({ schemaRegistry: components, skipList: [] }),
    transformObject: (input) => finish(transformObject(input as Parameters<typeof transformObject>[0]) as unknown as Json) as never,
  };
}
