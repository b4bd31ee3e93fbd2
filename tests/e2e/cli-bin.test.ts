// The repo's built `hvs-nvm` bin, run by its absolute path from a directory outside the repo (as the README's MCP config
// does): compiled JavaScript only, `--version`, a `--help` that loads no store, and MCP over stdio.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/child.js';
import { ENCODER_ENV } from './stack.js';

const exec = promisify(execFile);
const bin = join(repoRoot, 'apps', 'cli', 'bin', 'hvs-nvm.mjs');
const version = (JSON.parse(readFileSync(join(repoRoot, 'apps/cli/package.json'), 'utf8')) as { version: string }).version;

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'hvs-nvm-bin-'));
  expect(relative(repoRoot, cwd).startsWith('..')).toBe(true);
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the built bin', () => {
  it('prints the package version for --version and -V, and leaves `blocks get --version <n>` to the block', async () => {
    expect((await exec(bin, ['--version'], { cwd })).stdout).toBe(`${version}\n`);
    expect((await exec(bin, ['-V'], { cwd })).stdout).toBe(`${version}\n`);
    expect((await exec(bin, ['--json', '--version'], { cwd })).stdout).toBe(`${version}\n`);
    expect((await exec(bin, ['blocks', 'get', '--help'], { cwd })).stdout).toMatch(/--version <n>/);
  });

  it('--help runs compiled JavaScript only and loads no store, server or NATS client', async () => {
    // A module resolve hook that reports every module the process loads.
    writeFileSync(
      join(cwd, 'hooks.mjs'),
      "import { writeSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, `resolved ${r.url}\\n`); return r; }\n",
    );
    writeFileSync(join(cwd, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const { stdout, stderr } = await exec(process.execPath, ['--import', join(cwd, 'register.mjs'), bin, '--help'], { cwd });
    expect(stdout).toMatch(/^Usage: hvs-nvm/);
    const loaded = stderr
      .split('\n')
      .filter((l) => l.startsWith('resolved file:'))
      .map((l) => l.slice('resolved '.length));
    expect(loaded).toContain(new URL('../../apps/cli/dist/main.js', import.meta.url).href);
    expect(loaded.filter((url) => /\.[mc]?ts$/.test(url))).toEqual([]);
    const heavy =
      /\/(apps\/server|libs\/(hvs|nvm|hvs-nvm|runtime|eventstore|vector-index|hnsw|encoders|hyperbolic))\/|@nats-io|@modelcontextprotocol|@energetic-ai/;
    expect(loaded.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('serves MCP over stdio when an MCP host launches it by absolute path from another directory', async () => {
    const transport = new StdioClientTransport({
      command: bin,
      args: ['mcp', '--data-dir', join(cwd, 'data')],
      cwd,
      env: { ...getDefaultEnvironment(), ...ENCODER_ENV },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'cli-bin', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('hvs-nvm');
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['store_memory', 'search_memory', 'get_block', 'update_block']));
    } finally {
      await client.close();
    }
  }, 60_000);
});
