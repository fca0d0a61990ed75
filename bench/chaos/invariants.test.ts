import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layeredDag } from './dag.ts';
import type { LogEvent } from './event-log.ts';
import { checkDag, type DagEvidence, type FinalTask } from './invariants.ts';
import { seededRandom } from './random.ts';
import { readExecutions, RecordWriter, type Execution } from './records.ts';

// A two-task DAG, a → b, run cleanly by agent "ag" (id "id-ag"): the evidence every case bends.
const a: FinalTask = {
  id: 'a',
  goalId: 'goal-1',
  name: 'a',
  dependsOn: [],
  state: 'succeeded',
  result: { name: 'a' },
};
const b: FinalTask = {
  id: 'b',
  goalId: 'goal-1',
  name: 'b',
  dependsOn: ['a'],
  state: 'succeeded',
  result: { name: 'b' },
};

let seq = 0;
function event(kind: string, taskId: string, at: number, data: Record<string, unknown>): LogEvent {
  return { seq: ++seq, at, kind, goalId: 'goal-1', taskId, agentId: 'id-ag', data };
}
const leased = (task: string, at: number, epoch = 1) => event('task.assigned', task, at, { epoch });
const succeeded = (task: string, at: number) => event('task.state', task, at, { to: 'succeeded' });

function run(task: string, start: number, epoch = 1, over: Partial<Execution> = {}): Execution {
  return {
    task,
    name: task,
    epoch,
    attempt: epoch,
    agent: 'ag',
    start,
    end: start + 5,
    outcome: 'returned',
    upstreamOk: true,
    ...over,
  };
}

function clean(): DagEvidence {
  seq = 0;
  return {
    tasks: [a, b],
    events: [leased('a', 100), succeeded('a', 110), leased('b', 120), succeeded('b', 130)],
    executions: [run('a', 101), run('b', 121)],
    agentNames: new Map([['id-ag', 'ag']]),
  };
}

describe('checkDag', () => {
  it('finds nothing wrong in a clean run', () => {
    const check = checkDag(clean());
    expect(check).toMatchObject({
      lost: [],
      completedTwice: [],
      orderViolations: [],
      phantomExecutions: [],
      wrongResults: [],
    });
    expect(check.duplicateExecutions).toBe(0);
  });

  it('counts a task that did not succeed, or has no success in the log, as lost', () => {
    const e = clean();
    expect(checkDag({ ...e, tasks: [a, { ...b, state: 'dead' }] }).lost).toEqual(['goal-1/b']);
    expect(checkDag({ ...e, events: e.events.filter((x) => !(x.taskId === 'b' && x.data.to)) }).lost).toEqual(
      ['goal-1/b'],
    );
  });

  it('reports a task with two transitions to succeeded', () => {
    const e = clean();
    expect(checkDag({ ...e, events: [...e.events, succeeded('b', 140)] }).completedTwice).toEqual([
      'goal-1/b',
    ]);
  });

  it('reports a lease granted before a dependency succeeded (by log order)', () => {
    const e = clean();
    const events = [leased('a', 100), leased('b', 105), succeeded('a', 110), succeeded('b', 130)];
    expect(checkDag({ ...e, events }).orderViolations).toEqual([
      expect.stringMatching(/^goal-1\/b leased \(event \d+\) before goal-1\/a succeeded/),
    ]);
  });

  it('reports an execution started before its dependency succeeded, beyond the clock slack', () => {
    const e = clean();
    const early = checkDag({ ...e, executions: [run('a', 101), run('b', 90)] });
    expect(early.orderViolations).toEqual([expect.stringContaining('goal-1/b epoch 1 started at 90')]);
    expect(checkDag({ ...e, executions: [run('a', 101), run('b', 108)] }).orderViolations).toEqual([]);
  });

  it('reports an execution that did not receive its upstream results', () => {
    const e = clean();
    const check = checkDag({ ...e, executions: [run('a', 101), run('b', 121, 1, { upstreamOk: false })] });
    expect(check.orderViolations).toEqual([expect.stringContaining('without all its upstream results')]);
  });

  it('reports an execution of a lease the log never granted', () => {
    const e = clean();
    const check = checkDag({ ...e, executions: [...e.executions, run('b', 125, 2)] });
    expect(check.phantomExecutions).toEqual(['goal-1/b epoch 2 by ag: no such lease in the log']);
  });

  it('reports a stored result that is not the task’s own', () => {
    const e = clean();
    expect(checkDag({ ...e, tasks: [a, { ...b, result: { name: 'a' } }] }).wrongResults).toEqual([
      'goal-1/b',
    ]);
  });

  it('counts re-runs: a new lease after a revocation, and a lease run twice', () => {
    const e = clean();
    const check = checkDag({
      ...e,
      events: [...e.events, leased('b', 125, 2), event('task.lease_revoked', 'b', 124, { epoch: 1 })],
      executions: [run('a', 101), run('b', 121), run('b', 126, 2), run('b', 127, 2)],
    });
    expect(check).toMatchObject({
      duplicateExecutions: 2,
      tasksRunMoreThanOnce: 1,
      sameLeaseReruns: 1,
      leaseRevocations: 1,
    });
    expect(check.phantomExecutions).toEqual([]);
  });
});

describe('execution records', () => {
  it('joins starts and ends, keeps a run without an end, and skips a torn last line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kos-chaos-test-'));
    const file = path.join(dir, 'p.jsonl');
    const w = new RecordWriter(file);
    const base = { task: 't', name: 't', attempt: 1, agent: 'ag', upstreamOk: true };
    w.start({ ...base, epoch: 1, start: 10 });
    w.start({ ...base, epoch: 2, start: 20 });
    w.end({ task: 't', epoch: 1, agent: 'ag', end: 15, outcome: 'aborted' });
    w.close();
    appendFileSync(file, '{"phase":"start","task":"t","ep');
    const runs = readExecutions([file, path.join(dir, 'missing.jsonl')]);
    rmSync(dir, { recursive: true, force: true });
    expect(runs).toEqual([
      { ...base, epoch: 1, start: 10, end: 15, outcome: 'aborted' },
      { ...base, epoch: 2, start: 20, end: null, outcome: null },
    ]);
  });
});

describe('layeredDag', () => {
  it('makes each task after the first layer depend on 1 to maxDeps tasks of the layer before', () => {
    const dag = layeredDag(seededRandom(42), { layers: 4, width: 10, maxDeps: 3 });
    expect(dag).toHaveLength(40);
    for (const t of dag) {
      const layer = Number(t.name.slice(1, t.name.indexOf('-')));
      if (layer === 0) expect(t.dependsOn).toEqual([]);
      else {
        expect(t.dependsOn.length).toBeGreaterThanOrEqual(1);
        expect(t.dependsOn.length).toBeLessThanOrEqual(3);
        expect(new Set(t.dependsOn).size).toBe(t.dependsOn.length);
        for (const d of t.dependsOn) expect(d.startsWith(`L${layer - 1}-`)).toBe(true);
      }
    }
  });

  it('is the same for the same seed', () => {
    const shape = { layers: 3, width: 5, maxDeps: 2 };
    expect(layeredDag(seededRandom(7), shape)).toEqual(layeredDag(seededRandom(7), shape));
    expect(layeredDag(seededRandom(7), shape)).not.toEqual(layeredDag(seededRandom(8), shape));
  });
});
