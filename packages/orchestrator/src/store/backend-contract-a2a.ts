import { describe, expect, it } from 'vitest';
import { uid } from '../records.fixture.ts';
import type { QueueHarness } from './backend-contract-queues.ts';
import type { A2aPushConfig } from './records.ts';

/** The A2A tables of the backend contract: a goal's contextId, and its push configs. */
export function contractOfA2a(h: QueueHarness): void {
  const { write, read } = h;
  const config = (goalId: string, id: string, over: Partial<A2aPushConfig> = {}): A2aPushConfig => ({
    goalId,
    id,
    url: `http://127.0.0.1:9/${id}`,
    token: null,
    authScheme: null,
    authCredentials: null,
    createdAt: 100,
    ...over,
  });

  describe('A2A tasks and push configs', () => {
    it('keeps the contextId of an A2A goal, once, and knows no other goal', async () => {
      const goalId = uid('g');
      await write((tx) => tx.insertA2aTask({ goalId, contextId: 'ctx-1', createdAt: 42 }));
      expect(await read((tx) => tx.getA2aTask(goalId))).toEqual({
        goalId,
        contextId: 'ctx-1',
        createdAt: 42,
      });
      expect(await read((tx) => tx.getA2aTask(uid('g')))).toBeNull();
      await expect(
        write((tx) => tx.insertA2aTask({ goalId, contextId: 'ctx-2', createdAt: 43 })),
      ).rejects.toThrow();
      expect((await read((tx) => tx.getA2aTask(goalId)))?.contextId).toBe('ctx-1');
    });

    it('lists a goal’s push configs oldest first, replaces one by id and deletes it', async () => {
      const g = uid('g');
      const other = uid('g');
      const b = config(g, 'b', { createdAt: 200, token: 'tok', authScheme: 'Bearer', authCredentials: 'c' });
      await write(async (tx) => {
        await tx.putA2aPushConfig(b);
        await tx.putA2aPushConfig(config(g, 'a'));
        await tx.putA2aPushConfig(config(other, 'a'));
      });
      expect(await read((tx) => tx.listA2aPushConfigs(g))).toEqual([config(g, 'a'), b]);
      const moved = { ...b, url: 'http://127.0.0.1:9/moved' };
      await write((tx) => tx.putA2aPushConfig(moved));
      expect(await read((tx) => tx.listA2aPushConfigs(g))).toEqual([config(g, 'a'), moved]);
      expect(await write((tx) => tx.deleteA2aPushConfig(g, 'a'))).toBe(true);
      expect(await write((tx) => tx.deleteA2aPushConfig(g, 'a'))).toBe(false);
      expect(await read((tx) => tx.listA2aPushConfigs(g))).toEqual([moved]);
      expect(await read((tx) => tx.listA2aPushConfigs(other))).toEqual([config(other, 'a')]);
    });
  });
}
