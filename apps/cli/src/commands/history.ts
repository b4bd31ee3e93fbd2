// `hvs-nvm cut | fork | forks | promote`: where the world stands, branching it (re-embedding with another encoder,
// with a progress bar), listing and deleting forks, and pointing an alias at one.
import { Option, type Command } from 'commander';
import type { Encoder } from '@hvs-nvm/encoders';
import type { AsOf, ReembedProgress, WorldFork } from '@hvs-nvm/hvs-nvm';
import { asOfArg, globals, openStack, parseIntArg, print } from '../context.js';

const GEOMETRIES = ['euclidean', 'spherical', 'hyperboloid'] as const;

/** A one-line progress bar on stderr (redrawn in place on a terminal). */
export function progressBar(label: string): (p: ReembedProgress) => void {
  const width = 30;
  let last = -1;
  return ({ done, total }) => {
    const share = total === 0 ? 1 : done / total;
    const percent = Math.floor(share * 100);
    if (percent === last) return;
    last = percent;
    const filled = Math.round(share * width);
    const line = `${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}${done >= total ? '\n' : ''}` : `${line}\n`);
  };
}

/** `hvs:12,mail:3,nvm:40`. Loaded when a command runs, not at the top: `--help` must not load the stores. */
async function asOfFormatter(): Promise<(asOf: AsOf) => string> {
  return (await import('@hvs-nvm/hvs-nvm')).formatAsOf;
}

const row = (f: WorldFork, formatAsOf: (asOf: AsOf) => string) =>
  `${f.name}  from ${f.parent} at ${formatAsOf(f.cut)}  ${f.createdAt}${f.reembedded ? `  re-embedded: ${f.reembedded.encoder} ${f.reembedded.dimension}-d ${f.reembedded.geometry}` : ''}`;

export function registerHistory(program: Command): void {
  program
    .command('cut')
    .description('print where the world stands now ({ hvs, mail, nvm } stream positions): pass it to --as-of later')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const cut = await stack.integration.cut();
      const formatAsOf = await asOfFormatter();
      print(opts, { cut, asOf: formatAsOf(cut) }, () => formatAsOf(cut));
    });

  program
    .command('fork')
    .description('fork the world: a writable world named <name> whose history up to --as-of (default now) is this one')
    .argument('<name>', 'the fork (its collection and namespace)')
    .addOption(
      new Option('--to-encoder <name>', 'another encoder: re-embed every stored content from the log').choices(['sentence', 'hashing']),
    )
    .option('--dimension <n>', 'dimension of the hashing encoder given with --to-encoder hashing')
    .addOption(new Option('--geometry <geometry>', 'another geometry for the content index (re-embeds)').choices(GEOMETRIES))
    .action(
      async (name: string, options: { toEncoder?: string; dimension?: string; geometry?: (typeof GEOMETRIES)[number] }, cmd: Command) => {
        const opts = globals(cmd);
        // --as-of here says where the fork branches; the stack itself is the live world.
        const asOf = opts.asOf !== undefined ? await asOfArg(opts.asOf) : undefined;
        await using stack = await openStack({ ...opts, asOf: undefined });
        let encoder: Encoder | undefined;
        const { defaultEncoder, hashingEncoder } = await import('@hvs-nvm/encoders');
        if (options.toEncoder === 'hashing') {
          encoder = hashingEncoder(options.dimension ? parseIntArg(options.dimension, '--dimension', 2) : stack.encoder.dimension);
        } else if (options.toEncoder === 'sentence') encoder = await defaultEncoder();
        const fork = await stack.integration.fork({
          name,
          ...(asOf ? { asOf } : {}),
          ...(encoder ? { encoder } : {}),
          ...(options.geometry ? { geometry: options.geometry } : {}),
          ...(opts.json ? {} : { onProgress: progressBar(`re-embedding into '${name}'`) }),
        });
        const reembedded = fork.reembedded;
        await fork.close();
        const listed = (await stack.integration.forks()).find((f) => f.name === name)!;
        const formatAsOf = await asOfFormatter();
        print(opts, { fork: listed, ...(reembedded ? { reembedded } : {}) }, () =>
          [
            `forked ${row(listed, formatAsOf)}`,
            ...(reembedded ? [`re-embedded ${reembedded.reembedded}, skipped ${reembedded.skipped} raw vectors`] : []),
          ].join('\n'),
        );
      },
    );

  const forks = program.command('forks').description('the forks of this server: list (default), rm');
  forks
    .command('ls', { isDefault: true })
    .description('list the forks')
    .action(async (_options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const list = await stack.integration.forks();
      const formatAsOf = await asOfFormatter();
      print(opts, { forks: list }, () => (list.length === 0 ? 'no forks' : list.map((f) => row(f, formatAsOf)).join('\n')));
    });
  forks
    .command('rm')
    .description('delete a fork (its streams and checkpoints); its parent is never touched')
    .argument('<name>', 'the fork')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      await stack.integration.deleteFork(name);
      print(opts, { deleted: name }, () => `deleted fork '${name}'`);
    });

  program
    .command('promote')
    .description('point an alias (default: this world, "default") at a fork: clients that open the alias get the fork')
    .argument('<fork>', 'the fork')
    .option('--alias <alias>', 'the alias to point (default: the world this command opened)')
    .action(async (name: string, options: { alias?: string }, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const done = await stack.integration.promote(name, options.alias !== undefined ? { alias: options.alias } : {});
      print(opts, done, () => `'${done.alias}' now opens world '${done.world}'`);
    });
}
