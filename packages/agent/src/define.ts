import type { TaskHandler } from './task.ts';

/**
 * An agent as a module: what `kos agent run <module>` starts from the module's default export.
 *
 * ```ts
 * export default defineAgent({
 *   name: 'collector',
 *   maxParallel: 2,
 *   handlers: { data_collection: async (task, ctx) => ({ rows: 3 }) },
 * });
 * ```
 */
export interface AgentDefinition {
  /** The agent's name (`kai://agent.<name>`); `kos agent run --name` overrides it. */
  name: string;
  /** The skills advertised; default: the keys of `handlers`. */
  skills?: readonly string[];
  /** Tasks run at once (default 1); `kos agent run --max-parallel` overrides it. */
  maxParallel?: number;
  /** One handler per skill. */
  handlers: Readonly<Record<string, TaskHandler>>;
}

/** Returns its argument: it exists so that an agent module is type-checked as an AgentDefinition.
 * `kos agent run` validates the definition when it loads the module. */
export function defineAgent(def: AgentDefinition): AgentDefinition {
  return def;
}
