import type {
  DrainAgentResponse,
  KpisResponse,
  QuarantineAgentResponse,
  AgentListResponse,
  AgentResponse,
  BulkCancelResponse,
  CancelGoalResponse,
  EventListResponse,
  GoalListResponse,
  GoalPreviewResponse,
  GoalResponse,
  ReleaseAgentResponse,
  SignInResponse,
  StatusResponse,
  SubmitGoalResponse,
  TaskActionResponse,
  TaskListResponse,
  TaskReceiptResponse,
  TaskResponse,
  TemplateListResponse,
  TensorResponse,
} from '@kos/contracts';

/**
 * The public HTTP API as the dashboard uses it. The session is the HttpOnly cookie the server set
 * at sign-in (the token itself is never stored by the page); every state change carries the
 * X-Kos-Csrf header, which the server requires of cookie sessions and another origin cannot add.
 */

/** A refusal, as the server typed it (`KOS_ERR_*`), or a network failure (`KOS_ERR_NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

/** Called on every 401, so the shell can show the sign-in page when the session ran out. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-kos-csrf'] = '1';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new ApiError(
      'KOS_ERR_NETWORK',
      `the orchestrator did not answer (${String(e)}); is it running?`,
      0,
    );
  }
  const text = await res.text();
  const parsed: unknown = text === '' ? undefined : safeJson(text);
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
      ?.error;
    const e = new ApiError(
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `${method} ${path} answered ${res.status}`,
      res.status,
      err?.details,
    );
    if (res.status === 401 && path !== '/orchestration/session') onUnauthenticated();
    throw e;
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const get = <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query));
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);
const id = encodeURIComponent;

export const api = {
  signIn: (token: string) => post<SignInResponse>('/orchestration/session', { token }),
  signOut: () => request<{ signed_out: true }>('DELETE', '/orchestration/session'),
  status: () => get<StatusResponse>('/orchestration/status'),
  goals: (q: Query = {}) => get<GoalListResponse>('/orchestration/goals', q),
  goal: (goalId: string) => get<GoalResponse>(`/orchestration/goals/${id(goalId)}`),
  cancelGoal: (goalId: string, reason?: string) =>
    post<CancelGoalResponse>(`/orchestration/goals/${id(goalId)}/cancel`, reason ? { reason } : {}),
  tasks: (q: Query = {}) => get<TaskListResponse>('/orchestration/tasks', q),
  task: (taskId: string) => get<TaskResponse>(`/orchestration/tasks/${id(taskId)}`),
  taskAction: (taskId: string, action: 'cancel' | 'retry' | 'approve' | 'deny', reason?: string) =>
    post<TaskActionResponse>(`/orchestration/tasks/${id(taskId)}/${action}`, reason ? { reason } : {}),
  agents: (q: Query = {}) => get<AgentListResponse>('/orchestration/agents', q),
  agent: (agentId: string) => get<AgentResponse>(`/orchestration/agents/${id(agentId)}`),
  releaseAgent: (agentId: string, reason?: string) =>
    post<ReleaseAgentResponse>(`/orchestration/agents/${id(agentId)}/release`, reason ? { reason } : {}),
  tensor: (q: Query = {}) => get<TensorResponse>('/orchestration/tensor', q),
  events: (q: Query = {}) => get<EventListResponse>('/orchestration/events', q),
};

// Goal pages (issue 12): bulk cancel, preview, templates, submission and task receipts.

/** `POST /orchestration/goals/cancel` filters: those of `GET /orchestration/goals`, at least one. */
export interface GoalFilter {
  /** Comma-separated goal states. */
  state?: string;
  template?: string;
  q?: string;
}

/** The body of `POST /orchestration/decompose` (and of the preview). */
export interface GoalSubmission {
  goal: string;
  context?: string;
  priority?: string;
  template?: string;
  tasks?: unknown[];
}

export const goalApi = {
  cancelGoals: (filter: GoalFilter & { reason?: string; limit?: number }) =>
    post<BulkCancelResponse>('/orchestration/goals/cancel', filter),
  submit: (body: GoalSubmission) => post<SubmitGoalResponse>('/orchestration/decompose', body),
  preview: (body: GoalSubmission) => post<GoalPreviewResponse>('/orchestration/goals/preview', body),
  templates: () => get<TemplateListResponse>('/orchestration/templates'),
  receipt: (taskId: string) => get<TaskReceiptResponse>(`/orchestration/tasks/${id(taskId)}/receipt`),
};

// Fleet pages (overview, agents, tensor, events).

export const fleetApi = {
  kpis: (q: { window_ms?: number; bucket_ms?: number } = {}) => get<KpisResponse>('/orchestration/kpis', q),
  quarantineAgent: (agentId: string, reason: string) =>
    post<QuarantineAgentResponse>(`/orchestration/agents/${id(agentId)}/quarantine`, { reason }),
  drainAgent: (agentId: string, reason?: string) =>
    post<DrainAgentResponse>(`/orchestration/agents/${id(agentId)}/drain`, reason ? { reason } : {}),
};
