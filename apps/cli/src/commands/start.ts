// `hvs-nvm start`: JetStream (embedded or NATS_URL), the projections and the HTTP + MCP server, until SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { configOf, globals, openStack, parseIntArg, print, untilSignal } from '../context.js';

interface StartOptions {
  host: string;
  port: string;
  token?: string;
  agentTokens?: string;
  maxBodyBytes?: string;
  maxInFlightBodyBytes?: string;
  maxCallerBodyBytes?: string;
  headersTimeoutMs?: string;
  requestTimeoutMs?: string;
  bodyIdleTimeoutMs?: string;
  corsOrigins?: string;
  dimension?: string;
  geometry?: 'euclidean' | 'spherical' | 'hyperboloid';
}

const LIMIT_FLAGS = {
  maxBodyBytes: '--max-body-bytes',
  maxInFlightBodyBytes: '--max-in-flight-body-bytes',
  maxCallerBodyBytes: '--max-caller-body-bytes',
  headersTimeoutMs: '--headers-timeout-ms',
  requestTimeoutMs: '--request-timeout-ms',
  bodyIdleTimeoutMs: '--body-idle-timeout-ms',
} as const;

/** The server's limits given on the command line (the server checks how they relate). */
function limitsOf(options: StartOptions): Partial<Record<keyof typeof LIMIT_FLAGS, number>> {
  const out: Partial<Record<keyof typeof LIMIT_FLAGS, number>> = {};
  for (const [key, flag] of Object.entries(LIMIT_FLAGS) as [keyof typeof LIMIT_FLAGS, string][]) {
    const text = options[key];
    if (text !== undefined) out[key] = parseIntArg(text, flag, 1);
  }
  return out;
}

/** `3 shards each, big: 8` — the shard counts `--shards` gave. */
function shardsLine(reads: { shards: number; collections: Record<string, number> }): string {
  const named = Object.entries(reads.collections).map(([name, n]) => `${name}: ${n}`);
  return [reads.shards > 1 ? `${reads.shards} shards each` : 'unsharded', ...named].join(', ');
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run JetStream (embedded, or NATS_URL), the projections and the HTTP API with MCP at /mcp')
    .option('--host <host>', 'interface to listen on (non-loopback needs --token or --agent-tokens)', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0: any free port)', '8765')
    .addOption(
      new Option(
        '--token <token>',
        'admin token: require "Authorization: Bearer <token>" on every request; its bearer is the trusted operator (≥ 16 characters)',
      ).env('HVS_NVM_TOKEN'),
    )
    .addOption(
      new Option(
        '--agent-tokens <file>',
        'JSON file of per-agent tokens {"<token>": "<agent>"} (see `auth tokens`): each bearer acts only as its agent',
      ).env('HVS_NVM_AGENT_TOKENS'),
    )
    .option('--dimension <n>', 'dimension of the default collection (/v1/vectors) when it is created (default: the encoder’s)')
    .addOption(
      new Option(
        '--geometry <geometry>',
        'geometry of the default collection when it is created (default: spherical, as the encoder’s)',
      ).choices(['euclidean', 'spherical', 'hyperboloid']),
    )
    .option('--max-body-bytes <n>', 'largest request body (default 8 MiB)')
    .option('--max-in-flight-body-bytes <n>', 'request-body bytes read or handled at once, server-wide; more is a 503 (default 64 MiB)')
    .option('--max-caller-body-bytes <n>', 'the same per agent token; more is a 429 (default 16 MiB)')
    .option('--headers-timeout-ms <ms>', 'time to receive request headers (default 10000)')
    .option('--request-timeout-ms <ms>', 'time to receive a whole request (default 60000)')
    .option('--body-idle-timeout-ms <ms>', 'longest pause within a request body (default 10000)')
    .addOption(
      new Option('--cors-origins <origins>', 'comma-separated browser origins allowed to call the API (CORS), or * (default: none)').env(
        'HVS_NVM_CORS_ORIGINS',
      ),
    )
    .action(async (options: StartOptions, cmd: Command) => {
      const opts = globals(cmd);
      const [{ acquireServerLock }, { createServer, InsecureBindError, isLoopback, readAgentTokensFile }] = await Promise.all([
        import('@hvs-nvm/runtime'),
        import('@hvs-nvm/server-app'),
      ]);
      const port = parseIntArg(options.port, '--port', 0);
      const limits = limitsOf(options);
      const agentTokens = options.agentTokens ? readAgentTokensFile(resolve(options.agentTokens)) : undefined;
      if (!options.token && !agentTokens && !isLoopback(options.host)) throw new InsecureBindError(options.host);
      // One server per data dir: the lock is taken before anything is opened, and held until the process ends.
      const lock = acquireServerLock(resolve((await configOf(opts)).dataDir));
      const defaultCollection = {
        ...(options.dimension !== undefined ? { dimension: parseIntArg(options.dimension, '--dimension', 1) } : {}),
        ...(options.geometry !== undefined ? { geometry: options.geometry } : {}),
      };
      const stack = await openStack(opts, { defaultCollection }).catch((err: unknown) => {
        lock.release();
        throw err;
      });
      try {
        const { integration, encoder } = stack;
        const server = await createServer({
          integration,
          hvs: integration.hvs,
          nvm: integration.nvm,
          encoder,
          collections: stack.collections,
          namespaces: stack.namespaces,
          host: options.host,
          port,
          ...(options.token ? { token: options.token } : {}),
          ...(agentTokens ? { agentTokens } : {}),
          ...limits,
          ...(options.corsOrigins
            ? {
                corsOrigins: options.corsOrigins
                  .split(',')
                  .map((o) => o.trim())
                  .filter((o) => o !== ''),
              }
            : {}),
        });
        const stats = integration.hvs.stats();
        const info = {
          event: 'listening',
          url: server.url,
          mcpUrl: server.mcpUrl,
          openapiUrl: `${server.url}/openapi.json`,
          natsUrl: stats.natsUrl,
          embedded: stats.embedded,
          dataDir: stack.dataDir,
          encoder: encoder.name,
          collections: {
            default: { dimension: stack.defaultHvs.dimension, geometry: stack.defaultHvs.geometry },
            memory: integration.hvs.options.collection,
          },
          reads: stack.collections.readSettings(),
          pid: process.pid,
          auth: { adminToken: options.token !== undefined, agents: [...new Set(Object.values(agentTokens ?? {}))].sort() },
        };
        lock.update(info);
        print(opts, info, () =>
          [
            `HTTP API   ${server.url}/v1   (OpenAPI: ${info.openapiUrl})`,
            `MCP        ${server.mcpUrl}   (streamable HTTP)`,
            `NATS       ${stats.natsUrl}${stats.embedded ? '   (embedded)' : ''}`,
            `data dir   ${stack.dataDir}`,
            `vectors    collection 'default': ${stack.defaultHvs.dimension}-d ${stack.defaultHvs.geometry}; memory in '${integration.hvs.options.collection}'`,
            ...(info.reads.projection === 'remote' ? [`reads      /v1/collections from apps/projector (${shardsLine(info.reads)})`] : []),
            'Ctrl-C to stop.',
          ].join('\n'),
        );
        const signal = await untilSignal();
        await server.close();
        print(opts, { event: 'stopped', signal }, () => `stopped (${signal})`);
      } finally {
        await stack.close();
        lock.release();
      }
    });
}
