import type { ReactNode } from 'react';
import { LiveProvider, useLive } from './api/live.tsx';
import { useSession } from './api/session.tsx';
import { Link } from './components/link.tsx';
import { Loading } from './components/states.tsx';
import { matchPath, useLocation } from './router.ts';
import { SignIn } from './pages/sign-in.tsx';
import { Overview } from './pages/overview.tsx';
import { Goals } from './pages/goals.tsx';
import { Goal } from './pages/goal.tsx';
import { Task } from './pages/task.tsx';
import { Agents } from './pages/agents.tsx';
import { Agent } from './pages/agent.tsx';
import { Tensor } from './pages/tensor.tsx';
import { Events } from './pages/events.tsx';
import { Submit } from './pages/submit.tsx';

/** Routes: the path names the page; params are ids. */
const ROUTES: readonly { pattern: string; page: (p: Record<string, string>) => ReactNode }[] = [
  { pattern: '/', page: () => <Overview /> },
  { pattern: '/goals', page: () => <Goals /> },
  { pattern: '/goals/:id', page: (p) => <Goal id={p.id!} /> },
  { pattern: '/tasks/:id', page: (p) => <Task id={p.id!} /> },
  { pattern: '/agents', page: () => <Agents /> },
  { pattern: '/agents/:id', page: (p) => <Agent id={p.id!} /> },
  { pattern: '/tensor', page: () => <Tensor /> },
  { pattern: '/events', page: () => <Events /> },
  { pattern: '/submit', page: () => <Submit /> },
];

const NAV: readonly [string, string][] = [
  ['/', 'Overview'],
  ['/goals', 'Goals'],
  ['/agents', 'Agents'],
  ['/tensor', 'Tensor'],
  ['/events', 'Events'],
  ['/submit', 'Submit'],
];

export function App() {
  const { session, checking } = useSession();
  if (checking) return <Loading what="your session" />;
  if (session === null) return <SignIn />;
  return (
    <LiveProvider>
      <Shell />
    </LiveProvider>
  );
}

function Shell() {
  const { path } = useLocation();
  const { session, signOut } = useSession();
  let page: ReactNode = <NotFound path={path} />;
  for (const r of ROUTES) {
    const params = matchPath(r.pattern, path);
    if (params !== null) {
      page = r.page(params);
      break;
    }
  }
  const section = '/' + (path.split('/')[1] ?? '');
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">kOS</span>
        <nav>
          {NAV.map(([to, label]) => (
            <Link
              key={to}
              to={to}
              className={section === to || (to === '/goals' && section === '/tasks') ? 'active' : ''}
            >
              {label}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <LiveIndicator />
        <span className="role" data-testid="role" title={session?.agent_name ?? undefined}>
          {session?.role}
        </span>
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </div>
  );
}

function LiveIndicator() {
  const { state } = useLive();
  const label = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
  return (
    <span className={`live ${state}`} data-testid="live" title="the event stream">
      ● {label}
    </span>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. Start from the <Link to="/">overview</Link>.
      </p>
    </section>
  );
}
