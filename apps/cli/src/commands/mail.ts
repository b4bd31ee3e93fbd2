// `hvs-nvm mail send | receive | tail`: agent mailboxes from the terminal.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { ReceivedMessage } from '@hvs-nvm/hvs';
import { globals, openStack, parseIntArg, print, untilSignal, UsageError, type GlobalOptions } from '../context.js';

function bodyArg(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Plain words are a string body.
  }
}

/** A mail-log position (≥ 1) or an ISO time; anything else is a usage error, not "from the start". */
function sinceArg(text: string): Date | number {
  if (/^\d+$/.test(text)) return parseIntArg(text, '--since', 0);
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--since '${text}' is neither a mail-log position nor an ISO time`);
  return at;
}

function printMessage(opts: GlobalOptions, m: ReceivedMessage): void {
  const out = { ...m, sentAt: m.sentAt.toISOString() };
  print(opts, out, () => `#${m.seq}  ${out.sentAt}  ${m.from} → ${m.to}  ${JSON.stringify(m.body)}`);
}

export function registerMail(program: Command): void {
  const mail = program.command('mail').description('agent mailboxes: send, receive, tail');

  mail
    .command('send')
    .description('send a message into a model’s durable mailbox')
    .argument('<from>', 'sending model id')
    .argument('<to>', 'receiving model id')
    .argument('<body>', 'the message: JSON, or plain text')
    .action(async (from: string, to: string, body: string, _options: unknown, cmd: Command) => {
      const opts = globals(cmd);
      await using stack = await openStack(opts);
      const { id } = await stack.api.sendMessage({ from, to, body: bodyArg(body) });
      print(opts, { id }, () => id);
    });

  mail
    .command('receive')
    .description('take the pending messages of a mailbox, oldest first (each is handed out once)')
    .argument('<model>', 'model id')
    .option('--max <n>', 'at most this many', '256')
    .option('--wait-ms <ms>', 'wait this long for a first message', '0')
    .action(async (model: string, options: { max: string; waitMs: string }, cmd: Command) => {
      const opts = globals(cmd);
      const max = parseIntArg(options.max, '--max');
      const waitMs = parseIntArg(options.waitMs, '--wait-ms', 0);
      await using stack = await openStack(opts);
      const messages = await stack.integration.hvs.receiveMessages(model, { max, waitMs });
      for (const m of messages) printMessage(opts, m);
      if (messages.length === 0 && !opts.json) print(opts, null, () => 'no pending messages');
    });

  mail
    .command('tail')
    .description('show a mailbox’s history without taking anything from it; -f keeps following')
    .argument('<model>', 'model id')
    .option('--since <seq|time>', 'from this mail-log position or ISO time')
    .option('-f, --follow', 'keep printing new messages until Ctrl-C')
    .option('--interval-ms <ms>', 'how often to look for new messages with -f', '250')
    .action(async (model: string, options: { since?: string; follow?: boolean; intervalMs: string }, cmd: Command) => {
      const opts = globals(cmd);
      const intervalMs = parseIntArg(options.intervalMs, '--interval-ms');
      let since: Date | number | undefined;
      if (options.since !== undefined) since = sinceArg(options.since);
      await using stack = await openStack(opts);
      const hvs = stack.integration.hvs;
      let stopped = false;
      const stop = untilSignal().then(() => (stopped = true));
      do {
        const batch = await hvs.replayMessages(model, since === undefined ? {} : { since });
        for (const m of batch) {
          printMessage(opts, m);
          since = m.seq + 1;
        }
        if (!options.follow) break;
        await Promise.race([sleep(intervalMs), stop]);
      } while (!stopped);
    });
}
