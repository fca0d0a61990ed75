import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { isKosError } from '@kos/protocol';
import { tempDir } from '@kos/testing';
import { resolveConfig } from '../../src/config/index.ts';
import { ALL_KEYS } from '../../src/config/keys.ts';
import { planFromTasks } from '../../src/planner/index.ts';
import { parseTemplate } from '../../src/planner/template-schema.ts';
import { PRIORITIES } from '@kos/protocol';
import { DoorCounts, fuzzOptions, fuzzTimeoutMs } from './fuzz-options.ts';

const counts = new DoorCounts();
const limits = { maxTasksPerGoal: 50, maxSkillsPerEntity: 8, maxInputBytes: 4096 };

/** A value a YAML author might write for any key: the right kind sometimes, anything otherwise. */
const yamlValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '512MB',
    '1GiB',
    '-1',
    '0',
    '1e309',
    'true',
    'yes',
    '~',
    '',
    'exponential',
    'FULL',
    'postgres://x',
  ),
  fc.integer(),
  fc.double(),
);

/** Text of a kos.yaml: known keys with fuzzed values (flat or nested), unknown keys, or broken YAML. */
const configText = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...ALL_KEYS.map((k) => k.key)), fc.string({ maxLength: 12 })),
        yamlValue,
      ),
      {
        maxLength: 8,
      },
    )
    .map((pairs) => {
      const doc: Record<string, unknown> = {};
      for (const [key, value] of pairs) {
        const parts = key.split('.');
        let at = doc;
        for (const part of parts.slice(0, -1)) {
          const next = at[part];
          at = (
            typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (at[part] = {})
          ) as Record<string, unknown>;
        }
        at[parts.at(-1)!] = value;
      }
      return stringify(doc);
    }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]\n',
    'retry:\n\tmax_attempts: 3\n',
    'retry: {max_attempts: 3\n',
    'retry:\n  max_attempts: 3\nretry:\n  max_attempts: 4\n',
    '--- !!binary AAAA\n',
    '%YAML 9.9\n---\nx: 1\n',
  ),
  fc
    .integer({ min: 10, max: 5_000 })
    .map((n) => 'a:\n' + Array.from({ length: n }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n')),
);

describe('fuzzed parsers: YAML config, templates, DAGs', () => {
  afterAll(() => counts.print('parsers.fuzz.test.ts'));

  it(
    'resolves every kos.yaml to a config or one KOS_ERR_CONFIG_INVALID listing problems',
    () => {
      const dir = tempDir('kos-fuzz-cfg-');
      const file = path.join(dir, 'kos.yaml');
      fc.assert(
        fc.property(configText, (text) => {
          counts.add('YAML config files');
          writeFileSync(file, text);
          try {
            const config = resolveConfig({ cwd: dir, env: {}, flags: { configFile: file } });
            expect(config.limits.maxBodyBytes).toBeGreaterThan(0);
          } catch (e) {
            expect(isKosError(e) && e.code, String(e)).toBe('KOS_ERR_CONFIG_INVALID');
            expect((e as { details?: { problems?: string[] } }).details?.problems?.length).toBeGreaterThan(0);
          }
        }),
        fuzzOptions(400),
      );
    },
    fuzzTimeoutMs(30_000),
  );

  const name = fc.oneof(
    fc.constantFrom('a', 'b', 'c', 'explicit', '', 'x y', '-x'),
    fc.string({ maxLength: 6 }),
  );
  const templateTask = fc.record(
    {
      name,
      skills: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), yamlValue),
      priority: fc.oneof(fc.constantFrom(...PRIORITIES), yamlValue),
      estimated_duration_ms: fc.oneof(fc.integer(), yamlValue),
      depends_on: fc.oneof(fc.array(name, { maxLength: 3 }), yamlValue),
      input: fc.oneof(fc.constant({ goal: '${goal}' }), fc.constant('${nope}'), yamlValue),
      policy: fc.oneof(fc.constant({ retry: { max_attempts: 2 } }), yamlValue),
    },
    { requiredKeys: [] },
  );
  const template = fc.oneof(
    fc.record(
      {
        name,
        description: fc.oneof(fc.string(), yamlValue),
        rank: fc.oneof(fc.integer(), yamlValue),
        match: fc.oneof(
          fc.constant({ always: true }),
          fc.record({ words: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }) }),
          fc.record({ pattern: fc.constantFrom('(', '[a-', '(a+)+$', '\\', '.*', 'ok') }),
          yamlValue,
        ),
        policy: yamlValue,
        tasks: fc.oneof(fc.array(templateTask, { maxLength: 5 }), yamlValue),
      },
      { requiredKeys: [] },
    ),
    yamlValue,
  );

  it(
    'parses every template document to a template or a list of problems, never throwing',
    () => {
      fc.assert(
        fc.property(template, fc.boolean(), (raw, viaText) => {
          counts.add('workflow templates');
          // Through YAML text too, as a template file is read (anchors, tags and all).
          const doc: unknown = viaText ? parseYaml(stringify(raw)) : raw;
          const parsed = parseTemplate(doc, 'fuzz.yaml', false);
          if (!parsed.ok) expect(parsed.problems.length).toBeGreaterThan(0);
        }),
        fuzzOptions(1_000),
      );
    },
    fuzzTimeoutMs(30_000),
  );

  it(
    'accepts a DAG or refuses it with a typed code (cycle, unknown or duplicate task, limit)',
    () => {
      const task = fc.record({
        name,
        skills: fc.array(fc.string({ maxLength: 4 }), { maxLength: 10 }),
        priority: fc.constantFrom(...PRIORITIES),
        estimatedDurationMs: fc.integer({ min: 0, max: 10_000 }),
        dependsOn: fc.array(name, { maxLength: 4 }),
        input: fc.jsonValue({ maxDepth: 2 }),
      });
      fc.assert(
        fc.property(fc.array(task, { maxLength: 60 }), (tasks) => {
          counts.add('DAGs');
          try {
            const plan = planFromTasks(tasks, limits);
            expect(plan.tasks.length).toBe(tasks.length);
          } catch (e) {
            expect(isKosError(e), String(e)).toBe(true);
          }
        }),
        fuzzOptions(1_000),
      );
    },
    fuzzTimeoutMs(30_000),
  );
});
