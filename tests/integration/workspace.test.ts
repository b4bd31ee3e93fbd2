// The workspace's own rules: every import is declared in its package.json, and packages meet only at their public face.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { undeclaredImports } from '../../infra/scripts/check-deps.mjs';
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
