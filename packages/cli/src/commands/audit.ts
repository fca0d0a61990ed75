/**
 * `kos audit verify [--goal <id>] [--agent <id>]`: checks, on this machine and from the agents'
 * public keys alone, that each KLP result in the log was sent by the holder of its agent's key.
 */
import type { Command } from 'commander';
import { loadKey, verifyReceipts } from '@kos/protocol';
import { Ctx, type Io } from '../context.ts';
import { QuietExit } from '../errors.ts';
import { formatTable as table } from '../table.ts';

export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('verify the audit trail');
  audit
    .command('verify')
    .description('verify the signed receipts of KLP results (offline, with the agents’ public keys)')
    .option('--goal <id>', 'only the results of this goal')
    .option('--agent <id>', 'only the results of this agent')
    .option(
      '--key <file>',
      'require this agent key file’s public key (pins the key instead of trusting the log)',
    )
    .action(async (o: { goal?: string; agent?: string; key?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const log = await ctx.client().receipts({
        ...(o.goal === undefined ? {} : { goal_id: o.goal }),
        ...(o.agent === undefined ? {} : { agent_id: o.agent }),
      });
      if (o.key !== undefined) {
        const pinned = (await loadKey(o.key)).publicKey;
        log.sessions = log.sessions.filter((s) => s.key === pinned);
      }
      const verdict = verifyReceipts(log);
      ctx.print(verdict, () =>
        [
          `${verdict.attributed.length} result(s) attributed to their agent's key, ${verdict.unattributed.length} not`,
          ...(verdict.attributed.length > 0
            ? [
                '',
                table(
                  ['task', 'agent', 'key'],
                  verdict.attributed.map((a) => [a.task_id, a.agent, a.key.slice(0, 16) + '…']),
                ),
              ]
            : []),
          ...(verdict.unattributed.length > 0
            ? [
                '',
                table(
                  ['task', 'why not'],
                  verdict.unattributed.map((u) => [u.task_id, u.reason]),
                ),
              ]
            : []),
        ].join('\n'),
      );
      if (verdict.unattributed.some((u) => u.reason.startsWith('receipt chain broken')))
        throw new QuietExit(1);
    });
}
