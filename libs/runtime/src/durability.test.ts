// The nats-server version decides the embedded server's fsync policy: parsing, the decision, and the config text it writes.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectNatsServerVersion, durabilityOf, parseNatsServerVersion, supportsSyncAlways } from './durability.js';
import { embeddedServerConfigText, ensureEmbeddedAuth, readEmbeddedAuth, credentialsFile } from './embedded-config.js';
import { findNatsServerBinary, NatsServer } from './nats-server.js';

const dir = mkdtempSync(join(tmpdir(), 'hvs-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseNatsServerVersion', () => {
  it('reads the forms nats-server --version and INFO give', () => {
    expect(parseNatsServerVersion('nats-server: v2.9.10')).toMatchObject({ major: 2, minor: 9, patch: 10, text: '2.9.10' });
    expect(parseNatsServerVersion('2.10.0')).toMatchObject({ major: 2, minor: 10, patch: 0 });
    expect(parseNatsServerVersion('nats-server: v2.11.0-RC.2\n')).toMatchObject({ major: 2, minor: 11, text: '2.11.0-RC.2' });
    expect(parseNatsServerVersion('no version here')).toBeUndefined();
    expect(parseNatsServerVersion('')).toBeUndefined();
  });
});

describe('the sync_interval decision', () => {
  it('is `always` from 2.10 on and the 2-minute default before (and when the version is unknown)', () => {
    const v = (t: string) => parseNatsServerVersion(t);
    expect(supportsSyncAlways(v('2.9.10'))).toBe(false);
    expect(supportsSyncAlways(v('2.9.99'))).toBe(false);
    expect(supportsSyncAlways(v('2.10.0'))).toBe(true);
    expect(supportsSyncAlways(v('2.12.1'))).toBe(true);
    expect(supportsSyncAlways(v('3.0.0'))).toBe(true);
    expect(supportsSyncAlways(v('1.4.1'))).toBe(false);
    expect(supportsSyncAlways(undefined)).toBe(false);
  });

  it('reports what is in force: ours by version, an external 2.10+ server by its own config', () => {
    expect(durabilityOf(parseNatsServerVersion('2.9.10'), true)).toEqual({ serverVersion: '2.9.10', syncInterval: 'default (2 min)' });
    expect(durabilityOf(parseNatsServerVersion('2.10.4'), true)).toEqual({ serverVersion: '2.10.4', syncInterval: 'always' });
    expect(durabilityOf(parseNatsServerVersion('2.9.10'), false)).toEqual({ serverVersion: '2.9.10', syncInterval: 'default (2 min)' });
    expect(durabilityOf(parseNatsServerVersion('2.10.4'), false)).toEqual({ serverVersion: '2.10.4', syncInterval: 'server config' });
    expect(durabilityOf(undefined, true)).toEqual({ serverVersion: null, syncInterval: 'default (2 min)' });
  });
});

describe('the embedded server config', () => {
  mkdirSync(join(dir, 'auth'));
  const auth = ensureEmbeddedAuth(join(dir, 'auth'));

  it('keeps its generated credentials in a file of mode 0600, the same ones on every start', () => {
    const storeDir = join(dir, 'creds');
    mkdirSync(storeDir, { recursive: true });
    const first = ensureEmbeddedAuth(storeDir);
    expect(statSync(credentialsFile(storeDir)).mode & 0o777).toBe(0o600);
    expect(ensureEmbeddedAuth(storeDir)).toEqual(first);
    expect(readEmbeddedAuth(storeDir)).toEqual(first);
    expect(first.writer.password).not.toBe(first.responder.password);
  });

  it('names sync_interval: always only for 2.10+, and always requires a user', () => {
    const on210 = embeddedServerConfigText(auth, { syncAlways: true });
    const on29 = embeddedServerConfigText(auth, { syncAlways: false });
    expect(on210).toMatch(/jetstream \{\s*sync_interval: always\s*\}/);
    expect(on29).not.toContain('sync_interval');
    for (const text of [on210, on29]) {
      expect(text).toContain(`user: "${auth.writer.user}", password: "${auth.writer.password}"`);
      expect(text).toContain(`user: "${auth.responder.user}"`);
      expect(text).toMatch(/deny: \["hvs\.>", "nvm\.>", "mail\.>"/);
    }
  });

  it("this machine's nats-server starts with the text chosen for its version (a 2.9 server refuses sync_interval)", async () => {
    const version = detectNatsServerVersion(findNatsServerBinary());
    expect(version).toBeDefined();
    const start = (syncAlways: boolean, name: string) => {
      const conf = join(dir, `${name}.conf`);
      writeFileSync(conf, embeddedServerConfigText(auth, { syncAlways }));
      return NatsServer.start({ storeDir: join(dir, name), args: ['-c', conf] });
    };
    const chosen = await start(supportsSyncAlways(version), 'chosen');
    await chosen.stop();
    // The decision matters: on 2.9 the 2.10 text does not start at all.
    if (!supportsSyncAlways(version)) await expect(start(true, 'refused')).rejects.toMatchObject({ code: 'NATS_SERVER_START_FAILED' });
  });
});
