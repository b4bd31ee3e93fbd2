// Durable agent mailboxes on JetStream: one event stream per message, one durable consumer per recipient; sending,
// delivery, fetch and ack by token, and replay. The messages' shapes are in mail-messages.ts, the live connection in
// model-connection.ts.
import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { mailboxConsumer, streamIds } from '@hvs-nvm/events';
import { parseStoredMessage, type EventStore } from '@hvs-nvm/eventstore';
import { AckBatch } from './ack-batch.js';
import { ACK_PAYLOAD, ackTokenOf, parseAckToken } from './ack-token.js';
import { InvalidAckTokenError, InvalidArgumentError } from './errors.js';
import {
  MAX_WAIT_MS,
  sentAsItself,
  toMessage,
  validateBody,
  validateModelId,
  type DeliveredMessage,
  type FetchedBatch,
  type MailboxOptions,
  type ReceivedMessage,
  type ReceiveOptions,
  type ReplayOptions,
} from './mail-messages.js';
import { ModelConnection } from './model-connection.js';

export { ModelConnection } from './model-connection.js';
export {
  MAX_WAIT_MS,
  type DeliveredMessage,
  type FetchedBatch,
  type FetchedMessage,
  type MailboxOptions,
  type ReceivedMessage,
  type ReceiveOptions,
  type ReplayOptions,
} from './mail-messages.js';

/** An unconfirmed ack's promise: already settled, shared. */
const done = Promise.resolve();

export class Mailboxes {
  private readonly consumers = new Map<string, Promise<Consumer>>();
  private readonly connections = new Set<ModelConnection>();
  private readonly outstanding = new Map<string, Map<number, number>>();
  readonly ackWaitMs: number;
  readonly maxDeliveries: number;

  constructor(
    private readonly mail: EventStore,
    private readonly presence: EventStore,
    private readonly actor: string,
    private readonly maxBodyBytes: number,
    options: MailboxOptions = {},
  ) {
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.maxDeliveries = options.maxDeliveries ?? 5;
  }

  /** The mail log itself (MAIL_<collection>). */
  get eventStore(): EventStore {
    return this.mail;
  }

  /** The recipient's durable consumer, created on first use from the start of its mailbox (so early mail waits). */
  consumer(modelId: string): Promise<Consumer> {
    let c = this.consumers.get(modelId);
    if (!c) {
      c = this.ensureConsumer(modelId);
      this.consumers.set(modelId, c);
      c.catch(() => this.consumers.delete(modelId));
    }
    return c;
  }

