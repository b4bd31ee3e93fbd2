// Checks every package's imports against its package.json, so a fresh clone builds in dependency order (Nx orders
// builds by declared dependencies only) and no package leans on a dependency hoisted for another.
//
// Sources (src/**, bench/**, testing/**, bin/**) may import node builtins, their own relative files and the packages
// their package.json declares. Test files (*.test.ts) may also import the root package.json's packages (vitest,
// fast-check, the dev tooling). Run: `node infra/scripts/check-deps.mjs` (exit 1 and a list when anything is off).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const builtins = new Set(builtinModules);
const SOURCE_DIRS = ['src', 'bench', 'testing', 'bin'];
const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;
// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`; type-only imports count too (tsc resolves them).
const IMPORT = /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** `@scope/name/deep` → `@scope/name`; `name/deep` → `name`; undefined for relative, absolute and builtin specifiers. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? undefined : name;
}

function declared(pkg) {
  return new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies, ...pkg.devDependencies }));
}

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (SOURCE_FILE.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Every import of an undeclared package in the workspace at `root`: `{ file, specifier, pkg }[]`. */
export function undeclaredImports(root) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const rootDeclared = declared(rootPkg);
  const problems = [];
  for (const group of ['libs', 'apps']) {
    let dirs;
    try {
      dirs = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const dir of dirs) {
      const pkgDir = join(root, group, dir);
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      const own = declared(pkg);
      for (const sub of SOURCE_DIRS) {
        for (const file of files(join(pkgDir, sub))) {
          const isTest = /\.test\.[mc]?[jt]s$/.test(file);
          const text = readFileSync(file, 'utf8');
          for (const m of text.matchAll(IMPORT)) {
            const specifier = m[1] ?? m[2];
            const name = packageOf(specifier);
            if (name === undefined || name === pkg.name) continue;
            if (own.has(name) || (isTest && rootDeclared.has(name))) continue;
            problems.push({ file: relative(root, file), specifier, pkg: pkg.name });
          }
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const problems = undeclaredImports(root);
  for (const p of problems) console.error(`${p.file}: imports '${p.specifier}', which ${p.pkg}'s package.json does not declare`);
  if (problems.length > 0) process.exit(1);
  console.log('check-deps: every import is declared');
}
