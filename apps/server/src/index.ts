// Public face of @hvs-nvm/server-app: the HTTP API (with MCP at /mcp) and the MCP server over stdio.
export { createServer, isLoopback, InsecureBindError, ServerOptionsSchema, type ServerOptions, type RunningServer } from './http.js';
export { createMcpServer, serveMcpStdio, SERVER_INFO, RESOURCE_NOT_FOUND } from './mcp.js';
export { Authenticator, AgentTokensSchema, readAgentTokensFile, newAgentToken, OPERATOR, type AgentTokens, type Caller } from './auth.js';
export { Api, type ApiDeps } from './api.js';
export { openApiDocument } from './openapi-document.js';
export { routes, type Route } from './routes.js';
export { HttpError, toProblem, describeError } from './problem.js';
export {
  Collections,
  CollectionNotFoundError,
  ProtectedCollectionError,
  DEFAULT_COLLECTION,
  INDEX_DEFAULTS,
  type CollectionSettings,
  type CollectionsOptions,
} from './collections.js';
export { Namespaces, NamespaceNotFoundError, ProtectedNamespaceError, DEFAULT_NAMESPACE, type NamespacesOptions } from './namespaces.js';
export {
  CollectionReads,
  parseShardSpec,
  type CollectionRead,
  type CollectionReadsInput,
  type ProjectionPlace,
} from './collection-reads.js';
