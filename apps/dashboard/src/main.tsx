// The dashboard's shell: banner, navigation, the token prompt when the server requires one, and the page for the path.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, onUnauthorized, token } from './api.js';
import { interceptLinks, useLocation } from './router.js';
import { MemoryPage } from './pages/memory.js';
import { BlocksPage } from './pages/blocks.js';
import { BlockPage } from './pages/block.js';
import { AgentsPage } from './pages/agents.js';
import { EventsPage } from './pages/events.js';
import { GeometryPage } from './pages/geometry.js';
import { HealthPage } from './pages/health.js';
import './style.css';

const PAGES = [
  { path: '/memory', name: 'Memory' },
  { path: '/blocks', name: 'Blocks' },
  { path: '/agents', name: 'Agents' },
  { path: '/events', name: 'Events' },
  { path: '/geometry', name: 'Geometry' },
  { path: '/health', name: 'Health' },
] as const;

function Page({ url }: { url: URL }) {
  const p = url.pathname;
  if (p.startsWith('/blocks/')) return <BlockPage id={decodeURIComponent(p.slice('/blocks/'.length))} />;
  switch (p) {
    case '/blocks':
      return <BlocksPage />;
    case '/agents':
      return <AgentsPage />;
    case '/events':
      return <EventsPage />;
    case '/geometry':
      return <GeometryPage />;
    case '/health':
      return <HealthPage />;
    default:
      return <MemoryPage />;
  }
}

function TokenForm({ onDone, refused }: { onDone: () => void; refused: boolean }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="card token"
      aria-labelledby="token-title"
      onSubmit={(e) => {
        e.preventDefault();
        token.set(value.trim());
        onDone();
      }}
    >
      <h1 id="token-title">Sign in</h1>
      <p>This server requires an API token (the admin token, or an agent’s token). It is kept in this tab only (sessionStorage).</p>
      {refused && <p role="alert">The server refused that token.</p>}
      <label for="token">API token</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        required
        minLength={16}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Sign in</button>
    </form>
  );
}

function App() {
  const url = useLocation();
  // The page renders at once; a refused call (this check, or any of the page's) brings up the sign-in form.
  const [auth, setAuth] = useState<'ok' | 'needed' | 'refused'>('ok');
  const mainRef = useRef<HTMLElement>(null);

  const check = () => {
    get('/v1/health').catch((err: unknown) => {
      // Degraded (503) or unreachable: the pages say so themselves.
      if (err instanceof ApiError && err.status === 401) setAuth(token.get() ? 'refused' : 'needed');
    });
  };
  useEffect(check, []);
  useEffect(() => onUnauthorized(() => setAuth(token.get() ? 'refused' : 'needed')), []);
  // After a navigation, focus the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (document.activeElement?.closest('nav')) mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [url.pathname]);

  const current = PAGES.find((p) => url.pathname === p.path || url.pathname.startsWith(`${p.path}/`))?.path ?? '/memory';
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="banner">
        <span class="brand">HVS-NVM</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={p.path} aria-current={current === p.path ? 'page' : undefined}>
                  {p.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {token.get() && (
          <button
            class="link"
            type="button"
            onClick={() => {
              token.clear();
              check();
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {auth === 'ok' ? (
          <Page url={url} key={url.pathname} />
        ) : (
          <TokenForm
            refused={auth === 'refused'}
            onDone={() => {
              setAuth('ok');
              check();
            }}
          />
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
