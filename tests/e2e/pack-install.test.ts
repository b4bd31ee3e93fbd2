// From outside the repo, as a user gets it: `npm pack` every published package, install the tarballs into a fresh app in
// a temp dir (dependencies from the npm cache that `npm ci` filled, the registry only for what it lacks; the native
// addon builds from its tarball), then type-check and run the README's library snippet there with tsc and plain node,
// use the umbrella package `hvs-nvm`, and run its bin under npx: --version, MCP over stdio, SIGTERM to `npx … start`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '@hvs-nvm/runtime';
import { packageOf } from '../../infra/scripts/check-deps.mjs';
import { publishedPackages } from '../../infra/scripts/pack-packages.mjs';
import { repoRoot } from '../support/child.js';
import { expectSnippetOutput, librarySnippet } from '../support/readme.js';

const exec = promisify(execFile);
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

interface Workspace {
  dir: string;
  name: string;
  version: string;
}
const published: Workspace[] = publishedPackages(repoRoot).map((dir) => ({
  dir,
  ...(JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Omit<Workspace, 'dir'>),
}));

/** The environment without the npm settings of the `npm test` that may be running us (its prefix, workspace, command). */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k)));
  return { ...env, HVS_NVM_LOG_LEVEL: 'error', ...extra };
}

let root: string;
let app: string;
let packed: { name: string; filename: string; files: string[] }[];
const timings: Record<string, number> = {};
const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await f();
  } finally {
    timings[what] = (Date.now() - started) / 1000;
  }
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hvs-nvm-pack-'));
  expect(relative(repoRoot, root).startsWith('..'), 'the app must lie outside the repo').toBe(true);
  const tarballs = join(root, 'tarballs');
  app = join(root, 'app');
  mkdirSync(tarballs);
  mkdirSync(app);
  // The global setup has built dist/ (tsc -b); packing runs each package's prepack (libs/hnsw vendors its headers).
  const { stdout } = await timed('pack', () =>
    exec('npm', ['pack', '--json', '--pack-destination', tarballs, ...published.flatMap((w) => ['-w', w.dir])], {
      cwd: repoRoot,
      env: npmEnv(),
      maxBuffer: 64 << 20,
    }),
  );
  const report = JSON.parse(stdout.slice(stdout.indexOf('['))) as { name: string; filename: string; files: { path: string }[] }[];
  packed = report.map((p) => ({ name: p.name, filename: p.filename, files: p.files.map((f) => f.path) }));

  const typesNode = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string })
    .version;
  const dependencies = Object.fromEntries([
    ...packed.map((p) => [p.name, `file:${join(tarballs, p.filename)}`]),
    ['@types/node', typesNode],
  ]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies }, null, 2));
  await timed('install', () =>
    exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      env: npmEnv(),
      timeout: 300_000,
      maxBuffer: 64 << 20,
    }),
  );
}, 360_000);

afterAll(() => {
  console.log(`pack-install: ${JSON.stringify(timings)} (seconds)`);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('are every published workspace package, with dist and its types, without tests or TypeScript sources', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(published.map((w) => w.name).sort());
    for (const p of packed) {
      expect(p.files, p.name).toContain('package.json');
      expect(p.files, p.name).toContain('dist/index.js');
      expect(p.files, p.name).toContain('dist/index.d.ts');
      expect(
        p.files.filter((f) => /\.test\.|tsbuildinfo/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
        p.name,
      ).toEqual([]);
    }
    // tsc -b never deletes the outputs of a deleted or renamed source: they would ship. `rm -rf <package>/dist` fixes it.
    for (const w of published) {
      const files = packed.find((p) => p.name === w.name)!.files;
      const stale = files.filter(
        (f) => /^dist\/.*\.js$/.test(f) && !existsSync(join(repoRoot, w.dir, f.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))),
      );
      expect(stale, `${w.dir}: outputs without a source (remove ${w.dir}/dist and rebuild)`).toEqual([]);
    }
    const hnsw = packed.find((p) => p.name === '@hvs-nvm/hnsw')!;
    expect(hnsw.files).toEqual(expect.arrayContaining(['binding.gyp', 'src/native/hnsw.cc', 'src/native/hnswlib/hnswalg.h']));
    expect(hnsw.files.some((f) => f.startsWith('build/'))).toBe(false);
    expect(packed.find((p) => p.name === 'hvs-nvm')!.files).toContain('bin/hvs-nvm.mjs');
  });

  it('install into an app outside the repo and build the native addon there, without hnswlib-node', () => {
    expect(existsSync(join(app, 'node_modules/@hvs-nvm/hnsw/build/Release/hnsw.node'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/hnswlib-node'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/.bin/hvs-nvm'))).toBe(true);
  });
});

