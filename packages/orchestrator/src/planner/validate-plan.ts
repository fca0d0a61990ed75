import { KosError, PRIORITIES, type ErrorCode } from '@kos/protocol';
import { findCycle, findDuplicateNames, findUnknownDependencies } from './dag.ts';
import type { Plan, PlanLimits, PlannedTask } from './types.ts';

/**
 * One problem of a plan, where a form can show it: `path` points into the submitted body
 * (`tasks/2/depends_on/0`), `task` names the task when there is one.
 */
export interface PlanProblem {
  code: ErrorCode;
  message: string;
  path: string;
  task: string | null;
  /** The details the error of this problem alone carries (as before problems were listed). */
  details: Record<string, unknown>;
}

/**
 * Throws the KosError of the plan's first problem, or returns when it may be stored: bounded
 * (KOS_ERR_LIMIT_EXCEEDED), well-formed (KOS_ERR_VALIDATION), unique names
 * (KOS_ERR_DAG_DUPLICATE_TASK), known dependencies (KOS_ERR_DAG_UNKNOWN_DEPENDENCY) and acyclic
 * (KOS_ERR_DAG_CYCLE). Dependencies may name tasks declared later; the order is kept. The error's
 * details are the first problem's, plus `plan_problems`: every problem found, each with its path,
 * so a form can show them all at once.
 */
export function validatePlan(plan: Plan, limits: PlanLimits): void {
  const problems = planProblems(plan, limits);
  const first = problems[0];
  if (first === undefined) return;
  throw new KosError(first.code, first.message, {
    ...first.details,
    plan_problems: problems.map((p) => ({ code: p.code, path: p.path, task: p.task, message: p.message })),
  });
}

/** Every problem of a plan (none: it may be stored), in the order validatePlan reports them. */
export function planProblems(plan: Plan, limits: PlanLimits): PlanProblem[] {
  const { tasks } = plan;
  if (tasks.length === 0) {
    return [
      problem('KOS_ERR_VALIDATION', 'A goal needs at least one task.', 'tasks', null, { field: 'tasks' }),
    ];
  }
  // Checked before anything per task, so an oversized plan costs no more work than this.
  if (tasks.length > limits.maxTasksPerGoal) {
    return [
      problem(
        'KOS_ERR_LIMIT_EXCEEDED',
        `The goal has ${tasks.length} tasks; limits.max_tasks_per_goal allows ${limits.maxTasksPerGoal}.`,
        'tasks',
        null,
        { limit: 'maxTasksPerGoal', value: tasks.length, max: limits.maxTasksPerGoal },
      ),
    ];
  }
  const problems = tasks.flatMap((task, index) => taskProblem(task, index, limits) ?? []);

  const duplicates = findDuplicateNames(tasks);
  for (const name of duplicates) {
    const index = tasks.findLastIndex((t) => t.name === name);
    problems.push(
      problem(
        'KOS_ERR_DAG_DUPLICATE_TASK',
        `Two tasks are named "${name}"; task names must be unique within a goal.`,
        `tasks/${index}/name`,
        name,
        { name },
      ),
    );
  }
  for (const u of findUnknownDependencies(tasks)) {
    problems.push(
      problem(
        'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
        `Task "${u.task}" depends on "${u.dependency}", which no task of the goal is named.`,
        `tasks/${u.index}/depends_on/${u.position}`,
        u.task,
        { task: u.task, dependency: u.dependency },
      ),
    );
  }
  // A cycle is well defined only over unique names.
  const cycle = duplicates.length === 0 ? findCycle(tasks) : null;
  if (cycle !== null) {
    const start = tasks.findIndex((t) => t.name === cycle[0]);
    problems.push(
      problem(
        'KOS_ERR_DAG_CYCLE',
        `The tasks depend on each other in a cycle (each depends on the next): ${cycle.join(' → ')}.`,
        `tasks/${start}/depends_on`,
        cycle[0] ?? null,
        { cycle },
      ),
    );
  }
  return problems;
}

function problem(
  code: ErrorCode,
  message: string,
  path: string,
  task: string | null,
  details: Record<string, unknown>,
): PlanProblem {
  return { code, message, path, task, details };
}

/** The body's name of each checked field. */
const WIRE_FIELD: Record<string, string> = { estimatedDurationMs: 'estimated_duration_ms' };

/** The first problem of one task, or null. */
function taskProblem(task: PlannedTask, index: number, limits: PlanLimits): PlanProblem | null {
  const label = typeof task.name === 'string' && task.name !== '' ? `"${task.name}"` : `#${index + 1}`;
  const name = typeof task.name === 'string' ? task.name : null;
  const at = (field: string) => `tasks/${index}/${WIRE_FIELD[field] ?? field}`;
  const invalid = (field: string, why: string): PlanProblem =>
    problem('KOS_ERR_VALIDATION', `Task ${label}: ${why}.`, at(field), name, {
      task: task.name,
      index,
      field,
    });
  const tooMuch = (field: string, message: string, details: Record<string, unknown>): PlanProblem =>
    problem('KOS_ERR_LIMIT_EXCEEDED', message, at(field), name, { ...details, task: task.name });

  if (typeof task.name !== 'string' || task.name.trim() === '')
    return invalid('name', 'needs a non-empty name');
  if (task.skills.length === 0) return invalid('skills', 'needs at least one skill');
  if (task.skills.length > limits.maxSkillsPerEntity) {
    return tooMuch(
      'skills',
      `Task ${label} needs ${task.skills.length} skills; limits.max_skills_per_entity allows ${limits.maxSkillsPerEntity}.`,
      { limit: 'maxSkillsPerEntity', value: task.skills.length, max: limits.maxSkillsPerEntity },
    );
  }
  if (task.skills.some((s) => typeof s !== 'string' || s.trim() === '')) {
    return invalid('skills', 'every skill must be a non-empty string');
  }
  if (!PRIORITIES.includes(task.priority)) {
    return invalid('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
  }
  if (task.policy?.runWhen === 'failed' && task.dependsOn.length === 0) {
    return invalid('policy', 'run_when "failed" needs depends_on (the tasks whose failure it handles)');
  }
  if (!Number.isFinite(task.estimatedDurationMs) || task.estimatedDurationMs < 0) {
    return invalid('estimatedDurationMs', 'the estimated duration must be a finite number of ms ≥ 0');
  }
  const bytes = jsonBytes(task.input);
  if (bytes === null) return invalid('input', 'the input must be JSON (no cycles, no BigInt)');
  if (bytes > limits.maxInputBytes) {
    return tooMuch(
      'input',
      `Task ${label} has an input of ${bytes} bytes of JSON; limits.max_input_bytes allows ${limits.maxInputBytes}.`,
      { limit: 'maxInputBytes', value: bytes, max: limits.maxInputBytes },
    );
  }
  return null;
}

/** UTF-8 size of the input's JSON (0 for undefined), or null when it cannot be serialised. */
function jsonBytes(input: unknown): number | null {
  try {
    const json = JSON.stringify(input) as string | undefined;
    return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  } catch {
    return null;
  }
}
