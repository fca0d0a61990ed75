import { defineAgent, type AgentDefinition, type TaskHandler } from '@kos/agent';
import { PLANNING_SKILL, plannerSkill, type PlanningInput } from '@kos/protocol';
import { resolveLlmPlannerOptions, type LlmPlannerOptions } from './options.ts';
import { createLlmPlanner } from './planner.ts';

/**
 * The LLM planner as an agent definition (`kos agent run`): skills `planning` (any goal with
 * `planner: "llm"`) and `planning/<name>` (goals that name this planner). Options not given are
 * read from KOS_LLM_URL, KOS_LLM_MODEL, KOS_LLM_KEY at once, so a missing one stops the agent
 * before it connects.
 */
export function llmPlannerAgent(options: LlmPlannerOptions = {}): AgentDefinition {
  const resolved = resolveLlmPlannerOptions(options);
  const planner = createLlmPlanner(resolved);
  const handle: TaskHandler = async (task, ctx) => {
    const input = task.input as PlanningInput;
    ctx.log.info('planning', { goal: input.goal, round: input.round, model: resolved.model });
    const result = await planner.plan(input, ctx.signal);
    // The model's JSON may be anything (null, a list): the orchestrator judges it.
    if (typeof result === 'object' && result !== null && 'failure' in result)
      ctx.log.warn('the model gave no usable plan', { failure: result.failure });
    return result;
  };
  return defineAgent({
    name: resolved.name,
    maxParallel: resolved.maxParallel,
    handlers: { [PLANNING_SKILL]: handle, [plannerSkill(resolved.name)]: handle },
  });
}
