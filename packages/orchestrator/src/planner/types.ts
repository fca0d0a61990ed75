import type { Priority } from '@kos/protocol';
import type { Config } from '../config/types.ts';
import type { TaskPolicyOverrides } from '../scheduler/policy.ts';

/** One task of a plan, before it is stored: dependencies are task names within the plan. */
export interface PlannedTask {
  name: string;
  skills: string[];
  priority: Priority;
  estimatedDurationMs: number;
  dependsOn: string[];
  input: unknown;
  /** Failure-handling overrides (template, then task); resolved over the configuration at submit. */
  policy?: TaskPolicyOverrides | undefined;
}

/** A goal decomposed into tasks, in declaration order (not necessarily topological). */
export interface Plan {
  /** The template that produced it, or 'explicit' for a submitted DAG. */
  template: string;
  tasks: PlannedTask[];
}

/** A goal's context: free text (seed 002's "Q4 2024") or an object whose keys templates may use. */
export type GoalContext = string | Record<string, unknown>;

/** The limits a plan must respect; a subset of the compiled configuration. */
export type PlanLimits = Pick<Config['limits'], 'maxTasksPerGoal' | 'maxSkillsPerEntity' | 'maxInputBytes'>;

/** How a template recognises the goals it decomposes. */
export type TemplateMatch =
  | { kind: 'words'; words: string[] }
  | { kind: 'pattern'; pattern: string; regex: RegExp }
  | { kind: 'always' };

/** A task of a template; `input` strings may hold `${goal}`, `${context}`, `${context.KEY}`. */
export type TemplateTask = PlannedTask;

export interface WorkflowTemplate {
  name: string;
  description: string;
  /** Lower ranks are tried first; ties are broken by name. */
  rank: number;
  match: TemplateMatch;
  tasks: TemplateTask[];
  /** Absolute path of the YAML file it was read from. */
  file: string;
  builtIn: boolean;
}
