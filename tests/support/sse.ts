// A small Server-Sent Events client for tests: follows a feed, remembers the last id, reconnects with Last-Event-ID.

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Parses one `text/event-stream` body chunk by chunk; yields complete events. */
export async function* parseSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = val;
          else if (field === 'event') event.event = val;
          else if (field === 'data') data.push(val);
        }
        if (data.length === 0) continue;
        event.data = data.join('\n');
        yield event;
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}

/**
 * A subscriber that stays subscribed: it reads `path` from whatever base URL `baseUrl()` gives now, and after the
 * stream ends or fails (a server restart) reconnects there with the last id it saw, as a browser's EventSource does.
 */
export class FollowingSubscriber {
  readonly events: SseEvent[] = [];
  lastId: string | undefined;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(
    private readonly baseUrl: () => string,
    private readonly path: string,
    private readonly headers: Record<string, string> = {},
    private readonly retryMs = 200,
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const res = await fetch(`${this.baseUrl()}${this.path}`, {
          headers: { accept: 'text/event-stream', ...this.headers, ...(this.lastId !== undefined ? { 'last-event-id': this.lastId } : {}) },
          signal: this.abort.signal,
        });
        if (res.status !== 200 || !res.body) throw new Error(`feed answered ${res.status}`);
        for await (const e of parseSse(res.body, this.abort.signal)) {
          this.events.push(e);
          if (e.id !== undefined) this.lastId = e.id;
        }
      } catch {
        // Refused, cut off or aborted: wait, then reconnect (unless stopped).
      }
      if (!this.abort.signal.aborted) await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
