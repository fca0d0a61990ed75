import { describe, expect, it } from 'vitest';
import { parseDagSpec } from './dag-spec.ts';

describe('parseDagSpec', () => {
  it('reads YAML with tasks and the line each task starts on', () => {
    const parsed = parseDagSpec(
      'goal: build it\ntasks:\n  - name: a\n    skills: [work]\n  - name: b\n    skills: [work]\n    depends_on: [a]\n',
    );
    expect(parsed).toEqual({
      ok: true,
      goal: 'build it',
      priority: null,
      lines: [3, 5],
      tasks: [
        { name: 'a', skills: ['work'] },
        { name: 'b', skills: ['work'], depends_on: ['a'] },
      ],
    });
  });

  it('reads a JSON list of tasks', () => {
    const parsed = parseDagSpec('[{"name": "a", "skills": ["x"], "priority": "high"}]');
    expect(parsed.ok && parsed.tasks).toEqual([{ name: 'a', skills: ['x'], priority: 'high' }]);
  });

  it('gives a parse error with its line number', () => {
    const parsed = parseDagSpec('tasks:\n  - name: a\n    skills: [x\n  - name: b\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors[0]!.line).toBe(4);
      expect(parsed.errors[0]!.message).toMatch(/Flow sequence/);
    }
  });

  it('names each shape problem with the line of the field at fault', () => {
    const parsed = parseDagSpec(
      'tasks:\n  - name: a\n    skills: []\n  - name: b\n    skills: [x]\n    prio: 1\n',
    );
    expect(parsed).toEqual({
      ok: false,
      errors: [
        { line: 3, message: 'task "a": skills must be a non-empty list of names' },
        { line: 6, message: 'task "b": unknown field "prio"' },
      ],
    });
  });

  it('refuses a document that holds no list of tasks', () => {
    expect(parseDagSpec('goal: x\n')).toMatchObject({ ok: false, errors: [{ line: 1 }] });
    expect(parseDagSpec('tasks: []\n')).toMatchObject({ ok: false, errors: [{ line: 1 }] });
  });
});
