// The OpenAPI document without a running server: the same Fastify app, built over inert dependencies and never
// listening (for the typed client's generator and for tests).
import { createServer as createHttpServer } from 'node:http';
import type { HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createLogger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import { buildApp } from './app.js';
import { Authenticator } from './auth.js';
import { BodyBudget } from './budget.js';
import { SERVER_INFO } from './mcp.js';
import { McpHttpSessions } from './mcp-sessions.js';

/** The document `GET /openapi.json` serves (without `servers`, which names where a server listens). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  // No route runs: nothing reads these.
  const api = {} as Api;
  const mcp = new McpHttpSessions(api);
  const app = await buildApp({
    api,
    integration: {} as HVSNVMIntegration,
    auth: new Authenticator(),
    budget: new BodyBudget(1, 1),
    bodyLimits: { maxBytes: 1, idleTimeoutMs: 1, timeoutMs: 1 },
    mcp,
    corsOrigins: [],
    logger: createLogger('openapi'),
    feeds: new Set(),
    baseUrl: () => '',
    version: SERVER_INFO.version,
    serverFactory: (handler) => createHttpServer(handler),
  });
  try {
    await app.ready();
    return structuredClone(app.swagger()) as Record<string, unknown>;
  } finally {
    await mcp.closeAll();
    await app.close();
  }
}