describe('in the app', () => {
  it('the README library snippet type-checks with tsc and runs with plain node, as its comments say', async () => {
    writeFileSync(join(app, 'snippet.ts'), librarySnippet());
    // The umbrella package re-exports the scoped packages' API: the very same classes.
    writeFileSync(
      join(app, 'umbrella.ts'),
      [
        "import { HVS, NVM, HVSNVMIntegration, BlockClass, defaultEncoder, embedHierarchy, CodedError, createServer } from 'hvs-nvm';",
        "import { HVS as ScopedHVS } from '@hvs-nvm/hvs';",
        "import { NVM as ScopedNVM } from '@hvs-nvm/nvm';",
        "import { HVSNVMIntegration as ScopedIntegration } from '@hvs-nvm/hvs-nvm';",
        'const same = HVS === ScopedHVS && NVM === ScopedNVM && HVSNVMIntegration === ScopedIntegration;',
        'const kinds = [defaultEncoder, embedHierarchy, CodedError, createServer].map((f) => typeof f);',
        'console.log(JSON.stringify({ same, documentation: BlockClass.DOCUMENTATION, kinds }));',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node'],
          // As `tsc --init` sets it (checking every library's .d.ts costs ~4× the time). What it would let pass, a .d.ts
          // of ours importing a package that is not installed, the next test checks.
          skipLibCheck: true,
          outDir: 'out',
        },
        include: ['snippet.ts', 'umbrella.ts'],
      }),
    );
    await timed('tsc', () =>
      exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch((err: { stdout?: string }) => {
        throw new Error(`tsc in the app failed:\n${err.stdout ?? String(err)}`);
      }),
    );
    const umbrella = await exec(process.execPath, ['out/umbrella.js'], { cwd: app, env: npmEnv() });
    expect(JSON.parse(umbrella.stdout)).toEqual({
      same: true,
      documentation: 'documentation',
      kinds: ['function', 'function', 'function', 'function'],
    });
    const { stdout } = await timed('snippet', () =>
      exec(process.execPath, ['out/snippet.js'], { cwd: app, env: npmEnv(), timeout: 120_000 }),
    );
    expectSnippetOutput(stdout);
  }, 180_000);

  it('every package our .d.ts files import is installed where they can resolve it', () => {
    const builtins = new Set(builtinModules);
    const IMPORT = /(?:\bfrom\s|\bimport\s|\bimport\()\s*['"]([^'"]+)['"]/g;
    const installedFrom = (dir: string, name: string): boolean => {
      for (let d = dir; d.startsWith(app); d = dirname(d)) if (existsSync(join(d, 'node_modules', name, 'package.json'))) return true;
      return false;
    };
    const missing: string[] = [];
    let checked = 0;
    for (const p of packed) {
      const dir = join(app, 'node_modules', p.name);
      for (const file of p.files.filter((f) => f.endsWith('.d.ts'))) {
        for (const m of readFileSync(join(dir, file), 'utf8').matchAll(IMPORT)) {
          const name = packageOf(m[1]!);
          if (name === undefined || builtins.has(name)) continue;
          checked++;
          if (!installedFrom(dir, name) && !installedFrom(dir, `@types/${name.replace('@', '').replace('/', '__')}`))
            missing.push(`${p.name}/${file}: ${m[1]}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('npx hvs-nvm prints its version, and serves MCP over stdio from the app directory', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'apps/cli/package.json'), 'utf8')) as { version: string }).version;
    expect((await exec('npx', ['hvs-nvm', '--version'], { cwd: app, env: npmEnv() })).stdout.trim()).toBe(version);
    expect((await exec('npx', ['hvs-nvm', '-V'], { cwd: app, env: npmEnv() })).stdout.trim()).toBe(version);

    const transport = new StdioClientTransport({
      command: 'npx',
      args: ['hvs-nvm', 'mcp', '--data-dir', join(root, 'mcp-data')],
      cwd: app,
      env: npmEnv({ HVS_NVM_ENCODER: 'hashing' }) as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'pack-install', version: '1.0.0' });
    await timed('mcp', () => client.connect(transport));
    try {
      expect(client.getServerVersion()?.name).toBe('hvs-nvm');
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['store_memory', 'search_memory', 'get_block', 'send_message']));
      const stored = await client.callTool({ name: 'store_memory', arguments: { content: 'installed from a tarball' } });
      expect(stored.isError ?? false).toBe(false);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('SIGTERM to `npx hvs-nvm start` stops the server and its nats-server: no orphans under PID 1', async () => {
    const dataDir = join(root, 'start-data');
    const npx = spawn('npx', ['hvs-nvm', 'start', '--port', '0', '--json', '--data-dir', dataDir], {
      cwd: app,
      env: npmEnv({ HVS_NVM_ENCODER: 'hashing' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    npx.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => npx.once('exit', (code) => resolve(code)));
    const started: number[] = [];
    try {
      const listening = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npx hvs-nvm start did not listen; stderr: ${stderr.slice(-2000)}`)), 60_000);
        createInterface({ input: npx.stdout }).on('line', (line) => {
          if (!line.startsWith('{')) return;
          const value = JSON.parse(line) as { event?: string; pid: number; url: string };
          if (value.event === 'listening') {
            clearTimeout(timer);
            resolve(value);
          }
        });
        void exited.then((code) => reject(new Error(`npx hvs-nvm start exited (${code}); stderr: ${stderr.slice(-2000)}`)));
      });
      const natsPid = (JSON.parse(readFileSync(join(dataDir, 'hvs', 'jetstream', 'server.lock'), 'utf8')) as { serverPid: number })
        .serverPid;
      started.push(listening.pid, natsPid);
      // npx is not the server's parent: npm runs the bin through `sh -c`, which does not pass signals on.
      expect(listening.pid).not.toBe(npx.pid);
      expect((await fetch(`${listening.url}/v1/health`)).status).toBe(200);

      npx.kill('SIGTERM');
      await exited;
      await expect.poll(() => isProcessAlive(listening.pid), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => isProcessAlive(natsPid), { timeout: 10_000 }).toBe(false);
      expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
    } finally {
      if (npx.exitCode === null && npx.signalCode === null) npx.kill('SIGKILL');
      for (const pid of started) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);
});
