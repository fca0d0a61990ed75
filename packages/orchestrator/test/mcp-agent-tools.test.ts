import { describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';
import { configFile } from './fixtures.ts';
import { connectHttp, structured } from './mcp-stack.ts';
import { tokenOf } from './fleet-stack.ts';

interface Assignment {
  subtask_uuid: string;
  agent_id: string;
  epoch: number;
}

/** Seed 002's agent tool methods through MCP, for an agent without KLP: the whole flow. */
describe("the seed's agent tools over MCP", () => {
  // Rounds only on assign_tasks, so that its answer lists the leases it grants.
  const running = useServer(() => ({ configFile: configFile(['scheduler:\n  auto_assign: false']) }));

  it('registers, decomposes, assigns, heartbeats, completes and explains the assignment', async () => {
    const agent = await connectHttp(running.server.url, await tokenOf(running.admin, 'agent'));
    const submitter = await connectHttp(running.server.url, await tokenOf(running.admin, 'submitter'));
    try {
      const registered = await agent.callTool({
        name: 'register_agent',
        arguments: { context_id: 'mcp-seed-agent', skills: ['general'] },
      });
      const agentId = structured<{ agent_id: string }>(registered).agent_id;
      // The agent token lists its own tools and the reads, not a submitter's.
      const names = (await agent.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['register_agent', 'update_heartbeat', 'mark_completed']));
      expect(names).not.toContain('submit_goal');

      const decomposed = await submitter.callTool({
        name: 'decompose_goal',
        arguments: { goal: 'say hello' },
      });
      const { goal_id: goalId, subtasks } = structured<{ goal_id: string; subtasks: { id: string }[] }>(
        decomposed,
      );
      expect(subtasks).toHaveLength(1);

      const assigned = await submitter.callTool({ name: 'assign_tasks', arguments: {} });
      const [lease] = structured<{ assignments: Assignment[] }>(assigned).assignments;
      expect(lease).toMatchObject({ subtask_uuid: subtasks[0]!.id, agent_id: agentId });

      const beat = await agent.callTool({ name: 'update_heartbeat', arguments: {} });
      expect(structured<{ leases: { subtask_uuid: string }[] }>(beat).leases).toHaveLength(1);

      const done = await agent.callTool({
        name: 'mark_completed',
        arguments: { subtask_uuid: lease!.subtask_uuid, epoch: lease!.epoch, result: 'hello' },
      });
      expect(structured<{ task: { state: string } }>(done).task.state).toBe('succeeded');
      const stale = await agent.callTool({
        name: 'mark_completed',
        arguments: { subtask_uuid: lease!.subtask_uuid, epoch: lease!.epoch, result: 'again' },
      });
      expect(stale.isError).toBe(true);
      expect(structured<{ error: { code: string } }>(stale).error.code).toMatch(/^KOS_ERR_/);

      const goal = await submitter.callTool({ name: 'get_goal', arguments: { goal_id: goalId } });
      expect(structured<{ goal: { state: string } }>(goal).goal.state).toBe('succeeded');
      const why = await submitter.callTool({
        name: 'explain_assignment',
        arguments: { subtask_uuid: lease!.subtask_uuid },
      });
      const explained = structured<{
        assignments: { agent_id: string; data: { score: number; parts: object; candidates: unknown[] } }[];
      }>(why);
      expect(explained.assignments).toHaveLength(1);
      expect(explained.assignments[0]).toMatchObject({
        agent_id: agentId,
        data: { parts: expect.any(Object) },
      });
      const status = await submitter.callTool({ name: 'get_status', arguments: {} });
      expect(
        structured<{ tasks: { by_state: Record<string, number> } }>(status).tasks.by_state.succeeded,
      ).toBe(1);
      const tensor = await submitter.callTool({ name: 'get_task_tensor', arguments: { goal_id: goalId } });
      expect(structured<{ shape: number[] }>(tensor).shape).toEqual([1, 1, 4]);
    } finally {
      await agent.close();
      await submitter.close();
    }
  });
});
