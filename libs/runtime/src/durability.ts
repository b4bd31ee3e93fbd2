// Which nats-server we run and what its acknowledgements are worth: version detection and the sync_interval decision.
import { spawnSync } from 'node:child_process';
import { z } from 'zod';

/** A nats-server version, as `nats-server --version` or the server's INFO `version` give it. */
export interface NatsServerVersion {
  major: number;
  minor: number;
  patch: number;
  /** As written, without a leading `v` (e.g. `2.9.10`, `2.10.0-beta.1`). */
  text: string;
}

/** What an acknowledged write survives: reported by `hvs-nvm status` and `/v1/health`. */
export const Durability = z.object({
  /** The nats-server version, or null when it could not be read. */
  serverVersion: z.string().nullable(),
  /**
   * `always`: every write is fsynced before it is acknowledged (nats-server ≥ 2.10 with `sync_interval: always`).
   * `default (2 min)`: written to the file before the ack, fsynced every 2 minutes (an OS crash or power loss can
   * lose up to ~2 minutes of acknowledged writes on a single node). `server config`: an external server, whose
   * configuration we cannot see.
   */
  syncInterval: z.enum(['always', 'default (2 min)', 'server config']),
});
export type Durability = z.infer<typeof Durability>;

/** Reads `2.9.10` out of `nats-server: v2.9.10`, `v2.10.0-RC.1` or `2.11.3`; undefined when there is no version. */
export function parseNatsServerVersion(text: string): NatsServerVersion | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.-]+)?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: m[0].replace(/^v/, '') };
}

/** `sync_interval` exists from nats-server 2.10 on; 2.9 refuses a config that names it. */
export function supportsSyncAlways(version: NatsServerVersion | undefined): boolean {
  if (!version) return false;
  return version.major > 2 || (version.major === 2 && version.minor >= 10);
}

/** The durability in force on a server of `version`: ours (embedded) follow supportsSyncAlways; others we cannot see. */
export function durabilityOf(version: NatsServerVersion | undefined, embedded: boolean): Durability {
  const serverVersion = version?.text ?? null;
  if (embedded) return { serverVersion, syncInterval: supportsSyncAlways(version) ? 'always' : 'default (2 min)' };
  // A 2.9 server has no such option, so its durability is known without seeing its config.
  if (version && !supportsSyncAlways(version)) return { serverVersion, syncInterval: 'default (2 min)' };
  return { serverVersion, syncInterval: 'server config' };
}

const detected = new Map<string, NatsServerVersion | undefined>();

/** Runs `<binary> --version` once per binary; undefined when it does not say. */
export function detectNatsServerVersion(binary: string): NatsServerVersion | undefined {
  if (!detected.has(binary)) {
    const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    detected.set(binary, r.status === 0 ? parseNatsServerVersion(`${r.stdout} ${r.stderr}`) : undefined);
  }
  return detected.get(binary);
}
