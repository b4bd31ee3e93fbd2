// Messages between models through one HVS's durable mailboxes: send, broadcast, receive, fetch and ack, replay.
import { optionsObject } from './arguments.js';
import { InvalidArgumentError } from './errors.js';
import type { FetchedBatch, ReceivedMessage, ReceiveOptions, ReplayOptions } from './mailbox.js';
import type { Presence } from './presence.js';
import type { HvsSession } from './session.js';

export class Messaging {
  constructor(
    private readonly session: HvsSession,
    private readonly presence: Presence,
  ) {}

  /** Sends a JSON message into `to`'s durable mailbox; resolves with the message id. */
  async sendMessage(from: string, to: string, body: unknown): Promise<string> {
    this.session.assertOpen();
    this.session.assertWritable('sendMessage');
    try {
      return await this.session.mailboxes.send(from, to, body);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** Sends to every connected model except the sender and `exclude`; resolves with the recipients. */
  async broadcast(from: string, body: unknown, options?: { exclude?: string[] }): Promise<string[]> {
    this.session.assertWritable('broadcast');
    options = optionsObject(options, 'broadcast');
    if (options.exclude !== undefined && !Array.isArray(options.exclude)) {
      throw new InvalidArgumentError('broadcast exclude must be an array of model ids');
    }
    const exclude = new Set([from, ...(options.exclude ?? [])]);
    const to = (await this.presence.listModels()).map((m) => m.modelId).filter((m) => !exclude.has(m));
    try {
      await this.session.mailboxes.sendMany(from, to, body);
    } catch (err) {
      this.session.wrap(err);
    }
    return to;
  }

  /** Pending messages of `modelId`'s mailbox, oldest first, each returned once (acknowledged on return). */
  async receiveMessages(modelId: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    this.session.assertOpen();
    try {
      // An as-of view: the mailbox as it was then, every message that had reached it (acks are consumer state, not
      // events, so which of them were still pending then is not in the log); nothing is acknowledged.
      if (this.session.store.upTo !== undefined) {
        return await this.session.mailboxes.replay(modelId, options.max !== undefined ? { max: options.max } : {});
      }
      return await this.session.mailboxes.receive(modelId, options);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /**
   * Pending messages of `modelId`'s mailbox, oldest first, not acknowledged yet: `batch.ack()` once they are
   * handed on, or each message's `ackToken` through ackMessages; unacknowledged ones come back after the ack wait.
   */
  async fetchMessages(modelId: string, options: ReceiveOptions = {}): Promise<FetchedBatch> {
    this.session.assertOpen();
    this.session.assertWritable('fetchMessages (it moves the mailbox consumer; read a view with receiveMessages or replayMessages)');
    try {
      return await this.session.mailboxes.fetch(modelId, options);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** Acknowledges fetched messages of `modelId`'s mailbox by their ackTokens; resolves with how many. */
  async ackMessages(modelId: string, ackTokens: string[]): Promise<number> {
    this.session.assertOpen();
    this.session.assertWritable('ackMessages');
    try {
      return await this.session.mailboxes.ackTokens(modelId, ackTokens);
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** A mailbox's history from a time or position, without touching what is pending. */
  async replayMessages(modelId: string, options: ReplayOptions = {}): Promise<ReceivedMessage[]> {
    this.session.assertOpen();
    try {
      return await this.session.mailboxes.replay(modelId, options);
    } catch (err) {
      this.session.wrap(err);
    }
  }
}
