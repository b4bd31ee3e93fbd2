// Events: the live change feeds (GET /v1/events, Server-Sent Events) of the three logs, newest first, with pause and
// filters. EventSource cannot send a bearer token, so the feed is read with fetch (fetch-event-source), which can.
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, authHeaders, get } from '../api.js';
import { Problem } from '../ui.js';
import { formatTime } from '../format.js';

type Store = 'hvs' | 'mail' | 'nvm';
const STORES: Store[] = ['hvs', 'mail', 'nvm'];

interface FeedEvent {
  store: Store;
  position: number;
  type: string;
  stream: string;
  actor: string;
  time: string;
  summary: string;
}

const newestFirst = (a: FeedEvent, b: FeedEvent) => b.time.localeCompare(a.time) || b.position - a.position;

/** Events kept on the page; older ones drop off the end. */
const KEEP = 1_000;
/** How far back each feed starts: the latest events of each log, then live ones. */
const BACKLOG = 100;

async function startPositions(): Promise<Partial<Record<Store, number>>> {
  try {
    const r = await get<{ streams: { store: Store; lastPosition: number }[] }>('/v1/streams');
    return Object.fromEntries(r.streams.map((s) => [s.store, Math.max(0, s.lastPosition - BACKLOG)]));
  } catch (err) {
    // An agent may not read stream sizes: its feeds start at the beginning of what it may see.
    if (err instanceof ApiError && err.status === 403) return {};
    throw err;
  }
}

export function EventsPage() {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState(0);
  const [stores, setStores] = useState<Record<Store, boolean>>({ hvs: true, mail: true, nvm: true });
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<Error>();
  const buffer = useRef<FeedEvent[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const flush = () => {
    const incoming = buffer.current;
    buffer.current = [];
    setHeld(0);
    // Newest first across the three logs: by recorded time (each log's own order breaks ties).
    if (incoming.length > 0) setEvents((old) => [...incoming, ...old].sort(newestFirst).slice(0, KEEP));
  };

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrive = (e: FeedEvent) => {
      buffer.current.push(e);
      if (pausedRef.current) setHeld(buffer.current.length);
      // Batched: a burst of events is one render.
      else timer ??= setTimeout(() => ((timer = undefined), flush()), 50);
    };
    void startPositions().then(
      (since) => {
        for (const store of STORES) {
          if (!stores[store]) continue;
          const from = since[store];
          void fetchEventSource(`/v1/events?store=${store}${from !== undefined ? `&since=${from}` : ''}`, {
            headers: authHeaders(),
            signal: abort.signal,
            openWhenHidden: true,
            onopen: async (res) => {
              if (res.ok && res.headers.get('content-type')?.startsWith('text/event-stream')) return;
              const p = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
              throw new ApiError(res.status, p.code ?? 'HTTP_ERROR', p.detail ?? `the ${store} feed answered ${res.status}`);
            },
            onmessage: (m) => {
              if (m.data) arrive(JSON.parse(m.data) as FeedEvent);
            },
            onerror: (err: unknown) => {
              // A refused feed is not retried; a dropped connection is (from the last id, by Last-Event-ID).
              if (err instanceof ApiError) {
                setError(err);
                throw err;
              }
              return 1_000;
            },
          }).catch(() => undefined);
        }
      },
      (err: unknown) => setError(err as Error),
    );
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [stores.hvs, stores.mail, stores.nvm]);

  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? events.filter((e) => [e.type, e.stream, e.actor, e.summary].some((f) => f.toLowerCase().includes(needle)))
    : events;

  return (
    <>
      <h1 tabIndex={-1}>Events</h1>
      <section class="card" aria-labelledby="feed-title">
        <h2 id="feed-title">Live feed</h2>
        <div class="filters">
          <fieldset>
            <legend>Logs</legend>
            {STORES.map((s) => (
              <label class="inline" key={s}>
                <input type="checkbox" checked={stores[s]} onChange={(e) => setStores({ ...stores, [s]: e.currentTarget.checked })} /> {s}
              </label>
            ))}
          </fieldset>
          <label>
            Filter (type, stream, actor, text) <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </label>
          <button
            type="button"
            aria-pressed={paused}
            onClick={() => {
              if (paused) flush();
              setPaused(!paused);
            }}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
        </div>
        <p role="status">
          {paused ? `Paused: ${held} new events held back.` : 'Live.'} Showing {shown.length} of {events.length} events, newest first.
        </p>
        <Problem error={error} />
        <table aria-label="Events, newest first">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Log</th>
              <th scope="col">Position</th>
              <th scope="col">Type</th>
              <th scope="col">Stream</th>
              <th scope="col">Actor</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={`${e.store}:${e.position}`}>
                <td>
                  <time dateTime={e.time}>{formatTime(e.time)}</time>
                </td>
                <td>{e.store}</td>
                <td class="num">{e.position}</td>
                <td>{e.type}</td>
                <td>
                  <code>{e.stream}</code>
                </td>
                <td>{e.actor}</td>
                <td>{e.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
