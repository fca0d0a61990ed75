import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { TokenRole } from '@kos/contracts';
import { ApiError, request, setUnauthenticatedHandler } from './client.ts';

export interface Session {
  role: TokenRole;
  agent_name: string | null;
  expires_at: string;
}

/** What a role may do from the dashboard (docs/api.md, "Authentication"); the server decides anyway. */
export type Action = 'submit' | 'cancel' | 'retry' | 'approve' | 'quarantine' | 'release' | 'drain';

const ALLOWED: Record<TokenRole, readonly Action[]> = {
  admin: ['submit', 'cancel', 'retry', 'approve', 'quarantine', 'release', 'drain'],
  submitter: ['submit', 'cancel', 'retry'],
  agent: [],
  viewer: [],
};

export function may(session: Session | null, action: Action): boolean {
  return session !== null && ALLOWED[session.role].includes(action);
}

interface SessionState {
  session: Session | null;
  /** True until the first GET /orchestration/session answered. */
  checking: boolean;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);
  useEffect(() => {
    setUnauthenticatedHandler(() => setSession(null));
    request<Session>('GET', '/orchestration/session').then(
      (s) => {
        setSession(s);
        setChecking(false);
      },
      (e: unknown) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.warn('session check failed', e);
        setChecking(false);
      },
    );
  }, []);
  const signIn = useCallback(async (token: string) => {
    setSession(await request<Session>('POST', '/orchestration/session', { token }));
  }, []);
  const signOut = useCallback(async () => {
    await request('DELETE', '/orchestration/session');
    setSession(null);
  }, []);
  return (
    <SessionContext.Provider value={{ session, checking, signIn, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}
