import type { Agent } from './registry/agent.ts';
import type { Goal } from './scheduler/goal.ts';
import { DEFAULT_GOAL_POLICY, defaultTaskPolicy } from './scheduler/policy.ts';
import type { Task } from './scheduler/task.ts';
import type { NewEvent, TokenRecord } from './store/records.ts';

/** Builders of valid records for the backend contract suite; each field may be overridden. */
let counter = 0;
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function agent(o: Partial<Agent> = {}): Agent {
  const id = o.id ?? uid('agent');
  return {
    id,
    name: `name-${id}`,
    skills: ['summarize', 'code.review'],
    maxParallel: 2,
    state: 'active',
    trust: 0.75,
    stats: {
      summarize: { succeeded: 3, failed: 1, totalMs: 4200 },
      'code.review': { succeeded: 0, failed: 2, totalMs: 0 },
    },
    lastHeartbeatAt: 1000,
    publicKey: null,
    lastAssignedAt: 900,
    health: {
      consecutiveFailures: 1,
      crashes: 0,
      breakers: { summarize: { state: 'open', failures: 3, openedAt: 950, probes: 0 } },
      quarantine: null,
      trustAt: 1000,
    },
    registeredAt: 100,
    updatedAt: 1000,
    ...o,
  };
}

export function goal(o: Partial<Goal> = {}): Goal {
  return {
    id: uid('goal'),
    goal: 'Summarize the quarterly report',
    context: 'for the board',
    template: 'explicit',
    priority: 'high',
    state: 'running',
    taskCount: 2,
    succeededCount: 0,
    deadCount: 0,
    skippedCount: 0,
    planning: null,
    policy: { ...DEFAULT_GOAL_POLICY, maxParallel: 4 },
    submittedBy: 'token-1',
    createdAt: 1000,
    updatedAt: 1000,
    finishedAt: null,
    ...o,
  };
}

export function task(goalId: string, o: Partial<Task> = {}): Task {
  const id = o.id ?? uid('task');
  return {
    id,
    goalId,
    name: `step-${id}`,
    skills: ['summarize'],
    priority: 'medium',
    estimatedDurationMs: 1500,
    dependsOn: [],
    pendingDeps: 0,
    input: { text: 'hello', n: 1 },
    state: 'pending',
    attempts: 0,
    maxAttempts: 3,
    epoch: 0,
    agentId: null,
    leaseExpiresAt: null,
    leasedAt: null,
    availableAt: 1000,
    readyKey: 1000,
    lastAgentId: null,
    progress: null,
    checkpoint: null,
    result: null,
    error: null,
    policy: {
      ...defaultTaskPolicy({
        maxAttempts: 3,
        delayStrategy: 'exponential',
        baseDelayMs: 200,
        maxDelayMs: 30_000,
        jitter: true,
      }),
      timeouts: { scheduleToStartMs: 5000, startToCloseMs: null, heartbeatMs: 2000 },
    },
    deadlineAt: null,
    delegations: [],
    waiting: null,
    createdAt: 1000,
    updatedAt: 1000,
    finishedAt: null,
    ...o,
  };
}

export function event(o: Partial<NewEvent> = {}): NewEvent {
  return {
    at: 1000,
    kind: 'task.state',
    goalId: null,
    taskId: null,
    agentId: null,
    actor: 'system',
    data: {},
    ...o,
  };
}

export function token(o: Partial<TokenRecord> = {}): TokenRecord {
  const id = o.id ?? uid('token');
  return {
    id,
    hash: `sha256-${id}`,
    role: 'submitter',
    agentName: null,
    label: 'ci',
    createdAt: 1,
    revokedAt: null,
    expiresAt: null,
    ...o,
  };
}
