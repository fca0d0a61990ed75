import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KosError } from '@kos/protocol';
import { parseDocument } from 'yaml';
import { yamlIndentProblem } from '../config/yaml-guard.ts';
import { parseTemplate, WORD } from './template-schema.ts';
import type { TemplateMatch, WorkflowTemplate } from './types.ts';

/** The loaded templates, tried in rank order. */
export interface TemplateLibrary {
  /** Every template, in the order `match` tries them (rank, then name). */
  list(): readonly WorkflowTemplate[];
  get(name: string): WorkflowTemplate | undefined;
  /** The first template matching the goal; there always is one (a fallback is required). */
  match(goal: string): WorkflowTemplate;
  /** The first template that matches by its words or pattern; undefined when only a fallback would. */
  matchSpecific(goal: string): WorkflowTemplate | undefined;
}

// Loaded from the source folder at runtime: there is no build step that copies assets.
// At the package root, so src/ (tests, tsx) and dist/ (the build) find the same files.
const BUILT_IN_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Loads the built-in templates, then every *.yaml / *.yml file of `userDir` (a user template
 * replaces the built-in of the same name). Throws KOS_ERR_TEMPLATE_INVALID for the first bad file
 * (details `{ file, problems }`), and KOS_ERR_CONFIG_INVALID when `userDir` cannot be read.
 */
export async function loadTemplates(userDir: string | null): Promise<TemplateLibrary> {
  const byName = new Map<string, WorkflowTemplate>();
  for (const template of await loadFolder(BUILT_IN_DIR, true)) byName.set(template.name, template);

  if (userDir !== null) {
    const userTemplates = await loadFolder(resolve(userDir), false);
    const userFiles = new Map<string, string>();
    for (const template of userTemplates) {
      const earlier = userFiles.get(template.name);
      if (earlier !== undefined) {
        throw invalid(template.file, [`name "${template.name}" is already used by ${earlier}`]);
      }
      userFiles.set(template.name, template.file);
      byName.set(template.name, template);
    }
    if (![...byName.values()].some((t) => t.match.kind === 'always')) {
      throw invalid(resolve(userDir), [
        'no template has `match: { always: true }` (a user file replaced the fallback); some goals would match nothing',
      ]);
    }
  }
  return new RankedLibrary([...byName.values()]);
}

class RankedLibrary implements TemplateLibrary {
  readonly #templates: readonly WorkflowTemplate[];

  constructor(templates: WorkflowTemplate[]) {
    this.#templates = templates.sort(
      (a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  list(): readonly WorkflowTemplate[] {
    return this.#templates;
  }

  get(name: string): WorkflowTemplate | undefined {
    return this.#templates.find((t) => t.name === name);
  }

  /** The first template that matches the goal by its words or pattern (not a fallback `always`). */
  matchSpecific(goal: string): WorkflowTemplate | undefined {
    const words = goal.toLowerCase().match(WORD) ?? [];
    return this.#templates.find((t) => t.match.kind !== 'always' && matches(t.match, goal, words));
  }

  match(goal: string): WorkflowTemplate {
    const words = goal.toLowerCase().match(WORD) ?? [];
    const found = this.#templates.find((t) => matches(t.match, goal, words));
    if (found === undefined) {
      // loadTemplates guarantees a fallback; reaching this means the library was built otherwise.
      throw new KosError('KOS_ERR_INTERNAL', 'No workflow template matches the goal and none is a fallback.');
    }
    return found;
  }
}

function matches(match: TemplateMatch, goal: string, goalWords: readonly string[]): boolean {
  switch (match.kind) {
    case 'words':
      return goalWords.some((word) => match.words.some((prefix) => word.startsWith(prefix)));
    case 'pattern':
      return match.regex.test(goal);
    case 'always':
      return true;
  }
}

async function loadFolder(dir: string, builtIn: boolean): Promise<WorkflowTemplate[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `The templates folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); fix templates_dir.`,
      { templatesDir: dir },
    );
  }
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort();
  const templates: WorkflowTemplate[] = [];
  for (const name of files) {
    const file = join(dir, name);
    templates.push(parseFile(file, await readFile(file, 'utf8'), builtIn));
  }
  return templates;
}

function parseFile(file: string, text: string, builtIn: boolean): WorkflowTemplate {
  const tooDeep = yamlIndentProblem(text);
  if (tooDeep !== null) throw invalid(file, [tooDeep]);
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    throw invalid(
      file,
      doc.errors.map((e) => e.message),
    );
  const parsed = parseTemplate(doc.toJS(), file, builtIn);
  if (!parsed.ok) throw invalid(file, parsed.problems);
  return parsed.template;
}

function invalid(file: string, problems: string[]): KosError {
  return new KosError(
    'KOS_ERR_TEMPLATE_INVALID',
    `Workflow template ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    { file, problems },
  );
}
