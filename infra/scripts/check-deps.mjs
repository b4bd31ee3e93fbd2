// Checks every package's imports against its package.json, so a fresh clone builds in dependency order (Nx orders
// builds by declared dependencies only) and no package leans on a dependency hoisted for another. Then checks that
// every package is publishable and built in order (`packageProblems`, the rules of "Adding a package" in infra/README.md).
//
// Sources (src/**, bench/**, testing/**, bin/**) may import node builtins, their own relative files and the packages
// their package.json declares. Test files (*.test.ts) may also import the root package.json's packages (vitest,
// fast-check, the dev tooling). Run: `node infra/scripts/check-deps.mjs` (exit 1 and a list when anything is off);
// `--fix` first applies the mechanical packaging rules (pins, tsconfig references; see fixPackages).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/** The workspace's packages: `{ dir, pkg }` for each libs/* and apps/* folder with a package.json. */
function workspacePackages(root) {
  const out = [];
  for (const group of ['libs', 'apps']) {
    let dirs;
    try {
      dirs = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const dir of dirs.sort()) {
      try {
        out.push({ dir: `${group}/${dir}`, pkg: JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8')) });
      } catch {
        continue;
      }
    }
  }
  return out;
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const TSBUILDINFO = 'dist/tsconfig.lib.tsbuildinfo';
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * Every way a package of the workspace at `root` is not publishable or not built in dependency order:
 * `{ dir, problem }[]`. A package that is not private has a version, a `files` list with `dist` (and no whole `src`,
 * so no tests ship), `exports` whose `types` and `default` point into ./dist (the `@hvs-nvm/source` condition may point
 * into ./src for in-repo development), and depends on no private package. Every package pins its workspace
 * dependencies to their exact versions, and its tsconfig.lib.json is `composite` and references exactly those
 * dependencies' tsconfig.lib.json (so `tsc -b` builds them first); the root tsconfig.build.json references them all.
 */
export function packageProblems(root) {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.pkg.name, p]));
  const problems = [];
  const report = (dir, problem) => problems.push({ dir, problem });
  const buildRefs = existsSync(join(root, 'tsconfig.build.json'))
    ? new Set((readJson(join(root, 'tsconfig.build.json')).references ?? []).map((r) => resolve(root, r.path)))
    : new Set();
  for (const { dir, pkg } of packages) {
    const internal = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).filter(([n]) =>
      byName.has(n),
    );
    for (const [name, range] of internal) {
      const dep = byName.get(name);
      if (range !== dep.pkg.version) report(dir, `depends on ${name} '${range}': pin the workspace version '${dep.pkg.version}'`);
      if (!pkg.private && dep.pkg.private && pkg.dependencies?.[name] !== undefined)
        report(dir, `is published but depends on private ${name}`);
    }
    if (!pkg.private) {
      if (typeof pkg.version !== 'string' || !SEMVER.test(pkg.version))
        report(dir, `has no valid version (got ${JSON.stringify(pkg.version)})`);
      const files = pkg.files;
      if (!Array.isArray(files) || !files.includes('dist'))
        report(dir, "has no `files` list with 'dist' (npm pack would ship sources and tests)");
      else
        for (const f of files)
          if (['src', 'src/', '.', './', '*', '**'].includes(f)) report(dir, `\`files\` ships '${f}' whole (tests included)`);
      if (pkg.exports === undefined) report(dir, 'has no `exports`');
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        if (typeof target === 'string') continue;
        if (typeof target?.types !== 'string' || !/^\.\/dist\/.*\.d\.ts$/.test(target.types))
          report(dir, `exports['${subpath}'].types must point at ./dist/*.d.ts (got ${JSON.stringify(target?.types)})`);
        if (typeof target?.default !== 'string' || !target.default.startsWith('./dist/'))
          report(dir, `exports['${subpath}'].default must point into ./dist (got ${JSON.stringify(target?.default)})`);
        for (const [condition, value] of Object.entries(target ?? {})) {
          if (!['@hvs-nvm/source', 'types', 'default'].includes(condition)) continue;
          if (condition === '@hvs-nvm/source' && !String(value).startsWith('./src/'))
            report(dir, `exports['${subpath}']['@hvs-nvm/source'] must point into ./src`);
        }
      }
    }
    const tsLib = join(root, dir, 'tsconfig.lib.json');
    // A package built by another tool (the dashboard: `vite build`) has no tsc output to reference.
    const builtByTsc = !pkg.scripts?.build || /\btsc\b/.test(pkg.scripts.build);
    if (!existsSync(tsLib)) {
      if (!pkg.private && builtByTsc) report(dir, 'is published but has no tsconfig.lib.json (tsc -b builds dist from it)');
      continue;
    }
    const ts = readJson(tsLib);
    if (ts.compilerOptions?.composite !== true) report(dir, 'tsconfig.lib.json is not `composite` (tsc -b project references need it)');
    if (!String(ts.compilerOptions?.tsBuildInfoFile ?? '').startsWith('dist/'))
      report(dir, `tsconfig.lib.json must set tsBuildInfoFile: '${TSBUILDINFO}' (outside dist/, a deleted dist is never rebuilt)`);
    if (!buildRefs.has(tsLib)) report(dir, 'tsconfig.lib.json is not referenced by the root tsconfig.build.json');
    const refs = new Set((ts.references ?? []).map((r) => resolve(root, dir, r.path)));
    const wanted = new Set(
      internal
        .filter(([name]) => pkg.dependencies?.[name] !== undefined)
        .map(([name]) => join(root, byName.get(name).dir, 'tsconfig.lib.json'))
        .filter((f) => existsSync(f)),
    );
    for (const w of wanted)
      if (!refs.has(w)) report(dir, `tsconfig.lib.json does not reference ${relative(join(root, dir), w)} (a dependency)`);
    for (const r of refs)
      if (!wanted.has(r)) report(dir, `tsconfig.lib.json references ${relative(join(root, dir), r)}, which is not a dependency`);
  }
  return problems;
}

