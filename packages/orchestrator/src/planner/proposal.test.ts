import { describe, expect, it } from 'vitest';
import { longestChains } from './dag.ts';
import { judgeProposal, type ProposalContext } from './proposal.ts';

const ctx: ProposalContext = {
  limits: { maxTasksPerGoal: 10, maxSkillsPerEntity: 4, maxInputBytes: 1000 },
  bounds: { maxDepth: 3, maxCriticalPathMs: 10_000 },
  skills: new Set(['fetch', 'summarize']),
  priority: 'low',
  defaultEstimateMs: 1000,
};

const problemsOf = (result: unknown, c: ProposalContext = ctx) => {
  const v = judgeProposal(result, c);
  return v.accepted ? [] : v.problems.map((p) => ({ code: p.code, path: p.path, task: p.task }));
};

describe('judgeProposal', () => {
  it('accepts a well-formed acyclic plan within bounds whose skills the fleet has, with defaults filled in', () => {
    const v = judgeProposal(
      {
        tasks: [
          { name: 'a', skills: ['fetch'] },
          { name: 'b', skills: ['summarize'], depends_on: ['a'], priority: 'high' },
        ],
      },
      ctx,
    );
    expect(v).toEqual({
      accepted: true,
      plan: {
        template: 'planner',
        tasks: [
          {
            name: 'a',
            skills: ['fetch'],
            priority: 'low',
            estimatedDurationMs: 1000,
            dependsOn: [],
            input: null,
          },
          {
            name: 'b',
            skills: ['summarize'],
            priority: 'high',
            estimatedDurationMs: 1000,
            dependsOn: ['a'],
            input: null,
          },
        ],
      },
    });
  });

  it('names each schema violation at its path: not an object, a missing field, an unknown field, a bad priority', () => {
    expect(problemsOf('a plan')).toEqual([{ code: 'KOS_ERR_VALIDATION', path: '', task: null }]);
    expect(problemsOf({ tasks: [] })).toEqual([{ code: 'KOS_ERR_VALIDATION', path: 'tasks', task: null }]);
    const bad = problemsOf({ tasks: [{ name: 'a', skills: ['fetch'], priority: 'urgent', owner: 'me' }] });
    expect(bad.map((p) => p.path).sort()).toEqual(['tasks/0', 'tasks/0/priority']);
  });

  it('reports a planner’s own failure as KOS_ERR_PLANNER_FAILED', () => {
    const v = judgeProposal({ failure: { code: 'timeout', message: 'no answer in 30 s' } }, ctx);
    expect(v).toMatchObject({
      accepted: false,
      problems: [{ code: 'KOS_ERR_PLANNER_FAILED', message: expect.stringContaining('no answer in 30 s') }],
    });
  });

  it('names the cycle, unknown dependencies and duplicate names (planProblems)', () => {
    const cyclic = {
      tasks: [
        { name: 'a', skills: ['fetch'], depends_on: ['b'] },
        { name: 'b', skills: ['fetch'], depends_on: ['a'] },
      ],
    };
    const v = judgeProposal(cyclic, ctx);
    expect(v).toMatchObject({
      accepted: false,
      problems: [{ code: 'KOS_ERR_DAG_CYCLE', details: { cycle: ['a', 'b', 'a'] } }],
    });
    expect(problemsOf({ tasks: [{ name: 'a', skills: ['fetch'], depends_on: ['zz'] }] })).toEqual([
      { code: 'KOS_ERR_DAG_UNKNOWN_DEPENDENCY', path: 'tasks/0/depends_on/0', task: 'a' },
    ]);
    expect(
      problemsOf({
        tasks: [
          { name: 'a', skills: ['fetch'] },
          { name: 'a', skills: ['fetch'] },
        ],
      }),
    ).toEqual([{ code: 'KOS_ERR_DAG_DUPLICATE_TASK', path: 'tasks/1/name', task: 'a' }]);
  });

  it('refuses a skill no agent offers, at the skill’s path', () => {
    expect(problemsOf({ tasks: [{ name: 'a', skills: ['fetch', 'teleport'] }] })).toEqual([
      { code: 'KOS_ERR_PLAN_SKILL_MISSING', path: 'tasks/0/skills/1', task: 'a' },
    ]);
  });

  it('refuses a plan deeper than planner.max_depth or longer than planner.max_critical_path_ms', () => {
    const chain = (n: number, ms: number) => ({
      tasks: Array.from({ length: n }, (_, i) => ({
        name: `t${i}`,
        skills: ['fetch'],
        estimated_duration_ms: ms,
        ...(i === 0 ? {} : { depends_on: [`t${i - 1}`] }),
      })),
    });
    expect(problemsOf(chain(3, 100))).toEqual([]);
    const deep = judgeProposal(chain(4, 100), ctx);
    expect(deep).toMatchObject({
      accepted: false,
      problems: [{ details: { limit: 'maxDepth', value: 4, max: 3 } }],
    });
    const slow = judgeProposal(chain(2, 6000), ctx);
    expect(slow).toMatchObject({
      accepted: false,
      problems: [{ details: { limit: 'maxCriticalPathMs', value: 12_000, max: 10_000 } }],
    });
  });

  it('refuses more tasks than limits.max_tasks_per_goal before looking at any task', () => {
    const many = { tasks: Array.from({ length: 11 }, (_, i) => ({ name: `t${i}`, skills: ['nope'] })) };
    expect(problemsOf(many)).toEqual([{ code: 'KOS_ERR_LIMIT_EXCEEDED', path: 'tasks', task: null }]);
  });
});

describe('longestChains', () => {
  it('measures depth in tasks and the critical path in summed estimates over a diamond', () => {
    const nodes = [
      { name: 'a', dependsOn: [] },
      { name: 'b', dependsOn: ['a'] },
      { name: 'c', dependsOn: ['a'] },
      { name: 'd', dependsOn: ['b', 'c'] },
    ];
    const ms = [1, 10, 100, 1000];
    expect(longestChains(nodes, (i) => ms[i] ?? 0)).toEqual({ depth: 3, criticalPathMs: 1101 });
  });

  it('walks a 50,000-task chain without recursion', () => {
    const nodes = Array.from({ length: 50_000 }, (_, i) => ({
      name: `t${i}`,
      dependsOn: i === 0 ? [] : [`t${i - 1}`],
    }));
    expect(longestChains(nodes, () => 2)).toEqual({ depth: 50_000, criticalPathMs: 100_000 });
  });
});
