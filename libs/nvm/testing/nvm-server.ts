// The shared setup of the NVM test files: one private nats-server per file, temp dirs, fresh namespaces, a probe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nvmNames } from '@hvs-nvm/events';
import { EventStore, openNatsEndpoint, type NatsEndpoint } from '@hvs-nvm/eventstore';
import { hashingEncoder, type Encoder } from '@hvs-nvm/encoders';
import { TempNatsServer } from '@hvs-nvm/runtime';
import { afterAll, beforeAll } from 'vitest';
import { NVM, type NVMOptions } from '../src/index.js';

export const encoder: Encoder = hashingEncoder();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class NvmTestServer {
  private readonly dirs: string[] = [];
  private nsCounter = 0;
  srv!: TempNatsServer;
  probe!: NatsEndpoint;

  static async start(): Promise<NvmTestServer> {
    const t = new NvmTestServer();
    t.srv = await TempNatsServer.start();
    t.probe = await openNatsEndpoint({ storagePath: t.tmp(), natsUrl: t.srv.url, name: 'nvm-test-probe' });
    return t;
  }

  tmp(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nvm-test-'));
    this.dirs.push(dir);
    return dir;
  }

  freshNamespace(): string {
    return `t${process.pid}_${++this.nsCounter}`;
  }

  open(namespace: string, more: Partial<NVMOptions> = {}): Promise<NVM> {
    return NVM.open({ storagePath: this.tmp(), natsUrl: this.srv.url, encoder, namespace, ...more });
  }

  storeOf(namespace: string): Promise<EventStore> {
    return EventStore.open(this.probe.nc, { names: nvmNames(namespace) });
  }

  async stop(): Promise<void> {
    await this.probe?.close();
    await this.srv?.stop();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * One NvmTestServer for the calling test file: started before its tests, stopped after them. Returns the calls the
 * tests use, bound to it.
 */
export function useNvmTestServer() {
  let t: NvmTestServer | undefined;
  beforeAll(async () => {
    t = await NvmTestServer.start();
  });
  afterAll(() => t?.stop());
  const server = () => {
    if (!t) throw new Error('the NVM test server is used before beforeAll ran');
    return t;
  };
  return {
    server,
    freshNamespace: () => server().freshNamespace(),
    open: (...args: Parameters<NvmTestServer['open']>) => server().open(...args),
    storeOf: (namespace: string) => server().storeOf(namespace),
  };
}
