// Connects to NATS: the configured URL (with credentials) or the embedded server of a storage path.
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import {
  acquireNatsServer,
  durabilityOf,
  loadConfig,
  parseNatsServerVersion,
  type Durability,
  type RuntimeConfig,
  type RuntimeConfigInput,
  type ServerLease,
} from '@hvs-nvm/runtime';
import { z } from 'zod';
import { EventStoreUnavailableError } from './errors.js';

export interface NatsEndpoint {
  nc: NatsConnection;
  url: string;
  embedded: boolean;
  replicas: number;
  config: RuntimeConfig;
  /** What an acknowledged write survives on this server (version and fsync policy). */
  durability: Durability;
  /**
   * The connection query services answer on: one as the responder identity when there is one (the embedded
   * server's, or NATS_RESPONDER_USER), whose permissions refuse any publish to the store subjects; else `nc`.
   */
  responderConnection(): Promise<NatsConnection>;
  /**
   * How another client of this process reaches the same server as the same identity (the embedded server's
   * generated writer credentials included): for opening a second store beside this one.
   */
  connectionOptions(): z.output<typeof NatsConnectionOptions>;
  close(): Promise<void>;
}

export interface OpenEndpointOptions extends Partial<RuntimeConfigInput> {
  /** Storage path whose embedded server to use when no NATS URL is configured. */
  storagePath: string;
  /** Connection name shown by the server. */
  name?: string;
  /** Per-agent inbox prefix (`_INBOX.<agent>`), required when the server confines each agent to its own inbox. */
  inboxPrefix?: string;
}

/** Connection options the stores accept: where NATS is and who we are to it (each falls back to the env). */
export const NatsConnectionOptions = z.object({
  natsUrl: z.string().min(1).optional(),
  natsUser: z.string().optional(),
  natsPassword: z.string().optional(),
  natsToken: z.string().optional(),
  /** Path to a NATS credentials (.creds) file. */
  natsCredsFile: z.string().optional(),
  inboxPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_\-.]+$/)
    .optional(),
});

/** The connection settings among a client's options (what openNatsEndpoint takes besides storagePath and name). */
export function connectionOptionsOf(options: z.output<typeof NatsConnectionOptions>): z.output<typeof NatsConnectionOptions> {
  const { natsUrl, natsUser, natsPassword, natsToken, natsCredsFile, inboxPrefix } = options;
  return { natsUrl, natsUser, natsPassword, natsToken, natsCredsFile, inboxPrefix };
}

type Credentials = Pick<RuntimeConfig, 'natsUser' | 'natsPassword' | 'natsToken' | 'natsCredsFile'>;

/** Who we are to the server: the embedded server's generated writer, or the configured credentials. */
function credentialsOf(lease: ServerLease, config: RuntimeConfig): Credentials {
  if (lease.auth) return { natsUser: lease.auth.writer.user, natsPassword: lease.auth.writer.password };
  const { natsUser, natsPassword, natsToken, natsCredsFile } = config;
  return { natsUser, natsPassword, natsToken, natsCredsFile };
}

function responderCredentialsOf(lease: ServerLease, config: RuntimeConfig): Credentials | undefined {
  if (lease.auth) return { natsUser: lease.auth.responder.user, natsPassword: lease.auth.responder.password };
  if (config.natsResponderUser) return { natsUser: config.natsResponderUser, natsPassword: config.natsResponderPassword };
  return undefined;
}

function connectAs(url: string, name: string, who: Credentials, inboxPrefix?: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    user: who.natsUser,
    pass: who.natsPassword,
    token: who.natsToken,
    authenticator: who.natsCredsFile ? credsAuthenticator(readFileSync(who.natsCredsFile)) : undefined,
    ...(inboxPrefix ? { inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    // Async stack traces cost an Error per request/publish on the hot path (profiled at ~27 µs each).
    noAsyncTraces: true,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
  });
}

/** Opens a NATS connection per SPEC: `natsUrl` or NATS_URL if given, else the embedded server under storagePath. */
export async function openNatsEndpoint(options: OpenEndpointOptions): Promise<NatsEndpoint> {
  const { storagePath, name, inboxPrefix, ...configInput } = options;
  const config = loadConfig(configInput);
  const lease = await acquireNatsServer(config, storagePath);
  const connectionName = name ?? 'hvs-nvm';
  let nc: NatsConnection;
  try {
    nc = await connectAs(lease.url, connectionName, credentialsOf(lease, config), inboxPrefix);
  } catch (err) {
    await lease.release();
    throw new EventStoreUnavailableError(`cannot connect to NATS at ${lease.url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const version = lease.serverVersion ?? parseNatsServerVersion(nc.info?.version ?? '');
  let responder: Promise<NatsConnection> | undefined;
  let closed = false;
  return {
    nc,
    url: lease.url,
    embedded: lease.embedded,
    replicas: lease.replicas,
    config,
    durability: durabilityOf(version, lease.embedded),
    connectionOptions: () => {
      const who = credentialsOf(lease, config);
      return {
        natsUrl: lease.url,
        ...(who.natsUser !== undefined ? { natsUser: who.natsUser } : {}),
        ...(who.natsPassword !== undefined ? { natsPassword: who.natsPassword } : {}),
        ...(who.natsToken !== undefined ? { natsToken: who.natsToken } : {}),
        ...(who.natsCredsFile !== undefined ? { natsCredsFile: who.natsCredsFile } : {}),
      };
    },
    responderConnection: () => {
      const who = responderCredentialsOf(lease, config);
      if (!who) return Promise.resolve(nc);
      responder ??= connectAs(lease.url, `${connectionName}:responder`, who).catch((err: unknown) => {
        responder = undefined;
        throw new EventStoreUnavailableError(`cannot connect to NATS at ${lease.url} as the query responder: ${(err as Error).message}`, {
          cause: err,
        });
      });
      return responder;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const r = await responder?.catch(() => undefined);
      if (r) await r.drain().catch(() => r.close());
      await nc.drain().catch(() => nc.close());
      await lease.release();
    },
  };
}
