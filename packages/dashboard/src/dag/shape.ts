import type { TaskState, WireTask } from '@kos/contracts';

/**
 * The goal page's DAG as nodes and edges to draw, from the goal's tasks. A small goal is drawn
 * task by task; a large one (over `collapseOver` tasks) is collapsed by dependency layer: each
 * layer is one summary node with its per-state counts, and a person expands the layers they want
 * to see. Pure, so it is tested in node and cheap to recompute on every update.
 */

export type DagTask = Pick<WireTask, 'id' | 'name' | 'state' | 'depends_on'>;

export type StateCounts = Partial<Record<TaskState, number>>;

export type DagNode =
  | { kind: 'task'; id: string; layer: number; task: DagTask }
  | { kind: 'layer'; id: string; layer: number; total: number; counts: StateCounts }
  /** The tasks of an expanded layer past `maxPerLayer`, listed in the table instead. */
  | { kind: 'more'; id: string; layer: number; hidden: number };

export interface DagEdge {
  id: string;
  source: string;
  target: string;
}

export interface DagView {
  nodes: DagNode[];
  edges: DagEdge[];
  /** True when the goal is drawn layer by layer. */
  collapsed: boolean;
  layerCount: number;
}

export interface ShapeOptions {
  /** Layers drawn task by task in a collapsed view. */
  expanded: ReadonlySet<number>;
  /** Goals with more tasks than this are collapsed by layer. */
  collapseOver: number;
  /** At most this many task nodes per expanded layer; the rest become one `more` node. */
  maxPerLayer: number;
}

export const DEFAULT_SHAPE: Omit<ShapeOptions, 'expanded'> = { collapseOver: 150, maxPerLayer: 100 };

export const layerNodeId = (layer: number): string => `layer:${layer}`;
const moreNodeId = (layer: number): string => `more:${layer}`;

/**
 * Each task's dependency layer: 0 for tasks without dependencies, else one more than the deepest
 * task it depends on. Dependencies on tasks not in the list are ignored; tasks caught in a cycle
 * (the server refuses those, but a view must not hang) go one layer below the deepest placed one.
 */
export function dependencyLayers(tasks: readonly DagTask[]): Map<string, number> {
  const known = new Set(tasks.map((t) => t.id));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const t of tasks) {
    const deps = [...new Set(t.depends_on.filter((d) => known.has(d) && d !== t.id))];
    waiting.set(t.id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(t.id);
      else dependents.set(d, [t.id]);
    }
  }
  const layer = new Map<string, number>();
  const queue = tasks.filter((t) => waiting.get(t.id) === 0).map((t) => t.id);
  for (const id of queue) layer.set(id, 0);
  // Kahn's algorithm: a task is placed once every dependency is, at depth max(dep) + 1.
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const depth = layer.get(id)!;
    for (const next of dependents.get(id) ?? []) {
      layer.set(next, Math.max(layer.get(next) ?? 0, depth + 1));
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (queue.length < tasks.length) {
    const placed = new Set(queue);
    const cyclic = deepestLayer(layer) + 1;
    for (const t of tasks) if (!placed.has(t.id)) layer.set(t.id, cyclic);
  }
  return layer;
}

export function shapeDag(tasks: readonly DagTask[], options: ShapeOptions): DagView {
  const layers = dependencyLayers(tasks);
  const layerCount = deepestLayer(layers) + 1;
  const collapsed = tasks.length > options.collapseOver;
  const byLayer: DagTask[][] = Array.from({ length: layerCount }, () => []);
  for (const t of tasks) byLayer[layers.get(t.id)!]!.push(t);

  const nodes: DagNode[] = [];
  /** Where each task is drawn: its own node, its layer's summary, or its layer's `more` node. */
  const drawnAs = new Map<string, string>();
  byLayer.forEach((members, layer) => {
    if (collapsed && !options.expanded.has(layer)) {
      const id = layerNodeId(layer);
      nodes.push({ kind: 'layer', id, layer, total: members.length, counts: countStates(members) });
      for (const t of members) drawnAs.set(t.id, id);
      return;
    }
    const limit = collapsed ? options.maxPerLayer : Infinity;
    members.forEach((task, i) => {
      if (i < limit) {
        nodes.push({ kind: 'task', id: task.id, layer, task });
        drawnAs.set(task.id, task.id);
      } else drawnAs.set(task.id, moreNodeId(layer));
    });
    if (members.length > limit) {
      nodes.push({ kind: 'more', id: moreNodeId(layer), layer, hidden: members.length - limit });
    }
  });

  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  for (const t of tasks) {
    const target = drawnAs.get(t.id)!;
    for (const dep of t.depends_on) {
      const source = drawnAs.get(dep);
      if (source === undefined || source === target) continue;
      const id = `${source}->${target}`;
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ id, source, target });
    }
  }
  return { nodes, edges, collapsed, layerCount };
}

function deepestLayer(layers: ReadonlyMap<string, number>): number {
  let deepest = -1;
  for (const l of layers.values()) if (l > deepest) deepest = l;
  return deepest;
}

export function countStates(tasks: readonly Pick<DagTask, 'state'>[]): StateCounts {
  const counts: StateCounts = {};
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return counts;
}

/**
 * What the layout depends on: node ids, kinds and edges, not states. A state change keeps the key,
 * so the DAG recolours without laying out again; a task added (or a layer expanded) changes it.
 */
export function structureKey(view: DagView): string {
  return view.nodes.map((n) => `${n.kind[0]}${n.id}`).join('|') + '#' + view.edges.map((e) => e.id).join('|');
}
