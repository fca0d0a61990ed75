/** Reads an explicit DAG (`{tasks: […]}`) for `kos submit --file` from JSON or YAML. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { TaskSpec } from './client.ts';
import { usageError } from './errors.ts';

/**
 * Checks only the outline (a `tasks` list of objects with a name and skills) so that a wrong file
 * fails here with its path in the message; the server validates the rest and reports by task.
 */
export function parseDag(text: string, source: string): TaskSpec[] {
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(extname(source)) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw usageError(`${source} is not valid ${/\.ya?ml$/i.test(source) ? 'YAML' : 'JSON'}: ${String(e)}`);
  }
  const tasks = typeof doc === 'object' && doc !== null && 'tasks' in doc ? doc.tasks : undefined;
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw usageError(`${source} must hold {"tasks": [{"name", "skills", "depends_on"?, …}, …]}`);
  }
  tasks.forEach((t: unknown, i) => {
    const ok =
      typeof t === 'object' &&
      t !== null &&
      'name' in t &&
      typeof t.name === 'string' &&
      'skills' in t &&
      Array.isArray(t.skills) &&
      t.skills.every((s: unknown) => typeof s === 'string');
    if (!ok) throw usageError(`${source}: tasks[${i}] needs a string "name" and a list of string "skills"`);
  });
  return tasks as TaskSpec[];
}

export function loadDag(path: string): TaskSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw usageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseDag(text, path);
}
