import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { TaskState } from '@kos/contracts';
import { stateColor } from '../state-colors.ts';
import type { DagNode } from './shape.ts';

/** The DAG's node kinds as React Flow draws them; sizes are fixed so the layout knows them. */

export const NODE_SIZE: Record<DagNode['kind'], { width: number; height: number }> = {
  task: { width: 190, height: 48 },
  layer: { width: 250, height: 86 },
  more: { width: 190, height: 48 },
};

export type FlowNode = Node<{ node: DagNode }, DagNode['kind']>;

const Handles = () => (
  <>
    <Handle type="target" position={Position.Top} isConnectable={false} />
    <Handle type="source" position={Position.Bottom} isConnectable={false} />
  </>
);

function TaskNode({ data }: NodeProps<FlowNode>) {
  if (data.node.kind !== 'task') return null;
  const { task } = data.node;
  return (
    <div
      className="dag-task"
      data-testid="dag-node"
      data-task-id={task.id}
      data-state={task.state}
      title={`${task.name}: ${task.state} (open the task)`}
      style={{ borderColor: stateColor(task.state), ...NODE_SIZE.task }}
    >
      <Handles />
      <span className="dot" style={{ background: stateColor(task.state) }} />
      <span className="name">{task.name}</span>
      <span className="dag-state">{task.state.replace(/_/g, ' ')}</span>
    </div>
  );
}

function LayerNode({ data }: NodeProps<FlowNode>) {
  if (data.node.kind !== 'layer') return null;
  const { layer, total, counts } = data.node;
  const parts = (Object.entries(counts) as [TaskState, number][]).sort((a, b) => b[1] - a[1]);
  return (
    <div
      className="dag-layer"
      data-testid="dag-layer"
      data-layer={layer}
      data-total={total}
      title="Click to draw this layer task by task"
      style={NODE_SIZE.layer}
    >
      <Handles />
      <div className="head">
        <strong>Layer {layer + 1}</strong>
        <span className="muted">{total.toLocaleString()} tasks</span>
      </div>
      <div className="bar" aria-hidden>
        {parts.map(([state, n]) => (
          <span key={state} style={{ flexGrow: n, background: stateColor(state) }} />
        ))}
      </div>
      <div className="counts" data-testid="layer-counts">
        {parts.map(([state, n]) => (
          <span key={state} data-state={state}>
            {state.replace(/_/g, ' ')} {n.toLocaleString()}
          </span>
        ))}
      </div>
    </div>
  );
}

function MoreNode({ data }: NodeProps<FlowNode>) {
  if (data.node.kind !== 'more') return null;
  return (
    <div className="dag-more" style={NODE_SIZE.more} data-testid="dag-more">
      <Handles />+{data.node.hidden.toLocaleString()} more in the table below
    </div>
  );
}

export const NODE_TYPES = { task: TaskNode, layer: LayerNode, more: MoreNode };
