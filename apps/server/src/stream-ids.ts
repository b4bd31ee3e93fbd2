// The event-store streams under one filter (`vec.>`: one per vector; `box.>`: one per message), kept current for
// the inspection routes: listed once from the JetStream stream's subjects, then followed by reading only the events
// appended since. Listing 100k subjects takes seconds; the tail of a few events takes milliseconds.
import type { EventType } from '@hvs-nvm/events';
import type { EventStore } from '@hvs-nvm/eventstore';

export class StreamIds {
  private readonly ids = new Set<string>();
  private position = 0;
  private created?: string;
  private refreshing?: Promise<void>;

  /**
   * @param filter an event-store stream pattern, e.g. `vec.>`
   * @param removedBy the event type that ends such a stream (a vector's delete); its stream id is dropped
   */
  constructor(
    private readonly es: EventStore,
    private readonly filter: string,
    private readonly removedBy?: EventType,
  ) {}

  /** The stream ids as of the log's head now. Concurrent callers share one refresh. */
  async current(): Promise<ReadonlySet<string>> {
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    await this.refreshing;
    return this.ids;
  }

  /** Drops an id found to be gone some other way (a vector the read model no longer has). */
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
    if (this.position === 0) {
      const { stream, prefix } = this.es.names;
      const info = await this.es.jsm.streams.info(stream, { subjects_filter: `${prefix}.${this.filter}` });
      for (const subject of Object.keys(info.state.subjects ?? {})) this.ids.add(subject.slice(prefix.length + 1));
      // Streams whose last event removed them are listed too: the caller forgets them when it finds them gone.
      this.position = info.state.last_seq;
      return;
    }
    if (headPosition <= this.position) return;
    for await (const e of this.es.readAll({ fromPosition: this.position + 1, filter: this.filter })) {
      if (e.type === this.removedBy) this.ids.delete(e.streamId);
      else this.ids.add(e.streamId);
      this.position = e.position;
    }
    this.position = Math.max(this.position, headPosition);
  }
}
