import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Row counts of the server's SQLite file, read from the test through a read-only connection (WAL
 * lets it read while the server writes): what a rejected request must leave unchanged.
 */
export class StoreCounts {
  private readonly db: Database.Database;
  private readonly query: Database.Statement;

  constructor(dataDir: string) {
    this.db = new Database(path.join(dataDir, 'kos.db'), { readonly: true, fileMustExist: true });
    this.query = this.db.prepare(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT coalesce(max(seq), 0) FROM events) AS last_seq,
              (SELECT count(*) FROM goals) AS goals, (SELECT count(*) FROM tasks) AS tasks,
              (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM tokens) AS tokens`,
    );
  }

  /** Every task's state, lease and attempts, by id. */
  tasks(): unknown[] {
    return this.db.prepare('SELECT id, state, epoch, agent_id, attempts FROM tasks ORDER BY id').all();
  }

  /** The kinds of the events recorded after `seq`. */
  eventKindsAfter(seq: number): string[] {
    return (
      this.db.prepare('SELECT kind FROM events WHERE seq > ? ORDER BY seq').all(seq) as { kind: string }[]
    ).map((r) => r.kind);
  }

  read(): Record<string, number> {
    return this.query.get() as Record<string, number>;
  }

  close(): void {
    this.db.close();
  }
}
