/** Graph checks shared by plan validation and template validation. */

export interface DagNode {
  name: string;
  dependsOn: readonly string[];
}

/** Every name that appears more than once, once each, in order of their second appearance. */
export function findDuplicateNames(nodes: readonly DagNode[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const node of nodes) {
    if (seen.has(node.name)) twice.add(node.name);
    seen.add(node.name);
  }
  return [...twice];
}

/** The first name that appears twice, or undefined. */
export function findDuplicateName(nodes: readonly DagNode[]): string | undefined {
  return findDuplicateNames(nodes)[0];
}

/** Every dependency naming no node, in declaration order, with where it is declared. */
export function findUnknownDependencies(
  nodes: readonly DagNode[],
): { task: string; dependency: string; index: number; position: number }[] {
  const names = new Set(nodes.map((n) => n.name));
  return nodes.flatMap((node, index) =>
    node.dependsOn.flatMap((dependency, position) =>
      names.has(dependency) ? [] : [{ task: node.name, dependency, index, position }],
    ),
  );
}

/** The first dependency naming no node, or undefined. */
export function findUnknownDependency(
  nodes: readonly DagNode[],
): { task: string; dependency: string } | undefined {
  const first = findUnknownDependencies(nodes)[0];
  return first && { task: first.task, dependency: first.dependency };
}

const UNVISITED = 0;
const ON_PATH = 1;
const DONE = 2;

/**
 * A dependency cycle as `[a, b, …, a]` where each task depends on the next, or null when the graph
 * is acyclic. Names must be unique; unknown dependencies are ignored. The DFS keeps its own stack
 * (no recursion), so a 100,000-task chain cannot overflow the call stack.
 */
export function findCycle(nodes: readonly DagNode[]): string[] | null {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.name, i));
  const adjacency = nodes.map((node) =>
    node.dependsOn.map((d) => index.get(d)).filter((i): i is number => i !== undefined),
  );
  const state = new Uint8Array(nodes.length);
  const name = (i: number): string => nodes[i]?.name ?? '';

  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== UNVISITED) continue;
    // path[k] is a node on the current DFS path; nextEdge[k] is the next edge of it to follow.
    const path = [root];
    const nextEdge = [0];
    state[root] = ON_PATH;
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] ?? 0;
      const edges = adjacency[node] ?? [];
      const edge = nextEdge[top] ?? 0;
      if (edge === edges.length) {
        state[node] = DONE;
        path.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      const child = edges[edge] ?? 0;
      if (state[child] === ON_PATH) {
        return [...path.slice(path.indexOf(child)), child].map(name);
      }
      if (state[child] === UNVISITED) {
        state[child] = ON_PATH;
        path.push(child);
        nextEdge.push(0);
      }
    }
  }
  return null;
}

/**
 * The longest dependency chain of an acyclic graph, in tasks (`depth`: 1 for tasks without
 * dependencies) and in summed durations along a chain (`criticalPathMs`: the least time the plan
 * takes with unlimited agents). Kahn's order, so no recursion; unknown dependencies are ignored.
 */
export function longestChains(
  nodes: readonly DagNode[],
  durationMs: (index: number) => number,
): { depth: number; criticalPathMs: number } {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.name, i));
  const dependents: number[][] = nodes.map(() => []);
  const waiting = new Int32Array(nodes.length);
  nodes.forEach((node, i) => {
    for (const d of new Set(node.dependsOn)) {
      const j = index.get(d);
      if (j === undefined) continue;
      dependents[j]?.push(i);
      waiting[i] = (waiting[i] ?? 0) + 1;
    }
  });
  const depth = new Float64Array(nodes.length);
  const finish = new Float64Array(nodes.length);
  const queue: number[] = [];
  nodes.forEach((_, i) => {
    if (waiting[i] === 0) queue.push(i);
  });
  let maxDepth = 0;
  let maxFinish = 0;
  for (let k = 0; k < queue.length; k++) {
    const i = queue[k] ?? 0;
    const d = (depth[i] ?? 0) + 1;
    const f = (finish[i] ?? 0) + durationMs(i);
    maxDepth = Math.max(maxDepth, d);
    maxFinish = Math.max(maxFinish, f);
    for (const j of dependents[i] ?? []) {
      depth[j] = Math.max(depth[j] ?? 0, d);
      finish[j] = Math.max(finish[j] ?? 0, f);
      waiting[j] = (waiting[j] ?? 0) - 1;
      if (waiting[j] === 0) queue.push(j);
    }
  }
  return { depth: maxDepth, criticalPathMs: maxFinish };
}
