/**
 * `kos token create --role agent|submitter|viewer [--agent <name>] [--label <text>] [--expires-in 30d]`,
 * `kos token list`, `kos token revoke <id>` (admin only).
 */
import { Option, type Command } from 'commander';
import { durationSeconds } from '../args.ts';
import { Ctx, type Io } from '../context.ts';
import { fields, tokensTable } from '../render.ts';

export function registerToken(program: Command, io: Io): void {
  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('create a token; its secret is shown once')
    .addOption(
      new Option('--role <role>', 'what the token may do')
        .choices(['agent', 'submitter', 'viewer'] as const)
        .makeOptionMandatory(),
    )
    .option('--agent <name>', 'bind an agent token to this agent name (else: the first it registers)')
    .option('--label <text>', 'a note to recognise the token by')
    .option(
      '--expires-in <duration>',
      'stop working after 90s, 15m, 12h, 30d… (else: until revoked)',
      durationSeconds,
    )
    .action(
      async (
        o: { role: 'agent' | 'submitter' | 'viewer'; agent?: string; label?: string; expiresIn?: number },
        cmd: Command,
      ) => {
        const ctx = Ctx.of(io, cmd);
        const answer = await ctx.client().createToken({
          role: o.role,
          ...(o.agent === undefined ? {} : { agent_name: o.agent }),
          ...(o.label === undefined ? {} : { label: o.label }),
          ...(o.expiresIn === undefined ? {} : { expires_in_s: o.expiresIn }),
        });
        ctx.print(answer, () =>
          [
            fields([
              ['id', answer.id],
              ['role', answer.role],
              ['agent', answer.agent_name ?? '-'],
              ['expires', answer.expires_at ?? 'never (until revoked)'],
              ['token', answer.token],
            ]),
            '',
            'The secret is shown only this once. To use it:',
            `  export KOS_TOKEN=${answer.token}`,
          ].join('\n'),
        );
      },
    );

  token
    .command('list')
    .description('list the tokens (never their secrets), newest first')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const answer = await ctx.client().listTokens();
      ctx.print(answer, () => tokensTable(answer.tokens));
    });

  token
    .command('revoke <id>')
    .description('revoke a token at once, on every replica (its sessions and event streams end)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const answer = await ctx.client().revokeToken(id);
      ctx.print(answer, () => `token ${answer.token.id} (${answer.token.role}) revoked`);
    });
}
