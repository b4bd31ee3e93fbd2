// Presence: models connect to one HVS (recorded in its log) and are listed from the projection.
import type { ModelConnection } from './mailbox.js';
import type { ModelPresence } from './projection.js';
import type { HvsSession } from './session.js';

export class Presence {
  constructor(private readonly session: HvsSession) {}

  /** Records that a model is connected and returns its connection (mailbox iterator, acks, replay). */
  async connectModel(modelId: string): Promise<ModelConnection> {
    this.session.assertOpen();
    this.session.assertWritable(`connectModel('${modelId}')`);
    try {
      const { connection, position } = await this.session.mailboxes.connect(modelId);
      this.session.noteWrite(position);
      return connection;
    } catch (err) {
      this.session.wrap(err);
    }
  }

  /** Models that have connected, with when they were last seen. */
  async listModels(): Promise<ModelPresence[]> {
    this.session.assertOpen();
    return this.session.reads.models(this.session.lastWrite);
  }
}
