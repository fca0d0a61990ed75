/**
 * @kos/agent: the agent SDK. Connects to the orchestrator over KLP (WebSocket, signed frames),
 * runs a handler per skill, reports progress and results, heartbeats, reconnects and drains.
 *
 * ```ts
 * import { Agent, TaskFailure, TaskHandoff } from '@kos/agent';
 *
 * const agent = await Agent.create({
 *   orchestrator: 'ws://127.0.0.1:7700/klp',
 *   name: 'collector',
 *   skills: ['data_collection'],
 *   key: './collector.key.json', // or an AgentKey from generateKey()
 *   token: process.env.KOS_AGENT_TOKEN, // needed for the first hello of the name
 *   maxParallel: 5,
 * });
 * agent.handle('data_collection', async (task, ctx) => {
 *   if (!task.input) throw TaskFailure.nonRetryable('no input', { code: 'bad_input' });
 *   if (busy) throw TaskHandoff.delegate('at capacity for this source', { to: 'collector-2' });
 *   await ctx.progress(50, 'half way', { cursor: 42 });
 *   return { rows: 1000 };
 * });
 * await agent.start(); // resolves after welcome; SIGTERM drains, a second SIGTERM stops
 * ```
 */
export { Agent } from './agent.ts';
export { defineAgent } from './define.ts';
export type { AgentDefinition } from './define.ts';
export type { AgentExit, AgentState } from './agent.ts';
export { TaskFailure } from './failure.ts';
export type { TaskFailureOptions } from './failure.ts';
export { TaskHandoff } from './handoff.ts';
export type { AgentOptions } from './options.ts';
export type { AgentTask, TaskContext, TaskHandler } from './task.ts';
export { jsonLogger } from './logger.ts';
export type { Logger, LogLevel } from './logger.ts';
