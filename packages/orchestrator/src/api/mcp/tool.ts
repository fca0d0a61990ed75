import { isKosError, KosError } from '@kos/protocol';
import {
  fromJsonSchema,
  type CallToolResult,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Static, TSchema } from 'typebox';
import { tokenActor, type Actor } from '../../app/core.ts';
import { requirePermission, type Action } from '../../security/index.ts';
import type { TokenRecord } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';

/** What a tool's body gets: the use cases' deps, who calls, its checked input, the request's helpers. */
export interface ToolCall<I> {
  deps: ApiDeps;
  actor: Actor;
  token: TokenRecord;
  input: I;
  /** Sends `notifications/progress` when the client asked for it (a progressToken); else nothing. */
  progress(done: number, total: number, message: string): Promise<void>;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
}

/** A tool's answer: `data` is the structured content (the REST answer's shape), `summary` a line for people. */
export interface ToolAnswer {
  summary: string;
  data: Record<string, unknown>;
}

export interface ToolSpec<S extends TSchema> {
  name: string;
  title: string;
  description: string;
  /** The RBAC action the caller's role needs (security/rbac.ts), as the REST route needs it. */
  action: Action;
  /** A JSON Schema (TypeBox): the advertised input schema and its validation, often the REST body's. */
  input: S;
  /** Changes nothing that was there (`read`) or asks for nothing to be repeated (idempotent). */
  hints?: { destructive?: boolean; idempotent?: boolean };
  run(call: ToolCall<Static<S>>): Promise<ToolAnswer>;
}

/** Where the tools run: the API's deps, and a log for what nobody expected. */
export interface McpEnv {
  deps: ApiDeps;
  log: { error(obj: object, msg: string): void };
}

/** A tool ready to be registered on a server instance for one caller. */
export interface KosTool {
  name: string;
  action: Action;
  register(server: McpServer, env: McpEnv, token: TokenRecord): void;
}

/**
 * A tool whose body runs only for a caller whose role may `action` (else a KOS_ERR_FORBIDDEN tool
 * error, nothing done) and whose every failure is a tool error carrying its `KOS_ERR_*` code. Its
 * input schema is compiled once here, not per request.
 */
export function defineTool<S extends TSchema>(spec: ToolSpec<S>): KosTool {
  const inputSchema = fromJsonSchema<Static<S>>(spec.input);
  const readOnly = spec.action === 'read';
  return {
    name: spec.name,
    action: spec.action,
    register(server, env, token) {
      server.registerTool(
        spec.name,
        {
          title: spec.title,
          description: spec.description,
          inputSchema,
          annotations: {
            readOnlyHint: readOnly,
            destructiveHint: spec.hints?.destructive ?? false,
            idempotentHint: readOnly || (spec.hints?.idempotent ?? false),
            openWorldHint: false,
          },
        },
        async (input, ctx) => {
          try {
            requirePermission(token, spec.action, env.deps.store.now());
            const answer = await spec.run({
              deps: env.deps,
              actor: tokenActor(token),
              token,
              input,
              progress: progressOf(ctx),
              signal: ctx.mcpReq.signal,
            });
            return toolResult(answer);
          } catch (e) {
            return toolError(e, env, spec.name);
          }
        },
      );
    },
  };
}

function progressOf(ctx: ServerContext): ToolCall<unknown>['progress'] {
  const token = ctx.mcpReq._meta?.progressToken;
  return async (progress, total, message) => {
    if (token === undefined) return;
    await ctx.mcpReq.notify({
      method: 'notifications/progress',
      params: { progressToken: token, progress, total, message },
    });
  };
}

export function toolResult(answer: ToolAnswer): CallToolResult {
  return {
    content: [{ type: 'text', text: `${answer.summary}\n${JSON.stringify(answer.data)}` }],
    structuredContent: answer.data,
  };
}

/**
 * A refusal or failure as a tool error: the REST error body (`{error: {code, message, details?}}`)
 * as structured content, `KOS_ERR_…: message` as text. An unexpected error is logged and
 * answered as KOS_ERR_INTERNAL, its details kept out of the answer as REST does.
 */
export function toolError(e: unknown, env: McpEnv, tool: string) {
  let error: KosError;
  if (isKosError(e)) error = e;
  else {
    env.log.error({ err: e, tool }, 'MCP tool failed');
    error = new KosError('KOS_ERR_INTERNAL', `internal error in tool ${tool}; see the orchestrator log`);
  }
  env.deps.metrics.rejected(error.code);
  return {
    isError: true,
    content: [{ type: 'text' as const, text: `${error.code}: ${error.message}` }],
    structuredContent: { error: error.toJSON() },
  } satisfies CallToolResult;
}
