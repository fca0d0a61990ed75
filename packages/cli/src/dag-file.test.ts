import { describe, expect, it } from 'vitest';
import { parseDag } from './dag-file.ts';
import { CliError } from './errors.ts';

describe('parseDag', () => {
  it('reads the tasks of a JSON file', () => {
    const tasks = parseDag(
      '{"tasks":[{"name":"a","skills":["x"]},{"name":"b","skills":["y"],"depends_on":["a"]}]}',
      'dag.json',
    );
    expect(tasks.map((t) => t.name)).toEqual(['a', 'b']);
    expect(tasks[1]?.depends_on).toEqual(['a']);
  });

  it('reads the tasks of a YAML file', () => {
    const tasks = parseDag('tasks:\n  - name: a\n    skills: [x]\n    priority: high\n', 'dag.yaml');
    expect(tasks).toEqual([{ name: 'a', skills: ['x'], priority: 'high' }]);
  });

  it('rejects files without a task list, tasks without skills, and bad syntax as usage errors', () => {
    for (const [text, source, says] of [
      ['{"steps": []}', 'a.json', 'must hold'],
      ['tasks:\n  - name: a\n', 'a.yml', 'tasks[0]'],
      ['{', 'a.json', 'not valid JSON'],
    ] as const) {
      let caught: unknown;
      try {
        parseDag(text, source);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
      expect((caught as CliError).message).toContain(says);
    }
  });
});
