import type { WireTask } from '@kos/contracts';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { VirtualRows, type Column } from './virtual-rows.tsx';

const COLUMNS: Column<WireTask>[] = [
  {
    header: 'Task',
    width: 'minmax(160px, 2fr)',
    cell: (t) => <Link to={`/tasks/${encodeURIComponent(t.id)}`}>{t.name}</Link>,
  },
  { header: 'State', width: '140px', cell: (t) => <StateBadge state={t.state} /> },
  {
    header: 'Skills',
    width: 'minmax(100px, 1fr)',
    cell: (t) => <span className="mono">{t.skills.join(', ')}</span>,
  },
  { header: 'Agent', width: '130px', cell: (t) => <span className="mono">{t.agent_id ?? '—'}</span> },
  { header: 'Attempts', width: '80px', cell: (t) => `${t.attempts}/${t.max_attempts}` },
  {
    header: 'Waiting',
    width: 'minmax(120px, 1.5fr)',
    cell: (t) => <span className="muted">{t.waiting_reason?.message ?? t.error?.message ?? ''}</span>,
  },
];

/** Every task of a goal in a virtualised table (under the DAG, which may show only layers). */
export function TaskTable({ tasks }: { tasks: readonly WireTask[] }) {
  return (
    <VirtualRows items={tasks} columns={COLUMNS} rowKey={(t) => t.id} label="tasks" testId="task-table" />
  );
}
