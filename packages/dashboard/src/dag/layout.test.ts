import { describe, expect, it } from 'vitest';
import { layoutDag } from './layout.ts';

describe('layoutDag', () => {
  it('places each node below the nodes it depends on and side by side within a rank', () => {
    const size = { width: 100, height: 40 };
    const p = layoutDag({
      nodes: ['a', 'b', 'c'].map((id) => ({ id, ...size })),
      edges: [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'c' },
        { source: 'a', target: 'missing' },
      ],
    });
    expect(p.b!.y).toBeGreaterThan(p.a!.y);
    expect(p.b!.y).toBe(p.c!.y);
    expect(Math.abs(p.b!.x - p.c!.x)).toBeGreaterThanOrEqual(100);
    expect(Object.keys(p).sort()).toEqual(['a', 'b', 'c']);
  });
});
