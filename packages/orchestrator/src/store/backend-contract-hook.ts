import { afterEach, describe, expect, it } from 'vitest';
import type { Goal } from '../scheduler/goal.ts';
import type { BatchHook, Tx } from './backend.ts';
import type { ContractHarness } from './backend-contract-log.ts';
import { goal } from '../records.fixture.ts';

/** What a test hook was told, in order. */
type Told = { committed: unknown } | { failed: unknown };

/** The batch hook of the backend contract (Backend.setBatchHook, TxOptions.wantsHook). */
export function contractOfBatchHook(h: ContractHarness): void {
  const { read } = h;
  const asking = <T>(fn: (tx: Tx) => Promise<T>, wants: (value: T) => boolean = () => true) =>
    h.backend.transaction(fn, { wantsHook: wants });
  /** Installs a hook running `run`; answers what it was told. */
  const install = (run: BatchHook['run']): Told[] => {
    const told: Told[] = [];
    h.backend.setBatchHook({
      run,
      committed: (value) => told.push({ committed: value }),
      failed: (error) => told.push({ failed: error }),
    });
    return told;
  };

  describe('batch hook', () => {
    afterEach(() => h.backend.setBatchHook(null));

    it('runs after the transaction that asked, sees its writes, commits with it, and is told first', async () => {
      const mine = goal();
      const extra = goal();
      const told = install(async (tx) => {
        await tx.insertGoal(extra);
        return tx.getGoal(mine.id);
      });
      let toldBeforeResolve: Told[] = [];
      await asking((tx) => tx.insertGoal(mine)).then(() => (toldBeforeResolve = [...told]));
      expect(toldBeforeResolve).toEqual([{ committed: mine }]);
      expect(await read((tx) => tx.getGoal(extra.id))).toEqual(extra);
    });

    it('does not run when no transaction asked, when the one that asked failed, or when wantsHook said no', async () => {
      let runs = 0;
      install(async () => void runs++);
      await h.write((tx) => tx.insertGoal(goal()));
      await expect(
        asking(async () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await asking(
        async () => 0,
        (n) => n === 1,
      );
      expect(runs).toBe(0);
      await asking(
        async () => 1,
        (n) => n === 1,
      );
      expect(runs).toBe(1);
    });

    it('runs once at the end of a batch of asking transactions, after all of them', async () => {
      const goals = Array.from({ length: 50 }, () => goal());
      let runs = 0;
      const told = install(async (tx) => {
        runs++;
        return (await Promise.all(goals.map((g) => tx.getGoal(g.id)))).filter((g) => g !== null).length;
      });
      await Promise.all(goals.map((g) => asking((tx) => tx.insertGoal(g))));
      expect(runs).toBeGreaterThan(0);
      expect(runs).toBeLessThan(goals.length);
      expect(told.at(-1)).toEqual({ committed: goals.length });
    });

    it('undoes only its own writes when it throws: the batch commits and the hook is told why', async () => {
      const mine = goal();
      const lost: Goal = goal();
      const boom = new Error('hook failed');
      const told = install(async (tx) => {
        await tx.insertGoal(lost);
        throw boom;
      });
      await asking((tx) => tx.insertGoal(mine));
      expect(told).toEqual([{ failed: boom }]);
      expect(await read((tx) => tx.getGoal(mine.id))).toEqual(mine);
      expect(await read((tx) => tx.getGoal(lost.id))).toBeNull();
    });

    it('tells each transaction that committed, in commit order, then the hook, before any caller hears', async () => {
      const told: string[] = [];
      h.backend.setBatchHook({
        run: async () => 'round',
        committed: (value) => told.push(`hook ${String(value)}`),
        failed: () => told.push('hook failed'),
      });
      const op = (name: string, fail = false) =>
        h.backend
          .transaction(
            async (tx) => {
              await tx.insertGoal(goal());
              if (fail) throw new Error(name);
              return name;
            },
            { wantsHook: () => true, committed: (value) => told.push(`committed ${value}`) },
          )
          .then(
            () => told.push(`resolved ${name}`),
            () => told.push(`rejected ${name}`),
          );
      await Promise.all([op('a'), op('b', true), op('c')]);
      expect(told.indexOf('committed a')).toBeLessThan(told.indexOf('committed c'));
      expect(told).not.toContain('committed b');
      const lastTold = Math.max(...['committed a', 'committed c', 'hook round'].map((t) => told.indexOf(t)));
      expect(told.indexOf('hook round')).toBe(lastTold);
      const firstAnswer = Math.min(...['resolved a', 'rejected b', 'resolved c'].map((t) => told.indexOf(t)));
      expect(firstAnswer).toBeGreaterThan(lastTold);
    });

    it('stops running once removed', async () => {
      let runs = 0;
      install(async () => void runs++);
      h.backend.setBatchHook(null);
      await asking((tx) => tx.insertGoal(goal()));
      expect(runs).toBe(0);
    });
  });
}
