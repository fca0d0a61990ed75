// The chaos suite's scenarios, run in this order. To add one (e.g. `quarantine`: an agent that
// keeps failing or sends a forged frame is quarantined within one evaluation interval and gets 0
// leases afterwards), write a `Scenario` (../scenario.ts) in this folder and list it here.
import type { Scenario } from '../scenario.ts';
import { agentKill } from './agent-kill.ts';
import { orchestratorKill } from './orchestrator-kill.ts';
import { starvation } from './starvation.ts';
import { zombie } from './zombie.ts';

export const SCENARIOS: readonly Scenario[] = [orchestratorKill, agentKill, zombie, starvation];
