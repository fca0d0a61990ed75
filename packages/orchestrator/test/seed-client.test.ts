import { describe, expect, it } from 'vitest';
import { poll, useServer } from '@kos/testing';

/**
 * A client of seed 002's reference implementation, unchanged apart from its bearer token: it reads
 * the reference's response fields (docs/api.md, "Compatibility") through the whole flow.
 */
describe('a seed 002 reference client', () => {
  const running = useServer();

  it('registers, decomposes, assigns, reads status and tensor, completes, heartbeats and leaves', async () => {
    const token = (await running.admin.post<{ token: string }>('/orchestration/tokens', { role: 'agent' }))
      .body.token;
    const agent = running.admin.as(token);
    const reg = await agent.post<Record<string, unknown>>('/orchestration/register', {
      context_id: 'ref-agent',
      skills: ['data_collection', 'data_analysis', 'reporting'],
    });
    expect(reg.body).toMatchObject({
      success: true,
      agent_id: expect.any(String),
      skills: ['data_collection', 'data_analysis', 'reporting'],
    });
    const agentId = reg.body.agent_id as string;

    const dec = await running.admin.post<{
      success: boolean;
      count: number;
      subtasks: {
        uuid: string;
        id: string;
        name: string;
        priority: string;
        required_skills: string[];
        dependencies: string[];
        estimated_duration: number;
        estimated_duration_ms: number;
        description: string;
      }[];
    }>('/orchestration/decompose', {
      goal: 'analyze customer data trends',
      context: 'Q4 2024',
      priority: 'HIGH',
    });
    expect(dec.status).toBe(201);
    expect(dec.body.success).toBe(true);
    expect(dec.body.count).toBe(3);
    const [collect, analyse] = dec.body.subtasks;
    expect(collect).toMatchObject({ uuid: collect!.id, priority: 'high', dependencies: [] });
    expect(collect!.required_skills.length).toBeGreaterThan(0);
    expect(collect!.estimated_duration).toBe(collect!.estimated_duration_ms / 60_000);
    expect(collect!.description).toContain('analyze customer data trends');
    expect(analyse!.dependencies).toEqual([collect!.uuid]);

    // The round in the submit's commit may have leased already; assign answers what it placed now.
    const assign = await running.admin.post<{ success: boolean; count: number; assignments: unknown[] }>(
      '/orchestration/assign',
    );
    expect(assign.body.success).toBe(true);
    expect(assign.body.count).toBe(assign.body.assignments.length);

    const held = await poll(async () => {
      const hb = await agent.post<{ success: boolean; message: string; leases: { subtask_uuid: string }[] }>(
        '/orchestration/heartbeat',
        { agent_id: agentId },
      );
      return hb.body.leases.length > 0 ? hb.body : undefined;
    });
    expect(held.success).toBe(true);
    expect(held.message).toContain('ref-agent');
    expect(held.leases[0]!.subtask_uuid).toBe(collect!.uuid);

    const status = await running.admin.get<{
      success: boolean;
      status: {
        total_subtasks: number;
        completed_subtasks: number;
        running_subtasks: number;
        pending_subtasks: number;
        registered_agents: number;
        agent_status: Record<
          string,
          { current_load: number; max_load: number; skills: string[]; last_heartbeat: string }
        >;
        task_tensor_shape: number[];
      };
    }>('/orchestration/status');
    const s = status.body.status;
    expect(status.body.success).toBe(true);
    expect(s).toMatchObject({
      total_subtasks: 3,
      completed_subtasks: 0,
      running_subtasks: 1,
      pending_subtasks: 2,
    });
    expect(s.registered_agents).toBe(1);
    expect(s.agent_status[agentId]).toMatchObject({ current_load: 1, max_load: 5 });
    expect(Date.parse(s.agent_status[agentId]!.last_heartbeat)).toBeGreaterThan(0);
    expect(s.task_tensor_shape).toEqual([3, 1, 4]);

    const tensor = await running.admin.get<{
      tensor_shape: number[];
      tensor_data: number[][][];
      data: number[][][];
    }>('/orchestration/tensor');
    expect(tensor.body.tensor_shape).toEqual([3, 1, 4]);
    expect(tensor.body.tensor_data).toEqual(tensor.body.data);
    expect(tensor.body.tensor_data[0]![0]).toEqual([0, 1, 0, 0]); // leased at priority high

    const done = await agent.post<{ success: boolean; message: string }>('/orchestration/complete', {
      subtask_uuid: collect!.uuid,
      result: 'Task completed successfully',
    });
    expect(done.body).toMatchObject({ success: true, message: expect.stringContaining('Data Collection') });

    const left = await agent.post<{ success: boolean; message: string }>('/orchestration/unregister', {
      agent_id: agentId,
    });
    expect(left.body).toMatchObject({ success: true, message: expect.stringContaining('unregistered') });
  });

  it('keeps errors as they are: no success flag, the typed error', async () => {
    const res = await running.admin.post<Record<string, unknown>>('/orchestration/complete', {
      subtask_uuid: 'no-such-task',
      result: 1,
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'KOS_ERR_TASK_NOT_FOUND' }) });
  });
});
