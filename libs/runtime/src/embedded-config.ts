// The embedded server's secrets and config file: generated credentials (mode 0600) and the `-c` file that enforces them.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { responderPermissions, userEntry } from './auth.js';
import { RuntimeError } from './errors.js';

const Credentials = z.object({ user: z.string().min(1), password: z.string().min(16) });
export type EmbeddedCredentials = z.infer<typeof Credentials>;

/** Who may connect to an embedded server: the trusted writer of the libs, and the query responder. */
export const EmbeddedAuth = z.object({ writer: Credentials, responder: Credentials });
export type EmbeddedAuth = z.infer<typeof EmbeddedAuth>;

export class EmbeddedCredentialsError extends RuntimeError {
  constructor(file: string, detail: string) {
    super(
      'EMBEDDED_CREDENTIALS_INVALID',
      `the embedded nats-server credentials in ${file} cannot be used (${detail}); remove the file to make new ones`,
      500,
    );
  }
}

export const credentialsFile = (storeDir: string) => join(storeDir, 'credentials.json');
export const serverConfigFile = (storeDir: string) => join(storeDir, 'nats-server.conf');

const secret = () => randomBytes(24).toString('base64url');

/** Writes a file readable by its owner only, in one step (a reader never sees half of it, nor a wider mode). */
function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Reads the credentials of an embedded server (what a second process attaching through the lock file does). */
export function readEmbeddedAuth(storeDir: string): EmbeddedAuth {
  const file = credentialsFile(storeDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EmbeddedCredentialsError(file, (err as Error).message);
  }
  const parsed = EmbeddedAuth.safeParse(
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) throw new EmbeddedCredentialsError(file, 'not the expected JSON');
  // Another user who could read it could connect as the writer.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return parsed.data;
}

/**
 * The credentials of the embedded server under `storeDir`: kept across restarts (clients reconnecting after a
 * restart of the server present the ones they connected with), made on first start.
 */
export function ensureEmbeddedAuth(storeDir: string): EmbeddedAuth {
  try {
    return readEmbeddedAuth(storeDir);
  } catch (err) {
    if (!(err instanceof EmbeddedCredentialsError) || statSafe(credentialsFile(storeDir))) throw err;
  }
  const auth: EmbeddedAuth = {
    writer: { user: 'hvs-nvm', password: secret() },
    responder: { user: 'hvs-nvm-responder', password: secret() },
  };
  writePrivate(credentialsFile(storeDir), JSON.stringify(auth));
  return auth;
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The config text of an embedded server: users with passwords (no anonymous access), and on nats-server ≥ 2.10
 * `sync_interval: always` (fsync before every ack). The listen address, port, `-js` and the store dir stay on the
 * command line.
 */
export function embeddedServerConfigText(auth: EmbeddedAuth, options: { syncAlways: boolean }): string {
  const lines = [
    '# HVS-NVM embedded nats-server (generated at every start; do not edit)',
    'authorization {',
    '  users = [',
    `    ${userEntry(auth.writer.user, auth.writer.password, 'full')}`,
    `    ${userEntry(auth.responder.user, auth.responder.password, responderPermissions())}`,
    '  ]',
    '}',
  ];
  if (options.syncAlways) lines.push('jetstream {', '  sync_interval: always', '}');
  lines.push('');
  return lines.join('\n');
}

/** Writes the config file (mode 0600: it holds the passwords) and returns its path. */
export function writeEmbeddedServerConfig(storeDir: string, auth: EmbeddedAuth, options: { syncAlways: boolean }): string {
  const file = serverConfigFile(storeDir);
  writePrivate(file, embeddedServerConfigText(auth, options));
  return file;
}
