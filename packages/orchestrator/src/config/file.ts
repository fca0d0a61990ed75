import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { yamlIndentProblem } from './yaml-guard.ts';
import { ALL_KEYS } from './keys.ts';
import { closestKey } from './suggest.ts';

/** Where the YAML file came from: who named it, so a missing file can be blamed on its source. */
export interface FileChoice {
  path: string;
  namedBy: string | null;
}

export interface LoadedFile {
  /** How values from this file are labelled in messages: the path as given. */
  label: string;
  /** Relative paths in the file are resolved against its directory. */
  baseDir: string;
  /** Flat map from dotted key (`retry.max_attempts`) to the raw YAML value. */
  values: Map<string, unknown>;
}

const FULL_KEYS = ALL_KEYS.map((k) => k.key);
const KNOWN = new Set(FULL_KEYS);
/** Every section a key sits in: `retry`, `default_policy`, `default_policy.lifecycle`. */
const SECTIONS = new Set<string>();
for (const key of FULL_KEYS) {
  for (let dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) SECTIONS.add(key.slice(0, dot));
}
const TOP_LEVEL = [...SECTIONS, ...FULL_KEYS].filter((k) => !k.includes('.'));

/** Reads and flattens the file, adding a problem for each unreadable, malformed or unknown part. */
export function loadConfigFile(choice: FileChoice, cwd: string, problems: string[]): LoadedFile | null {
  const absolute = path.resolve(cwd, choice.path);
  const label = choice.path;
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${String(e)})`;
    const by = choice.namedBy === null ? '' : ` (named by ${choice.namedBy})`;
    problems.push(`config file ${JSON.stringify(choice.path)}${by} ${reason}`);
    return null;
  }

  const tooDeep = yamlIndentProblem(source);
  if (tooDeep !== null) {
    problems.push(`${label}: ${tooDeep}`);
    return null;
  }
  const doc = parseDocument(source);
  // Only the first parse error: the ones after it are usually its echoes.
  const [parseError] = doc.errors;
  if (parseError !== undefined) {
    const at = parseError.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    const firstLine = parseError.message.split('\n')[0] ?? parseError.message;
    problems.push(
      `${label}: malformed YAML${where}: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
    return null;
  }

  const values = new Map<string, unknown>();
  const loaded: LoadedFile = { label, baseDir: path.dirname(absolute), values };
  // toJS resolves aliases, and throws (not in doc.errors) for an unknown alias (`*x`) and for an
  // alias bomb past yaml's maxAliasCount; found by test/fuzz/parsers.fuzz.test.ts.
  let root: unknown;
  try {
    root = doc.toJS();
  } catch (e) {
    problems.push(`${label}: malformed YAML: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  if (root === null || root === undefined) return loaded;
  if (!isMapping(root)) {
    problems.push(`${label}: must be a mapping of configuration keys (got ${describe(root)})`);
    return null;
  }

  const { orchestrator, ...topLevel } = root;
  flatten(topLevel, '', values, label, problems);
  // The seed's shape nests everything under `orchestrator:`; both shapes are accepted.
  if (orchestrator !== undefined && orchestrator !== null) {
    if (!isMapping(orchestrator)) {
      problems.push(
        `orchestrator: must be a mapping of configuration keys (got ${describe(orchestrator)} from ${label})`,
      );
    } else {
      const nested = new Map<string, unknown>();
      flatten(orchestrator, '', nested, label, problems);
      for (const [key, value] of nested) {
        if (values.has(key)) {
          problems.push(`${key}: set both at the top level and under orchestrator: in ${label}; keep one`);
        } else {
          values.set(key, value);
        }
      }
    }
  }
  return loaded;
}

/** Adds each key under `section` (the top level when '') to `out`, descending into sections. */
function flatten(
  mapping: Record<string, unknown>,
  section: string,
  out: Map<string, unknown>,
  label: string,
  problems: string[],
): void {
  for (const [name, value] of Object.entries(mapping)) {
    const key = section === '' ? name : `${section}.${name}`;
    if (KNOWN.has(key)) {
      out.set(key, value);
    } else if (!SECTIONS.has(key)) {
      const atTop = section === '' && !name.includes('.');
      problems.push(unknownKey(key, label, atTop ? TOP_LEVEL.concat(FULL_KEYS) : FULL_KEYS));
    } else if (isMapping(value)) {
      flatten(value, key, out, label, problems);
    } else if (value !== null) {
      // (null is an empty section, e.g. `retry:` with nothing under it)
      problems.push(`${key}: must be a mapping of keys (got ${describe(value)} from ${label})`);
    }
  }
}

function unknownKey(key: string, label: string, candidates: readonly string[]): string {
  const guess = closestKey(key, candidates);
  const hint = guess === undefined ? '' : ` — did you mean ${guess}?`;
  return `unknown key ${key} in ${label}${hint}`;
}

/** Picks the file: --config, then the caller's path, then KOS_CONFIG, then ./kos.yaml when present. */
export function chooseConfigFile(
  flag: string | undefined,
  callerFile: string | undefined,
  envFile: string | undefined,
  cwd: string,
): FileChoice | null {
  if (flag !== undefined && flag !== '') return { path: flag, namedBy: 'flag --config' };
  if (callerFile !== undefined && callerFile !== '') return { path: callerFile, namedBy: 'the caller' };
  if (envFile !== undefined && envFile !== '') return { path: envFile, namedBy: 'env KOS_CONFIG' };
  return existsSync(path.join(cwd, 'kos.yaml')) ? { path: 'kos.yaml', namedBy: null } : null;
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as shown in messages; credentials in URLs are masked. */
export function describe(v: unknown): string {
  const shown =
    typeof v === 'string' ? JSON.stringify(v.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@')) : stringify(v);
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
}

function stringify(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
