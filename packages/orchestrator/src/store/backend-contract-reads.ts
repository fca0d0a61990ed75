import { describe, expect, it } from 'vitest';
import { event, goal } from '../records.fixture.ts';
import type { GoalFilter } from './backend.ts';
import type { QueueHarness } from './backend-contract-queues.ts';

/**
 * The dashboard's reads of the backend contract: goal filters (template, text, several states)
 * with paging, events of a time window, and ready tasks per priority tier.
 */
export function contractOfDashboardReads(h: QueueHarness): void {
  const { write, read, seed } = h;
  const ids = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);

  describe('dashboard reads', () => {
    it('filters goals by template, text (any case, Unicode) and several states, paging within the filter', async () => {
      const gs = [
        goal({ createdAt: 10, template: 'analysis', goal: 'Analyze the Q4 Sales', state: 'running' }),
        goal({ createdAt: 20, template: 'analysis', goal: 'analyze churn', state: 'failed' }),
        goal({ createdAt: 30, template: 'generic', goal: 'ANALYZE support tickets', state: 'running' }),
        goal({ createdAt: 40, template: 'analysis', goal: 'Résumé of the ÉCOLE survey', state: 'cancelled' }),
        goal({ createdAt: 50, template: 'analysis', goal: 'write the sales report', state: 'running' }),
        goal({ createdAt: 60, template: 'analysis', goal: '100% of 50_50 cases', state: 'running' }),
      ];
      await write(async (tx) => {
        for (const g of gs) await tx.insertGoal(g);
      });
      const [g1, g2, g3, g4, g5, g6] = ids(gs);
      const list = async (f: GoalFilter, limit = 10, after?: string) =>
        ids(await read((tx) => tx.listGoals(f, { limit, after })));
      expect(await list({ template: 'analysis' })).toEqual([g6, g5, g4, g2, g1]);
      expect(await list({ template: 'analys' })).toEqual([]);
      expect(await list({ text: 'analyze' })).toEqual([g3, g2, g1]);
      expect(await list({ text: 'SALES' })).toEqual([g5, g1]);
      expect(await list({ text: 'école' })).toEqual([g4]);
      // Wildcards of LIKE are plain characters here.
      expect(await list({ text: '%' })).toEqual([g6]);
      expect(await list({ text: '_5' })).toEqual([g6]);
      expect(await list({ states: ['running', 'failed'], template: 'analysis', text: 'a' })).toEqual([
        g6,
        g5,
        g2,
        g1,
      ]);
      const filter: GoalFilter = { states: ['running', 'failed'], text: 'analyze' };
      expect(await list(filter, 2)).toEqual([g3, g2]);
      expect(await list(filter, 2, g2)).toEqual([g1]);
      expect(await list(filter, 2, g1)).toEqual([]);
    });

    it('lists the events at or after a time, in seq order, with the other filters', async () => {
      await write((tx) =>
        tx.appendEvents([
          event({ at: 100, kind: 'task.state' }),
          event({ at: 200, kind: 'agent.state' }),
          event({ at: 300, kind: 'task.state' }),
          event({ at: 400, kind: 'task.assigned' }),
        ]),
      );
      const all = await read((tx) => tx.listEvents({ limit: 10 }));
      const ats = async (since: number, kinds?: ('task.state' | 'task.assigned')[], afterSeq?: number) =>
        (await read((tx) => tx.listEvents({ since, kinds, afterSeq, limit: 10 }))).map((e) => e.at);
      expect(await ats(200)).toEqual([200, 300, 400]);
      expect(await ats(201, ['task.state', 'task.assigned'])).toEqual([300, 400]);
      expect(await ats(0, ['task.state'])).toEqual([100, 300]);
      expect(await ats(100, undefined, all[2]!.seq)).toEqual([400]);
      expect(await ats(401)).toEqual([]);
    });

    it('counts ready tasks per priority tier, leaving out the other states', async () => {
      await seed([
        { state: 'ready', priority: 'critical' },
        { state: 'ready', priority: 'low' },
        { state: 'ready', priority: 'low' },
        { state: 'pending', priority: 'high' },
        { state: 'leased', priority: 'critical', agentId: 'a1' },
      ]);
      expect(await read((tx) => tx.countReadyByPriority())).toEqual({ critical: 1, low: 2 });
    });
  });
}
