import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Envelope, Receipt, ReceiptLog } from '@kos/protocol';
import type { ApiDeps } from '../deps.ts';

const ReceiptsQuery = Type.Object(
  {
    goal_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

const MAX_EVENTS = 100_000;

/**
 * GET /orchestration/audit/receipts: the receipt log of KLP results (per goal or agent), for
 * `kos audit verify` to check offline with the agents' public keys (security/receipts.ts).
 */
export function auditRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/orchestration/audit/receipts',
      { schema: { querystring: ReceiptsQuery, tags: ['audit'] } },
      async (req): Promise<ReceiptLog> => {
        await deps.auth.require(req, 'read');
        const { goal_id: goalId, agent_id: agentId } = req.query;
        return deps.store.read(async (tx) => {
          const transitions = await tx.listEvents({
            goalId,
            agentId,
            kinds: ['task.state', 'task.result_refused'],
            limit: MAX_EVENTS,
          });
          const withReceipts = transitions.filter((e) => e.data.receipt !== undefined && e.taskId !== null);
          // A refused result keeps the value it carried in its event; an applied one is the task's.
          const resultOf = (e: (typeof withReceipts)[number]): unknown =>
            e.kind === 'task.result_refused'
              ? e.data.result
              : e.data.to === 'succeeded'
                ? (tasks.get(e.taskId!)?.result ?? null)
                : null;
          const tasks = new Map(
            (await tx.getTasks(withReceipts.map((e) => e.taskId!))).map((t) => [t.id, t]),
          );
          const results = withReceipts.map((e) => ({
            task_id: e.taskId!,
            result: resultOf(e),
            receipt: e.data.receipt as Receipt,
          }));
          const wanted = new Set(results.map((r) => r.receipt.session));
          const agents = [
            ...new Set(withReceipts.map((e) => e.agentId).filter((a): a is string => a !== null)),
          ];
          const sessions: ReceiptLog['sessions'] = [];
          const heads: ReceiptLog['heads'] = [];
          for (const agent of agents) {
            const name = (await tx.getAgent(agent))?.name ?? agent;
            for (const e of await tx.listEvents({
              agentId: agent,
              kinds: ['klp.session', 'klp.receipts'],
              limit: MAX_EVENTS,
            })) {
              const session = String(e.data.session);
              if (!wanted.has(session)) continue;
              if (e.kind === 'klp.session' && e.data.event === 'connected') {
                sessions.push({ session, agent: name, nonce: String(e.data.nonce), key: String(e.data.key) });
              } else if (e.kind === 'klp.receipts') {
                heads.push({ session, frame: e.data.frame as Envelope });
              }
            }
          }
          return { sessions, results, heads };
        });
      },
    );
}
