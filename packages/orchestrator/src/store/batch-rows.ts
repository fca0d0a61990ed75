import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { Tx } from './backend.ts';

type Row = { kind: 'agent'; value: Agent } | { kind: 'goal'; value: Goal };
/** Where held rows are written: the transaction of the op (or the batch's end) running now. */
export type RowWriter = Pick<Tx, 'putAgent' | 'putGoal'>;

/** Changes of one scope (the batch's ops that resolved, or the op running now). */
class Layer {
  readonly rows = new Map<string, Row>();
  /** Rows known to exist in the database as the scope sees it: read there, or written through. */
  readonly known = new Set<string>();
}

const key = (kind: Row['kind'], id: string): string => `${kind}:${id}`;

/**
 * Agent and goal rows a group-commit batch wrote, held back and written once before its COMMIT.
 *
 * Why: every result updates its agent (stats, trust, breakers) and its goal (counts), so a batch
 * of 200 results for 20 agents and one goal wrote 400 rows where 21 carry the outcome; those
 * writes were a fifth of the SQLite store's time, and on PostgreSQL, with the reads that locked
 * them, four round trips of about twelve per task.
 *
 * Each op sees its own and earlier ops' rows (`agent`/`goal` answer them before the database
 * does; on PostgreSQL the batch's transaction holds their locks since the op that first read
 * them). An op's rows join the batch only if the op resolves (`endOp(true)`); if it throws they
 * are dropped with its savepoint. A query that reads agents or goals by anything but their id must
 * see the held rows, so its caller writes them first (`writeHeld`); rows of resolved ops written
 * inside a failing op's savepoint are undone by its rollback, so they are held again. A row is
 * held back only when it is known to exist: a first write of an unknown id goes through at once,
 * so an update of a missing goal fails in its own op as before.
 */
export class BatchRows {
  private batch = new Layer();
  private op = new Layer();
  /** Rows of resolved ops written during the current op: its rollback would undo them. */
  private writtenInOp: Row[] = [];

  agent(id: string): Agent | undefined {
    const row = this.held('agent', id);
    return row?.kind === 'agent' ? row.value : undefined;
  }

  goal(id: string): Goal | undefined {
    const row = this.held('goal', id);
    return row?.kind === 'goal' ? row.value : undefined;
  }

  /** A row read from the database: later writes of it may be held back. */
  exists(kind: Row['kind'], id: string): void {
    this.op.known.add(key(kind, id));
  }

  putAgent(agent: Agent, tx: RowWriter): Promise<void> {
    return this.put({ kind: 'agent', value: agent }, tx);
  }

  putGoal(goal: Goal, tx: RowWriter): Promise<void> {
    return this.put({ kind: 'goal', value: goal }, tx);
  }

  /** Writes every held row now, in `tx` (before a query that must see them). */
  async writeHeld(tx: RowWriter): Promise<void> {
    const resolved = [...this.batch.rows.values()];
    const mine = [...this.op.rows.values()];
    this.batch.rows.clear();
    this.op.rows.clear();
    // Noted before writing: if a write fails, the op's rollback undoes the others too.
    this.writtenInOp.push(...resolved);
    for (const row of [...resolved, ...mine]) await write(row, tx);
  }

  /** The current op ended: its rows join the batch if it resolved; else they are dropped. */
  endOp(resolved: boolean): void {
    if (resolved) {
      for (const [k, row] of this.op.rows) this.batch.rows.set(k, row);
      for (const k of this.op.known) this.batch.known.add(k);
    } else {
      for (const row of this.writtenInOp) this.batch.rows.set(key(row.kind, row.value.id), row);
    }
    this.op = new Layer();
    this.writtenInOp = [];
  }

  /** Before COMMIT, outside any op: writes what the batch holds. */
  async finish(tx: RowWriter): Promise<void> {
    await this.writeHeld(tx);
    this.writtenInOp = [];
  }

  private held(kind: Row['kind'], id: string): Row | undefined {
    const k = key(kind, id);
    return this.op.rows.get(k) ?? this.batch.rows.get(k);
  }

  private async put(row: Row, tx: RowWriter): Promise<void> {
    const k = key(row.kind, row.value.id);
    if (this.op.known.has(k) || this.batch.known.has(k)) {
      this.op.rows.set(k, row);
      return;
    }
    await write(row, tx);
    this.op.known.add(k);
  }
}

function write(row: Row, tx: RowWriter): Promise<void> {
  return row.kind === 'agent' ? tx.putAgent(row.value) : tx.putGoal(row.value);
}
