import { useEffect, useState, type FormEvent } from 'react';
import type { GoalPreviewResponse } from '@kos/contracts';
import { goalApi, type GoalSubmission } from '../api/client.ts';
import { useApi } from '../api/hooks.ts';
import { ErrorBox } from '../components/states.tsx';
import { navigate } from '../router.ts';
import { PreviewPanel } from './preview.tsx';

/**
 * Submits a goal by its text: the planner picks a template (or the one forced here). What it
 * would create is previewed as the text is typed (POST /goals/preview stores nothing).
 */
export function TextForm({ priority }: { priority: string }) {
  const [goal, setGoal] = useState('');
  const [context, setContext] = useState('');
  const [template, setTemplate] = useState('');
  const [preview, setPreview] = useState<{ of: string; data?: GoalPreviewResponse; error?: unknown } | null>(
    null,
  );
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const templates = useApi(() => goalApi.templates(), 'templates');
  const body: GoalSubmission = {
    goal: goal.trim(),
    priority,
    ...(context.trim() !== '' ? { context: context.trim() } : {}),
    ...(template !== '' ? { template } : {}),
  };
  const bodyKey = JSON.stringify(body);

  // Previews once typing pauses; an answer for older text is dropped.
  useEffect(() => {
    const wanted = JSON.parse(bodyKey) as GoalSubmission;
    if (wanted.goal === '') return;
    let current = true;
    const timer = setTimeout(() => {
      goalApi.preview(wanted).then(
        (data) => current && setPreview({ of: bodyKey, data }),
        (error: unknown) => current && setPreview({ of: bodyKey, error }),
      );
    }, 350);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bodyKey]);
  const shown = preview !== null && preview.of === bodyKey ? preview : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSubmitError(null);
    goalApi.submit(body).then(
      (r) => navigate(`/goals/${encodeURIComponent(r.goal_id)}`),
      (error: unknown) => {
        setBusy(false);
        setSubmitError(error);
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="submit a goal by text">
      <label>
        Goal
        <textarea
          value={goal}
          onChange={(e) => setGoal(e.target.value)}
          rows={3}
          placeholder="analyze customer data trends"
        />
      </label>
      <div className="row">
        <label>
          Context (optional)
          <input value={context} onChange={(e) => setContext(e.target.value)} />
        </label>
        <label>
          Template
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">chosen by the planner</option>
            {(templates.data?.templates ?? []).map((t) => (
              <option key={t.name} value={t.name} title={t.description}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {templates.error !== undefined ? <ErrorBox error={templates.error} retry={templates.reload} /> : null}
      {goal.trim() === '' ? (
        <p className="muted">Type the goal to see the template and tasks it would get.</p>
      ) : shown === null ? (
        <p className="muted" role="status">
          Previewing…
        </p>
      ) : shown.data !== undefined ? (
        <PreviewPanel preview={shown.data} />
      ) : (
        <ErrorBox error={shown.error} />
      )}
      {submitError !== null ? <ErrorBox error={submitError} /> : null}
      <button type="submit" className="primary" disabled={goal.trim() === '' || busy}>
        {busy ? 'Submitting…' : 'Submit goal'}
      </button>
    </form>
  );
}
