// messaging: sendMessage (pipelined) → mailbox receive with ack, vs raw JetStream publish + durable pull consumer consume()/ack().
import { connect } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { HVS } from '@hvs-nvm/hvs';
import { messageBody } from '../support/data.js';
import { now, percentile, summarise } from '../support/stats.js';
import { openHvs, ratioRow, type BenchContext, type ResultRow, type Scenario } from '../support/context.js';
import { REDIS_SERVER, redisRun, startRedis, type RedisPeer } from '../support/redis-peer.js';

/** Sends in flight at once (a sliding window, not batches with a barrier). */
const WINDOW = 256;
/** XREADGROUP COUNT of the Redis Streams peer: the same batch as our prefetch and the raw consume(). */
const REDIS_BATCH = 256;

async function pipelined(n: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, n) }, worker));
}

interface Run {
  rate: number;
  latenciesMs: number[];
}

async function oursIterator(hvs: HVS, n: number, round: number): Promise<Run> {
  const rx = `bench_rx_it_${round}`;
  const conn = await hvs.connectModel(rx);
  const lat: number[] = [];
  const t0 = now();
  const received = (async () => {
    let c = 0;
    for await (const m of conn.messages()) {
      lat.push(now() - (m.body as { sentAtMs: number }).sentAtMs);
      await m.ack();
      if (++c >= n) break;
    }
  })();
  await pipelined(n, (i) => hvs.sendMessage('bench_tx', rx, messageBody(i)));
  await received;
  const s = (now() - t0) / 1000;
  conn.close();
  return { rate: n / s, latenciesMs: lat };
}

