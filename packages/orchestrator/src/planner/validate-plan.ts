import { KosError, PRIORITIES } from '@kos/protocol';
import { findCycle, findDuplicateName, findUnknownDependency } from './dag.ts';
import type { Plan, PlanLimits, PlannedTask } from './types.ts';

/**
 * Throws the KosError that explains the first problem of the plan, or returns when it may be
 * stored: bounded (KOS_ERR_LIMIT_EXCEEDED), well-formed (KOS_ERR_VALIDATION), unique names
 * (KOS_ERR_DAG_DUPLICATE_TASK), known dependencies (KOS_ERR_DAG_UNKNOWN_DEPENDENCY) and acyclic
 * (KOS_ERR_DAG_CYCLE). Dependencies may name tasks declared later; the order is kept.
 */
export function validatePlan(plan: Plan, limits: PlanLimits): void {
  const { tasks } = plan;
  if (tasks.length === 0) {
    throw new KosError('KOS_ERR_VALIDATION', 'A goal needs at least one task.', { field: 'tasks' });
  }
  // Checked before anything per task, so an oversized plan costs no more work than this.
  if (tasks.length > limits.maxTasksPerGoal) {
    throw new KosError(
      'KOS_ERR_LIMIT_EXCEEDED',
      `The goal has ${tasks.length} tasks; limits.max_tasks_per_goal allows ${limits.maxTasksPerGoal}.`,
      { limit: 'maxTasksPerGoal', value: tasks.length, max: limits.maxTasksPerGoal },
    );
  }
  tasks.forEach((task, index) => validateTask(task, index, limits));

  const duplicate = findDuplicateName(tasks);
  if (duplicate !== undefined) {
    throw new KosError(
      'KOS_ERR_DAG_DUPLICATE_TASK',
      `Two tasks are named "${duplicate}"; task names must be unique within a goal.`,
      { name: duplicate },
    );
  }
  const unknown = findUnknownDependency(tasks);
  if (unknown !== undefined) {
    throw new KosError(
      'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
      `Task "${unknown.task}" depends on "${unknown.dependency}", which no task of the goal is named.`,
      unknown,
    );
  }
  const cycle = findCycle(tasks);
  if (cycle !== null) {
    throw new KosError(
      'KOS_ERR_DAG_CYCLE',
      `The tasks depend on each other in a cycle (each depends on the next): ${cycle.join(' → ')}.`,
      { cycle },
    );
  }
}

function validateTask(task: PlannedTask, index: number, limits: PlanLimits): void {
  const label = typeof task.name === 'string' && task.name !== '' ? `"${task.name}"` : `#${index + 1}`;
  const invalid = (field: string, problem: string): KosError =>
    new KosError('KOS_ERR_VALIDATION', `Task ${label}: ${problem}.`, { task: task.name, index, field });

  if (typeof task.name !== 'string' || task.name.trim() === '')
    throw invalid('name', 'needs a non-empty name');
  if (task.skills.length === 0) throw invalid('skills', 'needs at least one skill');
  if (task.skills.length > limits.maxSkillsPerEntity) {
    throw new KosError(
      'KOS_ERR_LIMIT_EXCEEDED',
      `Task ${label} needs ${task.skills.length} skills; limits.max_skills_per_entity allows ${limits.maxSkillsPerEntity}.`,
      {
        limit: 'maxSkillsPerEntity',
        value: task.skills.length,
        max: limits.maxSkillsPerEntity,
        task: task.name,
      },
    );
  }
  if (task.skills.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw invalid('skills', 'every skill must be a non-empty string');
  }
  if (!PRIORITIES.includes(task.priority)) {
    throw invalid('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
  }
  if (task.policy?.runWhen === 'failed' && task.dependsOn.length === 0) {
    throw invalid('policy', 'run_when "failed" needs depends_on (the tasks whose failure it handles)');
  }
  if (!Number.isFinite(task.estimatedDurationMs) || task.estimatedDurationMs < 0) {
    throw invalid('estimatedDurationMs', 'the estimated duration must be a finite number of ms ≥ 0');
  }
  const bytes = jsonBytes(task.input);
  if (bytes === null) throw invalid('input', 'the input must be JSON (no cycles, no BigInt)');
  if (bytes > limits.maxInputBytes) {
    throw new KosError(
      'KOS_ERR_LIMIT_EXCEEDED',
      `Task ${label} has an input of ${bytes} bytes of JSON; limits.max_input_bytes allows ${limits.maxInputBytes}.`,
      { limit: 'maxInputBytes', value: bytes, max: limits.maxInputBytes, task: task.name },
    );
  }
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
