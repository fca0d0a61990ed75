/**
 * The SQLite schema as numbered migrations, embedded in the code so a build always carries the
 * schema it expects. Append new migrations; never edit one that has shipped. `migrate.ts` applies
 * the missing ones in order, each in its own transaction, and records them in `schema_migrations`.
 *
 * Layout notes:
 * - goals and tasks have an integer `rid` (the rowid) besides their text id: it is the stable
 *   creation order that paging cursors and "the goal's declaration order" rely on.
 * - JSON values (skills, stats, input, result, error, data, depends_on) are TEXT holding JSON.
 * - `depends_on` is kept on the task for exact round-trips; `task_deps` is its index for
 *   `listDependents` (a primary-key lookup, not a scan of every task's JSON).
 * - Partial indexes keep the hot queues (ready, leased, retrying) small: a row is in them only
 *   while the task is in that state, so finished tasks cost them nothing.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE agents (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  skills TEXT NOT NULL,
  max_parallel INTEGER NOT NULL,
  state TEXT NOT NULL,
  trust REAL NOT NULL,
  stats TEXT NOT NULL,
  last_heartbeat_at INTEGER NOT NULL,
  last_assigned_at INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX agents_name ON agents (name);
CREATE INDEX agents_state_heartbeat ON agents (state, last_heartbeat_at);

CREATE TABLE goals (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  goal TEXT NOT NULL,
  context TEXT NOT NULL,
  template TEXT NOT NULL,
  priority TEXT NOT NULL,
  state TEXT NOT NULL,
  task_count INTEGER NOT NULL,
  succeeded_count INTEGER NOT NULL,
  submitted_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX goals_created ON goals (created_at, rid);
CREATE INDEX goals_state_created ON goals (state, created_at, rid);

CREATE TABLE tasks (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  goal_id TEXT NOT NULL REFERENCES goals (id),
  name TEXT NOT NULL,
  skills TEXT NOT NULL,
  priority TEXT NOT NULL,
  estimated_duration_ms INTEGER NOT NULL,
  depends_on TEXT NOT NULL,
  pending_deps INTEGER NOT NULL,
  input TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  agent_id TEXT,
  lease_expires_at INTEGER,
  leased_at INTEGER,
  available_at INTEGER NOT NULL,
  ready_key REAL NOT NULL,
  last_agent_id TEXT,
  result TEXT NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (goal_id, name)
);
CREATE INDEX tasks_goal ON tasks (goal_id, rid);
CREATE INDEX tasks_state ON tasks (state);
CREATE INDEX tasks_agent_state ON tasks (agent_id, state);
CREATE INDEX tasks_ready ON tasks (ready_key, rid) WHERE state = 'ready';
CREATE INDEX tasks_lease_expiry ON tasks (lease_expires_at) WHERE state IN ('leased', 'running');
CREATE INDEX tasks_retry_due ON tasks (available_at) WHERE state = 'retrying';

CREATE TABLE task_deps (
  depends_on TEXT NOT NULL REFERENCES tasks (id),
  task_id TEXT NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (depends_on, task_id)
) WITHOUT ROWID;

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  goal_id TEXT,
  task_id TEXT,
  agent_id TEXT,
  actor TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_goal ON events (goal_id, seq) WHERE goal_id IS NOT NULL;
CREATE INDEX events_task ON events (task_id, seq) WHERE task_id IS NOT NULL;
CREATE INDEX events_agent ON events (agent_id, seq) WHERE agent_id IS NOT NULL;

CREATE TABLE tokens (
  id TEXT PRIMARY KEY NOT NULL,
  hash TEXT NOT NULL,
  role TEXT NOT NULL,
  agent_name TEXT,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
`,
  },
  {
    version: 2,
    name: 'klp identities and checkpoints',
    sql: `
ALTER TABLE agents ADD COLUMN public_key TEXT;
ALTER TABLE tasks ADD COLUMN progress REAL;
ALTER TABLE tasks ADD COLUMN checkpoint TEXT NOT NULL DEFAULT 'null';
`,
  },
  {
    version: 3,
    name: 'failure handling: task and goal policies, timeouts, delegations, agent health',
    sql: `
ALTER TABLE tasks ADD COLUMN policy TEXT NOT NULL DEFAULT 'null';
ALTER TABLE tasks ADD COLUMN deadline_at INTEGER;
ALTER TABLE tasks ADD COLUMN delegations TEXT NOT NULL DEFAULT '[]';
CREATE INDEX tasks_deadline ON tasks (deadline_at) WHERE state IN ('ready', 'leased', 'running');
DROP INDEX tasks_lease_expiry;
CREATE INDEX tasks_lease_expiry ON tasks (lease_expires_at) WHERE state IN ('leased', 'running', 'cancelling');
ALTER TABLE goals ADD COLUMN policy TEXT NOT NULL DEFAULT 'null';
ALTER TABLE goals ADD COLUMN dead_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN skipped_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN health TEXT NOT NULL DEFAULT 'null';
`,
  },
  {
    version: 4,
    name: 'why ready tasks wait: the latest reason a round held each back with',
    sql: `
ALTER TABLE tasks ADD COLUMN waiting_code TEXT;
ALTER TABLE tasks ADD COLUMN waiting_message TEXT;
ALTER TABLE tasks ADD COLUMN waiting_since INTEGER;
`,
  },
  {
    version: 5,
    name: 'events by time, for KPI windows',
    sql: `
CREATE INDEX events_at ON events (at, seq);
`,
  },
  {
    version: 6,
    name: 'tokens that expire',
    sql: `
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
`,
  },
  {
    version: 7,
    name: 'A2A: the contextId of goals submitted through A2A, and their push-notification configs',
    // No foreign keys to goals: group commit writes a batch's goal rows at its end (held-rows-tx.ts).
    sql: `
CREATE TABLE a2a_tasks (
  goal_id TEXT PRIMARY KEY NOT NULL,
  context_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX a2a_tasks_context ON a2a_tasks (context_id);
CREATE TABLE a2a_push_configs (
  goal_id TEXT NOT NULL,
  id TEXT NOT NULL,
  url TEXT NOT NULL,
  token TEXT,
  auth_scheme TEXT,
  auth_credentials TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (goal_id, id)
);
`,
  },
  {
    version: 8,
    name: 'remote A2A agents driven as workers',
    sql: `
CREATE TABLE a2a_remotes (
  agent_id TEXT PRIMARY KEY NOT NULL,
  card_url TEXT NOT NULL,
  card TEXT NOT NULL,
  token TEXT,
  added_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX a2a_remotes_card_url ON a2a_remotes (card_url);
`,
  },
  {
    version: 9,
    name: 'goals planned by planner agents: how their planning goes on (JSON)',
    sql: `
ALTER TABLE goals ADD COLUMN planning TEXT;
`,
  },
];
