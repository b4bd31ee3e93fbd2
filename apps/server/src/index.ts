// Public face of @hvs-nvm/server-app: the HTTP API (with MCP at /mcp) and the MCP server over stdio.
export { createServer, isLoopback, InsecureBindError, ServerOptionsSchema, type ServerOptions, type RunningServer } from './http.js';
export { createMcpServer, serveMcpStdio, SERVER_INFO } from './mcp.js';
export { Api, type ApiDeps } from './api.js';
export { openApiDocument } from './openapi.js';
export { routes, type Route } from './routes.js';
export { HttpError, toProblem, describeError } from './problem.js';
