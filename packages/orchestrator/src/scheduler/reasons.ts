import {
  describeIncapable,
  incapableCode,
  type IncapableCode,
  type RoundAgent,
  type RoundTask,
  type SchedulingPolicy,
} from './score.ts';
import type { RoundReason } from './waiting.ts';

const CODE_ORDER: readonly IncapableCode[] = [
  'at-capacity',
  'not-active',
  'missing-skills',
  'cross-agent',
  'excluded',
  'breaker-open',
  'untrusted',
];
const LABELS: Record<IncapableCode, string> = {
  'at-capacity': 'at capacity',
  'not-active': 'not active',
  'missing-skills': 'missing skills',
  'cross-agent': 'cross-agent disallowed',
  excluded: 'excluded (declined or delegated it)',
  'breaker-open': 'circuit breaker open',
  untrusted: 'below the trust threshold (the task is not experimental)',
};

/**
 * Says why a task got no agent in a round, against the agents' state at that point of the round.
 * Runs only for unassigned tasks, so its index of every agent by skill is built on first use.
 */
export class UnassignedReasons {
  private bySkill: Map<string, number[]> | null = null;

  constructor(
    private readonly agents: readonly RoundAgent[],
    private readonly skillSets: readonly Set<string>[],
    private readonly policy: SchedulingPolicy,
  ) {}

  explain(task: RoundTask): RoundReason {
    if (!this.policy.policies.allowCrossAgent && task.lastAgentId !== null) {
      const i = this.agents.findIndex((a) => a.id === task.lastAgentId);
      const agent = this.agents[i];
      const skills = this.skillSets[i];
      const bound = `bound to agent ${task.lastAgentId} (cross-agent disallowed)`;
      if (agent === undefined || skills === undefined) {
        return { code: 'bound_agent', message: `${bound}, which is not active` };
      }
      const code = incapableCode(task, agent, skills, this.policy, false) ?? 'at-capacity';
      return { code: 'bound_agent', message: `${bound}: ${describeIncapable(code, task, agent, skills)}` };
    }
    const missing = this.missingSkills(task);
    if (missing !== null) return missing;
    const index = this.index();
    let list: readonly number[] = this.agents.map((_, i) => i);
    for (const skill of task.skills) {
      const withSkill = index.get(skill) ?? [];
      if (withSkill.length < list.length) list = withSkill;
    }
    const counts = new Map<IncapableCode, number>();
    for (const i of list) {
      const agent = this.agents[i] as RoundAgent;
      const code = incapableCode(task, agent, this.skillSets[i] as Set<string>, this.policy, false);
      if (code !== null) counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    if (counts.size === 0) return { code: 'no_capable_agent', message: 'no active agent is registered' };
    const parts = CODE_ORDER.filter((c) => counts.has(c)).map((c) => `${counts.get(c) ?? 0} ${LABELS[c]}`);
    // An agent at capacity could take it once a slot frees: the task waits its turn (queued).
    return {
      code: counts.has('at-capacity') ? 'queued' : 'no_capable_agent',
      message: `no capable agent with a free slot: ${parts.join(', ')}`,
    };
  }

  /**
   * The reason of a task the round did not reach (it ran out of free slots first): a skill no
   * agent has is known without looking at the agents' load; anything else is not.
   */
  notReached(task: RoundTask): RoundReason {
    return (
      this.missingSkills(task) ?? {
        code: 'not_reached',
        message: 'no agent has a free slot left in this round',
      }
    );
  }

  private missingSkills(task: RoundTask): RoundReason | null {
    const index = this.index();
    const absent = task.skills.filter((s) => !index.has(s));
    if (absent.length === 0) return null;
    const noun = absent.length === 1 ? 'skill' : 'skills';
    return { code: 'missing_skills', message: `no active agent has ${noun} ${absent.join(', ')}` };
  }

  private index(): Map<string, number[]> {
    if (this.bySkill !== null) return this.bySkill;
    const bySkill = new Map<string, number[]>();
    this.skillSets.forEach((skills, i) => {
      for (const skill of skills) {
        const list = bySkill.get(skill);
        if (list === undefined) bySkill.set(skill, [i]);
        else list.push(i);
      }
    });
    this.bySkill = bySkill;
    return bySkill;
  }
}
