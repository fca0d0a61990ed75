import { receiptOf, type AnyEnvelope, type Envelope, type Receipt } from '@kos/protocol';
import { chainNext, chainStart, verifyEnvelope } from '@kos/protocol/node';

/** Why a frame does not fit the chain: both are forged-frame alerts (the session closes). */
export type ChainRefusal = {
  ok: false;
  code: 'KOS_ERR_CHAIN_MISMATCH' | 'KOS_ERR_BAD_SIGNATURE';
  message: string;
};

/**
 * The receiving half of one session's receipt chain, the server twin of the SDK's FrameSealer:
 * the head starts at SHA-256(nonce); each TASK_RESULT must extend it (and gets the receipt that
 * attributes it offline); each signed frame must sign the current head, and so covers every
 * result before it (docs/protocol.md, "Receipts"). Pure: no I/O, the caller records what it says.
 */
export class ReceiptChain {
  private current: string;
  /** Results received since the last signed frame covering them. */
  private uncovered = 0;

  constructor(
    private readonly session: string,
    nonce: string,
  ) {
    this.current = chainStart(nonce);
  }

  get head(): string {
    return this.current;
  }

  /** A result frame: it advances the chain when it extends it. */
  result(env: Envelope<'TASK_RESULT'>): { ok: true; receipt: Receipt } | ChainRefusal {
    const expected = chainNext(this.current, env);
    if (env.auth?.chain !== expected) {
      return {
        ok: false,
        code: 'KOS_ERR_CHAIN_MISMATCH',
        message: 'TASK_RESULT does not extend this session’s receipt chain',
      };
    }
    this.current = expected;
    this.uncovered++;
    return { ok: true, receipt: receiptOf(this.session, env, expected) };
  }

  /**
   * A frame that must be signed by the session's key over the current head. `covered`: the
   * results it newly vouches for (0 when none), to record with the frame as their proof.
   */
  signed(
    env: AnyEnvelope,
    key: { kid: string; publicKey: string },
  ): { ok: true; covered: number } | ChainRefusal {
    if (env.auth?.kid !== key.kid || !verifyEnvelope(env, key.publicKey)) {
      return {
        ok: false,
        code: 'KOS_ERR_BAD_SIGNATURE',
        message: `${env.type} is not signed by the session’s key`,
      };
    }
    if (env.auth.chain !== this.current) {
      return {
        ok: false,
        code: 'KOS_ERR_CHAIN_MISMATCH',
        message: `${env.type} signs another receipt head than this session’s`,
      };
    }
    const covered = this.uncovered;
    this.uncovered = 0;
    return { ok: true, covered };
  }
}
