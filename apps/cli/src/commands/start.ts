// `hvs-nvm start`: JetStream (embedded or NATS_URL), the projections and the HTTP + MCP server, until SIGINT/SIGTERM.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { createServer, InsecureBindError, isLoopback } from '@hvs-nvm/server-app';
import { globals, openStack, parseIntArg, print, untilSignal } from '../context.js';

/** Where `start` records its URLs so `status` can find the running server. */
export const serverFile = (dataDir: string) => join(dataDir, 'server.json');

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run JetStream (embedded, or NATS_URL), the projections and the HTTP API with MCP at /mcp')
    .option('--host <host>', 'interface to listen on (non-loopback needs --token)', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0: any free port)', '8765')
    .addOption(new Option('--token <token>', 'require "Authorization: Bearer <token>" on every request (at least 16 characters)').env('HVS_NVM_TOKEN'))
    .action(async (options: { host: string; port: string; token?: string }, cmd: Command) => {
      const opts = globals(cmd);
      const port = parseIntArg(options.port, '--port', 0);
      if (!options.token && !isLoopback(options.host)) throw new InsecureBindError(options.host);
      const stack = await openStack(opts);
      try {
        const { integration, encoder } = stack;
        const server = await createServer({
          integration,
          hvs: integration.hvs,
          nvm: integration.nvm,
          encoder,
          host: options.host,
          port,
          ...(options.token ? { token: options.token } : {}),
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
          pid: process.pid,
        };
        writeFileSync(serverFile(stack.dataDir), JSON.stringify(info));
        print(opts, info, () =>
          [
            `HTTP API   ${server.url}/v1   (OpenAPI: ${info.openapiUrl})`,
            `MCP        ${server.mcpUrl}   (streamable HTTP)`,
            `NATS       ${stats.natsUrl}${stats.embedded ? '   (embedded)' : ''}`,
            `data dir   ${stack.dataDir}`,
            'Ctrl-C to stop.',
          ].join('\n'),
        );
        const signal = await untilSignal();
        rmSync(serverFile(stack.dataDir), { force: true });
        await server.close();
        print(opts, { event: 'stopped', signal }, () => `stopped (${signal})`);
      } finally {
        await stack.close();
      }
    });
}
