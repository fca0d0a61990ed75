import { LineCounter, isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

/**
 * A DAG typed by a person, as YAML or JSON (JSON is YAML): `tasks: [...]` (optionally with `goal`,
 * `priority`), or the list of tasks alone. Parse errors and shape errors carry the line they are
 * on, so the form shows them where they are; the server's own checks (cycles, unknown
 * dependencies) come back on submission and are shown beside the task they name (problems.ts).
 */

export interface SpecTask {
  name: string;
  skills: string[];
  priority?: string;
  estimated_duration_ms?: number;
  depends_on?: string[];
  input?: unknown;
  policy?: unknown;
}

export interface SpecError {
  /** 1-based; null for the document as a whole. */
  line: number | null;
  message: string;
}

export type ParsedSpec =
  | { ok: true; tasks: SpecTask[]; lines: number[]; goal: string | null; priority: string | null }
  | { ok: false; errors: SpecError[] };

const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const FIELDS = new Set([
  'name',
  'skills',
  'priority',
  'estimated_duration_ms',
  'depends_on',
  'input',
  'policy',
]);

export function parseDagSpec(text: string): ParsedSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        line: e.linePos?.[0].line ?? null,
        message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      })),
    };
  }
  const lineOf = (node: unknown): number | null => {
    const range = (node as YamlNode | null)?.range;
    return range ? lines.linePos(range[0]).line : null;
  };
  const root: unknown = doc.contents;
  let seq: unknown = root;
  let goal: string | null = null;
  let priority: string | null = null;
  if (isMap(root)) {
    seq = root.get('tasks', true);
    const g: unknown = root.get('goal');
    const p: unknown = root.get('priority');
    goal = typeof g === 'string' ? g : null;
    priority = typeof p === 'string' ? p : null;
  }
  if (!isSeq(seq)) {
    return {
      ok: false,
      errors: [{ line: lineOf(root), message: 'expected a list of tasks, or an object with `tasks:`' }],
    };
  }
  const errors: SpecError[] = [];
  const tasks: SpecTask[] = [];
  const taskLines: number[] = [];
  seq.items.forEach((item, i) => {
    const line = lineOf(item);
    const at = (message: string, node: unknown = item) =>
      errors.push({ line: lineOf(node) ?? line, message });
    if (!isMap(item)) return at(`task #${i + 1}: expected an object with name and skills`);
    const value = item.toJSON() as Record<string, unknown>;
    const label = typeof value.name === 'string' && value.name !== '' ? `"${value.name}"` : `#${i + 1}`;
    for (const key of Object.keys(value))
      if (!FIELDS.has(key)) at(`task ${label}: unknown field "${key}"`, item.get(key, true));
    if (typeof value.name !== 'string' || value.name.trim() === '') at(`task ${label}: needs a name`);
    const skills = value.skills;
    if (!Array.isArray(skills) || skills.length === 0 || !skills.every((s) => typeof s === 'string'))
      at(`task ${label}: skills must be a non-empty list of names`, item.get('skills', true));
    const deps = value.depends_on;
    if (deps !== undefined && !(Array.isArray(deps) && deps.every((d) => typeof d === 'string')))
      at(`task ${label}: depends_on must be a list of task names`, item.get('depends_on', true));
    if (value.priority !== undefined && !PRIORITIES.includes(String(value.priority)))
      at(`task ${label}: priority must be one of ${PRIORITIES.join(', ')}`, item.get('priority', true));
    const ms = value.estimated_duration_ms;
    if (ms !== undefined && !(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0))
      at(
        `task ${label}: estimated_duration_ms must be a number ≥ 0`,
        item.get('estimated_duration_ms', true),
      );
    tasks.push(value as unknown as SpecTask);
    taskLines.push(line ?? 0);
  });
  if (seq.items.length === 0) errors.push({ line: lineOf(seq), message: 'the list of tasks is empty' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, tasks, lines: taskLines, goal, priority };
}
