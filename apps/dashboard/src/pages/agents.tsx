// Agents and mail: every known agent with its mailbox depth, pending and dead-lettered counts, and its latest messages.
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Loading, Problem, useLoad } from '../ui.js';
import { excerpt, formatTime } from '../format.js';

interface Message {
  id: string;
  from: string;
  to: string;
  body: unknown;
  sentAt: string;
  seq: number;
}

interface Agent {
  agentId: string;
  connectedAt?: string;
  lastSeenAt?: string;
  depth: number;
  pending: number;
  unacknowledged: number;
  deadLettered: number;
  latest: Message[];
}

function SendForm({ onSent }: { onSent: () => void }) {
  const [from, setFrom] = useState('dashboard');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('{"text": "hello"}');
  const [error, setError] = useState<Error>();
  const [sent, setSent] = useState<string>();
  return (
    <form
      class="card"
      aria-labelledby="send-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          const r = await post<{ id: string }>('/v1/messages', { from, to, body: JSON.parse(body) as unknown });
          setSent(r.id);
          onSent();
        } catch (err) {
          setError(err as Error);
        }
      }}
    >
      <h2 id="send-title">Send a message</h2>
      <div class="filters">
        <label for="send-from">From</label>
        <input id="send-from" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        <label for="send-to">To</label>
        <input id="send-to" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </div>
      <label for="send-body">Body (JSON)</label>
      <textarea id="send-body" rows={2} required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      <button type="submit">Send</button>
      <Problem error={error} />
      {sent && (
        <p role="status">
          Sent as <code>{sent}</code>.
        </p>
      )}
    </form>
  );
}

export function AgentsPage() {
  const agents = useLoad((signal) => get<{ agents: Agent[] }>('/v1/agents?latest=5', signal), []);
  return (
    <>
      <h1 tabIndex={-1}>Agents</h1>
      <section class="card" aria-labelledby="agents-title">
        <div class="row">
          <h2 id="agents-title">Agents and their mailboxes</h2>
          <button type="button" onClick={agents.reload}>
            Refresh
          </button>
        </div>
        <Problem error={agents.error} />
        <Loading when={agents.loading && !agents.data} />
        {agents.data && agents.data.agents.length === 0 && <p>No agent has connected or received mail yet.</p>}
        {agents.data && agents.data.agents.length > 0 && (
          <table>
            <caption class="sr-only">Agents</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Mailbox depth</th>
                <th scope="col">Pending</th>
                <th scope="col">Unacknowledged</th>
                <th scope="col">Dead-lettered</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row">
                    <a href={`#mailbox-${a.agentId}`}>{a.agentId}</a>
                  </th>
                  <td class="num">{a.depth}</td>
                  <td class="num">{a.pending}</td>
                  <td class="num">{a.unacknowledged}</td>
                  <td class="num">{a.deadLettered}</td>
                  <td>{formatTime(a.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {agents.data?.agents
        .filter((a) => a.latest.length > 0)
        .map((a) => (
          <section class="card mailbox" key={a.agentId} id={`mailbox-${a.agentId}`} aria-label={`Mailbox of ${a.agentId}`}>
            <h2>Mailbox of {a.agentId}</h2>
            <ol reversed>
              {a.latest.map((m) => (
                <li key={m.id}>
                  <time dateTime={m.sentAt}>{formatTime(m.sentAt)}</time> from <strong>{m.from}</strong>: <code>{excerpt(m.body)}</code>
                </li>
              ))}
            </ol>
          </section>
        ))}
      <SendForm onSent={agents.reload} />
    </>
  );
}
