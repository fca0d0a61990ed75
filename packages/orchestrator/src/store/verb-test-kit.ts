import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { resolveConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { planFromTasks, type PlannedTask } from '../planner/index.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { GoalPolicy } from '../scheduler/policy.ts';
import type { Task, TaskError } from '../scheduler/task.ts';
import type { Backend } from './backend.ts';
import { openPostgresBackend } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres/test-database.ts';
import { openSqliteBackend } from './sqlite/index.ts';
import { Store } from './store.ts';

/**
 * Test helper for verb tests on both backends: a real SQLite file, and a real PostgreSQL database
 * per test file (emptied before each test), with a hand-driven clock.
 *
 * ```ts
 * describe.each(verbBackends())('retries on $name', (backend) => {
 *   const h = verbHarness(backend);
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
  /** Closes the store and opens it again on the same data, like a restarted orchestrator. */
  restart(): Promise<void>;
  task(name: string, extra?: Partial<PlannedTask>): PlannedTask;
  submit(tasks: PlannedTask[], policy?: Partial<GoalPolicy>): ReturnType<Store['submitGoal']>;
  get(id: string): Promise<Task>;
  goal(id: string): Promise<Goal>;
  complete(id: string, result?: unknown): Promise<Task>;
  fail(id: string, error?: Partial<TaskError>): ReturnType<Store['failTask']>;
  /** Moves the clock and runs one sweep. */
  sweepAt(ms: number): ReturnType<Store['sweep']>;
}

/** `random`: the store's jitter source (default: always 0.5). */
export function verbHarness(backend: VerbBackend, random: () => number = () => 0.5): VerbHarness {
  let dir = '';
  const h = {
    clock: { now: 1_000_000 },
    async restart() {
      await h.store.backend.close();
      h.store = new Store(await backend.reopen(dir), h.config, { now: () => h.clock.now }, random);
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
        ...(policy === undefined
          ? {}
          : { policy: { onTaskDeath: 'fail_fast', maxParallel: null, weight: 1, ...policy } }),
      }),
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
    async complete(id: string, result: unknown = 'ok') {
      const t = await h.get(id);
      return h.store.completeTask('test', { taskId: id, agentId: t.agentId!, epoch: t.epoch, result });
    },
    async fail(id: string, error: Partial<TaskError> = {}) {
      const t = await h.get(id);
      return h.store.failTask('test', {
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
    h.config = resolveConfig({ env: {}, flags: { dataDir: dir } });
    h.clock.now = 1_000_000;
    h.store = new Store(await backend.open(dir), h.config, { now: () => h.clock.now }, random);
  });
  afterEach(async () => {
    await h.store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return h;
}
