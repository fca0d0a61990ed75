/**
 * `kos agents [--state]`, `kos agents quarantine <id> --reason <text>`, `kos agents release <id>`,
 * `kos agents drain <id>`; the key commands in agent-keys.ts.
 */
import { Option, type Command } from 'commander';
import type { AgentState } from '@kos/contracts';
import { Ctx, type Io } from '../context.ts';
import { resolveAgentId } from '../ids.ts';
import { registerAgentKeys } from './agent-keys.ts';
import { agentsTable } from '../render.ts';
import { AGENT_STATES } from '../states.ts';

export function registerAgents(program: Command, io: Io): void {
  const agents = program
    .command('agents')
    .description('list agents, with their trust, circuit breakers and quarantine')
    .addOption(new Option('--state <state>', 'only agents in this state').choices(AGENT_STATES))
    .action(async (o: { state?: AgentState }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const answer = await ctx.client().listAgents(o);
      ctx.print(answer, () => agentsTable(answer.agents));
    });

  agents
    .command('quarantine <id>')
    .description(
      'isolate an agent (id, id prefix or name): its leases are revoked, it gets no more work (admin)',
    )
    .requiredOption('--reason <text>', 'why; kept with the agent and in the event log')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.quarantineAgent(await resolveAgentId(client, id), o.reason);
      ctx.print(
        answer,
        () => `agent ${answer.agent.name} quarantined; ${answer.revoked.length} lease(s) revoked`,
      );
    });

  agents
    .command('release <id>')
    .description('let a quarantined agent register again; its failure counts and breakers reset (admin)')
    .option('--reason <text>', 'recorded in the event log')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.releaseAgent(await resolveAgentId(client, id), o.reason);
      ctx.print(
        answer,
        () => `agent ${answer.agent.name} released (${answer.agent.state}): it may register again`,
      );
    });

  agents
    .command('drain <id>')
    .description('give an agent no new task; those it holds finish; registering again ends it (admin)')
    .option('--reason <text>', 'recorded in the event log')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.drainAgent(await resolveAgentId(client, id), o.reason);
      ctx.print(
        answer,
        () => `agent ${answer.agent.name} draining; ${answer.agent.active_leases} lease(s) still finishing`,
      );
    });

  registerAgentKeys(agents, io);
}
