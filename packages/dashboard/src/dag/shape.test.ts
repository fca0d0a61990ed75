import { describe, expect, it } from 'vitest';
import { dependencyLayers, layerNodeId, shapeDag, structureKey, type DagTask } from './shape.ts';

const task = (id: string, deps: string[] = [], state: DagTask['state'] = 'pending'): DagTask => ({
  id,
  name: `task ${id}`,
  state,
  depends_on: deps,
});
const open = { expanded: new Set<number>(), collapseOver: 150, maxPerLayer: 100 };

describe('dependencyLayers', () => {
  it('puts each task one layer below the deepest task it depends on', () => {
    const layers = dependencyLayers([task('c', ['a', 'b']), task('a'), task('b', ['a']), task('d', ['a'])]);
    expect(Object.fromEntries(layers)).toEqual({ a: 0, b: 1, c: 2, d: 1 });
  });

  it('ignores dependencies outside the list and still places tasks caught in a cycle', () => {
    const layers = dependencyLayers([task('a', ['gone']), task('x', ['y']), task('y', ['x'])]);
    expect(layers.get('a')).toBe(0);
    expect(layers.get('x')).toBe(1);
    expect(layers.get('y')).toBe(1);
  });
});

describe('shapeDag', () => {
  it('draws a small goal task by task with an edge per dependency', () => {
    const view = shapeDag([task('a'), task('b', ['a']), task('c', ['a', 'b'])], open);
    expect(view.collapsed).toBe(false);
    expect(view.nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(view.edges.map((e) => e.id).sort()).toEqual(['a->b', 'a->c', 'b->c']);
  });

  it('collapses a large goal into one node per layer with its per-state counts', () => {
    const tasks = [
      ...Array.from({ length: 200 }, (_, i) => task(`r${i}`, [], i < 50 ? 'succeeded' : 'ready')),
      ...Array.from({ length: 100 }, (_, i) => task(`s${i}`, [`r${i}`])),
    ];
    const view = shapeDag(tasks, open);
    expect(view.collapsed).toBe(true);
    expect(view.nodes).toEqual([
      { kind: 'layer', id: 'layer:0', layer: 0, total: 200, counts: { succeeded: 50, ready: 150 } },
      { kind: 'layer', id: 'layer:1', layer: 1, total: 100, counts: { pending: 100 } },
    ]);
    expect(view.edges).toEqual([{ id: 'layer:0->layer:1', source: 'layer:0', target: 'layer:1' }]);
  });

  it('draws an expanded layer task by task, its overflow as one node, edges to the collapsed layers', () => {
    const tasks = [
      ...Array.from({ length: 200 }, (_, i) => task(`r${i}`)),
      ...Array.from({ length: 3 }, (_, i) => task(`s${i}`, [`r${i}`])),
    ];
    const view = shapeDag(tasks, { ...open, expanded: new Set([1]), maxPerLayer: 2 });
    expect(view.nodes.map((n) => `${n.kind}:${n.id}`)).toEqual([
      'layer:layer:0',
      'task:s0',
      'task:s1',
      'more:more:1',
    ]);
    expect(view.nodes[3]).toMatchObject({ hidden: 1 });
    expect(view.edges.map((e) => e.id)).toEqual(['layer:0->s0', 'layer:0->s1', 'layer:0->more:1']);
    expect(layerNodeId(0)).toBe('layer:0');
  });

  it('keeps the layout key when only states change and changes it when a task is added', () => {
    const before = shapeDag([task('a'), task('b', ['a'])], open);
    const recoloured = shapeDag([task('a', [], 'succeeded'), task('b', ['a'], 'running')], open);
    const grown = shapeDag([task('a'), task('b', ['a']), task('c', ['b'])], open);
    expect(structureKey(recoloured)).toBe(structureKey(before));
    expect(structureKey(grown)).not.toBe(structureKey(before));
  });

  it('shapes a 10,000-task goal into a handful of layer nodes', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task(`t${i}`, i >= 100 ? [`t${i - 100}`] : []));
    const view = shapeDag(tasks, open);
    expect(view.layerCount).toBe(100);
    expect(view.nodes).toHaveLength(100);
    expect(view.edges).toHaveLength(99);
  });
});
