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
