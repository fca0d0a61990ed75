/**
 * `kos audit verify [--goal <id>] [--agent <id>] [--key <file>]`: checks, on this machine and from
 * the agents' public keys alone, that each result in the log was sent by the holder of its agent's
 * key. Exit 0 only when every result in scope is attributed; 1 when any is not (a broken chain,
 * another key, no receipt, not yet covered) or when there is nothing to verify.
 */
import type { Command } from 'commander';
import { type ReceiptLog } from '@kos/protocol';
import { loadKey, verifyReceipts, type ReceiptVerdict } from '@kos/protocol/node';
import { Ctx, type Io } from '../context.ts';
import { QuietExit } from '../errors.ts';
import { formatTable as table } from '../table.ts';

export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('verify the audit trail');
  audit
    .command('verify')
    .description('verify the signed receipts of results (offline, with the agents’ public keys)')
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
      const pinned = o.key === undefined ? undefined : (await loadKey(o.key)).publicKey;
      const verdict = verifyReceipts(log, { key: pinned });
      const summary = summarize(log, verdict, pinned);
      ctx.print({ ...verdict, verified: summary.ok, problem: summary.problem }, () =>
        render(verdict, summary),
      );
      if (!summary.ok) throw new QuietExit(1);
    });
}

interface Summary {
  ok: boolean;
  /** Why the verification did not pass as a whole, for people; null when it did. */
  problem: string | null;
}

/** Whether a verdict passes, and the one line that says why not. Pure. */
export function summarize(log: ReceiptLog, verdict: ReceiptVerdict, pinned: string | undefined): Summary {
  const total = verdict.attributed.length + verdict.unattributed.length;
  if (total === 0) return { ok: false, problem: 'nothing to verify: no results in the log for this filter' };
  if (pinned !== undefined && !log.sessions.some((s) => s.key === pinned)) {
    return { ok: false, problem: 'the pinned key matches no agent session in this log' };
  }
  if (verdict.unattributed.length === 0) return { ok: true, problem: null };
  const pending = verdict.unattributed.every((u) => u.pending === true);
  return {
    ok: false,
    problem: pending
      ? 'some results are not covered by a signed frame yet: run again after the agents’ next heartbeat'
      : `${verdict.unattributed.length} result(s) cannot be attributed to their agent's key`,
  };
}

function render(verdict: ReceiptVerdict, summary: Summary): string {
  return [
    `${verdict.attributed.length} result(s) attributed to their agent's key, ${verdict.unattributed.length} not`,
    ...(summary.problem === null ? [] : [summary.problem]),
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
  ].join('\n');
}
