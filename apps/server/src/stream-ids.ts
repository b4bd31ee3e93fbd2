// The event-store streams under one filter (`vec.>`: one per vector; `box.>`: one per message), kept current for
// the inspection routes: listed once from the JetStream stream's subjects, then followed by reading only the subjects
// of the messages appended since. Listing 100k subjects takes seconds; the tail of a few messages, milliseconds.
import type { EventStore } from '@hvs-nvm/eventstore';

/** A tail longer than this is listed again in full (one request) rather than read message by message. */
const MAX_TAIL = 1_000;
/** Messages of a tail read at once (direct gets by position). */
const TAIL_BATCH = 64;

export class StreamIds {
  private readonly ids = new Set<string>();
  private position = 0;
  private created?: string;
  private refreshing?: Promise<void>;

  /** @param filter an event-store stream pattern ending in `.>`, e.g. `vec.>` */
  constructor(
    private readonly es: EventStore,
    private readonly filter: string,
  ) {}

  /**
   * The stream ids as of the log's head now; concurrent callers share one refresh. Streams whose last event
   * removed them (a deleted vector) are included: the caller forgets them when it finds them gone.
   */
  async current(): Promise<ReadonlySet<string>> {
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    await this.refreshing;
    return this.ids;
  }

  /** Drops an id found to be gone (a vector the read model no longer has). */
  forget(id: string): void {
    this.ids.delete(id);
  }

  private async refresh(): Promise<void> {
    const { created, headPosition } = await this.es.identity();
    // A recreated stream (another log under the same name) starts the listing over.
    if (created !== this.created) {
      this.created = created;
      this.position = 0;
      this.ids.clear();
    }
    if (headPosition <= this.position) return;
    const { stream, prefix } = this.es.names;
    if (this.position === 0 || headPosition - this.position > MAX_TAIL) {
      const info = await this.es.jsm.streams.info(stream, { subjects_filter: `${prefix}.${this.filter}` });
      for (const subject of Object.keys(info.state.subjects ?? {})) this.ids.add(subject.slice(prefix.length + 1));
      this.position = info.state.last_seq;
      return;
    }
    // The tail by position: only the subjects matter (which stream each event is on), not the payloads. Direct
    // gets, as a consumer over a short tail costs more to set up than the few messages it would carry.
    const wanted = `${prefix}.${this.filter.slice(0, -1)}`;
    for (let from = this.position + 1; from <= headPosition; from += TAIL_BATCH) {
      const seqs = Array.from({ length: Math.min(TAIL_BATCH, headPosition - from + 1) }, (_, i) => from + i);
      const messages = await Promise.all(seqs.map((seq) => this.es.jsm.direct.getMessage(stream, { seq })));
      for (const m of messages) if (m?.subject.startsWith(wanted)) this.ids.add(m.subject.slice(prefix.length + 1));
    }
    this.position = headPosition;
  }
}
