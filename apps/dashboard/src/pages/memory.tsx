// Memory: search memories and blocks by meaning (scores, filters) and store a new memory.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { Problem } from '../ui.js';
import { excerpt } from '../format.js';

interface Hit {
  id: string;
  source: 'hvs' | 'nvm';
  content: string;
  score: number;
  distance: number;
  blockId?: string;
}

function StoreForm({ onStored }: { onStored: (id: string) => void }) {
  const [content, setContent] = useState('');
  const [metadata, setMetadata] = useState('');
  const [persist, setPersist] = useState(true);
  const [error, setError] = useState<Error>();
  const [stored, setStored] = useState<string>();
  return (
    <form
      class="card"
      aria-labelledby="store-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          const meta = metadata.trim() === '' ? undefined : (JSON.parse(metadata) as unknown);
          const r = await post<{ id: string }>('/v1/memory', { content, persist, ...(meta !== undefined ? { metadata: meta } : {}) });
          setStored(r.id);
          setContent('');
          onStored(r.id);
        } catch (err) {
          setError(err as Error);
        }
      }}
    >
      <h2 id="store-title">Store a memory</h2>
      <label for="store-content">Content</label>
      <textarea id="store-content" required rows={3} value={content} onInput={(e) => setContent(e.currentTarget.value)} />
      <label for="store-metadata">Metadata (JSON object, optional)</label>
      <input id="store-metadata" value={metadata} placeholder='{"topic": "example"}' onInput={(e) => setMetadata(e.currentTarget.value)} />
      <label class="inline">
        <input type="checkbox" checked={persist} onChange={(e) => setPersist(e.currentTarget.checked)} /> Also keep it as a block
      </label>
      <button type="submit">Store</button>
      <Problem error={error} />
      {stored && (
        <p role="status">
          Stored as <code>{stored}</code>.
        </p>
      )}
    </form>
  );
}

export function MemoryPage() {
  const [query, setQuery] = useState('');
  const [k, setK] = useState(10);
  // Spherical scores are cosines (-1..1): the default hides nothing.
  const [minScore, setMinScore] = useState(-1);
  const [source, setSource] = useState<'all' | 'hvs' | 'nvm'>('all');
  const [hits, setHits] = useState<Hit[]>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const search = async () => {
    if (query.trim() === '') return;
    setBusy(true);
    setError(undefined);
    try {
      setHits((await post<{ results: Hit[] }>('/v1/memory/search', { query, k })).results);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const shown = (hits ?? []).filter((h) => h.score >= minScore && (source === 'all' || h.source === source));

  return (
    <>
      <h1 tabIndex={-1}>Memory</h1>
      <section class="card" aria-labelledby="search-title">
        <h2 id="search-title">Search</h2>
        <form
          role="search"
          aria-label="Memories and blocks"
          onSubmit={(e) => {
            e.preventDefault();
            void search();
          }}
        >
          <label for="memory-query">Search memories and blocks by meaning</label>
          <div class="row">
            <input id="memory-query" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
            <button type="submit" disabled={busy}>
              Search
            </button>
          </div>
          <fieldset class="filters">
            <legend>Filters</legend>
            <label>
              Results (k) <input type="number" min={1} max={100} value={k} onInput={(e) => setK(Number(e.currentTarget.value) || 10)} />
            </label>
            <label>
              Minimum score{' '}
              <input
                type="number"
                min={-1}
                max={1}
                step={0.05}
                value={minScore}
                onInput={(e) => setMinScore(Number(e.currentTarget.value))}
              />
            </label>
            <label>
              Source{' '}
              <select value={source} onChange={(e) => setSource(e.currentTarget.value as typeof source)}>
                <option value="all">all</option>
                <option value="hvs">vectors (hvs)</option>
                <option value="nvm">blocks (nvm)</option>
              </select>
            </label>
          </fieldset>
        </form>
        <Problem error={error} />
        {hits && (
          <>
            <p role="status">
              {shown.length} of {hits.length} results
            </p>
            <table>
              <caption class="sr-only">Search results, best first</caption>
              <thead>
                <tr>
                  <th scope="col">Score</th>
                  <th scope="col">Source</th>
                  <th scope="col">Content</th>
                  <th scope="col">Id</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((h) => (
                  <tr key={h.id}>
                    <td class="num">{h.score.toFixed(3)}</td>
                    <td>{h.source}</td>
                    <td>{excerpt(h.content, 200)}</td>
                    <td>{h.blockId ? <a href={`/blocks/${encodeURIComponent(h.blockId)}`}>{h.blockId}</a> : <code>{h.id}</code>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <StoreForm onStored={() => void search()} />
    </>
  );
}
