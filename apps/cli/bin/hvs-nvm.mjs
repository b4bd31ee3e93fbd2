#!/usr/bin/env node
// The `hvs-nvm` bin: runs the compiled CLI (dist/main.js) in this very process — no loader and no child process, so
// signals reach the command itself and its exit code is the process's. `npm ci` / `npm run build` produce dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(`hvs-nvm: ${fileURLToPath(main)} is missing: build the workspace first (npm run build)\n`);
  process.exit(1);
}
await import(main.href);
