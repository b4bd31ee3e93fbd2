#!/usr/bin/env node
// Makes sure a nats-server binary is available before `npm start` / `npm test`.
//
// Plain Node ESM, no dependencies. Lookup order (the same as libs/runtime findNatsServerBinary):
//   $NATS_SERVER_BIN, every directory on $PATH, /usr/sbin, /usr/local/bin, /usr/bin.
//
//   found                              -> prints nothing, exit 0 (with --verbose: path and version)
//   missing, root + apt-get available  -> apt-get update && apt-get install -y nats-server, verify, exit 0
//   missing otherwise (or install fails):
//     NATS_URL set                     -> warning on stderr, exit 0 (HVS-NVM will use that server)
//     NATS_URL not set                 -> install options on stderr, exit 1
//
// Options: --verbose (-v)   print what was found.
//          --no-install     never run apt-get (same as HVS_NVM_NO_AUTO_INSTALL=1).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose') || args.has('-v');
const noInstall = args.has('--no-install') || truthy(process.env.HVS_NVM_NO_AUTO_INSTALL);
const natsUrl = process.env.NATS_URL?.trim() || '';
const MIN_VERSION = [2, 9, 0];

function truthy(v) {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function isExecutableFile(p) {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function candidates() {
  const list = [];
  const explicit = process.env.NATS_SERVER_BIN?.trim();
  if (explicit) list.push(explicit);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) list.push(join(dir, 'nats-server'));
  list.push('/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server');
  return [...new Set(list)];
}

function findBinary() {
  const explicit = process.env.NATS_SERVER_BIN?.trim();
  if (explicit && !isExecutableFile(explicit)) {
    console.error(`ensure-nats-server: NATS_SERVER_BIN=${explicit} is not an executable file; looking elsewhere.`);
  }
  return candidates().find(isExecutableFile) ?? null;
}

/** Runs `<bin> --version`; returns e.g. { text: 'v2.9.10', parts: [2, 9, 10] } or null when it does not run. */
function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  const m = /v?(\d+)\.(\d+)\.(\d+)\S*/.exec(`${r.stdout}${r.stderr}`);
  if (!m) return { text: `${r.stdout}`.trim(), parts: null };
  return {
    text: m[0].startsWith('v') ? m[0] : `v${m[0]}`,
    parts: [Number(m[1]), Number(m[2]), Number(m[3])],
  };
}

function olderThan(parts, min) {
  for (let i = 0; i < min.length; i++) if (parts[i] !== min[i]) return parts[i] < min[i];
  return false;
}

/** Checks a found binary; true when usable. */
function report(bin) {
  const v = versionOf(bin);
  if (!v) {
    console.error(`ensure-nats-server: ${bin} exists but does not run (\`${bin} --version\` failed).`);
    return false;
  }
  if (v.parts && olderThan(v.parts, MIN_VERSION)) {
    console.error(
      `ensure-nats-server: warning: ${bin} is nats-server ${v.text}; HVS-NVM needs ${MIN_VERSION.join('.')} or newer ` +
        '(JetStream clustering and the APIs it uses).',
    );
  }
  if (verbose) console.log(`nats-server ${v.text} (${bin})`);
  return true;
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, cmd))) return join(dir, cmd);
  }
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (isExecutableFile(join(dir, cmd))) return join(dir, cmd);
  return null;
}

function canAptInstall() {
  if (noInstall) return false;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return which('apt-get') !== null;
}

function aptInstall() {
  const aptGet = which('apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for a dpkg/apt lock held by another apt run instead of failing at once.
  const common = ['-q', '-o', 'DPkg::Lock::Timeout=300'];
  const run = (argv) => {
    console.error(`ensure-nats-server: running: apt-get ${argv.join(' ')}`);
    const r = spawnSync(aptGet, [...common, ...argv], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
      timeout: 15 * 60_000,
    });
    return !r.error && r.status === 0;
  };
  console.error('ensure-nats-server: nats-server not found; installing the Debian package (root, apt-get).');
  if (!run(['update'])) console.error('ensure-nats-server: apt-get update failed; trying the install with the package lists as they are.');
  if (!run(['install', '-y', '--no-install-recommends', 'nats-server'])) {
    console.error('ensure-nats-server: apt-get install nats-server failed.');
    return false;
  }
  return true;
}

function installHelp() {
  return [
    'nats-server was not found. HVS-NVM runs on NATS JetStream (nats-server 2.9 or newer).',
    `Looked for: ${candidates().join(', ')}`,
    '',
    'Install it in one of these ways:',
    '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y nats-server',
    '  macOS:          brew install nats-server',
    '  Any OS:         download the release binary from https://github.com/nats-io/nats-server/releases,',
    '                  put `nats-server` on PATH (or set NATS_SERVER_BIN=/path/to/nats-server)',
    '  Existing server: set NATS_URL (e.g. NATS_URL=nats://127.0.0.1:4222, or a comma-separated list for a',
    '                  cluster) and HVS-NVM connects to it instead of starting its own.',
  ].join('\n');
}

function main() {
  const bin = findBinary();
  if (bin) return report(bin) ? 0 : natsUrlFallback();

  if (canAptInstall()) {
    aptInstall();
    const installed = findBinary();
    if (installed && report(installed)) {
      console.error(`ensure-nats-server: installed ${installed}.`);
      return 0;
    }
    console.error('ensure-nats-server: nats-server is still not available after apt-get.');
  }
  return natsUrlFallback();
}

function natsUrlFallback() {
  if (natsUrl) {
    console.error(
      `ensure-nats-server: warning: no usable nats-server binary here; continuing because NATS_URL is set (${natsUrl}). ` +
        'Anything that starts its own server (the embedded default, the integration tests) will fail.',
    );
    return 0;
  }
  console.error(installHelp());
  return 1;
}

process.exitCode = main();
