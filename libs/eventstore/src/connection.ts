// Connects to NATS: the configured URL (with credentials) or the embedded server of a storage path.
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { acquireNatsServer, loadConfig, type RuntimeConfig, type RuntimeConfigInput } from '@hvs-nvm/runtime';
import { z } from 'zod';
import { EventStoreUnavailableError } from './errors.js';

export interface NatsEndpoint {
  nc: NatsConnection;
  url: string;
  embedded: boolean;
  replicas: number;
  config: RuntimeConfig;
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
  inboxPrefix: z.string().regex(/^[A-Za-z0-9_\-.]+$/).optional(),
});

/** The connection settings among a client's options (what openNatsEndpoint takes besides storagePath and name). */
export function connectionOptionsOf(options: z.output<typeof NatsConnectionOptions>): z.output<typeof NatsConnectionOptions> {
  const { natsUrl, natsUser, natsPassword, natsToken, natsCredsFile, inboxPrefix } = options;
  return { natsUrl, natsUser, natsPassword, natsToken, natsCredsFile, inboxPrefix };
}

/** Opens a NATS connection per SPEC: `natsUrl` or NATS_URL if given, else the embedded server under storagePath. */
export async function openNatsEndpoint(options: OpenEndpointOptions): Promise<NatsEndpoint> {
  const { storagePath, name, inboxPrefix, ...configInput } = options;
  const config = loadConfig(configInput);
  const lease = await acquireNatsServer(config, storagePath);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: lease.url.split(',').map((s) => s.trim()),
      name: name ?? 'hvs-nvm',
      user: config.natsUser,
      pass: config.natsPassword,
      token: config.natsToken,
      authenticator: config.natsCredsFile ? credsAuthenticator(readFileSync(config.natsCredsFile)) : undefined,
      ...(inboxPrefix ? { inboxPrefix } : {}),
      maxReconnectAttempts: -1,
      // Async stack traces cost an Error per request/publish on the hot path (profiled at ~27 µs each).
      noAsyncTraces: true,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
    });
  } catch (err) {
    await lease.release();
    throw new EventStoreUnavailableError(`cannot connect to NATS at ${lease.url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let closed = false;
  return {
    nc,
    url: lease.url,
    embedded: lease.embedded,
    replicas: lease.replicas,
    config,
    close: async () => {
      if (closed) return;
      closed = true;
      await nc.drain().catch(() => nc.close());
      await lease.release();
    },
  };
}
