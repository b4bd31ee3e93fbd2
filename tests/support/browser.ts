// A real browser for the dashboard tests: Debian's Chromium (`apt-get install chromium`, which .ci/run does when it
// is missing) driven by playwright-core, whose own browser download is not used.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './child.js';

const CANDIDATES = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium at ${CANDIDATES.join(', ')}: run \`apt-get install -y chromium\` (or set CHROMIUM_BIN)`);
  return found;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** Builds the dashboard (apps/dashboard/dist) when it is missing, as `npm run build` would. */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(repoRoot, 'apps/dashboard/dist/index.html'))) return;
  const r = spawnSync('npm', ['run', 'build', '-w', '@hvs-nvm/dashboard'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the dashboard failed:\n${r.stdout}\n${r.stderr}`);
}

/** Every console error and uncaught exception of a page, for a "no console error" assertion. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}
