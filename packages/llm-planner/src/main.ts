/**
 * The LLM planner as a module for `kos agent run packages/llm-planner/src/main.ts`, configured by
 * KOS_LLM_URL, KOS_LLM_MODEL, KOS_LLM_KEY (and KOS_LLM_TIMEOUT_MS, KOS_PLANNER_NAME).
 */
import { llmPlannerAgent } from './agent.ts';

export default llmPlannerAgent({ name: process.env.KOS_PLANNER_NAME ?? 'llm-planner' });
