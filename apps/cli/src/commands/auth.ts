// `hvs-nvm auth generate | tokens`: per-agent NATS users (a nats-server config block) and per-agent HTTP/MCP tokens.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AgentId } from '@hvs-nvm/events';
import type { AgentTokens } from '@hvs-nvm/server-app';
import { globals, print, UsageError } from '../context.js';

/** 24 random bytes, URL-safe: no character the nats-server config lexer would need escaped. */
const password = () => randomBytes(24).toString('base64url');

const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** Agent ids as given: each must be an AgentId ('system', '*', wildcards, dots and spaces are refused), or a usage error. */
function agentIds(ids: string[]): string[] {
  if (ids.length === 0) throw new UsageError('name at least one --agent');
  for (const id of ids) {
    const r = AgentId.safeParse(id);
    if (!r.success) throw new UsageError(`--agent '${id}' is not an agent id: ${z.prettifyError(r.error)}`);
  }
  return ids;
}

export function registerAuth(program: Command): void {
  const auth = program.command('auth').description('per-agent NATS authorization');

  auth
    .command('generate')
    .description(
      'write a nats-server `authorization {}` block: each agent may send mail only as itself, read only its own ' +
        'mailbox and query the projector; it may not append raw events nor manage streams or consumers. ' +
        'The trusted writer (server, projector) and the optional admin get full access; the query responder ' +
        '(projector replicas, NATS_RESPONDER_USER/NATS_RESPONDER_PASSWORD) may answer only to inboxes. Prints the credentials.',
    )
    .requiredOption('--agent <ids>', 'agent id(s), repeatable or comma-separated', collect, [])
    .option('--collection <name>', 'HVS collection whose mailboxes the agents use', 'default')
    .option('--namespace <name>', 'NVM namespace', 'default')
    .option('--writer <user>', 'user name of the trusted writer', 'hvs-nvm-writer')
    .option('--responder <user>', 'user name of the query responder (answers queries, never writes to the stores)', 'hvs-nvm-responder')
    .option('--admin <user>', 'also create a full-access operator user with this name')
    .requiredOption('-o, --out <file>', 'config file to write (include it from the server config, or start nats-server -c with it)')
    .option('--credentials <file>', 'also write the generated credentials here as JSON (mode 0600)')
    .action(
      async (
        options: {
          agent: string[];
          collection: string;
          namespace: string;
          writer: string;
          responder: string;
          admin?: string;
          out: string;
          credentials?: string;
        },
        cmd: Command,
      ) => {
        const opts = globals(cmd);
        const { generateAuthConfig } = await import('@hvs-nvm/runtime');
        const agents = agentIds(options.agent).map((id) => ({ id, password: password() }));
        const writer = { user: options.writer, password: password() };
        const responder = { user: options.responder, password: password() };
        const admin = options.admin ? { user: options.admin, password: password() } : undefined;
        const text = generateAuthConfig({
          collection: options.collection,
          namespace: options.namespace,
          agents,
          writer,
          responder,
          ...(admin ? { admin } : {}),
        });
        const out = resolve(options.out);
        writeFileSync(out, text, { mode: 0o600 });
        const credentials = {
          config: out,
          collection: options.collection,
          namespace: options.namespace,
          writer,
          responder,
          ...(admin ? { admin } : {}),
          agents,
        };
        if (options.credentials) writeFileSync(resolve(options.credentials), JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
        print(opts, credentials, () =>
          [
            `wrote ${out} (${agents.length} agent${agents.length === 1 ? '' : 's'})`,
            `writer  ${writer.user}  ${writer.password}`,
            `responder ${responder.user}  ${responder.password}`,
            ...(admin ? [`admin   ${admin.user}  ${admin.password}`] : []),
            ...agents.map((a) => `agent   ${a.id}  ${a.password}`),
            'Connect agents with NATS_URL plus natsUser/natsPassword and inboxPrefix _INBOX.<agent>; keep these secret.',
          ].join('\n'),
        );
      },
    );

  auth
    .command('tokens')
    .description(
      "write (or add to) a file of per-agent HTTP/MCP tokens for `start --agent-tokens`: a request with an agent's token acts " +
        'as that agent only (it sends mail only as itself, reads only its own mailbox, and block permissions apply to it). ' +
        'Agents not named keep their tokens; named ones get a new token (the old one stops working at the next start).',
    )
    .requiredOption('--agent <ids>', 'agent id(s), repeatable or comma-separated', collect, [])
    .requiredOption('-o, --out <file>', 'the tokens file (JSON {"<token>": "<agent>"}, mode 0600)')
    .action(async (options: { agent: string[]; out: string }, cmd: Command) => {
      const opts = globals(cmd);
      const { newAgentToken, readAgentTokensFile } = await import('@hvs-nvm/server-app');
      const named = new Set(agentIds(options.agent));
      const out = resolve(options.out);
      const kept: AgentTokens = existsSync(out)
        ? Object.fromEntries(Object.entries(readAgentTokensFile(out)).filter(([, agent]) => !named.has(agent)))
        : {};
      const issued = [...named].map((agent) => ({ agent, token: newAgentToken() }));
      const tokens: AgentTokens = { ...kept, ...Object.fromEntries(issued.map((t) => [t.token, t.agent])) };
      writeFileSync(out, JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
      chmodSync(out, 0o600); // an existing file keeps its mode otherwise
      print(opts, { file: out, tokens: issued }, () =>
        [
          `wrote ${out} (${Object.keys(tokens).length} token${Object.keys(tokens).length === 1 ? '' : 's'})`,
          ...issued.map((t) => `agent   ${t.agent}  ${t.token}`),
          'Start the server with --agent-tokens and give each agent its token (Authorization: Bearer <token>); keep these secret.',
        ].join('\n'),
      );
    });
}
