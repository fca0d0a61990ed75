/**
 * The dashboard's routes (issue 12) in the contracts drive (contracts.test.ts): their calls at the
 * moments the drive reads everything, and the ones that submit or cancel; and the key routes.
 */
import { expect } from 'vitest';
import type { Route, TaskReceiptResponse } from '@kos/contracts';
import { generateKey, signKeyRotation, type AgentKey } from '@kos/protocol/node';
import { poll, type Answer } from '@kos/testing';

export type Call = <T = unknown>(
  route: Route,
  url: string,
  options?: { body?: unknown },
) => Promise<Answer<T>>;

/** Every read route of the dashboard, for a goal and its tasks. */
export async function readDashboard(call: Call, goalId: string, taskIds: readonly string[]): Promise<void> {
  await call('GET /orchestration/session', '/orchestration/session');
  await call('GET /orchestration/tokens', '/orchestration/tokens');
  await call('GET /orchestration/templates', '/orchestration/templates');
  await call('GET /orchestration/kpis', '/orchestration/kpis');
  await call('GET /orchestration/kpis', '/orchestration/kpis?window_ms=600000&bucket_ms=10000');
  await call('GET /orchestration/tensor', '/orchestration/tensor?format=sparse&explain=true');
  await call('GET /orchestration/tensor', `/orchestration/tensor?goal_id=${goalId}&explain=true`);
  await call(
    'GET /orchestration/goals',
    '/orchestration/goals?state=running,cancelled&template=explicit&q=TOUR',
  );
  for (const id of taskIds)
    await call('GET /orchestration/tasks/:id/receipt', `/orchestration/tasks/${id}/receipt`);
}

/** Previews (a template's plan, a DAG with problems), a bulk cancel of a goal made for it, a revocation. */
export async function previewAndBulkCancel(call: Call): Promise<void> {
  const spare = await call<{ id: string }>('POST /orchestration/tokens', '/orchestration/tokens', {
    body: { role: 'viewer', label: 'revoked by the contracts drive' },
  });
  await call('POST /orchestration/tokens/:id/revoke', `/orchestration/tokens/${spare.body.id}/revoke`);
  await call('POST /orchestration/goals/preview', '/orchestration/goals/preview', {
    body: { goal: 'analyze customer data trends', context: 'Q4 2024' },
  });
  await call('POST /orchestration/goals/preview', '/orchestration/goals/preview', {
    body: { goal: 'a loop', tasks: [{ name: 'a', skills: ['x'], depends_on: ['a', 'ghost'] }] },
  });
  await call('POST /orchestration/decompose', '/orchestration/decompose', {
    body: { goal: 'bulk-cancel me', tasks: [{ name: 'b', skills: ['nobody-bulk'] }] },
  });
  await call('POST /orchestration/goals/cancel', '/orchestration/goals/cancel', {
    body: { q: 'bulk-cancel me', reason: 'contracts' },
  });
  await call('POST /orchestration/goals/cancel', '/orchestration/goals/cancel', { body: {} });
}

/** A KLP agent's result is verified once a signed frame covers it; a REST agent's stays unproven. */
export async function expectReceipts(call: Call, klpTask: string, restTask: string): Promise<void> {
  const receipt = async (id: string) =>
    (
      await call<TaskReceiptResponse>(
        'GET /orchestration/tasks/:id/receipt',
        `/orchestration/tasks/${id}/receipt`,
      )
    ).body;
  const verified = await poll(async () => {
    const r = await receipt(klpTask);
    return r.status === 'verified' ? r : undefined;
  });
  expect(verified.key).toMatch(/^ed25519:/);
  expect((await receipt(restTask)).status).toBe('unproven');
}

/** The KLP agent's key moved to a new one (signed by both), then unbound by an operator. */
export async function rotateAndResetKey(
  call: Call,
  agentId: string,
  name: string,
  key: AgentKey,
): Promise<void> {
  const rotated = await call('POST /orchestration/agents/:id/key', `/orchestration/agents/${agentId}/key`, {
    body: signKeyRotation(name, key, generateKey(), new Date()),
  });
  expect(rotated.status).toBe(200);
  const reset = await call(
    'POST /orchestration/agents/:id/key/reset',
    `/orchestration/agents/${agentId}/key/reset`,
    { body: { reason: 'checking the contracts' } },
  );
  expect(reset.status).toBe(200);
}
