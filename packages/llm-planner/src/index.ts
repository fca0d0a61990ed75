/**
 * @kos/llm-planner: a planner agent that plans goals into DAGs through any OpenAI-compatible
 * chat-completions endpoint (Ollama, llama.cpp server, vLLM, hosted APIs), with the official
 * `openai` client and JSON-schema structured output (docs/planning.md).
 *
 * ```ts
 * import { Agent } from '@kos/agent';
 * import { llmPlannerAgent } from '@kos/llm-planner';
 *
 * // kos agent run packages/llm-planner/src/main.ts does this from KOS_LLM_URL, KOS_LLM_MODEL, KOS_LLM_KEY
 * const def = llmPlannerAgent({ url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b', key: 'none' });
 * ```
 */
export { llmPlannerAgent } from './agent.ts';
export { createLlmPlanner, readAnswer } from './planner.ts';
export type { LlmPlanner } from './planner.ts';
export { resolveLlmPlannerOptions } from './options.ts';
export type { LlmPlannerOptions, ResolvedLlmPlannerOptions } from './options.ts';
export { planningMessages } from './prompt.ts';
export type { ChatMessage } from './prompt.ts';
