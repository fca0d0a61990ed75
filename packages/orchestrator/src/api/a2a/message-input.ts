import type { Message } from '@a2a-js/sdk';
import { KosError } from '@kos/protocol';
import type { GoalRequest } from '../../app/index.ts';
import { goalRequest } from '../routes/goals.ts';
import { DecomposeBody } from '../schemas.ts';
import { compileBodyValidator } from '../validation.ts';

/** The REST body's validator (POST /orchestration/decompose), compiled once. */
const validateBody = compileBodyValidator(DecomposeBody);

const invalid = (problems: string[]) =>
  new KosError('KOS_ERR_VALIDATION', `invalid message: ${problems.join('; ')}`, { problems });

/** A message's parts by kind; a file part (raw bytes or a URL) is not something kOS runs. */
function partsOf(message: Message): { texts: string[]; data: unknown[] } {
  const texts: string[] = [];
  const data: unknown[] = [];
  for (const p of message.parts) {
    const c = p.content;
    if (c?.$case === 'text') texts.push(c.value);
    else if (c?.$case === 'data') data.push(c.value);
    else if (c !== undefined) {
      throw new KosError(
        'KOS_ERR_A2A_UNSUPPORTED',
        `a ${c.$case} part cannot be run: send text or data parts`,
        {
          part: c.$case,
        },
      );
    }
  }
  return { texts, data };
}

/**
 * The goal a new message asks for: its text parts are the goal (decomposed by a template, as a
 * REST submission without `tasks` is); a data part is a REST body (`{goal?, context?, priority?,
 * template?, tasks?, policy?}`, checked by the REST schema), whose `goal` the text may supply.
 */
export function goalRequestOf(message: Message, contextId: string): GoalRequest {
  const { texts, data } = partsOf(message);
  if (data.length > 1) throw invalid(['a message may carry at most one data part (the goal body)']);
  const text = texts.join('\n').trim();
  const given = data[0] ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalid(['the data part must be an object shaped as the POST /orchestration/decompose body']);
  }
  const body = { ...(text === '' ? {} : { goal: text }), ...given };
  if (!validateBody(body)) {
    throw invalid(
      (validateBody.errors ?? []).map((e) => `message${e.instancePath ?? ''} ${e.message ?? 'is invalid'}`),
    );
  }
  return { ...goalRequest(body as Parameters<typeof goalRequest>[0]), a2aContextId: contextId };
}

export interface ApprovalAnswer {
  decision: 'approve' | 'deny';
  /** Which waiting task; needed only when several wait. */
  subtaskId: string | undefined;
  reason: string | undefined;
}

/**
 * A follow-up message's answer to `input-required`: one data part `{"approve": true}` or
 * `{"deny": true}`, with an optional `subtask_uuid` and `reason`. Anything else is not an answer.
 */
export function approvalOf(message: Message): ApprovalAnswer {
  const { data } = partsOf(message);
  const [d] = data;
  const o = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
  const approve = o['approve'] === true;
  const deny = o['deny'] === true;
  const extra = Object.keys(o).filter((k) => !['approve', 'deny', 'subtask_uuid', 'reason'].includes(k));
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  if (
    data.length !== 1 ||
    approve === deny ||
    extra.length > 0 ||
    (o['reason'] !== undefined && str('reason') === undefined)
  ) {
    throw new KosError(
      'KOS_ERR_A2A_UNSUPPORTED',
      'a message on an existing task must answer its approval: one data part {"approve": true} or {"deny": true}, optionally with "subtask_uuid" and "reason"',
    );
  }
  return { decision: approve ? 'approve' : 'deny', subtaskId: str('subtask_uuid'), reason: str('reason') };
}
