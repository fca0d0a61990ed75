/**
 * Workflow template files: one template per YAML file.
 *
 * ```yaml
 * name: analysis            # unique, [A-Za-z0-9_-]; a user file with the same name replaces the built-in
 * description: ...          # optional
 * rank: 10                  # lower ranks are tried first (ties by name); the first match wins
 * match:                    # exactly one of:
 *   words: [analyze, report]  # a goal word (case-insensitive) starting with one of these prefixes
 *   # pattern: "regex"        # a case-insensitive regular expression found in the goal text
 *   # always: true            # matches every goal: the fallback
 * policy: { retry: { max_attempts: 5 } }   # optional: failure handling of every task (docs/failure-handling.md)
 * tasks:                    # at least one
 *   - name: Data Collection   # unique within the template, kept literally
 *     skills: [data_collection]   # at least one
 *     priority: high          # critical|high|medium|low; default medium
 *     estimated_duration_ms: 60000   # default 60000
 *     depends_on: []          # names of other tasks of this template; several allowed; no cycles
 *     input: { goal: "${goal}", context: "${context}" }   # any YAML/JSON, this is the default;
 *                             # strings take ${goal}, ${context}, ${context.KEY}; `$${` is a literal `${`
 *     policy: { run_when: failed }   # optional: overrides the template's policy field by field
 * ```
 */
import { PRIORITIES, type Priority } from '@kos/protocol';
import type { TaskPolicyOverrides } from '../scheduler/policy.ts';
import { findCycle, findDuplicateName } from './dag.ts';
import { unknownPlaceholders } from './parameters.ts';
import { mergeOverrides, parsePolicySpec } from './policy-spec.ts';
import type { TemplateMatch, TemplateTask, WorkflowTemplate } from './types.ts';

const TEMPLATE_KEYS = ['name', 'description', 'rank', 'match', 'policy', 'tasks'];
const MATCH_KEYS = ['words', 'pattern', 'always'];
const TASK_KEYS = ['name', 'skills', 'priority', 'estimated_duration_ms', 'depends_on', 'input', 'policy'];
const TEMPLATE_NAME = /^[A-Za-z0-9][\w-]*$/;
/** A goal word as the matcher splits it: letters, digits, underscore (any script). */
export const WORD = /[\p{L}\p{N}_]+/gu;
const DEFAULT_PRIORITY: Priority = 'medium';
const DEFAULT_DURATION_MS = 60_000;
const DEFAULT_INPUT = { goal: '${goal}', context: '${context}' };

export type ParsedTemplate = { ok: true; template: WorkflowTemplate } | { ok: false; problems: string[] };

/** Checks a parsed YAML document against the schema above and compiles it. */
export function parseTemplate(raw: unknown, file: string, builtIn: boolean): ParsedTemplate {
  const problems: string[] = [];
  if (!isRecord(raw)) return { ok: false, problems: ['the file must hold one YAML mapping (a template)'] };
  problems.push(...unknownKeys(raw, TEMPLATE_KEYS, ''));

  const name = raw['name'];
  if (typeof name !== 'string' || !TEMPLATE_NAME.test(name)) {
    problems.push('name must be a word of letters, digits, "_" or "-"');
  } else if (name === 'explicit') {
    problems.push('name "explicit" is reserved for submitted DAGs');
  }
  const description = raw['description'] ?? '';
  if (typeof description !== 'string') problems.push('description must be a string');
  const rank = raw['rank'];
  if (typeof rank !== 'number' || !Number.isFinite(rank)) problems.push('rank must be a number');

  const match = parseMatch(raw['match'], problems);
  const policy = parsePolicy(raw['policy'], 'policy', problems);
  const tasks = parseTasks(raw['tasks'], policy, problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    template: {
      name: name as string,
      description: description as string,
      rank: rank as number,
      match: match as TemplateMatch,
      tasks,
      file,
      builtIn,
    },
  };
}

function parseMatch(raw: unknown, problems: string[]): TemplateMatch | undefined {
  if (!isRecord(raw)) {
    problems.push('match must be a mapping with one of: words, pattern, always');
    return undefined;
  }
  problems.push(...unknownKeys(raw, MATCH_KEYS, 'match.'));
  const given = MATCH_KEYS.filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    problems.push(
      `match must have exactly one of words, pattern, always (found ${given.join(', ') || 'none'})`,
    );
    return undefined;
  }
  const { words, pattern, always } = raw;
  if (words !== undefined) {
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string')) {
      problems.push('match.words must be a non-empty list of words');
      return undefined;
    }
    const bad = words.filter((w: string) => w.match(WORD)?.[0] !== w);
    if (bad.length > 0)
      problems.push(`match.words must be single words (got ${bad.map((w) => `"${w}"`).join(', ')})`);
    return { kind: 'words', words: words.map((w: string) => w.toLowerCase()) };
  }
  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || pattern === '') {
      problems.push('match.pattern must be a non-empty regular expression');
      return undefined;
    }
    try {
      return { kind: 'pattern', pattern, regex: new RegExp(pattern, 'i') };
    } catch (e) {
      problems.push(`match.pattern is not a valid regular expression: ${(e as Error).message}`);
      return undefined;
    }
  }
  if (always !== true) problems.push('match.always must be true');
  return { kind: 'always' };
}

