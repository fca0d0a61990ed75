/**
 * A typed HTTP client for the orchestrator's REST API (docs/api.md), on Node's global fetch.
 *
 * ```ts
 * const kos = new KosClient({ url: 'http://127.0.0.1:7700', token });
 * const { goal_id } = await kos.decompose({ goal: 'analyze customer data trends' });
 * ```
 * Every error answer becomes a CliError carrying the API's `KOS_ERR_…` code; a refused connection
 * becomes a CliError of kind 'unreachable'.
 */
import type { ReceiptLog } from '@kos/protocol';
import type { KeyRotation } from '@kos/protocol/node';
import type {
  AgentKeyResponse,
  AgentListResponse,
  AgentResponse,
  AgentState,
  AssignResponse,
  CancelGoalResponse,
  CompleteTaskResponse,
  A2aAgentListResponse,
  AddA2aAgentResponse,
  CreateTokenResponse,
  DenseTensorResponse,
  DrainAgentResponse,
  EventListResponse,
  GoalListResponse,
  GoalResponse,
  GoalState,
  HealthResponse,
  HeartbeatResponse,
  Priority,
  QuarantineAgentResponse,
  ReadyResponse,
  RegisterAgentResponse,
  ReleaseAgentResponse,
  RemoveA2aAgentResponse,
  RevokeTokenResponse,
  SparseTensorResponse,
  StatusResponse,
  SubmitGoalResponse,
  TaskActionResponse,
  TaskListResponse,
  TaskResponse,
  TaskState,
  TokenListResponse,
  TokenRole,
  UnregisterAgentResponse,
  WirePolicy,
} from '@kos/contracts';
import { CliError } from './errors.ts';

/** A task's policy in a request: every field optional (docs/failure-handling.md). */
type PolicySpec = {
  [K in keyof WirePolicy]?: WirePolicy[K] extends object | null ? Partial<WirePolicy[K]> : WirePolicy[K];
};

/** One task of an explicit DAG (`tasks` on decompose); dependencies are by name. */
export interface TaskSpec {
  name: string;
  skills: string[];
  priority?: Priority;
  estimated_duration_ms?: number;
  depends_on?: string[];
  input?: unknown;
  policy?: PolicySpec;
}

export interface DecomposeRequest {
  goal: string;
  context?: string;
  priority?: Priority;
  template?: string;
  tasks?: TaskSpec[];
  /** `llm` or a planner agent's name (docs/planning.md). */
  planner?: string;
}

export interface ClientOptions {
  url: string;
  token?: string | null;
  /** Abandon a request that gets no answer in this time. */
  timeoutMs?: number;
  /** PEM CA certificate(s) to trust for https (else the system's CAs); never skips verification. */
  ca?: string | Buffer | undefined;
}

type Query = Record<string, string | number | undefined>;

/** What a request needs of fetch (Node's, or undici's with a CA). */
type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal: AbortSignal; body?: string },
) => Promise<Response>;

/** Node's codes for a certificate it could not verify. */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'EAI_AGAIN']);

export class KosClient {
  readonly url: string;
  readonly token: string | null;
  readonly timeoutMs: number;
  readonly ca: string | Buffer | undefined;
  private tlsFetch: Fetch | undefined;

  constructor(opts: ClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.token = opts.token ?? null;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.ca = opts.ca;
  }

  /** The same server with another token (the demo's agents each hold their own). */
  withToken(token: string): KosClient {
    return new KosClient({ url: this.url, token, timeoutMs: this.timeoutMs, ca: this.ca });
  }

  // Seed routes
  register(body: { context_id: string; skills: string[]; max_parallel?: number }) {
    return this.post<RegisterAgentResponse>('/orchestration/register', body);
  }
  decompose(body: DecomposeRequest) {
    return this.post<SubmitGoalResponse>('/orchestration/decompose', body);
  }
  assign() {
    return this.post<AssignResponse>('/orchestration/assign');
  }
  status() {
    return this.get<StatusResponse>('/orchestration/status');
  }
  tensor(q: { goal_id?: string; format: 'dense' }): Promise<DenseTensorResponse>;
  tensor(q: { goal_id?: string; format: 'sparse' }): Promise<SparseTensorResponse>;
  tensor(q: {
    goal_id?: string;
    format: 'dense' | 'sparse';
  }): Promise<DenseTensorResponse | SparseTensorResponse> {
    return this.get('/orchestration/tensor', q);
  }
  complete(body: { subtask_uuid: string; result: unknown; epoch?: number; agent_id?: string }) {
    return this.post<CompleteTaskResponse>('/orchestration/complete', body);
  }
  heartbeat(body: { agent_id: string }) {
    return this.post<HeartbeatResponse>('/orchestration/heartbeat', body);
  }
  unregister(body: { agent_id: string }) {
    return this.post<UnregisterAgentResponse>('/orchestration/unregister', body);
  }

