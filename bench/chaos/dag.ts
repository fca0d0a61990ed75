// The shape of the orchestrator-kill workload: goals made of layered DAGs, each task depending on
// a few random tasks of the layer before, so dependencies cross and fan in and out.
import type { Random } from './random.ts';

export interface DagTask {
  name: string;
  dependsOn: string[];
}

export interface LayeredDagShape {
  layers: number;
  width: number;
  /** Each task after the first layer depends on 1 to maxDeps tasks of the previous layer. */
  maxDeps: number;
}

export function layeredDag(random: Random, shape: LayeredDagShape): DagTask[] {
  const tasks: DagTask[] = [];
  let previous: string[] = [];
  for (let layer = 0; layer < shape.layers; layer++) {
    const current = Array.from({ length: shape.width }, (_, i) => `L${layer}-${i}`);
    for (const name of current) {
      const deps = previous.length === 0 ? [] : random.sample(previous, random.int(1, shape.maxDeps));
      tasks.push({ name, dependsOn: deps });
    }
    previous = current;
  }
  return tasks;
}
