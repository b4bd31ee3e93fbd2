// The workspace's own rules: every import is declared in its package.json, and packages meet only at their public face.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { fixPackages, packageProblems, undeclaredImports } from '../../infra/scripts/check-deps.mjs';
import { moduleBoundaries } from '../../infra/eslint/module-boundaries.mjs';

const root = resolve(import.meta.dirname, '../..');

describe('declared dependencies', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hvs-deps-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('every package of the workspace declares what it imports', () => {
    expect(undeclaredImports(root)).toEqual([]);
  });

  it('an import of an undeclared package is reported, a declared one or a builtin is not', () => {
    const write = (path: string, text: string) => {
      mkdirSync(join(temp, path, '..'), { recursive: true });
      writeFileSync(join(temp, path), text);
    };
    write('package.json', JSON.stringify({ name: 'ws', devDependencies: { vitest: '*' } }));
    write('libs/a/package.json', JSON.stringify({ name: '@hvs-nvm/a', dependencies: { zod: '*' } }));
    write('libs/b/package.json', JSON.stringify({ name: '@hvs-nvm/b' }));
    write(
      'libs/b/src/index.ts',
      "import { z } from 'zod';\nimport type { A } from '@hvs-nvm/a';\nimport { join } from 'node:path';\nimport fs from 'fs';\nexport * from './x.js';\n",
    );
    write('libs/b/src/b.test.ts', "import { it } from 'vitest';\nimport { a } from '@hvs-nvm/a';\n");
    write('libs/a/src/index.ts', "import {\n  z,\n} from 'zod/v4';\nimport { it } from 'vitest';\n");
    expect(undeclaredImports(temp)).toEqual([
      { file: 'libs/a/src/index.ts', specifier: 'vitest', pkg: '@hvs-nvm/a' },
      { file: 'libs/b/src/b.test.ts', specifier: '@hvs-nvm/a', pkg: '@hvs-nvm/b' },
      { file: 'libs/b/src/index.ts', specifier: 'zod', pkg: '@hvs-nvm/b' },
      { file: 'libs/b/src/index.ts', specifier: '@hvs-nvm/a', pkg: '@hvs-nvm/b' },
    ]);
  });
});

