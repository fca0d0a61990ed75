import { Type, type Static } from 'typebox';
import { PRIORITIES } from './priority.ts';

/**
 * What a planner agent and the orchestrator say to each other (docs/planning.md). A planning task
 * (skill `planning`) carries a `PlanningInput`; its result is a `PlanningResult`: a proposed DAG
 * in the shape of an explicit DAG submission, or a report that no plan could be made. The
 * orchestrator validates a proposal deterministically; this schema is also what an LLM planner
 * asks the model to follow (structured output), so both sides check the same thing.
 */

/** The skill of planning tasks; a named planner agent also offers `planning/<its name>`. */
export const PLANNING_SKILL = 'planning';

/** The skill a planning task bound to one planner agent asks for. */
export const plannerSkill = (planner: string): string =>
  planner === 'llm' ? PLANNING_SKILL : `${PLANNING_SKILL}/${planner}`;

/** One task of a proposed plan: the fields of a task of `POST /orchestration/decompose`. */
export const ProposedTask = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    skills: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1 }),
    priority: Type.Optional(Type.Union(PRIORITIES.map((p) => Type.Literal(p)))),
    estimated_duration_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    depends_on: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
    /** Free JSON handed to the agent that runs the task. */
    input: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type ProposedTask = Static<typeof ProposedTask>;

/** A proposed plan: a DAG of tasks, dependencies by name. */
export const PlanProposal = Type.Object(
  { tasks: Type.Array(ProposedTask, { minItems: 1 }) },
  { additionalProperties: false },
);
export type PlanProposal = Static<typeof PlanProposal>;

/** A problem the orchestrator found in a proposal, where it is (`tasks/2/depends_on/0`). */
export interface PlanProblemReport {
  code: string;
  message: string;
  path: string;
  task: string | null;
}

/** The input of a planning task. */
export interface PlanningInput {
  goal: string;
  /** The goal's context as submitted: free text or an object. */
  context: unknown;
  /** 0 for the first proposal, n for the n-th repair. */
  round: number;
  /** Skills of the live fleet (active and draining agents) with how many agents offer each. */
  fleet: { skill: string; agents: number }[];
  /** Bounds a plan must keep. */
  limits: {
    max_tasks: number;
    max_skills_per_task: number;
    max_input_bytes: number;
    max_depth: number;
    max_critical_path_ms: number;
  };
  /** On a repair round: the rejected proposal and why it was rejected. */
  previous?: { proposal: unknown; problems: PlanProblemReport[] } | undefined;
}

/**
 * The result of a planning task: a proposal, or `{ failure }` when the planner could not make
 * one (the model's answer was not JSON or not a plan, or it timed out). Both go through the
 * repair loop: a failure is a rejected round like an invalid plan.
 */
export type PlanningResult = PlanProposal | { failure: { code: string; message: string; raw?: string } };
