import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKosError, type KosError } from '@kos/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decompose } from './decompose.ts';
import { loadTemplates } from './template-library.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kos-templates-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<KosError> {
  try {
    await promise;
  } catch (e) {
    if (isKosError(e)) return e;
    throw e;
  }
  throw new Error('expected a KosError');
}

/** Loads one user file and returns the problems it was rejected with. */
async function problemsOf(yaml: string): Promise<string[]> {
  await writeFile(join(dir, 'bad.yaml'), yaml);
  const e = await rejection(loadTemplates(dir));
  expect(e.code).toBe('KOS_ERR_TEMPLATE_INVALID');
  expect(e.details?.['file']).toBe(join(dir, 'bad.yaml'));
  expect(e.message).toContain(join(dir, 'bad.yaml'));
  return e.details?.['problems'] as string[];
}

const VALID_TASK = 'tasks: [{ name: T, skills: [s] }]';

describe('loadTemplates', () => {
  it('loads the built-in templates in rank order, marked built-in', async () => {
    const library = await loadTemplates(null);
    expect(library.list().map((t) => [t.name, t.rank, t.builtIn])).toEqual([
      ['analysis', 10, true],
      ['development', 20, true],
      ['generic', 1000, true],
    ]);
  });

  it('lets a user file replace a built-in of the same name', async () => {
    await writeFile(
      join(dir, 'mine.yml'),
      'name: analysis\nrank: 5\nmatch: { pattern: "^study\\\\b" }\ntasks:\n  - name: Study\n    skills: [reading]\n',
    );
    const library = await loadTemplates(dir);
    const analysis = library.get('analysis');
    expect(analysis?.builtIn).toBe(false);
    expect(analysis?.tasks.map((t) => t.name)).toEqual(['Study']);
    expect(library.match('Study the market').name).toBe('analysis');
    expect(library.match('analyze customer data trends').name).toBe('generic');
    expect(library.list()).toHaveLength(3);
  });

  it('applies defaults for priority, duration, dependencies and input', async () => {
    await writeFile(join(dir, 'a.yaml'), `name: chores\nrank: 1\nmatch: { words: [tidy] }\n${VALID_TASK}\n`);
    const task = (await loadTemplates(dir)).get('chores')?.tasks[0];
    expect(task).toEqual({
      name: 'T',
      skills: ['s'],
      priority: 'medium',
      estimatedDurationMs: 60000,
      dependsOn: [],
      input: { goal: '${goal}', context: '${context}' },
    });
  });

  it('layers a task policy over the template policy, field by field', async () => {
    await writeFile(
      join(dir, 'p.yaml'),
      [
        'name: careful',
        'rank: 1',
        'match: { words: [careful] }',
        'policy:',
        '  retry: { max_attempts: 5, base_delay_ms: 100 }',
        '  timeouts: { start_to_close_ms: 60000 }',
        '  approval: { on_failure: true }',
        'tasks:',
        '  - { name: Build, skills: [build] }',
        '  - name: Notify',
        '    skills: [notify]',
        '    depends_on: [Build]',
        '    policy: { retry: { max_attempts: 1 }, timeouts: { start_to_close_ms: null }, run_when: failed }',
      ].join('\n'),
    );
    const library = await loadTemplates(dir);
    const [build, notify] = library.get('careful')!.tasks;
    expect(build?.policy).toMatchObject({
      retry: { maxAttempts: 5, baseDelayMs: 100 },
      timeouts: { startToCloseMs: 60000 },
      approval: { onFailure: true },
    });
    expect(notify?.policy).toMatchObject({
      retry: { maxAttempts: 1, baseDelayMs: 100 },
      timeouts: { startToCloseMs: null },
      approval: { onFailure: true },
      runWhen: 'failed',
    });
    // A goal decomposed with the template carries the layered policies into its plan.
    const limits = { maxTasksPerGoal: 10, maxSkillsPerEntity: 8, maxInputBytes: 4096 };
    const plan = decompose(library, 'a careful change', '', limits);
    expect(plan.tasks.map((t) => t.policy)).toEqual([build?.policy, notify?.policy]);
  });

  it('ranks a user template with a lower rank before the built-ins', async () => {
    await writeFile(
      join(dir, 'a.yaml'),
      `name: urgent\nrank: 1\nmatch: { words: [urgent] }\n${VALID_TASK}\n`,
    );
    const library = await loadTemplates(dir);
    expect(library.list()[0]?.name).toBe('urgent');
    expect(library.match('urgent: analyze the outage').name).toBe('urgent');
  });

  it('ignores files that are not YAML and folders', async () => {
    await writeFile(join(dir, 'notes.txt'), 'not: [a template');
    await mkdir(join(dir, 'folder.yaml'));
    expect((await loadTemplates(dir)).list()).toHaveLength(3);
  });

  it('rejects a templates folder that does not exist', async () => {
    const e = await rejection(loadTemplates(join(dir, 'missing')));
    expect(e.code).toBe('KOS_ERR_CONFIG_INVALID');
    expect(e.details).toEqual({ templatesDir: join(dir, 'missing') });
  });

  it('rejects two user files with the same template name', async () => {
    await writeFile(join(dir, 'a.yaml'), `name: twin\nrank: 1\nmatch: { words: [x] }\n${VALID_TASK}\n`);
    await writeFile(join(dir, 'b.yaml'), `name: twin\nrank: 2\nmatch: { words: [y] }\n${VALID_TASK}\n`);
    const e = await rejection(loadTemplates(dir));
    expect(e.code).toBe('KOS_ERR_TEMPLATE_INVALID');
    expect(e.details).toEqual({
      file: join(dir, 'b.yaml'),
      problems: [`name "twin" is already used by ${join(dir, 'a.yaml')}`],
    });
  });

  it('rejects a library left without a fallback template', async () => {
    await writeFile(join(dir, 'g.yaml'), `name: generic\nrank: 1\nmatch: { words: [x] }\n${VALID_TASK}\n`);
    const e = await rejection(loadTemplates(dir));
    expect(e.code).toBe('KOS_ERR_TEMPLATE_INVALID');
    expect(e.details?.['file']).toBe(dir);
  });
});

