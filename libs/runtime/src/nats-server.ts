// Starts and stops nats-server child processes (the embedded default, and the servers tests run).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { delimiter, join } from 'node:path';
import { RuntimeError } from './errors.js';

export class NatsServerNotFoundError extends RuntimeError {
  constructor(searched: string[]) {
    super(
      'NATS_SERVER_NOT_FOUND',
      `nats-server was not found (looked in: ${searched.join(', ')}). Install it with ` +
        '`apt-get install nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS), or download the ' +
        'release binary from https://github.com/nats-io/nats-server/releases and put it on PATH ' +
        '(or set NATS_SERVER_BIN). Or point HVS-NVM at a running server with NATS_URL.',
      500,
    );
  }
}

export class NatsServerStartError extends RuntimeError {
  constructor(message: string) {
    super('NATS_SERVER_START_FAILED', message, 500);
  }
}

/**
 * Locates the nats-server binary: an explicit one (NATS_SERVER_BIN) or else PATH, then the usual system folders.
 * An explicit binary that does not exist is an error, not a reason to run some other nats-server.
 */
export function findNatsServerBinary(explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new NatsServerNotFoundError([explicit]);
    return explicit;
  }
  const candidates: string[] = [];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'nats-server'));
  candidates.push('/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server');
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new NatsServerNotFoundError(candidates);
  return found;
}

/**
 * Stops the server when this process dies, even by SIGKILL: a tiny detached shell polls both pids
 * and sends SIGTERM to the server once its parent is gone, so no nats-server outlives its owner.
 */
function watchParent(serverPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${serverPid} 2>/dev/null; do sleep 1; done; kill -TERM ${serverPid} 2>/dev/null`;
  const watcher = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
  watcher.unref();
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}

/**
 * Asks the OS for `count` distinct free TCP ports on loopback. All listeners stay open until every port is known, so
 * the OS cannot hand the same port out twice (a plain freePort() loop can, once the first listener has closed).
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      srv.unref();
      servers.push(srv);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(0, host, () => {
            const addr = srv.address();
            resolve(typeof addr === 'object' && addr ? addr.port : 0);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

/** True when something accepts TCP connections on host:port. */
export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tcpConnect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export interface NatsServerOptions {
  /** JetStream store directory (created if missing). */
  storeDir: string;
  port?: number;
  host?: string;
  /** Extra command-line arguments, e.g. ['-c', 'cluster.conf']. */
  args?: string[];
  /** nats-server binary; defaults to findNatsServerBinary(). */
  binary?: string;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /** Server name (-n); needed to restart a node with the same identity. */
  serverName?: string;
  /** Skip `-js` (for configs that enable JetStream themselves). */
  noJetStream?: boolean;
}

/** A nats-server child process on loopback. Stop it with stop() (SIGTERM) or kill() (SIGKILL). */
export class NatsServer {
  /** Settles when the process has exited (at once if it already has). */
  readonly exited: Promise<void>;
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly host: string,
    readonly options: NatsServerOptions,
    private readonly output: string[],
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  get url(): string {
    return `nats://${this.host}:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Recent server output, for error messages. */
  get log(): string {
    return this.output.join('');
  }

  static async start(options: NatsServerOptions): Promise<NatsServer> {
    const binary = findNatsServerBinary(options.binary);
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await freePort(host));
    mkdirSync(options.storeDir, { recursive: true });
    const args = ['-a', host, '-p', String(port), '-sd', options.storeDir];
    if (!options.noJetStream) args.unshift('-js');
    if (options.serverName) args.push('-n', options.serverName);
    args.push(...(options.args ?? []));
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) watchParent(child.pid);
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const server = new NatsServer(child, port, host, options, output);
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      if (!server.running) {
        throw new NatsServerStartError(`nats-server exited during start (code ${child.exitCode}): ${server.log}`);
      }
      if (await portAnswers(port, host)) break;
      if (Date.now() > deadline) {
        await server.kill();
        throw new NatsServerStartError(`nats-server did not accept connections on ${host}:${port}: ${server.log}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return server;
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it lingers. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Crash it: SIGKILL, no chance to flush. */
  async kill(): Promise<void> {
    if (!this.running) return this.exited;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Start a new server with the same options and port (after stop or kill). */
  restart(): Promise<NatsServer> {
    return NatsServer.start({ ...this.options, port: this.port, host: this.host });
  }
}
