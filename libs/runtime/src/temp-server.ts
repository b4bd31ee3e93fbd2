// A throwaway nats-server in a temporary directory, for tests and benchmarks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer, type NatsServerOptions } from './nats-server.js';

export class TempNatsServer {
  private constructor(
    public server: NatsServer,
    readonly dir: string,
  ) {}

  static async start(options: Partial<NatsServerOptions> = {}): Promise<TempNatsServer> {
    const dir = mkdtempSync(join(tmpdir(), 'hvs-nvm-nats-'));
    const server = await NatsServer.start({ storeDir: join(dir, 'jetstream'), ...options });
    return new TempNatsServer(server, dir);
  }

  get url(): string {
    return this.server.url;
  }

  /** kill -9 the server, then start it again on the same port and store. */
  async crashAndRestart(): Promise<void> {
    await this.server.kill();
    this.server = await this.server.restart();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
