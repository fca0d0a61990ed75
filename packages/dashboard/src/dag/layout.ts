import dagre from '@dagrejs/dagre';

/**
 * Positions for a DAG's nodes (top-left corners, as React Flow places them), laid out by dagre
 * top to bottom. Pure and synchronous: the page runs it in a Web Worker (layout.worker.ts), since
 * dagre on a few hundred nodes takes long enough to drop frames.
 */

export interface LayoutRequest {
  nodes: { id: string; width: number; height: number }[];
  edges: { source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

export function layoutDag(req: LayoutRequest): Positions {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of req.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of req.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Positions = {};
  for (const n of req.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: p.x - n.width / 2, y: p.y - n.height / 2 };
  }
  return out;
}
