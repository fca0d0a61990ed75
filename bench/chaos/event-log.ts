// Reading the orchestrator's event log (GET /orchestration/events, paged by seq) and final task
// state over the public API: the evidence every scenario checks its invariants against.
import type { Http } from '@kos/testing';

export interface LogEvent {
  seq: number;
  /** Server wall-clock ms. */
  at: number;
  kind: string;
  goalId: string | null;
  taskId: string | null;
  agentId: string | null;
  data: Record<string, unknown>;
}

interface EventView {
  seq: number;
  at: string;
  kind: string;
  goal_id: string | null;
  task_id: string | null;
  agent_id: string | null;
  data: Record<string, unknown>;
}

export interface TaskView {
  id: string;
  goal_id: string;
  name: string;
  state: string;
  priority: string;
  depends_on: string[];
  epoch: number;
  attempts: number;
  agent_id: string | null;
  available_at: string;
  result: unknown;
}

async function get<T>(api: Http, path: string): Promise<T> {
  const res = await api.get<T>(path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The whole event log (or one goal's/task's), oldest first. */
export async function readEvents(
  api: Http,
  filter: { goalId?: string; taskId?: string; agentId?: string } = {},
): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const q: URLSearchParams = new URLSearchParams({ limit: '1000', after: String(after) });
    if (filter.goalId) q.set('goal_id', filter.goalId);
    if (filter.taskId) q.set('task_id', filter.taskId);
    if (filter.agentId) q.set('agent_id', filter.agentId);
    const page: { events: EventView[]; next: number | null } = await get(api, `/orchestration/events?${q}`);
    for (const e of page.events) {
      events.push({
        seq: e.seq,
        at: Date.parse(e.at),
        kind: e.kind,
        goalId: e.goal_id,
        taskId: e.task_id,
        agentId: e.agent_id,
        data: e.data,
      });
    }
    after = page.next;
  }
  return events;
}

/** A goal's state and all its tasks. */
export async function readGoal(api: Http, goalId: string): Promise<{ state: string; tasks: TaskView[] }> {
  const body = await get<{ goal: { state: string }; tasks: TaskView[] }>(
    api,
    `/orchestration/goals/${goalId}`,
  );
  return { state: body.goal.state, tasks: body.tasks };
}

/** Every task the orchestrator holds, paged. */
export async function readAllTasks(api: Http): Promise<TaskView[]> {
  const out: TaskView[] = [];
  let after: string | null = null;
  do {
    const q: URLSearchParams = new URLSearchParams({ limit: '500', ...(after ? { after } : {}) });
    const page: { tasks: TaskView[]; next: string | null } = await get(api, `/orchestration/tasks?${q}`);
    out.push(...page.tasks);
    after = page.next;
  } while (after !== null);
  return out;
}

export async function readTask(api: Http, id: string): Promise<TaskView> {
  return (await get<{ task: TaskView }>(api, `/orchestration/tasks/${id}`)).task;
}

/** Agent name → id. */
export async function readAgentIds(api: Http): Promise<Map<string, string>> {
  return new Map([...(await readAgentNames(api))].map(([id, name]) => [name, id]));
}

/** Agent id → name, for matching the log's agent ids with the names in execution records. */
export async function readAgentNames(api: Http): Promise<Map<string, string>> {
  const body = await get<{ agents: { id: string; name: string }[] }>(api, '/orchestration/agents');
  return new Map(body.agents.map((a) => [a.id, a.name]));
}

export async function countByState(api: Http): Promise<Record<string, number>> {
  return (await get<{ tasks: { by_state: Record<string, number> } }>(api, '/orchestration/status')).tasks
    .by_state;
}

/** One task of an explicit DAG, as POST /orchestration/decompose takes it. */
export interface DagTaskSpec {
  name: string;
  skills: string[];
  priority?: string;
  depends_on?: string[];
  input?: unknown;
}

/** Submits one goal as an explicit DAG; answers the task ids by name. */
export async function submitDag(
  api: Http,
  goal: string,
  tasks: readonly DagTaskSpec[],
): Promise<{ goalId: string; ids: Map<string, string> }> {
  const res = await api.post<{ goal_id: string; subtasks: { id: string; name: string }[] }>(
    '/orchestration/decompose',
    { goal, tasks },
  );
  if (res.status !== 201)
    throw new Error(`goal refused: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
  return { goalId: res.body.goal_id, ids: new Map(res.body.subtasks.map((t) => [t.name, t.id])) };
}

/** Each succeeded transition in the log: task id → the events. */
export function successes(events: readonly LogEvent[]): Map<string, LogEvent[]> {
  const out = new Map<string, LogEvent[]>();
  for (const e of events) {
    if (e.kind !== 'task.state' || e.data.to !== 'succeeded' || !e.taskId) continue;
    out.set(e.taskId, [...(out.get(e.taskId) ?? []), e]);
  }
  return out;
}