describe('publishable packages', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hvs-pkgs-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const write = (path: string, value: unknown) => {
    mkdirSync(join(temp, path, '..'), { recursive: true });
    writeFileSync(join(temp, path), JSON.stringify(value));
  };
  const dist = { '.': { '@hvs-nvm/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } };

  it('every package of the workspace has a version, files, dist exports, pinned workspace deps and build references', () => {
    expect(packageProblems(root)).toEqual([]);
  });

  it('a package without files or dist exports, with a loose workspace dependency or a missing reference, is reported', () => {
    write('package.json', { name: 'ws', private: true });
    write('tsconfig.build.json', { files: [], references: [{ path: 'libs/a/tsconfig.lib.json' }, { path: 'libs/b/tsconfig.lib.json' }] });
    write('libs/a/package.json', { name: '@hvs-nvm/a', version: '0.1.0', files: ['dist'], exports: dist });
    write('libs/a/tsconfig.lib.json', { compilerOptions: { composite: true, tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo' } });
    write('libs/b/package.json', {
      name: '@hvs-nvm/b',
      version: '0.1.0',
      files: ['src'],
      exports: { '.': { types: './src/index.ts', default: './dist/index.js' } },
      dependencies: { '@hvs-nvm/a': '*', '@hvs-nvm/p': '0.1.0' },
    });
    write('libs/b/tsconfig.lib.json', { compilerOptions: {} });
    write('libs/c/package.json', { name: '@hvs-nvm/c', dependencies: { '@hvs-nvm/a': '0.1.0' } });
    write('libs/c/tsconfig.lib.json', {
      compilerOptions: { composite: true, tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo' },
      references: [{ path: '../a/tsconfig.lib.json' }],
    });
    write('libs/p/package.json', { name: '@hvs-nvm/p', version: '0.1.0', private: true });
    expect(packageProblems(temp)).toEqual([
      { dir: 'libs/b', problem: "depends on @hvs-nvm/a '*': pin the workspace version '0.1.0'" },
      { dir: 'libs/b', problem: 'is published but depends on private @hvs-nvm/p' },
      { dir: 'libs/b', problem: "has no `files` list with 'dist' (npm pack would ship sources and tests)" },
      { dir: 'libs/b', problem: 'exports[\'.\'].types must point at ./dist/*.d.ts (got "./src/index.ts")' },
      { dir: 'libs/b', problem: 'tsconfig.lib.json is not `composite` (tsc -b project references need it)' },
      {
        dir: 'libs/b',
        problem:
          "tsconfig.lib.json must set tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo' (outside dist/, a deleted dist is never rebuilt)",
      },
      { dir: 'libs/b', problem: 'tsconfig.lib.json does not reference ../a/tsconfig.lib.json (a dependency)' },
      { dir: 'libs/c', problem: 'has no valid version (got undefined)' },
      { dir: 'libs/c', problem: "has no `files` list with 'dist' (npm pack would ship sources and tests)" },
      { dir: 'libs/c', problem: 'has no `exports`' },
      { dir: 'libs/c', problem: 'tsconfig.lib.json is not referenced by the root tsconfig.build.json' },
    ]);
  });

  it('--fix pins the workspace dependencies and writes the build references; files and exports are left to a person', () => {
    expect(fixPackages(temp).sort()).toEqual(['libs/b/package.json', 'libs/b/tsconfig.lib.json', 'tsconfig.build.json']);
    expect(packageProblems(temp)).toEqual([
      { dir: 'libs/b', problem: 'is published but depends on private @hvs-nvm/p' },
      { dir: 'libs/b', problem: "has no `files` list with 'dist' (npm pack would ship sources and tests)" },
      { dir: 'libs/b', problem: 'exports[\'.\'].types must point at ./dist/*.d.ts (got "./src/index.ts")' },
      { dir: 'libs/c', problem: 'has no valid version (got undefined)' },
      { dir: 'libs/c', problem: "has no `files` list with 'dist' (npm pack would ship sources and tests)" },
      { dir: 'libs/c', problem: 'has no `exports`' },
    ]);
    expect(fixPackages(temp)).toEqual([]);
  });
});

describe('module boundaries', () => {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { hvs: moduleBoundaries(root) },
        rules: { 'hvs/module-boundaries': 'error' },
      },
    ],
  });
  const lint = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
    return result!.messages.map((m) => `${m.line}: ${m.ruleId}`);
  };

  it('the lint config turns the rule on for libs, apps and tests', async () => {
    const config = new ESLint({ cwd: root });
    for (const file of ['libs/hvs/src/hvs.ts', 'apps/server/src/http.ts', 'tests/integration/workspace.test.ts']) {
      const rules = ((await config.calculateConfigForFile(join(root, file))) as { rules: Record<string, unknown> }).rules;
      expect(rules['hvs/module-boundaries'], file).toEqual([2]);
    }
  });

  it('deep imports and relative paths into another package are refused', async () => {
    const code = [
      "import { NVMError } from '../../nvm/src/errors.js';",
      "import { HVS } from '@hvs-nvm/hvs-nvm/src/index.js';",
      "export * from '../../../libs/events/src/index.js';",
      "export const later = () => import('../../runtime/src/index.js');",
      "export { x } from '../../eventstore/src/event-store.js';",
    ].join('\n');
    expect(await lint('libs/hvs/src/probe.ts', code)).toEqual([1, 2, 3, 4, 5].map((n) => `${n}: hvs/module-boundaries`));
    expect(await lint('tests/integration/probe.ts', "import { x } from '../../libs/hvs/src/hvs.js';")).toEqual([
      '1: hvs/module-boundaries',
    ]);
  });

  it('public faces and relative imports inside a package pass', async () => {
    const code = [
      "import { HVS } from '@hvs-nvm/hvs';",
      "import pkg from '@hvs-nvm/cli-app/package.json';",
      "import { parseInput } from '../input.js';",
      "import { treeData } from '../../testing/hyperbolic-data.js';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(await lint('libs/hvs-nvm/src/patterns/probe.ts', code)).toEqual([]);
    expect(await lint('tests/integration/probe.ts', "import { runFixture } from '../support/child.js';")).toEqual([]);
  });
});
