// As-of views for the read routes (`?asOf=`, MCP `as_of`): a few views of the world kept open, keyed by their point.
import { formatAsOf, parseAsOf, type AsOf, type HVSNVMIntegration } from '@hvs-nvm/hvs-nvm';
import { createLogger } from '@hvs-nvm/runtime';
import { HttpError } from './problem.js';

/** Views kept open at once; the least recently used is closed for a new one. */
const MAX_OPEN_VIEWS = 4;
/** A view nobody asked for this long is closed. */
const VIEW_IDLE_MS = 5 * 60_000;

const log = createLogger('as-of-views');

/** Reads `?asOf=` / `as_of`: an ISO time or a cut (`hvs:12,mail:3,nvm:40`, or its JSON); a 400 for anything else. */
export function asOfParam(text: string): AsOf {
  const asOf = parseAsOf(text);
  if (!asOf) {
    throw new HttpError(400, 'INVALID_AS_OF', `asOf '${text}' is neither an ISO 8601 time nor a cut like hvs:12,mail:3,nvm:40`);
  }
  if (asOf instanceof Date && asOf.getTime() > Date.now()) {
    throw new HttpError(400, 'INVALID_AS_OF', `asOf '${text}' is in the future`);
  }
  return asOf;
}

interface Closable {
  close(): Promise<void>;
}

interface OpenView<V, T> {
  value: Promise<{ view: V; wrapped: T }>;
  lastUsedMs: number;
}

/**
 * Opens views of `live` (the world, or one NVM namespace) on demand and keeps the few most recently used; `wrap`
 * builds what the callers use on one. Closing a view closes what wrap built, then the view.
 */
export class AsOfViews<T extends Closable, V extends Closable = HVSNVMIntegration> {
  private readonly open = new Map<string, OpenView<V, T>>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly live: { viewAt(asOf: AsOf): Promise<V> },
    private readonly wrap: (view: V) => T,
  ) {
    this.sweep = setInterval(() => this.closeIdle(), 30_000);
    this.sweep.unref();
  }

  /** What callers use on the view at `asOf` (opened now, or kept from an earlier request for the same point). */
  async at(asOf: AsOf): Promise<T> {
    const key = formatAsOf(asOf);
    let entry = this.open.get(key);
    if (!entry) {
      const value = this.live.viewAt(asOf).then((view) => ({ view, wrapped: this.wrap(view) }));
      entry = { value, lastUsedMs: Date.now() };
      this.open.set(key, entry);
      value.catch(() => this.open.delete(key));
      this.evict();
    }
    entry.lastUsedMs = Date.now();
    return (await entry.value).wrapped;
  }

  private evict(): void {
    while (this.open.size > MAX_OPEN_VIEWS) {
      const [oldest] = [...this.open.entries()].sort((a, b) => a[1].lastUsedMs - b[1].lastUsedMs);
      this.drop(oldest![0]);
    }
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [key, entry] of this.open) if (now - entry.lastUsedMs > VIEW_IDLE_MS) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.open.get(key);
    this.open.delete(key);
    void entry?.value
      .then(async ({ view, wrapped }) => {
        await wrapped.close();
        await view.close();
      })
      .catch((err: unknown) => log.warn({ err, asOf: key }, 'closing an as-of view failed'));
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    const entries = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(
      entries.map(async (e) => {
        const { view, wrapped } = await e.value;
        await wrapped.close();
        await view.close();
      }),
    );
  }
}
