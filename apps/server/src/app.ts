// The Fastify application: request ids, bearer auth, the body byte budget and deadlines, exact media types, strict
// JSON bodies, problem+json errors, CORS, the route table, the change feeds, MCP at /mcp and /openapi.json.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { CORRELATION_ID_PATTERN, withCall } from '@hvs-nvm/eventstore';
import type { HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import type { Logger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import type { Authenticator, Caller } from './auth.js';
import { guardBody, JSON_MEDIA_TYPES, parseJsonBody, type BodyLimits } from './body.js';
import { RetryLaterError, type BodyBudget, type BudgetLease } from './budget.js';
import type { McpHttpSessions } from './mcp-sessions.js';
import { swaggerOptions } from './openapi.js';
import { fromFrameworkError, HttpError, toProblem } from './problem.js';
import { registerMethodNotAllowed, registerRoutes, type Served } from './register-routes.js';
import { routes } from './routes.js';
import { registerFeeds } from './sse.js';
import { dashboardHandler, isDashboardPath } from './dashboard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the auth hook before anything else reads the request. */
    caller: Caller;
    /** This request's share of the body byte budget, released once its response has gone. */
    lease: BudgetLease;
  }
  interface FastifyContextConfig {
    /** Media types this route's body may be sent as (default: application/json); any other is a 415. */
    bodyTypes?: readonly string[];
  }
}

export interface AppOptions {
  api: Api;
  integration: HVSNVMIntegration;
  auth: Authenticator;
  budget: BodyBudget;
  bodyLimits: BodyLimits;
  mcp: McpHttpSessions;
  /** Origins allowed to call from a browser (CORS); empty: no CORS headers, same-origin only. `*`: any. */
  corsOrigins: readonly string[];
  logger: Logger;
  /** Creates the node HTTP server (its timeouts are ours, not Fastify's defaults). */
  serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
  /** Change-feed responses open now: the server's close() ends them. */
  feeds: Set<ServerResponse>;
  /** The URL the server listens on, once it does (named in the OpenAPI document's servers). */
  baseUrl: () => string;
  version: string;
}

/** The request id: the caller's X-Request-Id when it is a valid correlation id, else a fresh UUID. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CORRELATION_ID_PATTERN.test(given) ? given : randomUUID();
}

/** Sends `err` as an RFC 9457 problem, with the headers its kind calls for. */
function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply, limits: BodyLimits): FastifyReply | undefined {
  const mapped = fromFrameworkError(err, limits);
  const problem = toProblem(mapped);
  if (problem.status >= 500) request.log.error({ err }, 'request failed');
  if (reply.raw.headersSent) {
    reply.raw.destroy();
    return undefined;
  }
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="hvs-nvm"');
  if (mapped instanceof RetryLaterError) reply.header('retry-after', String(mapped.retryAfterSeconds));
  // A refused or cut-off body is not read to its end: close the connection after the answer.
  if (!request.raw.complete) reply.header('connection', 'close');
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/** Builds the application (not yet listening). */
/**
 * A GET or HEAD for one of the dashboard's pages or files: a path outside the API's that no route matched. Asking
 * the router (not only the path) keeps an encoded API path such as `/%761/blocks` behind the token.
 */
function isDashboardRequest(request: FastifyRequest): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    request.routeOptions.url === undefined &&
    isDashboardPath(request.url.split('?')[0] ?? '/')
  );
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const dashboard = dashboardHandler();
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    genReqId: requestIdOf,
    serverFactory: o.serverFactory,
    bodyLimit: o.bodyLimits.maxBytes,
    // The route table's paths are matched as given: `/v1/blocks/` is not `/v1/blocks`.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 1024 },
    // A bad percent-escape in the path: our problem, not Fastify's default body.
    frameworkErrors: (err, request, reply) =>
      sendProblem(
        new HttpError(400, 'INVALID_PATH', `the request target is not a valid URL path: ${err.message}`),
        request,
        reply,
        o.bodyLimits,
      ),
  });
  app.decorateRequest('caller', null as never);
  app.decorateRequest('lease', null as never);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; responses are sent as the Api returns them (JSON.stringify), not re-validated.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // CORS first: a browser's preflight (OPTIONS, no credentials) is answered before the token is asked for.
  if (o.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: o.corsOrigins.includes('*') ? '*' : [...o.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'if-match',
        'if-none-match',
        'last-event-id',
        'mcp-session-id',
        'x-hvs-actor',
        'x-request-id',
      ],
      exposedHeaders: ['etag', 'retry-after', 'x-request-id', 'mcp-session-id', 'allow'],
      maxAge: 600,
    });
  }
  await app.register(swagger, swaggerOptions(o.version));

  app.addHook('onRequest', async (request, reply) => {
    // On the raw response, so that hijacked responses (feeds, MCP) carry it too.
    reply.raw.setHeader('x-request-id', request.id);
    // The dashboard's files are public (they hold no data): the page asks for a token and sends it on every API call.
    if (isDashboardRequest(request)) return;
    // Everything, the OpenAPI document included, is behind the token when one is set.
    request.caller = o.auth.authenticate(request.headers);
    // Charged to the agent (the operator only counts server-wide), until the response has gone.
    const lease = o.budget.lease(request.caller.kind === 'agent' ? request.caller.actor : undefined);
    request.lease = lease;
    reply.raw.once('close', () => lease.release());
  });
  // Before a byte of the body is read: its media type, its declared size, the budget; then its deadlines as it arrives.
  app.addHook('preParsing', async (request, _reply, payload) =>
    guardBody(request.raw, payload, request.routeOptions.config.bodyTypes ?? JSON_MEDIA_TYPES, o.bodyLimits, request.lease),
  );
  app.removeAllContentTypeParsers();
  // The media type was checked exactly by guardBody: one strict JSON parser for every accepted type.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, async (_request: FastifyRequest, body: Buffer) => parseJsonBody(body));

  app.setErrorHandler((err: FastifyError, request, reply) => sendProblem(err, request, reply, o.bodyLimits));
  app.setNotFoundHandler(async (request, reply) => {
    if (isDashboardRequest(request)) {
      reply.hijack();
      return dashboard(request.raw, reply.raw);
    }
    throw new HttpError(404, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
  });

  const served: Served[] = registerRoutes(app, routes, o.api);
  served.push(...registerFeeds(app, o.integration, o.feeds));

  app.route({
    method: 'GET',
    url: '/openapi.json',
    schema: { hide: true },
    handler: async () => {
      const doc = app.swagger() as Record<string, unknown>;
      return o.baseUrl() ? { ...doc, servers: [{ url: o.baseUrl() }] } : doc;
    },
  });
  served.push({ method: 'GET', path: '/openapi.json' });

  // Sessions: POST carries requests, GET (with a session) the server's notification stream, DELETE ends one.
  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/mcp',
    exposeHeadRoute: false,
    schema: { hide: true },
    handler: (request, reply) =>
      withCall(async () => {
        // The transport writes the response itself: hand it the raw one, with the headers set so far.
        for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
        try {
          await o.mcp.handle(request.raw, reply.raw, request.body, request.caller);
        } catch (err) {
          // Refused before the transport wrote anything: a problem like any other route's.
          if (!reply.raw.headersSent) throw err;
          request.log.warn({ err }, 'MCP request failed after its response began');
        }
        reply.hijack();
      }, request.id),
  });
  served.push({ method: 'POST', path: '/mcp' }, { method: 'GET', path: '/mcp', sideEffects: true }, { method: 'DELETE', path: '/mcp' });

  registerMethodNotAllowed(app, served);
  return app;
}
