/**
 * The contracts' vocabularies are the orchestrator's own: each union equals its server twin (an
 * exact, two-way equality), and each record schema names exactly the fields its view emits. Type
 * assertions: `npm run typecheck` is what fails when they drift; the runtime test is a formality.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as C from '@kos/contracts';
import type { AgentState, EventKind, GoalState, TaskState, TokenRole, WaitingCode } from '@kos/orchestrator';
import type { MessageType, Priority } from '@kos/protocol';
import type { ViolationKind } from '../src/observe/invariants.ts';
import type { BreakerState } from '../src/scheduler/breaker.ts';
import type { agentView, eventView, goalView, leaseView, policyView, taskView } from '../src/api/views.ts';

describe('the contracts and the orchestrator', () => {
  it('share every state union exactly, in both directions', () => {
    expectTypeOf<C.TaskState>().toEqualTypeOf<TaskState>();
    expectTypeOf<C.GoalState>().toEqualTypeOf<GoalState>();
    expectTypeOf<C.AgentState>().toEqualTypeOf<AgentState>();
    expectTypeOf<C.EventKind>().toEqualTypeOf<EventKind>();
    expectTypeOf<C.TokenRole>().toEqualTypeOf<TokenRole>();
    expectTypeOf<C.WaitingCode>().toEqualTypeOf<WaitingCode>();
    expectTypeOf<C.Priority>().toEqualTypeOf<Priority>();
    expectTypeOf<C.BreakerState>().toEqualTypeOf<BreakerState['state']>();
    expectTypeOf<C.ViolationKind>().toEqualTypeOf<ViolationKind>();
    expectTypeOf<C.MessageType>().toEqualTypeOf<MessageType>();
  });

  it('name exactly the fields each view emits', () => {
    expectTypeOf<keyof C.WireTask>().toEqualTypeOf<keyof ReturnType<typeof taskView>>();
    expectTypeOf<keyof C.WirePolicy>().toEqualTypeOf<keyof ReturnType<typeof policyView>>();
    expectTypeOf<keyof C.WireGoal>().toEqualTypeOf<keyof ReturnType<typeof goalView>>();
    expectTypeOf<keyof C.WireAgent>().toEqualTypeOf<keyof ReturnType<typeof agentView>>();
    expectTypeOf<keyof C.WireAgentHealth>().toEqualTypeOf<keyof ReturnType<typeof agentView>['health']>();
    expectTypeOf<keyof C.WireLease>().toEqualTypeOf<keyof ReturnType<typeof leaseView>>();
    expectTypeOf<keyof C.WireEvent>().toEqualTypeOf<keyof ReturnType<typeof eventView>>();
  });
});
