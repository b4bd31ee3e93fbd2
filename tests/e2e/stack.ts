// Runs the real `hvs-nvm` command for end-to-end tests: `start` as a long-lived process, other commands to completion.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runFixture, type Child } from '../support/child.js';

export const CLI = 'apps/cli/src/main.ts';
/** The fast, deterministic encoder: tests need no model weights. */
export const ENCODER_ENV = { HVS_NVM_ENCODER: 'hashing', HVS_NVM_LOG_LEVEL: 'warn' };
export const nodeArgs = ['--import', 'tsx', '--conditions=@hvs-nvm/source', CLI];

export interface Listening {
  event: 'listening';
  url: string;
  mcpUrl: string;
  natsUrl: string;
  dataDir: string;
}

export interface Stack {
  child: Child;
  info: Listening;
  url: string;
  dataDir: string;
  /** SIGTERM, then wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `hvs-nvm start --port 0 --json` on `dataDir` (its embedded JetStream); resolves once it printed its URLs. */
export async function startStack(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Stack> {
  const child = runFixture(CLI, ['start', '--data-dir', dataDir, '--port', '0', '--json', ...extraArgs], { ...ENCODER_ENV, ...env });
  const isListening = (l: unknown): l is Listening => (l as { event?: string } | null)?.event === 'listening';
  await child.until((lines) => lines.some(isListening), 60_000);
  const info = child.lines.find(isListening)!;
  return {
    child,
    info,
    url: info.url,
    dataDir,
    async stop() {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
      return child.exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines that are JSON. */
  json: unknown[];
}

/** Runs one `hvs-nvm` command to completion. */
export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...ENCODER_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`hvs-nvm ${args.join(' ')} timed out; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      const json = stdout.split('\n').flatMap((l) => {
        if (!l.startsWith('{') && !l.startsWith('[')) return [];
        try {
          return [JSON.parse(l) as unknown];
        } catch {
          return [];
        }
      });
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** JSON over HTTP; returns status, content type and parsed body. */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are what the assertions check
): Promise<{ status: number; type: string; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}