  // Added routes
  fail(body: {
    subtask_uuid: string;
    error: { message: string; code?: string; retryable?: boolean };
    epoch?: number;
    agent_id?: string;
  }) {
    return this.post<TaskActionResponse>('/orchestration/fail', body);
  }
  listGoals(q: { state?: GoalState; limit?: number; after?: string } = {}) {
    return this.get<GoalListResponse>('/orchestration/goals', q);
  }
  getGoal(id: string) {
    return this.get<GoalResponse>(`/orchestration/goals/${enc(id)}`);
  }
  cancelGoal(id: string, reason?: string) {
    const body = reason === undefined ? {} : { reason };
    return this.post<CancelGoalResponse>(`/orchestration/goals/${enc(id)}/cancel`, body);
  }
  listTasks(
    q: { goal_id?: string; state?: TaskState; agent_id?: string; limit?: number; after?: string } = {},
  ) {
    return this.get<TaskListResponse>('/orchestration/tasks', q);
  }
  getTask(id: string) {
    return this.get<TaskResponse>(`/orchestration/tasks/${enc(id)}`);
  }
  /** Cancels one task (a running one stops within cancellation.grace_ms); its dependents are skipped. */
  cancelTask(id: string, reason?: string) {
    const body = reason === undefined ? {} : { reason };
    return this.post<TaskActionResponse>(`/orchestration/tasks/${enc(id)}/cancel`, body);
  }
  /** `action`: retry a dead task, approve or deny one awaiting approval. */
  decideTask(id: string, action: 'retry' | 'approve' | 'deny', reason?: string) {
    const body = reason === undefined ? {} : { reason };
    return this.post<TaskActionResponse>(`/orchestration/tasks/${enc(id)}/${action}`, body);
  }
  /** Operator: isolates an agent; its leases are revoked (they are listed in `revoked`). */
  quarantineAgent(id: string, reason: string) {
    return this.post<QuarantineAgentResponse>(`/orchestration/agents/${enc(id)}/quarantine`, {
      reason,
    });
  }
  /** Operator: a quarantined agent may register again; its failure counts and breakers reset. */
  releaseAgent(id: string, reason?: string) {
    const body = reason === undefined ? {} : { reason };
    return this.post<ReleaseAgentResponse>(`/orchestration/agents/${enc(id)}/release`, body);
  }
  /** The agent's name moves to a new key, with a statement both keys signed. */
  rotateAgentKey(id: string, rotation: KeyRotation) {
    return this.post<AgentKeyResponse>(`/orchestration/agents/${enc(id)}/key`, rotation);
  }
  /** Operator: unbinds the agent's name from its key. */
  resetAgentKey(id: string, reason: string) {
    return this.post<AgentKeyResponse>(`/orchestration/agents/${enc(id)}/key/reset`, { reason });
  }
  /** Operator: the agent takes no new task; those it holds finish. */
  drainAgent(id: string, reason?: string) {
    const body = reason === undefined ? {} : { reason };
    return this.post<DrainAgentResponse>(`/orchestration/agents/${enc(id)}/drain`, body);
  }
  listAgents(q: { state?: AgentState } = {}) {
    return this.get<AgentListResponse>('/orchestration/agents', q);
  }
  getAgent(id: string) {
    return this.get<AgentResponse>(`/orchestration/agents/${enc(id)}`);
  }
  events(q: { goal_id?: string; task_id?: string; agent_id?: string; after?: number; limit?: number } = {}) {
    return this.get<EventListResponse>('/orchestration/events', q);
  }
  createToken(body: {
    role: Exclude<TokenRole, 'admin'>;
    agent_name?: string;
    label?: string;
    expires_in_s?: number;
  }) {
    return this.post<CreateTokenResponse>('/orchestration/tokens', body);
  }
  /** Admin: every token, without secrets. */
  listTokens() {
    return this.get<TokenListResponse>('/orchestration/tokens');
  }
  /** Admin: the token stops working at once, on every replica. */
  revokeToken(id: string) {
    return this.post<RevokeTokenResponse>(`/orchestration/tokens/${enc(id)}/revoke`, {});
  }
  /** Admin: registers a remote A2A agent from its Agent Card (docs/interop.md, "A2A out"). */
  addA2aAgent(body: { url: string; name?: string; token?: string; max_parallel?: number }) {
    return this.post<AddA2aAgentResponse>('/orchestration/a2a/agents', body);
  }
  listA2aAgents() {
    return this.get<A2aAgentListResponse>('/orchestration/a2a/agents');
  }
  /** Admin: unregisters a remote A2A agent and forgets its card and token. */
  removeA2aAgent(agentId: string) {
    return this.request<RemoveA2aAgentResponse>(
      'DELETE',
      `/orchestration/a2a/agents/${enc(agentId)}`,
      {},
      undefined,
    );
  }
  healthz() {
    return this.get<HealthResponse>('/healthz');
  }
  readyz() {
    return this.get<ReadyResponse>('/readyz');
  }

