import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { resolveConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { planFromTasks, type PlannedTask } from '../planner/index.ts';
import type { Agent } from '../registry/agent.ts';
import { trustNow } from '../registry/health.ts';
import type { Goal } from '../scheduler/goal.ts';
import { DEFAULT_GOAL_POLICY, type GoalPolicy } from '../scheduler/policy.ts';
import type { Task, TaskError } from '../scheduler/task.ts';
import type { Backend } from './backend.ts';
import type { CommitEffects } from './effects.ts';
import { openPostgresBackend } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres/test-database.ts';
import { openSqliteBackend } from './sqlite/index.ts';
import { Store } from './store.ts';

/**
 * Test helper for store and verb tests on both backends: a real SQLite file, and a real PostgreSQL
 * database per test file (emptied before each test), with a hand-driven clock and an adjustable
 * configuration. The one way store-level tests open a store, register, submit, complete and fail.
 *
 * ```ts
 * describe.each(verbBackends())('retries on $name', (backend) => {
 *   const h = verbHarness(backend, { config: (c) => ({ ...c, retry: { ...c.retry, jitter: false } }) });
 *   it('…', async () => { const { tasks } = await h.submit([h.task('a')]); … });
 * });
 * ```
 */

export interface VerbBackend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty store. */
  open(dir: string): Promise<Backend>;
  /** The same store again, as after a restart. */
  reopen(dir: string): Promise<Backend>;
}

export function verbBackends(): VerbBackend[] {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.drop();
  });
  const sqlite = (dir: string) => openSqliteBackend({ file: `${dir}/kos.db`, synchronous: 'NORMAL' });
  return [
    { name: 'sqlite', open: sqlite, reopen: sqlite },
    {
      name: 'postgres',
      open: async () => {
        db ??= await createTestDatabase();
        await db.reset();
        return openPostgresBackend({ url: db.url });
      },
      reopen: async () => openPostgresBackend({ url: db!.url }),
    },
  ];
}

export interface VerbHarness {
  store: Store;
  config: Config;
  /** The clock the store reads; tests move it forward. */
  clock: { now: number };
  /** What the store published this test, one record per committed transaction (store/effects.ts). */
  effects: CommitEffects[];
  /** The record the last committed transaction published (fails the test if none was). */
  lastEffects(): CommitEffects;
  /** Closes the store and opens it again on the same data, like a restarted orchestrator. */
  restart(): Promise<void>;
  /** The same data under a changed configuration (for a test that needs other settings than the file's). */
  configure(change: (config: Config) => Config): void;
  task(name: string, extra?: Partial<PlannedTask>): PlannedTask;
  /** `policy`: the goal's policy over the defaults; none given, none sent. */
  submit(tasks: PlannedTask[], policy?: Partial<GoalPolicy>): ReturnType<Store['submitGoal']>;
  /** Registers an agent with skill `s` (and the store's default capacity unless given). */
  register(name: string, extra?: { skills?: string[]; maxParallel?: number }): Promise<Agent>;
  get(id: string): Promise<Task>;
  goal(id: string): Promise<Goal>;
  agent(id: string): Promise<Agent>;
  /** The agent's trust as of the store's clock (it decays toward neutral as time passes). */
  trustOf(agentId: string): Promise<number>;
  /** The task's holder reports success. */
  complete(id: string, result?: unknown): Promise<Task>;
  /** The task's holder reports a (by default retryable) failure; `actor` as the event log records it. */
  fail(id: string, error?: Partial<TaskError>, actor?: string): ReturnType<Store['failTask']>;
  /** Moves the clock and runs one sweep. */
  sweepAt(ms: number): ReturnType<Store['sweep']>;
}

export interface VerbHarnessOptions {
  /** The store's jitter source (default: always 0.5). */
  random?: () => number;
  /** The configuration of every test in the block, from the defaults (`dataDir` the test's folder). */
  config?: (base: Config) => Config;
}

export function verbHarness(backend: VerbBackend, options: VerbHarnessOptions = {}): VerbHarness {
  const { random = () => 0.5, config = (c: Config) => c } = options;
  let dir = '';
  const storeOn = (b: Backend) => {
    const store = new Store(b, h.config, { clock: { now: () => h.clock.now }, random });
    store.effects.subscribe((e) => h.effects.push(e));
    return store;
  };
  const h = {
    clock: { now: 1_000_000 },
    effects: [] as CommitEffects[],
    lastEffects() {
      const last = h.effects.at(-1);
      expect(last, 'a published CommitEffects record').toBeDefined();
      return last!;
    },
    async restart() {
      await h.store.backend.close();
      h.store = storeOn(await backend.reopen(dir));
    },
    configure(change: (c: Config) => Config) {
      h.config = change(h.config);
      h.store = storeOn(h.store.backend);
    },
    task: (name: string, extra: Partial<PlannedTask> = {}): PlannedTask => ({
      name,
      skills: ['s'],
      priority: 'medium',
      estimatedDurationMs: 1000,
      dependsOn: [],
      input: null,
      ...extra,
    }),
    submit: (tasks: PlannedTask[], policy?: Partial<GoalPolicy>) =>
      h.store.submitGoal('test', {
        goal: 'g',
        context: '',
        priority: 'medium',
        plan: planFromTasks(tasks, h.config.limits),
        ...(policy === undefined ? {} : { policy: { ...DEFAULT_GOAL_POLICY, ...policy } }),
      }),
    async register(name: string, extra: { skills?: string[]; maxParallel?: number } = {}) {
      return (await h.store.registerAgent('test', { name, skills: ['s'], ...extra })).agent;
    },
    async get(id: string) {
      const t = await h.store.read((tx) => tx.getTask(id));
      expect(t).not.toBeNull();
      return t!;
    },
    async goal(id: string) {
      const g = await h.store.read((tx) => tx.getGoal(id));
      expect(g).not.toBeNull();
      return g!;
    },
    async agent(id: string) {
      const a = await h.store.read((tx) => tx.getAgent(id));
      expect(a).not.toBeNull();
      return a!;
    },
    async trustOf(agentId: string) {
      return trustNow(await h.agent(agentId), h.clock.now, h.config);
    },
    async complete(id: string, result: unknown = 'ok') {
      const t = await h.get(id);
      return h.store.completeTask('test', { taskId: id, agentId: t.agentId!, epoch: t.epoch, result });
    },
    async fail(id: string, error: Partial<TaskError> = {}, actor = 'test') {
      const t = await h.get(id);
      return h.store.failTask(actor, {
        taskId: id,
        agentId: t.agentId!,
        epoch: t.epoch,
        error: { code: 'boom', message: 'it broke', retryable: true, ...error },
      });
    },
    sweepAt(ms: number) {
      h.clock.now = ms;
      return h.store.sweep();
    },
  } as VerbHarness;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kos-verbs-'));
    h.config = config(resolveConfig({ env: {}, flags: { dataDir: dir } }));
    h.clock.now = 1_000_000;
    h.effects = [];
    h.store = storeOn(await backend.open(dir));
  });
  afterEach(async () => {
    await h.store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return h;
}

/** What a promise rejected with; fails the test if it resolved. */
export const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e as { code: string },
  );
