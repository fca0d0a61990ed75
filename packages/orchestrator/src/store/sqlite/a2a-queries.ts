import type Database from 'better-sqlite3';
import type { A2aPushConfig, A2aTaskRecord } from '../records.ts';

interface A2aTaskRow {
  goal_id: string;
  context_id: string;
  created_at: number;
}

interface PushConfigRow {
  goal_id: string;
  id: string;
  url: string;
  token: string | null;
  auth_scheme: string | null;
  auth_credentials: string | null;
  created_at: number;
}

export const toA2aTask = (r: A2aTaskRow): A2aTaskRecord => ({
  goalId: r.goal_id,
  contextId: r.context_id,
  createdAt: Number(r.created_at),
});

export const toPushConfig = (r: PushConfigRow): A2aPushConfig => ({
  goalId: r.goal_id,
  id: r.id,
  url: r.url,
  token: r.token,
  authScheme: r.auth_scheme,
  authCredentials: r.auth_credentials,
  createdAt: Number(r.created_at),
});

export const fromPushConfig = (c: A2aPushConfig): PushConfigRow => ({
  goal_id: c.goalId,
  id: c.id,
  url: c.url,
  token: c.token,
  auth_scheme: c.authScheme,
  auth_credentials: c.authCredentials,
  created_at: c.createdAt,
});

/** The A2A tables' SQL, the same text on both backends (positional parameters are rewritten for pg). */
export const A2A_SQL = {
  task: 'SELECT * FROM a2a_tasks WHERE goal_id = ?',
  pushConfigs: 'SELECT * FROM a2a_push_configs WHERE goal_id = ? ORDER BY created_at, id',
  insertTask: 'INSERT INTO a2a_tasks (goal_id, context_id, created_at) VALUES (?, ?, ?)',
  putPushConfig:
    'INSERT INTO a2a_push_configs (goal_id, id, url, token, auth_scheme, auth_credentials, created_at) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (goal_id, id) DO UPDATE SET url = excluded.url, ' +
    'token = excluded.token, auth_scheme = excluded.auth_scheme, auth_credentials = excluded.auth_credentials',
  deletePushConfig: 'DELETE FROM a2a_push_configs WHERE goal_id = ? AND id = ?',
} as const;

/**
 * The A2A tables on SQLite. Statements are prepared on first use: the same class serves the
 * read-only connection (reads) and the writer (writes), and a write statement cannot be used on
 * the former.
 */
export class A2aQueries {
  private readonly stmts = new Map<keyof typeof A2A_SQL, Database.Statement<unknown[], unknown>>();

  constructor(private readonly db: Database.Database) {}

  private stmt(name: keyof typeof A2A_SQL): Database.Statement<unknown[], unknown> {
    let s = this.stmts.get(name);
    if (s === undefined) {
      s = this.db.prepare<unknown[], unknown>(A2A_SQL[name]);
      this.stmts.set(name, s);
    }
    return s;
  }

  getTask(goalId: string): A2aTaskRecord | null {
    const r = this.stmt('task').get(goalId) as A2aTaskRow | undefined;
    return r === undefined ? null : toA2aTask(r);
  }

  listPushConfigs(goalId: string): A2aPushConfig[] {
    return (this.stmt('pushConfigs').all(goalId) as PushConfigRow[]).map(toPushConfig);
  }

  insertTask(r: A2aTaskRecord): void {
    this.stmt('insertTask').run(r.goalId, r.contextId, r.createdAt);
  }

  putPushConfig(c: A2aPushConfig): void {
    const r = fromPushConfig(c);
    this.stmt('putPushConfig').run(
      r.goal_id,
      r.id,
      r.url,
      r.token,
      r.auth_scheme,
      r.auth_credentials,
      r.created_at,
    );
  }

  deletePushConfig(goalId: string, id: string): boolean {
    return this.stmt('deletePushConfig').run(goalId, id).changes > 0;
  }
}
