// MCP resource subscriptions: `block://{id}` and the fact stream, told of every change the moment it is in the log.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@hvs-nvm/runtime';
import type { Api } from './api.js';
import type { Caller } from './auth.js';

const log = createLogger('mcp');

/** The fact stream of the shared knowledge base, as one resource. */
export const FACTS_URI = 'facts://shared_knowledge_base';
/** How many subscriptions one session may hold. */
const MAX_SUBSCRIPTIONS = 1_000;

export interface ResourceSubscriptions {
  /** Stops following the log (the session or connection ended). */
  close(): Promise<void>;
}

/** `block://<id>` → the block id, or undefined for any other URI. */
function blockIdOf(uri: string): string | undefined {
  const m = /^block:\/\/([^/?#]+)$/.exec(uri);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/**
 * Serves resources/subscribe and resources/unsubscribe on `server` (call before it connects), and follows the NVM log
 * from now on, as `caller` may see it: each new version of a subscribed block sends notifications/resources/updated,
 * a block created, deleted or expired sends notifications/resources/list_changed, and each new fact updates
 * FACTS_URI for its subscribers. The log drives it, so a change made through HTTP, another session or another
 * process is told too.
 */
export function serveResourceSubscriptions(server: McpServer, api: Api, caller: Caller): ResourceSubscriptions {
  const subscribed = new Set<string>();
  const abort = new AbortController();
  const integration = api.deps.integration;
  let following: Promise<void> | undefined;

  const follow = async (since: number) => {
    const feed = integration.changes({
      store: 'nvm',
      since,
      types: ['BlockCreated', 'BlockUpdated', 'BlockPatched', 'BlockDeleted', 'BlockExpired', 'FactAdded'],
      ...(caller.actor ? { actor: caller.actor } : {}),
      signal: abort.signal,
    });
    for await (const e of feed) {
      if (abort.signal.aborted) return;
      if (e.type === 'FactAdded') {
        if (subscribed.has(FACTS_URI)) await server.server.sendResourceUpdated({ uri: FACTS_URI });
        continue;
      }
      const uri = `block://${e.stream.slice('block.'.length)}`;
      if (e.type !== 'BlockCreated' && subscribed.has(uri)) await server.server.sendResourceUpdated({ uri });
      if (e.type !== 'BlockUpdated' && e.type !== 'BlockPatched') await server.server.sendResourceListChanged();
    }
  };

  // From the head as the session starts: what happened before is in the resources themselves.
  const started = integration.nvm.eventStore.headPosition().then((head) => {
    if (abort.signal.aborted) return;
    following = follow(head).catch((err: unknown) => {
      if (!abort.signal.aborted) log.warn({ err }, 'resource notifications stopped');
    });
  });

  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const blockId = blockIdOf(uri);
    if (uri !== FACTS_URI) {
      if (blockId === undefined)
        throw new McpError(ErrorCode.InvalidParams, `cannot subscribe to '${uri}': subscribe to block://{id} or ${FACTS_URI}`);
      // Only to what the caller may read: the same check as reading it (not found and denied alike are refused).
      await api.getBlock(blockId, {}, caller).catch((err: unknown) => {
        throw new McpError(ErrorCode.InvalidParams, `cannot subscribe to '${uri}': ${(err as Error).message}`, { uri });
      });
    }
    if (!subscribed.has(uri) && subscribed.size >= MAX_SUBSCRIPTIONS) {
      throw new McpError(ErrorCode.InvalidRequest, `a session holds at most ${MAX_SUBSCRIPTIONS} subscriptions`);
    }
    await started;
    subscribed.add(uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  return {
    async close() {
      abort.abort();
      await started.catch(() => undefined);
      await following;
    },
  };
}
