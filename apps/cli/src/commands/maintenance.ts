// `hvs-nvm status | snapshot | replay | mcp`: looking at, checkpointing and rebuilding the projections; MCP over stdio.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { serveMcpStdio } from '@hvs-nvm/server-app';
import { configOf, globals, openStack, print, storePaths } from '../context.js';
import { serverFile } from './start.js';

/** The running `hvs-nvm start` of this data dir, if it answers. */
async function runningServer(dataDir: string): Promise<{ url: string; mcpUrl: string; pid: number; healthy: boolean } | undefined> {
  const path = serverFile(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as { url: string; mcpUrl: string; pid: number };
    const healthy = await fetch(`${info.url}/v1/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    return { url: info.url, mcpUrl: info.mcpUrl, pid: info.pid, healthy };
  } catch {
    return undefined;
  }
}

export function registerMaintenance(program: Command): void {
  program
    .command('status')
    .description('the data dir, NATS, projection positions and sizes, and the running server if any')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const dataDir = resolve(configOf(opts).dataDir);
      const server = await runningServer(dataDir);
      await using stack = await openStack(opts);
      const stats = await stack.api.stats();
      const out = { dataDir, server: server ?? null, ...stats };
      print(opts, out, () =>
        [
          `data dir   ${dataDir}`,
          `server     ${server ? `${server.url} (pid ${server.pid}, ${server.healthy ? 'healthy' : 'not answering'})` : 'not running'}`,
          `NATS       ${stats.hvs.natsUrl}${stats.hvs.embedded ? ' (embedded)' : ''}`,
          `vectors    ${stats.hvs.vectors} (${stats.hvs.geometry}, dimension ${stats.hvs.dimension}) at position ${stats.hvs.position}`,
          `blocks     ${stats.blocks}`,
          `models     ${stats.hvs.models}`,
          `encoder    ${stats.encoder.name}`,
          ...(stats.hvs.parked > 0 ? [`parked     ${stats.hvs.parked} events (see the log)`] : []),
        ].join('\n'),
      );
    });

  program
    .command('snapshot')
    .description('write a projection checkpoint now, so the next start replays only the tail')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const position = await stack.integration.hvs.snapshot();
      print(opts, { position }, () => `checkpoint written at position ${position}`);
    });

  program
    .command('replay')
    .description('rebuild the projections from the event log (drops the snapshots first); stop `start` on this data dir first')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (options: { progress: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const dataDir = resolve(configOf(opts).dataDir);
      const server = await runningServer(dataDir);
      if (server?.healthy) throw new Error(`hvs-nvm start is serving this data dir (pid ${server.pid}); stop it before a replay`);
      // The head before rebuilding, so progress can be shown against it.
      let head: number;
      {
        await using before = await openStack(opts);
        await before.integration.hvs.sync();
        head = before.integration.hvs.stats().position;
      }
      const { hvsPath, nvmPath } = storePaths(dataDir);
      const dropped = [join(hvsPath, 'projection'), join(nvmPath, 'projection')].filter((p) => existsSync(p));
      for (const p of dropped) rmSync(p, { recursive: true, force: true });

      const bar = new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: true, notTTYSchedule: 500, format: 'replay |{bar}| position {value}/{total} | {duration_formatted}' },
        cliProgress.Presets.shades_classic,
      );
      if (options.progress) bar.start(head, 0);
      const started = Date.now();
      // The projection replays inside open(); the bar shows the head it is reading towards and the time taken.
      const tick = options.progress ? setInterval(() => bar.updateETA(), 250) : undefined;
      try {
        await using after = await openStack(opts);
        const stats = after.integration.hvs.stats();
        if (options.progress) bar.update(stats.position);
        const position = await after.integration.hvs.snapshot();
        if (options.progress) bar.stop();
        const out = { head, position, vectors: stats.vectors, restoredFrom: stats.restoredFrom, droppedSnapshots: dropped, seconds: (Date.now() - started) / 1000 };
        print(opts, out, () => `replayed ${position} events (${stats.vectors} vectors) in ${out.seconds.toFixed(1)} s; checkpoint written`);
      } finally {
        if (tick) clearInterval(tick);
        if (options.progress) bar.stop();
      }
    });

  program
    .command('mcp')
    .description('serve MCP over stdin/stdout (for AI clients that launch a command)')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      await serveMcpStdio(stack.api);
    });
}
