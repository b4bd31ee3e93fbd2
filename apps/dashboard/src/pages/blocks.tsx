// Blocks: every block the caller may read, with class, version, permissions and expiry.
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { permissionText, type Block } from '../block-types.js';
import { Loading, Problem, useLoad } from '../ui.js';
import { formatTime } from '../format.js';

const CLASSES = ['documentation', 'program_state', 'knowledge_graph', 'shared_knowledge', 'cache'];

export function BlocksPage() {
  const [blockClass, setBlockClass] = useState('');
  const [text, setText] = useState('');
  const blocks = useLoad(
    (signal) => get<{ blocks: Block[] }>(`/v1/blocks${blockClass ? `?class=${blockClass}` : ''}`, signal),
    [blockClass],
  );
  const shown = (blocks.data?.blocks ?? []).filter((b) => text === '' || b.name.toLowerCase().includes(text.toLowerCase()));
  return (
    <>
      <h1 tabIndex={-1}>Blocks</h1>
      <section class="card" aria-label="Block list">
        <div class="filters">
          <label>
            Class{' '}
            <select value={blockClass} onChange={(e) => setBlockClass(e.currentTarget.value)}>
              <option value="">all</option>
              {CLASSES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            Name contains <input type="text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="button" onClick={blocks.reload}>
            Refresh
          </button>
        </div>
        <Problem error={blocks.error} />
        <Loading when={blocks.loading && !blocks.data} />
        {blocks.data && (
          <table>
            <caption>
              {shown.length} of {blocks.data.blocks.length} blocks
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Class</th>
                <th scope="col">Version</th>
                <th scope="col">Read</th>
                <th scope="col">Write</th>
                <th scope="col">Read-only</th>
                <th scope="col">Expires</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((b) => (
                <tr key={b.id}>
                  <td>
                    <a href={`/blocks/${encodeURIComponent(b.id)}`}>{b.name}</a>
                  </td>
                  <td>{b.blockClass}</td>
                  <td class="num">{b.version}</td>
                  <td>{permissionText(b.permissions?.read)}</td>
                  <td>{permissionText(b.permissions?.write)}</td>
                  <td>{b.readonly ? 'yes' : 'no'}</td>
                  <td>{b.expiresAt ? formatTime(b.expiresAt) : 'never'}</td>
                  <td>{formatTime(b.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
