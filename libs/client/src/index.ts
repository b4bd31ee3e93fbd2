// Public face of @hvs-nvm/client: a typed client for the HVS-NVM HTTP API, and the generated OpenAPI types.
export * from './client.js';
export type { paths, components, operations } from './schema.js';
