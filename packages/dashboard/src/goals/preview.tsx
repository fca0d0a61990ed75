import type { GoalPreviewResponse } from '@kos/contracts';

/** What a submission would create (POST /orchestration/goals/preview): template, tasks, feasibility. */
export function PreviewPanel({ preview }: { preview: GoalPreviewResponse }) {
  const names = new Map(preview.subtasks.map((t) => [t.id, t.name]));
  return (
    <div className="card preview" data-testid="preview">
      <p>
        Template <strong data-testid="preview-template">{preview.template}</strong> at priority{' '}
        {preview.priority} would create {preview.subtasks.length} task
        {preview.subtasks.length === 1 ? '' : 's'}:
      </p>
      <ol>
        {preview.subtasks.map((t) => (
          <li key={t.id}>
            <strong>{t.name}</strong> <span className="mono muted">[{t.skills.join(', ')}]</span>
            {t.depends_on.length > 0 ? (
              <span className="muted"> after {t.depends_on.map((d) => names.get(d) ?? d).join(', ')}</span>
            ) : null}
          </li>
        ))}
      </ol>
      {!preview.feasibility.feasible ? (
        <p className="notice" data-testid="infeasible">
          No registered agent offers{' '}
          {preview.feasibility.missing_skills.map((m) => `${m.skill} (for ${m.tasks.join(', ')})`).join('; ')}
          : those tasks will wait until one registers.
        </p>
      ) : null}
    </div>
  );
}
