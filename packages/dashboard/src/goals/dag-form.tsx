import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, goalApi } from '../api/client.ts';
import { ErrorBox } from '../components/states.tsx';
import { navigate } from '../router.ts';
import { parseDagSpec } from './dag-spec.ts';
import { placeProblems } from './problems.ts';

export const SAMPLE_DAG = `goal: prepare the quarterly report
tasks:
  - name: fetch
    skills: [work]
  - name: analyse
    skills: [work]
    depends_on: [fetch]
  - name: report
    skills: [work]
    depends_on: [analyse]
`;

/**
 * Submits an explicit DAG typed as YAML or JSON. Parse and shape errors show as the text changes,
 * with their line; the server's refusal (a cycle, an unknown dependency) shows beside each task it
 * names, until the text changes.
 */
export function DagForm({ priority }: { priority: string }) {
  const [spec, setSpec] = useState(SAMPLE_DAG);
  const [goalText, setGoalText] = useState('');
  const [refusal, setRefusal] = useState<{ spec: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseDagSpec(spec), [spec]);
  const goal = goalText.trim() !== '' ? goalText.trim() : parsed.ok ? (parsed.goal ?? '') : '';
  const current = refusal !== null && refusal.spec === spec ? refusal.error : null;
  const names = parsed.ok ? parsed.tasks.map((t) => t.name) : [];
  const placed =
    current instanceof ApiError
      ? placeProblems(current, names)
      : { byTask: new Map<number, string[]>(), general: [] };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!parsed.ok) return;
    setBusy(true);
    const body = { goal, priority: parsed.priority ?? priority, tasks: parsed.tasks };
    goalApi.submit(body).then(
      (r) => navigate(`/goals/${encodeURIComponent(r.goal_id)}`),
      (error: unknown) => {
        setBusy(false);
        setRefusal({ spec, error });
      },
    );
  };

  return (
    <form onSubmit={submit} className="dag-form" aria-label="submit a DAG">
      <label>
        Goal (or <code>goal:</code> in the document)
        <input
          value={goalText}
          onChange={(e) => setGoalText(e.target.value)}
          placeholder={parsed.ok ? (parsed.goal ?? '') : ''}
        />
      </label>
      <label>
        DAG (YAML or JSON)
        <textarea
          value={spec}
          onChange={(e) => setSpec(e.target.value)}
          rows={Math.min(24, Math.max(10, spec.split('\n').length + 1))}
          spellCheck={false}
          aria-invalid={!parsed.ok}
        />
      </label>
      {!parsed.ok ? (
        <ul className="problems" data-testid="spec-errors" role="alert">
          {parsed.errors.map((err, i) => (
            <li key={i}>
              {err.line !== null ? <strong>line {err.line}: </strong> : null}
              {err.message}
            </li>
          ))}
        </ul>
      ) : (
        <ol className="spec-tasks" data-testid="spec-tasks">
          {parsed.tasks.map((t, i) => (
            <li key={i} data-task={t.name} data-invalid={placed.byTask.has(i)}>
              <strong>{t.name}</strong> <span className="mono muted">[{t.skills.join(', ')}]</span>
              {t.depends_on !== undefined && t.depends_on.length > 0 ? (
                <span className="muted"> after {t.depends_on.join(', ')}</span>
              ) : null}{' '}
              <span className="muted">line {parsed.lines[i]}</span>
              {placed.byTask.has(i) ? (
                <ul className="problems" role="alert">
                  {placed.byTask.get(i)!.map((m, j) => (
                    <li key={j}>{m}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {placed.general.length > 0 ? (
        <ul className="problems" role="alert" data-testid="general-problems">
          {placed.general.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      ) : null}
      {current !== null && !(current instanceof ApiError) ? <ErrorBox error={current} /> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={!parsed.ok || goal === '' || busy}>
          {busy ? 'Submitting…' : 'Submit DAG'}
        </button>
        {goal === '' && parsed.ok ? <span className="muted">Give the goal a text first.</span> : null}
      </div>
    </form>
  );
}
