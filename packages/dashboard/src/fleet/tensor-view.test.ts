import { describe, expect, it } from 'vitest';
import { tensorView } from './tensor-view.ts';

const base = {
  tasks: ['t1', 't2'],
  task_names: ['fetch', 'report'],
  agents: ['a1', 'a2'],
  agent_names: ['alpha', 'beta'],
  priority_levels: ['critical', 'high', 'medium', 'low'] as ('critical' | 'high' | 'medium' | 'low')[],
  entries: [
    [0, 1, 2, 0.75],
    [1, 0, 0, 0.5],
  ] as [number, number, number, number][],
};

describe('tensorView', () => {
  it('labels rows with tasks and columns with agents, and keeps each cell’s priority level', () => {
    const v = tensorView(base);
    expect(v.rows).toEqual([
      { id: 't1', name: 'fetch' },
      { id: 't2', name: 'report' },
    ]);
    expect(v.cols.map((c) => c.name)).toEqual(['alpha', 'beta']);
    expect(v.at.get('0:1')).toMatchObject({ value: 0.75, k: 2, priority: 'medium', parts: null });
    expect(v.at.get('1:0')?.priority).toBe('critical');
    expect(v.at.get('0:0')).toBeUndefined();
  });

  it('attaches the score parts of each explained cell', () => {
    const parts = { free_ratio: 1, trust: 0.9, history: 0.5, fallback_only: false, explanation: 'load 0/4' };
    const v = tensorView({ ...base, explanations: [[0, 1, parts]] });
    expect(v.at.get('0:1')?.parts).toEqual(parts);
    expect(v.at.get('1:0')?.parts).toBeNull();
  });
});