/** A `policy:` mapping, or undefined when absent or invalid (its problems are reported). */
function parsePolicy(raw: unknown, at: string, problems: string[]): TaskPolicyOverrides | undefined {
  if (raw === undefined) return undefined;
  const parsed = parsePolicySpec(raw, at);
  if (parsed.ok) return parsed.overrides;
  problems.push(...parsed.problems);
  return undefined;
}

function parseTasks(
  raw: unknown,
  templatePolicy: TaskPolicyOverrides | undefined,
  problems: string[],
): TemplateTask[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push('tasks must be a non-empty list');
    return [];
  }
  const tasks = raw.flatMap((t: unknown, i) => {
    const task = parseTask(t, `tasks[${i}]`, templatePolicy, problems);
    return task === undefined ? [] : [task];
  });
  // Graph checks only make sense when every task parsed.
  if (tasks.length !== raw.length) return tasks;
  const duplicate = findDuplicateName(tasks);
  if (duplicate !== undefined) problems.push(`two tasks are named "${duplicate}"`);
  const names = new Set(tasks.map((t) => t.name));
  for (const task of tasks) {
    for (const d of task.dependsOn) {
      if (!names.has(d))
        problems.push(`task "${task.name}" depends on "${d}", which is not a task of this template`);
    }
  }
  const cycle = duplicate === undefined ? findCycle(tasks) : null;
  if (cycle !== null) problems.push(`tasks depend on each other in a cycle: ${cycle.join(' → ')}`);
  return tasks;
}

function parseTask(
  raw: unknown,
  at: string,
  templatePolicy: TaskPolicyOverrides | undefined,
  problems: string[],
): TemplateTask | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at} must be a mapping`);
    return undefined;
  }
  const before = problems.length;
  problems.push(...unknownKeys(raw, TASK_KEYS, `${at}.`));
  const { name, skills } = raw;
  const priority = raw['priority'] ?? DEFAULT_PRIORITY;
  const duration = raw['estimated_duration_ms'] ?? DEFAULT_DURATION_MS;
  const dependsOn = raw['depends_on'] ?? [];
  const input = raw['input'] === undefined ? DEFAULT_INPUT : raw['input'];

  if (typeof name !== 'string' || name.trim() === '') problems.push(`${at}.name must be a non-empty string`);
  if (!isStringList(skills) || skills.length === 0 || skills.some((s) => s.trim() === '')) {
    problems.push(`${at}.skills must be a non-empty list of non-empty strings`);
  }
  if (typeof priority !== 'string' || !(PRIORITIES as readonly string[]).includes(priority)) {
    problems.push(`${at}.priority must be one of ${PRIORITIES.join(', ')} (got ${JSON.stringify(priority)})`);
  }
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) {
    problems.push(`${at}.estimated_duration_ms must be a number ≥ 0`);
  }
  if (!isStringList(dependsOn)) problems.push(`${at}.depends_on must be a list of task names`);
  const policy = mergeOverrides(templatePolicy, parsePolicy(raw['policy'], `${at}.policy`, problems));
  if (policy?.runWhen === 'failed' && isStringList(dependsOn) && dependsOn.length === 0) {
    problems.push(`${at}: run_when: failed needs depends_on (the tasks whose failure it handles)`);
  }
  for (const placeholder of unknownPlaceholders(input)) {
    problems.push(
      `${at}.input uses unknown parameter ${placeholder}; use \${goal}, \${context} or \${context.KEY}`,
    );
  }
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    skills: skills as string[],
    priority: priority as Priority,
    estimatedDurationMs: duration as number,
    dependsOn: dependsOn as string[],
    input,
    ...(policy === undefined ? {} : { policy }),
  };
}

function unknownKeys(raw: Record<string, unknown>, allowed: readonly string[], at: string): string[] {
  return Object.keys(raw)
    .filter((k) => !allowed.includes(k))
    .map((k) => `unknown key ${at}${k} (allowed: ${allowed.join(', ')})`);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