async function oursReceive(
  hvs: HVS,
  n: number,
  round: number,
  log: (m: string) => void,
  deadlineMs: number,
): Promise<Run & { errors: number; received: number }> {
  const rx = `bench_rx_rm_${round}`;
  await hvs.connectModel(rx);
  const lat: number[] = [];
  let errors = 0;
  let c = 0;
  const t0 = now();
  // Seen stalling for minutes after a failed fetch: give up after a deadline and report what arrived.
  const deadline = t0 + deadlineMs;
  const received = (async () => {
    while (c < n && now() < deadline) {
      let batch;
      try {
        batch = await hvs.receiveMessages(rx, { max: 256, waitMs: 1000 });
      } catch (err) {
        // Seen: a raw JetStreamError 'heartbeats missed' from the fetch inside receiveMessages (expires 1 s,
        // idle heartbeat 0.5 s, 2 missed = 1 s). Counted and reported; the loop goes on.
        if (++errors > 50) throw err;
        log(`receiveMessages threw ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      const t = now();
      for (const m of batch) lat.push(t - (m.body as { sentAtMs: number }).sentAtMs);
      c += batch.length;
    }
  })();
  const sent = pipelined(n, (i) => hvs.sendMessage('bench_tx', rx, messageBody(i)));
  await Promise.race([Promise.all([sent, received]), new Promise((r) => setTimeout(r, deadlineMs + 5000).unref())]);
  if (c < n) log(`receiveMessages: only ${c} of ${n} messages arrived within ${deadlineMs / 1000} s`);
  return { rate: c / ((now() - t0) / 1000), latenciesMs: lat, errors, received: c };
}

async function rawRun(url: string, n: number, round: number, ackAck: boolean): Promise<Run> {
  const nc = await connect({ servers: url, name: 'bench-raw' });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream = 'BENCH_RAWMAIL';
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: ['rawmail.>'], storage: StorageType.File });
    }
    const durable = `raw_rx_${round}_${ackAck ? 'ackack' : 'ack'}`;
    const subject = `rawmail.${durable}`;
    await jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 10_000,
    });
    const consumer = await js.consumers.get(stream, durable);
    const encoder = new TextEncoder();
    const lat: number[] = [];
    const t0 = now();
    const iter = await consumer.consume({ max_messages: 256 });
    const received = (async () => {
      let c = 0;
      for await (const m of iter) {
        lat.push(now() - m.json<{ sentAtMs: number }>().sentAtMs);
        if (ackAck) await m.ackAck();
        else m.ack();
        if (++c >= n) break;
      }
    })();
    await pipelined(n, (i) => js.publish(subject, encoder.encode(JSON.stringify(messageBody(i)))));
    await received;
    const s = (now() - t0) / 1000;
    iter.stop();
    return { rate: n / s, latenciesMs: lat };
  } finally {
    await nc.drain();
  }
}

function latencyNote(ours: number[], raw: number[], label = 'ours'): string {
  return `latency p50/p99 ${label} ${percentile(ours, 50).toFixed(1)}/${percentile(ours, 99).toFixed(1)} ms, raw ${percentile(raw, 50).toFixed(1)}/${percentile(raw, 99).toFixed(1)} ms (window ${WINDOW})`;
}

export const messaging: Scenario = {
  name: 'messaging',
  describe: `sendMessage (${WINDOW} in flight) → ModelConnection.messages() + ack / receiveMessages, vs raw js.publish + pull consume()+ack(), and vs Redis Streams (XADD + XREADGROUP + XACK)`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const n = ctx.size ?? (ctx.quick ? 500 : 20_000);
    const count = ctx.quick ? 1 : ctx.rounds;
    const hvs = await openHvs(ctx, 'msg', { dimension: 4 });
    const it: Run[] = [];
    const rm: (Run & { errors: number; received: number })[] = [];
    const raw: Run[] = [];
    const rawAckAck: Run[] = [];
    const redis: Run[] = [];
    let peer: RedisPeer | undefined;
    let redisError: string | undefined;
    try {
      peer = await startRedis();
    } catch (err) {
      redisError = (err as Error).message;
    }
    try {
      await oursIterator(hvs, Math.min(n, 500), 1000); // warm-up
      await rawRun(ctx.server.url, Math.min(n, 500), 1000, false);
      if (peer) await redisRun(peer.port, Math.min(n, 500), 1000, WINDOW, REDIS_BATCH, messageBody, now);
      for (let r = 0; r < count; r++) {
        raw.push(await rawRun(ctx.server.url, n, r, false));
        it.push(await oursIterator(hvs, n, r));
        if (peer) redis.push(await redisRun(peer.port, n, r, WINDOW, REDIS_BATCH, messageBody, now));
        // The slower variants get one round: they are here for attribution, not for the target.
        if (r === 0) rm.push(await oursReceive(hvs, n, r, ctx.log, ctx.quick ? 10_000 : 60_000));
        if (r === 0) rawAckAck.push(await rawRun(ctx.server.url, n, r, true));
        ctx.log(
          `messaging round ${r + 1}: raw ${raw.at(-1)!.rate.toFixed(0)}/s, ours iterator ${it.at(-1)!.rate.toFixed(0)}/s` +
            (peer ? `, redis ${redis.at(-1)!.rate.toFixed(0)}/s` : '') +
            (r === 0 ? `, raw+ackAck ${rawAckAck[0]!.rate.toFixed(0)}/s, ours receiveMessages ${rm[0]!.rate.toFixed(0)}/s` : ''),
        );
      }
    } finally {
      await hvs.close();
      await peer?.stop();
    }
    const rates = (rs: Run[]) => summarise(rs.map((r) => r.rate));
    const lats = (rs: Run[]) => rs.flatMap((r) => r.latenciesMs);
    const rawS = rates(raw);
    const ratio = (rs: Run[]) => rates(rs).median / rawS.median;
    return [
      ratioRow('messaging', `${n} × ~200 B, messages() + await ack()`, 'msgs/s', rates(it), rawS, {
        target: '≥ 0.8× raw',
        pass: ratio(it) >= 0.8,
        note: latencyNote(lats(it), lats(raw)),
        extra: { n, window: WINDOW, rawAckAckRate: rates(rawAckAck) },
      }),
      ratioRow('messaging', `${n} × ~200 B, receiveMessages(max 256)`, 'msgs/s', rates(rm), rawS, {
        target: '≥ 0.5× raw',
        pass: ratio(rm) >= 0.5,
        note: `${latencyNote(lats(rm), lats(raw))}; receiveMessages threw ${rm[0]?.errors ?? 0}×, ${rm[0]?.received ?? 0}/${n} received`,
        extra: { n, window: WINDOW, receiveErrors: rm.map((r) => r.errors) },
      }),
      peer
        ? ratioRow('messaging', `${n} × ~200 B, messages() + ack vs Redis Streams`, 'msgs/s', rates(it), rates(redis), {
            note: `peer: redis-server AOF everysec, XADD (${WINDOW} in flight) + XREADGROUP COUNT ${REDIS_BATCH} + XACK per batch; ${latencyNote(lats(it), lats(redis), 'ours')} (raw = redis)`,
            extra: { n, window: WINDOW, batch: REDIS_BATCH },
          })
        : ratioRow('messaging', `vs Redis Streams: ${redisError ?? `redis-server not installed (${REDIS_SERVER})`}`, 'msgs/s', null, null),
      ratioRow('messaging', `(raw with await ackAck(), for attribution)`, 'msgs/s', rates(rawAckAck), rawS, {
        note: latencyNote(lats(rawAckAck), lats(raw), 'raw+ackAck'),
      }),
    ];
  },
};
