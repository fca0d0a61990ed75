import { describe, expect, it } from 'vitest';
import { envelope } from '@kos/protocol';
import { chainNext, chainStart, generateKey, signEnvelope, verifyReceipts } from '@kos/protocol/node';
import type { Envelope } from '@kos/protocol';
import { ReceiptChain } from './receipt-chain.ts';

const key = generateKey();
const from = 'kai://agent/a';
const to = 'kai://orchestrator';

/** An agent's side of the chain, as the SDK's sealer keeps it. */
function agentSide(nonce: string) {
  let head = chainStart(nonce);
  let seq = 0;
  return {
    result(taskId: string): Envelope<'TASK_RESULT'> {
      const env = envelope('TASK_RESULT', {
        from,
        to,
        seq: ++seq,
        payload: { task_id: taskId, epoch: 1, status: 'succeeded', result: { taskId } },
      });
      head = chainNext(head, env);
      return { ...env, auth: { kid: key.kid, chain: head } };
    },
    heartbeat(signWith = key): Envelope<'heartbeat'> {
      const env = envelope('heartbeat', { from, to, seq: ++seq, payload: { in_flight: [] } });
      return signEnvelope({ ...env, auth: { kid: signWith.kid, chain: head } }, signWith);
    },
  };
}

describe('ReceiptChain', () => {
  it('accepts results that extend it and counts them for the next signed frame', () => {
    const chain = new ReceiptChain('s1', 'nonce');
    const agent = agentSide('nonce');
    const r1 = chain.result(agent.result('t1'));
    const r2 = chain.result(agent.result('t2'));
    expect(r1.ok && r2.ok).toBe(true);
    const hb = agent.heartbeat();
    expect(chain.signed(hb, key)).toEqual({ ok: true, covered: 2 });
    expect(chain.signed(agent.heartbeat(), key)).toEqual({ ok: true, covered: 0 });
    // The receipts it gave verify offline against the key, with the signed head covering them.
    if (!r1.ok || !r2.ok) return;
    const verdict = verifyReceipts(
      {
        sessions: [{ session: 's1', agent: 'a', nonce: 'nonce', key: key.publicKey }],
        results: [
          { task_id: 't1', result: { taskId: 't1' }, receipt: r1.receipt },
          { task_id: 't2', result: { taskId: 't2' }, receipt: r2.receipt },
        ],
        heads: [{ session: 's1', frame: hb }],
      },
      {},
    );
    expect(verdict.unattributed).toEqual([]);
    expect(verdict.attributed.map((a) => a.task_id)).toEqual(['t1', 't2']);
  });

  it('refuses a result that skips a link, and stays where it was', () => {
    const chain = new ReceiptChain('s1', 'nonce');
    const agent = agentSide('nonce');
    agent.result('lost'); // never delivered
    const before = chain.head;
    expect(chain.result(agent.result('t2'))).toMatchObject({ ok: false, code: 'KOS_ERR_CHAIN_MISMATCH' });
    expect(chain.head).toBe(before);
  });

  it('refuses a signed frame by another key, or over another head', () => {
    const chain = new ReceiptChain('s1', 'nonce');
    const agent = agentSide('nonce');
    expect(chain.signed(agent.heartbeat(generateKey()), key)).toMatchObject({
      code: 'KOS_ERR_BAD_SIGNATURE',
    });
    const other = agentSide('other nonce');
    expect(chain.signed(other.heartbeat(), key)).toMatchObject({ code: 'KOS_ERR_CHAIN_MISMATCH' });
  });
});
