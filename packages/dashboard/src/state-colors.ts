/**
 * One colour per state, shared by badges, DAG nodes and charts, so a state looks the same on every
 * page: green done, blue working, amber waiting on a person or a retry, red failed, grey idle/ended.
 */
export const STATE_COLORS: Readonly<Record<string, string>> = {
  // tasks
  pending: '#9aa4b2',
  ready: '#6b8afd',
  leased: '#3b82f6',
  running: '#2563eb',
  retrying: '#f59e0b',
  awaiting_approval: '#d97706',
  cancelling: '#a855f7',
  succeeded: '#16a34a',
  dead: '#dc2626',
  cancelled: '#64748b',
  // goals
  failed: '#dc2626',
  // agents
  active: '#16a34a',
  draining: '#f59e0b',
  lost: '#dc2626',
  quarantined: '#7c3aed',
  unregistered: '#94a3b8',
};

export const stateColor = (state: string): string => STATE_COLORS[state] ?? '#94a3b8';
