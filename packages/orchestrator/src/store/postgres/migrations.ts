/**
 * The PostgreSQL schema as numbered migrations, embedded in the code. Version N here is the same
 * logical schema as version N of the SQLite store (sqlite/migrations.ts), in PostgreSQL types.
 * Append new migrations; never edit one that has shipped. `migrate.ts` applies the missing ones.
 *
 * Type choices:
 * - JSON values (skills, stats, input, result, error, data, depends_on, checkpoint) are TEXT
 *   holding the JSON text, not JSONB. JSONB would reorder object keys, rewrite numbers through
 *   `numeric` and refuse strings that JSON.stringify writes with `\u0000` or a lone surrogate
 *   (`\ud800`); TEXT gives back exactly the bytes written, the same as the SQLite store, so
 *   `JSON.parse` returns what `JSON.stringify` was given. No query filters inside these values,
 *   so JSONB's operators would buy nothing.
 * - Times in ms and counters are BIGINT (parsed back to JS numbers: they stay below 2^53);
 *   ready_key, trust and progress are DOUBLE PRECISION, which round-trips every JS number.
 * - Text keys that lists sort by use COLLATE "C": byte order, like SQLite, whatever the
 *   database's default collation.
 * - `rid` (an identity column) is the creation order that paging cursors rely on, as in SQLite.
 * - `event_seq` is the one-row counter that hands out event seq numbers at commit time, so seq
 *   order is commit order (see write-queries.ts for why a sequence would not do).
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
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  skills TEXT NOT NULL,
  max_parallel INTEGER NOT NULL,
  state TEXT NOT NULL,
  trust DOUBLE PRECISION NOT NULL,
  stats TEXT NOT NULL,
  last_heartbeat_at BIGINT NOT NULL,
  last_assigned_at BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX agents_name ON agents (name);
CREATE INDEX agents_state_heartbeat ON agents (state, last_heartbeat_at);

CREATE TABLE goals (
  rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  goal TEXT NOT NULL,
  context TEXT NOT NULL,
  template TEXT NOT NULL,
  priority TEXT NOT NULL,
  state TEXT NOT NULL,
  task_count INTEGER NOT NULL,
  succeeded_count INTEGER NOT NULL,
  submitted_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX goals_created ON goals (created_at, rid);
CREATE INDEX goals_state_created ON goals (state, created_at, rid);

CREATE TABLE tasks (
  rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  goal_id TEXT COLLATE "C" NOT NULL REFERENCES goals (id),
  name TEXT NOT NULL,
  skills TEXT NOT NULL,
  priority TEXT NOT NULL,
  estimated_duration_ms BIGINT NOT NULL,
  depends_on TEXT NOT NULL,
  pending_deps INTEGER NOT NULL,
  input TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  epoch BIGINT NOT NULL,
  agent_id TEXT COLLATE "C",
  lease_expires_at BIGINT,
  leased_at BIGINT,
  available_at BIGINT NOT NULL,
  ready_key DOUBLE PRECISION NOT NULL,
  last_agent_id TEXT,
  result TEXT NOT NULL,
  error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT,
  UNIQUE (goal_id, name)
);
CREATE INDEX tasks_goal ON tasks (goal_id, rid);
CREATE INDEX tasks_state ON tasks (state);
CREATE INDEX tasks_agent_state ON tasks (agent_id, state);
CREATE INDEX tasks_ready ON tasks (ready_key, rid) WHERE state = 'ready';
CREATE INDEX tasks_lease_expiry ON tasks (lease_expires_at) WHERE state IN ('leased', 'running');
CREATE INDEX tasks_retry_due ON tasks (available_at) WHERE state = 'retrying';

CREATE TABLE task_deps (
  depends_on TEXT COLLATE "C" NOT NULL REFERENCES tasks (id),
  task_id TEXT COLLATE "C" NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (depends_on, task_id)
);

CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  goal_id TEXT COLLATE "C",
  task_id TEXT COLLATE "C",
  agent_id TEXT COLLATE "C",
  actor TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX events_goal ON events (goal_id, seq) WHERE goal_id IS NOT NULL;
CREATE INDEX events_task ON events (task_id, seq) WHERE task_id IS NOT NULL;
CREATE INDEX events_agent ON events (agent_id, seq) WHERE agent_id IS NOT NULL;

CREATE TABLE event_seq (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  last BIGINT NOT NULL
);
INSERT INTO event_seq (one, last) VALUES (true, 0);

CREATE TABLE tokens (
  id TEXT COLLATE "C" PRIMARY KEY,
  hash TEXT COLLATE "C" NOT NULL,
  role TEXT NOT NULL,
  agent_name TEXT,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
`,
  },
  {
    version: 2,
    name: 'klp identities and checkpoints',
    sql: `
ALTER TABLE agents ADD COLUMN public_key TEXT;
ALTER TABLE tasks ADD COLUMN progress DOUBLE PRECISION;
ALTER TABLE tasks ADD COLUMN checkpoint TEXT NOT NULL DEFAULT 'null';
`,
  },
  {
    version: 3,
    name: 'failure handling: task and goal policies, timeouts, delegations, agent health',
    sql: `
ALTER TABLE tasks ADD COLUMN policy TEXT NOT NULL DEFAULT 'null';
ALTER TABLE tasks ADD COLUMN deadline_at BIGINT;
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
ALTER TABLE tasks ADD COLUMN waiting_since BIGINT;
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
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
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
  created_at BIGINT NOT NULL
);
CREATE INDEX a2a_tasks_context ON a2a_tasks (context_id);
CREATE TABLE a2a_push_configs (
  goal_id TEXT NOT NULL,
  id TEXT NOT NULL,
  url TEXT NOT NULL,
  token TEXT,
  auth_scheme TEXT,
  auth_credentials TEXT,
  created_at BIGINT NOT NULL,
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
  added_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
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
