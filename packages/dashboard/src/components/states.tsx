import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

/** Loading, empty and error states that say what is happening and what to do. */

export function Loading({ what }: { what: string }) {
  return (
    <div className="state loading" role="status">
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const e = error instanceof ApiError ? error : null;
  return (
    <div className="state error" role="alert">
      <strong>{e ? e.code : 'Error'}</strong>: {e ? e.message : String(error)}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
