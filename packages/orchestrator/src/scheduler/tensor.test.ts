import fc from 'fast-check';
import { priorityLevel } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { scorePair, type PairScore } from './score.ts';
import type { TaskState } from './task.ts';
import { buildTensor, type TensorTask } from './tensor.ts';
import { agent, policy, roundArb, task } from './testing.ts';

function tensorTask(id: string, state: TaskState, over: Partial<TensorTask> = {}): TensorTask {
  return { ...task(id), state, agentId: null, ...over };
}

const a1 = agent('a1');
const a2 = agent('a2', { active: 1, trust: 0.8 });
const agents = [a1, a2, agent('a3', { skills: ['sql'] })];

describe('buildTensor', () => {
  it('has one row per task, one column per agent and four priority levels', () => {
    const tensor = buildTensor({
      tasks: [
        tensorTask('t1', 'ready'),
        tensorTask('t2', 'pending'),
        tensorTask('t3', 'leased', { agentId: 'a3' }),
      ],
      agents,
      policy: policy(),
    });
    expect(tensor.shape).toEqual([3, 3, 4]);
    expect(tensor.taskIds).toEqual(['t1', 't2', 't3']);
    expect(tensor.agentIds).toEqual(['a1', 'a2', 'a3']);
    const dense = tensor.dense();
    expect(dense).toHaveLength(3);
    for (const row of dense) {
      expect(row).toHaveLength(3);
      for (const cell of row) expect(cell).toHaveLength(4);
    }
  });

  it('explains each non-zero cell with the score parts a round would use, and the lease holder as such', () => {
    const tensor = buildTensor({
      tasks: [tensorTask('t1', 'ready'), tensorTask('t2', 'leased', { agentId: 'a3' })],
      agents,
      policy: policy(),
    });
    const { entries } = tensor.sparse();
    const explained = tensor.explain();
    expect(explained).toHaveLength(entries.length);
    entries.forEach(([i, j], n) => {
      const e = explained[n]!;
      if (i === 1) {
        expect(e).toEqual({ parts: null, explanation: 'holds the lease' });
        return;
      }
      const pair = scorePair(task('t1'), agents[j]!, policy()) as PairScore;
      expect(e).toEqual({ parts: pair.parts, explanation: pair.explanation });
    });
  });

  it('puts 1.0 at the lease holder and the task priority for leased and running tasks', () => {
    const tensor = buildTensor({
      tasks: [
        tensorTask('t1', 'leased', { agentId: 'a2', priority: 'high' }),
        tensorTask('t2', 'running', { agentId: 'a3', priority: 'low' }),
      ],
      agents,
      policy: policy(),
    });
    expect(tensor.sparse().entries).toEqual([
      [0, 1, 1, 1],
      [1, 2, 3, 1],
    ]);
  });

  it('spreads a ready task over its capable agents in proportion to their scores', () => {
    const t = tensorTask('t1', 'ready', { priority: 'critical' });
    const [row] = buildTensor({ tasks: [t], agents, policy: policy() }).dense();
    const v1 = (scorePair(t, a1, policy()) as PairScore).value;
    const v2 = (scorePair(t, a2, policy()) as PairScore).value;
    expect(row?.[0]?.[0]).toBeCloseTo(v1 / (v1 + v2), 12);
    expect(row?.[1]?.[0]).toBeCloseTo(v2 / (v1 + v2), 12);
    expect(row?.[2]).toEqual([0, 0, 0, 0]); // a3 lacks the skill
    expect((row?.[0]?.[0] ?? 0) + (row?.[1]?.[0] ?? 0)).toBeCloseTo(1, 12);
    expect(row?.[0]?.[0]).toBeGreaterThan(row?.[1]?.[0] ?? 1); // a1 is idle and more trusted
  });

  it('still gives a full agent a small share of a ready task', () => {
    const full = agent('full', { active: 2, maxParallel: 2 });
    const entries = buildTensor({
      tasks: [tensorTask('t1', 'ready')],
      agents: [agent('idle'), full],
      policy: policy(),
    })
      .sparse()
      .entries.map(([, j, , v]) => [j, v]);
    expect(entries).toHaveLength(2);
    expect(entries[1]?.[1]).toBeGreaterThan(0);
    expect(entries[1]?.[1]).toBeLessThan(entries[0]?.[1] ?? 0);
  });

  it('leaves zero rows for waiting and finished tasks and for ready tasks no agent can take', () => {
    const tensor = buildTensor({
      tasks: [
        tensorTask('t1', 'pending'),
        tensorTask('t2', 'retrying'),
        tensorTask('t3', 'succeeded', { agentId: 'a1' }),
        tensorTask('t4', 'ready', { skills: ['gpu'] }),
        tensorTask('t5', 'leased', { agentId: 'gone' }),
      ],
      agents,
      policy: policy(),
    });
    expect(tensor.sparse().entries).toEqual([]);
    expect(
      tensor
        .dense()
        .flat(2)
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('builds an empty tensor for no tasks and no agents', () => {
    const tensor = buildTensor({ tasks: [], agents: [], policy: policy() });
    expect(tensor.shape).toEqual([0, 0, 4]);
    expect(tensor.dense()).toEqual([]);
    expect(tensor.sparse().entries).toEqual([]);
  });

  const STATES: TaskState[] = ['pending', 'ready', 'ready', 'leased', 'running', 'retrying', 'succeeded'];
  const tensorArb = roundArb.chain(({ agents: as, tasks, policy: p }) =>
    fc.record({
      agents: fc.constant(as),
      policy: fc.constant(p),
      tasks: fc.tuple(
        ...tasks.map((t) =>
          fc
            .record({
              state: fc.constantFrom(...STATES),
              agentId: fc.option(fc.constantFrom('ghost', ...as.map((a) => a.id)), { nil: null }),
            })
            .map((extra): TensorTask => ({ ...t, ...extra })),
        ),
      ),
    }),
  );

  it('agrees between its sparse and dense forms', () => {
    fc.assert(
      fc.property(tensorArb, (input) => {
        const tensor = buildTensor(input);
        const dense = tensor.dense();
        const fromSparse = input.tasks.map(() => input.agents.map(() => [0, 0, 0, 0]));
        for (const [i, j, k, v] of tensor.sparse().entries) {
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThanOrEqual(1);
          (fromSparse[i]?.[j] as number[])[k] = v;
        }
        expect(dense).toEqual(fromSparse);
      }),
    );
  });

  it('makes every non-zero row a distribution at the task priority level only', () => {
    fc.assert(
      fc.property(tensorArb, (input) => {
        const dense = buildTensor(input).dense();
        input.tasks.forEach((t, i) => {
          const row = dense[i] ?? [];
          const level = priorityLevel(t.priority);
          const total = row.reduce((sum, cell) => sum + (cell[level] ?? 0), 0);
          const elsewhere = row.reduce((sum, cell) => sum + cell.reduce((a, b) => a + b, 0), 0) - total;
          expect(elsewhere).toBe(0);
          const live = t.state === 'ready' || t.state === 'leased' || t.state === 'running';
          if (!live) expect(total).toBe(0);
          else if (total !== 0) expect(total).toBeCloseTo(1, 9);
          if (t.state !== 'ready') expect(row.flat().filter((v) => v !== 0).length).toBeLessThanOrEqual(1);
        });
      }),
    );
  });
});
