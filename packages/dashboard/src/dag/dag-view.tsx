import { useEffect, useEffectEvent, useMemo, useState } from 'react';
import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  type Edge,
  type NodeMouseHandler,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { navigate } from '../router.ts';
import { Loading } from '../components/states.tsx';
import { NODE_SIZE, NODE_TYPES, type FlowNode } from './nodes.tsx';
import { DEFAULT_SHAPE, shapeDag, structureKey, type DagTask } from './shape.ts';
import { useLayout } from './use-layout.ts';

/**
 * A goal's tasks as a live DAG: coloured by state, edges from depends_on. Large goals are drawn
 * one summary node per dependency layer; clicking a layer draws it task by task, clicking a task
 * opens it. Layout runs in a worker and only when the structure changes, so state updates just
 * recolour.
 */
export function DagView({ tasks }: { tasks: readonly DagTask[] }) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  /** The layer last expanded: the view moves to it. */
  const [focusLayer, setFocusLayer] = useState<number | null>(null);
  const view = useMemo(() => shapeDag(tasks, { ...DEFAULT_SHAPE, expanded }), [tasks, expanded]);
  const key = useMemo(() => structureKey(view), [view]);
  const request = useMemo(
    () => ({ nodes: view.nodes.map((n) => ({ id: n.id, ...NODE_SIZE[n.kind] })), edges: view.edges }),
    [view],
  );
  const layout = useLayout(request, key);
  const nodes = useMemo<FlowNode[]>(() => {
    const at = layout.positions;
    if (at === null) return [];
    return view.nodes.flatMap((n) => {
      const position = at[n.id];
      if (position === undefined) return [];
      return [
        { id: n.id, type: n.kind, position, data: { node: n }, ...NODE_SIZE[n.kind], draggable: false },
      ];
    });
  }, [view, layout.positions]);
  const edges = useMemo<Edge[]>(() => view.edges.map((e) => ({ ...e, type: 'smoothstep' })), [view]);

  // A large graph at full size would be too small to read or click: show its top (or the layer
  // just expanded) instead, and let the person pan and zoom from there.
  const focus = useMemo(() => {
    if (nodes.length <= 40) return null;
    const layer = focusLayer !== null && expanded.has(focusLayer) ? focusLayer : null;
    const picked =
      layer === null ? nodes.slice(0, 8) : nodes.filter((n) => n.data.node.layer === layer).slice(0, 40);
    return picked.map((n) => ({ id: n.id }));
  }, [nodes, focusLayer, expanded]);

  const toggle = (layer: number) => {
    setFocusLayer(expanded.has(layer) ? null : layer);
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(layer)) next.delete(layer);
      else next.add(layer);
      return next;
    });
  };
  const onNodeClick: NodeMouseHandler<FlowNode> = (_, node) => {
    const n = node.data.node;
    if (n.kind === 'task') navigate(`/tasks/${encodeURIComponent(n.id)}`);
    else if (n.kind === 'layer') toggle(n.layer);
  };

  return (
    <div
      className="dag-panel"
      data-testid="dag"
      data-collapsed={view.collapsed}
      data-layers={view.layerCount}
    >
      {view.collapsed ? (
        <div className="dag-toolbar">
          <span className="muted">
            {tasks.length.toLocaleString()} tasks in {view.layerCount} dependency layers, drawn one node per
            layer: click a layer to draw its tasks.
          </span>
          {[...expanded]
            .sort((a, b) => a - b)
            .map((layer) => (
              <button key={layer} type="button" onClick={() => toggle(layer)}>
                Collapse layer {layer + 1}
              </button>
            ))}
        </div>
      ) : null}
      <div className="dag-canvas" data-laid-out={layout.key === key}>
        {nodes.length === 0 && tasks.length > 0 ? (
          <Loading what="the DAG layout" />
        ) : (
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodeClick={onNodeClick}
            nodesDraggable={false}
            nodesConnectable={false}
            onlyRenderVisibleElements
            minZoom={0.05}
            fitView
          >
            <FitOnLayout layoutKey={layout.key} focus={focus} />
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        )}
      </div>
    </div>
  );
}

/**
 * Fits the view each time a new layout arrives (a layer expanded, tasks added): to the whole graph,
 * or to the `focus` nodes of a large one.
 */
function FitOnLayout({ layoutKey, focus }: { layoutKey: string | null; focus: { id: string }[] | null }) {
  const { fitView } = useReactFlow();
  const fit = useEffectEvent(() => {
    void fitView({ padding: 0.1, maxZoom: 1.2, ...(focus === null ? {} : { nodes: focus }) });
  });
  useEffect(() => {
    const frame = requestAnimationFrame(() => fit());
    return () => cancelAnimationFrame(frame);
  }, [layoutKey]);
  return null;
}
