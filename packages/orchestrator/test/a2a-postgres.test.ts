import { TaskState } from '@a2a-js/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, startServer, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { a2aClient, collect, data, sendRequest, statesOf, userMessage } from './a2a-stack.ts';
import { chain, startWorker, tokenOf } from './fleet-stack.ts';

/** Two replicas on one PostgreSQL database: an A2A task sent to one is followed on the other. */
describe('A2A on PostgreSQL replicas', () => {
  let db: TestDatabase;
  const replicas: ServerHandle[] = [];
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('kos_a2a');
    for (let i = 0; i < 2; i++) replicas.push(await startServer({ env: { KOS_STORE: db.url } }));
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    for (const r of replicas) await r.stop();
    for (const r of replicas) r.cleanup();
    await db?.drop();
  });

  it('streams on one replica a goal sent through another, with its contextId, to completion', async () => {
    const [a, b] = replicas as [ServerHandle, ServerHandle];
    const admin = new Http(a.url, a.adminToken);
    worker = await startWorker(a, admin, 'a2a-pg-worker', 300);
    const token = await tokenOf(admin, 'submitter');
    const onA = await a2aClient(a.url, token);
    const onB = await a2aClient(b.url, token);
    const message = userMessage([data({ goal: 'across replicas', tasks: chain(3) })], {
      contextId: 'ctx-pg',
    });
    const sent = await onA.sendMessage(sendRequest(message, true));
    const id = 'id' in sent ? sent.id : '';
    const events = await collect(onB.resubscribeTask({ tenant: '', id }));
    expect(statesOf(events).at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    const read = await onB.getTask({ tenant: '', id });
    expect(read.contextId).toBe('ctx-pg');
    expect(read.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
