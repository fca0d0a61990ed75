import type { PlanningInput } from '@kos/protocol';

/** A chat message as the chat-completions API takes it. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

const RULES = `You plan goals for kOS, an orchestrator of agent fleets. Answer with one JSON object
{"tasks": [...]} and nothing else. Each task: "name" (unique), "skills" (a non-empty list, only skills
of the fleet below), optional "priority" (critical, high, medium or low), optional
"estimated_duration_ms", optional "depends_on" (names of other tasks of the plan; no cycles), optional
"input" (JSON for the agent that runs it). Keep within the limits given. Prefer few, clear tasks.`;

/**
 * The messages of one planning round: the rules, then the goal with the fleet and the limits; on
 * a repair round, the rejected proposal and the orchestrator's list of problems to fix.
 */
export function planningMessages(input: PlanningInput): ChatMessage[] {
  const ask = {
    goal: input.goal,
    context: input.context,
    fleet: input.fleet,
    limits: input.limits,
  };
  const messages: ChatMessage[] = [
    { role: 'system', content: RULES },
    { role: 'user', content: `Plan this goal:\n${JSON.stringify(ask, null, 2)}` },
  ];
  if (input.previous !== undefined) {
    messages.push({
      role: 'user',
      content:
        `Your previous plan was rejected. It was:\n${JSON.stringify(input.previous.proposal)}\n` +
        `Fix every one of these problems (path: where in the plan) and answer with the whole corrected plan:\n` +
        input.previous.problems
          .map((p) => `- ${p.code} at ${p.path === '' ? '(plan)' : p.path}: ${p.message}`)
          .join('\n'),
    });
  }
  return messages;
}
