import { Type } from 'typebox';
import { PRIORITIES } from '@kos/protocol';
import { PolicySpec } from '../planner/policy-spec.ts';
import { GOAL_TRANSITIONS } from '../scheduler/goal.ts';
import { TASK_TRANSITIONS, type TaskState as State } from '../scheduler/task.ts';

/**
 * Request schemas of every route. Fastify validates against them before a handler runs, so a
 * handler only sees well-formed input; the same schemas make the OpenAPI document.
 */

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s].*$' });
const Skill = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:/-]+$' });
const Priority = Type.Union(PRIORITIES.map((p) => Type.Literal(p)));
const Epoch = Type.Integer({ minimum: 0 });
const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });
const strict = { additionalProperties: false } as const;

export const RegisterBody = Type.Object(
  {
    context_id: Name,
    skills: Type.Array(Skill, { minItems: 1, maxItems: 64 }),
    max_parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  strict,
);

export const TaskSpec = Type.Object(
  {
    name: Name,
    skills: Type.Array(Skill, { minItems: 1, maxItems: 64 }),
    priority: Type.Optional(Priority),
    estimated_duration_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    depends_on: Type.Optional(Type.Array(Name, { maxItems: 1000 })),
    input: Type.Optional(Type.Unknown()),
    /** Failure handling: retry, timeouts, approval, fallback, … (docs/failure-handling.md). */
    policy: Type.Optional(PolicySpec),
  },
  strict,
);

/**
 * A goal's policy (docs/scheduling.md): what a dead task does to the rest of the goal, at most how
 * many of its tasks are leased at once (null: no limit; absent: policies.max_parallel_per_goal),
 * and its share of a priority tier relative to other goals.
 */
export const GoalPolicySpec = Type.Object(
  {
    on_task_death: Type.Optional(Type.Union([Type.Literal('fail_fast'), Type.Literal('continue')])),
    max_parallel_tasks: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()]),
    ),
    weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  strict,
);

export const DecomposeBody = Type.Object(
  {
    goal: Type.String({ minLength: 1, maxLength: 100_000 }),
    context: Type.Optional(
      Type.Union([Type.String({ maxLength: 100_000 }), Type.Record(Type.String(), Type.Unknown())]),
    ),
    priority: Type.Optional(Priority),
    template: Type.Optional(Name),
    tasks: Type.Optional(Type.Array(TaskSpec, { minItems: 1, maxItems: 100_000 })),
    policy: Type.Optional(GoalPolicySpec),
    /** Plan by a planner agent: `llm` (any agent with skill planning) or a planner agent's name. */
    planner: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' })),
  },
  strict,
);

export const CompleteBody = Type.Object(
  {
    subtask_uuid: Id,
    result: Type.Unknown(),
    epoch: Type.Optional(Epoch),
    agent_id: Type.Optional(Id),
  },
  strict,
);

export const FailBody = Type.Object(
  {
    subtask_uuid: Id,
    error: Type.Object(
      {
        message: Type.String({ minLength: 1, maxLength: 10_000 }),
        code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        retryable: Type.Optional(Type.Boolean()),
      },
      strict,
    ),
    epoch: Type.Optional(Epoch),
    agent_id: Type.Optional(Id),
  },
  strict,
);

export const AgentIdBody = Type.Object({ agent_id: Id }, strict);

export const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, strict);

/** Operator actions on a task (retry, approve, deny): the reason is kept in the event log. */
export const OperatorBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, strict);

/** Quarantining an agent says why (kept in its health and the event log). */
export const QuarantineBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }) },
  strict,
);

/** A key rotation both keys signed (`signKeyRotation` in @kos/protocol/node). */
export const KeyRotationBody = Type.Object(
  {
    agent: Name,
    old_key: Type.String({ minLength: 1, maxLength: 100 }),
    new_key: Type.String({ minLength: 1, maxLength: 100 }),
    at: Type.String({ minLength: 1, maxLength: 40 }),
    old_sig: Type.String({ minLength: 1, maxLength: 200 }),
    new_sig: Type.String({ minLength: 1, maxLength: 200 }),
  },
  strict,
);

export const TokenBody = Type.Object(
  {
    role: Type.Union([
      Type.Literal('agent'),
      Type.Literal('submitter'),
      Type.Literal('viewer'),
      Type.Literal('admin'),
    ]),
    agent_name: Type.Optional(Name),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    /** Seconds until the token stops working (up to ten years); absent: it does not expire. */
    expires_in_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 * 365 * 24 * 3600 })),
  },
  strict,
);

export const IdParams = Type.Object({ id: Id }, strict);

export const TensorQuery = Type.Object(
  {
    goal_id: Type.Optional(Id),
    format: Type.Optional(Type.Union([Type.Literal('dense'), Type.Literal('sparse')])),
    /** Add `explanations`: the score parts of each non-zero cell. */
    explain: Type.Optional(Type.Boolean()),
  },
  strict,
);

// Every goal state, from its transition table: a new state is filterable at once.
const GOAL_STATE = `(${Object.keys(GOAL_TRANSITIONS).join('|')})`;
/** One goal state or several, comma-separated: `running,failed`. */
const GoalStates = Type.String({ pattern: `^${GOAL_STATE}(,${GOAL_STATE})*$`, maxLength: 100 });
/** The goal filters of a list and of a bulk cancel. */
const goalFilters = {
  state: Type.Optional(GoalStates),
  /** The template name, exactly. */
  template: Type.Optional(Name),
  /** A substring of the goal text, any case. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const GoalsQuery = Type.Object(
  { ...goalFilters, limit: Type.Optional(Limit), after: Type.Optional(Id) },
  strict,
);

/** A bulk cancel: the filters of GoalsQuery (at least one, checked by the use case), ≤ 500 a call. */
export const BulkCancelBody = Type.Object(
  {
    ...goalFilters,
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  strict,
);

const DAY_MS = 86_400_000;
export const KpisQuery = Type.Object(
  {
    window_ms: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * DAY_MS })),
    bucket_ms: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * DAY_MS })),
  },
  strict,
);

const TaskState = Type.Union((Object.keys(TASK_TRANSITIONS) as State[]).map((s) => Type.Literal(s)));

export const TasksQuery = Type.Object(
  {
    goal_id: Type.Optional(Id),
    state: Type.Optional(TaskState),
    agent_id: Type.Optional(Id),
    limit: Type.Optional(Limit),
    after: Type.Optional(Id),
  },
  strict,
);

export const AgentsQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(['active', 'draining', 'lost', 'unregistered', 'quarantined'].map((s) => Type.Literal(s))),
    ),
  },
  strict,
);

export const EventsQuery = Type.Object(
  {
    goal_id: Type.Optional(Id),
    task_id: Type.Optional(Id),
    agent_id: Type.Optional(Id),
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  strict,
);

/**
 * For routes whose body fields are all optional (`{reason?}`): no body is an empty one, so a
 * body-less POST works; a body that is there is validated as usual.
 */
export const noBodyIsEmpty = async (req: { body: unknown }): Promise<void> => {
  req.body ??= {};
};