describe('invalid template files', () => {
  it('reports YAML syntax errors', async () => {
    const problems = await problemsOf('name: [unclosed\n');
    expect(problems.length).toBeGreaterThan(0);
  });

  it('refuses a file indented thousands of columns deep before the YAML parser sees it', async () => {
    const problems = await problemsOf(`name: deep\n${' '.repeat(5000)}tasks: []\n`);
    expect(problems).toEqual(['malformed YAML: a line is indented 5000 columns (at most 256)']);
  });

  it('reports a document that is not a mapping', async () => {
    expect(await problemsOf('- a\n- b\n')).toEqual(['the file must hold one YAML mapping (a template)']);
  });

  it('reports every problem of the file at once', async () => {
    const problems = await problemsOf(
      [
        'name: "bad name"',
        'rank: high',
        'colour: red',
        'match: { words: [x], always: true }',
        'tasks:',
        '  - name: A',
        '    skills: []',
        '    priority: urgent',
        '    estimated_duration_ms: -1',
        '    depends_on: B',
        '    input: { who: "${user}" }',
        '    retries: 3',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'unknown key colour (allowed: name, description, rank, match, policy, tasks)',
      'name must be a word of letters, digits, "_" or "-"',
      'rank must be a number',
      'match must have exactly one of words, pattern, always (found words, always)',
      'unknown key tasks[0].retries (allowed: name, skills, priority, estimated_duration_ms, depends_on, input, policy)',
      'tasks[0].skills must be a non-empty list of non-empty strings',
      'tasks[0].priority must be one of critical, high, medium, low (got "urgent")',
      'tasks[0].estimated_duration_ms must be a number ≥ 0',
      'tasks[0].depends_on must be a list of task names',
      'tasks[0].input uses unknown parameter ${user}; use ${goal}, ${context} or ${context.KEY}',
    ]);
  });

  it('reports duplicate task names, unknown dependencies and cycles', async () => {
    const dup = await problemsOf(
      'name: t\nrank: 1\nmatch: { always: true }\ntasks: [{name: A, skills: [s]}, {name: A, skills: [s]}]',
    );
    expect(dup).toEqual(['two tasks are named "A"']);
    const unknown = await problemsOf(
      'name: t\nrank: 1\nmatch: { always: true }\ntasks: [{name: A, skills: [s], depends_on: [Z]}]',
    );
    expect(unknown).toEqual(['task "A" depends on "Z", which is not a task of this template']);
    const cycle = await problemsOf(
      'name: t\nrank: 1\nmatch: { always: true }\ntasks: [{name: A, skills: [s], depends_on: [B]}, {name: B, skills: [s], depends_on: [A]}]',
    );
    expect(cycle).toEqual(['tasks depend on each other in a cycle: A → B → A']);
  });

  it('reports bad match rules', async () => {
    const head = 'name: t\nrank: 1\n';
    expect(await problemsOf(`${head}match: { pattern: "(" }\n${VALID_TASK}`)).toEqual([
      expect.stringContaining('match.pattern is not a valid regular expression'),
    ]);
    expect(await problemsOf(`${head}match: { words: ["data trends"] }\n${VALID_TASK}`)).toEqual([
      'match.words must be single words (got "data trends")',
    ]);
    expect(await problemsOf(`${head}match: { always: false }\n${VALID_TASK}`)).toEqual([
      'match.always must be true',
    ]);
    expect(await problemsOf(`${head}match: {}\n${VALID_TASK}`)).toEqual([
      'match must have exactly one of words, pattern, always (found none)',
    ]);
  });

  it('reports bad policies of the template and of its tasks', async () => {
    const problems = await problemsOf(
      [
        'name: t',
        'rank: 1',
        'match: { always: true }',
        'policy: { retry: { max_attempts: 0, base_delay_ms: 500, max_delay_ms: 100 }, colour: red }',
        'tasks:',
        '  - { name: A, skills: [s], policy: { run_when: failed } }',
        '  - { name: B, skills: [s], policy: { fallback: { skills: [] } } }',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'policy must NOT have additional properties (unknown key colour)',
        'policy.retry.max_attempts must be >= 1',
        'tasks[0]: run_when: failed needs depends_on (the tasks whose failure it handles)',
        expect.stringMatching(/^tasks\[1\]\.policy\.fallback/),
      ]),
    );
    const crossed = await problemsOf(
      'name: t\nrank: 1\nmatch: { always: true }\npolicy: { retry: { base_delay_ms: 500, max_delay_ms: 100 } }\n' +
        VALID_TASK,
    );
    expect(crossed).toEqual([
      'policy.retry.max_delay_ms (100) must be ≥ retry.base_delay_ms (500): it caps the delay',
    ]);
  });

  it('reserves the name explicit and requires tasks', async () => {
    expect(await problemsOf('name: explicit\nrank: 1\nmatch: { always: true }\ntasks: []')).toEqual([
      'name "explicit" is reserved for submitted DAGs',
      'tasks must be a non-empty list',
    ]);
  });
});
