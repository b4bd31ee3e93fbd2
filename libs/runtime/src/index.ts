// Public face of @hvs-nvm/runtime: config, the embedded nats-server, nats-server processes, logging.
export { RuntimeError } from './errors.js';
export { loadConfig, RuntimeConfigSchema, ConfigError, type RuntimeConfig, type RuntimeConfigInput } from './config.js';
export {
  NatsServer,
  NatsServerNotFoundError,
  NatsServerStartError,
  findNatsServerBinary,
  freePort,
  freePorts,
  portAnswers,
  type NatsServerOptions,
} from './nats-server.js';
export { TempNatsServer } from './temp-server.js';
export { acquireNatsServer, EmbeddedServerLockedError, isProcessAlive, type ServerLease } from './embedded.js';
export { createLogger, rootLogger, type Logger } from './logger.js';
export {
  acquireServerLock,
  readServerLock,
  serverLockFile,
  DataDirServedError,
  type ServerLock,
  type ServerLockInfo,
} from './server-lock.js';
export { TempNatsCluster, type TempNatsClusterOptions } from './cluster.js';
export {
  generateAuthConfig,
  agentPermissions,
  agentInboxPrefix,
  mailboxConsumerName,
  AuthConfigError,
  type AuthConfigInput,
  type UserCredentials,
} from './auth.js';
