import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '@kos/protocol';
import { chainNext, chainStart, frameDigest, generateKey, verifyEnvelope } from '@kos/protocol/node';
import type { AnyEnvelope, MessageType } from '@kos/protocol';
import { FrameSealer, SIGNED_TYPES, advancesChain } from './sealer.ts';

const key = generateKey();
const AGENT_TYPES = ['hello', 'heartbeat', 'disconnect', 'TASK_RESULT', 'STATUS_UPDATE', 'handover'] as const;
type AgentType = (typeof AGENT_TYPES)[number];

function seal(sealer: FrameSealer, type: AgentType, n: number): AnyEnvelope {
  switch (type) {
    case 'hello':
      return sealer.seal(type, {
        name: 'a',
        public_key: key.publicKey,
        skills: ['x'],
        max_parallel: 1,
        nonce: 'n',
        in_flight: [],
      });
    case 'heartbeat':
      return sealer.seal(type, { in_flight: [{ task_id: `t${n}`, epoch: n }] });
    case 'disconnect':
      return sealer.seal(type, { reason: 'bye' });
    case 'TASK_RESULT':
      return sealer.seal(type, { task_id: `t${n}`, epoch: 1, status: 'succeeded', result: { n } });
    case 'STATUS_UPDATE':
      return sealer.seal(type, { task_id: `t${n}`, epoch: 1, progress: n % 101 }, { task_id: `t${n}` });
    case 'handover':
      return sealer.seal(type, { mode: 'finish' });
  }
}

describe('FrameSealer', () => {
  it('numbers frames 1, 2, 3 and chains them the way the orchestrator recomputes it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.array(fc.constantFrom(...AGENT_TYPES), { maxLength: 20 }),
        (nonce, types) => {
          const sealer = new FrameSealer(key, nonce, 'kai://agent.a', 'kai://orchestrator');
          let expected = chainStart(nonce);
          types.forEach((type, i) => {
            const env = seal(sealer, type, i);
            if (advancesChain(type)) expected = chainNext(expected, env);
            expect(env.seq).toBe(i + 1);
            expect(env.auth?.kid).toBe(key.kid);
            expect(env.auth?.chain).toBe(expected);
          });
          expect(sealer.head).toBe(expected);
          expect(sealer.lastSeq).toBe(types.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('signs hello, heartbeat and disconnect, and only those', () => {
    const sealer = new FrameSealer(key, 'nonce', 'kai://agent.a', 'kai://orchestrator');
    for (const [i, type] of AGENT_TYPES.entries()) {
      const env = seal(sealer, type, i);
      expect(env.auth?.sig !== undefined).toBe(SIGNED_TYPES.has(type));
      if (SIGNED_TYPES.has(type)) expect(verifyEnvelope(env, key.publicKey)).toBe(true);
    }
    expect([...SIGNED_TYPES].sort()).toEqual(['disconnect', 'heartbeat', 'hello']);
    expect(MESSAGE_TYPES).toEqual(expect.arrayContaining<MessageType>([...SIGNED_TYPES]));
  });

  it('makes the chain depend on every earlier result, and on results only', () => {
    const a = new FrameSealer(key, 'nonce', 'kai://agent.a', 'kai://orchestrator');
    const b = new FrameSealer(key, 'nonce', 'kai://agent.a', 'kai://orchestrator');
    const start = a.head;
    a.seal('handover', { mode: 'finish' });
    expect(a.head).toBe(start);
    const first = a.seal('TASK_RESULT', { task_id: 't', epoch: 1, status: 'succeeded', result: 1 });
    b.seal('TASK_RESULT', { task_id: 't', epoch: 1, status: 'succeeded', result: 2 });
    expect(frameDigest(first)).not.toBe('');
    expect(a.head).not.toBe(start);
    a.seal('disconnect', {});
    b.seal('disconnect', {});
    expect(a.head).not.toBe(b.head);
  });

  it('starts a new chain from the nonce of each session', () => {
    const a = new FrameSealer(key, 'nonce-1', 'kai://agent.a', 'kai://orchestrator');
    const b = new FrameSealer(key, 'nonce-2', 'kai://agent.a', 'kai://orchestrator');
    expect(a.head).toBe(chainStart('nonce-1'));
    expect(a.head).not.toBe(b.head);
  });

  it('signs a frame whose signature breaks when the chain value is altered', () => {
    const sealer = new FrameSealer(key, 'nonce', 'kai://agent.a', 'kai://orchestrator');
    const hb = sealer.seal('heartbeat', { in_flight: [] });
    const forged = { ...hb, auth: { ...hb.auth!, chain: chainStart('other') } };
    expect(verifyEnvelope(forged, key.publicKey)).toBe(false);
  });
});
