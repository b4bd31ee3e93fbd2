// feeds: latency from a block update to its subscriber — HTTP Server-Sent Events and MCP resources/updated — vs a raw
// JetStream ordered consumer seeing the same kind of append.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { hashingEncoder } from '@hvs-nvm/encoders';
import { HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { BlockClass } from '@hvs-nvm/nvm';
import { createServer } from '@hvs-nvm/server-app';
import { parseSse } from '../../support/sse.js';
import { now, percentile, summarise } from '../support/stats.js';
import { ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';

/** Resolves with the arrival time of the next event that `arrived` reports. */
function latencyProbe() {
  let waiting: ((at: number) => void) | undefined;
  return {
    arrived: () => waiting?.(now()),
    next: () => new Promise<number>((resolve) => (waiting = resolve)),
  };
}

/** One sequential round: `n` writes, each waiting for its event; latencies from the call and from its resolution. */
async function measure(n: number, write: (i: number) => Promise<unknown>, probe: ReturnType<typeof latencyProbe>) {
  const fromCall: number[] = [];
  const fromAck: number[] = [];
  for (let i = 0; i < n; i++) {
    const seen = probe.next();
    const t0 = now();
    await write(i);
    const acked = now();
    const at = await seen;
    fromCall.push(at - t0);
    fromAck.push(Math.max(0, at - acked));
  }
  return { fromCall, fromAck };
}

const p = (xs: number[], q: number) => Number(percentile(xs, q).toFixed(2));

export const feeds: Scenario = {
  name: 'feeds',
  describe: 'append → subscriber latency: SSE /v1/events and MCP resources/updated, vs a raw JetStream consumer',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.quick ? 20 : 500;
    const integration = await HVSNVMIntegration.open({
      hvsPath: join(ctx.workDir, 'feeds-hvs'),
      nvmPath: join(ctx.workDir, 'feeds-nvm'),
      natsUrl: ctx.server.url,
      collection: 'feeds',
      namespace: 'feeds',
      encoder: hashingEncoder(64),
    });
    const server = await createServer({ integration, hvs: integration.hvs, nvm: integration.nvm, encoder: integration.encoder, port: 0 });
    const nc = await connect({ servers: ctx.server.url });
    try {
      const block = await integration.nvm.createBlock({ name: 'feeds_probe', blockClass: BlockClass.DOCUMENTATION, content: 'v0' });
      const update = (i: number) => integration.nvm.updateBlock(block.id, `version ${i}`);

      // SSE: one subscriber on the block's stream; each update waits for its event before the next.
      const sse: number[] = [];
      const sseAck: number[] = [];
      {
        const abort = new AbortController();
        const res = await fetch(
          `${server.url}/v1/events?store=nvm&types=BlockUpdated&stream=block.${block.id}&since=${await integration.nvm.eventStore.headPosition()}`,
          {
            signal: abort.signal,
          },
        );
        const probe = latencyProbe();
        const reader = (async () => {
          for await (const _ of parseSse(res.body!, abort.signal)) probe.arrived();
        })().catch(() => undefined);
        const m = await measure(n, update, probe);
        sse.push(...m.fromCall);
        sseAck.push(...m.fromAck);
        abort.abort();
        await reader;
      }

      // MCP: the official client over streamable HTTP, subscribed to block://{id}.
      const mcp: number[] = [];
      const mcpAck: number[] = [];
      {
        const client = new Client({ name: 'bench-feeds', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl)));
        const probe = latencyProbe();
        client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => probe.arrived());
        await client.subscribeResource({ uri: `block://${block.id}` });
        const m = await measure(n, (i) => update(n + i), probe);
        mcp.push(...m.fromCall);
        mcpAck.push(...m.fromAck);
        await client.close();
      }

      // Raw: publish to a stream and see it on an ordered consumer (the floor under any feed on JetStream).
      const raw: number[] = [];
      const rawAck: number[] = [];
      {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'BENCH_FEEDS_RAW', subjects: ['bench.feeds.raw'], storage: StorageType.File });
        const js = jetstream(nc);
        const consumer = await js.consumers.get('BENCH_FEEDS_RAW', { deliver_policy: DeliverPolicy.New });
        const messages = await consumer.consume();
        const probe = latencyProbe();
        const reader = (async () => {
          for await (const _ of messages) probe.arrived();
        })();
        const m = await measure(n, (i) => js.publish('bench.feeds.raw', new TextEncoder().encode(`version ${i}`)), probe);
        raw.push(...m.fromCall);
        rawAck.push(...m.fromAck);
        messages.stop();
        await reader;
        await jsm.streams.delete('BENCH_FEEDS_RAW');
      }

      const note = (xs: number[], ack: number[]) =>
        `from the write call p50 ${p(xs, 50)} / p99 ${p(xs, 99)} ms; after the write resolved p50 ${p(ack, 50)} / p99 ${p(ack, 99)} ms (${n} sequential updates)`;
      ctx.log(`feeds: SSE ${note(sse, sseAck)}; MCP ${note(mcp, mcpAck)}; raw JetStream ${note(raw, rawAck)}`);
      const extra = (xs: number[], ack: number[]) => ({
        p50Ms: p(xs, 50),
        p99Ms: p(xs, 99),
        afterAckP50Ms: p(ack, 50),
        afterAckP99Ms: p(ack, 99),
        n,
      });
      const row = (what: string, q: 50 | 99, xs: number[], ack: number[]) =>
        ratioRow('feeds', `block update → ${what}, p${q}`, 'ms', summarise([p(xs, q)]), summarise([p(raw, q)]), {
          better: 'lower',
          ...(q === 50 ? { note: note(xs, ack), extra: extra(xs, ack) } : {}),
        });
      return [
        row('SSE /v1/events', 50, sse, sseAck),
        row('SSE /v1/events', 99, sse, sseAck),
        row('MCP resources/updated', 50, mcp, mcpAck),
        row('MCP resources/updated', 99, mcp, mcpAck),
      ];
    } finally {
      await nc.close();
      await server.close();
      await integration.close();
    }
  },
};
