import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { useServer } from '@kos/testing';
import { connectHttp, structured } from './mcp-stack.ts';
import { tokenOf } from './fleet-stack.ts';

interface GoalResource {
  goal: { id: string; state: string };
  tasks: { id: string; state: string }[];
}

/** Resources kos://goals/{id} and kos://tasks/{id}, and their change notifications (2026-07-28 era). */
describe('the MCP resources of goals and tasks', () => {
  const running = useServer();
  let client: Client;

  beforeAll(async () => {
    client = await connectHttp(running.server.url, await tokenOf(running.admin, 'submitter'), true);
  });
  afterAll(async () => {
    await client?.close();
  });

  /** A goal no agent can run (skill `nobody`): it stays running until cancelled. */
  async function waitingGoal(): Promise<string> {
    const r = await client.callTool({
      name: 'submit_goal',
      arguments: { goal: 'waits for an agent', tasks: [{ name: 'only', skills: ['nobody'] }] },
    });
    return structured<{ goal_id: string }>(r).goal_id;
  }

  it('offers both URI templates and reads a goal and a task as JSON', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'kos://goals/{id}',
      'kos://tasks/{id}',
    ]);
    const goalId = await waitingGoal();
    const read = await client.readResource({ uri: `kos://goals/${goalId}` });
    const goal = JSON.parse(String((read.contents[0] as { text: string }).text)) as GoalResource;
    expect(goal.goal).toMatchObject({ id: goalId, state: 'running' });
    const taskId = goal.tasks[0]!.id;
    const task = await client.readResource({ uri: `kos://tasks/${taskId}` });
    expect(JSON.parse(String((task.contents[0] as { text: string }).text))).toMatchObject({
      task: { id: taskId, state: 'ready' },
    });
    await expect(client.readResource({ uri: 'kos://goals/no-such-goal' })).rejects.toThrow(
      /KOS_ERR_GOAL_NOT_FOUND/,
    );
  });

  it('notifies a subscriber with resources/updated when a committed event concerns its goal', async () => {
    const goalId = await waitingGoal();
    const uri = `kos://goals/${goalId}`;
    const updated: string[] = [];
    let heard: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => (heard = resolve));
    client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
      if (n.params.uri === uri) heard();
    });
    const subscription = await client.listen({ resourceSubscriptions: [uri] });
    try {
      expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
      const cancelled = await client.callTool({ name: 'cancel_goal', arguments: { goal_id: goalId } });
      expect(structured<{ goal: { state: string } }>(cancelled).goal.state).toBe('cancelled');
      await changed;
      // Only the URI subscribed to: no other goal's or task's updates.
      expect(new Set(updated)).toEqual(new Set([uri]));
      const read = await client.readResource({ uri });
      expect(JSON.parse(String((read.contents[0] as { text: string }).text))).toMatchObject({
        goal: { state: 'cancelled' },
      });
    } finally {
      await subscription.close();
    }
  });
});
