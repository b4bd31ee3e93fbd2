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
export { acquireNatsServer, embeddedServerPid, EmbeddedServerLockedError, isProcessAlive, type ServerLease } from './embedded.js';
export {
  credentialsFile,
  embeddedServerConfigText,
  EmbeddedAuth,
  EmbeddedCredentialsError,
  readEmbeddedAuth,
  serverConfigFile,
} from './embedded-config.js';
export {
  detectNatsServerVersion,
  Durability,
  durabilityOf,
  parseNatsServerVersion,
  supportsSyncAlways,
  type NatsServerVersion,
} from './durability.js';
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
  responderPermissions,
  STORE_SUBJECTS,
  agentInboxPrefix,
  mailboxConsumerName,
  AuthConfigError,
  type AuthConfigInput,
  type UserCredentials,
} from './auth.js';
