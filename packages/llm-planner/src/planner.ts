import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { TaskFailure } from '@kos/agent';
import { PlanProposal, type PlanningInput, type PlanningResult } from '@kos/protocol';
import type { ResolvedLlmPlannerOptions } from './options.ts';
import { planningMessages } from './prompt.ts';

/** The plan schema as plain JSON Schema, for response_format (TypeBox's own keys dropped). */
const PLAN_SCHEMA = JSON.parse(JSON.stringify(PlanProposal)) as Record<string, unknown>;
/** How much of an unusable answer goes back to the orchestrator (and the log). */
const RAW_CHARS = 2_000;

export interface LlmPlanner {
  /**
   * One planning round: the model's JSON as it came (a PlanningResult when the model followed the
   * schema, anything else for the orchestrator to reject), or `{failure}` when it is unusable.
   */
  plan(input: PlanningInput, signal?: AbortSignal): Promise<unknown>;
}

/**
 * A planner over any OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp server, vLLM,
 * hosted APIs), asking for JSON-schema structured output with the orchestrator's plan schema.
 * The orchestrator judges what comes back; this side only turns answers it cannot read (not JSON,
 * empty, too slow) into a `{failure}` result, which the repair loop counts as a rejected round.
 * Errors of the endpoint itself fail the task: 5xx, 429 and unreachable ones retryable, other
 * 4xx (a wrong key or model) not.
 */
export function createLlmPlanner(options: ResolvedLlmPlannerOptions): LlmPlanner {
  const client = new OpenAI({
    baseURL: options.url,
    apiKey: options.key,
    timeout: options.timeoutMs,
    // The orchestrator retries with backoff and leases; a hidden retry here would double the wait.
    maxRetries: 0,
  });
  return {
    async plan(input, signal) {
      let content: string | null | undefined;
      try {
        const answer = await client.chat.completions.create(
          {
            model: options.model,
            messages: planningMessages(input),
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'kos_plan', schema: PLAN_SCHEMA, strict: false },
            },
          },
          signal === undefined ? {} : { signal },
        );
        content = answer.choices[0]?.message.content;
      } catch (e) {
        return endpointError(e, options);
      }
      return readAnswer(content);
    },
  };
}

/** The model's text as a result: its JSON (judged by the orchestrator), or a failure. */
export function readAnswer(content: string | null | undefined): unknown {
  if (content === null || content === undefined || content.trim() === '') {
    return { failure: { code: 'empty_answer', message: 'the model answered nothing' } };
  }
  // Models without structured output like to fence their JSON: tolerate that much.
  const text = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return {
      failure: {
        code: 'unparseable',
        message: `the model's answer is not JSON (${(e as Error).message})`,
        raw: content.slice(0, RAW_CHARS),
      },
    };
  }
}

function endpointError(e: unknown, options: ResolvedLlmPlannerOptions): PlanningResult {
  // A cancelled task: the SDK drops whatever is returned; rethrow so nothing is reported.
  if (e instanceof APIUserAbortError) throw e;
  if (e instanceof APIConnectionTimeoutError) {
    return {
      failure: { code: 'timeout', message: `no answer from ${options.url} within ${options.timeoutMs} ms` },
    };
  }
  if (e instanceof APIConnectionError) {
    throw TaskFailure.retryable(`cannot reach ${options.url}: ${e.message}`, {
      code: 'llm_unreachable',
      cause: e,
    });
  }
  if (e instanceof APIError) {
    const status = e.status ?? 0;
    const message = `${options.url} answered ${status}: ${e.message}`;
    if (status >= 500 || status === 429)
      throw TaskFailure.retryable(message, { code: 'llm_unavailable', cause: e });
    throw TaskFailure.nonRetryable(message, { code: 'llm_refused', cause: e });
  }
  throw e;
}
