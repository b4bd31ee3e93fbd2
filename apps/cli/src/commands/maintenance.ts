// `hvs-nvm status | snapshot | replay | mcp`: looking at, checkpointing and rebuilding the projections; MCP over stdio.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { configOf, globals, openStack, print, storePaths } from '../context.js';

/** The `hvs-nvm start` holding this data dir's lock (its process is alive), and whether its HTTP API answers. */
async function runningServer(
  dataDir: string,
): Promise<{ url: string | null; mcpUrl: string | null; pid: number; healthy: boolean } | undefined> {
  const { readServerLock } = await import('@hvs-nvm/runtime');
  const info = readServerLock(dataDir);
  if (!info) return undefined;
  // A 401 answers too: a server started with tokens is running, even though we hold none. So does a 503: the
  // server runs (and still owns the data dir) while its NATS is being restarted.
  const healthy = info.url
    ? await fetch(`${info.url}/v1/health`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.ok || r.status === 401 || r.status === 503,
        () => false,
      )
    : false;
  return { url: info.url ?? null, mcpUrl: info.mcpUrl ?? null, pid: info.pid, healthy };
}

/** Commands that rebuild or checkpoint the projections on disk must not run beside the server that owns them. */
async function refuseIfServed(dataDir: string): Promise<void> {
  const { DataDirServedError, readServerLock } = await import('@hvs-nvm/runtime');
  const holder = readServerLock(dataDir);
  if (holder) throw new DataDirServedError(dataDir, holder);
}

export function registerMaintenance(program: Command): void {
  program
    .command('status')
    .description('the data dir, NATS, projection positions and sizes, and the running server if any')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const dataDir = resolve((await configOf(opts)).dataDir);
      const server = await runningServer(dataDir);
      await using stack = await openStack(opts);
      const stats = await stack.api.stats();
      const out = { dataDir, server: server ?? null, ...stats };
      print(opts, out, () =>
        [
          `data dir   ${dataDir}`,
          `server     ${server ? `${server.url ?? 'starting'} (pid ${server.pid}, ${server.healthy ? 'healthy' : 'not answering'})` : 'not running'}`,
          `NATS       ${stats.hvs.natsUrl}${stats.hvs.embedded ? ' (embedded)' : ''}`,
          `durability nats-server ${stats.hvs.durability.serverVersion ?? '(version unknown)'}, fsync ${stats.hvs.durability.syncInterval}`,
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
    .description('write checkpoints of both projections (HVS index and NVM block view) now, so the next start replays only the tail')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      // The running server checkpoints its own projections (and would race this process for the same folders).
      await refuseIfServed(resolve((await configOf(opts)).dataDir));
      const stack = await openStack(opts);
      let hvsPosition: number;
      let nvmPosition: number;
      try {
        hvsPosition = await stack.integration.hvs.snapshot();
        nvmPosition = await stack.integration.nvm.snapshot();
      } finally {
        await stack.close();
      }
      const out = { position: hvsPosition, hvs: { position: hvsPosition }, nvm: { position: nvmPosition } };
      print(opts, out, () => `checkpoints written: HVS at position ${hvsPosition}, NVM at position ${nvmPosition}`);
    });

  program
    .command('replay')
    .description('rebuild the projections from the event log (drops the snapshots first); stop `start` on this data dir first')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (options: { progress: boolean }, cmd: Command) => {
      const opts = globals(cmd);
      const dataDir = resolve((await configOf(opts)).dataDir);
      await refuseIfServed(dataDir);
      // The heads before rebuilding: what the replay reads towards.
      let heads: { hvs: number; nvm: number };
      {
        // open() catches both projections up with the head.
        await using before = await openStack(opts);
        heads = { hvs: before.integration.hvs.stats().position, nvm: before.integration.nvm.position };
      }
      const { hvsPath, nvmPath } = storePaths(dataDir);
      const dropped = [join(hvsPath, 'projection'), join(nvmPath, 'projection')].filter((p) => existsSync(p));
      for (const p of dropped) rmSync(p, { recursive: true, force: true });

      // Each projection reports its position as it applies the log (once per batch): the bar is the sum of both.
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 1_000,
          format: 'replay | {bar} | {value}/{total} events | HVS {hvs}/{hvsHead}, NVM {nvm}/{nvmHead} | ETA {eta_formatted}',
        },
        cliProgress.Presets.shades_classic,
      );
      const total = heads.hvs + heads.nvm;
      const reached = { hvs: 0, nvm: 0 };
      if (options.progress) bar.start(total, 0, { hvs: 0, nvm: 0, hvsHead: heads.hvs, nvmHead: heads.nvm });
      const started = Date.now();
      const tick = options.progress ? setInterval(() => bar.updateETA(), 250) : undefined;
      const onProgress = (store: 'hvs' | 'nvm', position: number) => {
        reached[store] = Math.min(position, heads[store]);
        if (options.progress) bar.update(reached.hvs + reached.nvm, { ...reached });
      };
      try {
        await using after = await openStack(opts, { onProgress });
        const stats = after.integration.hvs.stats();
        const position = await after.integration.hvs.snapshot();
        const nvmPosition = await after.integration.nvm.snapshot();
        if (options.progress) bar.update(total, { hvs: heads.hvs, nvm: heads.nvm });
        if (options.progress) bar.stop();
        const out = {
          head: heads.hvs,
          position,
          vectors: stats.vectors,
          restoredFrom: stats.restoredFrom,
          nvm: { head: heads.nvm, position: nvmPosition, restoredFrom: after.integration.nvm.restoredFromPosition },
          droppedSnapshots: dropped,
          seconds: (Date.now() - started) / 1000,
        };
        print(
          opts,
          out,
          () =>
            `replayed ${position} HVS events (${stats.vectors} vectors) and ${nvmPosition} NVM events in ${out.seconds.toFixed(1)} s; checkpoints written`,
        );
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
      const { serveMcpStdio } = await import('@hvs-nvm/server-app');
      await using stack = await openStack(opts);
      await serveMcpStdio(stack.api);
    });
}
