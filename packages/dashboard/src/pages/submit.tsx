import { useState } from 'react';
import { may, useSession } from '../api/session.tsx';
import { Empty } from '../components/states.tsx';
import { setQuery, useLocation } from '../router.ts';
import { DagForm } from '../goals/dag-form.tsx';
import { TextForm } from '../goals/text-form.tsx';

const PRIORITIES = ['critical', 'high', 'medium', 'low'];

/** Submit: a goal by its text (template previewed) or an explicit DAG as YAML/JSON. */
export function Submit() {
  const { session } = useSession();
  const { query } = useLocation();
  const mode = query.get('mode') === 'dag' ? 'dag' : 'text';
  const [priority, setPriority] = useState('medium');
  if (!may(session, 'submit')) {
    return (
      <section>
        <h1>Submit a goal</h1>
        <Empty>
          Your role ({session?.role}) may not submit goals: sign in with a submitter or admin token.
        </Empty>
      </section>
    );
  }
  return (
    <section className="submit">
      <h1>Submit a goal</h1>
      <div className="row">
        <div role="tablist" aria-label="how to describe the goal" className="tabs">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'text'}
            onClick={() => setQuery({ mode: undefined })}
          >
            By text
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'dag'}
            onClick={() => setQuery({ mode: 'dag' })}
          >
            As a DAG
          </button>
        </div>
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority(e.target.value)}>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      </div>
      {mode === 'dag' ? <DagForm priority={priority} /> : <TextForm priority={priority} />}
    </section>
  );
}
