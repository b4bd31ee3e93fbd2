// Packs every published package of the workspace (the libs/* and apps/* folders whose package.json is not private) into
// one folder, from their built dist/: `npm run pack:packages -- <dir>` (default ./packages). Install them elsewhere with
// `npm install <dir>/*.tgz`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace folders (`libs/hvs`, `apps/cli`, …) of the packages that are published. */
export function publishedPackages(root) {
  return ['libs', 'apps']
    .flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => `${group}/${d}`) : []))
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .filter((dir) => !JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).private)
    .sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const dest = resolve(process.argv[2] ?? 'packages');
  mkdirSync(dest, { recursive: true });
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const workspaces = publishedPackages(root).flatMap((dir) => ['-w', dir]);
  execFileSync('npm', ['pack', '--loglevel=warn', '--pack-destination', dest, ...workspaces], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(
    `packed into ${dest}:\n${readdirSync(dest)
      .filter((f) => f.endsWith('.tgz'))
      .sort()
      .join('\n')}`,
  );
}