  private async ensureConsumer(modelId: string): Promise<Consumer> {
    const { stream, prefix } = this.mail.names;
    const durable = mailboxConsumer(modelId);
    try {
      await this.mail.jsm.consumers.info(stream, durable);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
      await this.mail.jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: `${prefix}.${streamIds.mailbox(modelId)}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: this.ackWaitMs * 1e6,
        max_ack_pending: 10_000,
      });
    }
    return this.mail.js.consumers.get(stream, durable);
  }

  async connect(modelId: string): Promise<{ connection: ModelConnection; position: number }> {
    validateModelId(modelId);
    const r = await this.presence.appendToStream(streamIds.model(modelId), [{ type: 'ModelConnected', data: { modelId } }], {
      actor: modelId,
    });
    await this.consumer(modelId);
    const connection = new ModelConnection(modelId, this);
    this.connections.add(connection);
    return { connection, position: r.position };
  }

  async send(from: string, to: string, body: unknown): Promise<string> {
    const [id] = await this.sendMany(from, [to], body);
    return id!;
  }

  async sendMany(from: string, to: string[], body: unknown): Promise<string[]> {
    validateModelId(from);
    to.forEach(validateModelId);
    const clean = validateBody(body, this.maxBodyBytes);
    const items = to.map((recipient) => {
      const messageId = randomUUID();
      return {
        streamId: streamIds.message(recipient, from, messageId),
        event: { type: 'MessageSent' as const, data: { messageId, from, to: recipient, body: clean } },
      };
    });
    // Every field was checked here (ids, body) or made here (messageId): MessageSent's schema holds by construction.
    if (items.length > 0) await this.mail.appendNewStreams(items, from, { validated: true });
    return items.map((i) => i.event.data.messageId);
  }

  /**
   * Turns a JetStream delivery into a message, dead-lettering it after too many deliveries (then, and only then, it
   * returns a promise: the common case takes no turn of the event loop). Its unconfirmed ack goes into `acks`.
   */
  deliver(m: JsMsg, acks: AckBatch): DeliveredMessage | undefined | Promise<undefined> {
    const parsed = parseStoredMessage(this.mail.names.prefix, m.subject, m.seq, m.headers, m.data, m.info.timestampNanos);
    const message = parsed.kind === 'event' ? toMessage(parsed.event) : undefined;
    if (!message || !sentAsItself(message, m.subject)) {
      // Not a message: nothing to deliver, ever.
      m.term();
      return undefined;
    }
    const deliveryCount = m.info.deliveryCount;
    if (deliveryCount > this.maxDeliveries) return this.deadLetter(m, message.to, message.id, deliveryCount);
    // An ack held in the batch is final already: a nak or working() after it changes nothing, as after m.ack().
    let acked = false;
    return {
      ...message,
      deliveryCount,
      // Unconfirmed: held to the end of this turn, sent with the others (the returned promise is settled already).
      ack: (options?: { confirm?: boolean }) => {
        if (options?.confirm) {
          acked = true;
          return m.ackAck().then(() => undefined);
        }
        if (!acked) acks.add(m);
        acked = true;
        return done;
      },
      nak: (delayMs?: number) => {
        if (!acked) m.nak(delayMs);
      },
      working: () => {
        if (!acked) m.working();
      },
    };
  }

  private async deadLetter(m: JsMsg, to: string, messageId: string, deliveryCount: number): Promise<undefined> {
    await this.mail.appendToStream(
      streamIds.deadLetter(to, messageId),
      [{ type: 'MessageDeadLettered', data: { messageId, to, deliveries: deliveryCount - 1, reason: 'not acknowledged' } }],
      { expectedRevision: 'any', actor: this.actor },
    );
    m.term();
    return undefined;
  }

  /** Pending messages, oldest first, each returned once: acknowledged (and the ack confirmed) before returning. */
  async receive(modelId: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    // Ack on arrival (within the turn), so the ack wait cannot run out (and redeliver it) while the pull is open.
    const acks = new AckBatch();
    let pulled: { m: JsMsg; message: ReceivedMessage }[];
    try {
      pulled = await this.pull(modelId, options, (m) => acks.add(m));
    } finally {
      acks.flush();
    }
    // The server has every ack once the connection's flush returns: none of these is handed out again.
    if (pulled.length > 0) await this.mail.nc.flush();
    return pulled.map((p) => p.message);
  }

  /**
   * Pending messages, oldest first, not acknowledged: the caller acks the batch (or each message's token) once it
   * has handed them on. A crash before that loses nothing: they are delivered again after the ack wait.
   */
  async fetch(modelId: string, options: ReceiveOptions = {}): Promise<FetchedBatch> {
    // In progress on arrival: their ack wait restarts, so a long pull does not see its first messages come back.
    const pulled = await this.pull(modelId, options, (m) => m.working());
    const outstanding = this.outstandingOf(modelId);
    for (const p of pulled) outstanding.set(p.m.seq, Infinity);
    const keepAliveMs = Math.max(50, Math.floor(this.ackWaitMs / 3));
    const keepAlive = setInterval(() => {
      for (const p of pulled) p.m.working();
    }, keepAliveMs);
    keepAlive.unref();
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearInterval(keepAlive);
      return true;
    };
    return {
      messages: pulled.map((p) => ({ ...p.message, ackToken: ackTokenOf(p.m) })),
      ackWaitMs: this.ackWaitMs,
      ack: async () => {
        if (!settle()) return;
        try {
          await Promise.all(pulled.map((p) => p.m.ackAck()));
        } finally {
          for (const p of pulled) outstanding.delete(p.m.seq);
        }
      },
      nak: () => {
        if (!settle()) return;
        for (const p of pulled) {
          p.m.nak();
          outstanding.delete(p.m.seq);
        }
      },
      release: () => {
        if (!settle()) return;
        const until = Date.now() + this.ackWaitMs;
        for (const p of pulled) outstanding.set(p.m.seq, until);
      },
    };
  }

  /**
   * Acknowledges messages of `modelId`'s mailbox by the ackTokens fetch() gave out; resolves with how many the
   * server recorded (a message acked twice, or redelivered meanwhile, counts too: acks go by mail-log position).
   */
  async ackTokens(modelId: string, tokens: string[]): Promise<number> {
    validateModelId(modelId);
    if (!Array.isArray(tokens)) throw new InvalidArgumentError('ackMessages takes an array of ack tokens');
    const where = { stream: this.mail.names.stream, consumer: mailboxConsumer(modelId) };
    const subjects = new Map<string, number>();
    for (const token of tokens) {
      const parsed = parseAckToken(token, where);
      if (!parsed) throw new InvalidAckTokenError(token, modelId);
      subjects.set(parsed.subject, parsed.streamSequence);
    }
    await this.consumer(modelId);
    const outstanding = this.outstandingOf(modelId);
    await Promise.all(
      [...subjects].map(async ([subject, seq]) => {
        await this.mail.nc.request(subject, ACK_PAYLOAD, { timeout: 5000 });
        outstanding.delete(seq);
      }),
    );
    return subjects.size;
  }

  /** This process's handed-out, unacknowledged messages of a mailbox: position → until when (ms) they stay out. */
  private outstandingOf(modelId: string): Map<number, number> {
    let out = this.outstanding.get(modelId);
    if (!out) this.outstanding.set(modelId, (out = new Map()));
    return out;
  }

  /** How many of a mailbox's ack-pending messages this process handed out and are not due for redelivery yet. */
  private handedOut(modelId: string): number {
    const out = this.outstanding.get(modelId);
    if (!out) return 0;
    const now = Date.now();
    for (const [seq, until] of out) if (until <= now) out.delete(seq);
    return out.size;
  }

  /** One pull of pending messages, oldest first, each once; `onArrival` acks or holds each as it arrives. */
  private async pull(
    modelId: string,
    options: ReceiveOptions,
    onArrival: (m: JsMsg) => void,
  ): Promise<{ m: JsMsg; message: ReceivedMessage }[]> {
    validateModelId(modelId);
    const max = options.max ?? 256;
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError(`max must be a positive integer, got ${max}`);
    const waitMs = options.waitMs ?? 0;
    if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
      throw new InvalidArgumentError(`waitMs must be a number of milliseconds in 0..${MAX_WAIT_MS}, got ${String(waitMs)}`);
    }
    const consumer = await this.consumer(modelId);
    const pendingNow = async () => {
      const info = await consumer.info(false);
      // Messages this process holds out (fetched, not yet acked) are ack-pending but not deliverable: a pull
      // counting them would wait for its expiry to end.
      return Math.max(0, info.num_pending + info.num_ack_pending - this.handedOut(modelId));
    };
    let available = await pendingNow();
    if (available === 0) {
      // Waiting: watch the consumer's pending count rather than park a pull, whose expiry cannot be shorter than
      // a second (nats.js) and would make a short waitMs a long one.
      const deadline = Date.now() + waitMs;
      for (let pause = 20; available === 0; pause = Math.min(250, pause * 2)) {
        const left = deadline - Date.now();
        if (left <= 0) return [];
        await new Promise((r) => setTimeout(r, Math.min(pause, left)));
        available = await pendingNow();
      }
    }
    // nats.js gives up after two missed idle heartbeats; keep them well inside the pull's expiry so a busy
    // server answering the pull late is not mistaken for a dead one.
    const expires = 2000;
    const batch = await consumer.fetch({
      // Unacknowledged messages whose ack wait ran out come back too; a pull for more than is due just ends at
      // its expiry with what arrived.
      max_messages: Math.min(max, available),
      expires,
      idle_heartbeat: Math.floor(expires / 4),
    });
    const out: { m: JsMsg; message: ReceivedMessage }[] = [];
    const seen = new Set<string>();
    try {
      for await (const m of batch) {
        const parsed = parseStoredMessage(this.mail.names.prefix, m.subject, m.seq, m.headers, m.data, m.info.timestampNanos);
        const message = parsed.kind === 'event' ? toMessage(parsed.event) : undefined;
        if (!message || !sentAsItself(message, m.subject)) {
          m.term();
          continue;
        }
        if (m.info.deliveryCount > this.maxDeliveries) {
          await this.deadLetter(m, message.to, message.id, m.info.deliveryCount);
          continue;
        }
        onArrival(m);
        if (seen.has(message.id)) continue;
        seen.add(message.id);
        out.push({ m, message });
      }
    } catch (err) {
      // Messages already taken must reach the caller (acked ones would be lost): return them, throw otherwise.
      if (out.length === 0) throw err;
    }
    return out.sort((a, b) => a.message.seq - b.message.seq);
  }

  /** History of a mailbox from a time or position; leaves pending messages and acks untouched. */
  async replay(modelId: string, options: ReplayOptions = {}): Promise<ReceivedMessage[]> {
    validateModelId(modelId);
    const since = options.since;
    const out: ReceivedMessage[] = [];
    const events = this.mail.readAll({
      filter: streamIds.mailbox(modelId),
      ...(typeof since === 'number' ? { fromPosition: since } : {}),
      types: ['MessageSent'],
    });
    for await (const e of events) {
      if (since instanceof Date && e.recordedAt < since) continue;
      const m = toMessage(e);
      if (m && sentAsItself(m, `${this.mail.names.prefix}.${e.streamId}`)) out.push(m);
      if (options.max !== undefined && out.length >= options.max) break;
    }
    return out;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    this.connections.clear();
  }
}
