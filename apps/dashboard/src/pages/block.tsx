// One block: its content (JSON pretty-printed), its history as "version N" entries, a diff between any two
// versions, and a time slider showing the block as of a chosen time (GET /v1/blocks/{id}?asOf=).
import { diffLines } from 'diff';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { permissionText, type Block, type HistoryEntry } from '../block-types.js';
import { Loading, Problem, useLoad } from '../ui.js';
import { formatTime, pretty } from '../format.js';

function Diff({ from, to }: { from: HistoryEntry; to: HistoryEntry }) {
  const parts = diffLines(pretty(from.content), pretty(to.content));
  return (
    <pre class="diff" aria-label={`Changes from version ${from.version} to version ${to.version}`}>
      {parts.map((p, i) => (
        <span key={i} class={p.added ? 'add' : p.removed ? 'del' : ''}>
          {p.value
            .replace(/\n$/, '')
            .split('\n')
            .map((line) => `${p.added ? '+ ' : p.removed ? '- ' : '  '}${line}`)
            .join('\n') + '\n'}
        </span>
      ))}
    </pre>
  );
}

function AsOf({ block, history }: { block: Block; history: HistoryEntry[] }) {
  // From the first version to a second after the last: the versions spread over the slider, ticks mark each.
  const start = Date.parse(history[0]?.at ?? block.createdAt);
  const end = Math.max(Date.parse(history[history.length - 1]?.at ?? block.updatedAt) + 1000, start + 1000);
  const [at, setAt] = useState(end);
  const [view, setView] = useState<{ block?: Block; error?: Error }>({});
  useEffect(() => {
    // Debounced: dragging the slider asks the server once it rests.
    const timer = setTimeout(() => {
      get<Block>(`/v1/blocks/${encodeURIComponent(block.id)}?asOf=${encodeURIComponent(new Date(at).toISOString())}`).then(
        (b) => setView({ block: b }),
        (error: unknown) => setView({ error: error as Error }),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [at, block.id]);
  return (
    <section class="card" aria-labelledby="asof-title">
      <h2 id="asof-title">As of a time</h2>
      <label for="asof">Show the block as it was at</label>
      <input
        id="asof"
        type="range"
        min={start}
        max={end}
        step={Math.max(1, Math.round((end - start) / 1000))}
        value={at}
        list="version-times"
        aria-valuetext={new Date(at).toLocaleString()}
        onInput={(e) => setAt(Number(e.currentTarget.value))}
      />
      <datalist id="version-times">
        {history.map((h) => (
          <option key={h.version} value={Date.parse(h.at)} label={`version ${h.version}`} />
        ))}
      </datalist>
      <p>
        <time dateTime={new Date(at).toISOString()}>{new Date(at).toLocaleString()}</time>
        {view.block && <> — version {view.block.version}</>}
      </p>
      <Problem error={view.error} />
      {view.block && <pre aria-label="Content as of the chosen time">{pretty(view.block.content)}</pre>}
    </section>
  );
}

export function BlockPage({ id }: { id: string }) {
  const loaded = useLoad(
    async (signal) => {
      const path = `/v1/blocks/${encodeURIComponent(id)}`;
      const [block, history] = await Promise.all([get<Block>(path, signal), get<{ versions: HistoryEntry[] }>(`${path}/history`, signal)]);
      return { block, history: history.versions };
    },
    [id],
  );
  const [fromV, setFromV] = useState<number>();
  const [toV, setToV] = useState<number>();
  const { block, history = [] } = loaded.data ?? {};
  const latest = history[history.length - 1];
  const from = history.find((h) => h.version === (fromV ?? history[history.length - 2]?.version ?? latest?.version));
  const to = history.find((h) => h.version === (toV ?? latest?.version));

  return (
    <>
      <p>
        <a href="/blocks">← All blocks</a>
      </p>
      <h1 tabIndex={-1}>{block ? `Block ${block.name}` : 'Block'}</h1>
      <Problem error={loaded.error} />
      <Loading when={loaded.loading && !loaded.data} />
      {block && (
        <>
          <section class="card" aria-labelledby="content-title">
            <h2 id="content-title">Content (version {block.version})</h2>
            <dl class="facts">
              <dt>Id</dt>
              <dd>
                <code>{block.id}</code>
              </dd>
              <dt>Class</dt>
              <dd>{block.blockClass}</dd>
              <dt>Read</dt>
              <dd>{permissionText(block.permissions?.read)}</dd>
              <dt>Write</dt>
              <dd>{permissionText(block.permissions?.write)}</dd>
              <dt>Read-only</dt>
              <dd>{block.readonly ? 'yes' : 'no'}</dd>
              <dt>Expires</dt>
              <dd>{block.expiresAt ? formatTime(block.expiresAt) : 'never'}</dd>
            </dl>
            <pre aria-label="Content">{pretty(block.content)}</pre>
          </section>
          <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ul class="history">
              {[...history].reverse().map((h) => (
                <li key={h.version}>
                  <strong>version {h.version}</strong> — {h.type} by {h.actor}, <time dateTime={h.at}>{formatTime(h.at)}</time>
                </li>
              ))}
            </ul>
            {history.length > 1 && from && to && (
              <>
                <h3>Compare versions</h3>
                <div class="filters">
                  <label for="diff-from">From</label>
                  <select id="diff-from" value={from.version} onChange={(e) => setFromV(Number(e.currentTarget.value))}>
                    {history.map((h) => (
                      <option key={h.version} value={h.version}>
                        version {h.version}
                      </option>
                    ))}
                  </select>
                  <label for="diff-to">To</label>
                  <select id="diff-to" value={to.version} onChange={(e) => setToV(Number(e.currentTarget.value))}>
                    {history.map((h) => (
                      <option key={h.version} value={h.version}>
                        version {h.version}
                      </option>
                    ))}
                  </select>
                </div>
                <Diff from={from} to={to} />
              </>
            )}
          </section>
          <AsOf block={block} history={history} />
        </>
      )}
    </>
  );
}
