// The typed config: options beat the environment, defaults fill the rest, bad values are a ConfigError.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('fills defaults when neither options nor environment say anything', () => {
    expect(loadConfig({}, {})).toEqual({ replicas: 1, dataDir: './data', logLevel: 'info', exitWithParent: false });
  });

  it('reads the environment', () => {
    const env = {
      NATS_URL: 'nats://a:4222,nats://b:4222',
      NATS_USER: 'u',
      NATS_PASSWORD: 'p',
      NATS_TOKEN: 't',
      NATS_CREDS: '/x.creds',
      HVS_NVM_REPLICAS: '3',
      HVS_NVM_DATA_DIR: '/data',
      HVS_NVM_LOG_LEVEL: 'debug',
      NATS_SERVER_BIN: '/opt/nats-server',
    };
    expect(loadConfig({}, env)).toEqual({
      natsUrl: 'nats://a:4222,nats://b:4222',
      natsUser: 'u',
      natsPassword: 'p',
      natsToken: 't',
      natsCredsFile: '/x.creds',
      replicas: 3,
      dataDir: '/data',
      logLevel: 'debug',
      natsServerBin: '/opt/nats-server',
      exitWithParent: false,
    });
    expect(loadConfig({}, { LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it('follows the parent process under npx / npm exec, or when HVS_NVM_EXIT_WITH_PARENT says so', () => {
    expect(loadConfig({}, { npm_command: 'exec' }).exitWithParent).toBe(true);
    expect(loadConfig({}, { npm_command: 'run-script' }).exitWithParent).toBe(false);
    expect(loadConfig({}, { HVS_NVM_EXIT_WITH_PARENT: '1' }).exitWithParent).toBe(true);
    expect(loadConfig({}, { npm_command: 'exec', HVS_NVM_EXIT_WITH_PARENT: '0' }).exitWithParent).toBe(false);
  });

  it('lets options beat the environment, and undefined or empty values fall through', () => {
    const env = { NATS_URL: 'nats://env:4222', HVS_NVM_REPLICAS: '3', HVS_NVM_DATA_DIR: '' };
    const config = loadConfig({ natsUrl: 'nats://opt:4222', replicas: undefined, logLevel: 'error' }, env);
    expect(config).toMatchObject({ natsUrl: 'nats://opt:4222', replicas: 3, dataDir: './data', logLevel: 'error' });
    expect(loadConfig({ replicas: 1 }, env).replicas).toBe(1);
  });

  it('rejects bad values with a ConfigError naming the field', () => {
    const bad: [Parameters<typeof loadConfig>[0], Record<string, string>, RegExp][] = [
      [{}, { HVS_NVM_REPLICAS: 'three' }, /replicas/],
      [{ replicas: 0 }, {}, /replicas/],
      [{ replicas: 2.5 }, {}, /replicas/],
      [{}, { HVS_NVM_LOG_LEVEL: 'loud' }, /logLevel/],
      [{ natsUrl: '' }, {}, /natsUrl/],
    ];
    for (const [options, env, field] of bad) {
      let err: unknown;
      try {
        loadConfig(options, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ code: 'INVALID_CONFIG', status: 400 });
      expect((err as Error).message).toMatch(field);
    }
  });
});
