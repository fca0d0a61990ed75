import type { GoalContext } from './types.ts';

/**
 * Template parameters. In every string of a task's `input` (deeply):
 * - `${goal}`         the goal text
 * - `${context}`      the context string, or its compact JSON when the context is an object
 * - `${context.KEY}`  a key (or dotted path) of an object context; missing → empty string
 * - `$${`             a literal `${`
 */
const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;
const KNOWN_PARAMETER = /^(?:goal|context(?:\.[\w-]+)*)$/;

export interface Parameters {
  goal: string;
  context: GoalContext;
}

/** The placeholders in `value`'s strings that are not parameters (reported when a template loads). */
export function unknownPlaceholders(value: unknown): string[] {
  const unknown: string[] = [];
  forEachString(value, (s) => {
    for (const m of s.matchAll(PLACEHOLDER)) {
      const parameter = m[1];
      if (parameter !== undefined && !KNOWN_PARAMETER.test(parameter)) unknown.push(m[0]);
    }
  });
  return unknown;
}

/** A fresh copy of `value` with the parameters substituted in every string value (keys stay). */
export function substituteParameters(value: unknown, parameters: Parameters): unknown {
  if (typeof value === 'string') return substituteString(value, parameters);
  if (Array.isArray(value)) return value.map((v: unknown) => substituteParameters(v, parameters));
  if (isRecord(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) copy[key] = substituteParameters(v, parameters);
    return copy;
  }
  return value;
}

function substituteString(s: string, { goal, context }: Parameters): string {
  return s.replace(PLACEHOLDER, (whole, parameter: string | undefined) => {
    if (parameter === undefined) return '${';
    if (parameter === 'goal') return goal;
    if (parameter === 'context') return typeof context === 'string' ? context : JSON.stringify(context);
    if (parameter.startsWith('context.')) return render(lookup(context, parameter.slice('context.'.length)));
    return whole; // unreachable for loaded templates: unknown placeholders are rejected at load
  });
}

function lookup(context: GoalContext, path: string): unknown {
  let current: unknown = context;
  for (const key of path.split('.')) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function render(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

function forEachString(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((v: unknown) => forEachString(v, visit));
  else if (isRecord(value)) Object.values(value).forEach((v) => forEachString(v, visit));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