  receipts(q: { goal_id?: string; agent_id?: string }): Promise<ReceiptLog> {
    return this.get<ReceiptLog>('/orchestration/audit/receipts', q);
  }

  private get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query, undefined);
  }
  private post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, {}, body);
  }

  private async request<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const target = `${this.url}${path}${qs.size > 0 ? `?${qs.toString()}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await (
        await this.fetcher()
      )(target, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw this.networkError(e);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (res.ok) {
      if (parsed.ok) return parsed.value as T;
      throw new CliError('api', `${method} ${path} answered ${res.status} with a body that is not JSON`, {
        status: res.status,
      });
    }
    const err = parsed.ok ? errorBody(parsed.value) : null;
    if (err !== null) {
      throw new CliError('api', err.message, { code: err.code, status: res.status, details: err.details });
    }
    throw new CliError('api', `${method} ${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`, {
      status: res.status,
    });
  }

  /**
   * Node's fetch takes no CA option: with one, undici's own fetch and an agent that trusts it
   * (loaded only then, so plain commands do not pay for it).
   */
  private async fetcher(): Promise<Fetch> {
    if (this.ca === undefined) return fetch;
    if (this.tlsFetch === undefined) {
      const undici = await import('undici');
      const dispatcher = new undici.Agent({ connect: { ca: this.ca } });
      // Only status, ok and text() of the answer are read: the same in both fetches.
      this.tlsFetch = async (url, init) =>
        (await undici.fetch(url, { ...init, dispatcher })) as unknown as Response;
    }
    return this.tlsFetch;
  }

  private networkError(e: unknown): CliError {
    const name = e instanceof Error ? e.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new CliError(
        'unreachable',
        `no answer from the orchestrator at ${this.url} within ${this.timeoutMs} ms`,
      );
    }
    const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : null;
    if (code !== null && TLS_CODE.test(code)) {
      return new CliError(
        'unreachable',
        `the orchestrator's TLS certificate at ${this.url} is not trusted (${code}): pass the certificate (or its CA) with --ca <file>, or set KOS_CA_FILE`,
        { details: { cause: code } },
      );
    }
    const why = code !== null && !NETWORK_CODES.has(code) ? ` (${code})` : '';
    return new CliError(
      'unreachable',
      `cannot reach the orchestrator at ${this.url}${why} — is \`kos serve\` (or \`npm start\`) running?`,
      { details: { cause: code } },
    );
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The `{error: {code, message, details}}` body, or null when the answer is something else. */
function errorBody(v: unknown): { code: string; message: string; details: unknown } | null {
  if (typeof v !== 'object' || v === null || !('error' in v)) return null;
  const e = v.error;
  if (typeof e !== 'object' || e === null || !('code' in e) || typeof e.code !== 'string') return null;
  const message = 'message' in e && typeof e.message === 'string' ? e.message : e.code;
  return { code: e.code, message, details: 'details' in e ? e.details : undefined };
}
