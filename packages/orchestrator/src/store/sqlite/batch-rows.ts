import type { Agent } from '../../registry/agent.ts';
import type { Goal } from '../../scheduler/goal.ts';
import type { WriteQueries } from './write-queries.ts';

type Row = { kind: 'agent'; value: Agent } | { kind: 'goal'; value: Goal };

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
 * of 200 results for 20 agents and one goal wrote 400 rows where 21 carry the outcome; at the
 * throughput the group commit reaches, those writes were a fifth of the store's time.
 *
 * Each op sees its own and earlier ops' rows (`agent`/`goal` answer them before SQLite does). An
 * op's rows join the batch only if the op resolves (`endOp(true)`); if it throws they are dropped
 * with its savepoint. A query that reads agents or goals by anything but their id must see the
 * held rows, so its caller writes them first (`writeHeld`); rows of resolved ops written inside a
 * failing op's savepoint are undone by its rollback, so they are held again. A row is held back
 * only when it is known to exist: a first write of an unknown id goes through at once, so an
 * update of a missing goal fails in its own op as before.
 */
export class BatchRows {
  private batch = new Layer();
  private op = new Layer();
  /** Rows of resolved ops written during the current op: its rollback would undo them. */
  private writtenInOp: Row[] = [];

  constructor(private readonly writes: Pick<WriteQueries, 'putAgent' | 'putGoal'>) {}

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

  putAgent(agent: Agent): void {
    this.put({ kind: 'agent', value: agent });
  }

  putGoal(goal: Goal): void {
    this.put({ kind: 'goal', value: goal });
  }

  /** Writes every held row now (before a query that must see them). */
  writeHeld(): void {
    for (const row of this.batch.rows.values()) {
      this.write(row);
      this.writtenInOp.push(row);
    }
    for (const row of this.op.rows.values()) this.write(row);
    this.batch.rows.clear();
    this.op.rows.clear();
  }

  /** The current op ended: its rows join the batch if it resolved; else they are dropped. */
  endOp(resolved: boolean): void {
    if (resolved) {
      for (const [k, row] of this.op.rows) this.batch.rows.set(k, row);
      for (const k of this.op.known) this.batch.known.add(k);
    } else {
      for (const row of this.writtenInOp) {
        const k = key(row.kind, row.value.id);
        if (!this.batch.rows.has(k)) this.batch.rows.set(k, row);
      }
    }
    this.op = new Layer();
    this.writtenInOp = [];
  }

  /** Before COMMIT: writes what the batch holds. */
  finish(): void {
    this.writeHeld();
    this.writtenInOp = [];
  }

  private held(kind: Row['kind'], id: string): Row | undefined {
    const k = key(kind, id);
    return this.op.rows.get(k) ?? this.batch.rows.get(k);
  }

  private put(row: Row): void {
    const k = key(row.kind, row.value.id);
    if (this.op.known.has(k) || this.batch.known.has(k)) {
      this.op.rows.set(k, row);
      return;
    }
    this.write(row);
    this.op.known.add(k);
  }

  private write(row: Row): void {
    if (row.kind === 'agent') this.writes.putAgent(row.value);
    else this.writes.putGoal(row.value);
  }
}
