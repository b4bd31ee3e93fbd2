// Unconfirmed acks sent together: the acks given during one turn of the event loop leave in one socket write.
//
// nats.js writes what was queued at the end of each microtask burst; a consumer handling messages one await at a
// time (a for-await over the mailbox) acks in separate bursts, so each ack costs a write of its own. Held to the
// end of the turn (setImmediate), they go out together. A held ack is as safe as nats.js's own unconfirmed ack: a
// crash before it leaves redelivers the message (at least once).
import type { JsMsg } from '@nats-io/jetstream';

export class AckBatch {
  private held: JsMsg[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /** Acks `m` at the end of this turn of the event loop (or at the next flush()). */
  add(m: JsMsg): void {
    this.held.push(m);
    if (!this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  /** Sends every held ack now. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const held = this.held;
    this.held = [];
    for (const m of held) m.ack();
  }
}
