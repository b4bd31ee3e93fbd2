// Builds the web dashboard (apps/dashboard, `vite build`) after `tsc -b`; with --if-stale, only when its dist is
// missing or older than a source file (so `npm start` costs nothing when it is up to date).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'dashboard');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const built = join(app, 'dist', 'index.html');
const sources = Math.max(
  newest(join(app, 'src')),
  statSync(join(app, 'index.html')).mtimeMs,
  statSync(join(app, 'vite.config.ts')).mtimeMs,
);
if (process.argv.includes('--if-stale') && existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
execFileSync('npm', ['run', 'build', '--silent', '-w', '@hvs-nvm/dashboard'], { stdio: 'inherit' });
