import fc from 'fast-check';
import { KosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { AGENT_TRANSITIONS, moveAgent, type Agent, type AgentState } from '../registry/agent.ts';
import { GOAL_TRANSITIONS, moveGoal, type Goal, type GoalState } from './goal.ts';
import {
  isTerminalTask,
  moveTask,
  TASK_TRANSITIONS,
  TERMINAL_TASK_STATES,
  type Task,
  type TaskState,
} from './task.ts';
import type { TransitionTable } from './transitions.ts';
import { agent, goal, task } from '../records.fixture.ts';

const makeTask = (state: TaskState): Task => task('g1', { id: 't1', state, finishedAt: null, updatedAt: 0 });
const makeGoal = (state: GoalState): Goal => goal({ id: 'g1', state, finishedAt: null });
const makeAgent = (state: AgentState): Agent => agent({ id: 'a1', state });

function allPairs<S extends string>(table: TransitionTable<S>): [S, S, boolean][] {
  const states = Object.keys(table) as S[];
  return states.flatMap((from) => states.map((to): [S, S, boolean] => [from, to, table[from].includes(to)]));
}

function expectIllegal(move: () => unknown): void {
  try {
    move();
  } catch (e) {
    expect(e).toBeInstanceOf(KosError);
    expect((e as KosError).code).toBe('KOS_ERR_ILLEGAL_TRANSITION');
    return;
  }
  expect.fail('the transition was allowed');
}

const machines = [
  {
    name: 'task',
    table: TASK_TRANSITIONS as TransitionTable<string>,
    move: (from: string, to: string) => moveTask(makeTask(from as TaskState), to as TaskState, 5).state,
  },
  {
    name: 'goal',
    table: GOAL_TRANSITIONS as TransitionTable<string>,
    move: (from: string, to: string) => moveGoal(makeGoal(from as GoalState), to as GoalState, 5).state,
  },
  {
    name: 'agent',
    table: AGENT_TRANSITIONS as TransitionTable<string>,
    move: (from: string, to: string) => moveAgent(makeAgent(from as AgentState), to as AgentState, 5).state,
  },
];

describe.each(machines)('the $name state machine', ({ table, move }) => {
  it('allows every transition in its table', () => {
    for (const [from, to, allowed] of allPairs(table)) if (allowed) expect(move(from, to)).toBe(to);
  });

  it('rejects every pair not in its table with KOS_ERR_ILLEGAL_TRANSITION', () => {
    const illegal = allPairs(table).filter(([, , allowed]) => !allowed);
    expect(illegal.length).toBeGreaterThan(0);
    for (const [from, to] of illegal) expectIllegal(() => move(from, to));
  });
});

/** The only ways out of a terminal state: an operator's retry of a dead task and the reopening it causes. */
const REOPEN: Partial<Record<TaskState, readonly TaskState[]>> = {
  dead: ['ready'],
  cancelled: ['pending', 'ready'],
};

describe('terminal states', () => {
  it('are left only by reopening; succeeded tasks and goals, and cancelled goals, never', () => {
    for (const s of TERMINAL_TASK_STATES) expect(TASK_TRANSITIONS[s]).toEqual(REOPEN[s] ?? []);
    expect(TASK_TRANSITIONS.succeeded).toEqual([]);
    for (const s of ['succeeded', 'cancelled'] as const) expect(GOAL_TRANSITIONS[s]).toEqual([]);
    expect(GOAL_TRANSITIONS.failed).toEqual(['running']);
  });

  it('are exactly the task states without exits of their own (only reopening leaves them)', () => {
    for (const s of Object.keys(TASK_TRANSITIONS) as TaskState[]) {
      const own = TASK_TRANSITIONS[s].filter((to) => !(REOPEN[s] ?? []).includes(to));
      expect(isTerminalTask(s)).toBe(own.length === 0);
    }
  });

  it('stamp finishedAt on a goal when it leaves running', () => {
    expect(moveGoal(makeGoal('running'), 'failed', 42).finishedAt).toBe(42);
  });
});

describe('moveTask over random command sequences', () => {
  const STATES = Object.keys(TASK_TRANSITIONS) as TaskState[];

  it('leaves a terminal state only by reopening and sets finishedAt exactly for terminal states', () => {
    // Half legal moves so runs reach deep states, half arbitrary (often illegal) ones.
    const commandArb = fc.record({ legal: fc.boolean(), pick: fc.nat(), any: fc.constantFrom(...STATES) });
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), (commands) => {
        let t = makeTask('pending');
        let now = 1;
        for (const command of commands) {
          const exits = TASK_TRANSITIONS[t.state];
          const to =
            command.legal && exits.length > 0
              ? (exits[command.pick % exits.length] as TaskState)
              : command.any;
          now++;
          const wasTerminal = isTerminalTask(t.state);
          try {
            const next = moveTask(t, to, now);
            if (wasTerminal) expect(REOPEN[t.state]).toContain(to);
            expect(next.updatedAt).toBe(now);
            t = next;
          } catch (e) {
            expect((e as KosError).code).toBe('KOS_ERR_ILLEGAL_TRANSITION');
            expect(TASK_TRANSITIONS[t.state]).not.toContain(to);
          }
          expect(t.finishedAt !== null).toBe(isTerminalTask(t.state));
        }
      }),
    );
  });

  it('returns a new task and leaves the input unchanged', () => {
    const t = makeTask('ready');
    const next = moveTask(t, 'leased', 9);
    expect(next).not.toBe(t);
    expect(t.state).toBe('ready');
    expect(t.updatedAt).toBe(0);
  });
});