/**
 * The mechanical part of the packaging rules, for a package merged in from elsewhere: pins workspace dependencies to
 * their versions, makes each tsconfig.lib.json composite with references to exactly its dependencies, and lists every
 * tsconfig.lib.json in the root tsconfig.build.json. `files`, `exports` and `private` are left to a person. Returns the
 * files it rewrote (run prettier on them).
 */
export function fixPackages(root) {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.pkg.name, p]));
  const written = [];
  const write = (file, value) => {
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    written.push(relative(root, file));
  };
  for (const { dir, pkg } of packages) {
    let changed = false;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        const dep = byName.get(name);
        if (dep && pkg[field][name] !== dep.pkg.version) {
          pkg[field][name] = dep.pkg.version;
          changed = true;
        }
      }
    }
    if (changed) write(join(root, dir, 'package.json'), pkg);
    const tsLib = join(root, dir, 'tsconfig.lib.json');
    if (!existsSync(tsLib)) continue;
    const ts = readJson(tsLib);
    const references = Object.keys(pkg.dependencies ?? {})
      .filter((n) => byName.has(n) && existsSync(join(root, byName.get(n).dir, 'tsconfig.lib.json')))
      .sort()
      .map((n) => ({ path: relative(join(root, dir), join(root, byName.get(n).dir, 'tsconfig.lib.json')) }));
    const tsBuildInfoFile = String(ts.compilerOptions?.tsBuildInfoFile ?? '').startsWith('dist/')
      ? ts.compilerOptions.tsBuildInfoFile
      : TSBUILDINFO;
    const next = { ...ts, compilerOptions: { ...ts.compilerOptions, composite: true, tsBuildInfoFile }, references };
    if (references.length === 0) delete next.references;
    if (JSON.stringify(next) !== JSON.stringify(ts)) write(tsLib, next);
  }
  const buildFile = join(root, 'tsconfig.build.json');
  const build = existsSync(buildFile) ? readJson(buildFile) : { files: [] };
  const references = packages
    .filter(({ dir }) => existsSync(join(root, dir, 'tsconfig.lib.json')))
    .map(({ dir }) => ({ path: `${dir}/tsconfig.lib.json` }));
  if (JSON.stringify(build.references) !== JSON.stringify(references)) write(buildFile, { ...build, references });
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  if (process.argv.includes('--fix')) for (const file of fixPackages(root)) console.log(`check-deps --fix: rewrote ${file}`);
  const problems = undeclaredImports(root);
  for (const p of problems) console.error(`${p.file}: imports '${p.specifier}', which ${p.pkg}'s package.json does not declare`);
  const packaging = packageProblems(root);
  for (const p of packaging) console.error(`${p.dir}: ${p.problem}`);
  if (problems.length > 0 || packaging.length > 0) process.exit(1);
  console.log('check-deps: every import is declared; every package is publishable and references its dependencies');
}
