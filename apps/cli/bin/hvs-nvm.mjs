#!/usr/bin/env node
// The `hvs-nvm` bin: runs the TypeScript entry under tsx with the workspace's source condition, forwarding signals and the exit code.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'src', 'main.ts');
// Resolve tsx from this package so the bin works from any working directory.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const child = spawn(process.execPath, ['--import', tsx, '--conditions=@hvs-nvm/source', main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
child.on('error', (err) => {
  console.error(`hvs-nvm: cannot start node: ${err.message}`);
  process.exit(1);
});
