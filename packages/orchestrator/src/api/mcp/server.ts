import { McpServer } from '@modelcontextprotocol/server';
import { authorize } from '../../security/index.ts';
import type { TokenRecord } from '../../store/records.ts';
import {
  assignTasksTool,
  getStatusTool,
  getTaskTensorTool,
  markCompletedTool,
  registerAgentTool,
  updateHeartbeatTool,
} from './fleet-tools.ts';
import {
  approveTaskTool,
  cancelGoalTool,
  decomposeGoalTool,
  explainAssignmentTool,
  getGoalTool,
  listTasksTool,
  submitGoalTool,
} from './goal-tools.ts';
import { registerResources } from './resources.ts';
import type { KosTool, McpEnv } from './tool.ts';

/** Every tool, in the order `tools/list` shows them: reads first, then the seed's, then operators'. */
export const TOOLS: readonly KosTool[] = [
  getStatusTool,
  getGoalTool,
  listTasksTool,
  getTaskTensorTool,
  explainAssignmentTool,
  submitGoalTool,
  decomposeGoalTool,
  assignTasksTool,
  cancelGoalTool,
  approveTaskTool,
  registerAgentTool,
  updateHeartbeatTool,
  markCompletedTool,
];

/** Who calls /mcp, as the route authenticated them, and whether the request lists the tools. */
export class McpCaller {
  constructor(
    readonly token: TokenRecord,
    /** A `tools/list`: only the tools the role may use are registered, so only they are listed. */
    readonly listing: boolean,
  ) {}
}

export const SERVER_INFO = { name: 'kos-orchestrator', version: '0.1.0' };

/**
 * The MCP server instance for one request (the SDK builds one per HTTP request): the tools its
 * caller's role may use (for a `tools/list`), or every tool (for a call: a tool the role may not
 * use answers KOS_ERR_FORBIDDEN instead of "unknown tool"), and the goal and task resources.
 * Subscriptions (`subscriptions/listen`) exist in the 2026-07-28 era only: a 2025-era request is
 * served statelessly and has no stream to notify.
 */
export function mcpServer(env: McpEnv, caller: McpCaller, era: 'legacy' | 'modern'): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: {
      resources: { subscribe: era === 'modern', listChanged: false },
      tools: { listChanged: false },
    },
    instructions:
      'kOS orchestrator: submit goals (submit_goal, decompose_goal) that run as DAGs of tasks on a fleet of agents; read them (get_goal, list_tasks, resources kos://goals/{id} and kos://tasks/{id}); see docs/interop.md.',
  });
  for (const tool of TOOLS) {
    if (!caller.listing || authorize(caller.token.role, tool.action))
      tool.register(server, env, caller.token);
  }
  registerResources(server, env);
  return server;
}
