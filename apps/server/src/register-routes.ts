// The route table on Fastify: one Fastify route per entry (schemas, statuses, ETag / If-None-Match, HEAD for safe
// GETs) and a 405 with Allow for every other method on a known path.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { withCall } from '@hvs-nvm/eventstore';
import type { Api } from './api.js';
import { JSON_MEDIA_TYPES } from './body.js';
import { responseSent } from './delivery.js';
import { responsesOf, operationIdOf } from './openapi.js';
import { noneMatchHits } from './preconditions.js';
import { HttpError } from './problem.js';
import { headerOf, type Route } from './route.js';

/** A method served on a path (in the route table's `{param}` syntax); `sideEffects`: a GET that HEAD must not run. */
export interface Served {
  method: string;
  path: string;
  sideEffects?: boolean;
}

/** `/v1/blocks/{id}` → `/v1/blocks/:id`. */
export const fastifyPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

function schemaOf(route: Route): FastifySchema {
  return {
    operationId: operationIdOf(route.method, route.path),
    summary: route.summary,
    tags: [route.tag],
    ...(route.params ? { params: route.params } : {}),
    ...(route.query ? { querystring: route.query } : {}),
    ...(route.body ? { body: route.body, consumes: [...(route.bodyTypes ?? JSON_MEDIA_TYPES)] } : {}),
    response: responsesOf(route),
  };
}

async function run(route: Route, api: Api, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const result = await route.handle({
    api,
    params: (request.params ?? {}) as Record<string, string>,
    query: (route.query ? request.query : {}) as Record<string, unknown>,
    body: request.body,
    caller: request.caller,
    headers: request.raw.headers,
    sent: () => responseSent(reply.raw),
  });
  const etag = route.etag?.(result);
  if (etag !== undefined) {
    reply.header('etag', etag);
    if ((request.method === 'GET' || request.method === 'HEAD') && noneMatchHits(headerOf(request.raw.headers, 'if-none-match'), etag)) {
      return reply.code(304).send();
    }
  }
  const status = route.statusOf?.(result) ?? route.status ?? 200;
  reply.code(status);
  // For HEAD, Fastify sends the headers (content-length included) and drops the body.
  return status === 204 ? reply.send() : reply.send(result ?? null);
}

/** Registers every route of the table; returns what they serve, for the 405s. */
export function registerRoutes(app: FastifyInstance, table: Route[], api: Api): Served[] {
  for (const route of table) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      // HEAD runs a GET without its body, unless that GET changes state (taking mail).
      exposeHeadRoute: route.method === 'GET' && !route.sideEffects,
      config: { bodyTypes: route.bodyTypes ?? JSON_MEDIA_TYPES },
      schema: schemaOf(route),
      // One request, one call: every event it appends carries its request id.
      handler: (request, reply) => withCall(() => run(route, api, request, reply), request.id),
    });
  }
  return table.map((r) => ({ method: r.method, path: r.path, ...(r.sideEffects ? { sideEffects: true } : {}) }));
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The Allow header of a path: its methods in the order served, a safe GET followed by HEAD. */
export function allowOf(served: Served[], path: string): string[] {
  return served
    .filter((s) => s.path === path)
    .flatMap((s) => (s.method === 'GET' && !s.sideEffects ? ['GET', 'HEAD'] : [s.method]))
    .filter((m, i, all) => all.indexOf(m) === i);
}

/**
 * A 405 with Allow for each method a known path does not serve. Registered as routes, so a literal path wins over a
 * parameter: GET /v1/vectors/search is a 405, never a lookup of the vector "search".
 */
export function registerMethodNotAllowed(app: FastifyInstance, served: Served[]): void {
  for (const path of new Set(served.map((s) => s.path))) {
    const allow = allowOf(served, path);
    const missing = METHODS.filter((m) => !allow.includes(m));
    if (missing.length === 0) continue;
    app.route({
      method: [...missing],
      url: fastifyPath(path),
      exposeHeadRoute: false,
      schema: { hide: true },
      handler: (request, reply) => {
        reply.header('allow', allow.join(', '));
        throw new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${request.url.split('?')[0]} (allowed: ${allow.join(', ')})`,
        );
      },
    });
  }
}
