/**
 * `kos a2a add <agent-card-url> [--name <n>] [--remote-token <secret> | --remote-token-file <path>]`,
 * `kos a2a list`, `kos a2a remove <id>`: remote A2A agents as kOS workers (docs/interop.md).
 * The remote's token has its own option name: `--token` is kOS's own API token, for every command.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { WireA2aAgent } from '@kos/contracts';
import { Ctx, type Io } from '../context.ts';
import { CliError } from '../errors.ts';
import { resolveAgentId } from '../ids.ts';
import { fields } from '../render.ts';
import { formatTable, shortId, shortTime } from '../table.ts';

interface AddOptions {
  name?: string;
  remoteToken?: string;
  remoteTokenFile?: string;
  maxParallel?: string;
}

function a2aTable(agents: readonly WireA2aAgent[]): string {
  if (agents.length === 0) return 'no remote A2A agents';
  return formatTable(
    ['ID', 'NAME', 'STATE', 'SKILLS', 'LEASES', 'TOKEN', 'ADDED', 'CARD'],
    agents.map(({ agent, remote }) => [
      shortId(agent.id),
      agent.name,
      agent.state,
      agent.skills.join(','),
      `${agent.active_leases}/${agent.max_parallel}`,
      remote.has_token ? 'yes' : 'no',
      shortTime(remote.added_at),
      remote.card_url,
    ]),
  );
}

export function registerA2a(program: Command, io: Io): void {
  const a2a = program.command('a2a').description('remote A2A agents as kOS workers (admin)');
  a2a
    .command('add <agent-card-url>')
    .description('register a remote A2A agent from its Agent Card: its skills become kOS skills')
    .option('--name <name>', "the kOS agent name (default: the card's name)")
    .option('--remote-token <secret>', 'bearer token kOS sends to the remote agent')
    .option('--remote-token-file <path>', 'file holding that token')
    .option('--max-parallel <n>', 'leases it may hold at once (default: policies.max_parallel_tasks)')
    .action(async (url: string, o: AddOptions, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      if (o.remoteToken !== undefined && o.remoteTokenFile !== undefined) {
        throw new CliError('usage', 'give --remote-token or --remote-token-file, not both');
      }
      const token =
        o.remoteTokenFile === undefined
          ? o.remoteToken
          : (await readFile(resolve(io.cwd, o.remoteTokenFile), 'utf8')).trim();
      const maxParallel = o.maxParallel === undefined ? undefined : Number(o.maxParallel);
      if (maxParallel !== undefined && !(Number.isSafeInteger(maxParallel) && maxParallel >= 1)) {
        throw new CliError('usage', `--max-parallel must be an integer ≥ 1 (got ${o.maxParallel})`);
      }
      const answer = await ctx.client().addA2aAgent({
        url,
        ...(o.name === undefined ? {} : { name: o.name }),
        ...(token === undefined ? {} : { token }),
        ...(maxParallel === undefined ? {} : { max_parallel: maxParallel }),
      });
      ctx.print(answer, () =>
        [
          `${answer.created ? 'registered' : 'refreshed'} remote A2A agent ${answer.agent.name}`,
          fields([
            ['id', answer.agent.id],
            ['skills', answer.agent.skills.join(', ')],
            ['card', answer.remote.card_url],
            ['endpoint', answer.remote.endpoint],
            ['token', answer.remote.has_token ? 'set' : 'none'],
          ]),
        ].join('\n'),
      );
    });

  a2a
    .command('list')
    .description('list the remote A2A agents with their cards (never their tokens)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const answer = await ctx.client().listA2aAgents();
      ctx.print(answer, () => a2aTable(answer.agents));
    });

  a2a
    .command('remove <id>')
    .description('unregister a remote A2A agent (id, id prefix or name); its remote tasks are cancelled')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.removeA2aAgent(await resolveAgentId(client, id));
      ctx.print(
        answer,
        () => `remote A2A agent ${answer.agent.name} removed; ${answer.revoked.length} lease(s) revoked`,
      );
    });
}
