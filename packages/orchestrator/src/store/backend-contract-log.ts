import { expect, it, describe } from 'vitest';
import type { Backend, ReadTx, Tx } from './backend.ts';
import { agent, event, goal, token } from '../records.fixture.ts';
import type { A2aRemoteRecord, TokenRecord } from './records.ts';

/** What the parts of the backend contract suite share (see backend-contract.ts). */
export interface ContractHarness {
  readonly backend: Backend;
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
}

/** The event log, tokens and transaction guarantees of the backend contract. */
export function contractOfLogAndTransactions(h: ContractHarness): void {
  const { write, read } = h;
  describe('events', () => {
    it('assigns strictly increasing seq numbers and keeps each event as written', async () => {
      const batch1 = [event({ data: { n: 1, nested: { ok: true } } }), event()];
      await write((tx) => tx.appendEvents(batch1));
      await write((tx) => tx.appendEvents([event({ kind: 'audit' })]));
      const all = await read((tx) => tx.listEvents({ limit: 10 }));
      expect(all.map(({ seq: _seq, ...rest }) => rest)).toEqual([...batch1, event({ kind: 'audit' })]);
      const seqs = all.map((e) => e.seq);
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    });

    it('filters events by goal, task, agent, kinds and afterSeq, in seq order up to the limit', async () => {
      await write((tx) =>
        tx.appendEvents([
          event({ goalId: 'g1', kind: 'goal.submitted' }),
          event({ goalId: 'g1', taskId: 't1', kind: 'task.state' }),
          event({ goalId: 'g2', taskId: 't2', agentId: 'a1', kind: 'task.assigned' }),
          event({ agentId: 'a1', kind: 'agent.state' }),
          event({ goalId: 'g1', taskId: 't1', agentId: 'a1', kind: 'task.assigned' }),
        ]),
      );
      const all = await read((tx) => tx.listEvents({ limit: 100 }));
      const seqOf = (i: number): number => all[i]!.seq;
      const list = async (
        f: Omit<Parameters<ReadTx['listEvents']>[0], 'limit'>,
        limit = 100,
      ): Promise<number[]> => (await read((tx) => tx.listEvents({ ...f, limit }))).map((e) => e.seq);
      expect(await list({ goalId: 'g1' })).toEqual([seqOf(0), seqOf(1), seqOf(4)]);
      expect(await list({ taskId: 't1' })).toEqual([seqOf(1), seqOf(4)]);
      expect(await list({ agentId: 'a1' })).toEqual([seqOf(2), seqOf(3), seqOf(4)]);
      expect(await list({ kinds: ['task.assigned', 'goal.submitted'] })).toEqual([
        seqOf(0),
        seqOf(2),
        seqOf(4),
      ]);
      expect(await list({ kinds: [] })).toEqual([]);
      expect(await list({ afterSeq: seqOf(2) })).toEqual([seqOf(3), seqOf(4)]);
      expect(await list({ goalId: 'g1', kinds: ['task.assigned'] })).toEqual([seqOf(4)]);
      expect(await list({}, 2)).toEqual([seqOf(0), seqOf(1)]);
    });

    it('names the seq of the newest event, 0 while there is none, and sees a transaction its own', async () => {
      expect(await read((tx) => tx.lastEventSeq())).toBe(0);
      await write((tx) => tx.appendEvents([event(), event()]));
      const all = await read((tx) => tx.listEvents({ limit: 10 }));
      expect(await read((tx) => tx.lastEventSeq())).toBe(all.at(-1)!.seq);
      const own = await write(async (tx) => {
        await tx.appendEvents([event()]);
        return tx.lastEventSeq();
      });
      expect(own).toBeGreaterThan(all.at(-1)!.seq);
      expect(await read((tx) => tx.lastEventSeq())).toBe(own);
    });
  });

  describe('tokens', () => {
    it('round-trips tokens, finds them by hash and updates them with putToken', async () => {
      const [t1, t2] = [
        token({ createdAt: 1, expiresAt: 1_796_000_000_000 }),
        token({ role: 'agent', agentName: null, createdAt: 2 }),
      ];
      await write(async (tx) => {
        await tx.insertToken(t1);
        await tx.insertToken(t2);
      });
      expect(await read((tx) => tx.getTokenByHash(t2.hash))).toEqual(t2);
      expect(await read((tx) => tx.getTokenByHash('no-such-hash'))).toBeNull();
      const bound: TokenRecord = { ...t2, agentName: 'worker-1', revokedAt: 99 };
      await write((tx) => tx.putToken(bound));
      expect(await read((tx) => tx.listTokens())).toEqual([t1, bound]);
      await expect(write((tx) => tx.insertToken({ ...token(), hash: t1.hash }))).rejects.toBeDefined();
    });
  });

  describe('remote A2A agents', () => {
    it('round-trips remotes, replaces one by agent id, refuses a second agent for one card URL and deletes', async () => {
      const r1: A2aRemoteRecord = {
        agentId: 'a-1',
        cardUrl: 'http://b.example/.well-known/agent-card.json',
        card: { name: 'b', skills: [{ id: 'x', tags: ['y'] }] },
        token: 'secret',
        addedAt: 1,
        updatedAt: 1,
      };
      const r2: A2aRemoteRecord = { ...r1, agentId: 'a-2', cardUrl: 'http://a.example/card', token: null };
      await write(async (tx) => {
        await tx.putA2aRemote(r1);
        await tx.putA2aRemote(r2);
      });
      expect(await read((tx) => tx.listA2aRemotes())).toEqual([r2, r1]);
      const renewed = { ...r1, card: { name: 'b2' }, token: null, addedAt: 50, updatedAt: 99 };
      await write((tx) => tx.putA2aRemote(renewed));
      // addedAt stays the first registration's.
      expect(await read((tx) => tx.listA2aRemotes())).toEqual([r2, { ...renewed, addedAt: 1 }]);
      await expect(
        write((tx) => tx.putA2aRemote({ ...r2, agentId: 'a-3', cardUrl: r1.cardUrl })),
      ).rejects.toBeDefined();
      expect(await write((tx) => tx.deleteA2aRemote('a-2'))).toBe(true);
      expect(await write((tx) => tx.deleteA2aRemote('a-2'))).toBe(false);
      expect((await read((tx) => tx.listA2aRemotes())).map((r) => r.agentId)).toEqual(['a-1']);
    });
  });

  describe('transactions', () => {
    it('resolves with the value its callback returns', async () => {
      expect(await write(async () => 42)).toBe(42);
    });

    it('changes nothing when its callback throws, and rethrows that same error', async () => {
      const g = goal();
      const boom = new Error('boom');
      await expect(
        write(async (tx) => {
          await tx.insertGoal(g);
          await tx.appendEvents([event({ goalId: g.id })]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await read((tx) => tx.getGoal(g.id))).toBeNull();
      expect(await read((tx) => tx.listEvents({ limit: 10 }))).toEqual([]);
    });

    it('commits 200 transactions started in the same tick, each seeing the writes of those before it', async () => {
      const counter = goal({ succeededCount: 0 });
      await write((tx) => tx.insertGoal(counter));
      const seen = await Promise.all(
        Array.from({ length: 200 }, () =>
          write(async (tx) => {
            const g = (await tx.getGoal(counter.id))!;
            await tx.putGoal({ ...g, succeededCount: g.succeededCount + 1 });
            return g.succeededCount;
          }),
        ),
      );
      expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect((await read((tx) => tx.getGoal(counter.id)))?.succeededCount).toBe(200);
    });

    it('keeps what earlier transactions of a batch wrote when a later one that read those rows fails', async () => {
      const a = agent({ trust: 0.5 });
      const g = goal({ succeededCount: 0 });
      await write(async (tx) => {
        await tx.putAgent(a);
        await tx.insertGoal(g);
      });
      const boom = new Error('boom');
      const [, , failed, last] = await Promise.allSettled([
        write(async (tx) => tx.putAgent({ ...(await tx.getAgent(a.id))!, trust: 0.9 })),
        write(async (tx) => tx.putGoal({ ...(await tx.getGoal(g.id))!, succeededCount: 1 })),
        write(async (tx) => {
          // Reads every agent and goal, then fails: the two writes before it must stand.
          await tx.listAgents();
          await tx.listGoals({}, { limit: 10 });
          await tx.putAgent({ ...(await tx.getAgent(a.id))!, trust: 0.1 });
          await tx.putGoal({ ...(await tx.getGoal(g.id))!, succeededCount: 99 });
          throw boom;
        }),
        write(async (tx) => ({ agent: await tx.getAgent(a.id), goal: await tx.getGoal(g.id) })),
      ]);
      expect(failed).toEqual({ status: 'rejected', reason: boom });
      expect(
        last.status === 'fulfilled' && [last.value.agent?.trust, last.value.goal?.succeededCount],
      ).toEqual([0.9, 1]);
      expect((await read((tx) => tx.getAgent(a.id)))?.trust).toBe(0.9);
      expect((await read((tx) => tx.getGoal(g.id)))?.succeededCount).toBe(1);
    });

    it('keeps uncommitted writes out of read(), and shows them once the transaction resolved', async () => {
      const g = goal();
      const seenInside = await write(async (tx) => {
        await tx.insertGoal(g);
        const ownView = await tx.getGoal(g.id);
        const readerView = await read((r) => r.getGoal(g.id));
        return { ownView, readerView };
      });
      expect(seenInside).toEqual({ ownView: g, readerView: null });
      expect(await read((tx) => tx.getGoal(g.id))).toEqual(g);
    });

    it('answers ping while open', async () => {
      expect(await h.backend.ping()).toBe(true);
    });
  });
}
