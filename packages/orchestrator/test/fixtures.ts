import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { ReceiptLog } from '@kos/protocol';
import { poll, tempDir, type Http } from '@kos/testing';

export interface LeaseView {
  subtask_uuid: string;
  name: string;
  epoch: number;
  attempt: number;
}

export interface TaskView {
  id: string;
  name: string;
  state: string;
  depends_on: string[];
  agent_id: string | null;
  epoch: number;
  attempts: number;
  priority: string;
}

/** A config file (`kos.yaml` in a fresh directory) holding these YAML sections. */
export function configFile(sections: readonly string[]): string {
  const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
  writeFileSync(file, sections.join('\n'));
  return file;
}

/** The receipt log of the agent named `name`, once a signed frame of it covers results. */
export async function signedReceiptLog(admin: Http, name: string): Promise<ReceiptLog> {
  const agents = await admin.get<{ agents: { id: string; name: string }[] }>('/orchestration/agents');
  const agentId = agents.body.agents.find((a) => a.name === name)!.id;
  return poll(async () => {
    const log = (await admin.get<ReceiptLog>(`/orchestration/audit/receipts?agent_id=${agentId}`)).body;
    return log.heads.length > 0 ? log : undefined;
  });
}

/** A config file with short TTLs so that lease and heartbeat expiry happen within a test. */
export function fastTimersConfig(extra = ''): string {
  const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
  writeFileSync(
    file,
    `heartbeat:\n  ttl_ms: 600\n  sweep_interval_ms: 100\nleases:\n  ttl_ms: 600\nretry:\n  base_delay_ms: 10\n  max_delay_ms: 50\n${extra}`,
  );
  return file;
}

/** Registers an agent with its own agent token; returns a client acting as that agent. */
export async function registerAgent(admin: Http, name: string, skills: string[], maxParallel?: number) {
  const token = await admin.post<{ token: string }>('/orchestration/tokens', {
    role: 'agent',
    agent_name: name,
  });
  expect(token.status).toBe(201);
  const http = admin.as(token.body.token);
  const body =
    maxParallel === undefined
      ? { context_id: name, skills }
      : { context_id: name, skills, max_parallel: maxParallel };
  const reg = await http.post<{ agent_id: string }>('/orchestration/register', body);
  expect(reg.status).toBe(200);
  const id = reg.body.agent_id;
  return {
    http,
    id,
    name,
    async leases(): Promise<LeaseView[]> {
      const hb = await http.post<{ leases: LeaseView[] }>('/orchestration/heartbeat', { agent_id: id });
      expect(hb.status).toBe(200);
      return hb.body.leases;
    },
  };
}

export async function submitDag(admin: Http, tasks: unknown[], goal = 'explicit dag') {
  const res = await admin.post<{ goal_id: string; subtasks: TaskView[] }>('/orchestration/decompose', {
    goal,
    tasks,
  });
  expect(res.status).toBe(201);
  return res.body;
}

export async function getTask(admin: Http, id: string): Promise<TaskView> {
  return (await admin.get<{ task: TaskView }>(`/orchestration/tasks/${id}`)).body.task;
}
