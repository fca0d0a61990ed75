import { PlanProposal, type ErrorCode, type Priority, type ProposedTask } from '@kos/protocol';
import { Value } from 'typebox/value';
import { longestChains } from './dag.ts';
import type { Plan, PlanLimits, PlannedTask } from './types.ts';
import { planProblems, type PlanProblem } from './validate-plan.ts';

/**
 * A planner agent's proposal judged deterministically (docs/planning.md): the result's schema,
 * then `planProblems` (size, fields, unique names, known dependencies, acyclic with the cycle
 * named), then the bounds only a whole acyclic graph has (depth, critical path), then the skills
 * of the fleet. Pure: the caller reads the fleet and stores the verdict.
 */

/** The bounds of a proposed plan beyond the goal limits every plan keeps. */
export interface PlanBounds {
  maxDepth: number;
  maxCriticalPathMs: number;
}

export interface ProposalContext {
  limits: PlanLimits;
  bounds: PlanBounds;
  /** Skills some registered agent offers (proposals carry no fallback policy). */
  skills: ReadonlySet<string>;
  /** The goal's priority: a proposed task without one gets it. */
  priority: Priority;
  /** What a proposed task without an estimate is planned as. */
  defaultEstimateMs: number;
}

export type Verdict = { accepted: true; plan: Plan } | { accepted: false; problems: PlanProblem[] };

/** The template name of a goal planned by a planner agent. */
export const PLANNER_TEMPLATE = 'planner';

export function judgeProposal(result: unknown, ctx: ProposalContext): Verdict {
  const failure = failureOf(result);
  if (failure !== null) return rejected([failure]);
  const shape = schemaProblems(result);
  if (shape.length > 0) return rejected(shape);
  const plan: Plan = {
    template: PLANNER_TEMPLATE,
    tasks: (result as PlanProposal).tasks.map((t) => plannedTask(t, ctx)),
  };
  const problems = planProblems(plan, ctx.limits);
  if (problems.length > 0) return rejected(problems);
  problems.push(...boundProblems(plan, ctx.bounds), ...skillProblems(plan, ctx.skills));
  return problems.length > 0 ? rejected(problems) : { accepted: true, plan };
}

const rejected = (problems: PlanProblem[]): Verdict => ({ accepted: false, problems });

function problem(
  code: ErrorCode,
  message: string,
  path: string,
  task: string | null,
  details: Record<string, unknown> = {},
): PlanProblem {
  return { code, message, path, task, details };
}

/** A planner's own report that it could not plan (`{failure: {code, message}}`). */
function failureOf(result: unknown): PlanProblem | null {
  if (typeof result !== 'object' || result === null || !('failure' in result)) return null;
  const f = (result as { failure: unknown }).failure;
  const said = typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {};
  const code = typeof said.code === 'string' ? said.code : 'unknown';
  const message = typeof said.message === 'string' ? said.message : 'no message';
  return problem(
    'KOS_ERR_PLANNER_FAILED',
    `The planner could not make a plan (${code}): ${message}`,
    '',
    null,
    {
      planner_code: code,
    },
  );
}

/**
 * Schema violations, one per JSON pointer without the leading slash (`tasks/0/skills`): a union's
 * branch errors become one "must be one of …", an unknown field names itself.
 */
function schemaProblems(result: unknown): PlanProblem[] {
  if (Value.Check(PlanProposal, result)) return [];
  const byPath = new Map<string, { allowed: unknown[]; messages: Set<string> }>();
  for (const e of Value.Errors(PlanProposal, result)) {
    // additionalProperties reports twice (the property and its parent): keep the parent's.
    if (e.keyword === 'boolean' || e.keyword === 'anyOf') continue;
    const path = e.instancePath.replace(/^\//, '');
    const at = byPath.get(path) ?? { allowed: [], messages: new Set<string>() };
    byPath.set(path, at);
    if (e.keyword === 'const') at.allowed.push((e.params as { allowedValue?: unknown }).allowedValue);
    else if (e.keyword === 'additionalProperties')
      at.messages.add(`${e.message}: ${JSON.stringify(e.params)}`);
    else at.messages.add(e.message);
  }
  return [...byPath].map(([path, at]) => {
    const said = [...at.messages];
    if (at.allowed.length > 0) said.push(`must be one of ${at.allowed.join(', ')}`);
    return problem(
      'KOS_ERR_VALIDATION',
      `${path === '' ? 'the plan' : path}: ${said.join('; ')}`,
      path,
      null,
    );
  });
}

function plannedTask(t: ProposedTask, ctx: ProposalContext): PlannedTask {
  return {
    name: t.name,
    skills: [...t.skills],
    priority: t.priority ?? ctx.priority,
    estimatedDurationMs: t.estimated_duration_ms ?? ctx.defaultEstimateMs,
    dependsOn: [...(t.depends_on ?? [])],
    input: t.input ?? null,
  };
}

/** Depth and critical path of a valid (acyclic) plan against their bounds. */
export function boundProblems(plan: Plan, bounds: PlanBounds): PlanProblem[] {
  const { depth, criticalPathMs } = longestChains(plan.tasks, (i) => plan.tasks[i]?.estimatedDurationMs ?? 0);
  const problems: PlanProblem[] = [];
  if (depth > bounds.maxDepth) {
    problems.push(
      problem(
        'KOS_ERR_LIMIT_EXCEEDED',
        `The longest dependency chain has ${depth} tasks; planner.max_depth allows ${bounds.maxDepth}.`,
        'tasks',
        null,
        { limit: 'maxDepth', value: depth, max: bounds.maxDepth },
      ),
    );
  }
  if (criticalPathMs > bounds.maxCriticalPathMs) {
    problems.push(
      problem(
        'KOS_ERR_LIMIT_EXCEEDED',
        `The longest chain takes ${criticalPathMs} ms by its estimates; planner.max_critical_path_ms allows ${bounds.maxCriticalPathMs}.`,
        'tasks',
        null,
        { limit: 'maxCriticalPathMs', value: criticalPathMs, max: bounds.maxCriticalPathMs },
      ),
    );
  }
  return problems;
}

/** Each skill of a task that no agent offers, at the skill's path. */
export function skillProblems(plan: Plan, skills: ReadonlySet<string>): PlanProblem[] {
  return plan.tasks.flatMap((t, i) =>
    t.skills.flatMap((skill, j) =>
      skills.has(skill)
        ? []
        : [
            problem(
              'KOS_ERR_PLAN_SKILL_MISSING',
              `Task "${t.name}" needs skill "${skill}", which no agent offers; use one of: ${[...skills].sort().slice(0, 30).join(', ')}.`,
              `tasks/${i}/skills/${j}`,
              t.name,
              { skill },
            ),
          ],
    ),
  );
}
