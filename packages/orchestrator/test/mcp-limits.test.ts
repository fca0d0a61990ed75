import { describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';

const JSON_RPC = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

/** What /mcp refuses before any tool runs: no token, bad JSON, bad JSON-RPC, an oversize body. */
describe('the /mcp endpoint refusing bad requests', () => {
  const running = useServer();
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${running.server.url}/mcp`, {
      method: 'POST',
      headers: { ...JSON_RPC, authorization: `Bearer ${running.server.adminToken}`, ...headers },
      body,
    });

  it('answers 401 KOS_ERR_UNAUTHENTICATED without a valid bearer token', async () => {
    for (const authorization of ['', 'Bearer not-a-token']) {
      const res = await post(list, { authorization });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('KOS_ERR_UNAUTHENTICATED');
    }
  });

  it('answers malformed JSON and messages that are no JSON-RPC with JSON-RPC errors', async () => {
    const broken = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const notRpc = await post(JSON.stringify({ hello: 'world' }));
    expect(notRpc.status).toBeGreaterThanOrEqual(400);
    expect(((await notRpc.json()) as { error: { code: number } }).error.code).toBeLessThan(-32000);
  });

  it('refuses a body over limits.max_body_bytes with 413, reading no further', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'submit_goal', arguments: { goal: 'x'.repeat(2_000_000) } },
    });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('KOS_ERR_BODY_TOO_LARGE');
    const goals = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    expect(goals.body.goals).toEqual([]);
  });
});
