import { Type, type Static } from 'typebox';
import { answer, closed } from './fields.ts';
import { Feasibility, WireTask } from './records.ts';
import { Priority } from './states.ts';

/** `GET /orchestration/templates`: the planner's template library, in matching order. */
export const WireTemplate = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    /** Word prefixes of goals the template matches; empty for a pattern or the fallback. */
    keywords: Type.Array(Type.String()),
    /** How it matches goals: by keywords, a regular expression, or always (the fallback). */
    match: Type.Union([Type.Literal('words'), Type.Literal('pattern'), Type.Literal('always')]),
    tasks: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          skills: Type.Array(Type.String()),
          priority: Priority,
          /** Names of the template's tasks. */
          depends_on: Type.Array(Type.String()),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type WireTemplate = Static<typeof WireTemplate>;

export const TemplateListResponse = answer({ templates: Type.Array(WireTemplate) });
export type TemplateListResponse = Static<typeof TemplateListResponse>;

/**
 * `POST /orchestration/goals/preview`: what `POST /orchestration/decompose` with the same body
 * would create, with nothing stored. Task ids are provisional (`depends_on` refers to them).
 */
export const GoalPreviewResponse = answer({
  template: Type.String(),
  priority: Priority,
  subtasks: Type.Array(WireTask),
  feasibility: Feasibility,
});
export type GoalPreviewResponse = Static<typeof GoalPreviewResponse>;
