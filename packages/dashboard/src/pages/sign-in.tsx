import { useState, type FormEvent } from 'react';
import { useSession } from '../api/session.tsx';
import { ErrorBox } from '../components/states.tsx';

/**
 * The token is pasted once and sent in the body of POST /orchestration/session; the server answers
 * with an HttpOnly cookie. The page keeps nothing: the field is cleared and never written anywhere.
 */
export function SignIn() {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
    } catch (err) {
      setError(err);
    } finally {
      setToken('');
      setBusy(false);
    }
  };
  return (
    <div className="sign-in">
      <form onSubmit={(e) => void submit(e)}>
        <h1>kOS Orchestrator</h1>
        <p>
          Paste a token to sign in. The admin token is in <code>&lt;data dir&gt;/admin.token</code> (
          <code>.kos/admin.token</code> for <code>npm start</code>); create others with{' '}
          <code>kos token create --role viewer</code>.
        </p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autoComplete="off"
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null ? <ErrorBox error={error} /> : null}
      </form>
    </div>
  );
}
