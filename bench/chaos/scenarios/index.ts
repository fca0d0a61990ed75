// The chaos suite's scenarios, run in this order. To add one, write a `Scenario`
// (../scenario.ts) in this folder and list it here.
import type { Scenario } from '../scenario.ts';
import { agentKill } from './agent-kill.ts';
import { orchestratorKill } from './orchestrator-kill.ts';
import { quarantine } from './quarantine.ts';
import { starvation } from './starvation.ts';
import { zombie } from './zombie.ts';

export const SCENARIOS: readonly Scenario[] = [orchestratorKill, agentKill, zombie, starvation, quarantine];
