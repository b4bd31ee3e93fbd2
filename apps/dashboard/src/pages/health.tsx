// Health: the server's status and durability, each log's stream (messages, bytes, consumers) and the projections' lag.
import { ApiError, get } from '../api.js';
import { Loading, Problem, useLoad } from '../ui.js';
import { formatBytes } from '../format.js';

interface Health {
  status: 'ok' | 'degraded';
  reason?: string;
  position: number;
  embedded: boolean;
  durability: Record<string, unknown>;
  natsUrl?: string;
}

interface StreamRow {
  store: string;
  stream: string;
  messages: number;
  bytes: number;
  firstPosition: number;
  lastPosition: number;
  replicas: number;
  storage: string;
  consumers: { name: string; pending: number; unacknowledged: number; deliveredPosition: number }[];
  projection?: { name: string; position: number; lag: number };
}

async function load(signal: AbortSignal) {
  // /v1/health answers 503 with its body while degraded: show that body rather than an error.
  const health = await get<Health>('/v1/health', signal).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 503) return { status: 'degraded', reason: err.message } as Health;
    throw err;
  });
  const streams = await get<{ streams: StreamRow[] }>('/v1/streams', signal).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 403) return undefined;
    throw err;
  });
  return { health, streams: streams?.streams };
}

export function HealthPage() {
  const r = useLoad(load, []);
  const { health, streams } = r.data ?? {};
  return (
    <>
      <h1 tabIndex={-1}>Health</h1>
      <Problem error={r.error} />
      <Loading when={r.loading && !r.data} />
      {health && (
        <section class="card" aria-labelledby="status-title">
          <div class="row">
            <h2 id="status-title">
              Status: <span class={health.status === 'ok' ? 'ok' : 'bad'}>{health.status}</span>
            </h2>
            <button type="button" onClick={r.reload}>
              Refresh
            </button>
          </div>
          {health.reason && <p role="alert">{health.reason}</p>}
          <dl class="facts">
            <dt>NATS</dt>
            <dd>
              {health.embedded ? 'embedded nats-server' : 'external'} {health.natsUrl && <code>{health.natsUrl}</code>}
            </dd>
            <dt>Durability in force</dt>
            <dd>
              {Object.entries(health.durability ?? {}).map(([k, v]) => (
                <span key={k} class="pill">
                  {k}: {String(v)}
                </span>
              ))}
            </dd>
          </dl>
        </section>
      )}
      {streams && (
        <section class="card" aria-labelledby="streams-title">
          <h2 id="streams-title">Streams and projections</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Log</th>
                <th scope="col">Stream</th>
                <th scope="col">Messages</th>
                <th scope="col">Bytes</th>
                <th scope="col">Positions</th>
                <th scope="col">Replicas</th>
                <th scope="col">Projection position</th>
                <th scope="col">Lag</th>
              </tr>
            </thead>
            <tbody>
              {streams.map((s) => (
                <tr key={s.stream}>
                  <td>{s.store}</td>
                  <td>
                    <code>{s.stream}</code>
                  </td>
                  <td class="num">{s.messages}</td>
                  <td class="num">{formatBytes(s.bytes)}</td>
                  <td class="num">
                    {s.firstPosition}–{s.lastPosition}
                  </td>
                  <td class="num">{s.replicas}</td>
                  <td class="num">{s.projection ? `${s.projection.position} (${s.projection.name})` : '—'}</td>
                  <td class="num">{s.projection ? s.projection.lag : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Consumers</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Consumer</th>
                <th scope="col">Pending</th>
                <th scope="col">Unacknowledged</th>
                <th scope="col">Delivered up to</th>
              </tr>
            </thead>
            <tbody>
              {streams.flatMap((s) =>
                s.consumers.map((c) => (
                  <tr key={`${s.stream}/${c.name}`}>
                    <td>
                      <code>{s.stream}</code>
                    </td>
                    <td>
                      <code>{c.name}</code>
                    </td>
                    <td class="num">{c.pending}</td>
                    <td class="num">{c.unacknowledged}</td>
                    <td class="num">{c.deliveredPosition}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          {streams.every((s) => s.consumers.length === 0) && <p>No durable consumers (mailboxes get one when first read).</p>}
        </section>
      )}
      {health && !streams && <p>Stream details are for the operator (the admin token).</p>}
    </>
  );
}
